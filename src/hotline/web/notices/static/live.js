// Live work-order notices for the signed-in person, on every page of the back office.
// Listens to GET /api/v1/inbox/events (server-sent events; the browser resumes with Last-Event-ID
// by itself after a drop) and shows each new notice at the top of the page, linked to its order.
// Text is set with textContent: a notice's message is data, never markup.
(() => {
  "use strict";
  const box = document.getElementById("live-notices");
  if (!box || !window.EventSource) return;
  const KEEP = 5; // the newest notices stay; older ones leave the strip (they stay in the inbox)
  const source = new EventSource("/api/v1/inbox/events");
  // Marks the strip live once the stream is open (the browser test waits for it).
  source.addEventListener("open", () => { box.dataset.connected = "1"; });
  source.addEventListener("error", () => { delete box.dataset.connected; });
  source.addEventListener("notification", (event) => {
    let item;
    try { item = JSON.parse(event.data); } catch { return; }
    const note = document.createElement("div");
    note.className = "live-notice";
    note.dataset.kind = item.kind || "";
    const text = document.createElement(item.order_id ? "a" : "span");
    if (item.order_id) text.href = "/workorders/" + encodeURIComponent(item.order_id);
    text.textContent = item.message || "";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "link";
    close.textContent = "×";
    close.setAttribute("aria-label", box.dataset.dismiss || "×");
    close.addEventListener("click", () => note.remove());
    note.append(text, close);
    box.prepend(note);
    while (box.children.length > KEEP) box.lastElementChild.remove();
  });
})();
