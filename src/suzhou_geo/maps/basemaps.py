"""The basemap catalogue, as data: tile URLs, datum, and the layers offered together.

Adding a basemap is one entry in :data:`BASEMAPS` (and, if it has other spellings,
in :data:`ALIASES`); the ``suzhou-geo map --basemap`` choices are derived from both.

Sources of the URLs: Leaflet.ChineseTmsProviders, xyzservices and the Tianditu
WMTS documentation.  Gaode/Amap tiles are drawn in GCJ-02 (``gcj``: every layer
is shifted to GCJ-02 for display on them); Tianditu is CGCS2000 and needs a key.

Examples
--------
>>> basemap_key("amap")
'gaode'
>>> "gaode-satellite" in basemap_choices()
True
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..errors import InputError

__all__ = ["BASEMAPS", "ALIASES", "basemap_key", "basemap_choices", "tile_specs"]

_TDT = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={tk}"
)
_GAODE_ATTR = "&copy; 高德地图 AutoNavi (GCJ-02)"
_TDT_ATTR = "&copy; 天地图 Tianditu (CGCS2000)"
_OSM_ATTR = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'

#: Basemaps by key: ``label``; ``gcj`` (tiles drawn in GCJ-02); ``family`` (the tile layers
#: offered, the chosen one first); ``tiles``, ``subdomains``, ``attr``, ``max_zoom``;
#: ``labels`` (an annotation overlay); ``tk`` (needs a Tianditu key).
BASEMAPS: dict[str, dict[str, Any]] = {
    "osm": {
        "label": "OpenStreetMap", "gcj": False, "family": ("osm", "cartodb"),
        "tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "subdomains": "abc", "max_zoom": 19,
        "attr": _OSM_ATTR,
    },
    "cartodb": {
        "label": "CartoDB Positron", "gcj": False, "family": ("cartodb", "osm"),
        "tiles": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png", "subdomains": "abcd",
        "max_zoom": 20, "attr": _OSM_ATTR + ' &copy; <a href="https://carto.com/attributions">CARTO</a>',
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
    "none": {"label": "无瓦片 no tiles", "gcj": False, "family": ()},
}

#: Other spellings accepted for a basemap key.
ALIASES: dict[Any, str] = {
    "openstreetmap": "osm", "carto": "cartodb", "cartodb positron": "cartodb", "positron": "cartodb",
    "amap": "gaode", "高德": "gaode", "amap-satellite": "gaode-satellite", "gaode-sat": "gaode-satellite",
    "tdt": "tianditu", "天地图": "tianditu", "tianditu-satellite": "tianditu-img", "tdt-img": "tianditu-img",
    None: "none", "": "none",
}


def basemap_key(basemap: Any) -> str:
    """Return the catalogue key of *basemap* (a key or an alias, any case).

    Raises
    ------
    InputError
        When the name is neither a key nor an alias.

    Examples
    --------
    >>> basemap_key(" TDT ")
    'tianditu'
    """
    key = basemap.strip().lower() if isinstance(basemap, str) else basemap
    key = ALIASES.get(key, key)
    if key not in BASEMAPS:
        raise InputError(
            f"unknown basemap {basemap!r}", source="basemap",
            hint=f"choose one of {', '.join(BASEMAPS)} (amap = gaode, tdt = tianditu)",
        )
    return key


def basemap_choices() -> list[str]:
    """Return every accepted ASCII basemap name: the keys, then the aliases.

    Examples
    --------
    >>> basemap_choices()[:3]
    ['osm', 'cartodb', 'gaode']
    """
    aliases = [a for a in ALIASES if isinstance(a, str) and a.isascii() and a and " " not in a]
    return list(BASEMAPS) + aliases


def _with_key(url: str, spec: dict[str, Any], tk: str | None) -> str:
    return url.replace("{tk}", quote(str(tk), safe="")) if spec.get("tk") else url


def tile_specs(key: str, tk: str | None = None) -> list[dict[str, Any]]:
    """Return the tile layers offered with basemap *key*: the chosen one first, then its family, then labels.

    Each is a dict of :class:`folium.TileLayer` arguments (``tiles``, ``name``,
    ``overlay``, ``show``, ``subdomains``, ``attr``, ``max_zoom``).

    Raises
    ------
    InputError
        When a Tianditu basemap is asked for without *tk*.

    Examples
    --------
    >>> [t["name"] for t in tile_specs("gaode")]
    ['高德地图 Gaode', '高德卫星 Gaode satellite']
    >>> tile_specs("none")
    []
    """
    spec = BASEMAPS[key]
    if spec.get("tk") and not tk:
        raise InputError(
            f"basemap {key!r} needs a Tianditu key", source="tk",
            hint="pass tk='…' (command line: --tk or $TIANDITU_TK); keys are free from 天地图 "
                 "(http://lbs.tianditu.gov.cn/server/MapService.html) and are written into the saved HTML. "
                 "Without a key use basemap='osm', 'cartodb' or 'gaode'",
        )
    out = []
    for i, k in enumerate(spec["family"]):
        s = BASEMAPS[k]
        out.append({"tiles": _with_key(s["tiles"], s, tk), "name": s["label"], "overlay": False, "show": i == 0,
                    "subdomains": s["subdomains"], "attr": s["attr"], "max_zoom": s["max_zoom"]})
    if spec.get("labels"):
        out.append({"tiles": _with_key(spec["labels"], spec, tk), "name": "注记 labels", "overlay": True,
                    "show": True, "subdomains": spec["subdomains"], "attr": spec["attr"],
                    "max_zoom": spec["max_zoom"]})
    return out
