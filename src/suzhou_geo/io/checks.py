"""Geometry sanity on the way in: what is unusable, what was repaired, and how much the repair changed.

Run in the CRS the data are stored in, before any conversion, so that a broken
ring is judged as the user drew it.  Nothing is invented silently:

* a non-finite coordinate (NaN, inf) makes the row unusable — dropping the vertex
  would judge a shape nobody drew;
* missing and empty geometries are unusable; when polygons are expected,
  points and lines are too (and collections keep only their polygonal part);
* invalid polygons are repaired with ``shapely.make_valid(method="structure")``
  and the relative change of area is recorded, so that callers can refuse to
  judge a repair that changed the shape (a hole outside its shell becoming a
  second polygon, a bow-tie's area appearing from nothing).

Examples
--------
>>> from shapely.geometry import Polygon
>>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
>>> c = check_geometries([bowtie, None])
>>> c.usable.tolist(), c.code.tolist(), round(float(c.area_change[0]), 2)
([True, False], ['repaired', 'missing'], 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry import POLYGON_TYPES, flat_parts, in_threads, nonfinite_rows, polygonal_part

__all__ = ["GeometryCheck", "check_geometries", "repair_geometries", "geos_reason", "REPAIR_AREA_TOLERANCE"]

#: A repair that changes a polygon's area by more than this share is not judged silently.
REPAIR_AREA_TOLERANCE = 0.01

_POINT_TYPES = (0, 4)
_LINE_TYPES = (1, 2, 5)
_GC_TYPE = 7

#: Bilingual text of each problem, by code.
MESSAGES = {
    "missing": ("缺少几何", "missing geometry"),
    "empty": ("几何为空", "empty geometry"),
    "nonfinite": ("坐标含 NaN 或无穷值", "coordinates contain NaN or infinity"),
    "point": ("是点而不是面", "point, not a polygon"),
    "line": ("是线而不是面", "line, not a polygon"),
    "collapsed": ("修复后没有面积（退化为线或点）", "no area left after repair (collapsed to a line or point)"),
    "reduced": ("几何集合，仅保留其中的面", "geometry collection reduced to its polygonal part"),
    "repaired": ("几何无效，已修复", "invalid geometry repaired"),
    "unparseable": ("几何文本无法解析", "geometry text could not be parsed"),
}


@dataclass
class GeometryCheck:
    """Per-row results of :func:`check_geometries`.

    Attributes
    ----------
    geoms : numpy.ndarray
        The geometries to use (repaired where needed; unchanged where unusable,
        so that nothing the user drew is lost).
    code : numpy.ndarray of str
        ``""`` or one of :data:`MESSAGES`' keys.
    issue : numpy.ndarray of str
        ``""`` or a bilingual sentence (Chinese / English) naming the problem,
        GEOS's reason in words with its place and, for repairs, the area change.
    usable : numpy.ndarray of bool
    area_change : numpy.ndarray of float
        Relative area change of a repair, ``|after - before| / max(before, after)``; NaN if not repaired.
    """

    geoms: np.ndarray
    code: np.ndarray
    issue: np.ndarray
    usable: np.ndarray
    area_change: np.ndarray

    @property
    def big_change(self) -> np.ndarray:
        """Rows whose repair changed the area by more than :data:`REPAIR_AREA_TOLERANCE`."""
        return np.nan_to_num(self.area_change, nan=0.0) > REPAIR_AREA_TOLERANCE


def _text(code: str, detail: tuple[str, str] = ("", "")) -> str:
    zh, en = MESSAGES[code]
    dz, de = detail
    return f"{zh}{('：' + dz) if dz else ''} / {en}{(': ' + de) if de else ''}"


#: GEOS's reasons for an invalid geometry (``shapely.is_valid_reason``), in words.
GEOS_REASONS = {
    "Self-intersection": ("边界自相交", "the boundary crosses itself"),
    "Ring Self-intersection": ("环自相交", "a ring touches itself"),
    "Hole lies outside shell": ("内环位于外环之外", "a hole lies outside its shell"),
    "Interior is disconnected": ("内部被分割为不相连的部分", "the interior is cut into separate parts"),
    "Nested holes": ("内环相互嵌套", "a hole lies inside another hole"),
    "Nested shells": ("外环相互嵌套", "a polygon lies inside another polygon of the same feature"),
    "Duplicate Rings": ("环重复", "a ring is repeated"),
    "Too few points in geometry component": ("环的顶点过少", "a ring has too few points"),
    "Invalid Coordinate": ("坐标无效", "a coordinate is invalid"),
    "Ring is not closed": ("环未闭合", "a ring is not closed"),
}


def geos_reason(reason: str) -> tuple[str, str]:
    """Return GEOS's reason for an invalid geometry in Chinese and English words, the place rounded.

    Coordinates are given to 5 decimals (about 1 m in degrees), or to the
    centimetre when they are metres.

    Examples
    --------
    >>> geos_reason("Self-intersection[120.950012345678 31.3800098765]")
    ('边界自相交，位于 (120.95001, 31.38001)', 'the boundary crosses itself at (120.95001, 31.38001)')
    >>> geos_reason("Hole lies outside shell[560000.123456 3460000.5]")[1]
    'a hole lies outside its shell at (560000.12, 3460000.50)'
    """
    name, _, rest = str(reason).partition("[")
    zh, en = GEOS_REASONS.get(name.strip(), ("几何无效", name.strip() or "invalid geometry"))
    try:
        xy = [float(v) for v in rest.rstrip("]").split()[:2]]
    except ValueError:
        xy = []
    if len(xy) != 2:
        return zh, en
    d = 5 if max(abs(xy[0]), abs(xy[1])) <= 360 else 2
    at = f"({xy[0]:.{d}f}, {xy[1]:.{d}f})"
    return f"{zh}，位于 {at}", f"{en} at {at}"


def check_geometries(geoms, expect: str = "polygon") -> GeometryCheck:
    """Check and repair geometries; say per row what was wrong and what was done.

    Parameters
    ----------
    geoms : array-like of shapely geometries (or a GeoSeries)
    expect : {"polygon", "any"}, default "polygon"
        ``"polygon"``: points and lines are unusable, collections keep their
        polygons.  ``"any"``: only missing, empty, non-finite and invalid
        geometries are flagged.

    Returns
    -------
    GeometryCheck
    """
    if expect not in ("polygon", "any"):
        raise ValueError(f"expect must be 'polygon' or 'any', not {expect!r}")
    arr = np.asarray(getattr(geoms, "values", geoms), dtype=object)
    n = len(arr)
    out = GeometryCheck(
        arr.copy(), np.full(n, "", dtype=object), np.full(n, "", dtype=object),
        np.ones(n, dtype=bool), np.full(n, np.nan),
    )
    if n == 0:
        return out
    missing = shapely.is_missing(arr)
    _flag(out, missing, "missing")
    nonfinite = nonfinite_rows(arr)
    _flag(out, nonfinite, "nonfinite")
    empty = ~missing & ~nonfinite & shapely.is_empty(arr)
    _flag(out, empty, "empty")
    present = ~(missing | nonfinite | empty)
    tid = np.where(present, shapely.get_type_id(arr), -1)
    if expect == "polygon":
        _flag(out, np.isin(tid, _POINT_TYPES), "point")
        _flag(out, np.isin(tid, _LINE_TYPES), "line")
        _reduce_collections(out, np.flatnonzero(tid == _GC_TYPE))
        check = np.isin(tid, POLYGON_TYPES) | (out.code == "reduced")
    else:
        check = present
    _repair(out, np.flatnonzero(check), expect)
    return out


def _flag(out: GeometryCheck, mask: np.ndarray, code: str) -> None:
    if mask.any():
        out.code[mask] = code
        out.issue[mask] = _text(code)
        out.usable[mask] = False


def _reduce_collections(out: GeometryCheck, rows: np.ndarray) -> None:
    for i in rows:  # rare: a short loop
        poly = polygonal_part(out.geoms[i])
        if poly is None:
            kinds = shapely.get_type_id(flat_parts([out.geoms[i]])[0])
            _flag(out, np.arange(len(out.geoms)) == i, "line" if np.isin(kinds, _LINE_TYPES).any() else "point")
        else:
            out.geoms[i] = poly
            out.code[i] = "reduced"
            out.issue[i] = _text("reduced")


def _repair(out: GeometryCheck, cand: np.ndarray, expect: str) -> None:
    if not len(cand):
        return
    valid = in_threads(shapely.is_valid, out.geoms[cand])
    bad = cand[~valid]
    if not len(bad):
        return
    reasons = shapely.is_valid_reason(out.geoms[bad])
    before = shapely.area(out.geoms[bad])
    fixed = shapely.make_valid(out.geoms[bad], method="structure", keep_collapsed=False)
    if expect == "polygon":
        fixed = np.array([polygonal_part(g) for g in fixed], dtype=object)
    for j, i in enumerate(bad.tolist()):
        g = fixed[j]
        if g is None or g.is_empty:
            out.code[i] = "collapsed"
            out.issue[i] = _text("collapsed", geos_reason(reasons[j]))
            out.usable[i] = False
            continue
        after = float(shapely.area(g))
        scale = max(float(before[j]), after)
        change = abs(after - float(before[j])) / scale if scale > 0 else 0.0
        out.geoms[i] = g
        out.code[i] = "repaired"
        out.area_change[i] = change
        zh, en = MESSAGES["repaired"]
        why_zh, why_en = geos_reason(reasons[j])
        out.issue[i] = f"{zh}：{why_zh}，面积变化 {change:.1%} / {en}: {why_en}, area change {change:.1%}"


def repair_geometries(geoms, *, expect: str = "polygon") -> tuple[np.ndarray, np.ndarray]:
    """Repair invalid geometries and say, per row, what was wrong.

    A thin wrapper of :func:`check_geometries` for callers that need only the
    fixed geometries and the messages: missing and empty geometries (and
    repairs that leave nothing) come back as ``None``; points, lines and
    geometries with non-finite coordinates as they are (check the message).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The fixed geometries and, per row, ``None`` or the bilingual message.

    Examples
    --------
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> fixed, issues = repair_geometries([bowtie])
    >>> fixed[0].geom_type
    'MultiPolygon'
    >>> print(issues[0])
    几何无效，已修复：边界自相交，位于 (0.50000, 0.50000)，面积变化 100.0% / invalid geometry repaired: the boundary
    crosses itself at (0.50000, 0.50000), area change 100.0%
    """
    c = check_geometries(geoms, expect=expect)
    gone = np.isin(c.code, ["missing", "empty", "collapsed"])
    fixed = np.where(gone, None, c.geoms)
    issues = np.where(c.issue == "", None, c.issue)
    return fixed.astype(object), issues.astype(object)
