"""What can be drawn: frames, series, files, and objects that hold a frame.

Examples
--------
>>> import suzhou_geo as sg
>>> frame, name, illustrative = coerce(sg.load_redlines(), None)
>>> illustrative, len(frame) > 0
(True, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd

from ..errors import InputError

__all__ = ["coerce", "is_illustrative"]


def coerce(layer: Any, name: str | None, crs: Any = None) -> tuple[gpd.GeoDataFrame, str | None, bool]:
    """Layer-like -> (GeoDataFrame, default name, illustrative flag)."""
    from ..io import read_layer

    illustrative = getattr(layer, "illustrative", False) is True
    default, obj = None, layer
    if isinstance(layer, (str, Path)):
        obj, default = read_layer(layer, crs=crs), Path(layer).stem
    elif not isinstance(layer, (gpd.GeoDataFrame, gpd.GeoSeries)):
        default = next((v for a in ("name_zh", "name") if isinstance(v := getattr(layer, a, None), str)), None)
        if isinstance(getattr(layer, "elements", None), gpd.GeoDataFrame):
            obj = layer.elements
        elif callable(getattr(layer, "to_frame", None)):
            obj = layer.to_frame()
        if not isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries)):
            raise InputError(
                f"cannot draw a {type(layer).__name__}", source="layer",
                hint="give a GeoDataFrame, a GeoSeries, a file path, or an object with .elements or "
                     ".to_frame() returning a GeoDataFrame",
            )
    if isinstance(obj, gpd.GeoSeries):
        obj = obj.to_frame(name=obj.name if isinstance(obj.name, str) else "geometry")
        obj = obj.set_geometry(obj.columns[0])
    return obj, name or default, illustrative or obj.attrs.get("illustrative") is True


def is_illustrative(frame: gpd.GeoDataFrame, flag: bool) -> bool:
    """Return whether a redline frame is an illustrative sample (flag, column, or its ``basis``)."""
    if flag:
        return True
    if "illustrative" in frame.columns and frame["illustrative"].fillna(False).astype(bool).any():
        return True
    return "basis" in frame.columns and bool(
        frame["basis"].astype(str).str.contains("illustrative", case=False, na=False).any()
    )
