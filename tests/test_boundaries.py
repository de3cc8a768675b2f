"""Bundled boundaries: lookups, tiling, neighbours and shared borders."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
from pyproj import Geod

import suzhou_geo as sg

GRS80 = Geod(ellps="GRS80")
SUZHOU_UNITS = ["姑苏区", "虎丘区", "吴中区", "相城区", "吴江区", "常熟市", "张家港市", "昆山市", "太仓市"]


def geod_area(geom):
    return abs(GRS80.geometry_area_perimeter(shapely.orient_polygons(geom))[0])


@pytest.mark.parametrize("name", ["昆山市", "昆山", "Kunshan", "kunshan", 320583, "320583", "Kunshan City"])
def test_lookup_spellings(name):
    b = sg.boundary(name)
    assert len(b) == 1 and b.adcode.iloc[0] == "320583" and b.crs.to_epsg() == 4490


def test_unknown_name_lists_closest():
    with pytest.raises(ValueError, match="Kunshan"):
        sg.boundary("Kunshna")
    with pytest.raises(ValueError, match="昆山市"):
        sg.boundary("昆山县城")


def test_kunshan_area_near_931(kunshan):
    a = sg.area_km2(kunshan).iloc[0]
    assert abs(a / 931 - 1) < 0.005
    # independent: Geod on the raw polygon
    assert a * 1e6 == pytest.approx(geod_area(kunshan.geometry.iloc[0]), rel=1e-9)
    # the GCJ-02 conversion was applied: ~929.5 rather than the raw 931.2 km²
    assert 929.0 < a < 930.2


def test_units_tile_the_city(suzhou_units):
    units = suzhou_units[suzhou_units.level == "county"]
    assert sorted(units.name_zh) == sorted(SUZHOU_UNITS)
    city = suzhou_units[suzhou_units.level == "city"].geometry.iloc[0]
    union = shapely.union_all(units.geometry.values)
    assert geod_area(union) == pytest.approx(geod_area(city), rel=1e-3)
    m = units.to_crs(4549)
    for (i, a), (j, b) in itertools.combinations(m.geometry.items(), 2):
        assert a.intersection(b).area / 1e6 < 0.01, (units.name_zh[i], units.name_zh[j])


def test_neighbours_include_required_outside_units():
    outside = set(sg.neighbours("苏州市").name_zh)
    assert {"嘉定区", "青浦区", "宝山区"} <= outside
    parents = set(sg.jurisdictions().set_index("name_zh").loc[list(outside), "parent"])
    assert {"无锡市", "嘉兴市", "湖州市", "南通市"} <= parents
    assert not outside & set(SUZHOU_UNITS)


def test_jurisdictions_columns():
    t = sg.jurisdictions()
    for col in ("name_zh", "name_en", "adcode", "level", "parent", "basis", "accuracy_m"):
        assert col in t.columns
    assert t.adcode.is_unique and len(t) >= 30


def test_shared_border_kunshan_jiading():
    sb = sg.shared_border("昆山市", "嘉定区")
    length = sb.length_m.iloc[0]
    assert 17_000 < length < 21_000
    line = sb.geometry.iloc[0]
    # independent length: Geod over every part of the line
    parts = getattr(line, "geoms", [line])
    assert sum(GRS80.line_length(*p.coords.xy) for p in parts) == pytest.approx(length, abs=0.1)
    # every vertex of the border lies on both polygons' outlines (within the sliver tolerance)
    m = sb.to_crs(4549).geometry.iloc[0]
    ks = sg.boundary("昆山市").to_crs(4549).geometry.iloc[0]
    jd = sg.boundary("嘉定区").to_crs(4549).geometry.iloc[0]
    pts = shapely.points(shapely.get_coordinates(m))
    assert np.all(shapely.distance(pts, ks.boundary) < 1)
    assert np.all(shapely.distance(pts, jd) < 50.01)


def test_no_shared_border_raises():
    with pytest.raises(ValueError, match="share no border"):
        sg.shared_border("张家港市", "吴江区")
