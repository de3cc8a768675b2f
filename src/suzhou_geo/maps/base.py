"""The base layer drawn from bundled data: where things are, with no tiles and no network.

Outlines of 苏州市, its nine county-level units and the twenty neighbouring units
(``data/boundaries``), the water (太湖, 阳澄湖, 淀山湖 and the other GSHHG lakes,
the Yangtze inside 苏州市, the main rivers and canals; ``data/hydrography``), and
the names of the units and of the water as labels that stay on the map.  Where
two names would collide, the less important one is hidden (units of 苏州市 first,
by size; then the water; then the neighbours), and shown again when the map is
zoomed in far enough for both.

It is what an offline map shows under the planning layers, and it is on every
map made by :func:`~suzhou_geo.maps.plan_map` unless ``base=False``.  The files
are read through :func:`suzhou_geo.io.read_layer` (CGCS2000) once per session.

Examples
--------
>>> data = base_data(gcj=False)
>>> sorted({label["text"] for label in data.labels if label["cls"] == "sg-place sg-unit"})[:3]
['吴中区', '吴江区', '太仓市']
>>> "太湖" in {label["text"] for label in data.labels}
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from ..io import read_layer
from ..io.bundled import data_path
from .geometry import display_geometries, display_metric, from_display_metric, geojson_strings
from .styles import BOUNDARY_STYLES, WATER_STYLES

__all__ = ["BaseData", "base_data", "bundled_frames", "BASE_SIMPLIFY_M", "BASE_LABEL", "BASE_SECTION", "WATER_NAMES"]

#: Display simplification of the base layer (m): a fifth of the boundaries' 100 m accuracy.
BASE_SIMPLIFY_M = 20.0
#: Control entry and legend section of the base layer.
BASE_LABEL = "行政区划与水系 boundaries and water"
BASE_SECTION = "底图 base map"
#: Water whose names are shown, most important first (the order decides who yields a collision).
WATER_NAMES = ("太湖", "长江苏州段", "阳澄湖", "淀山湖", "京杭运河", "吴淞江", "元荡", "滆湖", "长荡湖")
_SHOWN_AS = {"长江苏州段": "长江"}
_CLASSES = ("water", "river", "neighbour", "suzhou", "city")


@dataclass(frozen=True)
class BaseData:
    """The base layer, ready to embed: GeoJSON texts, class codes, styles and labels."""

    geoms: tuple[str, ...]
    cls: tuple[int, ...]
    classes: tuple[str, ...]
    styles: dict[str, dict[str, Any]]
    labels: tuple[dict[str, Any], ...]
    city_bounds: tuple[float, float, float, float]


@lru_cache(maxsize=1)
def bundled_frames() -> dict[str, gpd.GeoDataFrame]:
    """Return the bundled boundaries, lakes, rivers and Yangtze (EPSG:4490), read once."""
    read = {
        "boundaries": ("boundaries", "boundaries.geojson"),
        "lakes": ("hydrography", "lakes.geojson"),
        "rivers": ("hydrography", "rivers.geojson"),
        "yangtze": ("hydrography", "yangtze.geojson"),
    }
    return {k: read_layer(data_path(*parts), name=parts[1]) for k, parts in read.items()}


def _features(layers: dict[str, gpd.GeoDataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """Geometries and classes, drawn bottom to top: water, rivers, neighbours, units, city."""
    b = layers["boundaries"]
    yz = layers["yangtze"]
    parts = [
        (layers["lakes"].geometry.values, "water"),
        (yz[yz["part"] == "water_within_suzhou"].geometry.values, "water"),
        (layers["rivers"].geometry.values, "river"),
        (b[~b["in_suzhou"].astype(bool)].geometry.values, "neighbour"),
        (b[b["in_suzhou"].astype(bool) & (b["level"] != "city")].geometry.values, "suzhou"),
        (b[b["level"] == "city"].geometry.values, "city"),
    ]
    geoms = np.concatenate([np.asarray(g, dtype=object) for g, _ in parts])
    classes = np.concatenate([np.full(len(g), c, dtype=object) for g, c in parts])
    # polygons of jurisdictions are drawn as their outlines: nothing is filled but water
    outline = np.isin(classes, ("neighbour", "suzhou", "city"))
    geoms[outline] = shapely.boundary(geoms[outline])
    return geoms, classes


def _place(metric: Any) -> Any:
    """Return a point well inside a polygon (pole of inaccessibility), or the middle of a line."""
    if metric.geom_type == "MultiPoint":
        return metric.geoms[0]
    if metric.geom_type in ("LineString", "MultiLineString"):
        return shapely.line_interpolate_point(shapely.line_merge(metric), 0.5, normalized=True)
    if metric.geom_type == "MultiPolygon":
        metric = max(metric.geoms, key=lambda p: p.area)
    return polylabel(metric, tolerance=200.0)


def _label_frame(layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Names to show, their priority (low first) and CSS class; units placed on their land."""
    b = layers["boundaries"]
    water = pd.concat([layers["lakes"], layers["yangtze"], layers["rivers"]], ignore_index=True)
    water = water[water["name_zh"].isin(WATER_NAMES)]
    city = b[b["level"] == "city"].geometry.iloc[0]
    wet = shapely.union_all(water[water.geom_type.isin(["Polygon", "MultiPolygon"])].geometry.values)
    units = b[b["in_suzhou"].astype(bool) & (b["level"] != "city")].sort_values("area_km2", ascending=False)
    others = b[~b["in_suzhou"].astype(bool)].sort_values("area_km2", ascending=False)
    rows = [(n, g.difference(wet), i, "sg-unit")
            for i, (n, g) in enumerate(zip(units.name_zh, units.geometry, strict=True))]
    order = {n: i for i, n in enumerate(WATER_NAMES)}
    for n, g in zip(water.name_zh, water.geometry, strict=True):
        line = g.geom_type in ("LineString", "MultiLineString")
        rows.append((_SHOWN_AS.get(n, n), g.intersection(city) if line else g, 20 + order[n], "sg-water"))
    rows += [(n, g, 40 + i, "sg-neighbour")
             for i, (n, g) in enumerate(zip(others.name_zh, others.geometry, strict=True))]
    return pd.DataFrame(rows, columns=["text", "geometry", "priority", "cls"])


