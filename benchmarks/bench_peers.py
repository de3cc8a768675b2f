"""Peers side by side, one script, one run: the same parcels and redlines through each engine.

    python benchmarks/bench_peers.py                          # 500 000 parcels, every engine twice
    python benchmarks/bench_peers.py --n 100000 --repeat 3 --engines suzhou_geo suzhou_geo_all sedonadb duckdb
    python benchmarks/bench_peers.py --json benchmarks/peers.json

The parcels are ``bench_validate.make_parcels(n)`` (seeded rotated rectangles
of 0.5–5 ha over 苏州市, 5 % centred on redline edges, 0.1 % broken rows),
written once as GeoParquet in EPSG:4490 (and as a GeoPackage for PostGIS).  The
redline is the bundled protection redline as the library uses it: its metric
copy (edges split where EPSG:4490 → EPSG:4549 bends them by more than 1 mm),
dissolved, and for the SQL engines cut on a 2 km grid into pieces written as
GeoParquet in EPSG:4549.

Engines, each run in a fresh process (``--child``), in turn, ``--repeat`` times:

* ``suzhou_geo_overlap``: :func:`suzhou_geo.redline_overlap` — the library's
  fastest mode that computes the redline overlap (the report's number alone);
* ``suzhou_geo``: :func:`suzhou_geo.validate_parcels` with ``joint_zones=False,
  schemes=False`` (it also computes the control-area overlap, the county-level
  units and the distance to the nearest redline, and writes the reasons);
* ``suzhou_geo_all``: :func:`suzhou_geo.validate_parcels` with every check;
* ``sedonadb``: SedonaDB (``sedonadb`` from PyPI): the GeoParquet files read as
  views, ``ST_Transform`` to EPSG:4549 and a spatial join with the pieces,
  ``SUM(ST_Area(ST_Intersection(…)))`` per parcel;
* ``duckdb``: the same SQL in DuckDB with its spatial extension, loaded from the
  file inside the ``duckdb-extension-spatial`` wheel (pinned to DuckDB's
  version) with extension auto-install and auto-load off: nothing downloaded;
* ``postgis``: the tuned PostGIS benchmark (``bench_postgis.py``: a throw-away
  server, every check in SQL, end to end GeoPackage → PostGIS → report);
* ``naive``: geopandas as one would write it: ``read_parquet``, ``to_crs``,
  ``geopandas.overlay`` with the dissolved redline, areas summed per parcel.

The SQL engines and the naive one skip the broken rows (``ST_IsValid``; the
library repairs or judges them): agreement is counted on the others.  Each engine's time runs from reading the
files to the per-parcel overlaps in memory (imports excluded); its peak memory
is the process's peak resident memory (``VmHWM``; PostGIS: the server's peak summed PSS plus the
client's).  Per-parcel agreement: every engine's protection-redline overlap
against the library's, within max(1 m², 0.1 %) (the library's areas are
ellipsoidal, the SQL engines' planar in EPSG:4549: they differ by the
Gauss-Krüger areal scale, up to 0.03 % over 苏州市).  Results: a Markdown table on
stdout, and with ``--json`` every run with the versions and the load average
(``os.getloadavg``) before it.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE.parents[1] / "tests"))

from bench_validate import _write, make_parcels, peak_rss_mb, versions  # noqa: E402  (reused, not copied)

ENGINES = ("suzhou_geo_overlap", "suzhou_geo", "suzhou_geo_all", "sedonadb", "duckdb", "postgis", "naive")
GRID_M = 2000.0
PROTECTION = "ecological_protection_redline"

#: The per-parcel overlap, for the SQL engines (parcels transformed once, joined with the pieces).
SQL = """
WITH p AS (
    SELECT parcel_id, ST_Transform(geometry, {transform}) AS g
    FROM {parcels} WHERE ST_IsValid(geometry)
)
SELECT p.parcel_id AS parcel_id, SUM(ST_Area(ST_Intersection(p.g, r.geometry))) AS overlap_m2
FROM p JOIN {pieces} r ON ST_Intersects(p.g, r.geometry)
GROUP BY p.parcel_id
"""


# --------------------------------------------------------------------------- data


def prepare(n: int, workdir: Path) -> dict[str, Path]:
    """Make the parcels (GeoParquet, GeoPackage) and the redline pieces, once per N."""
    paths = {"parquet": workdir / f"parcels_{n}.parquet", "gpkg": workdir / f"parcels_{n}.gpkg",
             "pieces": workdir / "redline_pieces.parquet", "dissolved": workdir / "redline_dissolved.parquet"}
    if not (paths["parquet"].exists() and paths["gpkg"].exists()):
        t = time.perf_counter()
        gdf = make_parcels(n)
        gdf.to_parquet(paths["parquet"])
        _write(gdf, paths["gpkg"])
        print(f"generated {n:,} parcels in {time.perf_counter() - t:.1f} s", flush=True)
    if not paths["pieces"].exists():
        _redline_pieces(paths["pieces"], paths["dissolved"])
    return paths


def _redline_pieces(path: Path, dissolved_path: Path) -> None:
    """Write the library's metric copy of the protection redline, dissolved and cut on a 2 km grid (EPSG:4549)."""
    import geopandas as gpd
    import shapely

    from suzhou_geo.geometry import polygonal_parts
    from suzhou_geo.redlines import redline_layer

    lay = redline_layer()
    sel = (lay.frame["kind"].astype(str).to_numpy() == PROTECTION) & lay.usable
    union = shapely.union_all(lay.metric[sel])
    x0, y0, x1, y1 = union.bounds
    xs = np.arange(np.floor(x0 / GRID_M) * GRID_M, x1, GRID_M)
    ys = np.arange(np.floor(y0 / GRID_M) * GRID_M, y1, GRID_M)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    cells = shapely.box(gx, gy, gx + GRID_M, gy + GRID_M)
    shapely.prepare(union)
    cells = cells[shapely.intersects(union, cells)]
    pieces = polygonal_parts(shapely.intersection(cells, union))
    pieces = pieces[~shapely.is_missing(pieces) & ~shapely.is_empty(pieces)]
    gpd.GeoDataFrame({"piece": np.arange(len(pieces))}, geometry=pieces, crs="EPSG:4549").to_parquet(path)
    gpd.GeoDataFrame({"piece": [0]}, geometry=[union], crs="EPSG:4549").to_parquet(dissolved_path)
    print(f"redline: {len(pieces)} pieces, {int(shapely.get_num_coordinates(pieces).sum()):,} vertices", flush=True)


