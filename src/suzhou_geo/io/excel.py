"""Excel workbooks (``.xlsx``, with openpyxl) that a section chief can open and print.

:func:`write_workbook` writes a data sheet — bilingual headers from the report
schema (the input's own column names as they are), the header row frozen and
filterable, widths that fit, verdict cells coloured, numbers kept as numbers
with the schema's format — followed by any number of plain sheets (tables and
lines of text).  :func:`suzhou_geo.io.write_layer` calls it for ``.xlsx``.

Text is always a text cell, never a formula: openpyxl turns a string that
starts with ``=`` into a formula unless the cell's type says otherwise, so a
parcel named ``=HYPERLINK(…)`` would become a live link in Excel and
LibreOffice; every string is written as a string cell (``data_type "s"``).

Every sheet prints: A4 landscape, fitted to the page width, the header row
repeated on every page, long text (a column the schema marks ``wrap``, the
lines of a notes sheet) wrapped in its cell.
"""

from __future__ import annotations

import functools
import math
import re
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


@functools.cache
def _align(wrap: bool = False) -> Any:
    """Return the alignment of data cells: top, wrapped for long text (one object, shared by every cell)."""
    from openpyxl.styles import Alignment

    return Alignment(vertical="top", wrap_text=wrap)
#: Width (characters) of a column of wrapped lines of text (a notes sheet): fits A4 landscape at 100 %.
TEXT_WIDTH = 110


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


def _print_setup(ws, *, header_row: bool) -> None:
    """A4 landscape, fitted to the page width (as many pages down as needed), the header row on every page."""
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0: as many pages down as the rows need
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if header_row:
        ws.print_title_rows = "1:1"


# --------------------------------------------------------------------------- the data sheet


def _header(name: Any, columns: dict[str, Column]) -> str:
    col = columns.get(name) if isinstance(name, str) else None
    return col.label() if col is not None else str(name)


