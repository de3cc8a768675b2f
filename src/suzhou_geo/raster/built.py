"""Built-up land inside protected zones, from a land-cover raster: :func:`encroachment`.

Examples
--------
>>> import geopandas as gpd, numpy as np
>>> from rasterio.io import MemoryFile
>>> from rasterio.transform import from_origin
>>> from shapely.geometry import box
>>> with MemoryFile() as mf:
...     with mf.open(driver="GTiff", width=2, height=1, count=1, dtype="uint8", crs="EPSG:4549",
...                  transform=from_origin(590000, 3470000, 30, 30), nodata=0) as ds:
...         ds.write(np.array([[50, 10]], dtype="uint8"), 1)
...     zone = gpd.GeoSeries([box(590000, 3469970, 590060, 3470000)], crs="EPSG:4549")
...     enc = encroachment(mf.open(), zone)
>>> round(float(enc.loc[0, "built_share"]), 4)
0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, arg
from ..landcover import class_table
from .zonal import zonal_stats

__all__ = ["encroachment"]


def encroachment(
    landcover: Any,
    redlines: Any,
    built_classes: Sequence[int] | None = None,
    classes: Any = "worldcover",
    *,
    zone_field: str | None = None,
    coverage: str = "fraction",
    zones_crs: Any = None,
) -> pd.DataFrame:
    """Built-up land inside each redline zone: area (m², ellipsoidal) and share.

    Parameters
    ----------
    landcover : path, rasterio dataset or RasterizeResult
        A land-cover raster (WorldCover, CLCD, or any with a class table).
    redlines : GeoDataFrame, GeoSeries, path or Source
        The zones (official redlines, scheme elements), any CRS.
    built_classes : sequence of int, optional
        Codes that count as built.  Default: the table's built classes,
        WorldCover 50 "Built-up" (建设用地) or CLCD 8 "Impervious" (不透水面).
    classes : str, dict or ClassTable, default "worldcover"
    zone_field, coverage, zones_crs
        As in :func:`suzhou_geo.zonal_stats`.

    Returns
    -------
    pandas.DataFrame
        One row per zone (input order, index and carried columns kept):
        ``zone_m2``, ``built_m2``, ``built_share`` (of the zone), ``observed_m2``
        (area with land-cover data: not no-data, not outside the raster),
        ``built_share_observed`` (of the observed area), ``nodata_share``,
        ``outside_share``.

    Raises
    ------
    suzhou_geo.errors.InputError
        No class table, a table without a built-up class and no *built_classes*,
        built classes the table does not have; and as :func:`suzhou_geo.zonal_stats`.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> sg.encroachment("clcd_2023.tif", "redlines.gpkg", classes="clcd")  # doctest: +SKIP
    """
    table = class_table(classes)
    built = _built(table, built_classes)
    stats = zonal_stats(landcover, redlines, categorical=True, classes=table, zone_field=zone_field,
                        coverage=coverage, zones_crs=zones_crs)
    cols = stats.attrs["class_columns"]
    missing = [c for c in built if c not in cols]
    if missing:
        raise InputError(f"built classes {missing} are not in the {table.title} table ({sorted(cols)})",
                         source="encroachment", hint=f"pass {arg('built_classes', str(sorted(cols)[:1]))} "
                                                     "with codes of the table")
    ncarried = list(stats.columns).index("zone_m2")
    out = stats.iloc[:, :ncarried].copy()
    out["zone_m2"] = stats["zone_m2"]
    out["built_m2"] = stats[[f"{cols[c]}_m2" for c in built]].sum(axis=1, min_count=1)
    out["observed_m2"] = stats["zone_m2"] - stats["nodata_m2"] - stats["outside_m2"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["built_share"] = out["built_m2"] / out["zone_m2"]
        out["built_share_observed"] = out["built_m2"] / out["observed_m2"].where(out["observed_m2"] > 0)
    out["nodata_share"] = stats["nodata_share"]
    out["outside_share"] = stats["outside_share"]
    out.attrs.update(stats.attrs, built_classes=built)
    return out


def _built(table, built_classes: Sequence[int] | None) -> tuple[int, ...]:
    if table is None:
        raise InputError("needs a class table to know which classes are built-up", source="encroachment",
                         hint=f"pass {arg('classes', repr('worldcover'))}, {arg('classes', repr('clcd'))} or a dict")
    built = tuple(int(c) for c in (built_classes if built_classes is not None else table.built))
    if not built:
        raise InputError(f"the class table {table.title!r} names no built-up class", source="encroachment",
                         hint=f"pass {arg('built_classes', '[codes]')}")
    return built
