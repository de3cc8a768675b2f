"""Ecological redlines: loading official layers, the area floors, and what-if checks.

Two kinds of protected area are modelled (江苏省, 苏政发〔2020〕1号):

* ``ecological_protection_redline`` — 生态保护红线, the national redline whose
  area the plans set floors on;
* ``ecological_space_control`` — 生态空间管控区域, Jiangsu's provincial
  control areas outside the redline.

The floors are ≥ 1950 km² for 苏州市 by 2035 (seed 003, 《关于全面推进美丽苏州建设的
实施意见》 clause 十五; the approved plan, 国函〔2025〕8号, gives 1950.71 km²) and
≥ 47.7531 km² for 昆山市 by 2035 (seed 004, 《全面推进美丽昆山建设工作方案》 task 1).

:func:`check_floor` clips the redlines to the region, **dissolves** them (overlaps
never count twice), optionally subtracts proposed development footprints
(``minus=``), and measures the result on the GRS80 ellipsoid
(:func:`suzhou_geo.measure.area_km2`).

Without data, :func:`load_redlines` returns the bundled ``data/redlines`` sample:
an ILLUSTRATIVE reconstruction from public sources, **not** the official redline.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._data import data_path
from ._geometry import polygonal_part
from .boundaries import _table, as_region, resolve_name
from .crs import CGCS2000
from .io import read_layer, repair_geometries
from .measure import area_km2

__all__ = [
    "REDLINE",
    "SPACE_CONTROL",
    "KINDS",
    "SAMPLE_NOTE",
    "Floor",
    "FLOORS",
    "FloorCheck",
    "load_redlines",
    "check_floor",
]

log = logging.getLogger(__name__)

#: 生态保护红线 (national ecological protection redline).
REDLINE = "ecological_protection_redline"
#: 生态空间管控区域 (Jiangsu ecological space control area, outside the redline).
SPACE_CONTROL = "ecological_space_control"
KINDS = {REDLINE: "生态保护红线", SPACE_CONTROL: "生态空间管控区域"}

#: What every result built on the bundled sample says about it.
SAMPLE_NOTE = (
    "ILLUSTRATIVE data: the bundled redline sample is a schematic reconstruction from public "
    "sources (named areas and published sizes, GSHHG hydrography), NOT the official 生态保护红线; "
    "pass the official layer with redlines= for real decisions."
)

NORMALISED = ["name", "kind", "category", "jurisdiction", "source", "basis", "accuracy_m"]

# column-name candidates, most specific first (compared case-insensitively)
_NAME_COLS = ["name", "名称", "红线名称", "区域名称", "保护区名称", "管控区名称", "hxmc", "qymc", "bhqmc", "mc", "name_zh", "区域"]
_KIND_COLS = ["kind", "红线类型", "管控类型", "区域类型", "hxlx", "gklx", "类型", "lx", "type", "级别", "jb"]
_CAT_COLS = ["category", "类别", "红线类别", "主导生态功能", "主导功能", "保护类型", "lb", "hxlb", "zdgn", "类型", "lx", "type"]
_JUR_COLS = ["jurisdiction", "行政区", "行政区名称", "所在地区", "区县", "县区", "xzq", "xzqmc", "qxmc", "county"]
_SRC_COLS = ["source", "来源", "数据来源", "sjly"]
_BASIS_COLS = ["basis"]
_ACC_COLS = ["accuracy_m"]


def _kind_value(v: Any) -> str | None:
    """Map a kind value (Chinese or English) to REDLINE / SPACE_CONTROL, or None."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v).strip().lower()
    if s in (REDLINE, "redline", "ecological protection redline", "epr", "生态保护红线"):
        return REDLINE
    if s in (SPACE_CONTROL, "space control", "ecological space control", "生态空间管控区域"):
        return SPACE_CONTROL
    if "管控" in s or "生态空间" in s or "space" in s:
        return SPACE_CONTROL
    if "红线" in s or "redline" in s or "red line" in s:
        return REDLINE
    return None


def _find(columns: list[str], candidates: list[str], exclude: set[str]) -> list[str]:
    low = {str(c).strip().lower(): c for c in columns if c not in exclude}
    return [low[c] for c in candidates if c in low]


