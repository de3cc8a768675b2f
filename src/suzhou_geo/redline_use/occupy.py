"""``occupancy``: what a project occupies of each redline (占用生态保护红线情况), alternatives side by side.

:func:`occupancy` reads as a pipeline: read the parcels (one input, or one per
alternative) → group them into projects (``project=``, ``alternatives=``) and
dissolve each project → cut the redlines into *cells* (each feature's own area
— an overlap of two features of one kind counts once, under the first in the
layer's order — split along county borders) → overlay the projects with the
cells through the piece index (:mod:`suzhou_geo.pieces`) → measure each
occupied part on the ellipsoid → add the totals by kind, the shape of each
project (linear or not), the named boundary points inside, the activity's
clause, and the ranking of alternatives.

The parts of a project add up to its total of each kind, which is measured
separately (the project ∩ the dissolved kind); a parcel wholly inside one
feature occupies its own area.  1 亩 = 10 000/15 m² ≈ 666.67 m².

The library computes; it decides no legality (see :data:`~suzhou_geo.redline_use.schema.NO_LEGALITY`).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import CGCS2000, DENSIFY_TOLERANCE_M
from ..errors import InputError
from ..io import boundary_points, read
from ..io import write_layer as write_any
from ..layer import Layer, to_metric
from ..pieces import PieceIndex, overlap_pairs
from ..redlines import KINDS, REDLINE, SPACE_CONTROL, redline_layer
from .activities import activity_clause
from .parts import (
    Units,
    clip_near,
    dissolved,
    geod_length_m,
    geod_m2,
    illustrative,
    kind_mask,
    metric,
    polygons,
    source_name,
    suzhou_units,
    tier_column,
    to_geographic,
)
from .render import notes_html, table_html
from .schema import (
    COUNTY_COLUMNS,
    HA_M2,
    ILLUSTRATIVE,
    MU_M2,
    NO_LEGALITY,
    OCCUPANCY_COLUMNS,
    POINT_COLUMNS,
    PROJECT_COLUMNS,
    UNITS_NOTE,
    names,
)

__all__ = ["occupancy", "Occupancy", "LINEAR_RATIO", "ACTIVITY_COLUMNS", "BLANK", "ALL_PARCELS"]

log = logging.getLogger(__name__)

#: A project is linear when its parts, as rectangles of their area and perimeter, are this many times as long as wide.
LINEAR_RATIO = 10.0
#: Columns taken as the activity (有限人为活动) when ``activity=`` is not given.
ACTIVITY_COLUMNS = ("有限人为活动", "活动类型", "activity")
#: The project (or alternative) of rows whose project column is empty.
BLANK = "(空 blank)"
#: The project of all parcels of an alternative, when ``alternatives=`` is given without ``project=``.
ALL_PARCELS = "(全部地块 all parcels)"

_KIND_ORDER = (REDLINE, SPACE_CONTROL)
_SPELLING = {"crs": "crs={value}", "override_crs": "parcels=sg.Source(…, override_crs={value})",
             "swap_xy": "parcels=sg.Source(…, swap_xy={value})"}
_RED_SPELLING = {"crs": "redlines_crs={value}", "override_crs": None, "swap_xy": None,
                 "datum_shift": "redlines=sg.Source(…, datum_shift={value})",
                 "approximate_datum": "redlines=sg.Source(…, approximate_datum={value})",
                 "invalid": "redlines=sg.Source(…, invalid={value})"}


# --------------------------------------------------------------------------- the result


@dataclass
class Occupancy:
    """What projects occupy of the redlines: the result of :func:`occupancy`.

    Attributes
    ----------
    parts : geopandas.GeoDataFrame
        One row per project × alternative × redline feature × county-level
        unit (``row_type == "part"``) and per project and kind its total
        (``"total"``), with the occupied area as geometry (EPSG:4490); columns
        :data:`~suzhou_geo.redline_use.schema.OCCUPANCY_COLUMNS`.
    projects : geopandas.GeoDataFrame
        One row per project (× alternative), its parcels dissolved as geometry;
        columns :data:`~suzhou_geo.redline_use.schema.PROJECT_COLUMNS`.
    by_county : pandas.DataFrame
        Occupied area by project and county-level unit.
    points : geopandas.GeoDataFrame
        The named boundary points (界址点) inside a redline feature.
    notes : list of str
        What the figures rest on, bilingual: the data, the method, what could
        not be measured, and that the library decides no legality.
    illustrative : bool
        The redlines are the bundled illustrative sample.
    redline_data : str
        Which redlines were used.
    redlines : geopandas.GeoDataFrame
        The redline layer used (normalised), for maps.
    inputs : tuple of str
        The parcels read (one name per input: a file name, ``GeoDataFrame``).
    """

    parts: gpd.GeoDataFrame
    projects: gpd.GeoDataFrame
    by_county: pd.DataFrame
    points: gpd.GeoDataFrame
    notes: list[str]
    illustrative: bool
    redline_data: str
    redlines: gpd.GeoDataFrame = field(repr=False)
    inputs: tuple[str, ...] = ()

    @property
    def has_alternatives(self) -> bool:
        """Whether the projects were given as alternatives (方案)."""
        return bool((self.projects["alternative"] != "").any())

    @property
    def alternatives(self) -> pd.DataFrame:
        """The alternatives of each project side by side, best (least protection redline occupied) first.

        Projects without alternatives are left out (they are in :attr:`projects`).
        """
        cols = ["project", "alternative", "rank", "project_area_m2", "redline_m2", "redline_ha", "redline_mu",
                "redline_share", "control_m2", "features", "crossing_m", "points_inside"]
        t = pd.DataFrame(self.projects.loc[self.projects["alternative"] != "", cols])
        return t.sort_values(["project", "rank", "alternative"], kind="stable").reset_index(drop=True)

    @property
    def warnings(self) -> list[str]:
        """The notes every rendering shows first: the illustrative data, and that no legality is decided."""
        return ([ILLUSTRATIVE] if self.illustrative else []) + [NO_LEGALITY]

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the occupancy table (:attr:`parts`): parts and per-project totals."""
        return self.parts

    def write(self, path: Any, *, table: str = "parts", overwrite: bool = False) -> Path | str:
        """Write one table through the one way out (:func:`suzhou_geo.io.write_layer`), labelled from the schema.

        Parameters
        ----------
        path : str or path
            ``.gpkg``, ``.xlsx``, ``.csv``, ``.shp``, ``.parquet`` … (the extension decides).
        table : {"parts", "projects", "points"}
            Which table.
        overwrite : bool, default False
        """
        frames = {"parts": (self.parts, OCCUPANCY_COLUMNS), "projects": (self.projects, PROJECT_COLUMNS),
                  "points": (self.points, POINT_COLUMNS)}
        if table not in frames:
            raise InputError(f"table must be one of {list(frames)}, not {table!r}", source="Occupancy.write")
        frame, columns = frames[table]
        return write_any(frame, path, overwrite=overwrite, columns=columns, layer=_LAYER_NAMES[table])

    def __repr__(self) -> str:
        n = len(self.projects)
        occ = int((self.projects["redline_m2"] > 0).sum())
        return (f"<Occupancy: {n} project(s), {occ} occupying the protection redline"
                f"{', illustrative redlines' if self.illustrative else ''}>")

    def _repr_html_(self) -> str:
        cols = [c for c in PROJECT_COLUMNS if c.name in ("project", "alternative", "rank", "project_area_m2",
                                                           "redline_m2", "redline_ha", "redline_mu", "redline_share",
                                                           "control_m2", "linear", "crossing_m", "points_inside",
                                                           "activity_clause")]
        shown = pd.DataFrame(self.projects[[c.name for c in cols]])
        if not self.has_alternatives:
            shown = shown.drop(columns=["alternative", "rank"])
        parts = pd.DataFrame(self.parts.drop(columns="geometry"))
        return (
            "<div class='suzhou-geo-occupancy'>"
            "<h4 style='margin:4px 0'>占用生态保护红线情况 Redline occupancy</h4>"
            + notes_html(self.notes, warn=self.warnings)
            + table_html(shown, cols)
            + "<details><summary>按红线要素 by redline feature</summary>"
            + table_html(parts, OCCUPANCY_COLUMNS, max_rows=60)
            + "</details>"
            + f"<p style='font-size:smaller'>红线数据 redline data: {html.escape(self.redline_data)}</p></div>"
        )


