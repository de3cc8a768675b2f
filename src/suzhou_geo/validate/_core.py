"""Parcel validation: one verdict per development parcel (地块), with the reasons.

:func:`validate_parcels` checks every parcel of a file or frame against

* the **ecological protection redline** (生态保护红线): an overlap beyond the
  tolerance is a ``conflict``; a sliver below it, or a parcel within
  ``review_distance_m`` of a redline, is ``review``;
* the provincial **ecological space control areas** (生态空间管控区域): an overlap
  beyond the tolerance is ``review``;
* the **joint-control zones** (联防联治区, the 500 m band along the 嘉定–昆山–太仓
  borders, seed 002): a parcel inside is ``notice`` (the neighbours must be told);
* the county-level units (``district``) and the planned **scheme elements** it
  lies in or near (information, no verdict);

and returns the input, row for row, with the verdict and the evidence.  The
thresholds live in one table, :data:`RULES`; none of them is a regulation except
where its ``source`` says so.

Speed (``benchmarks/bench_validate.py``: 1 000 000 parcels GeoPackage to
GeoPackage in ~24 s on 2 cores): every layer (redlines dissolved per kind when
their features overlap, districts, joint zones, schemes) is cut into pieces of
≤ 256 vertices and ≤ 5 km (like PostGIS ``ST_Subdivide``) and its boundary into
pieces of ≤ 1 km, all prepared once.  One STRtree on the parcels is queried
with the pieces (``intersects``) and with the boundary pieces: a parcel that
meets no boundary lies wholly inside the piece it hits and takes its own area;
only parcels meeting a boundary (and multipart ones) are intersected exactly.
Distances come from the boundary pieces (bounding-box candidates, then exact
``shapely.distance``).  The layers are checked in parallel threads, one layer
per thread (GEOS releases the GIL; prepared geometries are never shared).
Areas are ellipsoidal (:func:`suzhou_geo.measure.area_m2_projected`: planar
area in EPSG:4549 divided by its areal scale at the centroid); distances are
planar in EPSG:4549.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._index import PieceIndex, labels, near_pairs, nearest_edge, overlap_pairs, sorted_unique
from ..crs import CGCS2000, CGCS2000_GK_CM120, ensure_crs
from ..errors import CRSError
from ..measure import area_m2_projected

__all__ = [
    "Rules",
    "RULES",
    "VERDICTS",
    "validate_parcels",
    "summarize",
    "ValidationSummary",
    "REPORT_COLUMNS",
]

log = logging.getLogger(__name__)

from .schema import VERDICTS, report_columns

#: Columns :func:`validate_parcels` adds to the input's own columns.
REPORT_COLUMNS = report_columns()

#: Overlaps below this (m²) are numerical noise (coordinates reprojected twice along a shared edge).
NOISE_M2 = 0.01

PROTECTION = "ecological_protection_redline"
CONTROL = "ecological_space_control"


# --------------------------------------------------------------------------- the rule table


@dataclass(frozen=True)
class Rules:
    """The thresholds of :func:`validate_parcels`, with where each comes from.

    Change one with ``validate_parcels(..., rules={"review_distance_m": 200})`` or
    ``RULES.replace(review_distance_m=200)``; ``RULES.to_frame()`` lists them all
    with their meaning and source.

    Attributes
    ----------
    overlap_min_m2 : float, default 1.0
        An overlap counts (conflict with a protection redline, review with a
        space control area, "in" a joint zone or a district) only if it exceeds
        this many m² **and** ``overlap_min_ratio`` of the parcel.
    overlap_min_ratio : float, default 0.001
        0.1 % of the parcel's area.  Together with ``overlap_min_m2`` this keeps
        slivers along a shared edge (coordinate rounding, reprojection, two
        surveys of the same line) from being conflicts: a 10 cm misfit along a
        100 m edge of a 1 ha parcel is 10 m² = 0.1 %.  Library default, **not a
        regulation**; the redline itself allows no development at all (管理办法
        征求意见稿 第五条, reference §4.3).  Both must be exceeded, so on a
        100 ha parcel up to 1000 m² is below the tolerance: such overlaps are
        ``review`` (never ``pass``) with the area in the reason.  Set both to 0
        to make any overlap a conflict.
    review_distance_m : float, default 100.0
        A parcel within this distance (m, EPSG:4549) of a protection redline is
        ``review``.  Library default, **not a regulation**: neither seed 003/004
        nor the reference notes on the redline rules (planning_facts §4.3) give a
        buffer distance around redlines.
    nearest_search_m : float, default 1000.0
        ``nearest_redline_m`` is measured up to this distance and NaN beyond
        (bounded so that the search stays fast on millions of parcels).
    scheme_near_m : float, default 200.0
        Scheme elements within this distance are listed in ``scheme_elements``
        (information only).  Library default; many elements are schematic with
        ``accuracy_m`` of kilometres, so "near" is indicative.
    outside_verdict : str, default "review"
        Verdict for a parcel (partly) outside 苏州市: the bundled layers cover
        Suzhou only, so "pass" could not be certified.  Use ``"pass"`` when your
        own layers cover the area.
    max_vertices : int, default 256
        Subdivision limit for big layer polygons (PostGIS ``ST_Subdivide`` uses 255).

    Examples
    --------
    >>> RULES.review_distance_m
    100.0
    >>> strict = RULES.replace(overlap_min_m2=0, overlap_min_ratio=0)  # any overlap is a conflict
    >>> strict.overlap_min_m2, RULES.overlap_min_m2
    (0, 1.0)
    """

    overlap_min_m2: float = 1.0
    overlap_min_ratio: float = 0.001
    review_distance_m: float = 100.0
    nearest_search_m: float = 1000.0
    scheme_near_m: float = 200.0
    outside_verdict: str = "review"
    max_vertices: int = 256

    # not a field (no annotation): the meaning and source of each rule
    _DOC = {
        "overlap_min_m2": (
            "m²",
            "overlap must exceed this (and the ratio) to count",
            "library default, not a regulation",
        ),
        "overlap_min_ratio": (
            "fraction of parcel",
            "overlap must exceed this share of the parcel (and the m²)",
            "library default, not a regulation",
        ),
        "review_distance_m": (
            "m",
            "within this distance of a protection redline → review",
            "library default, not a regulation (seeds 003/004 and reference §4.3 give no buffer distance)",
        ),
        "nearest_search_m": (
            "m",
            "nearest_redline_m is NaN beyond this",
            "library default (search bound)",
        ),
        "scheme_near_m": (
            "m",
            "scheme elements within this distance are listed",
            "library default; elements are often schematic",
        ),
        "outside_verdict": (
            "verdict",
            "verdict of parcels (partly) outside 苏州市",
            "library default: bundled layers cover Suzhou only",
        ),
        "max_vertices": (
            "vertices",
            "subdivision limit for layer polygons",
            "PostGIS ST_Subdivide default (255)",
        ),
    }

    def __post_init__(self) -> None:
        for f in (
            "overlap_min_m2",
            "overlap_min_ratio",
            "review_distance_m",
            "nearest_search_m",
            "scheme_near_m",
        ):
            v = getattr(self, f)
            if not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise ValueError(f"rule {f} must be a non-negative number, not {v!r}")
        if self.outside_verdict not in ("conflict", "review", "notice", "pass"):
            raise ValueError(
                f"rule outside_verdict must be one of conflict, review, notice, pass; not {self.outside_verdict!r}"
            )
        if self.nearest_search_m < self.review_distance_m:
            object.__setattr__(self, "nearest_search_m", float(self.review_distance_m))
        if int(self.max_vertices) < 5:
            raise ValueError(f"rule max_vertices must be ≥ 5, not {self.max_vertices!r}")

    def replace(self, **changes: Any) -> Rules:
        """Return a copy with some rules changed; unknown names raise with the valid ones."""
        known = {f.name for f in fields(self)}
        bad = sorted(set(changes) - known)
        if bad:
            raise ValueError(f"unknown rule(s) {bad}; valid rules: {sorted(known)}")
        return replace(self, **changes)

    def to_frame(self) -> pd.DataFrame:
        """Return the rules as a table: ``rule, value, unit, meaning, source``."""
        rows = [
            {
                "rule": k,
                "value": v,
                "unit": self._DOC[k][0],
                "meaning": self._DOC[k][1],
                "source": self._DOC[k][2],
            }
            for k, v in asdict(self).items()
        ]
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False)


#: The default rule table.
RULES = Rules()


def _rules(rules: Any) -> Rules:
    if rules is None:
        return RULES
    if isinstance(rules, Rules):
        return rules
    if isinstance(rules, Mapping):
        return RULES.replace(**dict(rules))
    raise TypeError(
        f"rules must be a Rules instance or a dict like {{'review_distance_m': 200}}, not {type(rules).__name__}"
    )


# --------------------------------------------------------------------------- layers


@dataclass
class _Layer:
    """A reference layer ready for queries: pieces (EPSG:4549), names per group, metadata."""

    index: PieceIndex
    names: np.ndarray
    extra: dict


def _read_reference(obj: Any, what: str) -> gpd.GeoDataFrame:
    from ..io import read_layer

    if isinstance(obj, gpd.GeoDataFrame) and obj.crs is not None and obj.crs.to_epsg() == 4490:
        return obj
    return read_layer(obj, name=what if not isinstance(obj, (str,)) else None)


def _metric(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    geo = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    return np.asarray(geo.to_crs(CGCS2000_GK_CM120).values, dtype=object)


def _name_column(gdf: gpd.GeoDataFrame, what: str) -> np.ndarray:
    for col in ("name", "name_zh", "名称", "NAME", "Name"):
        if col in gdf.columns:
            s = gdf[col].astype(object)
            fallback = pd.Series([f"{what} #{i}" for i in range(len(gdf))], index=gdf.index)
            return (
                s.where(s.notna() & (s.astype(str) != ""), fallback)
                .astype(str)
                .to_numpy(dtype=object)
            )
    return np.array([f"{what} #{i}" for i in range(len(gdf))], dtype=object)


def _prepare_redlines(red: Any, rules: Rules) -> dict:
    """Dissolve per kind (for areas) and keep per-feature pieces (for names)."""
    from ..redlines import load_redlines

    already = (
        isinstance(red, gpd.GeoDataFrame)
        and "kind" in red.columns
        and red.crs is not None
        and red.crs.to_epsg() == 4490
    )
    red = red if already else load_redlines(red)  # names/kinds normalised, repairs reported
    geoms = _metric(red)
    geoms = shapely.make_valid(geoms)
    if "kind" in red.columns:
        kinds = red["kind"].astype(str).to_numpy()
        unknown = sorted(set(kinds) - {PROTECTION, CONTROL})
        if unknown:
            raise ValueError(
                f"redlines: unknown kind {unknown[0]!r} in column 'kind'; use {PROTECTION!r} or {CONTROL!r}"
            )
    else:
        log.info(
            "redlines have no 'kind' column: every feature is taken as an ecological protection redline"
        )
        kinds = np.full(len(red), PROTECTION, dtype=object)
    names = _name_column(red, "redline")
    out: dict[str, Any] = {
        "illustrative": bool(red.attrs.get("illustrative", False)),
        "data_note": str(red.attrs.get("data_note", "")),
    }
    for kind in (PROTECTION, CONTROL):
        sel = np.flatnonzero(kinds == kind)
        g = geoms[sel]
        feat = _Layer(PieceIndex.build(g, max_vertices=rules.max_vertices), names[sel], {})
        # features of one kind that overlap each other are dissolved for the area (an overlap
        # counts once); when they do not (the usual case) the feature pieces serve both
        union = shapely.union_all(g) if len(g) else shapely.Polygon()
        overlapping = bool(len(g)) and shapely.area(g).sum() - union.area > 1e-9 * max(
            union.area, 1.0
        )
        area_index = (
            PieceIndex.build([union], n_groups=1, max_vertices=rules.max_vertices)
            if overlapping
            else None
        )
        out[kind] = {"features": feat, "dissolved": area_index}
    return out


def _prepare_zones(zones: gpd.GeoDataFrame, rules: Rules) -> _Layer:
    zones = _read_reference(zones, "joint zones")
    geoms = shapely.make_valid(_metric(zones))
    if "pair" in zones.columns:
        names = zones["pair"].astype(str).to_numpy(dtype=object)
    else:
        names = _name_column(zones, "joint zone")
    # one group per distinct pair (a pair's two sides are one zone)
    uniq, inv = np.unique(names, return_inverse=True)
    return _Layer(
        PieceIndex.build(geoms, inv, n_groups=len(uniq), max_vertices=rules.max_vertices), uniq, {}
    )


def _prepare_schemes(schemes: gpd.GeoDataFrame, rules: Rules) -> _Layer:
    schemes = _read_reference(schemes, "schemes")
    geoms = shapely.make_valid(_metric(schemes))
    if "name_zh" in schemes.columns:
        names = schemes["name_zh"].astype(str)
        if "scheme" in schemes.columns:
            names = schemes["scheme"].astype(str) + "·" + names
        names = names.to_numpy(dtype=object)
    else:
        names = _name_column(schemes, "element")
    uniq, inv = np.unique(names, return_inverse=True)
    return _Layer(
        PieceIndex.build(geoms, inv, n_groups=len(uniq), max_vertices=rules.max_vertices), uniq, {}
    )


@lru_cache(maxsize=4)
def _districts(max_vertices: int) -> tuple[_Layer, np.ndarray]:
    from ..boundaries import jurisdictions

    t = jurisdictions(geometry=True)
    t = t[t.level == "county"].reset_index(drop=True)
    geoms = shapely.make_valid(_metric(t))
    layer = _Layer(
        PieceIndex.build(geoms, max_vertices=max_vertices), t.name_zh.to_numpy(dtype=object), {}
    )
    return layer, t.in_suzhou.to_numpy(dtype=bool)


@lru_cache(maxsize=8)  # three layers (x a few max_vertices): 2 made every default call miss
def _bundled(what: str, max_vertices: int):
    rules = RULES.replace(max_vertices=max_vertices)
    if what == "redlines":
        from ..redlines import load_redlines

        return _prepare_redlines(load_redlines(), rules)
    if what == "joint_zones":
        from ..joint import joint_control_zone

        return _prepare_zones(joint_control_zone(), rules)
    if what == "schemes":
        from ..schemes import layers

        return _prepare_schemes(layers(), rules)
    raise KeyError(what)


def _layer(value: Any, what: str, rules: Rules):
    """None → bundled (cached), False → skip, anything else → the caller's layer."""
    if value is False:
        return None
    if value is None:
        return _bundled(what, rules.max_vertices)
    prep = {
        "redlines": _prepare_redlines,
        "joint_zones": _prepare_zones,
        "schemes": _prepare_schemes,
    }[what]
    try:
        return prep(value, rules)
    except CRSError:
        raise
    except (ValueError, FileNotFoundError) as exc:
        raise type(exc)(f"{what}= : {exc}") from None


