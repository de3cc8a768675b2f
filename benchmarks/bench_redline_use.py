"""Benchmark occupancy, redline comparison and revalidation (run by hand; never in the tests).

    python benchmarks/bench_redline_use.py                     # the default sizes below
    python benchmarks/bench_redline_use.py --projects 100 1000 --parcels 100000

Each stage runs in a fresh subprocess so that its peak memory (``ru_maxrss``)
is its own:

* ``occupancy``: N seeded road projects (30 m wide, 2–8 km long, named
  boundary points every ≤ 500 m) over 苏州市 against the bundled redlines;
* ``compare``: the bundled redlines against the invented adjustment
  (``data/adjustment``), and against a re-digitisation of every feature (each
  vertex moved by up to 0.1 m: thousands of noise slivers, no adjustment);
* ``revalidate``: the report of N synthetic parcels (``bench_validate.make_parcels``)
  against the invented adjustment, beside a full ``validate_parcels`` run with
  the same redlines; the verdicts are compared.

Results are printed as a Markdown table and saved as JSON with the versions.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
SEED = 20261215
GK = "EPSG:4549"


def roads(n: int, seed: int = SEED):
    """Seeded road projects over Suzhou: 30 m wide, 2–8 km long, a bend in the middle, EPSG:4490."""
    import geopandas as gpd
    import shapely
    from shapely.geometry import LineString, Polygon

    import suzhou_geo as sg

    rng = np.random.default_rng(seed)
    sz = sg.boundary("苏州市").to_crs(GK).geometry.iloc[0]
    minx, miny, maxx, maxy = sz.bounds
    rows = []
    while len(rows) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not sz.contains(shapely.Point(x, y)):
            continue
        length, a, bend = rng.uniform(2_000, 8_000), rng.uniform(0, np.pi), rng.uniform(-0.6, 0.6)
        mid = (x + np.cos(a) * length / 2, y + np.sin(a) * length / 2)
        end = (mid[0] + np.cos(a + bend) * length / 2, mid[1] + np.sin(a + bend) * length / 2)
        line = shapely.segmentize(LineString([(x, y), mid, end]), 500)
        left, right = line.offset_curve(15, join_style="mitre"), line.offset_curve(-15, join_style="mitre")
        ring = list(left.coords) + list(right.coords)[::-1]
        poly = Polygon(ring)
        if not poly.is_valid:
            continue
        names = ",".join(f"J{i + 1}" for i in range(len(ring)))
        rows.append({"项目": f"R{len(rows):05d}", "活动类型": "线性基础设施（公路）", "界址点": names,
                     "geometry": poly})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=GK).to_crs("EPSG:4490")


def stage(name: str, arg: str) -> dict:
    """Run one stage in this process; return its figures."""
    import shapely

    import suzhou_geo as sg

    t0 = time.perf_counter()
    out: dict = {"stage": name, "arg": arg}
    if name == "occupancy":
        frame = roads(int(arg))
        t0 = time.perf_counter()
        occ = sg.occupancy(frame, project="项目")
        out.update(seconds=time.perf_counter() - t0, occupying=int((occ.projects.redline_m2 > 0).sum()),
                   parts=int((occ.parts.row_type == "part").sum()), points=len(occ.points))
    elif name == "compare":
        new = sg.datasets.get_path("redlines_adjusted") if arg == "adjustment" else _jittered()
        t0 = time.perf_counter()
        cmp = sg.compare_redlines(None, new)
        c = cmp.by_unit.iloc[-1]
        out.update(seconds=time.perf_counter() - t0, patches=len(cmp.patches), noise=len(cmp.noise),
                   balance_km2=float(abs(c.old_km2 - c.out_km2 + c.in_km2 - c.noise_out_km2 + c.noise_in_km2
                                         - c.new_km2)))
    elif name == "revalidate":
        sys.path.insert(0, str(HERE.parent))
        from bench_validate import make_parcels

        parcels = make_parcels(int(arg))
        new = sg.datasets.get_path("redlines_adjusted")
        report = sg.validate_parcels(parcels, schemes=False)
        sg.revalidate(report.head(100), new)  # warm both paths up (bundled layers read, pools started)
        sg.validate_parcels(parcels.head(100), redlines=new, schemes=False)
        t0 = time.perf_counter()
        flips = sg.revalidate(report, new)
        t1 = time.perf_counter()
        full = sg.validate_parcels(parcels, redlines=new, schemes=False)
        t2 = time.perf_counter()
        expected = set(report.index[report.verdict.to_numpy() != full.verdict.to_numpy()])
        out.update(seconds=t1 - t0, full_validate_seconds=t2 - t1, flips=len(flips.changes),
                   same_as_full=set(flips.changes.index) == expected)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["geos"] = shapely.geos_version_string
    return out


def _jittered():
    """Every bundled redline re-digitised: each vertex moved by up to 0.1 m (EPSG:4549), nothing adjusted."""
    import suzhou_geo as sg

    rng = np.random.default_rng(SEED)
    red = sg.load_redlines().to_crs(GK)
    red["geometry"] = [_jitter(g, rng) for g in red.geometry.values]
    return red.to_crs("EPSG:4490")


def _jitter(geom, rng):
    from shapely.geometry import MultiPolygon, Polygon

    def ring(coords):
        xy = np.asarray(coords)[:-1]
        return xy + rng.uniform(-0.07, 0.07, xy.shape)

    polys = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    out = [Polygon(ring(p.exterior.coords), [ring(h.coords) for h in p.interiors]) for p in polys]
    return out[0] if len(out) == 1 else MultiPolygon(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, nargs="*", default=[100, 1000])
    ap.add_argument("--parcels", type=int, nargs="*", default=[100_000])
    ap.add_argument("--stage", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=str(HERE.parent / f"redline_use_{time.strftime('%Y-%m-%d')}.json"))
    args = ap.parse_args()
    if args.stage:
        print(json.dumps(stage(*args.stage)))
        return
    runs = [("occupancy", str(n)) for n in args.projects] + [("compare", "adjustment"), ("compare", "jitter")]
    runs += [("revalidate", str(n)) for n in args.parcels]
    results = []
    for name, arg in runs:
        r = subprocess.run([sys.executable, str(HERE), "--stage", name, arg], capture_output=True, text=True,
                           check=True)
        results.append(json.loads(r.stdout.strip().splitlines()[-1]))
        print(results[-1], flush=True)
    import geopandas
    import pyproj
    import shapely

    load = [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]
    info = {"python": platform.python_version(), "machine": platform.machine(), "shapely": shapely.__version__,
            "geos": shapely.geos_version_string, "geopandas": geopandas.__version__, "pyproj": pyproj.__version__,
            "proj": pyproj.proj_version_str, "numpy": np.__version__, "load_average_after": load}
    Path(args.out).write_text(json.dumps({"info": info, "results": results}, ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")
    print("| stage | size | time | peak memory | result |\n|---|---|---|---|---|")
    for r in results:
        extra = {k: v for k, v in r.items() if k not in ("stage", "arg", "seconds", "peak_mb", "geos")}
        print(f"| {r['stage']} | {r['arg']} | {r['seconds']:.1f} s | {r['peak_mb']:.0f} MB | {extra} |")


if __name__ == "__main__":
    main()
