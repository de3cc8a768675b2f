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


def test_projected_area_set_up_once_per_crs_however_it_is_given():
    """The CRS's parameters are made once per CRS: another CRS, in any spelling, gets its own."""
    from pyproj import CRS

    from suzhou_geo.measure import area_m2_projected

    ll = shapely.box(121.2, 31.3, 121.203, 31.302)  # 6 ha, 1.2° east of EPSG:4549's meridian
    ref = abs(GRS80.geometry_area_perimeter(shapely.orient_polygons(shapely.segmentize(ll, 1e-5)))[0])
    for code in ("EPSG:4549", "EPSG:4528", "EPSG:4529"):  # 3° zones: CM 120°, zone 40 (CM 120°), zone 41 (CM 123°)
        gk = gpd.GeoSeries([shapely.segmentize(ll, 1e-5)], crs=4490).to_crs(code).values
        crs = CRS(code)
        for given in (code, crs, crs.to_json_dict(), crs.to_wkt()):
            for _ in range(2):
                assert area_m2_projected(gk, given)[0] == pytest.approx(ref, abs=2e-3), (code, given)
    for _ in range(2):  # a refusal is not remembered as an answer
        with pytest.raises(ValueError, match="projected"):
            area_m2_projected(np.array([ll]), "EPSG:4490")


def _geod_gk(geoms, step=1.0):
    """Measure EPSG:4549 polygons split every *step* m with Geod (geodesic and GK-straight pieces agree)."""
    ll = gpd.GeoSeries(shapely.segmentize(geoms, step), crs=4549).to_crs(4490).values
    return np.array([abs(GRS80.geometry_area_perimeter(shapely.orient_polygons(g))[0]) for g in ll])


def test_projected_area_of_parcels_far_below_the_report_rounding():
    from suzhou_geo.measure import area_m2_projected

    # parcels of 0.5-10 ha, rotated, with a hole in some, from the central meridian to 150 km east and west
    rng = np.random.default_rng(2026)
    n = 300
    x, y = rng.uniform(350_000, 650_000, n), rng.uniform(3_400_000, 3_600_000, n)
    w, h = np.sqrt(rng.uniform(5_000, 100_000, n) * np.array([[0.5], [2.0]]))
    geoms = shapely.box(x, y, x + w, y + h)
    geoms = np.array([shapely.affinity.rotate(g, a) for g, a in zip(geoms, rng.uniform(0, 90, n), strict=True)])
    geoms[::7] = [shapely.difference(g, g.centroid.buffer(20)) for g in geoms[::7]]
    got, want = area_m2_projected(geoms), _geod_gk(geoms)
    assert np.abs(got - want).max() < 1e-3  # a tenth of the 0.01 m² rounding (Geod's own noise is ~1e-4 here)


def test_projected_area_of_large_and_far_features_is_geodesic():
    from suzhou_geo.measure import area_m2_projected

    # 1-30 km features (the shortcut would be off by 1e-3 to 100 m²) and 400 km from the central meridian
    big = [shapely.box(520_000, 3_460_000, 520_000 + s, 3_460_000 + 0.7 * s) for s in (1e3, 5e3, 3e4)]
    far = [shapely.box(100_000, 3_300_000, 101_000, 3_300_500), shapely.box(900_000, 3_300_000, 900_200, 3_300_100)]
    geoms = np.array(big + far)
    got, want = area_m2_projected(geoms), _geod_gk(geoms, step=5.0)
    assert np.all(np.abs(got - want) <= np.maximum(1e-3, 1e-10 * want)), got - want
    # and the planar shortcut really would be off for the big ones (that is why they are measured geodesically)
    assert abs(shapely.area(geoms[2]) / 0.99995 - want[2]) > 1.0


def test_transverse_mercator_scale_series_against_proj():
    from pyproj import Proj

    from suzhou_geo.measure import _tm_areal_scale  # the series, against PROJ's exact scale

    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(117.0, 123.0, 10_000), rng.uniform(18.0, 50.0, 10_000)
    want = np.asarray(Proj("EPSG:4549").get_factors(lon, lat).areal_scale)
    got = _tm_areal_scale(lon, lat, lon_0=120.0, k_0=1.0, a=6378137.0, f=1 / 298.257222101)
    assert np.abs(got / want - 1).max() < 3e-10


