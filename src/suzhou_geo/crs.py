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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as _PyprojCRSError

from .errors import CRSError, arg

__all__ = [
    "CGCS2000",
    "CGCS2000_GK_CM120",
    "CGCS2000_GK_ZONE40",
    "WGS84",
    "WEB_MERCATOR",
    "GCJ02",
    "CRSError",
    "CRSDecision",
    "DatumShift",
    "LEGACY_DATUMS",
    "densify",
    "densify_step",
    "split_lengths",
    "enclosing_boxes",
    "DENSIFY_TOLERANCE_M",
    "finite_bounds",
    "transformer",
    "parse_crs",
    "ensure_crs",
    "legacy_datum",
    "resolve_crs",
    "swap_xy",
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
    """Invert iteratively: fixed point ``w <- w - (fwd(w) - g)``; converges in ~4 steps."""
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


#: Where a layer about Suzhou lies (lon/lat): 苏州市 and its neighbours, with half a degree around them.
REGION_BOX = (119.0, 30.0, 122.8, 33.0)
#: Projected CRSs that plain metres (no zone prefix) around Suzhou may be in, most likely first:
#: CGCS2000 3-degree Gauss-Krüger CM 120°E (Suzhou), CM 117°E and CM 123°E (its neighbours' zones), and
#: WGS 84 / UTM zones 50N and 51N (GPS, remote sensing).
PLAIN_METRES = ("EPSG:4549", "EPSG:4548", "EPSG:4550", "EPSG:32650", "EPSG:32651")


def guess_crs(bounds: tuple[float, float, float, float] | np.ndarray) -> list[str]:
    """Name the CRSs that coordinate magnitudes around Suzhou suggest; all of them when several fit.

    Plain projected metres are tried in every CRS of :data:`PLAIN_METRES`: a
    CRS fits when it puts the layer's centre around Suzhou (:data:`REGION_BOX`).
    The same numbers can fit two CRSs (UTM zone 51N and Gauss-Krüger CM 123°E
    differ by about 100 m there): both are named, and the caller says so.

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
    >>> guess_crs((280000, 3460000, 300000, 3480000))  # Kunshan in UTM zone 51N, or in GK CM 123E
    ['EPSG:4550', 'EPSG:32651']
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    out: list[str] = []
    if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
        out += [CGCS2000, GCJ02]
    elif 39_000_000 <= minx and maxx <= 42_000_000 and 2_000_000 <= miny <= maxy <= 6_000_000:
        out.append({39: "EPSG:4527", 40: CGCS2000_GK_ZONE40, 41: "EPSG:4529"}[int(minx // 1_000_000)])
    elif 0 < minx and maxx < 1_000_000 and 2_000_000 <= miny <= maxy <= 6_000_000:
        out += [c for c in PLAIN_METRES if _centre_near_suzhou(c, minx, miny, maxx, maxy)]
    elif 12_000_000 <= minx and maxx <= 15_000_000 and 2_000_000 <= miny <= maxy <= 6_000_000:
        out.append(WEB_MERCATOR)
    elif _swapped_metres(bounds):
        out.append("swapped axes (X=northing, Y=easting): swap x and y, then EPSG:4549/4528")
    return out


def _centre_near_suzhou(crs: str, minx: float, miny: float, maxx: float, maxy: float) -> bool:
    lon, lat = _to_lonlat(crs).transform((minx + maxx) / 2, (miny + maxy) / 2)
    x0, y0, x1, y1 = REGION_BOX
    return bool(x0 <= lon <= x1 and y0 <= lat <= y1)


_LONLAT: dict[str, Any] = {}


def _to_lonlat(crs: str):
    from pyproj import Transformer

    if crs not in _LONLAT:
        _LONLAT[crs] = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return _LONLAT[crs]


# --------------------------------------------------------------------------- legacy datums

#: Legacy Chinese datums PROJ can only convert with a "ballpark" offset, by normalised datum name.
LEGACY_DATUMS: dict[str, str] = {
    "xian 1980": "西安1980 (Xi'an 1980)",
    "beijing 1954": "北京1954 (Beijing 1954)",
    "new beijing": "新北京1954 (New Beijing 1954)",
}
#: Positional uncertainty stated for legacy data converted without local parameters (m).
APPROXIMATE_DATUM_M = 100.0
#: How far (m) a layer's copy in another CRS may lie from the shape its stored edges describe.
#: An edge straight in longitude/latitude and the same edge straight in EPSG:4549 part by up to
#: ~1.4e-8·L² m around Suzhou (0.03 mm at 50 m, 0.5 mm at 200 m, 12 mm at 1 km, 5.6 m at 20 km):
#: edges are split where, and only where, their bow could exceed this (see :func:`densify_step`).
DENSIFY_TOLERANCE_M = 0.001
#: Margin on the curvature bound of :func:`densify_step` (the grid samples the curvature; it
#: varies by ~5 % across Suzhou): the split length is shortened by its square root.
DENSIFY_SAFETY = 1.25
#: The fixed split lengths (degrees / metres) layers were densified by before the tolerance: no
#: conversion of a layer uses them now; kept for code that wants a fine, CRS-independent step (and
#: as the cautious fallback of :func:`densify_step` where a transformation cannot be evaluated).
DENSIFY_DEGREES = 0.0005
DENSIFY_METRES = 50.0
#: Tiles (degrees, or metres for projected coordinates) over which a geometry's split length is
#: bounded: the tiles its bounding box touches, so that the length depends on the geometry alone, not
#: on the other rows read with it (a batch, a chunk, a partition gives every row the same shape).  The
#: tiles are large and placed (:data:`SPLIT_TILE_ORIGIN_DEGREES`, :data:`SPLIT_TILE_ORIGIN_METRES`) so
#: that Suzhou and its neighbours lie in one: two features that share an edge — neighbouring counties,
#: a redline and its buffer zone — have it split at the same points, so the edge stays one line after
#: conversion (with tiles of their own, their copies could part by a millimetre, leaving gaps and
#: overlaps that a partition's areas would not add up across).
SPLIT_TILE_DEGREES = 5.0
SPLIT_TILE_METRES = 500_000.0
#: Where the tile grid starts: 117.5°–122.5°E × 29°–34°N is one tile; in Gauss-Krüger metres (false
#: easting 500 km, with or without the zone number before it) 250–750 km east × 3 250–3 750 km north.
SPLIT_TILE_ORIGIN_DEGREES = (2.5, 4.0)
SPLIT_TILE_ORIGIN_METRES = (250_000.0, 250_000.0)
#: Where coordinates of a layer about Suzhou may plausibly lie after conversion (lon/lat).
CHINA_BOX = (73.0, 3.0, 136.0, 54.0)


def _datum_key(name: str) -> str:
    s = name.lower().replace("_", " ").strip()
    for prefix in ("d ", "datum "):
        s = s.removeprefix(prefix)
    return " ".join(s.split())


def legacy_datum(crs: Any) -> str | None:
    """Name the legacy datum (西安1980, 北京1954, 新北京1954) a CRS is based on, or None.

    Recognises the EPSG definitions and ESRI ``.prj`` names (``D_Xian_1980``),
    geographic or Gauss-Krüger, with or without the zone prefix.

    Examples
    --------
    >>> legacy_datum("EPSG:2385")  # Xi'an 1980 / 3-degree GK CM 120E
    "西安1980 (Xi'an 1980)"
    >>> legacy_datum("EPSG:2416")  # Beijing 1954 / 3-degree GK zone 40
    '北京1954 (Beijing 1954)'
    >>> legacy_datum("EPSG:4549") is None
    True
    """
    if crs is None or is_gcj02(crs):
        return None
    try:
        c = CRS.from_user_input(crs)
    except _PyprojCRSError:
        return None
    datum = c.datum.name if c.datum is not None else ""
    key = _datum_key(datum)
    if key in LEGACY_DATUMS:
        return LEGACY_DATUMS[key]
    return None


@dataclass(frozen=True)
class DatumShift:
    """A Helmert (Bursa-Wolf) transformation from a legacy datum to CGCS2000.

    The seven (or three) parameters the surveying bureau issues for a region.
    Translations in metres, rotations in arc-seconds, scale in ppm, applied to
    geocentric coordinates on the legacy ellipsoid, giving geocentric
    coordinates on GRS80 (CGCS2000).

    Attributes
    ----------
    dx, dy, dz : float
        Translations (m).
    rx, ry, rz : float, default 0
        Rotations (arc-seconds).
    ds : float, default 0
        Scale difference (ppm).
    convention : {"position_vector", "coordinate_frame"}
        Sign convention of the rotations (EPSG methods 9606 and 9607); the two
        differ only in the sign of ``rx, ry, rz``.  Ask the bureau which one its
        parameters use.

    Examples
    --------
    >>> s = DatumShift.parse({"dx": -10, "dy": 150, "dz": 80})
    >>> s.dx, s.rx, s.convention
    (-10.0, 0.0, 'position_vector')
    """

    dx: float
    dy: float
    dz: float
    rx: float = 0.0
    ry: float = 0.0
    rz: float = 0.0
    ds: float = 0.0
    convention: str = "position_vector"

    _KEYS = {"dx": "dx", "x": "dx", "dy": "dy", "y": "dy", "dz": "dz", "z": "dz", "rx": "rx",
             "ry": "ry", "rz": "rz", "ds": "ds", "s": "ds", "scale_ppm": "ds",
             "convention": "convention"}

    @classmethod
    def parse(cls, value: Any) -> DatumShift:
        """Build from a mapping (``dx, dy, dz[, rx, ry, rz, ds, convention]``) or a 3/7-sequence."""
        if isinstance(value, DatumShift):
            return value
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(cls._KEYS))
            if unknown:
                raise CRSError(
                    f"datum_shift has unknown keys {unknown}",
                    hint="use dx, dy, dz (m), rx, ry, rz (arc-seconds), ds (ppm) and convention",
                )
            kw = {cls._KEYS[k]: v for k, v in value.items()}
            missing = [k for k in ("dx", "dy", "dz") if k not in kw]
            if missing:
                raise CRSError(f"datum_shift lacks {missing}", hint="give at least dx, dy and dz (m)")
        else:
            seq = list(value)
            if len(seq) not in (3, 7):
                raise CRSError(
                    f"datum_shift needs 3 or 7 numbers, got {len(seq)}",
                    hint="give (dx, dy, dz) or (dx, dy, dz, rx, ry, rz, ds)",
                )
            kw = dict(zip(("dx", "dy", "dz", "rx", "ry", "rz", "ds"), seq, strict=False))
        conv = str(kw.pop("convention", "position_vector")).replace("-", "_").lower()
        if conv not in ("position_vector", "coordinate_frame"):
            raise CRSError(
                f"datum_shift convention {conv!r} is unknown",
                hint="use 'position_vector' or 'coordinate_frame'",
            )
        try:
            nums = {k: float(v) for k, v in kw.items()}
        except (TypeError, ValueError):
            raise CRSError(f"datum_shift values must be numbers, got {kw}") from None
        return cls(**nums, convention=conv)

    def pipeline(self, source: Any) -> str:
        """Return the PROJ pipeline from coordinates in *source* to CGCS2000 longitude/latitude degrees.

        Examples
        --------
        >>> print(DatumShift(1, 2, 3).pipeline("EPSG:4610").split(" +step ")[2])
        +proj=cart +a=6378140.0 +rf=298.257
        """
        src = CRS.from_user_input(source)
        ell = src.ellipsoid
        ellps = f"+a={ell.semi_major_metre} +rf={ell.inverse_flattening}"
        if src.is_geographic:
            first = "+proj=unitconvert +xy_in=deg +xy_out=rad"
        else:
            first = "+inv " + _projection_only(src, ellps)
        helmert = f"+proj=helmert +x={self.dx} +y={self.dy} +z={self.dz}"
        if any((self.rx, self.ry, self.rz, self.ds)):
            helmert += f" +rx={self.rx} +ry={self.ry} +rz={self.rz} +s={self.ds}"
            helmert += f" +convention={self.convention}"
        steps = [
            first,
            f"+proj=cart {ellps}",
            helmert,
            "+inv +proj=cart +ellps=GRS80",
            "+proj=unitconvert +xy_in=rad +xy_out=deg",
        ]
        return "+proj=pipeline +step " + " +step ".join(steps)


def _projection_only(crs: CRS, ellps: str) -> str:
    """Return the PROJ string of *crs*'s map projection on its own ellipsoid, without datum terms."""
    import warnings

    with warnings.catch_warnings():
        # pyproj's note alone: the filters are shared by every thread, and another thread's block may keep this
        # one past its end, where a filter on every UserWarning would hide the library's own warnings
        warnings.filterwarnings("ignore", message="You will likely lose important projection information",
                                category=UserWarning)
        parts = crs.to_proj4().split()
    drop = ("+ellps=", "+datum=", "+towgs84=", "+type=", "+no_defs", "+a=", "+rf=", "+b=")
    keep = [p for p in parts if not p.startswith(drop)]
    return " ".join(keep) + " " + ellps


def _shift_transformer(source: Any, shift: Any):
    """Return a pyproj Transformer from *source* coordinates to CGCS2000 lon/lat for a datum shift."""
    from pyproj import Transformer

    if isinstance(shift, Transformer):
        return shift
    if isinstance(shift, str):
        try:
            return Transformer.from_pipeline(shift)
        except Exception as exc:  # pyproj raises ProjError
            raise CRSError(f"datum_shift is not a valid PROJ pipeline: {exc}") from None
    return Transformer.from_pipeline(DatumShift.parse(shift).pipeline(source))


# --------------------------------------------------------------------------- the CRS decision


@dataclass(frozen=True)
class CRSDecision:
    """How a layer's coordinates become CGCS2000: the CRS they are in and how it was known.

    Attributes
    ----------
    crs_in : str
        The coordinates' CRS, as text (``"EPSG:4549"``, ``"GCJ-02"``, a WKT name).
    how : str
        ``"declared"`` (the file or frame says so), ``"given"`` (the caller said so),
        ``"overridden"`` (the caller replaced a declared CRS) or ``"relabelled"``
        (a geographic label over projected metres, replaced by the given CRS).
    method : str
        ``"proj"``, ``"gcj02"``, ``"datum_shift"`` (local parameters) or
        ``"approximate"`` (legacy datum, PROJ's ballpark offset, accepted by the caller).
    datum : str or None
        The legacy datum, if any.
    approximate_m : float or None
        Stated positional uncertainty of an approximate conversion.
    pipeline : str or None
        The PROJ pipeline of a datum shift given as parameters or text.
    shift_from : str
        Where a datum shift came from: ``"given"`` (the caller) or ``"file"``
        (the 转换参数 of a 部标 coordinate file).
    """

    crs_in: str
    how: str
    method: str
    datum: str | None = None
    approximate_m: float | None = None
    pipeline: str | None = None
    shift_from: str = "given"
    _crs: Any = field(default=None, repr=False, compare=False)
    _shift: Any = field(default=None, repr=False, compare=False)

    @property
    def crs(self) -> CRS | None:
        """The source CRS as a pyproj CRS (None for GCJ-02)."""
        return self._crs

    @property
    def keeps_lonlat(self) -> bool:
        """True when the coordinates are already longitude/latitude on CGCS2000 or WGS84.

        No conversion could then bend an edge: the frame keeps the user's vertices.
        """
        return self.method == "proj" and self._crs is not None and self._crs.is_geographic

    @property
    def in_degrees(self) -> bool:
        """True when the stored coordinates are longitude/latitude degrees (GCJ-02 included)."""
        return self.method == "gcj02" or (self._crs is not None and self._crs.is_geographic)

    def to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates in the source CRS to CGCS2000 (EPSG:4490) longitude/latitude."""
        if self.method == "gcj02":
            return _inv_xy(x, y)
        if self.method == "datum_shift":
            return self._shift.transform(x, y)
        if self._crs is not None and self._crs == CRS.from_user_input(CGCS2000):
            return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        return transformer(self._crs, CGCS2000).transform(x, y)

    def to_crs_xy(self, to: Any):
        """Return a function ``(x, y) -> (x, y)`` from the source CRS to *to* (through CGCS2000 lon/lat)."""
        target = CRS.from_user_input(to)
        if target == CRS.from_user_input(CGCS2000):
            return self.to_lonlat
        onward = transformer(CRS.from_user_input(CGCS2000), target)

        def xy(x, y):
            return onward.transform(*self.to_lonlat(x, y))

        return xy

    def split_lengths(self, geoms: np.ndarray, to: Any = CGCS2000) -> np.ndarray:
        """Per geometry, the longest edge (source units) whose copy in *to* stays within 1 mm of it.

        ``inf`` where nothing needs splitting (longitude/latitude kept as they
        are).  See :func:`split_lengths`.
        """
        target = CRS.from_user_input(to)
        if self.keeps_lonlat and target == CRS.from_user_input(CGCS2000):
            return np.full(len(geoms), np.inf)
        return split_lengths(geoms, self.to_crs_xy(target), degrees=self.in_degrees,
                             target_degrees=target.is_geographic)

    def shift_to(self, to: Any, bounds: Any) -> tuple[float, float] | None:
        """``(dx, dy)`` if coordinates in the source CRS become *to* by a shift alone, else None.

        EPSG:4549 → EPSG:4549 is ``(0, 0)``; EPSG:4528 (the same projection with
        the zone number 40 before the easting) → EPSG:4549 is ``(-40 000 000, 0)``.
        Decided numerically over *bounds*, so a ``.prj`` in ESRI's words for the
        same projection counts too.
        """
        if bounds is None or self.method != "proj" or self._crs is None or self._crs.is_geographic:
            return None
        return _pure_shift(self.to_crs_xy(to), bounds)

    def note(self) -> str:
        """Return a sentence for reports: how the coordinates were converted (bilingual)."""
        if self.method == "approximate":
            return (
                f"坐标为{self.datum}，未使用本地转换参数，按近似方法转换，位置误差约 ±{self.approximate_m:g} m / "
                f"coordinates in {self.datum} converted without local parameters: positions approximate "
                f"(± about {self.approximate_m:g} m)"
            )
        if self.method == "datum_shift" and self.shift_from == "file":
            return (f"坐标由{self.datum}按文件中的转换参数转换 / converted from {self.datum} with the transformation "
                    "parameters (转换参数) given in the file")
        if self.method == "datum_shift":
            return f"坐标由{self.datum}按给定参数转换 / converted from {self.datum} with the given parameters"
        if self.method == "gcj02":
            return "坐标由 GCJ-02（高德）转换 / converted from GCJ-02 (Amap/Gaode)"
        return f"{self.crs_in} ({self.how})"

    def transform(self, geoms: np.ndarray) -> np.ndarray:
        """Convert geometries in the source CRS to CGCS2000 (EPSG:4490) longitude/latitude."""
        geoms = np.asarray(geoms, dtype=object)
        if self.method == "proj" and self._crs is not None and self._crs == CRS.from_user_input(CGCS2000):
            return geoms
        return shapely.transform(geoms, self.to_lonlat, interleaved=False)


@lru_cache(maxsize=32)
def transformer(src: Any, dst: Any = CGCS2000):
    """Return a pyproj Transformer from *src* to *dst*, x = easting/longitude, made once per pair (thread-safe).

    Examples
    --------
    >>> x, y = transformer("EPSG:4490", "EPSG:4549").transform(120.0, 31.3)
    >>> round(x, 3)
    500000.0
    """
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def _grid(bounds: Any, n: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """Return an n × n grid of points over *bounds* (fewer along an axis without extent)."""
    b = np.asarray(bounds, dtype=float)
    xs = np.linspace(b[0], b[2], n if b[2] > b[0] else 1)
    ys = np.linspace(b[1], b[3], n if b[3] > b[1] else 1)
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def _metres_per_unit(x: np.ndarray, y: np.ndarray, degrees: bool) -> tuple[np.ndarray, np.ndarray]:
    """Ground metres per coordinate unit along x and y (GRS80 radii of curvature for degrees; 1 for metres)."""
    if not degrees:
        return np.ones_like(x), np.ones_like(y)
    a, e2 = 6378137.0, 0.00669438002290
    s2 = np.sin(np.radians(y)) ** 2
    n = a / np.sqrt(1 - e2 * s2)
    m = a * (1 - e2) / (1 - e2 * s2) ** 1.5
    return n * np.cos(np.radians(y)) * np.pi / 180, m * np.pi / 180


def densify_step(transform, bounds: Any, *, degrees: bool, target_degrees: bool = False,
                 tolerance_m: float = DENSIFY_TOLERANCE_M) -> float:
    """Bound the longest edge that *transform* bends by at most *tolerance_m* (in the source's units).

    An edge straight in the source CRS, of length *L* (source units) and
    direction *u*, becomes a curve in the target CRS; the straight edge
    between its transformed ends lies at most ``|D²f[u, u]| · L² / 8`` from
    it (*f* the transformation, ``D²f`` its second derivatives), to the
    second order.  The second derivatives are taken by central differences on
    a 9 × 9 grid over *bounds*, measured in ground metres, maximised over every
    direction and the grid and multiplied by :data:`DENSIFY_SAFETY`; the
    result is the *L* at which that bound reaches *tolerance_m*.  Around Suzhou,
    for longitude/latitude → EPSG:4549: ≈ 0.0024° (≈ 230 m east–west), so
    parcel edges are rarely split and a 20 km redline edge is cut in ~90.
    ``tests/test_densify.py`` checks it against brute-force densified edges.

    Parameters
    ----------
    transform : callable(x, y) -> (x, y)
        From the source CRS to the target CRS (arrays).
    bounds : (minx, miny, maxx, maxy)
        Where the edges lie, in the source CRS.
    degrees : bool
        The source coordinates are degrees (finite differences of 0.01°, else 1 000 units).
    target_degrees : bool, default False
        The target coordinates are degrees (deviations converted to metres on GRS80).
    tolerance_m : float, default :data:`DENSIFY_TOLERANCE_M`

    Returns
    -------
    float
        ``inf`` when the transformation is affine over *bounds* (no edge bends).

    Examples
    --------
    >>> from pyproj import Transformer
    >>> t = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)
    >>> step = densify_step(t.transform, (120.0, 30.8, 121.3, 32.0), degrees=True)
    >>> 0.002 < step < 0.003  # degrees: about 230 m east-west, 270 m north-south
    True
    >>> densify_step(lambda x, y: (x + 5, 2 * y), (0, 0, 10, 10), degrees=False)
    inf
    """
    gx, gy = _grid(bounds)
    h = 0.01 if degrees else 1000.0
    dx = np.array([0, h, -h, 0, 0, h, h, -h, -h])
    dy = np.array([0, 0, 0, h, -h, h, -h, h, -h])
    with np.errstate(invalid="ignore"):
        tx, ty = transform((gx[:, None] + dx).ravel(), (gy[:, None] + dy).ravel())
    f = np.stack([np.asarray(tx, float).reshape(len(gx), 9), np.asarray(ty, float).reshape(len(gx), 9)])
    fxx = (f[..., 1] - 2 * f[..., 0] + f[..., 2]) / h**2
    fyy = (f[..., 3] - 2 * f[..., 0] + f[..., 4]) / h**2
    fxy = (f[..., 5] - f[..., 6] - f[..., 7] + f[..., 8]) / (4 * h * h)
    sx, sy = _metres_per_unit(f[0, :, 0], f[1, :, 0], target_degrees)
    theta = np.linspace(0.0, np.pi, 181)
    c, s = np.cos(theta)[:, None], np.sin(theta)[:, None]
    vx = sx * (fxx[0] * c * c + 2 * fxy[0] * c * s + fyy[0] * s * s)
    vy = sy * (fxx[1] * c * c + 2 * fxy[1] * c * s + fyy[1] * s * s)
    bow = np.hypot(vx, vy) / 8  # metres per (source unit)², per direction and grid point
    if not np.isfinite(bow).any():  # the transformation fails over these bounds: the cautious old steps
        return DENSIFY_DEGREES if degrees else DENSIFY_METRES
    k = float(np.nanmax(bow)) * DENSIFY_SAFETY
    return float(np.sqrt(tolerance_m / k)) if k > 0 else np.inf


def split_lengths(geoms: np.ndarray, transform, *, degrees: bool, target_degrees: bool = False) -> np.ndarray:
    """Per geometry, the split length of :func:`densify_step` over the tiles its bounding box touches.

    The tiles (:data:`SPLIT_TILE_DEGREES`, :data:`SPLIT_TILE_METRES`) make the
    length a function of the geometry alone: a parcel is split the same way
    whether it is read with ten others or ten million.  ``inf`` for missing
    and empty geometries.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> t = transformer("EPSG:4490", "EPSG:4549")
    >>> g = np.array([box(120.6, 31.3, 120.61, 31.31), box(120.2, 31.4, 120.3, 31.5), None], dtype=object)
    >>> steps = split_lengths(g, t.transform, degrees=True)
    >>> bool(steps[0] == steps[1]), float(steps[2])  # the same tile, the same length
    (True, inf)
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.full(len(geoms), np.inf)
    with np.errstate(invalid="ignore"):
        b = shapely.bounds(geoms)
    ok, boxes, which = _tile_boxes(b, degrees)
    if len(boxes):
        steps = np.array([_tile_step(transform, tuple(box), degrees, target_degrees) for box in boxes])
        out[ok] = steps[which]
    return out


@lru_cache(maxsize=256)
def _tile_step(transform, box: tuple, degrees: bool, target_degrees: bool) -> float:
    """:func:`densify_step` over one tile box, computed once per transformation and box (every chunk asks)."""
    return densify_step(transform, box, degrees=degrees, target_degrees=target_degrees)


def _tile_boxes(b: np.ndarray, degrees: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which bounding boxes are finite, the distinct boxes of tiles they touch, and which of those each has.

    Returns ``(ok, boxes, which)``: *ok* a mask over *b*, *boxes* one
    ``[minx, miny, maxx, maxy]`` per distinct tile box, *which* its number for
    each finite row.
    """
    ok = np.isfinite(b).all(axis=1)
    if not ok.any():
        return ok, np.empty((0, 4)), np.empty(0, np.int64)
    tile = SPLIT_TILE_DEGREES if degrees else SPLIT_TILE_METRES
    origin = np.array(SPLIT_TILE_ORIGIN_DEGREES if degrees else SPLIT_TILE_ORIGIN_METRES)
    corner = np.r_[origin, origin]
    fin = b[ok] if not ok.all() else b
    lo = np.floor((fin[:, :2].min(axis=0) - origin) / tile)
    hi = np.maximum(np.ceil((fin[:, 2:].max(axis=0) - origin) / tile), lo + 1)
    if (hi - lo == 1).all():  # the usual case (Suzhou lies in one tile): every box has that tile alone
        return ok, (np.r_[lo, hi] * tile + corner)[None, :], np.zeros(len(fin), np.int64)
    lo = np.floor((fin[:, :2] - origin) / tile)
    hi = np.maximum(np.ceil((fin[:, 2:] - origin) / tile), lo + 1)
    tiles = np.column_stack([lo, hi]).astype(np.int64)
    # one integer per tile box (tile numbers are small: |lon| ≤ 180, |x| ≤ 1e8 m over 5e5 m tiles)
    key = ((tiles[:, 0] + 2048) << 48) | ((tiles[:, 1] + 2048) << 36) | ((tiles[:, 2] - tiles[:, 0]) << 18) \
        | (tiles[:, 3] - tiles[:, 1])
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return ok, tiles[first] * tile + corner, np.ravel(inverse)


#: Margin (m) added all round by :func:`enclosing_boxes`: a layer's copy in the work CRS lies within
#: :data:`DENSIFY_TOLERANCE_M` of the converted points of its stored edges, a thousandth of this.
ENCLOSING_MARGIN_M = 1.0


def enclosing_boxes(bounds: Any, transform, *, degrees: bool) -> np.ndarray:
    """Boxes in the target CRS that surely hold what *transform* makes of each source box, without its geometry.

    Each box's centre is transformed exactly; its half-width and half-height
    grow by the largest partial derivatives of the transformation over the
    tiles the box touches (the mean-value theorem: no point of the box can move
    farther from the centre's image), plus :data:`ENCLOSING_MARGIN_M`.  The
    derivatives are sampled by central differences on a 33 × 33 grid over the
    tiles and raised by the largest change between neighbouring samples (what
    they could reach in between).  Longitude/latitude → EPSG:4549, a
    1-ha parcel at 120.6°E, 31.3°N comes out 4.9 % wider east–west and 1.9 %
    north–south than the exact bounds of its converted shape (the bounds hold
    over the whole 5° tile), and 1 m more all round: a test against converted
    shapes checks it never comes out smaller.  A way to tell which parcels lie
    far from a layer before converting them at all.

    Parameters
    ----------
    bounds : array of shape (n, 4)
        ``[minx, miny, maxx, maxy]`` in the source CRS (NaN rows stay NaN).
    transform : callable(x, y) -> (x, y)
        From the source CRS to the target CRS (arrays).
    degrees : bool
        The source coordinates are degrees.

    Returns
    -------
    numpy.ndarray of shape (n, 4)
        NaN where a box is not finite or the transformation cannot be evaluated over its tiles.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> t = transformer("EPSG:4490", "EPSG:4549")
    >>> parcel = box(120.6, 31.3, 120.601, 31.301)
    >>> exact = shapely.bounds(shapely.transform(parcel, t.transform, interleaved=False))
    >>> outer = enclosing_boxes(np.array([shapely.bounds(parcel)]), t.transform, degrees=True)[0]
    >>> bool((outer[:2] <= exact[:2]).all() and (outer[2:] >= exact[2:]).all())
    True
    >>> round(float((outer[2] - outer[0]) - (exact[2] - exact[0])), 1)  # metres wider, of 96 m
    6.7
    """
    b = np.asarray(bounds, dtype=float).reshape(-1, 4)
    out = np.full(b.shape, np.nan)
    ok, boxes, which = _tile_boxes(b, degrees)
    if not len(boxes):
        return out
    slopes = np.array([_largest_slopes(transform, tuple(box), degrees) for box in boxes])  # (tiles, 2, 2)
    s = slopes[which] if len(boxes) > 1 else slopes  # one tile: broadcast, not repeated per row
    fin = b[ok] if not ok.all() else b
    hx, hy = (fin[:, 2] - fin[:, 0]) * 0.5, (fin[:, 3] - fin[:, 1]) * 0.5
    with np.errstate(invalid="ignore"):
        tx, ty = transform(fin[:, 0] + hx, fin[:, 1] + hy)
    rx = s[:, 0, 0] * hx + s[:, 0, 1] * hy + ENCLOSING_MARGIN_M
    ry = s[:, 1, 0] * hx + s[:, 1, 1] * hy + ENCLOSING_MARGIN_M
    tx, ty = np.asarray(tx, float), np.asarray(ty, float)
    out[ok] = np.column_stack([tx - rx, ty - ry, tx + rx, ty + ry])
    return out


@lru_cache(maxsize=256)
def _largest_slopes(transform, box: tuple, degrees: bool, n: int = 33) -> np.ndarray:
    """``|∂(X, Y)/∂(x, y)|`` bounded over *box*: a 2 × 2 array (NaN if the transformation fails there).

    Made once per transformation and tile, like :func:`_tile_step` (every chunk and batch asks).
    """
    gx, gy = _grid(box, n)
    h = 1e-4 if degrees else 10.0
    dx = np.array([h, -h, 0, 0])
    dy = np.array([0, 0, h, -h])
    with np.errstate(invalid="ignore"):
        tx, ty = transform((gx[:, None] + dx).ravel(), (gy[:, None] + dy).ravel())
    f = np.stack([np.asarray(tx, float).reshape(len(gx), 4), np.asarray(ty, float).reshape(len(gx), 4)])
    d = np.abs(np.stack([(f[..., 0] - f[..., 1]) / (2 * h), (f[..., 2] - f[..., 3]) / (2 * h)], axis=-1))
    if not np.isfinite(d).all():
        return np.full((2, 2), np.nan)
    shape = (n if box[3] > box[1] else 1, n if box[2] > box[0] else 1)  # as _grid lays the points out
    grid = d.reshape(2, *shape, 2)  # (output, row, column, input)
    step = max(np.abs(np.diff(grid, axis=1)).max(initial=0.0), np.abs(np.diff(grid, axis=2)).max(initial=0.0))
    return grid.max(axis=(1, 2)) + step


def _pure_shift(transform, bounds: Any) -> tuple[float, float] | None:
    """``(dx, dy)`` if *transform* moves every point of *bounds* by the same vector (to 1e-7 m), else None."""
    gx, gy = _grid(bounds, 5)
    with np.errstate(invalid="ignore"):
        tx, ty = transform(gx, gy)
    d = np.column_stack([np.asarray(tx, float) - gx, np.asarray(ty, float) - gy])
    if not np.isfinite(d).all() or np.abs(d - d[0]).max() > 1e-7:
        return None
    shift = np.round(d[0], 3)  # false eastings and northings are whole millimetres
    return (float(shift[0]), float(shift[1])) if np.abs(d - shift).max() <= 1e-7 else None


def _describe(crs: Any) -> str:
    try:
        c = CRS.from_user_input(crs)
        epsg = c.to_epsg()
        return f"EPSG:{epsg} ({c.name})" if epsg else c.name
    except Exception:  # pragma: no cover - only used in messages
        return str(crs)


def finite_bounds(geoms: np.ndarray) -> np.ndarray | None:
    """Bounds ``[minx, miny, maxx, maxy]`` of every finite coordinate of *geoms* (None if there is none).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> finite_bounds(np.array([box(0, 0, 1, 1), None, box(2, -1, 3, 0)], dtype=object)).tolist()
    [0.0, -1.0, 3.0, 1.0]
    """
    geoms = np.asarray(geoms, dtype=object)
    with np.errstate(invalid="ignore"):
        b = shapely.bounds(geoms)  # one pass in GEOS; NaN for missing and empty geometries
    good = np.isfinite(b).all(axis=1)
    odd = ~good & ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)  # NaN or inf among the coordinates
    boxes = [b[good]]
    if odd.any():
        xy = shapely.get_coordinates(geoms[odd])
        xy = xy[np.isfinite(xy).all(axis=1)]
        boxes.append(np.column_stack([xy, xy]))
    b = np.concatenate(boxes)
    if not len(b):
        return None
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


def _is_degrees(b: np.ndarray) -> bool:
    return bool(max(abs(b[0]), abs(b[2])) <= 180 and max(abs(b[1]), abs(b[3])) <= 90)


def _in_box(b: np.ndarray, box=CHINA_BOX) -> bool:
    return bool(b[0] >= box[0] and b[1] >= box[1] and b[2] <= box[2] and b[3] <= box[3])


def _swapped_degrees(b: np.ndarray) -> bool:
    """Latitude in x and longitude in y, around China."""
    return bool(CHINA_BOX[1] <= b[0] and b[2] <= CHINA_BOX[3] and CHINA_BOX[0] <= b[1] and b[3] <= CHINA_BOX[2])


def _swapped_metres(b: np.ndarray) -> bool:
    """Gauss-Krüger metres with the northing in x (with or without the zone prefix in y)."""
    minx, miny, maxx, maxy = (float(v) for v in b)
    return 2_000_000 <= minx <= maxx <= 6_000_000 and (
        0 < miny and maxy < 1_000_000 or 40_000_000 <= miny and maxy <= 41_000_000
    )


def _swapped(b: np.ndarray, name: str, spelling, label: str) -> CRSError | None:
    """Return the error for swapped axes (degrees or Gauss-Krüger metres), or None if the axes look right.

    *label* says what the layer declares (``"has no CRS"``, ``"declares EPSG:4549 (…)"``).
    """
    if _swapped_degrees(b):
        what = (f"latitude/longitude with the axes swapped: x runs {b[0]:.4f}–{b[2]:.4f} (a latitude), "
                f"y {b[1]:.4f}–{b[3]:.4f} (a longitude)")
    elif _swapped_metres(b):
        what = f"Gauss-Krüger metres with x and y swapped: x holds the northing (bounds {_round(b)})"
    else:
        return None
    return CRSError(f"{label}, but its coordinates are {what}", source=name, hint=_swapped_hint(spelling))


def _swapped_hint(spelling) -> str:
    src = arg("swap_xy", "True", spelling)
    how = f"pass {src}" if src else "swap x and y in the data"
    return f"{how} (the first coordinate must be the longitude/easting)"


def _round(b: np.ndarray) -> list:
    return [round(float(v), 4 if _is_degrees(b) else 1) for v in b]


def _projected_lonlat_bounds(crs: CRS, b: np.ndarray) -> np.ndarray | None:
    """Bounds of the corners of *b* converted to lon/lat, None if they do not convert."""
    try:
        t = transformer(crs, "EPSG:4326")  # made once per CRS: making one costs ~50 ms
        xs = np.array([b[0], b[2], b[0], b[2]])
        ys = np.array([b[1], b[1], b[3], b[3]])
        lon, lat = t.transform(xs, ys)
    except Exception:  # pragma: no cover - PROJ errors on absurd input
        return None
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        return None
    return np.array([lon.min(), lat.min(), lon.max(), lat.max()])


def _check_coordinates(crs: CRS, b: np.ndarray, name: str, spelling) -> None:
    """Refuse coordinates that cannot be in *crs* around China, naming what they look like."""
    swapped = _swapped(b, name, spelling, f"declares {_describe(crs)}")
    if swapped is not None:
        ll = None if crs.is_geographic else _projected_lonlat_bounds(crs, b)
        if ll is None or not _in_box(ll):  # a projected layer whose coordinates fit it is not swapped
            raise swapped
    if crs.is_geographic:
        if not _is_degrees(b):
            guesses = guess_crs(b)  # only to say what they look like
            like = f"; they look like {guesses[0]}" if guesses else ""
            fix = arg("crs", f"'{guesses[0] if guesses else 'EPSG:4549'}'", spelling)
            over = arg("override_crs", "True", spelling)
            raise CRSError(
                f"is declared geographic ({_describe(crs)}) but its coordinates "
                f"(bounds {_round(b)}) are not degrees{like}",
                source=name,
                hint=(f"pass {fix}" + (f" with {over}" if over else "")) if fix else "correct the .prj",
            )
        return
    ll = _projected_lonlat_bounds(crs, b)
    if ll is not None and _in_box(ll):
        return
    guesses = guess_crs(b)  # only to say what they look like
    like = ""
    if guesses:
        like = f"; they look like {guesses[0]}"
        if guesses[0] == CGCS2000_GK_ZONE40:
            like += " (eastings carry the zone prefix 40)"
        elif guesses[0] == CGCS2000_GK_CM120:
            like += " (eastings without a zone prefix)"
    fix = arg("crs", f"'{guesses[0]}'", spelling) if guesses and guesses[0].startswith("EPSG") else None
    over = arg("override_crs", "True", spelling)
    hint = (f"pass {fix}" + (f" and {over}" if over else "")) if fix else "check the .prj against the data"
    raise CRSError(
        f"declares {_describe(crs)} but its coordinates (bounds {_round(b)}) do not fall in China "
        f"in that CRS{like}",
        source=name, hint=hint,
    )


def parse_crs(value: Any, *, what: str, source: str, hint: str | None = None) -> CRS:
    """Return *value* as a pyproj CRS, or raise the library's CRSError naming *what* it was.

    Examples
    --------
    >>> parse_crs("EPSG:4549", what="the grid's CRS", source="rasterize").to_epsg()
    4549
    >>> try:
    ...     parse_crs("EPSG:0", what="the grid's CRS", source="rasterize")
    ... except CRSError as exc:
    ...     print(str(exc).split(" (")[0])
    rasterize: the grid's CRS 'EPSG:0' is not a valid CRS
    """
    try:
        return CRS.from_user_input(value)
    except _PyprojCRSError as exc:
        raise CRSError(f"{what} {value!r} is not a valid CRS ({exc})", source=source, hint=hint) from None


def resolve_crs(
    data: Any,
    given: Any = None,
    *,
    override: bool = False,
    datum_shift: Any = None,
    approximate_datum: bool = False,
    name: str = "layer",
    spelling: dict[str, str | None] | None = None,
    bounds: np.ndarray | None = None,
) -> CRSDecision:
    """Decide which CRS a layer's coordinates are in, and how to convert them to CGCS2000.

    Never guesses: a missing CRS, a declared CRS the coordinates cannot be in
    (metres under a degree label, a zone prefix under EPSG:4549, swapped axes)
    and a legacy datum without parameters are errors that say what the
    coordinates look like and which argument fixes it.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or array of geometries
        The layer, with its declared CRS (``.crs``) if any.
    given : str or pyproj.CRS, optional
        The CRS the caller says the coordinates are in (``"GCJ-02"`` accepted).
    override : bool, default False
        Let *given* replace a different declared CRS.
    datum_shift : mapping, sequence, str or pyproj.Transformer, optional
        Local parameters for a legacy datum (see :class:`DatumShift`), or a PROJ
        pipeline / Transformer from the source coordinates to CGCS2000 lon/lat.
    approximate_datum : bool, default False
        Accept PROJ's ballpark conversion of a legacy datum (positions ± about 100 m).
    name : str
        The layer's name in messages.
    spelling : dict, optional
        How the calling function spells ``crs``, ``override_crs``, ``datum_shift``,
        ``approximate_datum`` and ``swap_xy`` (see :func:`suzhou_geo.errors.arg`).
    bounds : array of 4 floats, optional
        The bounds of the layer's finite coordinates when already known (then
        *data* may be empty: only its declared CRS is read).

    Returns
    -------
    CRSDecision

    Raises
    ------
    CRSError, DatumError

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoSeries([Point(40_557_000, 3_464_000)], crs="EPSG:4549")
    >>> try:
    ...     resolve_crs(g, name="parcels.shp")
    ... except CRSError as exc:
    ...     print("EPSG:4528" in str(exc) and "zone prefix" in str(exc))
    True
    >>> resolve_crs(gpd.GeoSeries([Point(557_000, 3_464_000)]), "EPSG:4549").how
    'given'
    """
    import geopandas as gpd

    if isinstance(data, gpd.GeoDataFrame):
        attrs, data = data.attrs, data.geometry
    else:
        attrs = getattr(data, "attrs", {})
    geoms = np.asarray(getattr(data, "values", data), dtype=object)
    declared = getattr(data, "crs", None)
    if declared is None and attrs.get(ATTRS_KEY) == GCJ02 and given is None:
        given = GCJ02
    bounds = finite_bounds(geoms) if bounds is None else np.asarray(bounds, dtype=float)
    if is_gcj02(given):
        return _gcj02_decision(declared, override, bounds, name, spelling)
    if declared is None and given is None:
        _missing(bounds, name, spelling)
    crs, how = _chosen_crs(declared, given, override, bounds, name, spelling)
    if bounds is not None:
        _check_coordinates(crs, bounds, name, spelling)
    return _datum_decision(crs, how, datum_shift, approximate_datum, name, spelling)


def _gcj02_decision(declared, override: bool, bounds, name: str, spelling) -> CRSDecision:
    """GCJ-02 was given: the coordinates must be longitude/latitude."""
    if declared is not None and not override and not CRS.from_user_input(declared).is_geographic:
        raise CRSError(
            f"is declared as {_describe(declared)}, a projected CRS, but GCJ-02 was given; "
            "GCJ-02 coordinates are longitude/latitude",
            source=name, hint="check which file holds the Amap/Gaode coordinates",
        )
    if bounds is not None:
        _check_coordinates(CRS.from_user_input(CGCS2000), bounds, name, spelling)
    return CRSDecision(GCJ02, "given", "gcj02")


def _chosen_crs(declared, given, override: bool, bounds, name: str, spelling) -> tuple[CRS, str]:
    """Return the CRS the coordinates are in, from the declared and the given one, and how it was chosen."""
    if given is None:
        return parse_crs(declared, what="the declared CRS", source=name), "declared"
    given_crs = parse_crs(given, what="the CRS given", source=name)
    if declared is None:
        return given_crs, "given"
    if given_crs == CRS.from_user_input(declared):
        return given_crs, "declared"
    if override:
        return given_crs, "overridden"
    if bounds is not None and CRS.from_user_input(declared).is_geographic and not _is_degrees(bounds):
        # e.g. a GeoJSON (always labelled EPSG:4326) holding Gauss-Krüger metres
        log.warning("%s declares %s but holds metres; using %s", name, _describe(declared), given)
        return given_crs, "relabelled"
    over = arg("override_crs", "True", spelling)
    raise CRSError(
        f"declares {_describe(declared)} but {_describe(given_crs)} was given",
        source=name,
        hint=(f"if the declared CRS is wrong, also pass {over}" if over else
              "correct the file's .prj, or leave the CRS option out to use the declared one"),
    )


def _datum_decision(crs: CRS, how: str, datum_shift, approximate_datum: bool, name: str,
                    spelling) -> CRSDecision:
    """How coordinates in *crs* reach CGCS2000: PROJ, the caller's datum shift, or approximately."""
    datum = legacy_datum(crs)
    if datum is None:
        if datum_shift is not None:
            raise CRSError(
                f"is in {_describe(crs)}, not a legacy datum, so a datum shift does not apply",
                source=name, hint="leave datum_shift out",
            )
        return CRSDecision(_describe(crs), how, "proj", _crs=crs)
    if datum_shift is not None:
        t = _shift_transformer(crs, datum_shift)
        pipe = t.definition if hasattr(t, "definition") else None
        return CRSDecision(_describe(crs), how, "datum_shift", datum=datum, pipeline=pipe, _crs=crs, _shift=t)
    if approximate_datum:
        return CRSDecision(
            _describe(crs), how, "approximate", datum=datum, approximate_m=APPROXIMATE_DATUM_M, _crs=crs
        )
    _refuse_legacy(crs, datum, name, spelling)


def _refuse_legacy(crs: CRS, datum: str, name: str, spelling) -> None:
    """Raise the DatumError that says why a legacy datum needs parameters, and which arguments give them."""
    from .errors import DatumError

    shift = arg("datum_shift", "{'dx': …, 'dy': …, 'dz': …, 'rx': …, 'ry': …, 'rz': …, 'ds': …}", spelling)
    approx = arg("approximate_datum", "True", spelling)
    ways = []
    if shift:
        ways.append(f"pass the local 7- (or 3-) parameter transformation your surveying bureau issues as {shift} "
                    "(or a PROJ pipeline string)")
    if approx:
        ways.append(f"accept an approximate conversion with {approx}; every result then says positions are "
                    f"approximate (± about {APPROXIMATE_DATUM_M:g} m)")
    raise DatumError(
        f"is in {_describe(crs)}, on the legacy datum {datum}. There is no published transformation from it "
        "to CGCS2000: PROJ only offers a ballpark offset, which puts features tens of metres off around "
        "Suzhou (enough to turn a parcel 25 m outside a redline into a conflict)",
        source=name,
        hint=" or ".join(ways) if ways else "convert the data to CGCS2000 with the bureau's parameters first",
    )


def _missing(bounds, name: str, spelling) -> None:
    guesses = guess_crs(bounds) if bounds is not None else []
    swapped = _swapped(bounds, name, spelling, "has no CRS") if bounds is not None else None
    if swapped is not None:
        raise swapped
    look = f" The coordinates (bounds {_round(bounds)}) look like {' or '.join(guesses)}." if guesses else ""
    projected = [g for g in guesses if g.startswith("EPSG") and g != CGCS2000]
    if len(projected) > 1:
        named = " and ".join(_describe(g) for g in projected)
        look = (f" The coordinates (bounds {_round(bounds)}) fit {len(projected)} CRSs, {named}, which the numbers "
                "cannot tell apart (they put the same point tens to hundreds of metres apart): ask whoever made the "
                "file which it is.")
    example = guesses[0] if guesses else "EPSG:4549"
    fix = arg("crs", f"'{example}'", spelling)
    if len(projected) > 1 and fix:
        fix = " or ".join(arg("crs", f"'{g}'", spelling) for g in projected)
    # Amap/Gaode coordinates are longitude/latitude: suggested for degrees (or when nothing fits) only
    gcj = arg("crs", "'GCJ-02'", spelling) if not projected else None
    raise CRSError(
        f"has no coordinate reference system (no .prj, a database table with SRID 0, or a frame without a CRS).{look} "
        "The library never guesses",
        source=name,
        hint=(f"say what it is: pass {fix}" + (f", or {gcj} for Amap/Gaode coordinates" if gcj else ""))
        if fix else "give the layer a CRS",
    )


def swap_xy(data: Any):
    """Return *data* with x and y swapped (for layers digitised latitude-first or northing-first).

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries, shapely geometry or array of geometries

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> swap_xy(Point(31.3, 120.6)).coords[0]
    (120.6, 31.3)
    """
    import geopandas as gpd

    def flip(xy: np.ndarray) -> np.ndarray:
        return xy[:, ::-1]

    if isinstance(data, gpd.GeoDataFrame):
        out = data.copy()
        out[data.geometry.name] = gpd.GeoSeries(
            shapely.transform(np.asarray(data.geometry.values), flip), index=data.index, crs=data.crs
        )
        return out
    if isinstance(data, gpd.GeoSeries):
        return gpd.GeoSeries(shapely.transform(np.asarray(data.values), flip), index=data.index, crs=data.crs)
    return shapely.transform(data, flip)


def densify(geoms: np.ndarray, step: Any) -> np.ndarray:
    """Split every edge longer than *step* (in the geometries' own units; one per geometry, or one for all).

    Only geometries with such an edge are segmentized (found from their
    bounding boxes, then their coordinates); the others are returned as they
    are (the same objects), so a layer of small parcels costs little more than
    a pass over its bounding boxes.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> import numpy as np
    >>> int(shapely.get_num_coordinates(densify(np.array([LineString([(0, 0), (100, 0)])]), 25.0))[0])
    5
    >>> densify(np.array([LineString([(0, 0), (100, 0)])]), np.inf)[0].wkt
    'LINESTRING (0 0, 100 0)'
    """
    geoms = np.asarray(geoms, dtype=object)
    step = np.broadcast_to(np.asarray(step, dtype=float), (len(geoms),))
    if not len(geoms) or not np.isfinite(step).any():
        return geoms
    long = _with_long_edges(geoms, step)
    if not len(long):
        return geoms
    out = geoms.copy()
    out[long] = shapely.segmentize(geoms[long], step[long])
    return out


def _with_long_edges(geoms: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Positions of the geometries that have an edge longer than their *step* (and a few that may not)."""
    b = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        cand = np.flatnonzero(np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) > step)  # not missing, not empty
    if not len(cand):
        return cand
    xy, idx = shapely.get_coordinates(geoms[cand], return_index=True)
    with np.errstate(invalid="ignore"):
        long = (np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1])) > step[cand][idx[1:]]) & (idx[1:] == idx[:-1])
    # (the step from a ring's last vertex to the next ring's first counts too: a geometry too many, never one
    # too few; a NaN coordinate makes its geometry a candidate)
    long |= ~np.isfinite(xy[1:]).all(axis=1) & (idx[1:] == idx[:-1])
    return cand[np.unique(idx[1:][long])]


def ensure_crs(
    data: Any,
    assume: Any = None,
    *,
    override: bool = False,
    to: Any = CGCS2000,
    name: str = "layer",
    datum_shift: Any = None,
    approximate_datum: bool = False,
    densify_edges: bool = True,
):
    """Return *data* in *to* (EPSG:4490 by default), refusing to guess its CRS.

    The CRS is decided by :func:`resolve_crs` (declared or given, checked against
    the coordinates, legacy datums only with parameters or explicit acceptance);
    edges that the conversion would bend by more than 1 mm are split in the
    source CRS first (:func:`split_lengths`), so the shape does not change with the CRS.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
        The layer.
    assume : str or pyproj.CRS, optional
        The CRS to use when *data* has none (for example ``"EPSG:4549"``), or
        ``"GCJ-02"`` for Amap/Gaode coordinates (also over a declared
        WGS84/CGCS2000 label, because GCJ-02 data are almost always labelled EPSG:4326).
    override : bool, default False
        Replace a declared CRS that differs from *assume*.
    to : str or pyproj.CRS, default ``"EPSG:4490"``
        The CRS to return.
    name : str
        How to call the layer in error messages (a file name, say).
    datum_shift, approximate_datum
        For legacy datums, see :func:`resolve_crs`.
    densify_edges : bool, default True
        Split edges in the source CRS where converting would bend them by more than 1 mm.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy in *to*.

    Raises
    ------
    CRSError
        The CRS is missing or contradicts the coordinates; the message names the
        likely CRS and the argument to pass.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(557000, 3464000)])  # central Suzhou in EPSG:4549
    >>> ensure_crs(g, assume="EPSG:4549").crs.to_epsg()
    4490
    """
    import geopandas as gpd

    spelling = {"crs": "assume={value}", "override_crs": "override={value}", "swap_xy": None}
    decision = resolve_crs(
        data, assume, override=override, datum_shift=datum_shift,
        approximate_datum=approximate_datum, name=name, spelling=spelling,
    )
    series = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    geoms = np.asarray(series.values, dtype=object)
    target = CRS.from_user_input(to)
    same = decision.crs is not None and decision.crs == target
    if not same:
        if densify_edges:
            geoms = densify(geoms, decision.split_lengths(geoms, to=target))
        geoms = decision.transform(geoms)
    out_geo = gpd.GeoSeries(geoms, index=series.index, crs=CGCS2000 if not same else target)
    if not same and target != CRS.from_user_input(CGCS2000):
        out_geo = out_geo.to_crs(target)
    if isinstance(data, gpd.GeoDataFrame):
        out = data.copy()
        out[data.geometry.name] = out_geo
        out = out.set_geometry(data.geometry.name, crs=out_geo.crs)
        out.attrs.pop(ATTRS_KEY, None)
        return out
    out_geo.name = series.name
    return out_geo