def _data_sheet(wb, name: str, table: pd.DataFrame, columns: dict[str, Column]) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    # a column the caller keeps out of the sheet (a verdict's Chinese twin: the verdict cell says both)
    table = table[[c for c in table.columns if not (isinstance(c, str) and c in columns and not columns[c].excel)]]
    headers = [_header(c, columns) for c in table.columns]
    described = [columns.get(c) if isinstance(c, str) else None for c in table.columns]
    widths = [_column_width(h, col, table[c]) for h, c, col in zip(headers, table.columns, described, strict=True)]
    wrapped = [(col.wrap if col is not None else w >= INPUT_WIDTH) for col, w in zip(described, widths, strict=True)]
    cells = [
        _column_cells(ws, col, table[c], wrap=wrap)
        for c, col, wrap in zip(table.columns, described, wrapped, strict=True)
    ]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = _header_height(headers, widths)
    # rows as tall as their wrapped text: LibreOffice keeps the default height of rows it is not told
    for r, lines in enumerate(_row_lines(table, wrapped, widths), start=2):
        if lines > 1:
            ws.row_dimensions[r].height = LINE_PT * lines
    ws.freeze_panes = "A2"
    if len(table.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"
    _print_setup(ws, header_row=True)
    ws.append([_header_cell(ws, h) for h in headers])
    for row in zip(*cells, strict=True) if cells else ():
        ws.append(list(row))


#: Widest an input column gets in the data sheet (characters); longer text wraps in its cell.
INPUT_WIDTH = 18


def _column_width(header: str, col: Column | None, values: pd.Series) -> int:
    """Report columns: the schema's width (their bilingual headers wrap); others fit their values, at most 18."""
    if col is not None:
        return col.width
    return _fit_width([header.split(" ")[0], *values.head(500).tolist()], INPUT_WIDTH)


#: Points per line of wrapped text (11 pt type; Chinese glyphs of the fallback fonts need the leading).
LINE_PT = 14.0
#: Wrapped text is measured this much wider than its character count, for fonts wider than Calibri
#: (LibreOffice without Carlito falls back to DejaVu Sans).
_FONT_SLACK = 1.0


def _header_height(headers: Sequence[str], widths: Sequence[float]) -> float:
    """Points of a header row tall enough for the wrapped headers (at most 10 lines)."""
    lines = [_lines(h, w) for h, w in zip(headers, widths, strict=True)]
    return LINE_PT * min(max([1, *lines]), 10)


def _row_lines(table: pd.DataFrame, wrapped: Sequence[bool], widths: Sequence[float]) -> list[int]:
    """Lines each row's tallest wrapped cell takes."""
    lines = [1] * len(table)
    for j, (wrap, width) in enumerate(zip(wrapped, widths, strict=True)):
        if not wrap:
            continue
        for i, v in enumerate(table.iloc[:, j].to_numpy(dtype=object)):
            if isinstance(v, str) and _display_width(v) * _FONT_SLACK > width - 1:
                lines[i] = max(lines[i], _lines(v, width))
    return lines


def _lines(text: str, width: float) -> int:
    """Lines *text* takes wrapped at word boundaries in a column *width* characters wide."""
    room = max(width - 1, 1) / _FONT_SLACK
    return sum(_paragraph_lines(p, room) for p in text.split("\n"))


def _paragraph_lines(text: str, room: float) -> int:
    lines, used = 1, 0.0
    for word in text.split(" "):
        w = _display_width(word)
        while w > room:  # a word longer than the column (Chinese: no spaces) breaks anywhere
            take = room - used if used else room
            w -= take
            lines, used = lines + 1, 0
        if used and used + 1 + w > room:
            lines, used = lines + 1, w
        else:
            used += (1 if used else 0) + w
    return lines


def _column_cells(ws, col: Column | None, values: pd.Series, *, wrap: bool = False) -> list[Any]:
    """Return the cells of one column: values converted for Excel, styled where the column says how.

    Text of a column the schema marks ``wrap`` (or, with *wrap*, any text) wraps in its cell.  Every cell is
    top-aligned (rows with wrapped text are taller than one line); text is a text cell, never a formula.
    """
    if col is not None and col.choices:
        return [_choice_cell(ws, col, v) for v in values]
    if col is not None and col.dtype == "bool":
        top = _style(ws)
        return [_cell(ws, col.format(v), top) if _present(v) else None for v in values]
    if (col is not None and col.wrap) or (col is None and wrap):
        wrapped = _style(ws, wrap=True)
        return [_cell(ws, _value(v), wrapped) for v in values]
    if col is not None and col.dtype == "float":
        fmt = (
            "0.0%"
            if col.percent
            else ("#,##0" + ("." + "0" * col.decimals if col.decimals else ""))
        )
        return [_number_cell(ws, v, fmt) for v in values]
    top = _style(ws)
    return [_cell(ws, _value(v), top) for v in values]


def _style(ws, *, wrap: bool = False, fmt: str | None = None, fill: str | None = None) -> Any:
    """Return the style of data cells (top-aligned; wrapped, number format, fill as asked), made once per sheet.

    Styling each cell through openpyxl's descriptors hashes the style objects for every cell (half the
    time of a large sheet); a cell gets a copy of this prepared style array instead.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import PatternFill

    cache = ws.__dict__.setdefault("_suzhou_geo_styles", {})
    key = (wrap, fmt, fill)
    if key not in cache:
        proto = WriteOnlyCell(ws)
        proto.alignment = _align(wrap)
        if fmt:
            proto.number_format = fmt
        if fill:
            proto.fill = PatternFill("solid", fgColor=fill)
        cache[key] = proto._style
    return cache[key]


def _cell(ws, value: Any, style: Any) -> Any:
    """Return a cell holding *value* in the prepared *style*; text as text (never a formula); None stays empty."""
    from copy import copy

    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=value)
    cell._style = copy(style)
    if isinstance(value, str):
        cell.data_type = "s"  # set after the value: a leading "=" stays text
    return cell


def _choice_cell(ws, col: Column, v: Any):
    if not _present(v):
        return None
    zh, en, fill = col.choice(str(v)) or ("", str(v), "")
    return _cell(ws, _value(f"{zh} {en}".strip()), _style(ws, fill=fill or None))


def _number_cell(ws, v: Any, fmt: str):
    value = _value(v)
    if not isinstance(value, (int, float)):
        return _cell(ws, value, _style(ws))
    return _cell(ws, value, _style(ws, fmt=fmt))


def _header_cell(ws, text: str):
    from openpyxl.styles import Alignment, Font, PatternFill

    cell = _text_cell(ws, _value(text), always=True)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _text_cell(ws, value: Any, *, alignment: Any = None, always: bool = False) -> Any:
    """Return *value* ready for ``ws.append``: text as a text cell, never a formula.

    openpyxl reads a string starting with ``=`` as a formula; such a string (or,
    with *always*, any string) becomes a cell whose type is set to text after
    its value.  *alignment* styles the cell.  Other values are returned as they are.
    """
    from openpyxl.cell import WriteOnlyCell

    styled = alignment is not None and value is not None
    text = isinstance(value, str) and (always or value.startswith("="))
    if not (styled or text):
        return value
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # set after the value: a leading "=" stays text
    if alignment is not None:
        cell.alignment = alignment
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


#: Characters a spreadsheet draws two columns wide (East Asian Wide and Fullwidth: CJK, kana, hangul,
#: full-width forms), as a regular expression: counting them this way is 20× faster than per character.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)


def _display_width(text: str) -> int:
    """Return the columns *text* takes: two for each wide (Chinese) character, one for the others.

    Examples
    --------
    >>> _display_width("太湖 Taihu"), _display_width("（示意）")
    (10, 8)
    """
    return len(text) + len(_WIDE.findall(text))


def _fit_width(values: Sequence[Any], cap: int = 50) -> int:
    widths = [_display_width(str(v)) for v in values if _present(v)]
    return int(min(max([6, *widths]) + 2, cap))


# --------------------------------------------------------------------------- plain sheets


def _sheet_name(name: str) -> str:
    r"""Return an Excel sheet name: at most 31 characters, none of ``[]:*?/\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(name))[:31]


