"""What tooltips and popups show: which columns, under which label, formatted once.

Report columns take their bilingual label and number format from the report
schema (:mod:`suzhou_geo.validate.schema`, a data-only module); other columns
from :data:`suzhou_geo.maps.kinds.LABELS`.  Every value is formatted here, in
Python, into the text the page shows; the page inserts it with ``textContent``.

The values of a layer travel as a dictionary-encoded table (:func:`encode_table`):
per column, each distinct text once and one small integer per feature, so that
a report whose rows repeat the same reasons, districts and notes stays small.

Examples
--------
>>> import pandas as pd
>>> from suzhou_geo.maps.kinds import KIND_BY_NAME
>>> report = KIND_BY_NAME["report"]
>>> label(report, "nearest_redline_m")
'距最近生态保护红线 distance to nearest protection redline (m)'
>>> display_values(report, pd.Series([0.25, None]), "redline_overlap_ratio")
['25.0%', None]
>>> encode_table([["a", "b", "a"], [None, "a", "c"]])
{'dicts': [['', 'a', 'b'], ['', 'a', 'c']], 'cols': [[1, 2, 1], [0, 1, 2]]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validate import schema
from .kinds import LABELS, NAME_COLUMNS, LayerKind

__all__ = ["choose_fields", "label", "display_values", "encode_table", "MAX_POPUP_ROWS", "MAX_TEXT"]

#: Popups show at most this many rows (the first ones: verdict, reasons, names, report columns).
MAX_POPUP_ROWS = 30
#: Longer texts are cut (with "…") in popups; the report files keep them whole.
MAX_TEXT = 1500

_SCHEMA = {c.name: c for c in schema.REPORT_SCHEMA}


def _described(kind: LayerKind) -> Mapping[str, Any]:
    """Return the columns whose labels and formats a kind takes from a schema: the report's, or its own."""
    if kind.schema:
        return _SCHEMA
    return {c.name: c for c in kind.columns}


def label(kind: LayerKind, column: str) -> str:
    """Return the bilingual label of *column* in a popup of *kind*."""
    described = _described(kind)
    if column in described:
        return described[column].label()
    return LABELS.get(column, str(column))


def _shown_columns(kind: LayerKind, frame: pd.DataFrame) -> list[str]:
    geo = set(frame.columns[frame.dtypes == "geometry"])
    return [c for c in frame.columns
            if c not in geo and not str(c).startswith("_") and c not in kind.hidden]


def _default_fields(kind: LayerKind, frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    cols = set(frame.columns)
    names = [c for c in NAME_COLUMNS if c in cols and c not in kind.hidden]
    tip = [c for c in kind.tooltip if c in cols]
    pop = [c for c in kind.popup if c in cols]
    if kind.schema:  # a report: names after the verdict and reasons, then the report's own columns
        tip = names[:1] + tip
        pop = pop + names + [c.name for c in schema.REPORT_SCHEMA if c.popup and c.name in cols]
    elif not kind.tooltip:  # a layer of no known kind: its names (or first columns) and measures
        shown = _shown_columns(kind, frame)
        tip = (names[:2] or shown[:3]) + [c for c in ("_area", "_length") if c in cols]
        pop = tip[:]
    if kind.rest:
        pop += _shown_columns(kind, frame)
    return list(dict.fromkeys(tip)), list(dict.fromkeys(pop))[:MAX_POPUP_ROWS]


def choose_fields(
    kind: LayerKind, frame: pd.DataFrame, tooltip: Any = None, popup: Any = None
) -> tuple[list[str], list[str]]:
    """Return the (tooltip, popup) columns of a layer: the kind's, or the caller's.

    Raises
    ------
    KeyError
        When a column asked for is not in the layer.
    """
    tip, pop = _default_fields(kind, frame)
    if tooltip is not None:
        tip = [tooltip] if isinstance(tooltip, str) else list(tooltip)
    if popup is not None:
        pop = [popup] if isinstance(popup, str) else list(popup)
    missing = [c for c in tip + pop if c not in frame.columns]
    if missing:
        raise InputError(
            f"column(s) {missing} asked for in a tooltip/popup are not in the layer", source="layer",
            column=missing[0], hint=f"choose among {[c for c in frame.columns if frame[c].dtype != 'geometry']}",
        )
    return tip, pop


def _number(v: float) -> str:
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    return f"{v:,.4f}".rstrip("0").rstrip(".")


def _text(v: Any) -> str | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and not np.isfinite(v)):
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return "是 yes" if v else "否 no"
    if isinstance(v, float):
        return _number(v)
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    if isinstance(v, (list, tuple, set, np.ndarray)):
        v = "; ".join(str(x) for x in v)
    elif isinstance(v, dict):
        v = json.dumps(v, ensure_ascii=False)
    v = str(v)
    if not v.strip():
        return None
    return v if len(v) <= MAX_TEXT else v[: MAX_TEXT - 1] + "…"


def display_values(
    kind: LayerKind, values: pd.Series, column: str, styles: Mapping[str, Mapping] | None = None
) -> list[str | None]:
    """Return the texts shown for *values* of *column* (None: the row shows nothing for it)."""
    codes, uniques = pd.factorize(pd.Series(values.to_numpy(dtype=object), dtype=object), use_na_sentinel=False)
    texts = np.asarray(_format(kind, list(uniques), column, styles) + [None], dtype=object)
    return texts[codes].tolist()  # each distinct value formatted once


def _format(kind: LayerKind, raw: list, column: str, styles: Mapping[str, Mapping] | None) -> list[str | None]:
    if column == kind.label_column and styles:
        return [None if v is None else str(styles.get(str(v), {}).get("label", v)) for v in raw]
    described = _described(kind)
    if column in described:
        col = described[column]
        out = [_text(v) if col.dtype == "str" and not col.choices else (col.format(v) or None) for v in raw]
    else:
        out = [_text(v) for v in raw]
    if column in kind.only_true:
        out = [t if t == "是 yes" else None for t in out]
    return out


def encode_table(columns: Sequence[Sequence[str | None]]) -> dict[str, list]:
    """Dictionary-encode display columns: ``{"dicts": [[texts] per column], "cols": [[index per row] per column]}``.

    Index 0 is the empty text (the row shows nothing for that column).
    """
    dicts, cols = [], []
    for values in columns:
        series = pd.Series(values, dtype=object)
        codes, uniques = pd.factorize(series.where(series != "", None), use_na_sentinel=True)
        dicts.append([""] + [str(u) for u in uniques])
        cols.append((codes + 1).tolist())  # missing (-1) -> 0
    return {"dicts": dicts, "cols": cols}
