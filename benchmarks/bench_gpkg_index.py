"""Benchmark GDAL writing a GeoPackage in batches, with and without its spatial index: what a streamed report pays.

    python benchmarks/bench_gpkg_index.py                       # 1 M and 5 M rows
    python benchmarks/bench_gpkg_index.py --millions 1 5 10 --json gpkg_index.json

The parcels of ``bench_scale.py`` (its 1 M GeoPackage, made by it, or made
here with ``bench_validate.make_parcels``) are read once as Arrow batches and
written ``--millions`` times over with ``pyogrio.raw.write_arrow`` — no decoding,
no checks, only GDAL — each run in a fresh process, with the spatial index:

* ``capped``: built with at most ``RTREE_RAM`` bytes (100 MiB) of memory, what
  ``validate_file`` sets unless the user set ``OGR_GPKG_MAX_RAM_USAGE_RTREE``;
* ``uncapped``: with 2 GB allowed (GDAL builds the whole tree in memory, then writes it);
* ``none``: ``SPATIAL_INDEX=NO``.

Wall time and peak memory (``VmHWM``) per run are printed as a Markdown table
and saved as JSON with the versions.  What it shows: the time of the writing
without an index grows with the rows; with it, faster than the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from bench_validate import make_parcels, peak_rss_mb, versions  # noqa: E402

MODES = {"capped": ("YES", str(100 * 2**20)), "uncapped": ("YES", str(2_000_000_000)), "none": ("NO", None)}


def child(src: Path, millions: int, mode: str, out_json: Path) -> None:
    import pyarrow as pa
    import pyogrio
    from pyogrio.raw import open_arrow, write_arrow

    index, cap = MODES[mode]
    if cap is not None:
        pyogrio.set_gdal_config_options({"OGR_GPKG_MAX_RAM_USAGE_RTREE": cap})
    with open_arrow(str(src), batch_size=50_000, use_pyarrow=True) as (meta, reader):
        batches = list(reader)
    schema = batches[0].schema

    class Repeated:  # the same million rows, *millions* times, as one Arrow stream
        def __arrow_c_stream__(self, requested_schema=None):
            rows = (b for _ in range(millions) for b in batches)
            return pa.RecordBatchReader.from_batches(schema, rows).__arrow_c_stream__(requested_schema)

    dst = out_json.with_suffix(".gpkg")
    dst.unlink(missing_ok=True)
    t = time.perf_counter()
    write_arrow(Repeated(), str(dst), layer="parcels", driver="GPKG", geometry_name=meta["geometry_name"] or "geom",
                geometry_type="Unknown", crs=meta["crs"], layer_options={"SPATIAL_INDEX": index})
    seconds = time.perf_counter() - t
    dst.unlink(missing_ok=True)
    out_json.write_text(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb()}), encoding="utf-8")


def source(workdir: Path) -> Path:
    """Return the 1 M parcels as a GeoPackage (``bench_scale.py``'s file when it is there)."""
    path = workdir / "parcels_1000000.gpkg"
    if not path.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        make_parcels(1_000_000).to_file(path, driver="GPKG")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--millions", type=int, nargs="+", default=[1, 5])
    ap.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/suzhou_geo_bench_scale"))
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(Path(a.child[0]), int(a.child[1]), a.child[2], Path(a.child[3]))
        return 0
    src = source(a.workdir)
    info = versions()
    print("versions:", json.dumps(info), flush=True)
    runs = []
    for m in a.millions:
        for mode in a.modes:
            out = a.workdir / f"index_bench_{m}_{mode}.json"
            subprocess.run([sys.executable, str(HERE), "--child", str(src), str(m), mode, str(out)], check=True)
            run = {"rows": m * 1_000_000, "mode": mode, **json.loads(out.read_text(encoding="utf-8")),
                   "load": round(os.getloadavg()[0], 2)}
            runs.append(run)
            print(json.dumps(run), flush=True)
    print("\n| rows | spatial index | write (s) | s per million | peak (MB) |\n|---:|---|---:|---:|---:|")
    for r in runs:
        print(f"| {r['rows']:,} | {r['mode']} | {r['seconds']:.1f} | {r['seconds'] / (r['rows'] / 1e6):.2f} "
              f"| {r['peak_mb']:.0f} |")
    if a.json:
        a.json.write_text(json.dumps({"versions": info, "runs": runs}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
