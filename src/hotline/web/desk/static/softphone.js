/**
 * The agent desktop's softphone: rings, answers, hangs up, mutes, holds and sends DTMF.
 *
 * It drops into the desk page inside `<div id="softphone">`:
 *
 *   import { startSoftphone } from "/static/desk/softphone.js";
 *   const config = await (await fetch("/api/v1/agent/softphone")).json();
 *   const phone = await startSoftphone({
 *     root: document.getElementById("softphone"),
 *     config,          // GET /api/v1/agent/softphone: {mode: "sip" | "emulator" | "off", ...}
 *     t,               // the page's translate(key, params) -> string: every message is
 *                      //   "softphone.<name>" in the one catalog, src/hotline/web/i18n.py;
 *                      //   `{name}` placeholders in the messages take `params`
 *   });
 *   phone.answer(); phone.hangup(); phone.setMuted(true); phone.setHeld(true);
 *   phone.sendDTMF("1"); await phone.inboundAudio(); phone.stop();
 *
 * The mode is the service's decision (per agent, from its configuration), never guessed here:
 *   sip       JsSIP registers over WSS (ws:// on loopback) to the agent's PJSIP endpoint;
 *   emulator  the demo: the ARI emulator's phone for this agent rings here and is answered here;
 *   off       the agent uses a desk SIP phone; the panel only says so and the desk works as usual.
 *
 * Events dispatched on `document` (CustomEvent, payload in `detail`):
 *   softphone:registered  {}                         calls can now ring here
 *   softphone:ringing     {from, displayName}        an incoming call rings
 *   softphone:answered    {}                         the call is connected
 *   softphone:ended       {cause}                    the call (or its ringing) is over
 *   softphone:error       {code, message}            message is already translated; codes:
 *       wrong_password, registration_failed, no_connection, mic_denied, no_microphone,
 *       mic_busy, call_failed
 *   On the registration codes (wrong_password, registration_failed, no_connection) the desk
 *   should set the agent not ready (PUT /api/v1/agent/session/state, reason "technical") so
 *   that no call is offered to a phone that cannot ring; the service itself also sets an agent
 *   whose endpoint Asterisk cannot reach not ready ("unreachable") at the first failed offer.
 *
 * Element ids (stable for tests): softphone-status, softphone-caller, softphone-error,
 * softphone-answer, softphone-hangup, softphone-mute, softphone-hold, softphone-dtmf-<digit>
 * (softphone-dtmf-star, softphone-dtmf-hash). The root gets data-state (off, connecting,
 * registered, ringing, talking), data-mode (sip, emulator, off) and data-error (the code) for the
 * page's CSS; no styles here.
 */

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** The getUserMedia error names, mapped to what the agent is told. */
export function microphoneErrorCode(error) {
  switch (error && error.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "mic_denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "no_microphone";
    default:
      return "mic_busy";
  }
}

async function loadAdapter(config) {
  // Each adapter is its own module so a page in emulator mode never downloads JsSIP.
  if (config.mode === "sip") {
    const { SipAdapter } = await import("./softphone-sip.js");
    return new SipAdapter(config);
  }
  if (config.mode === "emulator") {
    const { EmulatorAdapter } = await import("./softphone-emulator.js");
    return new EmulatorAdapter(config);
  }
  return null;
}

class Softphone {
  constructor(root, config, t) {
    this.root = root;
    this.config = config;
    this.t = t;
    this.adapter = null;
    this.state = "idle";
    this.muted = false;
    this.held = false;
    this.render();
  }

  el(id) {
    return this.root.querySelector(`#${id}`);
  }

  render() {
    const t = this.t;
    const keypad = KEYS.map(
      (key) => `<button type="button" id="softphone-dtmf-${key === "*" ? "star" : key === "#" ? "hash" : key}" data-key="${key}" disabled>${key}</button>`,
    ).join("");
    this.root.innerHTML = `
      <p id="softphone-status" role="status" aria-live="polite"></p>
      <p id="softphone-caller"></p>
      <p id="softphone-error" role="alert" hidden></p>
      <div class="softphone-controls">
        <button type="button" id="softphone-answer" disabled>${t("softphone.answer")}</button>
        <button type="button" id="softphone-hangup" disabled>${t("softphone.hangup")}</button>
        <button type="button" id="softphone-mute" aria-pressed="false" disabled>${t("softphone.mute")}</button>
        <button type="button" id="softphone-hold" aria-pressed="false" disabled>${t("softphone.hold")}</button>
      </div>
      <div class="softphone-keypad" role="group" aria-label="${t("softphone.keypad")}">${keypad}</div>`;
    this.el("softphone-answer").addEventListener("click", () => this.answer());
    this.el("softphone-hangup").addEventListener("click", () => this.hangup());
    this.el("softphone-mute").addEventListener("click", () => this.setMuted(!this.muted));
    this.el("softphone-hold").addEventListener("click", () => this.setHeld(!this.held));
    for (const button of this.root.querySelectorAll("[data-key]")) {
      button.addEventListener("click", () => this.sendDTMF(button.dataset.key));
    }
  }

