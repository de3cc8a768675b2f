"""Reading and writing user data: formats, text encodings, CRS checks and geometry repair.

Real layers from Chinese agencies are often GBK-encoded Shapefiles without a
``.cpg``, in CGCS2000 Gauss-Krüger with or without the zone prefix, sometimes
without a ``.prj``, and with a few self-intersecting polygons.  This module
reads them honestly:

* :func:`read_vector` reads any OGR format (via pyogrio), a GeoDataFrame or a
  PostGIS table, as declared (no reprojection).  A Shapefile without ``.cpg``
  whose text comes out as mis-decoded Chinese (``'ËÕÖÝ'``) is re-read as
  UTF-8 or GB18030 (a GBK superset), and the encoding used is logged and
  stored in ``gdf.attrs["suzhou_geo_read"]``.
* :func:`read_layer` adds the CRS check of :func:`suzhou_geo.crs.ensure_crs`
  and returns EPSG:4490; a missing CRS is an error naming the file and the CRS
  the coordinate magnitudes suggest.
* :func:`repair_geometries` fixes invalid polygons with
  ``shapely.make_valid(method="structure")`` and says what it did per row.
* :func:`write_layer` writes GeoPackage, GeoJSON, Shapefile (UTF-8 with a
  ``.cpg``) or CSV (WKT geometry) with Chinese text intact.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._geometry import POLYGON_TYPES, polygonal_part
from ..crs import ensure_crs
from .postgis import is_postgis as _is_postgis
from .postgis import read_postgis as _read_postgis

__all__ = ["read_vector", "read_layer", "repair_geometries", "READ_ATTRS_KEY"]

log = logging.getLogger(__name__)

#: Key in ``GeoDataFrame.attrs`` where :func:`read_vector` records what it did.
READ_ATTRS_KEY = "suzhou_geo_read"

_POINT_TYPES = (0, 4)
_LINE_TYPES = (1, 2, 5)
_GC_TYPE = 7

_DRIVERS = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "ESRI Shapefile",
    ".csv": "CSV",
    ".fgb": "FlatGeobuf",
    ".kml": "KML",
    ".gml": "GML",
}


# --------------------------------------------------------------------------- helpers


def _has_arrow() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def _source_name(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        s = str(source)
        if _is_postgis(s):
            return "PostGIS"
        return Path(s).name or s
    return type(source).__name__


def _sidecar(path: Path, ext: str) -> Path | None:
    """An existing sidecar file (``.cpg``, ``.prj``, ``.dbf``) of a Shapefile, any case."""
    for cand in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if cand.exists():
            return cand
    return None


def _dbf_ldid(path: Path) -> int | None:
    """The language driver id (byte 29) of a Shapefile's ``.dbf``, or None."""
    dbf = _sidecar(path, ".dbf")
    if dbf is None:
        return None
    try:
        with open(dbf, "rb") as fh:
            head = fh.read(32)
        return head[29] if len(head) > 29 else None
    except OSError:  # pragma: no cover - unreadable sidecar; GDAL will complain
        return None


