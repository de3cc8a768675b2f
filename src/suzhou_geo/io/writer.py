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
  or left out with ``wkt=False``.  Text that a spreadsheet would run as a
  formula (``=…``, ``+…``, ``-…``, ``@…``, a leading tab or line break) gets a
  leading apostrophe and every text field is quoted, as OWASP's "CSV Injection"
  page advises (:func:`spreadsheet_text`); numbers stay numbers.  GeoPackage,
  GeoParquet and PostGIS keep every value as it is.
* **Excel** (``.xlsx``, see :mod:`suzhou_geo.io.excel`): a report sheet with
  bilingual headers, and for a parcel report its summary, rules and notes.
* **GeoParquet** (``.parquet``), **GeoJSON** (``.geojson``), **FlatGeobuf** (``.fgb``).
* **部标 TXT** (``.txt``, see :mod:`suzhou_geo.io.bubiao`): the boundary-coordinate
  file of an approval package, GBK, in CGCS2000 3-degree Gauss-Krüger zone 40
  with the zone prefix unless ``crs=`` says otherwise.

Columns of no type (every value empty) are written as text in every format.

Every write goes to a temporary name in the target folder and is renamed when
complete, so a failed write leaves no partial file.  An existing output is
replaced only with ``overwrite=True``; an output that is one of the inputs is
refused (:class:`~suzhou_geo.errors.OutputError`).
"""

from __future__ import annotations

import csv
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import OutputError, SuzhouGeoWarning, arg, row_at
from .columns import Column, Columns, as_columns, distinct_case, free_name, gpkg_fid_options
from .geomtype import one_geometry_type
from .postgis import is_postgis, write_postgis
from .raw import DRIVERS, has_arrow
from .reader import READ_ATTRS_KEY

__all__ = [
    "write_layer",
    "check_output",
    "CheckedPath",
    "move_into_place",
    "shapefile_field_names",
    "spreadsheet_text",
    "spreadsheet_table",
    "write_csv_table",
    "FORMULA_START",
    "FORMATS",
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
    ".txt": "部标 TXT (GBK)",
}

#: The files of one Shapefile (GDAL writes the first five; the others are indexes and metadata).
SHAPEFILE_EXTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml")

#: dBASE limits: field names of at most 10 bytes, text of at most 254 bytes.
SHP_NAME_BYTES = 10
SHP_TEXT_BYTES = 254

def write_layer(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike | Any,
    *,
    layer: str | None = None,
    overwrite: bool = False,
    wkt: bool | None = None,
    columns: Columns | Sequence[Column] | None = None,
    sheets: Mapping[str, Any] | None = None,
    inputs: Iterable[Any] = (),
    crs: Any = None,
    encoding: str | None = None,
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
        name of the data sheet (Excel; default ``地块报告 report``); the table
        (``"schema.table"``) for PostGIS.
    overwrite : bool, default False
        Replace an existing output (file or table).  Without it an existing
        output is an :class:`~suzhou_geo.errors.OutputError`.
    wkt : bool, optional
        CSV and Excel: write the geometry as WKT in the last column.  Default:
        yes for CSV, no for Excel (a cell holds at most 32 767 characters).
    columns : mapping or sequence of :class:`~suzhou_geo.io.columns.Column`, optional
        What the caller knows of its columns: bilingual labels and number
        formats (Excel headers, the Shapefile field table, PostGIS column
        comments) and Shapefile field names.  :func:`suzhou_geo.write_layer`
        passes the report schema for a parcel report; other columns are
        written under their own names.
    sheets : mapping of str to DataFrame, optional
        Excel: sheets after the data sheet, by name (:func:`suzhou_geo.write_layer`
        adds a parcel report's summary, rules, notes and column meanings).
    inputs : iterable of paths, optional
        Files this output must not replace (the inputs of the run); the file a
        frame was read from (``gdf.attrs["suzhou_geo_read"]``) is always one.
    crs : str or pyproj.CRS, optional
        The CRS to write in (the frame is converted).  For a 部标 ``.txt`` a
        national Gauss-Krüger CRS, by default ``"EPSG:4528"`` (CGCS2000 3-degree
        zone 40, eastings prefixed with 40); ``"EPSG:4549"`` writes them without.
    encoding : str, optional
        The text encoding of a 部标 ``.txt`` (default ``"GBK"``, what 报盘 systems
        expect; ``"UTF-8"`` for newer ones).  Other formats have theirs.

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
        Shapefile: what was shortened (field names, text), and that GeoPackage
        keeps everything; no warning when nothing was shortened.

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
        return write_postgis(gdf, path, layer=layer, overwrite=overwrite, columns=columns)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"write_layer needs a GeoDataFrame, got {type(gdf).__name__}")
    target = checked(path, overwrite=overwrite, inputs=[*inputs, _read_source(gdf)])
    gdf = _in_crs(gdf, crs, target, encoding)
    writer = _WRITERS.get(target.suffix.lower(), _write_ogr)
    with _staged(target, overwrite=overwrite) as tmp:
        try:
            writer(gdf, tmp, layer=layer, wkt=wkt, columns=as_columns(columns), sheets=sheets, crs=crs,
                   encoding=encoding)
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


def _in_crs(gdf: gpd.GeoDataFrame, crs: Any, target: Path, encoding: str | None) -> gpd.GeoDataFrame:
    """Return the frame in the CRS to write (a 部标 TXT converts on its own); *encoding* only where it applies."""
    txt = target.suffix.lower() == ".txt"
    if encoding is not None and not txt:
        raise OutputError(f"encoding= applies to 部标 .txt files, not {target.suffix or 'this format'}",
                          source=str(target), hint="leave encoding out (the format has its own)")
    if crs is None or txt:
        return gdf
    if gdf.crs is None:
        raise OutputError("the frame has no CRS to convert from", source=str(target),
                          hint="set the frame's CRS first (frame.set_crs(...)), or leave crs out")
    return gdf.to_crs(crs)


# --------------------------------------------------------------------------- the output path


class CheckedPath(type(Path())):
    """An output path that :func:`check_output` has checked: writers given it do not check it again.

    ``overwrite`` says whether it was checked as replaceable (``None`` on paths
    derived from it, which are not checked); the final move into place
    (:func:`move_into_place`) still refuses to replace a file that appeared in
    the meantime unless it may.
    """

    overwrite: bool | None = None


def checked(path: Any, *, overwrite: bool, inputs: Iterable[Any]) -> CheckedPath:
    """Return *path* checked by :func:`check_output`; a path checked alike already passes as it is."""
    if isinstance(path, CheckedPath) and path.overwrite is not None and path.overwrite == bool(overwrite):
        return path
    return check_output(path, overwrite=overwrite, inputs=inputs)


def move_into_place(src: Path, dst: Path, *, overwrite: bool) -> None:
    """Move a finished file to its name; without *overwrite*, never over a file that appeared meanwhile."""
    if overwrite:
        os.replace(src, dst)
        return
    try:
        os.link(src, dst)  # fails if dst exists: no window between the test and the move
    except FileExistsError:
        raise OutputError("the output appeared while it was being written", source=str(dst),
                          hint=f"pass {arg('overwrite', 'True')} to replace it, or choose another name") from None
    except OSError:  # a file system without hard links
        if dst.exists():
            raise OutputError("the output appeared while it was being written", source=str(dst),
                              hint=f"pass {arg('overwrite', 'True')} to replace it, or choose another name") from None
        os.replace(src, dst)
        return
    src.unlink()


def check_output(
    path: str | os.PathLike, *, overwrite: bool = False, inputs: Iterable[Any] = ()
) -> CheckedPath:
    """Return *path* as a :class:`CheckedPath` if an output may be written there; raise if not.

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
    CheckedPath
        A :class:`pathlib.Path` that writers do not check again.

    Raises
    ------
    suzhou_geo.OutputError
        *path* is an input, a folder, or exists without ``overwrite=True``.

    Examples
    --------
    >>> from pathlib import Path
    >>> _ = Path("in.gpkg").write_bytes(b"x")
    >>> check_output("out.gpkg", inputs=["in.gpkg"])
    CheckedPath('out.gpkg')
    >>> check_output("in.gpkg", overwrite=True, inputs=["in.gpkg"])  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    suzhou_geo.errors.OutputError: in.gpkg: the output is an input of this run; writing it would replace that input.
    Fix: choose another output name
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
        fix = arg("overwrite", "True")
        raise OutputError(
            "the output exists", source=str(target),
            hint=f"pass {fix} to replace it" if fix else "choose another name, or remove the file",
        )
    out = CheckedPath(target)
    out.overwrite = bool(overwrite)
    return out


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
            move_into_place(p, target.parent / p.name, overwrite=overwrite)
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


