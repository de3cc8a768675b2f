"""How ``suzhou-geo validate`` runs a file → file check: here (streamed or in memory), or on a dask cluster.

The command gathers its inputs once (:class:`suzhou_geo.validate.ValidationInputs`:
the parcels' :class:`~suzhou_geo.io.Source` with every option the user gave,
the redlines, the rules) and hands them whole to the engine:

* **local** (default): :func:`suzhou_geo.validate_file` streams a parcel file
  into a ``.gpkg`` or ``.parquet`` report in bounded memory, and validates
  other runs in memory (it decides which, once);
* **dask**: the parcels are read as row ranges by the workers of an existing
  ``dask.distributed`` cluster (``--scheduler ADDRESS``) or of a local one
  started for the run (``--workers N``), checked there with the same options,
  and the report written here, partition by partition, in order.

Both tell their progress to the one :class:`ProgressBar`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click

from .options import fail

__all__ = ["engine_options", "run_engine", "run_local", "run_dask", "print_result", "print_reading", "ProgressBar",
           "PROGRESS_MIN"]

#: Inputs at least this large get a progress bar.
PROGRESS_MIN = 50_000
#: Parcels per batch: suzhou_geo.io.stream.BATCH_SIZE (not imported here: --help stays light).
BATCH_SIZE = 50_000


def engine_options(f):
    """Add the ``--engine``, ``--scheduler``, ``--workers`` and ``--batch-size`` options."""
    f = click.option("--batch-size", type=click.IntRange(1), default=BATCH_SIZE, show_default=True, metavar="N",
                     help="每批（流式）或每个分区（dask）的地块数。 / Parcels per batch (streaming) or per "
                          "partition (dask).")(f)
    f = click.option("--workers", type=click.IntRange(1), default=None, metavar="N",
                     help="--engine dask：为本次运行启动 N 个本地工作进程（默认 2）。 / --engine dask: start a local "
                          "cluster of N worker processes for the run (default 2).")(f)
    f = click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="--engine dask：正在运行的 dask.distributed 集群的调度器（tcp://host:8786）。 / "
                          "--engine dask: the scheduler of a running dask.distributed cluster (tcp://host:8786).")(f)
    f = click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                     help="local：本机；文件 → .gpkg/.parquet 分批流式处理（内存有界）。dask：dask.distributed 集群"
                          "（pip install 'suzhou_geo[dask]'）。 / local: this machine; a file → .gpkg/.parquet run "
                          "is streamed in batches (bounded memory).  dask: a dask.distributed cluster "
                          "(pip install 'suzhou_geo[dask]').")(f)
    return f


def run_engine(inputs: Any, output: str, engine: str, scheduler: str | None, workers: int | None,
               batch_size: int, *, overwrite: bool, writer: Any, columns: str = "en") -> Any:
    """Run the check of *inputs* into *output* with the chosen engine; return the FileReport.

    *writer* writes a report validated in memory (formats that are not streamed);
    *columns* names the report columns (``"zh"``: in Chinese; the local engine only).
    """
    if engine != "dask" and (scheduler or workers):
        fail("--scheduler 与 --workers 需配合 --engine dask / --scheduler and --workers need --engine dask")
    if engine == "dask" and scheduler and workers:
        fail("--scheduler（已运行的集群）与 --workers（本地集群）只能给一个 / give --scheduler (a running cluster) "
             "or --workers (a local one), not both")
    path = str(getattr(inputs.parcels, "data", inputs.parcels))
    if engine == "dask" and not _batched(path):
        fail(f"{Path(path).name}: --engine dask 按批读取 GeoPackage、GeoParquet、Shapefile、FlatGeobuf；"
             "此文件须整体读取 / --engine dask reads GeoPackage, GeoParquet, Shapefile or FlatGeobuf in "
             "batches; this file (a 部标 TXT, a drawing, a KML/KMZ, a table) is read whole. "
             "Fix: leave --engine out")
    if engine == "dask":
        return run_dask(inputs, output, scheduler=scheduler, workers=workers, batch_size=batch_size,
                        overwrite=overwrite)
    return run_local(inputs, output, batch_size=batch_size, overwrite=overwrite, writer=writer, columns=columns)


def _batched(path: str) -> bool:
    """Return True if *path* can be read in batches (not a table, nor an approval file read whole)."""
    from suzhou_geo.io.postgis import is_postgis
    from suzhou_geo.io.stream import can_stream

    return is_postgis(path) or can_stream(path)


def print_result(result: Any, parcels: str, output: str) -> None:
    """Print the closing lines: rows written, how the parcels were read, counts by verdict and by unit, the notes."""
    from ._output import print_summary

    click.echo(f"{result.rows:,} 个地块 parcels from {parcels} → {output}")
    print_reading(result.provenance)
    print_summary(None, result.summary)


def print_reading(provenance: dict | None) -> None:
    """Print how an approval file was read (format, axis order, zone, CRS, layer), when something was decided."""
    from suzhou_geo.report.tables import reading_summary

    if (provenance or {}).get("decisions"):
        click.echo(f"读取 read: {reading_summary(provenance)}")


class ProgressBar:
    """The one ``progress(done, total, stage)`` hook of the command line: a click bar on stderr.

    Drawn only for inputs of at least :data:`PROGRESS_MIN` parcels; its label
    names the stage.
    """

    def __init__(self) -> None:
        self._bar = None

    def __call__(self, done: int, total: int, stage: str) -> None:
        from suzhou_geo.validate.progress import STAGES

        if total < PROGRESS_MIN:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=STAGES.get(stage, stage),
                                          file=click.get_text_stream("stderr"))
            self._bar.__enter__()
        self._bar.label = f"{STAGES.get(stage, stage)} {total:,}"
        if stage == "write" or stage == "check" and done >= total:
            self._bar.update(done - self._bar.pos)
        else:
            self._bar.render_progress()

    def close(self) -> None:
        """End the bar (if one was drawn)."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def run_local(inputs: Any, output: str, *, batch_size: int, overwrite: bool, writer: Any = None,
              columns: str = "en"):
    """Validate into a report file on this machine, streamed when the formats allow; return the FileReport."""
    import suzhou_geo as sg

    with ProgressBar() as bar:
        return sg.validate_file(inputs, output, batch_size=batch_size, overwrite=overwrite, progress=bar,
                                writer=writer, columns=columns)


