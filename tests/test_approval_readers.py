"""The approval-file readers one by one: 部标 TXT (and its writer), DXF, KML/KMZ, 界址点 tables.

Every fixture is written by tests/_approval_files.py from known parcels; what a
reader gives is compared with what was written: vertices to 1 mm, planar areas
with a shoelace sum done here, names, attributes and the recorded decisions.
"""

from __future__ import annotations

import warnings

import _approval_files as af
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from suzhou_geo.errors import CRSError, OutputError, ReadError, SuzhouGeoWarning
from suzhou_geo.io import boundary, survey
from suzhou_geo.io.bubiao import is_bubiao, read_bubiao, write_bubiao
from suzhou_geo.io.dxf import read_dxf
from suzhou_geo.io.kml import read_kml
from suzhou_geo.io.pointtable import is_point_table, read_point_table

MM = 0.001


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    return af.write_all(tmp_path_factory.mktemp("approval"))


def quiet(reader, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuzhouGeoWarning)
        return reader(*args, **kwargs)


def to_4549(xy: np.ndarray, crs) -> np.ndarray:
    t = Transformer.from_crs(crs, "EPSG:4549", always_xy=True)
    return np.column_stack(t.transform(xy[:, 0], xy[:, 1]))


def truth_points() -> dict[tuple[str, str], tuple[float, float]]:
    return {(p.id, n): (x, y) for p in af.PARCELS for ring in p.rings for n, x, y in ring}


def truth_geometry(p: af.Parcel):
    rings = [[(x, y) for _, x, y in r] for r in p.rings]
    if p.id == "K-02":
        return shapely.Polygon(rings[0], [rings[1]])
    polys = [shapely.Polygon(r) for r in rings]
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


# --------------------------------------------------------------------------- 部标 TXT


@pytest.mark.parametrize("variant", [v for v in af.TXT_VARIANTS
                                     if v not in ("xian_with_params", "beijing_without_params")])
def test_every_txt_variant_gives_the_written_points_to_1_mm(files, variant):
    frame, reading = quiet(read_bubiao, files[f"txt/{variant}"])
    pts = reading.points
    got = to_4549(pts[["x", "y"]].to_numpy(), frame.crs)
    ids = frame["地块编号"].to_numpy()[pts["row"].to_numpy()]
    want = np.array([truth_points()[(i, n)] for i, n in zip(ids, pts["point"], strict=True)])
    assert len(pts) == sum(len(r) for p in af.PARCELS for r in p.rings)
    assert np.abs(got - want).max() < MM
    assert frame["地块编号"].tolist() == [p.id for p in af.PARCELS]
    assert frame["界址点"].iloc[1] == "J1,J2,J3,J4;J5,J6,J7,J8"


@pytest.mark.parametrize("variant", ["standard_gbk_crlf", "no_prefix", "easting_first", "six_column", "gb18030"])
def test_zone_40_variants_give_the_written_polygons_and_planar_areas(files, variant):
    frame, _ = quiet(read_bubiao, files[f"txt/{variant}"])
    shift = 40_000_000 if frame.crs.to_epsg() == 4528 else 0
    for p, geom in zip(af.PARCELS, frame.geometry, strict=True):
        g = shapely.transform(geom, lambda xy, s=shift: xy - [s, 0])
        truth = truth_geometry(p)
        assert shapely.hausdorff_distance(g, truth) < MM
        assert abs(g.area - af.planar_area_m2(p)) < 1e-4  # the surveyor's planar area, by hand
        assert g.geom_type == truth.geom_type and shapely.get_num_interior_rings(g) == (1 if p.id == "K-02" else 0)


@pytest.mark.parametrize("variant, epsg", [("standard_gbk_crlf", 4528), ("no_prefix", 4549), ("easting_first", 4528),
                                           ("six_degree_prefixed", 4499), ("six_degree_no_prefix", 4510),
                                           ("degrees", 4490), ("beijing_without_params", 2416)])
def test_the_crs_comes_from_the_header_and_the_numbers_and_is_recorded(files, variant, epsg):
    frame, reading = quiet(read_bubiao, files[f"txt/{variant}"])
    assert frame.crs.to_epsg() == epsg
    assert reading.decisions["坐标参照系 CRS"].startswith(f"EPSG:{epsg} ")
    order = reading.decisions["轴序 axis order"]
    assert ("easting first" in order) == (variant == "easting_first")


