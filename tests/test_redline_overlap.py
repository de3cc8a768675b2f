"""The quick overlap (:func:`suzhou_geo.redline_overlap`): files read in batches, far parcels never decoded.

A file is read in batches and the rows whose box the redlines' grid clears
are set aside from their WKB bytes alone.  Whatever the file holds, the answer
must be the one the whole-file reading gives (the same rows, index and
numbers), and the report's.  The boxes and the WKB bounds it relies on are
checked against shapes converted another way (densely split, then projected).
"""

from __future__ import annotations

import struct

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, box

import suzhou_geo as sg
from suzhou_geo.crs import enclosing_boxes, transformer
from suzhou_geo.io.stream import BatchReader
from suzhou_geo.io.wkb import polygon_bounds
from suzhou_geo.validate import overlaps

GEOD = Geod(ellps="GRS80")
TO_GK = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)


def _parcels(n: int = 600, seed: int = 5) -> gpd.GeoDataFrame:
    """Rotated rectangles over Suzhou (a third on redline edges), then every kind of row a file may hold."""
    rng = np.random.default_rng(seed)
    red = sg.load_redlines()
    edge = shapely.boundary(shapely.union_all(red.geometry.values))
    on_edge = shapely.line_interpolate_point(edge, rng.uniform(0, edge.length, n // 3))
    x = np.r_[rng.uniform(120.2, 121.2, n - n // 3), shapely.get_x(on_edge)]
    y = np.r_[rng.uniform(31.0, 31.9, n - n // 3), shapely.get_y(on_edge)]
    w, h, a = rng.uniform(0.0005, 0.003, n), rng.uniform(0.0005, 0.003, n), rng.uniform(0, np.pi, n)
    geoms = [shapely.affinity.rotate(box(cx - dw, cy - dh, cx + dw, cy + dh), float(r), use_radians=True)
             for cx, cy, dw, dh, r in zip(x, y, w, h, a, strict=True)]
    x0, y0 = 120.6, 31.3
    odd = [
        None,
        Polygon(),
        Point(x0, y0),
        Polygon([(x0, y0), (x0 + 0.01, y0 + 0.01), (x0 + 0.01, y0), (x0, y0 + 0.01)]),  # a bowtie: repaired
        Polygon([(x0, y0), (x0 + 0.01, y0), (x0 + 0.02, y0), (x0, y0)]),  # no area: collapses
        _with_nan(Polygon([(x0, y0), (x0 + 0.01, y0), (x0 + 0.01, y0 + 0.01), (x0, y0)])),  # NaN coordinate
        box(120.3, 31.0, 120.31, 31.01).difference(box(120.303, 31.003, 120.306, 31.006)),  # a hole
        MultiPolygon([box(120.5, 31.5, 120.501, 31.501), box(120.7, 31.1, 120.701, 31.101)]),
        box(120.0, 30.8, 121.3, 32.0),  # larger than the grid's window
        box(116.3, 39.9, 116.31, 39.91),  # Beijing: far from everything
    ]
    frame = gpd.GeoDataFrame({"id": np.arange(n + len(odd))}, geometry=geoms + odd, crs="EPSG:4490")
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


def _with_nan(g):
    xy = shapely.get_coordinates(g)
    xy[2, 1] = np.nan
    with np.errstate(invalid="ignore"):
        return shapely.set_coordinates(g, xy)


@pytest.fixture(scope="module")
def parcels():
    return _parcels()


@pytest.fixture(scope="module")
def whole(parcels):
    """Return the answer of the whole-file reading (a frame is read whole)."""
    return overlaps.redline_overlap(parcels)


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(overlaps, "CHUNK", 97)  # many batches, ends in a short one


@pytest.mark.parametrize("suffix", [".parquet", ".gpkg"])
def test_a_file_in_batches_gives_the_whole_reading(parcels, whole, small_batches, tmp_path, suffix):
    path = tmp_path / f"parcels{suffix}"
    parcels.to_parquet(path) if suffix == ".parquet" else parcels.to_file(path)
    got = overlaps.redline_overlap(path, n_jobs=2)
    pd.testing.assert_series_equal(got, whole, check_index_type=False, rtol=0, atol=0)
    assert got.isna().sum() == 5  # missing, empty, point, collapsed, NaN coordinate
    assert (got > 0).sum() > 100 and (got == 0).sum() > 150


def test_the_same_numbers_as_the_report(parcels, whole):
    report = sg.validate_parcels(parcels, joint_zones=False, schemes=False)
    assert (whole.round(2).fillna(-1) == report.redline_overlap_m2.fillna(-1)).all()


def test_most_rows_are_never_decoded(parcels, small_batches, tmp_path, monkeypatch):
    from suzhou_geo.io import stream

    path = tmp_path / "parcels.parquet"
    parcels.to_parquet(path)
    decoded = []
    frame = stream.Batch.frame

    def counting(self, rows=None):
        decoded.append(len(self) if rows is None else len(rows))
        return frame(self, rows)

    monkeypatch.setattr(stream.Batch, "frame", counting)
    overlaps.redline_overlap(path)
    assert sum(decoded) < 0.75 * len(parcels)


def test_overlaps_against_the_geodesic_area_of_the_intersection(parcels, whole):
    # another way: the intersection taken in longitude/latitude (where both layers' edges are straight,
    # up to the redlines' 1 mm) and measured by pyproj.Geod
    red = shapely.union_all(sg.load_redlines().query("kind == 'ecological_protection_redline'").geometry.values)
    plain = np.flatnonzero(shapely.get_type_id(parcels.geometry.values) == 3)[:120]
    for i in plain:
        g = parcels.geometry.iloc[i]
        if not g.is_valid or not np.isfinite(g.bounds).all():
            continue
        part = g.intersection(red)
        ref = sum(abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(p))[0])
                  for p in getattr(part, "geoms", [part]) if p.geom_type in ("Polygon", "MultiPolygon"))
        assert abs(whole.iloc[i] - ref) <= max(0.5, 1e-5 * ref), (i, whole.iloc[i], ref)


def test_an_index_stored_as_columns_comes_back(parcels, whole, small_batches, tmp_path):
    path = tmp_path / "named.parquet"
    named = parcels.set_index(pd.Index([f"DK{i:04d}" for i in range(len(parcels))], name="地块编号"))
    named.to_parquet(path)
    got = overlaps.redline_overlap(path)
    assert list(got.index) == list(named.index) and got.index.name == "地块编号"
    np.testing.assert_array_equal(got.to_numpy(), whole.to_numpy())


@pytest.mark.parametrize("crs", ["EPSG:4549", "EPSG:4528"])
def test_a_file_stored_in_metres_gives_its_own_whole_reading(parcels, small_batches, tmp_path, crs):
    path = tmp_path / "gk.gpkg"
    metric = parcels.iloc[:300].to_crs(crs)
    metric.to_file(path)
    got = overlaps.redline_overlap(path)
    pd.testing.assert_series_equal(got, overlaps.redline_overlap(metric), check_index_type=False, rtol=0, atol=0)
    assert (got > 0).sum() > 40


def test_swapped_axes_and_a_given_crs_are_read_as_the_whole_file_would_be(parcels, small_batches, tmp_path):
    swapped = parcels.iloc[:250].copy()
    swapped["geometry"] = sg.crs.swap_xy(swapped.geometry)
    path = tmp_path / "swapped.gpkg"
    swapped.set_crs(None, allow_override=True).to_file(path)
    src = sg.Source(str(path), crs="EPSG:4490", swap_xy=True)
    got = overlaps.redline_overlap(src)
    pd.testing.assert_series_equal(got, overlaps.redline_overlap(parcels.iloc[:250]), check_index_type=False,
                                   rtol=0, atol=0)


def test_without_redlines_every_usable_parcel_is_unmeasured(parcels, tmp_path):
    path = tmp_path / "p.parquet"
    parcels.to_parquet(path)
    assert overlaps.redline_overlap(path, False).isna().all()


def test_a_reference_error_comes_before_any_parcel_is_read(tmp_path):
    path = tmp_path / "p.parquet"
    _parcels(20).to_parquet(path)
    with pytest.raises(sg.errors.InputError, match="nothing.gpkg"):
        overlaps.redline_overlap(path, tmp_path / "nothing.gpkg")


# --------------------------------------------------------------------------- the boxes and the bounds


def test_enclosing_boxes_hold_the_converted_shapes():
    rng = np.random.default_rng(2)
    n = 400
    cx, cy = rng.uniform(119.9, 121.4, n), rng.uniform(30.7, 32.1, n)
    w, h = 10 ** rng.uniform(-4, -0.7, n), 10 ** rng.uniform(-4, -0.7, n)
    geoms = np.array([shapely.affinity.rotate(box(x - a, y - b, x + a, y + b), float(r))
                      for x, y, a, b, r in zip(cx, cy, w, h, rng.uniform(0, 180, n), strict=True)])
    dense = shapely.transform(shapely.segmentize(geoms, 1e-5), TO_GK.transform, interleaved=False)
    exact = shapely.bounds(dense)
    outer = enclosing_boxes(shapely.bounds(geoms), transformer("EPSG:4490", "EPSG:4549").transform, degrees=True)
    assert (outer[:, :2] <= exact[:, :2]).all() and (outer[:, 2:] >= exact[:, 2:]).all()
    slack = np.maximum(exact[:, :2] - outer[:, :2], outer[:, 2:] - exact[:, 2:]).max(axis=1)
    size = np.maximum(exact[:, 2] - exact[:, 0], exact[:, 3] - exact[:, 1])
    assert (slack <= 1.0 + 0.1 * size).all()  # a metre and a tenth of the size at most
    shifted = enclosing_boxes(np.array([[40_557_000.0, 3_464_000, 40_557_100, 3_464_050], [np.nan] * 4]),
                              transformer("EPSG:4528", "EPSG:4549").transform, degrees=False)
    np.testing.assert_allclose(shifted[0], [556_999, 3_463_999, 557_101, 3_464_051], atol=1e-6)
    assert np.isnan(shifted[1]).all()


def test_wkb_bounds_of_plain_polygons_and_nan_for_the_rest():
    ring = [(0, 0), (2, 0), (2, 1), (0, 1), (0, 0)]
    plain = [Polygon(ring), box(120.1, 31.2, 120.3, 31.25)]
    others = [
        None, Polygon(), Point(1, 1), Polygon(ring, [[(0.5, 0.2), (1, 0.2), (1, 0.5), (0.5, 0.2)]]),
        MultiPolygon([box(0, 0, 1, 1)]), Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 0, 1)]),
        Polygon([(0, 0), (1, 1), (2, 2), (0, 0)]), _with_nan(Polygon([(0, 0), (1, 0), (1, 1), (0, 0)])),
    ]
    values = list(shapely.to_wkb(plain + others))
    values[2:3] = [None]
    big_endian = shapely.to_wkb(box(0, 0, 1, 1), byte_order=0)
    unclosed = struct.pack("<BIII", 1, 3, 1, 4) + struct.pack("<8d", 0, 0, 1, 0, 1, 1, 0, 1)
    values += [big_endian, unclosed, b"\x01\x03"]
    for arr in (np.array(values, dtype=object), pa.array(values, pa.binary()),
                pa.chunked_array([pa.array(values[:3], pa.large_binary()), pa.array(values[3:], pa.large_binary())])):
        b = polygon_bounds(arr)
        np.testing.assert_array_equal(b[:2], shapely.bounds(np.array(plain)))
        assert np.isnan(b[2:]).all()
    sliced = pa.array(values, pa.binary()).slice(1, 2)
    np.testing.assert_array_equal(polygon_bounds(sliced)[0], [120.1, 31.2, 120.3, 31.25])


def test_a_batch_decodes_the_rows_asked_for(parcels, tmp_path):
    for suffix in (".parquet", ".gpkg"):
        path = tmp_path / f"b{suffix}"
        parcels.iloc[:200].to_parquet(path) if suffix == ".parquet" else parcels.iloc[:200].to_file(path)
        with BatchReader(path, batch_size=64) as reader:
            batches = list(reader.batches())
            rows = np.array([1, 5, 40])
            whole, some = batches[1].frame(), batches[1].frame(rows)
        assert list(batches[1].index) == list(range(64, 128))
        assert list(some.index) == [65, 69, 104]
        assert some["id"].tolist() == whole["id"].iloc[rows].tolist()
        assert shapely.equals_exact(some.geometry.values, whole.geometry.values[rows], 0).all()


def test_parcels_inside_or_far_from_every_redline_are_never_converted(monkeypatch):
    # deep inside the largest protection redline, the overlap is the parcel's own area (checked against
    # pyproj.Geod), and neither those parcels nor the far ones get an EPSG:4549 copy
    from suzhou_geo.layer import Layer

    red = sg.load_redlines().query("kind == 'ecological_protection_redline'")
    big = red.to_crs("EPSG:4549").geometry.area.idxmax()
    core = shapely.buffer(red.to_crs("EPSG:4549").geometry.loc[big], -600)
    rng = np.random.default_rng(12)
    x0, y0, x1, y1 = core.bounds
    pts = shapely.points(rng.uniform(x0, x1, 4000), rng.uniform(y0, y1, 4000))
    pts = pts[shapely.contains(core, pts)][:150]
    inside = gpd.GeoSeries(shapely.buffer(pts, 40, quad_segs=2), crs="EPSG:4549").to_crs("EPSG:4490")
    far = [box(116.3 + i * 0.01, 39.9, 116.305 + i * 0.01, 39.905) for i in range(50)]  # Beijing
    frame = gpd.GeoDataFrame(geometry=list(inside.values) + far, crs="EPSG:4490")
    converted = []
    metric_of = Layer.metric_of
    monkeypatch.setattr(Layer, "metric_of", lambda self, rows: converted.append(len(rows)) or metric_of(self, rows))
    got = overlaps.redline_overlap(frame)
    assert len(pts) > 100 and sum(converted) == 0
    geod = [abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(shapely.segmentize(g, 1e-6)))[0])
            for g in inside]
    np.testing.assert_allclose(got.iloc[:len(inside)], geod, atol=1e-3)
    assert (got.iloc[len(inside):] == 0).all()