def _labels(layers: dict[str, gpd.GeoDataFrame], gcj: bool) -> tuple[dict[str, Any], ...]:
    frame = _label_frame(layers)
    metric = display_metric(np.asarray(frame["geometry"].to_numpy(), dtype=object))
    points = from_display_metric(np.array([_place(g) for g in metric], dtype=object))
    points = display_geometries(points, 0, gcj)
    xy = shapely.get_coordinates(points)
    return tuple(
        {"lat": float(y), "lon": float(x), "text": t, "cls": f"sg-place {c}", "priority": int(p)}
        for (x, y), t, c, p in zip(xy, frame["text"], frame["cls"], frame["priority"], strict=True)
    )


def name_labels(frame: gpd.GeoDataFrame, column: str, gcj: bool, cls: str, priority: int = 100) -> list[dict]:
    """Return labels naming the features of *frame* (EPSG:4490): one per feature with a name, placed inside it.

    Polygons are labelled at their pole of inaccessibility, lines at their
    middle, points where they are; the page hides a label where it collides
    with one drawn before it (the place names come first).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> f = gpd.GeoDataFrame({"name_zh": ["阳澄湖"]}, geometry=[box(120.75, 31.38, 120.85, 31.48)], crs="EPSG:4490")
    >>> lab = name_labels(f, "name_zh", False, "sg-element")[0]
    >>> from shapely.geometry import Point
    >>> lab["text"], f.geometry[0].buffer(-0.04).contains(Point(lab["lon"], lab["lat"]))  # well inside
    ('阳澄湖', True)
    """
    names = frame[column].astype("string").fillna("").to_numpy() if column in frame.columns else []
    keep = np.array([bool(n) for n in names], dtype=bool)
    if not keep.any():
        return []
    metric = display_metric(np.asarray(frame.geometry.values, dtype=object)[keep])
    points = from_display_metric(np.array([_place(g) if g.geom_type != "Point" else g for g in metric], dtype=object))
    xy = shapely.get_coordinates(display_geometries(points, 0, gcj))
    return [
        {"lat": float(y), "lon": float(x), "text": str(t), "cls": f"sg-place {cls}", "priority": priority + i}
        for i, ((x, y), t) in enumerate(zip(xy, names[keep], strict=True))
    ]


@lru_cache(maxsize=2)
def base_data(gcj: bool = False) -> BaseData:
    """Return the base layer prepared for display (cached per datum).

    Parameters
    ----------
    gcj : bool
        Shift it to GCJ-02 (for a Gaode basemap), as every other layer of that map.
    """
    layers = bundled_frames()
    geoms, classes = _features(layers)
    drawn = display_geometries(geoms, BASE_SIMPLIFY_M, gcj)
    keep = ~shapely.is_empty(drawn)
    codes = {c: i for i, c in enumerate(_CLASSES)}
    styles = {**{k: WATER_STYLES[k] for k in ("water", "river")}, **BOUNDARY_STYLES}
    city_bounds = tuple(float(v) for v in shapely.total_bounds(drawn[classes == "city"]))
    return BaseData(
        geoms=tuple(geojson_strings(drawn[keep])),
        cls=tuple(codes[c] for c in classes[keep]),
        classes=_CLASSES,
        styles=styles,
        labels=_labels(layers, gcj),
        city_bounds=city_bounds,
    )