def test_axis_order_and_zone_are_told_in_the_notes(files):
    _, reading = quiet(read_bubiao, files["txt/easting_first"])
    said = " ".join(reading.notes)
    assert "the first coordinate is the easting" in said and "zone number 40" in said


def test_encodings_and_line_ends_are_detected(files):
    encodings = {v: quiet(read_bubiao, files[f"txt/{v}"])[1].encoding
                 for v in ("standard_gbk_crlf", "utf8_bom_lf", "utf8_lf", "gb18030")}
    assert encodings == {"standard_gbk_crlf": "GB18030 (检测 detected)", "utf8_bom_lf": "UTF-8 (BOM)",
                         "utf8_lf": "UTF-8 (检测 detected)", "gb18030": "GB18030 (检测 detected)"}
    frame, _ = quiet(read_bubiao, files["txt/utf8_bom_lf"])
    assert frame["地块名称"].tolist() == [p.name for p in af.PARCELS]


def test_block_header_fields_become_columns_named_as_in_the_file(files):
    frame, _ = quiet(read_bubiao, files["txt/standard_gbk_crlf"])
    assert list(frame.columns[:8]) == ["界址点数", "地块面积", "地块编号", "地块名称", "记录图形属性", "图幅号",
                                       "地块用途", "地类编码"]
    assert frame["界址点数"].tolist() == [6, 10, 9, 5]
    assert frame["地块面积"].tolist() == [af.declared_ha(p) for p in af.PARCELS]
    assert frame["declared_area_ha"].tolist() == [af.declared_ha(p) for p in af.PARCELS]
    assert frame["地块用途"].iloc[3] == "交通运输用地" and frame["地类编码"].iloc[0] == "0601"
    long, _ = quiet(read_bubiao, files["txt/long_header"])
    extra = ["图斑类型", "地类", "质量等别前", "质量等别后", "备注"]
    assert long[extra].iloc[0].tolist() == ["新增", "水田", "5", "4", "试点"]


def test_holes_and_parts_are_decided_by_where_ring_2_lies_and_recorded(files):
    frame, reading = quiet(read_bubiao, files["txt/standard_gbk_crlf"])
    assert frame.geometry.iloc[1].geom_type == "Polygon" and len(frame.geometry.iloc[1].interiors) == 1
    assert frame.geometry.iloc[2].geom_type == "MultiPolygon" and len(frame.geometry.iloc[2].geoms) == 2
    said = "\n".join(reading.notes)
    assert "K-02: 圈 2 位于圈 1 内，为内环" in said and "K-03: 圈 2 在其他圈之外，为地块的另一部分" in said


def test_six_column_variant_keeps_side_lengths_and_point_kinds(files):
    _, reading = quiet(read_bubiao, files["txt/six_column"])
    pts = reading.points
    assert {"边长", "界址点类型"} <= set(pts.columns)
    j1 = pts[(pts.row == 0) & (pts.point == "J1")].iloc[0]
    j2 = af.PARCELS[0].rings[0][1]
    assert j1["边长"] == pytest.approx(np.hypot(j2[1] - 585000, j2[2] - 3471000), abs=0.002)
    assert j1["界址点类型"] == "埋桩"
    assert "six columns" in reading.decisions["格式 variant"]


def test_extended_info_is_kept(files):
    _, reading = quiet(read_bubiao, files["txt/extended_info"])
    assert reading.decisions["扩展信息 · 项目名称"] == "某建设项目"


def test_unclosed_rings_are_closed_with_a_warning_naming_the_blocks(files):
    with pytest.warns(SuzhouGeoWarning, match=r"6 ring\(s\) did not repeat their first point") as rec:
        frame, _ = read_bubiao(files["txt/unclosed_rings"])
    assert "第 13 行 / line 13（K-01）" in str(rec[0].message)
    closed, _ = quiet(read_bubiao, files["txt/standard_gbk_crlf"])
    assert all(a.equals(b) for a, b in zip(frame.geometry, closed.geometry, strict=True))


