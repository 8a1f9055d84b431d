/**
 * The `emulator` adapter of softphone.js (the demo): the ARI emulator's phone for this agent rings
 * in the page and is answered from it. There is no audio; mute, hold and DTMF do nothing here
 * (the desk's hold and transfer buttons act on the call through the service either way).
 *
 * The page talks only to the service, with the agent's session cookie; the service checks the
 * agent and forwards to the emulator (GET .../emulator/events, POST .../emulator/answer|hangup).
 * Emits on itself: registered, registrationFailed {code, url}, ringing {from, displayName},
 * answered, ended {cause}, failed {code, reason}.
 */

const BASE = "/api/v1/agent/softphone/emulator";

/** The page's CSRF token (the readable hotline_csrf cookie): the posts ride the session cookie. */
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)hotline_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class EmulatorAdapter extends EventTarget {
  constructor(config) {
    super();
    this.config = config;
    this.needsMicrophone = false;
    this.query = config.site ? `?site=${encodeURIComponent(config.site)}` : "";
    this.state = null;
    this.source = null;
  }

  emit(name, detail = {}) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  async start() {
    const url = `${BASE}/events${this.query}`;
    this.source = new EventSource(url);
    this.source.addEventListener("phone", (event) => this.apply(JSON.parse(event.data)));
    this.source.addEventListener("error", () => {
      // EventSource reconnects by itself; say so once per outage, not on every retry.
      if (this.state !== "lost") this.emit("registrationFailed", { code: "no_connection", url });
      this.state = "lost";
    });
  }

  apply(phone) {
    const before = this.state;
    this.state = phone.state;
    if (before === null || before === "lost") this.emit("registered");
    if (phone.state === "ringing" && before !== "ringing") {
      this.emit("ringing", { from: phone.caller_number, displayName: phone.caller_name });
    } else if (phone.state === "talking" && before !== "talking") {
      this.emit("answered");
    } else if (phone.state === "idle" && (before === "ringing" || before === "talking")) {
      this.emit("ended", { cause: "idle" });
    }
  }

  async post(action) {
    const response = await fetch(`${BASE}/${action}${this.query}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken() },
    });
    if (!response.ok) {
      let reason = String(response.status);
      try {
        reason = (await response.json()).detail || reason;
      } catch (_) {
        // not JSON: keep the status
      }
      this.emit("failed", { code: "call_failed", reason });
    }
  }

  async answer() {
    await this.post("answer");
  }

  async hangup() {
    await this.post("hangup");
  }

  async setMuted() {}

  async setHeld() {}

  async sendDTMF() {}

  async inboundAudio() {
    return { packets: 0, energy: 0 };
  }

  stop() {
    if (this.source) this.source.close();
  }
}
