"""Coordinate reference systems: CGCS2000, Gauss-Krüger, and the GCJ-02 obfuscation.

Geographic data are stored and exchanged in CGCS2000 (EPSG:4490); WGS84 (EPSG:4326)
is accepted as equal at the metre level.  Metric work happens in CGCS2000 /
3-degree Gauss-Krüger CM 120°E (EPSG:4549), which covers all of Suzhou.

GCJ-02 ("Mars coordinates") is the obfuscated datum of Amap/Gaode, Tencent and
most Chinese web maps.  It is not an EPSG CRS: it is WGS84 plus a smooth,
position-dependent offset of roughly 460-520 m around Suzhou.  This module holds
the public forward formula (Krasovsky constants, as in ``cnmaps.geo``,
``eviltransform`` and ``PRCoords``) and an iterative inverse whose round trip is
below 1e-7 m.  Points outside China's rough bounding box are returned unchanged,
as every published implementation does.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as _PyprojCRSError

from .errors import CRSError

__all__ = [
    "CGCS2000",
    "CGCS2000_GK_CM120",
    "CGCS2000_GK_ZONE40",
    "WGS84",
    "WEB_MERCATOR",
    "GCJ02",
    "CRSError",
    "ensure_crs",
    "guess_crs",
    "is_gcj02",
    "gcj02_to_wgs84",
    "wgs84_to_gcj02",
]

log = logging.getLogger(__name__)

#: CGCS2000 geographic (the storage and exchange CRS of the library).
CGCS2000 = "EPSG:4490"
#: CGCS2000 / 3-degree Gauss-Krüger CM 120°E (metric work: buffers, distances).
CGCS2000_GK_CM120 = "EPSG:4549"
#: CGCS2000 / 3-degree Gauss-Krüger zone 40 (same projection, easting prefixed with 40).
CGCS2000_GK_ZONE40 = "EPSG:4528"
#: WGS84 geographic; equal to CGCS2000 at the metre level.
WGS84 = "EPSG:4326"
#: Web Mercator: for tiles only, never for measuring.
WEB_MERCATOR = "EPSG:3857"
#: The name the library accepts wherever a layer's CRS is declared as GCJ-02.
GCJ02 = "GCJ-02"

_GCJ_NAMES = {"gcj-02", "gcj02", "gcj_02", "gcj", "mars", "amap", "gaode", "火星坐标", "火星坐标系"}
#: Key in ``GeoDataFrame.attrs`` marking a frame whose coordinates are GCJ-02.
ATTRS_KEY = "suzhou_geo_coordinates"

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323


def is_gcj02(crs: Any) -> bool:
    """Return True if *crs* names GCJ-02 (``"GCJ-02"``, ``"gcj02"``, ``"火星坐标"``, ...).

    Examples
    --------
    >>> is_gcj02("GCJ-02"), is_gcj02("EPSG:4490")
    (True, False)
    """
    return isinstance(crs, str) and crs.strip().lower() in _GCJ_NAMES


# --------------------------------------------------------------------------- GCJ-02 kernels


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return ~((lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271))


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward GCJ-02 offset (degrees) evaluated at WGS84 (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
        + common
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
        + common
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def _fwd_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _gcj_delta(lon, lat)
    out = _out_of_china(lon, lat)
    return np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat)


def _inv_xy(
    lon: np.ndarray, lat: np.ndarray, *, tol_deg: float = 1e-12, max_iter: int = 20
) -> tuple[np.ndarray, np.ndarray]:
    """Iterative inverse: fixed point ``w <- w - (fwd(w) - g)``; converges in ~4 steps."""
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = _fwd_xy(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if elon.size == 0 or max(np.nanmax(np.abs(elon)), np.nanmax(np.abs(elat))) < tol_deg:
            break
    out = _out_of_china(glon, glat)
    return np.where(out, glon, wlon), np.where(out, glat, wlat)


def _drop_crs(obj) -> None:
    """Remove the CRS of a GeoDataFrame/GeoSeries in place (GCJ-02 has no EPSG code)."""
    import geopandas as gpd

    if isinstance(obj, gpd.GeoDataFrame):
        for col in obj.columns[obj.dtypes == "geometry"]:
            obj[col].values.crs = None
    else:
        obj.values.crs = None


def _apply(obj: Any, kernel, lat: Any = None, *, target_label: str):
    """Apply an (x, y) kernel to coordinates, geometries, GeoSeries or GeoDataFrames."""
    import geopandas as gpd

    if lat is not None:  # coordinate arrays (lon, lat)
        x, y = kernel(np.asarray(obj, dtype=float), np.asarray(lat, dtype=float))
        if np.ndim(x) == 0:
            return float(x), float(y)
        return x, y

    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = kernel(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    if isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if obj.crs is not None and target_label == GCJ02:
            src = CRS.from_user_input(obj.crs)
            if not src.is_geographic:
                raise CRSError(
                    f"wgs84_to_gcj02 needs geographic WGS84/CGCS2000 coordinates; the input is in "
                    f"{src.to_string()}. Call .to_crs('EPSG:4490') first."
                )
        if target_label == "WGS84" and obj.crs is not None and ATTRS_KEY not in obj.attrs:
            src = CRS.from_user_input(obj.crs)
            if not src.is_geographic:
                raise CRSError(
                    f"gcj02_to_wgs84 got a layer in {src.to_string()}; GCJ-02 coordinates are "
                    "always longitude/latitude degrees."
                )
        geoms = shapely.transform(np.asarray(obj.geometry.values), _xy)
        target_crs = None if target_label == GCJ02 else CGCS2000
        if isinstance(obj, gpd.GeoDataFrame):
            out = obj.copy()
            out[out.geometry.name] = gpd.GeoSeries(geoms, index=obj.index, crs=target_crs)
            out = out.set_geometry(out.geometry.name, crs=target_crs) if target_crs else out
        else:
            out = gpd.GeoSeries(geoms, index=obj.index, name=obj.name, crs=target_crs)
        if target_crs is None:
            _drop_crs(out)
            out.attrs[ATTRS_KEY] = GCJ02
        else:
            out.attrs.pop(ATTRS_KEY, None)
        return out
    if isinstance(obj, shapely.Geometry) or (
        isinstance(obj, np.ndarray) and obj.dtype == object
    ):
        return shapely.transform(obj, _xy)
    arr = np.asarray(obj, dtype=float)
    if arr.ndim == 2 and arr.shape[1] == 2:
        return _xy(arr)
    raise TypeError(
        "expected a GeoDataFrame, GeoSeries, shapely geometry, an (N, 2) coordinate array, "
        f"or separate lon and lat arrays; got {type(obj).__name__}"
    )


def wgs84_to_gcj02(obj: Any, lat: Any = None):
    """Shift WGS84/CGCS2000 coordinates to GCJ-02 (the Amap/Gaode datum).

    Use this only to *draw* layers on a GCJ-02 basemap; never analyse or save
    GCJ-02 coordinates as EPSG:4326.

    Parameters
    ----------
    obj : GeoDataFrame, GeoSeries, shapely geometry, array_like
        Geometries, an ``(N, 2)`` array of ``(lon, lat)``, or longitudes when *lat* is given.
    lat : array_like, optional
        Latitudes, when *obj* holds longitudes.

    Returns
    -------
    Same kind as the input.  A GeoDataFrame/GeoSeries comes back with ``crs=None``
    and ``attrs["suzhou_geo_coordinates"] == "GCJ-02"``, so that it cannot be
    reprojected or measured by mistake.  Points outside China are unchanged.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(120.6, 31.3)
    >>> round(lon - 120.6, 4), round(lat - 31.3, 4)
    (0.0042, -0.0022)
    """
    return _apply(obj, _fwd_xy, lat, target_label=GCJ02)


def gcj02_to_wgs84(obj: Any, lat: Any = None):
    """Convert GCJ-02 coordinates (Amap/Gaode, Tencent) back to WGS84/CGCS2000.

    The inverse is iterative (fixed point on the forward formula), so a round
    trip ``gcj02_to_wgs84(wgs84_to_gcj02(p))`` returns *p* to well under 1 cm.

    Parameters
    ----------
    obj : GeoDataFrame, GeoSeries, shapely geometry, array_like
        Geometries, an ``(N, 2)`` array of ``(lon, lat)``, or longitudes when *lat* is given.
    lat : array_like, optional
        Latitudes, when *obj* holds longitudes.

    Returns
    -------
    Same kind as the input; frames are returned in EPSG:4490.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(*wgs84_to_gcj02(120.6, 31.3))
    >>> abs(lon - 120.6) < 1e-9 and abs(lat - 31.3) < 1e-9
    True
    """
    return _apply(obj, _inv_xy, lat, target_label="WGS84")


# --------------------------------------------------------------------------- CRS checks


def guess_crs(bounds: tuple[float, float, float, float] | np.ndarray) -> list[str]:
    """Name the CRSs that coordinate magnitudes around Suzhou suggest.

    Parameters
    ----------
    bounds : (minx, miny, maxx, maxy)
        Total bounds of a layer.

    Returns
    -------
    list of str
        Candidate CRS strings, most likely first (empty if nothing fits).

    Examples
    --------
    >>> guess_crs((536000, 3430000, 630000, 3560000))  # Suzhou in GK CM 120E
    ['EPSG:4549']
    >>> guess_crs((40536000, 3430000, 40630000, 3560000))  # the same with the zone-40 prefix
    ['EPSG:4528']
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    out: list[str] = []
    if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
        out += [CGCS2000, GCJ02]
    elif 40_000_000 <= minx and maxx <= 41_000_000 and 2_000_000 <= miny <= maxy <= 6_000_000:
        out.append(CGCS2000_GK_ZONE40)
    elif 41_000_000 <= minx and maxx <= 42_000_000 and 2_000_000 <= miny <= maxy <= 6_000_000:
        out.append("EPSG:4529")
    elif 0 < minx and maxx < 1_000_000 and 2_000_000 <= miny <= maxy <= 6_000_000:
        out.append(CGCS2000_GK_CM120 if minx > 100_000 else "EPSG:4550")
    elif 12_000_000 <= minx and maxx <= 15_000_000 and 2_000_000 <= miny <= maxy <= 6_000_000:
        out.append(WEB_MERCATOR)
    elif 2_000_000 <= minx <= maxx <= 6_000_000 and (
        0 < miny and maxy < 1_000_000 or 40_000_000 <= miny and maxy <= 41_000_000
    ):
        out.append("swapped axes (X=northing, Y=easting): swap x and y, then EPSG:4549/4528")
    return out


