"""The overlap of every parcel with the redlines, and nothing else: the quickest way to that one number.

:func:`redline_overlap` answers the question a spatial SQL join answers — how
many m² of each parcel lie in the (dissolved) protection redline — with the
machinery and the rules of :func:`~suzhou_geo.validate_parcels`: the parcels
read through :func:`suzhou_geo.io.read` (CRS decided, invalid polygons
repaired), their EPSG:4549 copy within 1 mm of their shape, ellipsoidal
areas, shared edges taken as edges.  Its numbers are the report's
``redline_overlap_m2`` (unrounded) without the verdicts, reasons and other
checks around them.

How it is quick: a file is read in batches (Arrow, WKB undecoded) by one
thread while the batches before are decoded, checked and measured by others;
the reference layers are prepared while the first batch is read; and a
parcel that the redlines' cell grid shows to be far from every redline —
from a box that surely holds its projected shape, read from the WKB bytes —
is never decoded, checked or projected at all (its overlap is 0).
"""

from __future__ import annotations

import contextvars
import logging
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..crs import CGCS2000_GK_CM120, enclosing_boxes, resolve_crs
from ..errors import InputError, SuzhouGeoError
from ..io import Source
from ..io.stream import Batch, BatchReader, NotStreamable, can_stream
from ..layer import Layer
from ..pieces import CLEAR, overlap_pairs
from .inputs import ValidationInputs
from .overlay import NOISE_M2
from .reference import CONTROL, PROTECTION, PreparedLayers

__all__ = ["redline_overlap"]

log = logging.getLogger(__name__)

#: The name of the result (the report's column).
NAME = "redline_overlap_m2"

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
    if kind not in (PROTECTION, CONTROL):
        raise InputError(f"kind must be {PROTECTION!r} or {CONTROL!r}, not {kind!r}", source="redline_overlap")
    if layers is None:
        inputs = ValidationInputs.gather(parcels, redlines, False, False, crs=crs, redlines_crs=redlines_crs)
    else:
        inputs = ValidationInputs.gather(parcels, crs=crs, layers=layers)
    workers = max(1, min(os.cpu_count() or 1, 4)) if n_jobs is None else max(1, int(n_jobs))
    src = inputs.parcels
    if can_stream(src.data) and src.sql is None:
        try:
            return _from_batches(inputs, kind, workers)
        except NotStreamable as why:
            log.info("%s is read whole: %s", src.data, why)
    inputs = inputs.prepare()
    lay = inputs.read()
    return pd.Series(_measured(lay, _reference(inputs.layers, kind), workers), index=lay.frame.index, name=NAME)


def _reference(layers: PreparedLayers, kind: str):
    """Return the dissolved pieces of the redlines of *kind* (None when redlines are not checked)."""
    if layers.redlines is None:
        return None
    ref = layers.redlines[kind]
    return ref.dissolved if ref.dissolved is not None else ref.features.index


def _from_batches(inputs: ValidationInputs, kind: str, workers: int) -> pd.Series:
    """Read the file batch by batch in this thread; decode, check and measure the batches in others, in order."""
    src = inputs.parcels
    done: list[tuple[pd.Index, np.ndarray]] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="suzhou_geo-overlap") as pool:
        prepared = pool.submit(contextvars.copy_context().run, inputs.prepare)  # while the first batch is read
        running: deque = deque()
        try:
            with BatchReader(Path(src.data), layer=src.layer, encoding=src.encoding, batch_size=CHUNK,
                             name=src.name) as reader:
                for batch in reader.batches():
                    running.append(pool.submit(_batch, prepared, batch, reader.info, kind))
                    del batch
                    while len(running) > workers:  # no more batches in memory than threads at work
                        done.append(running.popleft().result())
            done.extend(f.result() for f in running)
        finally:
            for f in running:
                f.cancel()
        prepared.result()  # a reference layer's error, also for a file without rows
    if not done:
        raise NotStreamable("the file has no rows")
    return pd.Series(np.concatenate([v for _, v in done]), index=done[0][0].append([i for i, _ in done[1:]]),
                     name=NAME)