def _wkt_table(gdf: gpd.GeoDataFrame, wkt: bool) -> pd.DataFrame:
    """Return the attribute table, with the geometry as WKT in the last column (``WKT``) if *wkt*."""
    frame = _with_index(gdf)
    geom = frame.geometry.name
    table = pd.DataFrame(frame.drop(columns=geom))
    if wkt:
        name = free_name("WKT", table.columns)
        table[name] = shapely.to_wkt(
            np.asarray(frame.geometry.values, dtype=object), rounding_precision=-1
        )
    return table


# --------------------------------------------------------------------------- formats


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, *, layer: str | None, **_: Any) -> None:
    import pyogrio

    frame, declared, _ = one_geometry_type(distinct_case(_with_index(gdf), path.name))
    # GeoPackage 1.2: what QGIS 3.22 and ArcGIS 10.x read without a version warning
    kwargs: dict[str, Any] = {"layer": layer or path.stem, "driver": "GPKG", "dataset_options": {"VERSION": "1.2"},
                              "layer_options": gpkg_fid_options(frame.columns, _fid_values(frame))}
    if declared:
        kwargs.update(geometry_type=measured(frame, declared), promote_to_multi=True)
    pyogrio.write_dataframe(frame, path, use_arrow=has_arrow(), **kwargs)


