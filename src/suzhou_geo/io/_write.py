"""Writing layers: the one way out.  The format follows the extension, nothing is lost silently.

Every format a planner's colleagues open is written so that it opens right:

* **GeoPackage** (``.gpkg``, the recommended format): a layer with one declared
  geometry type.  When the frame holds polygons, the type is ``MultiPolygon``
  and rows whose geometry is not a polygon (a point, a line) are written with
  an empty geometry, their input geometry kept as WKT in the column
  ``input_geometry_wkt``, so QGIS and ArcGIS open one layer and nothing is lost.
* **Shapefile** (``.shp``): UTF-8 with a ``.cpg``; field names cut to 10 bytes
  only between characters (never inside a Chinese character) and unique; report
  columns get their names from the report schema; text cut to 254 bytes between
  characters; the full-name ↔ field-name table written beside it
  (``<name>_fields.csv``).  A :class:`~suzhou_geo.errors.SuzhouGeoWarning` says
  what was shortened, and that GeoPackage keeps everything.
* **CSV** (``.csv``): UTF-8 with a byte-order mark (so Excel on Chinese Windows
  reads it as UTF-8, not GBK), the geometry as WKT in the last column (``WKT``),
  or left out with ``wkt=False``.
* **Excel** (``.xlsx``, see :mod:`suzhou_geo.io.excel`): a report sheet with
  bilingual headers, and for a parcel report its summary, rules and notes.
* **GeoParquet** (``.parquet``), **GeoJSON** (``.geojson``), **FlatGeobuf** (``.fgb``).

Every write goes to a temporary name in the target folder and is renamed when
complete, so a failed write leaves no partial file.  An existing output is
replaced only with ``overwrite=True``; an output that is one of the inputs is
refused (:class:`~suzhou_geo.errors.OutputError`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import OutputError, SuzhouGeoWarning
from ..validate.schema import Column, column, report_columns
from ._read import _DRIVERS, READ_ATTRS_KEY, _has_arrow
from .postgis import is_postgis, write_postgis

__all__ = [
    "write_layer",
    "check_output",
    "shapefile_field_names",
    "FORMATS",
    "INPUT_GEOMETRY",
    "SHAPEFILE_EXTS",
]

log = logging.getLogger(__name__)

#: The formats :func:`write_layer` writes, by extension.
FORMATS: dict[str, str] = {
    ".gpkg": "GeoPackage",
    ".shp": "Shapefile",
    ".csv": "CSV (UTF-8 with BOM)",
    ".xlsx": "Excel",
    ".parquet": "GeoParquet",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".fgb": "FlatGeobuf",
}

#: The column that keeps a row's input geometry (as WKT) where the layer cannot hold it.
INPUT_GEOMETRY = Column(
    "input_geometry_wkt",
    "输入几何",
    "input geometry (WKT)",
    "str",
    "in_geom",
    "the row's input geometry as WKT, kept where the layer's one geometry type cannot hold it",
    "图层只能容纳一种几何类型时，以 WKT 保存该行的输入几何",
    popup=False,
    width=30,
)

#: The files of one Shapefile (GDAL writes the first five; the others are indexes and metadata).
SHAPEFILE_EXTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml")

#: dBASE limits: field names of at most 10 bytes, text of at most 254 bytes.
SHP_NAME_BYTES = 10
SHP_TEXT_BYTES = 254

_POLYGON, _LINE, _POINT = (3, 6), (1, 2, 5), (0, 4)


def write_layer(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike | Any,
    *,
    layer: str | None = None,
    overwrite: bool = False,
    wkt: bool | None = None,
    sheets: Mapping[str, Any] | None = None,
    inputs: Iterable[Any] = (),
) -> Path | str:
    """Write a layer; the format follows the extension, Chinese text and every row stay intact.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer.  Rows, their order, every column and a non-default index (as
        leading columns) are written.
    path : str or path
        ``.gpkg`` (GeoPackage, recommended), ``.shp`` (Shapefile), ``.csv``
        (UTF-8 with BOM), ``.xlsx`` (Excel), ``.parquet`` (GeoParquet),
        ``.geojson``, ``.fgb``; anything else is left to GDAL to infer from
        the extension.  The folder is created if needed.  A PostGIS connection
        (``postgresql://…``, ``PG:…``, a SQLAlchemy engine) writes a table: see
        :func:`suzhou_geo.io.postgis.write_postgis`.
    layer : str, optional
        Layer name (GeoPackage; default: the file name without extension); the
        table (``"schema.table"``) for PostGIS.
    overwrite : bool, default False
        Replace an existing output (file or table).  Without it an existing
        output is an :class:`~suzhou_geo.errors.OutputError`.
    wkt : bool, optional
        CSV and Excel: write the geometry as WKT in the last column.  Default:
        yes for CSV, no for Excel (a cell holds at most 32 767 characters).
    sheets : mapping of str to DataFrame, optional
        Excel: sheets after the data sheet, by name.  Default for a parcel
        report (a frame with a ``verdict`` column): its summary (by verdict and
        by county-level unit), the rules used, the data notes and the column
        meanings.
    inputs : iterable of paths, optional
        Files this output must not replace (the inputs of the run); the file a
        frame was read from (``gdf.attrs["suzhou_geo_read"]``) is always one.

    Returns
    -------
    pathlib.Path or str
        The path written; ``"schema.table"`` for PostGIS.

    Raises
    ------
    suzhou_geo.OutputError
        The output exists (without ``overwrite=True``), is one of the inputs,
        is a folder, or cannot be written (GDAL's or the system's words are kept
        in the message).

    Warns
    -----
    suzhou_geo.SuzhouGeoWarning
        Shapefile: what was shortened, and that GeoPackage keeps everything.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> g = gpd.GeoDataFrame({"地块编号": ["苏州-1", "苏州-2"]},
    ...                      geometry=[box(120.6, 31.3, 120.61, 31.31), Point(120.6, 31.3)], crs="EPSG:4490")
    >>> p = write_layer(g, "parcels.gpkg")
    >>> import pyogrio
    >>> pyogrio.read_info(p)["geometry_type"]
    'MultiPolygon'
    >>> from suzhou_geo.io import read_layer
    >>> back = read_layer(p)
    >>> back["地块编号"].tolist(), back["input_geometry_wkt"].iloc[1], back.geometry.iloc[1]
    (['苏州-1', '苏州-2'], 'POINT (120.6 31.3)', None)
    >>> open(write_layer(g, "parcels.csv"), "rb").read(3).hex()  # the UTF-8 byte-order mark
    'efbbbf'
    >>> write_layer(g, "parcels.gpkg")
    Traceback (most recent call last):
    ...
    suzhou_geo.errors.OutputError: parcels.gpkg: the output exists. Fix: pass overwrite=True to replace it
    """
    if is_postgis(path):  # a table in a database: io/postgis.py
        return write_postgis(gdf, path, layer=layer, overwrite=overwrite)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"write_layer needs a GeoDataFrame, got {type(gdf).__name__}")
    target = check_output(path, overwrite=overwrite, inputs=[*inputs, _read_source(gdf)])
    writer = _WRITERS.get(target.suffix.lower(), _write_ogr)
    with _staged(target, overwrite=overwrite) as tmp:
        try:
            writer(gdf, tmp, layer=layer, wkt=wkt, sheets=sheets)
        except OutputError:
            raise
        except (
            RuntimeError,
            OSError,
            ValueError,
            TypeError,
        ) as exc:  # GDAL's, openpyxl's or the disk's words
            log.debug("writing %s failed", target, exc_info=True)
            raise OutputError(
                f"cannot write it: {exc}",
                source=str(target),
                hint="check that the folder is writable and has space, or write .gpkg",
            ) from None
    log.info("wrote %d rows to %s", len(gdf), target)
    return target


# --------------------------------------------------------------------------- the output path


def check_output(
    path: str | os.PathLike, *, overwrite: bool = False, inputs: Iterable[Any] = ()
) -> Path:
    """Return *path* as a Path if an output may be written there; raise if not.

    Parameters
    ----------
    path : str or path
        The output file.
    overwrite : bool, default False
        Whether an existing output may be replaced.
    inputs : iterable
        The run's inputs; paths among them (and a Shapefile's sidecar files)
        may never be replaced.  Other values (frames, ``None``) are ignored.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    suzhou_geo.OutputError
        *path* is an input, a folder, or exists without ``overwrite=True``.

    Examples
    --------
    >>> from pathlib import Path
    >>> _ = Path("in.gpkg").write_bytes(b"x")
    >>> check_output("out.gpkg", inputs=["in.gpkg"])
    PosixPath('out.gpkg')
    >>> check_output("in.gpkg", overwrite=True, inputs=["in.gpkg"])
    Traceback (most recent call last):
    ...
    suzhou_geo.errors.OutputError: in.gpkg: the output is an input of this run; writing it would replace that input. Fix: choose another output name
    """
    target = Path(os.fspath(path)).expanduser()
    if target.is_dir():
        raise OutputError(
            "the output is a folder, not a file",
            source=str(target),
            hint="name a file, e.g. report.gpkg",
        )
    written = _files_written(target)
    for inp in inputs:
        for f in _files_of_input(inp):
            if any(_same_file(f, w) for w in written):
                raise OutputError(
                    "the output is an input of this run; writing it would replace that input",
                    source=str(target),
                    hint="choose another output name",
                )
    existing = [w for w in written if w.exists()]
    if existing and not overwrite:
        raise OutputError(
            "the output exists", source=str(target), hint="pass overwrite=True to replace it"
        )
    return target


def _files_written(target: Path) -> list[Path]:
    if target.suffix.lower() == ".shp":
        return [_shp_file(target, ext) for ext in SHAPEFILE_EXTS] + [_fields_table(target)]
    return [target]


def _shp_file(target: Path, ext: str) -> Path:
    return target.with_name(target.stem + ext)


def _fields_table(target: Path) -> Path:
    """Return the path of the full-name ↔ field-name table written beside a Shapefile."""
    return target.with_name(f"{target.stem}_fields.csv")


def _files_of_input(inp: Any) -> list[Path]:
    inp = getattr(inp, "data", inp)  # a Source carries its data
    if not isinstance(inp, (str, os.PathLike)):
        return []
    text = os.fspath(inp)
    if "://" in text or text.upper().startswith(("PG:", "/VSI")):
        return []
    p = Path(text).expanduser()
    if p.suffix.lower() in (".shp", ".dbf", ".shx"):
        return [_shp_file(p, ext) for ext in SHAPEFILE_EXTS]
    return [p]


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return os.path.normcase(a.resolve()) == os.path.normcase(b.resolve())


def _read_source(gdf: gpd.GeoDataFrame) -> Any:
    return (gdf.attrs.get(READ_ATTRS_KEY) or {}).get("source")


@contextmanager
def _staged(target: Path, *, overwrite: bool) -> Iterator[Path]:
    """Yield a path in a temporary folder beside *target*; move what was written there into place.

    The move is a rename within one folder, so readers never see a half-written
    file, and a write that fails leaves nothing behind (an existing output stays
    as it was).
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmpdir = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        )
    except OSError as exc:
        raise OutputError(
            f"cannot write there: {exc.strerror or exc}",
            source=str(target),
            hint="choose a folder you can write to",
        ) from None
    try:
        yield tmpdir / target.name
        produced = sorted(tmpdir.iterdir())
        if overwrite:
            _remove_stale(target, {p.name for p in produced})
        for p in produced:
            os.replace(p, target.parent / p.name)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _remove_stale(target: Path, produced: set[str]) -> None:
    """Remove files of a replaced output that the new write does not replace (old Shapefile indexes)."""
    for f in _files_written(target):
        if f.exists() and f.name not in produced:
            f.unlink()


