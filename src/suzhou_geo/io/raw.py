"""Raw reading: any source to a GeoDataFrame *as declared* (no CRS check, no reprojection).

Internal to :mod:`suzhou_geo.io`.  Each format has its reader; all of them give
back the frame and a :class:`RawInfo` saying what was read and how the text
was decoded.  Errors from GDAL, pyarrow or pandas become :class:`ReadError`
with the file name and what to do.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import MissingFileError, ReadError, SuzhouGeoWarning, arg, row_at, spelled
from . import encoding as enc
from . import postgis
from .approval import approval_format, read_approval
from .pointtable import is_point_table, read_point_table

__all__ = ["RawInfo", "read_raw", "choose_layer", "read_shapefile_text", "string_values", "has_arrow", "sidecar",
           "DRIVERS", "ROW_NOTES", "read_hint", "read_frame"]

log = logging.getLogger(__name__)

#: Driver by file extension (reading and writing).
DRIVERS = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "ESRI Shapefile",
    ".csv": "CSV",
    ".fgb": "FlatGeobuf",
    ".kml": "KML",
    ".gml": "GML",
    ".parquet": "GeoParquet",
    ".geoparquet": "GeoParquet",
}
#: Column names taken as WKT geometry in a CSV file, in order of preference.
WKT_COLUMNS = ("geometry", "wkt", "WKT", "geom", "the_geom", "Geometry", "GEOMETRY", "几何", "shape", "Shape")
#: Name of the geometry column when an attribute is already called "geometry".
ALT_GEOMETRY = "geom"
#: Key in a raw frame's ``attrs``: ``{row position: (code, text)}`` of geometries made readable
#: (curves linearised, rings closed: :mod:`suzhou_geo.io.wkb`), for the rows' geometry issues.
ROW_NOTES = "suzhou_geo_row_notes"


@dataclass
class RawInfo:
    """What a raw read found: names and the encoding decision.

    Approval files (部标 TXT, DXF, KML/KMZ, 界址点 tables) say more: what was
    decided (label → value), a datum shift given in the file, the named
    boundary points (in the frame's CRS), what is wrong with single rows, and
    why the CRS could not be decided from the file (see
    :class:`suzhou_geo.io.survey.Reading`).
    """

    source: str
    name: str
    format: str
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    decisions: dict = field(default_factory=dict)
    datum_shift: Any = None
    points: Any = None
    row_issues: dict = field(default_factory=dict)
    crs_error: Any = None

    @classmethod
    def of(cls, reading: Any) -> RawInfo:
        """Return the record of an approval reader's :class:`~suzhou_geo.io.survey.Reading`."""
        return cls(**{f: getattr(reading, f) for f in cls.__dataclass_fields__})


def has_arrow() -> bool:
    """Return True if pyarrow is importable (pyogrio's Arrow path)."""
    return importlib.util.find_spec("pyarrow") is not None


def sidecar(path: Path, ext: str) -> Path | None:
    """Return an existing sidecar file (``.cpg``, ``.prj``, ``.dbf``) of a Shapefile, any case."""
    for cand in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if cand.exists():
            return cand
    return None


def read_raw(
    source: Any,
    *,
    layer: Any = None,
    sql: str | None = None,
    encoding: str | None = None,
    name: str | None = None,
    spelling: Mapping[str, str | None] | None = None,
) -> tuple[gpd.GeoDataFrame, RawInfo]:
    """Read *source* as declared; see :func:`suzhou_geo.io.read` for what it accepts.

    *spelling* says how the caller names the reading options (``"--redlines-layer {value}"``,
    ``--encoding`` on the command line), so that warnings and hints tell the user what to pass.
    """
    with spelled(spelling):
        return _read_raw(source, layer=layer, sql=sql, encoding=encoding, name=name, spelling=spelling)


def _read_raw(source: Any, *, layer: Any, sql: str | None, encoding: str | None, name: str | None,
              spelling: Mapping[str, str | None] | None) -> tuple[gpd.GeoDataFrame, RawInfo]:
    if isinstance(source, gpd.GeoSeries):
        gdf = gpd.GeoDataFrame(geometry=source.copy())
        label = name or (source.name if isinstance(source.name, str) and source.name != "geometry" else "GeoSeries")
        return gdf, RawInfo("GeoSeries", label, "GeoSeries")
    if isinstance(source, gpd.GeoDataFrame):
        return source.copy(deep=False), RawInfo("GeoDataFrame", name or "GeoDataFrame", "GeoDataFrame")
    if isinstance(source, pd.DataFrame):
        label = name or "DataFrame"
        if not any(c in source.columns for c in WKT_COLUMNS) and is_point_table(source.columns):
            gdf, reading = read_point_table(source, name=label)
            return gdf, RawInfo.of(reading)
        return _from_table(source, label, "DataFrame"), RawInfo("DataFrame", label, "DataFrame")
    if postgis.is_postgis(source):
        gdf, info = postgis.read_postgis(source, layer=layer, sql=sql)
        return gdf, RawInfo(info["source"], name or info["name"], info.get("format", "PostGIS"), "UTF-8 (database)")
    if isinstance(source, shapely.Geometry):
        raise ReadError(
            f"got a bare {source.geom_type}, which has no CRS",
            source=name,
            hint="wrap it in geopandas.GeoSeries([geom], crs='EPSG:4490') (or the CRS it is in)",
        )
    if not isinstance(source, (str, os.PathLike)):
        raise ReadError(
            f"cannot read a {type(source).__name__}",
            source=name,
            hint="pass a file path, a PostGIS connection string, a GeoDataFrame or a GeoSeries",
        )
    try:
        return _read_path(str(source), layer=layer, sql=sql, encoding=encoding, name=name)
    except ReadError as exc:
        raise _respelled(exc, spelling) from None


def _respelled(exc: ReadError, spelling: dict | None) -> ReadError:
    """*exc* with ``layer=`` in its hint spelled as the caller names the option (a command-line flag)."""
    template = (spelling or {}).get("layer")
    if not template or not exc.hint or "layer=" not in exc.hint or template.startswith("layer="):
        return exc
    flag = template.split("{value}")[0].rstrip("=").rstrip() + " "
    return type(exc)(exc.message, source=exc.source, row=exc.row, column=exc.column,
                     hint=exc.hint.replace("layer=", flag))


def _read_path(text: str, *, layer, sql, encoding, name) -> tuple[gpd.GeoDataFrame, RawInfo]:
    path = Path(text)
    virtual = text.startswith("/vsi") or "://" in text
    label = name or path.name or text
    if not virtual and not path.exists():
        raise MissingFileError(f"no such file or folder ({path.resolve()})", source=text)
    ext = path.suffix.lower()
    if ext in (".parquet", ".geoparquet"):
        return _read_parquet(path, label)
    kind = None if virtual else approval_format(path)
    if kind is not None:
        try:
            gdf, reading = read_approval(path, kind, layer=layer, encoding=encoding, name=label)
        except ReadError:
            if ext not in _WORKBOOKS:
                raise
            found = _workbook_with_wkt(text, path, label, layer=layer)  # a layer written as a workbook
            if found is None:
                raise
            return found
        return gdf, RawInfo.of(reading)
    if ext in (".csv", ".txt"):
        return _read_csv(path, label, encoding)
    return _read_ogr(text, path, label, layer=layer, sql=sql, encoding=encoding, virtual=virtual)


#: Workbooks: a 界址点 table, or a layer written with its geometry as WKT (the library's own reports).
_WORKBOOKS = (".xlsx", ".xlsm")


def _workbook_with_wkt(text: str, path: Path, label: str, *, layer) -> tuple[gpd.GeoDataFrame, RawInfo] | None:
    """Read a workbook that is not a point table as a layer with a WKT column; None if it has no such column.

    Without *layer* the first sheet is read (the data sheet of a workbook :func:`suzhou_geo.write_layer` wrote).
    """
    import pyogrio

    try:
        sheet = layer if layer is not None else pyogrio.list_layers(text)[0][0]
        return _read_ogr(text, path, label, layer=sheet, sql=None, encoding=None, virtual=False)
    except (ReadError, IndexError, pyogrio.errors.DataSourceError):
        return None


# --------------------------------------------------------------------------- OGR formats


def _pyogrio_read(path: str, **kwargs) -> gpd.GeoDataFrame:
    """``pyogrio.read_dataframe`` with its errors turned into :class:`ReadError`."""
    from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

    label = kwargs.pop("label", Path(str(path)).name or str(path))
    p = str(path).lower()
    # Arrow decodes text strictly as UTF-8: Shapefiles (often GBK) keep the classic path
    shapefile = p.endswith((".shp", ".dbf", ".zip")) or Path(str(path)).is_dir()
    use_arrow = has_arrow() and not shapefile and "encoding" not in kwargs
    try:
        return read_frame(path, use_arrow=use_arrow, **kwargs)
    except (DataSourceError, DataLayerError, FieldError, GeometryError) as exc:
        raise ReadError(f"GDAL cannot read it: {exc}", source=label, hint=read_hint(path, exc)) from None
    except RuntimeError as exc:  # GDAL errors pyogrio does not map
        raise ReadError(f"GDAL cannot read it: {exc}", source=label, hint=read_hint(path, exc)) from None


def read_frame(path: str, *, use_arrow: bool = False, **kwargs: Any) -> gpd.GeoDataFrame:
    """``pyogrio.read_dataframe``, also of geometries GEOS does not read: curves, rings left unclosed.

    Those are decoded here, row by row (:mod:`suzhou_geo.io.wkb`), and what was
    done to each row is kept in ``attrs[ROW_NOTES]`` for its geometry issue.
    GDAL's own errors are raised as pyogrio raises them.
    """
    import pyogrio

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Measured \\(M\\) geometry.*")
            return pyogrio.read_dataframe(path, use_arrow=use_arrow, **kwargs)
    except (NotImplementedError, shapely.errors.GEOSException):
        return _read_decoded(path, use_arrow, kwargs)


def _read_decoded(path: str, use_arrow: bool, kwargs: dict) -> gpd.GeoDataFrame:
    """Read the attributes as pyogrio does and the geometry from its ISO WKB, through :func:`.wkb.decode`."""
    import pyogrio
    from pyogrio.raw import read_arrow

    from .wkb import decode

    table_kw = {k: v for k, v in kwargs.items() if k in ("layer", "sql", "encoding", "max_features", "where")}
    attrs = pyogrio.read_dataframe(path, use_arrow=use_arrow, read_geometry=False, **kwargs)
    meta, table = read_arrow(path, columns=[], **table_kw)
    name = meta["geometry_name"] or "wkb_geometry"
    geoms, notes = decode(table[name].to_numpy(zero_copy_only=False))
    gdf = gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geoms, index=attrs.index), crs=meta["crs"])
    gdf.attrs[ROW_NOTES] = notes
    return gdf


