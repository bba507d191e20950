// The self-motivation panel's chart: achievement in percent of this month's targets, one bar
// pair (payments, contracts) per row (me, my group). The figures come from the panel's
// data- attributes; the table beside it stays the accessible source. No inline scripts (CSP).
(function () {
  "use strict";

  function draw(panel) {
    const chartElement = panel.querySelector(".motivation-chart");
    if (!chartElement || chartElement.dataset.drawn || typeof echarts === "undefined") return;
    const rows = Array.from(panel.querySelectorAll(".motivation-row"));
    const labels = rows.map((row) => row.dataset.label);
    const payments = rows.map((row) => parseFloat(row.dataset.paymentPercent) || 0);
    const contracts = rows.map((row) => parseFloat(row.dataset.contractPercent) || 0);
    const chart = echarts.init(chartElement);
    chart.setOption({
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", valueFormatter: (value) => value + "%" },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: labels },
      series: [
        {
          name: chartElement.dataset.paymentLabel,
          type: "bar",
          data: payments,
          label: { show: true, position: "right", formatter: "{c}%" },
        },
        {
          name: chartElement.dataset.contractLabel,
          type: "bar",
          data: contracts,
          label: { show: true, position: "right", formatter: "{c}%" },
        },
      ],
    });
    chartElement.dataset.drawn = "1";
    window.addEventListener("resize", () => chart.resize());
  }

  function drawAll() {
    document.querySelectorAll("#motivation").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.addEventListener("htmx:load", drawAll);
})();