  show(state) {
    this.state = state;
    const t = this.t;
    const statusKey = state === "talking" && this.held ? "held" : state;
    this.el("softphone-status").textContent = t(`softphone.${statusKey}`);
    this.root.dataset.state = state;
    const inCall = state === "talking";
    this.el("softphone-answer").disabled = state !== "ringing";
    this.el("softphone-hangup").disabled = !(state === "ringing" || inCall);
    this.el("softphone-mute").disabled = !inCall;
    this.el("softphone-hold").disabled = !inCall;
    for (const button of this.root.querySelectorAll("[data-key]")) button.disabled = !inCall;
    const mute = this.el("softphone-mute");
    mute.textContent = this.muted ? t("softphone.unmute") : t("softphone.mute");
    mute.setAttribute("aria-pressed", String(this.muted));
    const hold = this.el("softphone-hold");
    hold.textContent = this.held ? t("softphone.unhold") : t("softphone.hold");
    hold.setAttribute("aria-pressed", String(this.held));
  }

  emit(name, detail = {}) {
    document.dispatchEvent(new CustomEvent(`softphone:${name}`, { detail }));
  }

  fail(code, params = {}) {
    const message = this.t(`softphone.${code}`, params);
    const box = this.el("softphone-error");
    box.textContent = message;
    box.hidden = false;
    this.root.dataset.error = code;
    this.emit("error", { code, message });
  }

  clearError() {
    const box = this.el("softphone-error");
    box.hidden = true;
    box.textContent = "";
    delete this.root.dataset.error;
  }

  async start() {
    this.root.dataset.mode = this.config.mode || "off";
    if (this.config.mode === "off" || !this.config.mode) {
      this.show("off");
      return;
    }
    this.show("connecting");
    this.adapter = await loadAdapter(this.config);
    const on = (name, handler) => this.adapter.addEventListener(name, (event) => handler(event.detail || {}));
    on("registered", () => {
      this.clearError();
      this.show("registered");
      this.emit("registered");
    });
    on("registrationFailed", ({ code, reason, url }) => {
      this.show("connecting");
      this.fail(code, { reason: reason || "", url: url || this.config.ws_url || "" });
    });
    on("ringing", ({ from, displayName }) => {
      this.el("softphone-caller").textContent = displayName ? `${displayName} <${from}>` : from || "";
      this.show("ringing");
      this.emit("ringing", { from, displayName });
    });
    on("answered", () => {
      this.show("talking");
      this.emit("answered");
    });
    on("ended", ({ cause }) => {
      this.muted = false;
      this.held = false;
      this.el("softphone-caller").textContent = "";
      this.show("registered");
      this.emit("ended", { cause: cause || "" });
    });
    on("failed", ({ code, reason }) => this.fail(code || "call_failed", { reason: reason || "" }));
    await this.adapter.start();
  }

  async answer() {
    if (this.state !== "ringing") return;
    let stream = null;
    if (this.adapter.needsMicrophone) {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      } catch (error) {
        this.fail(microphoneErrorCode(error));
        return;
      }
    }
    this.clearError();
    await this.adapter.answer(stream);
  }

  async hangup() {
    if (this.adapter) await this.adapter.hangup();
  }

  async setMuted(muted) {
    if (this.state !== "talking") return;
    await this.adapter.setMuted(muted);
    this.muted = muted;
    this.show(this.state);
  }

  async setHeld(held) {
    if (this.state !== "talking") return;
    await this.adapter.setHeld(held);
    this.held = held;
    this.show(this.state);
  }

  async sendDTMF(tone) {
    if (this.state !== "talking") return;
    await this.adapter.sendDTMF(tone);
  }

  /** {packets, energy} received on the current call (RTCPeerConnection.getStats in sip mode). */
  async inboundAudio() {
    return this.adapter ? this.adapter.inboundAudio() : { packets: 0, energy: 0 };
  }

  stop() {
    if (this.adapter) this.adapter.stop();
  }
}

/** Render the softphone into `root` and start the adapter the service chose for this agent. */
export async function startSoftphone({ root, config, t }) {
  const phone = new Softphone(root, config, t);
  await phone.start();
  return phone;
}