_LAYER_NAMES = {"parts": "occupancy", "projects": "projects", "points": "points_inside"}


# --------------------------------------------------------------------------- the pipeline


def occupancy(
    parcels: Any = None,
    redlines: Any = None,
    *,
    project: str | None = None,
    alternatives: str | Mapping[str, Any] | Sequence[Any] | None = None,
    activity: str | None = None,
    tier: str | None = None,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    redlines_crs: Any = None,
    linear_ratio: float = LINEAR_RATIO,
) -> Occupancy:
    """How much of which redline each project occupies (占用), by feature, kind, tier and county.

    Parameters
    ----------
    parcels : path, URI, GeoDataFrame, Source or Layer
        The project parcels (用地范围), read through :func:`suzhou_geo.io.read`
        (any format it takes; polygons).  Rows without a usable polygon (no
        geometry, a point, a line) are counted and named in the notes, never
        dropped silently.  ``None`` only when *alternatives* gives the inputs.
    redlines : path, GeoDataFrame, Source or None
        The redline layer (see :func:`suzhou_geo.load_redlines`): both kinds,
        生态保护红线 and 生态空间管控区域, are reported.  ``None``: the bundled
        ILLUSTRATIVE sample, which every output then says.
    project : str, optional
        The column grouping parcels into projects.  Without it every input row is
        a project of its own (named by its row), unless *alternatives* is given:
        then all parcels of an alternative form one project.
    alternatives : str, mapping or sequence, optional
        Alternatives (方案) put side by side and ranked by the protection
        redline they occupy (least first, then space control area, then
        project area): a column of *parcels* (``"方案"``; rows where it is
        empty belong to no alternative), or several inputs —
        ``{"方案A": "a.gpkg", "方案B": frame_b}``, or a list named by position
        (方案1, 方案2 …) — with *parcels* left out.
    activity : str, optional
        The column saying what the project is (有限人为活动, e.g. ``"线性基础设施（公路）"``);
        it is carried through with the item of the list of limited human
        activities of 《关于加强生态保护红线管理的通知（试行）》 its words match, for
        reference.  Default: a column named 有限人为活动, 活动类型 or activity.
    tier : str, optional
        The redline layer's column of tiers (核心保护区 / 一般控制区 …).  Default:
        a column named tier, 管控分区, 管控级别, 保护分区, 功能分区 or 分区.
    crs, layer, encoding : optional
        How to read *parcels* (see :func:`suzhou_geo.io.read`); they apply to
        *parcels* (and the inputs of *alternatives*) only.
    redlines_crs : str or pyproj.CRS, optional
        CRS of a redline file that declares none.
    linear_ratio : float, default 10
        A project is linear when its parts (polygons, after dissolving), each
        taken as the rectangle of its ellipsoidal area and perimeter, are
        together at least this many times as long (the sum of the lengths) as
        wide (the area-weighted mean width); its crossing length through a
        feature is the occupied area divided by that width.

    Returns
    -------
    Occupancy
        ``.parts`` (the table: project × feature × county, and totals),
        ``.projects``, ``.alternatives``, ``.by_county``, ``.points``,
        ``.notes``; ``.write(path)`` for one table, :func:`suzhou_geo.write_occupancy`
        for the workbook, Markdown, map and printable summary.

    Raises
    ------
    suzhou_geo.errors.InputError
        A column named that the input lacks (the message lists its columns);
        both *parcels* and input *alternatives*; no input at all.

    Notes
    -----
    Each project's parcels are dissolved first (parcels overlapping each other
    count once), then overlaid with the redline cells in EPSG:4549 and each part
    measured on the GRS80 ellipsoid.  The parts of one kind add up to the total
    of that kind (measured separately, to 0.01 m²).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> road = gpd.GeoDataFrame({"项目": ["S1 公路", "S1 公路"], "活动类型": ["线性基础设施（公路）"] * 2},
    ...                         geometry=[box(121.100, 31.325, 121.1004, 31.345), box(121.100, 31.345,
    ...                                   121.1004, 31.36)], crs="EPSG:4490")
    >>> occ = occupancy(road, project="项目")
    >>> p = occ.projects.iloc[0]
    >>> bool(p["linear"]), p["features"], round(p["width_m"]), round(p["crossing_m"])
    (True, '昆山天福国家湿地公园', 38, 2726)
    """
    inputs = _read_inputs(parcels, alternatives, crs=crs, layer=layer, encoding=encoding)
    red = redline_layer(redlines, crs=redlines_crs, spelling=_RED_SPELLING)
    notes: list[str] = []
    groups = _group(inputs, project, alternatives, activity, notes)
    prj = _dissolve(groups, inputs)
    cells = _cells(red, tier, notes)
    parts = _occupy(prj, cells)
    totals = _totals(prj, red)
    shape = _shape(prj, linear_ratio)
    pts = _points_inside(inputs, groups, prj, parts, cells, notes)
    occ = _assemble(prj, cells, parts, totals, shape, pts, red, notes, linear_ratio, source_name(redlines, red))
    occ.inputs = tuple(source_name(inp.source, inp.layer) for inp in inputs)
    return occ


