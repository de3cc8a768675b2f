"""From a frame to the groups of features a map toggles: classes, styles, texts, geometry.

:func:`prepare` turns rows of a frame of a known kind into what the page needs
(drawn geometry as GeoJSON text, a style class per row, the tooltip and popup
texts); :func:`groups` splits them into the entries of the layer control;
:func:`emit` adds one group to the map as a :class:`~suzhou_geo.maps.safety.SafeLayer`
and lists its classes in the legend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .fields import choose_fields, display_values, encode_table, label
from .geometry import display_geometries, geojson_strings, measures
from .kinds import LayerKind
from .safety import SafeLayer
from .state import MapState
from .styles import DEFAULT_STYLE, Style, generic_style

__all__ = ["Prepared", "prepare", "kind_styles", "groups", "emit", "layer_json"]


@dataclass
class Prepared:
    """Rows of one layer ready to draw (all arrays have one entry per row)."""

    kind: LayerKind
    classes: np.ndarray  # style key per row
    styles: dict[str, Style]
    fields: list[str]  # columns whose texts travel with the layer
    tooltip: list[list[Any]]  # [[field index, label], ...]
    popup: list[list[Any]]
    texts: list[np.ndarray]  # per field: the text per row (None: nothing shown)
    geojson: np.ndarray  # GeoJSON text of the drawn geometry per row
    bounds: np.ndarray  # drawn extent (west, south, east, north)


def kind_styles(kind: LayerKind, st: MapState, name: str) -> dict[str, Style]:
    """Return the styles of a layer: its kind's, or a colour of its own for a layer of no known kind."""
    if kind.styles:
        return {**kind.styles, "_default": DEFAULT_STYLE}
    style = generic_style(st.layer_count, name)
    return {"layer": style, "_default": style}


def prepare(
    frame: gpd.GeoDataFrame,
    kind: LayerKind,
    styles: Mapping[str, Style],
    *,
    tooltip: Any = None,
    popup: Any = None,
    simplify_m: float | None = None,
    gcj: bool = False,
    precision: int = 5,
) -> Prepared:
    """Prepare the rows of *frame* (EPSG:4490, every geometry present) for drawing."""
    data = frame
    if kind.measure:
        extra = measures(frame)
        data = pd.concat([frame.drop(columns=[c for c in extra.columns if c in frame.columns]), extra], axis=1)
    tip, pop = choose_fields(kind, data, tooltip, popup)
    fields = list(dict.fromkeys(tip + pop))
    texts = [np.asarray(display_values(kind, data[c], c, styles), dtype=object) for c in fields]
    drawn = display_geometries(frame.geometry.values, simplify_m, gcj, precision)
    index = {c: i for i, c in enumerate(fields)}
    return Prepared(
        kind=kind,
        classes=np.asarray(kind.classify(frame), dtype=object),
        styles=dict(styles),
        fields=fields,
        tooltip=[[index[c], label(kind, c)] for c in tip],
        popup=[[index[c], label(kind, c)] for c in pop],
        texts=texts,
        geojson=geojson_strings(drawn),
        bounds=shapely.total_bounds(drawn) if len(drawn) else np.full(4, np.nan),  # nothing to draw: no extent
    )


def groups(kind: LayerKind, frame: pd.DataFrame, classes: np.ndarray, name: str) -> list[tuple[str, np.ndarray]]:
    """Return the layer-control entries of a layer: (label, row positions), in display order."""
    if kind.group_by is None:
        return [(name, np.arange(len(frame)))]
    if kind.group_by == "class":
        keys = [k for k in kind.styles if (classes == k).any()]
        keys += [k for k in dict.fromkeys(classes.tolist()) if k not in kind.styles]
        return [(str(kind.styles.get(k, {}).get("label", k)), np.flatnonzero(classes == k)) for k in keys]
    if kind.group_by not in frame.columns:
        return [(name, np.arange(len(frame)))]
    values = frame[kind.group_by].astype(str).to_numpy()
    return [(v, np.flatnonzero(values == v)) for v in dict.fromkeys(values.tolist())]


def layer_json(geojson: Sequence[str], cls: Sequence[int], table: Mapping[str, Any],
               radius: Sequence[float] | None = None) -> str:
    """Serialise one layer's data: ``{"geoms": [...], "cls": [...], "table": {...}[, "radius": [...]]}``."""
    import json

    parts = ['{"geoms":[', ",".join(geojson), '],"cls":', json.dumps(list(cls), separators=(",", ":")),
             ',"table":', json.dumps(table, ensure_ascii=False, separators=(",", ":"))]
    if radius is not None:
        parts += [',"radius":', json.dumps([round(float(r), 1) for r in radius], separators=(",", ":"))]
    return "".join(parts) + "}"


def _spec(prep: Prepared, keys: list[str], interactive: bool = True) -> dict[str, Any]:
    styles = {k: {kk: vv for kk, vv in prep.styles.get(k, prep.styles["_default"]).items() if kk != "label"}
              for k in keys}
    return {"classes": keys, "styles": styles, "tooltip": prep.tooltip, "popup": prep.popup,
            "interactive": interactive}


def emit(m: folium.Map, st: MapState, prep: Prepared, rows: np.ndarray, *, name: str, legend_section: str,
         show: bool, radius: Sequence[float] | None = None) -> str:
    """Add rows *rows* of *prep* to *m* as one layer; list its classes in the legend; return its JS name."""
    keys = list(dict.fromkeys(prep.classes[rows].tolist()))
    code = {k: i for i, k in enumerate(keys)}
    cls = [code[k] for k in prep.classes[rows]]
    table = encode_table([t[rows] for t in prep.texts])
    data = layer_json(prep.geojson[rows], cls, table, radius)
    el = SafeLayer(data, _spec(prep, keys), name=name, show=show)
    el.add_to(m)
    st.bytes += len(el.data_json.encode("utf-8")) + len(el.spec_json.encode("utf-8"))
    var = el.get_name()
    for k in keys:
        st.legend.add(legend_section, k, prep.styles.get(k, prep.styles["_default"]), var)
    return var
