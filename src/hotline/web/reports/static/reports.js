// Draws each figure embedded in the page as JSON (built on the server by hotline.reports.charts)
// into the element its data-chart attribute names.
(function () {
  "use strict";
  function draw() {
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
