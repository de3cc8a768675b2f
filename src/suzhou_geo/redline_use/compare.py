"""``compare_redlines``: two versions of a redline layer → what left it (调出), what was added (补划), per unit.

:func:`compare_redlines` reads as a pipeline: read both versions → dissolve
each (overlaps count once) → kept = old ∩ new, removed = old − new, added =
new − old → cut the removed and added areas into patches (connected pieces),
set aside the slivers under the tolerance as boundary noise → split every
patch along county borders → the ledger per county-level unit and for the city
→ adjacency and compactness of each patch, its overlap with permanent farmland
and the urban development boundary, the features and scheme elements it lies
in → the floors before and after.

The arithmetic is exact: old = kept ∪ removed and new = kept ∪ added, so for
every unit old − out + in = new, with the noise in columns of its own (nothing
leaves the sums).  The library computes; whether an adjustment meets the rules
(生态功能不降低、面积不减少、性质不改变, 集中连片) is for the authority to decide.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import CGCS2000
from ..errors import InputError
from ..io import read
from ..io import write_layer as write_any
from ..layer import Layer
from ..pieces import PieceIndex, labels, near_pairs, overlap_pairs
from ..redlines import FLOORS, KINDS, REDLINE, check_floor, redline_layer
from .parts import (
    OUTSIDE,
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
    to_geographic,
)
from .render import notes_html, table_html
from .schema import (
    FLOOR_COLUMNS,
    HA_M2,
    ILLUSTRATIVE,
    MU_M2,
    NO_LEGALITY,
    PATCH_COLUMNS,
    UNIT_COLUMNS,
    UNITS_NOTE,
    names,
)

__all__ = ["compare_redlines", "RedlineComparison", "TOLERANCE_M2", "TOLERANCE_WIDTH_M", "ADJOIN_MIN_M"]

#: Patches smaller than this (m², ellipsoidal) are boundary noise, not adjustments.
TOLERANCE_M2 = 1.0
#: Patches narrower than this (m: the largest circle inside) are boundary noise, not adjustments.
TOLERANCE_WIDTH_M = 1.0
#: A patch adjoins the kept redline when they share at least this much boundary (m).
ADJOIN_MIN_M = 1.0
#: The city row of the ledger.
CITY = "苏州市"

_CHANGES = ("removed", "added")
_ID = {"removed": "调出", "added": "补划"}


def _spelling(what: str) -> dict:
    return {"crs": f"{what}_crs={{value}}", "override_crs": None, "swap_xy": None,
            "datum_shift": f"{what}=sg.Source(…, datum_shift={{value}})",
            "approximate_datum": f"{what}=sg.Source(…, approximate_datum={{value}})",
            "invalid": f"{what}=sg.Source(…, invalid={{value}})"}


# --------------------------------------------------------------------------- the result


@dataclass
class RedlineComparison:
    """What changed between two redline versions: the result of :func:`compare_redlines`.

    Attributes
    ----------
    patches : geopandas.GeoDataFrame
        One row per changed patch and county-level unit (调出 removed, 补划
        added), EPSG:4490; columns :data:`~suzhou_geo.redline_use.schema.PATCH_COLUMNS`.
        Boundary noise is left out, except a noise sliver that overlaps permanent
        farmland or the urban development boundary (flagged, never hidden).
    noise : geopandas.GeoDataFrame
        The slivers under the tolerance (same columns), counted in the ledger's
        noise columns.
    by_unit : pandas.DataFrame
        The ledger: every county-level unit of Suzhou and the city — old, out,
        in, noise, net, new (km², 6 decimals) and 面积不减少.
    floors : pandas.DataFrame
        Each floor (苏州市 ≥ 1950 km², 昆山市 ≥ 47.7531 km²) before and after.
    floor_checks : dict
        ``{region: (before, after)}`` as :class:`~suzhou_geo.redlines.FloorCheck`.
    notes : list of str
    illustrative : bool
        Either version is the bundled illustrative sample (or says it is illustrative).
    old_name, new_name : str
    kind : str or None
        The kind compared.
    tolerance_m2, tolerance_width_m : float
    old, new : geopandas.GeoDataFrame
        The two versions as read (normalised), for maps.
    farmland, urban_boundary : geopandas.GeoDataFrame or None
        The layers the 补划 patches were checked against, as read, for maps.
    """

    patches: gpd.GeoDataFrame
    noise: gpd.GeoDataFrame
    by_unit: pd.DataFrame
    floors: pd.DataFrame
    floor_checks: dict
    notes: list[str]
    illustrative: bool
    old_name: str
    new_name: str
    kind: str | None
    tolerance_m2: float
    tolerance_width_m: float
    old: gpd.GeoDataFrame = field(repr=False)
    new: gpd.GeoDataFrame = field(repr=False)
    farmland: gpd.GeoDataFrame | None = field(default=None, repr=False)
    urban_boundary: gpd.GeoDataFrame | None = field(default=None, repr=False)

    @property
    def warnings(self) -> list[str]:
        """The notes every rendering shows first: illustrative data, and that no legality is decided."""
        return ([ILLUSTRATIVE] if self.illustrative else []) + [NO_LEGALITY]

    @property
    def city(self) -> pd.Series:
        """The city's row of the ledger."""
        return self.by_unit.iloc[-1]

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the changed patches (:attr:`patches`)."""
        return self.patches

    def write(self, path: Any, *, table: str = "patches", overwrite: bool = False) -> Path | str:
        """Write one table through the one way out, labelled from the schema.

        Parameters
        ----------
        path : str or path
            ``.gpkg``, ``.xlsx``, ``.csv``, … (the extension decides).
        table : {"patches", "noise"}
        overwrite : bool, default False
        """
        frames = {"patches": self.patches, "noise": self.noise}
        if table not in frames:
            raise InputError(f"table must be one of {list(frames)}, not {table!r}", source="RedlineComparison.write")
        return write_any(frames[table], path, overwrite=overwrite, columns=PATCH_COLUMNS,
                         layer=f"redline_{table}")

    def __repr__(self) -> str:
        c = self.city
        return (f"<RedlineComparison {self.old_name} → {self.new_name}: {len(self.patches)} patch row(s), city "
                f"{c['old_km2']:.4f} → {c['new_km2']:.4f} km² ({c['net_km2']:+.6f})>")

    def _repr_html_(self) -> str:
        cols = [c for c in PATCH_COLUMNS if c.name in ("change", "patch_id", "county", "area_m2", "area_ha",
                                                         "area_mu", "features", "adjoins_kept", "conflicts")]
        patches = pd.DataFrame(self.patches[[c.name for c in cols]])
        return (
            "<div class='suzhou-geo-comparison'>"
            f"<h4 style='margin:4px 0'>红线调整对比 Redline comparison: {html.escape(self.old_name)} → "
            f"{html.escape(self.new_name)}</h4>"
            + notes_html(self.notes, warn=self.warnings)
            + table_html(self.by_unit, UNIT_COLUMNS)
            + table_html(self.floors.drop(columns="source"), FLOOR_COLUMNS)
            + "<details><summary>图斑 patches</summary>" + table_html(patches, cols, max_rows=60) + "</details></div>"
        )


# --------------------------------------------------------------------------- the pipeline


def compare_redlines(
    old: Any,
    new: Any,
    *,
    farmland: Any = None,
    urban_boundary: Any = None,
    tolerance_m2: float = TOLERANCE_M2,
    tolerance_width_m: float = TOLERANCE_WIDTH_M,
    kind: str | None = REDLINE,
    old_crs: Any = None,
    new_crs: Any = None,
    farmland_crs: Any = None,
    urban_boundary_crs: Any = None,
) -> RedlineComparison:
    """Compare two versions of a redline layer: 调出 and 补划 patches, a ledger per unit, floors before and after.

    Parameters
    ----------
    old, new : path, GeoDataFrame, Source, or None
        The two versions (see :func:`suzhou_geo.load_redlines`); ``None`` is
        the bundled ILLUSTRATIVE sample.
    farmland : path, GeoDataFrame or Source, optional
        Permanent basic farmland (永久基本农田): every 补划 patch overlapping it
        (any positive area) is flagged in ``conflicts``.
    urban_boundary : path, GeoDataFrame or Source, optional
        The urban development boundary (城镇开发边界), flagged the same way.
    tolerance_m2 : float, default 1
        Patches smaller than this (m², ellipsoidal) are boundary noise.
    tolerance_width_m : float, default 1
        Patches narrower than this (diameter of the largest circle inside, m)
        are boundary noise: digitising noise along an unchanged edge is not an
        adjustment.  Noise is counted in columns of its own, never dropped.
    kind : str or None, default ``"ecological_protection_redline"``
        Which features are compared (``"ecological_space_control"``, or None for
        both kinds together).  The floors always concern the protection redline.
    old_crs, new_crs, farmland_crs, urban_boundary_crs : optional
        The CRS of an input that declares none; each applies to its own input.

    Returns
    -------
    RedlineComparison
        ``.patches``, ``.noise``, ``.by_unit``, ``.floors``, ``.notes``;
        ``.write(path)``, and :func:`suzhou_geo.write_comparison` for the
        workbook, Markdown, map and printable summary.

    Examples
    --------
    >>> import suzhou_geo as sg, shapely
    >>> red = sg.load_redlines()
    >>> new = red.copy()
    >>> cut = shapely.box(121.095, 31.32, 121.105, 31.33)  # a piece of 昆山天福国家湿地公园 leaves the redline
    >>> new.loc[8, "geometry"] = new.geometry[8].difference(cut)
    >>> cmp = compare_redlines(red, new)
    >>> cmp.patches[["change", "county"]].values.tolist()
    [['removed', '昆山市']]
    >>> ks = cmp.by_unit.set_index("unit").loc["昆山市"]
    >>> bool(abs(ks.old_km2 - ks.out_km2 + ks.in_km2 - ks.noise_out_km2 + ks.noise_in_km2 - ks.new_km2) < 1e-9)
    True
    >>> bool(ks.not_decreased)
    False
    """
    if kind is not None and kind not in KINDS:
        raise InputError(f"kind must be one of {list(KINDS)} or None, not {kind!r}", source="compare_redlines")
    old_lay = redline_layer(old, crs=old_crs, spelling=_spelling("old"))
    new_lay = redline_layer(new, crs=new_crs, spelling=_spelling("new"))
    names_ = (source_name(old, old_lay), source_name(new, new_lay))
    diff = _difference(old_lay, new_lay, kind)
    table = _patches(diff, tolerance_m2, tolerance_width_m)
    ledger = _ledger(diff, table)
    _adjacency(table, diff.kept)
    notes: list[str] = []
    farm = _conflicts(table, farmland, farmland_crs, "farmland", notes)
    urban = _conflicts(table, urban_boundary, urban_boundary_crs, "urban_boundary", notes)
    _schemes(table)
    _features(table, old_lay, new_lay, kind)
    floors, checks = _floors(old_lay, new_lay)
    cmp = _assemble(table, ledger, floors, checks, old_lay, new_lay, kind, tolerance_m2, tolerance_width_m, notes,
                    farm is not None, urban is not None, names_)
    cmp.farmland, cmp.urban_boundary = farm, urban
    return cmp


# --------------------------------------------------------------------------- kept, removed, added


@dataclass
class _Difference:
    old: Any  # dissolved, EPSG:4549
    new: Any
    kept: Any
    removed: Any
    added: Any


def _difference(old: Layer, new: Layer, kind: str | None) -> _Difference:
    a, b = dissolved(old, kind), dissolved(new, kind)
    kept, removed, added = polygons([shapely.intersection(a, b), shapely.difference(a, b), shapely.difference(b, a)])
    return _Difference(a, b, kept, removed, added)


# --------------------------------------------------------------------------- patches


def _width(geoms: np.ndarray, rel: float = 0.005, abs_m: float = 0.001) -> np.ndarray:
    """Diameter of the largest circle inside each polygon (m), to *rel* of itself or *abs_m*.

    By bisection on the radius: a polygon holds a circle of radius r exactly
    when shrinking it by r (a negative buffer) leaves something.  Vectorised
    over all the polygons at once — thousands of slivers take a fraction of a
    second, where GEOS's ``maximum_inscribed_circle`` takes seconds for each
    long, thin one.  (The buffer's arcs are polygons of 8 segments a quarter
    circle, so r is found to about 0.5 %.)
    """
    geoms = np.asarray(geoms, dtype=object)
    b = shapely.bounds(geoms)
    lo = np.zeros(len(geoms))
    hi = np.nan_to_num(np.minimum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) / 2, nan=0.0)  # a circle fits its box
    todo = np.flatnonzero(hi > 0)
    for _ in range(60):
        if not len(todo):
            break
        mid = (lo[todo] + hi[todo]) / 2
        empty = shapely.is_empty(shapely.buffer(geoms[todo], -mid))
        hi[todo] = np.where(empty, mid, hi[todo])
        lo[todo] = np.where(empty, lo[todo], mid)
        todo = todo[(hi[todo] - lo[todo]) > np.maximum(abs_m / 2, rel * hi[todo])]
    return lo + hi


def _thin_apart(parts: np.ndarray, width: float, min_m2: float) -> np.ndarray:
    """Cut the strips narrower than *width* off each connected piece, as pieces of their own.

    A real patch that meets the re-digitised boundary of an unchanged edge is
    connected to its slivers; a morphological opening (shrink by width/2, grow
    back, mitred so that corners stay) keeps the patch's body, and what it
    leaves out — the thin strips — becomes pieces that the tolerance then
    sorts out as boundary noise.  The pieces add up to the parts exactly.
    (Planar m² in EPSG:4549 here: the cut only decides where pieces part.)
    """
    if width <= 0 or not len(parts):
        return parts
    opened = shapely.buffer(shapely.buffer(parts, -width / 2, join_style="mitre"), width / 2, join_style="mitre")
    body = polygons(shapely.intersection(parts, opened))
    rest = polygons(shapely.difference(parts, body))
    # cut only where the strips are worth it: a part whose strips add up to under min_m2 stays whole, so that
    # the rounding of the opening never splits a patch into a body and hair-thin slivers
    split = shapely.area(rest) >= min_m2
    pieces = shapely.get_parts(np.concatenate([parts[~split], body[split], rest[split]]))
    return pieces[~shapely.is_empty(pieces) & (shapely.area(pieces) > 0)]


def _patches(diff: _Difference, tol_m2: float, tol_width: float) -> pd.DataFrame:
    """One row per patch and county-level unit (a patch across a county line gives a row per unit)."""
    frames = []
    for change, whole in (("removed", diff.removed), ("added", diff.added)):
        parts = shapely.get_parts(np.array([whole], dtype=object))
        parts = _thin_apart(parts[~shapely.is_empty(parts)], tol_width, max(tol_m2, 1e-6))
        if not len(parts):
            continue
        area = geod_m2(parts)
        width = _width(parts)
        order = np.argsort(-area, kind="stable")
        parts, area, width = parts[order], area[order], width[order]
        rows, unit, pieces = suzhou_units().split(parts)
        frames.append(pd.DataFrame({
            "change": change, "patch": rows, "patch_id": [f"{_ID[change]}-{r + 1}" for r in rows],
            "unit": unit, "piece": list(pieces), "whole": list(parts[rows]), "patch_area": area[rows],
            "width_m": width[rows], "noise": (area[rows] < tol_m2) | (width[rows] < tol_width),
        }))
    if not frames:
        return pd.DataFrame({c: [] for c in ("change", "patch", "patch_id", "unit", "piece", "whole", "patch_area",
                                             "width_m", "noise", "area")})
    table = pd.concat(frames, ignore_index=True)
    table["_outside"] = table["unit"] < 0  # each patch's rows: its units in adcode order, outside Suzhou last
    table = table.sort_values(["change", "patch", "_outside", "unit"], key=_change_order, kind="stable")
    table = table.drop(columns="_outside").reset_index(drop=True)
    table["area"] = geod_m2(table["piece"].to_numpy(dtype=object))
    return table


def _change_order(values: pd.Series) -> pd.Series:
    """调出 before 补划; other sort keys as they are."""
    return values.map({c: i for i, c in enumerate(_CHANGES)}) if values.name == "change" else values


# --------------------------------------------------------------------------- the ledger


def _ledger(diff: _Difference, table: pd.DataFrame) -> pd.DataFrame:
    units = suzhou_units()
    regions = [*units.geoms, units.city]
    old = geod_m2(polygons(shapely.intersection(diff.old, np.array(regions, dtype=object))))
    new = geod_m2(polygons(shapely.intersection(diff.new, np.array(regions, dtype=object))))
    sums = {}
    for change in _CHANGES:
        for noise in (False, True):
            sel = table[(table["change"] == change) & (table["noise"] == noise) & (table["unit"] >= 0)]
            by = sel.groupby("unit")["area"].sum().reindex(range(len(units.names)), fill_value=0.0).to_numpy()
            sums[(change, noise)] = np.r_[by, by.sum()]
    out_, in_ = sums[("removed", False)], sums[("added", False)]
    nout, nin = sums[("removed", True)], sums[("added", True)]
    ledger = pd.DataFrame({
        "unit": [*units.names, CITY],
        "old_km2": old / 1e6, "out_km2": out_ / 1e6, "in_km2": in_ / 1e6,
        "noise_out_km2": nout / 1e6, "noise_in_km2": nin / 1e6,
        "net_km2": (in_ - out_ + nin - nout) / 1e6, "new_km2": new / 1e6,
        "not_decreased": np.round(new - old, 2) >= 0,
    })
    ledger.attrs["names_en"] = [*units.names_en, "Suzhou"]
    return ledger


# --------------------------------------------------------------------------- adjacency and shape


def _adjacency(table: pd.DataFrame, kept: Any) -> None:
    """Shared boundary with the kept redline, distance to it and compactness, per whole patch."""
    for c in ("shared_boundary_m", "distance_to_kept_m", "compactness"):
        table[c] = np.nan
    table["adjoins_kept"] = False
    if not len(table):
        return
    first = ~table.duplicated(["change", "patch"])
    real = first & ~table["noise"]
    wholes = table.loc[real, "whole"].to_numpy(dtype=object)
    if not len(wholes):
        return
    near = clip_near(kept, wholes, margin=2.0)
    edge = shapely.intersection(shapely.boundary(wholes), shapely.buffer(near, 0.001))
    shared = geod_length_m(_lines(edge))
    dist = shapely.distance(wholes, kept) if not kept.is_empty else np.full(len(wholes), np.nan)
    compact = 4 * math.pi * shapely.area(wholes) / shapely.length(wholes) ** 2
    per = pd.DataFrame({"change": table.loc[real, "change"].to_numpy(), "patch": table.loc[real, "patch"].to_numpy(),
                        "shared_boundary_m": shared, "distance_to_kept_m": np.where(shared >= ADJOIN_MIN_M, 0.0, dist),
                        "compactness": compact, "adjoins_kept": shared >= ADJOIN_MIN_M})
    merged = table[["change", "patch"]].merge(per, on=["change", "patch"], how="left")
    for c in ("shared_boundary_m", "distance_to_kept_m", "compactness"):
        table[c] = merged[c].to_numpy()
    table["adjoins_kept"] = merged["adjoins_kept"].fillna(False).astype(bool).to_numpy()


def _lines(geoms: np.ndarray) -> np.ndarray:
    """Return the line parts of each geometry as one (multi)line (points dropped)."""
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        parts = shapely.get_parts(g)
        lines = [p for p in parts if p.geom_type in ("LineString", "LinearRing") and not p.is_empty]
        out[i] = shapely.MultiLineString(lines) if lines else shapely.MultiLineString()
    return out


# --------------------------------------------------------------------------- conflicts, schemes, features


def _conflicts(table: pd.DataFrame, layer: Any, crs: Any, what: str, notes: list[str]) -> gpd.GeoDataFrame | None:
    """Measure every patch's overlap with a layer of conflicts (farmland, urban boundary); return the layer."""
    col = "farmland_m2" if what == "farmland" else "urban_m2"
    table[col] = np.nan
    if layer is None:
        return None
    lay = read(layer, crs=crs, expect="polygon", spelling={"crs": f"{what}_crs={{value}}", "override_crs": None,
                                                          "swap_xy": None})
    label = "永久基本农田 permanent farmland" if what == "farmland" else "城镇开发边界 urban development boundary"
    notes.append(f"{label}: {lay.provenance.name}（{int(lay.usable.sum())} 个面 polygons）")
    for k in np.flatnonzero(~lay.usable):
        notes.append(f"{lay.provenance.name}: 第 {lay.frame.index[k]} 行未使用 / row {lay.frame.index[k]} not used: "
                     f"{lay.issues[k]}")
    geoms = metric(lay)[lay.usable]
    table[col] = 0.0
    if not len(geoms) or not len(table):
        return lay.frame
    index = PieceIndex.build([shapely.union_all(geoms)], n_groups=1)
    pieces = table["piece"].to_numpy(dtype=object)
    r, _, area = overlap_pairs(index, shapely.STRtree(pieces), pieces, table["area"].to_numpy(dtype=float))
    values = np.zeros(len(table))
    values[r] = area
    table[col] = values
    return lay.frame


