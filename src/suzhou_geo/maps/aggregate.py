"""Reports of any size: the parcels that matter drawn one by one, the rest as counts per grid cell.

A browser opens a ``map.html`` of a few MB at once, and one of 70 MB hardly at all
(folium grows by ~0.8 KB per parcel).  So a report is drawn parcel by parcel only
while it is small: above :data:`AGGREGATE_ABOVE` parcels, or when its parcels would
take more than :data:`INDIVIDUAL_BYTES` of page, conflicts, reviews and invalid
parcels are drawn one by one, most severe first, as far as that budget goes, and
every other parcel is counted per square cell of a grid (EPSG:4549, 1–100 km, at
most :data:`MAX_CELLS` cells) and drawn as a circle whose area is proportional to
its count.  Nothing is dropped: each control entry gives the verdict's full count
and the legend says which parcels are counted rather than drawn.

Examples
--------
>>> cell_size(np.array([0.0, 0.0, 120_000.0, 110_000.0]))
2000
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .draw import Prepared, emit, prepare
from .geometry import display_geometries, display_metric, from_display_metric, geojson_strings
from .kinds import LayerKind
from .state import MapState
from .styles import Style

__all__ = ["AGGREGATE_ABOVE", "INDIVIDUAL_BYTES", "MAX_CELLS", "within_budget", "cell_size", "grid_counts",
           "draw_report"]

#: Reports with more parcels than this draw only conflicts, reviews and invalid parcels one by one.
AGGREGATE_ABOVE = 20_000
#: Page bytes at most spent on parcels drawn one by one.
INDIVIDUAL_BYTES = 12_000_000
#: The whole page stays under this (1 MB under 15 MB for the error of the estimate).
PAGE_BYTES = 14_000_000
#: Page bytes of one grid-count circle (point, radius, class and the codes of its texts), at most.
CIRCLE_BYTES = 90
#: Verdicts drawn one by one in a large report, in this order while the budget lasts.
INDIVIDUAL_VERDICTS = ("conflict", "review", "invalid")
#: Most cells of the count grid.
MAX_CELLS = 6000
_CELL_SIZES_M = (1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)
_RANK = {v: i for i, v in enumerate(("conflict", "review", "invalid", "notice", "pass"))}


def _text_costs(texts: list[np.ndarray], order: np.ndarray) -> np.ndarray:
    """Bytes each row adds to a dictionary-encoded table, rows taken in *order*."""
    cost = np.zeros(len(order), dtype=np.int64)
    for values in texts:
        codes, uniques = pd.factorize(pd.Series(values[order], dtype=object), use_na_sentinel=True)
        valid = codes >= 0
        cost += np.floor(np.log10(np.maximum(codes + 1, 1))).astype(np.int64) + 2  # the code (0: empty), a comma
        if valid.any():  # each distinct text is written once, where it first occurs
            first_codes, first = np.unique(codes[valid], return_index=True)
            sizes = np.array([len(str(u).encode("utf-8")) + 3 for u in uniques], dtype=np.int64)
            cost[np.flatnonzero(valid)[first]] += sizes[first_codes]
    return cost


def within_budget(prep: Prepared, max_bytes: int) -> np.ndarray:
    """Return the rows of *prep* to draw one by one: most severe first, within *max_bytes* of page.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> p = SimpleNamespace(classes=np.array(["pass", "conflict", "review"], dtype=object),
    ...                     geojson=np.array(["x" * 100] * 3, dtype=object), texts=[])
    >>> within_budget(p, 250).tolist()
    [1, 2]
    """
    n = len(prep.classes)
    rank = np.array([_RANK.get(c, len(_RANK)) for c in prep.classes], dtype=np.int64)
    order = np.lexsort((np.arange(n), rank))
    geo = np.fromiter((len(g) + 4 for g in prep.geojson[order]), dtype=np.int64, count=n)
    cost = geo + _text_costs(prep.texts, order)
    keep = order[np.cumsum(cost) <= max_bytes]
    return np.sort(keep)


def cell_size(bounds_m: np.ndarray, max_cells: int = MAX_CELLS) -> int:
    """Return the side (m) of the grid's cells: the smallest of 1, 2, 5, 10 … 100 km giving ≤ *max_cells*."""
    w = max(float(bounds_m[2] - bounds_m[0]), 1.0)
    h = max(float(bounds_m[3] - bounds_m[1]), 1.0)
    for size in _CELL_SIZES_M:
        if (np.floor(w / size) + 1) * (np.floor(h / size) + 1) <= max_cells:
            return size
    return _CELL_SIZES_M[-1]


