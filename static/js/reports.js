// A report's chart: the ECharts option the server computed (a json_script element), drawn in
// #report-chart. The table under it holds the same figures. No inline scripts (CSP).
(function () {
  "use strict";

  function draw() {
    const element = document.getElementById("report-chart");
    const data = document.getElementById("report-chart-data");
    if (!element || !data || element.dataset.drawn || typeof echarts === "undefined") return;
    const option = JSON.parse(data.textContent);
    const chart = echarts.init(element);
    chart.setOption(option);
    element.dataset.drawn = "1";
    window.addEventListener("resize", () => chart.resize());
    window.addEventListener("beforeprint", () => chart.resize());
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:load", draw);
})();
