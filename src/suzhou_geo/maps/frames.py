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
from ..layer import Layer, is_illustrative

__all__ = ["coerce"]


def coerce(layer: Any, name: str | None, crs: Any = None) -> tuple[gpd.GeoDataFrame, str | None, bool]:
    """Layer-like -> (GeoDataFrame, default name, illustrative flag); a :class:`~suzhou_geo.layer.Layer` too."""
    from ..io import read_layer

    illustrative = getattr(layer, "illustrative", False) is True
    default, obj = None, layer
    if isinstance(layer, Layer):  # read once already: drawn from its frame, named as it was read
        illustrative = illustrative or layer.provenance.illustrative
        obj, default = layer.frame, Path(layer.provenance.name).stem
    elif isinstance(layer, (str, Path)):
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
    return obj, name or default, illustrative or is_illustrative(obj)
