"""PostGIS in and out, against a real throw-away server (see ``tests/_postgis.py``).

The test tables are loaded with psycopg and ``ST_GeomFromWKB`` and checked with
plain SQL, so the library's reader and writer are each tested against
something else.  Tests without a server (connection strings, redaction,
missing extra) come first and are not marked.
"""

from __future__ import annotations

import logging
import warnings
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _postgis import PARCELS_FILE, PASSWORD, PW_USER, REDLINES_FILE, _free_port, serve
from shapely.geometry import LineString, Point, Polygon, box

import suzhou_geo as sg
from suzhou_geo.errors import (
    CRSError,
    InputError,
    MissingDependencyError,
    OutputError,
    ReadError,
    SuzhouGeoWarning,
)
from suzhou_geo.io import postgis, read_layer, read_vector, write_layer
from suzhou_geo.validate.schema import REPORT_SCHEMA

SECRETS = (PASSWORD, quote(PASSWORD, safe=""), quote(PASSWORD))


def assert_no_password(text: str) -> None:
    for s in SECRETS:
        assert s not in text, f"password in: {text}"


# --------------------------------------------------------------------------- without a server


@pytest.mark.parametrize(
    "source",
    [
        "PG:host=h dbname=db",
        "pg:dbname=db",
        "postgresql://u@h/db",
        "postgres://u@h/db",
        "postgresql+psycopg://u@h/db",
        "postgresql+psycopg2://u@h/db",
        " POSTGRESQL://u@h/db",
    ],
)
def test_is_postgis_connection_strings(source):
    assert postgis.is_postgis(source)


@pytest.mark.parametrize(
    "source", ["parcels.gpkg", "/vsizip/x.zip", "https://x/y.geojson", None, 3]
)
def test_is_postgis_other_sources(source):
    assert not postgis.is_postgis(source)


def test_is_postgis_engines():
    import sqlalchemy as sa

    engine = sa.create_engine("postgresql+psycopg://u@127.0.0.1:1/db")
    assert postgis.is_postgis(engine)
    engine.dispose()


@pytest.mark.parametrize(
    "text, kept",
    [
        ("postgresql://u:Qz7%40s3cr%2Ft@h:5432/db", "postgresql://u:***@h:5432/db"),
        (
            "postgresql://u:a@b@h/db",
            "postgresql://u:***@h/db",
        ),  # an unencoded @: up to the last one
        ("PG:host=h password='Qz7@s3cr/t pw\\'x' user=u", "PG:host=h password=*** user=u"),
        ("PG:host=h PASSWORD = plain user=u", "PG:host=h PASSWORD = *** user=u"),
        (
            "postgresql://u@h/db?sslmode=require&password=abc&x=1",
            "postgresql://u@h/db?sslmode=require&password=***&x=1",
        ),
        (
            'failed for "postgresql://u:pw@h/db": refused',
            'failed for "postgresql://u:***@h/db": refused',
        ),
        (
            "postgresql://h:5432/db and postgresql://u@h/db",
            "postgresql://h:5432/db and postgresql://u@h/db",
        ),
    ],
)
def test_redact(text, kept):
    assert postgis.redact(text) == kept


def test_conninfo_to_uri():
    url, table, schema = postgis._conninfo_url(
        "host=10.1.2.3 port=6543 dbname='规划 库' user=planner password='a b\\'c' sslmode=require "
        "active_schema=review tables=redlines(geom)",
        InputError,
    )
    assert (url.host, url.port, url.database, url.username, url.password) == (
        "10.1.2.3",
        6543,
        "规划 库",
        "planner",
        "a b'c",
    )
    assert dict(url.query) == {"sslmode": "require"} and (table, schema) == ("redlines", "review")
    url, _, _ = postgis._conninfo_url("host=/var/run/postgresql port=5433 dbname=gis", InputError)
    assert url.host is None and dict(url.query) == {"host": "/var/run/postgresql", "port": "5433"}
    with pytest.raises(InputError, match="cannot parse the PG: string"):
        postgis._conninfo_url("host=h 'oops'", InputError)


@pytest.mark.parametrize(
    "layer, parsed",
    [
        ("parcels", (None, "parcels", False)),
        ("public.Parcels", ("public", "Parcels", False)),
        ('planning."红线 Redlines"', ("planning", "红线 Redlines", True)),
        ('"a.b"', (None, "a.b", True)),
    ],
)
def test_split_name(layer, parsed):
    assert postgis._split_name(layer, "db", InputError) == parsed


@pytest.mark.parametrize("layer", ["a.b.c", "", 3, "a."])
def test_split_name_rejects(layer):
    with pytest.raises(InputError):
        postgis._split_name(layer, "db", InputError)


