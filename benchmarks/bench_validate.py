"""Benchmark parcel validation end to end: GeoPackage in → report GeoPackage out.

    python benchmarks/bench_validate.py                       # N = 10k, 100k, 1M; baseline at 10k, 100k
    python benchmarks/bench_validate.py --n 10000 100000 --baseline-max 100000
    python benchmarks/bench_validate.py --n 1000000 --complex  # densified, jittered redlines

For each N a seeded set of synthetic parcels (rotated rectangles of 0.5–5 ha,
uniform over 苏州市 including its lakes, plus 5 % placed across redline edges
and 0.1 % broken rows) is written to a GeoPackage.  Then, each in a fresh
subprocess so that the peak memory (``resource.getrusage``) is its own:

* ``fast``: ``suzhou_geo.validate_parcels(path)`` with the bundled redlines,
  joint-control zone and schemes, and the report written with pyogrio
  (``use_arrow=True`` when pyarrow is installed);
* ``naive`` (N ≤ ``--baseline-max``): the same checks the way one would write
  them with geopandas alone — ``geopandas.overlay`` of the parcels with the
  (dissolved) redlines, the joint-control zone and the districts,
  ``sjoin_nearest`` for the distance to the redline and ``sjoin(dwithin)`` for
  the scheme elements — and the same report written the same way.

Both paths' overlap areas are compared (max relative difference).  Results are
printed as a Markdown table and saved as JSON with the library versions
(GEOS, GDAL, shapely, pyogrio, geopandas, numpy).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
SEED = 20261122
GK = "EPSG:4549"


# --------------------------------------------------------------------------- data


def make_parcels(n: int, seed: int = SEED):
    """Seeded synthetic parcels over Suzhou (EPSG:4490), with a few broken rows."""
    import geopandas as gpd
    import shapely

    import suzhou_geo as sg

    rng = np.random.default_rng(seed)
    sz = sg.boundary("苏州市").to_crs(GK).geometry.iloc[0]
    shapely.prepare(sz)
    minx, miny, maxx, maxy = sz.bounds
    n_edge = n // 20  # 5 % centred on redline edges
    n_uni = n - n_edge
    xs, ys, got = [], [], 0
    while got < n_uni:
        x = rng.uniform(minx, maxx, 2 * n_uni)
        y = rng.uniform(miny, maxy, 2 * n_uni)
        ok = shapely.contains_xy(sz, x, y)
        xs.append(x[ok])
        ys.append(y[ok])
        got += int(ok.sum())
    x = np.concatenate(xs)[:n_uni]
    y = np.concatenate(ys)[:n_uni]
    red = sg.load_redlines().to_crs(GK)
    edge = shapely.line_merge(shapely.boundary(shapely.union_all(red.geometry.values)))
    pts = shapely.line_interpolate_point(edge, rng.uniform(0, edge.length, n_edge))
    x = np.r_[x, shapely.get_x(pts)]
    y = np.r_[y, shapely.get_y(pts)]
    order = rng.permutation(n)
    x, y = x[order], y[order]
    area = rng.uniform(5_000, 50_000, n)  # 0.5–5 ha
    aspect = rng.uniform(0.5, 2.0, n)
    w = np.sqrt(area * aspect)
    h = area / w
    ang = rng.uniform(0, np.pi, n)
    c, s = np.cos(ang)[:, None], np.sin(ang)[:, None]
    cx = np.array([-0.5, 0.5, 0.5, -0.5, -0.5])[None, :] * w[:, None]
    cy = np.array([-0.5, -0.5, 0.5, 0.5, -0.5])[None, :] * h[:, None]
    px = x[:, None] + cx * c - cy * s
    py = y[:, None] + cx * s + cy * c
    geoms = shapely.polygons(np.stack([px, py], axis=-1))
    bad = rng.choice(n, max(n // 1000, 1), replace=False)  # 0.1 % broken rows
    for k, i in enumerate(bad):
        if k % 3 == 0:  # bow-tie (self-intersection)
            x0, y0 = x[i], y[i]
            geoms[i] = shapely.Polygon(
                [(x0, y0), (x0 + 100, y0 + 100), (x0 + 100, y0), (x0, y0 + 100)]
            )
        elif k % 3 == 1:
            geoms[i] = None
        else:
            geoms[i] = shapely.Point(x[i], y[i])
    uses = np.array(
        ["工业 industrial", "居住 residential", "商业 commercial", "物流 logistics"], dtype=object
    )
    gdf = gpd.GeoDataFrame(
        {
            "parcel_id": [f"DK{i:07d}" for i in range(n)],
            "land_use": uses[rng.integers(0, len(uses), n)],
        },
        geometry=gpd.GeoSeries(geoms, crs=GK).to_crs("EPSG:4490").values,
    )
    return gdf


def complex_redlines():
    """Return the bundled redlines densified to 10 m vertices and jittered ±3 m (surveyed-like)."""
    import shapely

    import suzhou_geo as sg

    red = sg.load_redlines().to_crs(GK)
    g = shapely.segmentize(red.geometry.values, 10.0)
    coords = shapely.get_coordinates(g)
    # jitter as a function of position, so that a ring's first and last vertex move together
    x, y = coords[:, 0], coords[:, 1]
    jitter = 3.0 * np.c_[np.sin(0.91 * x + 1.37 * y), np.cos(1.13 * x - 0.71 * y)]
    g = shapely.set_coordinates(g, coords + jitter)
    g = shapely.make_valid(g)
    out = red.set_geometry(g).to_crs("EPSG:4490")
    out.attrs = dict(sg.load_redlines().attrs)
    return out


def _write(gdf, path: Path) -> bool:
    import importlib.util

    import pyogrio

    arrow = importlib.util.find_spec("pyarrow") is not None
    if path.exists():
        path.unlink()
    pyogrio.write_dataframe(gdf, path, driver="GPKG", use_arrow=arrow)
    return arrow


# --------------------------------------------------------------------------- the two pipelines


def _timings(t0: float, t1: float, t2: float, arrow: bool) -> dict:
    """Seconds end to end, validating (t0-t1) and writing (t1-t2)."""
    return {"seconds": t2 - t0, "validate_s": t1 - t0, "write_s": t2 - t1, "arrow": arrow}


def run_fast(src: Path, dst: Path, redlines: Path | None) -> dict:
    import suzhou_geo as sg

    stages: dict[str, float] = {}

    def timed(stage: str, seconds: float) -> None:
        stages[stage] = round(stages.get(stage, 0.0) + seconds, 3)

    t0 = time.perf_counter()
    report = sg.validate_parcels(src, redlines=str(redlines) if redlines else None, timings=timed)
    t1 = time.perf_counter()
    arrow = _write(report, dst)
    return {
        **_timings(t0, t1, time.perf_counter(), arrow),
        "stages": stages,
        "verdicts": report["verdict"].value_counts().to_dict(),
        "overlap_m2": report["redline_overlap_m2"].fillna(0).to_numpy().tolist()
        if len(report) <= 100_000
        else None,
    }


def run_naive(src: Path, dst: Path, redlines: Path | None) -> dict:
    """Run the same checks with geopandas overlay/sjoin only (the baseline)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    import suzhou_geo as sg
    from suzhou_geo.measure import area_m2_fast

    t0 = time.perf_counter()
    parcels = gpd.read_file(src)
    n = len(parcels)
    parcels["_row"] = np.arange(n)
    ok = parcels.geometry.notna() & parcels.geom_type.isin(["Polygon", "MultiPolygon"])
    good = parcels[ok].copy()
    good["geometry"] = shapely.make_valid(good.geometry.values)
    good = good.to_crs(GK)
    area = pd.Series(area_m2_fast(good.geometry.values, GK), index=good["_row"].to_numpy())
    red = (gpd.read_file(redlines) if redlines else sg.load_redlines()).to_crs(GK)
    red = red.dissolve("kind").reset_index()[["kind", "geometry"]]
    ov = gpd.overlay(good[["_row", "geometry"]], red, how="intersection", keep_geom_type=True)
    ov["a"] = area_m2_fast(ov.geometry.values, GK)
    by_kind = ov.groupby(["_row", "kind"])["a"].sum().unstack(fill_value=0.0)
    zone = sg.joint_control_zone().to_crs(GK)[["pair", "geometry"]]
    oz = gpd.overlay(good[["_row", "geometry"]], zone, how="intersection", keep_geom_type=True)
    counties = sg.jurisdictions(geometry=True)
    counties = counties[counties.level == "county"].to_crs(GK)[["name_zh", "geometry"]]
    od = gpd.overlay(good[["_row", "geometry"]], counties, how="intersection", keep_geom_type=True)
    prot = red[red.kind == "ecological_protection_redline"]
    near = gpd.sjoin_nearest(good[["_row", "geometry"]], prot, max_distance=1000, distance_col="d")
    sch = sg.layers().to_crs(GK)[["scheme", "name_zh", "geometry"]]
    ns = gpd.sjoin(good[["_row", "geometry"]], sch, predicate="dwithin", distance=200)
    out = parcels.drop(columns="_row").copy()
    red_m2 = by_kind.get("ecological_protection_redline", pd.Series(dtype=float)).reindex(
        range(n), fill_value=0
    )
    out["redline_overlap_m2"] = red_m2.to_numpy()
    out["parcel_area_m2"] = area.reindex(range(n)).to_numpy()
    ratio = out["redline_overlap_m2"] / out["parcel_area_m2"]
    out["district"] = od.groupby("_row")["name_zh"].agg("; ".join).reindex(range(n)).to_numpy()
    out["joint_zone"] = (
        oz.groupby("_row")["pair"]
        .agg(lambda s: "; ".join(sorted(set(s))))
        .reindex(range(n))
        .to_numpy()
    )
    out["nearest_redline_m"] = near.groupby("_row")["d"].min().reindex(range(n)).to_numpy()
    out["scheme_elements"] = (
        ns.groupby("_row")["name_zh"].agg("; ".join).reindex(range(n)).to_numpy()
    )
    out["verdict"] = np.where((out.redline_overlap_m2 > 1) & (ratio > 0.001), "conflict", "pass")
    t1 = time.perf_counter()
    arrow = _write(out, dst)
    return {
        **_timings(t0, t1, time.perf_counter(), arrow),
        "overlap_m2": out["redline_overlap_m2"].fillna(0).to_numpy().tolist()
        if n <= 100_000
        else None,
    }


