"""Approval files through the one entry point: io.read, validate_parcels, write_layer and the command line.

The fixtures are written by tests/_approval_files.py from known parcels (the
truth, in EPSG:4549).  Independent references: pyproj.Geod for ellipsoidal
areas, a shoelace sum for planar areas, shapely in EPSG:4549 for overlaps.
"""

from __future__ import annotations

import warnings

import _approval_files as af
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod, Transformer

import suzhou_geo as sg
from suzhou_geo.errors import CRSError, DatumError, ReadError, SuzhouGeoWarning

MM = 0.001
GEOD = Geod(ellps="GRS80")
TO_4549 = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)
TO_LL = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
ROUND_TRIP = ["standard_gbk_crlf", "easting_first", "no_prefix", "six_column", "six_degree_prefixed",
              "unclosed_rings", "long_header", "count_without_closing", "degrees"]


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    return af.write_all(tmp_path_factory.mktemp("approval_io"))


def quiet(f, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuzhouGeoWarning)
        return f(*args, **kwargs)


def in_4549(geom):
    return shapely.transform(geom, TO_4549.transform, interleaved=False)


def truth(p: af.Parcel):
    rings = [[(x, y) for _, x, y in r] for r in p.rings]
    if p.id == "K-02":
        return shapely.Polygon(rings[0], [rings[1]])
    polys = [shapely.Polygon(r) for r in rings]
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def geod_area(geom_4549) -> float:
    """Ellipsoidal area of a polygon whose edges are straight in EPSG:4549 (split every metre first)."""
    ll = shapely.transform(shapely.segmentize(geom_4549, 1.0), TO_LL.transform, interleaved=False)
    return GEOD.geometry_area_perimeter(shapely.orient_polygons(ll))[0]  # holes clockwise: subtracted


def within(got: float, want: float) -> bool:
    return abs(got - want) <= max(0.5, 0.005 * want)


# --------------------------------------------------------------------------- io.read


@pytest.mark.parametrize("variant", [v for v in af.TXT_VARIANTS if v not in ("beijing_without_params",
                                                                              "xian_with_params")])
def test_every_txt_variant_reads_to_the_written_polygons_within_1_mm(files, variant):
    layer = quiet(sg.io.read, files[f"txt/{variant}"])
    assert layer.frame.crs.to_epsg() == 4490
    for p, geom in zip(af.PARCELS, layer.frame.geometry, strict=True):
        assert shapely.hausdorff_distance(in_4549(geom), truth(p), densify=0.01) < MM, p.id


def test_a_xian_1980_file_with_its_parameters_reads_to_the_written_polygons_within_5_mm(files):
    # the generator shifts 3-D points (height kept); the 2-D datum shift sets the height to 0 on each
    # ellipsoid, which moves points by up to ~2 mm here: far below the parameters' own accuracy
    layer = quiet(sg.io.read, files["txt/xian_with_params"])
    for p, geom in zip(af.PARCELS, layer.frame.geometry, strict=True):
        assert shapely.hausdorff_distance(in_4549(geom), truth(p), densify=0.01) < 0.005, p.id


def test_a_legacy_datum_without_parameters_is_refused(files):
    with pytest.raises(DatumError, match="北京1954"):
        quiet(sg.io.read, files["txt/beijing_without_params"])


def test_the_files_transformation_parameters_are_used_and_said(files):
    layer = quiet(sg.io.read, files["txt/xian_with_params"])
    assert layer.provenance.crs.method == "datum_shift" and layer.provenance.crs.shift_from == "file"
    assert "按文件中的转换参数转换" in layer.provenance.crs.note()
    assert any("转换参数" in n for n in layer.provenance.notes)


def test_decisions_travel_in_the_provenance_and_reach_the_report_notes(files):
    report = quiet(sg.validate_parcels, files["txt/easting_first"], schemes=False)
    prov = report.attrs["provenance"]
    assert prov["decisions"]["轴序 axis order"] == "Y（东）在前 easting first"
    from suzhou_geo.report.tables import report_notes

    line = next(n for n in report_notes(report) if n.startswith("地块数据 parcels"))
    assert "轴序 axis order: Y（东）在前 easting first" in line and "EPSG:4528" in line


