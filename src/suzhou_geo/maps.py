"""Interactive Folium maps of schemes, redlines, joint-control zones and parcel reports.

Every layer is drawn by :func:`layer_to_folium`; :func:`plan_map` puts several on one
map with a basemap, a layer control and a legend; :func:`save_map` writes one HTML
file, optionally self-contained (Leaflet inlined) for isolated government networks.

What the module guarantees:

* **Datum.** Layers are stored in CGCS2000 (EPSG:4490). On a Gaode/Amap basemap,
  whose tiles are drawn in GCJ-02, every vector layer is shifted with
  :func:`suzhou_geo.crs.wgs84_to_gcj02` *for display only*; the legend says which
  datum the map is drawn in.  The input frames are never modified.
* **Safety.** Attribute values reach tooltips and popups through ``textContent``
  (never ``innerHTML``), layer and legend labels are HTML-escaped, and the embedded
  GeoJSON escapes ``<``, ``>`` and ``&``, so a parcel named
  ``<img src=x onerror=alert(1)>`` shows as text and runs nothing.  folium's own
  ``GeoJsonTooltip``/``GeoJsonPopup`` build their tables with ``innerHTML`` and are
  therefore not used.
* **Size.** Coordinates are rounded to 5 decimals (1e-5 degree is 1.11 m north-south
  and 0.95 m east-west at 31.3 °N, so the rounding error is at most 0.56 m, far below
  the ``accuracy_m`` of any bundled feature) and features with many vertices are
  simplified (10 m, in EPSG:4549) for display only, never for analysis.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from .crs import CGCS2000, CGCS2000_GK_CM120, ensure_crs, wgs84_to_gcj02

__all__ = [
    "plan_map",
    "layer_to_folium",
    "save_map",
    "report_map",
    "bundled_layer",
    "BASEMAPS",
    "BUNDLED_LAYERS",
    "ROLE_STYLES",
    "VERDICT_STYLES",
]

log = logging.getLogger(__name__)

#: Decimals kept in drawn coordinates: 1e-5° = 1.11 m (N-S), 0.95 m (E-W) at 31.3°N.
PRECISION = 5
#: Display simplification (m, in EPSG:4549) applied by default to features with more
#: than :data:`AUTO_SIMPLIFY_MIN_VERTICES` vertices.  10 m is a tenth of the 100 m
#: ``accuracy_m`` of the bundled boundaries (data/boundaries/README.md) and below one
#: screen pixel up to zoom 13 (16 m/pixel at 31.3°N).
AUTO_SIMPLIFY_M = 10.0
#: Features with at most this many vertices (parcels, schematic shapes) are never simplified.
AUTO_SIMPLIFY_MIN_VERTICES = 200
#: Layers with more features than this trigger a warning (100 000 box parcels made a 31 MB file).
LARGE_LAYER_FEATURES = 50_000

_GCJ_DATUM = "GCJ-02 (shifted for the Gaode basemap)"
_WGS_DATUM = "CGCS2000/WGS84"
_ILLUSTRATIVE = "illustrative — not the official redline"

# --------------------------------------------------------------------------- styles

#: Style by element role (``role_en`` of scheme elements, issue 3 vocabulary).
ROLE_STYLES: dict[str, dict[str, Any]] = {
    "main_centre": {"label": "主中心 main centre", "color": "#b2182b", "fillColor": "#d6604d", "fillOpacity": 0.35, "weight": 3, "radius": 9},
    "sub_centre": {"label": "副中心 sub-centre", "color": "#d6604d", "fillColor": "#f4a582", "fillOpacity": 0.35, "weight": 2, "radius": 7},
    "axis": {"label": "轴 axis", "color": "#762a83", "weight": 4, "dashArray": "10 6", "fillOpacity": 0.1},
    "core": {"label": "核 core", "color": "#00441b", "fillColor": "#1b7837", "fillOpacity": 0.4, "weight": 2},
    "heart": {"label": "心 heart", "color": "#00441b", "fillColor": "#238b45", "fillOpacity": 0.45, "weight": 2},
    "patch": {"label": "片 patch", "color": "#41ab5d", "fillColor": "#a1d99b", "fillOpacity": 0.3, "weight": 1.5},
    "corridor": {"label": "廊 corridor", "color": "#4d9221", "fillColor": "#b8e186", "fillOpacity": 0.3, "weight": 3},
    "point": {"label": "点 point", "color": "#8c510a", "fillColor": "#dfc27d", "fillOpacity": 0.8, "weight": 2, "radius": 6},
    "lake": {"label": "湖 lake", "color": "#08519c", "fillColor": "#6baed6", "fillOpacity": 0.5, "weight": 1.5},
    "river": {"label": "河 river", "color": "#2171b5", "fillColor": "#9ecae1", "fillOpacity": 0.4, "weight": 3},
    "belt": {"label": "带 belt", "color": "#01665e", "fillColor": "#80cdc1", "fillOpacity": 0.25, "weight": 2},
    "zone": {"label": "区 zone", "color": "#bf812d", "fillColor": "#f6e8c3", "fillOpacity": 0.2, "weight": 2, "dashArray": "6 4"},
    "source_area": {"label": "源地 source area", "color": "#35978f", "fillColor": "#c7eae5", "fillOpacity": 0.4, "weight": 1.5},
}

#: Style by validation verdict (issue 5): conflict red, review orange, notice blue, pass green, invalid grey.
VERDICT_STYLES: dict[str, dict[str, Any]] = {
    "conflict": {"label": "冲突 conflict", "color": "#d7191c", "fillColor": "#d7191c", "fillOpacity": 0.5, "weight": 2, "radius": 6},
    "review": {"label": "复核 review", "color": "#fd8d3c", "fillColor": "#fd8d3c", "fillOpacity": 0.45, "weight": 2, "radius": 6},
    "notice": {"label": "告知 notice", "color": "#2c7bb6", "fillColor": "#2c7bb6", "fillOpacity": 0.4, "weight": 2, "radius": 6},
    "pass": {"label": "通过 pass", "color": "#1a9641", "fillColor": "#1a9641", "fillOpacity": 0.35, "weight": 1.5, "radius": 5},
    "invalid": {"label": "无效 invalid", "color": "#969696", "fillColor": "#bdbdbd", "fillOpacity": 0.4, "weight": 1.5, "dashArray": "4 3", "radius": 5},
}
_VERDICT_ORDER = ("conflict", "review", "notice", "pass", "invalid")

REDLINE_STYLES: dict[str, dict[str, Any]] = {
    "ecological_protection_redline": {"label": "生态保护红线 ecological protection redline", "color": "#a50f15", "fillColor": "#ef3b2c", "fillOpacity": 0.3, "weight": 1.5},
    "ecological_space_control": {"label": "生态空间管控区域 ecological space control area", "color": "#238443", "fillColor": "#78c679", "fillOpacity": 0.25, "weight": 1.5, "dashArray": "5 3"},
}
JOINT_STYLES = {"joint": {"label": "联防联控区 joint-control zone", "color": "#6a3d9a", "fillColor": "#cab2d6", "fillOpacity": 0.35, "weight": 1.5, "dashArray": "6 4"}}
BOUNDARY_STYLES = {
    "city": {"label": "市界 city boundary", "color": "#252525", "weight": 3, "fillOpacity": 0.02, "fillColor": "#ffffff"},
    "suzhou": {"label": "苏州 county-level unit", "color": "#525252", "weight": 1.5, "fillOpacity": 0.02, "fillColor": "#ffffff"},
    "neighbour": {"label": "邻近区县 neighbour", "color": "#969696", "weight": 1, "dashArray": "4 3", "fillOpacity": 0.02, "fillColor": "#ffffff"},
}
_GENERIC_COLOURS = ("#e66101", "#5e3c99", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e")

# --------------------------------------------------------------------------- basemaps

_TDT = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={tk}"
)
_GAODE_ATTR = "&copy; 高德地图 AutoNavi (GCJ-02)"
_TDT_ATTR = "&copy; 天地图 Tianditu (CGCS2000)"

#: Basemaps: tile URL (or folium/xyzservices name), datum, and what is offered with it.
#: Sources: data_and_crs.md §3 (Leaflet.ChineseTmsProviders; xyzservices; Tianditu WMTS).
BASEMAPS: dict[str, dict[str, Any]] = {
    "osm": {
        "label": "OpenStreetMap", "gcj": False, "family": ("osm", "cartodb"),
        "tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "subdomains": "abc", "max_zoom": 19,
        "attr": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    },
    "cartodb": {
        "label": "CartoDB Positron", "gcj": False, "family": ("cartodb", "osm"),
        "tiles": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png", "subdomains": "abcd", "max_zoom": 20,
        "attr": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
                '&copy; <a href="https://carto.com/attributions">CARTO</a>',
    },
    "gaode": {
        "label": "高德地图 Gaode", "gcj": True, "family": ("gaode", "gaode-satellite"),
        "tiles": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "subdomains": "1234", "attr": _GAODE_ATTR, "max_zoom": 18,
    },
    "gaode-satellite": {
        "label": "高德卫星 Gaode satellite", "gcj": True, "family": ("gaode-satellite", "gaode"),
        "tiles": "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
        "subdomains": "1234", "attr": _GAODE_ATTR, "max_zoom": 18,
        "labels": "https://webst0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
    },
    "tianditu": {
        "label": "天地图 Tianditu", "gcj": False, "family": ("tianditu", "tianditu-img"), "tk": True,
        "tiles": _TDT.format(layer="vec", tk="{tk}"), "labels": _TDT.format(layer="cva", tk="{tk}"),
        "subdomains": "01234567", "attr": _TDT_ATTR, "max_zoom": 18,
    },
    "tianditu-img": {
        "label": "天地图影像 Tianditu imagery", "gcj": False, "family": ("tianditu-img", "tianditu"), "tk": True,
        "tiles": _TDT.format(layer="img", tk="{tk}"), "labels": _TDT.format(layer="cia", tk="{tk}"),
        "subdomains": "01234567", "attr": _TDT_ATTR, "max_zoom": 18,
    },
    "none": {"label": "no basemap", "gcj": False, "family": ()},
}
_BASEMAP_ALIASES = {
    "openstreetmap": "osm", "carto": "cartodb", "cartodb positron": "cartodb", "positron": "cartodb",
    "amap": "gaode", "高德": "gaode", "amap-satellite": "gaode-satellite", "gaode-sat": "gaode-satellite",
    "tdt": "tianditu", "天地图": "tianditu", "tianditu-satellite": "tianditu-img", "tdt-img": "tianditu-img",
    None: "none", "": "none",
}


def _basemap_key(basemap: Any) -> str:
    key = basemap.strip().lower() if isinstance(basemap, str) else basemap
    key = _BASEMAP_ALIASES.get(key, key)
    if key not in BASEMAPS:
        raise ValueError(
            f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)} "
            "(aliases: amap = gaode, tdt = tianditu)"
        )
    return key


def _tile_layers(key: str, tk: str | None) -> list[folium.TileLayer]:
    """Return the base layers offered for *key* (the chosen one shown) and any label overlays."""
    spec = BASEMAPS[key]
    if spec.get("tk") and not tk:
        raise ValueError(
            f"basemap {key!r} needs a Tianditu key: pass tk='…' (CLI: --tk or $TIANDITU_TK). "
            "Keys are free from 天地图 (http://lbs.tianditu.gov.cn/server/MapService.html); "
            "note that the key is written into the saved HTML. Without a key use "
            "basemap='osm', 'cartodb' or 'gaode'."
        )
    out = []
    for i, k in enumerate(spec["family"]):
        s = BASEMAPS[k]
        url = s["tiles"].replace("{tk}", quote(str(tk), safe="")) if s.get("tk") else s["tiles"]
        kw = {"subdomains": s["subdomains"], "attr": s["attr"], "max_zoom": s["max_zoom"]} if "attr" in s else {}
        out.append(folium.TileLayer(url, name=s["label"], overlay=False, control=True, show=i == 0, **kw))
    labels = spec.get("labels")
    if labels:
        url = labels.replace("{tk}", quote(str(tk), safe="")) if spec.get("tk") else labels
        out.append(
            folium.TileLayer(
                url, name="注记 labels", overlay=True, control=True, show=True,
                subdomains=spec["subdomains"], attr=spec["attr"], max_zoom=spec["max_zoom"],
            )
        )
    return out


# --------------------------------------------------------------------------- JS / CSS helpers

_HELPERS = """<style>
.sg-table{border-collapse:collapse;font:12px/1.35 sans-serif}
.sg-table th{text-align:left;color:#555;font-weight:600;padding:1px 8px 1px 0;vertical-align:top;white-space:nowrap}
.sg-table td{padding:1px 0}
.sg-table .sg-v{display:block;width:max-content;max-width:320px;white-space:pre-wrap;overflow-wrap:break-word}
.sg-legend{background:#fff;padding:6px 9px;font:12px/1.45 sans-serif;border-radius:5px;box-shadow:0 1px 5px rgba(0,0,0,.35);max-height:55vh;max-width:330px;overflow:auto}
.sg-legend h4{margin:0 0 3px;font-size:13px}.sg-legend h5{margin:5px 0 1px;font-size:12px}
.sg-legend .sg-sw{display:inline-block;width:16px;height:10px;margin-right:6px;vertical-align:middle;border:2px solid}
.sg-legend .sg-note{color:#a50f15;font-weight:600;margin-bottom:2px}.sg-legend .sg-datum{color:#333;margin-bottom:3px}
</style>
<script>
var suzhouGeo = (function () {
  "use strict";
  var own = Object.prototype.hasOwnProperty;
  /* Attribute values are inserted with textContent only: never parsed as HTML. */
  function table(props, fields) {
    var t = document.createElement("table");
    t.className = "sg-table";
    for (var i = 0; i < fields.length; i++) {
      var v = own.call(props, fields[i][0]) ? props[fields[i][0]] : null;
      if (v === null || v === undefined || v === "") continue;
      var tr = t.insertRow();
      var th = document.createElement("th");
      th.textContent = fields[i][1];
      tr.appendChild(th);
      var d = document.createElement("div");
      d.className = "sg-v";
      d.textContent = String(v);
      tr.insertCell().appendChild(d);
    }
    return t;
  }
  function layer(data, spec) {
    var styles = spec.styles;
    function style(f) {
      var k = f.properties ? f.properties._s : null;
      return (k !== null && own.call(styles, k)) ? styles[k] : styles._default;
    }
    return L.geoJson(data, {
      style: style,
      pointToLayer: function (f, ll) { return L.circleMarker(ll, style(f)); },
      onEachFeature: function (f, lyr) {
        lyr.bindTooltip(function () { return table(f.properties, spec.tooltip); }, {sticky: true});
        lyr.bindPopup(function () { return table(f.properties, spec.popup); }, {maxWidth: 440});
        lyr.on("mouseover", function (e) {
          if (e.target.setStyle) { e.target.setStyle({weight: (style(f).weight || 2) + 2}); }
        });
        lyr.on("mouseout", function (e) { if (e.target.setStyle) { e.target.setStyle(style(f)); } });
      }
    });
  }
  return {table: table, layer: layer};
})();
</script>"""


def _script_json(obj: Any) -> str:
    """JSON safe to embed in a ``<script>`` element (like Jinja's ``htmlsafe_json_dumps``)."""
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


class _SafeGeoJson(folium.map.Layer):
    """A GeoJSON overlay whose tooltips and popups are built with ``textContent``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = suzhouGeo.layer({{ this.data_json }}, {{ this.spec_json }});
        {% endmacro %}
        """
    )

    def __init__(self, data_json: str, spec: dict, name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "SafeGeoJson"
        self.data_json = data_json
        self.spec_json = _script_json(spec)


class _MapState(MacroElement):
    """Per-map bookkeeping rendered lazily: datum, legend entries, notes and the bounds to fit."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- if this.bounds %}
        {{ this._parent.get_name() }}.fitBounds({{ this.bounds_json }}, {padding: [12, 12]});
        {%- endif %}
        {%- if this.legend %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "sg-legend");
                div.innerHTML = {{ this.legend_json() }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, gcj: bool, legend: bool = True, title: str | None = None, offline: bool = False):
        super().__init__()
        self._name = "SuzhouGeoState"
        self.gcj = gcj
        self.legend = legend
        self.title = title
        self.offline = offline
        self.sections: dict[str, dict[str, dict]] = {}
        self.notes: list[str] = []
        self._bounds: list[float] | None = None
        self.layer_names: list[str] = []

    @property
    def datum(self) -> str:
        return _GCJ_DATUM if self.gcj else _WGS_DATUM

    @property
    def bounds(self) -> list[list[float]] | None:
        if self._bounds is None:
            return None
        w, s, e, n = self._bounds
        return [[s, w], [n, e]]

    @property
    def bounds_json(self) -> str:
        return json.dumps(self.bounds)

    def extend(self, bounds: Sequence[float]) -> None:
        if not np.all(np.isfinite(bounds)):
            return
        b = [float(v) for v in bounds]
        if self._bounds is None:
            self._bounds = b
        else:
            o = self._bounds
            self._bounds = [min(o[0], b[0]), min(o[1], b[1]), max(o[2], b[2]), max(o[3], b[3])]

    def add_entries(self, section: str, styles: dict[str, dict], present: Iterable[str]) -> None:
        sec = self.sections.setdefault(section, {})
        for key in present:
            st = styles.get(key, styles.get("_default"))
            if st is not None and key not in sec:
                sec[key] = st

    def add_note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def legend_html(self) -> str:
        parts = []
        if self.title:
            parts.append(f"<h4>{_esc(self.title)}</h4>")
        # datum and warnings first: they must stay visible when the legend scrolls
        parts.append(f'<div class="sg-datum">坐标 datum: {_esc(self.datum)}</div>')
        for note in self.notes:
            parts.append(f'<div class="sg-note">{_esc(note)}</div>')
        for section, entries in self.sections.items():
            parts.append(f"<h5>{_esc(section)}</h5>")
            for key, st in entries.items():
                border = st.get("color", "#333")
                fill = st.get("fillColor", "#fff") if st.get("fillOpacity", 0) > 0.05 else "#fff"
                dash = "dashed" if st.get("dashArray") else "solid"
                label = st.get("label") or key
                parts.append(
                    f'<div><span class="sg-sw" style="border-color:{_esc(border)};'
                    f'background:{_esc(fill)};border-style:{dash}"></span>{_esc(label)}</div>'
                )
        return "".join(parts)

    def legend_json(self) -> str:
        return _script_json(json.dumps(self.legend_html(), ensure_ascii=False))


class _PlanMap(folium.Map):
    """A ``folium.Map`` that keeps its layer control last, so layers added later are listed."""

    def render(self, **kwargs):
        for key, child in list(self._children.items()):
            if isinstance(child, folium.LayerControl):
                self._children.move_to_end(key)
        return super().render(**kwargs)


def _state(m: folium.Map, gcj: bool = False) -> _MapState:
    st = getattr(m, "_suzhou_geo_state", None)
    if st is None:
        st = _MapState(gcj=gcj)
        m.add_child(st)
        m._suzhou_geo_state = st
        m.get_root().header.add_child(Element(_HELPERS), name="suzhou_geo_helpers")
    return st


def _ensure_control(m: folium.Map, collapsed: bool = True) -> None:
    for key, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl):
            m._children.move_to_end(key)
            return
    folium.LayerControl(collapsed=collapsed).add_to(m)


def _new_map(
    basemap: Any = "osm", tk: str | None = None, *, title: str | None = None, legend: bool = True,
    collapsed: bool = True, offline: bool = False, **map_kwargs: Any,
) -> _PlanMap:
    key = _basemap_key(basemap)
    tiles = _tile_layers(key, tk)
    map_kwargs.setdefault("location", [31.3, 120.6])
    map_kwargs.setdefault("zoom_start", 9)
    map_kwargs.setdefault("control_scale", True)
    m = _PlanMap(tiles=None, **map_kwargs)
    for t in tiles:
        t.add_to(m)
    st = _state(m, gcj=BASEMAPS[key]["gcj"])
    st.legend, st.title, st.offline = legend, title, offline
    m._suzhou_geo_basemap = key
    if title:
        m.get_root().title = _esc(title)
    folium.LayerControl(collapsed=collapsed).add_to(m)
    return m


# --------------------------------------------------------------------------- layers

def _coerce(layer: Any, name: str | None) -> tuple[gpd.GeoDataFrame, str | None, bool]:
    """Layer-like -> (GeoDataFrame, default name, illustrative flag)."""
    illustrative = bool(getattr(layer, "illustrative", False) is True)
    default = None
    obj = layer
    if isinstance(layer, (str, Path)):
        path = Path(layer)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file; give a vector file (GeoPackage, Shapefile, GeoJSON …)")
        obj = gpd.read_file(path, engine="pyogrio")
        default = path.stem
    elif not isinstance(layer, (gpd.GeoDataFrame, gpd.GeoSeries)):
        for attr in ("name_zh", "name"):
            v = getattr(layer, attr, None)
            if isinstance(v, str):
                default = v
                break
        if isinstance(getattr(layer, "elements", None), gpd.GeoDataFrame):
            obj = layer.elements
        elif callable(getattr(layer, "to_frame", None)):
            obj = layer.to_frame()
        if not isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries)):
            raise TypeError(
                f"cannot draw a {type(layer).__name__}: give a GeoDataFrame, GeoSeries, a file path, "
                "or an object with .elements / .to_frame() returning a GeoDataFrame"
            )
    if isinstance(obj, gpd.GeoSeries):
        obj = obj.to_frame(name=obj.name if isinstance(obj.name, str) else "geometry")
        obj = obj.set_geometry(obj.columns[0])
    if obj.attrs.get("illustrative") is True:
        illustrative = True
    return obj, name or default, illustrative


def _detect_kind(frame: gpd.GeoDataFrame) -> str | None:
    cols = set(frame.columns)
    if "role_en" in cols:
        return "scheme"
    if "verdict" in cols:
        return "report"
    if "kind" in cols and frame["kind"].isin(tuple(REDLINE_STYLES)).any():
        return "redlines"
    if "pair" in cols:
        return "joint_zone"
    if {"adcode", "name_zh", "level"} <= cols:
        return "boundaries"
    return None


_KINDS = ("scheme", "redlines", "joint_zone", "report", "boundaries")
_NAME_COLUMNS = ("name_zh", "name", "名称", "地块名称", "parcel_name", "name_en", "parcel_id", "地块编号", "id")
_L = {
    "name_zh": "名称", "name_en": "name", "name": "名称 name", "role": "角色", "role_en": "role",
    "_role": "角色 role", "_verdict": "结论 verdict",
    "scheme": "格局 scheme", "element_id": "要素 element", "_area": "面积 area", "_length": "长度 length",
    "basis": "依据 basis", "accuracy_m": "精度 accuracy (m)", "source": "来源 source", "note": "备注 note",
    "verdict": "结论 verdict", "reasons": "原因 reasons", "redline_names": "红线 redlines",
    "redline_overlap_m2": "红线重叠 overlap (m²)", "redline_overlap_ratio": "重叠比例 overlap ratio",
    "nearest_redline_m": "最近红线 nearest redline (m)", "in_joint_zone": "联控区内 in joint zone",
    "joint_zone": "联控区 joint zone", "district": "区县 district", "scheme_elements": "格局要素 scheme elements",
    "geometry_issue": "几何问题 geometry issue", "kind": "类型 kind", "category": "类别 category",
    "jurisdiction": "辖区 jurisdiction", "pair": "边界 border pair", "side": "侧 side",
    "border_length_m": "边界长度 border length (m)", "members": "成员 members", "distance_m": "距离 distance (m)",
    "parcel_name": "地块 parcel", "parcel_id": "地块编号 parcel id", "地块名称": "地块名称 parcel",
    "adcode": "行政代码 adcode", "level": "级别 level", "parent": "上级 parent",
}
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (tooltip columns, extra popup columns)
    "scheme": (("name_zh", "name_en", "_role", "scheme", "_area", "_length"),
               ("element_id", "basis", "accuracy_m", "source", "note")),
    "redlines": (("name", "name_zh", "kind", "category", "jurisdiction", "_area"),
                 ("basis", "accuracy_m", "source", "note")),
    "joint_zone": (("pair", "side", "_area", "border_length_m"), ("members", "distance_m", "source", "note")),
    "report": (("_verdict", "reasons"),
               ("redline_names", "redline_overlap_m2", "redline_overlap_ratio", "nearest_redline_m",
                "in_joint_zone", "joint_zone", "district", "scheme_elements", "geometry_issue", "_area")),
    "boundaries": (("name_zh", "name_en", "adcode", "level", "parent", "_area"), ("basis", "accuracy_m", "source")),
}
_MAX_POPUP_COLUMNS = 40
_MAX_TEXT = 2000


def _json_column(s: pd.Series, col: str) -> list:
    """Convert a column to JSON-safe values (numbers rounded, NaN -> None, the rest as text)."""
    if pd.api.types.is_bool_dtype(s):
        return [None if pd.isna(v) else bool(v) for v in s]
    if pd.api.types.is_integer_dtype(s):
        return [None if pd.isna(v) else int(v) for v in s]
    if pd.api.types.is_float_dtype(s):
        digits = 2 if col.endswith("_m") or col.endswith("_m2") else 4
        vals = np.round(s.to_numpy(dtype=float), digits)
        return [None if not np.isfinite(v) else (int(v) if v.is_integer() and abs(v) < 1e15 else float(v)) for v in vals]

    def conv(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            return None
        if isinstance(v, (list, tuple, set, np.ndarray)):
            v = "; ".join(str(x) for x in v)
        elif isinstance(v, dict):
            v = json.dumps(v, ensure_ascii=False)
        elif isinstance(v, (np.generic,)):
            v = v.item()
            if isinstance(v, (int, float, bool)):
                return v
        v = str(v)
        return v if len(v) <= _MAX_TEXT else v[: _MAX_TEXT - 1] + "…"

    return [conv(v) for v in s.to_numpy(dtype=object)]


def _fmt_area(m2: np.ndarray) -> list:
    out = []
    for a in m2:
        if not np.isfinite(a) or a <= 0:
            out.append(None)
        elif a >= 1e6:
            out.append(f"{a / 1e6:,.4f} km²")
        else:
            out.append(f"{a:,.0f} m² ({a / 1e4:,.2f} ha)")
    return out


def _measures(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Display areas (ellipsoidal, equal-area projection) and line lengths of a frame in EPSG:4490."""
    from .measure import area_m2, area_m2_fast, length_m

    geoms = frame.geometry.values
    tid = shapely.get_type_id(np.asarray(geoms))
    poly = np.isin(tid, (3, 6))
    line = np.isin(tid, (1, 2, 5))
    out = pd.DataFrame(index=frame.index)
    area = np.full(len(frame), np.nan)
    if "area_km2" in frame.columns and pd.api.types.is_numeric_dtype(frame["area_km2"]):
        area = frame["area_km2"].to_numpy(dtype=float) * 1e6
    missing = poly & ~np.isfinite(area)
    if missing.any():
        todo = np.asarray(geoms)[missing]
        if missing.sum() <= 5000:  # exact geodesic area, as check_floor reports it (4 decimals in km²)
            area[missing] = np.asarray(area_m2(gpd.GeoSeries(todo, crs=CGCS2000)), dtype=float)
        else:  # many parcels: equal-area projection, within 1e-6 relative for parcel-sized polygons
            area[missing] = area_m2_fast(todo, CGCS2000)
    out["_area"] = _fmt_area(np.where(poly, area, np.nan))
    if line.any() and line.sum() <= 20_000:
        lengths = np.full(len(frame), np.nan)
        if "length_km" in frame.columns and pd.api.types.is_numeric_dtype(frame["length_km"]):
            lengths = frame["length_km"].to_numpy(dtype=float) * 1000
        todo = line & ~np.isfinite(lengths)
        if todo.any():
            lengths[todo] = np.asarray(length_m(gpd.GeoSeries(np.asarray(geoms)[todo], crs=CGCS2000)), dtype=float)
        lengths[~line] = np.nan
        out["_length"] = [None if not np.isfinite(v) else f"{v / 1000:,.2f} km" for v in lengths]
    return out


def _display_geoms(geoms: np.ndarray, simplify_m: float | None, gcj: bool, precision: int) -> np.ndarray:
    """Simplify (EPSG:4549, display only), shift to GCJ-02 if asked, round coordinates."""
    from pyproj import Transformer

    geoms = np.asarray(geoms, dtype=object)
    if simplify_m is None:
        tol = np.where(shapely.get_num_coordinates(geoms) > AUTO_SIMPLIFY_MIN_VERTICES, AUTO_SIMPLIFY_M, 0.0)
    else:
        tol = np.full(len(geoms), float(simplify_m))
    todo = tol > 0
    if todo.any():
        fwd = Transformer.from_crs(CGCS2000, CGCS2000_GK_CM120, always_xy=True)
        inv = Transformer.from_crs(CGCS2000_GK_CM120, CGCS2000, always_xy=True)
        metric = shapely.transform(geoms[todo], fwd.transform, interleaved=False)
        simple = shapely.simplify(metric, tol[todo], preserve_topology=True)
        geoms = geoms.copy()
        geoms[todo] = shapely.transform(simple, inv.transform, interleaved=False)
    if gcj:
        geoms = wgs84_to_gcj02(geoms)
    geoms = shapely.transform(geoms, lambda c: np.round(c, precision))
    try:
        geoms = shapely.remove_repeated_points(geoms, 0.0)
    except shapely.errors.GEOSException:  # a ring collapsed to < 4 points: keep the rounded one
        pass
    return geoms


def _feature_collection(geoms: np.ndarray, props: list[dict], name: str) -> str:
    gj = shapely.to_geojson(geoms)
    feats = ",".join(
        '{"type":"Feature","properties":' + json.dumps(p, ensure_ascii=False, separators=(",", ":"))
        + ',"geometry":' + g + "}"
        for p, g in zip(props, gj, strict=True)
    )
    head = '{"type":"FeatureCollection","name":' + json.dumps(name, ensure_ascii=False) + ',"features":['
    return _script_json(head + feats + "]}")


def _fields(kind: str | None, frame: gpd.GeoDataFrame, tooltip, popup) -> tuple[list, list]:
    geo = set(frame.columns[frame.dtypes == "geometry"])
    cols = [c for c in frame.columns if c not in geo and not str(c).startswith("_")]
    name_cols = [c for c in _NAME_COLUMNS if c in frame.columns]
    if kind in _FIELDS:
        tip, extra = _FIELDS[kind]
        if kind == "report":
            tip = tuple(name_cols[:2]) + tip
        tip_cols = [c for c in tip if c in frame.columns]
        pop_cols = tip_cols + [c for c in extra if c in frame.columns and c not in tip_cols]
        # measured columns are shown once, formatted with their unit (_area, _length)
        shown = {"area_km2", "length_km", "verdict", "role", "role_en"} if kind in ("scheme", "report") else {"area_km2", "length_km"}
        pop_cols += [c for c in cols if c not in pop_cols and c not in shown]
    else:
        tip_cols = name_cols[:2] + [c for c in ("_area", "_length") if c in frame.columns]
        if not name_cols:
            tip_cols = cols[:4] + tip_cols
        pop_cols = [c for c in cols if c not in tip_cols]
        pop_cols = tip_cols[: len(tip_cols)] + pop_cols
    if tooltip is not None:
        tip_cols = [tooltip] if isinstance(tooltip, str) else list(tooltip)
    if popup is not None:
        pop_cols = [popup] if isinstance(popup, str) else list(popup)
    pop_cols = pop_cols[:_MAX_POPUP_COLUMNS]
    for c in set(tip_cols) | set(pop_cols):
        if c not in frame.columns:
            raise KeyError(f"column {c!r} asked for in a tooltip/popup is not in the layer; it has {cols}")
    return ([(c, _L.get(c, str(c))) for c in tip_cols], [(c, _L.get(c, str(c))) for c in pop_cols])


def _style_classes(
    kind: str | None, frame: gpd.GeoDataFrame, colour_index: int, label: str = "layer"
) -> tuple[np.ndarray, dict, str]:
    """(class per row, styles, legend section) for a layer."""
    n = len(frame)
    if kind == "scheme":
        classes = frame["role_en"].astype(str).to_numpy()
        styles = dict(ROLE_STYLES)
        return classes, styles, "格局要素 scheme elements"
    if kind == "report":
        classes = frame["verdict"].astype(str).to_numpy()
        return classes, dict(VERDICT_STYLES), "地块结论 parcel verdicts"
    if kind == "redlines":
        classes = frame["kind"].astype(str).to_numpy() if "kind" in frame else np.full(n, "ecological_protection_redline")
        return classes, dict(REDLINE_STYLES), "红线 redlines"
    if kind == "joint_zone":
        return np.full(n, "joint", dtype=object), dict(JOINT_STYLES), "联控区 joint-control zones"
    if kind == "boundaries":
        level = frame["level"].astype(str).to_numpy() if "level" in frame else np.full(n, "")
        insz = frame["in_suzhou"].fillna(False).astype(bool).to_numpy() if "in_suzhou" in frame else np.ones(n, bool)
        classes = np.where(level == "city", "city", np.where(insz, "suzhou", "neighbour")).astype(object)
        return classes, dict(BOUNDARY_STYLES), "行政区划 boundaries"
    colour = _GENERIC_COLOURS[colour_index % len(_GENERIC_COLOURS)]
    key = f"layer{colour_index}"
    st = {"label": label, "color": colour, "fillColor": colour, "fillOpacity": 0.3, "weight": 2, "radius": 6}
    return np.full(n, key, dtype=object), {key: st}, "图层 layers"


def _is_illustrative(frame: gpd.GeoDataFrame, flag: bool) -> bool:
    if flag or frame.attrs.get("illustrative") is True:
        return True
    if "illustrative" in frame.columns and frame["illustrative"].fillna(False).astype(bool).any():
        return True
    if "basis" in frame.columns:
        return bool(frame["basis"].astype(str).str.contains("illustrative", case=False, na=False).any())
    return False


def _unique_name(st: _MapState, name: str) -> str:
    out, i = name, 2
    while out in st.layer_names:
        out, i = f"{name} ({i})", i + 1
    st.layer_names.append(out)
    return out


def layer_to_folium(
    layer: Any,
    m: folium.Map | None = None,
    *,
    name: str | None = None,
    kind: str | None = None,
    gcj: bool | None = None,
    crs: Any = None,
    simplify_m: float | None = None,
    precision: int = PRECISION,
    show: bool = True,
    tooltip: str | Sequence[str] | None = None,
    popup: str | Sequence[str] | None = None,
    basemap: str = "osm",
    tk: str | None = None,
) -> folium.Map:
    """Draw one layer on a folium map (a new one if *m* is None) and return the map.

    Parameters
    ----------
    layer : GeoDataFrame, GeoSeries, path, or object with ``.elements`` / ``.to_frame()``
        What to draw.  Its CRS is checked with :func:`suzhou_geo.crs.ensure_crs`
        (a layer without one is an error unless *crs* is given).
    m : folium.Map, optional
        The map to draw on; a new map with *basemap* when omitted.
    name : str, optional
        Name in the layer control (default: the scheme's, file's or kind's name).
    kind : {"scheme", "redlines", "joint_zone", "report", "boundaries"}, optional
        How to style and group the layer; detected from the columns when omitted
        (``role_en`` → scheme, ``verdict`` → report, ``kind`` with redline values →
        redlines, ``pair`` → joint zone, ``adcode``/``name_zh``/``level`` → boundaries).
        Schemes get one toggleable layer per element ("scheme · element"), reports one
        per verdict, redlines one per kind.
    gcj : bool, optional
        Shift the geometry to GCJ-02 for display.  Default: follow the map (True on
        a map made for a Gaode basemap, else False).  Explicit ``False`` on a Gaode map
        draws misaligned by ~470 m (warned).
    crs : str, optional
        CRS to assume when the layer has none (e.g. ``"EPSG:4549"``, ``"GCJ-02"``).
    simplify_m : float, optional
        Display simplification tolerance in metres (EPSG:4549).  Default: 10 m for
        features with more than 200 vertices, none for the others; 0 disables it.
        The input is never modified.
    precision : int, default 5
        Decimals kept in drawn coordinates (5 ≈ 1 m).
    show : bool, default True
        Whether the layer is switched on when the map opens.
    tooltip, popup : column name(s), optional
        Override the columns shown on hover / click.
    basemap, tk : str, optional
        Basemap (and Tianditu key) of the new map when *m* is None.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> m = sg.layer_to_folium(sg.boundary("昆山市"))
    >>> type(m).__mro__[1].__name__
    'Map'
    """
    frame, default_name, illustrative = _coerce(layer, name)
    if kind is None:
        kind = _detect_kind(frame)
    elif kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS} or None, not {kind!r}")
    if m is None:
        m = _new_map("gaode" if gcj and basemap == "osm" else basemap, tk)
    st = _state(m)
    if gcj is None:
        gcj = st.gcj
    elif gcj != st.gcj:
        warnings.warn(
            f"layer drawn {'shifted to GCJ-02' if gcj else 'in CGCS2000/WGS84'} on a map whose basemap is "
            f"{st.datum}: it will be offset by about 470 m", stacklevel=2,
        )
    frame = ensure_crs(frame, assume=crs, name=default_name or "layer")
    illustrative = _is_illustrative(frame, illustrative)
    geom = frame.geometry.values
    ok = ~(shapely.is_missing(np.asarray(geom)) | shapely.is_empty(np.asarray(geom)))
    if (~ok).any():
        st.add_note(f"{int((~ok).sum())} feature(s) of {default_name or kind or 'a layer'} have no geometry and are not drawn")
    frame = frame[ok]
    if len(frame) > LARGE_LAYER_FEATURES:
        warnings.warn(
            f"{len(frame)} features: the HTML will be large (about 300 bytes per parcel-sized feature); consider drawing a "
            "subset, e.g. report[report.verdict != 'pass']", stacklevel=2,
        )
    base = name or default_name or {
        "scheme": "格局 scheme", "redlines": "红线 redlines", "joint_zone": "联控区 joint-control zone",
        "report": "地块 parcels", "boundaries": "行政区划 boundaries",
    }.get(kind, "layer")
    if kind == "redlines" and illustrative:
        st.add_note(f"红线为示意 — {_ILLUSTRATIVE}")
        note = frame.attrs.get("data_note")
        if isinstance(note, str) and note:
            st.add_note(note)
    if len(frame) == 0:
        _ensure_control(m)
        return m

    extra = _measures(frame)
    if kind == "scheme":  # "核 core": the plan's role and its English name in one line
        role = frame["role"].astype(str) + " " if "role" in frame else ""
        extra["_role"] = (role + frame["role_en"].astype(str)).to_numpy()
    elif kind == "report":
        extra["_verdict"] = [VERDICT_STYLES.get(v, {}).get("label", v) for v in frame["verdict"].astype(str)]
    data = pd.concat([frame.drop(columns=[c for c in extra.columns if c in frame.columns]), extra], axis=1)
    tip, pop = _fields(kind, data, tooltip, popup)
    classes, styles, section = _style_classes(kind, frame, len(st.layer_names), base)
    present = list(dict.fromkeys(classes.tolist()))
    styles["_default"] = {"color": "#555555", "fillColor": "#999999", "fillOpacity": 0.3, "weight": 2, "radius": 6}
    st.add_entries(section, styles, present)
    if any(p not in styles for p in present):
        st.sections[section].setdefault("_default", {**styles["_default"], "label": "其他 other"})

    draw = _display_geoms(frame.geometry.values, simplify_m, gcj, precision)
    st.extend(shapely.total_bounds(draw))
    columns = list(dict.fromkeys([c for c, _ in tip] + [c for c, _ in pop]))
    values = {c: _json_column(data[c], str(c)) for c in columns}
    keys = [str(c) for c in columns] + ["_s"]
    cols = [values[c] for c in columns] + [classes.tolist()]
    props = [dict(zip(keys, row, strict=True)) for row in zip(*cols, strict=True)]
    spec_styles = {k: {kk: vv for kk, vv in v.items() if kk != "label"} for k, v in styles.items() if k in present or k == "_default"}
    spec = {"styles": spec_styles, "tooltip": [[str(c), lab] for c, lab in tip], "popup": [[str(c), lab] for c, lab in pop]}

    # Groups: one toggleable overlay per scheme element, verdict or redline kind.
    if kind == "scheme":
        scheme = frame["scheme"].astype(str) if "scheme" in frame else pd.Series(base, index=frame.index)
        elem_col = next((c for c in ("name_zh", "name", "element_id", "name_en") if c in frame), None)
        elem = frame[elem_col].astype(str) if elem_col else pd.Series(np.arange(len(frame)).astype(str), index=frame.index)
        label = (scheme + " · " + elem).to_numpy()
    elif kind == "report":
        label = np.array([f"{base} · {VERDICT_STYLES.get(v, {}).get('label', v)}" for v in classes], dtype=object)
    elif kind == "redlines":
        tag = f" ({_ILLUSTRATIVE})" if illustrative else ""
        label = np.array([f"{REDLINE_STYLES.get(v, {}).get('label', v)}{tag}" for v in classes], dtype=object)
        if name:
            label = np.array([f"{name} · {lab}" for lab in label], dtype=object)
    else:
        label = np.full(len(frame), base, dtype=object)
    order = list(dict.fromkeys(label.tolist()))
    if kind == "report":
        rank = {f"{base} · {VERDICT_STYLES[v]['label']}": i for i, v in enumerate(_VERDICT_ORDER)}
        order.sort(key=lambda g: rank.get(g, 99))
    for group in order:
        idx = np.flatnonzero(label == group)
        shown = group
        if kind == "report":
            shown = f"{group} ({len(idx)})"
        layer_name = _unique_name(st, shown)
        data_json = _feature_collection(draw[idx], [props[i] for i in idx], layer_name)
        _SafeGeoJson(data_json, spec, name=_esc(layer_name), show=show).add_to(m)
    _ensure_control(m)
    return m


def plan_map(
    *layers: Any,
    basemap: str = "osm",
    tk: str | None = None,
    offline: bool = False,
    title: str | None = None,
    simplify_m: float | None = None,
    legend: bool = True,
    names: Sequence[str | None] | None = None,
    precision: int = PRECISION,
    collapsed: bool = True,
    **map_kwargs: Any,
) -> folium.Map:
    """Make an interactive map of planning layers: basemap, layer control, legend, tooltips.

    Parameters
    ----------
    *layers : GeoDataFrame, GeoSeries, path, Scheme, report …
        Drawn in order (see :func:`layer_to_folium` for styling and grouping).
    basemap : str, default "osm"
        ``"osm"`` or ``"cartodb"`` (both offered), ``"gaode"``/``"amap"`` or
        ``"gaode-satellite"`` (GCJ-02 tiles: every layer is shifted to GCJ-02 for
        display), ``"tianditu"``/``"tianditu-img"`` (needs *tk*), ``"none"``.
        Tile URLs: data_and_crs.md §3.
    tk : str, optional
        Tianditu key (required for the Tianditu basemaps; it ends up in the HTML).
    offline : bool, default False
        Inline Leaflet into the page (from the ``XStatic-Leaflet`` package) so that
        the saved file renders with no network; tiles are then simply absent.
    title : str, optional
        Shown at the top of the legend and as the page title.
    simplify_m : float, optional
        Display simplification tolerance (m); see :func:`layer_to_folium`.
    legend : bool, default True
        Show the legend (roles, verdicts, redline kinds, datum, notes).
    names : sequence of str, optional
        Layer names, one per layer (None keeps the default).
    precision : int, default 5
        Decimals kept in drawn coordinates.
    collapsed : bool, default True
        Whether the layer control starts collapsed.
    **map_kwargs
        Passed to :class:`folium.Map` (``width``, ``height``, ``zoom_start`` …).

    Returns
    -------
    folium.Map
        Fitted to the layers' bounds (Suzhou when there are none).

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> m = sg.plan_map(sg.jurisdictions(suzhou_only=True, geometry=True), basemap="cartodb")
    >>> html = m.get_root().render()
    >>> "CGCS2000/WGS84" in html
    True
    """
    m = _new_map(basemap, tk, title=title, legend=legend, collapsed=collapsed, offline=offline, **map_kwargs)
    if names is not None and len(names) != len(layers):
        raise ValueError(f"names has {len(names)} entries for {len(layers)} layers")
    for i, layer in enumerate(layers):
        layer_to_folium(
            layer, m, name=names[i] if names else None, simplify_m=simplify_m, precision=precision
        )
    if offline:
        _make_offline(m)
    return m


def report_map(report: Any, *context: Any, boundaries: bool = True, **kwargs: Any) -> folium.Map:
    """Map of a parcel compliance report (issue 5), with context layers under it.

    Parameters
    ----------
    report : GeoDataFrame
        Output of ``validate_parcels`` (a ``verdict`` column is required).
    *context : layers
        Drawn before the report (redlines, joint zones, a scheme …).
    boundaries : bool, default True
        Add the county-level jurisdictions the report's extent touches.
    **kwargs
        Passed to :func:`plan_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import geopandas as gpd, suzhou_geo as sg
    >>> from shapely.geometry import box
    >>> r = gpd.GeoDataFrame({"verdict": ["pass"], "reasons": ["-"]},
    ...                      geometry=[box(120.95, 31.38, 120.96, 31.39)], crs="EPSG:4490")
    >>> m = sg.report_map(r)
    """
    frame, _, _ = _coerce(report, None)
    if "verdict" not in frame.columns:
        raise ValueError("report_map needs a parcel report with a 'verdict' column (from validate_parcels)")
    layers = list(context)
    if boundaries and len(frame):
        from .boundaries import jurisdictions

        j = jurisdictions(geometry=True)
        j = j[j["level"] != "city"]
        b = ensure_crs(frame, name="report").total_bounds
        if np.all(np.isfinite(b)):
            layers.insert(0, j[j.intersects(shapely.box(*b))])
    kwargs.setdefault("title", "地块合规 parcel compliance")
    names = kwargs.pop("names", None)
    if names is not None:
        names = [None] * (len(layers) - len(context)) + list(names)
    return plan_map(*layers, frame, names=names, **kwargs)


# --------------------------------------------------------------------------- bundled layers

#: Names of bundled layers the CLI accepts, with the function that makes each (issue).
BUNDLED_LAYERS: dict[str, str] = {
    "boundaries": "jurisdictions (issue 2)",
    "schemes": "layers (issue 3)",
    "redlines": "load_redlines (issue 4)",
    "joint-zone": "joint_control_zone (issue 4)",
}


def bundled_layer(name: str) -> Any:
    """Return a bundled layer by name: ``boundaries``, ``schemes``, ``redlines``, ``joint-zone``, ``scheme:NAME``.

    Parameters
    ----------
    name : str
        One of :data:`BUNDLED_LAYERS`, or ``scheme:<name>`` for one scheme.

    Returns
    -------
    GeoDataFrame or Scheme

    Raises
    ------
    LookupError
        When the name is unknown, or the module that provides it is not installed yet.

    Examples
    --------
    >>> len(bundled_layer("boundaries"))
    30
    """
    import suzhou_geo as sg

    key = name.strip().lower().replace("_", "-")

    def need(attr: str, issue: str):
        fn = getattr(sg, attr, None)
        if fn is None:
            raise LookupError(
                f"bundled layer {name!r} needs suzhou_geo.{attr} ({issue}), which this installation "
                "does not have yet; draw a file instead"
            )
        return fn

    if key == "boundaries":
        return sg.jurisdictions(geometry=True)
    if key == "schemes":
        return need("layers", "issue 3")()
    if key == "redlines":
        return need("load_redlines", "issue 4")()
    if key in ("joint-zone", "joint-zones", "joint"):
        return need("joint_control_zone", "issue 4")()
    if key.startswith("scheme:"):
        return need("scheme", "issue 3")(name.split(":", 1)[1])
    raise LookupError(f"unknown bundled layer {name!r}; choose {', '.join(BUNDLED_LAYERS)} or scheme:NAME")


# --------------------------------------------------------------------------- offline and saving

_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", re.I)
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", re.I)
_REMOTE_CSS = re.compile(r"url\(\s*[\"']?((?:https?:)?//[^\"')\s]+)", re.I)
_NEEDS_REMOVED = {
    "L.AwesomeMarkers": "Leaflet.awesome-markers (folium.Icon)",
    "jQuery": "jQuery",
    "$.ajax": "jQuery (a GeoJson with embed=False)",
    "bootstrap.": "Bootstrap",
}


def _leaflet_assets() -> tuple[str, str, dict[str, str]]:
    """(leaflet.js, leaflet.css with images inlined, icon data URIs) from XStatic-Leaflet."""
    try:
        from xstatic.pkg import leaflet as xs
    except ImportError:
        raise ImportError(
            "offline maps inline Leaflet from the PyPI package XStatic-Leaflet: "
            "pip install 'XStatic-Leaflet>=1.9.3'"
        ) from None
    base = Path(xs.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    uris = {}
    for png in sorted((base / "images").glob("*.png")):
        uris[png.name] = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
    css = re.sub(r"url\((['\"]?)images/([\w.-]+\.png)\1\)", lambda mo: f"url({uris[mo.group(2)]})", css)
    js = js.replace("</script", "<\\/script")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    css = css.replace("</style", "<\\/style")
    return js, css, uris


def _make_offline(m: folium.Map) -> None:
    """Drop folium's CDN assets from *m* and inline Leaflet (idempotent)."""
    js, css, uris = _leaflet_assets()
    m.default_js = []
    m.default_css = []
    header = m.get_root().header
    if "suzhou_geo_leaflet_js" not in header._children:
        header.add_child(Element(f"<style>{css}</style>"), name="suzhou_geo_leaflet_css")
        header.add_child(Element(f"<script>{js}</script>"), name="suzhou_geo_leaflet_js")
        icons = (
            "<script>L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions("
            + json.dumps({"iconUrl": uris.get("marker-icon.png"), "iconRetinaUrl": uris.get("marker-icon-2x.png"),
                          "shadowUrl": uris.get("marker-shadow.png")})
            + ");</script>"
        )
        header.add_child(Element(icons), name="suzhou_geo_leaflet_icons")
    st = getattr(m, "_suzhou_geo_state", None)
    if st is not None:
        st.offline = True


def _check_offline(page: str) -> None:
    # Layer data (user attribute text) is not markup: leave it out of the scan.
    page = "\n".join(ln for ln in page.splitlines() if "= suzhouGeo.layer(" not in ln)
    remote = _REMOTE_SCRIPT.findall(page) + _REMOTE_LINK.findall(page) + _REMOTE_CSS.findall(page)
    needs = [lib for token, lib in _NEEDS_REMOVED.items() if token in page]
    if remote or needs:
        raise ValueError(
            "this map cannot be made self-contained: "
            + (f"it loads {', '.join(sorted(set(remote)))}; " if remote else "")
            + (f"it uses {', '.join(needs)}, which offline maps leave out; " if needs else "")
            + "remove the element that needs it (e.g. a folium plugin or folium.Icon marker), "
            "or save with offline=False."
        )


def save_map(m: folium.Map, path: str | Path, offline: bool | None = None) -> Path:
    """Write *m* as one HTML file (UTF-8).

    Parameters
    ----------
    m : folium.Map
        The map (from :func:`plan_map`, :func:`layer_to_folium` or plain folium).
    path : str or Path
        Output file.
    offline : bool, optional
        Self-contained file: Leaflet (JS, CSS and its images) inlined from the
        ``XStatic-Leaflet`` package, jQuery/Bootstrap/awesome-markers/Font Awesome
        left out (nothing here uses them), and a check that no ``<script src=http…>``,
        ``<link href=http…>`` or CSS ``url(http…)`` remains.  Default: as the map was
        made (``plan_map(offline=…)``).  Saving offline turns the map itself offline.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        When *offline* and the map holds an element that needs a remote asset.

    Examples
    --------
    >>> import tempfile, suzhou_geo as sg
    >>> m = sg.plan_map(sg.boundary("Kunshan"))
    >>> p = sg.save_map(m, tempfile.mkdtemp() + "/kunshan.html", offline=True)
    >>> p.stat().st_size < 400_000
    True
    """
    st = getattr(m, "_suzhou_geo_state", None)
    if offline is None:
        offline = bool(st is not None and st.offline)
    if offline:
        _make_offline(m)
    page = m.get_root().render()
    if offline:
        _check_offline(page)
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    log.info("map written: %s (%d bytes)", path, path.stat().st_size)
    return path
