"""The overlap of every parcel with the redlines, and nothing else: the quickest way to that one number.

:func:`redline_overlap` answers the question a spatial SQL join answers — how
many m² of each parcel lie in the (dissolved) protection redline — with the
machinery and the rules of :func:`~suzhou_geo.validate_parcels`: the parcels
read through :func:`suzhou_geo.io.read` (CRS decided, invalid polygons
repaired), their EPSG:4549 copy within 1 mm of their shape, ellipsoidal
areas, shared edges taken as edges.  Its numbers are the report's
``redline_overlap_m2`` (unrounded) without the verdicts, reasons and other
checks around them.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import shapely

from ..crs import CGCS2000_GK_CM120
from ..layer import Layer
from ..measure import area_m2_projected
from ..pieces import CLEAR, overlap_pairs
from .inputs import ValidationInputs
from .overlay import NOISE_M2
from .reference import CONTROL, PROTECTION, PreparedLayers

__all__ = ["redline_overlap"]

#: Parcels per chunk (each chunk projected, measured and overlaid in one thread).
CHUNK = 50_000


def redline_overlap(
    parcels: Any,
    redlines: Any = None,
    *,
    kind: str = PROTECTION,
    crs: Any = None,
    redlines_crs: Any = None,
    layers: PreparedLayers | None = None,
    n_jobs: int | None = None,
) -> pd.Series:
    """Overlap (m², ellipsoidal) of every parcel with the dissolved redlines of one kind.

    Parameters
    ----------
    parcels : path, URI, GeoDataFrame, GeoSeries or Source
        The parcels, read as :func:`~suzhou_geo.validate_parcels` reads them.
    redlines : path, GeoDataFrame, Source or None
        The redlines (``None``: the bundled, **illustrative** sample).
    kind : {"ecological_protection_redline", "ecological_space_control"}
        Which redlines.
    crs, redlines_crs : str or pyproj.CRS, optional
        The CRS of parcels or redlines that declare none.
    layers : PreparedLayers, optional
        Reference layers prepared once (then *redlines* must be left out).
    n_jobs : int, optional
        Threads (default: the CPUs, at most 4).

    Returns
    -------
    pandas.Series
        ``redline_overlap_m2`` aligned on the parcels' index: NaN for a parcel
        that cannot be measured (no geometry, not a polygon…: see the
        ``geometry_issue`` of :func:`~suzhou_geo.validate_parcels`), 0 below
        0.01 m² and along shared edges.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> s = sg.redline_overlap(sg.data_path("parcels", "parcels.gpkg"))
    >>> r = sg.validate_parcels(sg.data_path("parcels", "parcels.gpkg"), joint_zones=False, schemes=False)
    >>> bool((s.round(2).fillna(-1) == r.redline_overlap_m2.fillna(-1)).all())
    True
    """
    if layers is None:
        inputs = ValidationInputs.gather(parcels, redlines, False, False, crs=crs, redlines_crs=redlines_crs)
    else:
        inputs = ValidationInputs.gather(parcels, crs=crs, layers=layers)
    inputs = inputs.prepare()
    lay, layers = inputs.read(), inputs.layers
    if kind not in (PROTECTION, CONTROL):
        from ..errors import InputError

        raise InputError(f"kind must be {PROTECTION!r} or {CONTROL!r}, not {kind!r}", source="redline_overlap")
    out = np.full(len(lay), np.nan)
    if layers.redlines is not None:
        ref = layers.redlines[kind]
        index = ref.dissolved if ref.dissolved is not None else ref.features.index
        upos = np.flatnonzero(lay.usable)
        chunks = [upos[i:i + CHUNK] for i in range(0, len(upos), CHUNK)]
        workers = max(1, min(os.cpu_count() or 1, 4)) if n_jobs is None else int(n_jobs)
        if workers > 1 and len(chunks) > 1:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="suzhou_geo-overlap") as pool:
                values = list(pool.map(lambda rows: _chunk(lay, rows, index), chunks))
        else:
            values = [_chunk(lay, rows, index) for rows in chunks]
        for rows, v in zip(chunks, values, strict=True):
            out[rows] = v
    return pd.Series(out, index=lay.frame.index, name="redline_overlap_m2")


def _chunk(lay: Layer, rows: np.ndarray, index) -> np.ndarray:
    """Measure some usable parcels' overlaps (areas only for those the grid does not clear)."""
    geoms = lay.metric_of(rows)
    bounds = shapely.bounds(geoms)
    area = np.full(len(rows), np.nan)
    near = index.grid().classify(bounds) != CLEAR
    area[near] = area_m2_projected(geoms[near], CGCS2000_GK_CM120)
    r, _, v = overlap_pairs(index, None, geoms, area, bounds=bounds)
    total = np.bincount(r, weights=v, minlength=len(rows))
    return np.where(total < NOISE_M2, 0.0, total)
