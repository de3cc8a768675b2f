"""界址点坐标表: parcels from a table of boundary points (CSV or Excel), with the 部标 TXT's rules.

There is no standard layout: a point number, the two coordinates (``X``/``Y``,
``北坐标``/``东坐标``, ``N``/``E``, ``纵坐标``/``横坐标``, …), often a parcel id
(given on each row, or only on the first row of each parcel as merged cells
do), sometimes a ring number (圈号) and a declared area.  This module finds
those columns by name (a title row above the header is skipped), decides the
axis order and the zone prefix from the numbers (as for the 部标 TXT, and
refusing with the row number when they do not decide), builds one polygon per
parcel — rings closed, holes and parts told apart by 圈号 — and keeps every
other column: constant within each parcel → a column of the parcel, varying
→ a column of the points table.

A table names no datum, so the caller says the CRS (``crs="EPSG:4528"``); the
reading suggests it from the zone prefix.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"地块编号": ["K-01", None, None, None, None], "点号": ["J1", "J2", "J3", "J4", "J1"],
...                   "X": [3471000, 3471000, 3471100, 3471100, 3471000],
...                   "Y": [40585000, 40585100, 40585100, 40585000, 40585000]})
>>> frame, reading = read_point_table(t, name="界址点.xlsx")
>>> frame["地块编号"].tolist(), frame["界址点"].tolist(), frame.geometry.area.tolist()
(['K-01'], ['J1,J2,J3,J4'], [10000.0])
>>> print(reading.crs_error.hint)
a table names no datum: pass the CRS, e.g. crs='EPSG:4528' (CGCS2000 3-degree zone 40, eastings prefixed with 40)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import CRSError, ReadError
from .boundary import NAMES_COLUMN, join_names
from .survey import (
    Reading,
    assemble,
    build_rings,
    decide_axes,
    decide_zone,
    decode_text,
    warn,
    where,
)

__all__ = ["FORMAT", "COLUMN_NAMES", "find_columns", "is_point_table", "read_point_table"]

#: The format's name in provenance.
FORMAT = "界址点坐标表"
#: Column names recognised for each role (compared without spaces, case and units in brackets).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "parcel": ("地块编号", "宗地号", "宗地编号", "地块号", "宗地代码", "parcel_id", "parcel", "地块名称", "地块",
               "宗地"),
    "point": ("点号", "界址点号", "界址点编号", "界址点", "点名", "点", "point", "point_id", "jzd", "jzdh"),
    "north": ("x", "x坐标", "北坐标", "纵坐标", "北坐标x", "x北坐标", "n", "north", "northing", "北", "x(北)"),
    "east": ("y", "y坐标", "东坐标", "横坐标", "东坐标y", "y东坐标", "e", "east", "easting", "东", "y(东)"),
    "ring": ("圈号", "地块圈号", "环号", "ring", "圈"),
    "area": ("地块面积", "申报面积", "面积公顷", "面积ha", "面积亩", "面积平方米", "面积m2", "面积m²",
             "declared_area_ha", "area_ha"),
}
_UNITS = {"亩": 1 / 15, "平方米": 1e-4, "m2": 1e-4, "m²": 1e-4, "公顷": 1.0, "ha": 1.0}
_HEADER_ROWS = 20


def _key(name: Any) -> str:
    """Return a column name without spaces, case, brackets and length units (``"X坐标 (m)"`` → ``"x坐标"``)."""
    text = str(name).strip().lower().replace("（", "(").replace("）", ")")
    text = re.sub(r"\((m|米|公尺)\)|/(m|米)$", "", text)
    return re.sub(r"[\s()_:：]", "", text.replace("(北)", "北").replace("(东)", "东"))


def find_columns(columns: Any) -> dict[str, Any]:
    """Return the columns playing each role (parcel, point, north, east, ring, area), by name.

    Examples
    --------
    >>> find_columns(["序号", "界址点号", "X坐标(m)", "Y坐标(m)", "面积（公顷）"])
    {'point': '界址点号', 'north': 'X坐标(m)', 'east': 'Y坐标(m)', 'area': '面积（公顷）'}
    """
    keys = {c: _key(c) for c in columns}
    found: dict[str, Any] = {}
    for role, names in COLUMN_NAMES.items():
        wanted = [_key(n) for n in names]
        for n in wanted:
            hit = next((c for c, k in keys.items() if k == n and c not in found.values()), None)
            if hit is not None:
                found[role] = hit
                break
    return found


def is_point_table(columns: Any) -> bool:
    """Return True if *columns* name a point number and two coordinates (and no WKT geometry).

    Examples
    --------
    >>> is_point_table(["点号", "北坐标", "东坐标"]), is_point_table(["id", "geometry"])
    (True, False)
    """
    found = find_columns(columns)
    wkt = {_key(c) for c in columns} & {"geometry", "wkt", "geom", "几何"}
    return not wkt and {"point", "north", "east"} <= set(found)


# --------------------------------------------------------------------------- the table


def _read_table(source: Any, encoding: str | None, sheet: Any, reading: Reading) -> tuple[pd.DataFrame, int]:
    """Return the raw cells (all text) and the 1-based row number of the first cell row."""
    if isinstance(source, pd.DataFrame):
        return source.astype(object).where(source.notna(), None).map(_cell), 2
    path = Path(source)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return _read_excel(path, sheet, reading), 1
    text, how, _ = decode_text(path.read_bytes(), encoding, source=reading.name)
    reading.encoding = how
    import io

    try:
        raw = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, sep=None,
                          engine="python")
    except pd.errors.ParserError as exc:
        raise ReadError(f"cannot parse it as CSV: {exc}", source=reading.name,
                        hint="save the table as CSV (comma-separated) or as .xlsx") from None
    return raw.map(_cell), 1


def _read_excel(path: Path, sheet: Any, reading: Reading) -> pd.DataFrame:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    except ImportError as exc:
        raise ReadError(f"cannot read the workbook: {exc}", source=reading.name,
                        hint="save it as .xlsx (an old .xls needs the xlrd package)") from None
    except (ValueError, OSError) as exc:
        raise ReadError(f"cannot read the workbook: {exc}", source=reading.name,
                        hint="check that the file is a complete Excel workbook (.xlsx)") from None
    if sheet is not None:
        names = list(sheets)
        chosen = names[sheet] if isinstance(sheet, int) and 0 <= sheet < len(names) else sheet
        if chosen not in sheets:
            raise ReadError(f"工作簿中没有工作表 {sheet!r}；有：{', '.join(names)} / no sheet {sheet!r}; the "
                            f"workbook has: {', '.join(names)}", source=reading.name,
                            hint="用上列名称之一 / use one of those names")
        reading.decide("工作表 sheet", str(chosen), f"工作表：{chosen}（指定）/ sheet {chosen} (given)")
        return sheets[chosen].map(_cell)
    tables = [n for n, df in sheets.items() if _header_row(df.map(_cell)) is not None]
    if len(tables) > 1:
        shown = ", ".join(map(str, tables))
        raise ReadError(f"工作簿有 {len(tables)} 个界址点表：{shown} / the workbook has {len(tables)} sheets of "
                        f"boundary points: {shown}", source=reading.name,
                        hint=f"用 layer= 指明工作表，如 layer='{tables[0]}' / choose the sheet with layer=")
    chosen = tables[0] if tables else next(iter(sheets))
    if len(sheets) > 1:
        reading.decide("工作表 sheet", str(chosen), f"工作表：{chosen}（唯一含界址点的工作表）/ sheet {chosen} (the "
                       "only one with boundary points)")
    return sheets[chosen].map(_cell)


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value)) if abs(value) < 1e6 else repr(value)
    text = str(value).strip()
    return text or None


def _header_row(raw: pd.DataFrame) -> int | None:
    for k in range(min(_HEADER_ROWS, len(raw))):
        if is_point_table([v for v in raw.iloc[k].tolist() if v is not None]):
            return k
    return None


def _with_header(raw: pd.DataFrame, first_row: int, source: Any, reading: Reading) -> tuple[pd.DataFrame, list[int]]:
    """Return the table under its header row, and each row's number as the user sees it (1-based)."""
    if isinstance(source, pd.DataFrame):
        return raw.reset_index(drop=True), [k + first_row for k in range(len(raw))]
    k = _header_row(raw)
    if k is None:
        raise ReadError("找不到界址点表的表头（点号与两个坐标列）/ no header with a point number and two coordinate "
                        "columns in the first 20 rows", source=reading.name,
                        hint="列名用 点号、X、Y（或 北坐标、东坐标）/ name the columns 点号, X, Y (or 北坐标, 东坐标)")
    if k:
        reading.notes.append(f"表头在第 {k + first_row} 行，其上的 {k} 行（标题）未读 / the header is on row "
                             f"{k + first_row}; the {k} row(s) above it (a title) were skipped")
    header = [str(v) if v is not None else f"列{j + 1}" for j, v in enumerate(raw.iloc[k].tolist())]
    table = raw.iloc[k + 1 :].copy()
    table.columns = header
    rows = [int(i) + first_row for i in table.index]
    keep = table.notna().any(axis=1).to_numpy()
    return table[keep].reset_index(drop=True), [r for r, ok in zip(rows, keep, strict=True) if ok]


