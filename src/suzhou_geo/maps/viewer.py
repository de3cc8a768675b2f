"""A deck.gl viewer (lonboard) for reports of hundreds of thousands of parcels in Jupyter.

Folium writes every feature into the page; lonboard sends the geometry to the
browser as binary GeoArrow and draws it on the GPU, so a million parcels stay
responsive (a 95 MB widget state drawn in 8 s, measured on 1 M parcels).  Every
parcel is drawn, coloured by its verdict; click one to see its row.

It is optional: ``pip install 'suzhou_geo[viewer]'``.  The same datum rule holds
as for folium maps: over Gaode tiles (GCJ-02) every layer is shifted to GCJ-02
for display; the frames themselves are not changed.

Examples
--------
>>> rgba("#d7191c")
[215, 25, 28, 255]
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ..crs import ensure_crs, wgs84_to_gcj02
from ..errors import missing_extra
from .base import bundled_frames
from .basemaps import BASEMAPS, basemap_key, tile_specs
from .frames import coerce
from .kinds import NAME_COLUMNS, detect_kind
from .styles import DEFAULT_STYLE, VERDICT_STYLES, WATER_STYLES

__all__ = ["explore", "display_frame", "rgba"]

#: Report columns sent to the viewer (besides the names): enough to identify and explain a parcel.
VIEWER_COLUMNS = ("verdict", "reasons", "district", "redline_names", "joint_zone")


def _lonboard():
    try:
        import lonboard
    except ImportError:
        raise missing_extra("lonboard", "viewer",
                            "the deck.gl viewer (explore, report_map(engine='lonboard'))") from None
    return lonboard


def rgba(colour: str, alpha: int = 255) -> list[int]:
    """Return ``#rrggbb`` as [r, g, b, alpha]."""
    h = colour.lstrip("#")
    return [int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha]


def display_frame(frame: gpd.GeoDataFrame, gcj: bool) -> gpd.GeoDataFrame:
    """Return a copy of *frame* for display: drawable rows only, shifted to GCJ-02 if *gcj*.

    The copy is labelled EPSG:4326 so that lonboard draws the coordinates as they are
    (a GCJ-02 copy is for display only and never written anywhere).
    """
    frame = ensure_crs(frame, name="layer")
    geom = np.asarray(frame.geometry.values)
    frame = frame[~(shapely.is_missing(geom) | shapely.is_empty(geom))]
    geoms = np.asarray(frame.geometry.values, dtype=object)
    out = gpd.GeoDataFrame(frame.drop(columns=frame.geometry.name), geometry=wgs84_to_gcj02(geoms) if gcj else geoms,
                           crs="EPSG:4326")
    return out


def _tile_layers(lb: Any, key: str, tk: str | None) -> list:
    layers = []
    for spec in tile_specs(key, tk):
        if not (spec["show"] or spec["overlay"]):
            continue
        urls = tuple(spec["tiles"].replace("{s}", s) for s in spec["subdomains"]) or (spec["tiles"],)
        layers.append(lb.BitmapTileLayer(data=urls, tile_size=256, max_zoom=spec["max_zoom"], min_zoom=0,
                                         pickable=False))
    return layers


def _shapes(lb: Any, frame: gpd.GeoDataFrame, line: list[int], fill: list[int] | None, width: float,
            pickable: bool = True) -> list:
    """Polygons, lines and points of *frame* as lonboard layers in one colour."""
    tid = shapely.get_type_id(np.asarray(frame.geometry.values))
    out = []
    polys, lines, points = frame[np.isin(tid, (3, 6))], frame[np.isin(tid, (1, 2, 5))], frame[np.isin(tid, (0, 4))]
    if len(polys):
        out.append(lb.PolygonLayer.from_geopandas(
            polys, auto_downcast=False, get_line_color=line, get_fill_color=fill or [0, 0, 0, 0],
            filled=fill is not None, line_width_min_pixels=width, pickable=pickable))
    if len(lines):
        out.append(lb.PathLayer.from_geopandas(lines, auto_downcast=False, get_color=line, width_min_pixels=width,
                                               pickable=pickable))
    if len(points):
        out.append(lb.ScatterplotLayer.from_geopandas(points, auto_downcast=False, get_fill_color=fill or line,
                                                      radius_min_pixels=4, pickable=pickable))
    return out


def _base_layers(lb: Any, gcj: bool) -> list:
    data = bundled_frames()
    water = display_frame(gpd.GeoDataFrame(
        geometry=np.concatenate([data["lakes"].geometry.values, data["yangtze"].geometry.values[:1]]), crs=4490), gcj)
    bounds = data["boundaries"]
    outline = display_frame(gpd.GeoDataFrame(geometry=shapely.boundary(bounds.geometry.values), crs=4490), gcj)
    return (_shapes(lb, water, rgba(WATER_STYLES["water"]["color"]), rgba(WATER_STYLES["water"]["fillColor"]), 0.5,
                    False)
            + _shapes(lb, display_frame(data["rivers"][["geometry"]], gcj), rgba(WATER_STYLES["river"]["color"]),
                      None, 1.2, False)
            + _shapes(lb, outline, [82, 82, 82, 255], None, 1, False))


