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
import types
from typing import Any

__version__ = "0.1.0"

#: Public name -> the submodule that defines it.  Other modules add their names here.
_EXPORTS: dict[str, str] = {
    # data and places
    "data_path": "._data",
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
    "area_km2": ".measure",
    "area_m2": ".measure",
    "length_m": ".measure",
    # in and out
    "read_layer": ".io",
    "write_layer": ".io",
    "Source": ".io",
    # redlines, joint zones, schemes
    "FLOORS": ".redlines",
    "FloorCheck": ".redlines",
    "check_floor": ".redlines",
    "load_redlines": ".redlines",
    "JOINT_PACTS": ".joint",
    "joint_control_zone": ".joint",
    "Scheme": ".schemes",
    "layers": ".schemes",
    "scheme": ".schemes",
    "schemes": ".schemes",
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
}

#: Submodules offered as attributes (``sg.io.read``).
_SUBMODULES = ("io", "datasets", "errors")

__all__ = [*_EXPORTS, *_SUBMODULES]

#: Public names that are also the names of submodules (``suzhou_geo.layers``,
#: ``suzhou_geo.schemes``): they stay the functions when those modules are imported.
_SHADOWED = tuple(n for n in _EXPORTS if n in ("layers", "schemes"))


def _resolve(name: str) -> Any:
    value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    if name not in _SHADOWED:
        globals()[name] = value  # later look-ups skip __getattr__
    return value


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return _resolve(name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package module.

    Importing a submodule binds it as an attribute of its package; for the two
    public functions named like a submodule (``layers``, ``schemes``) the
    function keeps the name, as it did when this module imported everything.
    """


def _shadowed(name: str) -> property:
    def get(self):
        return _resolve(name)

    def set_(self, value):  # the import system binding the submodule: keep the function
        if not isinstance(value, types.ModuleType):
            raise AttributeError(f"cannot replace suzhou_geo.{name}")

    return property(get, set_, doc=f"suzhou_geo.{name} (resolved on first use)")


for _name in _SHADOWED:
    setattr(_Package, _name, _shadowed(_name))

import sys as _sys  # noqa: E402

_sys.modules[__name__].__class__ = _Package
del _name, _sys
