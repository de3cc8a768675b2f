"""Areas and lengths against pyproj.Geod and hand-computed figures."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon, box

import suzhou_geo as sg
from suzhou_geo.measure import area_m2_fast

GRS80 = Geod(ellps="GRS80")


def dense_box(x0, y0, x1, y1, n=200):
    """Return a box with n vertices per edge, so reprojection keeps its shape."""
    t = np.linspace(0, 1, n, endpoint=False)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(n, x1), x1 - (x1 - x0) * t, np.full(n, x0)])
    ys = np.concatenate([np.full(n, y0), y0 + (y1 - y0) * t, np.full(n, y1), y1 - (y1 - y0) * t])
    return Polygon(np.column_stack([xs, ys]))


def test_area_matches_geod_1e9():
    poly = Polygon([(120.5, 31.2), (120.9, 31.25), (120.8, 31.6), (120.45, 31.5)])
    expected, _ = GRS80.polygon_area_perimeter(*poly.exterior.coords.xy)
    assert sg.area_km2(poly) == pytest.approx(abs(expected) / 1e6, rel=1e-9)


def test_area_with_hole_and_multipolygon():
    outer, hole = box(120.0, 31.0, 120.2, 31.2), box(120.05, 31.05, 120.1, 31.1)
    a_out = abs(GRS80.polygon_area_perimeter(*outer.exterior.coords.xy)[0])
    a_hole = abs(GRS80.polygon_area_perimeter(*hole.exterior.coords.xy)[0])
    p = Polygon(outer.exterior.coords, [hole.exterior.coords[::-1]])
    assert sg.area_m2(p) == pytest.approx(a_out - a_hole, rel=1e-9)
    # same hole, the other orientation: still subtracted
    p2 = Polygon(outer.exterior.coords[::-1], [hole.exterior.coords])
    assert sg.area_m2(p2) == pytest.approx(a_out - a_hole, rel=1e-9)
    mp = shapely.MultiPolygon([box(120, 31, 120.01, 31.01), box(121, 31, 121.01, 31.01)])
    parts = [abs(GRS80.polygon_area_perimeter(*g.exterior.coords.xy)[0]) for g in mp.geoms]
    assert sg.area_m2(mp) == pytest.approx(sum(parts), rel=1e-9)


def test_same_area_in_4490_4549_3857():
    poly = dense_box(120.55, 31.25, 120.65, 31.35)
    g4490 = gpd.GeoSeries([poly], crs=4490)
    ref = sg.area_km2(g4490).iloc[0]
    for epsg in (4549, 3857, 4528):
        assert sg.area_km2(g4490.to_crs(epsg)).iloc[0] == pytest.approx(ref, rel=1e-6), epsg
    # and never Web Mercator's own units, which overstate by ~37 % here
    assert g4490.to_crs(3857).area.iloc[0] / 1e6 > 1.3 * ref


def test_gk_method_is_planar_4549():
    poly = box(120.6, 31.3, 120.62, 31.32)
    planar = gpd.GeoSeries([poly], crs=4490).to_crs(4549).area.iloc[0]
    assert sg.area_m2(poly, method="gk") == pytest.approx(planar, rel=1e-12)


def test_hand_computed_rectangle_in_gk():
    # a 2 km x 1 km rectangle drawn in EPSG:4549 near the central meridian: scale ~1
    rect = gpd.GeoSeries([box(500_000, 3_460_000, 502_000, 3_461_000)], crs=4549)
    assert sg.area_m2(rect).iloc[0] == pytest.approx(2_000_000, rel=1e-4)


def test_fast_area_agrees_with_geod():
    rng = np.random.default_rng(0)
    x = rng.uniform(120.0, 121.3, 200)
    y = rng.uniform(30.8, 32.0, 200)
    geoms = shapely.buffer(shapely.points(x, y), rng.uniform(0.0005, 0.01, 200))
    fast = area_m2_fast(geoms)
    slow = np.array([abs(GRS80.geometry_area_perimeter(shapely.orient_polygons(g))[0]) for g in geoms])
    assert np.max(np.abs(fast / slow - 1)) < 1e-6


def test_length_matches_geod_and_polygon_perimeter():
    line = LineString([(120.0, 31.0), (120.3, 31.2), (120.6, 31.1)])
    expected = GRS80.line_length(*line.coords.xy)
    assert sg.length_m(line) == pytest.approx(expected, rel=1e-12)
    poly = box(120, 31, 120.1, 31.1)
    assert sg.length_m(poly) == pytest.approx(GRS80.line_length(*poly.exterior.coords.xy), rel=1e-12)


def test_empty_missing_points():
    s = gpd.GeoSeries([Polygon(), None, Point(120, 31), box(120, 31, 120.01, 31.01)], crs=4490)
    a = sg.area_m2(s)
    assert a.iloc[0] == 0 and math.isnan(a.iloc[1]) and a.iloc[2] == 0 and a.iloc[3] > 1e6
    assert list(a.index) == [0, 1, 2, 3]


def test_no_crs_is_an_error():
    with pytest.raises(sg.CRSError):
        sg.area_km2(gpd.GeoSeries([box(0, 0, 1, 1)]))


def test_gcj_declared_area():
    poly = dense_box(120.55, 31.25, 120.65, 31.35, n=50)
    shifted = sg.wgs84_to_gcj02(poly)
    assert sg.area_km2(shifted, crs="GCJ-02") == pytest.approx(sg.area_km2(poly), rel=1e-6)


def test_projected_area_agrees_with_geod():
    from suzhou_geo.measure import area_m2_projected

    rng = np.random.default_rng(7)
    x = rng.uniform(119.95, 121.3, 300)
    y = rng.uniform(30.8, 32.0, 300)
    geoms = shapely.buffer(shapely.points(x, y), rng.uniform(0.001, 0.03, 300), quad_segs=6)
    gk = np.asarray(gpd.GeoSeries(geoms, crs=4490).to_crs(4549).values)
    # the reference: Geod on the same (densified-enough) polygons back in longitude/latitude
    back = gpd.GeoSeries(gk, crs=4549).to_crs(4490).values
    ref = np.array([abs(GRS80.geometry_area_perimeter(shapely.orient_polygons(g))[0]) for g in back])
    got = area_m2_projected(gk)
    assert np.max(np.abs(got / ref - 1)) < 1e-6
    # missing and empty rows; a geographic CRS is refused
    assert np.isnan(area_m2_projected(np.array([None], dtype=object))[0])
    assert area_m2_projected(np.array([Polygon()], dtype=object))[0] == 0
    with pytest.raises(ValueError, match="projected"):
        area_m2_projected(geoms, "EPSG:4490")
