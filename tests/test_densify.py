"""One geometry per layer, by a stated tolerance: no point of a copy more than 1 mm from the stored shape.

Every check compares the library's copy with a brute-force reference: the
stored edges split every ~1 m (1e-5° or 1 m, where no edge bends by more than
1e-7 mm) and then converted, never the library's own densification.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString

import suzhou_geo as sg
from suzhou_geo.crs import DENSIFY_TOLERANCE_M, densify_step, gcj02_to_wgs84, wgs84_to_gcj02
from suzhou_geo.layer import to_metric

TO_GK = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)
TO_LL = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
GEOD = Geod(ellps="GRS80")
#: lon/lat box of 苏州市 and its neighbours, and a wider one (the whole 3-degree zone, 24–40°N)
SUZHOU = (119.9, 30.7, 121.4, 32.1)
ZONE = (118.5, 24.0, 121.5, 40.0)


def _gk(geoms):
    return shapely.transform(geoms, TO_GK.transform, interleaved=False)


def _gap_m(copy, truth) -> np.ndarray:
    """Per pair, the largest distance (m) from a point of *truth* (a densified line) to the *copy*'s line.

    The copy's vertices lie on the stored shape and between two of them the
    shape is a shallow arc over the copy's chord, so this one-way distance is
    also the largest distance from a point of the copy to the shape.
    """
    copy, truth = np.atleast_1d(copy), np.atleast_1d(truth)
    pts, idx = shapely.get_coordinates(truth, return_index=True)
    d = shapely.distance(shapely.points(pts), copy[idx])
    out = np.zeros(len(truth))
    np.maximum.at(out, idx, d)
    return out


def _random_edges(rng, n, box_, min_m, max_m):
    """Lon/lat segments with random position, direction and length (m) inside *box_*."""
    x0 = rng.uniform(box_[0], box_[2], n)
    y0 = rng.uniform(box_[1], box_[3], n)
    length = np.exp(rng.uniform(np.log(min_m), np.log(max_m), n))
    ang = rng.uniform(0, 2 * np.pi, n)
    dx = length * np.cos(ang) / (111_320 * np.cos(np.radians(y0)))
    dy = length * np.sin(ang) / 110_570
    return shapely.linestrings(np.stack([np.c_[x0, y0], np.c_[x0 + dx, y0 + dy]], axis=1))


@pytest.mark.parametrize("where", [SUZHOU, ZONE])
def test_metric_copy_within_1mm_of_the_lonlat_edges(where):
    rng = np.random.default_rng(20261205)
    edges = _random_edges(rng, 150, where, 10.0, 20_000.0)
    got = to_metric(edges)
    truth = _gk(shapely.segmentize(edges, 2e-5))  # ~2 m pieces: bow < 1e-7 mm
    gap = _gap_m(got, truth)
    assert gap.max() <= DENSIFY_TOLERANCE_M, gap.max()
    # and not far more than needed: unsplit, the long edges would be centimetres off
    plain = _gk(edges)
    assert _gap_m(plain, truth).max() > 100 * DENSIFY_TOLERANCE_M


def test_edges_are_split_only_where_they_would_bend():
    # the split length for lon/lat -> EPSG:4549 around Suzhou, against the bow measured by brute force
    step = densify_step(TO_GK.transform, SUZHOU, degrees=True)
    assert 0.0015 < step < 0.003  # ~170-330 m: between the 0.5 mm of a 200 m edge and the 12 mm of 1 km
    # an east-west edge of 1.2 steps bows by more than the tolerance (so it must be split) ...
    e = LineString([(120.6, 31.3), (120.6 + 1.2 * step, 31.3)])
    bow = _gap_m(_gk(e), _gk(shapely.segmentize(e, 1e-5)))
    assert bow > 0.6 * DENSIFY_TOLERANCE_M, bow
    # ... and parcels of 0.5-5 ha keep nearly all their vertices
    rng = np.random.default_rng(7)
    x, y = rng.uniform(120.3, 121.2, 2000), rng.uniform(30.9, 31.9, 2000)
    side = np.sqrt(rng.uniform(5_000, 50_000, 2000)) / 100_000
    parcels = shapely.box(x, y, x + side, y + side * 0.9)
    before = shapely.get_num_coordinates(parcels).sum()
    after = shapely.get_num_coordinates(to_metric(parcels)).sum()
    assert after < 1.05 * before


def test_layer_stored_in_4549_is_its_own_metric_copy_and_4528_is_shifted():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(530_000, 640_000, 100), rng.uniform(3_420_000, 3_560_000, 100)
    gk = shapely.box(x, y, x + rng.uniform(10, 2000, 100), y + rng.uniform(10, 2000, 100))
    lay = sg.io.read(gpd.GeoDataFrame({"i": range(100)}, geometry=gk, crs="EPSG:4549"))
    assert all(a is b for a, b in zip(lay.metric, gk, strict=True))  # neither densified nor round-tripped
    prefixed = shapely.transform(gk, lambda xy: xy + [40_000_000, 0])
    lay28 = sg.io.read(gpd.GeoDataFrame({"i": range(100)}, geometry=prefixed, crs="EPSG:4528"))
    # a pure shift: exact but for the rounding of the prefixed coordinates themselves (7.5e-9 m at 4e7)
    assert all(a.equals_exact(b, 1e-8) for a, b in zip(lay28.metric, gk, strict=True))
    # the frame in lon/lat follows the stored edges to 1 mm: finely densified and projected back
    back = _gk(shapely.segmentize(lay.geometry, 1e-5))
    gap = _gap_m(shapely.boundary(gk), shapely.boundary(back))  # the frame's shape against the stored one
    assert gap.max() <= DENSIFY_TOLERANCE_M, gap.max()
    # split only where needed: far fewer vertices than the fixed 50 m step of old
    old_rule = shapely.get_num_coordinates(shapely.segmentize(gk, 50.0)).sum()
    assert shapely.get_num_coordinates(lay.geometry).sum() < old_rule / 3


def test_gcj02_layer_is_projected_from_its_own_edges():
    # Amap coordinates: edges straight in GCJ-02 degrees, whose offset bends faster than the projection
    rng = np.random.default_rng(11)
    edges = gcj02_to_wgs84(_random_edges(rng, 200, (120.5, 31.2, 121.0, 31.6), 20.0, 5_000.0))
    gcj = wgs84_to_gcj02(edges)
    lay = sg.io.read(gpd.GeoDataFrame(geometry=gcj), crs="GCJ-02")
    truth = _gk(gcj02_to_wgs84(shapely.segmentize(gcj, 1e-5)))
    gap = _gap_m(lay.metric, truth)
    assert gap.max() <= DENSIFY_TOLERANCE_M, gap.max()


def test_same_parcel_in_4490_and_4549_gives_the_same_overlap():
    # a redline with long edges, and parcels across them given once in lon/lat and once in Gauss-Krüger
    red = gpd.GeoDataFrame({"name": ["测试红线"], "kind": ["ecological_protection_redline"]},
                           geometry=[shapely.Polygon([(120.90, 31.30), (121.02, 31.31), (121.05, 31.39),
                                                      (120.93, 31.40)])], crs="EPSG:4490")
    ring = shapely.get_coordinates(red.geometry.iloc[0].exterior)
    t = np.linspace(0.05, 0.95, 12)
    pts = np.concatenate([a + t[:, None] * (b - a) for a, b in zip(ring[:-1], ring[1:], strict=True)])
    parcels = shapely.box(pts[:, 0] - 0.001, pts[:, 1] - 0.0008, pts[:, 0] + 0.001, pts[:, 1] + 0.0008)
    ll = gpd.GeoDataFrame(geometry=parcels, crs="EPSG:4490")
    # the same shapes in EPSG:4549: edges straight in lon/lat, so split finely before projecting
    gk = gpd.GeoDataFrame(geometry=_gk(shapely.segmentize(parcels, 1e-5)), crs="EPSG:4549")
    kw = dict(redlines=red, joint_zones=False, schemes=False)
    a = sg.validate_parcels(ll, **kw).redline_overlap_m2.to_numpy()
    b = sg.validate_parcels(gk, **kw).redline_overlap_m2.to_numpy()
    assert (a > 1000).sum() >= 30
    assert (np.abs(a - b) <= np.maximum(0.01, 1e-5 * a)).all(), np.abs(a - b).max()
    # and against the overlap computed independently: the finely densified shapes, pyproj.Geod
    prot = _gk(shapely.segmentize(red.geometry.iloc[0], 1e-5))
    inter = shapely.transform(shapely.intersection(gk.geometry.values, prot), TO_LL.transform, interleaved=False)
    want = np.array([abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(g))[0]) for g in inter])
    assert (np.abs(a - want) <= np.maximum(0.01, 1e-5 * want)).all(), np.abs(a - want).max()


def test_shared_edges_are_edges_and_a_corner_across_still_counts():
    # a redline with a 12 km edge, parcels drawn along it in lon/lat (each copy within 1 mm of the shared edge)
    a, b = np.array([120.90, 31.30]), np.array([121.02, 31.31])
    red = gpd.GeoDataFrame({"name": ["测试红线"], "kind": ["ecological_protection_redline"]},
                           geometry=[shapely.Polygon([a, b, (121.05, 31.39), (120.93, 31.40)])], crs="EPSG:4490")
    d = (b - a) / np.hypot(*(b - a))
    nrm = np.array([-d[1], d[0]])  # to the left of a→b: inside the redline
    out = []
    for t in (0.2, 0.5, 0.8):
        p0, p1 = a + t * (b - a), a + (t + 0.03) * (b - a)  # ~360 m along the edge
        for side in (1, -1):
            out.append(shapely.Polygon([p0, p1, p1 + side * 0.001 * nrm, p0 + side * 0.001 * nrm]))
    # and a parcel outside whose corner reaches 30 cm across the edge
    c = a + 0.6 * (b - a) + 3e-6 * nrm  # ~0.3 m inside; the rest of the parcel outside
    out.append(shapely.Polygon([c, c - 0.001 * d - 0.0008 * nrm, c - 0.0016 * nrm, c + 0.001 * d - 0.0008 * nrm]))
    r = sg.validate_parcels(gpd.GeoDataFrame(geometry=out, crs="EPSG:4490"), redlines=red, joint_zones=False,
                            schemes=False)
    inside, outside = r.iloc[0:6:2], r.iloc[1:6:2]
    assert (inside.redline_overlap_m2 == inside.parcel_area_m2).all() and (inside.verdict == "conflict").all()
    assert (outside.redline_overlap_m2 == 0).all() and (outside.nearest_redline_m == 0).all()
    assert (outside.verdict == "review").all()
    # the corner: a triangle of 2 × 0.3 m legs along the edge direction, measured independently
    gk = _gk(shapely.segmentize(out[-1], 1e-5))
    want = shapely.intersection(gk, _gk(shapely.segmentize(red.geometry.iloc[0], 1e-5))).area
    assert 0.05 < want < 0.5
    assert r.redline_overlap_m2.iloc[-1] == pytest.approx(want, abs=0.02)


def test_a_geometry_is_split_the_same_whatever_is_read_with_it():
    # batches, chunks and partitions must give every row the same shape as the whole layer
    rng = np.random.default_rng(5)
    edges = _random_edges(rng, 300, ZONE, 10.0, 20_000.0)
    whole = to_metric(edges)
    for rows in (slice(0, 1), slice(7, 9), slice(100, 250)):
        assert all(a.equals_exact(b, 0) for a, b in zip(to_metric(edges[rows]), whole[rows], strict=True))