def _normalise(gdf: gpd.GeoDataFrame, label: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Add the normalised columns; return (frame, notes)."""
    notes: list[str] = []
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    used: set[str] = set()
    out = {}

    # kind: the first candidate column whose values all map
    kind = None
    for c in _find(cols, _KIND_COLS, set()):
        vals = gdf[c].map(_kind_value)
        if len(gdf) and vals.notna().all():
            kind = vals
            used.add(c)
            break
        if vals.notna().any():
            # a kind column with values it cannot place: guessing would move 生态空间管控区域
            # into (or out of) the redline total, so refuse and say which rows
            bad = gdf.loc[vals.isna(), c]
            shown = ", ".join(f"row {i}: {v!r}" for i, v in list(bad.items())[:5])
            raise ValueError(
                f"{label}: column {c!r} says the kind of most features but not of {len(bad)} "
                f"({shown}{', …' if len(bad) > 5 else ''}). Each feature must be 生态保护红线 "
                "(ecological_protection_redline) or 生态空间管控区域 (ecological_space_control): "
                "correct those values before loading."
            )
    if kind is None:
        kind = pd.Series(REDLINE, index=gdf.index)
        msg = (
            f"{label}: no column says whether features are 生态保护红线 or 生态空间管控区域 "
            f"(looked for {', '.join(_KIND_COLS[:6])}, …); all {len(gdf)} features are taken as "
            f"kind={REDLINE!r}. Add a 'kind' column if some are 生态空间管控区域."
        )
        log.warning(msg)
        notes.append(msg)
    out["kind"] = kind.astype(object)

    def pick(cands, default):
        for c in _find(cols, cands, used):
            used.add(c)
            return gdf[c].astype(object).where(gdf[c].notna(), None)
        return pd.Series([default] * len(gdf), index=gdf.index, dtype=object)

    out["name"] = pick(_NAME_COLS, None)
    if out["name"].isna().all():
        out["name"] = pd.Series([f"{label} #{i}" for i in range(len(gdf))], index=gdf.index, dtype=object)
    out["category"] = pick(_CAT_COLS, None)
    out["jurisdiction"] = pick(_JUR_COLS, None)
    out["source"] = pick(_SRC_COLS, label)
    out["basis"] = pick(_BASIS_COLS, f"as supplied in {label}")
    acc = pick(_ACC_COLS, np.nan)
    out["accuracy_m"] = pd.to_numeric(acc, errors="coerce")

    rest = gdf.drop(columns=[c for c in NORMALISED if c in gdf.columns])
    frame = pd.DataFrame(out, index=gdf.index)[NORMALISED]
    res = gpd.GeoDataFrame(pd.concat([frame, rest], axis=1), geometry=gdf.geometry.name, crs=gdf.crs)
    return res, notes


def _fill_jurisdiction(gdf: gpd.GeoDataFrame) -> None:
    """Fill missing jurisdictions with the Suzhou county unit holding each feature's representative point."""
    miss = gdf["jurisdiction"].isna().to_numpy() & ~shapely.is_missing(gdf.geometry.values)
    if not miss.any():
        return
    units = _table()
    units = units[units.in_suzhou & (units.level == "county")]
    pts = shapely.point_on_surface(gdf.geometry.values[miss])
    names = np.full(len(pts), None, dtype=object)
    tree = shapely.STRtree(units.geometry.values)
    pi, ui = tree.query(pts, predicate="within")
    names[pi] = units.name_zh.to_numpy()[ui]
    col = gdf["jurisdiction"].to_numpy(dtype=object).copy()
    col[miss] = names
    gdf["jurisdiction"] = col


def load_redlines(
    source: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    crs: Any = None,
    sql: str | None = None,
) -> gpd.GeoDataFrame:
    """Load a redline layer (official data, or the bundled illustrative sample) in EPSG:4490.

    Parameters
    ----------
    source : path, GeoDataFrame, GeoSeries or PostGIS connection string, optional
        Any OGR format (Shapefile — GBK without ``.cpg`` is detected —,
        GeoPackage, GeoJSON, file geodatabase, ...) or a PostGIS connection
        (``"postgresql://user@host/db"``, ``"PG:host=… dbname=… user=…"``, a
        SQLAlchemy engine) with ``layer=`` or ``sql=`` (see
        :func:`suzhou_geo.io.read_vector`).  ``None``: the
        bundled sample ``data/redlines/redlines.geojson`` — an ILLUSTRATIVE
        reconstruction, not the official redline.
    layer : str or int, optional
        Layer or table name.
    encoding : str, optional
        Attribute encoding, e.g. ``"GBK"`` (overrides detection).
    crs : str or pyproj.CRS, optional
        CRS of a layer without one (``"EPSG:4549"``, ``"EPSG:4528"``, ``"GCJ-02"``).
    sql : str, optional
        A query instead of *layer*: SQL for PostGIS (e.g. ``"SELECT * FROM
        redlines WHERE jurisdiction = '昆山市'"``), OGR SQL for files.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4490 with ``name, kind, category, jurisdiction, source, basis,
        accuracy_m, geometry_issue`` first, then the original columns.
        ``kind`` is ``"ecological_protection_redline"`` (生态保护红线) or
        ``"ecological_space_control"`` (生态空间管控区域); Chinese and English
        column names and values are recognised (名称/NAME/HXMC, 类型/类别/LX,
        行政区/XZQMC, ...).  A missing jurisdiction is filled with the Suzhou
        county unit holding the feature.  ``attrs``: ``illustrative`` (bool),
        ``data_note``, ``kind_assumed`` (bool), ``notes`` (list of str) and
        ``suzhou_geo_read``.

    Raises
    ------
    ValueError
        Point or line features (the message lists the rows), an unreadable file.
    FileNotFoundError
        The file does not exist.
    suzhou_geo.CRSError
        No CRS and no ``crs=`` (the message names the likely CRS).

    Notes
    -----
    Invalid polygons are repaired with ``shapely.make_valid`` and each repair
    is logged and recorded in ``geometry_issue``; rows with empty or missing
    geometry are dropped with a warning (listed in ``attrs["dropped"]``).

    Examples
    --------
    >>> r = load_redlines()
    >>> r.attrs["illustrative"], r.crs.to_epsg()
    (True, 4490)
    >>> sorted(set(r.kind))
    ['ecological_protection_redline', 'ecological_space_control']
    """
    illustrative = source is None
    if illustrative:
        source = data_path("redlines", "redlines.geojson")
    gdf = read_layer(source, layer=layer, encoding=encoding, crs=crs, sql=sql)
    info = gdf.attrs.get("suzhou_geo_read", {})
    label = info.get("name") or "redlines"
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")

    fixed, issues = repair_geometries(gdf.geometry)
    wrong = np.array([isinstance(i, str) and "not a polygon" in i for i in issues])
    if wrong.any():
        idx = gdf.index[wrong]
        shown = ", ".join(f"row {i} ({issues[k]})" for k, i in zip(np.flatnonzero(wrong)[:10], idx[:10]))
        raise ValueError(
            f"{label}: redlines must be polygons, but {int(wrong.sum())} feature(s) are not: {shown}"
            + (" …" if wrong.sum() > 10 else "")
            + ". Remove them or buffer them into polygons before loading."
        )
    gdf = gdf.copy()
    gdf["geometry"] = gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs)
    gdf, notes = _normalise(gdf, label)
    gdf["geometry_issue"] = pd.Series(issues, index=gdf.index, dtype=object)
    repaired = np.flatnonzero([isinstance(i, str) and i.startswith("repaired") for i in issues])
    for k in repaired[:20]:
        log.warning("%s: row %s (%s): %s", label, gdf.index[k], gdf["name"].iloc[k], issues[k])
    if len(repaired) > 20:
        log.warning("%s: %d more geometries repaired (see the geometry_issue column)", label, len(repaired) - 20)
    if len(repaired):
        notes.append(f"{len(repaired)} invalid polygon(s) repaired with make_valid (see geometry_issue)")
    gone = shapely.is_missing(gdf.geometry.values) | shapely.is_empty(gdf.geometry.values)
    dropped = []
    if gone.any():
        dropped = [str(i) for i in gdf.index[gone]]
        msg = f"{label}: {int(gone.sum())} feature(s) without geometry dropped (rows {', '.join(dropped[:10])})"
        log.warning(msg)
        notes.append(msg)
        gdf = gdf[~gone]
    _fill_jurisdiction(gdf)
    cols = NORMALISED + ["geometry_issue"] + [c for c in gdf.columns if c not in NORMALISED + ["geometry_issue"]]
    gdf = gdf[cols]
    gdf.attrs = {
        "suzhou_geo_read": info,
        "illustrative": bool(illustrative),
        "data_note": SAMPLE_NOTE if illustrative else f"supplied data: {label}",
        "kind_assumed": any("no column says" in n for n in notes),
        "notes": notes,
        "dropped": dropped,
    }
    return gdf