def test_layer_points_are_the_named_points_in_cgcs2000(files):
    layer = quiet(sg.io.read, files["txt/six_column"])
    pts = layer.points
    assert list(pts.columns[:5]) == ["row", "ring", "point", "x_file", "y_file"] and pts.crs.to_epsg() == 4490
    assert {"边长", "界址点类型"} <= set(pts.columns)
    got = np.column_stack(TO_4549.transform(pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()))
    want = [next((x, y) for n, x, y in ring if n == name)
            for r, name in zip(pts["row"], pts["point"], strict=True) for ring in af.PARCELS[r].rings
            if any(n == name for n, _, _ in ring)]
    assert np.abs(got - np.array(want)).max() < MM
    k02 = pts[pts.row == 1]
    assert k02["ring"].tolist() == [1] * 4 + [2] * 4
    assert k02["x_file"].iloc[0] == pytest.approx(40585600.0)  # easting first in this variant, as written


def test_boundary_points_from_a_layer_a_path_and_a_frame_agree(files):
    path = files["txt/standard_gbk_crlf"]
    layer = quiet(sg.io.read, path)
    from_path = quiet(sg.io.boundary_points, path)
    from_frame = sg.io.boundary_points(layer.frame)
    assert from_path[["row", "ring", "point"]].equals(layer.points[["row", "ring", "point"]])
    keys = ["row", "ring", "point"]
    assert from_frame[keys].values.tolist() == layer.points[keys].values.tolist()
    d = shapely.distance(in_4549(from_frame.geometry.values), in_4549(layer.points.geometry.values))
    assert d.max() < MM and from_frame["x_file"].isna().all()


def test_points_follow_a_subset_of_the_layer(files):
    layer = quiet(sg.io.read, files["txt/standard_gbk_crlf"])
    sub = layer.subset(np.array([False, True, False, True]))
    assert sorted(set(sub.points["row"])) == [0, 1]
    assert sub.points[sub.points.row == 1]["point"].tolist() == ["J1", "J2", "J3", "J4"]


def test_boundary_points_of_a_layer_without_names_is_an_error():
    from suzhou_geo.errors import InputError

    with pytest.raises(InputError, match="no named boundary points"):
        sg.io.boundary_points(sg.io.read(sg.data_path("parcels", "parcels.gpkg")))


def test_dxf_kmz_and_point_tables_read_through_the_one_entry_point(files):
    dxf = quiet(sg.io.read, files["dxf/r2000_gbk"], crs="EPSG:4528")
    kmz = sg.io.read(files["kmz/one_folder"])
    table = quiet(sg.io.read, files["table/xlsx"], crs="EPSG:4528")
    assert dxf.provenance.format == "DXF" and dxf.frame["标注"].iloc[0] == "宗地一"
    assert kmz.provenance.format == "KMZ" and kmz.frame["Name"].tolist() == ["K-01", "K-02", "K-03", "K-04"]
    assert table.provenance.format == "界址点坐标表" and table.points is not None
    for p, g in zip(af.PARCELS, table.frame.geometry, strict=True):
        assert shapely.hausdorff_distance(in_4549(g), truth(p), densify=0.01) < MM


def test_a_point_table_without_crs_names_the_one_its_zone_prefix_says(files):
    with pytest.raises(CRSError) as err:
        quiet(sg.io.read, files["table/csv_gbk"])
    assert "crs='EPSG:4528'" in err.value.hint


def test_a_kml_traced_on_a_gcj02_map_is_converted_with_crs_gcj02(files):
    plain = sg.io.read(files["kml/one_folder"])
    gcj = sg.io.read(files["kml/one_folder"], crs="GCJ-02")
    shift = shapely.distance(in_4549(plain.frame.geometry.centroid.values), in_4549(gcj.frame.geometry.centroid.values))
    assert (400 < shift).all() and (shift < 600).all()


# --------------------------------------------------------------------------- multi-layer sources


@pytest.fixture(scope="session")
def two_layer_gpkg(tmp_path_factory):
    path = tmp_path_factory.mktemp("multi") / "两层.gpkg"
    box = shapely.box(120.95, 31.38, 120.951, 31.381)
    for name in ("红线", "方案"):
        gpd.GeoDataFrame({"name": [name]}, geometry=[box], crs="EPSG:4490").to_file(path, layer=name)
    return path


def test_a_multi_layer_source_without_layer_is_an_error_listing_its_layers(two_layer_gpkg):
    with pytest.raises(ReadError) as err:
        sg.io.read(two_layer_gpkg)
    assert "红线（1 个要素 features）; 方案（1 个要素 features）" in str(err.value)
    assert sg.io.read(two_layer_gpkg, layer="方案").frame["name"].tolist() == ["方案"]


