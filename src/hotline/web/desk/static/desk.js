// The agent desktop's behaviour (Alpine.js component `desk`). It talks to the REST API with the
// session cookie and the CSRF header, and listens to the agent's event stream for the screen pop.
// It starts the softphone (softphone.js in <div id="softphone">) in the mode the service chose
// (GET /api/v1/agent/softphone: sip | emulator | off) and answers through it; the softphone's
// own events arrive as softphone:* on `document`. The desk's call events (from the CTI stream)
// are dispatched for add-ons as desk:offer / desk:answered / desk:ended, detail: {call_id}.
"use strict";

(function () {
  const boot = JSON.parse(document.getElementById("desk-boot").textContent);
  window.hotlineDesk = { softphone: boot.softphone, agent: boot.agent };
  // Outside Alpine's reactive state: the softphone object must not be wrapped in a proxy.
  let phone = null;
  // A page going away drops its phone connection: that is no fault of the phone.
  let leaving = false;
  window.addEventListener("pagehide", () => { leaving = true; });
  window.addEventListener("beforeunload", () => { leaving = true; });
  // The softphone's codes that mean calls cannot reach this seat (softphone.js).
  const PHONE_DOWN = ["wrong_password", "registration_failed", "no_connection"];

  function once(name, timeoutMs) {
    return new Promise((resolve) => {
      const done = () => { document.removeEventListener(name, done); resolve(); };
      document.addEventListener(name, done);
      setTimeout(done, timeoutMs);
    });
  }

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)hotline_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : document.querySelector('meta[name="csrf-token"]').content;
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail }));
  }

  function toLogin() {
    const next = location.pathname + location.search;
    location.assign("/login?expired=1&next=" + encodeURIComponent(next));
  }

  window.desk = function () {
    return {
      boot,
      session: null,
      status: "logged_out",
      reason: null,
      since: null,
      wrapUntil: null,
      now: Date.now(),
      site: Object.keys(boot.endpoints)[0] || "",
      notReadyReason: boot.reasons[0] || "break",
      call: null,
      caller: null,
      summaryCallId: null,
      savedSummaryId: null,
      form: emptyForm(),
      transferTo: "",
      transferQueue: "",
      woCategory: "enquiry",
      woReference: "",
      kbQuery: "",
      kbItems: [],
      kbDemo: false,
      today: null,
      notice: "",
      streamLost: false,
      unsummarised: null,
      phoneRinging: false,
      phoneDown: "",

      // The page's one translation function (messages from i18n.py); {name} takes params.name.
      t(key, params) {
        const text = boot.messages[key] || key;
        return params ? text.replace(/\{(\w+)\}/g, (_, n) => String(params[n] ?? "")) : text;
      },

      async start() {
        setInterval(() => {
          this.now = Date.now();
          // Wrap-up over: routing moved on without telling the stream; read where we are.
          if (this.status === "wrap_up" && this.wrapUntil && this.now > this.wrapUntil + 1000) {
            this.wrapUntil = null;
            this.refresh();
          }
        }, 1000);
        await this.refresh();
        this.listen();
        await this.startPhone();
      },

      // ------------------------------------------------------------------ softphone
      async startPhone() {
        const root = document.getElementById("softphone");
        let config;
        // The site chosen for logging in (the first of the agent's sites when the page opens).
        const query = this.site ? "?site=" + encodeURIComponent(this.site) : "";
        try { config = await this.api("GET", "/agent/softphone" + query); } catch (e) { return; }
        document.addEventListener("softphone:ringing", () => { this.phoneRinging = true; });
        document.addEventListener("softphone:answered", () => { this.phoneRinging = false; });
        document.addEventListener("softphone:ended", () => { this.phoneRinging = false; });
        document.addEventListener("softphone:registered", () => { this.phoneDown = ""; });
        document.addEventListener("softphone:error", (e) => this.onPhoneError(e.detail));
        const { startSoftphone } = await import("/static/desk/softphone.js");
        phone = await startSoftphone({ root, config, t: (key, params) => this.t(key, params) });
        window.hotlineDesk.phone = phone;
      },

      // A phone that cannot register cannot ring: keep the agent away from offers and say why.
      async onPhoneError(detail) {
        if (leaving || !PHONE_DOWN.includes(detail.code)) return;
        this.phoneDown = detail.message;
        if (this.session && !(this.status === "not_ready" && this.reason === "technical")) {
          try {
            this.applySession(await this.api("PUT", "/agent/session/state", { state: "not_ready", reason: "technical" }));
          } catch (e) { /* shown by api() */ }
        }
      },

      // ------------------------------------------------------------------ API
      async api(method, path, body) {
        const headers = { "Accept": "application/json" };
        if (method !== "GET") headers["X-CSRF-Token"] = csrf();
        if (body !== undefined) headers["Content-Type"] = "application/json";
        const response = await fetch("/api/v1" + path, {
          method, headers, credentials: "same-origin",
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (response.status === 401) { toLogin(); throw new Error("signed out"); }
        const data = response.status === 204 ? null : await response.json().catch(() => null);
        if (!response.ok) {
          const detail = data && data.detail;
          const text = typeof detail === "string" ? detail
            : Array.isArray(detail) ? detail.map((d) => (d.loc || []).slice(-1)[0] + ": " + d.msg).join("; ")
            : response.statusText;
          if (response.status === 409) {
            this.say(this.t("desk.error.conflict") + " " + text);
            await this.refresh();
          } else {
            this.say(this.t("error.generic") + text);
          }
          const error = new Error(text);
          error.status = response.status;
          throw error;
        }
        return data;
      },

      say(text) {
        this.notice = text;
        clearTimeout(this._noticeTimer);
        this._noticeTimer = setTimeout(() => { this.notice = ""; }, 8000);
      },

      // Everything the page shows, re-read: at start and after the stream reconnects.
      async refresh() {
        const state = await this.api("GET", "/agent/desk");
        this.applySession(state.session);
        this.wrapUntil = state.wrap_up_until ? Date.parse(state.wrap_up_until) : null;
        this.unsummarised = state.unsummarised_call_id;
        if (state.call) {
          const changed = !this.call || this.call.call_id !== state.call.call_id;
          this.call = state.call;
          if (changed) await this.pop(state.call.call_id, null);
          if (state.call.phase === "talk") this.beginSummary(state.call.call_id);
        } else if (this.call && this.call.phase !== "ended") {
          this.call = { ...this.call, phase: "ended" };
        }
        if (!this.summaryCallId && state.unsummarised_call_id) {
          this.summaryCallId = state.unsummarised_call_id;
        }
        this.loadToday();
      },

      async loadToday() {
        try { this.today = await this.api("GET", "/agent/today"); } catch (e) { /* shown */ }
      },

      applySession(s) {
        this.session = s;
        this.status = s ? s.status : "logged_out";
        this.reason = s ? s.reason : null;
        this.since = s ? Date.parse(s.since) : null;
      },

      // ------------------------------------------------------------------ stream
      listen() {
        const source = new EventSource("/api/v1/agent/events");
        this._source = source;
        source.addEventListener("open", () => {
          if (this.streamLost) { this.streamLost = false; this.refresh(); }
        });
        source.addEventListener("error", () => {
          this.streamLost = true;
          // A stream refused for a lost session closes for good: check the session.
          if (source.readyState === EventSource.CLOSED) {
            this.api("GET", "/agent/desk").then(() => setTimeout(() => this.listen(), 2000));
          }
        });
        source.addEventListener("offer", (e) => this.onOffer(JSON.parse(e.data)));
        source.addEventListener("answered", (e) => this.onAnswered(JSON.parse(e.data)));
        source.addEventListener("ended", (e) => this.onEnded(JSON.parse(e.data)));
        source.addEventListener("state", (e) => this.onState(JSON.parse(e.data)));
      },

      onOffer(m) {
        this.call = { call_id: m.call_id, phase: "ringing", on_hold: false, offered: true };
        this.pop(m.call_id, m);
        emit("desk:offer", { call_id: m.call_id });
      },

      onAnswered(m) {
        this.call = { call_id: m.call_id, phase: "talk", on_hold: false, offered: false };
        this.beginSummary(m.call_id);
        emit("desk:answered", { call_id: m.call_id });
      },

      onEnded(m) {
        if (this.call && this.call.call_id === m.call_id) {
          const answered = this.call.phase === "talk";
          this.call = { ...this.call, phase: "ended", offered: false };
          if (!answered && this.summaryCallId !== m.call_id) this.caller = null;
        }
        emit("desk:ended", { call_id: m.call_id });
        this.refresh();
      },

      onState(m) {
        if (m.status === "logged_out") { this.applySession(null); return; }
        this.status = m.status;
        this.reason = m.reason || null;
        this.since = Date.now();
        if (this.session) this.session = { ...this.session, status: m.status, reason: m.reason };
        if (m.status === "wrap_up" || m.status === "idle") this.refresh();
      },

      // The screen pop: what the offer carried at once, then the full panel from the API.
      async pop(callId, offer) {
        if (offer) {
          this.caller = {
            call_id: callId,
            caller_number: offer.caller_number,
            region: offer.region,
            language: offer.ivr_choices && offer.ivr_choices.language,
            business_line: offer.ivr_choices && offer.ivr_choices.line,
            previous_calls: [], open_work_orders: [], taxpayer: {},
          };
        }
        try {
          const panel = await this.api("GET", "/calls/" + callId + "/caller");
          if (this.call && this.call.call_id === callId) this.caller = panel;
        } catch (e) { /* the message is shown */ }
      },

      beginSummary(callId) {
        if (this.summaryCallId === callId) return;
        this.summaryCallId = callId;
        this.savedSummaryId = null;
        this.woReference = "";
        this.form = emptyForm();
        if (this.caller && this.caller.taxpayer) {
          this.form.taxpayer_name = this.caller.taxpayer.name || "";
          this.form.taxpayer_id = this.caller.taxpayer.taxpayer_id || "";
        }
      },

      // ------------------------------------------------------------------ state bar
      async login() {
        const s = await this.api("POST", "/agent/session", { site: this.site, endpoint: boot.endpoints[this.site] });
        this.applySession(s);
      },
      async logoutPhone() {
        await this.api("DELETE", "/agent/session");
        this.applySession(null);
      },
      canReady() {
        return this.session && this.status !== "idle" && this.status !== "on_call" && this.status !== "reserved";
      },
      async ready() {
        if (this.phoneDown) { this.say(this.t("desk.phone_down")); return; }
        if (this.status === "wrap_up" && this.boot.summaryRequired && this.needsSummary()) {
          this.say(this.t("summary.required"));
          document.getElementById("summary-question").focus();
          return;
        }
        this.applySession(await this.api("PUT", "/agent/session/state", { state: "ready" }));
      },
      async notReady() {
        this.applySession(await this.api("PUT", "/agent/session/state", { state: "not_ready", reason: this.notReadyReason }));
      },
      async extendWrap() {
        // After-call work: the agent stays away from calls after wrap-up until they say ready.
        this.applySession(await this.api("PUT", "/agent/session/state", { state: "not_ready", reason: "after_call_work" }));
        this.status = "wrap_up";
      },
      needsSummary() { return this.summaryCallId && !this.savedSummaryId; },
      inState() { return this.since ? (this.now - this.since) / 1000 : 0; },
      wrapLeft() { return this.wrapUntil ? Math.max(0, (this.wrapUntil - this.now) / 1000) : 0; },

      // ------------------------------------------------------------------ call controls
      phaseText() {
        if (!this.call) return this.t("caller.none");
        if (this.call.phase === "ringing") return this.t("call.ringing");
        if (this.call.phase === "talk") return this.call.on_hold ? this.t("call.on_hold") : this.t("call.talk");
        if (this.call.phase === "ended") return this.t("call.ended");
        return this.call.phase;
      },
      // The CTI's offer or the softphone's ringing (either may arrive first) enables Answer.
      canAnswer() { return Boolean((this.call && this.call.phase === "ringing") || this.phoneRinging); },
      inTalk() { return this.call && this.call.phase === "talk"; },
      async answer() {
        if (!this.canAnswer()) return;
        if (!phone || phone.config.mode === "off") { this.say(this.t("desk.answer_on_phone")); return; }
        // The offer can reach the page just before the phone's own ringing does.
        if (phone.state !== "ringing") await once("softphone:ringing", 5000);
        await phone.answer();
      },
      async toggleHold() {
        if (!this.inTalk()) return;
        const action = this.call.on_hold ? "unhold" : "hold";
        await this.api("POST", "/calls/" + this.call.call_id + "/" + action);
        this.call = { ...this.call, on_hold: action === "hold" };
      },
      async transfer() {
        if (!this.inTalk() || !(this.transferTo || this.transferQueue)) return;
        // A queue chosen wins over an agent number: the caller waits for that queue's agents.
        const target = this.transferQueue ? { skill: this.transferQueue } : { agent_id: Number(this.transferTo) };
        await this.api("POST", "/calls/" + this.call.call_id + "/transfer", target);
        this.form.result = "transferred";
        this.say(this.t("call.transfer") + " → " + (this.transferQueue || this.transferTo));
        this.transferQueue = "";
      },
      async hangup() {
        if (!this.inTalk()) return;
        await this.api("POST", "/calls/" + this.call.call_id + "/hangup");
      },

      // ------------------------------------------------------------------ summary, work order
      topicName(code) {
        for (const area of boot.topics) {
          const found = area.children.find((c) => c.code === code);
          if (found) return found.name;
        }
        return code;
      },
      subjects() {
        const area = boot.topics.find((a) => a.code === this.form.area);
        return area ? area.children : [];
      },
      async saveSummary() {
        if (!this.summaryCallId) return;
        const f = this.form;
        const saved = await this.api("PUT", "/calls/" + this.summaryCallId + "/summary", {
          topic_code: f.topic_code, question: f.question, answer: f.answer,
          kb_articles: f.kb_articles, result: f.result,
          taxpayer: { name: f.taxpayer_name || null, taxpayer_id: f.taxpayer_id || null },
        });
        this.savedSummaryId = saved.id;
        this.say(this.t("summary.saved"));
      },
      async raiseWorkOrder() {
        if (!this.savedSummaryId) return;
        const f = this.form;
        const topic = this.subjects().find((c) => c.code === f.topic_code);
        const c = this.caller || {};
        const order = await this.api("POST", "/workorders", {
          category: this.woCategory,
          subject: ((topic ? topic.name + "：" : "") + f.question).slice(0, 500),
          description: [f.question, f.answer, c.region, c.business_line, c.language].filter(Boolean).join("\n"),
          taxpayer: { name: f.taxpayer_name, phone: c.caller_number || "", taxpayer_number: f.taxpayer_id },
          call_id: this.summaryCallId,
          call_summary_id: String(this.savedSummaryId),
        });
        this.woReference = order.reference;
        if (f.result !== "work_order") { f.result = "work_order"; await this.saveSummary(); }
      },

      // ------------------------------------------------------------------ knowledge base
      async searchKb() {
        const q = this.kbQuery.trim();
        if (!q) { this.kbItems = []; return; }
        const response = await fetch("/api/v1/kb/search?q=" + encodeURIComponent(q), { credentials: "same-origin" });
        if (response.status === 401) { toLogin(); return; }
        this.kbDemo = response.headers.get("X-Hotline-Placeholder") === "kb-demo";
        this.kbItems = response.ok ? await response.json() : [];
      },
      useArticle(item) {
        this.form.answer = item.answer;
        if (!this.form.kb_articles.some((a) => a.id === item.id)) {
          this.form.kb_articles.push({ id: item.id, title: item.title, version: item.version });
        }
        const code = (item.topic_codes || [])[0];
        if (code && !this.form.topic_code) {
          this.form.area = code.split(".")[0];
          this.$nextTick(() => { this.form.topic_code = code; });
        }
      },

      // ------------------------------------------------------------------ keyboard, formatting
      keys(e) {
        if (!e.altKey) return;
        const map = { a: () => this.answer(), h: () => this.toggleHold(), x: () => this.hangup(),
          r: () => this.ready(), s: () => this.saveSummary(),
          t: () => document.getElementById("transfer-to").focus(),
          k: () => document.getElementById("kb-q").focus() };
        const action = map[e.key.toLowerCase()];
        if (action) { e.preventDefault(); action(); }
      },
      clock(seconds) {
        const s = Math.max(0, Math.floor(seconds || 0));  // "now" ticks once a second
        const mm = String(Math.floor(s / 60)).padStart(2, "0");
        return mm + ":" + String(s % 60).padStart(2, "0");
      },
      when(iso) {
        return new Date(iso).toLocaleString(boot.lang, { timeZone: "Asia/Shanghai", dateStyle: "short", timeStyle: "short" });
      },
    };
  };

  function emptyForm() {
    return { area: "", topic_code: "", question: "", answer: "", kb_articles: [],
      result: "answered", taxpayer_name: "", taxpayer_id: "" };
  }
})();