# --------------------------------------------------------------------------- floors


@dataclass(frozen=True)
class Floor:
    """A minimum redline area a plan sets for a jurisdiction.

    Attributes
    ----------
    region : str
        Jurisdiction (Chinese name).
    adcode : str
    floor_km2 : float
        The floor, km², as published.
    year : int
        The year by which it applies.
    kind : str
        Which protected areas count (``"ecological_protection_redline"``).
    source : str
        Document.
    clause : str
        Clause of the document, quoted.
    note : str
    """

    region: str
    adcode: str
    floor_km2: float
    year: int
    kind: str
    source: str
    clause: str
    note: str = ""


#: The area floors, keyed by jurisdiction (Chinese name).
FLOORS: dict[str, Floor] = {
    "苏州市": Floor(
        region="苏州市",
        adcode="320500",
        floor_km2=1950.0,
        year=2035,
        kind=REDLINE,
        source="seed 003: 《关于全面推进美丽苏州建设的实施意见》 (苏州, 2023)",
        clause="(十五) 优化空间发展保护格局: “2035年,生态保护红线不低于1950平方公里”",
        note="The approved 苏州市国土空间总体规划(2021–2035年) (国函〔2025〕8号) gives 1950.71 km².",
    ),
    "昆山市": Floor(
        region="昆山市",
        adcode="320583",
        floor_km2=47.7531,
        year=2035,
        kind=REDLINE,
        source="seed 004: 《全面推进美丽昆山建设工作方案》 (昆山, 2025)",
        clause="task 1 优化国土空间开发保护格局: “到2035年,生态保护红线面积不低于47.7531平方公里”",
    ),
}