def _conflict_text(table: pd.DataFrame) -> np.ndarray:
    out = np.full(len(table), "", dtype=object)
    added = (table["change"] == "added").to_numpy()
    for col, label in (("farmland_m2", "永久基本农田 permanent farmland"),
                       ("urban_m2", "城镇开发边界 urban development boundary")):
        v = table[col].to_numpy(dtype=float)
        hit = added & (np.nan_to_num(v) > 0)
        for i in np.flatnonzero(hit):
            text = f"与{label}重叠 {v[i]:,.2f} m² / overlaps {label.split(' ', 1)[1]} by {v[i]:,.2f} m²"
            out[i] = f"{out[i]}; {text}" if out[i] else text
    return out


def _schemes(table: pd.DataFrame) -> None:
    from ..validate import prepare_layers

    table["scheme_elements"] = ""
    if not len(table):
        return
    ref = prepare_layers(redlines=False, joint_zones=False).schemes
    pieces = table["piece"].to_numpy(dtype=object)
    r, g = near_pairs(ref.index, shapely.STRtree(pieces), 0.0)
    table["scheme_elements"] = labels(len(pieces), r, g, ref.names)


def _feature_index(lay: Layer, kind: str | None) -> tuple[PieceIndex, np.ndarray]:
    def make():
        sel = np.flatnonzero(kind_mask(lay, kind))
        return (PieceIndex.build(metric(lay)[sel], n_groups=len(sel)),
                lay.frame["name"].astype(str).to_numpy(dtype=object)[sel])

    return lay.cached(("redline_use.features", kind), make)