def _fid_values(frame: pd.DataFrame) -> Any:
    named = [c for c in frame.columns if str(c).lower() == "fid"]
    return frame[named[0]] if named else None


def measured(frame: gpd.GeoDataFrame, declared: str | None) -> str | None:
    """Return the OGR geometry type to declare: *declared*, ``Measured …`` (and ``3D``) when rows carry M.

    GDAL refuses measured (M, ZM) geometries in a layer declared without M, and
    pyogrio's classic path cannot write them at all; declared so, they are
    written with their M values.
    """
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if not declared or not shapely.has_m(geoms).any():
        return declared
    return f"Measured {'3D ' if shapely.has_z(geoms).any() else ''}{declared}"


#: First characters that make Excel or LibreOffice Calc read a cell as a formula (OWASP, "CSV Injection"),
#: with their full-width forms, which Chinese input methods type.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def spreadsheet_text(value: Any) -> Any:
    r"""Return *value* as a spreadsheet must show it: text that it would run as a formula gets a leading ``'``.

    A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break —
    also after leading spaces or double quotes, which a spreadsheet's import
    may trim — is prefixed with an apostrophe, the "treat as text" mark OWASP's
    CSV-injection guidance recommends.  A plain number written as text (``"-5"``)
    and every non-text value are returned as they are.

    Examples
    --------
    >>> spreadsheet_text('=HYPERLINK("http://example.invalid","点击")')
    '\'=HYPERLINK("http://example.invalid","点击")'
    >>> spreadsheet_text(" @SUM(A1)"), spreadsheet_text("苏州-1"), spreadsheet_text("-5"), spreadsheet_text(-5)
    ("' @SUM(A1)", '苏州-1', '-5', -5)
    """
    if not isinstance(value, str) or not value:
        return value
    head = value.lstrip(' "\u3000') if value[0] not in "\t\r\n" else value
    if head[:1] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return *table* with :func:`spreadsheet_text` applied to every column name and text value (numbers untouched).

    Examples
    --------
    >>> spreadsheet_table(pd.DataFrame({"名称": ["=1+2", "太湖"], "面积": [1.5, -2.0]})).iloc[:, 0].tolist()
    ["'=1+2", '太湖']
    """
    out = table
    names = [spreadsheet_text(c) for c in table.columns]
    if names != list(table.columns):
        out = table.copy()
        out.columns = names
    for i in range(table.shape[1]):
        s = table.iloc[:, i]
        if s.dtype != object and not pd.api.types.is_string_dtype(s):
            continue
        values = s.to_numpy(dtype=object)
        safe = np.fromiter((spreadsheet_text(v) for v in values), dtype=object, count=len(values))
        changed = np.fromiter((a is not b for a, b in zip(values, safe, strict=True)), bool, len(values))
        if changed.any():
            if out is table:
                out = table.copy()
            out.isetitem(i, safe)
    return out


def write_csv_table(table: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a plain table as the library writes every CSV: UTF-8 with BOM, text quoted and formula-safe.

    For tables that are not layers (zonal statistics): the index is written as
    leading columns, text a spreadsheet would run is marked (:func:`spreadsheet_text`).
    """
    table = table.reset_index()
    spreadsheet_table(table).to_csv(path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_NONNUMERIC)