def _plain_sheet(wb, name: str, content: Any) -> None:
    """Add a sheet of tables and lines of text, laid out to print: wrapped where the text is long."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    blocks = [content] if isinstance(content, pd.DataFrame) else list(content)
    text_only = not any(isinstance(b, pd.DataFrame) for b in blocks)
    widths: dict[int, int] = {}
    for b in blocks:  # a column holding several tables is as wide as the widest
        if isinstance(b, pd.DataFrame):
            for i, w in enumerate(_table_widths(b), start=1):
                widths[i] = max(widths.get(i, 0), w)
    rows: list[tuple[list[Any], int]] = []
    for block in blocks:
        if isinstance(block, pd.DataFrame):
            rows += _table_rows(ws, block, widths)
        elif block == "":
            rows.append(([None], 1))
        elif text_only:  # a notes sheet: each line wrapped in one wide column
            rows.append(([_text_cell(ws, _value(block), alignment=_align(wrap=True))], _lines(str(block), TEXT_WIDTH)))
        else:  # a title above a table: one line
            rows.append(([_text_cell(ws, _value(block))], 1))
    for i, w in widths.items():
        ws.column_dimensions[get_column_letter(i)].width = w
    if text_only:
        ws.column_dimensions["A"].width = TEXT_WIDTH
    if isinstance(content, pd.DataFrame):
        ws.freeze_panes = "A2"
    _print_setup(ws, header_row=isinstance(content, pd.DataFrame))
    for r, (row, lines) in enumerate(rows, start=1):
        if lines > 1:
            ws.row_dimensions[r].height = LINE_PT * lines
        ws.append(row)


#: Widest a column of a plain sheet's table gets (characters); longer text wraps.
TABLE_WIDTH = 60


def _table_widths(df: pd.DataFrame) -> list[int]:
    return [_fit_width([c, *df[c].tolist()], TABLE_WIDTH) for c in df.columns]


def _table_rows(ws, df: pd.DataFrame, widths: dict[int, int]) -> list[tuple[list[Any], int]]:
    """Return the rows of one table (a header, the values, a blank line), each with the lines it takes."""
    decimals: dict[str, int] = df.attrs.get("decimals", {})
    header = [str(c) for c in df.columns]
    rows = [([_header_cell(ws, h) for h in header],
             max([1, *(_lines(h, widths[j + 1]) for j, h in enumerate(header))]))]
    fmt: dict[int, Callable[[Any], Any]] = {}
    for j, c in enumerate(df.columns):
        if c in decimals:
            f = "#,##0" + ("." + "0" * decimals[c] if decimals[c] else "")
            fmt[j] = lambda v, f=f: _number_cell(ws, v, f)
    for values in df.itertuples(index=False):
        cells, lines = [], 1
        for j, v in enumerate(values):
            if j in fmt:
                cells.append(fmt[j](v))
                continue
            value = _value(v)
            cells.append(_text_cell(ws, value, alignment=_align(wrap=True)))
            if isinstance(value, str):
                lines = max(lines, _lines(value, widths[j + 1]))
        rows.append((cells, lines))
    rows.append(([], 1))
    return rows