def read_hint(path: str, exc: Exception) -> str:
    """Say what to do about a file GDAL cannot read, from GDAL's words."""
    text = str(exc).lower()
    if "layer" in text and ("not found" in text or "does not exist" in text):
        return "check the layer name (pyogrio.list_layers(path) lists them)"
    if "not a database" in text or "database disk image is malformed" in text:
        return "the file is damaged or not a GeoPackage: copy it again from where it came from"
    if "not recognized" in text or "unsupported" in text:
        return "check that the file is complete and in a format GDAL reads (GeoPackage, Shapefile, GeoJSON, …)"
    return "check that the file is complete and not open for writing elsewhere"


def choose_layer(path: str, layer: Any, label: str, *, hint_option: str = "layer=") -> Any:
    """Return the layer to read: *layer* if given, else the only layer with features; several are an error listing them.

    A source with several layers (GeoPackage, FileGDB, KML folders, …) is never
    silently reduced to its first layer.  Layers without geometry (attribute
    tables) do not count when exactly one layer has geometry.
    """
    import pyogrio

    if layer is not None:
        return layer
    try:
        layers = pyogrio.list_layers(path)
    except Exception:  # not listable (a virtual or odd source): GDAL's default, as before
        return None
    if len(layers) <= 1:
        return None
    spatial = [str(n) for n, kind in layers if kind is not None]
    if len(spatial) == 1:
        return spatial[0]
    shown = "; ".join(f"{n}（{_features(path, n)} 个要素 features）" for n, _ in layers)
    raise ReadError(
        f"有 {len(layers)} 个图层：{shown} / the source has {len(layers)} layers: {shown}",
        source=label,
        hint=f"用 {hint_option} 指明要读的图层 / choose one with {hint_option}",
    )