def _write_csv(gdf: gpd.GeoDataFrame, path: Path, *, wkt: bool | None, **_: Any) -> None:
    # the byte-order mark makes Excel read UTF-8 (without it, Chinese Windows reads GBK); every text
    # field is quoted so that no separator a spreadsheet guesses (";", tab) starts a cell inside it
    table = spreadsheet_table(_wkt_table(gdf, wkt is not False))
    table.to_csv(path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_NONNUMERIC)


def _write_xlsx(
    gdf: gpd.GeoDataFrame,
    path: Path,
    *,
    layer: str | None,
    wkt: bool | None,
    columns: dict[str, Column],
    sheets: Mapping[str, Any] | None,
    **_: Any,
) -> None:
    from .excel import write_workbook

    table = _wkt_table(gdf, bool(wkt))
    _fits_excel(table, path, wkt=bool(wkt))
    title = {"title": layer} if layer else {}
    write_workbook(path, table, columns=columns, sheets=sheets or {}, **title)


def _fits_excel(table: pd.DataFrame, path: Path, *, wkt: bool) -> None:
    """Refuse geometry text an Excel cell cannot hold (cut WKT is no geometry); say which other text is cut."""
    from .excel import MAX_CELL

    for i, col in enumerate(table.columns):
        values = table[col].to_numpy(dtype=object)
        long = np.flatnonzero([isinstance(v, str) and len(v) > MAX_CELL for v in values])
        if not len(long):
            continue
        named = [row_at(table.index, k) for k in long[:5]]
        more = " …" if len(long) > 5 else ""
        zh, en = "、".join(r.zh for r in named) + more, ", ".join(r.en for r in named) + more
        if wkt and i == len(table.columns) - 1:
            off = arg("wkt", "False")
            raise OutputError(
                f"the geometry of {len(long)} row(s) ({en}) is longer as WKT than the {MAX_CELL:,} "
                "characters an Excel cell holds", source=path.name,
                hint="write .gpkg or .csv, which keep every vertex"
                + (f", or leave the WKT out ({off})" if off else ""),
            )
        warnings.warn(
            f"{path.name}: 列 {col} 有 {len(long)} 个文本超过 Excel 单元格上限 {MAX_CELL:,} 个字符，"
            f"已截断（{zh}） / {len(long)} value(s) of column {col} exceed the {MAX_CELL:,} characters an "
            f"Excel cell holds and were cut ({en}); .gpkg and .csv keep them whole",
            SuzhouGeoWarning, stacklevel=5,
        )


def _write_parquet(gdf: gpd.GeoDataFrame, path: Path, **_: Any) -> None:
    gdf.to_parquet(path)  # GeoParquet keeps the index, the CRS and every geometry type


def _write_ogr(gdf: gpd.GeoDataFrame, path: Path, *, layer: str | None, **_: Any) -> None:
    import pyogrio

    driver = DRIVERS.get(path.suffix.lower())
    frame = _with_index(gdf)
    kwargs: dict[str, Any] = {}
    if layer is not None:
        kwargs["layer"] = layer
    if driver is not None:
        kwargs["driver"] = driver
    frame = distinct_case(frame, path.name)  # GeoJSON, FlatGeobuf and most OGR formats ignore the case of names
    if driver == "FlatGeobuf":  # its spatial index would sort the rows along a Hilbert curve: keep their order
        kwargs["layer_options"] = {"SPATIAL_INDEX": "NO"}
    if gdf.crs is None and driver == "GeoJSON":
        log.warning("writing %s without a CRS; readers will assume EPSG:4326", path.name)
    geometry_type = measured(frame, _declared_type(frame))
    if geometry_type and geometry_type.startswith("Measured"):
        kwargs["geometry_type"] = geometry_type
    pyogrio.write_dataframe(frame, path, use_arrow=has_arrow(), **kwargs)


