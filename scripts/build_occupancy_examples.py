"""Build data/projects/ (SYNTHETIC projects) and data/adjustment/ (an INVENTED adjustment of the redline sample).

    python scripts/build_occupancy_examples.py

``data/projects/projects.gpkg`` holds invented projects over Kunshan, made to show every part of the occupancy
table: a road (S1) with three alignments 方案A/B/C (through, beside and around 昆山天福国家湿地公园), a water
main (G1) out of 傀儡湖饮用水水源保护区, a wetland education centre (T1) of three parcels — one wholly inside
阳澄湖(昆山)省级重要湿地 —, and an industrial estate (K1) at the edge of the 吴淞江 clean-water corridor.  Every
parcel has its named boundary points (界址点: one name per vertex, in ring order).

``data/adjustment/redlines_adjusted.geojson`` is the bundled redline sample with an invented adjustment: a
band of 天福 taken out (调出) and a larger patch added west of it (补划, enough to lift 昆山市 over its floor),
a patch added apart from 阳澄湖(昆山) (not adjoining), a piece of 穹窿山 taken out with nothing added in
吴中区, and 虞山's boundary re-digitised with
moves under 0.2 m (boundary noise, not an adjustment).  Nothing here is a real plan or a real adjustment.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Polygon, box

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import suzhou_geo as sg  # noqa: E402

GK = "EPSG:4549"
TO_LL = Transformer.from_crs(GK, "EPSG:4490", always_xy=True)
TO_GK = Transformer.from_crs("EPSG:4490", GK, always_xy=True)
SEED = 20261215
BUILT = "2026-12-15"


def lonlat(geom):
    """Convert a shape drawn in EPSG:4549 to longitude/latitude, vertex for vertex (edges here are ≤ 500 m)."""
    return shapely.transform(geom, TO_LL.transform, interleaved=False)


def metric(geom):
    return shapely.transform(geom, TO_GK.transform, interleaved=False)


def names_of(poly: Polygon, start: int = 1) -> str:
    """界址点 names J1, J2 … for the vertices of the outer ring, in ring order, closing repeat left out."""
    n = len(poly.exterior.coords) - 1
    return ",".join(f"J{start + i}" for i in range(n))


def strip(points: list[tuple[float, float]], width: float, step: float = 500.0) -> Polygon:
    """Draw a road's land take along a polyline: vertices on both sides ≤ *step* apart, mitred at the bends."""
    line = shapely.segmentize(LineString(points), step)
    left = line.offset_curve(width / 2, join_style="mitre")
    right = line.offset_curve(-width / 2, join_style="mitre")
    ring = list(left.coords) + list(right.coords)[::-1]
    return shapely.orient_polygons(Polygon(ring))


def rect(x0, y0, x1, y1) -> Polygon:
    return shapely.orient_polygons(box(x0, y0, x1, y1))


# --------------------------------------------------------------------------- projects


