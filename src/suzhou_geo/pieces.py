"""Spatial-index helpers for the parcel validator: subdivide, overlap, proximity, labels.

Internal module.  The kernels follow what makes PostGIS and geofileops fast on
"many small parcels against a few huge, complex polygons":

* :func:`subdivide` cuts big polygons into pieces of at most ``max_vertices``
  vertices (recursive split of the bounding box along its longer side with
  :func:`shapely.clip_by_rect`, like PostGIS ``ST_Subdivide``), so every index
  hit tests a small geometry and bounding boxes hug the shape;
* :class:`PieceIndex` keeps the pieces prepared (:func:`shapely.prepare`) with the
  id of the layer row (the *group*) each one came from;
* :func:`overlap_pairs` queries an STRtree built on the *parcels* with the
  prepared pieces, classifies each hit as wholly inside
  (``contains_properly``: the parcel's own area) or crossing, and computes the
  exact :func:`shapely.intersection` only for the crossing ones;
* :func:`labels` turns (row, group) pairs into one ``"a; b"`` string per row
  without a Python loop per row (rows are grouped by a 64-bit hash of their set).

All geometry here is planar, in EPSG:4549; areas are ellipsoidal through
:func:`suzhou_geo.measure.area_m2_projected`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import shapely

from .crs import CGCS2000_GK_CM120
from .geometry import POLYGON_TYPES, polygonal_parts
from .measure import area_m2_projected

__all__ = [
    "settle",
    "subdivide",
    "PieceIndex",
    "overlap_pairs",
    "touching_rows",
    "near_pairs",
    "nearest_edge",
    "labels",
]

#: Largest piece PostGIS ST_Subdivide produces by default (255 vertices); we use 256.
MAX_VERTICES = 256

#: Longest bounding-box side of a polygon piece (m); measured best on the bundled schemes.
PIECE_EXTENT_M = 5000.0
#: Longest bounding-box side of an edge piece (m): keeps distance searches local.
EDGE_EXTENT_M = 1000.0


def settle(geoms: np.ndarray) -> np.ndarray:
    """Compute what GEOS caches lazily in *geoms* now, before threads share them; return *geoms*.

    A GEOS collection (a MultiPolygon parcel, say) computes its envelope and
    its dimension flags on first use and stores them in place.  Two threads
    doing that at once race: one may read a half-written envelope.  After this
    call threads only read.  (Prepared geometries are another matter: they are
    never shared, see :meth:`PieceIndex.prepared`.)

    Examples
    --------
    >>> import shapely
    >>> g = settle(np.array([shapely.MultiPolygon([shapely.box(0, 0, 1, 1)]), None]))
    >>> g[0].bounds
    (0.0, 0.0, 1.0, 1.0)
    """
    geoms = np.asarray(geoms, dtype=object)
    shapely.bounds(geoms)
    shapely.get_dimensions(geoms)
    return geoms


def _clip(geoms: np.ndarray, x0, y0, x1, y1) -> np.ndarray:
    """:func:`shapely.clip_by_rect` with one rectangle per geometry.

    The public function takes scalar bounds only; its ufunc ``shapely.lib.clip_by_rect``
    broadcasts in shapely 2.2.  shapely 2.1 (the newest for Python 3.10) raises
    ``ValueError`` for array bounds: fall back to a loop, one call per geometry.
    """
    try:
        return np.asarray(shapely.lib.clip_by_rect(geoms, x0, y0, x1, y1), dtype=object)
    except (AttributeError, TypeError, ValueError):  # shapely < 2.2
        return np.array(
            [
                shapely.clip_by_rect(g, *r)
                for g, r in zip(geoms, zip(x0, y0, x1, y1, strict=True), strict=True)
            ],
            dtype=object,
        )


def subdivide(
    geoms,
    groups=None,
    *,
    max_vertices: int = MAX_VERTICES,
    max_extent: float = np.inf,
    max_depth: int = 40,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut (multi)polygons or lines into pieces of at most *max_vertices* vertices.

    Level by level (vectorised over all geometries still too big), each geometry
    is split in two along the middle of its bounding box's longer side with
    :func:`shapely.clip_by_rect`.  The pieces of one input share edges only, so
    their areas add up to the input's area.

    Parameters
    ----------
    geoms : array-like of shapely geometries
        Polygons, multipolygons or lines (planar coordinates).
    groups : array-like of int, optional
        A label per input geometry, carried to its pieces (default: the position).
    max_vertices : int, default 256
        Vertex limit per piece (PostGIS ``ST_Subdivide`` uses 255).
    max_extent : float, default inf
        Also split pieces whose bounding box is longer than this (in coordinate
        units).  Used for boundary lines, so that a distance search around a long,
        straight edge does not scan everything in its bounding box.
    max_depth : int, default 40
        Safety limit on the number of halvings.

    Returns
    -------
    pieces, groups : numpy.ndarray, numpy.ndarray
        Single-part pieces and the group of each.

    Examples
    --------
    >>> import shapely
    >>> circle = shapely.Point(0, 0).buffer(1000, quad_segs=500)
    >>> pieces, g = subdivide([circle], max_vertices=100)
    >>> bool(shapely.get_num_coordinates(pieces).max() <= 100)
    True
    >>> round(float(shapely.area(pieces).sum() / circle.area), 9)
    1.0
    >>> edges, _ = subdivide([shapely.box(0, 0, 100, 100).boundary], max_vertices=3)
    >>> round(float(shapely.length(edges).sum()), 2)  # straight edges on the box survive the cuts
    400.0
    """
    geoms = np.asarray(geoms, dtype=object)
    groups = np.arange(len(geoms)) if groups is None else np.asarray(groups)
    parts, idx = shapely.get_parts(geoms, return_index=True)
    todo_g, todo_grp = parts, groups[idx]
    done_g: list[np.ndarray] = []
    done_grp: list[np.ndarray] = []
    for _ in range(max_depth):
        keep = ~shapely.is_empty(todo_g) & ~shapely.is_missing(todo_g)
        todo_g, todo_grp = todo_g[keep], todo_grp[keep]
        if not len(todo_g):
            break
        small = shapely.get_num_coordinates(todo_g) <= max_vertices
        if np.isfinite(max_extent):
            bb = shapely.bounds(todo_g)
            small &= np.maximum(bb[:, 2] - bb[:, 0], bb[:, 3] - bb[:, 1]) <= max_extent
        done_g.append(todo_g[small])
        done_grp.append(todo_grp[small])
        big, big_grp = todo_g[~small], todo_grp[~small]
        if not len(big):
            todo_g = big
            break
        b = shapely.bounds(big)
        wide = (b[:, 2] - b[:, 0]) >= (b[:, 3] - b[:, 1])
        mx = (b[:, 0] + b[:, 2]) / 2
        my = (b[:, 1] + b[:, 3]) / 2
        # first half: left (wide) or bottom; second half: right or top
        x1 = np.where(wide, mx, b[:, 2])
        y1 = np.where(wide, b[:, 3], my)
        x0 = np.where(wide, mx, b[:, 0])
        y0 = np.where(wide, b[:, 1], my)
        is_poly = np.isin(shapely.get_type_id(big), POLYGON_TYPES)
        # clip_by_rect drops lines lying on the rectangle's boundary (a polygon's straight
        # edge on its own bounding box, a segment on the cut): for lines and points the two
        # rectangles are grown by a hair so that they overlap; polygons are cut exactly,
        # so that the areas of their pieces add up.
        eps = np.where(is_poly, 0.0, 1e-7 * np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) + 1e-9)
        a = _clip(big, b[:, 0] - eps, b[:, 1] - eps, x1 + eps, y1 + eps)
        c = _clip(big, x0 - eps, y0 - eps, b[:, 2] + eps, b[:, 3] + eps)
        halves = np.concatenate([a, c])
        hgrp = np.concatenate([big_grp, big_grp])
        hpoly = np.concatenate([is_poly, is_poly])
        halves[hpoly] = polygonal_parts(halves[hpoly])
        todo_g, pidx = shapely.get_parts(halves, return_index=True)
        todo_grp = hgrp[pidx]
        # clipping a polygon can leave degenerate lines/points on the cut: drop them
        keep = np.isin(shapely.get_type_id(todo_g), POLYGON_TYPES) | ~hpoly[pidx]
        todo_g, todo_grp = todo_g[keep], todo_grp[keep]
    if len(todo_g):  # depth exhausted: keep what is left as it is
        done_g.append(todo_g)
        done_grp.append(todo_grp)
    if not done_g:
        return np.empty(0, dtype=object), np.empty(0, dtype=groups.dtype)
    out_g, out_grp = np.concatenate(done_g), np.concatenate(done_grp)
    # clip_by_rect does not promise valid output: repair the (rare) invalid small pieces
    poly = np.isin(shapely.get_type_id(out_g), POLYGON_TYPES)
    bad = poly & ~shapely.is_valid(out_g)
    if bad.any():
        fixed = polygonal_parts(shapely.make_valid(out_g[bad]))
        out_g = out_g.copy()
        out_g[bad] = fixed
        ok = ~shapely.is_missing(out_g) & ~shapely.is_empty(out_g)
        out_g, out_grp = out_g[ok], out_grp[ok]
    return out_g, out_grp


