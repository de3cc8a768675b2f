"""Overlay: parcels against each reference layer, as pure functions returning arrays.

Every function takes the parcels of one chunk (EPSG:4549 geometries, their
ellipsoidal areas and bounding boxes) and one prepared reference layer,
and returns plain index/value arrays for that chunk.  Nothing is written into
shared state, so the layers of a chunk can be overlaid in parallel threads, and
chunks can be overlaid in any order.

The kernels (:mod:`suzhou_geo.pieces`) first settle the parcels that each
layer's cell grid places wholly inside one group or clear of the layer, then
put the other parcels in a tree and query it with the few big pieces; a parcel
counts as wholly inside a piece only if the prepared piece contains it (exact),
every other hit is intersected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from ..pieces import near_pairs, nearest_edge, overlap_pairs, sorted_unique
from .reference import CONTROL, PROTECTION, PreparedLayers, RefLayer
from .rules import Rules

__all__ = ["Chunk", "Pairs", "RedlineOverlay", "overlay_redlines", "overlay_zones", "overlay_districts",
           "overlay_schemes", "counts", "NOISE_M2", "GRID_MIN_PARCELS"]

#: Overlaps below this (m²) are numerical noise along a shared edge, not slivers.
NOISE_M2 = 0.01
#: Fewest parcels in a run for which the layers' cell grids are made (see :meth:`Chunk.boxes`).
GRID_MIN_PARCELS = 10_000


@dataclass
class Chunk:
    """The parcels of one chunk: EPSG:4549 geometries, ellipsoidal areas (m²) and their bounding boxes.

    The layers' cell grids settle most parcels from the boxes alone; each
    layer's exact tests build a tree over the parcels they are left with.
    *geoms* may be a :class:`~suzhou_geo.layer.MetricRows` (each parcel
    converted when a test first looks at it) with *bounds* boxes that surely
    hold the converted shapes (:meth:`~suzhou_geo.layer.Layer.metric_bounds_of`):
    then a parcel every grid settles is never converted.
    """

    geoms: Any
    area: np.ndarray
    grids: bool = True
    bounds: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.bounds is None:
            self.bounds = shapely.bounds(np.asarray(self.geoms))

    def __len__(self) -> int:
        return len(self.geoms)

    def subset(self, rows: np.ndarray) -> Chunk:
        """Return the chunk of some of these parcels."""
        geoms = self.geoms.subset(rows) if hasattr(self.geoms, "subset") else self.geoms[rows]
        return Chunk(geoms, self.area[rows], self.grids, self.bounds[rows])

    def boxes(self, index, reach: float = 0.0) -> np.ndarray | None:
        """Return the bounding boxes, for *index*'s cell grid to settle parcels first — if that pays.

        Making a grid costs 0.01–0.25 s: for a run of fewer than
        :data:`GRID_MIN_PARCELS` parcels (``grids=False``) the exact tests alone
        are quicker, unless the grid is made already.
        """
        if self.grids or index.has_grid(reach):
            return self.bounds
        return None


@dataclass
class Pairs:
    """(chunk row, group) pairs: which parcel meets which feature of a layer."""

    rows: np.ndarray
    groups: np.ndarray

    @classmethod
    def empty(cls) -> Pairs:
        """Return no pairs."""
        return cls(np.empty(0, np.int64), np.empty(0, np.int64))


@dataclass
class RedlineOverlay:
    """Per chunk row: overlap with each redline kind (m², dissolved), names, nearest protection redline."""

    protection_m2: np.ndarray
    control_m2: np.ndarray
    protection_names: Pairs
    control_names: Pairs
    nearest_m: np.ndarray
    nearest_group: np.ndarray


def counts(overlap: np.ndarray, parcel_area: np.ndarray, rules: Rules) -> np.ndarray:
    """Whether an overlap counts: above both tolerances of the rules (m² and share of the parcel)."""
    return (overlap > rules.overlap_min_m2) & (overlap > rules.overlap_min_ratio * parcel_area)


def _kind(ref, chunk: Chunk) -> tuple[np.ndarray, Pairs]:
    """Overlap (m², dissolved) and named features of one redline kind."""
    n = len(chunk)
    feat, dissolved = ref.features, ref.dissolved
    if dissolved is None:  # features do not overlap: their pieces serve both
        r, grp, v = overlap_pairs(feat.index, None, chunk.geoms, chunk.area, bounds=chunk.boxes(feat.index))
        area = np.bincount(r, weights=v, minlength=n)
        named = v >= NOISE_M2  # a feature merely touched along an edge is not named
        return area, Pairs(r[named], grp[named])
    r, _, v = overlap_pairs(dissolved, None, chunk.geoms, chunk.area, bounds=chunk.boxes(dissolved))
    area = np.zeros(n)
    area[r] = v
    if not len(r):
        return area, Pairs.empty()
    sub = sorted_unique(r)
    sub_chunk = chunk.subset(sub)
    r2, grp2, v2 = overlap_pairs(feat.index, None, sub_chunk.geoms, sub_chunk.area,
                                 bounds=sub_chunk.boxes(feat.index))
    named = v2 >= NOISE_M2
    return area, Pairs(sub[r2[named]], grp2[named])


def overlay_redlines(layers: PreparedLayers, chunk: Chunk, rules: Rules) -> RedlineOverlay:
    """Overlaps with both redline kinds and the distance to the nearest protection redline."""
    red = layers.redlines
    p_m2, p_names = _kind(red[PROTECTION], chunk)
    c_m2, c_names = _kind(red[CONTROL], chunk)
    overlapping = p_m2 >= NOISE_M2
    d, grp = nearest_edge(red[PROTECTION].features.index, None, rules.nearest_search_m, skip_rows=overlapping,
                          bounds=chunk.boxes(red[PROTECTION].features.index, rules.nearest_search_m),
                          parcels=chunk.geoms)
    d[overlapping] = 0.0
    return RedlineOverlay(p_m2, c_m2, p_names, c_names, d, grp)


def overlay_zones(zones: RefLayer, chunk: Chunk, rules: Rules) -> Pairs:
    """Return the joint-control zones each parcel lies in beyond the overlap tolerance."""
    r, grp, v = overlap_pairs(zones.index, None, chunk.geoms, chunk.area, bounds=chunk.boxes(zones.index))
    keep = counts(v, chunk.area[r], rules)
    return Pairs(r[keep], grp[keep])


def overlay_districts(layers: PreparedLayers, chunk: Chunk, rules: Rules) -> tuple[np.ndarray, Pairs]:
    """(area inside 苏州市 per parcel, the county-level units each parcel lies in)."""
    r, grp, v = overlap_pairs(layers.districts.index, None, chunk.geoms, chunk.area,
                              bounds=chunk.boxes(layers.districts.index))
    ins = layers.in_suzhou[grp]
    suzhou_m2 = np.bincount(r[ins], weights=v[ins], minlength=len(chunk))
    keep = counts(v, chunk.area[r], rules)
    return suzhou_m2, Pairs(r[keep], grp[keep])


def overlay_schemes(schemes: RefLayer, chunk: Chunk, rules: Rules) -> Pairs:
    """Return the scheme elements each parcel lies in or within ``scheme_near_m`` of."""
    bounds = chunk.boxes(schemes.index, rules.scheme_near_m)
    r, grp = near_pairs(schemes.index, None, rules.scheme_near_m, bounds=bounds, parcels=chunk.geoms)
    return Pairs(r, grp)
