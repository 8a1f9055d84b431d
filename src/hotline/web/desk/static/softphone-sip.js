/**
 * The `sip` adapter of softphone.js: JsSIP registered over WSS to the agent's PJSIP endpoint.
 *
 * config (from GET /api/v1/agent/softphone): ws_url, sip_uri, auth_user, password, display_name,
 * ice_servers. Emits on itself (EventTarget): registered, registrationFailed {code, reason},
 * ringing {from, displayName}, answered, ended {cause}, failed {code, reason}.
 *
 * JsSIP is bundled from npm (package.json) into static/vendor/jssip.js: nothing comes from a CDN.
 */
import JsSIP from "../vendor/jssip.js";

const C = JsSIP.C.causes;

export class SipAdapter extends EventTarget {
  constructor(config) {
    super();
    this.config = config;
    this.needsMicrophone = true;
    this.ua = null;
    this.session = null;
    // Set while the websocket is down and the agent has been told once; JsSIP retries on its
    // own (2 s, then up to 30 s apart) and every failed retry would repeat the message.
    this.lost = false;
  }

  emit(name, detail = {}) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  async start() {
    const config = this.config;
    const socket = new JsSIP.WebSocketInterface(config.ws_url);
    this.ua = new JsSIP.UA({
      sockets: [socket],
      uri: config.sip_uri,
      authorization_user: config.auth_user,
      password: config.password,
      display_name: config.display_name || undefined,
      register: true,
      register_expires: 300,
      // Asterisk and kamailio both handle re-INVITE based hold; session timers only add noise.
      session_timers: false,
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
    });
    this.ua.on("registered", () => this.emit("registered"));
    this.ua.on("registrationFailed", (event) => {
      const status = event.response ? event.response.status_code : null;
      if (event.cause === C.AUTHENTICATION_ERROR || status === 401 || status === 403 || status === 407) {
        this.emit("registrationFailed", { code: "wrong_password", reason: String(status || "") });
      } else if (event.cause === C.CONNECTION_ERROR || event.cause === C.REQUEST_TIMEOUT) {
        this.connectionLost(event.cause);
      } else {
        const reason = status ? `${status} ${event.response.reason_phrase}` : event.cause;
        this.emit("registrationFailed", { code: "registration_failed", reason });
      }
    });
    this.ua.on("connected", () => {
      this.lost = false;
    });
    this.ua.on("disconnected", (event) => {
      if (event.error) this.connectionLost("websocket");
    });
    this.ua.on("newRTCSession", (event) => this.onSession(event));
    this.ua.start();
  }

  connectionLost(reason) {
    if (this.lost) return;
    this.lost = true;
    this.emit("registrationFailed", { code: "no_connection", reason });
  }

  onSession(event) {
    if (event.originator !== "remote") return;
    const session = event.session;
    if (this.session) {
      // One call at a time: the ACD never offers a second one, anything else is refused busy.
      session.terminate({ status_code: 486, reason_phrase: "Busy Here" });
      return;
    }
    this.session = session;
    const identity = session.remote_identity;
    session.on("sdp", (data) => {
      // An answer must say active or passive (RFC 8842 section 5.3); some phones (baresip 1.0)
      // answer a hold re-INVITE with "actpass". The DTLS association already exists with the
      // browser as the active side, so read it as passive rather than drop the call.
      if (data.originator === "remote" && data.type === "answer") {
        data.sdp = data.sdp.replace(/^a=setup:actpass(?=\r?$)/gm, "a=setup:passive");
      }
    });
    session.on("accepted", () => this.emit("answered"));
    session.on("confirmed", () => this.attachAudio());
    session.on("peerconnection", () => this.attachAudio());
    session.on("ended", (e) => this.finish(e.cause));
    session.on("failed", (e) => {
      if (e.cause === C.USER_DENIED_MEDIA_ACCESS) {
        this.emit("failed", { code: "mic_denied" });
      } else if (e.originator === "local" && e.cause !== C.CANCELED && e.cause !== C.REJECTED) {
        this.emit("failed", { code: "call_failed", reason: e.cause });
      }
      this.finish(e.cause);
    });
    this.emit("ringing", { from: identity.uri.user, displayName: identity.display_name || "" });
  }

  attachAudio() {
    const pc = this.session && this.session.connection;
    if (!pc || this.audio) return;
    this.audio = new Audio();
    this.audio.autoplay = true;
    pc.addEventListener("track", (event) => {
      this.audio.srcObject = event.streams[0];
    });
    const receivers = pc.getReceivers().filter((r) => r.track && r.track.kind === "audio");
    if (receivers.length) this.audio.srcObject = new MediaStream(receivers.map((r) => r.track));
  }

  finish(cause) {
    if (this.audio) {
      this.audio.srcObject = null;
      this.audio = null;
    }
    this.session = null;
    this.emit("ended", { cause });
  }

  async answer(stream) {
    if (!this.session) return;
    try {
      this.session.answer({
        mediaStream: stream,
        pcConfig: { iceServers: this.config.ice_servers || [] },
      });
    } catch (error) {
      // The caller hung up between the ring and the click: JsSIP refuses to answer.
      this.emit("failed", { code: "call_failed", reason: error.message });
    }
  }

  async hangup() {
    if (this.session) this.session.terminate();
  }

  async setMuted(muted) {
    if (!this.session) return;
    if (muted) this.session.mute({ audio: true });
    else this.session.unmute({ audio: true });
  }

  async setHeld(held) {
    // JsSIP refuses a re-INVITE while another is still in progress (hold() answers false): a
    // quick hold-then-resume would be lost, so try again for a few seconds until it is sent.
    for (let attempt = 0; attempt < 30 && this.session; attempt += 1) {
      if (this.session.isOnHold().local === held) return;
      if ((held ? this.session.hold() : this.session.unhold()) !== false) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async sendDTMF(tone) {
    // SIP INFO (application/dtmf-relay): Asterisk's PJSIP endpoints accept it with dtmf_mode=auto_info
    // and it survives transcoding, unlike in-band tones.
    if (this.session) this.session.sendDTMF(tone, { transportType: "INFO" });
  }

  /** RTP packets and audio energy received on this call (RTCPeerConnection.getStats). */
  async inboundAudio() {
    const pc = this.session && this.session.connection;
    const totals = { packets: 0, energy: 0 };
    if (!pc) return totals;
    (await pc.getStats()).forEach((report) => {
      if (report.type === "inbound-rtp" && report.kind === "audio") {
        totals.packets += report.packetsReceived || 0;
        totals.energy += report.totalAudioEnergy || 0;
      }
    });
    return totals;
  }

  stop() {
    if (this.ua) this.ua.stop();
  }
}
