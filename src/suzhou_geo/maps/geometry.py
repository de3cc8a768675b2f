"""Geometry as drawn: simplified (display only), shifted to GCJ-02 when asked, rounded; and measured.

* Coordinates are rounded to :data:`PRECISION` decimals: 1e-5° is 1.11 m north-south
  and 0.95 m east-west at 31.3 °N, so the rounding error is at most 0.56 m, far
  below the ``accuracy_m`` of any bundled feature.
* Features with more than :data:`AUTO_SIMPLIFY_MIN_VERTICES` vertices are simplified
  by :data:`AUTO_SIMPLIFY_M` metres in EPSG:4549 for display only; the input frames
  are never modified.
* Areas shown are ellipsoidal (GRS80), as the floor checks measure them.

Examples
--------
>>> from shapely.geometry import box
>>> g = display_geometries(np.array([box(120.123456, 31.1, 120.2, 31.2)]), None, False)
>>> round(float(shapely.get_coordinates(g)[:, 0].min()), 6)
120.12346
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import CGCS2000, CGCS2000_GK_CM120, transformer, wgs84_to_gcj02

__all__ = [
    "PRECISION",
    "AUTO_SIMPLIFY_M",
    "AUTO_SIMPLIFY_MIN_VERTICES",
    "display_geometries",
    "geojson_strings",
    "measures",
    "format_area",
    "display_metric",
    "from_display_metric",
]

#: Decimals kept in drawn coordinates: 1e-5° = 1.11 m (N-S), 0.95 m (E-W) at 31.3°N.
PRECISION = 5
#: Display simplification (m, in EPSG:4549) of features with many vertices: a tenth of the
#: 100 m ``accuracy_m`` of the bundled boundaries, below one screen pixel up to zoom 13.
AUTO_SIMPLIFY_M = 10.0
#: Features with at most this many vertices (parcels, schematic shapes) are never simplified.
AUTO_SIMPLIFY_MIN_VERTICES = 200
#: Exact geodesic areas up to this many polygons; above, an equal-area projection (1e-6 relative).
EXACT_AREA_MAX = 5000


def display_metric(geoms: np.ndarray) -> np.ndarray:
    """Project CGCS2000 lon/lat geometries to EPSG:4549 for display work only, vertex for vertex.

    For what a map does in metres — simplifying by :data:`AUTO_SIMPLIFY_M`,
    placing labels, counting parcels per grid cell — the edges need no
    splitting (a 1 km edge bows by 12 mm, far below a screen pixel).  Nothing is
    measured with it: every measurement goes through the layers' metric copies
    (:func:`suzhou_geo.layer.to_metric`, the one rule).
    """
    fwd = transformer(CGCS2000, CGCS2000_GK_CM120)
    return shapely.transform(geoms, fwd.transform, interleaved=False)


def from_display_metric(geoms: np.ndarray) -> np.ndarray:
    """Return EPSG:4549 geometries (of :func:`display_metric`) in CGCS2000 lon/lat."""
    inv = transformer(CGCS2000_GK_CM120, CGCS2000)
    return shapely.transform(geoms, inv.transform, interleaved=False)


def display_geometries(
    geoms: np.ndarray, simplify_m: float | None, gcj: bool, precision: int = PRECISION
) -> np.ndarray:
    """Simplify (EPSG:4549, display only), shift to GCJ-02 if asked, round coordinates."""
    geoms = np.asarray(geoms, dtype=object)
    if simplify_m is None:
        tol = np.where(shapely.get_num_coordinates(geoms) > AUTO_SIMPLIFY_MIN_VERTICES, AUTO_SIMPLIFY_M, 0.0)
    else:
        tol = np.full(len(geoms), float(simplify_m))
    todo = tol > 0
    if todo.any():
        simple = shapely.simplify(display_metric(geoms[todo]), tol[todo], preserve_topology=True)
        geoms = geoms.copy()
        geoms[todo] = from_display_metric(simple)
    if gcj:
        geoms = wgs84_to_gcj02(geoms)
    geoms = shapely.transform(geoms, lambda c: np.round(c, precision))
    try:
        geoms = shapely.remove_repeated_points(geoms, 0.0)
    except shapely.errors.GEOSException:  # a ring collapsed to < 4 points: keep the rounded one
        pass
    return geoms


def geojson_strings(geoms: np.ndarray) -> np.ndarray:
    """Return the GeoJSON text of each geometry (numpy array of str)."""
    return np.asarray(shapely.to_geojson(np.asarray(geoms, dtype=object)), dtype=object)


def format_area(m2: np.ndarray) -> list[str | None]:
    """Format areas for reading: km² with 4 decimals (the floors' precision), else m² and ha.

    Examples
    --------
    >>> format_area(np.array([2.5e6, 1234.0, np.nan]))
    ['2.5000 km²', '1,234 m² (0.12 ha)', None]
    """
    out: list[str | None] = []
    for a in np.asarray(m2, dtype=float):
        if not np.isfinite(a) or a <= 0:
            out.append(None)
        elif a >= 1e6:
            out.append(f"{a / 1e6:,.4f} km²")
        else:
            out.append(f"{a:,.0f} m² ({a / 1e4:,.2f} ha)")
    return out


def _areas(frame: gpd.GeoDataFrame, poly: np.ndarray) -> np.ndarray:
    from ..measure import area_m2, area_m2_fast

    area = np.full(len(frame), np.nan)
    if "area_km2" in frame.columns and pd.api.types.is_numeric_dtype(frame["area_km2"]):
        area = frame["area_km2"].to_numpy(dtype=float) * 1e6
    missing = poly & ~np.isfinite(area)
    if missing.any():
        todo = np.asarray(frame.geometry.values)[missing]
        if missing.sum() <= EXACT_AREA_MAX:
            area[missing] = np.asarray(area_m2(gpd.GeoSeries(todo, crs=CGCS2000)), dtype=float)
        else:
            area[missing] = area_m2_fast(todo, CGCS2000)
    return np.where(poly, area, np.nan)


def _lengths(frame: gpd.GeoDataFrame, line: np.ndarray) -> np.ndarray:
    from ..measure import length_m

    lengths = np.full(len(frame), np.nan)
    if "length_km" in frame.columns and pd.api.types.is_numeric_dtype(frame["length_km"]):
        lengths = frame["length_km"].to_numpy(dtype=float) * 1000
    todo = line & ~np.isfinite(lengths)
    if todo.any():
        geoms = np.asarray(frame.geometry.values)[todo]
        lengths[todo] = np.asarray(length_m(gpd.GeoSeries(geoms, crs=CGCS2000)), dtype=float)
    return np.where(line, lengths, np.nan)


def measures(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return ``_area`` (polygons) and ``_length`` (lines) of a frame in EPSG:4490, formatted.

    A given ``area_km2``/``length_km`` column is used as it is (the bundled layers carry
    the ellipsoidal figure measured at build time); missing ones are measured.
    """
    tid = shapely.get_type_id(np.asarray(frame.geometry.values))
    poly, line = np.isin(tid, (3, 6)), np.isin(tid, (1, 2, 5))
    out = pd.DataFrame(index=frame.index)
    if poly.any():
        out["_area"] = format_area(_areas(frame, poly))
    if line.any():
        out["_length"] = [None if not np.isfinite(v) else f"{v / 1000:,.2f} km" for v in _lengths(frame, line)]
    return out
