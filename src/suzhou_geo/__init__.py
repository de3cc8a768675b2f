"""suzhou_geo: ecological-zoning analysis for Suzhou (苏州) and Kunshan (昆山).

The public API is re-exported here; see the README for a quickstart.
"""

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

__version__ = "0.1.0"

__all__ = [
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
    "ensure_crs",
    "gcj02_to_wgs84",
    "guess_crs",
    "jurisdictions",
    "length_m",
    "neighbours",
    "shared_border",
    "wgs84_to_gcj02",
]