def test_a_count_without_the_closing_points_is_accepted_and_said(files):
    frame, reading = quiet(read_bubiao, files["txt/count_without_closing"])
    assert frame["界址点数"].tolist() == [5, 8, 7, 4]
    assert any("counts the points without the closing repeats" in n for n in reading.notes)


def test_transformation_parameters_become_the_datum_shift_from_the_file(files):
    frame, reading = quiet(read_bubiao, files["txt/xian_with_params"])
    s = reading.datum_shift
    assert (s.dx, s.dy, s.dz, s.rx, s.ry, s.rz, s.ds) == af.XIAN_SHIFT
    assert frame.crs.to_epsg() == 2364
    assert reading.decisions["转换参数 datum shift"].startswith("文件提供 from the file")
    assert quiet(read_bubiao, files["txt/zeros_as_params"])[1].datum_shift is None


@pytest.mark.parametrize("case", sorted(af.MALFORMED))
def test_malformed_files_raise_naming_the_file_the_line_and_the_fix(files, case):
    _, line, word = af.MALFORMED[case]
    with pytest.raises((ReadError, CRSError)) as err:
        quiet(read_bubiao, files[f"bad/{case}"])
    text = str(err.value)
    assert text.startswith(f"bad_{case}.txt: ")
    assert f"line {line}" in text
    assert "Fix: " in text and word in text


def test_is_bubiao_looks_at_the_content(files, tmp_path):
    csv = tmp_path / "plain.txt"
    csv.write_text("id,geometry\n1,POINT (1 2)\n", encoding="utf-8")
    assert all(is_bubiao(files[f"txt/{v}"]) for v in af.TXT_VARIANTS)
    assert not is_bubiao(csv)


def test_writer_round_trip_gives_the_same_points_and_attributes(files, tmp_path):
    frame, reading = quiet(read_bubiao, files["txt/standard_gbk_crlf"])
    out = write_bubiao(frame, tmp_path / "back.txt", header={"数据产生日期": "2026-12-01"})
    back, again = quiet(read_bubiao, out)
    assert back.drop(columns="geometry").equals(frame.drop(columns="geometry"))
    assert np.abs(again.points[["x", "y"]].to_numpy() - reading.points[["x", "y"]].to_numpy()).max() < MM
    assert out.read_bytes().decode("gbk").startswith("[属性描述]\r\n格式版本号=1.01\r\n")


def test_writer_numbers_holes_and_parts_and_writes_areas_in_hectares(tmp_path):
    import geopandas as gpd

    p, q = af.PARCELS[1], af.PARCELS[2]
    g = gpd.GeoDataFrame({"地块编号": [p.id, q.id]}, geometry=[truth_geometry(p), truth_geometry(q)], crs="EPSG:4549")
    text = write_bubiao(g, tmp_path / "o.txt", crs="EPSG:4549", encoding="UTF-8").read_bytes().decode("utf-8")
    blocks = text.split("[地块坐标]\r\n")[1].splitlines()
    assert blocks[0] == f"10,{af.planar_area_m2(p) / 1e4:.4f},K-02,,面,,,,@"
    assert [line.split(",")[1] for line in blocks[1:11]] == ["1"] * 5 + ["2"] * 5
    assert blocks[11].startswith(f"9,{af.planar_area_m2(q) / 1e4:.4f},K-03,")
    assert "带号=40" in text and ",3471000.000,585600.000" in text


def test_writer_refuses_what_a_bubiao_file_cannot_hold(tmp_path):
    import geopandas as gpd

    g = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    with pytest.raises(OutputError, match="national Gauss-Krüger"):
        write_bubiao(g, tmp_path / "o.txt", crs="EPSG:3857")
    with pytest.raises(OutputError, match="bureau's parameters"):
        write_bubiao(g, tmp_path / "o.txt", crs="EPSG:2364")
    g = gpd.GeoDataFrame({"地块名称": ["雙"]}, geometry=[shapely.box(585000, 3471000, 585010, 3471010)],
                         crs="EPSG:4549")
    assert write_bubiao(g, tmp_path / "ok.txt").exists()  # 雙 is in GBK
    g["地块名称"] = ["😀"]
    with pytest.raises(OutputError, match="GB18030"):
        write_bubiao(g, tmp_path / "emoji.txt")