# --------------------------------------------------------------------------- read


@dataclass
class _Input:
    label: str  # the alternative ("" for none)
    layer: Layer
    source: Any  # what was passed (a frame keeps its vertices for the 界址点)


def _read_inputs(parcels: Any, alternatives: Any, **options: Any) -> list[_Input]:
    opts = {k: v for k, v in options.items() if v is not None}
    if alternatives is None or isinstance(alternatives, str):
        if parcels is None:
            raise InputError("no parcels given", source="occupancy",
                             hint="pass the parcels, or alternatives={'方案A': …, '方案B': …}")
        return [_Input("", _read(parcels, opts), parcels)]
    if parcels is not None:
        raise InputError("parcels and alternatives= were both given as inputs", source="occupancy",
                         hint="put every alternative in alternatives={'方案A': …, '方案B': …} and leave parcels out, "
                              "or give alternatives= the name of a column of parcels")
    items = (list(alternatives.items()) if isinstance(alternatives, Mapping)
             else [(f"方案{i + 1}", a) for i, a in enumerate(alternatives)])
    if not items:
        raise InputError("alternatives= is empty", source="occupancy")
    return [_Input(str(label), _read(src, opts), src) for label, src in items]


def _read(source: Any, options: dict) -> Layer:
    if isinstance(source, Layer):
        return source
    return read(source, expect="polygon", spelling=_SPELLING, **options)


# --------------------------------------------------------------------------- group


@dataclass
class _Groups:
    """Every usable or unusable input row and the project it belongs to."""

    rows: pd.DataFrame  # input, pos, label, key, usable, activity
    keys: pd.DataFrame  # project, alternative (one row per key, in order of appearance)


def _column(frame: pd.DataFrame, name: str, what: str, source: str) -> pd.Series:
    if name not in frame.columns:
        shown = ", ".join(str(c) for c in frame.columns if c != frame.geometry.name)
        raise InputError(f"no column {name!r} to take the {what} from (columns: {shown})", source=source,
                         column=name, hint=f"name one of the columns with {what.split()[0]}=")
    values = frame[name]
    text = values.astype(object).where(values.notna(), None)
    return text.map(lambda v: BLANK if v is None or not str(v).strip() else str(v).strip())


def _activity_column(frame: pd.DataFrame, activity: str | None, source: str, notes: list[str]) -> str | None:
    if activity is not None:
        _column(frame, activity, "activity", source)
        return activity
    found = next((c for c in ACTIVITY_COLUMNS if c in frame.columns), None)
    if found is not None:
        note = (f"{source}: 活动类型取自“{found}”列 / the activity is taken from the column {found!r} "
                "(pass activity= to choose another)")
        if note not in notes:
            notes.append(note)
    return found


def _parcel_labels(frame: gpd.GeoDataFrame) -> list[str]:
    """How parcels are named in lists: the first column when it names every row once (an id), else the row."""
    first = next((c for c in frame.columns if c != frame.geometry.name), None)
    if first is not None:
        values = frame[first]
        if values.notna().all() and values.is_unique and not pd.api.types.is_float_dtype(values):
            return [str(v) for v in values]
    return [str(i) for i in frame.index]


