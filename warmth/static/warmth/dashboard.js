/* 数据看板: the charts, drawn with the app's own copy of Chart.js (static/vendor/chartjs) from the figures the page
   passes in <script type="application/json" id="dash-data"> (json_script). A static file because the
   Content-Security-Policy forbids inline scripts. Amounts arrive as decimal strings; they become numbers here for
   drawing only: the exact figures are in the table under each chart. */
(function () {
  "use strict";

  var source = document.getElementById("dash-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var Chart = window.Chart;

  var RED = "#b3261e", ORANGE = "#e8833a", GOLD = "#d4a72c", TEAL = "#2a9d8f", BLUE = "#3a6ea5", GREY = "#a7b0ba";
  var yuanFormat = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var countFormat = new Intl.NumberFormat("zh-CN");

  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#1f2328";
  Chart.defaults.animation = false;          // drawn at once: printable, and nothing moves under the reader
  Chart.defaults.maintainAspectRatio = false; // the box (.dash-chart) sets the height
  Chart.defaults.plugins.legend.labels.boxWidth = 14;
  Chart.defaults.plugins.legend.labels.sort = function (a, b) { return a.datasetIndex - b.datasetIndex; };
  Chart.defaults.datasets.bar.maxBarThickness = 56;

  function numbers(list) { return (list || []).map(Number); }

  // an axis of yuan reads in 万 once its top tick reaches 10,000 (every tick of it, for one unit per axis)
  function yuanTick(value, index, ticks) {
    var v = Number(value);
    var top = Math.max.apply(null, ticks.map(function (t) { return Math.abs(t.value); }));
    if (top >= 10000) { return v === 0 ? "0" : countFormat.format(Math.round(v / 100) / 100) + "万"; }
    return countFormat.format(v);
  }

  function yuanTooltip(ctx) {
    var v = ctx.parsed.y !== undefined && ctx.chart.options.indexAxis !== "y" ? ctx.parsed.y : ctx.parsed.x;
    return (ctx.dataset.label ? ctx.dataset.label + "：" : "") + yuanFormat.format(v) + " 元";
  }

  function countTooltip(ctx) {
    var v = ctx.chart.options.indexAxis === "y" ? ctx.parsed.x : ctx.parsed.y;
    return (ctx.dataset.label ? ctx.dataset.label + "：" : "") + countFormat.format(v) + " 户";
  }

  var charts = [];

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    charts.push(new Chart(canvas, config));
  }

  // no axis titles: Chart.js turns a vertical title on its side, which does not read in Chinese; the unit is in
  // the legend, the tooltip and the table
  function moneyAxis(extra) {
    return Object.assign({ beginAtZero: true, ticks: { callback: yuanTick } }, extra || {});
  }

  var householdAxis = { beginAtZero: true, ticks: { precision: 0 } };

  // 一、资金来源与去向: grouped bars per source
  if (data.money && data.money.labels.length) {
    var colors = { raised: RED, received: ORANGE, allocated: GOLD, paid: TEAL, balance: BLUE };
    draw("chart-money", {
      type: "bar",
      data: {
        labels: data.money.labels,
        datasets: data.money.series.map(function (s) {
          return { label: s.label, data: numbers(s.values), backgroundColor: colors[s.key] };
        })
      },
      options: {
        scales: { y: moneyAxis() },
        plugins: { tooltip: { callbacks: { label: yuanTooltip } }, legend: { position: "bottom" } }
      }
    });
  }

  // 二、按帮扶项目: horizontal bars of the amount
  if (data.aid && data.aid.labels.length) {
    draw("chart-aid", {
      type: "bar",
      data: { labels: data.aid.labels, datasets: [{ label: "发放金额", data: numbers(data.aid.values), backgroundColor: RED }] },
      options: {
        indexAxis: "y",
        scales: { x: moneyAxis() },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: yuanTooltip,
              afterLabel: function (ctx) { return countFormat.format(data.aid.counts[ctx.dataIndex]) + " 笔"; }
            }
          }
        }
      }
    });
  }

  // 三、走访覆盖: visited and not visited, stacked, per child
  if (data.coverage && data.coverage.labels.length) {
    draw("chart-coverage", {
      type: "bar",
      data: {
        labels: data.coverage.labels,
        datasets: [
          { label: "已走访（户）", data: data.coverage.visited, backgroundColor: TEAL },
          { label: "未走访（户）", data: data.coverage.not_visited, backgroundColor: GREY }
        ]
      },
      options: {
        scales: {
          x: { stacked: true },
          y: Object.assign({ stacked: true }, householdAxis)
        },
        plugins: { tooltip: { callbacks: { label: countTooltip } }, legend: { position: "bottom" } }
      }
    });
  }

  // 四、发放进度: the amount of each day (or week) and the running total
  if (data.timeline && data.timeline.labels.length) {
    var running = 0;
    var cumulative = numbers(data.timeline.values).map(function (v) { running += v; return running; });
    draw("chart-timeline", {
      type: "bar",
      data: {
        labels: data.timeline.labels,
        datasets: [
          { type: "bar", label: data.timeline.weekly ? "当周发放（元，左轴）" : "当日发放（元，左轴）", data: numbers(data.timeline.values),
            backgroundColor: RED, yAxisID: "y", order: 2, barPercentage: 1, categoryPercentage: 0.8 },
          { type: "line", label: "累计（元，右轴）", data: cumulative, borderColor: BLUE, backgroundColor: BLUE,
            pointRadius: 0, borderWidth: 2, yAxisID: "y1", order: 1 }
        ]
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } },
          y: moneyAxis(),
          y1: moneyAxis({ position: "right", grid: { drawOnChartArea: false } })
        },
        plugins: { tooltip: { callbacks: { label: yuanTooltip } }, legend: { position: "bottom" } }
      }
    });
  }

  // 五、与上年度对比: households in one chart, each amount in its own (their sizes differ by orders of magnitude);
  // the season before in grey
  if (data.compare) {
    var c = data.compare;  // index 0: this season, 1: the season before
    var seasons = [1, 0];
    var shade = [RED, GREY];
    var perSeason = function (values, convert) {
      return seasons.map(function (i) {
        return { label: c.labels[i], data: values.map(function (v) { return convert(v[i]); }),
                 backgroundColor: shade[i] };
      });
    };
    draw("chart-compare-households", {
      type: "bar",
      data: { labels: ["在档户数（户）", "走访户数（户）"], datasets: perSeason([c.filed, c.visited], Number) },
      options: {
        scales: { y: householdAxis },
        plugins: { tooltip: { callbacks: { label: countTooltip } }, legend: { position: "bottom" } }
      }
    });
    [["chart-compare-raised", "资金到位（元）", c.raised], ["chart-compare-paid", "发放（元）", c.paid]].forEach(
      function (spec) {
        draw(spec[0], {
          type: "bar",
          data: { labels: [spec[1]], datasets: perSeason([spec[2]], Number) },
          options: {
            scales: { y: moneyAxis() },
            plugins: { tooltip: { callbacks: { label: yuanTooltip } }, legend: { position: "bottom" } }
          }
        });
      });
  }

  document.documentElement.setAttribute("data-charts-drawn", String(charts.length));
  window.addEventListener("beforeprint", function () { charts.forEach(function (ch) { ch.resize(); }); });
})();