# --------------------------------------------------------------------------- frames


def _with_index(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn a non-default index into leading columns (files have no index)."""
    idx = gdf.index
    default = (
        isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1 and idx.name is None
    )
    return gdf if default else gdf.reset_index()


def _family(type_ids: np.ndarray) -> tuple[int, ...] | None:
    """Return the family a one-type layer takes: polygons if any, else the most common family."""
    if np.isin(type_ids, _POLYGON).any():
        return _POLYGON
    counts = [(int(np.isin(type_ids, fam).sum()), fam) for fam in (_POINT, _LINE)]
    best = max(counts)
    return best[1] if best[0] else None


def _one_geometry_type(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str | None]:
    """Rows outside the layer's geometry family get an empty geometry and their WKT in a column.

    Returns the frame and the OGR geometry type to declare (``"MultiPolygon"``
    for polygons; None to let GDAL decide).
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    types = shapely.get_type_id(geoms)
    fam = _family(types)
    if fam is None:
        return gdf, None
    odd = (types >= 0) & ~np.isin(types, fam)
    out = gdf
    if odd.any():
        out = gdf.copy()
        name = _free_name(INPUT_GEOMETRY.name, out.columns)
        wkt = np.full(len(geoms), None, dtype=object)
        wkt[odd] = shapely.to_wkt(geoms[odd], rounding_precision=-1)  # only the rows that need it
        out[name] = wkt
        kept = geoms.copy()
        kept[odd] = None
        out[gdf.geometry.name] = gpd.GeoSeries(kept, index=gdf.index, crs=gdf.crs).values
        log.info(
            "%d row(s) of another geometry type written without geometry (WKT kept in %s)",
            int(odd.sum()),
            name,
        )
    declared = {_POLYGON: "MultiPolygon", _LINE: "MultiLineString", _POINT: None}[fam]
    return out, declared


def _free_name(name: str, taken: Iterable[str]) -> str:
    taken = {str(t) for t in taken}
    k, candidate = 1, name
    while candidate in taken:
        candidate, k = f"{name}_{k}", k + 1
    return candidate


def _wkt_table(gdf: gpd.GeoDataFrame, wkt: bool) -> pd.DataFrame:
    """Return the attribute table, with the geometry as WKT in the last column (``WKT``) if *wkt*."""
    frame = _with_index(gdf)
    geom = frame.geometry.name
    table = pd.DataFrame(frame.drop(columns=geom))
    if wkt:
        name = _free_name("WKT", table.columns)
        table[name] = shapely.to_wkt(
            np.asarray(frame.geometry.values, dtype=object), rounding_precision=-1
        )
    return table


# --------------------------------------------------------------------------- formats


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, *, layer: str | None, **_: Any) -> None:
    import pyogrio

    frame, declared = _one_geometry_type(_with_index(gdf))
    kwargs: dict[str, Any] = {"layer": layer or path.stem, "driver": "GPKG"}
    if declared:
        kwargs.update(geometry_type=declared, promote_to_multi=True)
    pyogrio.write_dataframe(frame, path, use_arrow=_has_arrow(), **kwargs)