# --------------------------------------------------------------------------- engines (in the child)


def run_suzhou_geo(paths: dict, every_check: bool) -> tuple[dict, object]:
    import suzhou_geo as sg

    kw = {} if every_check else {"joint_zones": False, "schemes": False}
    stages: dict[str, float] = {}

    def timed(stage: str, seconds: float) -> None:
        stages[stage] = round(stages.get(stage, 0.0) + seconds, 3)

    validate = sg.validate_parcels  # the lazy import of the validation modules: start-up, not work
    t0 = time.perf_counter()
    report = validate(str(paths["parquet"]), timings=timed, **kw)
    seconds = time.perf_counter() - t0
    out = report[["parcel_id", "redline_overlap_m2", "verdict", "geometry_issue"]].rename(
        columns={"redline_overlap_m2": "overlap_m2"})
    return {"seconds": seconds, "stages": stages, "verdicts": report["verdict"].value_counts().to_dict()}, out


def run_overlap(paths: dict) -> tuple[dict, object]:
    import pandas as pd

    import suzhou_geo as sg

    overlap = sg.redline_overlap  # the lazy import of the validation modules: start-up, not work
    t0 = time.perf_counter()
    s = overlap(str(paths["parquet"]))
    seconds = time.perf_counter() - t0
    ids = pd.read_parquet(paths["parquet"], columns=["parcel_id"])["parcel_id"].to_numpy()
    return {"seconds": seconds}, pd.DataFrame({"parcel_id": ids, "overlap_m2": s.to_numpy()})


def run_sedonadb(paths: dict) -> tuple[dict, object]:
    import sedonadb

    t0 = time.perf_counter()
    sd = sedonadb.connect()
    sd.read_parquet(str(paths["parquet"])).to_view("parcels")
    sd.read_parquet(str(paths["pieces"])).to_view("pieces")
    out = sd.sql(SQL.format(transform="'EPSG:4549'", parcels="parcels", pieces="pieces")).to_pandas()
    return {"seconds": time.perf_counter() - t0, "version": sedonadb.__version__}, out


