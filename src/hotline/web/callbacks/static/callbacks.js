// The callbacks page: reschedule and cancel post to the API (JSON, with the CSRF header), then
// the page reloads with the same filters. A refusal is shown in words next to the row: the
// messages come from the page (data-*), in the page's language, not the API's English detail.
(function () {
  "use strict";

  function csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function say(form, key) {
    const box = form.closest("td").querySelector(".cb-error");
    box.textContent = box.dataset[key] || box.dataset.other;
    const input = form.querySelector("input");
    if (input) input.focus();
  }

  async function post(form, action, body) {
    const response = await fetch("/api/v1/callbacks/" + form.dataset.id + "/" + action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    });
    if (response.ok) {
      window.location.reload();
      return;
    }
    if (response.status === 409) say(form, "conflict");
    else if (response.status === 422) say(form, action === "cancel" ? "reason" : "past");
    else say(form, "other");
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.classList.contains("cb-reschedule")) {
      event.preventDefault();
      const value = form.elements.due_at.value;  // "2026-12-07T15:30" in the centre's time
      if (!value) return say(form, "past");
      post(form, "reschedule", { due_at: value + ":00" + form.dataset.offset });
    } else if (form.classList.contains("cb-cancel")) {
      event.preventDefault();
      const reason = form.elements.reason.value.trim();
      if (!reason) return say(form, "reason");
      post(form, "cancel", { reason: reason });
    }
  });
})();
