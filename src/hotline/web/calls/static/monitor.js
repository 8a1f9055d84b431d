// The call page's monitor panel: listen, whisper or barge through the API (POST, then PATCH to
// switch mode, DELETE to stop). Plain fetch: three buttons need no framework. Errors show the
// API's own reason (e.g. "the call has ended"), which says what happened.
(() => {
  const panel = document.getElementById("monitor");
  if (!panel) return;
  const base = `/api/v1/calls/${panel.dataset.call}/monitor`;
  const status = document.getElementById("monitor-status");
  const stop = document.getElementById("monitor-stop");
  const endpoint = document.getElementById("monitor-endpoint");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let monitorId = null;

  const say = (text) => { status.textContent = text; };
  const call = async (method, url, body) => {
    const response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.ok) return response.status === 204 ? {} : response.json();
    const problem = await response.json().catch(() => ({}));
    const detail = Array.isArray(problem.detail)
      ? problem.detail.map((d) => d.msg).join("; ")
      : problem.detail || response.statusText;
    throw new Error(detail);
  };

  const choose = async (mode) => {
    try {
      if (monitorId === null) {
        const body = { mode };
        if (endpoint.value.trim()) body.endpoint = endpoint.value.trim();
        monitorId = (await call("POST", base, body)).monitor_id;
      } else {
        await call("PATCH", `${base}/${monitorId}`, { mode });
      }
      panel.dataset.mode = mode;
      stop.disabled = false;
      say(panel.dataset[`msg${mode[0].toUpperCase()}${mode.slice(1)}`]);
    } catch (error) {
      say(`${panel.dataset.msgFailed} ${error.message}`);
    }
  };

  for (const button of panel.querySelectorAll("button[data-mode]")) {
    button.addEventListener("click", () => choose(button.dataset.mode));
  }
  stop.addEventListener("click", async () => {
    if (monitorId === null) return;
    try {
      await call("DELETE", `${base}/${monitorId}`);
      say(panel.dataset.msgOff);
    } catch (error) {
      say(`${panel.dataset.msgFailed} ${error.message}`);
    }
    monitorId = null;
    delete panel.dataset.mode;
    stop.disabled = true;
  });
  window.monitorReady = true;
})();
