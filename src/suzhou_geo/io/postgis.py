"""PostGIS: reading tables and queries, writing layers back.

Internal to :mod:`suzhou_geo.io`; users pass a connection wherever a layer is
accepted, and :func:`suzhou_geo.io.write_layer` writes to one.

A connection is any of

* a URI: ``postgresql://user:password@host:5432/dbname`` (also ``postgres://``,
  ``postgresql+psycopg://``, ``postgresql+psycopg2://``; a Unix socket as
  ``postgresql://user@/dbname?host=/var/run/postgresql``);
* a GDAL/libpq string: ``PG:host=… port=… dbname=… user=… password=…``
  (GDAL's ``active_schema=``/``schemas=`` and ``tables=`` are understood: the
  default schema and, for a single table, the layer);
* a SQLAlchemy ``Engine`` or ``Connection`` (it is used, never closed).

The GDAL inside the pyogrio wheel has no PostgreSQL driver, so everything goes
through SQLAlchemy and psycopg 3 (the ``suzhou_geo[postgis]`` extra), strings
always with psycopg 3.  Reading runs one query and decodes the geometry column
(found by its PostGIS type, not its name) vectorised; the CRS comes from the
SRID the rows carry, looked up in ``spatial_ref_sys``.  Writing creates a table
with a ``MultiPolygon`` column in SRID 4490, loads it with ``COPY``, and adds a
GiST index, all in one transaction.

Passwords never leave this module: every message, log line and the ``source``
recorded with a frame go through :func:`redact`.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import (
    InputError,
    MissingDependencyError,
    OutputError,
    ReadError,
    SuzhouGeoWarning,
    arg,
    missing_extra,
)
from .columns import Column, Columns, as_columns

__all__ = ["is_postgis", "read_postgis", "write_postgis", "redact"]

log = logging.getLogger(__name__)

#: URI schemes taken for PostGIS (all go through psycopg 3).
URI_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://", "postgresql+psycopg2://")

#: SRID of every table written (CGCS2000).
SRID = 4490

#: Feature-id columns (GDAL's and this module's): the primary key a table is read in the order of,
#: not returned as a column (like a GeoPackage's fid).
FID_COLUMNS = ("fid", "ogc_fid")

_DRIVER = "postgresql+psycopg"
_CONNECT_TIMEOUT_S = 10
#: Keys of GDAL's PG: strings that libpq does not know.
_GDAL_KEYS = ("active_schema", "schemas", "tables", "list_all_tables")
_MAX_IDENT_BYTES = 63
_LISTED = 30  # tables named in a "no such table" message


# --------------------------------------------------------------------------- recognising, redacting


def is_postgis(source: Any) -> bool:
    """Return True if *source* names a PostGIS database.

    Parameters
    ----------
    source : object
        ``PG:…`` strings, ``postgresql://``, ``postgres://``,
        ``postgresql+psycopg://`` and ``postgresql+psycopg2://`` URIs, and
        SQLAlchemy ``Engine``/``Connection`` objects are PostGIS sources.

    Examples
    --------
    >>> is_postgis("PG:host=127.0.0.1 dbname=gis"), is_postgis("postgres://u@h/db")
    (True, True)
    >>> is_postgis("parcels.gpkg"), is_postgis(None)
    (False, False)
    """
    if isinstance(source, str):
        s = source.strip().lower()
        return s.startswith("pg:") or s.startswith(URI_SCHEMES)
    return _is_sqlalchemy(source)


def _is_sqlalchemy(obj: Any) -> bool:
    engine = sys.modules.get("sqlalchemy.engine")  # not imported: obj cannot be an Engine
    return engine is not None and isinstance(obj, (engine.Engine, engine.Connection))


_URI_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^:/@\s'\"]*:)[^\s'\"]*(?=@)")
_QUERY_PASSWORD = re.compile(r"(?i)((?<=[?&])password=)[^\s&#'\"]*")
_KEY_PASSWORD = re.compile(
    r"(?i)((?<![?&])\b(?:pg)?password\s*=\s*)('(?:[^'\\]|\\.)*'|(?:[^\s'\\]|\\.)+)"
)


def redact(text: Any) -> str:
    """Return *text* with every password replaced by ``***``.

    Works on URIs (``postgresql://user:secret@host/db``, up to the last ``@``
    of the address), on ``password=`` in URI queries and libpq/GDAL ``PG:``
    strings (quoted or not), and on any message that contains them.

    Examples
    --------
    >>> redact("postgresql://planner:s3cret@10.0.0.5:5432/gis")
    'postgresql://planner:***@10.0.0.5:5432/gis'
    >>> redact("PG:host=10.0.0.5 dbname=gis user=planner password='two words'")
    'PG:host=10.0.0.5 dbname=gis user=planner password=***'
    >>> redact("postgresql://planner@/gis?host=/tmp&password=s3cret")
    'postgresql://planner@/gis?host=/tmp&password=***'
    """
    text = str(text)
    text = _URI_PASSWORD.sub(r"\1***", text)
    text = _QUERY_PASSWORD.sub(r"\1***", text)
    return _KEY_PASSWORD.sub(r"\1***", text)


# --------------------------------------------------------------------------- connections


@dataclass
class _Source:
    """A parsed connection: what to connect with and how to name it in messages."""

    bind: Any  # sqlalchemy Engine or Connection
    label: str  # the URI without its password
    table: str | None = None  # a single table named in a PG: string (tables=…)
    schema: str | None = None  # the default schema named in a PG: string (active_schema=…)
    owned: bool = False  # an engine made here, disposed after use

    def close(self) -> None:
        if self.owned:
            self.bind.dispose()


def _sqlalchemy(what: str):
    """Import SQLAlchemy (≥ 2), or say which extra installs it."""
    if importlib.util.find_spec("sqlalchemy") is None:
        raise missing_extra("SQLAlchemy", "postgis", what)
    import sqlalchemy

    if int(sqlalchemy.__version__.split(".")[0]) < 2:
        raise MissingDependencyError(
            f"{what} needs SQLAlchemy 2 or later (found {sqlalchemy.__version__}): "
            "pip install 'suzhou_geo[postgis]'"
        )
    return sqlalchemy


def _open(source: Any, what: str, error: type[Exception]) -> _Source:
    """Turn a connection string, Engine or Connection into a :class:`_Source`."""
    sa = _sqlalchemy(what)
    if _is_sqlalchemy(source):
        return _Source(source, _label(source.engine.url))
    if importlib.util.find_spec("psycopg") is None:
        raise missing_extra("psycopg (3)", "postgis", what)
    text = str(source).strip()
    if text[:3].lower() == "pg:":
        rest = text[3:].strip().strip('"').strip()
        if rest.lower().startswith(URI_SCHEMES):
            url, table, schema = _uri(rest, error), None, None
        else:
            url, table, schema = _conninfo_url(rest, error)
    else:
        url, table, schema = _uri(text, error), None, None
    connect_args: dict[str, Any] = {"application_name": "suzhou_geo"}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = _CONNECT_TIMEOUT_S
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=connect_args)
    return _Source(engine, _label(url), table=table, schema=schema, owned=True)


def _label(url) -> str:
    return redact(url.set(drivername="postgresql").render_as_string(hide_password=True))


def _uri(text: str, error: type[Exception]):
    """Return a URI of any accepted scheme as a SQLAlchemy URL for psycopg 3."""
    from sqlalchemy.engine import make_url

    _, _, rest = text.partition("://")
    try:
        return make_url(f"{_DRIVER}://{rest}")
    except Exception as exc:  # sqlalchemy.exc.ArgumentError and ValueError (bad port)
        raise error(
            f"连接字符串无法解析 cannot parse the connection URI: {redact(exc)}",
            source=redact(text),
            hint="write it as postgresql://user:password@host:5432/dbname "
            "(a password with @, / or : percent-encoded, e.g. @ as %40)",
        ) from None


_CONNINFO = re.compile(r"\s*([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|(?:[^\s'\\]|\\.)+)")


def _parse_conninfo(text: str, error: type[Exception]) -> dict[str, str]:
    """Return the ``key=value key='quoted value'`` pairs of a libpq connection string."""
    params: dict[str, str] = {}
    pos = 0
    while pos < len(text.rstrip()):
        m = _CONNINFO.match(text, pos)
        if m is None:
            raise error(
                "连接字符串无法解析 cannot parse the PG: string near "
                f"{redact(text[pos : pos + 20])!r}",
                source=redact("PG:" + text),
                hint="write it as PG:host=… port=… dbname=… user=… password=… "
                "(values with spaces in single quotes)",
            )
        value = m.group(2)
        if value.startswith("'"):
            value = value[1:-1]
        params[m.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
        pos = m.end()
    return params


def _conninfo_url(text: str, error: type[Exception]):
    """Return a GDAL/libpq ``key=value`` string as a URL, plus GDAL's table and schema."""
    from sqlalchemy.engine import URL

    params = _parse_conninfo(text, error)
    gdal = {k: params.pop(k) for k in _GDAL_KEYS if k in params}
    tables = [t.split("(")[0].strip() for t in gdal.get("tables", "").split(",") if t.strip()]
    schemas = [s.strip() for s in gdal.get("schemas", "").split(",") if s.strip()]
    schema = gdal.get("active_schema") or (schemas[0] if len(schemas) == 1 else None)
    host, port = params.pop("host", None), params.pop("port", None)
    if host is not None and (host.startswith("/") or "," in host):  # socket directory, host list
        params["host"] = host
        host = None
        if port is not None:
            params["port"] = port
            port = None
    if port is not None and not port.isdigit():
        raise error(f"端口无效 port {port!r} is not a number", source=redact("PG:" + text))
    url = URL.create(
        _DRIVER,
        username=params.pop("user", None),
        password=params.pop("password", None),
        host=host,
        port=int(port) if port else None,
        database=params.pop("dbname", None),
        query=params,
    )
    return url, (tables[0] if len(tables) == 1 else None), schema