def _features(path: str, name: Any) -> Any:
    import pyogrio

    try:
        return pyogrio.read_info(path, layer=name)["features"]
    except Exception:  # a count is only shown in a message
        return "?"


def _read_ogr(text, path, label, *, layer, sql, encoding, virtual) -> tuple[gpd.GeoDataFrame, RawInfo]:
    if path.suffix.lower() == ".zip" and not virtual:
        text, layer = _zipped_shapefile(path, layer, label)
    kwargs: dict[str, Any] = {"label": label}
    if sql is None:
        layer = choose_layer(text, layer, label)
    if layer is not None:
        kwargs["layer"] = layer
    if sql is not None:
        kwargs["sql"] = sql
    driver = DRIVERS.get(path.suffix.lower(), "OGR")
    info = RawInfo(str(path) if not virtual else text, label, driver)
    shp_like = path.suffix.lower() in (".shp", ".dbf", ".zip") or (not virtual and path.is_dir())
    if encoding is not None:
        kwargs["encoding"] = enc.gdal_name(encoding)
        gdf = _pyogrio_read(text, **kwargs)
        info.encoding = f"{kwargs['encoding']} (given)"
    elif shp_like:
        gdf = read_shapefile_text(text, path, info, kwargs)
    else:
        gdf = _pyogrio_read(text, **kwargs)
        info.encoding = "UTF-8 (the format's)"
    if not isinstance(gdf, gpd.GeoDataFrame):  # a table: its geometry may be WKT text, else it has none
        return _from_table(gdf, label, driver, info, hint=_no_geometry_hint(path, text, layer)), info
    gdf = _keep_geometry_attribute(gdf, text, kwargs, info)
    return gdf, info


