"""Benchmark: zonal statistics over a 20 000 x 20 000 land-cover GeoTIFF, peak memory < 1 GB.

Run by hand (never in the tests)::

    python benchmarks/bench_raster.py                 # generate (once) + both coverage rules
    python benchmarks/bench_raster.py --zones 300 --size 20000 --path /tmp/lc.tif

Each stage runs in a fresh Python process, so its peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own: the generator's
memory does not count against the statistics.

The raster: uint8, EPSG:4549, 10 m pixels (200 km x 200 km over Suzhou),
tiled 512 x 512, DEFLATE, nodata 0; WorldCover codes in 640 m patches drawn
from a seeded generator, 10 % of pixels flipped to another class, and a
no-data corner.  It is written strip by strip (512 rows), never held whole.

The zones: N Voronoi cells of seeded random points (clipped to a box 2 km
larger than the raster, so border cells stick out) plus the 30 bundled
jurisdictions (苏州市 and its units, neighbours; detailed boundaries, several
partly outside the raster).

The peer: ``exactextract`` (``pip install exactextract``, not a dependency of
the library), the reference implementation of exact-coverage zonal
statistics, run on the same raster and zones (in the raster's CRS) for the
class fractions of every zone (``ops=["unique", "frac"]``, its fastest way to
the same answer), in its own process, after the library's stages; the
fractions of both are compared zone by zone (the library weights each pixel by
its ellipsoidal area, exactextract by its nominal area: they differ by the
Gauss-Krüger areal scale across a zone, < 1e-4).  ``--repeat N`` runs the
library's fraction stage and exactextract N times each, alternately, so that
both see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

SIZE = 20_000
RES = 10.0
LEFT, TOP = 460_000.0, 3_576_000.0  # EPSG:4549: covers Suzhou (x 492-630 km, y 3404-3547 km)
CLASSES = [10, 20, 30, 40, 50, 60, 80, 90]


def _cpu() -> float:
    """CPU seconds of this process so far (user + system, every thread): what a run costs whatever the load."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def generate(path: Path, size: int, seed: int) -> dict:
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    t0 = time.perf_counter()
    patch = 64
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(CLASSES), size=(size // patch + 1, size // patch + 1))
    coarse = np.array(CLASSES, dtype="uint8")[picks]
    profile = dict(
        driver="GTiff", width=size, height=size, count=1, dtype="uint8", crs="EPSG:4549",
        transform=from_origin(LEFT, TOP, RES, RES), nodata=0, tiled=True, blockxsize=512,
        blockysize=512, compress="deflate", BIGTIFF="IF_SAFER",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    strip = 512
    with rasterio.open(path, "w", **profile) as dst:
        for r0 in range(0, size, strip):
            h = min(strip, size - r0)
            rows = np.arange(r0, r0 + h) // patch
            block = np.repeat(coarse[rows][:, : size // patch + 1], patch, axis=1)[:, :size]
            srng = np.random.default_rng([seed, r0])
            flip = srng.random((h, size)) < 0.10
            block = np.where(flip, np.array(CLASSES, dtype="uint8")[srng.integers(0, len(CLASSES), (h, size))], block)
            # no-data corner (south-east, 1000 x 1000 px)
            rr = np.arange(r0, r0 + h)[:, None]
            cc = np.arange(size)[None, :]
            block = np.where((rr >= size - 1000) & (cc >= size - 1000), 0, block).astype("uint8")
            dst.write(block, 1, window=Window(0, r0, size, h))
    return {"stage": "generate", "seconds": round(time.perf_counter() - t0, 1),
            "file_mb": round(path.stat().st_size / 2**20, 1)}


def zones(n: int, size: int, seed: int):
    import geopandas as gpd
    import numpy as np
    import shapely

    import suzhou_geo as sg

    rng = np.random.default_rng(seed + 1)
    span = size * RES
    pts = rng.uniform([LEFT, TOP - span], [LEFT + span, TOP], size=(n, 2))
    frame = shapely.box(LEFT - 2000, TOP - span - 2000, LEFT + span + 2000, TOP + 2000)
    cells = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame)
    cells = shapely.intersection(np.asarray(shapely.get_parts(cells)), frame)
    vor = gpd.GeoDataFrame({"name": [f"cell{i:03d}" for i in range(len(cells))]}, geometry=cells, crs="EPSG:4549")
    jur = sg.jurisdictions(geometry=True)[["name_zh", "geometry"]].rename(columns={"name_zh": "name"})
    return gpd.GeoDataFrame(
        {"name": list(vor["name"]) + list(jur["name"])},
        geometry=list(vor.geometry) + list(jur.to_crs("EPSG:4549").geometry),
        crs="EPSG:4549",
    )


def stats(path: Path, n: int, size: int, seed: int, coverage: str) -> dict:
    import pyproj
    import rasterio
    import shapely

    import suzhou_geo as sg

    z = zones(n, size, seed)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu0, t0 = _cpu(), time.perf_counter()
    out = sg.zonal_stats(path, z, classes="worldcover", zone_field="name", coverage=coverage)
    dt, cpu = time.perf_counter() - t0, _cpu() - cpu0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    share_sum = out.filter(like="_share").sum(axis=1)
    if coverage == "fraction":  # the class fractions of every zone, for the comparison with exactextract
        cols = out.attrs["class_columns"]
        m2 = out[[f"{k}_m2" for k in cols.values()]].to_numpy()
        valid = m2.sum(axis=1)
        fracs = {str(name): {str(c): float(v / t) for c, v in zip(cols, row, strict=True) if v > 0}
                 for name, row, t in zip(out["name"], m2, valid, strict=True) if t > 0}
        Path(str(path) + ".ours.json").write_text(json.dumps(fracs), encoding="utf-8")
    return {
        "stage": f"zonal_stats coverage={coverage}",
        "zones": len(z),
        "seconds": round(dt, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_rss_mb": round(rss / 1024, 1),
        "rss_before_mb": round(rss0 / 1024, 1),
        "max_abs_share_sum_error": float((share_sum - 1).abs().max()),
        "suzhou_built_up_km2": round(float(out.loc[out["name"] == "苏州市", "built_up_m2"].iloc[0]) / 1e6, 3),
        "suzhou_outside_share": round(float(out.loc[out["name"] == "苏州市", "outside_share"].iloc[0]), 5),
        "versions": {
            "suzhou_geo": sg.__version__, "rasterio": rasterio.__version__, "GDAL": rasterio.__gdal_version__,
            "shapely": shapely.__version__, "GEOS": shapely.geos_version_string,
            "pyproj": pyproj.__version__, "PROJ": pyproj.proj_version_str, "python": sys.version.split()[0],
        },
    }


def peer(path: Path, n: int, size: int, seed: int, strategy: str) -> dict:
    import exactextract
    import numpy as np

    z = zones(n, size, seed)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu0, t0 = _cpu(), time.perf_counter()
    out = exactextract.exact_extract(str(path), z, ["unique", "frac"], include_cols=["name"], output="pandas",
                                     strategy=strategy)
    dt, cpu = time.perf_counter() - t0, _cpu() - cpu0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fracs = {}
    for name, codes, frac in zip(out["name"], out["unique"], out["frac"], strict=True):
        fracs[name] = {int(c): float(f) for c, f in zip(np.asarray(codes), np.asarray(frac), strict=True)}
    Path(str(path) + ".exactextract.json").write_text(json.dumps(fracs), encoding="utf-8")
    return {
        "stage": f"exactextract {exactextract.__version__} ops=[unique, frac] strategy={strategy}",
        "zones": len(z), "seconds": round(dt, 1), "cpu_seconds": round(cpu, 1), "peak_rss_mb": round(rss / 1024, 1),
        "rss_before_mb": round(rss0 / 1024, 1),
    }


def agreement(path: Path, n: int, size: int, seed: int) -> dict:
    """Compare the class fractions of the library (last fraction run) with exactextract's, zone by zone."""
    ours = json.loads(Path(str(path) + ".ours.json").read_text(encoding="utf-8"))
    theirs = json.loads(Path(str(path) + ".exactextract.json").read_text(encoding="utf-8"))
    worst, where = 0.0, None
    for name, mine in ours.items():
        other = {int(k): v for k, v in theirs.get(name, {}).items()}
        for code in set(map(int, mine)) | set(other):
            d = abs(mine.get(str(code), 0.0) - other.get(code, 0.0))
            if d > worst:
                worst, where = d, f"{name} class {code}"
    return {"stage": "agreement", "zones_compared": len(ours), "max_abs_fraction_difference": worst, "at": where}


def burn(path: Path, n: int, size: int, seed: int) -> dict:
    import warnings

    import suzhou_geo as sg

    z = zones(n, size, seed)
    out = path.with_name("zones_burned.tif")
    t0 = time.perf_counter()
    with warnings.catch_warnings():  # Voronoi cells hidden under the jurisdictions burn no pixel
        warnings.simplefilter("ignore")
        r = sg.rasterize(z, resolution=RES, out=out)
    with r:
        shape = r.dataset.shape
        dtype = r.dataset.dtypes[0]
        pixels = int(r.codes["pixels"].sum())
    dt = time.perf_counter() - t0
    return {
        "stage": "rasterize", "zones": len(z), "shape": list(shape), "burned_pixels": pixels,
        "seconds": round(dt, 1), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "file_mb": round(out.stat().st_size / 2**20, 1), "dtype": dtype,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--path", type=Path, default=Path("/tmp/suzhou_geo_bench/landcover_20000.tif"))
    ap.add_argument("--size", type=int, default=SIZE)
    ap.add_argument("--zones", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20251122)
    ap.add_argument("--stage", choices=["all", "generate", "fraction", "centre", "rasterize", "exactextract",
                                        "exactextract-raster", "agreement", "peers"], default="all")
    ap.add_argument("--repeat", type=int, default=1, help="runs of the fraction stage and of exactextract, alternately")
    args = ap.parse_args()
    if args.stage == "generate":
        print(json.dumps(generate(args.path, args.size, args.seed)))
        return
    if args.stage == "rasterize":
        print(json.dumps(burn(args.path, args.zones, args.size, args.seed)))
        return
    if args.stage in ("fraction", "centre"):
        print(json.dumps(stats(args.path, args.zones, args.size, args.seed, args.stage), ensure_ascii=False))
        return
    if args.stage.startswith("exactextract"):
        strategy = "raster-sequential" if args.stage.endswith("raster") else "feature-sequential"
        print(json.dumps(peer(args.path, args.zones, args.size, args.seed, strategy), ensure_ascii=False))
        return
    if args.stage == "agreement":
        print(json.dumps(agreement(args.path, args.zones, args.size, args.seed), ensure_ascii=False))
        return
    base = [sys.executable, __file__, "--path", str(args.path), "--size", str(args.size),
            "--zones", str(args.zones), "--seed", str(args.seed)]
    generate_first = [] if args.path.exists() else ["generate"]
    if args.stage == "peers":  # the library and exactextract, alternately, then the agreement
        stages = generate_first + ["fraction", "exactextract"] * max(args.repeat, 1) + ["agreement"]
    else:
        stages = generate_first + ["fraction", "centre", "rasterize"]
    for stage in stages:
        res = subprocess.run(base + ["--stage", stage], capture_output=True, text=True, env=os.environ)
        if res.returncode:
            sys.exit(f"stage {stage} failed:\n{res.stderr}")
        print(res.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