def _batch(prepared: Future, batch: Batch, info, kind: str) -> tuple[pd.Index, np.ndarray]:
    """Measure one batch (in a worker thread): the rows clear of every redline set aside undecoded (0 m²).

    The others are decoded, read with the file's options and measured as
    :func:`suzhou_geo.io.read` and :func:`_measured` would for the whole file.
    """
    inputs = prepared.result()
    index = _reference(inputs.layers, kind)
    aside = np.zeros(len(batch), dtype=bool)
    if index is not None and batch.index is not None:  # rows can be set aside before decoding
        aside = _far_away(batch.bounds(), batch.crs, inputs.parcels, index)
    if aside.all():
        return batch.index, np.zeros(len(batch))
    kept = np.flatnonzero(~aside)
    lay = inputs.read_rows(batch.frame(kept if aside.any() else None), info)
    out = np.zeros(len(batch))
    out[kept] = _measured(lay, index, 1)
    return (batch.index if batch.index is not None else lay.frame.index), out


def _far_away(bounds: np.ndarray, crs: Any, src: Source, index) -> np.ndarray:
    """Return which plain polygons lie where the redlines' grid clears a box that surely holds their metric copy.

    The box comes from the stored bounds through the CRS decision the
    reading makes (:func:`suzhou_geo.crs.resolve_crs`, with the source's
    options) and :func:`suzhou_geo.crs.enclosing_boxes`.  A batch whose CRS
    cannot be decided keeps every row: its reading says why.
    """
    none = np.zeros(len(bounds), dtype=bool)
    plain = np.isfinite(bounds).all(axis=1)
    if not plain.any():
        return none
    if src.swap_xy:
        bounds = bounds[:, [1, 0, 3, 2]]
    b = bounds[plain]
    union = np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])
    try:
        decision = resolve_crs(gpd.GeoSeries([], crs=crs), src.crs, override=src.override_crs,
                               datum_shift=src.datum_shift, approximate_datum=src.approximate_datum, bounds=union)
    except SuzhouGeoError:
        return none
    boxes = enclosing_boxes(bounds, decision.to_crs_xy(CGCS2000_GK_CM120), degrees=decision.in_degrees)
    return index.grid().classify(boxes) == CLEAR


def _measured(lay: Layer, index, workers: int) -> np.ndarray:
    """Measure the overlaps of a layer's parcels (NaN where unusable), its chunks in *workers* threads."""
    out = np.full(len(lay), np.nan)
    if index is None:
        return out
    upos = np.flatnonzero(lay.usable)
    chunks = [upos[i:i + CHUNK] for i in range(0, len(upos), CHUNK)]
    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="suzhou_geo-overlap") as pool:
            values = list(pool.map(lambda rows: _chunk(lay, rows, index), chunks))
    else:
        values = [_chunk(lay, rows, index) for rows in chunks]
    for rows, v in zip(chunks, values, strict=True):
        out[rows] = v
    return out


def _chunk(lay: Layer, rows: np.ndarray, index) -> np.ndarray:
    """Measure some usable parcels' overlaps, converting only those the grid cannot settle from their boxes.

    The grid sees boxes that surely hold each parcel's metric copy
    (:meth:`~suzhou_geo.layer.Layer.metric_bounds_of`): a parcel clear of every
    redline needs nothing, one wholly inside needs only its area (measured
    where its edges are straight, :meth:`~suzhou_geo.layer.Layer.areas_of`),
    and only the others are converted (:meth:`~suzhou_geo.layer.Layer.lazy_metric`)
    and intersected.
    """
    total = np.zeros(len(rows))
    boxes = lay.metric_bounds_of(rows)
    near = np.flatnonzero(index.grid().classify(boxes) != CLEAR)
    if not len(near):
        return total
    r, _, v = overlap_pairs(index, None, lay.lazy_metric(rows[near]), lay.areas_of(rows[near]), bounds=boxes[near])
    total[near] = np.bincount(r, weights=v, minlength=len(near))
    return np.where(total < NOISE_M2, 0.0, total)