def _zipped_shapefile(path: Path, layer: Any, label: str) -> tuple[str, Any]:
    """Return the GDAL path of a zipped Shapefile: the zip itself, or the one ``.shp`` in a folder inside it.

    Windows' "send to compressed folder" zips the folder, so the ``.shp`` sits
    one level down, where GDAL does not look.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.lower().endswith(".shp") and not n.startswith("__MACOSX/")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReadError(f"is not a readable zip file ({exc})", source=label,
                        hint="copy it again from where it came from") from None
    if not names or any("/" not in n for n in names):
        return str(path), layer  # GDAL reads Shapefiles at the zip's top level itself
    if layer is not None:
        chosen = [n for n in names if Path(n).stem == str(layer) or n == str(layer)]
        if chosen:
            return f"/vsizip/{path.resolve()}/{chosen[0]}", None
    if len(names) == 1:
        return f"/vsizip/{path.resolve()}/{names[0]}", None
    which = arg("layer", repr(Path(names[0]).stem))
    raise ReadError(f"holds {len(names)} Shapefiles ({', '.join(names[:8])})", source=label,
                    hint=f"say which with {which}" if which else "unzip it and give one .shp")


def _no_geometry_hint(path: Path, text: str, layer: Any) -> str:
    """Say what to do with a table that has no geometry, by what it is."""
    ext = path.suffix.lower()
    if ext == ".dbf":
        shp = sidecar(path, ".shp")
        return (f"open {shp.name} instead (the .dbf is its attribute table)" if shp else
                "a .dbf is the attribute table of a Shapefile: give the .shp, with its .shx and .dbf beside it")
    if ext == ".gpkg":
        import pyogrio

        try:
            spatial = [str(n) for n, g in pyogrio.list_layers(text) if g]
        except Exception:  # noqa: BLE001 - only for the hint
            spatial = []
        which = arg("layer", repr(spatial[0])) if spatial else None
        if which:
            return f"this layer is an attribute table; give a layer with geometry: {which} (of {spatial})"
        return "the GeoPackage holds no layer with geometry"
    return ("save it with its geometry (GeoPackage), or add a column of WKT named geometry "
            "(e.g. POLYGON ((120.9 31.3, …))); a report workbook written with its WKT column has one")


def _declared_encoding(path: Path) -> tuple[str | None, str]:
    """(Python codec or None, description) of what a Shapefile says its encoding is."""
    cpg = sidecar(path, ".cpg") if path.suffix.lower() == ".shp" else None
    if cpg is not None:
        raw = cpg.read_text(encoding="ascii", errors="replace").strip()
        return enc.python_name(raw) or "latin-1", f"the .cpg says {raw!r}"
    return None, "no .cpg"


def read_shapefile_text(text: str, path: Path, info: RawInfo, kwargs: dict) -> gpd.GeoDataFrame:
    """Read a Shapefile's attributes, checking that the declared (or default) encoding gives real text."""
    declared, said = _declared_encoding(path)
    try:
        gdf = _pyogrio_read(text, **kwargs)
    except UnicodeDecodeError:
        # the .cpg says UTF-8 but the bytes are not: try the Chinese code pages
        return _reread(text, kwargs, info, said, None)
    decoded_as = declared or "latin-1"
    if declared == "utf-8":
        info.encoding = f"UTF-8 ({said})"
        return gdf
    if declared in _CHINESE_CODECS and (example := _utf8_dbf(path)) is not None:
        return _reread_utf8(text, kwargs, info, said, example)
    values = enc.suspicious(list(map(str, gdf.columns)) + string_values(gdf))
    if not values:
        info.encoding = f"{enc.gdal_name(decoded_as)} ({said})"
        return gdf
    found = enc.redecode(values, decoded_as)
    if found is None:
        info.encoding = f"{enc.gdal_name(decoded_as)} ({said})"
        if declared is None:
            msg = (
                f"{info.name}: 没有 .cpg，文本（如 {values[0]!r}）按 ISO-8859-1 读取 / no .cpg: text such as "
                f"{values[0]!r} was read as ISO-8859-1 (it is neither UTF-8 nor Chinese GB18030/Big5); "
                + (f"if it is garbled pass {fix}" if (fix := arg("encoding", "'…'")) else "if it is garbled, "
                   "save the layer as GeoPackage")
            )
            warnings.warn(msg, SuzhouGeoWarning, stacklevel=4)
            info.notes.append(msg)
        return gdf
    return _reread(text, kwargs, info, said, found[0], example=(values[0], found[1][0]))


