"""``validate_parcels``: read → prepare → overlay → decide → explain → assemble.

:func:`validate_parcels` gathers its arguments into one
:class:`~suzhou_geo.validate.inputs.ValidationInputs` and hands it whole to
:func:`check` (or, for a dask-geopandas frame, to the dask engine).  Each stage
of :func:`check` is a function of its own
(:meth:`~suzhou_geo.validate.inputs.ValidationInputs.read`,
:func:`~suzhou_geo.validate.reference.prepare_layers`, :func:`measure`,
:func:`~suzhou_geo.validate.decide.decide`, :func:`~suzhou_geo.validate.explain.explain`,
:func:`assemble`), testable alone; it reads as that sequence.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import CGCS2000_GK_CM120
from ..errors import InputError
from ..io.columns import keep_input_columns
from ..io.stream import give_back_memory
from ..io.survey import planar_areas
from ..layer import Layer
from ..pieces import labels
from .decide import Decision, Measures, decide
from .explain import explain
from .inputs import ValidationInputs
from .overlay import (
    GRID_MIN_PARCELS,
    NOISE_M2,
    Chunk,
    Pairs,
    overlay_districts,
    overlay_redlines,
    overlay_schemes,
    overlay_zones,
)
from .progress import Clock, Progress
from .reference import PreparedLayers
from .rules import Rules
from .schema import VERDICT_ZH, report_columns

#: The input column of a declared area (公顷), as the approval-file readers give it; the report's column of
#: the same name takes its values (it is not renamed as a clash).
DECLARED = "declared_area_ha"

__all__ = ["validate_parcels", "check", "measure", "assemble"]

log = logging.getLogger(__name__)


def validate_parcels(
    parcels: Any,
    redlines: Any = None,
    joint_zones: Any = None,
    schemes: Any = None,
    rules: Rules | Mapping[str, Any] | None = None,
    *,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    datum_shift: Any = None,
    approximate_datum: bool = False,
    redlines_crs: Any = None,
    joint_zones_crs: Any = None,
    schemes_crs: Any = None,
    layers: PreparedLayers | None = None,
    progress: Any = None,
    timings: Callable[[str, float], None] | None = None,
    chunk_size: int = 500_000,
    n_jobs: int | None = None,
) -> gpd.GeoDataFrame:
    """Check development parcels against redlines, joint-control zones and schemes.

    Parameters
    ----------
    parcels : path, URI, GeoDataFrame, GeoSeries, Source, ValidationInputs or dask_geopandas.GeoDataFrame
        The parcels (地块), read through :func:`suzhou_geo.io.read`: any file
        OGR reads, GeoParquet, CSV with WKT, PostGIS, or a frame.  A
        dask-geopandas frame is checked partition by partition on its
        scheduler and the report comes back as a (lazy) dask-geopandas frame
        (see :func:`suzhou_geo.validate.distributed.validate_dask`).  Polygons and
        multipolygons are checked whole; invalid polygons are repaired and the
        repair is reported (a repair that changes the area by more than 1 % makes
        the parcel ``review``); points, lines, empty and missing geometries,
        NaN/inf coordinates and parcels under 1 m² get ``invalid``.  A
        :class:`~suzhou_geo.validate.inputs.ValidationInputs` (parcels, every
        option and the reference layers, gathered once) is taken as it is, alone.
    redlines : path, GeoDataFrame, Source, None or False
        Redline polygons with ``kind`` (``ecological_protection_redline`` or
        ``ecological_space_control``; all protection if the column is absent)
        and ``name`` (see :func:`suzhou_geo.load_redlines`).  ``None``: the
        bundled, **illustrative** layer; ``False``: not checked.
    joint_zones : path, GeoDataFrame, Source, None or False
        Joint-control zones with a ``pair`` column.  ``None``: the 500 m
        嘉定–昆山–太仓 band (:func:`suzhou_geo.joint_control_zone`).
    schemes : path, GeoDataFrame, Source, None or False
        Scheme elements (``scheme``, ``name_zh``).  ``None``: :func:`suzhou_geo.layer`.
    rules : Rules or dict, optional
        Thresholds (see :class:`~suzhou_geo.validate.Rules`); a dict changes only the rules it names.
    crs : str or pyproj.CRS, optional
        CRS of parcels that declare none (e.g. ``"EPSG:4549"``), or ``"GCJ-02"``
        for Amap/Gaode coordinates.  Applies to the parcels only.
    layer, encoding : optional
        Layer (or table) and text encoding of the parcels.
    datum_shift : mapping, sequence, str or pyproj.Transformer, optional
        For parcels in Xi'an 1980 or Beijing 1954: the local transformation to
        CGCS2000 (see :class:`suzhou_geo.io.Source`).
    approximate_datum : bool, default False
        Accept an approximate conversion of such parcels; every row then says its
        position is approximate (± about 100 m).
    redlines_crs, joint_zones_crs, schemes_crs : str or pyproj.CRS, optional
        The CRS of the corresponding layer when it declares none.
    layers : PreparedLayers, optional
        Reference layers prepared once with :func:`suzhou_geo.prepare_layers`
        (then *redlines*, *joint_zones* and *schemes* must be left out).
    progress : callable or tqdm-like object, optional
        Told how many parcels are done: ``progress(done, total)``, or
        ``progress(done, total, stage)`` for each stage (``"read"``,
        ``"check"``); an object with ``update``, such as ``tqdm.auto.tqdm()``
        in Jupyter, gets its total and is advanced (see
        :mod:`suzhou_geo.validate.progress`).
    timings : callable(stage, seconds), optional
        Called with the wall time of each stage (for benchmarks).
    chunk_size : int, default 500000
        Most parcels per chunk (bounds the memory of the intermediate arrays;
        chunks are smaller when that keeps every thread busy).
    n_jobs : int, optional
        Threads that check chunks of parcels side by side (GEOS and PROJ
        release the GIL).  Default: the number of CPUs, at most 4; ``1`` runs
        serially (use it inside an already parallel caller: threads of your
        own, dask).  Calls from many threads at once are safe.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per input parcel, in input order, with the input's index and
        every input column (a column named like a report column is kept as
        ``<name>_input``, with a warning), the geometry in EPSG:4490, and the
        report columns of :data:`suzhou_geo.validate.REPORT_SCHEMA`: ``verdict``
        (``conflict`` > ``review`` > ``notice`` > ``pass``; ``invalid``),
        ``verdict_zh`` (the same in Chinese: 冲突, 复核, 告知, 通过, 无效),
        ``reasons`` (every rule that fired, Chinese / English),
        ``redline_overlap_m2``, ``redline_overlap_ratio``, ``control_overlap_m2``,
        ``redline_names``, ``nearest_redline_m``, ``in_joint_zone``,
        ``joint_zone``, ``district``, ``scheme_elements``, ``geometry_issue``,
        ``parcel_area_m2``, ``declared_area_ha`` and ``planar_area_m2`` (a
        declared 地块面积 of an approval file, in 公顷, and the planar
        Gauss-Krüger area in the file's zone it is compared with; empty when
        none is declared: an input column ``declared_area_ha`` is taken as the
        declaration), ``approximate_position`` and ``redline_data`` (which
        redlines were used: the provenance travels with every row).

    Raises
    ------
    suzhou_geo.errors.CRSError
        Parcels without a CRS and no ``crs=`` (the message names the likely CRS),
        a CRS the coordinates contradict, a legacy datum without parameters.
    suzhou_geo.errors.InputError
        Unreadable input (the message names the file, the row and the fix).

    See Also
    --------
    summarize : counts and areas by verdict and district.
    prepare_layers : reference layers prepared once for many calls.
    suzhou_geo.io.write_layer : writes the report with Chinese text intact.

    Notes
    -----
    One geometry per layer: every layer is read once with its long edges
    densified in the CRS it is stored in, and overlaid in EPSG:4549; overlaps
    are ellipsoidal.  The overlap of a parcel with the dissolved protection
    redline is the area :func:`suzhou_geo.check_floor` removes for it with ``minus=``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> p = gpd.GeoDataFrame({"id": [1]}, geometry=[box(120.95, 31.38, 120.951, 31.381)], crs="EPSG:4490")
    >>> r = validate_parcels(p, redlines=False, joint_zones=False, schemes=False)
    >>> r.loc[0, "verdict"], r.loc[0, "district"]
    ('pass', '昆山市')
    """
    inputs = ValidationInputs.gather(
        parcels, redlines, joint_zones, schemes, rules, crs=crs, layer=layer, encoding=encoding,
        datum_shift=datum_shift, approximate_datum=approximate_datum, redlines_crs=redlines_crs,
        joint_zones_crs=joint_zones_crs, schemes_crs=schemes_crs, layers=layers,
    )
    if _is_dask(inputs.parcels.data):
        from .distributed import validate_dask

        return validate_dask(inputs, chunk_size=chunk_size, n_jobs=n_jobs)
    return check(inputs, progress=progress, timings=timings, chunk_size=chunk_size, n_jobs=n_jobs)


def check(inputs: ValidationInputs, *, progress: Any = None, timings: Callable[[str, float], None] | None = None,
          chunk_size: int = 500_000, n_jobs: int | None = None) -> gpd.GeoDataFrame:
    """Validate gathered inputs: read → prepare → overlay → decide → explain → assemble.

    What :func:`validate_parcels` runs (its parameters, its result).
    """
    clock = Clock(timings)
    parcels, refs = _read_and_prepare(inputs, clock)
    report = Progress(progress, len(parcels))
    report.stage("read", len(parcels))
    m = measure(parcels, refs, inputs.rules, progress=report, chunk_size=chunk_size, n_jobs=n_jobs, clock=clock)
    if len(parcels) >= 100_000:  # what the threads freed (their copies of the parcels in EPSG:4549)
        give_back_memory()
    d = decide(m, inputs.rules)
    reasons = explain(m, d, inputs.rules, illustrative=refs.illustrative,
                      approximate_note=parcels.provenance.crs.note() if parcels.provenance.approximate else "")
    reasons = _as_arrow_text(reasons)  # the column's own strings now, not 500 000 Python objects more
    clock("decide+explain")
    out = assemble(parcels, m, d, reasons, refs, inputs.rules)
    clock("assemble")
    log.info("validated %d parcels from %s: %s", len(out), parcels.provenance.name, clock.totals())
    return out


def _read_and_prepare(inputs: ValidationInputs, clock: Clock) -> tuple[Layer, PreparedLayers]:
    """Read the parcels in this thread while the reference layers are prepared in another.

    The two do not depend on each other; an error reading the parcels is
    raised first (once the other thread has ended), as when they ran in turn.
    """
    if inputs.is_prepared:
        parcels = inputs.read()
        clock("read")
        clock("prepare")
        return parcels, inputs.layers
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="suzhou_geo-prepare") as side:
        prepared = side.submit(contextvars.copy_context().run, inputs.prepare)  # messages spelled as the caller's
        parcels = inputs.read()
        clock("read")
        refs = prepared.result().layers
    clock("prepare")
    return parcels, refs


def _is_dask(obj: Any) -> bool:
    """Return True for a dask collection (without importing dask)."""
    return type(obj).__module__.split(".")[0] in ("dask_geopandas", "dask", "dask_expr")


# --------------------------------------------------------------------------- measure


def measure(
    parcels: Layer,
    layers: PreparedLayers,
    rules: Rules,
    *,
    progress: Progress | None = None,
    chunk_size: int = 500_000,
    n_jobs: int | None = None,
    clock: Callable[[str], None] | None = None,
) -> Measures:
    """Measure every parcel against every reference layer, chunk by chunk, the chunks in parallel threads.

    Each chunk is projected (:meth:`~suzhou_geo.layer.Layer.metric_of`),
    measured and overlaid with every layer in one thread, so that the parts that
    hold Python's lock (making geometries) in one thread overlap the parts that
    do not (GEOS, PROJ, numpy) in the other; the results are stored in order.
    """
    n = len(parcels)
    m = Measures.empty(n)
    m.usable[:] = parcels.usable
    m.issue[:] = parcels.issues
    m.code[:] = parcels.codes
    m.area_change[:] = parcels.area_change
    m.approximate[:] = parcels.provenance.approximate & parcels.usable
    upos = np.flatnonzero(m.usable)
    pairs: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {
        k: [] for k in ("red", "ctl", "zone", "district", "scheme")
    }
    report = progress or Progress(None, n)
    skipped = n - len(upos)  # unusable rows are done once read
    workers = _workers(n_jobs)
    chunks = _chunks(len(upos), _chunk_rows(len(upos), chunk_size, workers))
    pool = _pool(workers) if workers > 1 and len(chunks) > 1 else None

    grids = len(upos) >= GRID_MIN_PARCELS

    def task(sl: slice) -> tuple[np.ndarray, dict]:
        return _measure_chunk(parcels, upos[sl], layers, rules, grids)

    for sl, (area, results) in zip(chunks, pool.map(task, chunks) if pool else map(task, chunks), strict=True):
        rows = upos[sl]
        m.area[rows] = area
        _store(m, pairs, rows, results)
        report.stage("check", skipped + sl.stop)
        report.done(skipped + sl.stop)
    declared_areas(parcels, m)
    _label(m, pairs, layers)
    _on_the_ellipsoid(m, parcels, upos)
    if clock:
        clock("measure")
    return m


#: Longitudes where EPSG:4549 is used (its area of use): beyond them its scale error grows past 0.03 %.
GK_ZONE = (118.5, 121.5)


def _on_the_ellipsoid(m: Measures, parcels: Layer, upos: np.ndarray) -> None:
    """Distances of parcels beyond EPSG:4549's zone, divided by its scale there: metres on the ellipsoid.

    Areas and overlaps are ellipsoidal already (:meth:`~suzhou_geo.layer.Layer.areas_of`);
    a distance measured in the plane 300 km from the central meridian is 0.1 % long.
    """
    from pyproj import Proj

    near = np.isfinite(m.nearest[upos]) & (m.nearest[upos] > 0)
    if not near.any():
        return
    rows = upos[near]
    c = shapely.centroid(parcels.geometry[rows])  # the frame is in longitude/latitude
    lon, lat = shapely.get_x(c), shapely.get_y(c)
    far = (np.asarray(lon) < GK_ZONE[0]) | (np.asarray(lon) > GK_ZONE[1])
    if far.any():
        k = np.asarray(Proj(CGCS2000_GK_CM120).get_factors(np.asarray(lon)[far], np.asarray(lat)[far]).meridional_scale)
        m.nearest[rows[far]] = m.nearest[rows[far]] / k


def declared_ha(frame: Any) -> np.ndarray | None:
    """Return the parcels' declared areas (公顷) from their ``declared_area_ha`` column, or None without one."""
    if DECLARED not in frame.columns:
        return None
    return pd.to_numeric(frame[DECLARED], errors="coerce").to_numpy(dtype=float)


