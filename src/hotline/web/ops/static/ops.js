// The ops pages: draw each chart embedded as plotly JSON, and let htmx show the form again with
// its problems when the server answers 422 or 409 (htmx leaves error answers out by default).
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A scenario file chosen on the computer is read into the box (it is sent from there, so what
  // runs is exactly what the person sees and may still edit).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.id !== "ops-file" || !input.files || !input.files[0]) { return; }
    input.files[0].text().then(function (text) {
      document.getElementById("ops-source").value = text;
    });
  });
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (el) {
      var figure = JSON.parse(el.textContent);
      window.Plotly.newPlot(el.dataset.chart, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        locale: document.documentElement.lang === "en" ? "en" : "zh-CN",
      }).then(function (div) { div.setAttribute("data-drawn", "1"); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
