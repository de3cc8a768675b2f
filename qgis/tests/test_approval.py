"""报批材料 in QGIS: the 部标 TXT writer and the approval-file reader give the library's results."""

from __future__ import annotations

from pathlib import Path

import pytest
from _gbk import parcels_shapefile
from conftest import read_layer, rows


def test_write_bubiao_writes_what_the_library_writes(run, tmp_path):
    """A GBK Shapefile in EPSG:4528 → 部标 TXT: the same bytes as the library writes from the file."""
    import geopandas as gpd

    import suzhou_geo as sg

    shp, _ = parcels_shapefile(tmp_path)
    res = run("write_bubiao", {"INPUT": str(shp), "OUTPUT": str(tmp_path / "报盘.txt")})
    reference = sg.write_layer(
        gpd.read_file(shp, encoding="GBK"), tmp_path / "库.txt", crs="EPSG:4528"
    )
    mine = Path(res["OUTPUT"]).read_bytes()
    assert mine == reference.read_bytes()  # both dated today in the header
    text = mine.decode("gbk")
    assert "带号=40" in text and text.count("[地块坐标]") == 1
    assert "合成地块 synthetic parcel 0001" in text  # 名称 → 地块名称, from the GBK field


def test_write_bubiao_in_utf8_and_epsg_4549(run, tmp_path):
    """Another CRS (no zone prefix) and encoding, as the library writes them."""
    import geopandas as gpd

    import suzhou_geo as sg

    shp, _ = parcels_shapefile(tmp_path)
    res = run(
        "write_bubiao",
        {
            "INPUT": str(shp),
            "CRS": "EPSG:4549",
            "ENCODING": 2,
            "OUTPUT": str(tmp_path / "utf8.txt"),
        },
    )
    reference = sg.write_layer(
        gpd.read_file(shp, encoding="GBK"), tmp_path / "ref.txt", crs="EPSG:4549", encoding="UTF-8"
    )
    assert (
        Path(res["OUTPUT"]).read_text(encoding="utf-8").splitlines()[12:]
        == reference.read_text(encoding="utf-8").splitlines()[12:]
    )


def test_read_approval_file_gives_the_librarys_layer_and_points(run, feedback, tmp_path):
    """A 部标 TXT read in QGIS: the library's parcels (areas to 0.01 m²) and named points."""
    import geopandas as gpd
    import shapely
    from pyproj import Geod

    import suzhou_geo as sg

    shp, _ = parcels_shapefile(tmp_path)
    txt = sg.write_layer(gpd.read_file(shp, encoding="GBK"), tmp_path / "项目.txt", crs="EPSG:4528")
    res = run(
        "read_approval_file",
        {
            "INPUT": str(txt),
            "OUTPUT": str(tmp_path / "项目.gpkg"),
            "POINTS": str(tmp_path / "界址点.gpkg"),
        },
    )
    reference = sg.io.read(str(txt), repair=False)
    got = rows(read_layer(res["OUTPUT"]))
    assert len(got) == len(reference.frame)
    geod = Geod(ellps="GRS80")
    for g, (_, w) in zip(got, reference.frame.iterrows(), strict=True):
        assert g["地块编号"] == w["地块编号"] and g["界址点"] == w["界址点"]
        declared = w["declared_area_ha"]
        assert g["declared_area_ha"] == (None if declared != declared else pytest.approx(declared))
        mine = abs(
            geod.geometry_area_perimeter(shapely.from_wkb(bytes(g["__geometry__"].asWkb())))[0]
        )
        assert mine == pytest.approx(abs(geod.geometry_area_perimeter(w.geometry)[0]), abs=0.01)
    points = rows(read_layer(res["POINTS"]))
    want = sg.io.boundary_points(reference)
    assert [(p["row"], p["ring"], p["point"]) for p in points] == list(
        zip(want["row"], want["ring"], want["point"], strict=True)
    )
    assert points[0]["x_file"] == pytest.approx(want["x_file"].iloc[0], abs=1e-6)
    assert any("EPSG:4528" in m for m in feedback.infos)  # the CRS decision, logged


def test_a_point_table_needs_and_takes_a_crs(run, tmp_path):
    """A 界址点坐标表 without CRS: refused with the library's words; with CRS given, read."""
    from qgis.core import QgsProcessingException

    import suzhou_geo as sg

    table = tmp_path / "界址点坐标.csv"
    table.write_text(
        "地块编号,点号,X,Y\nK-1,J1,3471000,585000\nK-1,J2,3471000,585100\nK-1,J3,3471100,585100\n"
        "K-1,J4,3471100,585000\n",
        encoding="utf-8",
    )
    with pytest.raises(sg.errors.SuzhouGeoError) as lib:
        sg.io.read(str(table), repair=False)
    with pytest.raises(QgsProcessingException) as err:
        run("read_approval_file", {"INPUT": str(table), "OUTPUT": str(tmp_path / "a.gpkg")})
    # the library's words, the fix naming the dialog's parameter instead of a Python keyword
    assert "crs='EPSG:4549'" in str(lib.value)
    assert str(err.value) == str(lib.value).replace(
        "crs='EPSG:4549'", "「坐标参照系（文件未声明时）CRS, when the file declares none」 = EPSG:4549"
    )
    res = run(
        "read_approval_file",
        {
            "INPUT": str(table),
            "CRS": "EPSG:4549",
            "OUTPUT": str(tmp_path / "b.gpkg"),
            "POINTS": str(tmp_path / "p.gpkg"),
        },
    )
    got = rows(read_layer(res["OUTPUT"]))
    assert [g["地块编号"] for g in got] == ["K-1"]
    assert [p["point"] for p in rows(read_layer(res["POINTS"]))] == ["J1", "J2", "J3", "J4"]