@dataclass
class PieceIndex:
    """Subdivided pieces of a layer, each tagged with its source row (*group*).

    Safe to share between threads and to pickle: the arrays are never prepared
    in place.  GEOS prepared geometries build their indexes lazily and must not
    be shared between threads, so :meth:`prepared` gives each thread its own
    prepared copy of the pieces and edges (made once per thread, kept as long
    as the index and the thread live).  The shared arrays are only read
    (:func:`settle`): unprepared predicates, intersections and distances.

    Attributes
    ----------
    pieces : numpy.ndarray
        Pieces (polygons, lines or points) in EPSG:4549.
    groups : numpy.ndarray of int
        Row of the source layer each piece comes from.
    edges : numpy.ndarray
        The boundaries of the polygonal pieces' source geometries (not the cut
        lines), subdivided and prepared; lines and points are their own edges.
        A parcel that meets no edge lies wholly inside or wholly outside.
    edge_groups : numpy.ndarray of int
        Row of the source layer each edge comes from.
    n_groups : int
        Number of rows (groups) in the source layer.
    outlines : numpy.ndarray
        Per group, the whole boundary of its polygons, not subdivided (``None``
        for groups without polygons): the lines parcels are digitised against,
        for exact "does this parcel touch or cross the group's boundary?" tests.
    """

    pieces: np.ndarray
    groups: np.ndarray
    edges: np.ndarray
    edge_groups: np.ndarray
    n_groups: int
    outlines: np.ndarray | None = None

    @classmethod
    def build(
        cls,
        geoms,
        groups=None,
        *,
        n_groups: int | None = None,
        max_vertices: int = MAX_VERTICES,
        piece_extent: float = PIECE_EXTENT_M,
        edge_extent: float = EDGE_EXTENT_M,
    ):
        """Subdivide and prepare *geoms* (EPSG:4549) and their boundaries.

        Pieces are also cut to at most *piece_extent* metres (tight bounding
        boxes: fewer false candidates in the tree query) and edges to at most
        *edge_extent* metres (distance searches stay local).

        Examples
        --------
        >>> import shapely
        >>> ix = PieceIndex.build([shapely.Point(0, 0).buffer(100, quad_segs=200)], max_vertices=64)
        >>> len(ix.pieces) > 1, ix.n_groups
        (True, 1)
        """
        geoms = np.asarray(geoms, dtype=object)
        groups = np.arange(len(geoms)) if groups is None else np.asarray(groups)
        pieces, grp = subdivide(geoms, groups, max_vertices=max_vertices, max_extent=piece_extent)
        is_poly = np.isin(shapely.get_type_id(geoms), POLYGON_TYPES)
        edge_src = np.where(is_poly, shapely.boundary(geoms), geoms)
        edges, egrp = subdivide(edge_src, groups, max_vertices=max_vertices, max_extent=edge_extent)
        n = int(n_groups if n_groups is not None else (groups.max() + 1 if len(groups) else 0))
        outlines = _outlines(geoms, groups, is_poly, n)
        return cls(settle(pieces), grp.astype(np.int64), settle(edges), egrp.astype(np.int64), n,
                   settle(outlines))

    def __len__(self) -> int:
        return len(self.pieces)

    def prepared(self) -> tuple[np.ndarray, np.ndarray]:
        """Return this thread's prepared copies of ``(pieces, edges)``.

        Examples
        --------
        >>> import shapely
        >>> ix = PieceIndex.build([shapely.box(0, 0, 10, 10)])
        >>> p, e = ix.prepared()
        >>> bool(shapely.is_prepared(p).all()), bool(shapely.is_prepared(ix.pieces).any())
        (True, False)
        """
        local = self.__dict__.get("_local")
        if local is None:
            local = self.__dict__.setdefault("_local", threading.local())
        copies = getattr(local, "copies", None)
        if copies is None:
            copies = (_prepared_copy(self.pieces), _prepared_copy(self.edges))
            local.copies = copies
        return copies

    def prepared_outlines(self) -> np.ndarray:
        """Return this thread's prepared copies of :attr:`outlines`."""
        local = self.__dict__.get("_local")
        if local is None:
            local = self.__dict__.setdefault("_local", threading.local())
        copies = getattr(local, "outlines", None)
        if copies is None:
            copies = _prepared_copy(self.outlines)
            local.outlines = copies
        return copies

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_local", None)  # prepared copies stay with their thread
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        settle(self.pieces)
        settle(self.edges)