#: Python codec names of the Chinese code pages a .cpg may claim.
_CHINESE_CODECS = {"gbk", "gb2312", "gb18030", "big5", "big5hkscs", "cp936", "cp950", "hz"}


def _utf8_dbf(path: Path, limit: int = 4 * 2**20) -> str | None:
    """Return the first non-ASCII text of a .dbf whose field names and records are valid UTF-8, else None.

    GBK text of Chinese is practically never valid UTF-8 (a GBK lead byte
    0x81–0xFE followed by an ASCII or a second lead byte breaks it), so bytes
    that decode as UTF-8 and hold multi-byte characters are UTF-8 whatever the
    ``.cpg`` claims.
    """
    import codecs

    dbf = sidecar(path, ".dbf")
    if dbf is None:
        return None
    with open(dbf, "rb") as f:
        head = f.read(32)
        if len(head) < 32:
            return None
        header_len = int.from_bytes(head[8:10], "little")
        names = f.read(max(header_len - 32, 0))
        records = f.read(limit)
    fields = b"".join(names[i: i + 11].split(b"\0")[0] for i in range(0, len(names) - 1, 32))
    data = fields + b" " + records.rstrip(b"\x1a")
    if max(data, default=0) < 0x80:
        return None
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(data, final=len(records) < limit)
    except UnicodeDecodeError:
        return None
    wide = next((w for w in text.split() if any(ord(c) > 0x7F for c in w)), None)
    return wide if wide and enc.common_chinese(wide) else None


