"""Geometry as files hold it: WKB that shapely refuses, made usable, and each row says what was done.

Two kinds of real data that GEOS does not take as they are:

* **true curves** — ``CircularString``, ``CompoundCurve``, ``CurvePolygon``,
  ``MultiCurve``, ``MultiSurface`` (ArcGIS writes them to GeoPackage and File
  GDB, e.g. circular 水源地 protection zones): linearised so that no point of
  the result lies farther than :data:`CURVE_TOLERANCE_M` (0.1 mm; 1e-9° for
  longitude/latitude) from the arc, end points kept exactly;
* **unclosed rings** (hand-written GeoJSON and KML): closed by repeating the
  first vertex, as the formats' own rules say the ring is meant.

:func:`decode` returns the geometries and, per row, the code and bilingual
text of what was done, which :func:`suzhou_geo.io.read` puts in the row's
geometry issue (the report's ``geometry_issue`` column and reasons).

Examples
--------
>>> import struct
>>> arc = struct.pack("<BII", 1, 8, 3) + struct.pack("<6d", 0, 0, 1, 1, 2, 0)  # half a circle of radius 1
>>> geoms, notes = decode(np.array([arc], dtype=object))
>>> geoms[0].geom_type, notes[0][0], len(geoms[0].coords) > 100
('LineString', 'curved', True)
"""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np
import shapely

__all__ = ["decode", "linearise", "polygon_bounds", "CURVE_TOLERANCE_M", "CURVE_TOLERANCE_DEG", "NOTES"]

#: Largest distance (m) between a linearised arc and the arc: a tenth of the 1 mm to which the library
#: keeps a layer's edges.  A circle loses about ⅔ × 0.1 mm × its perimeter to its chords: 0.04 m² (1.3e-6)
#: at 100 m radius, 0.4 m² (1.3e-7) at 1 km.
CURVE_TOLERANCE_M = 0.0001
#: The same for coordinates in degrees (1e-9° is 0.11 mm of latitude).
CURVE_TOLERANCE_DEG = 1e-9

#: Bilingual text of what :func:`decode` did, by code.
NOTES = {
    "curved": ("曲线（圆弧）已转为折线，与原弧线相差不超过 {tol}",
               "curves (circular arcs) linearised: no point farther than {tol} from the arc"),
    "closed": ("面的边界环未闭合，已按首点闭合", "a ring was not closed: closed by repeating its first vertex"),
}

_CURVE_TYPES = {8, 9, 10, 11, 12}


def decode(wkb: np.ndarray) -> tuple[np.ndarray, dict[int, tuple[str, str]]]:
    """Decode WKB as shapely does, linearising curves and closing rings that shapely refuses.

    Parameters
    ----------
    wkb : array of bytes (``None`` for missing geometries)

    Returns
    -------
    (numpy.ndarray of geometries, {row: (code, bilingual text)})
        The rows changed and what was done to each (see :data:`NOTES`).
    """
    wkb = np.asarray(wkb, dtype=object)
    try:
        with np.errstate(invalid="ignore"):  # NaN coordinates are flagged per row, not warned about
            return shapely.from_wkb(wkb), {}
    except (shapely.errors.GEOSException, NotImplementedError):
        pass
    geoms = np.empty(len(wkb), dtype=object)
    notes: dict[int, tuple[str, str]] = {}
    for i, b in enumerate(wkb):
        geoms[i], note = _one(b)
        if note:
            notes[i] = note
    return geoms, notes


def _one(b) -> tuple[object, tuple[str, str] | None]:
    if b is None:
        return None, None
    b = bytes(b)
    try:
        return shapely.from_wkb(b), None
    except NotImplementedError:  # a curve type GEOS does not read
        geom, degrees = linearise(b)
        return geom, _note("curved", degrees)
    except shapely.errors.GEOSException:
        fixed = shapely.from_wkb(b, on_invalid="fix")
        if fixed is None:
            raise
        return fixed, _note("closed", False)