def test_the_layer_rule_holds_for_redlines_and_minus_too(two_layer_gpkg):
    parcels = gpd.GeoDataFrame(geometry=[shapely.box(120.95, 31.38, 120.951, 31.381)], crs="EPSG:4490")
    with pytest.raises(ReadError, match="the source has 2 layers"):
        sg.validate_parcels(parcels, redlines=two_layer_gpkg, schemes=False)
    with pytest.raises(ReadError, match="the source has 2 layers"):
        sg.check_floor("昆山市", minus=two_layer_gpkg)


# --------------------------------------------------------------------------- areas, overlaps, declared areas


@pytest.fixture(scope="session")
def report(files):
    return quiet(sg.validate_parcels, files["txt/standard_gbk_crlf"], schemes=False)


def test_parcel_areas_agree_with_pyproj_geod(report):
    for p, got in zip(af.PARCELS, report["parcel_area_m2"], strict=True):
        want = geod_area(truth(p))
        assert within(got, want) and abs(got - want) < 0.05, (p.id, got, want)


def test_overlaps_agree_with_an_independent_computation(files):
    red = shapely.box(585100, 3470900, 585700, 3471100)  # across K-01 and K-02
    redlines = gpd.GeoDataFrame({"name": ["测试红线"], "kind": ["生态保护红线"]}, geometry=[red], crs="EPSG:4549")
    rep = quiet(sg.validate_parcels, files["txt/no_prefix"], redlines=redlines, schemes=False, joint_zones=False)
    for p, got in zip(af.PARCELS, rep["redline_overlap_m2"], strict=True):
        want = geod_area(truth(p).intersection(red)) if truth(p).intersects(red) else 0.0
        assert within(got, want), (p.id, got, want)
    assert rep["verdict"].tolist()[:2] == ["conflict", "conflict"]


def test_a_declared_area_off_by_more_than_the_tolerance_is_review_naming_both_figures(report):
    k03, k04 = report.iloc[2], report.iloc[3]
    planar = af.planar_area_m2(af.PARCELS[2])
    assert k03["verdict"] == "review"
    assert f"申报地块面积 {af.declared_ha(af.PARCELS[2]):.4f} 公顷" in k03["reasons"]
    assert f"planar Gauss-Krüger area {planar / 1e4:.4f} ha ({planar:,.2f} m²)" in k03["reasons"]
    assert "地块面积" not in k04["reasons"] and k04["verdict"] == "pass"  # off by 0.05 %: within tolerance
    assert report["declared_area_ha"].tolist() == [af.declared_ha(p) for p in af.PARCELS]
    assert "declared_area_ha_input" not in report.columns


def test_the_planar_area_is_the_one_in_the_files_own_zone(files):
    rep = quiet(sg.validate_parcels, files["txt/six_degree_prefixed"], schemes=False)
    for p, got in zip(af.PARCELS, rep["planar_area_m2"], strict=True):
        assert got == pytest.approx(af.planar_area_m2(p, "EPSG:4499"), abs=0.01)  # shoelace in zone 21
        assert abs(got - af.planar_area_m2(p)) > 10  # not the zone-40 area: CM 123°E is 2° away
    assert rep["verdict"].tolist() == ["pass", "pass", "review", "pass"]


def test_a_declared_area_within_the_tolerance_gives_no_reason(files, tmp_path):
    frame = quiet(sg.io.read, files["txt/standard_gbk_crlf"]).frame
    planar = np.array([af.planar_area_m2(p) for p in af.PARCELS])
    frame["declared_area_ha"] = (planar + [0.9, -0.9, 0.0009 * planar[2], -0.0011 * planar[3]]) / 1e4
    rep = quiet(sg.validate_parcels, frame, schemes=False)
    said = rep["reasons"].str.contains("申报地块面积").tolist()
    assert said == [False, False, False, True]


# --------------------------------------------------------------------------- writing


