"""``suzhou-geo validate -o``: every format a planner hands on opens right, and the input is never replaced."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import pyogrio
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import suzhou_geo as sg
from suzhou_geo.cli import main


@pytest.fixture(scope="module")
def parcels(tmp_path_factory):
    """Sample parcels as an agency would send them: Chinese column names, a point and a missing geometry."""
    src = sg.datasets.parcels()
    keep = src["case"].isin(["broken_point", "broken_missing", "broken_line"]) | (src.index < 40)
    p = src[keep].rename(
        columns={"parcel_id": "地块编号", "land_use": "用地性质", "name": "地块名称"}
    )
    p = p.reset_index(drop=True)
    assert (p.geom_type == "Point").sum() == 1 and p.geometry.isna().sum() == 1
    path = tmp_path_factory.mktemp("cli") / "p.gpkg"
    p.to_file(path)
    return path, p


def run(*args):
    return CliRunner().invoke(main, ["validate", *map(str, args), "--no-schemes"])


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_shapefile_reads_back_with_every_row_and_chinese_intact(parcels, tmp_path):
    path, p = parcels
    out = tmp_path / "r.shp"
    r = run(path, "-o", out)
    assert r.exit_code == 0, r.output
    assert "GeoPackage" in r.output  # the warning that .gpkg is the better format
    back = gpd.read_file(out)
    assert len(back) == len(p)
    assert list(back["地块编"]) == list(p["地块编号"])
    assert list(back["用地性"]) == list(p["用地性质"])
    assert list(back["地块名"]) == list(p["地块名称"])
    assert (tmp_path / "r_fields.csv").exists()


def test_csv_starts_with_a_bom(parcels, tmp_path):
    path, p = parcels
    r = run(path, "-o", tmp_path / "r.csv")
    assert r.exit_code == 0, r.output
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    assert raw[3:].decode("utf-8").splitlines()[0].split(",")[-1] == "\"WKT\""  # text fields are quoted


def test_xlsx_has_one_row_per_parcel_and_the_chinese_headers(parcels, tmp_path):
    path, p = parcels
    r = run(path, "-o", tmp_path / "r.xlsx")
    assert r.exit_code == 0, r.output
    ws = load_workbook(tmp_path / "r.xlsx").worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) - 1 == len(p)
    header = rows[0]
    assert {"地块编号", "用地性质", "地块名称"} <= set(header)
    ids = [row[header.index("地块编号")] for row in rows[1:]]
    assert ids == list(p["地块编号"])


def test_gpkg_is_a_polygon_layer_despite_points_and_missing_geometries(parcels, tmp_path):
    path, p = parcels
    r = run(path, "-o", tmp_path / "r.gpkg")
    assert r.exit_code == 0, r.output
    info = pyogrio.read_info(tmp_path / "r.gpkg")
    assert info["geometry_type"] == "MultiPolygon" and info["features"] == len(p)
    back = gpd.read_file(tmp_path / "r.gpkg")
    point_row = int(p.index[p.geom_type == "Point"][0])
    assert back["input_geometry_wkt"].iloc[point_row].startswith("POINT")
    assert back.verdict.iloc[point_row] == "invalid"


@pytest.mark.parametrize("extra", [[], ["--overwrite"]])
def test_the_input_is_never_the_output(parcels, extra):
    path, _ = parcels
    before = digest(path)
    r = run(path, "-o", path, *extra)
    assert r.exit_code == 2 and "input" in r.output
    assert digest(path) == before


def test_an_existing_output_needs_overwrite(parcels, tmp_path):
    path, p = parcels
    out = tmp_path / "r.gpkg"
    out.write_bytes(b"a colleague's file")
    r = run(path, "-o", out)
    assert r.exit_code == 2 and "--overwrite" in r.output
    assert out.read_bytes() == b"a colleague's file"
    r = run(path, "-o", out, "--overwrite")
    assert r.exit_code == 0 and pyogrio.read_info(out)["features"] == len(p)


def test_printed_summary_is_bilingual_with_every_unit(parcels, tmp_path):
    path, p = parcels
    r = run(path, "-o", tmp_path / "r.gpkg")
    for text in (
        "冲突 conflict",
        "合计 total",
        "姑苏区 Gusu",
        "太仓市 Taicang",
        "非官方生态保护红线",
    ):
        assert text in r.output, text