def _reread_utf8(text, kwargs, info: RawInfo, said: str, example: str) -> gpd.GeoDataFrame:
    gdf = _pyogrio_read(text, encoding="UTF-8", **kwargs)
    info.encoding = f"UTF-8 (detected; {said})"
    fix = arg("encoding", "'UTF-8'")
    msg = (f"{info.name}: {said}，但文本是 UTF-8 编码（如 {example!r}），已按 UTF-8 读取 / {said}, but the text is "
           f"UTF-8 (e.g. {example!r}); it was read as UTF-8. " + (f"Pass {fix} to say so, or correct the .cpg"
                                                                  if fix else "Correct the .cpg"))
    warnings.warn(msg, SuzhouGeoWarning, stacklevel=5)
    info.notes.append(msg)
    return gdf


def _reread(text, kwargs, info: RawInfo, said: str, chinese: str | None, example=None) -> gpd.GeoDataFrame:
    candidates = [chinese] if chinese else list(enc.CHINESE_ENCODINGS)
    last: Exception | None = None
    for c in candidates:
        try:
            gdf = _pyogrio_read(text, encoding=c, **kwargs)
        except (UnicodeDecodeError, ReadError) as exc:
            last = exc
            continue
        if chinese is None and not any(enc.common_chinese(v) for v in string_values(gdf)[:200]):
            continue
        info.encoding = f"{c} (detected; {said})"
        shown = f" ({example[0]!r} → {example[1]!r})" if example else ""
        fix = arg("encoding", f"'{c}'")
        msg = (
            f"{info.name}: {said}，但文本是中文 {c} 编码{shown}，已按 {c} 读取 / {said}, but the text is "
            f"Chinese in {c}{shown}; it was read as {c}. "
            + (f"Pass {fix} to say so (or correct the .cpg)" if fix else "Correct the .cpg")
        )
        warnings.warn(msg, SuzhouGeoWarning, stacklevel=5)
        info.notes.append(msg)
        return gdf
    if "UTF-8" in said.upper():
        fixed = _utf8_cut_inside_characters(text, kwargs, info)
        if fixed is not None:
            return fixed
    raise ReadError(
        f"{said}, but the attribute text cannot be decoded with it, nor as Chinese GB18030 or Big5"
        + (f" ({last})" if last else ""),
        source=info.name,
        hint=_encoding_hint("the file's real encoding"),
    ) from None


