"""The one way out, format by format: what a colleague opens must hold every row, intact."""

from __future__ import annotations

import hashlib
import os
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from openpyxl import load_workbook
from shapely.geometry import LineString, Point, box

import suzhou_geo as sg
from suzhou_geo.errors import OutputError, SuzhouGeoWarning
from suzhou_geo.io import check_output, read_layer, shapefile_field_names, write_layer
from suzhou_geo.io.columns import INPUT_GEOMETRY
from suzhou_geo.io.writer import SHP_TEXT_BYTES

LONG = "与生态保护红线重叠" * 12  # 324 UTF-8 bytes: longer than a dBASE text field


def frame(index=None) -> gpd.GeoDataFrame:
    """Five rows with Chinese column names: polygons, a point, a line and a missing geometry."""
    geoms = [
        box(120.90, 31.30, 120.905, 31.305),
        Point(120.91, 31.31),
        shapely.MultiPolygon(
            [box(120.92, 31.30, 120.925, 31.305), box(120.93, 31.30, 120.935, 31.305)]
        ),
        None,
        LineString([(120.94, 31.30), (120.95, 31.31)]),
    ]
    return gpd.GeoDataFrame(
        {
            "地块编号": ["KS-001", "KS-002", "KS-003", "KS-004", "KS-005"],
            "地块编码": ["a", "b", "c", "d", "e"],
            "用地性质": ["工业", "居住", "商业", "物流仓储", LONG],
            "面积": [1.5, 2.25, np.nan, 4.0, 5.0],
        },
        geometry=geoms,
        crs="EPSG:4490",
        index=index,
    )


def digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


# --------------------------------------------------------------------------- GeoPackage


def test_gpkg_is_one_multipolygon_layer_and_keeps_other_geometries_as_wkt(tmp_path):
    g = frame()
    p = write_layer(g, tmp_path / "r.gpkg")
    info = pyogrio.read_info(p)
    assert info["geometry_type"] == "MultiPolygon" and info["features"] == 5
    assert pyogrio.list_layers(p).shape[0] == 1
    back = read_layer(p)
    assert list(back["地块编号"]) == list(g["地块编号"]) and list(back["用地性质"]) == list(
        g["用地性质"]
    )
    wkt = back[INPUT_GEOMETRY.name]
    assert (
        wkt.iloc[1] == "POINT (120.91 31.31)"
        and wkt.iloc[4] == "LINESTRING (120.94 31.3, 120.95 31.31)"
    )
    assert (
        wkt.iloc[[0, 2, 3]].isna().all()
    )  # polygons and the missing geometry have nothing to keep
    assert back.geometry.iloc[[1, 3, 4]].isna().all()
    # the polygons are the input polygons
    assert back.geometry.iloc[0].equals(g.geometry.iloc[0]) and back.geometry.iloc[2].equals(
        g.geometry.iloc[2]
    )
    # the WKT is the input geometry at full precision
    assert shapely.from_wkt(wkt.iloc[4]).equals_exact(g.geometry.iloc[4], 0)


def test_gpkg_keeps_a_named_index_and_layer_name(tmp_path):
    g = frame(index=pd.Index([10, 11, 12, 13, 14], name="原序号"))
    p = write_layer(g, tmp_path / "r.gpkg", layer="地块报告")
    assert pyogrio.list_layers(p)[0][0] == "地块报告"
    back = read_layer(p)
    assert list(back["原序号"]) == [10, 11, 12, 13, 14]
    assert list(back.columns[:2]) == ["原序号", "地块编号"]


def test_gpkg_of_points_stays_points(tmp_path):
    pts = gpd.GeoDataFrame(
        {"名称": ["甲", "乙"]}, geometry=[Point(120.9, 31.3), Point(121.0, 31.4)], crs=4490
    )
    p = write_layer(pts, tmp_path / "p.gpkg")
    assert pyogrio.read_info(p)["geometry_type"] == "Point"
    assert INPUT_GEOMETRY.name not in read_layer(p).columns


# --------------------------------------------------------------------------- Shapefile


def test_shapefile_names_are_cut_between_characters_and_unique():
    from suzhou_geo.validate.schema import REPORT_SCHEMA

    names = shapefile_field_names(
        ["地块编号", "地块编码", "用地性质", "verdict", "redline_overlap_m2", "ABCDEFGHIJKL"], REPORT_SCHEMA
    )
    assert names == {
        "地块编号": "地块编",
        "地块编码": "地块_1",
        "用地性质": "用地性",
        "verdict": "verdict",
        "redline_overlap_m2": "red_m2",
        "ABCDEFGHIJKL": "ABCDEFGHIJ",
    }
    for v in names.values():
        assert len(v.encode("utf-8")) <= 10
        v.encode("utf-8").decode("utf-8")  # whole characters only
    # case-insensitive uniqueness (dBASE field names are compared ignoring case)
    assert shapefile_field_names(["Name", "NAME"]) == {"Name": "Name", "NAME": "NAME_1"}


