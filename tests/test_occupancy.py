"""sg.occupancy: areas against pyproj.Geod, parts against totals, crossing lengths by hand, ranking, points."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.polygon import orient

import suzhou_geo as sg
from suzhou_geo.errors import InputError
from suzhou_geo.redline_use.schema import MU_M2, NO_LEGALITY

GEOD = Geod(ellps="GRS80")
TO_LONLAT = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
RED = "ecological_protection_redline"
CTL = "ecological_space_control"

# a spot in 昆山市 well away from the bundled redlines (EPSG:4549 metres)
X0, Y0 = 596_000.0, 3_470_000.0


def geod_m2(geom, crs: str = "EPSG:4490") -> float:
    """Ellipsoidal area by pyproj.Geod directly: edges split finely in the CRS they are straight in."""
    if crs == "EPSG:4549":
        geom = shapely.transform(shapely.segmentize(geom, 1.0), TO_LONLAT.transform, interleaved=False)
    else:
        geom = shapely.segmentize(geom, 1e-5)
    polys = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    return sum(abs(GEOD.geometry_area_perimeter(orient(p, 1.0))[0]) for p in polys)


def metric_frame(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs="EPSG:4549")


def redline_box(x0, y0, x1, y1, **cols):
    base = {"name": ["R"], "kind": [RED]}
    base.update({k: [v] for k, v in cols.items()})
    return metric_frame([box(x0, y0, x1, y1)], **base)


@pytest.fixture(scope="module")
def bundled():
    return sg.load_redlines()


# --------------------------------------------------------------------------- areas


def test_a_parcel_wholly_inside_one_redline_reports_its_own_area(bundled):
    tianfu = bundled[bundled["name"] == "昆山天福国家湿地公园"].to_crs("EPSG:4549").geometry.iloc[0]
    c = tianfu.representative_point()
    parcel = box(c.x - 60, c.y - 45, c.x + 60, c.y + 45)
    assert tianfu.buffer(-10).contains(parcel)
    occ = sg.occupancy(metric_frame([parcel], 项目=["P"]), project="项目")
    part = occ.parts[occ.parts.row_type == "part"]
    assert len(part) == 1 and part.redline_name.iloc[0] == "昆山天福国家湿地公园" and part.county.iloc[0] == "昆山市"
    expected = geod_m2(parcel, "EPSG:4549")
    assert part.area_m2.iloc[0] == pytest.approx(expected, abs=0.01)
    assert part.area_m2.iloc[0] == occ.projects.project_area_m2.iloc[0]
    assert part.share_of_project.iloc[0] == 1.0


def test_parts_add_up_to_the_total_where_features_overlap(bundled):
    """阳澄湖's crab reserve lies over the 阳澄湖 wetlands: the overlap counts once, the parts sum to the total."""
    crab = bundled[bundled["name"].str.startswith("阳澄湖中华绒螯蟹")].to_crs("EPSG:4549").geometry.iloc[0]
    c = crab.centroid
    project = box(c.x - 3_000, c.y - 2_500, c.x + 6_000, c.y + 2_500)
    occ = sg.occupancy(metric_frame([project], 项目=["大项目"]), project="项目")
    parts = occ.parts
    for kind in (RED, CTL):
        mine = parts[parts.redline_kind == kind]
        total = mine[mine.row_type == "total"].area_m2.iloc[0]
        assert mine[mine.row_type == "part"].area_m2.sum() == pytest.approx(total, abs=0.01)
    red = parts[(parts.redline_kind == RED) & (parts.row_type == "part")]
    assert len(red) >= 3 and red.county.nunique() >= 2
    # the total measured independently: the project ∩ the union of the protection features, by Geod
    feats = bundled[bundled.kind == RED].to_crs("EPSG:4549")
    union = shapely.union_all(feats.geometry.values)
    independent = geod_m2(shapely.intersection(union, project), "EPSG:4549")
    total = parts[(parts.redline_kind == RED) & (parts.row_type == "total")].area_m2.iloc[0]
    assert total == pytest.approx(independent, rel=2e-6)
    # the overlap of the reserve with a wetland is counted under the first feature, which names the other
    shared = red[red.also_in.str.contains("阳澄湖中华绒螯蟹")]
    assert len(shared) and not shared.redline_name.str.contains("阳澄湖中华绒螯蟹").any()
    by_county = occ.by_county
    assert by_county.redline_m2.sum() == pytest.approx(total, abs=0.05)


