"""红线面积底线 Redline floors in QGIS gives the library's floor checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from _gbk import parcels_shapefile, redlines_shapefile
from conftest import read_layer, rows

#: The columns of FloorCheck.to_frame() compared exactly (the library rounds areas to 0.0001 km²).
COLUMNS = (
    "region",
    "area_km2",
    "floor_km2",
    "margin_km2",
    "ok",
    "result",
    "removed_km2",
    "kind",
    "illustrative",
    "method",
    "source",
    "data_note",
)


def table(path: str) -> list[dict]:
    """Return the rows of a result table (without fid and geometry)."""
    got = rows(read_layer(path))
    for r in got:
        r.pop("fid", None)
        r.pop("__geometry__")
    return got


def assert_same_checks(got: list[dict], checks, columns=COLUMNS) -> None:
    """Assert that the table rows are the library's FloorCheck.to_frame() rows."""
    want = [c.to_frame().iloc[0].to_dict() for c in checks]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        for c in columns:
            expected = (
                None
                if w[c] is None
                else (bool(w[c]) if isinstance(w[c], bool) or c in ("ok", "illustrative") else w[c])
            )
            assert g[c] == expected, (c, g[c], w[c])


def test_bundled_redlines_both_floors(run, tmp_path):
    """Both floors on the bundled redlines: table, units and summary as the library's."""
    import suzhou_geo as sg

    res = run(
        "redline_floors",
        {
            "OUTPUT": str(tmp_path / "floors.gpkg"),
            "BY_DISTRICT": str(tmp_path / "units.gpkg"),
            "SUMMARY": str(tmp_path / "底线.md"),
        },
    )
    checks = [sg.check_floor(region) for region in sg.FLOORS]
    assert_same_checks(table(res["OUTPUT"]), checks)
    units = table(res["BY_DISTRICT"])
    want = [
        (c.region, r.adcode, r.name_zh, r.area_km2)
        for c in checks
        for r in c.by_district.itertuples()
    ]
    assert [(u["region"], u["adcode"], u["name_zh"], u["area_km2"]) for u in units] == want
    md = Path(res["SUMMARY"]).read_text(encoding="utf-8")
    for c in checks:
        assert f"{c.area_km2:,.4f} km²" in md and c.source in md
    assert "非官方生态保护红线" in md and "not the official ecological protection redline" in md


def test_what_if_with_a_gbk_shapefile_in_epsg_4528(run, tmp_path):
    """Official-style redlines and proposed parcels, both GBK Shapefiles in EPSG:4528."""
    import suzhou_geo as sg

    red = redlines_shapefile(tmp_path)
    minus, _ = parcels_shapefile(tmp_path)
    res = run(
        "redline_floors",
        {
            "REDLINES": str(red),
            "MINUS": str(minus),
            "OUTPUT": str(tmp_path / "f.gpkg"),
            "SUMMARY": str(tmp_path / "f.html"),
        },
    )
    official = sg.load_redlines(str(red))
    checks = [sg.check_floor(region, redlines=official, minus=str(minus)) for region in sg.FLOORS]
    got = table(res["OUTPUT"])
    assert_same_checks(got, checks, [c for c in COLUMNS if c != "data_note"])
    assert {r["data_note"] for r in got} == {
        f"supplied data: 生态红线_gbk ({red})"
    }  # the layer, named
    assert all(r["removed_km2"] > 0 for r in got) and not any(r["illustrative"] for r in got)
    page = Path(res["SUMMARY"]).read_text(encoding="utf-8")
    assert "生态红线_gbk" in page and "地块_gbk" in page and "非官方" not in page


def test_one_region_and_every_kind(run, tmp_path):
    """One region, every kind of redline counted."""
    import suzhou_geo as sg

    res = run("redline_floors", {"REGIONS": [1], "KIND": 2, "OUTPUT": str(tmp_path / "k.gpkg")})
    region = list(sg.FLOORS)[1]
    assert_same_checks(table(res["OUTPUT"]), [sg.check_floor(region, kind=None)])


def test_no_region_is_an_error(run, tmp_path):
    """No region chosen: an error saying so, not an empty table."""
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        run("redline_floors", {"REGIONS": [], "OUTPUT": str(tmp_path / "n.gpkg")})
    assert "REGIONS" in str(err.value) or "region" in str(err.value)


def test_a_redline_the_library_refuses_is_a_processing_exception(run, tmp_path):
    """A bow-tie redline whose repair would change its area: the library's error, in one line."""
    import geopandas as gpd
    from qgis.core import QgsProcessingException
    from shapely.geometry import Polygon

    import suzhou_geo as sg

    bowtie = Polygon([(120.90, 31.30), (120.95, 31.35), (120.95, 31.30), (120.90, 31.35)])
    path = tmp_path / "领结红线.gpkg"
    gpd.GeoDataFrame({"名称": ["领结"]}, geometry=[bowtie], crs="EPSG:4490").to_file(path)
    frame = gpd.read_file(path, fid_as_index=True).rename_axis("fid")  # rows named by feature id
    with pytest.raises(sg.errors.SuzhouGeoError) as lib:
        sg.load_redlines(sg.io.Source(frame, name=f"领结红线 ({path})"))
    with pytest.raises(QgsProcessingException) as err:
        run("redline_floors", {"REDLINES": str(path), "OUTPUT": str(tmp_path / "x.gpkg")})
    # the library's words; its fix names the dialog's advanced parameter, not invalid=
    param = "「面积因修复而改变的红线要素 Redline features whose repair changes their area」"
    assert "invalid='exclude'" in str(lib.value) and "invalid='repair'" in str(lib.value)
    assert str(err.value) == str(lib.value).replace("invalid='exclude'", f"{param} = exclude").replace(
        "invalid='repair'", f"{param} = repair"
    )
    res = run(
        "redline_floors",
        {"REDLINES": str(path), "REDLINES_INVALID": 1, "OUTPUT": str(tmp_path / "y.gpkg")},
    )
    assert table(res["OUTPUT"])[0]["area_km2"] >= 0