def test_shapefile_reads_back_with_chinese_intact(tmp_path):
    g = frame()
    with pytest.warns(SuzhouGeoWarning, match="GeoPackage"):
        p = write_layer(g, tmp_path / "r.shp")
    assert (tmp_path / "r.cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    for back in (read_layer(p), gpd.read_file(p)):
        assert len(back) == 5
        assert list(back["地块编"]) == list(g["地块编号"]) and list(back["地块_1"]) == list(
            g["地块编码"]
        )
        assert list(back["用地性"].iloc[:4]) == list(g["用地性质"].iloc[:4])
        cut = back["用地性"].iloc[4]
        assert LONG.startswith(cut) and len(cut.encode("utf-8")) <= SHP_TEXT_BYTES
        assert len(cut) == SHP_TEXT_BYTES // 3  # 84 whole characters of 3 bytes
        assert back["in_geom"].iloc[1] == "POINT (120.91 31.31)"
    table = pd.read_csv(tmp_path / "r_fields.csv", encoding="utf-8-sig")
    assert (
        dict(zip(table["列名 column"], table["字段名 field"], strict=True))["地块编号"] == "地块编"
    )


def test_shapefile_that_shortens_nothing_warns_nothing(tmp_path):
    g = gpd.GeoDataFrame({"name": ["苏州-1"], "area": [1.5]}, geometry=[box(120.9, 31.3, 120.91, 31.31)],
                         crs="EPSG:4490")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SuzhouGeoWarning)
        write_layer(g, tmp_path / "short.shp")
    with pytest.warns(SuzhouGeoWarning, match="1 个文本值已截短") as caught:  # one long text: said
        write_layer(g.assign(name=[LONG]), tmp_path / "long.shp")
    assert "0 个列名" in str(caught[0].message)


def test_report_shapefile_uses_schema_names(tmp_path):
    report = sg.validate_parcels(sg.datasets.parcels().head(30), schemes=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuzhouGeoWarning)
        p = sg.write_layer(report, tmp_path / "r.shp")  # the report-aware way out
    back = gpd.read_file(p)
    assert {"verdict", "red_m2", "red_dist_m", "geom_issue"} <= set(back.columns)
    assert list(back.verdict) == list(report.verdict)
    np.testing.assert_allclose(back.red_m2.fillna(-1), report.redline_overlap_m2.fillna(-1))


# --------------------------------------------------------------------------- CSV


def test_csv_has_bom_wkt_last_and_reads_back(tmp_path):
    g = frame()
    p = write_layer(g, tmp_path / "r.csv")
    raw = p.read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    t = pd.read_csv(p, encoding="utf-8-sig")
    assert list(t.columns) == ["地块编号", "地块编码", "用地性质", "面积", "WKT"]
    assert list(t["用地性质"]) == list(g["用地性质"])
    assert t["WKT"].iloc[1] == "POINT (120.91 31.31)" and pd.isna(t["WKT"].iloc[3])
    back = read_layer(p, crs="EPSG:4490")
    assert list(back["地块编号"]) == list(g["地块编号"])
    assert back.geometry.iloc[0].equals(g.geometry.iloc[0])
    # Excel on Chinese Windows decodes by the BOM; without it the bytes are GBK garbage
    assert raw[3:].decode("utf-8").startswith("\"地块编号\"")  # every text field quoted


def test_csv_without_geometry(tmp_path):
    p = write_layer(frame(), tmp_path / "r.csv", wkt=False)
    assert list(pd.read_csv(p, encoding="utf-8-sig").columns) == [
        "地块编号",
        "地块编码",
        "用地性质",
        "面积",
    ]


# --------------------------------------------------------------------------- Excel


def test_xlsx_plain_frame(tmp_path):
    g = frame()
    p = write_layer(g, tmp_path / "r.xlsx")
    wb = load_workbook(p)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("地块编号", "地块编码", "用地性质", "面积")
    assert [r[0] for r in rows[1:]] == list(g["地块编号"])
    assert rows[2][3] == 2.25 and rows[3][3] is None  # numbers stay numbers, NaN an empty cell
    assert ws.freeze_panes == "A2"
    assert len(wb.worksheets) == 1  # not a report: no summary sheets


