"""suzhou_geo: ecological-zoning analysis for Suzhou (苏州) and Kunshan (昆山).

The public API is re-exported here; see the README for a quickstart.
"""

from ._data import data_path
from .boundaries import as_region, boundary, jurisdictions, neighbours, shared_border
from .crs import (
    CGCS2000,
    CGCS2000_GK_CM120,
    CGCS2000_GK_ZONE40,
    GCJ02,
    WEB_MERCATOR,
    WGS84,
    CRSError,
    ensure_crs,
    gcj02_to_wgs84,
    guess_crs,
    wgs84_to_gcj02,
)
from .measure import area_km2, area_m2, length_m
from .io import read_layer, write_layer
from .redlines import FLOORS, FloorCheck, check_floor, load_redlines
from .joint import JOINT_PACTS, joint_control_zone
from .maps import layer_to_folium, plan_map, report_map, save_map
from .landcover import LANDCOVER_CLASSES, class_table
from .raster import encroachment, pixel_areas, rasterize, zonal_stats
from .schemes import Scheme, layers, scheme, schemes
from .report import ReportResult, run_report
from .validate import RULES, PreparedLayers, Rules, prepare_layers, summarize, validate_parcels
from .io import Source
from . import datasets, io

__version__ = "0.1.0"

__all__ = [
    "datasets",
    "RULES",
    "ReportResult",
    "run_report",
    "Rules",
    "summarize",
    "validate_parcels",
    "prepare_layers",
    "PreparedLayers",
    "Source",
    "FLOORS",
    "FloorCheck",
    "JOINT_PACTS",
    "check_floor",
    "joint_control_zone",
    "load_redlines",
    "read_layer",
    "write_layer",
    "layer_to_folium",
    "plan_map",
    "report_map",
    "save_map",
    "CGCS2000",
    "CGCS2000_GK_CM120",
    "CGCS2000_GK_ZONE40",
    "GCJ02",
    "WEB_MERCATOR",
    "WGS84",
    "CRSError",
    "area_km2",
    "area_m2",
    "as_region",
    "boundary",
    "data_path",
    "ensure_crs",
    "gcj02_to_wgs84",
    "guess_crs",
    "jurisdictions",
    "length_m",
    "neighbours",
    "shared_border",
    "wgs84_to_gcj02",
    "LANDCOVER_CLASSES",
    "class_table",
    "encroachment",
    "pixel_areas",
    "rasterize",
    "zonal_stats",
    "Scheme",
    "layers",
    "scheme",
    "schemes",
]
