// The supervisors' floor and the hall display (Alpine.js component `floor`).
// The page opens with a snapshot (tiles, roster, the stream position it was read at) and follows
// the wallboard stream from that position: missed events are replayed by the server, or it says
// `reset` and the page reloads its snapshot (GET /floor/snapshot). Clocks tick here, once a
// second, from the `since` times the server sends; alerts are worked out from the thresholds the
// service's settings give (docs/floor.md). Actions go to the REST API with the CSRF header.
"use strict";

(function () {
  const boot = JSON.parse(document.getElementById("floor-boot").textContent);
  const STATES = ["idle", "reserved", "on_call", "wrap_up", "not_ready"];
  const ALERT_AFTER = {  // time in state that raises an agent alert (0: never)
    reserved: boot.thresholds.ringing_alert_s, on_call: boot.thresholds.on_call_alert_s,
    wrap_up: boot.thresholds.wrap_up_alert_s, not_ready: boot.thresholds.not_ready_alert_s,
  };

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)hotline_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function key(line, language) { return line + "." + language; }

  // The roster lives outside Alpine's reactive state and is drawn by plain DOM code: with
  // 2,000 agents, a reactive list re-rendered every second (the ticking clocks) took seconds per
  // tick in Chromium; this way a tick rewrites the time cells only, and a change redraws the
  // table at most once per animation frame.
  const roster = new Map();  // agent id -> roster row (the API's RosterAgentRead)
  const ALERTS_SHOWN = 40;   // the list shows the first ones (queues first), then "and n more"
  // Rows drawn at most: a table of 2,000 rows costs the browser a second of layout each time
  // its clocks tick; the filter and the sort bring any agent into the first rows.
  const ROWS_SHOWN = 200;

  window.floor = function () {
    return {
      boot,
      running: true,
      offReason: "",    // why there is no live data: not_running (here) or no_leader (cluster)
      tiles: {},        // "line.language" -> tile (+ `at`: when longest_wait_s was true)
      agentCount: 0,
      shownCount: 0,
      drawnCount: 0,
      counts: {},       // status -> agents in it (the hall)
      moreAlerts: 0,
      position: "",     // the last stream position applied ("epoch.seq")
      live: false,
      now: Date.now(),
      updated: Date.now(),
      sortKey: "code",
      sortAsc: true,
      filter: "",
      stateFilter: "",
      alerts: [],
      announcement: "",
      seenAlerts: new Set(),
      notice: "",
      noticeBad: false,
      confirming: null,
      forceReason: boot.reasons.includes("forced") ? "forced" : boot.reasons[0],
      monitor: null,
      monitors: [],     // every running monitor (the database's: they outlive a restart)
      phone: boot.phone || "",
      retryMs: 1000,
      _buffer: [],
      _retryTimer: null,

      t(id, params) {
        const text = boot.messages[id] || id;
        return params ? text.replace(/\{(\w+)\}/g, (_, n) => String(params[n] ?? "")) : text;
      },

      start() {
        this.apply(boot.snapshot);
        setInterval(() => { this.now = Date.now(); this.tick(); }, 1000);
        this.tick();
        this.connect();
      },

      // ------------------------------------------------------------------ the picture
      apply(snapshot) {
        const at = Date.now();
        this.running = snapshot.running;
        this.offReason = snapshot.reason || "";
        // No instance leads just now (a takeover): ask again until one answers.
        if (!snapshot.running && this.offReason === "no_leader" && !this._retryTimer) {
          this._retryTimer = setTimeout(() => { this._retryTimer = null; this.reload(); }, 3000);
        }
        this.tiles = {};
        for (const tile of snapshot.tiles) this.tiles[key(tile.line, tile.language)] = { ...tile, at };
        roster.clear();
        for (const a of snapshot.agents) roster.set(a.agent_id, a);
        this.rosterChanged();
        this.position = snapshot.position;
        this.updated = at;
        if (snapshot.monitors) this.showMonitors(snapshot.monitors);
      },

      // The running monitors; mine (the first) is the one the Stop button ends.
      showMonitors(list) {
        this.monitors = list;
        const mine = list.find((m) => m.supervisor_user_id === boot.userId);
        this.monitor = mine ? { id: mine.monitor_id, call: Number(mine.call_id), mode: mine.mode } : null;
      },

      async refreshMonitors() {
        const list = await this.api("GET", "/monitoring/monitors");
        if (list) this.showMonitors(list);
      },

      async savePhone() {
        const saved = await this.api("PUT", "/monitoring/phone", { endpoint: this.phone });
        if (saved) this.say(this.t("floor.phone.saved", { phone: saved.endpoint }), false);
      },

      async reload() {
        if (this._reloading) return;
        this._reloading = true;
        try {
          const response = await fetch("/floor/snapshot", { credentials: "same-origin",
                                                            headers: { Accept: "application/json" } });
          if (response.redirected || response.status === 401) { this.toLogin(); return; }
          if (response.ok) {
            // Events that came while the snapshot was on its way and are newer than it still
            // count: the snapshot names the position it was read at.
            const snapshot = await response.json();
            const after = Number(String(snapshot.position).split(".")[1] || 0);
            const newer = this._buffer.filter((m) => (m.data.seq || 0) > after);
            this.apply(snapshot);
            this._reloading = false;
            for (const m of newer) this.onMessage(m.kind, m.data, m.id);
            this.tick();
          }
        } catch (e) { /* the stream's reconnection tries again */ } finally {
          this._reloading = false;
          this._buffer = [];
        }
      },

      tile(line, language) {
        const k = key(line, language);
        if (!this.tiles[k]) {
          this.tiles[k] = { line, language, waiting: 0, longest_wait_s: 0, agents: {}, offered: 0,
                            answered: 0, answered_within_sl: 0, abandoned: 0, callbacks_requested: 0,
                            service_level: null, at: Date.now() };
        }
        return this.tiles[k];
      },

      onMessage(kind, data, id) {
        if (this._reloading) this._buffer.push({ kind, data, id });
        if (id) this.position = id;
        this.updated = Date.now();
        if (kind === "reset" || kind === "overflow") { this.reload(); return; }
        if (kind === "queues") {
          const seen = new Set();
          for (const q of data.queues) {
            const tile = this.tile(q.line, q.language);
            Object.assign(tile, { waiting: q.waiting, longest_wait_s: q.longest_wait_s, agents: q.agents,
                                  at: Date.now() });
            seen.add(key(q.line, q.language));
          }
          for (const [k, tile] of Object.entries(this.tiles)) {
            if (!seen.has(k)) Object.assign(tile, { waiting: 0, longest_wait_s: 0, agents: {} });
          }
        } else if (kind === "today") {
          const { type, seq, ...counters } = data;
          Object.assign(this.tile(data.line, data.language), counters);
        } else if (kind === "state" && data.agent_id !== undefined) {
          this.onAgent(data);
        } else if (kind === "call" && data.phase === "ended"
                   && this.monitors.some((m) => Number(m.call_id) === data.call_id)) {
          if (this.monitor && data.call_id === this.monitor.call) {
            this.say(this.t("floor.monitor.ended", { call: data.call_id }), false);
            this.monitor = null;
          }
          // The service closes the monitor's row as the call ends; read the list a moment after.
          setTimeout(() => this.refreshMonitors(), 1000);
        } else if (kind === "call" && data.phase === "ringing" && data.agent_id) {
          const a = roster.get(data.agent_id);
          if (a) {
            Object.assign(a, { status: "reserved", reason: null, call_id: data.call_id,
                               since: data.since || new Date().toISOString() });
            this.rosterChanged(a);
          }
        }
      },

      onAgent(data) {
        if (data.status === "logged_out") { roster.delete(data.agent_id); this.rosterChanged(); return; }
        const a = roster.get(data.agent_id);
        if (!a) { this.reloadSoon(); return; }  // a new login: its name and skills come with the snapshot
        const inCall = data.status === "on_call" || data.status === "wrap_up";
        Object.assign(a, {
          status: data.status,
          reason: data.reason ?? null,
          pending_reason: data.pending_reason ?? (inCall ? a.pending_reason : null),
          since: data.since || new Date().toISOString(),
          call_id: inCall ? (data.call_id ?? a.call_id) : null,
          wrap_up_until: null,
        });
        if (data.status === "wrap_up") this.reloadSoon();  // routing's wrap-up end comes from the snapshot
        this.rosterChanged(a);
      },

      // At most one snapshot per second and a half, however many logins a shift start brings.
      reloadSoon() {
        if (this._soon) return;
        this._soon = setTimeout(() => { this._soon = null; this.reload(); }, 1500);
      },

      // ------------------------------------------------------------------ the stream
      connect() {
        const url = "/api/v1/wallboard/events?last_event_id=" + encodeURIComponent(this.position);
        const source = new EventSource(url);
        this._source = source;
        source.addEventListener("open", () => { this.live = true; this.retryMs = 1000; });
        for (const kind of ["queues", "today", "state", "call", "callback", "reset", "overflow"]) {
          source.addEventListener(kind, (event) => {
            this.onMessage(kind, JSON.parse(event.data), event.lastEventId);
          });
        }
        source.addEventListener("error", () => {
          this.live = false;
          // The browser retries by itself (sending Last-Event-ID) unless the stream was refused
          // (signed out, the service restarting): then a new stream from our last position.
          if (source.readyState === EventSource.CLOSED) {
            setTimeout(() => this.reconnect(), this.retryMs);
            this.retryMs = Math.min(this.retryMs * 2, 30000);
          }
        });
      },

      // A new stream after a refusal: first a fresh snapshot (which also finds a lost session
      // and sends the TV to the sign-in page), then the stream from the snapshot's position.
      async reconnect() {
        await this.reload();
        this.connect();
      },

      toLogin() {
        location.assign("/login?expired=1&next=" + encodeURIComponent(location.pathname));
      },

      // ------------------------------------------------------------------ clocks and alerts
      inState(a) { return Math.max(0, (this.now - Date.parse(a.since)) / 1000); },

      longestWait(tile) {
        if (!tile.waiting) return 0;
        return tile.longest_wait_s + Math.max(0, (this.now - tile.at) / 1000);
      },

      clock(seconds) {
        const s = Math.floor(seconds);
        const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
        const two = (n) => String(n).padStart(2, "0");
        return (h ? h + ":" + two(m) : m) + ":" + two(r);
      },

      time(ms) {
        return new Date(ms).toLocaleTimeString(boot.lang, { hour12: false });
      },

      percent(value) { return value === null || value === undefined ? "–" : Math.round(value * 100) + "%"; },

      queueName(tile) { return this.t("line." + tile.line) + " · " + this.t("language." + tile.language); },

      slClass(tile) {
        if (tile.service_level === null || tile.service_level === undefined) return "";
        return tile.service_level >= boot.thresholds.service_level_target ? "good" : "bad";
      },

      tileList() {
        return Object.entries(this.tiles).sort(([a], [b]) => a.localeCompare(b))
          .map(([k, tile]) => ({ key: k, ...tile }));
      },

      tileAlerts(tile) {
        const th = boot.thresholds, name = this.queueName(tile), out = [];
        const k = key(tile.line, tile.language);
        if (th.waiting_alert && tile.waiting >= th.waiting_alert) {
          out.push({ key: k + ":waiting", kind: "tile",
                     text: this.t("floor.alert.waiting", { queue: name, n: tile.waiting, limit: th.waiting_alert }) });
        }
        const longest = this.longestWait(tile);
        if (th.longest_wait_alert_s && longest >= th.longest_wait_alert_s) {
          out.push({ key: k + ":longest", kind: "tile",
                     text: this.t("floor.alert.longest", { queue: name, time: this.clock(longest),
                                                           limit: this.clock(th.longest_wait_alert_s) }) });
        }
        if (tile.service_level !== null && tile.service_level !== undefined
            && tile.offered >= th.service_level_min_offered && tile.service_level < th.service_level_target) {
          out.push({ key: k + ":sl", kind: "tile",
                     text: this.t("floor.alert.sl", { queue: name, sl: this.percent(tile.service_level),
                                                      target: this.percent(th.service_level_target) }) });
        }
        if (th.abandoned_alert && tile.abandoned >= th.abandoned_alert) {
          out.push({ key: k + ":abandoned", kind: "tile",
                     text: this.t("floor.alert.abandoned", { queue: name, n: tile.abandoned, limit: th.abandoned_alert }) });
        }
        return out;
      },

      agentAlert(a) {
        const limit = ALERT_AFTER[a.status];
        if (!limit) return null;
        const spent = this.inState(a);
        if (spent < limit) return null;
        return { key: "agent:" + a.agent_id + ":" + a.status, kind: "agent",
                 text: this.t("floor.alert.agent", { agent: a.code + " " + a.name, state: this.stateText(a),
                                                     time: this.clock(spent), limit: this.clock(limit) }) };
      },

      // Once a second: the alert list, and a spoken announcement of each alert that is new.
      tick() {
        const alerts = [];
        for (const tile of Object.values(this.tiles)) alerts.push(...this.tileAlerts(tile));
        const agentAlerts = [];
        for (const a of roster.values()) {
          const x = this.agentAlert(a);
          if (x) { x.spent = this.inState(a); agentAlerts.push(x); }
          // Wrap-up that routing ended by itself: the stream does not say so, the snapshot does.
          if (a.status === "wrap_up" && a.wrap_up_until && this.now > Date.parse(a.wrap_up_until) + 1000) {
            a.wrap_up_until = null;
            this.reloadSoon();
          }
        }
        agentAlerts.sort((x, y) => y.spent - x.spent);  // the longest first
        alerts.push(...agentAlerts);
        const fresh = alerts.filter((x) => !this.seenAlerts.has(x.key));
        this.seenAlerts = new Set(alerts.map((x) => x.key));
        if (fresh.length) this.announcement = fresh.slice(0, 5).map((x) => x.text).join("; ");
        this.alerts = alerts.slice(0, ALERTS_SHOWN);
        this.moreAlerts = alerts.length - this.alerts.length;
        this.drawClocks();
      },

      countIn(status) { return this.counts[status] || 0; },

      // ------------------------------------------------------------------ roster
      stateText(a) {
        const text = this.t("state." + a.status);
        if (a.status === "not_ready" && a.reason) return text + " · " + this.t("reason." + a.reason);
        if (a.pending_reason) return text + " · " + this.t("floor.pending", { reason: this.t("reason." + a.pending_reason) });
        return text;
      },

      skillText(a) {
        return a.skills.map((s) => this.t("line." + s.line) + "·" + this.t("language." + s.language)
                                  + (s.level > 1 ? " (" + s.level + ")" : "")).join(", ");
      },

      sortBy(k) {
        if (this.sortKey === k) this.sortAsc = !this.sortAsc; else { this.sortKey = k; this.sortAsc = true; }
        this.rosterChanged();
      },

      rosterList() {
        const q = this.filter.trim().toLowerCase();
        const rows = [...roster.values()].filter((a) =>
          (!this.stateFilter || a.status === this.stateFilter)
          && (!q || (a.code + " " + a.name + " " + this.skillText(a)).toLowerCase().includes(q)));
        const value = (a) => {
          switch (this.sortKey) {
            case "status": return STATES.indexOf(a.status);
            case "since": return Date.parse(a.since);
            case "call_id": return a.call_id || 0;
            case "skills": return this.skillText(a);
            case "site": return a.site || "";
            default: return a.code;
          }
        };
        const dir = this.sortAsc ? 1 : -1;
        return rows.sort((x, y) => {
          const a = value(x), b = value(y);
          const c = typeof a === "number" ? a - b : String(a).localeCompare(String(b));
          return c !== 0 ? c * dir : x.agent_id - y.agent_id;
        });
      },

      // Something in the roster, its filter or its order changed: redraw on the next frame.
      // ``agent``: only that agent's row changed; when the order and the filter cannot move it
      // (sorted by code, skills or site, no state filter), that row alone is redrawn, or
      // nothing when it is not among the rows drawn.
      rosterChanged(agent) {
        this.agentCount = roster.size;
        const counts = {};
        for (const a of roster.values()) counts[a.status] = (counts[a.status] || 0) + 1;
        this.counts = counts;
        const stays = agent && !this._frame && !this.stateFilter
          && ["code", "skills", "site"].includes(this.sortKey);
        const row = stays && document.getElementById("agent-" + agent.agent_id);
        if (stays && !row) return;  // not among the rows drawn, and no change can bring it there
        if (row) {
          const drawn = this.rowOf(agent);
          row.replaceWith(drawn);
          drawn.children[2].textContent = this.clock(this.inState(agent));
          drawn.classList.toggle("alert", Boolean(this.agentAlert(agent)));
          return;
        }
        if (this._frame) return;
        this._frame = requestAnimationFrame(() => { this._frame = null; this.drawRoster(); });
      },

      drawRoster() {
        const body = document.getElementById("roster-body");
        if (!body) return;  // the hall has no table
        const rows = this.rosterList();
        this.shownCount = rows.length;
        this.drawnCount = Math.min(rows.length, ROWS_SHOWN);
        const made = document.createDocumentFragment();
        for (const a of rows.slice(0, ROWS_SHOWN)) made.appendChild(this.rowOf(a));
        body.replaceChildren(made);
        this.drawClocks();
      },

      rowOf(a) {
        const tr = document.createElement("tr");
        tr.id = "agent-" + a.agent_id;
        tr.dataset.agent = a.agent_id;
        const cell = (cls) => { const td = document.createElement("td"); if (cls) td.className = cls; tr.appendChild(td); return td; };
        const who = cell();
        const code = document.createElement("b");
        code.textContent = a.code;
        who.append(code, " " + a.name);
        const pill = document.createElement("span");
        pill.className = "pill state " + a.status;
        pill.textContent = this.stateText(a);
        cell().appendChild(pill);
        cell("num time");
        const call = cell();
        if (a.call_id) {
          const link = document.createElement("a");
          link.href = "/calls/" + a.call_id;
          link.textContent = "#" + a.call_id;
          link.title = this.t("floor.act.open_call", { call: a.call_id });
          call.appendChild(link);
        }
        cell("skills").textContent = this.skillText(a);
        cell().textContent = a.site || "";
        if (boot.canAct) {
          const acts = cell("actions");
          const button = (action, label, disabled, title) => {
            const b = document.createElement("button");
            b.type = "button";
            b.className = "act-" + action;
            b.dataset.action = action;
            b.textContent = label;
            b.disabled = disabled;
            if (title) b.title = title;
            acts.appendChild(b);
          };
          button("ready", this.t("floor.act.ready"), a.status === "idle");
          button("not-ready", this.t("floor.act.not_ready"), false);
          const talking = Boolean(a.call_id) && a.status === "on_call";
          for (const mode of ["listen", "whisper", "barge"]) {
            button(mode, this.t("floor.act." + mode), !talking, talking ? "" : this.t("floor.act.no_call"));
          }
        }
        return tr;
      },

      // Once a second and after a redraw: the time-in-state cells and the rows' alert tint.
      drawClocks() {
        const body = document.getElementById("roster-body");
        if (!body) return;
        for (const tr of body.children) {
          const a = roster.get(Number(tr.dataset.agent));
          if (!a) continue;
          tr.children[2].textContent = this.clock(this.inState(a));
          tr.classList.toggle("alert", Boolean(this.agentAlert(a)));
        }
      },

      // The table's buttons, by delegation (rows are redrawn, handlers stay).
      rosterClick(event) {
        const button = event.target.closest("button[data-action]");
        if (!button) return;
        const a = roster.get(Number(button.closest("tr").dataset.agent));
        if (!a) return;
        const action = button.dataset.action;
        if (action === "ready") this.askState(a, "ready");
        else if (action === "not-ready") this.askState(a, "not_ready");
        else this.askMonitor(a, action);
      },

      keys(event) {
        if (event.key === "/" && !["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName)) {
          event.preventDefault();
          document.getElementById("roster-filter").focus();
        }
      },

      // ------------------------------------------------------------------ actions
      confirmText(c) {
        const agent = c.agent.code + " " + c.agent.name;
        if (c.kind === "not_ready") return this.t("floor.confirm.not_ready", { agent, reason: this.t("reason." + this.forceReason) });
        if (c.kind === "ready") return this.t("floor.confirm.ready", { agent });
        return this.t("floor.confirm." + c.kind, { agent, call: c.agent.call_id });
      },

      ask(c) {
        c.text = this.confirmText(c);
        this.confirming = c;
        this._opener = document.activeElement;
        const dialog = document.getElementById("confirm");
        dialog.showModal();
        document.getElementById("confirm-ok").focus();
      },

      askState(a, kind) { this.ask({ kind, agent: a }); },
      askMonitor(a, mode) { this.ask({ kind: mode, agent: a, call: a.call_id }); },

      async confirmed() {
        const c = this.confirming;
        document.getElementById("confirm").close();
        if (this._opener) this._opener.focus();
        if (!c) return;
        const agent = c.agent.code + " " + c.agent.name;
        if (c.kind === "ready" || c.kind === "not_ready") {
          const body = c.kind === "ready" ? { state: "ready" } : { state: "not_ready", reason: this.forceReason };
          const view = await this.api("PUT", "/agents/" + c.agent.agent_id + "/state", body);
          if (view) {
            // The pending reason, if any, comes with the stream's state event.
            Object.assign(c.agent, { status: view.status, reason: view.reason, since: view.since });
            this.rosterChanged(Alpine.raw(c.agent));
            // Routing keeps a not-ready asked during a call until the call and wrap-up end.
            const later = c.kind === "not_ready" && view.status !== "not_ready";
            this.say(this.t(later ? "floor.done.later" : "floor.done.state", { agent }), false);
          }
        } else {
          const body = { mode: c.kind };
          if (this.phone) body.endpoint = this.phone;
          const made = await this.api("POST", "/calls/" + c.call + "/monitor", body);
          if (made) {
            this.monitor = { id: made.monitor_id, call: c.call, mode: c.kind };
            this.phone = made.supervisor_endpoint;
            this.say(this.t("floor.monitoring", { mode: this.t("floor.act." + c.kind), call: c.call }), false);
            this.refreshMonitors();
          }
        }
      },

      async stopMonitor() {
        const m = this.monitor;
        if (!m) return;
        const done = await this.api("DELETE", "/calls/" + m.call + "/monitor/" + m.id);
        if (done !== undefined) {
          this.monitor = null;
          this.say(this.t("floor.monitor.stopped", { mode: this.t("floor.act." + m.mode), call: m.call }), false);
        }
        this.refreshMonitors();
      },

      // The API's answer, or undefined after saying in words what went wrong.
      async api(method, path, body) {
        let response;
        try {
          response = await fetch("/api/v1" + path, {
            method, credentials: "same-origin",
            headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf() },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
        } catch (e) {
          this.say(this.t("floor.error.network"), true);
          return undefined;
        }
        if (response.status === 401) { this.toLogin(); return undefined; }
        const data = response.status === 204 ? null : await response.json().catch(() => null);
        if (response.ok) return data;
        const detail = data && data.detail;
        const text = typeof detail === "string" ? detail
          : Array.isArray(detail) ? detail.map((d) => (d.loc || []).slice(-1)[0] + ": " + d.msg).join("; ")
          : response.statusText;
        if (response.status === 404 || response.status === 405) {
          this.say(this.t("floor.error.missing", { detail: text }), true);
        } else if (response.status === 409) {
          this.say(this.t("floor.error.conflict") + text, true);
          this.reload();
        } else {
          this.say(this.t("floor.error") + text, true);
        }
        return undefined;
      },

      say(text, bad) {
        this.notice = text;
        this.noticeBad = bad;
        clearTimeout(this._noticeTimer);
        this._noticeTimer = setTimeout(() => { this.notice = ""; }, 10000);
      },
    };
  };
})();
