"""Ecological redlines: loading official layers, the area floors, and what-if checks.

Two kinds of protected area are modelled (江苏省, 苏政发〔2020〕1号):

* ``ecological_protection_redline`` — 生态保护红线, the national redline whose
  area the plans set floors on;
* ``ecological_space_control`` — 生态空间管控区域, Jiangsu's provincial
  control areas outside the redline.

The floors are ≥ 1950 km² for 苏州市 by 2035 (《关于全面推进美丽苏州建设的实施意见》
第（十五）条; the approved plan, 国函〔2025〕8号, gives 1950.71 km²) and ≥ 47.7531 km²
for 昆山市 by 2035 (《全面推进美丽昆山建设工作方案》二、重点任务 第1项).

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
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .boundaries import resolve_name, units_metric, units_table
from .crs import CGCS2000, CGCS2000_GK_CM120, transformer
from .errors import GeometryError, InputError, arg, row_at
from .geometry import polygonal_part
from .io import read
from .io.bundled import bundled, data_path
from .layer import Layer, is_illustrative
from .measure import area_km2, area_m2_projected

__all__ = [
    "REDLINE",
    "SPACE_CONTROL",
    "KINDS",
    "SAMPLE_NOTE",
    "Floor",
    "FLOORS",
    "FloorCheck",
    "load_redlines",
    "redline_layer",
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
    "use the official redline data for real decisions."
)

NORMALISED = ["name", "kind", "category", "jurisdiction", "source", "basis", "accuracy_m"]

# column-name candidates, most specific first (compared case-insensitively)
_NAME_COLS = ["name", "名称", "红线名称", "区域名称", "保护区名称", "管控区名称", "hxmc", "qymc", "bhqmc", "mc",
              "name_zh", "区域"]
_KIND_COLS = ["kind", "红线类型", "管控类型", "区域类型", "hxlx", "gklx", "类型", "lx", "type", "级别", "jb"]
_CAT_COLS = ["category", "类别", "红线类别", "主导生态功能", "主导功能", "保护类型", "lb", "hxlb", "zdgn", "类型", "lx",
             "type"]
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
    rejected: list[str] = []
    for c in _find(cols, _KIND_COLS, set()):
        vals = gdf[c].map(_kind_value)
        if len(gdf) and vals.notna().all():
            kind = vals
            used.add(c)
            break
        if vals.notna().any() or str(c).strip().lower() == "kind":
            # a kind column with values it cannot place: guessing would move 生态空间管控区域
            # into (or out of) the redline total, so refuse and say which rows
            bad = gdf.loc[vals.isna(), c]
            pos = np.flatnonzero(vals.isna().to_numpy())
            shown = ", ".join(f"{row_at(gdf.index, k)}: {gdf[c].iloc[k]!r}" for k in pos[:5])
            what = "says the kind of some features but not of" if vals.notna().any() else "names no kind for"
            raise InputError(
                f"column {c!r} {what} {len(bad)} ({shown}{', …' if len(bad) > 5 else ''}). Each feature must "
                "be 生态保护红线 (ecological_protection_redline) or 生态空间管控区域 (ecological_space_control)",
                source=label, row=row_at(gdf.index, pos[0]), column=c,
                hint="correct those values before loading",
            )
        values = ", ".join(map(repr, gdf[c].dropna().astype(str).unique()[:3]))
        rejected.append(f"{c} ({values})")
    if kind is None:
        kind = pd.Series(REDLINE, index=gdf.index)
        seen = f"; columns {', '.join(rejected)} do not name a kind" if rejected else ""
        msg = (
            f"{label}: 没有说明要素是生态保护红线还是生态空间管控区域的列，全部按生态保护红线计 / "
            f"no column says whether features are 生态保护红线 or 生态空间管控区域 "
            f"(looked for {', '.join(_KIND_COLS[:6])}, …{seen}); all {len(gdf)} features are taken as "
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
    units = units_table()
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
    *,
    sql: str | None = None,
    datum_shift: Any = None,
    approximate_datum: bool = False,
    invalid: str | None = None,
) -> gpd.GeoDataFrame:
    """Load a redline layer (official data, or the bundled illustrative sample) in EPSG:4490.

    Parameters
    ----------
    source : path, URI, GeoDataFrame, GeoSeries or Source, optional
        Any OGR format (Shapefile — GBK without ``.cpg``, or with a ``.cpg``
        that lies, is detected —, GeoPackage, GeoJSON, file geodatabase, …),
        GeoParquet, CSV with WKT, or a PostGIS connection
        (``"postgresql://user@host/db"``, ``"PG:host=… dbname=… user=…"``, a
        SQLAlchemy engine) with ``layer=`` or ``sql=`` (see
        :func:`suzhou_geo.io.read`).  ``None``: the bundled sample
        ``data/redlines/redlines.geojson`` — an ILLUSTRATIVE reconstruction,
        not the official redline.
    layer : str or int, optional
        Layer or table name.
    encoding : str, optional
        Attribute encoding, e.g. ``"GBK"`` (overrides detection).
    crs : str or pyproj.CRS, optional
        CRS of a layer without one (``"EPSG:4549"``, ``"EPSG:4528"``, ``"GCJ-02"``).
    sql : str, optional
        A query instead of *layer*: SQL for PostGIS (e.g. ``"SELECT * FROM
        redlines WHERE jurisdiction = '昆山市'"``), OGR SQL for files.
    datum_shift, approximate_datum
        For layers in Xi'an 1980 or Beijing 1954: the local transformation
        parameters, or acceptance of an approximate conversion (see
        :class:`suzhou_geo.io.Source`).
    invalid : {"raise", "repair", "exclude"}, optional
        Features whose geometry cannot be counted as drawn — non-finite
        coordinates, or an invalid polygon whose repair changes its area by
        more than 1 % (a bow-tie, a hole outside its shell) — are an error
        naming the rows (``"raise"``); ``"repair"`` keeps the repaired shapes
        and ``"exclude"`` drops those features, each with a note that every
        floor result shows.  Default: the *source*'s own ``invalid`` if it is a
        :class:`suzhou_geo.io.Source`, else ``"raise"``.  Small repairs (< 1 %)
        are always made and recorded.

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
        ``data_note``, ``kind_assumed`` (bool), ``notes`` (list of str),
        ``dropped`` (the features left out, counted from 1: ``"第 3 个要素 feature 3"``)
        and ``suzhou_geo_read``.

    Raises
    ------
    suzhou_geo.errors.GeometryError
        Point or line features, non-finite coordinates, repairs that change the
        area (with ``invalid="raise"``): the message lists the rows.
    suzhou_geo.errors.CRSError
        No CRS and no ``crs=`` (the message names the likely CRS); a legacy datum
        without ``datum_shift=``/``approximate_datum=``.
    suzhou_geo.errors.ReadError, suzhou_geo.errors.MissingFileError
        The file cannot be read or does not exist.

    Examples
    --------
    >>> r = load_redlines()
    >>> r.attrs["illustrative"], r.crs.to_epsg()
    (True, 4490)
    >>> sorted(set(r.kind))
    ['ecological_protection_redline', 'ecological_space_control']
    """
    lay = redline_layer(
        source, layer=layer, encoding=encoding, crs=crs, sql=sql, datum_shift=datum_shift,
        approximate_datum=approximate_datum, invalid=invalid,
    )
    return _as_frame(lay)


#: Marks a frame that :func:`load_redlines` made (so it is not normalised twice).
_MARK = "suzhou_geo_redlines"
_INVALID = ("raise", "repair", "exclude")


def _as_frame(lay: Layer) -> gpd.GeoDataFrame:
    frame = lay.frame.copy(deep=False)
    prov = lay.provenance
    frame.attrs = {
        "suzhou_geo_read": prov.to_dict(),
        "illustrative": prov.illustrative,
        "data_note": prov.data_note,
        "kind_assumed": any("kind=" in n for n in prov.notes),
        "notes": list(prov.notes),
        "dropped": list(getattr(lay, "dropped", [])),
        _MARK: True,
    }
    return frame


@lru_cache(maxsize=1)
def _sample() -> Layer:
    return _normalise_layer(bundled("redlines"), "raise", illustrative=True)


def redline_layer(source: Any = None, *, invalid: str | None = None, spelling: dict | None = None,
                  **options: Any) -> Layer:
    """Return the redlines as a prepared :class:`~suzhou_geo.layer.Layer` (normalised columns, provenance).

    What :func:`load_redlines`, :func:`check_floor` and
    :func:`suzhou_geo.validate_parcels` all start from, so that one redline file
    is one geometry everywhere.  ``None`` gives the bundled illustrative sample
    (read once per process).

    Examples
    --------
    >>> lay = redline_layer()
    >>> lay.provenance.illustrative, len(lay) == len(lay.metric)
    (True, True)
    """
    invalid = invalid or getattr(source, "invalid", None) or "raise"
    if invalid not in _INVALID:
        raise InputError(f"invalid must be one of {_INVALID}, not {invalid!r}", source="load_redlines")
    # the spelling of whoever made the Source (the command line) wins over this function's own
    spelling = {**(spelling or {}), **(getattr(source, "spelling", None) or {})} or None
    options = {k: v for k, v in options.items() if v is not None and v is not False}
    if source is None and not options:
        return _sample()
    if source is None:
        source = data_path("redlines", "redlines.geojson")
    if isinstance(source, Layer) and source.frame.attrs.get(_MARK):
        return source
    illustrative = isinstance(source, gpd.GeoDataFrame) and is_illustrative(source)
    if isinstance(source, gpd.GeoDataFrame) and source.attrs.get(_MARK) and not options:
        prov_note = source.attrs.get("data_note", "")
        lay = read(source, expect="polygon", spelling=spelling)
        return _normalise_layer(lay, invalid, illustrative=illustrative, data_note=prov_note,
                                notes=tuple(source.attrs.get("notes", ())), spelling=spelling)
    lay = read(source, expect="polygon", spelling=spelling, **options)
    return _normalise_layer(lay, invalid, illustrative=illustrative, spelling=spelling)


def _normalise_layer(lay: Layer, invalid: str, *, illustrative: bool, data_note: str = "",
                     notes: tuple = (), spelling: dict | None = None) -> Layer:
    """Refuse or drop unusable features, then normalise columns, fill jurisdictions, say what was done."""
    label = lay.provenance.name
    if len(lay) == 0:
        raise InputError(
            "has no features: a redline layer without a single polygon cannot be checked against a floor "
            "(it would give 0 km²)", source=label,
            hint="check the file, and the layer or query that selects its features",
        )
    _refuse_non_polygons(lay, label)
    keep, dropped, more = _screen_features(lay, label, invalid, spelling)
    lay = lay.subset(keep)
    frame = lay.frame
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    frame, kind_notes = _normalise(frame, label)
    frame["geometry_issue"] = pd.Series(np.where(lay.issues == "", None, lay.issues), index=frame.index, dtype=object)
    _fill_jurisdiction(frame)
    cols = NORMALISED + ["geometry_issue"] + [c for c in frame.columns if c not in NORMALISED + ["geometry_issue"]]
    frame = frame[cols]
    frame.attrs = {_MARK: True}
    repaired = int((lay.codes == "repaired").sum())
    rep_note = (
        [f"{label}: {repaired} 个无效面已修复（见 geometry_issue 列）/ {repaired} invalid polygon(s) repaired "
         "with make_valid (see the geometry_issue column)"]
        if repaired else []
    )
    all_notes = tuple(notes) or (tuple(lay.provenance.notes) + tuple(kind_notes) + tuple(more) + tuple(rep_note))
    note = data_note or (SAMPLE_NOTE if illustrative else f"supplied data: {label}")
    out = lay.with_frame(frame, illustrative=illustrative, data_note=note, notes=all_notes)
    out.dropped = dropped
    return out


def _refuse_non_polygons(lay: Layer, label: str) -> None:
    wrong = np.isin(lay.codes, ["point", "line"])
    if wrong.any():
        shown = ", ".join(f"{row_at(lay.frame.index, k)} ({lay.issues[k].split(' / ')[-1]})"
                          for k in np.flatnonzero(wrong)[:10])
        raise GeometryError(
            f"redlines must be polygons, but {int(wrong.sum())} feature(s) are not: {shown}"
            + (" …" if wrong.sum() > 10 else ""),
            source=label,
            hint="remove them, or buffer them into polygons, before loading",
        )


def _invalid_hint(spelling: dict | None, *, repairable: bool) -> str:
    exclude = arg("invalid", "'exclude'", spelling)
    repair = arg("invalid", "'repair'", spelling) if repairable else None
    if exclude is None:
        return "fix them in the source data"
    return (f"fix them in the source data; or pass {exclude} to leave them out"
            + (f", or {repair} to count the repaired shapes" if repair else "")
            + " (every floor result then says so)")


def _screen_features(lay: Layer, label: str, invalid: str, spelling: dict | None = None
                     ) -> tuple[np.ndarray, list[str], list[str]]:
    """Which features to keep: (mask, the dropped rows as people count them, notes)."""
    from .io.checks import REPAIR_AREA_TOLERANCE

    n = len(lay)
    codes = lay.codes
    nonfinite = codes == "nonfinite"
    changed = np.nan_to_num(lay.area_change, nan=0.0) > REPAIR_AREA_TOLERANCE
    bad = nonfinite | changed
    if bad.any() and (invalid == "raise" or (nonfinite.any() and invalid != "exclude")):
        which = np.flatnonzero(nonfinite if invalid != "raise" else bad)
        if len(which) == 1:
            what = f"this redline feature cannot be counted as drawn: {lay.issues[which[0]]}"
            row = row_at(lay.frame.index, which[0])
        else:
            shown = "; ".join(f"{row_at(lay.frame.index, k)}: {lay.issues[k]}" for k in which[:10])
            what = (f"{len(which)} redline features cannot be counted as drawn: {shown}"
                    + (" …" if len(which) > 10 else ""))
            row = None
        raise GeometryError(
            what,
            source=label, row=row,
            hint=_invalid_hint(spelling, repairable=not nonfinite[which].all()),
        )
    gone = ~lay.usable | (bad & (invalid == "exclude"))
    tiny = np.zeros(n, dtype=bool)
    ok = ~gone
    if ok.any():
        tiny[ok] = area_m2_projected(lay.metric[ok], CGCS2000_GK_CM120) < 1.0
    gone |= tiny
    notes: list[str] = []
    for k in np.flatnonzero(gone):
        why = "面积不足 1 m² / less than 1 m² of area" if tiny[k] else lay.issues[k]
        r = row_at(lay.frame.index, k)
        msg = f"{label}: {r.zh}已排除 / {r.en} excluded: {why}"
        log.warning(msg)
        notes.append(msg)
    if invalid == "repair":
        for k in np.flatnonzero(changed & ~gone):
            r = row_at(lay.frame.index, k)
            notes.append(f"{label}: {r.zh}按修复后的形状计入 / {r.en} counted as repaired: {lay.issues[k]}")
    return ~gone, [str(row_at(lay.frame.index, k)) for k in np.flatnonzero(gone)], notes


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


#: The area floors, keyed by jurisdiction (Chinese name), each citing its document and clause.
FLOORS: dict[str, Floor] = {
    "苏州市": Floor(
        region="苏州市",
        adcode="320500",
        floor_km2=1950.0,
        year=2035,
        kind=REDLINE,
        source="《关于全面推进美丽苏州建设的实施意见》（苏州，2023年）",
        clause="第（十五）条“优化空间发展保护格局”：“2035年，生态保护红线不低于1950平方公里”",
        note=(
            "（注：经批复的《苏州市国土空间总体规划（2021—2035年）》（国函〔2025〕8号）为 1950.71 平方公里 / "
            "note: the approved territorial plan gives 1950.71 km²）"
        ),
    ),
    "昆山市": Floor(
        region="昆山市",
        adcode="320583",
        floor_km2=47.7531,
        year=2035,
        kind=REDLINE,
        source="《全面推进美丽昆山建设工作方案》（昆山市人民政府，2025年）",
        clause="二、重点任务 第1项“优化国土空间开发保护格局”：“到2035年，生态保护红线面积不低于47.7531平方公里”",
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
    result : str
        ``ok`` in words, Chinese first (``'低于底线 BELOW the floor'``).
    method_text, data_text : str
        ``method`` and ``data_note`` for readers, Chinese first.

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
    warnings: tuple = ()

    @property
    def result(self) -> str:
        """The verdict in words, Chinese first: ``'达到底线 meets the floor'`` or ``'低于底线 BELOW the floor'``."""
        return "达到底线 meets the floor" if self.ok else "低于底线 BELOW the floor"

    def _kind_label(self) -> str:
        if self.kind is None:
            return "全部类型 all kinds"
        return f"{KINDS.get(self.kind, self.kind)} {_KIND_EN.get(self.kind, self.kind)}"

    @property
    def method_text(self) -> str:
        """The method, Chinese first with the English :attr:`method` beside it."""
        minus = "，扣除拟建地块" if "minus" in self.method else ""
        return f"重叠红线融合后裁剪至{self.region}{minus}，按 CGCS2000/GRS80 椭球面积计算 / {self.method}"

    @property
    def data_text(self) -> str:
        """What the redline data are, Chinese first (the bundled sample says it is illustrative)."""
        return ("示意数据，非官方生态保护红线 / " if self.illustrative else "") + self.data_note

    def to_frame(self) -> pd.DataFrame:
        """One-row table of the check (areas rounded to 4 decimals, km²), ``result`` in words.

        Examples
        --------
        >>> check_floor("昆山市").to_frame().columns[:4].tolist()
        ['region', 'area_km2', 'floor_km2', 'margin_km2']
        >>> check_floor("昆山市").to_frame().loc[0, "result"]  # the bundled illustrative sample
        '低于底线 BELOW the floor'
        """
        return pd.DataFrame(
            [
                {
                    "region": self.region,
                    "area_km2": round(self.area_km2, 4),
                    "floor_km2": self.floor_km2,
                    "margin_km2": round(self.margin_km2, 4),
                    "ok": self.ok,
                    "result": self.result,
                    "removed_km2": round(self.removed_km2, 4),
                    "kind": self.kind,
                    "illustrative": self.illustrative,
                    "method": self.method_text,
                    "source": self.source,
                    "data_note": self.data_text,
                }
            ]
        )

    def __str__(self) -> str:
        lines = [
            f"{self.region} {self._kind_label()}: {_fmt(self.area_km2)} km²",
            f"  底线 floor: ≥ {self.floor_km2:,.4f} km² → 差额 margin {self.margin_km2:+,.4f} km²: {self.result}",
        ]
        if self.removed_km2:
            lines.append(f"  拟建地块扣除 removed by proposed parcels (minus=): {_fmt(self.removed_km2)} km²")
        lines.append(f"  方法 method: {self.method_text}")
        lines.append(f"  依据 source: {self.source}")
        lines.append(f"  数据 data: {self.data_text}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        colour = "#1a7f37" if self.ok else "#b42318"
        note_style = "font-weight:bold;color:#b42318" if self.illustrative else "color:#555"

        def row(label: str, value: str, style: str = "") -> str:
            return (f"<tr><th style='text-align:left'>{e(label)}</th>"
                    f"<td style='text-align:right{style}'>{e(value)}</td></tr>")

        units = "".join(
            f"<tr><td>{e(str(r.name_zh))} {e(str(r.name_en))}</td>"
            f"<td style='text-align:right'>{r.area_km2:,.4f}</td></tr>"
            for r in self.by_district.itertuples()
        )
        total = float(self.by_district["area_km2"].sum()) if len(self.by_district) else 0.0
        removed = row("拟建地块扣除 removed (minus=)", f"{_fmt(self.removed_km2)} km²") if self.removed_km2 else ""
        return (
            f"<div class='suzhou-geo-floorcheck'>"
            f"<p style='{note_style}'>{e(self.data_text)}</p>"
            f"<h4 style='margin:4px 0'>{e(self.region)} — {e(self._kind_label())}: "
            f"<span style='color:{colour}'>{e(self.result)}</span></h4>"
            f"<table>"
            + row("面积 area", f"{_fmt(self.area_km2)} km²")
            + row("底线 floor", f"≥ {self.floor_km2:,.4f} km²")
            + row("差额 margin", f"{self.margin_km2:+,.4f} km²", f";color:{colour}")
            + removed
            + "</table>"
            f"<details><summary>按县级行政区 by county-level unit</summary><table>"
            f"<tr><th>县级行政区 unit</th><th>km²</th></tr>{units}"
            f"<tr><th style='text-align:left'>合计 total</th><th style='text-align:right'>{total:,.4f}</th></tr>"
            f"</table></details>"
            f"<p style='font-size:smaller'>方法 method: {e(self.method_text)}<br>"
            f"依据 source: {e(self.source)}</p></div>"
        )


_KIND_EN = {REDLINE: "ecological protection redline", SPACE_CONTROL: "ecological space control area"}


def _region(region: Any, spelling: dict | None) -> tuple[str, str | None, Any]:
    """(label, adcode or None, polygon in EPSG:4549)."""
    if isinstance(region, (str, int, np.integer)):
        code = resolve_name(region)
        t = units_table().set_index("adcode")
        return t.loc[code, "name_zh"], code, units_metric()[code]
    if isinstance(region, shapely.Geometry):
        region = gpd.GeoSeries([region], crs=CGCS2000)
    lay = read(region, name="region", expect="polygon", spelling=spelling)
    frame = lay.frame
    label = str(frame["name_zh"].iloc[0]) if "name_zh" in frame.columns and len(frame) == 1 else "region"
    return label, None, shapely.union_all(lay.metric[lay.usable])


def _floor_of(label: str, code: str | None, floor_km2: float | None) -> tuple[float, str]:
    floor = FLOORS.get(label) if code is not None else None
    if floor_km2 is None:
        if floor is None:
            raise InputError(
                f"no floor is registered for {label}", source="check_floor",
                hint=f"pass floor_km2= (registered: {', '.join(FLOORS)})",
            )
        return floor.floor_km2, f"{floor.source}, {floor.clause}" + (f" {floor.note}" if floor.note else "")
    source = f"floor_km2={floor_km2:g} given by the caller" + (
        f" (registered floor: {floor.floor_km2:g} km², {floor.source})" if floor else ""
    )
    return float(floor_km2), source


def _dissolved(red: Layer, kind: str | None):
    """Return the union of the redlines of *kind* in EPSG:4549 (computed once per layer and kind)."""

    def make():
        sel = np.ones(len(red), dtype=bool) if kind is None else (red.frame["kind"] == kind).to_numpy()
        geoms = red.metric[sel]
        return shapely.union_all(geoms) if len(geoms) else shapely.Polygon()

    return red.cached(("dissolved", kind), make)


def _geographic(geoms_metric: list) -> np.ndarray:
    """Convert EPSG:4549 geometries back to CGCS2000 longitude/latitude, vertex for vertex, in one conversion."""
    t = transformer(CGCS2000_GK_CM120, CGCS2000)
    return shapely.transform(np.asarray(geoms_metric, dtype=object), t.transform, interleaved=False)


def _km2(geoms_lonlat: np.ndarray) -> np.ndarray:
    """Ellipsoidal areas (km²) of polygonal geometries in CGCS2000, measured with Geod on GRS80, in one call."""
    polys = [polygonal_part(g, empty=shapely.Polygon()) for g in geoms_lonlat]
    return np.asarray(area_km2(gpd.GeoSeries(polys, crs=CGCS2000)), dtype=float)


def _subtract(clipped, minus: Any, minus_crs: Any, spelling: dict | None):
    """(clipped minus the parcels, what they remove, notes): the parcels are read like validation reads them."""
    spell = {"crs": "minus_crs={value}", "override_crs": None, "swap_xy": None,
             "datum_shift": "minus=sg.Source(…, datum_shift={value})",
             "approximate_datum": "minus=sg.Source(…, approximate_datum={value})", **(spelling or {})}
    if isinstance(minus, shapely.Geometry):
        minus = gpd.GeoSeries([minus], crs=minus_crs or CGCS2000)
        minus_crs = None
    data = getattr(minus, "data", minus)  # a Source: its file names it in messages
    lay = read(minus, crs=minus_crs, name=None if isinstance(data, (str, os.PathLike)) else "minus", expect="polygon",
               spelling=spell)
    rows = [(k, row_at(lay.frame.index, k)) for k in np.flatnonzero(~lay.usable)]
    notes = [f"{lay.provenance.name}: {r.zh}未扣除 / {r.en} not subtracted: {lay.issues[k]}" for k, r in rows]
    for n in notes:
        log.warning(n)
    notes += list(lay.provenance.notes)
    cut = shapely.union_all(lay.metric[lay.usable]) if lay.usable.any() else shapely.Polygon()
    return shapely.difference(clipped, cut), shapely.intersection(clipped, cut), notes


def _district_parts(clipped) -> tuple[pd.DataFrame, np.ndarray]:
    """Return the Suzhou county-level units and the part of *clipped* in each (EPSG:4549)."""
    units = units_table()
    sel = (units.in_suzhou & (units.level == "county")).to_numpy()
    parts = shapely.intersection(np.asarray(units_metric().values)[sel], clipped)
    return units.loc[sel, ["adcode", "name_zh", "name_en"]].reset_index(drop=True), parts


def _by_district(units: pd.DataFrame, km2: np.ndarray) -> pd.DataFrame:
    by = units.assign(area_km2=km2)
    by = by[by.area_km2 > 1e-6].sort_values("area_km2", ascending=False).reset_index(drop=True)
    by["area_km2"] = by["area_km2"].round(4)
    return by


def check_floor(
    region: Any,
    redlines: Any = None,
    floor_km2: float | None = None,
    minus: Any = None,
    kind: str | None = REDLINE,
    *,
    redlines_crs: Any = None,
    minus_crs: Any = None,
) -> FloorCheck:
    """Check a region's dissolved redline area against its floor, optionally after development.

    Parameters
    ----------
    region : str, int, GeoDataFrame or shapely polygon
        ``"苏州市"``/``"Suzhou"``, ``"昆山市"``/``"Kunshan"`` (floors in
        :data:`FLOORS`), any bundled jurisdiction with ``floor_km2=``, or a
        polygon (EPSG:4490 for a bare shapely geometry).
    redlines : path, GeoDataFrame, Source or PostGIS source, optional
        The redline layer (see :func:`load_redlines`).  Default: the bundled
        ILLUSTRATIVE sample — not the official redline.
    floor_km2 : float, optional
        Override or supply the floor.  Default: :data:`FLOORS` (1950 km² for
        苏州市, 《关于全面推进美丽苏州建设的实施意见》十五; 47.7531 km² for 昆山市,
        《全面推进美丽昆山建设工作方案》任务一).
    minus : path, GeoDataFrame, GeoSeries, Source or shapely polygon, optional
        Proposed development footprints subtracted first: "if these parcels are
        approved, do we still meet the floor?"  Read like the parcels of
        :func:`suzhou_geo.validate_parcels`: rows that cannot be used are not
        subtracted and listed in ``warnings``.
    kind : str or None, default ``"ecological_protection_redline"``
        Which features count; ``None`` counts every kind.
    redlines_crs : str or pyproj.CRS, optional
        CRS of a redline file that declares none (applies to *redlines* only).
    minus_crs : str or pyproj.CRS, optional
        CRS of *minus* when it declares none (``"GCJ-02"`` for Amap/Gaode
        coordinates); applies to *minus* only.

    Returns
    -------
    FloorCheck
        ``area_km2, floor_km2, margin_km2, ok, by_district, method, data_note,
        source, removed_km2, warnings``; ``print()`` it, show it in Jupyter, or ``.to_frame()``.

    Notes
    -----
    One geometry: the redlines are read once (long edges densified in the CRS
    they are stored in), and the dissolve, the clip to the region and the
    subtraction of *minus* all run on their EPSG:4549 copy — the same geometry
    :func:`suzhou_geo.validate_parcels` measures overlaps on, so that the area
    *minus* removes equals the sum of those parcels' ``redline_overlap_m2``.
    Areas are measured once, on the GRS80 ellipsoid (pyproj.Geod).
    ``by_district`` intersects the same geometry with each Suzhou county-level
    unit; its sum can differ from the total by the slivers between the units' polygons.

    Examples
    --------
    >>> fc = check_floor("昆山市")
    >>> fc.floor_km2, fc.illustrative
    (47.7531, True)
    >>> print(f"{fc.area_km2:.4f} - {fc.floor_km2} = {fc.margin_km2:+.4f}")  # compared at 4 decimals
    46.3714 - 47.7531 = -1.3817
    """
    label, code, geom = _region(region, None)
    floor, source = _floor_of(label, code, floor_km2)
    if kind is not None and kind not in KINDS:
        raise InputError(f"kind must be one of {list(KINDS)} or None, not {kind!r}", source="check_floor")
    red = redline_layer(redlines, crs=redlines_crs,
                        spelling={"crs": "redlines_crs={value}", "override_crs": None, "swap_xy": None,
                                  "datum_shift": "redlines=sg.Source(…, datum_shift={value})",
                                  "approximate_datum": "redlines=sg.Source(…, approximate_datum={value})",
                                  "invalid": "redlines=sg.Source(…, invalid={value})"})
    if kind is not None and not (red.frame["kind"] == kind).any():
        log.warning("no features of kind %r in the redline layer (kinds present: %s)", kind,
                    sorted(set(red.frame["kind"])))
    clipped = shapely.intersection(_dissolved(red, kind), geom)
    warnings_: list[str] = list(red.provenance.notes)
    removed_geom = shapely.Polygon()
    if minus is not None:
        clipped, removed_geom, more = _subtract(clipped, minus, minus_crs, None)
        warnings_ += more
    clipped = polygonal_part(clipped, empty=shapely.Polygon())
    units, parts = _district_parts(clipped)
    # every area from the one redline geometry, converted back to CGCS2000 and measured once
    lonlat = _geographic([clipped, removed_geom, *parts])
    km2 = _km2(lonlat)
    area, removed = float(km2[0]), float(km2[1])
    what = "all kinds" if kind is None else kind
    method = f"ellipsoidal GRS80, dissolved, clipped to {label}" + (
        ", minus proposed parcels" if minus is not None else ""
    ) + f" ({what})"
    return FloorCheck(
        region=label,
        area_km2=area,
        floor_km2=floor,
        margin_km2=round(area, 4) - floor,
        ok=bool(round(area, 4) >= floor),
        by_district=_by_district(units, km2[2:]),
        method=method,
        data_note=red.provenance.data_note,
        source=source,
        kind=kind,
        removed_km2=float(removed),
        illustrative=red.provenance.illustrative,
        geometry=lonlat[0],
        warnings=tuple(warnings_),
    )