def _fmt(x: float) -> str:
    return f"{x:,.4f}"


@dataclass
class FloorCheck:
    """The result of :func:`check_floor`: redline area of a region against its floor.

    Attributes
    ----------
    region : str
    area_km2 : float
        Dissolved, clipped redline area (after ``minus``), ellipsoidal.
    floor_km2 : float
    margin_km2 : float
        ``round(area_km2, 4) - floor_km2`` (negative: short of the floor).
    ok : bool
        ``round(area_km2, 4) >= floor_km2``: the comparison is made at the precision
        the area is reported in (4 decimals in km², the precision of the 47.7531 km²
        floor), so the verdict never contradicts the printed figures.
    by_district : pandas.DataFrame
        ``adcode, name_zh, name_en, area_km2`` per Suzhou county-level unit.
    method : str
    data_note : str
        What the redline data are (the bundled sample says it is illustrative).
    source : str
        Where the floor comes from (document and clause).
    kind : str or None
    removed_km2 : float
        Redline area removed by ``minus`` (0 without it).
    illustrative : bool

    Examples
    --------
    >>> fc = check_floor("昆山市")  # the bundled, illustrative sample
    >>> fc.floor_km2, fc.illustrative
    (47.7531, True)
    >>> fc.margin_km2 == round(fc.area_km2, 4) - fc.floor_km2
    True
    """

    region: str
    area_km2: float
    floor_km2: float
    margin_km2: float
    ok: bool
    by_district: pd.DataFrame
    method: str
    data_note: str
    source: str
    kind: str | None = REDLINE
    removed_km2: float = 0.0
    illustrative: bool = False
    geometry: Any = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One-row table of the check (areas rounded to 4 decimals, km²).

        Examples
        --------
        >>> check_floor("昆山市").to_frame().columns[:4].tolist()
        ['region', 'area_km2', 'floor_km2', 'margin_km2']
        """
        return pd.DataFrame(
            [
                {
                    "region": self.region,
                    "area_km2": round(self.area_km2, 4),
                    "floor_km2": self.floor_km2,
                    "margin_km2": round(self.margin_km2, 4),
                    "ok": self.ok,
                    "removed_km2": round(self.removed_km2, 4),
                    "kind": self.kind,
                    "illustrative": self.illustrative,
                    "method": self.method,
                    "source": self.source,
                    "data_note": self.data_note,
                }
            ]
        )

    def __str__(self) -> str:
        verdict = "meets the floor" if self.ok else "BELOW the floor"
        lines = [
            f"{self.region}: {KINDS.get(self.kind, self.kind or 'all kinds')} {_fmt(self.area_km2)} km² "
            f"vs floor {self.floor_km2:g} km² → margin {self.margin_km2:+,.4f} km² ({verdict})",
        ]
        if self.removed_km2:
            lines.append(f"  removed by proposed parcels (minus=): {_fmt(self.removed_km2)} km²")
        lines.append(f"  method: {self.method}")
        lines.append(f"  floor source: {self.source}")
        lines.append(f"  data: {self.data_note}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        colour = "#1a7f37" if self.ok else "#b42318"
        verdict = "meets the floor" if self.ok else "below the floor"
        note_style = "font-weight:bold;color:#b42318" if self.illustrative else "color:#555"
        rows = "".join(
            f"<tr><td>{e(str(r.name_zh))}</td><td style='text-align:right'>{r.area_km2:,.4f}</td></tr>"
            for r in self.by_district.itertuples()
        )
        removed = (
            f"<tr><th style='text-align:left'>removed by minus=</th><td>{_fmt(self.removed_km2)} km²</td></tr>"
            if self.removed_km2
            else ""
        )
        return (
            f"<div class='suzhou-geo-floorcheck'>"
            f"<p style='{note_style}'>{e(self.data_note)}</p>"
            f"<h4 style='margin:4px 0'>{e(self.region)} — {e(KINDS.get(self.kind, str(self.kind)))}: "
            f"<span style='color:{colour}'>{verdict}</span></h4>"
            f"<table>"
            f"<tr><th style='text-align:left'>area</th><td>{_fmt(self.area_km2)} km²</td></tr>"
            f"<tr><th style='text-align:left'>floor</th><td>{self.floor_km2:g} km²</td></tr>"
            f"<tr><th style='text-align:left'>margin</th><td style='color:{colour}'>{self.margin_km2:+,.4f} km²</td></tr>"
            f"{removed}</table>"
            f"<details><summary>by district</summary><table><tr><th>unit</th><th>km²</th></tr>{rows}</table></details>"
            f"<p style='font-size:smaller'>method: {e(self.method)}<br>floor: {e(self.source)}</p></div>"
        )


def _as_redlines(redlines: Any) -> gpd.GeoDataFrame:
    if redlines is None:
        return load_redlines()
    if isinstance(redlines, gpd.GeoDataFrame) and {"kind", "name"} <= set(redlines.columns) and redlines.crs is not None:
        if redlines.crs.to_epsg() == 4490 and "data_note" in redlines.attrs:
            return redlines
    out = load_redlines(redlines)
    if isinstance(redlines, gpd.GeoDataFrame) and redlines.attrs.get("illustrative"):
        out.attrs.update(illustrative=True, data_note=redlines.attrs.get("data_note", SAMPLE_NOTE))
    return out


def _region(region: Any) -> tuple[str, str | None, Any]:
    """(label, adcode or None, polygon in EPSG:4490)."""
    if isinstance(region, (str, int, np.integer)):
        code = resolve_name(region)
        t = _table().set_index("adcode")
        return t.loc[code, "name_zh"], code, t.loc[code, "geometry"]
    if isinstance(region, shapely.Geometry):
        return "region", None, region
    r = as_region(region) if isinstance(region, (gpd.GeoDataFrame, gpd.GeoSeries)) else read_layer(region)
    label = str(r["name_zh"].iloc[0]) if "name_zh" in r.columns and len(r) == 1 else "region"
    return label, None, shapely.union_all(r.geometry.values)


def check_floor(
    region: Any,
    redlines: Any = None,
    floor_km2: float | None = None,
    minus: Any = None,
    kind: str | None = REDLINE,
) -> FloorCheck:
    """Check a region's dissolved redline area against its floor, optionally after development.

    Parameters
    ----------
    region : str, int, GeoDataFrame or shapely polygon
        ``"苏州市"``/``"Suzhou"``, ``"昆山市"``/``"Kunshan"`` (floors in
        :data:`FLOORS`), any bundled jurisdiction with ``floor_km2=``, or a
        polygon (EPSG:4490 for a bare shapely geometry).
    redlines : path, GeoDataFrame or PostGIS source, optional
        The redline layer (see :func:`load_redlines`).  Default: the bundled
        ILLUSTRATIVE sample — not the official redline.
    floor_km2 : float, optional
        Override or supply the floor.  Default: :data:`FLOORS` (1950 km² for
        苏州市, seed 003 clause 十五; 47.7531 km² for 昆山市, seed 004 task 1).
    minus : path, GeoDataFrame or GeoSeries, optional
        Proposed development footprints (any CRS) subtracted from the redlines
        first: "if these parcels are approved, do we still meet the floor?"
    kind : str or None, default ``"ecological_protection_redline"``
        Which features count; ``None`` counts every kind.

    Returns
    -------
    FloorCheck
        ``area_km2, floor_km2, margin_km2, ok, by_district, method, data_note,
        source``; ``print()`` it, show it in Jupyter, or ``.to_frame()``.

    Notes
    -----
    The redlines of *kind* are dissolved (``shapely.union_all``), clipped to
    the region and, with ``minus``, differenced with the union of the parcels
    — all in CGCS2000 coordinates — and the result is measured once on the
    GRS80 ellipsoid (:func:`suzhou_geo.measure.area_km2`).  ``by_district``
    intersects the same geometry with each Suzhou county-level unit; its sum can
    differ from the total by the slivers between the units' polygons.

    Examples
    --------
    >>> fc = check_floor("昆山市")
    >>> fc.floor_km2, fc.illustrative
    (47.7531, True)
    >>> print(f"{fc.area_km2:.4f} - {fc.floor_km2} = {fc.margin_km2:+.4f}")  # compared at 4 decimals
    46.3713 - 47.7531 = -1.3818
    """
    label, code, geom = _region(region)
    floor = FLOORS.get(label) if code is not None else None
    if floor_km2 is None:
        if floor is None:
            raise ValueError(
                f"no floor is registered for {label}; pass floor_km2= (registered: {', '.join(FLOORS)})"
            )
        floor_km2 = floor.floor_km2
        source = f"{floor.source}, {floor.clause}" + (f" {floor.note}" if floor.note else "")
    else:
        source = f"floor_km2={floor_km2:g} given by the caller" + (
            f" (registered floor: {floor.floor_km2:g} km², {floor.source})" if floor else ""
        )
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)} or None, not {kind!r}")

    red = _as_redlines(redlines)
    data_note = red.attrs.get("data_note", "supplied data")
    illustrative = bool(red.attrs.get("illustrative", False))
    sel = red if kind is None else red[red["kind"] == kind]
    if kind is not None and len(sel) == 0:
        log.warning("no features of kind %r in the redline layer (kinds present: %s)", kind, sorted(set(red["kind"])))

    geoms = sel.geometry.values
    dissolved = shapely.union_all(np.asarray(geoms)) if len(geoms) else shapely.Polygon()
    clipped = shapely.intersection(dissolved, geom)
    removed = 0.0
    if minus is not None:
        parcels = read_layer(minus, name="minus") if not isinstance(minus, shapely.Geometry) else gpd.GeoDataFrame(geometry=[minus], crs=CGCS2000)
        # the same repairs as parcel validation: a bow-tie would make the union fail
        fixed, issues = repair_geometries(np.asarray(parcels.geometry.values), expect="polygon")
        usable = ~shapely.is_missing(fixed) & np.isin(shapely.get_type_id(fixed), (3, 6))
        for i in np.flatnonzero(issues != None):  # noqa: E711 - elementwise on an object array
            log.warning("minus= row %d: %s%s", i, issues[i], "" if usable[i] else "; not subtracted")
        cut = shapely.union_all(fixed[usable])
        before = area_km2(clipped)
        clipped = shapely.difference(clipped, cut)
        removed = before - area_km2(clipped)
    clipped = polygonal_part(clipped, empty=shapely.Polygon())
    area = float(area_km2(clipped))

    units = _table()
    units = units[units.in_suzhou & (units.level == "county")]
    parts = shapely.intersection(units.geometry.values, clipped)
    by = pd.DataFrame(
        {
            "adcode": units.adcode.to_numpy(),
            "name_zh": units.name_zh.to_numpy(),
            "name_en": units.name_en.to_numpy(),
            "area_km2": [float(area_km2(polygonal_part(p, empty=shapely.Polygon()))) for p in parts],
        }
    )
    by = by[by.area_km2 > 1e-6].sort_values("area_km2", ascending=False).reset_index(drop=True)
    by["area_km2"] = by["area_km2"].round(4)

    what = "all kinds" if kind is None else kind
    method = f"ellipsoidal GRS80, dissolved, clipped to {label}" + (
        ", minus proposed parcels" if minus is not None else ""
    ) + f" ({what})"
    return FloorCheck(
        region=label,
        area_km2=area,
        floor_km2=float(floor_km2),
        margin_km2=round(area, 4) - float(floor_km2),
        ok=bool(round(area, 4) >= float(floor_km2)),
        by_district=by,
        method=method,
        data_note=data_note,
        source=source,
        kind=kind,
        removed_km2=float(removed),
        illustrative=illustrative,
        geometry=clipped,
    )
