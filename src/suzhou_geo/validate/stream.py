"""File in, report file out, in bounded memory: :func:`validate_file`.

The parcels are read in batches (:func:`suzhou_geo.io.stream.open_batches`),
each batch is read through :func:`suzhou_geo.io.read` and checked by
:func:`~suzhou_geo.validate.validate_parcels` against reference layers
prepared once, and appended to the output
(:class:`suzhou_geo.io.stream.BatchWriter`).  Memory depends on the batch
size, not on the number of parcels; the output has the rows, columns, order
and values the in-memory path (:func:`validate_parcels` then
:func:`~suzhou_geo.io.write_layer`) gives.  Formats that cannot be appended to
(Excel, Shapefile, CSV) and inputs that are not files are validated in memory.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io import Source, read
from ..io.stream import (
    BATCH_SIZE,
    BatchWriter,
    NotStreamable,
    Restart,
    can_stream,
    can_stream_to,
    give_back_memory,
    open_batches,
)
from .core import PARCEL_SPELLING, validate_parcels
from .progress import Progress
from .reference import PreparedLayers, resolve_layers
from .rules import Rules, as_rules
from .schema import REPORT_SCHEMA, in_chinese
from .summary import SummaryParts, ValidationSummary

__all__ = ["validate_file", "FileReport", "read_batch"]

log = logging.getLogger(__name__)


@dataclass
class FileReport:
    """What :func:`validate_file` wrote: the file, its number of rows and the summary.

    Attributes
    ----------
    path : pathlib.Path
        The report file.
    rows : int
        Report rows written (one per input parcel).
    summary : ValidationSummary
        Counts and areas by verdict and by district (as :func:`summarize` gives them).
    streamed : bool
        Whether the file was written batch by batch (False: validated in memory).
    """

    path: Path
    rows: int
    summary: ValidationSummary
    streamed: bool

    def to_frame(self):
        """Return the counts by verdict."""
        return self.summary.to_frame()

    def __str__(self) -> str:
        return f"{self.rows:,} 个地块 parcels → {self.path}\n\n{self.summary}"

    def _repr_html_(self) -> str:
        import html

        return f"<p>{self.rows:,} 个地块 parcels → <code>{html.escape(str(self.path))}</code></p>" + \
            self.summary._repr_html_()


def validate_file(
    parcels: Any,
    output: Any,
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
    output_layer: str | None = None,
    overwrite: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Any = None,
    timings: Callable[[str, float], None] | None = None,
    n_jobs: int | None = None,
    columns: str = "en",
) -> FileReport:
    """Validate a parcel file into a report file, batch by batch, in bounded memory.

    The same checks and the same report as :func:`validate_parcels` followed
    by :func:`suzhou_geo.io.write_layer`, for inputs of any size: peak memory
    depends on *batch_size*, not on the number of parcels.

    Parameters
    ----------
    parcels : path
        GeoPackage, GeoParquet, Shapefile, FlatGeobuf or another file OGR
        reads.  Other inputs (CSV, PostGIS, frames) are validated in memory.
    output : path
        ``.gpkg`` or ``.parquet`` are written batch by batch; other formats
        (``.xlsx``, ``.shp``, ``.csv``, …) are written by
        :func:`~suzhou_geo.io.write_layer` after an in-memory validation.
    redlines, joint_zones, schemes, rules, crs, layer, encoding, datum_shift, approximate_datum
        As for :func:`validate_parcels`.
    redlines_crs, joint_zones_crs, schemes_crs, layers
        As for :func:`validate_parcels`; the reference layers are prepared once.
    output_layer : str, optional
        GeoPackage layer name (default: the file name without extension).
    overwrite : bool, default False
        Replace an existing output.
    batch_size : int, default 50000
        Parcels per batch (about 1–2 GB of memory per million).
    progress : callable or tqdm-like object, optional
        Told how many parcels are done (read, checked and written):
        ``progress(done, total)``, or ``progress(done, total, stage)`` for each
        stage (``"read"``, ``"check"``, ``"write"``); an object with
        ``update``, such as ``tqdm.auto.tqdm()``, is advanced and shows the stage.
    timings : callable(stage, seconds), optional
        Called for each stage of each batch (``"prepare"`` once, then
        ``"read"``, ``"check"``, ``"write"``): sum them per stage.
    n_jobs : int, optional
        Threads per batch (see :func:`validate_parcels`).
    columns : {"en", "zh"}, default "en"
        The report columns' names in the file: as in Python, or Chinese (判定,
        理由, …, booleans as 是/否; see :func:`suzhou_geo.write_layer`).

    Returns
    -------
    FileReport
        ``.path``, ``.rows``, ``.summary`` (as :func:`summarize` of the whole report).

    Raises
    ------
    suzhou_geo.errors.InputError
        As :func:`validate_parcels` (a batch's problem names its row).
    suzhou_geo.errors.OutputError
        The output exists (without ``overwrite=True``), is an input, or cannot
        be written; nothing is left behind.

    See Also
    --------
    validate_parcels : the report as a frame, in memory.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> r = sg.validate_file(sg.data_path("parcels", "parcels.gpkg"), "report.gpkg", batch_size=100)
    >>> r.rows, r.streamed
    (382, True)
    >>> import geopandas as gpd
    >>> len(gpd.read_file("report.gpkg"))
    382
    """
    if columns not in ("en", "zh"):
        raise InputError(f"columns must be 'en' or 'zh', not {columns!r}", source="validate_file",
                         hint="columns='zh' writes the report columns under their Chinese names")
    clock = _Timer(timings)
    rules = as_rules(rules)
    spelling = dict(PARCEL_SPELLING)
    if isinstance(parcels, Source):  # a path with its reading options (and its caller's names for them)
        src, parcels = parcels, parcels.data
        crs, layer, encoding = crs or src.crs, layer if layer is not None else src.layer, encoding or src.encoding
        datum_shift, approximate_datum = datum_shift or src.datum_shift, approximate_datum or src.approximate_datum
        spelling.update(src.spelling or {})
    refs = resolve_layers(layers, redlines, joint_zones, schemes, rules, redlines_crs, joint_zones_crs, schemes_crs)
    clock("prepare")
    read_opts = {"crs": crs, "datum_shift": datum_shift, "approximate_datum": approximate_datum, "spelling": spelling}
    run = dict(refs=refs, rules=rules, output=output, output_layer=output_layer, overwrite=overwrite,
               inputs=[parcels, redlines, joint_zones, schemes], progress=progress, clock=clock, n_jobs=n_jobs,
               columns=columns)
    if can_stream(parcels) and can_stream_to(output):
        try:
            try:
                return _stream(parcels, layer, encoding, batch_size, read_opts, input_wkt=None, **run)
            except Restart:  # a row of another geometry type after the layer was created: once more with the column
                log.info("%s: rows that are not polygons appear late; writing again with input_geometry_wkt", output)
                if hasattr(progress, "reset"):  # a tqdm bar starts again
                    progress.reset()
                return _stream(parcels, layer, encoding, batch_size, read_opts, input_wkt=True, **run)
        except NotStreamable as why:
            log.info("%s is validated in memory: %s", parcels, why)
    return _whole(parcels, layer, encoding, read_opts, **run)


def _stream(parcels, layer, encoding, batch_size, read_opts, *, input_wkt, refs, rules, output, output_layer,
            overwrite, inputs, progress, clock, n_jobs, columns) -> FileReport:
    parts: SummaryParts | None = None
    with open_batches(parcels, layer=layer, encoding=encoding, batch_size=batch_size) as batches:
        report = Progress(progress, batches.total)
        with BatchWriter(output, layer=output_layer, overwrite=overwrite, inputs=inputs,
                         default_index=batches.default_index, input_wkt=input_wkt) as out:
            done = 0
            # closing(): the reading and writing threads are joined before the file closes, also on an error
            with contextlib.closing(_read_ahead(batches, read_opts)) as ahead, _WriteBehind(out) as behind:
                for n, parcels_layer in ahead:
                    clock("read")  # the time spent waiting for the batch (reading overlaps checking)
                    report.stage("read", done + n)
                    result = validate_parcels(parcels_layer, layers=refs, rules=rules, n_jobs=n_jobs)
                    del parcels_layer  # only the report of this batch stays in memory while it is written
                    clock("check")
                    report.stage("check", done + n)
                    part = SummaryParts.of(result)
                    parts = part if parts is None else parts + part
                    # written in its thread while the next batch is checked
                    behind.write(result if columns == "en" else in_chinese(result, what="validate_file")[0])
                    del result
                    done += n
                    clock("write")  # the time spent waiting for the writer to take the batch
                    report.stage("write", done)
                    report.done(done)
                    give_back_memory()
            if done == 0:
                raise NotStreamable("the file has no rows")
    return FileReport(out.target, out.rows, parts.finish(), True)


def _read_ahead(batches, read_opts: dict, ahead: int = 1):
    """``(rows, Layer)`` for each batch, read (and projected) in a thread while the caller checks the one before.

    The thread owns the reader until it ends; it is always joined before the
    reader closes, also when the caller stops early.
    """
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for raw in batches:
                lay = read_batch(raw, batches.info, read_opts)
                _ = lay.metric  # project here, in parallel with the check of the previous batch
                if not put((len(raw), lay)):
                    return
                del raw, lay
            put(end)
        except BaseException as exc:  # handed to the caller
            put(exc)

    thread = threading.Thread(target=produce, name="suzhou_geo-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
            del item
    finally:
        stop.set()
        thread.join()


class _WriteBehind:
    """Write report batches in a thread of their own, one batch at most waiting (a context manager).

    The caller's next batch is checked while this one is converted and
    written; an error in the writer (:class:`~suzhou_geo.io.stream.Restart`
    included) reaches the caller at its next :meth:`write` or when the block ends.
    """

    def __init__(self, out) -> None:
        import queue
        import threading

        self.out = out
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="suzhou_geo-write-behind", daemon=True)

    def __enter__(self) -> _WriteBehind:
        self.thread.start()
        return self

    def _run(self) -> None:
        while True:
            frame = self.queue.get()
            if frame is None:
                return
            if self.error is None:
                try:
                    self.out.write(frame)
                except BaseException as exc:  # handed to the caller
                    self.error = exc
            del frame

    def write(self, frame) -> None:
        """Hand *frame* to the writer (waits while it still holds the one before)."""
        self._raise()
        self.queue.put(frame)

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def __exit__(self, exc_type, exc, tb) -> None:
        self.queue.put(None)
        self.thread.join()
        if exc_type is None:
            self._raise()


def read_batch(raw, info, read_opts: dict):
    """One raw batch through the one way in, with the file's provenance."""
    lay = read(Source(raw, name=info.name, **read_opts), expect="polygon")
    return lay.with_frame(lay.frame, source=info.source, format=info.format, encoding=info.encoding,
                          notes=tuple(info.notes) + tuple(lay.provenance.notes))


def _whole(parcels, layer, encoding, read_opts, *, refs, rules, output, output_layer, overwrite, inputs,
           progress, clock, n_jobs, columns) -> FileReport:
    """Validate in memory and write with write_layer (formats that are not appended to)."""
    from ..io import check_output

    target = check_output(output, overwrite=overwrite, inputs=[i for i in inputs or () if i is not None])
    report = Progress(progress, None)
    lay = read(Source(parcels, layer=layer, encoding=encoding, **read_opts), expect="polygon")
    report.set_total(len(lay))
    report.stage("read", len(lay))
    clock("read")
    result = validate_parcels(lay, layers=refs, rules=rules, n_jobs=n_jobs, progress=_checking(report))
    clock("check")
    _write_whole(result, target, layer=output_layer, overwrite=overwrite, inputs=inputs, columns=columns)
    clock("write")
    report.stage("write", len(result))
    report.done(len(result))
    return FileReport(target, len(result), SummaryParts.of(result).finish(), False)


def _checking(report: Progress):
    """Return a stage hook for validate_parcels that only reports checking (the run is done when written)."""
    return lambda done, total, stage: report.stage(stage, done) if stage == "check" else None


def _write_whole(frame, target: Path, *, layer, overwrite: bool, inputs, columns: str) -> None:
    from ..io import write_layer

    described = REPORT_SCHEMA
    if columns == "zh":
        frame, described = in_chinese(frame, what="validate_file")
    write_layer(frame, target, layer=layer, overwrite=overwrite, inputs=[i for i in inputs if i is not None],
                columns=described)


class _Timer:
    """Seconds since the last call, per stage, to the caller's ``timings`` callback."""

    def __init__(self, callback: Callable[[str, float], None] | None) -> None:
        self._cb = callback
        self._last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        if self._cb is not None:
            self._cb(stage, now - self._last)
        self._last = now