def _mojibake_values(df: pd.DataFrame) -> list[str]:
    """String values that look like multi-byte text decoded as ISO-8859-1.

    Such values hold only code points below 256 and at least one "high"
    Latin-1 character (U+0080-U+00FF), e.g. ``'ËÕÖÝÊÐ'`` for ``'苏州市'``.
    """
    out: list[str] = []
    for col in df.columns:
        if col == getattr(df, "_geometry_column_name", None):
            continue
        s = df[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            continue
        for v in s.dropna().unique()[:2000]:
            if isinstance(v, str) and v and max(map(ord, v)) < 256 and any(ord(c) >= 0x80 for c in v):
                out.append(v)
    return out


def _decodes_as(values: list[str], encoding: str) -> bool:
    """True if every value's Latin-1 bytes decode strictly as *encoding*.

    For GB18030, which decodes most byte pairs, at least half of the decoded
    values must also contain a CJK ideograph, so that genuine Latin-1 text
    (``'Café'``) is not turned into Chinese.
    """
    try:
        decoded = [v.encode("latin-1").decode(encoding) for v in values]
    except (UnicodeDecodeError, UnicodeEncodeError):
        return False
    if encoding.upper().startswith("GB"):
        votes = sum(_common_chinese(d) for d in decoded)
        return votes * 2 >= len(decoded)
    return True


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _common_chinese(text: str) -> bool:
    """True if the non-ASCII characters of *text* are mostly common Chinese (GB2312) characters.

    Real GBK text decodes to common characters (GB2312's 6 763 hanzi and CJK
    punctuation), whatever ASCII is mixed in (``'合成地块 parcel 0001'``).  Latin-1
    text such as ``'Müller Straße'`` pairs an accented letter with an ASCII byte,
    which GB18030 can only decode to rare extension characters outside GB2312.
    """
    wide = [ch for ch in text if ord(ch) >= 0x80]
    if not wide:
        return False
    common = sum(_in_gb2312(ch) for ch in wide)
    has_hanzi = any("\u4e00" <= ch <= "\u9fff" for ch in wide)
    return has_hanzi and common >= 0.8 * len(wide)


def _gdal_encoding(encoding: str | None) -> str | None:
    """Python codec names (``"latin-1"``, ``"cp936"``) to the iconv names GDAL understands."""
    if encoding is None:
        return None
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    return {"iso8859-1": "ISO-8859-1", "utf-8": "UTF-8", "gbk": "GBK", "gb18030": "GB18030", "big5": "BIG5"}.get(
        name, encoding
    )


def _pyogrio_read(path: str, **kwargs) -> gpd.GeoDataFrame:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

    # Arrow reads are faster, but decode text strictly as UTF-8: Shapefiles (often GBK, see
    # read_vector's encoding detection) and folders of them keep the classic path.
    p = str(path).lower()
    shapefile = p.endswith((".shp", ".dbf", ".zip")) or Path(str(path)).is_dir()
    use_arrow = _has_arrow() and not shapefile
    try:
        return pyogrio.read_dataframe(path, use_arrow=use_arrow, **kwargs)
    except (DataSourceError, DataLayerError, FieldError, GeometryError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"cannot decode the text of {path} as {kwargs.get('encoding') or 'its declared encoding'} "
            f"({exc.reason} at byte {exc.start}); pass encoding= with the right one, e.g. 'GB18030' or 'UTF-8'"
        ) from None
    except RuntimeError as exc:  # GDAL errors not mapped by pyogrio
        raise ValueError(f"cannot read {path}: {exc}") from None


# --------------------------------------------------------------------------- public API


def read_vector(
    source: Any,
    *,
    layer: str | int | None = None,
    encoding: str | None = None,
    sql: str | None = None,
    name: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector layer as declared (no reprojection), fixing mis-decoded Chinese text.

    Parameters
    ----------
    source : str, path, GeoDataFrame or GeoSeries
        A file or folder any OGR driver reads (GeoPackage, Shapefile, GeoJSON,
        FlatGeobuf, CSV with WKT, zipped Shapefile, ...); an existing
        GeoDataFrame/GeoSeries (a copy is returned); or a PostGIS connection
        string, ``"PG:dbname=gis host=..."`` or ``"postgresql://user@host/db"``,
        with ``layer=`` (table) or ``sql=``.  PostGIS goes through GDAL's
        PostgreSQL driver when pyogrio's GDAL has it, otherwise through
        :func:`geopandas.read_postgis` when ``sqlalchemy`` is installed (URI form).
    layer : str or int, optional
        Layer (GeoPackage, file geodatabase) or table (PostGIS).
    encoding : str, optional
        Text encoding of the attributes, e.g. ``"GBK"``; overrides everything.
        Without it a Shapefile's ``.cpg`` (or its ``.dbf`` code page) is
        trusted; when neither exists and the text looks like multi-byte
        Chinese decoded as Latin-1 (``'ËÕÖÝ'``), the file is re-read as UTF-8
        or GB18030 (a superset of GBK), whichever decodes, and the choice is
        logged at INFO.
    sql : str, optional
        An SQL query (OGR SQL for files, SQL for PostGIS).
    name : str, optional
        How to call the layer in messages; defaults to the file name.

    Returns
    -------
    geopandas.GeoDataFrame
        With the CRS as declared (possibly None).  ``attrs["suzhou_geo_read"]``
        records ``source``, ``name``, ``encoding`` (the one used, or
        ``"declared"`` when GDAL took it from a ``.cpg``/code page) and
        ``encoding_detected`` (True when the mojibake check re-read the file).

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    ValueError
        GDAL cannot read it (the message names the file and quotes GDAL), or
        the PostGIS arguments are incomplete.

    Examples
    --------
    >>> from suzhou_geo._data import data_path
    >>> g = read_vector(data_path("boundaries", "boundaries.geojson"))
    >>> g.attrs["suzhou_geo_read"]["name"]
    'boundaries.geojson'
    """
    if isinstance(source, gpd.GeoSeries):
        out = gpd.GeoDataFrame(geometry=source.copy())
        out.attrs[READ_ATTRS_KEY] = {"source": "GeoSeries", "name": name or "GeoSeries", "encoding": None, "encoding_detected": False}
        return out
    if isinstance(source, gpd.GeoDataFrame):
        out = source.copy()
        out.attrs[READ_ATTRS_KEY] = {"source": "GeoDataFrame", "name": name or "GeoDataFrame", "encoding": None, "encoding_detected": False}
        return out
    if _is_postgis(source):
        gdf, info = _read_postgis(source, layer=None if layer is None else str(layer), sql=sql)
        gdf.attrs[READ_ATTRS_KEY] = {**info, "name": name or info["name"], "encoding": None, "encoding_detected": False}
        return gdf
    if isinstance(source, pd.DataFrame) or isinstance(source, shapely.Geometry):
        raise TypeError(
            f"read_vector needs a file path, a PostGIS connection string, a GeoDataFrame or a GeoSeries; "
            f"got {type(source).__name__}. Wrap geometries in geopandas.GeoDataFrame(geometry=[...], crs=...)."
        )
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"read_vector cannot read a {type(source).__name__}; pass a path or a GeoDataFrame")

    text = str(source)
    path = Path(text)
    virtual = text.startswith("/vsi") or "://" in text
    if not virtual and not path.exists():
        raise FileNotFoundError(f"no such file: {path} (resolved: {path.resolve()})")
    label = name or path.name or text
    kwargs: dict[str, Any] = {}
    if layer is not None:
        kwargs["layer"] = layer
    if sql is not None:
        kwargs["sql"] = sql

    encoding = _gdal_encoding(encoding)
    used: str | None = encoding
    detected = False
    if encoding is not None:
        gdf = _pyogrio_read(text, encoding=encoding, **kwargs)
    else:
        gdf = _pyogrio_read(text, **kwargs)
        is_shp = path.suffix.lower() == ".shp"
        if is_shp and _sidecar(path, ".cpg") is not None:
            used = "declared (.cpg)"
        elif is_shp and _dbf_ldid(path):
            used = f"declared (.dbf code page, LDID 0x{_dbf_ldid(path):02X})"
        elif is_shp or path.suffix.lower() in (".dbf", ".zip") or path.is_dir():
            bad = _mojibake_values(gdf)
            if bad:
                for enc in ("UTF-8", "GB18030"):
                    if _decodes_as(bad, enc):
                        gdf = _pyogrio_read(text, encoding=enc, **kwargs)
                        used, detected = enc, True
                        log.info(
                            "%s: no .cpg and text like %r looked mis-decoded; re-read as %s (pass encoding= to override)",
                            label, bad[0], enc,
                        )
                        break
                else:
                    used = "ISO-8859-1 (GDAL default, no .cpg)"
                    log.warning(
                        "%s has no .cpg; its text (e.g. %r) was kept as ISO-8859-1 because it decodes as "
                        "neither UTF-8 nor Chinese GB18030. If it is garbled, pass encoding= (e.g. 'GBK', 'BIG5')",
                        label, bad[0],
                    )
    gdf.attrs[READ_ATTRS_KEY] = {
        "source": str(path) if not virtual else text,
        "name": label,
        "encoding": used,
        "encoding_detected": detected,
    }
    return gdf


def read_layer(
    source: Any,
    *,
    layer: str | int | None = None,
    encoding: str | None = None,
    crs: Any = None,
    name: str | None = None,
    override_crs: bool = False,
    sql: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a layer and return it in CGCS2000 (EPSG:4490), refusing to guess a missing CRS.

    :func:`read_vector` followed by :func:`suzhou_geo.crs.ensure_crs`.

    Parameters
    ----------
    source : str, path, GeoDataFrame, GeoSeries or PostGIS connection string
        See :func:`read_vector`.
    layer, encoding, sql, name
        See :func:`read_vector`.
    crs : str or pyproj.CRS, optional
        The CRS of a layer that declares none (no ``.prj``), e.g.
        ``"EPSG:4549"`` (Gauss-Krüger CM 120°E, no zone prefix) or
        ``"EPSG:4528"`` (zone 40, eastings prefixed with 40); ``"GCJ-02"`` for
        Amap/Gaode coordinates (converted to CGCS2000).
    override_crs : bool, default False
        Replace a declared CRS that differs from *crs* (the ``.prj`` is wrong).

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4490, with ``attrs["suzhou_geo_read"]`` (see :func:`read_vector`)
        plus ``crs_in`` (the CRS the data came in).

    Raises
    ------
    suzhou_geo.crs.CRSError
        No CRS and no *crs* given: the message names the file and the CRS the
        coordinate magnitudes suggest (EPSG:4549, EPSG:4528, ...), and how to
        pass it.  Also when *crs* conflicts with the declared one.

    Examples
    --------
    >>> from suzhou_geo._data import data_path
    >>> read_layer(data_path("boundaries", "boundaries.geojson")).crs.to_epsg()
    4490
    """
    gdf = read_vector(source, layer=layer, encoding=encoding, sql=sql, name=name)
    info = dict(gdf.attrs.get(READ_ATTRS_KEY, {}))
    label = info.get("name") or name or _source_name(source)
    crs_in = crs if crs is not None and (gdf.crs is None or override_crs) else gdf.crs
    out = ensure_crs(gdf, assume=crs, override=override_crs, name=label)
    info["crs_in"] = str(crs_in.to_string() if hasattr(crs_in, "to_string") else crs_in)
    out.attrs[READ_ATTRS_KEY] = info
    return out


def repair_geometries(geoms: Any, *, expect: str = "polygon") -> tuple[np.ndarray, np.ndarray]:
    """Repair invalid geometries and say, per row, what was wrong.

    Vectorised with shapely 2: valid polygons pass through untouched; only the
    invalid rows go through ``shapely.make_valid(method="structure")``.

    Parameters
    ----------
    geoms : GeoSeries, GeoDataFrame or array of shapely geometries
    expect : {"polygon", "any"}, default "polygon"
        ``"polygon"``: points and lines are flagged (and kept as they are, so
        the caller can reject them), geometry collections are reduced to their
        polygonal part.  ``"any"``: only invalid geometries are repaired.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The fixed geometries (object array) and an object array with ``None``
        for rows that needed nothing, or a message:
        ``"missing geometry"``, ``"empty geometry"`` (geometry set to None),
        ``"point, not a polygon"``, ``"line, not a polygon"``,
        ``"repaired: <shapely.is_valid_reason>"``,
        ``"repaired: geometry collection reduced to its polygonal part"``.

    Examples
    --------
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> fixed, issues = repair_geometries([bowtie])
    >>> fixed[0].geom_type, issues[0]
    ('MultiPolygon', 'repaired: Self-intersection[0.5 0.5]')
    """
    if expect not in ("polygon", "any"):
        raise ValueError(f"expect must be 'polygon' or 'any', not {expect!r}")
    if isinstance(geoms, gpd.GeoDataFrame):
        geoms = geoms.geometry
    arr = np.array(list(geoms.values) if isinstance(geoms, gpd.GeoSeries) else list(geoms), dtype=object)
    n = len(arr)
    fixed = arr.copy()
    issues = np.full(n, None, dtype=object)
    if n == 0:
        return fixed, issues

    missing = shapely.is_missing(arr)
    empty = ~missing & shapely.is_empty(arr)
    issues[missing] = "missing geometry"
    issues[empty] = "empty geometry"
    fixed[missing | empty] = None
    present = ~(missing | empty)
    tid = np.where(present, shapely.get_type_id(arr), -1)

    if expect == "polygon":
        pts = np.isin(tid, _POINT_TYPES)
        lines = np.isin(tid, _LINE_TYPES)
        issues[pts] = "point, not a polygon"
        issues[lines] = "line, not a polygon"
        # geometry collections: keep the polygonal part (rare; a short loop)
        for i in np.flatnonzero(tid == _GC_TYPE):
            poly, kind = _polygonal_part(arr[i])
            if poly is None:
                issues[i] = f"{kind}, not a polygon"
            else:
                fixed[i] = poly
                issues[i] = "repaired: geometry collection reduced to its polygonal part"
        check = np.isin(tid, POLYGON_TYPES)  # reduced collections come out of union_all valid
    else:
        check = present

    cand = np.flatnonzero(check)
    if len(cand):
        valid = shapely.is_valid(fixed[cand])
        bad = cand[~valid]
        if len(bad):
            reasons = shapely.is_valid_reason(fixed[bad])
            repaired = shapely.make_valid(fixed[bad], method="structure", keep_collapsed=False)
            for j, i in enumerate(bad):
                g = repaired[j]
                if expect == "polygon" and g is not None and shapely.get_type_id(g) not in POLYGON_TYPES:
                    g, _ = _polygonal_part(g)
                if g is None or g.is_empty:
                    fixed[i] = None
                    issues[i] = f"repaired: {reasons[j]}; nothing polygonal left (geometry dropped)"
                else:
                    fixed[i] = g
                    issues[i] = f"repaired: {reasons[j]}"
    return fixed, issues


def _polygonal_part(geom) -> tuple[Any, str]:
    """(polygonal part or None, what the geometry is otherwise)."""
    poly = polygonal_part(geom)
    if poly is not None:
        return poly, "polygon"
    return None, ("line" if np.isin(shapely.get_type_id(shapely.get_parts(geom)), _LINE_TYPES).any() else "point")


