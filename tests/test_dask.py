"""dask-geopandas on a 2-worker LocalCluster (processes) gives the single-process report row for row.

Needs the ``dask`` extra (dask-geopandas, distributed), which ``scripts/test.sh`` installs;
there (``SUZHOU_GEO_REQUIRE_DASK=1``) a missing extra fails the tests instead of skipping them.
"""

from __future__ import annotations

import importlib
import os

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from test_threads import make_parcels

if os.environ.get("SUZHOU_GEO_REQUIRE_DASK") == "1":
    dask, dask_geopandas, distributed = (importlib.import_module(m) for m in ("dask", "dask_geopandas", "distributed"))
else:
    dask = pytest.importorskip("dask")
    dask_geopandas = pytest.importorskip("dask_geopandas")
    distributed = pytest.importorskip("distributed")

import geopandas as gpd  # noqa: E402

import suzhou_geo as sg  # noqa: E402
from suzhou_geo.validate.distributed import read_dask  # noqa: E402

N = 4_000


@pytest.fixture(scope="module")
def client():
    # dask turns text columns into its own string type by default; the report keeps pandas' own
    with dask.config.set({"dataframe.convert-string": False}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def parcels():
    return make_parcels(N, seed=11)


@pytest.fixture(scope="module")
def single(parcels):
    return sg.validate_parcels(parcels)


def _same(a, b):
    pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b), check_exact=True)


def test_a_dask_frame_gives_the_single_process_report(client, parcels, single):
    ddf = dask_geopandas.from_geopandas(parcels, npartitions=5)
    report = sg.validate_parcels(ddf)
    assert isinstance(report, dask_geopandas.GeoDataFrame)  # lazy
    assert list(report.columns) == list(single.columns)
    got = report.compute()
    _same(got, single)
    # the provenance is in the rows: the summary of the computed report still says "illustrative"
    assert sg.summarize(got).illustrative and "示意" in sg.summarize(got).note
    assert got["verdict"].eq("invalid").sum() == 2  # the missing geometry and the point, kept in their rows


def test_caller_layers_are_shipped_once_and_used(client, parcels):
    red = sg.load_redlines().iloc[:30]
    layers = sg.prepare_layers(redlines=red, schemes=False)
    single = sg.validate_parcels(parcels, layers=layers)
    ddf = dask_geopandas.from_geopandas(parcels, npartitions=4)
    report = sg.validate_parcels(ddf, layers=layers)
    _same(report.compute(), single)
    # an explicitly scattered copy serves as well
    future = client.scatter(layers, broadcast=True, hash=False)
    _same(sg.validate_parcels(ddf, layers=future).compute(), single)


def test_threaded_scheduler_without_a_cluster(parcels, single):
    with dask.config.set({"dataframe.convert-string": False}):
        ddf = dask_geopandas.from_geopandas(parcels, npartitions=6)
        got = sg.validate_parcels(ddf).compute(scheduler="threads", num_workers=4)
    _same(got, single)


@pytest.mark.parametrize("ext", ["gpkg", "parquet"])
def test_files_read_by_the_workers(client, parcels, ext, tmp_path):
    path = tmp_path / f"p.{ext}"
    if ext == "gpkg":
        pyogrio.write_dataframe(parcels, path, use_arrow=True)
    else:
        parcels.to_parquet(path)
    raw = read_dask(path, partition_rows=900)
    assert raw.npartitions == -(-N // 900)
    got = sg.validate_parcels(raw).compute()
    _same(got, sg.validate_parcels(path))


def test_cli_engine_dask_writes_the_local_report(parcels, tmp_path):
    from suzhou_geo.cli import main

    src = tmp_path / "p.parquet"
    parcels.to_parquet(src)
    runner = CliRunner()
    local = runner.invoke(main, ["validate", str(src), "-o", str(tmp_path / "local.parquet")])
    assert local.exit_code == 0, local.output
    out = runner.invoke(main, ["validate", str(src), "-o", str(tmp_path / "dask.parquet"), "--engine", "dask",
                               "--workers", "2", "--batch-size", "1000"])
    assert out.exit_code == 0, out.output
    a, b = gpd.read_parquet(tmp_path / "local.parquet"), gpd.read_parquet(tmp_path / "dask.parquet")
    _same(b, a)
    assert b.attrs == a.attrs and f"{N:,} 个地块 parcels" in out.output
    bad = runner.invoke(main, ["validate", str(src), "-o", str(tmp_path / "x.parquet"), "--workers", "2"])
    assert bad.exit_code == 2 and "--engine dask" in bad.output


def test_missing_geometries_and_an_empty_partition(client, parcels, single):
    # partitions of unequal size, one of them empty: rows, order and index survive
    ddf = dask_geopandas.from_geopandas(parcels, npartitions=3)
    parts = [ddf.partitions[i] for i in range(3)] + [ddf.partitions[0].head(0, compute=False)]
    import dask.dataframe as dd

    uneven = dd.concat(parts)
    got = sg.validate_parcels(uneven).compute()
    _same(got, single)
    assert np.isnan(got.loc[got.geometry.isna(), "parcel_area_m2"]).all()


def test_cli_engine_dask_keeps_every_reading_option_of_the_parcels(parcels, tmp_path):
    """Parcels in Xi'an 1980 / GK CM 120°E accepted with --approximate-datum: the same report on a cluster.

    The dask engine once passed on only --layer, --encoding and --crs: the run
    failed on the workers with a hint spelled for Python.
    """
    from bad_inputs import to_legacy

    from suzhou_geo.cli import main

    sub = parcels.iloc[:600]
    geoms = np.asarray(sub.geometry.values, dtype=object)
    ok = ~shapely.is_missing(geoms)
    legacy = geoms.copy()
    legacy[ok] = to_legacy(list(geoms[ok]), 2385)  # through an independent PROJ definition
    src = tmp_path / "p2385.gpkg"
    pyogrio.write_dataframe(sub.set_geometry(gpd.GeoSeries(legacy, index=sub.index), crs="EPSG:2385"), src)
    runner = CliRunner()
    refused = runner.invoke(main, ["validate", str(src), "-o", str(tmp_path / "r.gpkg"), "--no-schemes",
                                   "--engine", "dask", "--workers", "1"])
    assert refused.exit_code == 2 and "--approximate-datum" in refused.output and "approximate_datum=" not in \
        refused.output
    local = runner.invoke(main, ["validate", str(src), "-o", str(tmp_path / "local.parquet"), "--no-schemes",
                                 "--approximate-datum", "--batch-size", "250"])
    assert local.exit_code == 0, local.output
    out = runner.invoke(main, ["validate", str(src), "-o", str(tmp_path / "dask.parquet"), "--no-schemes",
                               "--approximate-datum", "--engine", "dask", "--workers", "1", "--batch-size", "250"])
    assert out.exit_code == 0, out.output
    a, b = gpd.read_parquet(tmp_path / "local.parquet"), gpd.read_parquet(tmp_path / "dask.parquet")
    _same(b, a)
    approx = b["approximate_position"].to_numpy()
    assert len(b) == 600 and approx.sum() == ok.sum() - 1  # every usable parcel (row 8 is a point)
    assert b["reasons"][approx].str.contains("西安1980").all()
