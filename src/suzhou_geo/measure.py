"""Areas and lengths: ellipsoidal (GRS80 = CGCS2000 ellipsoid) unless asked otherwise.

This is the only module that measures.  Areas compared with a floor are
ellipsoidal, as official land statistics (图斑椭球面积) are: every geometry is
brought to geographic CGCS2000 and measured with
:meth:`pyproj.Geod.geometry_area_perimeter` on the GRS80 ellipsoid, whatever CRS
it came in.  ``method="gk"`` gives the planar area in EPSG:4549 (about +0.02 %
around Suzhou) for comparison.  Web Mercator is never used to measure.

For millions of small polygons (parcel validation) :func:`area_m2_fast` projects
to a Lambert azimuthal *equal-area* projection of the GRS80 ellipsoid centred on
Suzhou and takes the planar area in one vectorised call; it agrees with the
geodesic area to better than 1e-6 relative for anything parcel-sized.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod, Transformer

from .crs import (
    CGCS2000,
    CGCS2000_GK_CM120,
    ensure_crs,
    gcj02_to_wgs84,
    is_gcj02,
    parse_crs,
    transformer,
)
from .errors import CRSError, InputError, arg

__all__ = ["area_km2", "area_m2", "length_m", "area_m2_fast", "area_m2_projected", "area_m2_lonlat", "GEOD",
           "EQUAL_AREA_CRS"]

#: The CGCS2000 ellipsoid (identical to GRS80: a = 6378137, 1/f = 298.257222101).
GEOD = Geod(ellps="GRS80")
#: Lambert azimuthal equal-area on GRS80, centred on Suzhou (exactly equal-area on the ellipsoid).
EQUAL_AREA_CRS = CRS.from_proj4("+proj=laea +lat_0=31.3 +lon_0=120.6 +ellps=GRS80 +units=m +no_defs")

Method = Literal["ellipsoidal", "gk"]


def _as_geographic(obj: Any, crs: Any = None):
    """Return (geometry array, index or None) in EPSG:4490."""
    import geopandas as gpd

    frame = getattr(obj, "frame", None)  # a Layer from suzhou_geo.io.read: already in EPSG:4490
    if isinstance(frame, gpd.GeoDataFrame):
        return np.asarray(frame.geometry.values), frame.index
    if isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geo = ensure_crs(obj.geometry if isinstance(obj, gpd.GeoDataFrame) else obj, assume=crs)
        return np.asarray(geo.values), obj.index
    if isinstance(obj, shapely.Geometry):
        geoms = np.array([obj], dtype=object)
        if crs is not None:
            s = ensure_crs(gpd.GeoSeries(geoms), assume=crs)
            geoms = np.asarray(s.values)
        return geoms, None
    raise InputError(
        f"cannot measure a {type(obj).__name__}", source="measure",
        hint="give a shapely geometry, a GeoSeries, a GeoDataFrame or a Layer (suzhou_geo.area_m2 and its kin "
             "also read files); a bare shapely geometry is taken as CGCS2000 longitude/latitude unless "
             f"{arg('crs', '…')} says otherwise",
    )


def _to_gk(geoms: np.ndarray) -> np.ndarray:
    """Project EPSG:4490 geometries to EPSG:4549 (planar measures for ``method="gk"``)."""
    t = transformer(CGCS2000, CGCS2000_GK_CM120)
    return shapely.transform(geoms, t.transform, interleaved=False)


def _geod_area(geom) -> float:
    if geom is None or geom.is_empty:
        return 0.0 if geom is not None else np.nan
    if geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return 0.0
    # pyproj sums signed ring areas: exterior counter-clockwise, holes clockwise.
    area, _ = GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))
    return abs(area)


def _geod_length(geom) -> float:
    if geom is None:
        return np.nan
    if geom.is_empty:
        return 0.0
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = geom.boundary
    return float(GEOD.geometry_length(geom))


def _wrap(values: np.ndarray, index, name: str):
    if index is None:
        return float(values[0])
    return pd.Series(values, index=index, name=name)


def area_m2(obj: Any, method: Method = "ellipsoidal", *, crs: Any = None):
    """Area in square metres; see :func:`area_km2`.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> round(area_m2(box(120.0, 31.0, 120.01, 31.01)))
    1058796
    """
    geoms, index = _as_geographic(obj, crs)
    if method == "ellipsoidal":
        values = np.array([_geod_area(g) for g in geoms], dtype=float)
    elif method == "gk":
        proj = _to_gk(geoms)
        values = shapely.area(proj).astype(float)
        values[shapely.is_missing(geoms)] = np.nan
    else:
        _bad_method(method)
    return _wrap(values, index, "area_m2")


def area_km2(obj: Any, method: Method = "ellipsoidal", *, crs: Any = None):
    """Area in km², on the GRS80/CGCS2000 ellipsoid unless ``method="gk"``.

    Parameters
    ----------
    obj : shapely geometry, GeoSeries, GeoDataFrame or Layer
        What to measure.  Frames are reprojected from whatever CRS they declare
        (a layer in Web Mercator is measured on the ellipsoid, not in its own
        units); a bare geometry is taken as CGCS2000 longitude/latitude.
    method : {"ellipsoidal", "gk"}, default "ellipsoidal"
        ``"ellipsoidal"``: geodesic area on GRS80 (:class:`pyproj.Geod`), the
        equivalent of the land survey's 椭球面积.  ``"gk"``: planar area in
        CGCS2000 / 3-degree Gauss-Krüger CM 120°E (EPSG:4549).
    crs : str or pyproj.CRS, optional
        CRS of a frame that has none, or of a bare geometry (``"GCJ-02"`` accepted).

    Returns
    -------
    float or pandas.Series
        A float for a geometry, a Series aligned on the frame's index otherwise.
        Empty geometries measure 0, missing ones NaN; points and lines measure 0.

    Examples
    --------
    >>> from suzhou_geo import area_km2, boundary
    >>> round(area_km2(boundary("昆山市")), 1)  # doctest: +SKIP
    929.5
    """
    out = area_m2(obj, method, crs=crs)
    return out / 1e6 if not isinstance(out, pd.Series) else (out / 1e6).rename("area_km2")


def length_m(obj: Any, method: Method = "ellipsoidal", *, crs: Any = None):
    """Length in metres (of lines; of the boundary for polygons), geodesic on GRS80.

    Parameters
    ----------
    obj : shapely geometry, GeoSeries, GeoDataFrame or Layer
        What to measure (see :func:`area_km2` for CRS handling).
    method : {"ellipsoidal", "gk"}, default "ellipsoidal"
        Geodesic length, or planar length in EPSG:4549.
    crs : str or pyproj.CRS, optional
        CRS of a frame that has none, or of a bare geometry.

    Returns
    -------
    float or pandas.Series

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> round(length_m(LineString([(120.0, 31.0), (120.0, 31.1)])))
    11087
    """
    geoms, index = _as_geographic(obj, crs)
    if method == "ellipsoidal":
        values = np.array([_geod_length(g) for g in geoms], dtype=float)
    elif method == "gk":
        proj = _to_gk(geoms)
        is_poly = np.isin(shapely.get_type_id(proj), [3, 6])
        proj = np.where(is_poly, shapely.boundary(proj), proj)
        values = shapely.length(proj).astype(float)
    else:
        _bad_method(method)
    return _wrap(values, index, "length_m")


def _bad_method(method: Any) -> None:
    raise InputError(f"the method must be 'ellipsoidal' or 'gk', not {method!r}", source="measure",
                     hint=f"pass {arg('method', repr('ellipsoidal'))} (on the GRS80 ellipsoid, as official land "
                          f"statistics) or {arg('method', repr('gk'))} (planar, EPSG:4549)")


def area_m2_fast(geoms: Any, crs: Any = CGCS2000) -> np.ndarray:
    """Vectorised ellipsoidal area (m²) of many geometries via an equal-area projection.

    Projects to Lambert azimuthal equal-area on GRS80 centred on Suzhou
    (:data:`EQUAL_AREA_CRS`) and takes the planar area.  The projection is
    exactly equal-area on the ellipsoid, so the only difference from the
    geodesic area is the curvature of edges, below 1e-6 relative for
    parcel-sized polygons.  Used on hot paths (parcel validation).

    Parameters
    ----------
    geoms : array of shapely geometries or GeoSeries
        Geometries in *crs* (ignored for a GeoSeries, which carries its own).
    crs : str or pyproj.CRS, default EPSG:4490
        CRS of a plain geometry array.  Projected CRSs are accepted.

    Returns
    -------
    numpy.ndarray of float

    Examples
    --------
    >>> from shapely.geometry import box
    >>> import numpy as np
    >>> a = area_m2_fast(np.array([box(120.0, 31.0, 120.01, 31.01)]))
    >>> bool(abs(a[0] / area_m2(box(120.0, 31.0, 120.01, 31.01)) - 1) < 1e-6)
    True
    """
    if hasattr(geoms, "crs") and hasattr(geoms, "values"):
        crs = geoms.crs
        geoms = np.asarray(geoms.values)
    geoms = np.asarray(geoms, dtype=object)
    if is_gcj02(crs):  # Amap/Gaode coordinates: converted to CGCS2000 first
        geoms, crs = gcj02_to_wgs84(geoms), CGCS2000
    t = _transformer(crs, EQUAL_AREA_CRS)
    proj = shapely.transform(np.asarray(geoms, dtype=object), t.transform, interleaved=False)
    return shapely.area(proj).astype(float)


def _crs(crs: Any) -> CRS:
    """*crs* as a pyproj CRS, or a CRSError saying it is not one."""
    return parse_crs(crs, what="the CRS", source="measure",
                     hint=f"pass e.g. {arg('crs', repr(CGCS2000))}, or 'GCJ-02' for Amap/Gaode coordinates")


def _transformer(src: Any, dst: Any) -> Transformer:
    return transformer(_crs(src), dst)


#: Largest error (m²) allowed to :func:`area_m2_projected`'s shortcut (a tenth of a thousandth of the
#: report's 0.01 m² rounding); features where its bound is larger are measured geodesically.
PROJECTED_AREA_TOLERANCE_M2 = 1e-4
#: Farthest from the central meridian (degrees) where the series for the transverse Mercator scale is used
#: (it agrees with PROJ's exact scale to 2e-10 there); beyond, PROJ computes it.
_TM_SERIES_DEGREES = 3.0


def area_m2_projected(geoms: Any, crs: Any = CGCS2000_GK_CM120) -> np.ndarray:
    """Vectorised ellipsoidal area (m²) of polygons already in a projected CRS, in one pass where exact enough.

    For a Gauss-Krüger (transverse Mercator) CRS: the planar area divided by
    the projection's areal scale at the polygon's centroid.  The scale varies
    smoothly (``≈ 1 + x²/R²``, *x* the distance from the central meridian), so
    that shortcut differs from the geodesic area of the same polygon by at most
    ``A · (w² + h²) / (4 R²)`` (*w*, *h* its extent, *R* the Earth's radius;
    measured: a quarter of that) — 4e-5 m² for a 5-ha parcel, far below the
    report's 0.01 m².  Polygons where that bound exceeds
    :data:`PROJECTED_AREA_TOLERANCE_M2` (above ~10 ha), and every polygon in
    another kind of projected CRS, are measured exactly instead: split every
    50 m in the CRS (where its straight edges are), converted to longitude/
    latitude and measured with :class:`pyproj.Geod` on the CRS's ellipsoid.

    Parameters
    ----------
    geoms : array of shapely geometries
        Polygons in *crs*.
    crs : str or pyproj.CRS, default EPSG:4549
        A projected CRS.

    Returns
    -------
    numpy.ndarray of float
        0 for empty geometries, NaN for missing ones.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> sq = gpd.GeoSeries([box(120.0, 31.0, 120.01, 31.01)], crs="EPSG:4490")
    >>> a = area_m2_projected(sq.to_crs("EPSG:4549").values)  # 1 km²: measured geodesically
    >>> bool(abs(a[0] / area_m2(sq.iloc[0]) - 1) < 1e-7)
    True
    >>> parcel = gpd.GeoSeries([box(557000, 3464000, 557200, 3464150)], crs="EPSG:4549")  # 3 ha: the shortcut
    >>> ll = parcel.segmentize(1.0).to_crs("EPSG:4490").iloc[0]  # the same shape in lon/lat, for pyproj.Geod
    >>> ref = abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(ll))[0])
    >>> bool(abs(area_m2_projected(parcel.values)[0] - ref) < 1e-3)
    True
    """
    crs, tm, to_lonlat = _projected(crs)
    geoms, planar, out, todo = _to_measure(geoms)
    if not todo.size:
        return out
    fast = np.zeros(todo.size, dtype=bool) if tm is None else _shortcut_holds(geoms[todo], planar[todo])
    if fast.any():
        sel = todo[fast]
        c = shapely.centroid(geoms[sel])
        lon, lat = to_lonlat.transform(shapely.get_x(c), shapely.get_y(c))
        out[sel] = planar[sel] / _areal_scale(crs, tm, np.asarray(lon, float), np.asarray(lat, float))
    if not fast.all():
        out[todo[~fast]] = _geodesic_area(geoms[todo[~fast]], crs)
    return out


def area_m2_lonlat(geoms: Any) -> np.ndarray:
    """Vectorised ellipsoidal area (m²) of polygons stored in longitude/latitude (CGCS2000), in one pass.

    The area element of the ellipsoid is ``M(φ)·N(φ)·cos φ dλ dφ``; over a
    polygon whose edges are straight in longitude/latitude, taking it at the
    polygon's centroid (in longitude/latitude) leaves only a second-order
    error: at most ``A · ½ · (sec²φ + tan²φ + 0.1) · (h/2)²``, *h* the polygon's
    extent in latitude (radians) — 1e-5 m² for a 5-ha parcel, 1e-9 of its
    area.  So the planar area in degrees² times that element is the area of
    the shape the stored edges describe, without converting a coordinate.
    Polygons where the bound exceeds :data:`PROJECTED_AREA_TOLERANCE_M2` (about
    15 ha and larger) are converted to EPSG:4549, their edges split where they
    bend by 1 mm, and measured by :func:`area_m2_projected`.

    Parameters
    ----------
    geoms : array of shapely geometries
        Polygons in CGCS2000 longitude/latitude (EPSG:4490).

    Returns
    -------
    numpy.ndarray of float
        0 for empty geometries, NaN for missing ones.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> parcel = box(120.6, 31.3, 120.602, 31.301)  # 2 ha
    >>> ref = abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(shapely.segmentize(parcel, 1e-5)))[0])
    >>> bool(abs(area_m2_lonlat(np.array([parcel]))[0] - ref) < 1e-4)
    True
    """
    geoms, planar, out, todo = _to_measure(geoms)
    if not todo.size:
        return out
    lat = np.radians(shapely.get_y(shapely.centroid(geoms[todo])))
    b = shapely.bounds(geoms[todo])
    a, f = GEOD.a, GEOD.f  # GRS80, CGCS2000's ellipsoid
    e2 = f * (2 - f)
    w = 1 - e2 * np.sin(lat) ** 2
    element = (a * (1 - e2) / w**1.5) * (a / np.sqrt(w)) * np.cos(lat) * (np.pi / 180) ** 2  # m² per degree²
    area = planar[todo] * element
    half = np.radians(b[:, 3] - b[:, 1]) / 2
    bound = area * 0.5 * (1 / np.cos(lat) ** 2 + np.tan(lat) ** 2 + 0.1) * half**2
    fast = bound <= PROJECTED_AREA_TOLERANCE_M2
    out[todo[fast]] = area[fast]
    if not fast.all():
        from .crs import split_lengths
        from .geometry import densify_transform

        big = geoms[todo[~fast]]
        t = transformer(CGCS2000, CGCS2000_GK_CM120)
        metric = densify_transform(big, split_lengths(big, t.transform, degrees=True), t.transform)
        out[todo[~fast]] = area_m2_projected(metric, CGCS2000_GK_CM120)
    return out


def _to_measure(geoms: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the geometries as an array, their planar areas, the result to fill and the rows with an area.

    The result holds NaN for missing geometries and 0 for those without an area (empty, lines, points).
    """
    geoms = np.asarray(geoms, dtype=object)
    planar = shapely.area(geoms).astype(float)
    out = np.where(shapely.is_missing(geoms), np.nan, 0.0)
    return geoms, planar, out, np.flatnonzero(planar > 0)