def test_units_hectares_and_mu():
    occ = sg.occupancy(metric_frame([box(X0, Y0, X0 + 100, Y0 + 100)], 项目=["P"]),
                       redlines=redline_box(X0 - 500, Y0 - 500, X0 + 500, Y0 + 500), project="项目")
    part = occ.parts.iloc[0]
    assert MU_M2 == pytest.approx(666.6667, abs=1e-4)
    assert part.area_m2 == pytest.approx(10_000, abs=5)  # 100 m × 100 m in Gauss-Krüger, ellipsoidal: ±0.05 %
    assert part.area_ha == pytest.approx(part.area_m2 / 10_000, abs=1e-4)
    assert part.area_mu == pytest.approx(part.area_m2 * 15 / 10_000, abs=0.01)  # 1 ha = 15 亩


# --------------------------------------------------------------------------- linear projects


def test_the_crossing_length_of_a_straight_road_is_the_width_of_the_redline():
    red = redline_box(X0, Y0, X0 + 3_000, Y0 + 2_000)  # 2 km north–south
    road = box(X0 + 1_000, Y0 - 1_500, X0 + 1_020, Y0 + 3_500)  # 20 m wide, 5 km long, crossing it
    occ = sg.occupancy(metric_frame([road], 项目=["S1"]), redlines=red, project="项目")
    p = occ.projects.iloc[0]
    assert bool(p.linear)
    assert p.width_m == pytest.approx(20.0, abs=0.01)
    assert p.length_m == pytest.approx(5_000, abs=2.0)
    assert p.crossing_m == pytest.approx(2_000, abs=0.5)
    assert occ.parts[occ.parts.row_type == "part"].crossing_m.iloc[0] == pytest.approx(2_000, abs=0.5)


def test_an_oblique_crossing_is_measured_along_the_road():
    red = redline_box(X0, Y0, X0 + 4_000, Y0 + 2_000)
    # at 45°, in through the south edge and out through the north edge: 2000·√2 m inside
    axis = LineString([(X0 + 500, Y0 - 500), (X0 + 3_500, Y0 + 2_500)])
    road = axis.buffer(15, cap_style="flat")
    occ = sg.occupancy(metric_frame([road]), redlines=red)
    p = occ.projects.iloc[0]
    assert bool(p.linear) and p.width_m == pytest.approx(30, abs=0.05)
    assert p.crossing_m == pytest.approx(2_000 * 2**0.5, abs=1.0)


def test_a_compact_project_is_not_linear():
    occ = sg.occupancy(metric_frame([box(X0, Y0, X0 + 400, Y0 + 300)]),
                       redlines=redline_box(X0 - 10, Y0 - 10, X0 + 100, Y0 + 100))
    p = occ.projects.iloc[0]
    assert not bool(p.linear) and np.isnan(p.crossing_m) and np.isnan(p.width_m)


# --------------------------------------------------------------------------- alternatives


def _alignments():
    return {
        "方案A": metric_frame([box(X0 + 1_000, Y0 - 1_000, X0 + 1_030, Y0 + 3_000)]),  # crosses 2 km
        "方案B": metric_frame([box(X0 + 2_990, Y0 - 1_000, X0 + 3_020, Y0 + 3_000)]),  # grazes: 10 m of 30
        "方案C": metric_frame([box(X0 + 3_500, Y0 - 1_000, X0 + 3_530, Y0 + 3_000)]),  # avoids it
    }