def declared_areas(parcels: Layer, m: Measures) -> None:
    """Put the declared areas and the planar areas they are compared with (the file's own zone) into *m*."""
    declared = declared_ha(parcels.frame)
    if declared is None:
        return
    m.declared_m2[:] = declared * 1e4
    rows = np.flatnonzero(m.usable & np.isfinite(m.declared_m2))
    if len(rows):
        m.planar_m2[rows] = planar_areas(parcels.geometry[rows], parcels.provenance.crs.crs)


#: Fewest parcels per chunk worth a task of its own.
MIN_CHUNK = 5_000


def _chunk_rows(n: int, chunk_size: int, workers: int) -> int:
    """Parcels per chunk: about four chunks per thread (so that both stay busy to the end), within bounds."""
    return int(min(max(chunk_size, 1), max(MIN_CHUNK, -(-n // (4 * workers)))))


def _measure_chunk(parcels: Layer, rows: np.ndarray, layers: PreparedLayers, rules: Rules,
                   grids: bool) -> tuple[np.ndarray, dict]:
    """One chunk: its ellipsoidal areas, and its overlay with every layer.

    The parcels' EPSG:4549 copies are made only for those a layer's grid does
    not settle from boxes that surely hold them (with the grids: most are never made).
    """
    area = parcels.areas_of(rows)
    geoms = parcels.lazy_metric(rows) if grids else parcels.metric_of(rows)
    bounds = parcels.metric_bounds_of(rows) if grids else None
    return area, _overlay_chunk(Chunk(geoms, area, grids, bounds), layers, rules)


#: Thread pools by size, kept for the process: their threads keep their prepared
#: copies of the reference layers from one call to the next.
_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _pool(workers: int) -> ThreadPoolExecutor:
    with _POOLS_LOCK:
        pool = _POOLS.get(workers)
        if pool is None:
            pool = _POOLS[workers] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="suzhou_geo")
        return pool


def _forget_pools() -> None:
    """In a forked child the pools' threads do not exist: start afresh."""
    global _POOLS_LOCK
    _POOLS.clear()
    _POOLS_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools)


def _overlay_chunk(chunk: Chunk, layers: PreparedLayers, rules: Rules) -> dict:
    """Every layer's overlay of one chunk."""
    out = {}
    if layers.schemes is not None:
        out["scheme"] = overlay_schemes(layers.schemes, chunk, rules)
    if layers.redlines is not None:
        out["red"] = overlay_redlines(layers, chunk, rules)
    out["district"] = overlay_districts(layers, chunk, rules)
    if layers.zones is not None:
        out["zone"] = overlay_zones(layers.zones, chunk, rules)
    return out


def _store(m: Measures, pairs: dict, rows: np.ndarray, res: dict) -> None:
    """Put one chunk's results into the record (main thread only)."""
    if "red" in res:
        r = res["red"]
        # below 0.01 m² an "overlap" is noise along a shared edge, not a sliver
        m.red_m2[rows] = np.where(r.protection_m2 < NOISE_M2, 0.0, r.protection_m2)
        m.ctl_m2[rows] = np.where(r.control_m2 < NOISE_M2, 0.0, r.control_m2)
        m.nearest[rows] = r.nearest_m
        m.nearest_group[rows] = r.nearest_group
        pairs["red"].append((rows[r.protection_names.rows], r.protection_names.groups))
        pairs["ctl"].append((rows[r.control_names.rows], r.control_names.groups))
    suzhou_m2, dist = res["district"]
    m.suzhou_m2[rows] = suzhou_m2
    pairs["district"].append((rows[dist.rows], dist.groups))
    for key in ("zone", "scheme"):
        if key in res:
            p: Pairs = res[key]
            pairs[key].append((rows[p.rows], p.groups))


def _label(m: Measures, pairs: dict, layers: PreparedLayers) -> None:
    n = len(m)

    def lab(key: str, names) -> np.ndarray:
        if not pairs[key]:
            return np.full(n, "", dtype=object)
        r = np.concatenate([p[0] for p in pairs[key]])
        g = np.concatenate([p[1] for p in pairs[key]])
        return labels(n, r, g, names)

    if layers.redlines is not None:
        from .reference import CONTROL, PROTECTION

        m.red_names[:] = lab("red", layers.redlines[PROTECTION].features.names)
        m.ctl_names[:] = lab("ctl", layers.redlines[CONTROL].features.names)
        names = layers.redlines[PROTECTION].features.names
        ok = m.nearest_group >= 0
        m.near_names[ok] = names[m.nearest_group[ok]]
    m.district[:] = lab("district", layers.districts.names)
    if layers.zones is not None:
        m.zone[:] = lab("zone", layers.zones.names)
    if layers.schemes is not None:
        m.schemes[:] = lab("scheme", layers.schemes.names)


def _chunks(total: int, size: int) -> list[slice]:
    k = max(-(-total // max(int(size), 1)), 1)
    b = np.linspace(0, total, k + 1).astype(int)
    return [slice(int(b[i]), int(b[i + 1])) for i in range(k) if b[i + 1] > b[i]] or [slice(0, 0)]


def _workers(n_jobs: int | None) -> int:
    if n_jobs is None:
        return max(1, min(os.cpu_count() or 1, 4))
    if int(n_jobs) < 1:
        raise InputError(f"n_jobs must be ≥ 1 or None, not {n_jobs!r}", source="validate_parcels")
    return int(n_jobs)


# --------------------------------------------------------------------------- assemble


def assemble(parcels: Layer, m: Measures, d: Decision, reasons: np.ndarray, refs: PreparedLayers,
             rules: Rules) -> gpd.GeoDataFrame:
    """Return the report: the input frame (columns kept, clashing names renamed) plus the report columns."""
    cols = report_columns()
    frame = parcels.frame
    if frame.geometry.name in cols:  # a geometry column called like a report column
        frame = frame.rename_geometry("geometry" if "geometry" not in frame.columns else "geom")
    declared = declared_ha(frame)
    if declared is not None and _all_numbers(frame[DECLARED], declared):
        frame = frame.drop(columns=[DECLARED])  # the report's declared_area_ha holds the same values
    out = keep_input_columns(frame, cols, what="validate_parcels")
    renamed = out.attrs.get("renamed_columns", {})
    ok = d.checked
    values = {
        "verdict": d.verdict,
        "verdict_zh": _in_chinese(d.verdict),
        "reasons": reasons,
        "redline_overlap_m2": np.where(ok, np.round(m.red_m2, 2), np.nan),
        "redline_overlap_ratio": np.where(ok, np.round(d.ratio, 6), np.nan),
        "control_overlap_m2": np.where(ok, np.round(m.ctl_m2, 2), np.nan),
        "redline_names": _join_names(m.red_names, m.ctl_names),
        "nearest_redline_m": np.where(ok, np.round(m.nearest, 2), np.nan),
        "in_joint_zone": d.in_zone,
        "joint_zone": m.zone,
        "district": m.district,
        "scheme_elements": m.schemes,
        "geometry_issue": m.issue,
        "parcel_area_m2": np.where(m.usable, np.round(m.area, 2), np.nan),
        "declared_area_ha": declared if declared is not None else np.full(len(m), np.nan),
        "planar_area_m2": np.round(m.planar_m2, 2),
        "approximate_position": m.approximate.copy(),
        "redline_data": _repeated(refs.redline_data, len(m)),
    }
    for c in cols:
        value = values.pop(c)  # each array let go once it is a column
        out[c] = _as_text(value) if c in _REPEATED_TEXT else value
    prov = parcels.provenance
    out.attrs = {
        "illustrative": refs.illustrative,
        "data_note": refs.data_note,
        "rules": asdict(rules),
        "source": prov.name,
        "provenance": prov.to_dict(),
        "renamed_columns": renamed,
        "reference_notes": list(refs.notes),
    }
    return out


def _in_chinese(verdict: np.ndarray) -> np.ndarray:
    out = np.empty(len(verdict), dtype=object)
    for code, zh in VERDICT_ZH.items():
        out[verdict == code] = zh
    return out


def _all_numbers(column: pd.Series, values: np.ndarray) -> bool:
    """Return True if every value of *column* that is given is a number (nothing is lost by taking *values*)."""
    return bool((np.isfinite(values) | column.isna().to_numpy()).all())


def _join_names(red: np.ndarray, ctl: np.ndarray) -> np.ndarray:
    out = np.where(red != "", red, ctl).astype(object)  # the same string objects, not one new string a row
    both = (red != "") & (ctl != "")
    out[both] = red[both] + "; " + ctl[both]
    return out


def _repeated(text: str, n: int) -> np.ndarray:
    """*n* references to one string (``np.full`` would make *n* copies of it: 86 MB at 500 000 rows)."""
    out = np.empty(n, dtype=object)
    out.fill(text)
    return out


def _as_arrow_text(values: np.ndarray, chunk: int = 50_000) -> Any:
    """Return *values* (an object array of text, emptied on the way) as a pandas text array, a slice at a time.

    Each slice's Python strings are let go (and their memory given back) as soon
    as Arrow holds them, so the column never exists twice over: 500 000 reasons
    took 250 MB more than their 66 MB at once.
    """
    import pyarrow as pa

    parts = []
    for start in range(0, len(values), chunk):
        parts.append(pa.array(values[start:start + chunk], type=pa.large_string(), from_pandas=True))
        values[start:start + chunk] = None
    if len(values) >= 2 * chunk:
        give_back_memory()
    return pd.array(pa.chunked_array(parts, type=pa.large_string()), dtype="str")


#: Report text columns that repeat a few values (names, verdicts, the data note).
_REPEATED_TEXT = frozenset({"verdict", "verdict_zh", "redline_names", "joint_zone", "district", "scheme_elements",
                            "geometry_issue", "redline_data"})


def _as_text(values: np.ndarray) -> Any:
    """Return the text column of *values*, built from its distinct values: what pandas makes, with less memory.

    pandas converts an object array to Arrow strings value by value, growing its
    buffers as it goes: ``redline_data`` (one string in every row, 39 MB as a
    column at 500 000 rows) took 156 MB on the way, taken from its distinct
    values in one step 87 MB.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    words = pa.array(np.asarray(uniques, dtype=object), type=pa.large_string())
    return pd.array(pc.take(words, indices), dtype="str")
