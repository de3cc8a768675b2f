"""suzhou_geo: ecological-zoning analysis for Suzhou (苏州) and Kunshan (昆山).

The public API is re-exported here; see the README for a quickstart.

Names are imported when first used (PEP 562), so ``import suzhou_geo`` is
quick and loads neither geopandas nor folium nor rasterio; ``sg.plan_map``
loads folium when it is called for, ``sg.zonal_stats`` rasterio.

Examples
--------
>>> import suzhou_geo as sg
>>> sg.CGCS2000
'EPSG:4490'
>>> callable(sg.validate_parcels), callable(sg.layers)
(True, True)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> the submodule that defines it.  Other modules add their names here.
_EXPORTS: dict[str, str] = {
    # data and places
    "data_path": ".io.bundled",
    "as_region": ".boundaries",
    "boundary": ".boundaries",
    "jurisdictions": ".boundaries",
    "neighbours": ".boundaries",
    "shared_border": ".boundaries",
    # coordinates and measures
    "CGCS2000": ".crs",
    "CGCS2000_GK_CM120": ".crs",
    "CGCS2000_GK_ZONE40": ".crs",
    "GCJ02": ".crs",
    "WEB_MERCATOR": ".crs",
    "WGS84": ".crs",
    "CRSError": ".crs",
    "ensure_crs": ".crs",
    "gcj02_to_wgs84": ".crs",
    "guess_crs": ".crs",
    "wgs84_to_gcj02": ".crs",
    "swap_xy": ".crs",
    "area_km2": ".areas",
    "area_m2": ".areas",
    "length_m": ".areas",
    # in and out
    "read_layer": ".io",
    "write_layer": ".report",
    "Source": ".io",
    # redlines, joint zones, schemes
    "FLOORS": ".redlines",
    "FloorCheck": ".redlines",
    "check_floor": ".redlines",
    "load_redlines": ".redlines",
    "JOINT_PACTS": ".joint",
    "joint_control_zone": ".joint",
    "Scheme": ".spatial_schemes",
    "layers": ".spatial_schemes",
    "scheme": ".spatial_schemes",
    "schemes": ".spatial_schemes",
    # maps (folium) and rasters (rasterio)
    "layer_to_folium": ".maps",
    "plan_map": ".maps",
    "report_map": ".maps",
    "save_map": ".maps",
    "explore": ".maps",
    "LANDCOVER_CLASSES": ".landcover",
    "class_table": ".landcover",
    "encroachment": ".raster",
    "pixel_areas": ".raster",
    "rasterize": ".raster",
    "zonal_stats": ".raster",
    # validation and reports
    "RULES": ".validate",
    "Rules": ".validate",
    "PreparedLayers": ".validate",
    "prepare_layers": ".validate",
    "summarize": ".validate",
    "validate_parcels": ".validate",
    "validate_file": ".validate",
    "ReportResult": ".report",
    "run_report": ".report",
    # occupancy of redlines, adjustments and the verdicts they flip
    "occupancy": ".redline_use",
    "Occupancy": ".redline_use",
    "compare_redlines": ".redline_use",
    "RedlineComparison": ".redline_use",
    "revalidate": ".redline_use",
    "Revalidation": ".redline_use",
    "write_occupancy": ".report",
    "write_comparison": ".report",
}

#: Submodules offered as attributes (``sg.io.read``).
_SUBMODULES = ("io", "datasets", "errors")

__all__ = [*_EXPORTS, *_SUBMODULES]

def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value  # later look-ups skip __getattr__
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