def _group(inputs: list[_Input], project: str | None, alternatives: Any, activity: str | None,
           notes: list[str]) -> _Groups:
    chunks = []
    for k, inp in enumerate(inputs):
        frame = inp.layer.frame
        source = inp.layer.provenance.name
        n = len(frame)
        if project is not None:
            prj = _column(frame, project, "project name", source).to_numpy(dtype=object)
        elif alternatives is not None:
            prj = np.full(n, ALL_PARCELS, dtype=object)
        else:
            prj = np.array([str(i) for i in frame.index], dtype=object)
        if isinstance(alternatives, str):  # a row without an alternative belongs to none
            alt = _column(frame, alternatives, "alternative", source).replace(BLANK, "").to_numpy(dtype=object)
        else:
            alt = np.full(n, inp.label, dtype=object)
        act_col = _activity_column(frame, activity, source, notes)
        act = (frame[act_col].astype(object).where(frame[act_col].notna(), None).to_numpy(dtype=object)
               if act_col else np.full(n, None, dtype=object))
        chunks.append(pd.DataFrame({"input": k, "pos": np.arange(n), "label": _parcel_labels(frame),
                                    "project": prj, "alternative": alt, "usable": inp.layer.usable,
                                    "issue": inp.layer.issues, "activity": act}))
    rows = pd.concat(chunks, ignore_index=True)
    if project is None and alternatives is None:
        notes.append("未指定项目列：每个输入行作为一个项目，以行号命名 / project= not given: every input row is a "
                     "project of its own, named by its row")
    if (rows["project"] == BLANK).any():
        notes.append(f"项目列为空的 {int((rows['project'] == BLANK).sum())} 行归为项目“{BLANK}” / rows with an "
                     f"empty project column form the project {BLANK!r}")
    keys = rows[["project", "alternative"]].drop_duplicates().reset_index(drop=True)
    keys["key"] = np.arange(len(keys))
    rows = rows.merge(keys, on=["project", "alternative"], how="left", sort=False)
    for r in rows[~rows["usable"]].itertuples():
        src = inputs[r.input].layer.provenance.name
        notes.append(f"{src}: 第 {r.label} 行未计入（{r.project}）：{r.issue} / row {r.label} not measured "
                     f"({r.project}): {r.issue}")
    return _Groups(rows, keys[["project", "alternative"]])


# --------------------------------------------------------------------------- dissolve


@dataclass
class _Projects:
    keys: pd.DataFrame
    geoms: np.ndarray  # EPSG:4549, None when nothing usable
    area: np.ndarray  # ellipsoidal m²
    parcels: np.ndarray
    unmeasured: np.ndarray
    activity: np.ndarray


def _dissolve(groups: _Groups, inputs: list[_Input]) -> _Projects:
    n = len(groups.keys)
    geoms = np.full(n, None, dtype=object)
    rows = groups.rows
    copies = [metric(inp.layer) for inp in inputs]
    for key, sub in rows[rows["usable"]].groupby("key", sort=False):
        g = np.array([copies[i][p] for i, p in zip(sub["input"], sub["pos"], strict=True)], dtype=object)
        geoms[key] = polygons([g[0] if len(g) == 1 else shapely.union_all(g)])[0]
    present = np.flatnonzero(~shapely.is_missing(geoms))
    area = np.full(n, np.nan)
    area[present] = geod_m2(geoms[present])
    counts = rows.groupby("key").size().reindex(range(n), fill_value=0).to_numpy()
    bad = rows[~rows["usable"]].groupby("key").size().reindex(range(n), fill_value=0).to_numpy()
    activity = rows.groupby("key", sort=True)["activity"].agg(_join_unique).reindex(range(n)).to_numpy(dtype=object)
    return _Projects(groups.keys, geoms, area, counts, bad, activity)


def _join_unique(values: pd.Series) -> str:
    seen = [str(v).strip() for v in values if v is not None and str(v).strip()]
    return "; ".join(dict.fromkeys(seen))


# --------------------------------------------------------------------------- redline cells


@dataclass
class _Cells:
    """Each redline feature's own area (overlaps counted once), cut along county borders (EPSG:4549)."""

    geoms: np.ndarray
    feature: np.ndarray  # row position in the redline layer
    unit: np.ndarray  # position in Units.names, -1 outside Suzhou
    kind: np.ndarray
    index: PieceIndex
    names: np.ndarray  # per feature of the layer
    categories: np.ndarray
    tiers: np.ndarray
    units: Units
    metric: np.ndarray  # the layer's features (EPSG:4549)


def _cells(red: Layer, tier: str | None, notes: list[str]) -> _Cells:
    frame = red.frame
    try:
        tier_col = tier_column(frame, tier)
    except KeyError:
        shown = ", ".join(str(c) for c in frame.columns if c != frame.geometry.name)
        raise InputError(f"no column {tier!r} in the redline layer (columns: {shown})",
                         source=red.provenance.name, column=tier, hint="name the tier column with tier=") from None
    if tier_col is not None and tier is None:
        notes.append(f"管控分区取自红线图层的“{tier_col}”列 / the tier is taken from the redline layer's column "
                     f"{tier_col!r} (pass tier= to choose another)")
    cells = red.cached(("redline_use.cells",), lambda: _make_cells(red))

    def text(col: str) -> np.ndarray:
        return frame[col].astype(object).where(frame[col].notna(), "").astype(str).to_numpy(dtype=object)

    tiers = text(tier_col) if tier_col is not None else np.full(len(frame), "", dtype=object)
    return _Cells(*cells, text("name"), text("category"), tiers, suzhou_units(), metric(red))


def _make_cells(red: Layer) -> tuple:
    units = suzhou_units()
    geoms, feats, kinds = [], [], []
    for kind in _KIND_ORDER:
        sel = np.flatnonzero(kind_mask(red, kind))
        own = _own_areas(metric(red)[sel])
        geoms.append(own)
        feats.append(sel)
        kinds.append(np.full(len(sel), kind, dtype=object))
    own, feat, kind = np.concatenate(geoms), np.concatenate(feats), np.concatenate(kinds)
    rows, unit, pieces = units.split(own)
    index = PieceIndex.build(pieces, np.arange(len(pieces)), n_groups=len(pieces))
    return pieces, feat[rows], unit, kind[rows], index