def _write_csv(gdf: gpd.GeoDataFrame, path: Path, *, wkt: bool | None, **_: Any) -> None:
    # the byte-order mark makes Excel read UTF-8 (without it, Chinese Windows reads GBK)
    _wkt_table(gdf, wkt is not False).to_csv(path, index=False, encoding="utf-8-sig")


def _write_xlsx(
    gdf: gpd.GeoDataFrame,
    path: Path,
    *,
    wkt: bool | None,
    sheets: Mapping[str, Any] | None,
    **_: Any,
) -> None:
    from .excel import write_workbook

    table = _wkt_table(gdf, bool(wkt))
    if sheets is None and "verdict" in table.columns:
        from ..tables import report_sheets  # a parcel report gets its summary sheets

        sheets = report_sheets(gdf)
    write_workbook(path, table, sheets=sheets or {})


def _write_parquet(gdf: gpd.GeoDataFrame, path: Path, **_: Any) -> None:
    gdf.to_parquet(path)  # GeoParquet keeps the index, the CRS and every geometry type


def _write_ogr(gdf: gpd.GeoDataFrame, path: Path, *, layer: str | None, **_: Any) -> None:
    import pyogrio

    driver = _DRIVERS.get(path.suffix.lower())
    kwargs: dict[str, Any] = {}
    if layer is not None:
        kwargs["layer"] = layer
    if driver is not None:
        kwargs["driver"] = driver
    if gdf.crs is None and driver == "GeoJSON":
        log.warning("writing %s without a CRS; readers will assume EPSG:4326", path.name)
    pyogrio.write_dataframe(_with_index(gdf), path, use_arrow=_has_arrow(), **kwargs)