# --------------------------------------------------------------------------- input


def _read_parcels(
    parcels: Any, crs: Any, layer: Any, encoding: str | None
) -> tuple[gpd.GeoDataFrame, str]:
    from ..io import READ_ATTRS_KEY, read_vector

    if isinstance(parcels, gpd.GeoSeries):
        gdf = gpd.GeoDataFrame(geometry=parcels)
        return gdf, parcels.name if isinstance(
            parcels.name, str
        ) and parcels.name != "geometry" else "GeoSeries"
    if isinstance(parcels, gpd.GeoDataFrame):
        return parcels, "GeoDataFrame"
    gdf = read_vector(parcels, layer=layer, encoding=encoding)
    return gdf, gdf.attrs.get(READ_ATTRS_KEY, {}).get("name", str(parcels))


_ISSUE_ZH = {
    "missing geometry": "缺少几何",
    "empty geometry": "几何为空",
    "point, not a polygon": "是点而不是面",
    "line, not a polygon": "是线而不是面",
}


def _issue_zh(issue: str) -> str:
    if issue in _ISSUE_ZH:
        return _ISSUE_ZH[issue]
    if issue.startswith("repaired"):
        return "已修复（make_valid）"
    return "几何不可用"


# --------------------------------------------------------------------------- the validator