# --------------------------------------------------------------------------- surveying conventions


@pytest.mark.parametrize("datum, width, zone, cm, code", [
    ("CGCS2000", 3, 40, None, 4528), ("CGCS2000", 3, None, 120, 4549), ("CGCS2000", 3, 25, None, 4513),
    ("CGCS2000", 3, None, 75, 4534), ("CGCS2000", 6, 13, None, 4491), ("CGCS2000", 6, 21, None, 4499),
    ("CGCS2000", 6, None, 75, 4502), ("CGCS2000", 6, None, 123, 4510), ("Xian 1980", 3, 40, None, 2364),
    ("Xian 1980", 3, None, 120, 2385), ("Beijing 1954", 3, 40, None, 2416), ("Beijing 1954", 6, 21, None, 21421),
])
def test_gauss_kruger_codes_are_the_registry_ones(datum, width, zone, cm, code):
    # codes from the EPSG registry (data_and_crs.md §4 and approval_files.md §1)
    assert survey.gauss_kruger(datum, width, zone=zone, cm=cm) == f"EPSG:{code}"


def test_a_zone_outside_china_is_an_error():
    with pytest.raises(CRSError, match="3-degree zones 25–45"):
        survey.gauss_kruger("CGCS2000", 3, zone=50)


def test_planar_crs_keeps_the_files_central_meridian():
    from pyproj import CRS

    for code, cm in (("EPSG:4528", 120), ("EPSG:4549", 120), ("EPSG:4499", 123), ("EPSG:2364", 120)):
        params = {p.name: p.value for p in survey.planar_crs(code).coordinate_operation.params}
        assert params["Longitude of natural origin"] == cm
    assert survey.planar_crs("EPSG:4326") == CRS.from_user_input("EPSG:4549")


# --------------------------------------------------------------------------- 界址点 from vertices


def test_points_come_back_from_a_densified_frame(files):
    frame, reading = quiet(read_bubiao, files["txt/standard_gbk_crlf"])
    dense = frame.copy()
    dense["geometry"] = shapely.segmentize(np.asarray(frame.geometry.values), 50.0)
    dense = dense.set_crs(frame.crs, allow_override=True).to_crs("EPSG:4490")
    pts = boundary.points_from_frame(dense)
    assert pts[["row", "ring", "point"]].values.tolist() == reading.points[["row", "ring", "point"]].values.tolist()
    back = to_4549(pts[["x", "y"]].to_numpy(), "EPSG:4490")
    assert np.abs(back - (reading.points[["x", "y"]].to_numpy() - [40_000_000, 0])).max() < MM


def test_points_from_a_frame_whose_geometry_does_not_fit_is_an_error(files):
    frame, _ = quiet(read_bubiao, files["txt/standard_gbk_crlf"])
    edited = frame.copy()
    edited.loc[0, "geometry"] = shapely.box(40585000, 3471000, 40585100, 3471100)
    with pytest.raises(Exception, match="no ring of the geometry has matching vertices") as err:
        boundary.points_from_frame(edited)
    assert err.value.row == 0 and "pass the Layer" in err.value.hint


# --------------------------------------------------------------------------- DXF


@pytest.mark.parametrize("key", ["dxf/r2000_gbk", "dxf/r2010_utf8_1252"])
def test_dxf_closed_polylines_and_hatches_are_polygons_with_their_labels(files, key):
    frame, reading = quiet(read_dxf, files[key])
    assert frame.geometry.geom_type.tolist() == ["Polygon"] * 5 + ["LineString"]
    labels = frame["标注"].tolist()[:5]
    assert labels[:3] + labels[4:] == ["宗地一", "宗地二", "宗地三", "道路"] and pd.isna(labels[3])
    assert set(frame["Layer"]) == {"红线"}
    hole = frame.geometry.iloc[1]
    assert len(hole.interiors) == 1
    truth = shapely.transform(truth_geometry(af.PARCELS[1]), lambda xy: xy + [40_000_000, 0])
    assert shapely.hausdorff_distance(shapely.normalize(hole), shapely.normalize(truth)) < MM
    assert "UTF-8" in reading.encoding if "utf8" in key else reading.encoding.startswith("CP936")