def _area_of_straight_lonlat_edges(g) -> float:
    """Return the ellipsoid's area inside edges straight in longitude/latitude, by Green's theorem (independently).

    ``A = |∮ F(φ) dλ|``, *F* the closed-form area of the ellipsoidal zone from the equator to *φ* per radian
    of longitude; along each straight edge the integrand is smooth, so 8-point Gauss-Legendre is exact to
    machine precision.
    """
    a, f = 6_378_137.0, 1 / 298.257222101
    e2 = f * (2 - f)
    e = math.sqrt(e2)

    def zone(phi):
        s = np.sin(phi)
        return a * a * (1 - e2) * (s / (2 * (1 - e2 * s * s)) + np.log((1 + e * s) / (1 - e * s)) / (4 * e))

    t, w = np.polynomial.legendre.leggauss(8)
    t, w = (t + 1) / 2, w / 2
    def ring(coords) -> float:
        xy = np.radians(np.asarray(coords))
        return abs(sum(np.sum(w * zone(p0 + t * (p1 - p0))) * (l1 - l0)
                       for (l0, p0), (l1, p1) in zip(xy[:-1], xy[1:], strict=True)))

    return sum(ring(p.exterior.coords) - sum(ring(h.coords) for h in p.interiors) for p in getattr(g, "geoms", [g]))


def test_lonlat_area_is_the_area_of_the_stored_shape():
    from suzhou_geo.measure import area_m2_lonlat

    rng = np.random.default_rng(8)
    cx, cy, s = rng.uniform(119.9, 121.4, 60), rng.uniform(30.7, 32.1, 60), 10 ** rng.uniform(-4, -1.7, 60)
    geoms = [shapely.affinity.rotate(box(x - a, y - a / 2, x + a, y + a / 2), float(t))
             for x, y, a, t in zip(cx, cy, s, rng.uniform(0, 180, 60), strict=True)]
    holed = box(120.5, 31.2, 120.52, 31.21).difference(box(120.505, 31.203, 120.51, 31.206))
    geoms += [holed, shapely.MultiPolygon([box(120.1, 31.1, 120.101, 31.101), box(120.3, 31.4, 120.302, 31.401)]),
              box(120.0, 31.0, 120.5, 31.5), None, Polygon()]  # the large one is measured on its copy
    got = area_m2_lonlat(np.array(geoms, dtype=object))
    for g, a in zip(geoms[:-2], got[:-2], strict=True):
        ref = _area_of_straight_lonlat_edges(g)
        assert abs(a - ref) <= (1e-4 if ref < 150_000 else 1e-7 * ref), (a, ref)
    geod = abs(GRS80.geometry_area_perimeter(shapely.orient_polygons(shapely.segmentize(geoms[0], 1e-6)))[0])
    assert abs(_area_of_straight_lonlat_edges(geoms[0]) - geod) < 1e-3  # the reference against pyproj.Geod
    assert np.isnan(got[-2]) and got[-1] == 0.0


def test_parcel_areas_are_measured_where_their_edges_are_straight(tmp_path):
    # a triangle with a 300 m base along a parallel, stored in longitude/latitude, and the same three corners
    # stored in EPSG:4549: two shapes (the base bows by ~0.6 mm between them), each measured as stored
    from pyproj import Transformer

    from suzhou_geo.layer import Layer

    ll = Polygon([(120.60, 31.30), (120.603157, 31.30), (120.6015, 31.3004)])
    fwd = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)
    back = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
    gk = shapely.transform(ll, fwd.transform, interleaved=False)
    gpd.GeoDataFrame(geometry=[gk], crs="EPSG:4549").to_file(tmp_path / "gk.gpkg")
    a_ll = Layer(gpd.GeoDataFrame(geometry=[ll], crs="EPSG:4490"), None).areas_of(np.array([0]))[0]
    a_gk = sg.io.read(tmp_path / "gk.gpkg").areas_of(np.array([0]))[0]
    ref_ll = _area_of_straight_lonlat_edges(ll)
    dense_gk = shapely.transform(shapely.segmentize(gk, 0.01), back.transform, interleaved=False)
    ref_gk = _area_of_straight_lonlat_edges(dense_gk)  # 1 cm chords of the straight EPSG:4549 edges
    assert abs(a_ll - ref_ll) < 1e-4 and abs(a_gk - ref_gk) < 1e-3
    assert abs(ref_ll - ref_gk) > 0.02  # the two shapes differ, and each is measured as itself