def _features(table: pd.DataFrame, old: Layer, new: Layer, kind: str | None) -> None:
    table["features"] = ""
    for change, lay in (("removed", old), ("added", new)):
        sel = np.flatnonzero((table["change"] == change).to_numpy())
        if not len(sel):
            continue
        index, feature_names = _feature_index(lay, kind)
        pieces = table["piece"].to_numpy(dtype=object)[sel]
        r, g, a = overlap_pairs(index, shapely.STRtree(pieces), pieces, table["area"].to_numpy(dtype=float)[sel])
        keep = a >= 0.01
        values = table["features"].to_numpy(dtype=object)
        values[sel] = labels(len(sel), r[keep], g[keep], feature_names)
        table["features"] = values


# --------------------------------------------------------------------------- floors


def _floors(old: Layer, new: Layer) -> tuple[pd.DataFrame, dict]:
    rows, checks = [], {}
    for region in FLOORS:
        before, after = check_floor(region, redlines=old), check_floor(region, redlines=new)
        checks[region] = (before, after)
        rows.append({
            "region": region, "floor_km2": before.floor_km2,
            "before_km2": round(before.area_km2, 4), "after_km2": round(after.area_km2, 4),
            "margin_before_km2": round(before.margin_km2, 4), "margin_after_km2": round(after.margin_km2, 4),
            "ok_before": before.ok, "ok_after": after.ok, "source": before.source,
        })
    return pd.DataFrame(rows, columns=names(FLOOR_COLUMNS)), checks


