"""Input columns are never overwritten: a column named like an output column is kept under a clear name.

Examples
--------
>>> collisions(["地块编号", "verdict", "verdict_input"], ["verdict", "reasons"])
{'verdict': 'verdict_input_2'}
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import pandas as pd

from ..errors import SuzhouGeoWarning

__all__ = ["collisions", "keep_input_columns", "SUFFIX"]

#: Appended to an input column whose name an output column takes.
SUFFIX = "_input"


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
    """A shallow copy of *frame* whose columns named like *reserved* ones are renamed, with one warning.

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