def validate_parcels(
    parcels: Any,
    redlines: Any = None,
    joint_zones: Any = None,
    schemes: Any = None,
    rules: Rules | Mapping[str, Any] | None = None,
    *,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = 500_000,
    n_jobs: int | None = None,
) -> gpd.GeoDataFrame:
    """Check development parcels against redlines, joint-control zones and schemes.

    Parameters
    ----------
    parcels : str, path, GeoDataFrame or GeoSeries
        The parcels (地块): any file OGR reads (GBK Shapefiles without ``.cpg``
        are detected, see :func:`suzhou_geo.io.read_vector`) or a frame.
        Polygons and multipolygons are checked whole; invalid polygons are
        repaired (``make_valid``) and the repair is reported; points, lines,
        empty and missing geometries get verdict ``invalid``.
    redlines : GeoDataFrame, path, None or False
        Redline polygons with ``kind`` (``ecological_protection_redline`` or
        ``ecological_space_control``; all protection if the column is absent)
        and ``name``.  ``None``: the bundled, **illustrative** layer
        (:func:`suzhou_geo.load_redlines`); ``False``: skip the check.
    joint_zones : GeoDataFrame, path, None or False
        Joint-control zones with a ``pair`` column.  ``None``: the 500 m
        嘉定–昆山–太仓 band (:func:`suzhou_geo.joint_control_zone`, seed 002).
    schemes : GeoDataFrame, path, None or False
        Scheme elements (``scheme``, ``name_zh``).  ``None``: :func:`suzhou_geo.layers`.
    rules : Rules or dict, optional
        Thresholds (see :class:`Rules`); a dict changes only the rules it names.
    crs : str or pyproj.CRS, optional
        CRS of parcels that declare none (e.g. ``"EPSG:4549"``), or ``"GCJ-02"``
        for Amap/Gaode coordinates.  A missing CRS without it is an error.
    layer, encoding : optional
        Layer name and text encoding for file input.
    progress : callable(done, total), optional
        Called after each chunk of parcels (for progress bars).
    chunk_size : int, default 500000
        Parcels per chunk (bounds the memory of the intermediate arrays).
    n_jobs : int, optional
        Threads that check the layers (redlines, districts, schemes, joint
        zones) side by side; shapely/GEOS release the GIL.  Default: the number
        of CPUs, at most 4; ``1`` runs serially.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per input parcel, in input order, with the input's index and
        columns, the (repaired) geometry in EPSG:4490, and :data:`REPORT_COLUMNS`:
        ``verdict`` (``conflict`` > ``review`` > ``notice`` > ``pass``;
        ``invalid``), ``reasons`` (every rule that fired, Chinese / English),
        ``redline_overlap_m2`` and ``redline_overlap_ratio`` (protection
        redline, ellipsoidal), ``control_overlap_m2`` (space control areas),
        ``redline_names``, ``nearest_redline_m`` (to a protection redline, NaN
        beyond ``nearest_search_m``), ``in_joint_zone``, ``joint_zone``,
        ``district``, ``scheme_elements``, ``geometry_issue``,
        ``parcel_area_m2``.  ``attrs`` holds ``illustrative``, ``data_note``,
        ``rules`` and ``source``.

    Raises
    ------
    suzhou_geo.crs.CRSError
        Parcels without a CRS and no ``crs=`` (the message names the likely CRS).
    ValueError, FileNotFoundError
        Unreadable input (the message names the file).

    See Also
    --------
    summarize : counts and areas by verdict and district.
    suzhou_geo.maps.layer_to_folium : ``layer_to_folium(report, kind="report")`` draws
        the report (one toggleable group per verdict); use it rather than ``report.explore()``.
    suzhou_geo.io.write_layer : writes the report with Chinese text intact.

    Notes
    -----
    Geometry stays as given: points, lines and missing geometries of ``invalid``
    rows are kept, so a report with such rows has mixed geometry types, which
    GeoPackage and GeoJSON store but a Shapefile cannot (the CLI writes those
    rows without geometry to a ``.shp``).  Layer edges are taken as straight in
    EPSG:4549: a 2 km straight edge in longitude/latitude bows by ~5 cm there,
    far below the accuracy of any redline; densify very long edges if that matters.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> p = gpd.GeoDataFrame({"id": [1]}, geometry=[box(120.95, 31.38, 120.951, 31.381)], crs="EPSG:4490")
    >>> r = validate_parcels(p, redlines=False, joint_zones=False, schemes=False)
    >>> r.loc[0, "verdict"], r.loc[0, "district"]
    ('pass', '昆山市')
    """
    rules = _rules(rules)
    clock = _Clock()
    gdf, label = _read_parcels(parcels, crs, layer, encoding)
    clock("read")
    if gdf.geometry.name in REPORT_COLUMNS:
        raise ValueError(f"{label}: the geometry column may not be called {gdf.geometry.name!r}")
    clash = [c for c in REPORT_COLUMNS if c in gdf.columns]
    if clash:
        log.warning("%s: input columns %s are overwritten by the report", label, clash)
    n = len(gdf)

    # CRS → EPSG:4490 (raises CRSError naming the fix), then repair
    geo = ensure_crs(gdf.geometry, assume=crs, name=label)
    from ..io import repair_geometries

    fixed, issues = repair_geometries(np.asarray(geo.values, dtype=object), expect="polygon")
    usable = np.isin(shapely.get_type_id(fixed), (3, 6)) & ~shapely.is_empty(fixed)
    issues = np.where(pd.isna(issues), "", issues).astype(object)

    clock("crs+repair")
    red = _layer(redlines, "redlines", rules)
    zones = _layer(joint_zones, "joint_zones", rules)
    sch = _layer(schemes, "schemes", rules)
    dist_layer, dist_in_suzhou = _districts(rules.max_vertices)
    clock("layers")

    # result arrays
    area = np.zeros(n)
    red_m2 = np.zeros(n)
    ctl_m2 = np.zeros(n)
    nearest = np.full(n, np.nan)
    nearest_grp = np.full(n, -1, dtype=np.int64)
    suzhou_m2 = np.zeros(n)
    pairs: dict[str, list] = {
        k: [] for k in ("red_names", "ctl_names", "zone", "district", "scheme")
    }

    upos = np.flatnonzero(usable)
    u4490 = fixed[upos]
    total = len(upos)
    workers = _workers(n_jobs)
    n_chunks = max(-(-total // max(int(chunk_size), 1)), 1)
    bounds = np.linspace(0, total, n_chunks + 1).astype(int)
    stage_clocks: list[_Clock] = []

    # one vectorised call each for the whole input (PROJ set-up is per call; measured: running
    # the two side by side in threads is slower than one after the other)
    u4549 = np.asarray(
        gpd.GeoSeries(u4490, crs=CGCS2000).to_crs(CGCS2000_GK_CM120).values, dtype=object
    )
    # ellipsoidal areas from the metric geometries (planar area / Gauss-Krüger areal scale):
    # no second reprojection of every parcel
    area[upos] = area_m2_projected(u4549, CGCS2000_GK_CM120)
    clock("area+project")

    def check(sl: slice, pool) -> int:
        """All checks for one chunk of usable parcels.

        One STRtree on the chunk's parcels; the layers are checked in parallel
        threads (shapely/GEOS release the GIL), each layer by one thread only,
        because GEOS prepared geometries build their indexes lazily and are not
        safe to share between threads.  Each task writes its own result arrays.
        """
        rows = upos[sl]
        a = area[rows]
        g = u4549[sl]
        tree = shapely.STRtree(g)
        tree.query(
            g[:1]
        )  # GEOS builds the tree on the first query: do it here, not in 2 threads at once

        def task_redlines(ck: _Clock) -> None:
            for kind, acc, key in (
                (PROTECTION, red_m2, "red_names"),
                (CONTROL, ctl_m2, "ctl_names"),
            ):
                feat, dissolved = red[kind]["features"], red[kind]["dissolved"]
                if dissolved is None:
                    r, grp, v = overlap_pairs(feat.index, tree, g, a)
                    acc[rows] = np.bincount(r, weights=v, minlength=len(rows))
                    named = v >= NOISE_M2  # a feature merely touched along an edge is not named
                    pairs[key].append((rows[r[named]], grp[named]))
                else:
                    r, _, v = overlap_pairs(dissolved, tree, g, a)
                    acc[rows[r]] = v
                    if len(r):
                        sub = sorted_unique(r)
                        r2, grp2, v2 = overlap_pairs(
                            feat.index, shapely.STRtree(g[sub]), g[sub], a[sub]
                        )
                        named = v2 >= NOISE_M2
                        pairs[key].append((rows[sub[r2[named]]], grp2[named]))
            d, grp = nearest_edge(red[PROTECTION]["features"].index, tree, rules.nearest_search_m)
            d[red_m2[rows] > 0] = 0.0
            nearest[rows] = d
            nearest_grp[rows] = grp
            ck("redlines")

        def task_joint(ck: _Clock) -> None:
            r, grp, v = overlap_pairs(zones.index, tree, g, a)
            keep = _counts(v, a[r], rules)
            pairs["zone"].append((rows[r[keep]], grp[keep]))
            ck("joint")

        def task_district(ck: _Clock) -> None:
            r, grp, v = overlap_pairs(dist_layer.index, tree, g, a)
            ins = dist_in_suzhou[grp]
            suzhou_m2[rows] = np.bincount(r[ins], weights=v[ins], minlength=len(rows))
            keep = _counts(v, a[r], rules)
            pairs["district"].append((rows[r[keep]], grp[keep]))
            ck("district")

        def task_schemes(ck: _Clock) -> None:
            r, grp = near_pairs(sch.index, tree, rules.scheme_near_m)
            pairs["scheme"].append((rows[r], grp))
            ck("schemes")

        # longest first (measured at 1M parcels: schemes ≳ redlines > districts ≫ joint zones)
        tasks = [
            t
            for t, on in (
                (task_schemes, sch is not None),
                (task_redlines, red is not None),
                (task_district, True),
                (task_joint, zones is not None),
            )
            if on
        ]

        def run(task) -> None:
            ck = _Clock()
            stage_clocks.append(ck)
            task(ck)

        def step(k: int) -> None:  # progress within the chunk, one step per layer checked
            if progress is not None and k < len(tasks):
                progress(int(sl.start + (sl.stop - sl.start) * k / len(tasks)), total)

        if pool is None:
            for k, task in enumerate(tasks, 1):
                run(task)
                step(k)
        else:
            futures = [pool.submit(run, task) for task in tasks]
            for k, fut in enumerate(as_completed(futures), 1):
                fut.result()  # re-raises a task's exception
                step(k)
        log.debug("checked parcels %d-%d of %d", sl.start, sl.stop, total)
        return int(sl.stop - sl.start)

    slices = [
        slice(int(bounds[i]), int(bounds[i + 1]))
        for i in range(n_chunks)
        if bounds[i + 1] > bounds[i]
    ]
    done = 0
    pool = None
    if workers > 1 and total >= 1_000:
        pool = ThreadPoolExecutor(max_workers=workers)
    try:
        for sl in slices:
            done += check(sl, pool)
            if progress is not None:
                progress(done, total)
    finally:
        if pool is not None:
            pool.shutdown()
    if progress is not None and total == 0:
        progress(0, 0)
    clock("checks")

    def _lab(key: str, names) -> np.ndarray:
        if not pairs[key]:
            return np.full(n, "", dtype=object)
        r = np.concatenate([p[0] for p in pairs[key]])
        grp = np.concatenate([p[1] for p in pairs[key]])
        return labels(n, r, grp, names)

    red_names = _lab("red_names", red[PROTECTION]["features"].names if red else [])
    ctl_names = _lab("ctl_names", red[CONTROL]["features"].names if red else [])
    zone_lab = _lab("zone", zones.names if zones is not None else [])
    dist_lab = _lab("district", dist_layer.names)
    sch_lab = _lab("scheme", sch.names if sch is not None else [])
    near_names = np.full(n, "", dtype=object)
    if red is not None:
        ok = nearest_grp >= 0
        near_names[ok] = red[PROTECTION]["features"].names[nearest_grp[ok]]

    # below 0.01 m² an "overlap" is reprojection noise on a shared edge, not a sliver
    red_m2[red_m2 < NOISE_M2] = 0.0
    ctl_m2[ctl_m2 < NOISE_M2] = 0.0
    ratio = np.divide(red_m2, area, out=np.zeros(n), where=area > 0)
    ctl_ratio = np.divide(ctl_m2, area, out=np.zeros(n), where=area > 0)
    outside_m2 = np.clip(area - suzhou_m2, 0, None)
    t_m2, t_ratio = rules.overlap_min_m2, rules.overlap_min_ratio
    conflict = usable & (red_m2 > t_m2) & (ratio > t_ratio)
    sliver = usable & (red_m2 > 0) & ~conflict
    control = usable & (ctl_m2 > t_m2) & (ctl_ratio > t_ratio)
    near = usable & ~conflict & ~sliver & (nearest <= rules.review_distance_m)
    in_zone = usable & (zone_lab != "")
    out_frac = np.divide(outside_m2, area, out=np.zeros(n), where=area > 0)
    outside_any = usable & (outside_m2 > t_m2) & (out_frac > t_ratio)
    outside_all = outside_any & (suzhou_m2 <= np.maximum(t_m2, t_ratio * area))

    severity = {"conflict": 3, "review": 2, "notice": 1, "pass": 0}
    level = np.zeros(n, dtype=np.int8)
    level = np.maximum(level, np.where(conflict, 3, 0))
    level = np.maximum(level, np.where(sliver | control | near, 2, 0))
    level = np.maximum(level, np.where(in_zone, 1, 0))
    level = np.maximum(level, np.where(outside_any, severity[rules.outside_verdict], 0))
    verdict = np.array(["pass", "notice", "review", "conflict"], dtype=object)[level]
    verdict[~usable] = "invalid"

    illustrative = bool(red and red.get("illustrative"))
    reasons = _reasons(
        n=n,
        usable=usable,
        issues=issues,
        conflict=conflict,
        sliver=sliver,
        control=control,
        near=near,
        in_zone=in_zone,
        outside_any=outside_any,
        outside_all=outside_all,
        red_m2=red_m2,
        ratio=ratio,
        ctl_m2=ctl_m2,
        ctl_ratio=ctl_ratio,
        nearest=nearest,
        red_names=red_names,
        ctl_names=ctl_names,
        near_names=near_names,
        zone_lab=zone_lab,
        dist_lab=dist_lab,
        out_frac=out_frac,
        rules=rules,
        illustrative=illustrative,
    )

    clock("labels+reasons")
    # a shallow copy: the input's columns are shared, not copied; only new columns are added
    out = gdf.copy(deep=False)
    out[gdf.geometry.name] = gpd.GeoSeries(
        fixed, crs=CGCS2000
    ).values  # positional: duplicate labels are fine
    ratio_out = np.where(usable, np.round(ratio, 6), np.nan)
    out["verdict"] = verdict
    out["reasons"] = reasons
    out["redline_overlap_m2"] = np.where(usable, np.round(red_m2, 2), np.nan)
    out["redline_overlap_ratio"] = ratio_out
    out["control_overlap_m2"] = np.where(usable, np.round(ctl_m2, 2), np.nan)
    names_all = np.where(
        (red_names != "") & (ctl_names != ""), red_names + "; " + ctl_names, red_names + ctl_names
    )
    out["redline_names"] = names_all
    out["nearest_redline_m"] = np.round(nearest, 2)
    out["in_joint_zone"] = in_zone
    out["joint_zone"] = zone_lab
    out["district"] = dist_lab
    out["scheme_elements"] = sch_lab
    out["geometry_issue"] = issues
    out["parcel_area_m2"] = np.where(usable, np.round(area, 2), np.nan)
    out["approximate_position"] = np.zeros(n, dtype=bool)
    out["redline_data"] = _redline_data(red)
    out.attrs = {
        "illustrative": illustrative,
        "data_note": red.get("data_note", "") if red else "redlines not checked (redlines=False)",
        "rules": asdict(rules),
        "source": label,
    }
    clock("assemble")
    out.attrs["timings"] = clock.totals()
    stages: dict[str, float] = {}
    for ck in stage_clocks:
        for k, v in ck.t.items():
            stages[k] = stages.get(k, 0.0) + v
    out.attrs["timings"]["check_stages_summed_over_threads"] = {
        k: round(v, 3) for k, v in stages.items()
    }
    log.info(
        "validated %d parcels from %s in %.1f s: %s",
        n,
        label,
        sum(clock.t.values()),
        clock.totals(),
    )
    return out


def _redline_data(red) -> str:
    if not red:
        return "未检查 not checked"
    if red.get("illustrative"):
        return "内置示意样例（非官方）bundled illustrative sample (not official)"
    return str(red.get("name") or "用户数据 user data")


class _Clock:
    """Accumulated wall time per stage (seconds), for logging and the benchmark."""

    def __init__(self) -> None:
        import time

        self._now = time.perf_counter
        self._last = self._now()
        self.t: dict[str, float] = {}

    def __call__(self, stage: str) -> None:
        now = self._now()
        self.t[stage] = self.t.get(stage, 0.0) + now - self._last
        self._last = now

    def totals(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.t.items()}


def _workers(n_jobs: int | None) -> int:
    import os

    if n_jobs is None:
        return max(1, min(os.cpu_count() or 1, 4))
    if int(n_jobs) < 1:
        raise ValueError(f"n_jobs must be ≥ 1 or None, not {n_jobs!r}")
    return int(n_jobs)


def _counts(overlap: np.ndarray, parcel_area: np.ndarray, rules: Rules) -> np.ndarray:
    return (overlap > rules.overlap_min_m2) & (overlap > rules.overlap_min_ratio * parcel_area)


def _fmt_m2(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:.2f}"


def _reasons(
    *,
    n,
    usable,
    issues,
    conflict,
    sliver,
    control,
    near,
    in_zone,
    outside_any,
    outside_all,
    red_m2,
    ratio,
    ctl_m2,
    ctl_ratio,
    nearest,
    red_names,
    ctl_names,
    near_names,
    zone_lab,
    dist_lab,
    out_frac,
    rules,
    illustrative,
) -> np.ndarray:
    """Bilingual reasons; Python formatting only on the rows where a rule fired."""
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    tag = (
        "（示意红线，非官方数据 / illustrative redline, not official data）" if illustrative else ""
    )

    def add(mask: np.ndarray, make: Callable[[int], str]) -> None:
        idx = np.flatnonzero(mask)
        if len(idx):
            parts.append((idx, np.array([make(i) for i in idx.tolist()], dtype=object)))

    add(~usable, lambda i: f"几何不可用：{_issue_zh(issues[i])} / unusable geometry: {issues[i]}")
    add(
        usable & (issues != ""),
        lambda i: f"几何已修复 / geometry repaired: {issues[i].removeprefix('repaired: ')}",
    )

    def _conflict(i: int) -> str:
        a, r, nm = _fmt_m2(red_m2[i]), f"{ratio[i]:.1%}", red_names[i]
        return (
            f"与生态保护红线重叠 {a} m²（占地块 {r}）：{nm}{tag} / "
            f"overlaps the ecological protection redline by {a} m² ({r} of the parcel): {nm}"
        )

    add(conflict, _conflict)

    def _below(i: int) -> str:
        a, nm = f"{red_m2[i]:.2f}", red_names[i]
        t = f"{rules.overlap_min_m2:g} m², {rules.overlap_min_ratio:.1%}"
        return (
            f"与生态保护红线重叠仅 {a} m²，低于冲突容差（{t}），可能是共边误差，需复核：{nm}{tag} / "
            f"overlaps the ecological protection redline by only {a} m², below the conflict tolerance "
            f"({t}): probably a sliver along a shared edge, check it: {nm}"
        )

    add(sliver, _below)

    def _control(i: int) -> str:
        a, r, nm = _fmt_m2(ctl_m2[i]), f"{ctl_ratio[i]:.1%}", ctl_names[i]
        return (
            f"与生态空间管控区域重叠 {a} m²（占地块 {r}）：{nm}{tag} / "
            f"overlaps an ecological space control area by {a} m² ({r}): {nm}"
        )

    add(control, _control)
    add(
        near,
        lambda i: (
            f"距生态保护红线 {nearest[i]:.0f} m（≤ {rules.review_distance_m:g} m）：{near_names[i]}{tag} / "
            f"{nearest[i]:.0f} m from the ecological protection redline (≤ {rules.review_distance_m:g} m): {near_names[i]}"
        ),
    )
    add(
        in_zone,
        lambda i: (
            f"位于{zone_lab[i]}联防联治区内，须告知相邻方 / inside the {zone_lab[i]} joint-control zone: "
            "inform the neighbouring jurisdiction"
        ),
    )
    add(
        outside_all,
        lambda i: (
            f"位于苏州市域外（{dist_lab[i] or '未知'}），内置图层不覆盖 / outside Suzhou ({dist_lab[i] or 'unknown'}): "
            "the bundled layers do not cover it"
        ),
    )
    add(
        outside_any & ~outside_all,
        lambda i: (
            f"{out_frac[i]:.1%} 位于苏州市域外（{dist_lab[i]}） / {out_frac[i]:.1%} of the parcel lies outside Suzhou ({dist_lab[i]})"
        ),
    )
    out = np.full(n, "", dtype=object)
    if not parts:
        out[usable] = "未触发任何规则 / no rule fired"
        return out
    idx = np.concatenate([p[0] for p in parts])
    txt = np.concatenate([p[1] for p in parts])
    order = np.argsort(idx, kind="stable")
    idx, txt = idx[order], txt[order]
    first = np.r_[True, idx[1:] != idx[:-1]]
    last = np.r_[idx[1:] != idx[:-1], True]
    single = first & last  # most rows: one reason, no joining
    out[idx[single]] = txt[single]
    multi = np.flatnonzero(first & ~last)
    if len(multi):
        ends = np.r_[np.flatnonzero(first)[1:], len(idx)]
        ends = ends[np.searchsorted(np.flatnonzero(first), multi)]
        out[idx[multi]] = [
            "; ".join(txt[a:b].tolist()) for a, b in zip(multi.tolist(), ends.tolist(), strict=True)
        ]
    out[(out == "") & usable] = "未触发任何规则 / no rule fired"
    return out


# --------------------------------------------------------------------------- summary


@dataclass
class ValidationSummary:
    """Counts and areas of a report, by verdict and by district.

    Attributes
    ----------
    by_verdict : pandas.DataFrame
        ``verdict, parcels, parcel_area_ha, redline_overlap_ha`` (all verdicts, in severity order).
    by_district : pandas.DataFrame
        One row per county-level unit of Suzhou (units outside Suzhou pooled),
        one column of parcel counts per verdict, plus ``parcels`` and
        ``parcel_area_ha``.  A parcel on a border counts in every unit it lies
        in, so the column sums can exceed the number of parcels.
    note : str
        What the redlines were (the bundled sample is illustrative).
    """

    by_verdict: pd.DataFrame
    by_district: pd.DataFrame
    note: str
    illustrative: bool = False

    def to_frame(self) -> pd.DataFrame:
        """Return the counts by verdict."""
        return self.by_verdict.copy()

    def __str__(self) -> str:
        lines = [self.by_verdict.to_string(index=False), "", self.by_district.to_string(), ""]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        warn = (
            f"<p><b>{html.escape(self.note)}</b></p>"
            if self.illustrative
            else f"<p>{html.escape(self.note)}</p>"
        )
        return (
            "<h4>Parcels by verdict</h4>"
            + self.by_verdict.to_html(index=False)
            + "<h4>By district</h4>"
            + self.by_district.to_html()
            + warn
        )


def summarize(report: gpd.GeoDataFrame) -> ValidationSummary:
    """Count parcels and sum areas by verdict and by district of a :func:`validate_parcels` report.

    Parameters
    ----------
    report : GeoDataFrame
        The output of :func:`validate_parcels` (or the same read back from a file).

    Returns
    -------
    ValidationSummary
        ``.by_verdict``, ``.by_district``, ``.note``; ``.to_frame()`` and ``_repr_html_``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> p = gpd.GeoDataFrame(geometry=[box(120.95, 31.38, 120.951, 31.381), None], crs="EPSG:4490")
    >>> s = summarize(validate_parcels(p, redlines=False, joint_zones=False, schemes=False))
    >>> s.by_verdict.set_index("verdict").parcels.to_dict()["invalid"]
    1
    """
    missing = [
        c
        for c in ("verdict", "district", "parcel_area_m2", "redline_overlap_m2")
        if c not in report.columns
    ]
    if missing:
        raise ValueError(f"not a validate_parcels report: columns {missing} are missing")
    verdict = pd.Categorical(report["verdict"].astype(str).to_numpy(), categories=list(VERDICTS))
    df = pd.DataFrame(
        {
            "verdict": verdict,
            "area_ha": report["parcel_area_m2"].fillna(0).to_numpy() / 1e4,
            "overlap_ha": report["redline_overlap_m2"].fillna(0).to_numpy() / 1e4,
        }
    )
    bv = df.groupby("verdict", observed=False).agg(
        parcels=("area_ha", "size"),
        parcel_area_ha=("area_ha", "sum"),
        redline_overlap_ha=("overlap_ha", "sum"),
    )
    bv = bv.reset_index().round({"parcel_area_ha": 2, "redline_overlap_ha": 4})
    bv["verdict"] = bv["verdict"].astype(str)
    # a parcel on a border counts in every unit it lies in; units outside Suzhou are pooled
    from ..boundaries import jurisdictions

    in_sz = set(jurisdictions(suzhou_only=True).name_zh)
    names = report["district"].fillna("").astype(str).str.split("; ")
    long = pd.DataFrame(
        {
            "row": np.repeat(np.arange(len(report)), names.str.len()),
            "district": np.concatenate(names.to_numpy()) if len(report) else [],
        }
    )
    outside = "(苏州市域外 outside Suzhou)"
    long["district"] = np.where(
        long["district"] == "",
        "(无 none)",
        np.where(long["district"].isin(in_sz), long["district"], outside),
    )
    long = long.drop_duplicates()
    long["verdict"] = pd.Categorical(
        np.asarray(verdict)[long["row"].to_numpy()], categories=list(VERDICTS)
    )
    long["area_ha"] = df["area_ha"].to_numpy()[long["row"].to_numpy()]
    bd = pd.crosstab(long["district"], long["verdict"], dropna=False).reindex(
        columns=list(VERDICTS), fill_value=0
    )
    bd.columns = [str(c) for c in bd.columns]
    bd["parcels"] = bd.sum(axis=1)
    bd["parcel_area_ha"] = long.groupby("district")["area_ha"].sum().round(2)
    bd = bd.sort_values("parcels", ascending=False)
    bd.index.name = "district"
    attrs = getattr(report, "attrs", {}) or {}
    illustrative = bool(attrs.get("illustrative", False))
    if illustrative:
        note = "注意：红线为示意数据，非官方生态保护红线 / NOTE: " + str(
            attrs.get("data_note")
            or "the redlines are ILLUSTRATIVE, not the official ecological protection redline; "
            "rerun with redlines=<official data>."
        )
    else:
        note = str(attrs.get("data_note", ""))
    return ValidationSummary(bv, bd, note, illustrative)