# --------------------------------------------------------------------------- assemble


def _assemble(table: pd.DataFrame, ledger: pd.DataFrame, floors: pd.DataFrame, checks: dict, old: Layer, new: Layer,
              kind: str | None, tol_m2: float, tol_width: float, notes: list[str], farm: bool,
              urban: bool, names_: tuple[str, str]) -> RedlineComparison:
    units = suzhou_units()
    sample = illustrative(old) or illustrative(new)
    frame = _patch_frame(table, units, ("示意数据（非官方）illustrative (not official): " if sample else "")
                         + " → ".join(names_))
    noisy = frame["noise"].to_numpy(dtype=bool)
    conflicting = (frame["conflicts"] != "").to_numpy(dtype=bool)
    patches = frame[~noisy | conflicting].reset_index(drop=True)
    noise = frame[noisy].reset_index(drop=True)
    what = "全部类型 all kinds" if kind is None else f"{KINDS[kind]} {kind}"
    head = [
        *([ILLUSTRATIVE] if sample else []),
        NO_LEGALITY,
        f"比较对象 compared: {what}；原版本 old: {names_[0]}；新版本 new: {names_[1]}",
        UNITS_NOTE,
        _method(tol_m2, tol_width),
        f"边界误差 boundary noise: {len(noise)} 处 slivers，合计 {noise['area_m2'].sum():,.2f} m²"
        f"（已计入台账的误差列 / counted in the ledger's noise columns）",
    ]
    if not farm:
        head.append("未提供永久基本农田图层，补划图斑未检查与其冲突 / no permanent farmland layer given: 补划 patches "
                    "were not checked against it")
    if not urban:
        head.append("未提供城镇开发边界图层，补划图斑未检查与其冲突 / no urban development boundary given: "
                    "补划 patches were not checked against it")
    outside = frame["county"] == OUTSIDE
    if outside.any():
        n = int(outside.sum())
        head.append(f"{n} 个图斑位于苏州市域外，不计入台账 / {n} patch row(s) lie outside Suzhou's county-level units "
                    "and are not in the ledger")
    for lay, which in ((old, "原版本 old"), (new, "新版本 new")):
        head += [f"读取{which}时 while reading: {n}" for n in lay.provenance.notes]
    return RedlineComparison(
        patches=patches, noise=noise, by_unit=ledger, floors=floors, floor_checks=checks, notes=head + notes,
        illustrative=sample, old_name=names_[0], new_name=names_[1], kind=kind,
        tolerance_m2=tol_m2, tolerance_width_m=tol_width, old=_frame_of(old), new=_frame_of(new),
    )