def test_layer_or_sql_exactly_one():
    with pytest.raises(InputError, match="neither"):
        read_vector("postgresql://u@127.0.0.1:1/db")
    with pytest.raises(InputError, match="both"):
        read_vector("postgresql://u@127.0.0.1:1/db", layer="t", sql="SELECT 1")


def test_missing_extra_names_it(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        postgis.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "psycopg" else real(name, *a),
    )
    with pytest.raises(MissingDependencyError, match=r"suzhou_geo\[postgis\]"):
        sg.load_redlines("PG:host=127.0.0.1 dbname=gis", layer="redlines")
    with pytest.raises(MissingDependencyError, match=r"suzhou_geo\[postgis\]"):
        write_layer(
            gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4490), "postgresql://u@h/db", layer="t"
        )


def test_unreachable_server():
    port = _free_port()  # nothing listens there
    with pytest.raises(ReadError, match="cannot reach the PostgreSQL server") as err:
        read_vector(
            f"postgresql://{PW_USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{port}/db", layer="t"
        )
    assert_no_password(str(err.value))
    assert err.value.hint and "pg_hba.conf" in err.value.hint


# --------------------------------------------------------------------------- against the server

pg = pytest.mark.postgis


@pytest.fixture(scope="session")
def postgis_server():
    yield from serve()


@pytest.fixture(scope="module")
def file_report():
    return sg.validate_parcels(str(PARCELS_FILE))


@pg
def test_validate_from_table_gives_the_file_verdicts(postgis_server, file_report):
    report = sg.validate_parcels(postgis_server.uri(PW_USER, PASSWORD), layer="parcels")
    assert_no_password(str(report.attrs))
    assert len(report) == len(file_report) == 382
    assert list(report["parcel_id"]) == list(file_report["parcel_id"])  # input order
    assert list(report["verdict"]) == list(file_report["verdict"])
    assert list(report["reasons"]) == list(file_report["reasons"])
    for col in ("redline_overlap_m2", "control_overlap_m2", "nearest_redline_m", "parcel_area_m2"):
        np.testing.assert_array_equal(report[col].to_numpy(), file_report[col].to_numpy())
    assert (
        report["verdict"] == "invalid"
    ).sum() >= 2  # the point, line and missing rows came through


@pg
def test_report_written_back_reads_back_row_for_row(postgis_server, file_report):
    with pytest.warns(SuzhouGeoWarning, match="not polygons"):
        name = write_layer(file_report, postgis_server.uri(), layer="report")
    assert name == "public.report"
    sql = postgis_server.sql
    n = len(file_report)
    assert sql("SELECT count(*) FROM report") == [(n,)]
    counts = dict(sql("SELECT verdict, count(*) FROM report GROUP BY verdict"))
    assert counts == file_report["verdict"].value_counts().to_dict()
    assert sql("SELECT type, srid FROM geometry_columns WHERE f_table_name = 'report'") == [
        ("MULTIPOLYGON", 4490)
    ]
    assert sql(
        "SELECT DISTINCT ST_SRID(geometry), GeometryType(geometry) FROM report WHERE geometry IS NOT NULL"
    ) == [(4490, "MULTIPOLYGON")]
    idx = sql("SELECT indexdef FROM pg_indexes WHERE tablename = 'report'")
    assert any("USING gist (geometry)" in d for (d,) in idx), idx
    # Chinese text intact and in input order (fid numbers the rows)
    rows = sql("SELECT name, district, reasons, redline_names FROM report ORDER BY fid")
    for col, got in zip(("name", "district", "reasons", "redline_names"), zip(*rows, strict=True), strict=True):
        want = [None if pd.isna(v) else v for v in file_report[col]]
        assert list(got) == want, col
    # column types from the report schema
    types = dict(
        sql(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'report'"
        )
    )
    expect = {"str": "text", "float": "double precision", "bool": "boolean"}
    assert {c.name: types[c.name] for c in REPORT_SCHEMA} == {
        c.name: expect[c.dtype] for c in REPORT_SCHEMA
    }
    # the points and lines of invalid rows: NULL geometry, their WKT kept
    odd = file_report.geometry.notna() & ~file_report.geom_type.isin(["Polygon", "MultiPolygon"])
    kept = sql(
        "SELECT fid - 1, geometry IS NULL, geometry_wkt FROM report WHERE geometry_wkt IS NOT NULL ORDER BY fid"
    )
    assert [r[0] for r in kept] == list(np.flatnonzero(odd))
    assert all(r[1] for r in kept)
    for (_, _, wkt), g in zip(kept, file_report.geometry[odd], strict=True):
        assert shapely.from_wkt(wkt).equals_exact(g, 1e-12)
    # read back with the library: row for row
    back = read_layer(postgis_server.uri(), layer="report")
    assert list(back.columns) == [*file_report.columns, "geometry_wkt"]
    assert back.crs.to_epsg() == 4490
    for col in ("verdict", "reasons", "parcel_id", "in_joint_zone", "redline_overlap_m2"):
        pd.testing.assert_series_equal(
            back[col], file_report[col], check_dtype=False, check_names=False
        )
    poly = file_report.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    assert shapely.equals(back.geometry.values[poly], file_report.geometry.values[poly]).all()
    assert back.geometry[~poly].isna().all()