def _describe(crs: Any) -> str:
    try:
        c = CRS.from_user_input(crs)
        epsg = c.to_epsg()
        return f"EPSG:{epsg} ({c.name})" if epsg else c.name
    except Exception:  # pragma: no cover - only used in messages
        return str(crs)


def _not_degrees(data, crs) -> bool:
    try:
        if not CRS.from_user_input(crs).is_geographic or not len(data):
            return False
    except _PyprojCRSError:
        return False
    b = data.total_bounds
    return bool(np.all(np.isfinite(b)) and (max(abs(b[0]), abs(b[2])) > 180 or max(abs(b[1]), abs(b[3])) > 90))


def ensure_crs(
    data: Any,
    assume: Any = None,
    *,
    override: bool = False,
    to: Any = CGCS2000,
    name: str = "layer",
):
    """Return *data* reprojected to *to* (EPSG:4490 by default), refusing to guess.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
        The layer.
    assume : str or pyproj.CRS, optional
        The CRS to use when *data* has none (for example ``"EPSG:4549"``), or
        ``"GCJ-02"`` for Amap/Gaode coordinates.  ``"GCJ-02"`` is also accepted
        on top of a declared WGS84/CGCS2000 CRS, because GCJ-02 data are almost
        always labelled EPSG:4326 (a ``.prj`` cannot express the obfuscation).
    override : bool, default False
        Replace a declared CRS that differs from *assume* (the declared one is
        wrong).  Without it such a conflict raises.
    to : str or pyproj.CRS, default ``"EPSG:4490"``
        The CRS to return.
    name : str
        How to call the layer in error messages (a file name, say).

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy in *to*.

    Raises
    ------
    CRSError
        When the CRS is missing and *assume* is not given (the message names the
        likely CRS from the coordinate magnitudes), or when *assume* conflicts
        with a declared CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(557000, 3464000)])  # central Suzhou in EPSG:4549
    >>> ensure_crs(g, assume="EPSG:4549").crs.to_epsg()
    4490
    """
    declared = data.crs
    gcj_attr = getattr(data, "attrs", {}).get(ATTRS_KEY) == GCJ02
    if declared is None and gcj_attr and assume is None:
        assume = GCJ02
    if declared is None and assume is None:
        bounds = data.total_bounds if len(data) else None
        guesses = guess_crs(bounds) if bounds is not None and np.all(np.isfinite(bounds)) else []
        hint = (
            f" The coordinates (bounds {np.round(bounds, 3).tolist()}) look like "
            + " or ".join(guesses)
            + "."
            if guesses
            else ""
        )
        example = guesses[0] if guesses and guesses[0].startswith(("EPSG", "GCJ")) else "EPSG:4549"
        raise CRSError(
            f"{name} has no coordinate reference system (no .prj, or a CRS-less frame).{hint} "
            f"Say what it is: pass crs='{example}' (or assume='{example}' to ensure_crs), "
            "or crs='GCJ-02' for Amap/Gaode coordinates. The library never guesses."
        )
    if assume is not None and declared is not None and not override and _not_degrees(data, declared):
        # e.g. a GeoJSON (always "EPSG:4326") holding Gauss-Krüger metres: the label is wrong
        log.warning("%s declares %s but its coordinates are not degrees; using crs=%s", name, _describe(declared), assume)
        override = True
    if assume is not None and declared is not None and not override:
        if is_gcj02(assume):
            if not CRS.from_user_input(declared).is_geographic:
                raise CRSError(
                    f"{name} is declared as {_describe(declared)}, a projected CRS, but crs='GCJ-02' "
                    "was given; GCJ-02 coordinates are longitude/latitude. Check the file."
                )
        else:
            try:
                same = CRS.from_user_input(assume) == CRS.from_user_input(declared)
            except _PyprojCRSError as exc:
                raise CRSError(f"crs={assume!r} is not a valid CRS: {exc}") from None
            if not same:
                raise CRSError(
                    f"{name} declares {_describe(declared)} but crs={assume!r} was given. "
                    "If the declared CRS is wrong, pass override=True."
                )
            assume = None
    crs_in = assume if assume is not None else declared
    if is_gcj02(crs_in):
        raw = data.copy()
        _drop_crs(raw)
        converted = gcj02_to_wgs84(raw)
        return converted.to_crs(to) if CRS.from_user_input(to) != CRS.from_user_input(CGCS2000) else converted
    try:
        crs_obj = CRS.from_user_input(crs_in)
    except _PyprojCRSError as exc:
        raise CRSError(f"{name}: {crs_in!r} is not a valid CRS: {exc}") from None
    out = data.set_crs(crs_obj, allow_override=True) if data.crs != crs_obj else data
    if _not_degrees(out, crs_obj):
        b = out.total_bounds
        guesses = guess_crs(b)
        raise CRSError(
            f"{name} is declared geographic ({_describe(crs_obj)}) but its coordinates "
            f"(bounds {np.round(b, 1).tolist()}) are not degrees"
            + (f"; they look like {guesses[0]}" if guesses else "")
            + ". Pass the right crs= (e.g. crs='EPSG:4549')."
        )
    return out.to_crs(to)