def _outlines(geoms: np.ndarray, groups: np.ndarray, is_poly: np.ndarray, n: int) -> np.ndarray:
    """Per group, the boundary of the union of its polygons (``None`` where it has none)."""
    out = np.full(n, None, dtype=object)
    polys, grp = geoms[is_poly], groups[is_poly]
    if not len(polys):
        return out
    if len(np.unique(grp)) == len(grp):  # one geometry per group: no union needed
        out[grp] = shapely.boundary(polys)
        return out
    for g in np.unique(grp):  # few groups (a pair's two sides, a scheme's elements)
        out[g] = shapely.boundary(shapely.union_all(polys[grp == g]))
    return out


def _prepared_copy(geoms: np.ndarray) -> np.ndarray:
    copy = shapely.from_wkb(shapely.to_wkb(geoms, include_srid=False))
    shapely.prepare(copy)
    return copy


def sorted_unique(x: np.ndarray) -> np.ndarray:
    """``np.unique(x)`` by sorting: numpy 2.4's hash-based ``np.unique`` is ~100x slower on int64.

    Examples
    --------
    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    x = np.sort(np.asarray(x), kind="stable")
    if len(x) < 2:
        return x
    return x[np.r_[True, x[1:] != x[:-1]]]


def _empty_pairs():
    return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, float)


def _unique_pairs(
    rows: np.ndarray, groups: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    m = max(int(n_groups), 1)
    key = sorted_unique(rows.astype(np.int64) * m + groups)
    return np.divmod(key, m)


def touching_rows(index: PieceIndex, tree: shapely.STRtree, n: int) -> np.ndarray:
    """Boolean mask of the parcels that meet an edge of the layer (boundary or line)."""
    mask = np.zeros(n, dtype=bool)
    if len(index.edges):
        _, edges = index.prepared()
        _, rj = tree.query(edges, predicate="intersects")
        mask[rj] = True
    return mask


def overlap_pairs(
    index: PieceIndex,
    tree: shapely.STRtree,
    parcels: np.ndarray,
    parcel_area: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Overlap area (m², ellipsoidal) of every parcel with every group it overlaps.

    Exact, with robust predicates on the actual coordinates only: a parcel is
    wholly inside a group if one (prepared) piece *contains* it, or if it is a
    single polygon that hits the group's pieces but does not intersect the
    group's whole, un-subdivided boundary (it crosses only cut lines between
    pieces).  Every other hit (crossing or touching the boundary, from inside
    or outside; multipart parcels) is intersected exactly with each piece, and
    the parts are summed per (parcel, group).  So a parcel that shares an edge
    with the layer from outside is never taken as inside.

    Parameters
    ----------
    index : PieceIndex
        Pieces of the layer (polygonal, EPSG:4549).  Pieces of one group must not
        overlap each other (dissolve first), or their overlap is counted twice.
    tree : shapely.STRtree
        Tree over *parcels*.
    parcels : numpy.ndarray
        Parcel polygons in EPSG:4549 (the tree's geometries).
    parcel_area : numpy.ndarray
        Ellipsoidal area of each parcel (m²).

    Returns
    -------
    rows, groups, area_m2 : numpy.ndarray
        One entry per (parcel, group) pair with a positive overlap, sorted by row then group.

    Examples
    --------
    >>> import shapely, numpy as np
    >>> x, y = 500_000, 3_470_000  # EPSG:4549 metres near Suzhou
    >>> ix = PieceIndex.build([shapely.box(x, y, x + 100, y + 100)])
    >>> p = np.array([shapely.box(x + 10, y + 10, x + 20, y + 20), shapely.box(x + 90, y, x + 110, y + 10),
    ...               shapely.box(x + 100, y, x + 110, y + 10)])  # inside, crossing, touching from outside
    >>> r, g, a = overlap_pairs(ix, shapely.STRtree(p), p, shapely.area(p))
    >>> r.tolist(), np.round(a).tolist()
    ([0, 1], [100.0, 100.0])
    """
    if not len(index) or not len(parcels):
        return _empty_pairs()
    pieces, _ = index.prepared()
    pi, rj = tree.query(pieces, predicate="intersects")
    if not len(pi):
        return _empty_pairs()
    m = max(int(index.n_groups), 1)
    key = rj.astype(np.int64) * m + index.groups[pi]
    inside = shapely.contains(pieces[pi], parcels[rj])
    whole = np.isin(key, key[inside])  # in one piece of the group: the parcel's own area
    # not in one piece, but touching no part of the group's boundary: inside across a cut line
    rest = np.flatnonzero(~whole)
    if len(rest) and index.outlines is not None:
        k_rest, first = np.unique(key[rest], return_index=True)
        r0, g0 = np.divmod(k_rest, m)
        single = shapely.get_type_id(parcels[r0]) == 3  # a multipart parcel may have parts outside
        clear = single & ~shapely.intersects(index.prepared_outlines()[g0], parcels[r0])
        whole |= np.isin(key, k_rest[clear])
    r_in, g_in = np.divmod(sorted_unique(key[whole]), m)
    a_in = parcel_area[r_in]
    c = ~whole  # crossing or touching the boundary: exact intersection with each piece hit
    if c.any():
        inter = shapely.intersection(index.pieces[pi[c]], parcels[rj[c]])
        a_c = area_m2_projected(polygonal_parts(inter), CGCS2000_GK_CM120)
        r_c, g_c, a_c = _sum_pairs(rj[c], index.groups[pi[c]], np.nan_to_num(a_c), index.n_groups)
    else:
        r_c, g_c, a_c = _empty_pairs()
    rows = np.concatenate([r_in, r_c])
    grp = np.concatenate([g_in, g_c])
    area = np.concatenate([a_in, a_c])
    return _sum_pairs(rows, grp, area, index.n_groups)