@pytest.mark.parametrize("variant", ROUND_TRIP)
def test_read_write_read_gives_the_same_layer_to_1_mm_with_the_same_attributes(files, tmp_path, variant):
    first = quiet(sg.io.read, files[f"txt/{variant}"])
    out = sg.io.write_layer(first.frame, tmp_path / "back.txt", crs="EPSG:4528", encoding="GBK")
    second = quiet(sg.io.read, out)
    a, b = first.frame.drop(columns="geometry"), second.frame.drop(columns="geometry")
    pd.testing.assert_frame_equal(a, b)
    d = shapely.hausdorff_distance(in_4549(first.frame.geometry.values), in_4549(second.frame.geometry.values),
                                   densify=0.01)
    assert d.max() < MM
    assert second.points[["row", "ring", "point"]].equals(first.points[["row", "ring", "point"]])


def test_write_layer_txt_takes_crs_and_encoding(files, tmp_path):
    frame = quiet(sg.io.read, files["txt/standard_gbk_crlf"]).frame
    out = sg.io.write_layer(frame, tmp_path / "u.txt", crs="EPSG:4549", encoding="UTF-8")
    text = out.read_bytes().decode("utf-8")
    assert "带号=40" in text and "J1,1,3471000.000,585000.000" in text
    from suzhou_geo.errors import OutputError

    with pytest.raises(OutputError, match="encoding= applies to 部标 .txt"):
        sg.io.write_layer(frame, tmp_path / "u.gpkg", encoding="GBK")


@pytest.mark.parametrize("ext", [".gpkg", ".shp", ".geojson", ".csv", ".xlsx", ".parquet", ".fgb", ".txt"])
def test_columns_of_no_type_never_crash_a_write(tmp_path, ext):
    g = gpd.GeoDataFrame({"PaperSpace": [None, None], "id": [1, 2]},
                         geometry=[shapely.box(120.95, 31.38, 120.951, 31.381)] * 2, crs="EPSG:4490")
    assert quiet(sg.io.write_layer, g, tmp_path / f"n{ext}").exists()


def test_columns_of_no_type_never_crash_a_streamed_write(tmp_path):
    import pyarrow as pa

    from suzhou_geo.io.stream import BatchWriter

    g = gpd.GeoDataFrame({"PaperSpace": pd.Series([None, None], dtype=object), "id": [1, 2]},
                         geometry=[shapely.box(120.95, 31.38, 120.951, 31.381)] * 2, crs="EPSG:4490")
    assert pa.Table.from_pandas(pd.DataFrame({"a": g["PaperSpace"]})).schema.field("a").type == pa.null()
    with BatchWriter(tmp_path / "s.gpkg") as w:
        w.write(g)
        w.write(g)
    assert len(gpd.read_file(tmp_path / "s.gpkg")) == 4


# --------------------------------------------------------------------------- the command line


def run(*args):
    from suzhou_geo.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("variant", ["standard_gbk_crlf", "utf8_lf", "easting_first", "no_prefix",
                                     "six_degree_prefixed", "six_column"])
def test_cli_validate_writes_the_excel_report_for_every_variant(files, tmp_path, variant):
    out = tmp_path / "审查.xlsx"
    res = run("validate", files[f"txt/{variant}"], "-o", out, "--no-schemes")
    assert res.exit_code == 0, res.output
    assert "读取 read: 部标 TXT" in res.output and "轴序 axis order" in res.output
    rep = pd.read_excel(out, sheet_name=0)
    assert len(rep) == 4
    assert rep.iloc[:, 0].notna().all()


def test_cli_validate_a_dxf_judges_the_open_line_invalid_naming_layer_and_handle(files, tmp_path):
    out = tmp_path / "d.gpkg"
    res = run("validate", files["dxf/r2010_utf8_1252"], "--crs", "EPSG:4528", "-o", out, "--no-schemes")
    assert res.exit_code == 0, res.output
    rep = gpd.read_file(out)
    assert "invalid" not in rep["verdict"].tolist()[:5] and rep["verdict"].iloc[5] == "invalid"
    assert "图层 红线" in rep["reasons"].iloc[5] and f"handle {rep['EntityHandle'].iloc[5]}" in rep["reasons"].iloc[5]
    areas = rep["parcel_area_m2"].to_numpy()[:5]
    want = [geod_area(truth(af.PARCELS[0])), geod_area(truth(af.PARCELS[1])),
            geod_area(shapely.Polygon([(x, y) for _, x, y in af.PARCELS[2].rings[0]])),
            geod_area(shapely.Polygon([(x, y) for _, x, y in af.PARCELS[2].rings[1]])),
            geod_area(truth(af.PARCELS[3]))]
    assert all(within(g, w) for g, w in zip(areas, want, strict=True))
    assert rep["标注"].tolist()[:3] == ["宗地一", "宗地二", "宗地三"]