def _projected(crs: Any) -> tuple[CRS, dict | None, Transformer]:
    """Return a projected CRS, its transverse Mercator parameters (None for another projection), the way to its datum.

    Made once per CRS given as text, a code or a pyproj CRS: each costs
    ~0.3 ms, and the overlay measures its intersections a few thousand parcels
    at a time.  The parameters are shared: read them, never change them.
    """
    if isinstance(crs, (str, int, CRS)):
        return _projected_once(crs)
    return _projected_once.__wrapped__(crs)


@lru_cache(maxsize=16)
def _projected_once(crs: Any) -> tuple[CRS, dict | None, Transformer]:
    crs = _crs(crs)
    if not crs.is_projected:
        raise CRSError(f"area_m2_projected needs a projected CRS, not {crs.name}", source="measure",
                       hint="use area_m2_fast for geographic coordinates")
    return crs, _transverse_mercator(crs), transformer(crs, crs.geodetic_crs)


def _shortcut_holds(geoms: np.ndarray, planar: np.ndarray) -> np.ndarray:
    """Where the bound on the centroid-scale shortcut's error is within :data:`PROJECTED_AREA_TOLERANCE_M2`."""
    b = shapely.bounds(geoms)
    bound = planar * ((b[:, 2] - b[:, 0]) ** 2 + (b[:, 3] - b[:, 1]) ** 2) / (4 * 6_356_752.0**2)
    return bound <= PROJECTED_AREA_TOLERANCE_M2


