"""Excel workbooks (``.xlsx``, with openpyxl) that a section chief can open and print.

:func:`write_workbook` writes a data sheet — bilingual headers from the report
schema (the input's own column names as they are), the header row frozen and
filterable, widths that fit, verdict cells coloured, numbers kept as numbers
with the schema's format — followed by any number of plain sheets (tables and
lines of text).  :func:`suzhou_geo.io.write_layer` calls it for ``.xlsx``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import OutputError
from .columns import Column, Columns, as_columns

__all__ = ["write_workbook", "MAX_ROWS"]

#: Data rows an Excel sheet holds (1 048 576 rows less the header).
MAX_ROWS = 1_048_575
#: Characters an Excel cell holds.
MAX_CELL = 32_767

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEADER_FILL = "E7E6E6"


def write_workbook(
    path: str | Path,
    table: pd.DataFrame,
    *,
    columns: Columns | Sequence[Column] | None = None,
    sheets: Mapping[str, Any] | None = None,
    title: str = "地块报告 report",
) -> Path:
    """Write *table* as the first sheet of an ``.xlsx`` workbook, then *sheets*.

    Parameters
    ----------
    path : str or path
        The workbook (written as it is: :func:`suzhou_geo.io.write_layer` stages it).
    table : pandas.DataFrame
        The data sheet, one row per row of the frame (no geometry column; WKT
        text if wanted).
    columns : mapping or sequence of :class:`~suzhou_geo.io.columns.Column`, optional
        Columns described get their bilingual header, number format, width,
        and for coded values (a verdict) their bilingual text and cell colour;
        other columns keep their names.
    sheets : mapping, optional
        ``{sheet name: content}`` after the data sheet; content is a DataFrame
        or a list of blocks — a DataFrame (a table), a str (a line of text) or
        ``""`` (a blank line).  ``df.attrs["decimals"]`` (``{column: n}``) sets
        number formats.
    title : str, default ``"地块报告 report"``
        Name of the data sheet.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    suzhou_geo.OutputError
        More rows than an Excel sheet holds (1 048 575).

    Examples
    --------
    >>> import pandas as pd
    >>> from suzhou_geo.io.columns import Column
    >>> verdict = Column("verdict", "判定", "verdict", "str", "verdict", "", "",
    ...                  choices=(("conflict", "冲突", "conflict", "F4C7C3"), ("pass", "通过", "pass", "D9EAD3")))
    >>> t = pd.DataFrame({"地块编号": ["A1", "A2"], "verdict": ["conflict", "pass"]})
    >>> p = write_workbook("r.xlsx", t, columns=[verdict], sheets={"说明 notes": ["示意数据 illustrative data"]})
    >>> from openpyxl import load_workbook
    >>> ws = load_workbook(p)["地块报告 report"]
    >>> [c.value for c in ws[1]], ws["B2"].value, ws.freeze_panes
    (['地块编号', '判定 verdict'], '冲突 conflict', 'A2')
    """
    from openpyxl import Workbook

    path = Path(path)
    if len(table) > MAX_ROWS:
        raise OutputError(
            f"{len(table):,} rows do not fit in an Excel sheet ({MAX_ROWS:,} at most)",
            source=path.name,
            hint="write .gpkg, .csv or .parquet instead",
        )
    wb = Workbook(write_only=True)
    _data_sheet(wb, _sheet_name(title), table, as_columns(columns))
    for name, content in (sheets or {}).items():
        _plain_sheet(wb, _sheet_name(name), content)
    wb.save(path)
    return path


# --------------------------------------------------------------------------- the data sheet


def _header(name: Any, columns: dict[str, Column]) -> str:
    col = columns.get(name) if isinstance(name, str) else None
    return col.label() if col is not None else str(name)


def _data_sheet(wb, name: str, table: pd.DataFrame, columns: dict[str, Column]) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    headers = [_header(c, columns) for c in table.columns]
    described = [columns.get(c) if isinstance(c, str) else None for c in table.columns]
    cells = [_column_cells(ws, col, table[c]) for c, col in zip(table.columns, described, strict=True)]
    for i, (c, col) in enumerate(zip(table.columns, described, strict=True), start=1):
        # report columns: the schema's width (their bilingual headers wrap); others fit header and values
        width = (
            max(col.width, 12)
            if col is not None
            else _fit_width([headers[i - 1], *table[c].head(500).tolist()], 40)
        )
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = _header_height(
        headers,
        [ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(headers) + 1)],
    )
    ws.freeze_panes = "A2"
    if len(table.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"
    ws.append([_header_cell(ws, h) for h in headers])
    for row in zip(*cells, strict=True) if cells else ():
        ws.append(list(row))


def _header_height(headers: Sequence[str], widths: Sequence[float]) -> float:
    """Points of a header row tall enough for the wrapped headers (15 pt a line, at most 5 lines)."""
    lines = [
        math.ceil(_display_width(h) / max(w - 1, 1)) for h, w in zip(headers, widths, strict=True)
    ]
    return 15.0 * min(max([1, *lines]), 5)


def _column_cells(ws, col: Column | None, values: pd.Series) -> list[Any]:
    """Return the cells of one column: values converted for Excel, styled where the column says how."""
    if col is not None and col.choices:
        return [_choice_cell(ws, col, v) for v in values]
    if col is not None and col.dtype == "bool":
        return [col.format(v) if _present(v) else None for v in values]
    if col is not None and col.dtype == "float":
        fmt = (
            "0.0%"
            if col.percent
            else ("#,##0" + ("." + "0" * col.decimals if col.decimals else ""))
        )
        return [_number_cell(ws, v, fmt) for v in values]
    return [_value(v) for v in values]


def _choice_cell(ws, col: Column, v: Any):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import PatternFill

    if not _present(v):
        return None
    zh, en, fill = col.choice(str(v)) or ("", str(v), "")
    cell = WriteOnlyCell(ws, value=f"{zh} {en}".strip())
    if fill:
        cell.fill = PatternFill("solid", fgColor=fill)
    return cell


def _number_cell(ws, v: Any, fmt: str):
    from openpyxl.cell import WriteOnlyCell

    value = _value(v)
    if not isinstance(value, (int, float)):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = fmt
    return cell


def _header_cell(ws, text: str):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    cell = WriteOnlyCell(ws, value=text)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _present(v: Any) -> bool:
    if v is None:
        return False
    try:
        return not bool(pd.isna(v))
    except (TypeError, ValueError):
        return True


def _value(v: Any) -> Any:
    """Return a value Excel can hold: numbers and booleans as they are, text cleaned, the rest as text."""
    if not _present(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else str(v)
    if isinstance(v, pd.Timestamp):
        return v.isoformat() if v.tzinfo is not None else v.to_pydatetime()
    text = v if isinstance(v, str) else str(v)
    text = _ILLEGAL.sub("", text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_width(values: Sequence[Any], cap: int = 50) -> int:
    widths = [_display_width(str(v)) for v in values if _present(v)]
    return int(min(max([6, *widths]) + 2, cap))


# --------------------------------------------------------------------------- plain sheets


def _sheet_name(name: str) -> str:
    r"""Return an Excel sheet name: at most 31 characters, none of ``[]:*?/\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(name))[:31]