def _own_areas(geoms: np.ndarray) -> np.ndarray:
    """Each feature minus the features before it that it overlaps (an overlap counts once, under the first)."""
    out = np.array(geoms, dtype=object)
    if len(geoms) < 2:
        return out
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    earlier = b < a
    for i in np.unique(a[earlier]):
        before = b[(a == i) & earlier]
        out[i] = polygons([shapely.difference(geoms[i], shapely.union_all(geoms[before]))])[0]
    return out


# --------------------------------------------------------------------------- overlay


@dataclass
class _Parts:
    key: np.ndarray
    cell: np.ndarray
    geoms: np.ndarray  # EPSG:4549
    area: np.ndarray  # ellipsoidal m²


def _occupy(prj: _Projects, cells: _Cells) -> _Parts:
    present = np.flatnonzero(~shapely.is_missing(prj.geoms))
    empty = _Parts(np.empty(0, int), np.empty(0, int), np.empty(0, object), np.empty(0))
    if not len(present) or not len(cells.geoms):
        return empty
    g = prj.geoms[present]
    tree = shapely.STRtree(g)
    r, c, _ = overlap_pairs(cells.index, tree, g, prj.area[present])  # which project meets which cell
    if not len(r):
        return empty
    local = np.array([shapely.clip_by_rect(cells.geoms[ci], *g[ri].bounds) for ri, ci in zip(r, c, strict=True)],
                     dtype=object)
    pieces = polygons(shapely.intersection(local, g[r]))
    area = geod_m2(pieces)
    keep = area > 0
    return _Parts(present[r[keep]], c[keep], pieces[keep], area[keep])


def _totals(prj: _Projects, red: Layer) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per kind: (area, geometry) of each project inside the dissolved kind, measured on its own."""
    out = {}
    present = np.flatnonzero(~shapely.is_missing(prj.geoms))
    for kind in _KIND_ORDER:
        area = np.zeros(len(prj.geoms))
        geom = np.full(len(prj.geoms), None, dtype=object)
        whole = dissolved(red, kind)
        if len(present) and not whole.is_empty:
            g = prj.geoms[present]
            hit = shapely.intersects(whole, g)
            if hit.any():
                local = clip_near(whole, g[hit])
                inter = polygons(shapely.intersection(local, g[hit]))
                geom[present[hit]] = inter
                area[present[hit]] = geod_m2(inter)
        out[kind] = (area, geom)
    return out


# --------------------------------------------------------------------------- shape


@dataclass
class _Shape:
    linear: np.ndarray
    length: np.ndarray
    width: np.ndarray


def _rectangles(area: np.ndarray, perimeter: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Length and width of the rectangles with these areas A and perimeters P: L + W = P/2, L·W = A.

    A shape too compact for such a rectangle (a disc) gets L = W = P/4.
    """
    half = perimeter / 2
    root = np.sqrt(np.clip(half**2 - 4 * area, 0, None))
    return (half + root) / 2, (half - root) / 2


def _shape(prj: _Projects, ratio: float) -> _Shape:
    """Linear or not, from each part (polygon) of each project: long parts make a long project.

    The length is the sum of the parts' rectangle lengths, the width their
    area-weighted mean width; the project is linear when length / width ≥ *ratio*
    (so three compact parcels are not linear, a road cut into separate pieces is).
    """
    n = len(prj.geoms)
    length, width = np.full(n, np.nan), np.full(n, np.nan)
    present = np.flatnonzero(~shapely.is_missing(prj.geoms))
    if len(present):
        parts, owner = shapely.get_parts(prj.geoms[present], return_index=True)
        whole = np.bincount(owner, minlength=len(present))[owner] == 1  # a one-part project: its area is known
        area = prj.area[present][owner].copy()
        area[~whole] = geod_m2(parts[~whole])
        perimeter = geod_length_m(parts)
        part_l, part_w = _rectangles(area, perimeter)
        total = np.bincount(owner, weights=area, minlength=len(present))
        length[present] = np.bincount(owner, weights=part_l, minlength=len(present))
        with np.errstate(invalid="ignore", divide="ignore"):
            width[present] = np.bincount(owner, weights=part_w * area, minlength=len(present)) / total
    with np.errstate(invalid="ignore", divide="ignore"):
        linear = np.nan_to_num(length / width, nan=0.0) >= ratio
    return _Shape(linear, np.where(linear, length, np.nan), np.where(linear, width, np.nan))


# --------------------------------------------------------------------------- named points


@dataclass
class _Points:
    table: gpd.GeoDataFrame  # one row per point inside a part's cell
    part: np.ndarray  # the part each row belongs to


def _points_inside(inputs: list[_Input], groups: _Groups, prj: _Projects, parts: _Parts, cells: _Cells,
                   notes: list[str]) -> _Points:
    frames = []
    for k, inp in enumerate(inputs):
        source = inp.source if isinstance(inp.source, gpd.GeoDataFrame) else inp.layer
        try:
            pts = boundary_points(source)
        except InputError as exc:
            notes.append(f"{inp.layer.provenance.name}: 界址点未能与几何对应，未列出 / the named points could not "
                         f"be matched with the geometry and are not listed: {exc}")
            continue
        if len(pts):
            frames.append(pts.assign(input=k))
    if not frames or not len(parts.key):
        return _Points(_empty_points(), np.empty(0, int))
    pts = pd.concat(frames, ignore_index=True)
    where = groups.rows.set_index(["input", "pos"])
    at = where.loc[list(zip(pts["input"], pts["row"], strict=True))]
    pts["key"] = at["key"].to_numpy()
    pts["parcel"] = at["label"].to_numpy()
    metric = to_metric(np.asarray(pts.geometry.values, dtype=object))
    tree = shapely.STRtree(metric)
    # a point on the occupied part's edge is inside; 1 mm for its trip to longitude/latitude and back
    pi, ti = tree.query(parts.geoms, predicate="dwithin", distance=DENSIFY_TOLERANCE_M)
    same = pts["key"].to_numpy()[ti] == parts.key[pi]
    order = np.lexsort((ti[same], pi[same]))  # by part, then in ring order
    pi, ti = pi[same][order], ti[same][order]
    table = pts.iloc[ti].reset_index(drop=True)
    return _Points(table, pi)


