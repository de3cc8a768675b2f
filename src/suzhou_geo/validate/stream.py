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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io import check_output
from ..io.stream import (
    BATCH_SIZE,
    BatchReader,
    BatchWriter,
    NotStreamable,
    Restart,
    can_stream,
    can_stream_to,
    give_back_memory,
    read_ahead,
)
from .core import check
from .inputs import ValidationInputs
from .progress import Clock, Progress
from .rules import Rules
from .schema import REPORT_SCHEMA, in_chinese
from .summary import SummaryParts, ValidationSummary

__all__ = ["validate_file", "FileReport", "streams"]

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
    provenance : dict
        How the parcels were read (the report's ``attrs["provenance"]``: file,
        format, encoding, CRS and what was decided from the content).
    """

    path: Path
    rows: int
    summary: ValidationSummary
    streamed: bool
    provenance: dict = field(default_factory=dict)

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
    output_layer: str | None = None,
    overwrite: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Any = None,
    timings: Callable[[str, float], None] | None = None,
    n_jobs: int | None = None,
    columns: str = "en",
    writer: Callable[..., Any] | None = None,
    **options: Any,
) -> FileReport:
    """Validate a parcel file into a report file, batch by batch, in bounded memory.

    The same checks and the same report as :func:`validate_parcels` followed
    by :func:`suzhou_geo.io.write_layer`, for inputs of any size: peak memory
    depends on *batch_size*, not on the number of parcels.

    Parameters
    ----------
    parcels : path, Source or ValidationInputs
        GeoPackage, GeoParquet, Shapefile, FlatGeobuf or another file OGR
        reads.  Other inputs (CSV, PostGIS, frames) are validated in memory.
        A :class:`~suzhou_geo.validate.inputs.ValidationInputs` carries the
        parcels, every option and the reference layers (then give none of them here).
    output : path
        ``.gpkg`` or ``.parquet`` are written batch by batch; other formats
        (``.xlsx``, ``.shp``, ``.csv``, …) are written by *writer* after an
        in-memory validation.  Checked once, before any work.
    redlines, joint_zones, schemes, rules
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
    writer : callable, optional
        ``writer(report, path, layer=, overwrite=, inputs=, columns=)`` writes a
        report validated in memory; default :func:`suzhou_geo.io.write_layer`
        with the report's columns (:func:`suzhou_geo.write_layer` takes the same
        arguments and also adds the summary sheets to a workbook).
    **options
        The reading options of :func:`validate_parcels`: ``crs``, ``layer``,
        ``encoding``, ``datum_shift``, ``approximate_datum``,
        ``redlines_crs``, ``joint_zones_crs``, ``schemes_crs``, ``layers``.

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
    clock = Clock(timings)
    inputs = ValidationInputs.gather(parcels, redlines, joint_zones, schemes, rules, **options)
    target = check_output(output, overwrite=overwrite, inputs=_files(inputs))  # once, before any work
    run = _Run(inputs.prepare(), target, output_layer, overwrite, _files(inputs), progress, clock, n_jobs, columns)
    clock("prepare")
    if streams(inputs.parcels, target):
        try:
            return _stream(run, batch_size)
        except NotStreamable as why:
            log.info("%s is validated in memory: %s", inputs.parcels.data, why)
    return _whole(run, writer)


def streams(parcels: Any, output: Any) -> bool:
    """Whether a run of *parcels* (a path or :class:`~suzhou_geo.io.Source`) into *output* is streamed.

    A file OGR or pyarrow reads in batches, without an SQL query, into a
    GeoPackage or GeoParquet report.

    Examples
    --------
    >>> streams("parcels.gpkg", "report.gpkg"), streams("parcels.gpkg", "report.xlsx")
    (True, False)
    """
    data = getattr(parcels, "data", parcels)
    return can_stream(data) and getattr(parcels, "sql", None) is None and can_stream_to(output)


def _files(inputs: ValidationInputs) -> list:
    """Return the run's inputs, which an output must not replace."""
    return [v for v in (inputs.parcels, inputs.redlines, inputs.joint_zones, inputs.schemes) if v is not None]


