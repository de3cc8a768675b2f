"""data/hydrography (GSHHG 2.3.7): figures checked with pyproj.Geod directly, not the library."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from suzhou_geo.io.bundled import data_path

GEOD = Geod(ellps="GRS80")
TO_M = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)


def geod_area_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0]) / 1e6


def geod_length_km(geom) -> float:
    return GEOD.geometry_length(geom) / 1000


def metric(geom):
    return shapely.transform(geom, TO_M.transform, interleaved=False)


@pytest.fixture(scope="module")
def lakes():
    return gpd.read_file(data_path("hydrography", "lakes.geojson"))


@pytest.fixture(scope="module")
def rivers():
    return gpd.read_file(data_path("hydrography", "rivers.geojson"))


@pytest.fixture(scope="module")
def yangtze():
    return gpd.read_file(data_path("hydrography", "yangtze.geojson"))


@pytest.fixture(scope="module")
def units():
    import suzhou_geo as sg

    return sg.jurisdictions(geometry=True).set_index("name_zh")


def test_files_have_crs_columns_and_valid_geometry(lakes, rivers, yangtze):
    need = {"name_zh", "name_en", "basis", "accuracy_m", "source"}
    for gdf, extra in ((lakes, {"gshhg_level", "area_km2"}), (rivers, {"wdbii_class"}), (yangtze, {"gshhg_level"})):
        assert gdf.crs.to_epsg() == 4490
        assert need | extra <= set(gdf.columns)
        assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
        assert (gdf.accuracy_m >= 100).all()
    assert set(lakes.geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(rivers.geom_type) <= {"LineString", "MultiLineString"}
    assert (lakes.basis == "GSHHG 2.3.7 full, level 2 lake shore").all()


def test_yangcheng_lake_area_is_110_to_125_km2(lakes):
    lake = lakes[lakes.name_zh == "阳澄湖"]
    assert len(lake) == 1
    a = geod_area_km2(lake.geometry.iloc[0])
    assert 110 <= a <= 125
    assert lake.area_km2.iloc[0] == pytest.approx(a, abs=0.01)


@pytest.mark.parametrize(
    "name, point, lo, hi",
    [
        ("太湖", (120.23, 31.20), 2200, 2550),  # widely quoted: 2 338.1 km² water, 2 427.8 km² with islands
        ("阳澄湖", (120.80, 31.43), 110, 125),  # 117.4 / 120.75 km² (data/hydrography/README.md)
        ("淀山湖", (120.96, 31.12), 55, 75),  # 62–63 km² (data/hydrography/README.md)
    ],
)
def test_named_lakes_hold_their_anchor_and_have_plausible_areas(lakes, name, point, lo, hi):
    g = lakes.loc[lakes.name_zh == name, "geometry"].iloc[0]
    assert g.contains(shapely.Point(point))
    assert lo <= geod_area_km2(g) <= hi


def test_lakes_do_not_overlap(lakes):
    m = [metric(g) for g in lakes.geometry]
    for i in range(len(m)):
        for j in range(i + 1, len(m)):
            assert shapely.intersection(m[i], m[j]).area < 1.0


def test_taihu_suzhou_share_is_most_of_the_lake(lakes, units):
    tai = lakes.loc[lakes.name_zh == "太湖", "geometry"].iloc[0]
    share = geod_area_km2(shapely.intersection(tai, units.loc["苏州市", "geometry"]))
    assert 0.55 < share / geod_area_km2(tai) < 0.85


def test_grand_canal_crosses_suzhou_from_wuxi_to_zhejiang(rivers, units):
    canal = shapely.union_all(rivers.loc[rivers.name_zh == "京杭运河", "geometry"].values)
    assert set(rivers.loc[rivers.name_zh == "京杭运河", "wdbii_class"]) == {8}
    inside = shapely.intersection(canal, units.loc["苏州市", "geometry"])
    assert 70 <= geod_length_km(inside) <= 95  # 82.3 km, 五七桥 → 鸭子坝 (data/hydrography/README.md)
    wuxi = shapely.union_all(units[units.parent == "无锡市"].geometry.values)
    zhejiang = shapely.union_all(units[units.parent.isin(["嘉兴市", "湖州市"])].geometry.values)
    assert canal.intersects(wuxi) and canal.intersects(zhejiang)
    # the longest piece inside Suzhou has one end at the Wuxi border and the other at Zhejiang's
    piece = max(shapely.get_parts(shapely.line_merge(inside)), key=lambda p: p.length)
    ends = [metric(shapely.Point(piece.coords[0])), metric(shapely.Point(piece.coords[-1]))]
    d_wx = [e.distance(metric(wuxi)) for e in ends]
    d_zj = [e.distance(metric(zhejiang)) for e in ends]
    assert min(d_wx[0] + d_zj[1], d_wx[1] + d_zj[0]) < 1_000


def test_yangtze_part_lies_in_suzhou_and_north_of_the_lakes(yangtze, units):
    water = yangtze.loc[yangtze.part == "water_within_suzhou", "geometry"].iloc[0]
    sz = metric(units.loc["苏州市", "geometry"])
    assert shapely.difference(metric(water), sz.buffer(1.0)).area < 1.0
    assert 200 < geod_area_km2(water) < 900
    assert water.bounds[1] > 31.5  # the river frontage lies north of 31.5 °N


def test_readme_and_build_info_record_provenance():
    readme = data_path("hydrography", "README.md").read_text(encoding="utf-8")
    for needle in ("GSHHG 2.3.7", "LGPL-3", "WGS84", "accuracy", "Built on"):
        assert needle.lower() in readme.lower()
    info = json.loads(data_path("hydrography", "build_info.json").read_text(encoding="utf-8"))
    assert "澄湖" in info["lakes_missing"] and "阳澄湖" in info["lakes_found"]
    assert np.isclose(info["lake_figures"]["阳澄湖"]["area_km2"], 118.92, atol=0.5)