def _note(code: str, degrees: bool) -> tuple[str, str]:
    tol = f"{CURVE_TOLERANCE_DEG:g}°" if degrees else f"{CURVE_TOLERANCE_M * 1000:g} mm"
    zh, en = NOTES[code]
    return code, f"{zh.format(tol=tol)} / {en.format(tol=tol)}"


# --------------------------------------------------------------------------- curves


def linearise(b: bytes) -> tuple[object, bool]:
    """Linearise every arc of one ISO WKB: return the shapely geometry and whether its coordinates are degrees."""
    tree, _ = _read(b, 0)
    xy = np.concatenate(list(_points(tree))) if tree is not None else np.empty((0, 2))
    degrees = bool(len(xy)) and bool(np.nanmax(np.abs(xy[:, 0])) <= 180 and np.nanmax(np.abs(xy[:, 1])) <= 90)
    return _build(tree, CURVE_TOLERANCE_DEG if degrees else CURVE_TOLERANCE_M), degrees


def _read(b: bytes, pos: int):
    """(node, next position): a node is (type, has_z, coordinates or children)."""
    order = "<" if b[pos] == 1 else ">"
    code = struct.unpack_from(order + "I", b, pos + 1)[0]
    pos += 5
    base, dims = code % 1000, code // 1000
    if code & 0x80000000 or code & 0x40000000:  # EWKB flags
        base, dims = code & 0xFFFF, (1 if code & 0x80000000 else 0) + (2 if code & 0x40000000 else 0)
    has_z, has_m = dims in (1, 3), dims in (2, 3)
    width = 2 + has_z + has_m
    if base == 1:  # Point
        xy = np.frombuffer(b, dtype=order + "f8", count=width, offset=pos).reshape(1, width)
        return (1, has_z, xy[:, : 2 + has_z]), pos + 8 * width
    if base in (2, 8):  # LineString, CircularString
        n = struct.unpack_from(order + "I", b, pos)[0]
        xy = np.frombuffer(b, dtype=order + "f8", count=n * width, offset=pos + 4).reshape(n, width)
        return (base, has_z, xy[:, : 2 + has_z].astype(float)), pos + 4 + 8 * n * width
    if base == 3:  # Polygon: rings without their own header
        n = struct.unpack_from(order + "I", b, pos)[0]
        pos += 4
        rings = []
        for _ in range(n):
            m = struct.unpack_from(order + "I", b, pos)[0]
            xy = np.frombuffer(b, dtype=order + "f8", count=m * width, offset=pos + 4).reshape(m, width)
            rings.append((2, has_z, xy[:, : 2 + has_z].astype(float)))
            pos += 4 + 8 * m * width
        return (10, has_z, rings), pos  # as a curve polygon of linear rings
    n = struct.unpack_from(order + "I", b, pos)[0]  # everything else: a count of whole geometries
    pos += 4
    children = []
    for _ in range(n):
        child, pos = _read(b, pos)
        children.append(child)
    return (base, has_z, children), pos


def _points(node):
    kind, _, body = node
    if kind in (1, 2, 8):
        yield body[:, :2]
        return
    for child in body:
        yield from _points(child)


def _build(node, tol: float):
    kind, _, body = node
    if kind == 1:
        return shapely.Point(body[0])
    if kind in (2, 8, 9):
        return shapely.LineString(_line(node, tol))
    if kind == 10:
        rings = [_closed(_line(r, tol)) for r in body]
        return shapely.Polygon(rings[0], rings[1:]) if rings else shapely.Polygon()
    parts = [_build(c, tol) for c in body]
    if kind == 4:
        return shapely.MultiPoint(parts)
    if kind in (5, 11):
        return shapely.MultiLineString(parts)
    if kind in (6, 12):
        return shapely.MultiPolygon(parts)
    return shapely.GeometryCollection(parts)


def _closed(xy: np.ndarray) -> np.ndarray:
    return xy if len(xy) and np.array_equal(xy[0], xy[-1]) else np.vstack([xy, xy[:1]])