def test_an_open_polyline_stays_a_line_with_its_layer_and_handle(files):
    frame, reading = quiet(read_dxf, files["dxf/r2010_utf8_1252"])
    handle = frame["EntityHandle"].iloc[5]
    assert reading.row_issues == {5: f"未闭合的线（图层 红线，句柄 {handle}），不是面 / an open line (layer 红线, "
                                     f"handle {handle}), not a polygon"}


def test_a_drawing_with_parcels_on_several_layers_needs_the_layer(files):
    with pytest.raises(ReadError) as err:
        quiet(read_dxf, files["dxf/two_layers"])
    assert "红线（5 个面 polygons, 1 条线 lines）" in str(err.value) and "图框（1 个面" in str(err.value)
    frame, reading = quiet(read_dxf, files["dxf/two_layers"], layer="红线")
    assert len(frame) == 6 and reading.decisions["图层 layer"] == "红线"
    with pytest.raises(ReadError, match="no layer '宗地'"):
        quiet(read_dxf, files["dxf/two_layers"], layer="宗地")


# --------------------------------------------------------------------------- KML / KMZ


@pytest.mark.parametrize("key", ["kml/one_folder", "kmz/one_folder"])
def test_kml_and_kmz_keep_names_descriptions_and_shapes(files, key):
    frame, reading = read_kml(files[key])
    assert frame["Name"].tolist() == [p.id for p in af.PARCELS]
    assert frame["Description"].iloc[0] == "某项目用地一 & 建设用地"
    assert frame.crs.to_epsg() == 4326 and "crs='GCJ-02'" in reading.notes[-1]
    got = to_4549(shapely.get_coordinates(frame.geometry.iloc[1]), "EPSG:4326")
    want = shapely.get_coordinates(truth_geometry(af.PARCELS[1]))
    assert np.abs(got - want).max() < MM
    assert frame.geometry.iloc[2].geom_type == "MultiPolygon"


def test_a_kmz_with_several_folders_lists_them(files):
    with pytest.raises(ReadError) as err:
        read_kml(files["kmz/two_folders"])
    assert "用地红线（2 个 placemarks）; 比选方案（2 个 placemarks）" in str(err.value)
    frame, _ = read_kml(files["kmz/two_folders"], layer="比选方案")
    assert frame["Name"].tolist() == ["K-03", "K-04"]


# --------------------------------------------------------------------------- point tables


@pytest.mark.parametrize("key", ["table/csv_gbk", "table/csv_easting_first", "table/xlsx"])
def test_point_tables_give_the_written_parcels(files, key):
    frame, reading = quiet(read_point_table, files[key])
    assert frame["地块编号"].tolist() == [p.id for p in af.PARCELS]
    assert frame["declared_area_ha"].tolist() == [af.declared_ha(p) for p in af.PARCELS]
    for p, geom in zip(af.PARCELS, frame.geometry, strict=True):
        g = shapely.transform(geom, lambda xy: xy - [40_000_000, 0])
        assert shapely.hausdorff_distance(g, truth_geometry(p)) < MM
    assert frame["界址点"].iloc[1] == "J1,J2,J3,J4;J5,J6,J7,J8"
    assert "crs='EPSG:4528'" in reading.crs_error.hint
    assert ("easting first" in reading.decisions["轴序 axis order"]) == ("easting" in key)
    assert "备注" in reading.points.columns  # varies by point: kept with the points


def test_an_excel_title_row_and_merged_ids_are_handled_and_said(files):
    _, reading = quiet(read_point_table, files["table/xlsx"])
    said = " ".join(reading.notes)
    assert "the header is on row 2" in said and "take the id above" in said
    assert reading.decisions["工作表 sheet"] == "界址点"


def test_is_point_table_needs_a_point_number_and_two_coordinates():
    assert is_point_table(["地块编号", "界址点号", "北坐标(m)", "东坐标(m)"])
    assert not is_point_table(["地块编号", "X", "Y"])
    assert not is_point_table(["点号", "X", "Y", "WKT"])