def child(mode: str, src: str, dst: str, redlines: str | None, out_json: str) -> None:
    fn = run_fast if mode == "fast" else run_naive
    res = fn(Path(src), Path(dst), Path(redlines) if redlines else None)
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    Path(out_json).write_text(json.dumps(res), encoding="utf-8")


def _run_child(mode: str, src: Path, dst: Path, redlines: Path | None, workdir: Path) -> dict:
    out_json = workdir / f"{mode}_{src.stem}.json"
    cmd = [
        sys.executable,
        str(HERE),
        "--child",
        mode,
        str(src),
        str(dst),
        str(redlines or ""),
        str(out_json),
    ]
    subprocess.run(cmd, check=True)
    return json.loads(out_json.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- main


def versions() -> dict:
    import geopandas
    import pyogrio
    import pyproj
    import shapely

    try:
        import pyarrow

        arrow = pyarrow.__version__
    except ImportError:
        arrow = None
    return {
        "python": platform.python_version(),
        "shapely": shapely.__version__,
        "GEOS": shapely.geos_version_string,
        "pyogrio": pyogrio.__version__,
        "GDAL": pyogrio.__gdal_version_string__,
        "geopandas": geopandas.__version__,
        "numpy": np.__version__,
        "pyproj": pyproj.__version__,
        "PROJ": pyproj.proj_version_str,
        "pyarrow": arrow,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument(
        "--baseline-max", type=int, default=100_000, help="run the naive baseline up to this N"
    )
    ap.add_argument(
        "--complex", action="store_true", help="use densified, jittered redlines (10 m vertices)"
    )
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/suzhou_geo_bench_validate"))
    ap.add_argument("--json", type=Path, default=None, help="save the results here")
    ap.add_argument(
        "--child",
        nargs=5,
        metavar=("MODE", "SRC", "DST", "REDLINES", "OUT"),
        help=argparse.SUPPRESS,
    )
    a = ap.parse_args(argv)
    if a.child:
        mode, src, dst, redlines, out_json = a.child
        child(mode, src, dst, redlines or None, out_json)
        return 0

    a.workdir.mkdir(parents=True, exist_ok=True)
    red_path = None
    if a.complex:
        red = complex_redlines()
        red_path = a.workdir / "redlines_complex.gpkg"
        _write(red, red_path)
        import shapely

        print(
            f"complex redlines: {len(red)} features, "
            f"{int(shapely.get_num_coordinates(red.geometry.values).sum())} vertices"
        )
    info = versions()
    info["load_average_at_start"] = os.getloadavg()
    print("versions:", json.dumps(info, ensure_ascii=False))
    rows = []
    for n in a.n:
        src = a.workdir / f"parcels_{n}.gpkg"
        if not src.exists():
            t = time.perf_counter()
            _write(make_parcels(n), src)
            print(f"generated {src.name} in {time.perf_counter() - t:.1f} s", flush=True)
        fast = _run_child("fast", src, a.workdir / f"report_fast_{n}.gpkg", red_path, a.workdir)
        row = {
            "n": n,
            "fast_s": round(fast["seconds"], 2),
            "fast_parcels_per_s": round(n / fast["seconds"]),
            "fast_peak_mb": round(fast["peak_rss_mb"]),
            "fast_validate_s": round(fast["validate_s"], 2),
            "fast_write_s": round(fast["write_s"], 2),
            "stages": fast["stages"],
            "verdicts": fast["verdicts"],
            "arrow": fast["arrow"],
        }
        if n <= a.baseline_max:
            naive = _run_child(
                "naive", src, a.workdir / f"report_naive_{n}.gpkg", red_path, a.workdir
            )
            row.update(
                {
                    "naive_s": round(naive["seconds"], 2),
                    "naive_parcels_per_s": round(n / naive["seconds"]),
                    "naive_peak_mb": round(naive["peak_rss_mb"]),
                    "speedup": round(naive["seconds"] / fast["seconds"], 1),
                }
            )
            f = np.array(fast["overlap_m2"] or [], dtype=float)
            b = np.array(naive["overlap_m2"] or [], dtype=float)
            if len(f) and len(f) == len(b):
                # the fast report rounds to 0.01 m²: compare overlaps above 100 m² relatively
                big = np.maximum(f, b) > 100.0
                row["max_rel_diff_overlap_gt_100m2"] = (
                    float((np.abs(f - b)[big] / b[big]).max()) if big.any() else 0.0
                )
                row["max_abs_diff_overlap_m2"] = float(np.abs(f - b).max())
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)

    print()
    print(
        "| N | fast end to end (s) | parcels/s | peak RSS (MB) | naive (s) | naive peak (MB) | speed-up |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['n']:,} | {r['fast_s']} | {r['fast_parcels_per_s']:,} | {r['fast_peak_mb']} | "
            f"{r.get('naive_s', '–')} | {r.get('naive_peak_mb', '–')} | "
            f"{r.get('speedup', '–')}{'×' if 'speedup' in r else ''} |"
        )
    if a.json:
        a.json.write_text(
            json.dumps({"versions": info, "rows": rows}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