def _utf8_tail_cut(raw: bytes) -> str | None:
    """*raw* decoded as UTF-8 when it only lacks the end of its last character (a 10-byte dBASE cut), else None."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.end == len(raw) and len(raw) - exc.start < 4:
            try:
                return raw[: exc.start].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return None


def _utf8_cut_inside_characters(text, kwargs, info: RawInfo) -> gpd.GeoDataFrame | None:
    """UTF-8 Shapefiles whose field names a writer cut at 10 bytes, inside a character (GDAL does)."""
    gdf = _pyogrio_read(text, encoding="ISO-8859-1", **kwargs)
    renames, cut = {}, []
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        name = _utf8_tail_cut(str(col).encode("latin-1"))
        if name is None:
            return None
        renames[col] = name
        if name.encode("utf-8") != str(col).encode("latin-1"):
            cut.append(name)
    for col in gdf.columns:
        if col != gdf.geometry.name and (gdf[col].dtype == object or pd.api.types.is_string_dtype(gdf[col])):
            try:
                gdf[col] = [v.encode("latin-1").decode("utf-8") if isinstance(v, str) else v for v in gdf[col]]
            except UnicodeDecodeError:
                return None
    if len(set(renames.values())) != len(renames):
        return None
    gdf = gdf.rename(columns=renames)
    info.encoding = "UTF-8 (field names cut inside a character, repaired)"
    msg = (f"{info.name}: 字段名在字符中间被截断（dBASE 字段名最多 10 字节），已去掉残缺字符：{', '.join(cut)} / "
           f"field names cut inside a character by the program that wrote the file (dBASE allows 10 bytes): "
           f"the partial character was dropped: {', '.join(cut)}. Save the layer as GeoPackage to keep full names")
    warnings.warn(msg, SuzhouGeoWarning, stacklevel=6)
    info.notes.append(msg)
    return gdf


def _encoding_hint(what: str) -> str:
    fix = arg("encoding", "'…'")
    return f"pass {fix} with {what}" if fix else "save the layer as GeoPackage (UTF-8) and read that"


def string_values(df: pd.DataFrame, limit: int = 2000) -> list[str]:
    """Return the distinct text values of every non-geometry column (at most *limit* per column)."""
    out: list[str] = []
    geom = getattr(df, "_geometry_column_name", None)
    for col in df.columns:
        if col == geom:
            continue
        s = df[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out += [v for v in s.dropna().unique()[:limit] if isinstance(v, str)]
    return out


def _keep_geometry_attribute(gdf: gpd.GeoDataFrame, text: str, kwargs: dict, info: RawInfo) -> gpd.GeoDataFrame:
    """Pyogrio silently replaces an attribute called "geometry" with the geometry: read it back."""
    import pyogrio

    try:
        fields = pyogrio.read_info(text, layer=kwargs.get("layer"), encoding=kwargs.get("encoding"))["fields"]
    except Exception:  # sql= reads, virtual files: nothing to compare with
        return gdf
    clash = [f for f in fields if str(f) == "geometry"]
    if not clash or "sql" in kwargs:
        return gdf
    kw = {k: v for k, v in kwargs.items() if k != "label"}
    attrs = pyogrio.read_dataframe(text, columns=clash, read_geometry=False, **kw)
    out = gdf.rename_geometry(ALT_GEOMETRY)
    out.insert(len(out.columns) - 1, "geometry", attrs["geometry"].to_numpy())
    note = (
        f"{info.name}: 属性字段 geometry 已保留，几何列改名为 {ALT_GEOMETRY} / the attribute called 'geometry' "
        f"is kept; the geometry column is called {ALT_GEOMETRY!r}"
    )
    info.notes.append(note)
    return out[[c for c in out.columns if c != ALT_GEOMETRY] + [ALT_GEOMETRY]]


# --------------------------------------------------------------------------- CSV, GeoParquet, tables


def _read_csv(path: Path, label: str, encoding: str | None) -> tuple[gpd.GeoDataFrame, RawInfo]:
    """Read a CSV with a WKT geometry column (as pandas, geopandas, Excel and QGIS write them)."""
    data = path.read_bytes()
    info = RawInfo(str(path), label, "CSV")
    if encoding is not None:
        codec = enc.python_name(encoding) or encoding
        info.encoding = f"{enc.gdal_name(encoding)} (given)"
    elif data.startswith(b"\xef\xbb\xbf"):
        codec, info.encoding = "utf-8-sig", "UTF-8 (BOM)"
    else:
        found = enc.decodes_bytes(data)
        if found is None:
            raise ReadError(
                "its text is neither UTF-8 nor Chinese GB18030/Big5", source=label,
                hint=_encoding_hint("the file's encoding"),
            )
        codec = found[0].lower()
        info.encoding = f"{found[0]} (detected)"
        if found[0] != "UTF-8":
            fix = arg("encoding", f"'{found[0]}'")
            msg = (f"{label}: 文件不是 UTF-8，按 {found[0]} 读取 / the file is not UTF-8; it was read as "
                   f"{found[0]}." + (f" Pass {fix} to say so" if fix else ""))
            warnings.warn(msg, SuzhouGeoWarning, stacklevel=4)
            info.notes.append(msg)
    try:
        df = pd.read_csv(path, encoding=codec, dtype=str, keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ReadError(f"cannot parse it as CSV: {exc}", source=label,
                        hint="check the delimiter and encoding") from None
    return _from_table(df, label, "CSV", info), info


def _from_table(df: pd.DataFrame, label: str, what: str, info: RawInfo | None = None,
                hint: str | None = None) -> gpd.GeoDataFrame:
    """Convert a table with a geometry column (shapely objects or WKT text) to a GeoDataFrame without CRS."""
    col = next((c for c in WKT_COLUMNS if c in df.columns), None)
    if col is None:
        raise ReadError(
            f"has no geometry: it is a table (columns {', '.join(map(str, list(df.columns)[:8]))}"
            f"{', …' if len(df.columns) > 8 else ''}; no WKT column {', '.join(WKT_COLUMNS[:5])}, …)",
            source=label,
            hint=hint or "add a WKT column named 'geometry' (e.g. POLYGON ((120.9 31.3, …))), or save the layer "
                         "as GeoPackage",
        )
    values = df[col].to_numpy(dtype=object)
    if all(isinstance(v, shapely.Geometry) or v is None for v in values):
        geoms = values
    else:
        text = np.array([v if isinstance(v, str) and v.strip() else None for v in values], dtype=object)
        geoms = shapely.from_wkt(text, on_invalid="ignore")
        bad = np.flatnonzero(shapely.is_missing(geoms) & (text != None))  # noqa: E711 - elementwise
        if len(bad):
            rows = [row_at(df.index, k) for k in bad[:5]]
            msg = (f"{label}: {len(bad)} 个要素的 WKT 无法解析（{'、'.join(r.zh for r in rows)}）/ "
                   f"{len(bad)} feature(s) hold WKT that cannot be parsed ({', '.join(r.en for r in rows)})")
            warnings.warn(msg, SuzhouGeoWarning, stacklevel=4)
            if info is not None:
                info.notes.append(msg)
    rest = df.drop(columns=[col])
    name = ALT_GEOMETRY if "geometry" in rest.columns else "geometry"
    gdf = gpd.GeoDataFrame(rest.copy())
    gdf[name] = gpd.GeoSeries(geoms, index=df.index)
    return gdf.set_geometry(name)


def _read_parquet(path: Path, label: str) -> tuple[gpd.GeoDataFrame, RawInfo]:
    import pyarrow as pa

    try:
        gdf = gpd.read_parquet(path)
    except (ValueError, OSError, ImportError) as exc:
        raise ReadError(f"cannot read it as GeoParquet: {exc}", source=label,
                        hint="check that it is a GeoParquet file (geopandas.to_parquet writes one)") from None
    # pyarrow's allocator keeps what the table and its buffers used (170 MB of 550 for 500 000 parcels)
    pa.default_memory_pool().release_unused()
    return gdf, RawInfo(str(path), label, "GeoParquet", "UTF-8 (the format's)")
