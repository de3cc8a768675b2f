"""Small HTML renderings of the result objects for Jupyter (``_repr_html_``): escaped, labelled from the schema.

Examples
--------
>>> import pandas as pd
>>> from suzhou_geo.redline_use.schema import UNIT_COLUMNS
>>> html = table_html(pd.DataFrame({"unit": ["<b>"], "old_km2": [1.5]}), UNIT_COLUMNS)
>>> "&lt;b&gt;" in html and "1.500000" in html
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..io.columns import Column

__all__ = ["table_html", "notes_html", "formatted"]


def formatted(df: pd.DataFrame, columns: Sequence[Column]) -> pd.DataFrame:
    """*df*'s described columns as display text (numbers formatted, codes in Chinese and English), labelled.

    Columns of *df* not described in *columns* keep their values and names.
    """
    known = {c.name: c for c in columns}
    out = {}
    for name in df.columns:
        if getattr(df[name], "dtype", None) == "geometry":
            continue
        col = known.get(name)
        if col is None:
            out[str(name)] = df[name].astype(object).where(df[name].notna(), "")
        else:
            out[col.label()] = [col.format(v) for v in df[name].tolist()]
    return pd.DataFrame(out, index=df.index)


def table_html(df: pd.DataFrame, columns: Sequence[Column], *, max_rows: int = 30) -> str:
    """Render *df* as an escaped HTML table with bilingual headers (at most *max_rows* rows, the rest counted)."""
    shown = formatted(df.head(max_rows), columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>"
        for r in shown.itertuples(index=False)
    )
    more = (f"<p><i>另有 {len(df) - max_rows} 行 / {len(df) - max_rows} more rows: .to_frame()</i></p>"
            if len(df) > max_rows else "")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def notes_html(notes: Sequence[Any], *, warn: Sequence[Any] = ()) -> str:
    """Render the warnings in bold red, then the notes, as an escaped list."""
    strong = "".join(f"<p style='font-weight:bold;color:#b42318'>{html.escape(str(n))}</p>" for n in warn)
    items = "".join(f"<li>{html.escape(str(n))}</li>" for n in notes if n not in warn)
    return strong + (f"<details><summary>说明 notes</summary><ul>{items}</ul></details>" if items else "")
