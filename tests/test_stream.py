"""File → file in batches: the same report as the in-memory path, row for row, in every streamed format.

The reference is the single-process, in-memory report
(:func:`suzhou_geo.validate_parcels` of the whole file, written by
:func:`suzhou_geo.io.write_layer` or ``GeoDataFrame.to_parquet``, and read
back); the streamed file, written in batches much smaller than the input, is
read back the same way and must be equal: rows, order, columns, index, values,
and the GeoParquet file metadata (bounding box, geometry types, row range).
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely
from test_threads import make_parcels

import suzhou_geo as sg
from suzhou_geo.errors import CRSError, InputError, OutputError
from suzhou_geo.io.stream import BatchWriter, can_stream, can_stream_to, open_batches

N = 3_000
BATCH = 700


@pytest.fixture(scope="module")
def frame() -> gpd.GeoDataFrame:
    """Parcels with a few rows of every kind; polygons only (points are tested apart)."""
    f = make_parcels(N, seed=3)
    geoms = np.asarray(f.geometry.values, dtype=object).copy()
    geoms[shapely.get_type_id(geoms) == 0] = None  # the point becomes a second missing row
    f = f.set_geometry(gpd.GeoSeries(geoms, index=f.index, crs=f.crs))
    f["用途"] = np.where(np.arange(N) % 3 == 0, "工业用地", "居住用地")
    f["approved"] = pd.Timestamp("2024-05-01") + pd.to_timedelta(np.arange(N) % 365, unit="D")
    f["area_ha_input"] = np.round(np.linspace(0.5, 5, N), 3)
    return f


@pytest.fixture(scope="module")
def files(frame, tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("stream_in")
    gpkg, parquet = d / "parcels.gpkg", d / "parcels.parquet"
    pyogrio.write_dataframe(frame, gpkg, use_arrow=True)
    frame.to_parquet(parquet)
    return {"gpkg": gpkg, "parquet": parquet}


@pytest.fixture(scope="module")
def prepared():
    return sg.prepare_layers()


@pytest.fixture(scope="module")
def in_memory(files, prepared) -> dict[str, gpd.GeoDataFrame]:
    return {k: sg.validate_parcels(p, layers=prepared) for k, p in files.items()}


def _gpkg(path) -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(path, use_arrow=True)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("src", ["gpkg", "parquet"])
def test_gpkg_output_equals_write_layer_of_the_in_memory_report(src, files, in_memory, prepared, tmp_path):
    out = sg.validate_file(files[src], tmp_path / "r.gpkg", layers=prepared, batch_size=BATCH)
    ref = sg.write_layer(in_memory[src], tmp_path / "ref.gpkg")
    assert out.rows == N and out.streamed
    _same(_gpkg(out.path), _gpkg(ref))
    assert pyogrio.read_info(out.path)["geometry_type"] == "MultiPolygon"


@pytest.mark.parametrize("src", ["gpkg", "parquet"])
def test_parquet_output_equals_to_parquet_of_the_in_memory_report(src, files, in_memory, prepared, tmp_path):
    out = sg.validate_file(files[src], tmp_path / "r.parquet", layers=prepared, batch_size=BATCH)
    in_memory[src].to_parquet(tmp_path / "ref.parquet")
    got, ref = gpd.read_parquet(out.path), gpd.read_parquet(tmp_path / "ref.parquet")
    _same(got, ref)
    assert got.attrs == ref.attrs
    assert got["redline_data"].iloc[0].startswith("内置示意样例")  # the provenance is in every row
    meta = [json.loads(pq.ParquetFile(p).schema_arrow.metadata[b"geo"]) for p in (out.path, tmp_path / "ref.parquet")]
    assert meta[0]["columns"]["geometry"]["bbox"] == meta[1]["columns"]["geometry"]["bbox"]
    assert meta[0]["columns"]["geometry"]["geometry_types"] == meta[1]["columns"]["geometry"]["geometry_types"]
    assert pq.ParquetFile(out.path).metadata.num_row_groups == -(-N // BATCH)  # it really was written in batches


def test_summary_equals_summarize_of_the_whole_report(files, in_memory, prepared, tmp_path):
    out = sg.validate_file(files["gpkg"], tmp_path / "r.gpkg", layers=prepared, batch_size=BATCH)
    whole = sg.summarize(in_memory["gpkg"])
    _same(out.summary.by_verdict, whole.by_verdict)
    _same(out.summary.by_district, whole.by_district)
    assert out.summary.note == whole.note and out.summary.illustrative
    assert "parcels" in str(out) and "<code>" in out._repr_html_()


def test_a_stored_index_is_kept(frame, prepared, tmp_path):
    keyed = frame.iloc[:900].set_index(pd.Index([f"K{i:04d}" for i in range(900)], name="parcel_key"))
    keyed.to_parquet(tmp_path / "k.parquet")
    ranged = frame.iloc[:900].set_axis(pd.RangeIndex(1000, 2800, 2))
    ranged.to_parquet(tmp_path / "g.parquet")
    for name in ("k", "g"):
        src = tmp_path / f"{name}.parquet"
        ref = sg.validate_parcels(src, layers=prepared)
        out = sg.validate_file(src, tmp_path / f"{name}_r.parquet", layers=prepared, batch_size=200)
        got = gpd.read_parquet(out.path)
        _same(got, ref)
        out = sg.validate_file(src, tmp_path / f"{name}_r.gpkg", layers=prepared, batch_size=200)
        back = _gpkg(out.path)
        assert back.columns[0] == ("parcel_key" if name == "k" else "index")  # the index as a leading column
        assert back.iloc[:, 0].tolist() == ref.index.tolist()


def test_rows_of_another_type_late_in_the_file(frame, prepared, tmp_path):
    """A point in the last batch: the layer is written again with input_geometry_wkt for every row."""
    f = frame.iloc[:1_000].copy()
    pt = shapely.Point(120.6, 31.3)
    f.loc[f.index[950], "geometry"] = pt
    pyogrio.write_dataframe(f, tmp_path / "p.gpkg", use_arrow=True)
    ref = sg.validate_parcels(tmp_path / "p.gpkg", layers=prepared)
    out = sg.validate_file(tmp_path / "p.gpkg", tmp_path / "r.gpkg", layers=prepared, batch_size=300)
    back = _gpkg(out.path)
    assert len(back) == 1_000 and back.columns[-2] == "input_geometry_wkt"
    assert back["input_geometry_wkt"].iloc[950] == "POINT (120.6 31.3)" and back.geometry.iloc[950] is None
    assert back["input_geometry_wkt"].drop(index=950).isna().all()
    assert back["verdict"].iloc[950] == "invalid"
    cols = [c for c in ref.columns if c != "geometry"]
    _same(pd.DataFrame(back[cols]), pd.DataFrame(ref[cols]).reset_index(drop=True))
    keep = np.arange(1_000) != 950
    a, b = np.asarray(back.geometry.values)[keep], np.asarray(ref.geometry.values)[keep]
    assert (shapely.equals(a, b) | (shapely.is_missing(a) & shapely.is_missing(b))).all()


def test_gbk_shapefile_without_cpg_is_decoded_in_every_batch(frame, prepared, tmp_path):
    f = frame.iloc[:600][["用途", "geometry"]].rename(columns={"用途": "YT"})
    f["MC"] = [f"苏州地块{i}号" for i in range(600)]
    path = tmp_path / "gbk.shp"
    pyogrio.write_dataframe(f, path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sg.validate_parcels(path, layers=prepared)
        out = sg.validate_file(path, tmp_path / "r.parquet", layers=prepared, batch_size=250)
    got = gpd.read_parquet(out.path)
    assert got["MC"].iloc[599] == "苏州地块599号" and got["YT"].iloc[0] == "工业用地"
    _same(got, gpd.read_parquet(_to_parquet(ref, tmp_path / "ref.parquet")))


def test_late_chinese_text_in_a_file_without_cpg_is_an_error(frame, prepared, tmp_path, monkeypatch):
    from suzhou_geo.io import stream

    f = frame.iloc[:400][["geometry"]].copy()
    f["MC"] = ["plain"] * 300 + ["苏州"] * 100  # Chinese only after the sample
    path = tmp_path / "late.shp"
    pyogrio.write_dataframe(f, path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    monkeypatch.setattr(stream, "ENCODING_SAMPLE", 200)
    with pytest.raises(InputError, match="encoding='GB18030'"):
        sg.validate_file(path, tmp_path / "r.gpkg", layers=prepared, batch_size=100)
    assert not (tmp_path / "r.gpkg").exists() and list(tmp_path.glob(".r.gpkg*")) == []


def _to_parquet(frame, path):
    frame.to_parquet(path)
    return path


def test_progress_for_reading_checking_and_writing(files, prepared, tmp_path):
    stages, plain = [], []
    sg.validate_file(files["gpkg"], tmp_path / "a.gpkg", layers=prepared, batch_size=BATCH,
                     progress=lambda d, t, stage: stages.append((stage, d, t)))
    assert [s for s, _, _ in stages[:3]] == ["read", "check", "write"]
    assert {s for s, _, _ in stages} == {"read", "check", "write"}
    assert stages[-1] == ("write", N, N) and len(stages) == 3 * -(-N // BATCH)
    sg.validate_file(files["gpkg"], tmp_path / "b.gpkg", layers=prepared, batch_size=BATCH,
                     progress=lambda d, t: plain.append((d, t)))
    assert plain == [(min(k * BATCH, N), N) for k in range(1, -(-N // BATCH) + 1)]


def test_progress_drives_a_tqdm_bar(files, prepared, tmp_path):
    tqdm = pytest.importorskip("tqdm")
    text = io.StringIO()
    bar = tqdm.tqdm(file=text, mininterval=0)
    sg.validate_file(files["parquet"], tmp_path / "a.parquet", layers=prepared, batch_size=BATCH, progress=bar)
    bar.close()
    assert bar.total == N and bar.n == N
    assert "写出 writing" in text.getvalue()
    from tqdm.auto import tqdm as auto  # what a notebook uses

    bar = auto(disable=True)
    sg.validate_parcels(files["parquet"], layers=prepared, progress=bar)
    assert bar.total == N


def test_outputs_are_checked_and_failures_leave_nothing(files, frame, prepared, tmp_path):
    out = tmp_path / "r.gpkg"
    sg.validate_file(files["gpkg"], out, layers=prepared, batch_size=BATCH)
    with pytest.raises(OutputError, match="exists"):
        sg.validate_file(files["gpkg"], out, layers=prepared)
    before = out.stat().st_mtime_ns
    sg.validate_file(files["parquet"], out, layers=prepared, batch_size=BATCH, overwrite=True)
    assert out.stat().st_mtime_ns != before and len(_gpkg(out)) == N
    with pytest.raises(OutputError, match="input"):
        sg.validate_file(files["gpkg"], files["gpkg"], layers=prepared, overwrite=True)
    # a batch whose coordinates are not CGCS2000 degrees stops the run: no file, no temporary folder
    bad = frame.iloc[:600].copy()
    bad.loc[bad.index[500:], "geometry"] = shapely.box(557000, 3464000, 557100, 3464100)
    pyogrio.write_dataframe(bad, tmp_path / "bad.gpkg", use_arrow=True)
    with pytest.raises(CRSError):
        sg.validate_file(tmp_path / "bad.gpkg", tmp_path / "bad_r.parquet", layers=prepared, batch_size=200)
    assert not (tmp_path / "bad_r.parquet").exists() and list(tmp_path.glob(".bad_r*")) == []


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".shp"])
def test_other_output_formats_are_validated_in_memory(ext, files, in_memory, prepared, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = sg.validate_file(files["gpkg"], tmp_path / f"r{ext}", layers=prepared)
    assert not out.streamed and out.rows == N and out.path.exists()
    _same(out.summary.by_verdict, sg.summarize(in_memory["gpkg"]).by_verdict)


def test_batches_are_bounded_and_in_file_order(files, frame):
    assert can_stream(files["gpkg"]) and can_stream(str(files["parquet"])) and not can_stream(frame)
    assert can_stream_to("x.parquet") and not can_stream_to("x.csv")
    for path in files.values():
        with open_batches(path, batch_size=BATCH) as batches:
            parts = list(batches)
            assert batches.total == N and batches.default_index
        assert max(len(p) for p in parts) == BATCH
        whole = pd.concat(parts)
        assert whole["parcel_id"].tolist() == frame["parcel_id"].tolist()
        assert whole.index.equals(pd.RangeIndex(N))


def test_the_command_uses_the_library_batch_size():
    from suzhou_geo.cli import _engine
    from suzhou_geo.io.stream import BATCH_SIZE

    assert _engine.BATCH_SIZE == BATCH_SIZE


def test_batch_writer_refuses_other_formats(tmp_path):
    with pytest.raises(OutputError, match="batches"):
        BatchWriter(tmp_path / "x.csv")


def test_cli_streams_a_file_into_a_report_file(files, in_memory, tmp_path):
    from click.testing import CliRunner

    from suzhou_geo.cli import main

    runner = CliRunner()
    out = runner.invoke(main, ["validate", str(files["gpkg"]), "-o", str(tmp_path / "r.parquet"),
                               "--batch-size", str(BATCH)])
    assert out.exit_code == 0, out.output
    assert f"{N:,} 个地块 parcels from parcels.gpkg" in out.output and "示意" in out.output
    in_memory["gpkg"].to_parquet(tmp_path / "ref.parquet")
    _same(gpd.read_parquet(tmp_path / "r.parquet"), gpd.read_parquet(tmp_path / "ref.parquet"))
    assert pq.ParquetFile(tmp_path / "r.parquet").metadata.num_row_groups > 1  # streamed
    missing_crs = files["gpkg"].parent / "nocrs.parquet"
    gpd.read_parquet(files["parquet"]).set_crs(None, allow_override=True).to_parquet(missing_crs)
    bad = runner.invoke(main, ["validate", str(missing_crs), "-o", str(tmp_path / "x.gpkg")])
    assert bad.exit_code == 2 and "crs" in bad.output.lower() and not (tmp_path / "x.gpkg").exists()


def _rtree_rows(path: Path, x: float, y: float) -> tuple[int, list[int]]:
    """Rows of the GeoPackage's R-tree table, and the ids of those whose box contains (x, y)."""
    import sqlite3

    with sqlite3.connect(path) as db:
        (name,) = db.execute("SELECT 'rtree_' || table_name || '_' || column_name FROM gpkg_extensions "
                             "WHERE extension_name = 'gpkg_rtree_index'").fetchone()
        count = db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        hits = db.execute(f'SELECT id FROM "{name}" WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?',
                          (x, x, y, y)).fetchall()
    return count, sorted(h[0] for h in hits)