# --------------------------------------------------------------------------- Shapefile


def shapefile_field_names(columns: Iterable[Any]) -> dict[str, str]:
    """Return ``{column: Shapefile field name}``: at most 10 bytes, cut between characters, unique.

    Report columns get their schema names (``redline_overlap_m2`` → ``red_m2``);
    other names are cut to 10 UTF-8 bytes at a character boundary (a Chinese
    character is 3 bytes, so ``地块编号`` → ``地块编``) and made unique, ignoring
    case, with a ``_1``, ``_2`` … suffix.

    Examples
    --------
    >>> shapefile_field_names(["地块编号", "地块编码", "verdict", "nearest_redline_m"])
    {'地块编号': '地块编', '地块编码': '地块_1', 'verdict': 'verdict', 'nearest_redline_m': 'red_dist_m'}
    """
    columns = [str(c) for c in columns]
    schema = {c: _schema_column(c).shp for c in columns if _schema_column(c) is not None}
    taken = {v.upper() for v in schema.values()}
    out: dict[str, str] = {}
    for c in columns:
        if c in schema:
            out[c] = schema[c]
            continue
        name = _cut_utf8(c, SHP_NAME_BYTES) or "field"
        k = 1
        while name.upper() in taken:
            suffix = f"_{k}"
            name = _cut_utf8(c, SHP_NAME_BYTES - len(suffix)) + suffix
            k += 1
        taken.add(name.upper())
        out[c] = name
    return out


