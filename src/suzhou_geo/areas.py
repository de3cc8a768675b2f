"""Areas and lengths of anything a user passes: a file, a database table, a frame or a geometry.

The public measuring functions (``sg.area_km2``, ``sg.area_m2``,
``sg.length_m``): a path, URI or :class:`~suzhou_geo.io.Source` is read through
the one way in (:func:`suzhou_geo.io.read`: its CRS decided and checked, GCJ-02
converted), then measured by :mod:`suzhou_geo.measure`, the only code that
measures — on the GRS80/CGCS2000 ellipsoid unless ``method="gk"``.

Examples
--------
>>> from shapely.geometry import box
>>> round(area_km2(box(120.0, 31.0, 120.01, 31.01)), 4)
1.0588
>>> import suzhou_geo as sg
>>> round(float(area_km2(sg.data_path("parcels", "parcels.gpkg")).sum()), 1) > 0
True
"""

from __future__ import annotations

import os
from typing import Any

from . import measure
from .io import Source, read

__all__ = ["area_m2", "area_km2", "length_m"]

#: read() options these functions do not take (messages name only what the caller can pass).
_SPELLING = {"override_crs": None, "swap_xy": None, "datum_shift": None, "approximate_datum": None}


def _readable(obj: Any, crs: Any) -> tuple[Any, Any]:
    """Read a file, URI or Source into a Layer (the CRS is then settled); return anything else as it is."""
    if isinstance(obj, (str, os.PathLike, Source)):
        return read(obj, crs=crs, spelling=_SPELLING), None
    return obj, crs


def area_m2(obj: Any, method: measure.Method = "ellipsoidal", *, crs: Any = None):
    """Area in square metres; see :func:`area_km2`.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> round(area_m2(box(120.0, 31.0, 120.01, 31.01)))
    1058796
    """
    obj, crs = _readable(obj, crs)
    return measure.area_m2(obj, method, crs=crs)


def area_km2(obj: Any, method: measure.Method = "ellipsoidal", *, crs: Any = None):
    """Area in km², on the GRS80/CGCS2000 ellipsoid unless ``method="gk"``.

    Parameters
    ----------
    obj : path, URI, Source, GeoDataFrame, GeoSeries, Layer or shapely geometry
        What to measure.  Files are read through :func:`suzhou_geo.io.read`;
        frames are reprojected from whatever CRS they declare (a layer in Web
        Mercator is measured on the ellipsoid, not in its own units); a bare
        geometry is taken as CGCS2000 longitude/latitude.
    method : {"ellipsoidal", "gk"}, default "ellipsoidal"
        ``"ellipsoidal"``: geodesic area on GRS80 (:class:`pyproj.Geod`), the
        equivalent of the land survey's 椭球面积.  ``"gk"``: planar area in
        CGCS2000 / 3-degree Gauss-Krüger CM 120°E (EPSG:4549).
    crs : str or pyproj.CRS, optional
        CRS of a file or frame that declares none, or of a bare geometry
        (``"GCJ-02"`` accepted).

    Returns
    -------
    float or pandas.Series
        A float for a geometry, a Series aligned on the frame's index otherwise.
        Empty geometries measure 0, missing ones NaN; points and lines measure 0.

    Examples
    --------
    >>> from suzhou_geo import boundary
    >>> round(float(area_km2(boundary("昆山市")).iloc[0]), 1)
    929.6
    """
    obj, crs = _readable(obj, crs)
    return measure.area_km2(obj, method, crs=crs)


def length_m(obj: Any, method: measure.Method = "ellipsoidal", *, crs: Any = None):
    """Length in metres (of lines; of the boundary for polygons), geodesic on GRS80.

    Parameters
    ----------
    obj : path, URI, Source, GeoDataFrame, GeoSeries, Layer or shapely geometry
        What to measure (see :func:`area_km2`).
    method : {"ellipsoidal", "gk"}, default "ellipsoidal"
        Geodesic length, or planar length in EPSG:4549.
    crs : str or pyproj.CRS, optional
        CRS of a file or frame that declares none, or of a bare geometry.

    Returns
    -------
    float or pandas.Series

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> round(length_m(LineString([(120.0, 31.0), (120.0, 31.1)])))
    11087
    """
    obj, crs = _readable(obj, crs)
    return measure.length_m(obj, method, crs=crs)