def _transverse_mercator(crs: CRS) -> dict | None:
    """Return the parameters of a transverse Mercator CRS in metres (lon_0, k_0, a, f), or None for another."""
    op = crs.coordinate_operation
    if op is None or op.method_name != "Transverse Mercator":
        return None
    unit = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    if unit != 1.0:
        return None
    params = {p.name: p.value for p in op.params}
    ell = crs.ellipsoid
    return {"lon_0": params["Longitude of natural origin"], "k_0": params["Scale factor at natural origin"],
            "a": ell.semi_major_metre, "f": 1 / ell.inverse_flattening}


def _areal_scale(crs: CRS, tm: dict | None, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return the areal scale at (lon, lat): the transverse Mercator series near the meridian, else PROJ's."""
    from pyproj import Proj

    out = np.empty(len(lon))
    near = np.zeros(len(lon), dtype=bool) if tm is None else np.abs(lon - tm["lon_0"]) <= _TM_SERIES_DEGREES
    if near.any():
        out[near] = _tm_areal_scale(lon[near], lat[near], **tm)
    if not near.all():
        out[~near] = np.asarray(Proj(crs).get_factors(lon[~near], lat[~near]).areal_scale, dtype=float)
    return out


def _tm_areal_scale(lon: np.ndarray, lat: np.ndarray, *, lon_0: float, k_0: float, a: float, f: float) -> np.ndarray:
    """Square of the transverse Mercator point scale (Snyder 1987, eq. 8-11), to 2e-10 within 3° of the meridian."""
    e2 = f * (2 - f)
    ep2 = e2 / (1 - e2)
    phi = np.radians(lat)
    a2 = (np.radians(lon - lon_0) * np.cos(phi)) ** 2
    t = np.tan(phi) ** 2
    c = ep2 * np.cos(phi) ** 2
    k = k_0 * (1 + (1 + c) * a2 / 2 + (5 - 4 * t + 42 * c + 13 * c * c - 28 * ep2) * a2 * a2 / 24
               + (61 - 148 * t + 16 * t * t) * a2**3 / 720)
    return k * k


def _geodesic_area(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    """Geodesic area (m²) on *crs*'s ellipsoid of polygons whose edges are straight in *crs* (split every 50 m)."""
    ell = crs.ellipsoid
    geod = Geod(a=ell.semi_major_metre, rf=ell.inverse_flattening)
    dense = shapely.segmentize(geoms, 50.0)
    ll = shapely.transform(dense, transformer(crs, crs.geodetic_crs).transform, interleaved=False)
    return np.array([abs(geod.geometry_area_perimeter(shapely.orient_polygons(g))[0]) for g in ll], dtype=float)
