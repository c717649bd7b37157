/* Station page chart: a year of pre-aggregated data, re-fetched at finer resolution (hourly, then
 * 5-minute readings) for the zoomed window; the limit in force as a dashed step line; exceedances
 * as red bands; flagged readings as grey crosses. */
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("mon-chart");
    var specEl = document.getElementById("mon-chart-spec");
    if (!el || !specEl || typeof window.echarts === "undefined") { return; }
    var spec = JSON.parse(specEl.textContent);
    var lang = el.dataset.lang || "vi";
    var resEl = document.getElementById("mon-resolution");
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var full = [];  // the year at coarse resolution
    var fmt = new Intl.NumberFormat(lang === "en" ? "en-GB" : "vi-VN", { maximumFractionDigits: 2 });
    var dfmt = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "vi-VN",
      { dateStyle: "short", timeStyle: "short", timeZone: "Asia/Ho_Chi_Minh" });
    // Time-axis labels per level in the page language: ECharts' own templates name months
    // in English ({MMM}: "Mar"), so Vietnamese pages write "T3" (tháng 3), days dd/M and
    // hours HH:mm; English pages keep ECharts' English labels.
    var timeLabels = lang === "en" ? undefined : {
      year: "{yyyy}", month: "T{M}", day: "{dd}/{M}", hour: "{HH}:{mm}", minute: "{HH}:{mm}",
      second: "{HH}:{mm}:{ss}", millisecond: "{HH}:{mm}:{ss}"
    };

    function limitSeries(key) {
      var pts = [];
      spec.limits.forEach(function (p) {
        if (p[key] === null || p[key] === undefined) { return; }
        var a = Math.max(p.from, spec.start), b = Math.min(p.to === null ? spec.end : p.to, spec.end);
        if (b <= a) { return; }
        pts.push([a, p[key]], [b, p[key]], [b, null]);
      });
      return { name: spec.labels.limit, type: "line", data: pts, showSymbol: false, connectNulls: false,
        lineStyle: { type: "dashed", color: "#c0392b", width: 1.5 }, itemStyle: { color: "#c0392b" },
        silent: true, z: 3 };
    }
    var bands = spec.exceedances.map(function (e) { return [{ xAxis: e[0] }, { xAxis: e[1] }]; });

    function draw(points, flagged) {
      chart.setOption({
        animation: false,
        grid: { left: 56, right: 24, top: 36, bottom: 72 },
        legend: { top: 0 },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : fmt.format(v) + " " + spec.unit; },
          axisPointer: { label: { formatter: function (p) { return p.axisDimension === "x" ? dfmt.format(new Date(p.value)) : fmt.format(p.value); } } } },
        xAxis: { type: "time", min: spec.start, max: spec.end, axisLabel: { formatter: timeLabels, hideOverlap: true } },
        yAxis: { type: "value", name: spec.unit, scale: true, axisLabel: { formatter: function (v) { return fmt.format(v); } } },
        dataZoom: [{ type: "inside", filterMode: "none", minValueSpan: 3600 * 1000 }, { type: "slider", filterMode: "none", minValueSpan: 3600 * 1000,
          labelFormatter: function (v) { return dfmt.format(new Date(v)); } }],
        series: [
          { name: spec.label, type: "line", data: points, showSymbol: false, lineStyle: { width: 1.2, color: "#2e7d5b" }, itemStyle: { color: "#2e7d5b" },
            markArea: { silent: true, itemStyle: { color: "rgba(192, 57, 43, 0.18)" }, data: bands } },
          limitSeries("high"), limitSeries("low"),
          { name: spec.labels.flagged, type: "scatter", data: flagged || [], symbol: "path://M0,0L10,10M10,0L0,10", symbolSize: 6, itemStyle: { color: "#7f8c8d", borderColor: "#7f8c8d" } }
        ]
      }, false);
    }
    function load(lo, hi, cb) {
      var url = spec.url + "?start=" + new Date(lo).toISOString() + "&end=" + new Date(hi).toISOString();
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); }).then(cb);
    }
    function note(res) { if (resEl) { resEl.textContent = resEl.dataset[res] || ""; } }
    chart.showLoading({ text: el.dataset.loading || "" });
    load(spec.start, spec.end, function (d) {
      chart.hideLoading(); full = d.points; draw(full, d.flagged); note(d.resolution);
    });
    var timer = null;
    chart.on("dataZoom", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var z = chart.getOption().dataZoom[0];
        var span = spec.end - spec.start;
        var lo = z.startValue !== undefined ? z.startValue : spec.start + span * z.start / 100;
        var hi = z.endValue !== undefined ? z.endValue : spec.start + span * z.end / 100;
        if (hi - lo > span * 0.95) { draw(full, []); note("day"); return; }
        load(lo, hi, function (d) {
          var merged = full.filter(function (p) { return p[0] < lo; }).concat(d.points, full.filter(function (p) { return p[0] >= hi; }));
          draw(merged, d.flagged); note(d.resolution);
        });
      }, 250);
    });
    window.addEventListener("resize", function () { chart.resize(); });
    window.EIPMonitoringChart = chart;
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
