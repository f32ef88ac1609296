// Dashboard charts: data from the json_script "dashboard-charts", one <canvas class="js-chart">
// per chart (data-chart names the series, data-kind line or bar). No inline scripts (CSP).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  var palette = ["#b3241b", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"];
  var printing = window.matchMedia && window.matchMedia("print").matches;
  document.querySelectorAll("canvas.js-chart").forEach(function (canvas) {
    var chart = charts[canvas.getAttribute("data-chart")];
    if (!chart) { return; }
    var kind = canvas.getAttribute("data-kind") || "bar";
    var datasets = chart.datasets.map(function (ds, i) {
      var colour = palette[i % palette.length];
      return {
        label: ds.label, data: ds.data, borderColor: colour,
        backgroundColor: kind === "line" ? colour : colour + "cc",
        tension: 0.25, pointRadius: 2
      };
    });
    new window.Chart(canvas, {
      type: kind,
      data: { labels: chart.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: !printing,
        plugins: { legend: { display: datasets.length > 1, position: "bottom",
                             labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
})();