def _empty_points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"row": [], "ring": [], "point": [], "key": [], "parcel": []},
                            geometry=gpd.GeoSeries([], crs=CGCS2000), crs=CGCS2000)


def _joined(groups: np.ndarray, values: np.ndarray, n: int, sep: str = ",") -> np.ndarray:
    """Per group 0..n-1, its distinct *values* joined in order of appearance (``""`` for none)."""
    out = np.full(n, "", dtype=object)
    if not len(groups):
        return out
    frame = pd.DataFrame({"g": groups, "v": values}).drop_duplicates()
    joined = frame.groupby("g", sort=False)["v"].agg(sep.join)
    out[joined.index.to_numpy(dtype=int)] = joined.to_numpy(dtype=object)
    return out


def _point_labels(pts: _Points, single: np.ndarray) -> np.ndarray:
    """Each point inside as listed: its name, or ``parcel:name`` in a project of several parcels."""
    t = pts.table
    if not len(t):
        return np.empty(0, dtype=object)
    name = t["point"].astype(str).to_numpy(dtype=object)
    many = ~single[t["key"].to_numpy(dtype=int)]
    return np.where(many, t["parcel"].astype(str).to_numpy(dtype=object) + ":" + name, name).astype(object)


# --------------------------------------------------------------------------- assemble


def _assemble(prj: _Projects, cells: _Cells, parts: _Parts, totals: dict, shape: _Shape, pts: _Points,
              red: Layer, notes: list[str], ratio: float, red_name: str) -> Occupancy:
    single = prj.parcels == 1
    sample = illustrative(red)
    data = f"示意数据（非官方）illustrative (not official): {red_name}" if sample else red_name
    part_table = _part_rows(prj, cells, parts, shape, pts, single)
    table = _with_totals(part_table, prj, totals, shape, red, data)
    projects = _project_rows(prj, cells, parts, totals, shape, pts, single)
    by_county = _county_rows(part_table)
    points = _point_rows(prj, cells, parts, pts)
    prov = red.provenance
    all_notes = ([ILLUSTRATIVE] if sample else []) + [NO_LEGALITY, UNITS_NOTE, _method(ratio)]
    all_notes += notes + [f"读取红线时 while reading the redlines: {n}" for n in prov.notes]
    frame = _as_frame(red)
    return Occupancy(table, projects, by_county, points, all_notes, sample, data, frame)


def _method(ratio: float) -> str:
    return (
        "方法：同一项目的地块先融合（相互重叠只计一次），再与按县级行政区切分的各红线要素相交，"
        "在 CGCS2000/GRS80 椭球面上计算面积；同类型要素相互重叠的部分只计一次，计入图层中靠前的要素，"
        "各分项之和等于该类型合计。项目各部分按面积、周长相同的矩形计，"
        f"总长度不小于平均宽度 {ratio:g} 倍的视为线性项目，其穿越长度 = 占用面积 ÷ 平均宽度。 / Method: a "
        "project's parcels are dissolved (overlaps count once), overlaid with each redline feature cut along county "
        "borders, and measured on the CGCS2000/GRS80 ellipsoid; where features of one kind overlap, the overlap counts "
        "once, under the first feature in the layer's order, so the parts add up to the total of the kind. A project "
        f"is linear when its parts, as rectangles of their area and perimeter, are together at least {ratio:g} times "
        "as long as their mean width; its crossing length is the occupied area divided by that width."
    )


#: m² per unit of each rounded area column.
_UNIT_M2 = {"area_m2": 1.0, "area_ha": HA_M2, "area_mu": MU_M2}


def _areas(m2: np.ndarray, prefix: str) -> dict[str, np.ndarray]:
    m2 = np.asarray(m2, dtype=float)
    return {f"{prefix}_m2": np.round(m2, 2), f"{prefix}_ha": np.round(m2 / HA_M2, 4),
            f"{prefix}_mu": np.round(m2 / MU_M2, 2)}


def _part_rows(prj: _Projects, cells: _Cells, parts: _Parts, shape: _Shape, pts: _Points,
               single: np.ndarray) -> gpd.GeoDataFrame:
    key, c = parts.key, parts.cell
    feat = cells.feature[c]
    inside = _joined(pts.part, _point_labels(pts, single), len(key))
    area = parts.area
    data = {
        "key": key,
        "project": prj.keys["project"].to_numpy(dtype=object)[key],
        "alternative": prj.keys["alternative"].to_numpy(dtype=object)[key],
        "row_type": np.full(len(key), "part", dtype=object),
        "redline_kind": cells.kind[c],
        "redline_name": cells.names[feat],
        "tier": cells.tiers[feat],
        "category": cells.categories[feat],
        "county": np.array([cells.units.name(u) for u in cells.unit[c]], dtype=object),
        **_areas(area, "area"),
        "share_of_project": np.round(area / prj.area[key], 6),
        "crossing_m": np.round(np.where(shape.linear[key], area / shape.width[key], np.nan), 1),
        "points_inside": inside,
        "also_in": _also_in(parts, cells),
        "activity": prj.activity[key],
        "activity_clause": np.array([activity_clause(a) for a in prj.activity[key]], dtype=object),
        "_feature": feat,
        "_area": area,
    }
    frame = pd.DataFrame(data)
    return gpd.GeoDataFrame(frame, geometry=to_geographic(parts.geoms), crs=CGCS2000)


