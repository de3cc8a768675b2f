"""The overlay kernels: the cell grid that settles most parcels agrees with exact tests, brute force.

Each layer is random (overlapping polygons with holes, multipolygons, lines
and points); the grid's answers are checked against shapely on the original
geometries, and the kernels with the grid against the kernels without it.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from suzhou_geo.pieces import CLEAR, MIXED, PieceIndex, near_pairs, nearest_edge, overlap_pairs

X0, Y0 = 540_000.0, 3_460_000.0


def _layer(rng, n_poly=6, n_line=3):
    """Overlapping polygons (some with holes, some multipart), lines and points, over ~20 km."""
    out = []
    for _ in range(n_poly):
        c = shapely.Point(X0 + rng.uniform(0, 20_000), Y0 + rng.uniform(0, 20_000))
        g = c.buffer(rng.uniform(800, 5000), quad_segs=int(rng.integers(2, 12)))
        if rng.random() < 0.4:
            g = g.difference(c.buffer(rng.uniform(100, 600)))
        if rng.random() < 0.3:
            g = shapely.union(g, shapely.box(X0 + 25_000, Y0, X0 + 26_000 + rng.uniform(0, 3000), Y0 + 2000))
        out.append(g)
    for _ in range(n_line):
        xy = np.c_[X0 + rng.uniform(0, 25_000, 4), Y0 + rng.uniform(0, 25_000, 4)]
        out.append(shapely.LineString(xy))
    out.append(shapely.Point(X0 + rng.uniform(0, 20_000), Y0 + rng.uniform(0, 20_000)))
    return np.array(out, dtype=object)


def _parcels(rng, n=1500):
    """Rotated rectangles from 5 m to 1.5 km, a few multipart, anywhere around the layer."""
    x, y = X0 + rng.uniform(-3000, 30_000, n), Y0 + rng.uniform(-3000, 28_000, n)
    w, h = np.exp(rng.uniform(np.log(5), np.log(1500), (2, n)))
    boxes = shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    out = np.array([shapely.affinity.rotate(b, a) for b, a in zip(boxes, rng.uniform(0, 90, n), strict=True)])
    out[::50] = [shapely.MultiPolygon([p, shapely.affinity.translate(p, 2000, 0)]) for p in out[::50]]
    return out


@pytest.fixture(scope="module", params=[1, 2, 3])
def case(request):
    rng = np.random.default_rng(request.param)
    geoms = _layer(rng)
    groups = rng.integers(0, 4, len(geoms))  # several geometries per group, as scheme elements are
    return geoms, groups, PieceIndex.build(geoms, groups, n_groups=4, max_vertices=32), _parcels(rng)


@pytest.mark.parametrize("reach", [0.0, 200.0, 1000.0])
def test_grid_cells_against_brute_force(case, reach):
    geoms, groups, ix, _ = case
    grid = ix.grid(reach)
    ny, nx = grid.labels.shape
    jj, ii = np.nonzero(grid.labels != MIXED)
    pick = np.random.default_rng(0).choice(len(ii), min(3000, len(ii)), replace=False)
    jj, ii = jj[pick], ii[pick]
    cells = shapely.box(grid.x0 + ii * grid.size, grid.y0 + jj * grid.size,
                        grid.x0 + (ii + 1) * grid.size, grid.y0 + (jj + 1) * grid.size)
    labels = grid.labels[jj, ii]
    polys = np.isin(shapely.get_type_id(geoms), (3, 6))
    for cell, label in zip(cells, labels, strict=True):
        d = shapely.distance(cell, geoms)
        if label == CLEAR:  # nothing within the reach
            assert (d > reach).all()
            continue
        near = set(groups[d <= reach].tolist())
        inside = set(groups[polys & shapely.contains_properly(geoms, cell)].tolist())
        assert set(grid.sets[label].tolist()) == inside == near  # inside those, none other within reach
    if reach == 0:
        assert (grid.labels == MIXED).mean() < 0.5  # and the grid settles most cells


def test_overlaps_with_the_grid_equal_the_exact_tests(case):
    _, _, ix, parcels = case
    area = shapely.area(parcels) * 0.9998  # any per-parcel value: the grid passes it on for parcels inside
    exact = overlap_pairs(ix, shapely.STRtree(parcels), parcels, area)
    fast = overlap_pairs(ix, None, parcels, area, bounds=shapely.bounds(parcels))
    assert np.array_equal(exact[0], fast[0]) and np.array_equal(exact[1], fast[1])
    np.testing.assert_allclose(fast[2], exact[2], rtol=1e-9)
    cls = ix.grid().classify(shapely.bounds(parcels))
    assert (cls != MIXED).mean() > 0.5  # most parcels never reach a GEOS test


@pytest.mark.parametrize("distance", [50.0, 200.0])
def test_near_pairs_with_the_grid_equal_the_exact_tests(case, distance):
    _, _, ix, parcels = case
    exact = near_pairs(ix, shapely.STRtree(parcels), distance)
    fast = near_pairs(ix, None, distance, bounds=shapely.bounds(parcels), parcels=parcels)
    assert np.array_equal(exact[0], fast[0]) and np.array_equal(exact[1], fast[1])


def test_nearest_edge_with_the_grid_equals_the_exact_tests(case):
    _, _, ix, parcels = case
    skip = np.zeros(len(parcels), dtype=bool)
    skip[::7] = True
    d0, g0 = nearest_edge(ix, shapely.STRtree(parcels), 1000.0, skip_rows=skip)
    d1, g1 = nearest_edge(ix, None, 1000.0, skip_rows=skip, bounds=shapely.bounds(parcels), parcels=parcels)
    np.testing.assert_array_equal(np.isnan(d0), np.isnan(d1))
    ok = ~np.isnan(d0)
    np.testing.assert_allclose(d1[ok], d0[ok], rtol=0, atol=1e-9)
    # the group of the nearest edge may differ only where two groups are equally near
    assert (g0[ok] == g1[ok]).mean() > 0.99
    # and each distance against brute force on the original edges
    edges = np.concatenate([shapely.get_parts(shapely.boundary(g) if g.geom_type.endswith("Polygon") else g)
                            for g in case[0]])
    brute = shapely.distance(parcels[ok][:, None], edges[None, :]).min(axis=1)
    np.testing.assert_allclose(d1[ok], brute, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(x=st.floats(-2000, 28_000), y=st.floats(-2000, 28_000), w=st.floats(1, 900), h=st.floats(1, 900),
       seed=st.integers(1, 3))
def test_any_parcel_the_grid_settles_is_settled_right(x, y, w, h, seed):
    rng = np.random.default_rng(seed)
    geoms = _layer(rng)
    ix = PieceIndex.build(geoms, max_vertices=32)
    p = shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)
    label = ix.grid().classify(shapely.bounds(np.array([p])))[0]
    polys = np.isin(shapely.get_type_id(geoms), (3, 6))
    if label == CLEAR:
        assert not shapely.intersects(p, geoms[polys]).any()
    elif label >= 0:
        assert set(ix.grid().sets[label].tolist()) == set(np.flatnonzero(polys & shapely.contains_properly(geoms, p)))
        assert not shapely.intersects(p, shapely.boundary(geoms[polys])).any()


def test_a_layer_too_small_to_hold_a_cell_centre():
    tiny = PieceIndex.build([shapely.box(X0, Y0, X0 + 10, Y0 + 10)])
    p = np.array([shapely.box(X0 + 2, Y0 + 2, X0 + 5, Y0 + 5), shapely.box(X0 + 500, Y0, X0 + 600, Y0 + 100)])
    assert tiny.grid().classify(shapely.bounds(p)).tolist() == [MIXED, CLEAR]  # near its edges: tested
    r, g, a = overlap_pairs(tiny, None, p, shapely.area(p), bounds=shapely.bounds(p))
    assert r.tolist() == [0] and a.tolist() == [9.0]