@pg
def test_existing_table_is_kept_unless_overwrite(postgis_server):
    frame = gpd.GeoDataFrame(
        {"名称": ["甲", "乙"]}, geometry=[box(120.9, 31.3, 121.0, 31.4)] * 2, crs=4490
    )
    write_layer(frame, postgis_server.uri(), layer="keep_me")
    with pytest.raises(OutputError, match="already exists") as err:
        write_layer(frame.head(1), postgis_server.uri(), layer="public.keep_me")
    assert "overwrite=True" in err.value.hint and "public.keep_me" in str(err.value)
    assert postgis_server.sql("SELECT count(*) FROM keep_me") == [(2,)]
    write_layer(frame.head(1), postgis_server.pg(), layer="public.keep_me", overwrite=True)
    assert postgis_server.sql('SELECT "名称" FROM keep_me') == [("甲",)]


@pg
def test_load_redlines_from_pg_string_same_floor(postgis_server):
    from_file = sg.load_redlines(str(REDLINES_FILE))
    from_db = sg.load_redlines(postgis_server.pg(), layer="redlines")
    assert len(from_db) == len(from_file) == 28
    assert list(from_db["name"]) == list(from_file["name"])
    assert list(from_db["kind"]) == list(from_file["kind"])
    a = sg.check_floor("昆山市", redlines=from_db).area_km2
    b = sg.check_floor("昆山市", redlines=from_file).area_km2
    assert abs(a - b) < 1e-6 and a > 1
    info = from_db.attrs["suzhou_geo_read"]
    assert info["name"] == "public.redlines" and info["format"] == "PostGIS"


@pg
def test_sql_query(postgis_server):
    q = "SELECT name, kind, geom FROM redlines WHERE jurisdiction = '昆山市' AND name LIKE '%湖%'"
    got = sg.load_redlines(postgis_server.uri(), sql=q)
    file = gpd.read_file(REDLINES_FILE)
    want = file[(file.jurisdiction == "昆山市") & file["name"].str.contains("湖")]
    assert len(want) > 0 and sorted(got["name"]) == sorted(want["name"])
    assert got.attrs["suzhou_geo_read"]["name"] == "SQL query"


@pg
def test_connection_forms(postgis_server):
    import sqlalchemy as sa

    s = postgis_server
    sqla_uri = s.uri().replace("postgresql://", "postgresql+psycopg://")
    engine = sa.create_engine(sqla_uri)
    try:
        forms = [
            s.uri(),
            s.uri().replace("postgresql://", "postgres://"),
            s.uri().replace("postgresql://", "postgresql+psycopg2://"),  # read with psycopg 3
            s.socket_uri(),
            s.pg(PW_USER, PASSWORD),
            s.uri(PW_USER, PASSWORD),
            engine,
        ]
        for form in forms:
            g = read_vector(form, layer="redlines")
            assert len(g) == 28 and g.crs.to_epsg() == 4490, form
            assert_no_password(str(g.attrs))
        with engine.connect() as con:  # a Connection is used, not closed
            assert len(read_vector(con, layer="public.redlines")) == 28
            assert con.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
    # GDAL's tables= and active_schema=, a schema-qualified Chinese name
    assert len(read_vector(s.pg() + " tables=redlines")) == 28
    assert len(read_vector(s.pg() + " active_schema=planning", layer="红线 Redlines")) == 28
    g = read_vector(s.uri(), layer='planning."红线 Redlines"')
    assert g.attrs["suzhou_geo_read"]["name"] == "planning.红线 Redlines" and set(g.geom_type) == {
        "MultiPolygon"
    }
    assert len(read_vector(s.uri(), layer="REDLINES")) == 28  # unquoted names fold to lower case
    empty = read_vector(s.uri(), layer="empty4490")  # no row to ask: the column's SRID
    assert len(empty) == 0 and empty.crs.to_epsg() == 4490
    q = read_vector(
        s.uri(), sql="SELECT id, ST_Transform(geom, 4549) AS g, geom AS g2 FROM redlines"
    )
    assert q.geometry.name == "g" and q.crs.to_epsg() == 4549  # the first geometry column
    assert q["g2"].str.startswith(("POLYGON", "MULTIPOLYGON")).all()  # the others as WKT