def _context_layers(lb: Any, layer: Any, gcj: bool) -> list:
    frame = ensure_crs(coerce(layer, None)[0], name="layer")
    kind = detect_kind(frame)
    classes = np.asarray(kind.classify(frame), dtype=object)
    out = []
    for key in dict.fromkeys(classes.tolist()):
        style = kind.styles.get(key, DEFAULT_STYLE)
        colour = style.get("color", "#555555")
        filled = style.get("hatch") or style.get("fillOpacity", 0) > 0
        part = display_frame(frame[classes == key][[frame.geometry.name]], gcj)
        out += _shapes(lb, part, rgba(colour), rgba(style.get("fillColor", colour), 90) if filled else None, 1.5)
    return out


def _report_layer(lb: Any, report: gpd.GeoDataFrame, gcj: bool) -> list:
    """Every parcel, coloured by verdict (polygons; the odd point or line of a broken row too)."""
    names = [c for c in NAME_COLUMNS if c in report.columns][:2]
    frame = display_frame(report[[*names, *[c for c in VIEWER_COLUMNS if c in report.columns],
                                  report.geometry.name]], gcj)
    verdict = frame["verdict"].astype(str).to_numpy()
    style = [VERDICT_STYLES.get(v, DEFAULT_STYLE) for v in verdict]
    fill = np.array([rgba(s["fillColor"]) for s in style], dtype=np.uint8).reshape(-1, 4)
    line = np.array([rgba(s["color"]) for s in style], dtype=np.uint8).reshape(-1, 4)
    frame["verdict"] = [s.get("label", v) for s, v in zip(style, verdict, strict=True)]
    tid = shapely.get_type_id(np.asarray(frame.geometry.values))
    out = []
    for types, make in (((3, 6), _polygons), ((1, 2, 5), _paths), ((0, 4), _points)):
        rows = np.isin(tid, types)
        if rows.any():
            out.append(make(lb, frame[rows], fill[rows], line[rows]))
    return out


def _polygons(lb: Any, frame: gpd.GeoDataFrame, fill: np.ndarray, line: np.ndarray) -> Any:
    return lb.PolygonLayer.from_geopandas(frame, auto_downcast=False, get_fill_color=fill, get_line_color=line,
                                          line_width_min_pixels=0.5, pickable=True, auto_highlight=True)


def _paths(lb: Any, frame: gpd.GeoDataFrame, fill: np.ndarray, line: np.ndarray) -> Any:
    return lb.PathLayer.from_geopandas(frame, auto_downcast=False, get_color=fill, width_min_pixels=2, pickable=True)


def _points(lb: Any, frame: gpd.GeoDataFrame, fill: np.ndarray, line: np.ndarray) -> Any:
    return lb.ScatterplotLayer.from_geopandas(frame, auto_downcast=False, get_fill_color=fill, get_line_color=line,
                                              radius_min_pixels=4, stroked=True, pickable=True)


def explore(report: Any, *context: Any, basemap: str = "osm", tk: str | None = None, base: bool = True,
            offline: bool = False, height: int | str = 600) -> Any:
    """Show a parcel report (and context layers) in a lonboard (deck.gl) map, every parcel drawn.

    Parameters
    ----------
    report : GeoDataFrame
        A parcel report (``verdict`` column), of any size.
    *context : GeoDataFrame or Scheme
        Redlines, joint zones, schemes … drawn under the parcels.
    basemap, tk : str, optional
        Tiles as for :func:`~suzhou_geo.maps.plan_map`; on Gaode tiles everything is shifted to GCJ-02.
    base : bool, default True
        Draw the bundled outlines and water.
    offline : bool, default False
        No tiles (the viewer's own JavaScript ships inside the lonboard package).
    height : int or str, default 600
        Height of the widget.

    Returns
    -------
    lonboard.Map

    Raises
    ------
    MissingDependencyError
        When lonboard is not installed (``pip install 'suzhou_geo[viewer]'``).
    """
    lb = _lonboard()
    key = basemap_key(basemap)
    gcj = BASEMAPS[key]["gcj"] and not offline
    report = ensure_crs(report, name="report")
    layers = [] if offline else _tile_layers(lb, key, tk)
    layers += _base_layers(lb, gcj) if base else []
    for layer in context:
        layers += _context_layers(lb, layer, gcj)
    layers += _report_layer(lb, report, gcj)
    w, s, e, n = report.total_bounds if len(report) else (120.0, 30.8, 121.4, 32.0)
    view = {"longitude": (w + e) / 2, "latitude": (s + n) / 2, "zoom": 9}
    return lb.Map(layers=layers, basemap=None, view_state=view, height=height)