def test_xlsx_report_has_bilingual_headers_colours_and_summary(tmp_path):
    report = sg.validate_parcels(sg.datasets.parcels().head(60))
    p = sg.write_layer(report, tmp_path / "r.xlsx")  # the report-aware way out
    wb = load_workbook(p)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["parcel_id", "name", "land_use", "case", "synthetic"]
    assert (
        "判定 verdict" in header
        and "距最近生态保护红线 distance to nearest protection redline (m)" in header
    )
    vcol = header.index("判定 verdict") + 1
    cells = [ws.cell(row=r, column=vcol) for r in range(2, len(report) + 2)]
    assert [c.value.split()[-1] for c in cells] == list(report.verdict)
    fills = {c.value: c.fill.fgColor.rgb[-6:] for c in cells}
    # a light tint (30 %) of the maps' verdict colours #e31a1c and #41ab5d, worked out by hand
    assert fills["冲突 conflict"] == "F7BABB" and fills["通过 pass"] == "C6E6CE"
    assert ws.max_row == len(report) + 1
    names = wb.sheetnames
    assert names[1:] == ["汇总 summary", "规则 rules", "说明 notes", "列说明 columns"]
    summary = [r for r in wb["汇总 summary"].iter_rows(values_only=True) if any(r)]
    totals = [r for r in summary if r[0] == "合计 total"]
    assert totals[0][1] == len(report)  # the verdict table's total counts every parcel once
    units = {r[0] for r in summary}
    assert {"姑苏区 Gusu", "昆山市 Kunshan"} <= units  # every county-level unit, 0 rows too


# --------------------------------------------------------------------------- GeoParquet


def test_parquet_round_trip_keeps_index_crs_and_every_geometry(tmp_path):
    g = frame(index=pd.Index(list("abcde"), name="key"))
    p = write_layer(g, tmp_path / "r.parquet")
    back = gpd.read_parquet(p)
    assert back.crs.to_epsg() == 4490 and list(back.index) == list("abcde")
    assert back.geometry.iloc[1].equals(g.geometry.iloc[1]) and back.geometry.iloc[3] is None


# --------------------------------------------------------------------------- the output path


def test_existing_output_needs_overwrite(tmp_path):
    p = write_layer(frame(), tmp_path / "r.gpkg")
    before = digest(p)
    with pytest.raises(OutputError, match="overwrite=True"):
        write_layer(frame().head(2), p)
    assert digest(p) == before
    write_layer(frame().head(2), p, overwrite=True)
    assert pyogrio.read_info(p)["features"] == 2


def test_overwriting_a_shapefile_removes_its_stale_index(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuzhouGeoWarning)
        p = write_layer(frame(), tmp_path / "r.shp")
        (tmp_path / "r.qix").write_bytes(b"old spatial index")
        with pytest.raises(OutputError):
            write_layer(frame(), p)
        write_layer(frame().head(2), p, overwrite=True)
    assert not (tmp_path / "r.qix").exists() and len(gpd.read_file(p)) == 2


def test_an_input_is_never_overwritten(tmp_path):
    src = write_layer(frame(), tmp_path / "p.gpkg")
    before = digest(src)
    g = read_layer(src)  # remembers where it came from
    with pytest.raises(OutputError, match="input"):
        write_layer(g, src, overwrite=True)
    with pytest.raises(OutputError, match="input"):
        write_layer(frame(), tmp_path / "q.gpkg", inputs=[tmp_path / "q.gpkg"])
    # a Shapefile input's sidecars count: writing p.shp must not replace an input p.dbf
    with pytest.raises(OutputError, match="input"):
        check_output(tmp_path / "x.shp", overwrite=True, inputs=[str(tmp_path / "x.dbf")])
    assert digest(src) == before


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "r.gpkg"

    def broken(df, path, **kwargs):
        open(path, "wb").write(b"half a file")
        raise RuntimeError("disk full")

    monkeypatch.setattr(pyogrio, "write_dataframe", broken)
    with pytest.raises(OutputError, match="disk full"):
        write_layer(frame(), target)
    assert os.listdir(tmp_path) == []
    # an existing output survives a failed replacement
    monkeypatch.undo()
    write_layer(frame(), target)
    before = digest(target)
    monkeypatch.setattr(pyogrio, "write_dataframe", broken)
    with pytest.raises(OutputError):
        write_layer(frame(), target, overwrite=True)
    assert digest(target) == before and os.listdir(tmp_path) == ["r.gpkg"]


def test_output_folder_is_refused(tmp_path):
    with pytest.raises(OutputError, match="folder"):
        write_layer(frame(), tmp_path)