def test_alternatives_from_several_inputs_are_ranked_least_first():
    red = redline_box(X0, Y0, X0 + 3_000, Y0 + 2_000)
    occ = sg.occupancy(alternatives=_alignments(), redlines=red)
    alt = occ.alternatives.set_index("alternative")
    assert alt.loc["方案C", "rank"] == 1 and alt.loc["方案B", "rank"] == 2 and alt.loc["方案A", "rank"] == 3
    assert alt.loc["方案A", "redline_m2"] == pytest.approx(geod_m2(box(X0 + 1_000, Y0, X0 + 1_030, Y0 + 2_000),
                                                                    "EPSG:4549"), abs=0.01)
    assert alt.loc["方案C", "redline_m2"] == 0
    assert occ.projects["project"].unique().tolist() == ["(全部地块 all parcels)"]


def test_alternatives_from_a_column_give_the_same_table():
    red = redline_box(X0, Y0, X0 + 3_000, Y0 + 2_000)
    frames = _alignments()
    one = pd.concat([f.assign(项目="S2", 方案=k) for k, f in frames.items()], ignore_index=True)
    by_column = sg.occupancy(one, redlines=red, project="项目", alternatives="方案").alternatives
    by_inputs = sg.occupancy(alternatives=frames, redlines=red).alternatives
    assert by_column[["alternative", "rank", "redline_m2"]].values.tolist() == \
        by_inputs[["alternative", "rank", "redline_m2"]].values.tolist()


def test_parcels_and_input_alternatives_together_are_refused():
    with pytest.raises(InputError, match="both given"):
        sg.occupancy(metric_frame([box(X0, Y0, X0 + 1, Y0 + 1)]), alternatives=_alignments())


# --------------------------------------------------------------------------- columns carried through


def test_tier_category_and_activity_are_carried_with_the_clause():
    red = pd.concat([redline_box(X0, Y0, X0 + 1_000, Y0 + 1_000, 管控分区="核心保护区", category="湿地公园"),
                     redline_box(X0 + 1_000, Y0, X0 + 2_000, Y0 + 1_000, 管控分区="一般控制区", category="湿地公园")],
                    ignore_index=True)
    red["name"] = ["R 核心", "R 一般"]
    parcels = metric_frame([box(X0 + 900, Y0 + 400, X0 + 1_100, Y0 + 600), box(X0 + 500, Y0 - 600, X0 + 600, Y0 - 500)],
                           项目=["管线", "厂房"], 活动类型=["供水管线", "工业厂房"])
    occ = sg.occupancy(parcels, redlines=red, project="项目")
    parts = occ.parts[occ.parts.row_type == "part"].set_index("redline_name")
    assert parts.loc["R 核心", "tier"] == "核心保护区" and parts.loc["R 一般", "tier"] == "一般控制区"
    assert parts.loc["R 核心", "area_m2"] == pytest.approx(parts.loc["R 一般", "area_m2"], rel=1e-4)
    projects = occ.projects.set_index("project")
    assert "有限人为活动第6项" in projects.loc["管线", "activity_clause"]
    assert "《关于加强生态保护红线管理的通知（试行）》" in projects.loc["管线", "activity_clause"]
    assert projects.loc["厂房", "activity_clause"].startswith("未对应到")
    assert projects.loc["厂房", "redline_m2"] == 0
    assert NO_LEGALITY in occ.notes and any("管控分区" in n for n in occ.notes)


def test_named_points_inside_are_listed():
    red = redline_box(X0, Y0, X0 + 1_000, Y0 + 1_000)
    ring = [(X0 - 200, Y0 + 100), (X0 + 300, Y0 + 100), (X0 + 300, Y0 + 500), (X0 + 100, Y0 + 500),
            (X0 - 200, Y0 + 500)]
    parcel = Polygon(ring)
    names = "J1,J2,J3,J4,J5"
    occ = sg.occupancy(metric_frame([parcel], 项目=["P"], 界址点=[names]), redlines=red, project="项目")
    inside = [f"J{i + 1}" for i, xy in enumerate(ring) if box(X0, Y0, X0 + 1_000, Y0 + 1_000).covers(Point(xy))]
    assert inside == ["J2", "J3", "J4"]
    assert occ.parts[occ.parts.row_type == "part"].points_inside.iloc[0] == ",".join(inside)
    assert occ.projects.points_inside.iloc[0] == ",".join(inside)
    pts = occ.points
    assert pts.point.tolist() == inside
    lon, lat = TO_LONLAT.transform(*zip(*ring[1:4], strict=True))
    assert np.allclose(pts.lon, lon, atol=1e-7) and np.allclose(pts.lat, lat, atol=1e-7)