def _method(tol_m2: float, tol_width: float) -> str:
    return (
        "方法：两个版本分别融合（重叠只计一次）；保留 = 原 ∩ 新，调出 = 原 − 新，补划 = 新 − 原，"
        "按连通部分分为图斑（窄于宽度容差的条带与图斑主体分开），跨县级行政区的图斑按县拆分；"
        f"面积小于 {tol_m2:g} m² 或最大宽度小于 {tol_width:g} m 的图斑视为边界误差（不视为调整，但计入台账）；"
        "各单位：原面积 − 调出 + 补划 − 误差（调出侧）+ 误差（补划侧）= 新面积。 / Method: each version dissolved "
        "(overlaps count once); kept = old ∩ new, removed = old − new, added = new − old, cut into connected patches "
        "(strips narrower than the width tolerance cut off the patches' bodies), split at county lines; patches "
        f"under {tol_m2:g} m² or narrower than {tol_width:g} m are boundary noise (not adjustments, but in the "
        "ledger); per unit, old − out + in − noise out + noise in = new."
    )


def _patch_frame(table: pd.DataFrame, units: Any, redline_data: str) -> gpd.GeoDataFrame:
    cols = names(PATCH_COLUMNS)
    if not len(table):
        dtypes = {"float": float, "bool": bool, "str": object}
        empty = {c.name: pd.Series([], dtype=dtypes[c.dtype]) for c in PATCH_COLUMNS}
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=CGCS2000), crs=CGCS2000)
    area = table["area"].to_numpy(dtype=float)
    data = {
        "change": table["change"].to_numpy(dtype=object),
        "patch_id": table["patch_id"].to_numpy(dtype=object),
        "county": np.array([units.name(u) for u in table["unit"]], dtype=object),
        "area_m2": np.round(area, 2), "area_ha": np.round(area / HA_M2, 4), "area_mu": np.round(area / MU_M2, 2),
        "width_m": np.round(table["width_m"].to_numpy(dtype=float), 2),
        "noise": table["noise"].to_numpy(dtype=bool),
        "features": table["features"].to_numpy(dtype=object),
        "shared_boundary_m": np.round(table["shared_boundary_m"].to_numpy(dtype=float), 1),
        "distance_to_kept_m": np.round(table["distance_to_kept_m"].to_numpy(dtype=float), 1),
        "adjoins_kept": table["adjoins_kept"].to_numpy(dtype=bool),
        "compactness": np.round(table["compactness"].to_numpy(dtype=float), 3),
        "farmland_m2": np.round(table["farmland_m2"].to_numpy(dtype=float), 2),
        "urban_m2": np.round(table["urban_m2"].to_numpy(dtype=float), 2),
        "conflicts": _conflict_text(table),
        "scheme_elements": table["scheme_elements"].to_numpy(dtype=object),
        "redline_data": redline_data,
    }
    frame = pd.DataFrame(data)[cols]
    return gpd.GeoDataFrame(frame, geometry=to_geographic(table["piece"].to_numpy(dtype=object)), crs=CGCS2000)


def _frame_of(lay: Layer) -> gpd.GeoDataFrame:
    frame = lay.frame.copy(deep=False)
    frame.attrs = {"illustrative": illustrative(lay), "data_note": lay.provenance.data_note}
    return frame
