"""The report-aware way out: :func:`write_layer` for any frame, with a parcel report's labels and sheets.

:func:`suzhou_geo.io.write_layer` writes any frame in the format its path names
and knows no report.  This one is what :func:`suzhou_geo.write_layer` gives: a
frame holding the parcel report's columns is written with the report schema
(bilingual Excel headers, verdicts in Chinese and English with their colours,
Shapefile field names, PostGIS column comments) and, in Excel, its summary,
rules, notes and column sheets; any other frame is written as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd

from ..errors import InputError
from ..io import write_layer as write_any
from ..validate.schema import REPORT_SCHEMA, in_chinese

#: The choices of ``columns=``: English names (as in Python), or Chinese names from the schema.
COLUMN_NAMES = ("en", "zh")

__all__ = ["write_layer", "is_report", "COLUMN_NAMES"]


def is_report(frame: Any) -> bool:
    """Return True if *frame* holds a parcel report (its ``verdict`` and ``reasons`` columns).

    Examples
    --------
    >>> import pandas as pd
    >>> is_report(pd.DataFrame({"verdict": ["pass"], "reasons": [""]})), is_report(pd.DataFrame({"a": [1]}))
    (True, False)
    """
    columns = set(getattr(frame, "columns", ()))
    return {"verdict", "reasons"} <= columns


def write_layer(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike | Any,
    *,
    layer: str | None = None,
    overwrite: bool = False,
    wkt: bool | None = None,
    sheets: Mapping[str, Any] | None = None,
    inputs: Iterable[Any] = (),
    columns: str = "en",
    crs: Any = None,
    encoding: str | None = None,
) -> Path | str:
    """Write a layer; a parcel report gets its bilingual labels and, in Excel, its summary sheets.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any layer; a :func:`~suzhou_geo.validate_parcels` report is recognised
        by its columns.
    path, layer, overwrite, wkt, inputs, crs, encoding
        As for :func:`suzhou_geo.io.write_layer` (the format follows the
        extension: ``.gpkg``, ``.shp``, ``.csv``, ``.xlsx``, ``.parquet``, a
        部标 ``.txt``, …, or a PostGIS connection).
    sheets : mapping of str to DataFrame, optional
        Excel sheets after the data sheet.  Default for a parcel report: its
        summary (by verdict and by county-level unit), the rules used, the data
        notes and the column meanings.
    columns : {"en", "zh"}, default "en"
        A parcel report's column names: ``"en"`` as in Python (``verdict``,
        ``reasons``, …; the verdict is also in Chinese in ``verdict_zh``), or
        ``"zh"``: the Chinese names of the report schema (判定, 理由, …; in a
        Shapefile names of at most 10 bytes such as 红线m2, with the field
        table beside it) and booleans as 是/否.  The input's own columns keep
        their names either way.

    Returns
    -------
    pathlib.Path or str
        The path written; ``"schema.table"`` for PostGIS.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> report = sg.validate_parcels(sg.datasets.parcels().head(3))
    >>> p = sg.write_layer(report, "three.xlsx")
    >>> from openpyxl import load_workbook
    >>> load_workbook(p).sheetnames[:2]
    ['地块报告 report', '汇总 summary']
    >>> import pyogrio
    >>> p = sg.write_layer(report, "three.gpkg", columns="zh")
    >>> pyogrio.read_dataframe(p)[["判定", "判定代码"]].iloc[0].tolist()
    ['通过', 'pass']
    """
    if columns not in COLUMN_NAMES:
        raise InputError(f"columns must be 'en' or 'zh', not {columns!r}", source="write_layer",
                         hint="columns='zh' writes the report columns under their Chinese names")
    described = None
    if is_report(gdf):
        from .tables import report_sheets

        described = REPORT_SCHEMA
        if sheets is None and str(path).lower().endswith(".xlsx"):
            sheets = report_sheets(gdf)
        if columns == "zh":
            gdf, described = in_chinese(gdf)
    return write_any(gdf, path, layer=layer, overwrite=overwrite, wkt=wkt, columns=described, sheets=sheets,
                     inputs=inputs, crs=crs, encoding=encoding)
