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
from dataclasses import dataclass, field

import numpy as np
import shapely

from .crs import CGCS2000_GK_CM120, DENSIFY_TOLERANCE_M
from .geometry import POLYGON_TYPES, polygonal_parts
from .measure import area_m2_projected

__all__ = [
    "settle",
    "subdivide",
    "PieceIndex",
    "CellGrid",
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
#: Side (m) of the cells that classify parcels before any exact test (see :class:`CellGrid`).
CELL_M = 250.0
#: Most cells in one grid: a layer spread wider gets larger cells.
MAX_CELLS = 4_000_000
#: A parcel is classified from the cells under its bounding box when it spans at most this many per axis.
WINDOW = 3
#: Cell labels besides a group's number: nothing of the layer there, or something to test exactly.
CLEAR, MIXED = -1, -2
#: Mean width (m) below which a part of an overlap is a shared edge, not an overlap: each layer's copy in
#: EPSG:4549 is within 1 mm (:data:`~suzhou_geo.crs.DENSIFY_TOLERANCE_M`) of the shape its stored edges
#: describe, so two layers that share an edge in longitude/latitude may cross each other by up to 2 mm.
SHARED_EDGE_M = 2 * DENSIFY_TOLERANCE_M


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
    except (AttributeError, TypeError, ValueError, shapely.errors.GEOSException):  # shapely < 2.2, or see below
        return np.array(
            [_clip_one(g, r) for g, r in zip(geoms, zip(x0, y0, x1, y1, strict=True), strict=True)],
            dtype=object,
        )


def _clip_one(geom: shapely.Geometry, rect: tuple) -> shapely.Geometry:
    """Clip one geometry to one rectangle (the exact intersection where GEOS's rectangle clipper fails).

    The clipper can fail on a valid polygon whose rings touch the rectangle's
    side ("Invalid number of points in LinearRing": a redline layer in
    EPSG:4549 with a repaired bow-tie did).
    """
    try:
        return shapely.clip_by_rect(geom, *rect)
    except shapely.errors.GEOSException:
        return shapely.intersection(geom, shapely.box(*rect))


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

    def has_grid(self, reach: float = 0.0) -> bool:
        """Whether the :class:`CellGrid` for *reach* is made already (using it then costs nothing more)."""
        return float(reach) in self.__dict__.get("_grids", {})

    def grid(self, reach: float = 0.0) -> CellGrid:
        """Return the :class:`CellGrid` of this layer for distance *reach* (m), made on first use."""
        grids = self.__dict__.get("_grids")
        if grids is None:
            grids = self.__dict__.setdefault("_grids", {})
        key = float(reach)
        if key not in grids:
            with _GRID_LOCK:
                if key not in grids:
                    grids[key] = CellGrid.build(self, key)
        return grids[key]

    def edge_boxes(self, distance: float) -> np.ndarray:
        """Return the edges' bounding boxes grown by *distance* (made once per distance, shared by threads)."""
        boxes = self.__dict__.get("_edge_boxes")
        if boxes is None:
            boxes = self.__dict__.setdefault("_edge_boxes", {})
        key = float(distance)
        if key not in boxes:  # two threads may both make it: the same boxes
            b = shapely.bounds(self.edges)
            boxes[key] = settle(shapely.box(b[:, 0] - key, b[:, 1] - key, b[:, 2] + key, b[:, 3] + key))
        return boxes[key]

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


_GRID_LOCK = threading.Lock()


@dataclass
class CellGrid:
    """Square cells over a layer, each known to be inside one group, clear of the layer, or mixed.

    A cell is *inside groups G* when no edge of the layer comes within *reach*
    of it and its centre lies in the polygons of the groups G (one or more, if
    they overlap) and no other: every point of the cell is then inside each of
    them (no boundary crosses it) and no other group is within *reach*.  It is
    *clear* when no edge comes within *reach* and its centre lies in no
    polygon: nothing of the layer is within *reach* of it.  Every other cell
    is *mixed*.  Edges are found by sampling every segment at a
    quarter of the cell size and marking, besides the sample's cell, the
    neighbours whose side it is that close to, so that every cell a segment
    passes through is marked; *reach* then widens the marks by whole cells
    (a square around each, so never less than the reach).  The centres are
    tested exactly (:func:`shapely.intersects_xy` on the prepared pieces: a centre on a cut between two
    pieces counts twice, and makes its cell mixed).

    So a parcel whose bounding box lies in cells all inside g is wholly inside
    g (and within *reach* of no other group), and one whose box lies in clear
    cells is farther than *reach* from the layer — no GEOS test needed.  That
    settles most parcels; :meth:`classify` leaves the others (``MIXED``) to the
    exact tests.

    Attributes
    ----------
    x0, y0 : float
        Lower-left corner (EPSG:4549).
    size : float
        Cell side (m): :data:`CELL_M`, or more for a layer spread wider than
        :data:`MAX_CELLS` such cells.
    labels : numpy.ndarray of int32, shape (ny, nx)
        Per cell, the number of its set of groups in :attr:`sets`, :data:`CLEAR` or :data:`MIXED`.
    sets : list of numpy.ndarray
        The sets of groups (sorted group numbers) the labels stand for.

    Examples
    --------
    >>> import shapely
    >>> ix = PieceIndex.build([shapely.box(0, 0, 2000, 2000), shapely.box(1000, -5000, 9000, 2000)])
    >>> g = ix.grid()
    >>> b = np.array([[300.0, 900, 500, 1100], [-5000, 5000, -4900, 5100], [1950, 900, 2050, 1000],
    ...               [1300, 600, 1450, 700]])
    >>> labels = g.classify(b)
    >>> [g.sets[k].tolist() if k >= 0 else int(k) for k in labels]  # in box 0; clear; on an edge; in both
    [[0], -1, -2, [0, 1]]
    >>> [r.tolist() for r in g.pairs(np.array([0, 3]), labels[[0, 3]])]
    [[0, 3, 3], [0, 0, 1]]
    """

    x0: float
    y0: float
    size: float
    labels: np.ndarray
    sets: list = field(default_factory=list)

    @classmethod
    def build(cls, index: PieceIndex, reach: float = 0.0) -> CellGrid:
        """Classify the cells over *index*'s pieces and edges (and *reach* around them)."""
        geoms = np.concatenate([index.pieces, index.edges])
        if not len(geoms):
            return cls(0.0, 0.0, CELL_M, np.full((1, 1), CLEAR, dtype=np.int32))
        b = shapely.bounds(geoms)
        pad = reach + CELL_M
        minx, miny = np.nanmin(b[:, 0]) - pad, np.nanmin(b[:, 1]) - pad
        maxx, maxy = np.nanmax(b[:, 2]) + pad, np.nanmax(b[:, 3]) + pad
        size = max(CELL_M, float(np.sqrt((maxx - minx) * (maxy - miny) / MAX_CELLS)))
        nx, ny = int(np.ceil((maxx - minx) / size)), int(np.ceil((maxy - miny) / size))
        grid = cls(float(minx), float(miny), size, np.zeros((ny, nx), dtype=np.int32))
        marked = _dilate(grid._edge_cells(index.edges), int(np.ceil(reach / size)))
        grid.labels[:] = grid._centre_labels(index, marked)
        return grid

    def _edge_cells(self, edges: np.ndarray) -> np.ndarray:
        """Cells that an edge (segment or point) passes through or comes within a quarter cell of."""
        ny, nx = self.labels.shape
        marked = np.zeros((ny, nx), dtype=bool)
        xy, idx = shapely.get_coordinates(edges, return_index=True)
        if not len(xy):
            return marked
        step = self.size / 4
        same = idx[1:] == idx[:-1]
        a, d = xy[:-1][same], (xy[1:] - xy[:-1])[same]
        n = np.ceil(np.hypot(d[:, 0], d[:, 1]) / step).astype(np.int64) + 1
        seg = np.repeat(np.arange(len(a)), n)
        t = (np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(np.maximum(n - 1, 1), n)
        pts = np.concatenate([xy, a[seg] + t[:, None] * d[seg]])  # the vertices (points too) and the samples
        fx, fy = (pts[:, 0] - self.x0) / self.size, (pts[:, 1] - self.y0) / self.size
        i, j = np.floor(fx).astype(np.int64), np.floor(fy).astype(np.int64)
        near = step / self.size
        for di in (-1, 0, 1):
            ok_i = (di == 0) | ((di == -1) & (fx - i < near)) | ((di == 1) & (i + 1 - fx < near))
            for dj in (-1, 0, 1):
                ok = ok_i & ((dj == 0) | ((dj == -1) & (fy - j < near)) | ((dj == 1) & (j + 1 - fy < near)))
                ii, jj = np.clip(i[ok] + di, 0, nx - 1), np.clip(j[ok] + dj, 0, ny - 1)
                marked[jj, ii] = True
        return marked

    def _centre_labels(self, index: PieceIndex, marked: np.ndarray) -> np.ndarray:
        """Per unmarked cell, the set of groups whose polygons hold its centre (CLEAR for none); MIXED if marked."""
        ny, nx = marked.shape
        pieces, _ = index.prepared()
        poly = np.flatnonzero(np.isin(shapely.get_type_id(pieces), POLYGON_TYPES))
        cells, groups = [], []
        for k, (x0, y0, x1, y1) in zip(poly, shapely.bounds(pieces[poly]), strict=True):
            i0, i1 = max(int((x0 - self.x0) / self.size), 0), min(int((x1 - self.x0) / self.size) + 1, nx)
            j0, j1 = max(int((y0 - self.y0) / self.size), 0), min(int((y1 - self.y0) / self.size) + 1, ny)
            jj, ii = np.nonzero(~marked[j0:j1, i0:i1])
            if not len(ii):
                continue
            ii, jj = ii + i0, jj + j0
            hit = shapely.intersects_xy(pieces[k], self.x0 + (ii + 0.5) * self.size, self.y0 + (jj + 0.5) * self.size)
            cells.append((jj[hit] * nx + ii[hit]).astype(np.int64))
            groups.append(np.full(int(hit.sum()), index.groups[k], dtype=np.int64))
        labels = np.where(marked, MIXED, CLEAR).astype(np.int32).ravel()
        if cells and sum(map(len, cells)):
            cell, group = _unique_pairs(np.concatenate(cells), np.concatenate(groups), index.n_groups)
            starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
            # one 64-bit key per set of groups (XOR of a random key per group), then one number per key
            keys = np.random.default_rng(20261205).integers(1, 2**63 - 1, size=index.n_groups, dtype=np.int64)
            code = np.bitwise_xor.reduceat(keys[group], starts)
            uniq, first, number = np.unique(code, return_index=True, return_inverse=True)
            labels[cell[starts]] = number
            ends = np.r_[starts[1:], len(cell)]
            self.sets = [group[starts[k]:ends[k]] for k in first]
        return labels.reshape(ny, nx)

    def pairs(self, rows: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(row, group)`` for every group of the set each row's label (from :meth:`classify`, ≥ 0) stands for."""
        rows, labels = np.asarray(rows), np.asarray(labels)
        if not len(rows):
            return np.empty(0, np.int64), np.empty(0, np.int64)
        size = np.array([len(t) for t in self.sets], dtype=np.int64)[labels]
        groups = np.concatenate(self.sets)[np.repeat(np.cumsum([0] + [len(t) for t in self.sets])[labels], size)
                                           + np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)]
        return np.repeat(rows, size), groups

    def classify(self, bounds: np.ndarray) -> np.ndarray:
        """Per bounding box ``[minx, miny, maxx, maxy]``: the group it lies inside, ``CLEAR`` or ``MIXED``."""
        b = np.asarray(bounds, dtype=float)
        ny, nx = self.labels.shape
        with np.errstate(invalid="ignore"):
            fi = np.floor((b[:, [0, 2]] - self.x0) / self.size)
            fj = np.floor((b[:, [1, 3]] - self.y0) / self.size)
        out = np.full(len(b), MIXED, dtype=np.int32)
        finite = np.isfinite(fi).all(axis=1) & np.isfinite(fj).all(axis=1)
        away = finite & ((fi[:, 1] < 0) | (fi[:, 0] >= nx) | (fj[:, 1] < 0) | (fj[:, 0] >= ny))
        out[away] = CLEAR  # beyond the grid, which reaches past every piece by the reach and a cell
        ok = finite & ~away & (fi[:, 0] >= 0) & (fj[:, 0] >= 0) & (fi[:, 1] < nx) & (fj[:, 1] < ny)
        ok &= (fi[:, 1] - fi[:, 0] < WINDOW) & (fj[:, 1] - fj[:, 0] < WINDOW)
        rows = np.flatnonzero(ok)
        i0, i1 = fi[rows, 0].astype(np.int64), fi[rows, 1].astype(np.int64)
        j0, j1 = fj[rows, 0].astype(np.int64), fj[rows, 1].astype(np.int64)
        first = self.labels[j0, i0]
        same = np.ones(len(rows), dtype=bool)
        for di in range(WINDOW):
            for dj in range(WINDOW):
                if di or dj:
                    same &= self.labels[np.minimum(j0 + dj, j1), np.minimum(i0 + di, i1)] == first
        out[rows[same]] = first[same]
        return out


def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    """*mask* grown by *r* cells in every direction (a square)."""
    out = mask.copy()
    for axis in (0, 1):
        grown = out.copy()
        for k in range(1, r + 1):
            if axis == 0:
                grown[k:] |= out[:-k]
                grown[:-k] |= out[k:]
            else:
                grown[:, k:] |= out[:, :-k]
                grown[:, :-k] |= out[:, k:]
        out = grown
    return out


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
    tree: shapely.STRtree | None,
    parcels: np.ndarray,
    parcel_area: np.ndarray,
    *,
    bounds: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Overlap area (m², ellipsoidal) of every parcel with every group it overlaps.

    Given the parcels' *bounds*, the layer's :class:`CellGrid` settles first
    the parcels that lie wholly inside one group (their own area) or clear of
    the layer (nothing); only the others are tested.  The tests are exact, with
    robust predicates on the actual coordinates only: a parcel is
    wholly inside a group if one (prepared) piece *contains* it, or if it is a
    single polygon that hits the group's pieces but does not intersect the
    group's whole, un-subdivided boundary (it crosses only cut lines between
    pieces).  Every other hit (crossing or touching the boundary, from inside
    or outside; multipart parcels) is intersected exactly with each piece, and
    the parts are summed per (parcel, group).  So a parcel that shares an edge
    with the layer from outside is never taken as inside.  A (parcel, group)
    whose every part is thinner than :data:`SHARED_EDGE_M` on average
    (``2 · area / perimeter``) shares an edge with the group and overlaps it
    by nothing: such slivers come from two copies of the same edge 1 mm apart.

    Parameters
    ----------
    index : PieceIndex
        Pieces of the layer (polygonal, EPSG:4549).  Pieces of one group must not
        overlap each other (dissolve first), or their overlap is counted twice.
    tree : shapely.STRtree or None
        Tree over *parcels* (made here when needed and not given).
    parcels : numpy.ndarray
        Parcel polygons in EPSG:4549 (the tree's geometries).
    parcel_area : numpy.ndarray
        Ellipsoidal area of each parcel (m²).
    bounds : numpy.ndarray, optional
        The parcels' bounding boxes (``shapely.bounds``), to classify them by the grid first.

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
    >>> r, g, a = overlap_pairs(ix, None, p, shapely.area(p), bounds=shapely.bounds(p))  # the same, grid first
    >>> r.tolist(), np.round(a).tolist()
    ([0, 1], [100.0, 100.0])
    """
    if not len(index) or not len(parcels):
        return _empty_pairs()
    if bounds is None:
        return _exact_overlaps(index, tree or shapely.STRtree(parcels), parcels, parcel_area)
    grid = index.grid()
    cls = grid.classify(bounds)
    r_in, g_in = grid.pairs(np.flatnonzero(cls >= 0), cls[cls >= 0])
    todo = np.flatnonzero(cls == MIXED)
    r, g, a = _exact_overlaps(index, *_subset(tree, parcels, todo), parcel_area[todo])
    return _sum_pairs(np.concatenate([r_in, todo[r]]), np.concatenate([g_in, g]),
                      np.concatenate([parcel_area[r_in], a]), index.n_groups)


def _subset(tree: shapely.STRtree | None, geoms: np.ndarray, rows: np.ndarray) -> tuple[shapely.STRtree, np.ndarray]:
    """Return a tree over ``geoms[rows]`` and those geometries (the given tree when *rows* are all)."""
    if tree is not None and len(rows) == len(geoms):
        return tree, geoms
    return shapely.STRtree(geoms[rows]), geoms[rows]


def _exact_overlaps(index: PieceIndex, tree: shapely.STRtree, parcels: np.ndarray, parcel_area: np.ndarray):
    """:func:`overlap_pairs` by exact tests alone."""
    if not len(parcels):
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
        r_c, g_c, a_c = _crossing(index, pi[c], rj[c], parcels, parcel_area)
    else:
        r_c, g_c, a_c = _empty_pairs()
    rows = np.concatenate([r_in, r_c])
    grp = np.concatenate([g_in, g_c])
    area = np.concatenate([a_in, a_c])
    return _sum_pairs(rows, grp, area, index.n_groups)


def _crossing(index: PieceIndex, pi: np.ndarray, rj: np.ndarray, parcels: np.ndarray, parcel_area: np.ndarray):
    """Exact overlaps of (piece, parcel) hits, summed per (parcel, group), with shared edges taken as edges.

    A group met only by slivers (every part thinner than :data:`SHARED_EDGE_M`)
    is not overlapped; a parcel of which the group leaves out only slivers is
    wholly inside it.
    """
    inter = polygonal_parts(shapely.intersection(index.pieces[pi], parcels[rj]))
    area = np.nan_to_num(area_m2_projected(inter, CGCS2000_GK_CM120))
    m = max(int(index.n_groups), 1)
    key = rj.astype(np.int64) * m + index.groups[pi]
    thick = _thick(inter)
    keep = np.isin(key, key[thick])
    r, g, v = _sum_pairs(rj[keep], index.groups[pi[keep]], area[keep], index.n_groups)
    full = _wholly_inside(r, r * m + g, v, key, inter, parcels, parcel_area)
    v[full] = parcel_area[r[full]]
    return r, g, v


def _wholly_inside(r, pairs, v, key, inter, parcels, parcel_area) -> np.ndarray:
    """Per summed (parcel, group) pair, whether the group leaves out only slivers of the parcel.

    Only pairs whose missing area is below ``SHARED_EDGE_M × perimeter`` can be
    such; for them the parcel minus its parts in the group is computed.
    """
    full = np.zeros(len(pairs), dtype=bool)
    rest = parcel_area[r] - v
    cand = np.flatnonzero((rest > 0) & (rest < SHARED_EDGE_M * np.nan_to_num(shapely.length(parcels[r]))))
    if not len(cand):
        return full
    order = np.argsort(key, kind="stable")
    lo = np.searchsorted(key[order], pairs[cand])
    hi = np.searchsorted(key[order], pairs[cand], side="right")
    covered = np.array([shapely.union_all(inter[order[a:b]]) for a, b in zip(lo, hi, strict=True)], dtype=object)
    left = polygonal_parts(shapely.difference(parcels[r[cand]], covered))
    full[cand] = ~_thick(left)
    return full


def _thick(geoms: np.ndarray, width: float = SHARED_EDGE_M) -> np.ndarray:
    """Per geometry, whether one of its polygons is at least *width* wide on average (2 · area / perimeter)."""
    out = np.zeros(len(geoms), dtype=bool)
    parts, idx = shapely.get_parts(geoms, return_index=True)
    if len(parts):
        wide = 2 * shapely.area(parts) >= width * shapely.length(parts)
        out[idx[wide]] = True
    return out


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
    ei, rj = tree.query(index.edge_boxes(distance))
    if skip is not None and len(ei):
        keep = ~skip(ei, rj)
        ei, rj = ei[keep], rj[keep]
    d = shapely.distance(index.edges[ei], tree.geometries[rj])
    keep = d <= distance
    return ei[keep], rj[keep], d[keep]


def near_pairs(
    index: PieceIndex, tree: shapely.STRtree | None, distance: float, *, bounds: np.ndarray | None = None,
    parcels: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the unique (parcel row, group) pairs within *distance* metres (planar, EPSG:4549).

    A parcel is near a group if it intersects one of its pieces (prepared test)
    or lies within *distance* of one of its edges.  Given the parcels' *bounds*
    (and the *parcels*), the layer's :class:`CellGrid` for that distance settles
    first the parcels inside one group with no other within *distance*, and
    those farther than *distance* from everything.

    Examples
    --------
    >>> import shapely, numpy as np
    >>> ix = PieceIndex.build([shapely.box(0, 0, 1000, 1000), shapely.LineString([(3000, 0), (3000, 1000)])])
    >>> p = shapely.box([400, 1100, 2700, 5000], 0, [500, 1200, 2800, 5100], 100)
    >>> rows, groups = near_pairs(ix, None, 200.0, bounds=shapely.bounds(p), parcels=p)
    >>> rows.tolist(), groups.tolist()
    ([0, 1, 2], [0, 0, 1])
    """
    if not len(index):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if bounds is not None:
        grid = index.grid(distance)
        cls = grid.classify(bounds)
        r_in, g_in = grid.pairs(np.flatnonzero(cls >= 0), cls[cls >= 0])
        todo = np.flatnonzero(cls == MIXED)
        sub_tree, _ = _subset(tree, parcels, todo)
        r, g = near_pairs(index, sub_tree, distance) if len(todo) else (np.empty(0, np.int64),) * 2
        return _unique_pairs(np.concatenate([r_in, todo[r]]), np.concatenate([g_in, g]), index.n_groups)
    tree = tree if tree is not None else shapely.STRtree(parcels)
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
    index: PieceIndex, tree: shapely.STRtree | None, max_distance: float, skip_rows=None, *,
    bounds: np.ndarray | None = None, parcels: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m, EPSG:4549) from each parcel to the nearest edge and that edge's group.

    NaN and -1 beyond *max_distance*.  For a parcel outside every polygon this is
    the distance to the nearest polygon; callers set it to 0 for overlapping
    parcels, which they can pass as *skip_rows* (a boolean mask) so that no
    distance is computed for them.  Given the parcels' *bounds* (and the
    *parcels*), parcels in cells of the layer's :class:`CellGrid` with no edge
    within *max_distance* are not measured.
    """
    if bounds is not None:
        n = len(bounds)
        todo = index.grid(max_distance).classify(bounds) == MIXED
        if skip_rows is not None:
            todo &= ~np.asarray(skip_rows, dtype=bool)
        rows = np.flatnonzero(todo)
        d_out, g_out = np.full(n, np.nan), np.full(n, -1, dtype=np.int64)
        if len(rows):
            d_out[rows], g_out[rows] = nearest_edge(index, _subset(tree, parcels, rows)[0], max_distance)
        return d_out, g_out
    tree = tree if tree is not None else shapely.STRtree(parcels)
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
