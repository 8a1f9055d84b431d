// The configuration page: let htmx swap the 4xx fragments in (the problems listed by path, the
// 409 of a stale base) and move the focus to them, so a keyboard user hears what to fix.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 400 && status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
document.addEventListener("htmx:afterSwap", (event) => {
  const alert = event.detail.target.querySelector("[role=alert]");
  if (alert) alert.focus();
});
