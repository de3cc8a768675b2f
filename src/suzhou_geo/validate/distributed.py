"""dask-geopandas as the engine beyond one machine (``pip install suzhou_geo[dask]``).

:func:`validate_dask` (what :func:`~suzhou_geo.validate_parcels` does with a
``dask_geopandas.GeoDataFrame``) checks each partition with
:func:`~suzhou_geo.validate_parcels` on the workers and returns the report as
a lazy dask-geopandas frame: the same rows, in the same order, with the same
index and values as the single-process report of the same parcels.

* The reference layers are prepared once, on the client, and shipped to each
  worker once: one ``dask.delayed`` object that every task shares (or pass
  ``layers=client.scatter(prepared, broadcast=True)`` to keep them on the
  workers across computations).  Each worker thread then prepares its own GEOS copy
  (:meth:`suzhou_geo.pieces.PieceIndex.prepared`).
* Every partition runs with ``n_jobs=1``: the workers' threads are the parallelism.
* Rows without geometry get their ``invalid`` verdict like any other row: the
  partitions are taken as they come, never spatially shuffled (dask-geopandas'
  spatial partitioning refuses missing geometries).
* The report's provenance is in its columns (``redline_data``,
  ``approximate_position``), so :func:`~suzhou_geo.summarize` of the computed
  report still says when the redlines were the illustrative sample.

:func:`read_dask` reads a file as a dask-geopandas frame of row ranges (each
partition read on a worker, as :func:`suzhou_geo.io.stream.open_batches`
reads it), and :func:`write_ordered` writes a report computed on a cluster to
one GeoPackage or GeoParquet file, partition by partition, in order.

Examples
--------
>>> import dask_geopandas, suzhou_geo as sg  # doctest: +SKIP
>>> from dask.distributed import Client
>>> client = Client("tcp://scheduler:8786")  # doctest: +SKIP
>>> parcels = dask_geopandas.read_parquet("parcels/*.parquet")  # doctest: +SKIP
>>> report = sg.validate_parcels(parcels, redlines="红线.gpkg")  # doctest: +SKIP
>>> report.to_parquet("report/")  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..errors import InputError, missing_extra
from .inputs import ValidationInputs
from .progress import Progress
from .reference import PreparedLayers
from .rules import Rules

__all__ = ["validate_dask", "read_dask", "write_ordered"]

log = logging.getLogger(__name__)


def _dask_geopandas():
    try:
        import dask_geopandas
    except ImportError as exc:
        raise missing_extra("dask_geopandas", "dask", "validating a dask-geopandas frame") from exc
    return dask_geopandas


def validate_dask(
    parcels: Any,
    redlines: Any = None,
    joint_zones: Any = None,
    schemes: Any = None,
    rules: Rules | Mapping[str, Any] | None = None,
    *,
    chunk_size: int = 500_000,
    n_jobs: int | None = None,
    **options: Any,
) -> Any:
    """Validate a dask-geopandas frame partition by partition; return the report, lazily.

    Called by :func:`~suzhou_geo.validate_parcels` for a dask-geopandas frame,
    with its inputs gathered (:class:`~suzhou_geo.validate.inputs.ValidationInputs`);
    the parameters are its own (*options*: ``crs``, ``datum_shift``,
    ``approximate_datum``, …, ``layers``).  Every partition is read with every
    reading option of the parcels.  *layers* may also be a ``distributed.Future``
    of :class:`PreparedLayers` already scattered to the workers.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        The report, not computed yet; ``.compute()`` gives what
        :func:`~suzhou_geo.validate_parcels` gives for the computed parcels.
    """
    from .core import check

    inputs = ValidationInputs.gather(parcels, redlines, joint_zones, schemes, rules, **options)
    frame = inputs.parcels.data
    dgpd = _dask_geopandas()
    if not isinstance(frame, dgpd.GeoDataFrame):
        raise InputError(f"validate_parcels takes a dask_geopandas.GeoDataFrame, not a {type(frame).__name__}",
                         source="validate_parcels",
                         hint="convert it with dask_geopandas.from_dask_dataframe(df, geometry=...)")
    if n_jobs not in (None, 1):
        log.info("n_jobs=%s ignored for a dask frame: every partition runs with n_jobs=1", n_jobs)
    local, shipped = _layers(inputs)
    template = replace(inputs.parcels, data=None)  # the parcels' reading options, for every partition
    meta = check(ValidationInputs(replace(template, data=frame._meta), rules=inputs.rules, layers=local),
                 n_jobs=1, chunk_size=chunk_size)
    meta.attrs = {}
    return frame.map_partitions(_validate_partition, shipped, inputs.rules, template, chunk_size, meta=meta,
                                align_dataframes=False)


def _validate_partition(part, layers: PreparedLayers, rules: Rules, template, chunk_size: int):
    """One partition on a worker (``n_jobs=1``: the worker's threads are the parallelism)."""
    from .core import check

    out = check(ValidationInputs(replace(template, data=part), rules=rules, layers=layers), n_jobs=1,
                chunk_size=chunk_size)
    out.attrs = {}  # what the report carries travels in its columns
    return out


def _layers(inputs: ValidationInputs) -> tuple[PreparedLayers, Any]:
    """Return the layers on the client and the handle every task receives (scattered future or delayed object)."""
    future = _as_future(inputs.layers)
    if future is not None:
        return future.result(), future
    local = inputs.prepare().layers
    import dask

    # one object in the graph: sent once per computation, fetched once by each worker that needs it
    return local, dask.delayed(local, pure=False)


def _as_future(obj: Any):
    try:
        from distributed import Future
    except ImportError:
        return None
    return obj if isinstance(obj, Future) else None


# --------------------------------------------------------------------------- files


def read_dask(source: Any, *, partition_rows: int = 100_000, layer: Any = None, encoding: str | None = None):
    """Read a file as a dask-geopandas frame of row ranges, as declared (no CRS check: that is per partition).

    Parameters
    ----------
    source : path
        GeoParquet, GeoPackage, Shapefile, FlatGeobuf, … (see
        :func:`suzhou_geo.io.stream.can_stream`).
    partition_rows : int, default 100000
        Rows per partition.
    layer, encoding
        As for :func:`suzhou_geo.io.read`; a Shapefile's encoding is decided
        once, here, and used by every partition.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Partitions in file order, each indexed like :func:`suzhou_geo.io.read` indexes the whole file.
    """
    _dask_geopandas()
    import dask.dataframe as dd

    from ..io.stream import open_batches

    with open_batches(source, layer=layer, encoding=encoding, batch_size=1, rows=(0, 1)) as probe:
        first = next(iter(probe), None)
        total, info = probe.total, probe.info
    if first is None or total is None:
        raise InputError("has no rows, or does not say how many", source=info.name,
                         hint="validate it with validate_parcels() on the file instead")
    codec = encoding
    if info.format == "ESRI Shapefile":  # decided on a sample, now the same for every partition
        codec = (info.encoding or "UTF-8").split(" (")[0]
    step = max(int(partition_rows), 1)
    ranges = [(a, min(a + step, total)) for a in range(0, total, step)] or [(0, 0)]
    meta = first.iloc[:0]
    return dd.from_map(_read_rows, ranges, source=str(source), layer=layer, encoding=codec, meta=meta,
                       enforce_metadata=False, label="suzhou_geo-read")


def _read_rows(rows: tuple[int, int], *, source: str, layer: Any, encoding: str | None):
    import pandas as pd

    from ..io.stream import open_batches

    with open_batches(source, layer=layer, encoding=encoding, batch_size=rows[1] - rows[0] or 1,
                      rows=rows) as batches:
        parts = list(batches)
    return pd.concat(parts) if len(parts) > 1 else parts[0]


def write_ordered(report: Any, writer: Any, client: Any, *, window: int = 4, progress: Any = None,
                  total: int | None = None) -> int:
    """Compute *report*'s partitions on *client*, at most *window* at a time, and write them in order.

    Parameters
    ----------
    report : dask_geopandas.GeoDataFrame
    writer : suzhou_geo.io.stream.BatchWriter
        Opened (inside ``with``).
    client : distributed.Client
    window : int, default 4
        Partitions computed ahead of the one being written (bounds the memory
        of the client and the workers).
    progress : optional
        As for :func:`~suzhou_geo.validate_file` (told as partitions are written).
    total : int, optional
        Rows of the report, for *progress*.

    Returns
    -------
    int
        Rows written.
    """
    parts = iter(report.to_delayed())
    pending: deque = deque(client.compute(p) for p in itertools.islice(parts, max(window, 1)))
    done = 0
    report_progress = Progress(progress, total)
    while pending:
        future = pending.popleft()
        frame = future.result()
        future.release()
        nxt = next(parts, None)
        if nxt is not None:
            pending.append(client.compute(nxt))
        writer.write(frame)
        done += len(frame)
        report_progress.stage("write", done)
        report_progress.done(done)
    return done