def test_names_that_do_not_match_the_vertices_are_said_not_listed():
    red = redline_box(X0, Y0, X0 + 1_000, Y0 + 1_000)
    occ = sg.occupancy(metric_frame([box(X0, Y0, X0 + 10, Y0 + 10)], 界址点=["J1,J2,J3"]), redlines=red)
    assert occ.points.empty and any("界址点" in n and "ring 1 names 3 points" in n for n in occ.notes)


def test_rows_without_a_polygon_are_counted_and_named():
    red = redline_box(X0, Y0, X0 + 1_000, Y0 + 1_000)
    parcels = metric_frame([box(X0, Y0, X0 + 10, Y0 + 10), Point(X0, Y0), None], 项目=["P", "P", "Q"])
    occ = sg.occupancy(parcels, redlines=red, project="项目")
    p = occ.projects.set_index("project")
    assert p.loc["P", "parcels"] == 2 and p.loc["P", "unmeasured"] == 1 and p.loc["P", "redline_m2"] > 0
    assert p.loc["Q", "unmeasured"] == 1 and np.isnan(p.loc["Q", "project_area_m2"])
    assert "not measured" in p.loc["Q", "note"]
    assert sum("not measured (P)" in n for n in occ.notes) == 1


def test_a_missing_project_column_is_named():
    with pytest.raises(InputError, match="no column '项目'.*columns: 名称"):
        sg.occupancy(metric_frame([box(X0, Y0, X0 + 1, Y0 + 1)], 名称=["a"]), project="项目")


def test_illustrative_redlines_are_said_everywhere(bundled):
    occ = sg.occupancy(metric_frame([box(X0, Y0, X0 + 10, Y0 + 10)]))
    assert occ.illustrative and "ILLUSTRATIVE" in occ.notes[0] and "ILLUSTRATIVE" in occ._repr_html_()
    own = sg.occupancy(metric_frame([box(X0, Y0, X0 + 10, Y0 + 10)]), redlines=redline_box(X0, Y0, X0 + 5, Y0 + 5))
    assert not own.illustrative and not any("ILLUSTRATIVE" in n for n in own.notes)
    # every row says which redline data it was computed from, the sample as illustrative
    assert occ.parts["redline_data"].str.startswith("示意数据（非官方）illustrative (not official)").all()
    assert len(own.parts) and not own.parts["redline_data"].str.contains("示意|illustrative").any()


def test_html_escapes_user_text():
    red = redline_box(X0, Y0, X0 + 1_000, Y0 + 1_000)
    occ = sg.occupancy(metric_frame([box(X0, Y0, X0 + 10, Y0 + 10)], 项目=["<script>x</script>"]), redlines=red,
                       project="项目")
    page = occ._repr_html_()
    assert "<script>x" not in page and "&lt;script&gt;x" in page


def test_write_goes_through_the_one_way_out(tmp_path):
    red = redline_box(X0, Y0, X0 + 1_000, Y0 + 1_000)
    occ = sg.occupancy(metric_frame([box(X0, Y0, X0 + 10, Y0 + 10)], 项目=["P"]), redlines=red, project="项目")
    path = occ.write(tmp_path / "occ.gpkg")
    back = sg.read_layer(path)
    assert back["area_m2"].tolist() == occ.parts["area_m2"].tolist()
    from openpyxl import load_workbook

    ws = load_workbook(occ.write(tmp_path / "occ.xlsx"))["occupancy"]
    assert "占用面积 occupied area (亩)" in [c.value for c in ws[1]]
