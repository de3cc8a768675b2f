"""Many threads, one set of reference layers: the same report as one thread, and no crash.

GEOS prepared geometries build their indexes lazily and are not thread-safe;
sharing the cached bundled layers between threads used to crash the process
(a segmentation fault inside ``STRtree.query(predicate="intersects")``).  Here
8 threads validate chunks of 100 000 parcels after one serial call — as a
notebook, a web service or dask's threaded scheduler would — and every chunk
must give exactly the rows of the serial report.  Prepared layers must also
survive pickling into another process (how they reach dask workers).
"""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import suzhou_geo as sg
from suzhou_geo.validate.reference import PROTECTION

GK = "EPSG:4549"
N = 100_000
THREADS = 8
ROUNDS = 3


def make_parcels(n: int = N, seed: int = 14) -> gpd.GeoDataFrame:
    """Seeded parcels in EPSG:4490, vectorised: 25 % across redline edges, the rest over 苏州 and beyond.

    Squares of 20–80 m, 30 % turned; one in 200 a two-part MultiPolygon, a few
    broken rows (missing, a point, a bow-tie).
    """
    rng = np.random.default_rng(seed)
    red = sg.load_redlines().to_crs(GK)
    edges = shapely.boundary(red.geometry.values)
    length = shapely.length(edges)
    k = n // 4
    which = rng.choice(len(edges), k, p=length / length.sum())
    pts = shapely.line_interpolate_point(edges[which], rng.uniform(0, 1, k) * length[which])
    x = np.r_[shapely.get_x(pts) + rng.normal(0, 40, k), rng.uniform(470_000, 650_000, n - k)]
    y = np.r_[shapely.get_y(pts) + rng.normal(0, 40, k), rng.uniform(3_400_000, 3_550_000, n - k)]
    order = rng.permutation(n)
    x, y = x[order], y[order]
    half = rng.uniform(10, 40, n)[:, None]
    angle = np.where(rng.random(n) < 0.3, rng.uniform(0, np.pi / 2, n), 0.0)[:, None]
    cx, cy = np.array([[-1, 1, 1, -1, -1]]) * half, np.array([[-1, -1, 1, 1, -1]]) * half
    c, s = np.cos(angle), np.sin(angle)
    ring = np.stack([x[:, None] + cx * c - cy * s, y[:, None] + cx * s + cy * c], axis=-1)
    geoms = shapely.polygons(ring)
    multi = np.flatnonzero(rng.random(n) < 0.005)
    geoms[multi] = shapely.multipolygons(
        np.stack([geoms[multi], shapely.box(x[multi] + 60, y[multi], x[multi] + 90, y[multi] + 30)], axis=1)
    )
    geoms[7], geoms[8] = None, shapely.Point(x[8], y[8])
    geoms[9] = shapely.Polygon([(x[9], y[9]), (x[9] + 50, y[9] + 50), (x[9] + 50, y[9]), (x[9], y[9] + 50)])
    frame = gpd.GeoDataFrame(
        {"parcel_id": np.char.add("DK", np.arange(n).astype(str)).astype(object), "n": np.arange(n)},
        geometry=geoms, crs=GK,
    )
    return frame.to_crs("EPSG:4490")


@pytest.fixture(scope="module")
def parcels():
    return make_parcels()


@pytest.fixture(scope="module")
def prepared():
    return sg.prepare_layers()


@pytest.fixture(scope="module")
def serial(parcels, prepared):
    return sg.validate_parcels(parcels, layers=prepared, n_jobs=1)


def _same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(expected), check_exact=True)


def test_serial_report_covers_every_path(serial):
    # the fixture is meant to exercise all kernels: inside, crossing, near, outside, broken
    v = serial["verdict"].value_counts()
    assert {"conflict", "review", "pass", "invalid"} <= set(v.index)
    assert (serial["redline_overlap_ratio"].between(0.05, 0.95)).sum() > 1_000  # crossing edges
    assert (serial["district"] == "").sum() > 1_000  # outside 苏州
    assert serial["joint_zone"].ne("").sum() > 0


def test_eight_threads_give_the_serial_report(parcels, prepared, serial):
    """8 threads × 3 rounds, each round over the whole 100 000 parcels in chunks, after one serial call.

    Half the calls use the prepared layers, half the bundled default (the cached
    layers that used to be shared between threads).
    """
    chunks = np.array_split(np.arange(len(parcels)), THREADS * ROUNDS)

    def run(task: int) -> tuple[int, pd.DataFrame]:
        rows = chunks[task]
        kwargs = {"layers": prepared} if task % 2 else {}
        return task, sg.validate_parcels(parcels.iloc[rows], n_jobs=1, **kwargs)

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(run, range(len(chunks))))
    assert len(results) == len(chunks)
    for task, report in results:
        _same(report, serial.iloc[chunks[task]])


def test_threads_within_a_call_and_between_calls(parcels, prepared, serial):
    # every call overlays its layers in 2 threads of its own while 4 calls run at once
    sub = np.arange(0, len(parcels), 5)
    chunks = np.array_split(sub, 8)

    def run(rows):
        return sg.validate_parcels(parcels.iloc[rows], layers=prepared, n_jobs=2, chunk_size=2_000)

    with ThreadPoolExecutor(4) as pool:
        for rows, report in zip(chunks, pool.map(run, chunks), strict=True):
            _same(report, serial.iloc[rows])


def test_the_same_layer_object_shared_by_threads(parcels, prepared, serial):
    # one already-read Layer (with its metric copy) passed to several threads at once
    rows = np.arange(0, 10_000)
    layer = sg.io.read(parcels.iloc[rows], expect="polygon")
    with ThreadPoolExecutor(4) as pool:
        reports = list(pool.map(lambda _: sg.validate_parcels(layer, layers=prepared, n_jobs=1), range(4)))
    for report in reports:
        _same(report, serial.iloc[rows])


def _validate_in_child(blob: bytes, frame: gpd.GeoDataFrame) -> pd.DataFrame:
    layers = pickle.loads(blob)
    return sg.validate_parcels(frame, layers=layers, n_jobs=1)


def test_prepared_layers_pickle_to_another_process(parcels, prepared, serial):
    rows = np.arange(0, len(parcels), 50)
    blob = pickle.dumps(prepared)
    assert not any(k == "_local" for k in prepared.districts.index.__getstate__())
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter, as a dask worker has
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        report = pool.submit(_validate_in_child, blob, parcels.iloc[rows]).result()
    _same(report, serial.iloc[rows])


def test_user_layers_pickle_and_thread(parcels):
    # layers from the caller's own data (here: the bundled redlines as a frame, one kind only)
    red = sg.load_redlines()
    red = red[red["kind"] == PROTECTION].iloc[:40]
    layers = sg.prepare_layers(redlines=red, joint_zones=False, schemes=False)
    again = pickle.loads(pickle.dumps(layers))
    assert (again.redline_data, again.illustrative) == (layers.redline_data, layers.illustrative)
    rows = np.arange(0, 20_000)
    one = sg.validate_parcels(parcels.iloc[rows], layers=layers, n_jobs=1)
    chunks = np.array_split(rows, 8)
    with ThreadPoolExecutor(THREADS) as pool:
        parts = list(pool.map(lambda r: sg.validate_parcels(parcels.iloc[r], layers=again, n_jobs=1), chunks))
    _same(pd.concat(parts), one)