def _line(node, tol: float) -> np.ndarray:
    """Return the coordinates of a LineString, CircularString or CompoundCurve, arcs linearised."""
    kind, _, body = node
    if kind == 2:
        return body
    if kind == 8:
        return _arcs(body, tol)
    pieces = [_line(c, tol) for c in body]  # CompoundCurve: its pieces share end points
    return np.vstack([pieces[0]] + [p[1:] for p in pieces[1:]]) if pieces else np.empty((0, 2))


def _arcs(xy: np.ndarray, tol: float) -> np.ndarray:
    """Return a CircularString's points (p0, p1, p2, p3, p4, …: arcs p0-p1-p2, p2-p3-p4, …) as a polyline."""
    out = [xy[:1]]
    for k in range(0, len(xy) - 2, 2):
        out.append(_arc(xy[k], xy[k + 1], xy[k + 2], tol)[1:])
    return np.vstack(out)


def _arc(p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, tol: float) -> np.ndarray:
    """Return the arc through p0, p1, p2 as points whose chords stray at most *tol* from it (p0, p2 exact)."""
    (x0, y0), (x1, y1), (x2, y2) = p0[:2], p1[:2], p2[:2]
    if np.allclose(p0[:2], p2[:2]):  # a full circle: p1 is the opposite point
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        sweep = 2 * math.pi
    else:
        d = 2 * (x0 * (y1 - y2) + x1 * (y2 - y0) + x2 * (y0 - y1))
        if d == 0:  # collinear: a straight segment
            return np.vstack([p0, p2])
        s0, s1, s2 = x0 * x0 + y0 * y0, x1 * x1 + y1 * y1, x2 * x2 + y2 * y2
        cx = (s0 * (y1 - y2) + s1 * (y2 - y0) + s2 * (y0 - y1)) / d
        cy = (s0 * (x2 - x1) + s1 * (x0 - x2) + s2 * (x1 - x0)) / d
        a0, a1, a2 = (math.atan2(y - cy, x - cx) for x, y in ((x0, y0), (x1, y1), (x2, y2)))
        ccw = (a1 - a0) % (2 * math.pi) < (a2 - a0) % (2 * math.pi)
        sweep = (a2 - a0) % (2 * math.pi) if ccw else -((a0 - a2) % (2 * math.pi))
    r = math.hypot(x0 - cx, y0 - cy)
    step = 2 * math.acos(max(1 - tol / r, -1.0)) if r > tol else math.pi
    n = int(min(max(math.ceil(abs(sweep) / step), 1), 100_000))
    a0 = math.atan2(y0 - cy, x0 - cx)
    t = a0 + sweep * np.linspace(0.0, 1.0, n + 1)
    pts = np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)])
    if len(p0) > 2:  # Z along the arc: linear in the angle, through the three given heights
        pts = np.column_stack([pts, np.interp(np.linspace(0, 1, n + 1), [0, 0.5, 1], [p0[2], p1[2], p2[2]])])
    pts[0], pts[-1] = p0, p2
    return pts


