"""Named boundary points (界址点): the names column, the points table, and finding names on vertices.

A parcel read from an approval file keeps its point names in the text column
``界址点`` — names in ring order, the closing repeat left out, rings separated
by ``;`` (``"J1,J2,J3,J4;J5,J6,J7"``) — and the layer carries the points
themselves as a table (:data:`POINT_COLUMNS`): which parcel (``row``, its
0-based position), which ring (``ring``, the 圈号), the name (``point``) and the
two numbers as written in the file (``x_file``, ``y_file``, in the file's order).

A frame that has only the names column gets its points back from the
geometry's vertices (:func:`points_from_frame`) when each ring has as many
vertices as names — or, for a layer whose long edges were split before it was
converted (in the CRS it was stored in, each edge longer than the layer's split
length into equal pieces), when the split points can be told apart from the
named ones (:func:`named_vertices`).

Examples
--------
>>> join_names([["J1", "J2", "J3"], ["J4", "J5", "J6"]])
'J1,J2,J3;J4,J5,J6'
>>> split_names("J1,J2,J3;J4,J5,J6")
[['J1', 'J2', 'J3'], ['J4', 'J5', 'J6']]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import shapely

from ..crs import transformer
from ..errors import InputError

__all__ = [
    "NAMES_COLUMN",
    "POINT_COLUMNS",
    "join_names",
    "split_names",
    "geometry_rings",
    "named_vertices",
    "points_from_frame",
    "boundary_points",
]

#: The text column holding a parcel's 界址点 names.
NAMES_COLUMN = "界址点"
#: The columns of a boundary-points table (with a Point geometry).
POINT_COLUMNS = ("row", "ring", "point", "x_file", "y_file")
#: How far (m) a split point may lie from its place on the straight edge.
SPLIT_TOLERANCE_M = 0.001


def join_names(rings: list[list[str]]) -> str:
    """Return the 界址点 text of a parcel: names joined by ``,``, rings by ``;``."""
    return ";".join(",".join(names) for names in rings)


def split_names(text: Any) -> list[list[str]]:
    """Return the rings of names in a 界址点 text (empty for a missing value)."""
    if not isinstance(text, str) or not text.strip():
        return []
    return [[n.strip() for n in ring.split(",")] for ring in text.split(";")]


def geometry_rings(geom: Any) -> list[np.ndarray]:
    """Return the rings of a (multi)polygon as open coordinate arrays, outer ring then holes, part by part.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> [len(r) for r in geometry_rings(box(0, 0, 1, 1))]
    [4]
    """
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        parts = [geom]
    elif geom.geom_type == "MultiPolygon":
        parts = list(geom.geoms)
    else:
        return []
    out = []
    for p in parts:
        for ring in (p.exterior, *p.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            out.append(xy[:-1] if len(xy) > 1 and (xy[0] == xy[-1]).all() else xy)
    return out


def named_vertices(xy: np.ndarray, count: int, *, step: float | None = None,
                   tol: float = SPLIT_TOLERANCE_M) -> np.ndarray | None:
    """Positions of the *count* named vertices of a ring whose long edges were split, or None.

    When a layer is read, every edge longer than the split length is split
    into ``ceil(length / step)`` equal pieces in the CRS it is stored in
    (:func:`suzhou_geo.crs.split_lengths`: the length depends on where the
    geometry lies).  The split points therefore lie at equal steps on a straight
    edge between two named points; this finds the one way of choosing *count*
    vertices (the first always among them) such that every other vertex is such
    a split point.  Without *step*, the longest gap between two vertices of the
    ring stands for it: every piece of a split edge and every edge left whole is
    at most the split length, and every split edge of k pieces longer than k − 1
    of it, so the rule holds with that gap whenever it holds with the real one.

    Parameters
    ----------
    xy : numpy.ndarray
        The ring's vertices, open (first point not repeated), in metres.
    count : int
        How many names the ring has.
    step : float, optional
        The split length (default: the ring's longest gap between vertices).
    tol : float
        How far (m) a split point may be from its place.

    Returns
    -------
    numpy.ndarray of int or None
        Indices into *xy*; None when no such choice exists.

    Examples
    --------
    >>> import numpy as np
    >>> ring = np.array([(0, 0), (40, 0), (80, 0), (80, 30), (40, 30), (0, 30)], float)  # 80 m edges split in 2
    >>> named_vertices(ring, 4).tolist()
    [0, 2, 3, 5]
    """
    m = len(xy)
    if count == m:
        return np.arange(m)
    if count > m or count < 1:
        return None
    closed = np.vstack([xy, xy[:1]])
    if step is None:
        step = float(np.hypot(*np.diff(closed[:, :2], axis=0).T).max()) * (1 + 1e-9)
    best = _paths(closed, count, step, tol)
    return None if best is None else np.array(best[:-1])


def _edge_ok(pts: list[tuple[float, float]], i: int, j: int, step: float, tol: float) -> bool:
    """Return True if i → j can be one edge of the ring as drawn: vertices i+1..j-1 its equal split.

    An edge of one piece (j = i + 1) always can; one of k pieces must be longer than k - 1 steps and at
    most k steps (how edges are split on reading), with every split point within *tol* of its place.
    """
    k = j - i
    if k == 1:
        return True
    (x0, y0), (x1, y1) = pts[i], pts[j]
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy)
    ratio = length / step
    if ratio > k * (1 + 1e-3) or ratio <= (k - 1) * (1 - 1e-3):
        return False
    limit = tol + 1e-6 * length
    for m in range(1, k):
        px, py = pts[i + m]
        if math.hypot(px - (x0 + dx * m / k), py - (y0 + dy * m / k)) > limit:
            return False
    return True


def _off_line(pts: list[tuple[float, float]], i: int, v: int, tol: float) -> bool:
    """Return True if vertex v is off the straight line through vertices i and i + 1 (no edge from i passes it)."""
    (x0, y0), (x1, y1), (px, py) = pts[i], pts[i + 1], pts[v]
    dx, dy = x1 - x0, y1 - y0
    norm = math.hypot(dx, dy)
    if norm == 0:
        return True
    return abs((px - x0) * dy - (py - y0) * dx) / norm > tol + 1e-6 * math.hypot(px - x0, py - y0)


def _paths(closed: np.ndarray, count: int, step: float, tol: float) -> list[int] | None:
    """Return a path 0 → len(closed)-1 of exactly *count* valid edges (dynamic programming), or None."""
    pts = [(float(x), float(y)) for x, y in closed[:, :2]]
    last = len(pts) - 1
    reach: list[dict[int, int]] = [dict() for _ in range(last + 1)]  # vertex -> {edges used: predecessor}
    reach[0][0] = -1
    for i in range(last):
        if not reach[i]:
            continue
        for j in range(i + 1, last + 1):
            if j >= i + 2 and _off_line(pts, i, j - 1, tol):
                break  # every longer edge from i would pass vertex j - 1
            if not _edge_ok(pts, i, j, step, tol):
                continue
            for used in reach[i]:
                if used + 1 <= count and used + 1 not in reach[j]:
                    reach[j][used + 1] = i
    if count not in reach[last]:
        return None
    path, v, used = [last], last, count
    while v != 0:
        v, used = reach[v][used], used - 1
        path.append(v)
    return path[::-1]


def points_from_frame(frame: Any, *, metric_crs: str = "EPSG:4549") -> pd.DataFrame:
    """Return the named points of a frame with a ``界址点`` column, from its geometry's vertices.

    Each ring of names is matched with a ring of the geometry (outer rings and
    holes, part by part, first unused ring whose vertices fit); vertices added
    when long edges were split are told apart from the named ones (see
    :func:`named_vertices`, measured in *metric_crs* for a frame in
    longitude/latitude).

    Returns
    -------
    pandas.DataFrame
        :data:`POINT_COLUMNS` plus the vertex coordinates ``x``, ``y`` in the
        frame's CRS; ``x_file`` and ``y_file`` are NaN (no file was read).

    Raises
    ------
    InputError
        A row whose rings of names do not match its geometry's vertices (naming
        the row, the counts, and what to pass instead).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Polygon
    >>> g = gpd.GeoDataFrame({"界址点": ["J1,J2,J3"]}, geometry=[Polygon([(0, 0), (9, 0), (0, 9)])], crs="EPSG:4549")
    >>> points_from_frame(g)[["row", "ring", "point", "x", "y"]].values.tolist()
    [[0, 1, 'J1', 0.0, 0.0], [0, 1, 'J2', 9.0, 0.0], [0, 1, 'J3', 0.0, 9.0]]
    """
    geoms = np.asarray(frame.geometry.values, dtype=object)
    metric = _metric(geoms, frame.crs, metric_crs)
    records = []
    for pos, (text, geom, mgeom) in enumerate(zip(frame[NAMES_COLUMN].tolist(), geoms, metric, strict=True)):
        groups = split_names(text)
        if not groups:
            continue
        records += _row_points(pos, groups, geometry_rings(geom), geometry_rings(mgeom), frame.index[pos])
    cols = [*POINT_COLUMNS, "x", "y"]
    return pd.DataFrame.from_records(records, columns=cols) if records else pd.DataFrame(columns=cols)


def _metric(geoms: np.ndarray, crs: Any, metric_crs: str) -> np.ndarray:
    """Return the geometries in metres (projected to *metric_crs* when the frame is in degrees)."""
    from pyproj import CRS

    c = CRS.from_user_input(crs) if crs is not None else None
    if c is None or not c.is_geographic:
        return geoms
    t = transformer(c, metric_crs)
    return shapely.transform(geoms, t.transform, interleaved=False)


def _row_points(pos: int, groups: list[list[str]], rings: list[np.ndarray], metric: list[np.ndarray],
                label: Any) -> list[tuple]:
    used: set[int] = set()
    out = []
    for number, names in enumerate(groups, start=1):
        found = None
        for k, mring in enumerate(metric):
            if k in used:
                continue
            idx = named_vertices(mring, len(names))
            if idx is not None:
                found = (k, idx)
                break
        if found is None:
            counts = ", ".join(str(len(r)) for r in rings) or "none"
            raise InputError(
                f"圈 {number} 有 {len(names)} 个界址点名，但几何中没有顶点数相符的环 / ring {number} names "
                f"{len(names)} points, but no ring of the geometry has matching vertices (vertices per ring: "
                f"{counts})",
                source="界址点", row=label,
                hint="pass the Layer that suzhou_geo.io.read returned (it keeps the points as read), or the file "
                     "itself; a geometry that was edited or repaired no longer matches its names",
            )
        k, idx = found
        used.add(k)
        for name, (x, y) in zip(names, rings[k][idx], strict=True):
            out.append((pos, number, name, np.nan, np.nan, float(x), float(y)))
    return out


def boundary_points(obj: Any, **options: Any):
    """Return the named boundary points (界址点) of a layer, in EPSG:4490.

    Parameters
    ----------
    obj : Layer, path, Source or GeoDataFrame
        A :class:`~suzhou_geo.layer.Layer` that :func:`suzhou_geo.io.read`
        returned (its ``points``), a file or :class:`~suzhou_geo.io.Source`
        (read first, with *options*), or a frame with a ``界址点`` column and a
        CRS (the points are recovered from its geometry's vertices).
    **options
        Reading options for a path (``crs=``, ``layer=``, …).

    Returns
    -------
    geopandas.GeoDataFrame
        ``row`` (0-based position of the parcel in the layer), ``ring`` (圈号),
        ``point`` (点号), ``x_file``, ``y_file`` (the numbers as written in the
        file, in its order; NaN when recovered from a frame), any further
        columns of the file's points (边长, 界址点类型, …), and Point geometry.

    Raises
    ------
    InputError
        The layer has no named points, or a frame's names do not fit its vertices
        (the message names the row and says what to pass instead).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Polygon
    >>> g = gpd.GeoDataFrame({"界址点": ["J1,J2,J3"]},
    ...                      geometry=[Polygon([(585000, 3471000), (585090, 3471000), (585000, 3471090)])],
    ...                      crs="EPSG:4549")
    >>> pts = boundary_points(g)
    >>> pts["point"].tolist(), pts.crs.to_epsg(), round(float(pts.geometry.x.iloc[0]), 4)
    (['J1', 'J2', 'J3'], 4490, 120.8933)
    """
    import geopandas as gpd

    from ..layer import Layer

    if isinstance(obj, gpd.GeoDataFrame) and NAMES_COLUMN in obj.columns:
        return _from_frame(obj)
    if not isinstance(obj, Layer):
        from .reader import read

        obj = read(obj, **options)
    if obj.points is not None:
        return obj.points
    if NAMES_COLUMN in obj.frame.columns:
        return _from_frame(obj.frame)
    raise InputError(f"{obj.provenance.name} 没有界址点名 / has no named boundary points (界址点)",
                     source=obj.provenance.name,
                     hint="read a 部标 TXT or a 界址点 table (their points keep their names), or a layer with a "
                          "界址点 column")


def _from_frame(frame: Any):
    """Return the points of a frame with a 界址点 column, recovered from its vertices, in EPSG:4490."""
    import geopandas as gpd

    if frame.crs is None:
        raise InputError("没有坐标参照系 / the frame has no CRS", source=NAMES_COLUMN,
                         hint="set its CRS first (frame.set_crs(...))")
    table = points_from_frame(frame)
    t = transformer(frame.crs, "EPSG:4490")
    lon, lat = t.transform(table["x"].to_numpy(), table["y"].to_numpy())
    return gpd.GeoDataFrame(table.drop(columns=["x", "y"]), geometry=shapely.points(lon, lat), crs="EPSG:4490")
