"""Benchmark validation at scale: in memory, streamed in batches, and on a dask LocalCluster.

    python benchmarks/bench_scale.py                                  # N = 100k: checks that everything runs
    python benchmarks/bench_scale.py --n 1000000 10000000 --json scale.json
    python benchmarks/bench_scale.py --n 1000000 --formats parquet --modes stream floor

For each N, seeded synthetic parcels (``bench_validate.make_parcels``: rotated
rectangles of 0.5–5 ha over 苏州市, 5 % across redline edges, 0.1 % broken
rows; generated 1 M at a time for larger N) are written once as a GeoPackage
and as a GeoParquet file.  Then, for each format (report in the same format as
the parcels), each measurement runs in a fresh process:

* ``floor``: the I/O floor — read the parcels file and write it again, whole
  (pyogrio / GeoParquet), no checks;
* ``floor_stream``: the same in batches (``io.stream``), the floor of ``stream``;
* ``memory``: ``validate_parcels(path)`` then the report written whole;
* ``stream``: ``validate_file(path, out)`` (batches of ``--batch-size``);
* ``dask``: a LocalCluster of ``--workers`` worker processes (1 thread each),
  the parcels read by the workers as row ranges, the report written here in
  order (what ``suzhou-geo validate --engine dask --workers 2`` does).

Wall time, peak memory (``VmHWM`` of the process; for dask also of each
worker) and the report's row count are recorded; every report is checked
against the ``memory`` one (same verdicts and overlaps, row for row) when both
ran.  Results are printed as a Markdown table and saved as JSON with the library
versions and the load average.  ``memory`` is skipped above ``--memory-max``
parcels (its peak grows with N: ~2.3 GB per million).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from bench_validate import make_parcels, peak_rss_mb, versions  # noqa: E402

MODES = ("floor", "floor_stream", "memory", "stream", "dask")
FORMATS = ("gpkg", "parquet")
CHUNK = 1_000_000


# --------------------------------------------------------------------------- data


def generate(n: int, workdir: Path) -> dict[str, Path]:
    """Return the parcels as GeoPackage and GeoParquet, generated once per N (1 M rows at a time)."""
    paths = {"gpkg": workdir / f"parcels_{n}.gpkg", "parquet": workdir / f"parcels_{n}.parquet"}
    if all(p.exists() for p in paths.values()):
        return paths
    import pyogrio

    from suzhou_geo.io.stream import BatchWriter

    for p in paths.values():
        p.unlink(missing_ok=True)
    t = time.perf_counter()
    with BatchWriter(paths["parquet"]) as parquet:
        for k, start in enumerate(range(0, n, CHUNK)):
            size = min(CHUNK, n - start)
            g = make_parcels(size, seed=20261122 + k)
            g["parcel_id"] = np.char.add("DK", np.char.zfill(np.arange(start, start + size).astype(str), 9))
            g.index = np.arange(start, start + size)
            pyogrio.write_dataframe(g.reset_index(drop=True), paths["gpkg"], driver="GPKG", use_arrow=True,
                                    append=k > 0, layer="parcels")
            parquet.write(g)
            print(f"  generated {start + size:,} / {n:,} ({time.perf_counter() - t:.0f} s)", flush=True)
    return paths


# --------------------------------------------------------------------------- one measurement (child process)


def _peak_mb() -> float:
    return peak_rss_mb()


def run_floor(src: Path, dst: Path, batch_size: int) -> dict:
    import geopandas as gpd
    import pyogrio

    if src.suffix == ".parquet":
        g = gpd.read_parquet(src)
        g.to_parquet(dst)
    else:
        g = pyogrio.read_dataframe(src, use_arrow=True)
        pyogrio.write_dataframe(g, dst, driver="GPKG", use_arrow=True)
    return {"rows": len(g)}


def run_floor_stream(src: Path, dst: Path, batch_size: int) -> dict:
    from suzhou_geo.io.stream import BatchWriter, open_batches

    rows = 0
    with open_batches(src, batch_size=batch_size) as batches, \
            BatchWriter(dst, default_index=batches.default_index) as out:
        for b in batches:
            out.write(b)
            rows += len(b)
    return {"rows": rows}


def run_memory(src: Path, dst: Path, batch_size: int) -> dict:
    import suzhou_geo as sg

    stages: dict[str, float] = {}
    report = sg.validate_parcels(src, timings=lambda s, d: stages.__setitem__(s, stages.get(s, 0.0) + d))
    t = time.perf_counter()
    if dst.suffix == ".parquet":
        report.to_parquet(dst)  # what write_layer does for .parquet
    else:
        sg.write_layer(report, dst)
    stages["write"] = time.perf_counter() - t
    return {"rows": len(report), "stages": stages}


def run_stream(src: Path, dst: Path, batch_size: int) -> dict:
    import suzhou_geo as sg

    stages: dict[str, float] = {}
    r = sg.validate_file(src, dst, batch_size=batch_size,
                         timings=lambda s, d: stages.__setitem__(s, stages.get(s, 0.0) + d))
    return {"rows": r.rows, "stages": stages}


def run_dask(src: Path, dst: Path, batch_size: int, workers: int = 2) -> dict:
    import dask
    from distributed import Client, LocalCluster

    from suzhou_geo.cli._engine import _on_cluster
    from suzhou_geo.validate import ValidationInputs

    with dask.config.set({"dataframe.convert-string": False}), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        rows = _on_cluster(client, ValidationInputs.gather(str(src)), str(dst), batch_size=batch_size,
                           overwrite=True, progress=None).rows

        def hwm() -> float:  # VmHWM in the worker (cloudpickle sends it by value)
            with open("/proc/self/status", encoding="ascii") as fh:
                return next(int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:")) / 1024.0

        peaks = client.run(hwm)
    return {"rows": rows, "worker_peak_mb": sorted(round(v) for v in peaks.values())}


RUNNERS = {"floor": run_floor, "floor_stream": run_floor_stream, "memory": run_memory, "stream": run_stream,
           "dask": run_dask}


def child(mode: str, src: str, dst: str, batch_size: int, out_json: str, workers: int) -> None:
    Path(dst).unlink(missing_ok=True)
    kwargs = {"workers": workers} if mode == "dask" else {}
    t = time.perf_counter()
    res = RUNNERS[mode](Path(src), Path(dst), batch_size, **kwargs)
    res["seconds"] = time.perf_counter() - t
    res["peak_mb"] = _peak_mb()
    Path(out_json).write_text(json.dumps(res), encoding="utf-8")


def _run_child(mode: str, src: Path, dst: Path, batch_size: int, workers: int, workdir: Path) -> dict:
    out_json = workdir / f"{mode}_{src.stem}_{dst.suffix[1:]}.json"
    cmd = [sys.executable, str(HERE), "--child", mode, str(src), str(dst), str(batch_size), str(out_json),
           str(workers)]
    time_v = Path("/usr/bin/time")
    if time_v.exists():  # the peak of the whole process as the kernel saw it
        cmd = [str(time_v), "-v", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"{mode} {src.name} failed")
    res = json.loads(out_json.read_text(encoding="utf-8"))
    for line in proc.stderr.splitlines():
        if "Maximum resident set size" in line:
            res["time_v_peak_mb"] = int(line.split(":")[-1]) / 1024.0
    return res


# --------------------------------------------------------------------------- checks and table


def _same_reports(a: Path, b: Path) -> str:
    """'equal' if the two reports have the same verdicts and overlaps row for row, else what differs."""
    import geopandas as gpd
    import pyogrio

    cols = ["verdict", "redline_overlap_m2", "nearest_redline_m", "district"]

    def read(p: Path):
        if p.suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_table(p, columns=cols).to_pandas()
        return pyogrio.read_dataframe(p, columns=cols, read_geometry=False, use_arrow=True)

    del gpd
    x, y = read(a), read(b)
    if len(x) != len(y):
        return f"rows {len(x)} != {len(y)}"
    bad = [c for c in cols if not x[c].equals(y[c])]
    return "equal" if not bad else f"differ in {bad}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100_000])
    ap.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    ap.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    ap.add_argument("--batch-size", type=int, default=None,
                    help="streaming batch / dask partition (default: the library's)")
    ap.add_argument("--workers", type=int, default=2, help="dask LocalCluster worker processes")
    ap.add_argument("--memory-max", type=int, default=2_000_000, help="run 'memory' up to this N")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/suzhou_geo_bench_scale"))
    ap.add_argument("--keep", action="store_true", help="keep the reports (they are deleted after the checks)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        mode, src, dst, batch, out_json, workers = a.child
        child(mode, src, dst, int(batch), out_json, int(workers))
        return 0
    from suzhou_geo.io.stream import BATCH_SIZE

    batch = a.batch_size or BATCH_SIZE
    a.workdir.mkdir(parents=True, exist_ok=True)
    info = versions()
    info.update(load_average_at_start=os.getloadavg(), batch_size=batch, workers=a.workers)
    print("versions:", json.dumps(info, ensure_ascii=False), flush=True)
    rows = []
    for n in a.n:
        paths = generate(n, a.workdir)
        for fmt in a.formats:
            src = paths[fmt]
            outs = {}
            for mode in a.modes:
                if mode == "memory" and n > a.memory_max:
                    continue
                dst = a.workdir / f"out_{mode}_{n}.{fmt}"
                res = _run_child(mode, src, dst, batch, a.workers, a.workdir)
                outs[mode] = dst
                row = {"n": n, "format": fmt, "mode": mode, "seconds": round(res["seconds"], 2),
                       "peak_mb": round(res.get("time_v_peak_mb", res["peak_mb"])),
                       "rows": res["rows"], "stages": {k: round(v, 2) for k, v in res.get("stages", {}).items()},
                       "worker_peak_mb": res.get("worker_peak_mb"), "load": round(os.getloadavg()[0], 2)}
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
            ref = outs.get("memory") or outs.get("stream")
            for mode, dst in outs.items():
                if mode.startswith("floor") or dst == ref:
                    continue
                verdict = _same_reports(ref, dst)
                for r in rows:
                    if (r["n"], r["format"], r["mode"]) == (n, fmt, mode):
                        r["same_as_" + ("memory" if "memory" in outs else "stream")] = verdict
                print(f"  {mode} vs {'memory' if 'memory' in outs else 'stream'}: {verdict}", flush=True)
            if not a.keep:
                for dst in outs.values():
                    dst.unlink(missing_ok=True)
    _table(rows)
    if a.json:
        a.json.write_text(json.dumps({"versions": info, "rows": rows}, ensure_ascii=False, indent=1),
                          encoding="utf-8")
    return 0


def _table(rows: list[dict]) -> None:
    floors = {(r["n"], r["format"]): r["seconds"] for r in rows if r["mode"] == "floor"}
    print()
    print("| N | format | mode | wall (s) | × I/O floor | parcels/s | peak RSS (MB) | workers' peak (MB) | check |")
    print("|---:|---|---|---:|---:|---:|---:|---|---|")
    for r in rows:
        floor = floors.get((r["n"], r["format"]))
        ratio = f"{r['seconds'] / floor:.2f}" if floor and not r["mode"].startswith("floor") else "–"
        same = r.get("same_as_memory") or r.get("same_as_stream") or "–"
        workers = ", ".join(map(str, r["worker_peak_mb"])) if r.get("worker_peak_mb") else "–"
        print(f"| {r['n']:,} | {r['format']} | {r['mode']} | {r['seconds']} | {ratio} | "
              f"{round(r['n'] / r['seconds']):,} | {r['peak_mb']} | {workers} | {same} |")


if __name__ == "__main__":
    sys.exit(main())