# --------------------------------------------------------------------------- numbers


def _numbers(table: pd.DataFrame, col: Any, rows: list[int], reading: Reading) -> np.ndarray:
    values = pd.to_numeric(table[col].astype(object).map(lambda v: v.replace(",", "") if isinstance(v, str) else v),
                           errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        i = bad[0]
        raise ReadError(f"{where('row', rows[i])}: {col} 的值 {table[col].iloc[i]!r} 不是数 / the {col} value "
                        f"{table[col].iloc[i]!r} is not a number", source=reading.name, row=rows[i], column=str(col),
                        hint="填写坐标（只用数字与小数点）/ fill in the coordinate (digits and a decimal point)")
    return values


def _area_factor(col: Any, reading: Reading) -> float:
    key = _key(col)
    for unit, factor in _UNITS.items():
        if key.endswith(unit):
            if factor != 1.0:
                reading.notes.append(f"{col} 换算为公顷 / {col} converted to 公顷")
            return factor
    reading.notes.append(f"{col} 按公顷读取（部标约定）/ {col} read as 公顷 (the 部标 convention)")
    return 1.0


def _unused_area(table: pd.DataFrame, found: dict, reading: Reading) -> None:
    plain = [c for c in table.columns if _key(c) == "面积" and c not in found.values()]
    if plain:
        reading.notes.append(f"列 {plain[0]} 没有单位，未作申报面积 / column {plain[0]} has no unit and was not taken "
                             "as the declared area: name it 面积(公顷) or 地块面积")


# --------------------------------------------------------------------------- parcels


def _parcel_ids(table: pd.DataFrame, found: dict, reading: Reading) -> list[Any]:
    col = found.get("parcel")
    if col is None:
        reading.notes.append("没有地块编号列：全部点为一个地块 / no parcel id column: all points form one parcel")
        return [None] * len(table)
    ids = table[col].astype(object)
    if ids.isna().any():
        filled = ids.ffill()
        if filled.isna().any():
            raise ReadError(f"首行的 {col} 为空 / the first row's {col} is empty", source=reading.name, column=str(col),
                            hint="填写第一个地块的编号 / fill in the first parcel's id")
        reading.notes.append(f"{col} 空白处沿用上方的编号（合并单元格）/ empty {col} cells take the id above "
                             "(merged cells)")
        ids = filled
    return ids.tolist()


def _parcel_columns(table: pd.DataFrame, ids: list[Any], skip: set) -> tuple[list[Any], list[Any]]:
    """Columns constant within every parcel (parcel attributes) and the others (point attributes)."""
    groups = pd.Series(ids).astype(str).to_numpy()
    parcel, point = [], []
    for c in table.columns:
        if c in skip:
            continue
        per = pd.DataFrame({"g": groups, "v": table[c].to_numpy()}).groupby("g", sort=False)["v"].nunique()
        (parcel if (per <= 1).all() else point).append(c)
    return parcel, point


def read_point_table(source: Any, *, encoding: str | None = None, layer: Any = None,
                     name: str | None = None) -> tuple[gpd.GeoDataFrame, Reading]:
    """Read a 界址点坐标表 (CSV, Excel or a DataFrame): one polygon per parcel id.

    Parameters
    ----------
    source : path or pandas.DataFrame
        ``.csv`` (comma, semicolon or tab), ``.xlsx``, or a table already read.
    encoding : str, optional
        A CSV's encoding (default: byte-order mark, UTF-8 or GB18030 detected).
    layer : str or int, optional
        The sheet of a workbook with several point tables.
    name : str, optional
        How to call the table in messages.

    Returns
    -------
    (geopandas.GeoDataFrame, Reading)
        One row per parcel in order of first appearance: the parcel columns,
        ``界址点`` and ``declared_area_ha`` (if the table has an area), no CRS
        (``Reading.crs_error`` suggests it from the zone prefix); the reading
        holds the points table with the varying columns.

    Raises
    ------
    suzhou_geo.errors.ReadError
        No header found, a coordinate that is not a number, coordinates whose
        axis order or zone the numbers do not decide (naming the row).
    """
    label = name or (Path(source).name if not isinstance(source, pd.DataFrame) else "DataFrame")
    reading = Reading(str(source) if not isinstance(source, pd.DataFrame) else "DataFrame", label, FORMAT)
    raw, first_row = _read_table(source, encoding, layer, reading)
    table, rows = _with_header(raw, first_row, source, reading)
    found = find_columns(table.columns)
    reading.decide("列 columns", ", ".join(f"{role}={col}" for role, col in found.items()))
    a_col, b_col = sorted((found["north"], found["east"]), key=list(table.columns).index)
    a, b = _numbers(table, a_col, rows, reading), _numbers(table, b_col, rows, reading)
    axes = decide_axes(a, b, rows, source=label, unit="row")
    _say_axes(axes, a_col, found, reading)
    xy = np.c_[b, a] if axes.northing_first else np.c_[a, b]
    _zone(xy[:, 0], rows, axes, reading)
    ids = _parcel_ids(table, found, reading)
    frame, points = _parcels(table, found, ids, xy, np.c_[a, b], rows, reading)
    reading.points = points
    return frame, reading


def _say_axes(axes, a_col: Any, found: dict, reading: Reading) -> None:
    order = "北坐标在前 northing first" if axes.northing_first else "东坐标在前 easting first"
    reading.decide("轴序 axis order", order, axes.sentence())
    said_north_first = a_col == found["north"]
    if said_north_first != axes.northing_first and not axes.degrees:
        warn(reading, f"列名 {found['north']} 表示北坐标，但数值是东坐标（按数值判断，已交换）/ the column "
                      f"{found['north']} is named as the northing but holds eastings (decided from the numbers; "
                      "swapped)")


def _zone(eastings: np.ndarray, rows: list[int], axes, reading: Reading) -> None:
    if axes.degrees:
        reading.crs_error = CRSError("表格坐标为经纬度，未写明大地基准 / the table holds degrees and names no datum",
                                     source=reading.name, hint="pass the CRS, e.g. crs='EPSG:4490' (CGCS2000)")
        return
    zone = decide_zone(eastings, rows, header_zone=None, header_width=None, source=reading.name, unit="row")
    if zone is None:
        suggestion = "crs='EPSG:4549' (CGCS2000 3-degree Gauss-Krüger CM 120°E, eastings without a zone prefix)"
    else:
        reading.decide("分带 zone", f"{zone.width}°, CM {zone.cm}°E, 带号 {zone.zone}", zone.how)
        code = zone.crs("CGCS2000")
        suggestion = f"crs='{code}' (CGCS2000 {zone.width}-degree zone {zone.zone}, eastings prefixed with {zone.zone})"
    reading.crs_error = CRSError("界址点表不含坐标系 / the table names no coordinate system", source=reading.name,
                                 hint=f"a table names no datum: pass the CRS, e.g. {suggestion}")


def _parcels(table: pd.DataFrame, found: dict, ids: list[Any], xy: np.ndarray, ab: np.ndarray, rows: list[int],
             reading: Reading) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    skip = {found.get(r) for r in ("point", "north", "east", "ring")}
    parcel_cols, point_cols = _parcel_columns(table, ids, skip)
    factor = _area_factor(found["area"], reading) if "area" in found else None
    _unused_area(table, found, reading)
    order = list(dict.fromkeys(pd.Series(ids).astype(str)))
    keys = pd.Series(ids).astype(str).to_numpy()
    records, geoms, points, unclosed = [], [], [], []
    for pos, key in enumerate(order):
        idx = np.flatnonzero(keys == key)
        rings, geom = _parcel_geometry(table, found, idx, xy, rows, key, reading, unclosed)
        row = {c: _first_value(table[c].iloc[idx]) for c in parcel_cols}
        row[NAMES_COLUMN] = join_names([r.names for r in rings])
        if factor is not None:
            row["declared_area_ha"] = _declared(table[found["area"]].iloc[idx], factor)
        records.append(row)
        geoms.append(geom)
        points += _point_rows(pos, rings, idx, table, point_cols, ab, xy, rows)
    if unclosed:
        warn(reading, f"{len(unclosed)} 个圈未闭合（末点未重复首点），已自动闭合：{'; '.join(unclosed[:8])} / "
                      f"{len(unclosed)} ring(s) did not repeat their first point and were closed")
    frame = gpd.GeoDataFrame(pd.DataFrame.from_records(records), geometry=geoms, crs=None)
    cols = ["row", "ring", "point", "x_file", "y_file", "x", "y", *point_cols]
    return frame, pd.DataFrame.from_records(points, columns=cols)


def _parcel_geometry(table, found, idx, xy, rows, key, reading, unclosed):
    names = table[found["point"]].iloc[idx].astype(object).fillna("").astype(str).tolist()
    if "ring" in found:
        numbers = pd.to_numeric(table[found["ring"]].iloc[idx], errors="coerce").fillna(1).astype(int).tolist()
    else:
        numbers = [1] * len(idx)
    pts = [(n, r, rows[i]) for n, r, i in zip(names, numbers, idx.tolist(), strict=True)]
    rings = build_rings(pts, xy[idx].copy(), kind="面", reading=reading, label=str(key), at=rows[idx[0]],
                        unclosed=unclosed, unit="row")
    for r in rings:
        if len(np.unique(r.xy[:-1], axis=0)) < 3:
            raise ReadError(f"{where('row', r.line)}: 地块 {key} 的圈 {r.number} 不足 3 个不同的点 / ring {r.number} "
                            f"of parcel {key} has fewer than 3 distinct points", source=reading.name, row=r.line,
                            hint="补全该圈的界址点 / complete the ring's points")
    geom, said = assemble(rings)
    reading.notes += [f"{key}: {s}" for s in said]
    return rings, geom


def _first_value(values: pd.Series) -> Any:
    present = values.dropna()
    return present.iloc[0] if len(present) else None


def _declared(values: pd.Series, factor: float) -> float:
    nums = pd.to_numeric(values, errors="coerce").dropna()
    return float(nums.iloc[0]) * factor if len(nums) and nums.iloc[0] > 0 else np.nan


def _point_rows(pos, rings, idx, table, point_cols, ab, xy, rows) -> list[tuple]:
    out = []
    by_row = {rows[i]: i for i in idx.tolist()}
    for ring in rings:
        start = by_row[ring.line]
        for j, name in enumerate(ring.names):
            i = start + j
            out.append((pos, ring.number, name, float(ab[i, 0]), float(ab[i, 1]), float(xy[i, 0]), float(xy[i, 1]),
                        *[table[c].iloc[i] for c in point_cols]))
    return out
