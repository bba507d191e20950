// The workbench dashboard's trend charts: one small line per figure over the last 12 months.
// The figures come from the JSON the server wrote (json_script "dashboard-charts"); the
// table under the figures stays the accessible source. No inline scripts (CSP).
(function () {
  "use strict";

  function draw(root) {
    const data = root.querySelector("#dashboard-charts");
    if (!data || root.dataset.drawn || typeof echarts === "undefined") return;
    const charts = JSON.parse(data.textContent);
    charts.forEach((figure) => {
      const element = root.querySelector('.dashboard-trend[data-key="' + figure.key + '"]');
      if (!element) return;
      const chart = echarts.init(element);
      chart.setOption({
        grid: { left: 2, right: 2, top: 6, bottom: 2 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: figure.months, show: false, boundaryGap: false },
        yAxis: { type: "value", show: false, min: 0 },
        series: [
          {
            name: figure.label,
            type: "line",
            data: figure.values.map((value) => parseFloat(value) || 0),
            symbol: "none",
            smooth: true,
            areaStyle: { opacity: 0.15 },
          },
        ],
      });
      window.addEventListener("resize", () => chart.resize());
    });
    root.dataset.drawn = "1";
  }

  function drawAll() {
    document.querySelectorAll("#dashboard").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.addEventListener("htmx:load", drawAll);
})();
