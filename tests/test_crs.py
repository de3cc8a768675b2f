"""GCJ-02 transforms and CRS checks, against an independent transcription of the formula."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import Point, Polygon

import suzhou_geo as sg
from suzhou_geo.crs import CRSError, guess_crs

GEOD = Geod(ellps="WGS84")


def ref_wgs2gcj(lon: float, lat: float) -> tuple[float, float]:
    """Apply the published forward formula, transcribed with ``math`` one point at a time.

    As in cnmaps.geo / coordTransform, independently of the library's numpy code.
    """
    a = 6378245.0
    ee = 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    ret_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret_lat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    ret_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret_lon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (ret_lat * 180.0) / ((a * (1 - ee)) / (magic * sqrtmagic) * math.pi)
    dlon = (ret_lon * 180.0) / (a / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.mark.parametrize("lon,lat", [(120.6, 31.3), (120.95, 31.39), (119.95, 30.8), (121.3, 32.0)])
def test_forward_matches_published_formula(lon, lat):
    glon, glat = sg.wgs84_to_gcj02(lon, lat)
    rlon, rlat = ref_wgs2gcj(lon, lat)
    assert metres(glon, glat, rlon, rlat) < 1e-6
    # and the offset is of the size the research notes report for Suzhou (460-525 m)
    assert 400 < metres(lon, lat, glon, glat) < 560


def test_known_offset_at_suzhou_centre():
    glon, glat = sg.wgs84_to_gcj02(120.6, 31.3)
    assert glon - 120.6 == pytest.approx(0.00417, abs=5e-5)
    assert glat - 31.3 == pytest.approx(-0.00219, abs=5e-5)


@settings(max_examples=300, deadline=None)
@given(
    lon=st.floats(min_value=119.8, max_value=121.5, allow_nan=False),
    lat=st.floats(min_value=30.6, max_value=32.2, allow_nan=False),
)
def test_round_trip_under_1cm(lon, lat):
    glon, glat = sg.wgs84_to_gcj02(lon, lat)
    wlon, wlat = sg.gcj02_to_wgs84(glon, glat)
    assert metres(lon, lat, wlon, wlat) < 0.01


def test_round_trip_grid_vectorised():
    lon, lat = np.meshgrid(np.linspace(119.9, 121.4, 61), np.linspace(30.7, 32.1, 57))
    g = sg.wgs84_to_gcj02(lon.ravel(), lat.ravel())
    w = sg.gcj02_to_wgs84(*g)
    d = GEOD.inv(lon.ravel(), lat.ravel(), w[0], w[1])[2]
    assert d.max() < 0.01


def test_outside_china_unchanged():
    assert sg.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert sg.gcj02_to_wgs84(-74.0, 40.7) == (-74.0, 40.7)


def test_geometry_and_frame_inputs():
    poly = Polygon([(120.6, 31.3), (120.61, 31.3), (120.61, 31.31)])
    g = sg.wgs84_to_gcj02(poly)
    xy = shapely.get_coordinates(g)
    for (x, y), (x0, y0) in zip(xy, shapely.get_coordinates(poly), strict=True):
        rx, ry = ref_wgs2gcj(x0, y0)
        assert (x, y) == pytest.approx((rx, ry), abs=1e-12)
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[poly], crs="EPSG:4490")
    gf = sg.wgs84_to_gcj02(frame)
    assert gf.crs is None and gf.attrs["suzhou_geo_coordinates"] == "GCJ-02"
    back = sg.gcj02_to_wgs84(gf)
    assert back.crs.to_epsg() == 4490
    assert shapely.get_coordinates(back.geometry.iloc[0]) == pytest.approx(shapely.get_coordinates(poly), abs=1e-9)
    arr = sg.wgs84_to_gcj02(np.array([[120.6, 31.3]]))
    assert arr.shape == (1, 2)


def test_gcj_refuses_projected_input():
    frame = gpd.GeoDataFrame(geometry=[Point(120.6, 31.3)], crs=4490).to_crs(4549)
    with pytest.raises(CRSError, match="EPSG:4490"):
        sg.wgs84_to_gcj02(frame)


def test_ensure_crs_missing_names_the_likely_crs():
    g = gpd.GeoDataFrame(geometry=[Point(557_000, 3_465_000)])  # central Suzhou in GK CM 120°E
    with pytest.raises(CRSError, match="EPSG:4549"):
        sg.ensure_crs(g)
    # 280 km east is 117.7°E in EPSG:4549 (Anhui), but Kunshan in UTM 51N and in GK CM 123°E: both named
    utm = gpd.GeoDataFrame(geometry=[Point(280_000, 3_465_000)])
    with pytest.raises(CRSError, match="EPSG:4550.*EPSG:32651.*cannot tell apart") as err:
        sg.ensure_crs(utm)
    assert "EPSG:4549" not in str(err.value) and "GCJ-02" not in str(err.value)
    g40 = gpd.GeoDataFrame(geometry=[Point(40_280_000, 3_465_000)])
    with pytest.raises(CRSError, match="EPSG:4528"):
        sg.ensure_crs(g40)


def test_ensure_crs_assume_and_gcj():
    p = gpd.GeoSeries([Point(120.6, 31.3)], crs=4490)
    gk = p.to_crs(4549)
    bare = gpd.GeoDataFrame(geometry=gk.set_crs(None, allow_override=True))
    out = sg.ensure_crs(bare, assume="EPSG:4549")
    assert out.crs.to_epsg() == 4490
    assert metres(out.geometry.x[0], out.geometry.y[0], 120.6, 31.3) < 1e-3
    glon, glat = ref_wgs2gcj(120.6, 31.3)
    labelled_wgs = gpd.GeoDataFrame(geometry=[Point(glon, glat)], crs=4326)
    out = sg.ensure_crs(labelled_wgs, assume="GCJ-02")
    assert metres(out.geometry.x[0], out.geometry.y[0], 120.6, 31.3) < 0.01
    with pytest.raises(CRSError, match="override=True"):
        sg.ensure_crs(gk, assume="EPSG:3857")


def test_ensure_crs_degrees_declared_but_metres():
    g = gpd.GeoDataFrame(geometry=[Point(280_000, 3_465_000)], crs=4326)
    with pytest.raises(CRSError, match="not degrees"):
        sg.ensure_crs(g)
    assert sg.ensure_crs(g, assume="EPSG:4549").total_bounds[0] == pytest.approx(117.7, abs=0.1)


def test_guess_crs():
    assert guess_crs((120.0, 31.0, 121.0, 32.0))[0] == "EPSG:4490"
    assert guess_crs((13.4e6, 3.6e6, 13.5e6, 3.7e6)) == ["EPSG:3857"]
    assert "swapped" in guess_crs((3.4e6, 230_000, 3.5e6, 330_000))[0]


def test_a_datum_shift_never_hides_the_librarys_warnings_even_if_its_filter_outlives_it(monkeypatch):
    """The warning filters are shared by every thread: one thread's block can keep another's filter past its end.

    Worst case simulated: blocks that never restore the filters.  What the datum shift
    silences (pyproj's note on PROJ strings) must then be all it silences.
    """
    import contextlib
    import warnings

    from suzhou_geo.crs import DatumShift
    from suzhou_geo.errors import SuzhouGeoWarning

    with warnings.catch_warnings():  # the test's own block restores the filters at the end
        monkeypatch.setattr(warnings, "catch_warnings", contextlib.nullcontext)
        DatumShift(-10, 150, 80).pipeline("EPSG:2385")  # Xi'an 1980 GK: its projection read as a PROJ string
        monkeypatch.undo()
        with warnings.catch_warnings(record=True) as seen:  # records what the filters let through, changes none
            warnings.warn("a library warning, still seen", SuzhouGeoWarning, stacklevel=1)
            warnings.warn("any other user warning, still seen", UserWarning, stacklevel=1)
            warnings.warn("You will likely lose important projection information (pyproj)", UserWarning,
                          stacklevel=1)
        assert [str(w.message) for w in seen] == ["a library warning, still seen", "any other user warning, still seen"]