def _declared_type(frame: gpd.GeoDataFrame) -> str | None:
    """Return the one OGR type of a frame's geometries (multi-part when any row is), None when mixed."""
    names = set(frame.geometry.dropna().geom_type)
    bases = {n.removeprefix("Multi") for n in names}
    if len(bases) != 1:
        return None
    base = bases.pop()
    return f"Multi{base}" if any(n.startswith("Multi") for n in names) else base


# --------------------------------------------------------------------------- Shapefile


def shapefile_field_names(columns: Iterable[Any], known: Columns | None = None) -> dict[str, str]:
    """Return ``{column: Shapefile field name}``: at most 10 bytes, cut between characters, unique.

    Columns described in *known* get their own field names (the report's
    ``redline_overlap_m2`` → ``red_m2``); other names are cut to 10 UTF-8 bytes at a character boundary (a Chinese
    character is 3 bytes, so ``地块编号`` → ``地块编``) and made unique, ignoring
    case, with a ``_1``, ``_2`` … suffix.

    Examples
    --------
    >>> from suzhou_geo.io.columns import Column
    >>> dist = Column("nearest_redline_m", "距离", "distance", "float", "red_dist_m", "", "")
    >>> shapefile_field_names(["地块编号", "地块编码", "nearest_redline_m"], {dist.name: dist})
    {'地块编号': '地块编', '地块编码': '地块_1', 'nearest_redline_m': 'red_dist_m'}
    """
    columns = [str(c) for c in columns]
    known = as_columns(known)
    schema = {c: known[c].shp for c in columns if c in known}
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


def _write_shapefile(gdf: gpd.GeoDataFrame, path: Path, *, columns: dict[str, Column], **_: Any) -> None:
    import pyogrio

    frame, declared, _ = one_geometry_type(_with_index(gdf))
    geom = frame.geometry.name
    attrs = [c for c in frame.columns if c != geom]
    names = shapefile_field_names(attrs, columns)
    table, cut = _cut_long_text(_datetimes_as_text(frame), SHP_TEXT_BYTES)
    table = table.rename(columns=names)
    geometry_type = measured(table, declared)
    if geometry_type and geometry_type.startswith("Measured"):  # M values: only the Arrow path writes them
        pyogrio.write_dataframe(table, path, driver="ESRI Shapefile", use_arrow=True, geometry_type=geometry_type,
                                promote_to_multi=True, layer_options={"ENCODING": "UTF-8"})
    else:  # the classic (non-Arrow) path sets the .dbf encoding and writes the .cpg
        pyogrio.write_dataframe(table, path, driver="ESRI Shapefile", encoding="UTF-8", use_arrow=False)
    if not _shp_file(path, ".cpg").exists():  # pragma: no cover - GDAL writes it
        _shp_file(path, ".cpg").write_text("UTF-8", encoding="ascii")
    _field_table(attrs, names, columns).to_csv(_fields_table(path), index=False, encoding="utf-8-sig")
    _warn_shapefile(path, attrs, names, cut)


def _field_table(attrs: list[str], names: dict[str, str], columns: dict[str, Column]) -> pd.DataFrame:
    labels = [columns[c].label() if c in columns else "" for c in attrs]
    return pd.DataFrame(
        {"字段名 field": [names[c] for c in attrs], "列名 column": attrs, "说明 label": labels}
    )


def _warn_shapefile(
    path: Path, attrs: list[str], names: dict[str, str], cut: dict[str, int]
) -> None:
    renamed = [c for c in attrs if names[c] != c]
    n_cut = sum(cut.values())
    if not renamed and not n_cut:
        return  # nothing was shortened: nothing to say
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


def _write_txt(gdf: gpd.GeoDataFrame, path: Path, *, crs: Any, encoding: str | None, **_: Any) -> None:
    from .bubiao import write_bubiao

    write_bubiao(gdf, path, crs=crs or "EPSG:4528", encoding=encoding or "GBK")


_WRITERS: dict[str, Callable[..., None]] = {
    ".txt": _write_txt,
    ".gpkg": _write_gpkg,
    ".shp": _write_shapefile,
    ".csv": _write_csv,
    ".xlsx": _write_xlsx,
    ".parquet": _write_parquet,
}
