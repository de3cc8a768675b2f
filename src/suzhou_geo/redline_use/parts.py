"""What occupancy and comparison share: ellipsoidal measures of metric shapes, county units, features.

Every overlay here runs on the layers' EPSG:4549 copies (:attr:`suzhou_geo.layer.Layer.metric`,
their edges split in the CRS the data were stored in, so one redline is one
geometry everywhere).  Areas and lengths are measured by :mod:`suzhou_geo.measure`
on the GRS80 ellipsoid after converting the metric shapes back to CGCS2000
vertex for vertex — the way :func:`suzhou_geo.check_floor` measures — so that a
shape cut into pieces measures the sum of its pieces (shared edges cancel).

Examples
--------
>>> import shapely
>>> sq = shapely.box(600_000, 3_460_000, 601_000, 3_461_000)  # 1 km² in EPSG:4549
>>> a = geod_m2([sq, *shapely.get_parts(shapely.difference(sq, shapely.box(600_000, 3_460_000, 600_400, 3_461_000))),
...              shapely.box(600_000, 3_460_000, 600_400, 3_461_000)])
>>> bool(abs(a[0] - a[1] - a[2]) < 1e-6)  # the whole is the sum of its parts
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

from ..crs import CGCS2000, CGCS2000_GK_CM120
from ..geometry import polygonal_parts
from ..layer import Layer, is_illustrative
from ..measure import area_m2, length_m

__all__ = [
    "OUTSIDE",
    "to_geographic",
    "geod_m2",
    "geod_length_m",
    "polygons",
    "Units",
    "suzhou_units",
    "dissolved",
    "kind_mask",
    "clip_near",
    "TIER_COLUMNS",
    "tier_column",
    "illustrative",
    "source_name",
]

#: The county column of areas outside every county-level unit of Suzhou.
OUTSIDE = "(苏州市域外 outside Suzhou)"

#: Columns that give a redline feature's tier (管控分区), most specific first (compared case-insensitively).
TIER_COLUMNS = ("tier", "管控分区", "管控级别", "保护分区", "功能分区", "分区", "zone_tier", "gkfq")


def to_geographic(geoms: Any) -> np.ndarray:
    """EPSG:4549 geometries back to CGCS2000 longitude/latitude, vertex for vertex."""
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return geoms
    return np.asarray(gpd.GeoSeries(geoms, crs=CGCS2000_GK_CM120).to_crs(CGCS2000).values, dtype=object)


def geod_m2(geoms: Any) -> np.ndarray:
    """Ellipsoidal areas (m², GRS80) of EPSG:4549 geometries; 0 for empty ones, NaN for missing ones."""
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return np.zeros(0)
    return np.asarray(area_m2(gpd.GeoSeries(to_geographic(geoms), crs=CGCS2000)), dtype=float)


def geod_length_m(geoms: Any) -> np.ndarray:
    """Geodesic lengths (m, GRS80) of EPSG:4549 lines (of the boundary for polygons)."""
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return np.zeros(0)
    return np.asarray(length_m(gpd.GeoSeries(to_geographic(geoms), crs=CGCS2000)), dtype=float)


def polygons(geoms: Any) -> np.ndarray:
    """Return the polygonal part of each geometry (overlays leave lines along edges), an empty polygon if none."""
    out = polygonal_parts(np.asarray(geoms, dtype=object))
    return np.where(shapely.is_missing(out), shapely.Polygon(), out)


@dataclass(frozen=True)
class Units:
    """Suzhou's county-level units in EPSG:4549 (they partition the city), and the city itself.

    Attributes
    ----------
    names : numpy.ndarray of str
        ``name_zh`` of each unit, in adcode order.
    adcodes : numpy.ndarray of str
    geoms : numpy.ndarray
        The units' polygons (EPSG:4549).
    city : shapely geometry
        苏州市's polygon (EPSG:4549).
    """

    names: np.ndarray
    names_en: np.ndarray
    adcodes: np.ndarray
    geoms: np.ndarray
    city: Any

    def split(self, geoms: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cut each geometry along the units' borders.

        Returns
        -------
        rows, units, pieces : numpy.ndarray
            For each non-empty piece: the input row, the unit (its position in
            :attr:`names`, -1 for the part outside every unit) and the piece.
        """
        geoms = np.asarray(geoms, dtype=object)
        tree = shapely.STRtree(self.geoms)
        gi, ui = tree.query(geoms, predicate="intersects")
        pieces = polygons(shapely.intersection(geoms[gi], self.geoms[ui]))
        rows, units, parts = [gi], [ui], [pieces]
        inside = np.unique(gi)
        rest = np.ones(len(geoms), dtype=bool)
        rest[inside] = False
        outside = np.array(geoms, dtype=object)
        if len(inside):
            outside[inside] = polygons(shapely.difference(geoms[inside], self.city))  # the units partition the city
        rows.append(np.arange(len(geoms)))
        units.append(np.full(len(geoms), -1))
        parts.append(outside)
        rows, units, parts = np.concatenate(rows), np.concatenate(units), np.concatenate(parts)
        keep = ~shapely.is_empty(parts) & (shapely.area(parts) > 0)
        return rows[keep], units[keep], parts[keep]

    def name(self, unit: int) -> str:
        """Return the unit's Chinese name, or :data:`OUTSIDE` for -1."""
        return OUTSIDE if unit < 0 else str(self.names[unit])