def _also_in(parts: _Parts, cells: _Cells) -> np.ndarray:
    """Names of the other features of the same kind over each part (their overlap was counted once, here)."""
    out = np.full(len(parts.key), "", dtype=object)
    if not len(parts.key):
        return out
    tree = shapely.STRtree(cells.metric)
    pi, fi = tree.query(parts.geoms, predicate="intersects")
    own = cells.feature[parts.cell]
    kinds = cells.kind[parts.cell]
    frame_kinds = {int(f): k for f, k in zip(cells.feature, cells.kind, strict=True)}
    sel = (fi != own[pi]) & np.array([frame_kinds.get(int(f)) == kinds[p] for p, f in zip(pi, fi, strict=True)],
                                     dtype=bool)
    pi, fi = pi[sel], fi[sel]
    if len(pi):
        shared = shapely.area(polygons(shapely.intersection(parts.geoms[pi], cells.metric[fi]))) > 1e-6
        for p, f in zip(pi[shared], fi[shared], strict=True):
            out[p] = f"{out[p]}; {cells.names[f]}" if out[p] else str(cells.names[f])
    return out


def _with_totals(part_table: gpd.GeoDataFrame, prj: _Projects, totals: dict, shape: _Shape,
                 red: Layer, data: str) -> gpd.GeoDataFrame:
    kinds = [k for k in _KIND_ORDER if kind_mask(red, k).any()]
    n = len(prj.keys)
    frames = []
    for kind in kinds:
        area, geom = totals[kind]
        has = ~shapely.is_missing(geom)
        geo = np.full(n, None, dtype=object)
        geo[has] = to_geographic(geom[has])
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(prj.area > 0, np.round(area / prj.area, 6), np.nan)
        frames.append(gpd.GeoDataFrame({
            "key": np.arange(n), "project": prj.keys["project"].to_numpy(dtype=object),
            "alternative": prj.keys["alternative"].to_numpy(dtype=object), "row_type": "total",
            "redline_kind": kind, "redline_name": f"合计 total ({KINDS[kind]})", "tier": "", "category": "",
            "county": "", **_areas(area, "area"), "share_of_project": share,
            "crossing_m": np.round(np.where(shape.linear, area / shape.width, np.nan), 1),
            "points_inside": "", "also_in": "", "activity": prj.activity,
            "activity_clause": [activity_clause(a) for a in prj.activity], "_feature": -1, "_area": area,
        }, geometry=geo, crs=CGCS2000))
    both = _parts_add_up(pd.concat([part_table, *frames], ignore_index=True))
    both["redline_data"] = data
    both["_kind_order"] = both["redline_kind"].map({k: i for i, k in enumerate(_KIND_ORDER)})
    both["_total"] = both["row_type"] == "total"
    both = both.sort_values(["key", "_kind_order", "_total", "_feature", "county"], kind="stable")
    out = gpd.GeoDataFrame(both[[*names(OCCUPANCY_COLUMNS), "geometry"]], geometry="geometry", crs=CGCS2000)
    return out.reset_index(drop=True)


#: The rounded area columns of the occupancy table and their decimals (:func:`_areas`).
_ROUNDED = {"area_m2": 2, "area_ha": 4, "area_mu": 2}


def _parts_add_up(table: pd.DataFrame) -> pd.DataFrame:
    """Round each project's parts so that they add up to its rounded total, in every unit (m², 公顷, 亩).

    Each part is rounded down, and the units still missing from the total go
    to the parts with the largest remainders (the largest-remainder method):
    every part is within one unit of the last decimal of its exact area, and
    the table adds up as a filed annex must.
    """
    out = table.copy()
    is_total = (out["row_type"] == "total").to_numpy()
    for (_key, _kind), rows in out.groupby(["key", "redline_kind"], sort=False).groups.items():
        rows = np.asarray(rows)
        parts, total = rows[~is_total[rows]], rows[is_total[rows]]
        if len(parts) < 2 or len(total) != 1:
            continue
        for column, decimals in _ROUNDED.items():
            exact = out.loc[parts, "_area"].to_numpy(dtype=float) / _UNIT_M2[column]
            rounded = _round_to_sum(exact, float(out.loc[total[0], column]), decimals)
            if rounded is not None:
                out.loc[parts, column] = rounded
    return out


def _round_to_sum(exact: np.ndarray, target: float, decimals: int) -> np.ndarray | None:
    """*exact* rounded to *decimals* so that it sums to *target* (largest remainder); None if it cannot."""
    scale = 10.0**decimals
    floors = np.floor(exact * scale + 1e-9)
    missing = int(round(target * scale - floors.sum()))
    if not 0 <= missing <= len(exact):
        return None
    order = np.argsort(-(exact * scale - floors), kind="stable")
    floors[order[:missing]] += 1
    return floors / scale


