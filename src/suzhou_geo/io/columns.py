"""Columns: how a column is named, labelled and formatted in every output, and input columns kept.

:class:`Column` describes one column for the writers (bilingual label,
Shapefile field name, type, number format, Excel width); a caller that knows
its columns (the parcel report, the occupancy table) hands them to
:func:`suzhou_geo.io.write_layer` — the writers know no report.  Input columns
are never overwritten: a column named like an output column is kept under a
clear name (:func:`keep_input_columns`), and :func:`free_name` finds a name not
yet taken.

Examples
--------
>>> collisions(["地块编号", "verdict", "verdict_input"], ["verdict", "reasons"])
{'verdict': 'verdict_input_2'}
>>> free_name("WKT", ["WKT", "WKT_1"])
'WKT_2'
>>> INPUT_GEOMETRY.label()
'输入几何 input geometry (WKT)'
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import SuzhouGeoWarning

__all__ = ["Column", "Columns", "INPUT_GEOMETRY", "as_columns", "case_unique", "collisions", "distinct_case",
           "free_name", "gpkg_fid_options",
           "keep_input_columns", "SUFFIX"]

#: Appended to an input column whose name an output column takes.
SUFFIX = "_input"


@dataclass(frozen=True)
class Column:
    """One report column.

    Attributes
    ----------
    name : str
        Column name in the report frame and in GeoPackage, CSV, Excel, GeoParquet and PostGIS.
    zh, en : str
        Chinese and English labels (headers, popups, docs).
    dtype : {"str", "float", "bool"}
        Value type.
    shp : str
        Shapefile (dBASE) field name: at most 10 ASCII characters, unique.
    doc : str
        What the column means (English; shown in the docs).
    doc_zh : str
        What the column means (Chinese).
    unit : str
        Unit of the values (``"m²"``, ``"m"``, ``""``).
    decimals : int or None
        Decimals shown in popups and Excel (None: as is).
    percent : bool
        Shown as a percentage (ratios).
    popup, tooltip, excel : bool
        Shown in map popups, in map tooltips, in the Excel report sheet.
    width : int
        Column width in Excel (characters).
    choices : tuple of (value, zh, en, fill)
        Coded values, shown as ``"zh en"`` (``"冲突 conflict"``), with the cell
        colour of each in Excel (RGB hex, ``""`` for none).
    wrap : bool
        Long text, wrapped in its cell in Excel (reasons), so that it prints whole.
    zh_name : str
        The column's name when columns are written in Chinese (``columns="zh"``);
        ``""``: :attr:`zh`.
    shp_zh : str
        Its Shapefile field name then: at most 10 UTF-8 bytes (three Chinese
        characters, or two and some ASCII).
    """

    name: str
    zh: str
    en: str
    dtype: str
    shp: str
    doc: str
    doc_zh: str
    unit: str = ""
    decimals: int | None = None
    percent: bool = False
    popup: bool = True
    tooltip: bool = False
    excel: bool = True
    width: int = 14
    choices: tuple[tuple[str, str, str, str], ...] = ()
    wrap: bool = False
    zh_name: str = ""
    shp_zh: str = ""

    def in_chinese(self) -> Column:
        """Return this column as it is written with Chinese names (``columns="zh"``).

        Examples
        --------
        >>> area = Column("parcel_area_m2", "地块面积", "parcel area", "float", "area_m2", "", "", shp_zh="面积m2")
        >>> area.in_chinese().name, area.in_chinese().shp
        ('地块面积', '面积m2')
        """
        from dataclasses import replace

        return replace(self, name=self.zh_name or self.zh, shp=self.shp_zh or self.shp)

    def label(self, sep: str = " ") -> str:
        """Return the bilingual label, Chinese first: ``'判定 verdict'``."""
        unit = f" ({self.unit})" if self.unit else ""
        return f"{self.zh}{sep}{self.en}{unit}"

    def choice(self, value) -> tuple[str, str, str] | None:
        """Return ``(zh, en, fill)`` of a coded *value*, None when the column has no such code."""
        for code, zh, en, fill in self.choices:
            if code == value:
                return zh, en, fill
        return None

    def format(self, value) -> str:
        """Return *value* formatted for reading (popups, Excel text, Markdown).

        Examples
        --------
        >>> Column("area", "面积", "area", "float", "area", "", "", unit="m²").format(1234.5)
        '1,234.50'
        >>> Column("share", "比例", "share", "float", "share", "", "", percent=True).format(0.25)
        '25.0%'
        >>> Column("inside", "位于", "inside", "bool", "inside", "", "").format(True)
        '是 yes'
        >>> Column("v", "判定", "verdict", "str", "v", "", "", choices=(("pass", "通过", "pass", ""),)).format("pass")
        '通过 pass'
        """
        if value is None or (isinstance(value, float) and value != value):
            return ""
        choice = self.choice(value)
        if choice is not None:
            return f"{choice[0]} {choice[1]}"
        if self.dtype == "bool":
            return "是 yes" if bool(value) else "否 no"
        if self.dtype == "float":
            if self.percent:
                return f"{float(value):.1%}"
            d = 2 if self.decimals is None else self.decimals
            return f"{float(value):,.{d}f}"
        return str(value)


#: Known columns by name, as the writers take them (``columns=``).
Columns = Mapping[str, Column]

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


def as_columns(columns: Columns | Sequence[Column] | None) -> dict[str, Column]:
    """Return ``{name: Column}`` from a mapping or a sequence of columns, with :data:`INPUT_GEOMETRY`.

    Examples
    --------
    >>> sorted(as_columns(None))
    ['input_geometry_wkt']
    """
    if columns is None:
        found: dict[str, Column] = {}
    elif isinstance(columns, Mapping):
        found = dict(columns)
    else:
        found = {c.name: c for c in columns}
    found.setdefault(INPUT_GEOMETRY.name, INPUT_GEOMETRY)
    return found


def free_name(name: str, taken: Iterable[object]) -> str:
    """Return *name*, or ``name_1``, ``name_2`` … the first not in *taken*."""
    taken = {str(t) for t in taken}
    k, candidate = 1, name
    while candidate in taken:
        candidate, k = f"{name}_{k}", k + 1
    return candidate


def gpkg_fid_options(columns: Iterable[object], values: Any = None) -> dict[str, str]:
    """GeoPackage layer options for a column named ``fid``: the table's key, or an ordinary column.

    GDAL takes a column named ``fid`` (in any case) as the table's primary key.
    Increasing whole numbers may be that key (what QGIS writes and reads back);
    text, repeated or missing values would fail the whole write, and numbers out
    of order would come back in another row order, so the key then gets a free
    name (``fid_1`` …) and the column is written like any other.  Without
    *values* (a stream, whose later rows are not known yet) the key always gets
    a free name.

    Parameters
    ----------
    columns : iterable of column names
    values : array-like, optional
        The values of the ``fid`` column, when all of them are known.

    Examples
    --------
    >>> gpkg_fid_options(["FID", "name", "fid_1"])
    {'FID': 'fid_2'}
    >>> gpkg_fid_options(["fid", "name"], values=[1, 2, 5]), gpkg_fid_options(["fid"], values=[3, 1])
    ({}, {'FID': 'fid_1'})
    >>> gpkg_fid_options(["name"])
    {}
    """
    lower = [str(c).lower() for c in columns]
    if "fid" not in lower:
        return {}
    if values is not None:
        v = pd.Series(values)
        if pd.api.types.is_integer_dtype(v.dtype) and not v.isna().any() and v.is_monotonic_increasing \
                and v.is_unique:
            return {}
    return {"FID": free_name("fid", lower)}


def case_unique(columns: Iterable[object]) -> dict:
    """``{column: new name}`` for columns whose names differ from an earlier one's only in case.

    GeoPackage (SQLite) and GeoJSON field names ignore case: ``Name`` and
    ``name`` cannot both be written (GDAL refuses, or keeps one value).  The
    later column gets a free ``_1``, ``_2`` … suffix, compared ignoring case.

    Examples
    --------
    >>> case_unique(["Name", "name", "NAME", "name_1", "id"])
    {'name': 'name_2', 'NAME': 'NAME_3'}
    """
    columns = [str(c) for c in columns]
    seen = {c.lower() for c in columns}
    first: set[str] = set()
    out = {}
    for col in columns:
        if col.lower() not in first:
            first.add(col.lower())
            continue
        k, new = 1, f"{col}_1"
        while new.lower() in seen:
            k += 1
            new = f"{col}_{k}"
        seen.add(new.lower())
        out[col] = new
    return out


def distinct_case(frame, where: str, *, warn: bool = True):
    """*frame* with the columns of :func:`case_unique` renamed, and a warning naming them (for *where*)."""
    renames = case_unique(frame.columns)
    if not renames:
        return frame
    if warn:
        shown = ", ".join(f"{a} → {b}" for a, b in renames.items())
        warnings.warn(
            f"{where}: 列名只差大小写，此格式不区分大小写，已改名 {shown} / column names that differ only in case "
            f"cannot both be written to this format: renamed {shown}",
            SuzhouGeoWarning, stacklevel=4,
        )
    return frame.rename(columns=renames)


def collisions(columns: Iterable[object], reserved: Iterable[str]) -> dict:
    """``{input column: new name}`` for the input columns whose names are *reserved*."""
    columns = list(columns)
    taken = {str(c) for c in columns} | set(reserved)
    out = {}
    for col in columns:
        if col in set(reserved):
            new = f"{col}{SUFFIX}"
            k = 2
            while new in taken:
                new = f"{col}{SUFFIX}_{k}"
                k += 1
            taken.add(new)
            out[col] = new
    return out


def keep_input_columns(frame: pd.DataFrame, reserved: Iterable[str], *, what: str) -> pd.DataFrame:
    """Return a shallow copy of *frame* whose columns named like *reserved* ones are renamed, with one warning.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
    reserved : iterable of str
        The columns the caller is about to add.
    what : str
        The caller, for the warning (``"validate_parcels"``).

    Returns
    -------
    DataFrame or GeoDataFrame
        ``attrs["renamed_columns"]`` holds the mapping when something was renamed.
    """
    reserved = list(reserved)
    mapping = collisions([c for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)],
                         reserved)
    out = frame.copy(deep=False)
    if not mapping:
        return out
    out = out.rename(columns=mapping)
    shown = ", ".join(f"{a} → {b}" for a, b in mapping.items())
    warnings.warn(
        f"{what}: 输入列与输出列同名，已改名保留：{shown} / input columns named like output columns are "
        f"kept under new names: {shown}",
        SuzhouGeoWarning,
        stacklevel=3,
    )
    out.attrs = {**out.attrs, "renamed_columns": dict(mapping)}
    return out