@lru_cache(maxsize=1)
def suzhou_units() -> Units:
    """Suzhou's nine county-level units and the city, from the bundled boundaries (read once)."""
    from ..boundaries import units_metric, units_table

    t = units_table()
    metric = units_metric()
    sel = (t["in_suzhou"].astype(bool) & (t["level"] == "county")).to_numpy()
    sub = t[sel].sort_values("adcode")
    city_code = t.loc[(t["level"] == "city") & t["in_suzhou"].astype(bool), "adcode"].iloc[0]
    return Units(
        names=sub["name_zh"].to_numpy(dtype=object),
        names_en=sub["name_en"].to_numpy(dtype=object),
        adcodes=sub["adcode"].to_numpy(dtype=object),
        geoms=np.asarray(metric[sub["adcode"].to_numpy()].values, dtype=object),
        city=metric[city_code],
    )


def kind_mask(layer: Layer, kind: str | None) -> np.ndarray:
    """Usable features of *kind* (every kind for None)."""
    usable = np.asarray(layer.usable, dtype=bool)
    if kind is None:
        return usable
    return usable & (layer.frame["kind"].astype(str).to_numpy() == kind)


def dissolved(layer: Layer, kind: str | None) -> Any:
    """Return the union of the features of *kind* in EPSG:4549 (computed once per layer and kind)."""

    def make():
        geoms = layer.metric[kind_mask(layer, kind)]
        return polygons([shapely.union_all(geoms)])[0] if len(geoms) else shapely.Polygon()

    return layer.cached(("redline_use.dissolved", kind), make)


def clip_near(big: Any, geoms: Any, margin: float = 1.0) -> np.ndarray:
    """*big* clipped to the bounding box of each geometry grown by *margin* (m): cheap local copies."""
    geoms = np.asarray(geoms, dtype=object)
    b = shapely.bounds(geoms)
    return np.array(
        [shapely.clip_by_rect(big, x0 - margin, y0 - margin, x1 + margin, y1 + margin) for x0, y0, x1, y1 in b],
        dtype=object,
    )


def tier_column(frame: pd.DataFrame, tier: str | None) -> str | None:
    """Return the column of each feature's tier: *tier* when given (it must exist), else one of :data:`TIER_COLUMNS`.

    Raises
    ------
    KeyError
        *tier* names no column of *frame* (the message lists them).
    """
    if tier is not None:
        if tier not in frame.columns:
            raise KeyError(tier)
        return tier
    low = {str(c).strip().lower(): c for c in frame.columns}
    return next((low[c] for c in TIER_COLUMNS if c in low), None)


def illustrative(layer: Layer) -> bool:
    """Whether a redline layer is illustrative: the bundled sample, or rows that say so (``illustrative``, ``basis``).

    A copy of the bundled sample read from its path is illustrative too: its rows say so.
    """
    return bool(layer.provenance.illustrative or is_illustrative(layer.frame))


def source_name(source: Any, layer: Layer) -> str:
    """How an input is called in outputs: the file a frame was read from, else the layer's own name.

    A frame from :func:`suzhou_geo.read_layer` or :func:`suzhou_geo.load_redlines`
    remembers its file (``attrs["suzhou_geo_read"]``); any other frame is ``GeoDataFrame``.
    """
    from ..io import READ_ATTRS_KEY

    attrs = getattr(source, "attrs", None) or {}
    name = (attrs.get(READ_ATTRS_KEY) or {}).get("name")
    return str(name) if name and layer.provenance.name in ("GeoDataFrame", "DataFrame", "GeoSeries") else \
        layer.provenance.name