def grid_counts(geoms: np.ndarray, classes: np.ndarray, cell: int | None = None) -> tuple[pd.DataFrame, int]:
    """Count features per grid cell (EPSG:4549) and class; return (counts, cell size in m).

    The counts have columns ``x``, ``y`` (cell centre, m), ``cls`` and ``count``; a
    feature is counted in the cell holding a point on its surface.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = np.array([box(120.60, 31.30, 120.601, 31.301), box(120.6005, 31.3005, 120.6015, 31.3015)])
    >>> counts, size = grid_counts(g, np.array(["pass", "pass"], dtype=object))
    >>> int(counts["count"].sum()), size
    (2, 1000)
    """
    pts = shapely.get_coordinates(display_metric(shapely.point_on_surface(np.asarray(geoms, dtype=object))))
    size = cell or cell_size(np.array([*pts.min(axis=0), *pts.max(axis=0)]))
    ix, iy = np.floor(pts[:, 0] / size).astype(np.int64), np.floor(pts[:, 1] / size).astype(np.int64)
    frame = pd.DataFrame({"ix": ix, "iy": iy, "cls": classes})
    counts = frame.groupby(["ix", "iy", "cls"], sort=False).size().rename("count").reset_index()
    counts["x"] = (counts["ix"] + 0.5) * size
    counts["y"] = (counts["iy"] + 0.5) * size
    return counts[["x", "y", "cls", "count"]], size


def _count_layer(counts: pd.DataFrame, size: int, styles: dict[str, Style], kind: LayerKind,
                 gcj: bool) -> tuple[Prepared, np.ndarray]:
    """Return the counts as a layer of circles (area ∝ count), with a tooltip of verdict, count and cell."""
    centres = from_display_metric(shapely.points(counts[["x", "y"]].to_numpy()))
    drawn = display_geometries(centres, 0, gcj)
    top = max(int(counts["count"].max()), 1)
    radius = np.maximum(size / 2 * np.sqrt(counts["count"].to_numpy() / top), size * 0.12)
    classes = counts["cls"].to_numpy(dtype=object)
    km = f"{size / 1000:g} km"
    texts = [np.array([str(styles.get(c, {}).get("label", c)) for c in classes], dtype=object),
             np.array([f"{n:,}" for n in counts["count"]], dtype=object),
             np.full(len(counts), f"{km} × {km}", dtype=object)]
    fields = [[0, "判定 verdict"], [1, "地块数 parcels"], [2, "网格 cell"]]
    dots = {k: {**v, "color": "#ffffff", "weight": 0.6, "marker": "circle", "label": f"{v['label']} · 计数 counts"}
            for k, v in styles.items()}
    prep = Prepared(kind=kind, classes=classes, styles=dots, fields=["verdict", "count", "cell"],
                    tooltip=fields, popup=fields, texts=texts, geojson=geojson_strings(drawn),
                    bounds=shapely.total_bounds(drawn))
    return prep, radius


def _note(n: int, size: int) -> str:
    km = f"{size / 1000:g} km"
    return f"{n:,} 个地块按 {km} 网格计数 {n:,} parcels as counts per {km} cell (圆面积∝数量 area ∝ count)"


