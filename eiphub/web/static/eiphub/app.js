/* EIP Hub — page behaviour: charts (ECharts), park maps (Leaflet), sortable tables, nav toggle.
 *
 * Charts: any element with data-chart='{"kind": ...}' (JSON) or data-chart-src="ID" (the id
 * of a Django json_script element) is drawn with ECharts. Spec:
 *   {"kind": "bar"|"stacked"|"line"|"pie"|"sankey"|"graph", "title": str?, "unit": str?,
 *    "labels": [...], "series": [{"name": str, "data": [numbers]}],
 *    "nodes": [{"name": str, "value"?: num, "category"?: str}],
 *    "links": [{"source": str, "target": str, "value": num}], "horizontal": bool?,
 *    "decimals": int?}
 *   {"kind": "macc", "unit": str, "xunit": str, "bars": [{"name", "start", "end", "cost"}]}:
 *   a marginal abatement cost curve (bar width = abatement, height = cost per tonne).
 * Maps: .park-map with data-points='[{"lat", "lon", "label", "url", "value", "unit"?,
 * "status"?, "status_year"?}]' is drawn with Leaflet as circle markers over the offline base
 * map (static/eiphub/basemap, fetched from this site); markers are coloured by "status" (the
 * park's stored Decree 35 verdict, "" = none shown) with a legend; no tile layer unless
 * data-tiles holds a tile URL template.
 * Tables: table.sortable sorts on header click (locale-aware numbers and dd/mm/yyyy dates).
 * Everything re-initialises after HTMX swaps. Rendered elements get data-rendered="1".
 * Nothing is fetched from another site.
 */