@pytest.mark.parametrize("cap", [None, 1024])
def test_gpkg_spatial_index_is_complete_with_gdal_memory_capped(frame, tmp_path, monkeypatch, cap):
    """Over the cap GDAL builds the index another way: every polygon must still be in it, with its box."""
    from suzhou_geo.io import stream

    if cap is not None:
        monkeypatch.setattr(stream, "RTREE_RAM", cap)
    out = tmp_path / "r.gpkg"
    with BatchWriter(out, default_index=True) as w:
        for start in range(0, N, BATCH):
            w.write(frame.iloc[start:start + BATCH])
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    x, y = shapely.get_coordinates(shapely.centroid(geoms[np.flatnonzero(present)[N // 2]]))[0]
    count, hits = _rtree_rows(out, x, y)
    assert count == present.sum()
    b = shapely.bounds(geoms)  # brute force: the boxes that contain the point (fid = row + 1)
    inside = present & (b[:, 0] <= x) & (b[:, 2] >= x) & (b[:, 1] <= y) & (b[:, 3] >= y)
    assert inside.sum() >= 1 and hits == (np.flatnonzero(inside) + 1).tolist()


def test_gdal_index_memory_cap_is_set_only_while_writing_and_a_user_cap_wins():
    from suzhou_geo.io.stream import RTREE_RAM, _rtree_ram_cap

    key = "OGR_GPKG_MAX_RAM_USAGE_RTREE"
    assert pyogrio.get_gdal_config_option(key) is None
    with _rtree_ram_cap():
        assert int(pyogrio.get_gdal_config_option(key)) == RTREE_RAM
    assert pyogrio.get_gdal_config_option(key) is None
    pyogrio.set_gdal_config_options({key: "5000000"})
    try:
        with _rtree_ram_cap():
            assert int(pyogrio.get_gdal_config_option(key)) == 5_000_000
        assert int(pyogrio.get_gdal_config_option(key)) == 5_000_000
    finally:
        pyogrio.set_gdal_config_options({key: None})


@pytest.mark.parametrize("values", [[5, 5, 6], ["A-1", "A-2", "A-3"], [7, 3, 9], [2, 5, 9]],
                         ids=["repeated", "text", "unordered", "increasing"])
def test_an_input_column_named_fid_survives_both_geopackage_writers(tmp_path, values, prepared):
    # GDAL takes a column named fid as the GeoPackage key: repeated or text values
    # failed the write, numbers out of order came back in another order.
    # Increasing whole numbers stay the key in memory (as QGIS writes them);
    # otherwise, and always when streaming, the key gets a free name
    from shapely.geometry import box

    parcels = gpd.GeoDataFrame({"FID": values}, geometry=[box(120.60 + i * 0.01, 31.30, 120.605 + i * 0.01, 31.305)
                                                          for i in range(3)], crs="EPSG:4490")
    src = tmp_path / "in.parquet"
    parcels.to_parquet(src)
    in_memory, streamed = tmp_path / "memory.gpkg", tmp_path / "streamed.gpkg"
    sg.write_layer(sg.validate_parcels(parcels, layers=prepared), in_memory)
    sg.validate_file(src, streamed, layers=prepared, batch_size=2)
    key = "fid" if values == [2, 5, 9] else "fid_1"
    back = pyogrio.read_dataframe(in_memory, fid_as_index=True)
    assert pyogrio.read_info(in_memory)["fid_column"] == key
    assert (back.index if key == "fid" else back["FID"]).tolist() == values
    assert pyogrio.read_dataframe(streamed)["FID"].tolist() == values
    assert pyogrio.read_info(streamed)["fid_column"] == "fid_1"


def test_read_ahead_runs_in_a_thread_in_the_callers_context_and_always_ends():
    """One helper reads ahead for streamed validation and zonal statistics: order, errors, early stops."""
    import contextlib
    import contextvars
    import threading

    from suzhou_geo.io.stream import read_ahead

    probe: contextvars.ContextVar[str] = contextvars.ContextVar("probe", default="another context")
    token = probe.set("the caller's")
    try:
        made = []

        def items(n, fail_at=None):
            for k in range(n):
                if k == fail_at:
                    raise ValueError(f"row {k} is broken")
                made.append((k, threading.current_thread().name, probe.get()))
                yield k

        assert list(read_ahead(items(5), name="probe-ahead")) == [0, 1, 2, 3, 4]
        assert {(name, ctx) for _, name, ctx in made} == {("probe-ahead", "the caller's")}
        got = []
        with pytest.raises(ValueError, match="row 3 is broken"):
            for k in read_ahead(items(10, fail_at=3), name="probe-ahead"):
                got.append(k)
        assert got == [0, 1, 2]  # every item before the error, then the error
        made.clear()
        with contextlib.closing(read_ahead(items(1000), name="probe-ahead")) as ahead:
            assert next(ahead) == 0
        assert len(made) <= 3  # stopped: the item taken, at most one waiting and one being made
        assert not [t for t in threading.enumerate() if t.name == "probe-ahead"]  # joined
    finally:
        probe.reset(token)