def test_cli_errors_name_the_flag_to_pass(files, tmp_path):
    res = run("validate", files["dxf/two_layers"], "--crs", "EPSG:4528", "-o", tmp_path / "x.gpkg")
    assert res.exit_code == 2 and "--layer '红线'" in res.output
    res = run("validate", files["table/csv_gbk"], "-o", tmp_path / "x.gpkg")
    assert res.exit_code == 2 and "--crs EPSG:4528" in res.output
    res = run("validate", files["bad/count_mismatch"], "-o", tmp_path / "x.gpkg")
    assert res.exit_code == 2 and "line 13" in res.output and "界址点数" in res.output


def test_cli_convert_both_ways(files, tmp_path):
    gpkg, txt = tmp_path / "项目.gpkg", tmp_path / "项目.txt"
    res = run("convert", files["txt/easting_first"], gpkg)
    assert res.exit_code == 0, res.output
    assert "轴序 axis order: Y（东）在前 easting first" in res.output
    res = run("convert", gpkg, txt, "--out-crs", "EPSG:4549", "--out-encoding", "UTF-8")
    assert res.exit_code == 0, res.output
    text = txt.read_bytes().decode("utf-8")
    assert "J3,1,3471049.225,585258.150" in text  # the named point on a straight edge is kept, by name
    back = quiet(sg.io.read, txt)
    for p, g in zip(af.PARCELS, back.frame.geometry, strict=True):
        assert shapely.hausdorff_distance(in_4549(g), truth(p), densify=0.01) < MM
    assert back.frame["地块名称"].tolist() == [p.name for p in af.PARCELS]


def test_cli_convert_a_drawing_to_a_bubiao_file(files, tmp_path):
    out = tmp_path / "d.txt"
    res = run("convert", files["dxf/closed_only"], out, "--crs", "EPSG:4528")
    assert res.exit_code == 0, res.output
    back = quiet(sg.io.read, out)
    names = back.frame["地块名称"].tolist()
    assert names[:3] + names[4:] == ["宗地一", "宗地二", "宗地三", "道路"] and pd.isna(names[3])  # from the labels
    assert back.frame["界址点"].iloc[0] == "J1,J2,J3,J4,J5"  # split points of the drawing's long edges dropped
    for p, g in zip([af.PARCELS[0], af.PARCELS[1]], back.frame.geometry[:2], strict=True):
        assert shapely.hausdorff_distance(in_4549(g), truth(p), densify=0.01) < MM


def test_the_readme_approval_block_runs_as_written(files, tmp_path, monkeypatch):
    import re
    import shutil
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## 报批材料 Approval files"):readme.index("## PostGIS")]
    code = re.findall(r"```python\n(.*?)```", section, re.S)[0]
    shutil.copy(files["txt/standard_gbk_crlf"], tmp_path / "项目.txt")
    monkeypatch.chdir(tmp_path)
    scope = {"sg": sg}
    exec(code, scope)
    assert scope["points"]["point"].tolist()[:5] == ["J1", "J2", "J3", "J4", "J5"]
    assert quiet(sg.io.read, "报盘.txt").frame["地块编号"].tolist() == [p.id for p in af.PARCELS]


def test_cli_dask_engine_refuses_a_file_read_whole_before_starting_a_cluster(files, tmp_path):
    res = run("validate", files["txt/standard_gbk_crlf"], "-o", tmp_path / "x.gpkg", "--engine", "dask")
    assert res.exit_code == 2 and "leave --engine out" in res.output


def test_kml_reads_the_same_with_or_without_libkml(files):
    import json
    import os
    import subprocess
    import sys

    code = ("import json, sys; from suzhou_geo.io.kml import read_kml; f, r = read_kml(sys.argv[1]); "
            "print(json.dumps([list(f.columns), f['Name'].tolist(), f.geometry.to_wkt().tolist()]))")
    env = {**os.environ, "OGR_SKIP": "LIBKML"}
    out = subprocess.run([sys.executable, "-c", code, str(files["kmz/one_folder"])], env=env, capture_output=True,
                         text=True, check=True)
    cols, names, wkt = json.loads(out.stdout.strip().splitlines()[-1])
    frame, _ = sg.io.kml.read_kml(files["kmz/one_folder"])
    assert cols == list(frame.columns) and names == frame["Name"].tolist()
    assert wkt == frame.geometry.to_wkt().tolist()