def _sum_pairs(rows, groups, values, n_groups):
    """Sum *values* per (row, group), sorted by row then group; pairs summing to 0 are dropped."""
    if not len(rows):
        return _empty_pairs()
    m = max(int(n_groups), 1)
    key = rows.astype(np.int64) * m + groups
    order = np.argsort(key, kind="stable")  # sort-based: numpy 2.4's hash np.unique is slow on int64
    key, values = key[order], np.asarray(values, dtype=float)[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    total = np.add.reduceat(values, starts)
    r, g = np.divmod(key[starts], m)
    pos = total > 0
    return r[pos], g[pos], total[pos]


def _edge_candidates(index: PieceIndex, tree: shapely.STRtree, distance: float, skip=None):
    """(edge, parcel) pairs within *distance*, and their exact distance.

    Candidates come from bounding boxes grown by *distance* (measured faster than
    GEOS's prepared ``dwithin`` here); *skip* (a boolean mask per (edge, parcel)
    candidate, given as a function of the candidate arrays) drops pairs whose
    answer is already known before any distance is computed.
    """
    b = shapely.bounds(index.edges)
    boxes = shapely.box(
        b[:, 0] - distance, b[:, 1] - distance, b[:, 2] + distance, b[:, 3] + distance
    )
    ei, rj = tree.query(boxes)
    if skip is not None and len(ei):
        keep = ~skip(ei, rj)
        ei, rj = ei[keep], rj[keep]
    d = shapely.distance(index.edges[ei], tree.geometries[rj])
    keep = d <= distance
    return ei[keep], rj[keep], d[keep]


def near_pairs(
    index: PieceIndex, tree: shapely.STRtree, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the unique (parcel row, group) pairs within *distance* metres (planar, EPSG:4549).

    A parcel is near a group if it intersects one of its pieces (prepared test)
    or lies within *distance* of one of its edges.
    """
    if not len(index):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pieces, _ = index.prepared()
    pi, rj = tree.query(pieces, predicate="intersects")
    rows, grp = [rj], [index.groups[pi]]
    if distance > 0 and len(index.edges):
        m = max(int(index.n_groups), 1)
        known = sorted_unique(rj.astype(np.int64) * m + index.groups[pi])

        def already(ei, rj2):  # a parcel in a group's pieces is near it: no distance needed
            key = rj2.astype(np.int64) * m + index.edge_groups[ei]
            pos = np.searchsorted(known, key)
            return (pos < len(known)) & (known[np.minimum(pos, len(known) - 1)] == key)

        ei, rj2, _ = _edge_candidates(index, tree, distance, skip=already if len(known) else None)
        rows.append(rj2)
        grp.append(index.edge_groups[ei])
    return _unique_pairs(np.concatenate(rows), np.concatenate(grp), index.n_groups)


def nearest_edge(
    index: PieceIndex, tree: shapely.STRtree, max_distance: float, skip_rows=None
) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m, EPSG:4549) from each parcel to the nearest edge and that edge's group.

    NaN and -1 beyond *max_distance*.  For a parcel outside every polygon this is
    the distance to the nearest polygon; callers set it to 0 for overlapping
    parcels, which they can pass as *skip_rows* (a boolean mask) so that no
    distance is computed for them.
    """
    n = len(tree.geometries)
    d_out = np.full(n, np.nan)
    g_out = np.full(n, -1, dtype=np.int64)
    if not len(index.edges) or not n:
        return d_out, g_out
    skip = None if skip_rows is None else (lambda ei, rj: skip_rows[rj])
    ei, rj, d = _edge_candidates(index, tree, max_distance, skip=skip)
    if not len(ei):
        return d_out, g_out
    order = np.lexsort((d, rj))
    rj, d, grp = rj[order], d[order], index.edge_groups[ei[order]]
    first = np.r_[True, rj[1:] != rj[:-1]]
    d_out[rj[first]] = d[first]
    g_out[rj[first]] = grp[first]
    return d_out, g_out


def labels(n: int, rows: np.ndarray, groups: np.ndarray, names, *, sep: str = "; ") -> np.ndarray:
    """One string per row joining the names of its groups (in group order); ``""`` for none.

    Rows with the same set of groups share one string: sets are hashed to 64 bits
    (XOR of a random key per group), and only one string is built per distinct set.

    Examples
    --------
    >>> labels(3, np.array([0, 0, 2]), np.array([1, 0, 1]), ["a", "b"]).tolist()
    ['a; b', '', 'b']
    """
    out = np.full(n, "", dtype=object)
    if not len(rows):
        return out
    names = np.asarray(names, dtype=object)
    rows, groups = _unique_pairs(rows, groups, len(names))  # sorted by row then group
    rng = np.random.default_rng(20240501)
    keys = rng.integers(1, np.iinfo(np.int64).max, size=len(names), dtype=np.int64).view(np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    np.bitwise_xor.at(h, rows, keys[groups])
    hit = sorted_unique(rows)
    uh, first = np.unique(h[hit], return_index=True)
    starts = np.searchsorted(rows, hit)
    ends = np.searchsorted(rows, hit, side="right")
    text = {}
    for hv, f in zip(uh.tolist(), first.tolist(), strict=True):
        text[hv] = sep.join(names[groups[starts[f] : ends[f]]].tolist())
    out[hit] = [text[v] for v in h[hit].tolist()]
    return out
