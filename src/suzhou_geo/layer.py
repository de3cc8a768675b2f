"""A prepared layer: the checked frame, where it came from, and its metric copy, built once.

:func:`suzhou_geo.io.read` returns a :class:`Layer`; every function that takes
geometry works from one.  A layer's geometry is decided once, at reading:

* its coordinates are converted to CGCS2000 (EPSG:4490) with the CRS that was
  declared or given (never guessed), after every edge the conversion would
  bend by more than 1 mm was split *in the CRS the data are stored in* — so a
  redline is the same shape in longitude/latitude, in Gauss-Krüger and on a
  map (data already in longitude/latitude keep their vertices);
* the metric copy (CGCS2000 / 3-degree Gauss-Krüger CM 120°E, EPSG:4549), used
  for overlaps, buffers and distances, is made once, when first needed, and
  shared by every function (thread-safe): data stored in EPSG:4549 *are* the
  metric copy (EPSG:4528, the same projection with the zone number before the
  easting, is shifted); other data are projected from the CRS they are stored
  in, their edges split first where projecting would bend them by more than
  1 mm (:data:`suzhou_geo.crs.DENSIFY_TOLERANCE_M`);
* what was found and done on the way — the CRS decision, the text encoding,
  repaired or unusable geometries, renamed columns — is kept in
  :class:`Provenance`, not only in ``GeoDataFrame.attrs``.

Examples
--------
>>> import suzhou_geo as sg
>>> layer = sg.io.read(sg.data_path("parcels", "parcels.gpkg"))
>>> layer.provenance.crs.crs_in, len(layer) == len(layer.frame)
('EPSG:4490 (China Geodetic Coordinate System 2000)', True)
>>> layer.metric.shape == (len(layer),)
True
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from .crs import (
    CGCS2000,
    CGCS2000_GK_CM120,
    CRSDecision,
    enclosing_boxes,
    split_lengths,
    transformer,
)
from .pieces import settle

__all__ = ["Layer", "MetricRows", "Provenance", "to_metric", "is_illustrative"]


def is_illustrative(frame: Any) -> bool:
    """Return True if *frame* holds illustrative data: its ``attrs`` say so, or any row is marked illustrative.

    A row is illustrative when its ``illustrative`` column is true or its
    ``basis`` says so (``illustrative …``, ``示意…``).  One such row is enough:
    a result built on it must say so (the bundled redline sample is
    illustrative in every row).

    Examples
    --------
    >>> import pandas as pd
    >>> is_illustrative(pd.DataFrame({"illustrative": [False, True]})), is_illustrative(pd.DataFrame({"a": [1]}))
    (True, False)
    >>> is_illustrative(pd.DataFrame({"basis": ["survey", "示意：按公布面积拟合"]}))
    True
    """
    if getattr(frame, "attrs", {}).get("illustrative") is True:
        return True
    columns = getattr(frame, "columns", ())
    if not len(columns) or not len(frame):
        return False
    if "illustrative" in columns and frame["illustrative"].astype(str).str.strip().str.lower().isin(
        ["true", "1", "yes"]
    ).any():
        return True
    if "basis" not in columns:
        return False
    basis = frame["basis"].astype(str).str.strip()
    return bool((basis.str.contains("illustrative", case=False) | basis.str.startswith("示意")).any())


def to_metric(geoms: np.ndarray) -> np.ndarray:
    """EPSG:4490 geometries to EPSG:4549, their edges (straight in longitude/latitude) split where they would bow.

    An edge is split only where projecting could move a point of it by more
    than 1 mm (:func:`suzhou_geo.crs.split_lengths`: edges longer than about
    0.0024°, 230 m east–west, around Suzhou), so parcels keep their vertices.

    Examples
    --------
    >>> from shapely.geometry import LineString, box
    >>> line = LineString([(120.0, 31.3), (121.0, 31.3)])  # 95 km along a parallel
    >>> 300 < len(to_metric(np.array([line]))[0].coords) < 600  # split every ~230 m
    True
    >>> len(to_metric(np.array([box(120.6, 31.3, 120.601, 31.301)]))[0].exterior.coords)  # a 1-ha parcel: as is
    5
    """
    from .geometry import densify_transform

    geoms = np.asarray(geoms, dtype=object)
    t = transformer(CGCS2000, CGCS2000_GK_CM120)
    with np.errstate(invalid="ignore"):  # rows with NaN coordinates are flagged, not warned about
        return densify_transform(geoms, split_lengths(geoms, t.transform, degrees=True), t.transform)


def _points_of(points: gpd.GeoDataFrame | None, mask: np.ndarray) -> gpd.GeoDataFrame | None:
    """Return the boundary points of the rows where *mask* is True, their ``row`` renumbered."""
    if points is None:
        return None
    new = np.cumsum(mask) - 1
    keep = mask[points["row"].to_numpy()]
    out = points[keep].copy()
    out["row"] = new[out["row"].to_numpy()]
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Provenance:
    """Where a layer came from and what was done to it on the way in.

    Attributes
    ----------
    name : str
        How the layer is called in messages (file name, table, ``"GeoDataFrame"``).
    source : str
        The path, or the URI without its password, or the kind of object passed.
    format : str
        ``"ESRI Shapefile"``, ``"GPKG"``, ``"CSV"``, ``"GeoParquet"``, ``"PostGIS"``, ``"GeoDataFrame"``, …
    crs : CRSDecision
        The coordinates' CRS and how it was known and converted.
    encoding : str or None
        The text encoding used, and how it was decided (``"UTF-8 (GeoPackage)"``,
        ``"GB18030 (detected: the .cpg says 1252)"``, …).
    notes : tuple of str
        Everything a user should know about the reading (bilingual sentences).
    renamed : dict
        Input columns renamed so that nothing is overwritten (old name → new name).
    illustrative : bool
        The bundled sample data, not official.
    data_note : str
        What the data is (shown wherever results built on it are shown).
    decisions : dict
        What was decided on the way in, label → value (the axis order and zone
        of a 部标 file, the AutoCAD layer of a drawing, …), for the report's data notes.
    """

    name: str
    source: str
    format: str
    crs: CRSDecision
    encoding: str | None = None
    notes: tuple[str, ...] = ()
    renamed: dict = field(default_factory=dict)
    illustrative: bool = False
    data_note: str = ""
    decisions: dict = field(default_factory=dict)

    @property
    def approximate(self) -> bool:
        """True when positions are approximate (a legacy datum accepted without parameters)."""
        return self.crs.method == "approximate"

    def to_dict(self) -> dict:
        """Plain values (for ``attrs``, JSON and logs)."""
        d = asdict(self)
        d["crs"] = {k: v for k, v in asdict(self.crs).items() if not k.startswith("_")}
        d["crs_in"] = self.crs.crs_in
        d["notes"] = list(self.notes)
        return d

    def _repr_html_(self) -> str:
        e = html.escape
        notes = "".join(f"<li>{e(n)}</li>" for n in self.notes)
        return (
            f"<b>{e(self.name)}</b> ({e(self.format)}) — {e(self.crs.note())}"
            + (f"; {e(self.encoding)}" if self.encoding else "")
            + (f"<ul>{notes}</ul>" if notes else "")
        )


class Layer:
    """A checked layer in CGCS2000 with its provenance and its EPSG:4549 copy.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        In EPSG:4490, every input row in input order.
    provenance : Provenance
    issues : array of str, optional
        Per row, what was wrong with the geometry and what was done (``""`` if nothing).
    usable : array of bool, optional
        Per row, whether the geometry can be used (False for missing, empty,
        non-finite, or — when polygons were expected — points and lines).
    area_change : array of float, optional
        Per row, the relative area change of a repair (NaN when not repaired).
    codes : array of str, optional
        Per row, the kind of problem (``""``, ``"missing"``, ``"empty"``,
        ``"nonfinite"``, ``"point"``, ``"line"``, ``"collapsed"``, ``"reduced"``,
        ``"repaired"``, see :mod:`suzhou_geo.io.checks`).
    points : geopandas.GeoDataFrame, optional
        The named boundary points (界址点) of an approval file, in EPSG:4490:
        ``row`` (0-based position of the parcel in the layer), ``ring`` (圈号),
        ``point`` (点号), ``x_file``, ``y_file`` (the numbers as written in the
        file, in its order) and Point geometry; None for layers without named points.
    metric : array or callable, optional
        The EPSG:4549 copy, or a function ``make(rows)`` that makes it for some
        rows (``None``: all), for frames converted from another CRS
        (:func:`suzhou_geo.io.read` passes one: the stored geometry itself for
        EPSG:4549).  Default: :func:`to_metric` of the frame.

    Attributes
    ----------
    metric : numpy.ndarray
        The geometries in EPSG:4549, made once on first use (thread-safe).
    """

    def __init__(
        self,
        frame: gpd.GeoDataFrame,
        provenance: Provenance,
        issues: np.ndarray | None = None,
        usable: np.ndarray | None = None,
        area_change: np.ndarray | None = None,
        codes: np.ndarray | None = None,
        points: gpd.GeoDataFrame | None = None,
        metric: np.ndarray | Callable | None = None,
    ) -> None:
        n = len(frame)
        self.frame = frame
        self.provenance = provenance
        self.issues = np.full(n, "", dtype=object) if issues is None else np.asarray(issues, dtype=object)
        self.usable = (
            ~frame.geometry.isna().to_numpy() if usable is None else np.asarray(usable, dtype=bool)
        )
        self.area_change = np.full(n, np.nan) if area_change is None else np.asarray(area_change, float)
        self.codes = np.full(n, "", dtype=object) if codes is None else np.asarray(codes, dtype=object)
        self.points = points
        self.dropped: list[str] = []
        self._cache: dict = {}
        self._metric: np.ndarray | None = None
        self._make_metric: Callable | None = None
        if callable(metric):
            self._make_metric = metric
        elif metric is not None:
            self._metric = settle(np.asarray(metric, dtype=object))
        self._lock = threading.RLock()  # re-entrant: a cached value may need .metric or another
        # stored in longitude/latitude (the frame *is* the stored shape): measured there, without a copy
        self._lonlat_areas = bool(getattr(getattr(provenance, "crs", None), "keeps_lonlat", True))

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return f"<Layer {self.provenance.name!r}: {len(self)} rows, {self.provenance.crs.note()}>"

    def _repr_html_(self) -> str:
        return self.provenance._repr_html_()

    @property
    def geometry(self) -> np.ndarray:
        """The EPSG:4490 geometries as an object array."""
        return np.asarray(self.frame.geometry.values, dtype=object)

    @property
    def metric(self) -> np.ndarray:
        """The geometries in EPSG:4549 (computed once; shared by every caller)."""
        if self._metric is None:
            with self._lock:
                if self._metric is None:
                    self._metric = self._make(None)  # threads then only read it
                    self._make_metric = None
        return self._metric

    def metric_of(self, rows: np.ndarray) -> np.ndarray:
        """Return the EPSG:4549 copy of some rows: from :attr:`metric` if made, else made for them only, not kept.

        Every row is converted on its own (its split lengths depend on it alone),
        so the copy of a row is the same whether made with all the others or
        without them; a caller that needs each row once can convert the layer
        chunk by chunk, in parallel threads, without holding it all.

        Examples
        --------
        >>> from shapely.geometry import box
        >>> import geopandas as gpd
        >>> f = gpd.GeoDataFrame(geometry=[box(120.6, 31.3, 120.61, 31.31), box(120.7, 31.3, 120.8, 31.4)],
        ...                      crs="EPSG:4490")
        >>> lay = Layer(f, None)
        >>> lay.metric_of(np.array([1]))[0].equals_exact(lay.metric[1], 0)
        True
        """
        if self._metric is not None:
            return self._metric[rows]
        return self._make(np.asarray(rows))

    def areas_of(self, rows: np.ndarray) -> np.ndarray:
        """Return the ellipsoidal areas (m²) of some rows' shapes, measured where their edges are straight.

        A layer stored in longitude/latitude is measured there
        (:func:`suzhou_geo.measure.area_m2_lonlat`, no conversion); any other on
        its EPSG:4549 copy (:func:`suzhou_geo.measure.area_m2_projected`: the
        stored shape itself for EPSG:4549 and EPSG:4528).  Each row's area
        depends on that row alone.

        Examples
        --------
        >>> from shapely.geometry import box
        >>> import geopandas as gpd
        >>> f = gpd.GeoDataFrame(geometry=[box(120.6, 31.3, 120.601, 31.301)], crs="EPSG:4490")
        >>> round(float(Layer(f, None).areas_of(np.array([0]))[0]), 2)  # about a hectare
        10555.65
        """
        from .measure import area_m2_lonlat, area_m2_projected

        rows = np.asarray(rows)
        if self._lonlat_areas:
            return area_m2_lonlat(self.geometry[rows])
        return area_m2_projected(self.metric_of(rows), CGCS2000_GK_CM120)

    def lazy_metric(self, rows: np.ndarray) -> MetricRows:
        """Return the EPSG:4549 copies of some rows, each made only when first asked for (see :class:`MetricRows`)."""
        return MetricRows(self, np.asarray(rows))

    def metric_bounds_of(self, rows: np.ndarray) -> np.ndarray:
        """Return boxes in EPSG:4549 that hold some rows' metric copy, without making it when it is not made.

        The exact bounds of the copy where it exists (made, or stored in
        EPSG:4549), else :func:`suzhou_geo.crs.enclosing_boxes` of the rows'
        longitude/latitude bounds: a few metres larger, never smaller.  What
        tells the rows far from a reference layer, which then need no copy.

        Examples
        --------
        >>> from shapely.geometry import box
        >>> import geopandas as gpd
        >>> f = gpd.GeoDataFrame(geometry=[box(120.6, 31.3, 120.61, 31.31)], crs="EPSG:4490")
        >>> lay = Layer(f, None)
        >>> outer, exact = lay.metric_bounds_of(np.array([0]))[0], shapely.bounds(lay.metric[0])
        >>> bool((outer[:2] <= exact[:2]).all() and (outer[2:] >= exact[2:]).all())
        True
        """
        rows = np.asarray(rows)
        if self._metric is not None:
            return shapely.bounds(self._metric[rows])
        with np.errstate(invalid="ignore"):
            lonlat = shapely.bounds(self.geometry[rows])
        return enclosing_boxes(lonlat, transformer(CGCS2000, CGCS2000_GK_CM120).transform, degrees=True)

    def _make(self, rows: np.ndarray | None) -> np.ndarray:
        make, made = self._make_metric, self._metric  # in this order: .metric sets one, then drops the other
        if make is not None:
            geoms = make(rows)
        elif made is not None:
            return made if rows is None else made[rows]
        else:
            geoms = to_metric(self.geometry if rows is None else self.geometry[rows])
        return settle(np.asarray(geoms, dtype=object))

    def _metric_of_rows(self, mask: np.ndarray) -> np.ndarray | Callable | None:
        """Give a layer of some of our rows its metric copy: those rows of ours, made when needed."""
        if self._metric is not None:
            return self._metric[mask]
        if self._make_metric is not None:
            pos = np.arange(len(self))[mask]
            return lambda rows=None: self.metric_of(pos if rows is None else pos[rows])
        return None

    def subset(self, mask: np.ndarray) -> Layer:
        """Return the rows where *mask* is True, as a layer with the same provenance."""
        mask = np.asarray(mask, dtype=bool)
        return Layer(
            self.frame[mask], self.provenance, self.issues[mask], self.usable[mask],
            self.area_change[mask], self.codes[mask], _points_of(self.points, mask),
            metric=self._metric_of_rows(mask),
        )

    def with_frame(self, frame: gpd.GeoDataFrame, **changes: Any) -> Layer:
        """Return the same layer with another frame of the same rows (e.g. normalised columns)."""
        prov = self.provenance
        if changes:
            from dataclasses import replace

            prov = replace(prov, **changes)
        out = Layer(frame, prov, self.issues, self.usable, self.area_change, self.codes, self.points,
                    metric=self._metric_of_rows(slice(None)))
        out.dropped = list(self.dropped)
        return out

    def cached(self, key: Any, make):
        """``make()`` computed once per layer and *key* (dissolves, indexes), thread-safe."""
        if key not in self._cache:
            with self._lock:
                if key not in self._cache:
                    self._cache[key] = make()
        return self._cache[key]

    def __getstate__(self) -> dict:
        if self._make_metric is not None:  # a function does not travel: the copy it makes does
            _ = self.metric
        state = self.__dict__.copy()
        state.pop("_lock", None)
        state["_cache"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()  # re-entrant: a cached value may need .metric or another


class MetricRows:
    """The EPSG:4549 copies of some rows of a layer, each made when first asked for, then kept.

    Indexing it (``rows[i]``, with integers, an integer array or a mask) gives
    an array of geometries, made for the rows not made before; ``numpy.asarray``
    makes them all.  What lets a check that settles most parcels from their
    boxes convert only the parcels it looks at closely.  One per thread.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> import geopandas as gpd
    >>> f = gpd.GeoDataFrame(geometry=[box(120.6, 31.3, 120.61, 31.31)] * 3, crs="EPSG:4490")
    >>> lazy = Layer(f, None).lazy_metric(np.array([0, 2]))
    >>> len(lazy), lazy.made, lazy[np.array([1])][0].geom_type, lazy.made
    (2, 0, 'Polygon', 1)
    """

    def __init__(self, layer: Layer, rows: np.ndarray) -> None:
        self._layer = layer
        self._rows = np.asarray(rows)
        self._geoms = np.full(len(self._rows), None, dtype=object)
        self._done = np.zeros(len(self._rows), dtype=bool)

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def made(self) -> int:
        """How many rows have been converted so far."""
        return int(self._done.sum())

    def __getitem__(self, which: Any) -> np.ndarray:
        pos = np.arange(len(self))[which]
        need = pos[~self._done[pos]]
        if len(np.atleast_1d(need)):
            need = np.unique(need)
            self._geoms[need] = self._layer.metric_of(self._rows[need])
            self._done[need] = True
        return self._geoms[pos]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self[np.arange(len(self))]

    def subset(self, which: np.ndarray) -> MetricRows:
        """Return the copies of some of these rows (those made already are shared, not made again)."""
        out = MetricRows(self._layer, self._rows[which])
        out._geoms[:] = self._geoms[which]
        out._done[:] = self._done[which]
        return out
