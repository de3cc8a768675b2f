"""How ``suzhou-geo validate`` runs a file → file check: streamed in batches, or on a dask cluster.

* **local** (default): when the parcels are a file read in batches
  (GeoPackage, GeoParquet, Shapefile, FlatGeobuf, …) and the report is a
  ``.gpkg`` or ``.parquet``, :func:`suzhou_geo.validate_file` streams it in
  bounded memory; other runs are validated in memory.
* **dask**: the parcels are read as row ranges by the workers of an existing
  ``dask.distributed`` cluster (``--scheduler ADDRESS``) or of a local one
  started for the run (``--workers N``), checked there, and the report written
  here, partition by partition, in order.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click

from .options import fail

__all__ = ["engine_options", "run_engine", "streams", "run_local", "run_dask", "ProgressBar"]

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


def run_engine(parcels: Any, output: str, engine: str, scheduler: str | None, workers: int | None,
               batch_size: int, *, overwrite: bool, **options: Any) -> bool:
    """Run the check with the chosen engine and print the result; False if the in-memory path should run.

    *parcels* is the :class:`suzhou_geo.io.Source` the command built (path and reading options, with
    the command's own spelling of them for messages); *options* go to the validation.
    """
    if engine != "dask" and (scheduler or workers):
        fail("--scheduler 与 --workers 需配合 --engine dask / --scheduler and --workers need --engine dask")
    if engine == "dask" and scheduler and workers:
        fail("--scheduler（已运行的集群）与 --workers（本地集群）只能给一个 / give --scheduler (a running cluster) "
             "or --workers (a local one), not both")
    path = str(parcels.data)
    if engine == "dask" and not _batched(path):
        fail(f"{Path(path).name}: --engine dask 按批读取 GeoPackage、GeoParquet、Shapefile、FlatGeobuf；"
             "此文件须整体读取 / --engine dask reads GeoPackage, GeoParquet, Shapefile or FlatGeobuf in "
             "batches; this file (a 部标 TXT, a drawing, a KML/KMZ, a table) is read whole. "
             "Fix: leave --engine out")
    if engine == "dask":
        rows, summary = run_dask(path, output, scheduler=scheduler, workers=workers, batch_size=batch_size,
                                 overwrite=overwrite, layer=parcels.layer, encoding=parcels.encoding,
                                 crs=parcels.crs, **options)
    elif streams(path, output):
        result = run_local(parcels, output, batch_size=batch_size, overwrite=overwrite, **options)
        rows, summary = result.rows, result.summary
    else:
        return False
    print_result(rows, path, output, summary)
    return True


def _batched(path: str) -> bool:
    """Return True if *path* can be read in batches (not a table, nor an approval file read whole)."""
    from suzhou_geo.io.postgis import is_postgis
    from suzhou_geo.io.stream import can_stream

    return is_postgis(path) or can_stream(path)


def print_result(rows: int, parcels: str, output: str, summary) -> None:
    """Return the closing lines: rows written, counts by verdict and by county-level unit (with totals), the notes."""
    from ._output import print_summary

    click.echo(f"{rows:,} 个地块 parcels from {Path(parcels).name} → {output}")
    print_summary(None, summary)


def streams(parcels: str, output: str) -> bool:
    """Return True if this run is file → file in batches (no need to hold the report)."""
    from suzhou_geo.io.stream import can_stream, can_stream_to

    return can_stream(parcels) and can_stream_to(output)


class ProgressBar:
    """A ``progress(done, total, stage)`` hook drawing a click progress bar on stderr (large inputs only)."""

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
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _fail_on_errors(parcels: str):
    """Turn the library's errors into a readable message and exit status 2."""
    import suzhou_geo as sg
    from suzhou_geo.errors import OutputError

    @contextlib.contextmanager
    def handler():
        try:
            yield
        except OutputError as exc:
            from ._output import output_message

            fail(output_message(exc))
        except sg.CRSError as exc:
            fail(str(exc) if parcels in str(exc) or Path(parcels).name in str(exc) else f"{parcels}: {exc}")
        except (ValueError, FileNotFoundError, TypeError) as exc:
            msg = str(exc)
            fail(msg if parcels in msg or Path(parcels).name in msg else f"{parcels}: {msg}")

    return handler()


def run_local(parcels: Any, output: str, *, batch_size: int, overwrite: bool, **options: Any):
    """Validate a file into a report file, streaming when the formats allow; return the FileReport."""
    import suzhou_geo as sg

    bar = ProgressBar()
    try:
        with _fail_on_errors(str(getattr(parcels, "data", parcels))):
            return sg.validate_file(parcels, output, batch_size=batch_size, overwrite=overwrite, progress=bar,
                                    **options)
    finally:
        bar.close()


def run_dask(parcels: str, output: str, *, scheduler: str | None, workers: int | None, batch_size: int,
             overwrite: bool, layer: Any = None, encoding: str | None = None, **options: Any):
    """Validate on a dask cluster and write the report here, in order; return (rows, summary)."""
    import dask

    from suzhou_geo.errors import MissingDependencyError

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        from suzhou_geo.errors import missing_extra

        fail(str(missing_extra("distributed", "dask", "--engine dask")))
    bar = ProgressBar()
    try:
        with _fail_on_errors(parcels), dask.config.set({"dataframe.convert-string": False}), \
                _cluster(Client, LocalCluster, scheduler, workers) as client:
            return _on_cluster(client, parcels, output, batch_size=batch_size, overwrite=overwrite, layer=layer,
                               encoding=encoding, progress=bar, **options)
    except MissingDependencyError as exc:
        fail(str(exc))
    finally:
        bar.close()


@contextlib.contextmanager
def _cluster(Client, LocalCluster, scheduler: str | None, workers: int | None):
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = workers or 2
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        yield client


def _on_cluster(client, parcels: str, output: str, *, batch_size: int, overwrite: bool, layer, encoding, progress,
                redlines=None, schemes=None, rules=None, crs=None):
    import suzhou_geo as sg
    from suzhou_geo.io.stream import BatchWriter, open_batches
    from suzhou_geo.validate.distributed import read_dask, write_ordered
    from suzhou_geo.validate.stream import read_batch
    from suzhou_geo.validate.summary import SummaryParts

    refs = sg.prepare_layers(redlines, schemes=schemes)
    shipped = client.scatter(refs, broadcast=True, hash=False)  # once per worker
    raw = read_dask(parcels, partition_rows=batch_size, layer=layer, encoding=encoding)
    report = sg.validate_parcels(raw, rules=rules, crs=crs, layers=shipped)
    with open_batches(parcels, layer=layer, encoding=encoding, rows=(0, 1)) as probe:
        total, default_index = probe.total, probe.default_index
        first = next(iter(probe))
        attrs = sg.validate_parcels(read_batch(first, probe.info, {"crs": crs}), layers=refs, rules=rules).attrs
    parts: list = []

    class _Collect:  # each partition as it is written: the report's attrs, its share of the summary
        def __init__(self, writer):
            self.writer = writer

        def write(self, frame):
            frame.attrs = dict(attrs)
            parts.append(SummaryParts.of(frame))
            self.writer.write(frame)

    with BatchWriter(output, overwrite=overwrite, inputs=[parcels, redlines], default_index=default_index) as writer:
        rows = write_ordered(report, _Collect(writer), client, window=2 * len(client.scheduler_info()["workers"]),
                             progress=progress, total=total)
    summary = parts[0]
    for p in parts[1:]:
        summary = summary + p
    return rows, summary.finish()