def _project_rows(prj: _Projects, cells: _Cells, parts: _Parts, totals: dict, shape: _Shape, pts: _Points,
                  single: np.ndarray) -> gpd.GeoDataFrame:
    n = len(prj.keys)
    red_area, ctl_area = totals[REDLINE][0], totals[SPACE_CONTROL][0]
    feats = _joined(parts.key, cells.names[cells.feature[parts.cell]], n, "; ")
    counties = _joined(parts.key, np.array([cells.units.name(u) for u in cells.unit[parts.cell]], dtype=object), n,
                       "; ")
    in_red = (cells.kind[parts.cell] == REDLINE)[pts.part] if len(pts.part) else np.zeros(0, dtype=bool)
    inside = _joined(parts.key[pts.part][in_red], _point_labels(pts, single)[in_red], n)
    with np.errstate(invalid="ignore", divide="ignore"):
        red_share, ctl_share = red_area / prj.area, ctl_area / prj.area
    data = {
        "project": prj.keys["project"].to_numpy(dtype=object),
        "alternative": prj.keys["alternative"].to_numpy(dtype=object),
        "parcels": prj.parcels.astype(float),
        "unmeasured": prj.unmeasured.astype(float),
        **_areas(prj.area, "project_area"),
        **_areas(red_area, "redline"),
        "redline_share": np.round(red_share, 6),
        **_areas(ctl_area, "control"),
        "control_share": np.round(ctl_share, 6),
        "features": feats,
        "counties": counties,
        "linear": shape.linear,
        "length_m": np.round(shape.length, 1),
        "width_m": np.round(shape.width, 2),
        "crossing_m": np.round(np.where(shape.linear, red_area / shape.width, np.nan), 1),
        "points_inside": inside,
        "activity": prj.activity,
        "activity_clause": np.array([activity_clause(a) for a in prj.activity], dtype=object),
        "rank": _rank(prj.keys, red_area, ctl_area, prj.area),
        "note": np.array([_project_note(prj, k) for k in range(n)], dtype=object),
    }
    geoms = np.full(n, None, dtype=object)
    present = np.flatnonzero(~shapely.is_missing(prj.geoms))
    geoms[present] = to_geographic(prj.geoms[present])
    return gpd.GeoDataFrame(pd.DataFrame(data), geometry=geoms, crs=CGCS2000)


def _project_note(prj: _Projects, key: int) -> str:
    if prj.unmeasured[key] == 0:
        return ""
    if prj.unmeasured[key] == prj.parcels[key]:
        return "无可用面几何，未计算（原因见说明） / no usable polygon: not measured (see the notes)"
    return (f"{int(prj.unmeasured[key])} 行无可用面几何，未计入（原因见说明） / {int(prj.unmeasured[key])} row(s) "
            "without a usable polygon not counted (see the notes)")


def _rank(keys: pd.DataFrame, red: np.ndarray, ctl: np.ndarray, area: np.ndarray) -> np.ndarray:
    """1 for the alternative of each project that occupies the least (ties share a rank); NaN for no alternative."""
    rank = np.full(len(keys), np.nan)
    if not (keys["alternative"] != "").any():
        return rank
    score = pd.DataFrame({"project": keys["project"], "red": np.round(np.nan_to_num(red, nan=np.inf), 2),
                          "ctl": np.round(np.nan_to_num(ctl, nan=np.inf), 2),
                          "area": np.round(np.nan_to_num(area, nan=np.inf), 2)})
    for _, sub in score[(keys["alternative"] != "").to_numpy()].groupby("project", sort=False):
        ordered = sub.sort_values(["red", "ctl", "area"], kind="stable")
        tuples = list(zip(ordered["red"], ordered["ctl"], ordered["area"], strict=True))
        r = 0
        for i, (idx, t) in enumerate(zip(ordered.index, tuples, strict=True)):
            if i == 0 or t != tuples[i - 1]:
                r = i + 1
            rank[idx] = r
    return rank


def _county_rows(part_table: gpd.GeoDataFrame) -> pd.DataFrame:
    cols = names(COUNTY_COLUMNS)
    if not len(part_table):
        return pd.DataFrame({c: [] for c in cols})
    t = pd.DataFrame(part_table[["key", "project", "alternative", "county", "redline_kind", "_area"]])
    wide = t.pivot_table(index=["key", "project", "alternative", "county"], columns="redline_kind", values="_area",
                         aggfunc="sum", fill_value=0.0, sort=False).reset_index()
    out = wide[["project", "alternative", "county"]].copy()
    for prefix, kind in (("redline", REDLINE), ("control", SPACE_CONTROL)):
        m2 = wide[kind].to_numpy(dtype=float) if kind in wide.columns else np.zeros(len(wide))
        for k, v in _areas(m2, prefix).items():
            out[k] = v
    return out[cols].reset_index(drop=True)


def _point_rows(prj: _Projects, cells: _Cells, parts: _Parts, pts: _Points) -> gpd.GeoDataFrame:
    t = pts.table
    if not len(t):
        return gpd.GeoDataFrame({c: [] for c in names(POINT_COLUMNS)}, geometry=gpd.GeoSeries([], crs=CGCS2000),
                                crs=CGCS2000)
    key = t["key"].to_numpy(dtype=int)
    c = parts.cell[pts.part]
    data = {
        "project": prj.keys["project"].to_numpy(dtype=object)[key],
        "alternative": prj.keys["alternative"].to_numpy(dtype=object)[key],
        "parcel": t["parcel"].astype(str).to_numpy(dtype=object),
        "ring": t["ring"].astype(float).to_numpy(),
        "point": t["point"].astype(str).to_numpy(dtype=object),
        "redline_kind": cells.kind[c],
        "redline_name": cells.names[cells.feature[c]],
        "lon": np.round(shapely.get_x(t.geometry.values), 7),
        "lat": np.round(shapely.get_y(t.geometry.values), 7),
    }
    out = gpd.GeoDataFrame(pd.DataFrame(data), geometry=t.geometry.values, crs=CGCS2000)
    return out.drop_duplicates(subset=["project", "alternative", "parcel", "ring", "point", "redline_name"])\
        .reset_index(drop=True)


def _as_frame(red: Layer) -> gpd.GeoDataFrame:
    frame = red.frame.copy(deep=False)
    frame.attrs = {"illustrative": illustrative(red), "data_note": red.provenance.data_note}
    return frame
