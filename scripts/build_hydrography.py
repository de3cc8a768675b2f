"""Build data/hydrography/ from GSHHG 2.3.7 full resolution (via Debian ``gmt``).

Run (needs Debian ``gmt`` and ``gmt-gshhg-full``; nothing is downloaded):

    python scripts/build_hydrography.py

What it does
1. Dumps, for the box 119.3–122.2 °E, 30.4–32.6 °N, with ``gmt coast -Df -M``:
   lake shores and islands-in-lakes (``-A0+l -W2/… -W3/…``: level 2 and 3, lakes only,
   river-lakes excluded), the coastline (``-W1/…``: level 1, WVS, which in GSHHG runs up
   the Yangtze estuary past Suzhou) and every WDBII river and canal (``-Ia``).
   ``gmt`` runs in a temporary directory so that its ``gmt.history`` lands there.
2. The dump is cut at GSHHG's 1° bins ("> Shore Bin # N, Level L"); the pieces share
   their end points exactly, so they are merged (``shapely.line_merge``) and
   polygonized (``shapely.polygonize``).  Lakes cut by the dump box stay open and are
   dropped; islands (level 3) become holes of the lake that holds them.
3. Names each lake by an anchor point known to lie in it (:data:`LAKE_ANCHORS`); lakes
   with no anchor are kept with an empty ``name_zh``.  Anchors that fall in no GSHHG
   lake are reported (``build_info.json``: ``lakes_missing``): GSHHG lacks those lakes.
4. Names rivers and canals by waypoints (:data:`RIVER_ANCHORS`, estimated places on
   each river, ±1–3 km): a merged line is named when it passes within
   :data:`ANCHOR_TOL_M` of at least two of a river's waypoints.
5. Builds the Yangtze water polygon (the ocean face of the level-1 polygonization
   that holds a point of the river off 常熟) and keeps the part inside 苏州市, plus
   the Suzhou bank shoreline as lines.
6. Writes ``lakes.geojson``, ``rivers.geojson``, ``yangtze.geojson`` (EPSG:4490,
   coordinates rounded to 1e-6°) and ``build_info.json`` with the figures.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from suzhou_geo.boundaries import boundary  # noqa: E402
from suzhou_geo.crs import CGCS2000, CGCS2000_GK_CM120  # noqa: E402
from suzhou_geo.measure import area_km2, length_m  # noqa: E402

OUT = ROOT / "data" / "hydrography"
REGION = (119.3, 122.2, 30.4, 32.6)  # west, east, south, north
GSHHG = "GSHHG 2.3.7 full"
SOURCE = "GSHHG 2.3.7 full resolution (Debian gmt-gshhg-full 2.3.7-6), dumped with GMT 6.4.0 gmt coast -Df -M"

#: Estimated accuracy (m).  WVS coastline: GSHHG README 2.3.7 §C says WGS-84 with
#: offsets "noted" against GPS; data/boundaries' build measured a 90 m median misfit of
#: Amap's converted coast to it, so 200 m.  WDBII lakes/rivers: "much older and
#: lower-quality", possibly WGS72 — 500 m is an estimate, not a published figure.
ACC_WVS_M = 200
ACC_WDBII_M = 500

#: Lakes: name_zh -> (name_en, lon, lat, where the anchor comes from: Chinese first, English
#: beside it; written to ``name_anchor``).  Points chosen well inside each lake (open water),
#: WGS84/CGCS2000; "估计 estimated" means no source gives the point.
LAKE_ANCHORS: dict[str, tuple[str, float, float, str]] = {
    "太湖": ("Tai Lake", 120.23, 31.20, "估计的湖心 / estimated lake centre"),
    "阳澄湖": ("Yangcheng Lake", 120.80, 31.43,
              "湖中一点，参照维基百科《阳澄湖》的坐标 31°24′N, 120°48′E 与阳澄湖(昆山)省级重要湿地公布范围的中心 "
              "120.822, 31.433（苏州市园林和绿化管理局《阳澄湖省级重要湿地》(2022-11-01)）选定 / a point in the lake "
              "chosen from the coordinates in Chinese Wikipedia (31°24′N 120°48′E) and the centre of the published "
              "extent of the 阳澄湖(昆山) wetland (120.822, 31.433; Suzhou landscaping and greening bureau page, "
              "2022-11-01)"),
    "淀山湖": ("Dianshan Lake", 120.96, 31.12,
              "湖中一点，靠近估计的湖心（约 120.98, 31.12） / a point in the lake near its estimated centre "
              "(≈ 120.98, 31.12)"),
    "滆湖": ("Ge Lake", 119.80, 31.60,
            "一般地理知识（常州武进，太湖以西） / general geography (常州 武进, west of 太湖)"),
    "长荡湖": ("Changdang Lake (Tao Lake)", 119.55, 31.60, "一般地理知识（常州金坛） / general geography (常州 金坛)"),
    "澄湖": ("Cheng Lake", 120.85, 31.20, "估计的湖心 / estimated lake centre"),
    "昆承湖": ("Kuncheng Lake", 120.79, 31.60,
              "一般地理知识（常熟城区东南） / general geography (常熟, south-east of the city)"),
    "尚湖": ("Shang Lake", 120.70, 31.63, "一般地理知识（常熟，虞山以西） / general geography (常熟, west of 虞山)"),
    "元荡": ("Yuandang", 120.88, 31.06,
            "一般地理知识（吴江黎里与青浦金泽交界） / general geography (吴江 黎里 / 青浦 金泽 border)"),
    "汾湖": ("Fen Lake", 120.81, 30.93, "估计的太浦河途经点（芦墟/汾湖） / estimated 太浦河 waypoint (芦墟 / 汾湖)"),
    "金鸡湖": ("Jinji Lake", 120.68, 31.31, "一般地理知识（苏州工业园区） / general geography (苏州工业园区)"),
    "独墅湖": ("Dushu Lake", 120.72, 31.27, "一般地理知识（苏州工业园区） / general geography (苏州工业园区)"),
    "傀儡湖": ("Kuilei Lake", 120.875, 31.405,
              "估计的傀儡湖水源地位置 / estimated position of the 傀儡湖 water-source area"),
    "白蚬湖": ("Baixian Lake", 120.86, 31.12,
              "一般地理知识（吴江同里、周庄以南） / general geography (吴江 同里/周庄 south)"),
    "长白荡": ("Changbaidang", 120.90, 31.17, "估计位置（万千湖/长白荡） / estimated position (万千湖 / 长白荡)"),
    "漕湖": ("Cao Lake", 120.57, 31.50,
            "一般地理知识（相城北桥与常熟交界） / general geography (相城 北桥 / 常熟 border)"),
    "鹅真荡": ("Ezhendang", 120.50, 31.505,
              "估计的望虞河途经点（鹅真荡/嘉菱荡一带） / estimated 望虞河 waypoint (鹅真荡 / 嘉菱荡 area)"),
}

#: Rivers and canals: name_zh -> (name_en, [(lon, lat), …]) — estimated waypoints
#: (±1–3 km; no source gives coordinates), used only to NAME GSHHG lines.
RIVER_ANCHORS: dict[str, tuple[str, list[tuple[float, float]]]] = {
    "京杭运河": ("Grand Canal (Beijing–Hangzhou)", [
        (120.420, 31.470), (120.440, 31.455), (120.490, 31.380), (120.570, 31.300),
        (120.640, 31.262), (120.655, 31.160), (120.640, 30.985), (120.700, 30.890)]),
    "吴淞江": ("Wusong River", [
        (120.625, 31.205), (120.655, 31.205), (120.740, 31.240), (120.850, 31.275),
        (120.950, 31.295), (121.030, 31.290), (121.080, 31.280)]),
    "望虞河": ("Wangyu River", [
        (120.405, 31.435), (120.442, 31.456), (120.500, 31.505), (120.560, 31.555),
        (120.670, 31.630), (120.720, 31.710), (120.765, 31.770)]),
    "太浦河": ("Taipu River", [
        (120.515, 30.985), (120.640, 30.985), (120.735, 30.945), (120.810, 30.935)]),
}
#: A line is named for a river when it passes this close to >= 2 of its waypoints (m);
#: the waypoints are ±1–3 km, the GSHHG lines a few hundred metres.
ANCHOR_TOL_M = 2500.0

#: A point in the Yangtze off 常熟/张家港 (mid-river, 120.85 °E 31.84 °N) that selects the
#: ocean/estuary face of the level-1 polygonization.
YANGTZE_SEED = (120.85, 31.84)

WDBII_CLASSES = {
    0: "double-lined river (river-lake outline)", 1: "permanent major river",
    2: "additional major river", 3: "additional river", 4: "minor river",
    5: "intermittent major river", 6: "intermittent additional river",
    7: "intermittent minor river", 8: "major canal", 9: "minor canal", 10: "irrigation canal",
}

_HEADER = re.compile(r"Bin # (\d+), Level (\d+)")


def gmt_dump(args: list[str], workdir: Path) -> list[tuple[int, int, shapely.LineString]]:
    """Run ``gmt coast -M`` and parse the multisegment dump into (bin, level, line)."""
    w, e, s, n = REGION
    cmd = ["gmt", "coast", f"-R{w}/{e}/{s}/{n}", "-Df", "-M", *args]
    text = subprocess.run(cmd, cwd=workdir, check=True, capture_output=True, text=True).stdout
    out: list[tuple[int, int, list]] = []
    for line in text.splitlines():
        if line.startswith(">"):
            m = _HEADER.search(line)
            if not m:
                raise RuntimeError(f"unexpected gmt header {line!r} from {' '.join(cmd)}")
            out.append((int(m[1]), int(m[2]), []))
        elif line.strip():
            x, y = line.split()[:2]
            out[-1][2].append((float(x), float(y)))
    return [(b, lv, shapely.LineString(c)) for b, lv, c in out if len(c) >= 2]


def region_box() -> shapely.Polygon:
    w, e, s, n = REGION
    return shapely.box(w, s, e, n)


def build_lakes(segs) -> tuple[gpd.GeoDataFrame, dict]:
    lines = [g for _, lv, g in segs if lv == 2]
    islands = [g for _, lv, g in segs if lv == 3]
    merged = shapely.line_merge(shapely.MultiLineString(lines))
    parts = list(getattr(merged, "geoms", [merged]))
    closed = [p for p in parts if p.is_closed]
    open_ = [p for p in parts if not p.is_closed]
    lakes = [shapely.Polygon(p.coords) for p in closed]
    isl_merged = shapely.line_merge(shapely.MultiLineString(islands))
    isl = [shapely.Polygon(p.coords) for p in getattr(isl_merged, "geoms", [isl_merged]) if p.is_closed]
    # islands become holes of the lake that holds them
    out = []
    for lake in lakes:
        holes = [i for i in isl if lake.contains(i.representative_point())]
        geom = shapely.make_valid(lake.difference(shapely.union_all(holes)) if holes else lake)
        out.append(geom)
    # name by anchor; a polygon holding two anchors listed in SPLIT_AT_NECK is cut in two
    geoms, notes, hits = [], [], []
    for geom in out:
        hit = [k for k, (en, x, y, _) in LAKE_ANCHORS.items() if geom.contains(shapely.Point(x, y))]
        if len(hit) == 2 and tuple(hit) in SPLIT_AT_NECK:
            pieces, width_m = split_at_neck(geom, hit[0], hit[1])
            for k, piece in zip(hit, pieces, strict=True):
                geoms.append(piece)
                hits.append([k])
                notes.append(
                    f"WDBII draws {hit[0]} and {hit[1]} as one polygon; split at its narrowest "
                    f"neck ({width_m:.0f} m wide) on the line between the two anchors"
                )
            continue
        if len(hit) > 1:
            raise RuntimeError(f"lake anchors {hit} fall in one GSHHG polygon; fix LAKE_ANCHORS or SPLIT_AT_NECK")
        geoms.append(geom)
        hits.append(hit)
        notes.append("")
    gdf = gpd.GeoDataFrame({"note": notes}, geometry=geoms, crs=CGCS2000)
    names_zh, names_en, anchors = [], [], []
    found = set()
    for hit in hits:
        if hit:
            k = hit[0]
            found.add(k)
            names_zh.append(k)
            names_en.append(LAKE_ANCHORS[k][0])
            anchors.append(f"{LAKE_ANCHORS[k][1]}, {LAKE_ANCHORS[k][2]} ({LAKE_ANCHORS[k][3]})")
        else:
            names_zh.append("")
            names_en.append("")
            anchors.append("")
    gdf.insert(0, "name_zh", names_zh)
    gdf.insert(1, "name_en", names_en)
    gdf.loc[gdf.name_zh.eq("") & gdf.note.eq(""), "note"] = "unnamed: no anchor of LAKE_ANCHORS lies in it"
    gdf["gshhg_level"] = 2
    gdf["basis"] = f"{GSHHG}, level 2 lake shore"
    gdf["accuracy_m"] = ACC_WDBII_M
    gdf["source"] = SOURCE + " -A0+l -W2/ -W3/ (WDBII lake shores, islands as holes)"
    gdf["name_anchor"] = anchors
    gdf["area_km2"] = area_km2(gdf).round(3)
    gdf["_unnamed"] = gdf.name_zh.eq("")
    gdf = gdf.sort_values(["_unnamed", "area_km2"], ascending=[True, False]).drop(columns="_unnamed")
    gdf = gdf.reset_index(drop=True)
    info = {
        "lake_segments": len(lines),
        "island_segments": len(islands),
        "lakes_closed": len(closed),
        "lake_pieces_cut_by_dump_box_dropped": len(open_),
        "lakes_found": sorted(found),
        "lakes_missing": [k for k in LAKE_ANCHORS if k not in found],
    }
    return gdf, info


#: Pairs of lakes that WDBII merges into one polygon, to be cut at the narrowest neck.
SPLIT_AT_NECK = {("淀山湖", "元荡")}


def split_at_neck(geom, a: str, b: str):
    """Cut *geom* in two across its narrowest neck on the segment between anchors a and b.

    Tries 400 cuts perpendicular to the a–b segment and keeps the shortest chord
    (in EPSG:4549) whose piece through the segment point splits the polygon in two.
    Returns ([piece holding a, piece holding b], chord width in m).
    """
    to_m = Transformer.from_crs(CGCS2000, CGCS2000_GK_CM120, always_xy=True)
    to_g = Transformer.from_crs(CGCS2000_GK_CM120, CGCS2000, always_xy=True)
    gm = shapely.transform(geom, to_m.transform, interleaved=False)
    pa = np.array(to_m.transform(*LAKE_ANCHORS[a][1:3]))
    pb = np.array(to_m.transform(*LAKE_ANCHORS[b][1:3]))
    d = (pb - pa) / np.linalg.norm(pb - pa)
    perp = np.array([-d[1], d[0]]) * 20_000
    best = None
    for t in np.linspace(0.05, 0.95, 400):
        p = pa + t * (pb - pa)
        pt = shapely.Point(p)
        if not gm.contains(pt):
            continue
        chord = shapely.intersection(gm, shapely.LineString([p - perp, p + perp]))
        piece = [c for c in shapely.get_parts(chord) if c.distance(pt) < 1e-6]
        if piece and (best is None or piece[0].length < best.length):
            best = piece[0]
    if best is None:
        raise RuntimeError(f"no neck found between {a} and {b}")
    # extend the chord a little so that it crosses the shore, then split
    (x0, y0), (x1, y1) = best.coords[0], best.coords[-1]
    v = np.array([x1 - x0, y1 - y0]) / best.length
    cut = shapely.LineString([np.array([x0, y0]) - v, np.array([x1, y1]) + v])
    from shapely.ops import split

    parts = list(split(gm, cut).geoms)
    out = []
    for p in (pa, pb):
        hold = [q for q in parts if q.contains(shapely.Point(p))]
        if len(hold) != 1:
            raise RuntimeError(f"the neck cut between {a} and {b} did not separate them")
        out.append(shapely.transform(hold[0], to_g.transform, interleaved=False))
    if len(parts) != 2:
        raise RuntimeError(f"the neck cut between {a} and {b} gave {len(parts)} pieces")
    return out, best.length


def _metric(geoms):
    t = Transformer.from_crs(CGCS2000, CGCS2000_GK_CM120, always_xy=True)
    return shapely.transform(np.asarray(geoms, dtype=object), t.transform, interleaved=False)


def build_rivers(segs) -> gpd.GeoDataFrame:
    box = region_box()
    rows = []
    for cls in sorted({lv for _, lv, _ in segs}):
        lines = [g for _, lv, g in segs if lv == cls]
        merged = shapely.line_merge(shapely.intersection(shapely.MultiLineString(lines), box))
        for part in getattr(merged, "geoms", [merged]):
            if part.geom_type == "LineString" and not part.is_empty and part.length > 0:
                rows.append((cls, part))
    gdf = gpd.GeoDataFrame({"wdbii_class": [r[0] for r in rows]}, geometry=[r[1] for r in rows], crs=CGCS2000)
    metric = _metric(gdf.geometry.values)
    names_zh = [""] * len(gdf)
    names_en = [""] * len(gdf)
    for k, (en, pts) in RIVER_ANCHORS.items():
        anchors = _metric(shapely.points(pts))
        for i, geom in enumerate(metric):
            n_near = int((shapely.distance(geom, anchors) <= ANCHOR_TOL_M).sum())
            if n_near >= 2:
                if names_zh[i]:
                    raise RuntimeError(f"line {i} matches both {names_zh[i]} and {k}")
                names_zh[i], names_en[i] = k, en
    gdf.insert(0, "name_zh", names_zh)
    gdf.insert(1, "name_en", names_en)
    gdf["wdbii_class_name"] = gdf.wdbii_class.map(WDBII_CLASSES)
    gdf["basis"] = f"{GSHHG}, WDBII river/canal line"
    gdf["accuracy_m"] = ACC_WDBII_M
    gdf["source"] = SOURCE + " -Ia (WDBII rivers and canals; class = GMT -I feature number)"
    gdf["length_km"] = (length_m(gdf) / 1000).round(3)
    return gdf


def build_yangtze(segs) -> tuple[gpd.GeoDataFrame, dict]:
    box = region_box()
    coast = [g for _, lv, g in segs if lv == 1]
    noded = shapely.union_all([shapely.intersection(shapely.MultiLineString(coast), box), box.boundary])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    seed = shapely.Point(*YANGTZE_SEED)
    water = [f for f in faces if f.contains(seed)]
    if len(water) != 1:
        raise RuntimeError(f"the Yangtze seed {YANGTZE_SEED} lies in {len(water)} faces; move it into the river")
    water = water[0]
    # islands (closed level-1 rings) are separate faces; polygonize already left them as holes
    sz = boundary("苏州市").geometry.iloc[0]
    within = shapely.make_valid(shapely.intersection(water, sz))
    within = shapely.MultiPolygon([p for p in shapely.get_parts(within) if p.geom_type == "Polygon"])
    bank = shapely.line_merge(shapely.intersection(shapely.MultiLineString(coast), sz))
    rows = [
        dict(name_zh="长江苏州段", name_en="Yangtze River, Suzhou section (water inside 苏州市)",
             part="water_within_suzhou", gshhg_level=1,
             basis=f"{GSHHG}, level 1 shoreline (WVS) polygonized, clipped to 苏州市 (data/boundaries, mid-river)",
             geometry=within),
        dict(name_zh="长江苏州段岸线", name_en="Yangtze shoreline inside 苏州市 (south bank and islands)",
             part="shoreline_within_suzhou", gshhg_level=1,
             basis=f"{GSHHG}, level 1 shoreline (WVS) inside 苏州市",
             geometry=bank),
    ]
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=CGCS2000)
    gdf["accuracy_m"] = ACC_WVS_M
    gdf["source"] = SOURCE + " -W1/ (WVS coastline, which GSHHG carries up the Yangtze estuary)"
    gdf["area_km2"] = area_km2(gdf).round(3)
    gdf["length_km"] = (length_m(gdf) / 1000).round(3)
    gdf.loc[gdf.part == "water_within_suzhou", "length_km"] = np.nan
    info = {
        "yangtze_water_within_suzhou_km2": round(float(gdf.area_km2.iloc[0]), 3),
        "yangtze_shoreline_within_suzhou_km": round(float(gdf.length_km.iloc[1]), 3),
        "yangtze_face_west_end_lon": round(water.bounds[0], 4),
    }
    return gdf, info


def _write(gdf: gpd.GeoDataFrame, name: str) -> None:
    path = OUT / name
    if path.exists():
        path.unlink()
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio", layer_options={"COORDINATE_PRECISION": 6, "RFC7946": "NO"})


def main() -> None:
    if shutil.which("gmt") is None:
        raise SystemExit("gmt not found: apt-get install gmt gmt-gshhg-full")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        lake_segs = gmt_dump(["-A0+l", "-W2/0.25p", "-W3/0.25p"], work)
        coast_segs = gmt_dump(["-W1/0.25p"], work)
        river_segs = gmt_dump(["-Ia"], work)
    lakes, info = build_lakes(lake_segs)
    rivers = build_rivers(river_segs)
    yangtze, yinfo = build_yangtze(coast_segs)
    info.update(yinfo)

    sz = boundary("苏州市").geometry.iloc[0]
    by = lakes.set_index("name_zh")
    figures = {}
    for k in ("太湖", "阳澄湖", "淀山湖"):
        if k in by.index:
            g = by.loc[k, "geometry"]
            figures[k] = {"area_km2": round(float(area_km2(g)), 2),
                          "in_suzhou_km2": round(float(area_km2(shapely.intersection(g, sz))), 2)}
    ks = boundary("昆山市").geometry.iloc[0]
    if "淀山湖" in by.index:
        in_kunshan = shapely.intersection(by.loc["淀山湖", "geometry"], ks)
        figures["淀山湖"]["in_kunshan_km2"] = round(float(area_km2(in_kunshan)), 2)
    canal = rivers[rivers.name_zh == "京杭运河"]
    canal_sz = shapely.intersection(shapely.union_all(canal.geometry.values), sz)
    info["grand_canal_in_suzhou_km"] = round(float(length_m(canal_sz)) / 1000, 2)
    info["lake_figures"] = figures
    info["rivers_named"] = sorted(set(rivers.name_zh) - {""})
    info["rivers_missing"] = [k for k in RIVER_ANCHORS if k not in set(rivers.name_zh)]
    info["counts"] = {"lakes": len(lakes), "lakes_named": int((lakes.name_zh != "").sum()),
                      "rivers": len(rivers), "yangtze": len(yangtze)}
    info["built_on"] = date.today().isoformat()
    info["gmt"] = subprocess.run(["gmt", "--version"], capture_output=True, text=True).stdout.strip()
    info["region"] = list(REGION)

    _write(lakes, "lakes.geojson")
    _write(rivers, "rivers.geojson")
    _write(yangtze, "yangtze.geojson")
    (OUT / "build_info.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    json.dump(info, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