def polygon_bounds(wkb: Any) -> np.ndarray:
    """Bounds of the plain polygons among WKB values, read from the bytes without making geometries.

    A value is *plain* when it is a little-endian 2-D Polygon of one closed
    ring of at least four points that encloses some area (its shoelace area
    is not zero): nearly every parcel.  Reading its bounds this way costs a
    few numpy passes over the bytes instead of a Python geometry per row (a
    tenth of :func:`shapely.from_wkb`'s time), which lets a caller see which
    rows lie far from everything before decoding any.  Every other value —
    missing, empty, big-endian, Z or M, multi-part, holed, unclosed,
    degenerate, with NaN or infinite coordinates — gets NaN bounds: decode
    and check those as usual.

    Parameters
    ----------
    wkb : pyarrow binary array (chunked or not), or array of bytes
        Standard WKB, as GeoParquet and pyogrio's Arrow stream hold it.

    Returns
    -------
    numpy.ndarray of shape (n, 4)
        ``[minx, miny, maxx, maxy]`` per value; NaN where not plain.

    Examples
    --------
    >>> from shapely.geometry import LineString, Polygon, box
    >>> values = shapely.to_wkb([box(0, 0, 2, 1), LineString([(0, 0), (1, 1)]), None,
    ...                          Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])])
    >>> polygon_bounds(values).tolist()[:2]
    [[0.0, 0.0, 2.0, 1.0], [nan, nan, nan, nan]]
    >>> bool(np.isnan(polygon_bounds(values)[2:]).all())  # missing; degenerate (no area)
    True
    """
    start, size, data = _wkb_buffers(wkb)
    out = np.full((len(start), 4), np.nan)
    head = size >= 13
    rows = np.flatnonzero(head)
    if not len(rows):
        return out
    at = start[rows]
    head = _rows_of(data, 13)[at]  # byte order, type, rings, points: 13 bytes per value
    order = head[:, 0]
    kind, rings, npts = np.ascontiguousarray(head[:, 1:]).view("<u4").T.astype(np.int64)
    plain = (order == 1) & (kind == 3) & (rings == 1) & (npts >= 4) & (size[rows] == 13 + 16 * npts)
    rows, at, npts = rows[plain], at[plain], npts[plain]
    if not len(rows):
        return out
    xy, first = _ring_coordinates(data, at + 13, npts)
    last = first + npts - 1
    closed = (xy[first] == xy[last]).all(axis=1)
    with np.errstate(invalid="ignore", over="ignore"):
        box = np.hstack([np.minimum.reduceat(xy, first, axis=0), np.maximum.reduceat(xy, first, axis=0)])
        # twice the shoelace area, with coordinates taken from the box's corner (no cancellation)
        d = xy - np.repeat(box[:, :2], npts, axis=0)
        cross = np.append(d[:-1, 0] * d[1:, 1] - d[1:, 0] * d[:-1, 1], 0.0)
        area = np.add.reduceat(cross, first) - cross[last]  # the last term of a ring spans two rings
        span = (box[:, 2] - box[:, 0]) ** 2 + (box[:, 3] - box[:, 1]) ** 2
        ok = closed & np.isfinite(box).all(axis=1) & (np.abs(area) > 1e-9 * span)
    out[rows[ok]] = box[ok]
    return out


def _wkb_buffers(wkb: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return where each WKB value starts, its size in bytes (0 when missing), and the bytes."""
    if isinstance(wkb, (np.ndarray, list, tuple)):
        values = [b"" if v is None else bytes(v) for v in wkb]
        size = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
        start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
        return start, size, np.frombuffer(b"".join(values), dtype=np.uint8)
    import pyarrow as pa

    arr = wkb.combine_chunks() if isinstance(wkb, pa.ChunkedArray) else wkb
    arr = getattr(arr, "storage", arr)  # a GeoArrow extension array: its binary storage
    _, offsets_buf, data_buf = arr.buffers()[:3]
    width = np.int64 if pa.types.is_large_binary(arr.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[arr.offset:arr.offset + len(arr) + 1].astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    size = np.diff(offsets)
    if arr.null_count:  # a missing value may still own bytes: none of them are read
        size[np.asarray(arr.is_null())] = 0
    return offsets[:-1], size, data


def _rows_of(data: np.ndarray, width: int) -> np.ndarray:
    """Return a read-only view of *data* whose row *p* is bytes *p* to *p* + *width* - 1 (to gather at any offset)."""
    return np.lib.stride_tricks.as_strided(data, shape=(max(len(data) - width + 1, 0), width), strides=(1, 1),
                                           writeable=False)


def _ring_coordinates(data: np.ndarray, at: np.ndarray, npts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the (x, y) of rings of *npts* little-endian double pairs from byte *at* on, and each ring's first row.

    The 16 bytes of each point are gathered at once (no alignment needed), then read as doubles.
    """
    first = np.concatenate([[0], np.cumsum(npts)[:-1]]).astype(np.int64)
    pos = np.repeat(at - 16 * first, npts) + 16 * np.arange(int(npts.sum()), dtype=np.int64)
    return np.ascontiguousarray(_rows_of(data, 16)[pos]).view("<f8"), first