@contextmanager
def _connection(src: _Source, error: type[Exception]) -> Iterator[Any]:
    """Yield a SQLAlchemy Connection: the caller's, or a new one closed afterwards."""
    import sqlalchemy as sa

    if isinstance(src.bind, sa.engine.Connection):
        yield src.bind
        return
    try:
        conn = src.bind.connect()
    except sa.exc.DBAPIError as exc:
        raise _connect_error(exc, src.label, error) from None
    with conn:
        yield conn


@contextmanager
def _transaction(conn) -> Iterator[None]:
    """One transaction, or a savepoint inside the caller's (which the caller commits)."""
    if conn.in_transaction():
        with conn.begin_nested():
            yield
    else:
        with conn.begin():
            yield


def _db_errors(conn) -> tuple[type[Exception], ...]:
    """Return the errors a query can raise: SQLAlchemy's and the driver's own (raw cursor, COPY)."""
    import sqlalchemy as sa

    return (sa.exc.DBAPIError, conn.dialect.loaded_dbapi.Error)


def _server_message(exc: Exception) -> str:
    """Return what the server or libpq said (first lines, password removed)."""
    text = str(getattr(exc, "orig", None) or exc)
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("(Background on this error", "[SQL:"))]
    return redact(" ".join(lines[:3]))