@dataclass
class _Run:
    """One file → file run: its inputs (reference layers prepared), the checked output, its progress and clock."""

    inputs: ValidationInputs
    target: Path
    output_layer: str | None
    overwrite: bool
    files: list
    progress: Any
    clock: Clock
    n_jobs: int | None
    columns: str


def _stream(run: _Run, batch_size: int) -> FileReport:
    """Batch by batch; a row of another geometry type after the layer was created: once more, with the column."""
    try:
        return _batches(run, batch_size, input_wkt=None)
    except Restart:
        log.info("%s: rows that are not polygons appear late; writing again with input_geometry_wkt", run.target)
        if hasattr(run.progress, "reset"):  # a tqdm bar starts again
            run.progress.reset()
        return _batches(run, batch_size, input_wkt=True)


def _batches(run: _Run, batch_size: int, *, input_wkt) -> FileReport:
    src = run.inputs.parcels
    parts: SummaryParts | None = None
    provenance: dict = {}
    with BatchReader(Path(src.data), layer=src.layer, encoding=src.encoding, batch_size=batch_size,
                     name=src.name) as batches:
        report = Progress(run.progress, batches.total)
        with BatchWriter(run.target, layer=run.output_layer, overwrite=run.overwrite, inputs=run.files,
                         default_index=batches.default_index, input_wkt=input_wkt) as out:
            done = 0
            # closing(): the reading and writing threads are joined before the file closes, also on an error
            with contextlib.closing(read_ahead(_layers(batches, run.inputs))) as ahead, _WriteBehind(out) as behind:
                for n, parcels_layer in ahead:
                    run.clock("read")  # the time spent waiting for the batch (reading overlaps checking)
                    report.stage("read", done + n)
                    result = check(run.inputs.with_parcels(parcels_layer), n_jobs=run.n_jobs)
                    del parcels_layer  # only the report of this batch stays in memory while it is written
                    run.clock("check")
                    report.stage("check", done + n)
                    part = SummaryParts.of(result)
                    parts = part if parts is None else parts + part
                    provenance = provenance or dict(result.attrs.get("provenance") or {})
                    # written in its thread while the next batch is checked
                    behind.write(result if run.columns == "en" else in_chinese(result, what="validate_file")[0])
                    del result
                    done += n
                    run.clock("write")  # the time spent waiting for the writer to take the batch
                    report.stage("write", done)
                    report.done(done)
                    give_back_memory()
            if done == 0:
                raise NotStreamable("the file has no rows")
    return FileReport(out.target, out.rows, parts.finish(), True, provenance)


def _layers(batches, inputs: ValidationInputs):
    """Return ``(rows, Layer)`` for each batch, read with the file's options.

    :func:`~suzhou_geo.io.stream.read_ahead` runs it in its thread, which owns
    the reader until it ends.  A map keeps no batch once it has handed on its
    layer (a generator's frame would hold the last one).
    """
    return map(lambda raw: (len(raw), inputs.read_rows(raw, batches.info)), batches)


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


def _whole(run: _Run, writer: Callable[..., Any] | None) -> FileReport:
    """Validate in memory and write with *writer* (formats that are not appended to)."""
    report = Progress(run.progress, None)
    lay = run.inputs.read()
    report.set_total(len(lay))
    report.stage("read", len(lay))
    run.clock("read")
    result = check(run.inputs.with_parcels(lay), n_jobs=run.n_jobs, progress=_checking(report))
    run.clock("check")
    (writer or _write_whole)(result, run.target, layer=run.output_layer, overwrite=run.overwrite, inputs=run.files,
                             columns=run.columns)
    run.clock("write")
    report.stage("write", len(result))
    report.done(len(result))
    return FileReport(run.target, len(result), SummaryParts.of(result).finish(), False,
                      dict(result.attrs.get("provenance") or {}))


def _checking(report: Progress):
    """Return a stage hook for the check that only reports checking (the run is done when written)."""
    return lambda done, total, stage: report.stage(stage, done) if stage == "check" else None


def _write_whole(frame, target: Path, *, layer, overwrite: bool, inputs, columns: str) -> None:
    from ..io import write_layer

    described = REPORT_SCHEMA
    if columns == "zh":
        frame, described = in_chinese(frame, what="validate_file")
    write_layer(frame, target, layer=layer, overwrite=overwrite, inputs=inputs, columns=described)
