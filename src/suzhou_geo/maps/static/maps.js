/* suzhou_geo maps: layers with tooltips and popups, the grouped layer control, the legend,
   place names.  Part of suzhou_geo (MIT).  Needs Leaflet (L) only when its functions run.

   Safety: every attribute value and every label reaches the page through textContent,
   never innerHTML, so a parcel whose name is an HTML tag shows as text and runs nothing. */
var suzhouGeo = (function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, cls, text, parent) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  /* ---- hatching: stripes of one colour over whatever lies beneath (no colour mixing) */
  function angle(style) { return typeof style.hatchAngle === "number" ? style.hatchAngle : 45; }
  function hatchId(style) {
    return "sg-hatch-" + style.hatch + "-" + String(style.color).replace(/[^0-9a-zA-Z]/g, "");
  }
  function ensureHatch(style) {
    var id = hatchId(style);
    if (document.getElementById(id)) { return id; }
    var defs = document.getElementById("sg-hatch-defs");
    if (!defs) {
      var svg = document.createElementNS(SVGNS, "svg");
      svg.setAttribute("width", "0"); svg.setAttribute("height", "0");
      svg.setAttribute("aria-hidden", "true");
      svg.style.position = "absolute";
      defs = document.createElementNS(SVGNS, "defs");
      defs.id = "sg-hatch-defs";
      svg.appendChild(defs);
      document.body.appendChild(svg);
    }
    var p = document.createElementNS(SVGNS, "pattern");
    p.id = id;
    p.setAttribute("patternUnits", "userSpaceOnUse");
    p.setAttribute("width", "8"); p.setAttribute("height", "8");
    p.setAttribute("patternTransform", "rotate(" + angle(style) + ")");
    var line = document.createElementNS(SVGNS, "rect");
    line.setAttribute("width", "2.2"); line.setAttribute("height", "8");
    line.setAttribute("fill", style.color);
    p.appendChild(line);
    defs.appendChild(p);
    return id;
  }
  function pathStyle(style) {
    var s = {}, k;
    for (k in style) { if (Object.prototype.hasOwnProperty.call(style, k)) { s[k] = style[k]; } }
    if (style.hatch) { s.fillColor = "url(#" + ensureHatch(style) + ")"; s.fill = true; }
    return s;
  }

  /* ---- tooltips and popups: a table of (label, value) rows, values as text */
  function table(data, row, fields) {
    var t = el("table", "sg-table"), body = el("tbody", null, null, t);
    for (var i = 0; i < fields.length; i++) {
      var v = data.table.dicts[fields[i][0]][data.table.cols[fields[i][0]][row]];
      if (!v) { continue; }
      var tr = el("tr", null, null, body);
      el("th", null, fields[i][1], tr);
      el("div", "sg-v", v, el("td", null, null, tr));
    }
    return t;
  }

  /* a tooltip: the values only, one per line (short; the popup has the labels) */
  function lines(data, row, fields) {
    var d = el("div", "sg-tip");
    for (var i = 0; i < fields.length; i++) {
      var v = data.table.dicts[fields[i][0]][data.table.cols[fields[i][0]][row]];
      if (v) { el("div", i === 0 ? "sg-tip-first" : null, v, d); }
    }
    return d;
  }

  /* ---- one group of features (a scheme, a verdict, a redline kind ...) */
  function layer(data, spec) {
    var styles = {}, n = data.geoms.length, feats = new Array(n), i;
    for (i = 0; i < spec.classes.length; i++) { styles[i] = pathStyle(spec.styles[spec.classes[i]]); }
    for (i = 0; i < n; i++) {
      feats[i] = {type: "Feature", geometry: data.geoms[i], properties: {i: i}};
    }
    function style(f) { return styles[data.cls[f.properties.i]]; }
    var group = L.geoJSON(feats, {
      style: style,
      interactive: spec.interactive !== false,
      pointToLayer: function (f, ll) {
        var s = style(f);
        if (data.radius) { return L.circle(ll, L.extend({}, s, {radius: data.radius[f.properties.i]})); }
        return L.circleMarker(ll, L.extend({}, s, {fillOpacity: 1}));  // a point is a dot, always filled
      }
    });
    if (spec.interactive === false) { return group; }
    if (spec.tooltip.length) {
      group.bindTooltip(function (l) { return lines(data, l.feature.properties.i, spec.tooltip); },
                        {sticky: true, className: "sg-tooltip"});
    }
    if (spec.popup.length) {
      group.bindPopup(function (l) { return table(data, l.feature.properties.i, spec.popup); },
                      {maxWidth: 400, minWidth: 300, maxHeight: 380, className: "sg-popup"});
    }
    group.on("popupopen", function () { group.closeTooltip(); });  // the popup says it all
    group.on("mouseover", function (e) {
      if (e.layer.setStyle) { e.layer.setStyle({weight: (style(e.layer.feature).weight || 1) + 2}); }
    });
    group.on("mouseout", function (e) { if (e.layer.setStyle) { e.layer.setStyle(style(e.layer.feature)); } });
    return group;
  }

  /* ---- place names: always-visible labels, the less important hidden where they collide */
  function labels(items) {
    var g = L.layerGroup();
    g.sgLabels = [];
    for (var i = 0; i < items.length; i++) {
      var it = items[i], span = el("span", "sg-place " + it.cls, it.text);
      var icon = L.divIcon({className: "sg-place-icon", html: span, iconSize: null});
      g.addLayer(L.marker([it.lat, it.lon], {icon: icon, interactive: false, keyboard: false}));
      g.sgLabels.push({span: span, priority: it.priority});
    }
    g.sgLabels.sort(function (a, b) { return a.priority - b.priority; });
    return g;
  }
  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }
  function declutter(groups) {
    var kept = [];
    for (var g = 0; g < groups.length; g++) {
      var items = groups[g].sgLabels;
      for (var i = 0; i < items.length; i++) {
        var s = items[i].span;
        if (!s.isConnected) { continue; }
        s.style.visibility = "";
        var r = s.getBoundingClientRect(), hit = false;
        for (var k = 0; k < kept.length && !hit; k++) { hit = overlaps(r, kept[k]); }
        if (hit) { s.style.visibility = "hidden"; } else { kept.push(r); }
      }
    }
  }

  /* ---- the layer control: sections of entries, each entry toggling its layers together */
  function lookup(names) {
    var out = [];
    for (var i = 0; i < names.length; i++) { if (window[names[i]]) { out.push(window[names[i]]); } }
    return out;
  }
  function checkbox(map, list, entry, type, name) {
    var row = el("label", "sg-entry", null, list), input = el("input", "leaflet-control-layers-selector", null, row);
    input.type = type;
    if (name) { input.name = name; }
    var layers = lookup(entry.layers);
    input.dataset.layers = entry.layers.join(" ");
    input.disabled = layers.length === 0;
    input.checked = layers.length > 0 && layers.every(function (l) { return map.hasLayer(l); });
    el("span", null, entry.label, row);
    if (entry.count !== undefined && entry.count !== null) { el("span", "sg-count", entry.count, row); }
    L.DomEvent.on(input, "change", function () {
      if (type === "radio") {
        list.querySelectorAll("input[name=" + name + "]").forEach(function (o) { o.sgOff(); });
      }
      layers.forEach(function (l) { if (input.checked) { map.addLayer(l); } else { map.removeLayer(l); } });
      map.fire("sg:layers");
    });
    input.sgOff = function () { layers.forEach(function (l) { map.removeLayer(l); }); };
    return row;
  }
  function control(map, spec) {
    var c = L.control({position: "topright"});
    c.onAdd = function () {
      var box = L.DomUtil.create("div", "leaflet-control-layers leaflet-control sg-layers");
      var toggle = el("a", "leaflet-control-layers-toggle", null, box);
      toggle.href = "#"; toggle.title = "图层 layers"; toggle.setAttribute("role", "button");
      var list = el("section", "leaflet-control-layers-list sg-layers-list", null, box);
      var tiles = el("div", "leaflet-control-layers-base", null, list);
      var overlays = el("div", "leaflet-control-layers-overlays", null, list);
      for (var s = 0; s < spec.sections.length; s++) {
        var sec = spec.sections[s], part = sec.radio ? tiles : overlays;
        var alone = sec.entries.length === 1 && sec.entries[0].label === sec.title;
        el("div", "sg-section", alone ? "" : sec.title, part);
        for (var e = 0; e < sec.entries.length; e++) {
          checkbox(map, part, sec.entries[e], sec.radio ? "radio" : "checkbox", sec.radio ? "sg-tiles" : null);
        }
      }
      function expand() { box.classList.add("leaflet-control-layers-expanded"); map.fire("sg:expand"); }
      function collapse() { box.classList.remove("leaflet-control-layers-expanded"); }
      if (spec.collapsed) {
        L.DomEvent.on(box, "mouseenter", expand);
        L.DomEvent.on(box, "mouseleave", collapse);
        L.DomEvent.on(toggle, "click", function (ev) { L.DomEvent.preventDefault(ev); expand(); });
        L.DomEvent.on(toggle, "focus", expand);
      } else {
        expand();
      }
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      c.sgExpand = expand; c.sgCollapse = collapse;
      return box;
    };
    return c;
  }

  /* ---- the legend: datum and notes in a line or two, then the classes of the layers shown */
  function swatch(style, parent) {
    var sw = el("span", "sg-sw sg-sw-" + (style.marker || "box"), null, parent);
    sw.style.borderColor = style.color || "#333";
    if (style.dashArray) { sw.style.borderStyle = "dashed"; }
    if (style.hatch) {
      sw.style.backgroundImage = "repeating-linear-gradient(" + (angle(style) + 90) + "deg, " +
        style.color + " 0 2px, transparent 2px 6px)";
    } else if ((style.fillOpacity || 0) > 0.05 || style.marker === "circle") {
      sw.style.backgroundColor = style.fillColor || style.color;
    }
    return sw;
  }
  function legend(map, spec) {
    var c = L.control({position: "bottomleft"}), body, box;
    function shown(item) {
      return lookup(item.layers).some(function (l) { return map.hasLayer(l); });
    }
    function fill() {
      body.textContent = "";
      el("div", "sg-head", spec.head, body);
      spec.notes.forEach(function (n) { el("div", "sg-note", n, body); });
      spec.sections.forEach(function (sec) {
        var items = sec.items.filter(shown);
        if (!items.length) { return; }
        var alone = items.length === 1 && items[0].label === sec.title;
        el("div", "sg-section", alone ? "" : sec.title, body);
        items.forEach(function (it) {
          var row = el("div", "sg-item", null, body);
          swatch(it.style, row);
          el("span", null, it.label, row);
        });
      });
    }
    c.onAdd = function () {
      box = L.DomUtil.create("div", "sg-legend leaflet-control");
      var bar = el("button", "sg-legend-bar", null, box);
      bar.type = "button";
      el("span", "sg-legend-title", spec.title, bar);
      el("span", "sg-legend-arrow", null, bar);
      body = el("div", "sg-legend-body", null, box);
      fill();
      if (!spec.open) { box.classList.add("sg-closed"); }
      L.DomEvent.on(bar, "click", function () { box.classList.toggle("sg-closed"); map.fire("sg:legend"); });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      map.on("sg:layers", fill);
      return box;
    };
    c.sgBox = function () { return box; };
    return c;
  }

  /* ---- layout: the legend between the zoom buttons and the scale, the layer list inside the map */
  function rect(node) { return node ? node.getBoundingClientRect() : null; }
  function layout(map, ctl, leg) {
    var h = map.getSize().y, top = map.getContainer().getBoundingClientRect().top;
    var zoom = rect(map.getContainer().querySelector(".leaflet-control-zoom"));
    var scale = rect(map.getContainer().querySelector(".leaflet-control-scale"));
    var list = ctl.getContainer().querySelector(".sg-layers-list");
    list.style.maxHeight = Math.max(120, h - 40) + "px";
    if (leg) {
      var box = leg.sgBox(), body = box.querySelector(".sg-legend-body");
      var bar = box.querySelector(".sg-legend-bar").getBoundingClientRect().height;
      var above = zoom ? zoom.bottom - top + 10 : 10, below = scale ? top + h - scale.top + 10 : 10;
      body.style.maxHeight = Math.max(40, h - above - below - bar - 22) + "px";
      var a = rect(box), b = rect(ctl.getContainer());
      if (a && b && b.width > 60 && overlaps(a, b)) { box.classList.add("sg-closed"); }
    }
  }

  function setup(map, spec) {
    if (spec.scale) { L.control.scale({imperial: false, metric: true, maxWidth: 150}).addTo(map); }
    var ctl = control(map, spec.control).addTo(map), leg = null, size = map.getSize();
    if (spec.legend) {
      if (spec.legend.open === null) { spec.legend.open = size.x >= 640 && size.y >= 400; }
      leg = legend(map, spec.legend).addTo(map);
    }
    if (spec.background) { map.getContainer().style.background = spec.background; }
    var labelGroups = lookup(spec.labels || []);
    function relayout() { layout(map, ctl, leg); }
    function tidy() { declutter(labelGroups); }
    map.on("resize sg:expand sg:legend", relayout);
    map.on("zoomend moveend sg:layers", function () { window.setTimeout(tidy, 0); });
    map.on("popupopen", function (e) {
      e.popup.options.maxHeight = Math.max(160, Math.round(map.getSize().y * 0.6));
      e.popup.update();
    });
    relayout();
    if (spec.bounds) {
      var pad = leg && !leg.sgBox().classList.contains("sg-closed") ? leg.sgBox().offsetWidth + 20 : 16;
      map.fitBounds(spec.bounds, {paddingTopLeft: [pad, 16], paddingBottomRight: [16, 16]});
    }
    window.setTimeout(tidy, 0);
    return {control: ctl, legend: leg};
  }

  return {table: table, layer: layer, labels: labels, declutter: declutter, setup: setup, hatchId: hatchId};
})();