def duckdb_spatial_path() -> str:
    """Find the spatial extension inside the duckdb-extension-spatial wheel, for this DuckDB version."""
    import duckdb
    import duckdb_extension_spatial

    base = Path(duckdb_extension_spatial.__file__).parent / "extensions"
    want = base / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    if not want.exists():
        found = sorted(glob.glob(str(base / "*" / "spatial.duckdb_extension")))
        raise SystemExit(f"duckdb {duckdb.__version__} needs duckdb-extension-spatial=={duckdb.__version__}; "
                         f"the wheel holds {found}")
    return str(want)


def run_duckdb(paths: dict) -> tuple[dict, object]:
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"LOAD '{duckdb_spatial_path()}'")
    sql = SQL.format(transform="'EPSG:4490', 'EPSG:4549', always_xy := true",
                     parcels=f"read_parquet('{paths['parquet']}')", pieces=f"read_parquet('{paths['pieces']}')")
    out = con.execute(sql).df()
    return {"seconds": time.perf_counter() - t0, "version": duckdb.__version__}, out


def run_naive(paths: dict) -> tuple[dict, object]:
    import geopandas as gpd
    import shapely

    t0 = time.perf_counter()
    parcels = gpd.read_parquet(paths["parquet"])
    ok = parcels.geometry.notna() & parcels.geom_type.isin(["Polygon", "MultiPolygon"]) & parcels.is_valid
    parcels = parcels[ok].to_crs("EPSG:4549")
    red = gpd.read_parquet(paths["dissolved"])
    ov = gpd.overlay(parcels[["parcel_id", "geometry"]], red[["geometry"]], how="intersection", keep_geom_type=True)
    ov["overlap_m2"] = shapely.area(ov.geometry.values)
    out = ov.groupby("parcel_id", as_index=False)["overlap_m2"].sum()
    return {"seconds": time.perf_counter() - t0}, out


def run_postgis(paths: dict, workdir: Path) -> tuple[dict, object]:
    """bench_postgis's PostGIS run (its own server and child process): every check, end to end."""
    import bench_postgis as bp
    import pandas as pd

    with bp.postgis_server() as (dsn, _server):
        os.environ[bp.DSN_ENV] = dsn
        with bp._connect() as con:
            bp.load_reference(con)
        t0 = time.perf_counter()
        res = bp._run_child("postgis", paths["gpkg"], workdir, bp.MAX_VERTICES)
        seconds = time.perf_counter() - t0
    ids = pd.read_parquet(paths["parquet"], columns=["parcel_id"])["parcel_id"]
    out = pd.DataFrame({"parcel_id": ids.to_numpy(), "overlap_m2": res["columns"]["redline_overlap_m2"],
                        "verdict": res["columns"]["verdict"]})
    info = {"seconds": seconds, "compute_s": res["layers_s"] + res["checks_s"], "stages": res["stages"],
            "server_peak_mb": max(res["server_peak_mb"].values()) if res["server_peak_mb"] else None,
            "client_peak_mb": res["peak_rss_mb"]}
    return info, out


def child(engine: str, workdir: Path, n: int, out_json: Path) -> None:
    import pandas  # noqa: F401  (every engine hands back a pandas frame: imported before any clock starts)

    paths = prepare(n, workdir)
    if engine in ("suzhou_geo", "suzhou_geo_all"):
        info, out = run_suzhou_geo(paths, every_check=engine == "suzhou_geo_all")
    elif engine == "postgis":
        info, out = run_postgis(paths, workdir)
    else:
        runs = {"suzhou_geo_overlap": run_overlap, "sedonadb": run_sedonadb, "duckdb": run_duckdb, "naive": run_naive}
        info, out = runs[engine](paths)
    info["peak_rss_mb"] = peak_rss_mb()
    out.to_parquet(out_json.with_suffix(".parquet"))
    out_json.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")


# --------------------------------------------------------------------------- the run