def _connect_error(exc: Exception, label: str, error: type[Exception]) -> Exception:
    said = _server_message(exc)
    low = said.lower()
    if "password" in low or "authentication failed" in low:
        msg = "数据库拒绝了用户名或密码 the server refused the user name or password"
        hint = "check user and password in the connection (or ~/.pgpass, PGPASSWORD)"
    elif "database" in low and "does not exist" in low:
        msg = "数据库不存在 no such database on the server"
        hint = "check dbname in the connection"
    elif "pg_hba.conf" in low:
        msg = "服务器不接受此连接 the server does not accept this user from this machine"
        hint = "ask the administrator to allow it in pg_hba.conf, or check user, dbname and sslmode"
    elif "role" in low and "does not exist" in low:
        msg = "用户不存在 no such user on the server"
        hint = "check user in the connection"
    elif "timeout" in low or "refused" in low or "could not" in low or "no such file" in low:
        msg = "无法连接数据库服务器 cannot reach the PostgreSQL server"
        hint = (
            "check host and port, and that the server is running and accepts connections "
            "from this machine (listen_addresses, pg_hba.conf)"
        )
    else:
        msg = "无法连接数据库 cannot connect to the database"
        hint = "check the connection"
    return error(f"{msg} ({said})", source=label, hint=hint)


# --------------------------------------------------------------------------- the database


@dataclass
class _Database:
    name: str
    schema: str | None  # current_schema()
    postgis: str  # schema holding the PostGIS types, quoted
    geometry_oids: tuple[int, ...]  # geometry, geography


def _database(conn, label: str, error: type[Exception]) -> _Database:
    import sqlalchemy as sa

    row = conn.execute(
        sa.text(
            "SELECT current_database(), current_schema(), "
            "(SELECT quote_ident(n.nspname) FROM pg_extension e "
            " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'), "
            "(SELECT array_agg(t.oid::int) FROM pg_type t "
            " JOIN pg_extension e ON t.typnamespace = e.extnamespace "
            " WHERE e.extname = 'postgis' AND t.typname IN ('geometry', 'geography'))"
        )
    ).one()
    if row[2] is None:
        raise error(
            f"数据库 {row[0]} 未安装 PostGIS: database {row[0]!r} has no PostGIS extension",
            source=label,
            hint="run CREATE EXTENSION postgis; in that database (or ask its administrator)",
        )
    return _Database(row[0], row[1], row[2], tuple(row[3] or ()))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_IDENT = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^."\s][^."]*?))\s*(\.|$)')


def _split_name(layer: Any, label: str, error: type[Exception]) -> tuple[str | None, str, bool]:
    """``schema.table`` (parts optionally double-quoted) → (schema, table, table was quoted)."""
    if not isinstance(layer, str) or not layer.strip():
        raise error(
            f"必须是表名 the table must be named (e.g. 'public.redlines'), not {layer!r}",
            source=label,
        )
    parts: list[tuple[str, bool]] = []
    text, pos, ended = layer.strip(), 0, False
    while not ended and (m := _IDENT.match(text, pos)) is not None:
        parts.append(
            (m.group(1).replace('""', '"'), True) if m.group(1) is not None else (m.group(2), False)
        )
        pos, ended = m.end(), m.group(3) == ""
    if not ended or not 1 <= len(parts) <= 2 or any(not p for p, _ in parts):
        raise error(
            f"表名无法解析 cannot read {layer!r} as a table name",
            source=label,
            hint=f"pass {_either(arg('layer', repr('table')), arg('layer', repr('schema.table')))} "
                 "(double-quote names with dots)",
        )
    schema = parts[0][0] if len(parts) == 2 else None
    return schema, parts[-1][0], parts[-1][1]


# --------------------------------------------------------------------------- reading


@dataclass
class _Table:
    oid: int
    schema: str
    name: str

    @property
    def qualified(self) -> str:
        return f"{_quote(self.schema)}.{_quote(self.name)}"

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