def _candidates(frame: gpd.GeoDataFrame, classes: np.ndarray, drawable: np.ndarray, large: bool,
                max_bytes: int) -> np.ndarray:
    """Rows that may be drawn one by one: the wanted verdicts, as many as could fit *max_bytes*.

    A parcel's GeoJSON takes at least 12 bytes per vertex, so rows beyond the point where
    that alone exceeds the budget cannot be drawn and are not prepared (a report of a
    million parcels prepares a few tens of thousands).
    """
    wanted = np.isin(classes, INDIVIDUAL_VERDICTS) if large else np.ones(len(frame), bool)
    rows = np.flatnonzero(wanted & drawable)
    rank = np.array([_RANK.get(c, len(_RANK)) for c in classes[rows]], dtype=np.int64)
    rows = rows[np.lexsort((rows, rank))]
    least = 12 * shapely.get_num_coordinates(np.asarray(frame.geometry.values)[rows]) + 30
    return np.sort(rows[np.cumsum(least) <= max_bytes])


def _draw_counts(m: folium.Map, st: MapState, frame: gpd.GeoDataFrame, rows: np.ndarray, classes: np.ndarray,
                 kind: LayerKind, styles: dict[str, Style], show: bool, gcj: bool) -> dict[str, list[str]]:
    """Grid counts of *rows*, one layer per verdict (severe on top); return verdict -> JS names."""
    counts, size = grid_counts(frame.geometry.values[rows], classes[rows])
    cprep, radius = _count_layer(counts, size, styles, kind, gcj)
    layers: dict[str, list[str]] = {}
    for v in reversed(_order(cprep.classes, styles)):
        sel = np.flatnonzero(cprep.classes == v)
        var = emit(m, st, cprep, sel, name=f"{v} counts", legend_section=kind.section, show=show, radius=radius[sel])
        layers.setdefault(v, []).append(var)
    st.legend.add_note(_note(len(rows), size))
    st.extend(cprep.bounds)
    return layers


def draw_report(m: folium.Map, st: MapState, frame: gpd.GeoDataFrame, kind: LayerKind, styles: dict[str, Style],
                *, section: str, show: bool, drawable: np.ndarray | None = None,
                aggregate_above: int = AGGREGATE_ABOVE, max_bytes: int | None = None, **opts: Any) -> None:
    """Draw a parcel report: one control entry per verdict (its parcels and its grid counts together).

    *drawable* marks the rows with a geometry; the others are counted in their verdict's entry.
    """
    classes = np.asarray(kind.classify(frame), dtype=object)
    drawable = np.ones(len(frame), bool) if drawable is None else np.asarray(drawable, bool)
    if max_bytes is None:  # what the page has left after the layers drawn before it and the grid counts
        circles = len(grid_counts(frame.geometry.values[drawable], classes[drawable])[0]) if drawable.any() else 0
        max_bytes = max(0, min(INDIVIDUAL_BYTES, PAGE_BYTES - st.bytes - CIRCLE_BYTES * circles))
    candidates = _candidates(frame, classes, drawable, int(drawable.sum()) > aggregate_above, max_bytes)
    prep = prepare(frame.iloc[candidates], kind, styles, **opts)
    local = within_budget(prep, max_bytes)
    counted = np.setdiff1d(np.flatnonzero(drawable), candidates[local])
    layers = _draw_counts(m, st, frame, counted, classes, kind, styles, show, opts.get("gcj", False)) \
        if len(counted) else {}
    for v in reversed(_order(prep.classes[local], styles)):
        rows = local[prep.classes[local] == v]
        layers.setdefault(v, []).append(emit(m, st, prep, rows, name=v, legend_section=kind.section, show=show))
    if len(candidates):
        st.extend(prep.bounds)
    st.legend.reorder(kind.section, list(styles))
    for v in _order(classes, styles):
        total = int((classes == v).sum())
        grid = " · 网格 grid" if np.isin(counted, np.flatnonzero(classes == v)).any() else ""
        st.add_entry(section, str(styles.get(v, {}).get("label", v)), layers.get(v, []), show, f"{total:,}{grid}")


def _order(classes: np.ndarray, styles: dict[str, Style]) -> list[str]:
    """Return the classes present, in the order of their styles (most severe verdict first)."""
    present = list(dict.fromkeys(np.asarray(classes).tolist()))
    return [v for v in styles if v in present] + [v for v in present if v not in styles]
