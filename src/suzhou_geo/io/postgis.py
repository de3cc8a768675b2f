"""PostGIS: reading tables and queries, writing reports back.

Internal to :mod:`suzhou_geo.io`; users pass connection strings wherever a layer
is accepted.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import geopandas as gpd

__all__ = ["is_postgis", "read_postgis", "redact"]

_PG_PREFIXES = ("pg:", "postgresql://", "postgres://")


def redact(text: str) -> str:
    """*text* with the password of any connection string in it replaced by ``***``.

    Examples
    --------
    >>> redact("postgresql://planner:secret@127.0.0.1:5432/gis")
    'postgresql://planner:***@127.0.0.1:5432/gis'
    >>> redact("PG:host=h dbname=gis password=secret")
    'PG:host=h dbname=gis password=***'
    """
    import re

    text = re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", str(text))
    return re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1***", text, flags=re.IGNORECASE)


def is_postgis(source: Any) -> bool:
    """Return True if *source* names a PostGIS database (``PG:...``, ``postgresql://...``)."""
    return isinstance(source, str) and source.strip().lower().startswith(_PG_PREFIXES)


def _postgis_args(source: str, layer: str | None, sql: str | None) -> tuple[str, dict[str, Any]]:
    """Check the PostGIS arguments; return (GDAL dataset name, read kwargs).

    Exactly one of *layer* (a table, optionally ``schema.table``) and *sql* is
    required.  ``postgresql://`` URIs are passed to GDAL as ``PG:postgresql://...``
    (libpq accepts URIs as connection strings).
    """
    if (layer is None) == (sql is None):
        raise ValueError(
            "a PostGIS source needs exactly one of layer= (a table, e.g. layer='public.redlines') "
            "or sql= (a SELECT returning a geometry column)"
            + ("; both were given." if layer is not None else "; neither was given.")
        )
    s = source.strip()
    dsn = s if s.lower().startswith("pg:") else "PG:" + s
    kwargs: dict[str, Any] = {"layer": layer} if layer is not None else {"sql": sql}
    return dsn, kwargs


def _read_postgis_frame(source: str, layer: str | None, sql: str | None, encoding: str | None) -> gpd.GeoDataFrame:
    import pyogrio

    dsn, kwargs = _postgis_args(source, layer, sql)
    if "PostgreSQL" in pyogrio.list_drivers():
        if encoding:
            kwargs["encoding"] = encoding
        from ._raw import _pyogrio_read

        return _pyogrio_read(dsn, **kwargs)
    uri = source.strip()
    if importlib.util.find_spec("sqlalchemy") is not None and uri.lower().startswith(("postgresql://", "postgres://")):
        import sqlalchemy

        query = sql if sql is not None else f"SELECT * FROM {layer}"
        engine = sqlalchemy.create_engine(uri)
        try:
            return gpd.read_postgis(query, engine, geom_col=_geometry_column(engine, query))
        except Exception as exc:  # database errors: report them as unreadable input
            raise ValueError(f"cannot read PostGIS {layer or 'query'}: {exc}") from None
        finally:
            engine.dispose()
    raise ValueError(
        "cannot read a PostGIS source: this GDAL build has no PostgreSQL driver and sqlalchemy is "
        "not installed. Install `sqlalchemy` and `psycopg2-binary` and pass a "
        "'postgresql://user:password@host/dbname' URI, or export the table to a GeoPackage "
        "(ogr2ogr out.gpkg PG:... table) and read that."
    )


def _geometry_column(engine, query: str) -> str:  # pragma: no cover - needs a server
    """Name of the first geometry column a query returns (PostGIS ``geometry``/``geography``)."""
    import sqlalchemy

    with engine.connect() as con:
        res = con.execute(sqlalchemy.text(f"SELECT * FROM ({query}) AS q LIMIT 0"))
        cols = list(res.keys())
    for c in cols:
        if c.lower() in ("geom", "geometry", "the_geom", "shape", "wkb_geometry"):
            return c
    return cols[-1]




def read_postgis(source: Any, *, layer: str | None = None, sql: str | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """Read a PostGIS table or query as declared: ``(frame, {"source", "name", "format"})``."""
    gdf = _read_postgis_frame(str(source), None if layer is None else str(layer), sql, None)
    return gdf, {"source": redact(str(source)), "name": str(layer) if layer is not None else "SQL query", "format": "PostGIS"}