def _schema_column(name: str) -> Column | None:
    if name == INPUT_GEOMETRY.name:
        return INPUT_GEOMETRY
    return column(name) if name in report_columns() else None


def _cut_utf8(text: str, limit: int) -> str:
    """*text* cut to at most *limit* UTF-8 bytes, between characters."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def _cut_long_text(frame: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """Text values cut to *limit* UTF-8 bytes between characters; ``{column: values cut}``."""
    cut: dict[str, int] = {}
    out = frame
    for c in frame.columns:
        s = frame[c]
        if s.dtype != object and not pd.api.types.is_string_dtype(s):
            continue
        values = s.to_numpy(dtype=object)
        long = np.fromiter(
            (isinstance(v, str) and len(v.encode("utf-8")) > limit for v in values),
            bool,
            len(values),
        )
        if long.any():
            if out is frame:
                out = frame.copy()
            values = values.copy()
            values[long] = [_cut_utf8(v, limit) for v in values[long]]
            out[c] = values
            cut[c] = int(long.sum())
    return out, cut


def _datetimes_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns with a time of day as ISO text (a dBASE date field holds the day only)."""
    out = frame
    for c in frame.columns:
        s = frame[c]
        if (
            pd.api.types.is_datetime64_any_dtype(s)
            and (s.dropna() != s.dropna().dt.normalize()).any()
        ):
            if out is frame:
                out = frame.copy()
            out[c] = s.map(lambda v: None if pd.isna(v) else v.isoformat())
    return out


def _write_shapefile(gdf: gpd.GeoDataFrame, path: Path, **_: Any) -> None:
    import pyogrio

    frame, _declared = _one_geometry_type(_with_index(gdf))
    geom = frame.geometry.name
    attrs = [c for c in frame.columns if c != geom]
    names = shapefile_field_names(attrs)
    table, cut = _cut_long_text(_datetimes_as_text(frame), SHP_TEXT_BYTES)
    table = table.rename(columns=names)
    # the classic (non-Arrow) path sets the .dbf encoding and writes the .cpg
    pyogrio.write_dataframe(table, path, driver="ESRI Shapefile", encoding="UTF-8", use_arrow=False)
    if not _shp_file(path, ".cpg").exists():  # pragma: no cover - GDAL writes it
        _shp_file(path, ".cpg").write_text("UTF-8", encoding="ascii")
    _field_table(attrs, names).to_csv(_fields_table(path), index=False, encoding="utf-8-sig")
    _warn_shapefile(path, attrs, names, cut)


def _field_table(attrs: list[str], names: dict[str, str]) -> pd.DataFrame:
    labels = [(_schema_column(c).label() if _schema_column(c) is not None else "") for c in attrs]
    return pd.DataFrame(
        {"字段名 field": [names[c] for c in attrs], "列名 column": attrs, "说明 label": labels}
    )


def _warn_shapefile(
    path: Path, attrs: list[str], names: dict[str, str], cut: dict[str, int]
) -> None:
    renamed = [c for c in attrs if names[c] != c]
    n_cut = sum(cut.values())
    shown = ", ".join(f"{c} → {names[c]}" for c in renamed[:6]) + (" …" if len(renamed) > 6 else "")
    warnings.warn(
        f"{path.name}: Shapefile 字段名最多 10 字节、文本最多 254 字节："
        f"{len(renamed)} 个列名已缩短（对照表 {_fields_table(path).name}），{n_cut} 个文本值已截短；"
        "GeoPackage (.gpkg) 完整保留，推荐使用。 / "
        f"Shapefile field names hold 10 bytes and text 254 bytes: {len(renamed)} column name(s) "
        f"shortened ({shown or 'none'}; table in {_fields_table(path).name}), {n_cut} text value(s) cut"
        + (f" (in {', '.join(cut)})" if cut else "")
        + "; GeoPackage (.gpkg) keeps everything and is the better format.",
        SuzhouGeoWarning,
        stacklevel=4,
    )


_WRITERS: dict[str, Callable[..., None]] = {
    ".gpkg": _write_gpkg,
    ".shp": _write_shapefile,
    ".csv": _write_csv,
    ".xlsx": _write_xlsx,
    ".parquet": _write_parquet,
}