def run_dask(inputs: Any, output: str, *, scheduler: str | None, workers: int | None, batch_size: int,
             overwrite: bool) -> Any:
    """Validate on a dask cluster and write the report here, in order; return the FileReport."""
    from suzhou_geo.validate.stream import streams

    if not streams(inputs.parcels, output):
        fail("--engine dask 读取地块文件（GeoPackage、GeoParquet、Shapefile、FlatGeobuf 等）"
             "并写出 .gpkg 或 .parquet 报告 / --engine dask reads a parcel file (GeoPackage, GeoParquet, "
             "Shapefile, FlatGeobuf, …) and writes a "
             ".gpkg or .parquet report. Fix: use --engine local for other inputs and formats")
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        from suzhou_geo.errors import missing_extra

        raise missing_extra("distributed", "dask", "--engine dask") from None
    with ProgressBar() as bar, dask.config.set({"dataframe.convert-string": False}), \
            _cluster(Client, LocalCluster, scheduler, workers) as client:
        return _on_cluster(client, inputs, output, batch_size=batch_size, overwrite=overwrite, progress=bar)


@contextlib.contextmanager
def _cluster(Client, LocalCluster, scheduler: str | None, workers: int | None):  # noqa: N803 - the classes
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = workers or 2
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        yield client


def _on_cluster(client, inputs, output: str, *, batch_size: int, overwrite: bool, progress) -> Any:
    from dataclasses import replace

    from suzhou_geo.io import check_output
    from suzhou_geo.io.stream import BatchWriter, open_batches
    from suzhou_geo.validate.core import check
    from suzhou_geo.validate.distributed import read_dask, validate_dask, write_ordered
    from suzhou_geo.validate.stream import FileReport
    from suzhou_geo.validate.summary import SummaryParts

    files = [v for v in (inputs.parcels, inputs.redlines) if v is not None]
    target = check_output(output, overwrite=overwrite, inputs=files)  # once, before any work
    inputs = inputs.prepare()
    src = inputs.parcels
    with open_batches(src.data, layer=src.layer, encoding=src.encoding, rows=(0, 1)) as probe:
        total, default_index = probe.total, probe.default_index
        attrs = check(inputs.with_parcels(inputs.read_rows(next(iter(probe)), probe.info))).attrs
        name = probe.info.name
    raw = read_dask(src.data, partition_rows=batch_size, layer=src.layer, encoding=src.encoding)
    shipped = client.scatter(inputs.layers, broadcast=True, hash=False)  # once per worker
    report = validate_dask(replace(inputs, layers=shipped).with_parcels(raw, name=src.name or name))
    parts: list = []

    class _Collect:  # each partition as it is written: the report's attrs, its share of the summary
        def __init__(self, writer):
            self.writer = writer

        def write(self, frame):
            frame.attrs = dict(attrs)
            parts.append(SummaryParts.of(frame))
            self.writer.write(frame)

    with BatchWriter(target, overwrite=overwrite, inputs=files, default_index=default_index) as writer:
        rows = write_ordered(report, _Collect(writer), client, window=2 * len(client.scheduler_info()["workers"]),
                             progress=progress, total=total)
    summary = parts[0]
    for p in parts[1:]:
        summary = summary + p
    return FileReport(target, rows, summary.finish(), True, dict(attrs.get("provenance") or {}))


def shown(parcels: Any) -> str:
    """How the parcels are named in the closing line: a file's name, a connection without its password."""
    from suzhou_geo.io.postgis import is_postgis, redact

    data = getattr(parcels, "data", parcels)
    return redact(data) if is_postgis(data) else Path(str(data)).name