(function () {
  "use strict";

  var NARROW_PX = 520;  // charts narrower than this use compact layouts (phones)
  var PALETTE = ["#0b6b5c", "#1f7fa3", "#e0a526", "#6a9f3a", "#c4572f", "#7a5ea8",
    "#3fa7a0", "#8c6d46", "#d17fa8", "#5b6b68"];

  // ---------- locale ----------
  function lang() {
    var l = (document.documentElement.lang || "vi").toLowerCase();
    return l.indexOf("en") === 0 ? "en" : "vi";
  }
  function locale() { return lang() === "en" ? "en-US" : "vi-VN"; }
  // The page's texts in its language: base.html renders them (gettext) as the JSON data block
  // #eiphub-i18n (eiphub/web/js_texts.py); read once. A missing block or key shows the key.
  var texts = null;
  function t(key) {
    if (texts === null) {
      var el = document.getElementById("eiphub-i18n");
      try { texts = (el && JSON.parse(el.textContent)) || {}; } catch (e) { texts = {}; }
    }
    return Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
  }

  var formatters = {};
  function numberFormat(decimals, compact) {
    var key = locale() + "|" + decimals + "|" + (compact ? "c" : "");
    if (!formatters[key]) {
      var opts = compact
        ? { notation: "compact", maximumFractionDigits: 1 }
        : { maximumFractionDigits: decimals == null ? 2 : decimals,
          minimumFractionDigits: decimals == null ? 0 : decimals };
      formatters[key] = new Intl.NumberFormat(locale(), opts);
    }
    return formatters[key];
  }
  /** Format a number with the page language: vi 1.234,5 ; en 1,234.5. */
  function fmt(value, decimals) {
    if (value === null || value === undefined || value === "" || isNaN(Number(value))) {
      return "—";
    }
    return numberFormat(decimals, false).format(Number(value));
  }
  function fmtAxis(value) {
    var n = Number(value);
    return Math.abs(n) >= 1e5 ? numberFormat(null, true).format(n) : fmt(n);
  }
  function withUnit(text, unit) { return unit ? text + " " + unit : text; }

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // ---------- charts ----------
  var charts = [];

  function readSpec(el) {
    if (el.dataset.chartSrc) {
      var src = document.getElementById(el.dataset.chartSrc);
      if (!src) { throw new Error("no element #" + el.dataset.chartSrc); }
      return JSON.parse(src.textContent);
    }
    return JSON.parse(el.dataset.chart);
  }

  function baseOption(spec) {
    var option = {
      color: PALETTE,
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
      aria: { enabled: true },
      animationDuration: 400,
      tooltip: {
        confine: true,
        valueFormatter: function (v) { return withUnit(fmt(v, spec.decimals), spec.unit); }
      },
      grid: { left: 12, right: 24, top: spec.title ? 56 : 28, bottom: 12, containLabel: true }
    };
    if (spec.title) {
      option.title = { text: spec.title, left: 0, top: 0,
        textStyle: { fontSize: 14, fontWeight: 600, color: "#074a40" } };
    }
    var series = spec.series || [];
    if (series.length > 1) {
      option.legend = { type: "scroll", top: spec.title ? 26 : 0, right: 0 };
      option.grid.top += 24;
    }
    return option;
  }

  /** Axis tooltip built from escaped text only (series and category names are user data). */
  function axisTooltip(spec) {
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      if (!list.length) { return ""; }
      var rows = list.map(function (p) {
        return escapeHtml(p.seriesName) + ": <b>" +
          escapeHtml(withUnit(fmt(p.value, spec.decimals), spec.unit)) + "</b>";
      });
      return escapeHtml(list[0].name) + "<br>" + rows.join("<br>");
    };
  }

  function cartesianOption(spec) {
    var option = baseOption(spec);
    var stacked = spec.kind === "stacked";
    var isLine = spec.kind === "line";
    var category = { type: "category", data: spec.labels || [],
      axisLabel: { hideOverlap: true }, axisTick: { alignWithLabel: true } };
    var value = { type: "value", name: spec.unit || "", nameTextStyle: { align: "left" },
      axisLabel: { formatter: fmtAxis }, splitLine: { lineStyle: { color: "#e3ebe9" } } };
    if (spec.horizontal) {
      category.inverse = true;
      value.nameTextStyle = {};
      option.xAxis = value; option.yAxis = category;
    } else {
      option.xAxis = category; option.yAxis = value;
    }
    option.tooltip.trigger = "axis";
    option.tooltip.axisPointer = { type: isLine ? "line" : "shadow" };
    option.tooltip.formatter = axisTooltip(spec);
    option.series = (spec.series || []).map(function (s) {
      var item = { name: s.name, type: isLine ? "line" : "bar", data: s.data,
        emphasis: { focus: "series" } };
      if (stacked) { item.stack = "total"; }
      if (isLine) { item.symbolSize = 6; item.connectNulls = false; }
      else { item.barMaxWidth = 48; }
      return item;
    });
    return option;
  }

  function pieOption(spec, narrow) {
    var option = baseOption(spec);
    var s = (spec.series || [])[0] || { data: [] };
    var labels = spec.labels || [];
    option.tooltip.trigger = "item";
    option.tooltip.valueFormatter = undefined;
    option.tooltip.formatter = function (p) {
      return escapeHtml(p.name) + "<br><b>" + escapeHtml(withUnit(fmt(p.value, spec.decimals),
        spec.unit)) + "</b> (" + escapeHtml(fmt(p.percent, 1)) + " %)";
    };
    option.legend = narrow ? { type: "scroll", bottom: 0, left: "center" }
      : { type: "scroll", orient: "vertical", right: 0, top: "middle" };
    option.series = [{
      name: s.name, type: "pie", radius: narrow ? ["30%", "55%"] : ["40%", "70%"],
      center: narrow ? ["50%", "48%"] : ["40%", "55%"],
      avoidLabelOverlap: true, itemStyle: { borderColor: "#fff", borderWidth: 2 },
      label: { overflow: "none", formatter: function (p) { return fmt(p.percent, 1) + " %"; } },
      data: (s.data || []).map(function (v, i) {
        return typeof v === "object" && v !== null ? v : { name: labels[i], value: v };
      })
    }];
    return option;
  }

  function flowTooltip(spec) {
    return function (p) {
      if (p.dataType === "edge") {
        return escapeHtml(p.data.source) + " → " + escapeHtml(p.data.target) + "<br><b>" +
          escapeHtml(withUnit(fmt(p.data.value, spec.decimals), spec.unit)) + "</b>";
      }
      var v = p.value;
      return "<b>" + escapeHtml(p.name) + "</b>" + (typeof v === "number" ?
        "<br>" + escapeHtml(withUnit(fmt(v, spec.decimals), spec.unit)) : "");
    };
  }

  function sankeyOption(spec, narrow) {
    var option = baseOption(spec);
    option.tooltip = { trigger: "item", confine: true, formatter: flowTooltip(spec) };
    option.series = [{
      type: "sankey", orient: narrow ? "vertical" : "horizontal",
      top: spec.title ? 40 : 10, bottom: narrow ? 40 : 10, left: 10, right: narrow ? 10 : 120,
      nodeGap: 12, nodeWidth: 14, draggable: false, layoutIterations: 64,
      emphasis: { focus: "adjacency" },
      lineStyle: { color: "source", curveness: 0.5, opacity: 0.35 },
      label: narrow ? { color: "#1b2a28", fontSize: 11, position: "bottom", rotate: 0 }
        : { color: "#1b2a28", fontSize: 12 },
      data: (spec.nodes || []).map(function (n, i) {
        return { name: n.name, itemStyle: { color: PALETTE[i % PALETTE.length] } };
      }),
      links: spec.links || []
    }];
    return option;
  }

  function graphOption(spec) {
    var option = baseOption(spec);
    var nodes = spec.nodes || [];
    var links = spec.links || [];
    var cats = [];
    nodes.forEach(function (n) {
      if (n.category != null && cats.indexOf(n.category) < 0) { cats.push(n.category); }
    });
    var maxNode = Math.max.apply(null, [1].concat(nodes.map(function (n) {
      return Math.abs(Number(n.value) || 0);
    })));
    var maxLink = Math.max.apply(null, [1].concat(links.map(function (l) {
      return Math.abs(Number(l.value) || 0);
    })));
    option.tooltip = { trigger: "item", confine: true, formatter: flowTooltip(spec) };
    if (cats.length) {
      option.legend = { type: "scroll", top: spec.title ? 26 : 0, data: cats.map(String) };
    }
    option.series = [{
      type: "graph", layout: "force", roam: true, draggable: true,
      top: spec.title ? 60 : 30, bottom: 10,
      force: { repulsion: 220, edgeLength: [60, 160], gravity: 0.08 },
      label: { show: true, position: "right", fontSize: 11, color: "#1b2a28" },
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
      emphasis: { focus: "adjacency", lineStyle: { width: 4 } },
      categories: cats.map(function (c) { return { name: String(c) }; }),
      data: nodes.map(function (n) {
        var v = Number(n.value) || 0;
        var node = { name: n.name, value: n.value, symbolSize: 12 + 26 * Math.sqrt(Math.abs(v) / maxNode) };
        if (n.category != null) { node.category = cats.indexOf(n.category); }
        return node;
      }),
      links: links.map(function (l) {
        return { source: l.source, target: l.target, value: l.value,
          lineStyle: { width: 1 + 5 * Math.abs(Number(l.value) || 0) / maxLink, opacity: 0.7,
            curveness: 0.15 } };
      })
    }];
    return option;
  }

  /** Marginal abatement cost curve: one rectangle per bar from x = start to end, height cost. */
  function maccOption(spec) {
    var option = baseOption(spec);
    var bars = spec.bars || [];
    var maxX = bars.length ? bars[bars.length - 1].end : 1;
    option.tooltip = { trigger: "item", confine: true, formatter: function (p) {
      var b = bars[p.dataIndex];
      return "<b>" + escapeHtml(b.name) + "</b><br>" +
        escapeHtml(withUnit(fmt(b.cost, 0), spec.unit)) + "<br>" +
        escapeHtml(withUnit(fmt(b.end - b.start, 1), spec.xunit));
    } };
    option.xAxis = { type: "value", min: 0, max: maxX, name: spec.xunit || "",
      nameLocation: "middle", nameGap: 26, axisLabel: { formatter: fmtAxis } };
    option.yAxis = { type: "value", name: spec.unit || "", axisLabel: { formatter: fmtAxis },
      splitLine: { lineStyle: { color: "#e3ebe9" } } };
    option.grid.bottom = 34;
    option.series = [{
      type: "custom",
      data: bars.map(function (b) { return [b.start, b.end, b.cost]; }),
      encode: { x: [0, 1], y: 2 },
      renderItem: function (params, api) {
        var a = api.coord([api.value(0), api.value(2)]);
        var b = api.coord([api.value(1), 0]);
        var color = api.value(2) < 0 ? PALETTE[3] : PALETTE[params.dataIndex % 3 === 0 ? 1 : 0];
        return { type: "rect", shape: { x: a[0], y: Math.min(a[1], b[1]),
          width: Math.max(1, b[0] - a[0] - 1), height: Math.abs(b[1] - a[1]) },
          style: api.style({ fill: color, stroke: "#fff" }) };
      }
    }];
    return option;
  }

  var BUILDERS = { bar: cartesianOption, stacked: cartesianOption, line: cartesianOption,
    pie: pieOption, sankey: sankeyOption, graph: graphOption, macc: maccOption };

  function isNarrow(el) { return el.clientWidth > 0 && el.clientWidth < NARROW_PX; }

  function isEmpty(spec) {
    if (spec.kind === "sankey" || spec.kind === "graph") { return !(spec.nodes || []).length; }
    if (spec.kind === "macc") { return !(spec.bars || []).length; }
    return !(spec.series || []).some(function (s) { return (s.data || []).length; });
  }

  function showChartMessage(el, text) {
    el.innerHTML = "";
    var box = document.createElement("div");
    box.className = "chart-error";
    box.textContent = text;
    el.appendChild(box);
  }

  function renderChart(el) {
    if (typeof window.echarts === "undefined") {
      showChartMessage(el, t("error"));
      el.dataset.rendered = "error";
      return;
    }
    var existing = window.echarts.getInstanceByDom(el);
    if (existing) { existing.dispose(); }
    try {
      var spec = readSpec(el);
      var build = BUILDERS[spec.kind];
      if (!build) { throw new Error("unknown chart kind: " + spec.kind); }
      if (isEmpty(spec)) {
        showChartMessage(el, t("noData"));
        el.dataset.rendered = "1";
        return;
      }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      var narrow = isNarrow(el);
      chart.setOption(build(spec, narrow));
      chart.eipRelayout = function () {  // switch layouts when crossing the narrow breakpoint
        if (isNarrow(el) !== narrow) { narrow = !narrow; chart.setOption(build(spec, narrow), true); }
        chart.resize();
      };
      charts.push(chart);
      if (window.ResizeObserver) {
        new ResizeObserver(function () {
          if (!chart.isDisposed()) { chart.eipRelayout(); }
        }).observe(el);
      }
      el.dataset.rendered = "1";
    } catch (err) {
      if (window.echarts.getInstanceByDom(el)) { window.echarts.getInstanceByDom(el).dispose(); }
      showChartMessage(el, t("error") + ": " + err.message);
      el.dataset.rendered = "error";
      if (window.console) { console.warn("EIP Hub chart:", err); }
    }
  }

  function resizeCharts() {
    charts = charts.filter(function (c) {
      if (c.isDisposed() || !document.body.contains(c.getDom())) {
        if (!c.isDisposed()) { c.dispose(); }
        return false;
      }
      c.eipRelayout();
      return true;
    });
  }

  // ---------- maps ----------
  // Base map: the GeoJSON named by <meta name="eiphub-basemap"> (a static file of this site:
  // Viet Nam's 34 provincial units, the Hoang Sa and Truong Sa islands, neighbouring countries), fetched
  // once per page; the sea is the map's background colour (CSS). No tile server.
  var basemapData = null;
  function loadBasemap() {
    if (basemapData) { return basemapData; }
    var meta = document.querySelector('meta[name="eiphub-basemap"]');
    basemapData = new Promise(function (resolve, reject) {
      if (!meta) { reject(new Error("no base map")); return; }
      var xhr = new XMLHttpRequest();  // (not fetch: the file:// test pages read it too)
      xhr.open("GET", meta.content);
      xhr.responseType = "json";
      xhr.onload = function () {
        var ok = (xhr.status === 200 || xhr.status === 0) && xhr.response;
        if (ok) { resolve(xhr.response); } else { reject(new Error("base map: " + xhr.status)); }
      };
      xhr.onerror = function () { reject(new Error("base map: not loaded")); };
      xhr.send();
    });
    return basemapData;
  }

  var BASEMAP_STYLE = {
    neighbour: { color: "#c3c6bd", weight: 0.8, fillColor: "#e6e6de", fillOpacity: 1 },
    province: { color: "#8aa39c", weight: 0.9, fillColor: "#fbfaf3", fillOpacity: 1 },
    islands: { color: "#5f7f77", weight: 1.5, fillColor: "#fbfaf3", fillOpacity: 1 }
  };

  function drawBasemap(map, data) {
    var L = window.L;
    if (!map.getPane("basemap")) {
      map.createPane("basemap").style.zIndex = 250;  // under markers (overlayPane: 400)
    }
    var layer = L.geoJSON(data, {
      pane: "basemap",
      className: "map-base",
      style: function (f) {
        var kind = f.properties && f.properties.kind;
        return Object.assign({ className: "map-base map-base--" + kind },
          BASEMAP_STYLE[kind] || BASEMAP_STYLE.neighbour);
      },
      interactive: false
    }).addTo(map);
    (data.features || []).forEach(function (f) {
      var p = f.properties || {};
      if (p.kind === "islands" && p.label) {
        L.tooltip({ permanent: true, direction: "center", className: "map-islands-label",
          pane: "basemap", interactive: false })
          .setLatLng([p.label[1], p.label[0]]).setContent(escapeHtml(p.name)).addTo(map);
      }
    });
    return layer;
  }

  // Marker colours by the park's stored verdict: the status badges' colours (app.css).
  var VERDICT_VAR = { meets: "--c-ok", not_met: "--c-bad", incomplete: "--c-warn-marker",
    not_applicable: "--c-info", "": "--c-neutral-marker" };
  var VERDICT_ORDER = ["meets", "not_met", "incomplete", "not_applicable", ""];
  function verdictColour(status) {
    var key = Object.prototype.hasOwnProperty.call(VERDICT_VAR, status) ? status : "";
    var v = window.getComputedStyle(document.documentElement).getPropertyValue(VERDICT_VAR[key]);
    return (v && v.trim()) || "#6b7775";
  }
  function verdictLabel(status) {
    return status ? t("verdict." + status) : t("mapNoVerdict");
  }

  function addLegend(map, statuses) {
    var L = window.L;
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      var title = document.createElement("div");
      title.className = "map-legend__title";
      title.textContent = t("mapLegend");
      box.appendChild(title);
      VERDICT_ORDER.forEach(function (s) {
        if (statuses.indexOf(s) < 0) { return; }
        var row = document.createElement("div");
        row.className = "map-legend__row";
        row.dataset.status = s;
        var sw = document.createElement("span");
        sw.className = "map-legend__swatch";
        sw.style.backgroundColor = verdictColour(s);
        var label = document.createElement("span");
        label.textContent = verdictLabel(s);
        row.appendChild(sw);
        row.appendChild(label);
        box.appendChild(row);
      });
      return box;
    };
    legend.addTo(map);
  }

  function addGraticule(map, bounds) {
    var L = window.L;
    var s = Math.floor(bounds.getSouth()) - 2, n = Math.ceil(bounds.getNorth()) + 2;
    var w = Math.floor(bounds.getWest()) - 2, e = Math.ceil(bounds.getEast()) + 2;
    var step = Math.max(1, Math.round((n - s) / 12));
    var style = { color: "#c5d5da", weight: 1, interactive: false, className: "map-graticule" };
    for (var lat = s; lat <= n; lat += step) { L.polyline([[lat, w], [lat, e]], style).addTo(map); }
    for (var lon = w; lon <= e; lon += step) { L.polyline([[s, lon], [n, lon]], style).addTo(map); }
  }

  function popupContent(p) {
    var box = document.createElement("div");
    var title = document.createElement("span");
    title.className = "map-popup__title";
    title.textContent = p.label || "";
    box.appendChild(title);
    if (p.status !== undefined) {
      var st = document.createElement("span");
      st.className = "map-popup__verdict";
      st.textContent = p.status
        ? t("mapVerdict") + (p.status_year ? " " + String(p.status_year) : "") + ": " +
          verdictLabel(p.status)
        : verdictLabel("");
      box.appendChild(st);
      box.appendChild(document.createElement("br"));
    }
    if (p.value !== undefined && p.value !== null && p.value !== "") {
      var v = document.createElement("span");
      v.className = "map-popup__value";
      v.textContent = typeof p.value === "number" ? withUnit(fmt(p.value), p.unit) : String(p.value);
      box.appendChild(v);
      box.appendChild(document.createElement("br"));
    }
    if (p.url) {
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = t("open") + " →";
      box.appendChild(a);
    }
    return box;
  }

  function renderMap(el) {
    var L = window.L;
    if (typeof L === "undefined") { el.dataset.rendered = "error"; return; }
    if (el._eipMap) { el._eipMap.remove(); el._eipMap = null; }
    var points = [];
    try { points = JSON.parse(el.dataset.points || "[]"); } catch (err) {
      if (window.console) { console.warn("EIP Hub map: bad data-points", err); }
    }
    points = points.filter(function (p) {
      return isFinite(Number(p.lat)) && isFinite(Number(p.lon)) && p.lat !== null && p.lon !== null;
    });
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!el.dataset.tiles });
    el._eipMap = map;
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 18,
        attribution: el.dataset.tilesAttribution || "" }).addTo(map);
    }
    var values = points.map(function (p) { return Math.abs(Number(p.value)) || 0; });
    var maxValue = Math.max.apply(null, [0].concat(values));
    var latlngs = [];
    var statuses = [];
    var coloured = points.some(function (p) { return p.status !== undefined; });
    points.forEach(function (p, i) {
      var ll = [Number(p.lat), Number(p.lon)];
      latlngs.push(ll);
      var radius = maxValue > 0 ? 6 + 14 * Math.sqrt(values[i] / maxValue) : 8;
      var status = p.status || "";
      if (coloured && statuses.indexOf(status) < 0) { statuses.push(status); }
      var fill = p.color || (coloured ? verdictColour(status) : "#0b6b5c");
      var marker = L.circleMarker(ll, { radius: radius, color: "#1b2a28", weight: 1.2,
        fillColor: fill, fillOpacity: 0.85,
        className: "map-marker" + (coloured ? " map-marker--" + (status || "none") : "") });
      marker.bindPopup(popupContent(p));
      if (p.label) {  // a text node: Leaflet inserts string tooltips as HTML
        var tip = document.createElement("span");
        tip.textContent = String(p.label);
        marker.bindTooltip(tip, { direction: "top", offset: [0, -radius] });
      }
      marker.addTo(map);
    });
    if (latlngs.length > 1) {
      map.fitBounds(L.latLngBounds(latlngs), { padding: [30, 30], maxZoom: 12 });
    } else if (latlngs.length === 1) {
      map.setView(latlngs[0], 10);
    } else {
      map.setView([16.0, 106.0], 5); // Viet Nam
    }
    if (statuses.some(function (s) { return s !== ""; })) { addLegend(map, statuses); }
    L.control.scale({ imperial: false }).addTo(map);
    el.dataset.rendered = "1";
    if (el.dataset.tiles) { return; }
    loadBasemap().then(function (data) {  // data-basemap="1" once drawn
      if (el._eipMap !== map) { return; }  // redrawn meanwhile
      drawBasemap(map, data);
      el.dataset.basemap = "1";
    }, function (err) {
      if (el._eipMap !== map) { return; }
      if (window.console) { console.warn("EIP Hub map:", err.message); }
      addGraticule(map, map.getBounds());
      el.dataset.basemap = "error";
    });
  }

  // ---------- sortable tables ----------
  var DATE_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$/;

  /** Number from text written with the page locale's separators, or null. */
  function parseLocaleNumber(text) {
    var s = String(text).replace(/[\s\u00a0\u202f]/g, "").replace(/\u2212/g, "-");
    if (lang() === "en") { s = s.replace(/,/g, ""); }
    else { s = s.replace(/\./g, "").replace(/,/g, "."); }
    var m = s.match(/^[^\d\-+.]*([-+]?\d*\.?\d+(?:e[-+]?\d+)?)/i);
    return m ? parseFloat(m[1]) : null;
  }

  function sortKey(cell) {
    var raw = cell.dataset.sortValue !== undefined ? cell.dataset.sortValue : cell.textContent;
    var text = String(raw).trim();
    if (text === "" || text === "—" || text === "-") { return { empty: true }; }
    var d = text.match(DATE_RE);
    if (d) {
      return { num: Date.UTC(+d[3], +d[2] - 1, +d[1], +(d[4] || 0), +(d[5] || 0)) };
    }
    var n = cell.dataset.sortValue !== undefined && !isNaN(Number(text)) ? Number(text)
      : parseLocaleNumber(text);
    return n === null || isNaN(n) ? { text: text } : { num: n, text: text };
  }

  function sortTable(table, th, index) {
    var tbody = table.tBodies[0];
    if (!tbody) { return; }
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
      c.removeAttribute("aria-sort");
      var ind = c.querySelector(".sort-indicator");
      if (ind) { ind.textContent = "↕"; }
    });
    th.setAttribute("aria-sort", dir);
    th.querySelector(".sort-indicator").textContent = dir === "ascending" ? "▲" : "▼";
    var rows = Array.prototype.slice.call(tbody.rows).map(function (row, i) {
      var cell = row.cells[index];
      return { row: row, i: i, key: cell ? sortKey(cell) : { empty: true } };
    });
    var keyed = rows.filter(function (r) { return !r.key.empty; });
    var numeric = keyed.length > 0 && keyed.every(function (r) { return r.key.num !== undefined; });
    var collator = new Intl.Collator(locale(), { numeric: true, sensitivity: "base" });
    var sign = dir === "ascending" ? 1 : -1;
    rows.sort(function (a, b) {
      if (a.key.empty || b.key.empty) {  // blanks always last
        return a.key.empty === b.key.empty ? a.i - b.i : (a.key.empty ? 1 : -1);
      }
      var c = numeric ? a.key.num - b.key.num : collator.compare(a.key.text, b.key.text);
      return c ? sign * c : a.i - b.i;
    });
    rows.forEach(function (r) { tbody.appendChild(r.row); });
  }

  function initSortable(table) {
    if (table.dataset.rendered === "1" || !table.tHead || !table.tHead.rows.length) { return; }
    var headers = table.tHead.rows[table.tHead.rows.length - 1].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      if (th.hasAttribute("data-nosort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      var ind = document.createElement("span");
      ind.className = "sort-indicator";
      ind.setAttribute("aria-hidden", "true");
      ind.textContent = "↕";
      button.appendChild(ind);
      th.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, th, index); });
    });
    table.dataset.rendered = "1";
  }

  // ---------- navigation ----------
  function initNavToggle() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("main-nav");
    if (!toggle || !nav || toggle.dataset.bound) { return; }
    toggle.dataset.bound = "1";
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // ---------- auto-submitting filters (no inline on* handlers: the CSP forbids them) ----------
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });

  // ---------- wiring ----------
  function each(root, selector, fn) {
    var list = [];
    if (root.matches && root.matches(selector)) { list.push(root); }
    if (root.querySelectorAll) {
      list = list.concat(Array.prototype.slice.call(root.querySelectorAll(selector)));
    }
    list.forEach(fn);
  }

  /** Initialise every chart, map and sortable table inside root (default: the document). */
  function init(root) {
    root = root || document;
    each(root, "[data-chart], [data-chart-src]", function (el) {
      if (el.dataset.rendered !== "1") { renderChart(el); }
    });
    each(root, ".park-map", function (el) {
      if (el.dataset.rendered !== "1") { renderMap(el); }
    });
    each(root, "table.sortable", initSortable);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(resizeCharts, 150);
  });
  document.addEventListener("htmx:afterSwap", function () {
    // The swap target may have been replaced (outerHTML), so scan the whole document:
    // elements already drawn carry data-rendered="1" and are skipped.
    init(document);
    resizeCharts();
  });
  function start() {
    document.documentElement.classList.add("js");
    initNavToggle();
    init(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  window.EIPHub = { init: init, format: fmt, parseNumber: parseLocaleNumber, charts: function () {
    return charts.slice();
  } };
})();