def _plain_sheet(wb, name: str, content: Any) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    blocks = [content] if isinstance(content, pd.DataFrame) else list(content)
    widths: dict[int, int] = {}
    rows: list[list[Any]] = []
    for block in blocks:
        if isinstance(block, pd.DataFrame):
            rows += _table_rows(ws, block, widths)
        else:
            rows.append([_value(block) if block != "" else None])
    for i, w in widths.items():
        ws.column_dimensions[get_column_letter(i)].width = w
    if not widths:
        ws.column_dimensions["A"].width = 120
    if isinstance(content, pd.DataFrame):
        ws.freeze_panes = "A2"
    for row in rows:
        ws.append(row)


def _table_rows(ws, df: pd.DataFrame, widths: dict[int, int]) -> list[list[Any]]:
    decimals: dict[str, int] = df.attrs.get("decimals", {})
    rows = [[_header_cell(ws, str(c)) for c in df.columns]]
    fmt: dict[int, Callable[[Any], Any]] = {}
    for j, c in enumerate(df.columns):
        if c in decimals:
            f = "#,##0" + ("." + "0" * decimals[c] if decimals[c] else "")
            fmt[j] = lambda v, f=f: _number_cell(ws, v, f)
        widths[j + 1] = max(widths.get(j + 1, 0), _fit_width([c, *df[c].tolist()], 60))
    for values in df.itertuples(index=False):
        rows.append([fmt[j](v) if j in fmt else _value(v) for j, v in enumerate(values)])
    rows.append([])
    return rows