def read_postgis(
    source: Any, *, layer: str | None = None, sql: str | None = None
) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Read a PostGIS table or query as declared (no reprojection).

    Parameters
    ----------
    source : str, sqlalchemy Engine or Connection
        A connection (see the module docstring).  A ``Connection`` is used as
        it is: the read runs in a savepoint of its open transaction, if any.
    layer : str, optional
        A table, view or materialized view: ``"table"`` (found on the search
        path) or ``"schema.table"``.  Names are matched as written, then in
        lower case (PostgreSQL folds unquoted names).  Read in the order of its
        primary key; a ``fid``/``ogc_fid`` key is not returned as a column.
    sql : str, optional
        A query returning a geometry (or geography) column, run as written.
        Exactly one of *layer* and *sql* (a ``PG:`` string naming one table in
        GDAL's ``tables=`` counts as *layer*).

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        The frame, its geometry the first geometry column (further ones as WKT
        text) and its CRS from the rows' SRID (``None`` for SRID 0: the caller
        decides); and ``{"source": URI without password, "name": "schema.table"
        or "SQL query", "format": "PostGIS"}``.

    Raises
    ------
    suzhou_geo.errors.MissingDependencyError
        SQLAlchemy or psycopg is not installed (names ``suzhou_geo[postgis]``).
    suzhou_geo.errors.ReadError
        The server cannot be reached or refuses the login; no such table (the
        message lists the tables there are); no geometry column; geometries of
        several SRIDs; the query fails (the server's words).
    suzhou_geo.errors.InputError
        Not exactly one of *layer* and *sql*; a connection string that cannot
        be parsed.

    Examples
    --------
    >>> gdf, info = read_postgis("PG:host=127.0.0.1 dbname=gis user=planner",
    ...                          layer="public.redlines")  # doctest: +SKIP
    >>> info  # doctest: +SKIP
    {'source': 'postgresql://planner@127.0.0.1/gis', 'name': 'public.redlines', 'format': 'PostGIS'}
    """
    src = _open(source, "reading PostGIS tables", InputError)
    try:
        if layer is None and sql is None:
            layer = src.table
        _one_of(layer, sql, src.label)
        with _connection(src, ReadError) as conn:
            gdf, name = _read(conn, src, layer, sql)
    finally:
        src.close()
    log.info("read %d rows from PostGIS %s (%s)", len(gdf), name, src.label)
    return gdf, {"source": src.label, "name": name, "format": "PostGIS"}


#: An example query, for hints.
_QUERY = "'SELECT name, geom FROM redlines WHERE …'"


def _either(*ways: str | None) -> str:
    """Join the ways the caller offers with "or" (a command line offers no query)."""
    offered = [w for w in ways if w]
    return " or ".join(offered) if offered else "a table"


def _transform_hint(column: str) -> str:
    query = arg("sql", f"'SELECT …, ST_Transform({column}, 4490) AS {column} FROM …'")
    return (f"pass {query} so that every row has one CRS" if query else
            f"give a view or table whose {column} is ST_Transform({column}, 4490), so that every row has one CRS")


def _one_of(layer: Any, sql: Any, label: str) -> None:
    if (layer is None) == (sql is None):
        raise InputError(
            "PostGIS 数据源需要表名或查询之一 a PostGIS source needs exactly one of a table and a query"
            + ("; both were given" if layer is not None else "; neither was given"),
            source=label,
            hint=f"pass {_either(arg('layer', repr('public.redlines')), arg('sql', _QUERY))}",
        )


def _read(conn, src: _Source, layer: str | None, sql: str | None) -> tuple[gpd.GeoDataFrame, str]:
    try:
        with _transaction(conn):
            db = _database(conn, src.label, ReadError)
            if layer is not None:
                table = _find_table(conn, db, layer, src)
                query, name = _table_query(conn, table), str(table)
            else:
                query, name = sql.strip().rstrip(";"), "SQL query"
            gdf = _fetch(conn, db, query, name, src.label)
            if layer is not None and gdf.crs is None and gdf.geometry.isna().all():
                # no row says its SRID: the column's declaration does
                srid = _declared_srid(conn, db, table, gdf.geometry.name)
                crs = _crs(conn, db, srid, src.label)
                gdf = gdf.set_crs(crs) if crs is not None else gdf
    except _db_errors(conn) as exc:
        raise _query_error(conn, exc, src, layer or "SQL query") from None
    return gdf, name


def _find_table(conn, db: _Database, layer: str, src: _Source) -> _Table:
    """Find the table *layer* names: as written first, then folded to lower case."""
    import sqlalchemy as sa

    schema, name, quoted = _split_name(layer, src.label, ReadError)
    names = [name] if quoted or name == name.lower() else [name, name.lower()]
    schema = schema if schema is not None else src.schema
    where = (
        "n.nspname = ANY(:schemas)"
        if schema is not None
        else "n.nspname = ANY(current_schemas(false))"
    )
    rows = conn.execute(
        sa.text(
            "SELECT c.oid::int, n.nspname, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND c.relname = ANY(:names) AND {where} "
            "ORDER BY c.relname = :exact DESC, n.nspname = :schema DESC, "
            "array_position(current_schemas(false), n.nspname)"
        ),
        {
            "names": names,
            "exact": name,
            "schema": schema or "",
            "schemas": [schema, schema.lower()] if schema else [],
        },
    ).first()
    if rows is None:
        shown = layer if schema is None or "." in layer else f"{schema}.{layer}"
        raise _missing_table(
            conn,
            db,
            f"数据库中没有表 {shown} no table {shown!r} in database {db.name!r}",
            src.label,
        )
    return _Table(*rows)


def _missing_table(conn, db: _Database, message: str, label: str) -> ReadError:
    with_geom, other = _list_tables(conn, db)
    listed = []
    if with_geom:
        listed.append("有几何的表 tables with geometry: " + _names(with_geom))
    if other:
        listed.append("其他表 other tables: " + _names(other))
    return ReadError(
        f"{message}; "
        + ("; ".join(listed) if listed else "没有可读的表 it has no tables this user can read"),
        source=label,
        hint=f"pass {_either(arg('layer', repr('schema.table')), arg('sql', _QUERY))} with one of these",
    )


def _names(names: list[str]) -> str:
    more = f" … ({len(names) - _LISTED} more)" if len(names) > _LISTED else ""
    return ", ".join(names[:_LISTED]) + more


def _list_tables(conn, db: _Database) -> tuple[list[str], list[str]]:
    """Return (tables with a geometry/geography column, other tables) this user can read."""
    import sqlalchemy as sa

    rows = conn.execute(
        sa.text(
            "SELECT n.nspname || '.' || c.relname, EXISTS (SELECT 1 FROM pg_attribute a "
            "  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "  AND a.atttypid = ANY(:oids)) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND NOT c.relispartition "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'topology', 'tiger', "
            "  'tiger_data') "
            "AND n.nspname NOT LIKE 'pg\\_%' AND has_table_privilege(c.oid, 'SELECT') "
            "AND c.relname NOT IN ('spatial_ref_sys', 'geometry_columns', 'geography_columns', "
            "  'raster_columns', 'raster_overviews') ORDER BY 1"
        ),
        {"oids": list(db.geometry_oids)},
    ).all()
    return [r[0] for r in rows if r[1]], [r[0] for r in rows if not r[1]]


def _table_query(conn, table: _Table) -> str:
    """Return a ``SELECT`` of every column of *table* in primary-key order, without a fid key."""
    import sqlalchemy as sa

    cols = (
        conn.execute(
            sa.text(
                "SELECT attname FROM pg_attribute WHERE attrelid = :oid AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum"
            ),
            {"oid": table.oid},
        )
        .scalars()
        .all()
    )
    key = conn.execute(
        sa.text(
            "SELECT a.attname, a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) "
            "FROM pg_index i JOIN pg_attribute a "
            "  ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = :oid AND i.indisprimary"
        ),
        {"oid": table.oid},
    ).all()
    order = ""
    if len(key) == 1:
        order = f" ORDER BY {_quote(key[0][0])}"
        if key[0][1] and key[0][0].lower() in FID_COLUMNS and len(cols) > 1:
            cols = [c for c in cols if c != key[0][0]]
    return f"SELECT {', '.join(map(_quote, cols))} FROM {table.qualified}{order}"


def _fetch(conn, db: _Database, query: str, name: str, label: str) -> gpd.GeoDataFrame:
    """Run *query*; the first PostGIS-typed column is the geometry, its SRID the CRS."""
    # the driver's own cursor, without parameters: a '%' in sql= stays as written
    cur = conn.connection.cursor()
    try:
        cur.execute(query)
        if cur.description is None:
            raise ReadError(
                f"查询未返回行 the query returns no rows (not a SELECT?): {query[:80]}",
                source=label,
            )
        keys = [d[0] for d in cur.description]
        types = [d[1] for d in cur.description]
        rows = cur.fetchall()
    finally:
        cur.close()
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ReadError(
            f"查询结果列名重复 the query returns column {dup[0]!r} more than once",
            source=label,
            hint="give the columns distinct names in the query (… AS other_name)",
        )
    geo = [k for k, t in zip(keys, types, strict=True) if t in db.geometry_oids]
    if not geo:
        what = "查询 the query" if name == "SQL query" else f"表 {name} table {name!r}"
        raise ReadError(
            f"{what} 没有几何列 has no geometry column (columns: {', '.join(keys) or 'none'})",
            source=label,
            hint=f"pass {_either(arg('layer', repr('schema.table')), arg('sql', _QUERY))} with a geometry column",
        )
    df = pd.DataFrame.from_records(rows, columns=keys, coerce_float=True)
    for extra in geo[1:]:  # further geometry columns: WKT text
        df[extra] = _wkt(shapely.from_wkb(df[extra].to_numpy(dtype=object, na_value=None)))
    geoms = shapely.from_wkb(df[geo[0]].to_numpy(dtype=object, na_value=None))
    srid = _row_srid(geoms, geo[0], label)
    df[geo[0]] = shapely.set_srid(geoms, 0)
    return gpd.GeoDataFrame(df, geometry=geo[0], crs=_crs(conn, db, srid, label))


def _wkt(geoms: np.ndarray) -> np.ndarray:
    """Return WKT with every digit (shapely rounds to 6 decimals by default)."""
    return shapely.to_wkt(geoms, rounding_precision=-1)


def _row_srid(geoms: np.ndarray, column: str, label: str) -> int:
    present = geoms[~shapely.is_missing(geoms)]
    srids = np.unique(shapely.get_srid(present)) if len(present) else np.array([0])
    if len(srids) > 1:
        raise ReadError(
            f"几何列 {column} 含多个坐标系 geometry column {column!r} mixes SRIDs "
            + ", ".join(map(str, srids)),
            source=label,
            hint=_transform_hint(column),
        )
    return int(srids[0])


def _declared_srid(conn, db: _Database, table: _Table, column: str) -> int:
    """Return the SRID a table's geometry column declares (for tables without any geometry)."""
    import sqlalchemy as sa

    srid = conn.execute(
        sa.text(
            f"SELECT srid FROM {db.postgis}.geometry_columns WHERE f_table_schema = :s "
            f"AND f_table_name = :t AND f_geometry_column = :c UNION ALL "
            f"SELECT srid FROM {db.postgis}.geography_columns WHERE f_table_schema = :s "
            f"AND f_table_name = :t AND f_geography_column = :c"
        ),
        {"s": table.schema, "t": table.name, "c": column},
    ).scalar()
    return int(srid or 0)


def _crs(conn, db: _Database, srid: int, label: str):
    """Return the CRS of a PostGIS SRID (``None`` for 0), from ``spatial_ref_sys``."""
    import pyproj
    import sqlalchemy as sa

    if srid == 0:
        return None
    row = conn.execute(
        sa.text(
            f"SELECT auth_name, auth_srid, srtext FROM {db.postgis}.spatial_ref_sys WHERE srid = :s"
        ),
        {"s": srid},
    ).first()
    if row is None:
        raise ReadError(
            f"坐标系未知 SRID {srid} is not in the database's spatial_ref_sys",
            source=label,
            hint=_transform_hint("geom"),
        )
    auth, code, wkt = row
    if auth and code and auth.upper() in ("EPSG", "ESRI"):
        return pyproj.CRS.from_authority(auth.upper(), int(code))
    return pyproj.CRS.from_wkt(wkt)


def _query_error(conn, exc: Exception, src: _Source, what: str) -> ReadError:
    """Return a failed query as a ReadError; an unknown table lists the tables there are."""
    said = _server_message(exc)
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code == "42P01":  # undefined_table
        try:
            with _transaction(conn):
                db = _database(conn, src.label, ReadError)
                return _missing_table(conn, db, f"查询失败 the query failed: {said}", src.label)
        except Exception:  # listing is a courtesy; the server's words are what matters
            log.debug("could not list tables", exc_info=True)
    return ReadError(
        f"查询失败 reading {what} failed: {said}",
        source=src.label,
        hint="check the SQL (it runs on the server as written) and the user's privileges",
    )


# --------------------------------------------------------------------------- writing


@dataclass
class _Column:
    name: str
    sqltype: str
    values: list
    comment: str | None = None


def write_postgis(
    gdf: gpd.GeoDataFrame,
    target: Any,
    *,
    layer: str | None = None,
    overwrite: bool = False,
    columns: Columns | Sequence[Column] | None = None,
) -> str:
    """Write a frame to a new PostGIS table: MultiPolygon, SRID 4490, GiST index.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any CRS (converted to EPSG:4490).  Polygons are written as
        MultiPolygons; rows whose geometry is not polygonal (a report keeps the
        points and lines of ``invalid`` rows) get a NULL geometry and their WKT
        in a text column ``<geometry>_wkt`` (with a warning), so nothing is lost.
    target : str, sqlalchemy Engine or Connection
        A connection (see the module docstring).  With a ``Connection`` in an
        open transaction the table is written in a savepoint of it, and the
        caller commits.
    layer : str
        The table: ``"table"`` (in the current schema) or ``"schema.table"``,
        created with the name exactly as written.
    overwrite : bool, default False
        Replace the table if it exists (otherwise that is an error).
    columns : mapping or sequence of :class:`~suzhou_geo.io.columns.Column`, optional
        Column types and bilingual comments for the columns they describe.

    Returns
    -------
    str
        ``"schema.table"``.

    Notes
    -----
    One transaction: the table (a ``fid`` identity primary key numbering the
    rows in frame order, then the frame's columns in order), ``COPY`` of the
    rows, a GiST index on the geometry, column comments (the bilingual labels
    of report columns) and ``ANALYZE``; if anything fails, nothing is changed.
    Column types follow the data (``text``, ``double precision``, ``bigint``,
    ``boolean``, ``timestamp``, …); columns described in *columns* take the
    type and comment they give (the report schema's, from :func:`suzhou_geo.write_layer`).  A named or
    non-integer index is written as a column.

    Raises
    ------
    suzhou_geo.errors.OutputError
        No *layer*; the table exists and *overwrite* is False; no such schema;
        the server refuses (its words are kept); the frame has no CRS.
    suzhou_geo.errors.MissingDependencyError
        SQLAlchemy or psycopg is not installed.

    Examples
    --------
    >>> write_postgis(report, "postgresql://planner@127.0.0.1/gis",
    ...               layer="review.report_2035")  # doctest: +SKIP
    'review.report_2035'
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"write_layer needs a GeoDataFrame, got {type(gdf).__name__}")
    src = _open(target, "writing PostGIS tables", OutputError)
    try:
        layer = layer if layer is not None else src.table
        if layer is None:
            raise OutputError(
                "写入 PostGIS 需要表名 writing to PostGIS needs the table to create",
                source=src.label,
                hint=f"pass {_either(arg('layer', repr('report')), arg('layer', repr('schema.report')))}",
            )
        schema, table, _ = _split_name(layer, src.label, OutputError)
        schema = schema if schema is not None else src.schema
        sql_columns, geom = _frame_columns(gdf, src.label, as_columns(columns))
        with _connection(src, OutputError) as conn:
            name = _write(conn, src, schema, table, sql_columns, geom, overwrite)
    finally:
        src.close()
    log.info("wrote %d rows to PostGIS %s (%s)", len(gdf), name, src.label)
    return name


def _write(
    conn, src: _Source, schema, table, columns: list[_Column], geom: _Column, overwrite: bool
) -> str:
    name = f"{schema}.{table}" if schema else table
    try:
        with _transaction(conn):
            db = _database(conn, src.label, OutputError)
            schema = schema or db.schema
            if schema is None:
                raise OutputError(
                    "没有当前模式 no current schema (empty search_path)",
                    source=src.label,
                    hint=f"pass {_either(arg('layer', repr('schema.table')))}",
                )
            name = f"{schema}.{table}"
            qualified = f"{_quote(schema)}.{_quote(table)}"
            _check_target(conn, schema, table, overwrite, src.label)
            if overwrite:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {qualified}")
            geom.sqltype = f"{db.postgis}.{geom.sqltype}"
            fid = next(
                k for k in (*FID_COLUMNS, "suzhou_geo_fid") if k not in {c.name for c in columns}
            )
            defs = [f"{_quote(fid)} bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
            defs += [f"{_quote(c.name)} {c.sqltype}" for c in columns]
            conn.exec_driver_sql(f"CREATE TABLE {qualified} ({', '.join(defs)})")
            _load(conn, qualified, columns)
            conn.exec_driver_sql(f"CREATE INDEX ON {qualified} USING gist ({_quote(geom.name)})")
            for c in columns:
                if c.comment:
                    conn.exec_driver_sql(
                        f"COMMENT ON COLUMN {qualified}.{_quote(c.name)} IS {_literal(c.comment)}"
                    )
            conn.exec_driver_sql(f"ANALYZE {qualified}")
    except _db_errors(conn) as exc:
        raise OutputError(
            f"无法写入表 {name} cannot write table {name!r}: {_server_message(exc)}",
            source=src.label,
            hint="check the user's privileges on the schema (CREATE) and the table",
        ) from None
    return name


def _check_target(conn, schema: str, table: str, overwrite: bool, label: str) -> None:
    import sqlalchemy as sa

    name = f"{schema}.{table}"
    row = conn.execute(
        sa.text(
            "SELECT (SELECT oid FROM pg_namespace WHERE nspname = :s) IS NOT NULL, "
            "to_regclass(quote_ident(:s) || '.' || quote_ident(:t)) IS NOT NULL"
        ),
        {"s": schema, "t": table},
    ).one()
    if not row[0]:
        raise OutputError(
            f"模式不存在 schema {schema!r} does not exist",
            source=label,
            hint=f"create it first (CREATE SCHEMA {_quote(schema)}), or name a table of an existing schema "
                 f"({_either(arg('layer', repr('schema.table')))})",
        )
    if row[1] and not overwrite:
        raise OutputError(
            f"表 {name} 已存在 table {name!r} already exists",
            source=label,
            hint=f"pass {_either(arg('overwrite', 'True'))} to replace it, or name another table",
        )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _load(conn, qualified: str, columns: list[_Column]) -> None:
    """``COPY`` the rows (psycopg 3), or ``INSERT`` them through SQLAlchemy (other drivers)."""
    raw = conn.connection.driver_connection
    if _can_copy(raw):
        names = ", ".join(_quote(c.name) for c in columns)
        with raw.cursor() as cur, cur.copy(f"COPY {qualified} ({names}) FROM STDIN") as copy:
            for row in zip(*(c.values for c in columns), strict=True):
                copy.write_row(row)
    else:
        _insert_rows(conn, qualified, columns)


def _can_copy(raw) -> bool:
    """Return True for a psycopg 3 connection (``COPY … FROM STDIN`` with ``write_row``)."""
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(raw, psycopg.Connection)


def _insert_rows(conn, qualified: str, columns: list[_Column], batch: int = 10_000) -> None:
    """``INSERT`` the rows in batches (any DBAPI driver); the geometry is cast from hex EWKB."""
    import sqlalchemy as sa

    names = ", ".join(_quote(c.name) for c in columns)
    values = ", ".join(
        f"CAST(:p{i} AS {c.sqltype})" if "geometry" in c.sqltype else f":p{i}"
        for i, c in enumerate(columns)
    )
    stmt = sa.text(f"INSERT INTO {qualified} ({names}) VALUES ({values})")
    keys = [f"p{i}" for i in range(len(columns))]
    rows = list(zip(*(c.values for c in columns), strict=True))
    for start in range(0, len(rows), batch):
        conn.execute(stmt, [dict(zip(keys, r, strict=True)) for r in rows[start : start + batch]])


# --------------------------------------------------------------------------- the frame as columns


def _frame_columns(
    gdf: gpd.GeoDataFrame, label: str, known: dict[str, Column]
) -> tuple[list[_Column], _Column]:
    """Return the frame as SQL columns in frame order: (all columns, the geometry column)."""
    if gdf.crs is None:
        raise OutputError(
            "图层没有坐标系 the frame has no CRS, so its coordinates cannot be written as CGCS2000",
            source=label,
            hint="set it first, e.g. gdf.set_crs('EPSG:4490')",
        )
    frame = _with_index(gdf, label)
    geom_name = gdf.geometry.name
    columns: list[_Column] = []
    geom: _Column | None = None
    wkt: _Column | None = None
    for name in frame.columns:
        if name == geom_name:
            geom, wkt = _geometry_columns(frame.geometry, str(name), set(map(str, frame.columns)))
            columns.append(geom)
            continue
        col = known.get(name)
        sqltype = _SCHEMA_TYPES[col.dtype] if col else _sql_type(frame[name])
        comment = f"{col.label()}: {col.doc_zh} / {col.doc}" if col else None
        columns.append(_Column(str(name), sqltype, _values(frame[name], sqltype, label), comment))
    if wkt is not None:
        columns.append(wkt)
    for c in columns:
        if len(c.name.encode("utf-8")) > _MAX_IDENT_BYTES:
            raise OutputError(
                f"列名过长 column name {c.name!r} is longer than PostgreSQL's "
                f"{_MAX_IDENT_BYTES} bytes",
                source=label,
                column=c.name,
                hint="rename the column (gdf.rename(columns={...})) before writing",
            )
    return columns, geom


def _with_index(gdf: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    """Return the frame, its index as column(s) when named or not integer (as geopandas does)."""
    idx = gdf.index
    if list(idx.names) == [None] and pd.api.types.is_integer_dtype(idx.dtype):
        return gdf
    try:
        return gdf.reset_index()
    except ValueError as exc:  # an index name that is also a column
        raise OutputError(
            f"索引无法写为列 the index cannot be written as a column: {exc}",
            source=label,
            hint="rename the index or reset it (gdf.reset_index(drop=True))",
        ) from None


_SCHEMA_TYPES = {"str": "text", "float": "double precision", "bool": "boolean"}

_INFERRED = {
    "string": "text",
    "empty": "text",
    "boolean": "boolean",
    "integer": "bigint",
    "floating": "double precision",
    "mixed-integer-float": "double precision",
    "decimal": "numeric",
    "date": "date",
    "datetime": "timestamp",
    "datetime64": "timestamp",
    "time": "time",
    "bytes": "bytea",
}


def _sql_type(s: pd.Series) -> str:
    """Return the PostgreSQL type of a column's values."""
    dt = s.dtype
    if isinstance(dt, gpd.array.GeometryDtype):
        return "text"  # further geometry columns: WKT
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_integer_dtype(dt):
        if dt.itemsize <= 2 and pd.api.types.is_signed_integer_dtype(dt):
            return "smallint"
        if dt.itemsize <= 4 and pd.api.types.is_signed_integer_dtype(dt):
            return "integer"
        return (
            "bigint"
            if pd.api.types.is_signed_integer_dtype(dt) or dt.itemsize < 8
            else "numeric(20)"
        )
    if pd.api.types.is_float_dtype(dt):
        return "real" if dt.itemsize == 4 else "double precision"
    if isinstance(dt, pd.DatetimeTZDtype):
        return "timestamptz"
    if pd.api.types.is_datetime64_dtype(dt):
        return "timestamp"
    if pd.api.types.is_timedelta64_dtype(dt):
        return "interval"
    if pd.api.types.is_string_dtype(dt) and not pd.api.types.is_object_dtype(dt):
        return "text"
    kind = pd.api.types.infer_dtype(s, skipna=True)
    if kind == "datetime" and any(getattr(v, "tzinfo", None) for v in s.dropna().head(1)):
        return "timestamptz"
    return _INFERRED.get(kind, "text")


def _values(s: pd.Series, sqltype: str, label: str) -> list:
    """Return Python values for the driver: missing → None; text columns as str."""
    if isinstance(s.dtype, gpd.array.GeometryDtype):
        vals = list(_wkt(np.asarray(s.values, dtype=object)))
    else:
        vals = s.tolist()
    missing = np.flatnonzero(s.isna().to_numpy())
    for i in missing:
        vals[i] = None
    convert = {"text": str, "double precision": float, "boolean": bool}.get(sqltype)
    if convert is not None and s.dtype == object:
        try:
            vals = [v if v is None or isinstance(v, convert) else convert(v) for v in vals]
        except (TypeError, ValueError) as exc:
            raise OutputError(
                f"列值无法转换为 {sqltype} cannot write values as {sqltype}: {exc}",
                source=label,
                column=s.name,
            ) from None
    return vals


def _geometry_columns(
    geo: gpd.GeoSeries, name: str, taken: set[str]
) -> tuple[_Column, _Column | None]:
    """Return (MultiPolygon column as hex EWKB, WKT column of the non-polygonal rows or None)."""
    if geo.crs.to_epsg() != SRID:
        log.info("writing to PostGIS: converting %s to EPSG:%d", geo.crs.name, SRID)
        geo = geo.to_crs(SRID)
    arr = np.asarray(geo.values, dtype=object)
    tid = shapely.get_type_id(arr)
    poly, multi = tid == 3, tid == 6
    out = np.full(len(arr), None, dtype=object)
    out[multi] = arr[multi]
    out[poly] = shapely.multipolygons(arr[poly], indices=np.arange(int(poly.sum())))
    out[poly & shapely.is_empty(arr)] = shapely.MultiPolygon()
    other = (tid >= 0) & ~poly & ~multi
    wkt = None
    if other.any():
        wkt_name = next(
            f"{name}_wkt{s}" for s in ("", "_1", "_2", "_3") if f"{name}_wkt{s}" not in taken
        )
        texts = np.full(len(arr), None, dtype=object)
        texts[other] = _wkt(arr[other])
        wkt = _Column(
            wkt_name,
            "text",
            texts.tolist(),
            "不是面的几何（WKT）geometry that is not polygonal (WKT)",
        )
        warnings.warn(
            f"{int(other.sum())} 行几何不是面（点、线等），写入时几何为空、WKT 存于列 {wkt_name}: "
            f"{int(other.sum())} row(s) are not polygons (points, lines, …): "
            "written with NULL geometry, "
            f"their WKT in column {wkt_name!r}",
            SuzhouGeoWarning,
            stacklevel=5,  # the caller of write_layer
        )
    has_z = bool(shapely.has_z(out[poly | multi]).any())
    if has_z:
        out = shapely.force_3d(out)
    hexes = shapely.to_wkb(
        shapely.set_srid(out, SRID), hex=True, include_srid=True, output_dimension=3 if has_z else 2
    )
    sqltype = f"geometry({'MultiPolygonZ' if has_z else 'MultiPolygon'},{SRID})"
    return _Column(
        name, sqltype, hexes.tolist(), "几何（多面，CGCS2000）geometry (MultiPolygon, CGCS2000)"
    ), wkt