def run_child(engine: str, workdir: Path, n: int, k: int) -> dict:
    out_json = workdir / f"peer_{engine}_{n}_{k}.json"
    load = os.getloadavg()
    t = time.perf_counter()
    subprocess.run([sys.executable, str(HERE), "--child", engine, str(workdir), str(n), str(out_json)], check=True)
    res = json.loads(out_json.read_text(encoding="utf-8"))
    res.update(engine=engine, repeat=k, load_before=[round(x, 2) for x in load], process_s=time.perf_counter() - t)
    return res


def agreement(workdir: Path, n: int, engine: str, k: int, reference) -> dict:
    """Count the parcels whose overlap is within max(1 m², 0.1 %) of the library's."""
    import pandas as pd

    got = pd.read_parquet(workdir / f"peer_{engine}_{n}_{k}.parquet")
    ref = reference.set_index("parcel_id")["overlap_m2"].fillna(0.0)
    mine = got.set_index("parcel_id")["overlap_m2"].reindex(ref.index).fillna(0.0)
    ref_rows = reference.set_index("parcel_id")
    valid = (ref_rows["verdict"] != "invalid") & (ref_rows["geometry_issue"].fillna("") == "")  # peers skip them
    d = (mine - ref).abs()[valid]
    ok = d <= np.maximum(1.0, 0.001 * ref[valid])
    return {"parcels": int(valid.sum()), "within": int(ok.sum()), "max_abs_m2": round(float(d.max()), 3),
            "overlapping": int((mine[valid] > 0).sum())}


def peer_versions() -> dict:
    out = versions()
    for name in ("sedonadb", "duckdb", "duckdb_extension_spatial", "geoarrow.pyarrow"):
        try:
            mod = __import__(name, fromlist=["_"])
            out[name] = getattr(mod, "__version__", "?")
        except ImportError:
            out[name] = None
    out["platform"] = platform.platform()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/suzhou_geo_bench_peers"))
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        engine, workdir, n, out_json = a.child
        child(engine, Path(workdir), int(n), Path(out_json))
        return 0

    a.workdir.mkdir(parents=True, exist_ok=True)
    prepare(a.n, a.workdir)
    info = peer_versions()
    print("versions:", json.dumps(info, ensure_ascii=False), flush=True)
    runs = []
    for k in range(a.repeat):
        for engine in a.engines:
            res = run_child(engine, a.workdir, a.n, k)
            runs.append(res)
            print(json.dumps({x: res[x] for x in res if x != "stages"}, ensure_ascii=False), flush=True)
    _report(a, runs, info)
    return 0


def _report(a, runs: list[dict], info: dict) -> None:
    import pandas as pd

    ref_engine = next((e for e in ("suzhou_geo", "suzhou_geo_all") if e in a.engines), None)
    if ref_engine is None:
        raise SystemExit("the agreement is counted against suzhou_geo or suzhou_geo_all: run one of them")
    reference = pd.read_parquet(a.workdir / f"peer_{ref_engine}_{a.n}_0.parquet")
    for r in runs:
        r["agreement"] = agreement(a.workdir, a.n, r["engine"], r["repeat"], reference)
    print()
    print(f"{a.n:,} parcels, {a.repeat} run(s) each, load average before each run in brackets")
    print()
    print(f"| engine | time (best; each run) | peak memory | overlaps within max(1 m², 0.1 %) of {ref_engine} |")
    print("|---|---|---|---|")
    for engine in a.engines:
        mine = [r for r in runs if r["engine"] == engine]
        times = "; ".join(f"{r['seconds']:.2f} s [{r['load_before'][0]:.1f}]" for r in mine)
        best = min(r["seconds"] for r in mine)
        if engine == "postgis":
            peak = f"server {mine[0]['server_peak_mb']:.0f} + client {mine[0]['client_peak_mb']:.0f} MB"
        else:
            peak = f"{max(r['peak_rss_mb'] for r in mine):.0f} MB"
        ag = mine[0]["agreement"]
        print(f"| {engine} | **{best:.2f} s**; {times} | {peak} | {ag['within']:,} / {ag['parcels']:,} "
              f"(max {ag['max_abs_m2']} m²) |")
    if a.json:
        a.json.write_text(json.dumps({"n": a.n, "versions": info, "runs": runs}, ensure_ascii=False, indent=1),
                          encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
