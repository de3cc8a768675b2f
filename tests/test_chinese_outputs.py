"""Chinese in GIS outputs: the verdict in Chinese in every format, and Chinese column names on request."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

import suzhou_geo as sg
from suzhou_geo.cli import main
from suzhou_geo.errors import SuzhouGeoWarning

#: Written out by hand, not taken from the library.
CHINESE = {"conflict": "冲突", "review": "复核", "notice": "告知", "pass": "通过", "invalid": "无效"}


@pytest.fixture(scope="module")
def report():
    return sg.validate_parcels(sg.datasets.parcels(), schemes=False)


def test_the_report_carries_the_verdict_in_chinese(report):
    assert set(report["verdict"]) == set(CHINESE)  # the sample shows every verdict
    assert report["verdict_zh"].tolist() == report["verdict"].map(CHINESE).tolist()


@pytest.mark.parametrize("ext", [".gpkg", ".csv", ".shp", ".parquet"])
def test_every_gis_format_carries_the_chinese_verdict(report, tmp_path, ext):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuzhouGeoWarning)  # the Shapefile says what it shortened
        p = sg.write_layer(report, tmp_path / f"r{ext}")
    if ext == ".csv":
        back = pd.read_csv(p, encoding="utf-8-sig")
    else:
        back = gpd.read_parquet(p) if ext == ".parquet" else gpd.read_file(p)
    assert back["verdict_zh"].tolist() == report["verdict"].map(CHINESE).tolist()


def test_chinese_column_names_in_a_geopackage(report, tmp_path):
    p = sg.write_layer(report, tmp_path / "r.gpkg", columns="zh")
    back = pyogrio.read_dataframe(p)
    assert back["判定"].tolist() == report["verdict"].map(CHINESE).tolist()
    assert back["判定代码"].tolist() == report["verdict"].tolist()  # the code stays, under a Chinese name
    assert set(back["位于联防联治区"]) == {"是", "否"} and set(back["位置为近似"]) <= {"是", "否"}
    assert back["理由"].tolist() == report["reasons"].tolist()
    # the input's own columns keep their names and values
    assert back["parcel_id"].tolist() == report["parcel_id"].tolist()
    assert not {"verdict", "reasons", "in_joint_zone"} & set(back.columns)


def test_chinese_field_names_in_a_shapefile_fit_ten_bytes(report, tmp_path):
    with pytest.warns(SuzhouGeoWarning, match="GeoPackage"):
        p = sg.write_layer(report, tmp_path / "r.shp", columns="zh")
    info = pyogrio.read_info(p, encoding="UTF-8")
    assert all(len(f.encode("utf-8")) <= 10 for f in info["fields"])
    assert {"判定", "理由", "红线m2"} <= set(info["fields"])
    table = pd.read_csv(tmp_path / "r_fields.csv", encoding="utf-8-sig")
    full = dict(zip(table["字段名 field"], table["列名 column"], strict=True))
    assert full["红线m2"] == "红线重叠面积_m2" and full["判定"] == "判定"
    back = gpd.read_file(p)
    assert back["判定"].tolist() == report["verdict"].map(CHINESE).tolist()


def test_an_input_column_named_like_a_chinese_report_column_is_kept(report, tmp_path):
    src = sg.datasets.parcels().head(3).assign(理由=["甲", "乙", "丙"])
    r = sg.validate_parcels(src, schemes=False)
    with pytest.warns(SuzhouGeoWarning, match="理由_input"):
        p = sg.write_layer(r, tmp_path / "r.gpkg", columns="zh")
    back = pyogrio.read_dataframe(p)
    assert back["理由_input"].tolist() == ["甲", "乙", "丙"] and back["理由"].tolist() == r["reasons"].tolist()


def test_command_line_columns_zh(tmp_path):
    parcels = sg.datasets.get_path("parcels")
    r = CliRunner().invoke(main, ["validate", str(parcels), "-o", str(tmp_path / "r.gpkg"), "--columns", "zh"])
    assert r.exit_code == 0, r.output
    back = pyogrio.read_dataframe(tmp_path / "r.gpkg")
    assert {"判定", "判定代码", "理由"} <= set(back.columns) and len(back) == 382
    r = CliRunner().invoke(main, ["report", "-o", str(tmp_path / "rep"), "--offline", "--columns", "zh"])
    assert r.exit_code == 0, r.output
    assert "判定" in pyogrio.read_info(tmp_path / "rep" / "parcels_report.gpkg")["fields"]
    assert "判定" in pd.read_csv(tmp_path / "rep" / "parcels_report.csv", encoding="utf-8-sig").columns


def test_columns_must_be_en_or_zh(report, tmp_path):
    with pytest.raises(sg.errors.InputError, match="'en' or 'zh'"):
        sg.write_layer(report, tmp_path / "r.gpkg", columns="fr")