def projects(red: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    m = red.to_crs(GK).set_index("name").geometry
    rows = []

    def add(code, name, prj, alt, activity, poly):
        rows.append({"地块编号": code, "名称": name, "项目": prj, "方案": alt, "活动类型": activity,
                     "界址点": names_of(poly), "synthetic": True, "geometry": lonlat(poly)})

    tianfu = m["昆山天福国家湿地公园"]
    cx, cy = tianfu.centroid.x, tianfu.centroid.y
    road = "S1 天福段公路（示意）"
    add("S1-A", "S1 公路 方案A：穿越天福湿地", road, "方案A", "线性基础设施（公路）",
        strip([(cx, cy - 4_000), (cx, cy + 4_000)], 40))
    add("S1-B", "S1 公路 方案B：西侧绕行", road, "方案B", "线性基础设施（公路）",
        strip([(cx - 2_600, cy - 4_000), (cx - 2_600, cy + 4_000)], 40))
    add("S1-C", "S1 公路 方案C：东南切角", road, "方案C", "线性基础设施（公路）",
        strip([(cx, cy - 4_000), (cx, cy - 2_200), (cx + 2_100, cy - 100), (cx + 2_100, cy + 4_000)], 40))
    kuilei = m["傀儡湖饮用水水源保护区"]
    kx, ky = kuilei.centroid.x, kuilei.centroid.y
    add("G1", "G1 供水管线：傀儡湖取水口至水厂", "G1 傀儡湖供水管线（示意）", "", "供水管线",
        strip([(kx, ky), (kx + 4_800, ky)], 10))
    yc = m["阳澄湖(昆山)省级重要湿地"]
    inner = yc.buffer(-200).representative_point()
    edge = yc.exterior.interpolate(yc.exterior.project(inner))
    centre = "T1 阳澄湖湿地科普中心（示意）"
    add("T1-1", "T1 科普馆（湿地内）", centre, "", "科普宣教设施",
        rect(inner.x - 60, inner.y - 40, inner.x + 60, inner.y + 40))
    add("T1-2", "T1 停车场（跨红线边界）", centre, "", "科普宣教设施",
        rect(edge.x - 50, edge.y - 50, edge.x + 50, edge.y + 50))
    add("T1-3", "T1 接待用房（湿地外）", centre, "", "科普宣教设施",
        rect(edge.x + 400, edge.y - 40, edge.x + 520, edge.y + 40))
    corridor = m["吴淞江(昆山市)清水通道维护区"]
    x = corridor.bounds[0] + 0.55 * (corridor.bounds[2] - corridor.bounds[0])
    ys = shapely.intersection(corridor, LineString([(x, corridor.bounds[1]), (x, corridor.bounds[3])])).bounds
    estate = "K1 产业园（示意）"
    add("K1-1", "K1 厂房（跨管控区边界）", estate, "", "工业厂房", rect(x - 150, ys[3] - 80, x + 150, ys[3] + 220))
    add("K1-2", "K1 仓库（管控区外）", estate, "", "工业厂房", rect(x + 250, ys[3] + 300, x + 450, ys[3] + 500))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4490")


# --------------------------------------------------------------------------- the invented adjustment


def adjusted(red: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    out = red.copy()
    out["adjustment"] = ""
    by = {n: i for i, n in enumerate(out["name"])}
    info = {}

    def change(name: str, geom_ll, text: str) -> None:
        i = by[name]
        out.loc[i, "geometry"] = geom_ll
        out.loc[i, "adjustment"] = text
        info[name] = text

    kunshan = metric(sg.boundary("昆山市").geometry.iloc[0]).buffer(-200)
    g = metric(red.geometry[by["昆山天福国家湿地公园"]])
    x0, y0, x1, y1 = g.bounds
    cut = rect(x0 + 900, y0 - 10, x1 - 900, y0 + 420)  # 调出: the southern band
    add = shapely.intersection(rect(x0 - 900, y0 + 200, x0 + 400, y1 - 200), kunshan)  # 补划: west of it, adjoining
    change("昆山天福国家湿地公园",
           lonlat(shapely.union(shapely.difference(g, cut), add)),
           "虚构调整：调出南缘条带，补划西侧相邻地块（示意） / invented: southern band removed, a larger patch added "
           "to the west, adjoining")
    g = metric(red.geometry[by["阳澄湖(昆山)省级重要湿地"]])
    x0, y0, x1, y1 = g.bounds
    cy = (y0 + y1) / 2
    apart = rect(x1 + 600, cy - 300, x1 + 1_200, cy + 300)
    change("阳澄湖(昆山)省级重要湿地", lonlat(shapely.union(g, apart)),
           "虚构调整：补划一处不相连的地块（示意） / invented: a patch added apart from the wetland, not adjoining")
    g = metric(red.geometry[by["穹窿山"]])
    x0, y0, x1, y1 = g.bounds
    change("穹窿山", lonlat(shapely.difference(g, rect(x0 - 10, y0 - 10, x0 + 700, y1 + 10))),
           "虚构调整：调出西端，吴中区未补划（示意） / invented: the western end removed, nothing added in 吴中区")
    rng = np.random.default_rng(SEED)
    g = metric(red.geometry[by["虞山国家森林公园"]])
    ring = np.asarray(g.exterior.coords)[:-1]
    jitter = Polygon(ring + rng.uniform(-0.12, 0.12, ring.shape))  # at most 0.17 m from where it was
    change("虞山国家森林公园", lonlat(jitter),
           "虚构调整：重新数字化边界，顶点移动不超过 0.2 m（边界误差，非调整）（示意） / invented: boundary "
           "re-digitised, vertices moved by less than 0.2 m (boundary noise, not an adjustment)")
    out["note"] = [
        f"{n}; {a}" if a and isinstance(n, str) and n else (a or n)
        for n, a in zip(out["note"], out["adjustment"], strict=True)
    ]
    out["basis"] = [f"示意：{b}" if not str(b).startswith("示意") else b for b in out["basis"]]
    return out, info


# --------------------------------------------------------------------------- READMEs


PROJECTS_README = """# data/projects — SYNTHETIC projects for the occupancy table

| | |
|---|---|
| **File** | `projects.gpkg`, layer `projects`: {n} parcels of {p} projects, EPSG:4490 |
| **What it is** | **Invented** projects over Kunshan, made to show every part of `sg.occupancy` and `suzhou-geo occupancy`. **None of it is a real project, alignment or application.** |
| **Built by** | `python scripts/build_occupancy_examples.py` from the illustrative redline sample (`data/redlines/`); rerunning gives the same file. |
| **Licence** | Generated data; same terms as the project. |
| **Datum** | CGCS2000 (EPSG:4490); drawn in EPSG:4549 metres and converted vertex for vertex (edges of at most 500 m). |
| **Built on** | {built} |

## Columns
`地块编号`, `名称`, `项目` (the project), `方案` (the alternative; empty for projects without alternatives),
`活动类型` (what the project is, as an applicant would write it), `界址点` (the named boundary points: one name per
vertex in ring order, the closing repeat left out), `synthetic` (always true).

## The projects
| project | parcels | made to show |
|---|---|---|
| S1 天福段公路（示意） | 3 (方案A, 方案B, 方案C) | a linear project, 40 m wide: A through 昆山天福国家湿地公园, B 2.6 km west of it, C cutting its south-east; the alternatives ranked |
| G1 傀儡湖供水管线（示意） | 1 | a 10 m water main out of 傀儡湖饮用水水源保护区: crossing length, activity item 6 |
| T1 阳澄湖湿地科普中心（示意） | 3 | a non-linear project: one parcel wholly inside 阳澄湖(昆山)省级重要湿地, one across its edge, one outside |
| K1 产业园（示意） | 2 | an activity matching no listed item; a parcel across the edge of an 生态空间管控区域 |

```bash
suzhou-geo occupancy data/projects/projects.gpkg --project-field 项目 --alternative-field 方案 -o occupancy
```
"""  # noqa: E501

ADJUSTMENT_README = """# data/adjustment — an INVENTED adjustment of the ILLUSTRATIVE redline sample

| | |
|---|---|
| **File** | `redlines_adjusted.geojson`: the 28 features of `data/redlines/redlines.geojson`, four of them changed |
| **What it is** | **An invented revision** of the bundled illustrative redline sample, made to show `sg.compare_redlines` and `suzhou-geo compare`. **The sample is not the official redline, and this is no real or proposed adjustment.** |
| **Built by** | `python scripts/build_occupancy_examples.py` (reads `data/redlines/`); rerunning gives the same file. |
| **Licence** | As `data/redlines/` (derived from GSHHG, GNU LGPL-3+, and public figures). |
| **Datum** | CGCS2000 (EPSG:4490); the unchanged features keep their coordinates exactly. |
| **Built on** | {built} |

## What was changed (column `adjustment`, also appended to `note`)
{changes}

`basis` of every feature says it is illustrative (示意), and `illustrative` is true in every row.

```bash
suzhou-geo compare data/redlines/redlines.geojson data/adjustment/redlines_adjusted.geojson -o adjustment
```
"""  # noqa: E501


def main() -> None:
    red = gpd.read_file(ROOT / "data" / "redlines" / "redlines.geojson")
    sg_red = sg.load_redlines()
    prj = projects(sg_red)
    out = ROOT / "data" / "projects"
    out.mkdir(parents=True, exist_ok=True)
    target = out / "projects.gpkg"
    target.unlink(missing_ok=True)
    prj.to_file(target, layer="projects", driver="GPKG", engine="pyogrio", VERSION="1.2")  # QGIS 3.22 reads 1.2
    (out / "README.md").write_text(PROJECTS_README.format(n=len(prj), p=prj["项目"].nunique(), built=BUILT),
                                   encoding="utf-8")
    adj, info = adjusted(red)
    out = ROOT / "data" / "adjustment"
    out.mkdir(parents=True, exist_ok=True)
    target = out / "redlines_adjusted.geojson"
    target.unlink(missing_ok=True)
    adj.to_file(target, driver="GeoJSON", COORDINATE_PRECISION=15)
    changes = "\n".join(f"- **{k}**: {v}" for k, v in info.items())
    (out / "README.md").write_text(ADJUSTMENT_README.format(built=BUILT, changes=changes), encoding="utf-8")
    print(json.dumps({"projects": len(prj), "adjusted": list(info)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