@pg
def test_failures_say_what_and_never_the_password(postgis_server, caplog):
    caplog.set_level(logging.DEBUG)
    s = postgis_server
    for conn in (s.uri(PW_USER, PASSWORD), s.pg(PW_USER, PASSWORD)):
        with pytest.raises(ReadError, match="no table 'nope'") as err:
            read_vector(conn, layer="nope")
        assert "public.parcels" in str(err.value) and "public.no_geom" in str(err.value)
        assert_no_password(str(err.value))
        with pytest.raises(ReadError, match="has no geometry column") as err:
            read_vector(conn, layer="no_geom")
        assert "id, name" in str(err.value)
        assert_no_password(str(err.value))
        with pytest.raises(CRSError, match="public.srid0") as err:
            read_layer(conn, layer="srid0")
        assert_no_password(str(err.value))
        assert read_layer(conn, layer="srid0", crs="EPSG:4490").crs.to_epsg() == 4490
        with pytest.raises(ReadError, match="mixes SRIDs 4326, 4490") as err:
            read_vector(conn, layer="mixed_srid")
        assert_no_password(str(err.value))
        with pytest.raises(ReadError, match='relation "nope" does not exist') as err:
            read_vector(conn, sql="SELECT * FROM nope")
        assert "public.redlines" in str(err.value)
        with pytest.raises(ReadError, match="has no geometry column"):
            read_vector(conn, sql="SELECT 1 AS one")
    with pytest.raises(ReadError, match="refused the user name or password") as err:
        read_vector(s.uri(PW_USER, PASSWORD + "x"), layer="redlines")
    assert (PASSWORD + "x") not in str(err.value)
    with pytest.raises(ReadError, match="refused the user name or password"):
        read_vector(s.pg(PW_USER), layer="redlines")  # no password given
    with pytest.raises(ReadError, match="no such database"):
        read_vector(s.uri(PW_USER, PASSWORD, db="nodb"), layer="redlines")
    # a table the owner made (this test must not rely on another test having written it)
    write_layer(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)] * 2, crs=4490), s.uri(), layer="report", overwrite=True)
    with pytest.raises(
        OutputError, match="cannot write table 'public.report'"
    ) as err:  # not the owner
        write_layer(
            gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4490),
            s.uri(PW_USER, PASSWORD),
            layer="report",
            overwrite=True,
        )
    assert_no_password(str(err.value))
    assert_no_password(caplog.text)
    assert s.sql("SELECT count(*) FROM report")[0][0] > 1  # the failed overwrite changed nothing


@pg
def test_write_column_types_index_and_crs(postgis_server):
    gk = gpd.GeoDataFrame(
        {
            "名称": ["甲地块", None, "丙"],
            "n": np.array([1, 2, 3], dtype="int64"),
            "small": np.array([1, 2, 3], dtype="int16"),
            "maybe": pd.array([1, None, 3], dtype="Int64"),
            "x": [1.5, np.nan, 2.5],
            "ok": [True, False, True],
            "when": pd.to_datetime(["2026-01-01", None, "2026-03-01"]),
        },
        geometry=[box(557000, 3464000, 557100, 3464100), Polygon(), None],
        index=pd.Index(["DK-1", "DK-2", "DK-3"], name="地块编号"),
        crs="EPSG:4549",
    )
    write_layer(gk, postgis_server.uri(), layer="types")
    types = postgis_server.sql(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'types' "
        "ORDER BY ordinal_position"
    )
    assert types == [
        ("fid", "bigint"),
        ("地块编号", "text"),
        ("名称", "text"),
        ("n", "bigint"),
        ("small", "smallint"),
        ("maybe", "bigint"),
        ("x", "double precision"),
        ("ok", "boolean"),
        ("when", "timestamp without time zone"),
        ("geometry", "USER-DEFINED"),
    ]
    rows = postgis_server.sql(
        'SELECT "地块编号", "名称", maybe, x, ok, "when"::date::text, ST_AsText(geometry) IS NULL, '
        "ST_IsEmpty(geometry) FROM types ORDER BY fid"
    )
    assert [r[:6] for r in rows] == [
        ("DK-1", "甲地块", 1, 1.5, True, "2026-01-01"),
        ("DK-2", None, None, None, False, None),
        ("DK-3", "丙", 3, 2.5, True, "2026-03-01"),
    ]
    assert [r[6:] for r in rows] == [(False, False), (False, True), (True, None)]
    # converted from Gauss-Krüger to CGCS2000 longitude/latitude
    ((x, y),) = postgis_server.sql(
        "SELECT ST_X(ST_Centroid(geometry)), ST_Y(ST_Centroid(geometry)) FROM types WHERE fid = 1"
    )
    c = shapely.centroid(gk.geometry.iloc[[0]].to_crs(4490).iloc[0])
    assert abs(x - c.x) < 1e-9 and abs(y - c.y) < 1e-9


@pg
def test_insert_path_for_other_drivers_writes_the_same(postgis_server, monkeypatch):
    frame = gpd.GeoDataFrame(
        {"名称": ["甲", "乙'\"", None], "v": [1.0, np.nan, 3.0]},
        geometry=[box(120.9, 31.3, 121.0, 31.4), Point(121, 31), None],
        crs=4490,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuzhouGeoWarning)
        write_layer(frame, postgis_server.uri(), layer="by_copy")
        monkeypatch.setattr(postgis, "_can_copy", lambda raw: False)
        write_layer(frame, postgis_server.uri(), layer="by_insert")
    q = 'SELECT "名称", v, ST_AsEWKT(geometry), geometry_wkt FROM {} ORDER BY fid'
    assert postgis_server.sql(q.format("by_copy")) == postgis_server.sql(q.format("by_insert"))
    assert postgis_server.sql(q.format("by_insert"))[1] == ("乙'\"", None, None, "POINT (121 31)")


@pg
def test_write_errors(postgis_server):
    frame = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4490)
    with pytest.raises(OutputError, match="needs the table to create.*layer='report'"):
        write_layer(frame, postgis_server.uri())
    with pytest.raises(OutputError, match="schema 'nowhere' does not exist"):
        write_layer(frame, postgis_server.uri(), layer="nowhere.t")
    with pytest.raises(OutputError, match="no CRS"):
        write_layer(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]), postgis_server.uri(), layer="t")
    long = "长" * 22  # 66 bytes in UTF-8
    with pytest.raises(OutputError, match="longer than PostgreSQL's 63 bytes"):
        write_layer(frame.assign(**{long: 1}), postgis_server.uri(), layer="t")
    assert postgis_server.sql("SELECT to_regclass('public.t')") == [(None,)]


@pg
@pytest.mark.filterwarnings("ignore:.*not polygons:suzhou_geo.errors.SuzhouGeoWarning")  # tested above
def test_cli_validate_postgis_in_and_out(postgis_server):
    from click.testing import CliRunner

    from suzhou_geo.cli import main

    s = postgis_server
    args = [
        "validate",
        s.uri(PW_USER, PASSWORD),
        "--layer",
        "parcels",
        "--redlines",
        s.pg(PW_USER, PASSWORD),
        "--redlines-layer",
        "redlines",
        "-o",
        s.uri(PW_USER, PASSWORD),
        "--output-layer",
        "cli_report",
        "--no-schemes",
    ]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert_no_password(res.output)
    assert "public.cli_report" in res.output
    assert s.sql("SELECT count(*) FROM cli_report") == [(382,)]
    texts = s.sql("SELECT DISTINCT redline_data, reasons FROM cli_report")
    assert_no_password(str(texts))
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and "--overwrite" in res.output
    assert_no_password(res.output)
    res = CliRunner().invoke(main, [*args, "--overwrite"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, [*args[:-5], "-o", s.uri(), "--no-schemes"])
    assert res.exit_code == 2 and "--output-layer" in res.output
    res = CliRunner().invoke(
        main, ["validate", s.uri(PW_USER, PASSWORD), "--layer", "nope", "-o", "x.gpkg"]
    )
    assert res.exit_code == 2 and "no table 'nope'" in res.output
    assert_no_password(res.output)


def test_line_geometry_warning_is_the_only_loss_free_path():
    """Points and lines cannot go in a MultiPolygon column: their WKT column is the way (no server)."""
    geo = gpd.GeoSeries([box(0, 0, 1, 1), LineString([(0, 0), (1, 1)]), None], crs=4490)
    with pytest.warns(SuzhouGeoWarning, match="1 row"):
        col, wkt = postgis._geometry_columns(geo, "geometry", {"geometry"})
    assert col.sqltype == "geometry(MultiPolygon,4490)"
    assert shapely.from_wkb(col.values[0]).geom_type == "MultiPolygon" and col.values[1:] == [
        None,
        None,
    ]
    assert wkt.name == "geometry_wkt" and wkt.values == [None, "LINESTRING (0 0, 1 1)", None]
