"""Putting a map together: basemap, base layer, layers grouped by kind, control, legend, saving.

The public functions are re-exported by :mod:`suzhou_geo.maps` and :mod:`suzhou_geo`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from ..crs import ensure_crs
from ..errors import InputError, SuzhouGeoWarning, row_at
from .aggregate import AGGREGATE_ABOVE, draw_report
from .base import BASE_LABEL, BASE_SECTION, base_data, name_labels
from .basemaps import BASEMAPS, basemap_key, tile_specs
from .draw import emit, groups, kind_styles, layer_json, prepare
from .frames import coerce
from .geometry import PRECISION
from .kinds import KIND_BY_NAME, KINDS, LayerKind, detect_kind
from .offline import check_offline, inline_leaflet, make_offline, needs_cdn
from .safety import SafeLabels, SafeLayer, add_helpers, esc
from .state import MapState, state_of

__all__ = ["PlanMap", "plan_map", "layer_to_folium", "report_map", "save_map", "LARGE_LAYER_FEATURES"]

log = logging.getLogger(__name__)

#: Layers (other than reports, which are aggregated) with more features than this are warned about.
LARGE_LAYER_FEATURES = 50_000


class PlanMap(folium.Map):
    """A :class:`folium.Map` that keeps its control last and shows itself in Jupyter without a CDN."""

    def render(self, **kwargs):
        """Render the map with its control kept last."""
        st = getattr(self, "_suzhou_geo_state", None)
        if st is not None:
            st.keep_last(self)
        return super().render(**kwargs)

    def _repr_html_(self, **kwargs) -> str:
        if not needs_cdn(self):  # Leaflet inlined: the notebook renders the map with no network
            inline_leaflet(self)
        return super()._repr_html_(**kwargs)


# --------------------------------------------------------------------------- a new map


def _add_tiles(m: folium.Map, st: MapState, key: str, tk: str | None) -> None:
    for spec in tile_specs(key, tk):
        show = spec.pop("show")
        tile = folium.TileLayer(**spec, control=False, show=show).add_to(m)
        if spec["overlay"]:
            st.add_entry("底图注记 labels", spec["name"], [tile.get_name()], show)
        else:
            st.add_tile(spec["name"], tile.get_name(), show)


def add_base(m: folium.Map, st: MapState, show: bool = True) -> None:
    """Draw the bundled base layer (outlines, water, place names) on *m*, under everything else."""
    data = base_data(st.gcj)
    styles = {k: {kk: vv for kk, vv in s.items() if kk != "label"} for k, s in data.styles.items()}
    spec = {"classes": list(data.classes), "styles": styles, "tooltip": [], "popup": [], "interactive": False}
    shapes = SafeLayer(layer_json(data.geoms, data.cls, {"dicts": [], "cols": []}), spec, BASE_LABEL, show)
    shapes.add_to(m)
    st.bytes += len(shapes.data_json.encode("utf-8"))
    names = SafeLabels(list(data.labels), name="地名 place names", show=show).add_to(m)
    st.labels.append(names.get_name())
    st.add_entry(BASE_SECTION, BASE_LABEL, [shapes.get_name(), names.get_name()], show)
    for key in ("water", "river", "city", "suzhou", "neighbour"):
        st.legend.add(BASE_SECTION, key, data.styles[key], shapes.get_name())
    st.legend.tail.add(BASE_SECTION)
    st.city_bounds = data.city_bounds


def _new_map(
    basemap: Any = "osm", tk: str | None = None, *, title: str | None = None, legend: bool = True,
    collapsed: bool = True, offline: bool = False, base: bool = True, **map_kwargs: Any,
) -> PlanMap:
    key = basemap_key(basemap)
    map_kwargs.setdefault("location", [31.3, 120.6])
    map_kwargs.setdefault("zoom_start", 9)
    scale = bool(map_kwargs.pop("control_scale", True))  # drawn by the page: metric only
    m = PlanMap(tiles=None, **map_kwargs)
    st = MapState(gcj=BASEMAPS[key]["gcj"] and not offline, legend=legend, title=title, collapsed=collapsed)
    st.scale = scale
    m.add_child(st)
    m._suzhou_geo_state = st
    m._suzhou_geo_basemap = key
    add_helpers(m)
    if offline:
        make_offline(m)
    else:
        _add_tiles(m, st, key, tk)
    if title:
        m.get_root().title = esc(title)
    if base:
        add_base(m, st)
    return m


# --------------------------------------------------------------------------- one layer


def _resolve_kind(kind: str | None, frame: gpd.GeoDataFrame) -> LayerKind:
    if kind is None:
        return detect_kind(frame)
    if kind not in KIND_BY_NAME:
        raise InputError(f"unknown kind {kind!r}", source="kind",
                         hint=f"choose one of {', '.join(k.name for k in KINDS)}, or None to detect it")
    return KIND_BY_NAME[kind]


def _datum(st: MapState, gcj: bool | None) -> bool:
    if gcj is None:
        return st.gcj
    if gcj != st.gcj:
        warnings.warn(
            f"layer drawn {'shifted to GCJ-02' if gcj else 'in CGCS2000/WGS84'} on a map drawn in {st.datum}: "
            "it will be offset by about 470 m", SuzhouGeoWarning, stacklevel=3,
        )
    return gcj


def _drawable(frame: gpd.GeoDataFrame, st: MapState, what: str) -> np.ndarray:
    """Rows with a geometry to draw; the legend says how many have none, a warning which cannot be drawn."""
    from ..geometry import nonfinite_rows

    geom = np.asarray(frame.geometry.values)
    ok = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    if (~ok).any():
        n = int((~ok).sum())
        st.legend.add_note(f"{n} 个要素无几何，未绘出 {n} feature(s) of {what} have no geometry, not drawn")
    bad = ok & nonfinite_rows(geom)
    if bad.any():
        n, rows = int(bad.sum()), [row_at(frame.index, k) for k in np.flatnonzero(bad)[:5]]
        st.legend.add_note(f"{n} 个要素坐标含 NaN 或无穷值，未绘出 {n} feature(s) of {what} have NaN or infinite "
                           "coordinates, not drawn")
        more = " …" if n > 5 else ""
        warnings.warn(f"{what}: {n} 个要素坐标含 NaN 或无穷值，未绘出（{'、'.join(r.zh for r in rows)}{more}）/ {n} "
                      f"feature(s) have NaN or infinite coordinates and are not drawn "
                      f"({', '.join(r.en for r in rows)}{more})",
                      SuzhouGeoWarning, stacklevel=4)
    return ok & ~bad


def _section(kind: LayerKind, name: str | None, n_groups: int, illustrative: bool) -> str:
    section = kind.section
    if name and kind.group_by is not None and (kind.group_by == "class" or n_groups > 1):
        section = name
    return f"{section} · 示意 illustrative" if illustrative else section


def _draw(m: folium.Map, st: MapState, frame: gpd.GeoDataFrame, kind: LayerKind, *, name: str | None,
          illustrative: bool, show: bool, aggregate_above: int, opts: dict[str, Any]) -> None:
    styles = kind_styles(kind, st, name or kind.section)
    st.layer_count += 1
    st.illustrative |= illustrative
    drawable = _drawable(frame, st, name or kind.section)
    if kind.counted:  # every parcel is counted, those without geometry too
        draw_report(m, st, frame, kind, styles, section=_section(kind, name, 2, illustrative), show=show,
                    drawable=drawable, aggregate_above=aggregate_above, **opts)
        return
    frame = frame[drawable]
    if len(frame) == 0:
        return
    if len(frame) > LARGE_LAYER_FEATURES:
        warnings.warn(f"{len(frame)} features: the page will be large; consider drawing a subset",
                      SuzhouGeoWarning, stacklevel=3)
    prep = prepare(frame, kind, styles, **opts)
    entries = groups(kind, frame, prep.classes, name or (kind.entry(frame) if kind.entry else kind.section))
    section = _section(kind, name, len(entries), illustrative)
    by_entry = kind.group_by not in (None, "class")  # schemes: the legend lists each scheme's elements under its name
    for label, rows in entries:
        label = name if (name and len(entries) == 1 and kind.group_by != "class") else label
        var = emit(m, st, prep, rows, name=label, legend_section=label if by_entry else kind.section, show=show)
        st.add_entry(section, label, [var, *_element_names(m, st, kind, frame.iloc[rows], label, show, opts)], show)
    st.extend(prep.bounds)


def _element_names(m: folium.Map, st: MapState, kind: LayerKind, rows: gpd.GeoDataFrame, label: str, show: bool,
                   opts: dict[str, Any]) -> list[str]:
    """Scheme elements' names as labels, shown with their scheme and decluttered after the place names."""
    if kind.name != "scheme" or "name_zh" not in rows.columns:
        return []
    items = name_labels(rows, "name_zh", bool(opts.get("gcj")), "sg-element", priority=100 + 100 * len(st.labels))
    if not items:
        return []
    names = SafeLabels(items, name=f"{label} 名称 names", show=show).add_to(m)
    st.labels.append(names.get_name())
    return [names.get_name()]


# --------------------------------------------------------------------------- public functions


def layer_to_folium(
    layer: Any,
    m: folium.Map | None = None,
    *,
    name: str | None = None,
    kind: str | None = None,
    gcj: bool | None = None,
    crs: Any = None,
    simplify_m: float | None = None,
    precision: int = PRECISION,
    show: bool | None = None,
    tooltip: str | Sequence[str] | None = None,
    popup: str | Sequence[str] | None = None,
    basemap: str = "osm",
    tk: str | None = None,
    aggregate_above: int = AGGREGATE_ABOVE,
) -> folium.Map:
    """Draw one layer on a folium map (a new one if *m* is None) and return the map.

    Parameters
    ----------
    layer : GeoDataFrame, GeoSeries, path, or object with ``.elements`` / ``.to_frame()``
        What to draw.  Its CRS is checked (a layer without one is an error unless
        *crs* is given); a path is read with :func:`suzhou_geo.read_layer`.
    m : folium.Map, optional
        The map to draw on; a new map with *basemap* (and the base layer) when omitted.
    name : str, optional
        Name in the layer control (default: the scheme's, file's or kind's name).
    kind : str, optional
        One of the kinds in :data:`suzhou_geo.maps.kinds.KINDS` (``"scheme"``,
        ``"report"``, ``"redlines"``, ``"joint_zone"``, ``"boundaries"``, ``"water"``,
        ``"layer"``); detected from the columns when omitted.  The kind decides the
        styles, the tooltip and popup fields, and the entries of the layer control:
        one per scheme, per verdict, per redline kind.
    gcj : bool, optional
        Shift the geometry to GCJ-02 for display.  Default: as the map (shifted on a
        Gaode basemap).  A value that differs from the map's is warned about.
    crs : str, optional
        CRS to assume when the layer has none (e.g. ``"EPSG:4549"``, ``"GCJ-02"``).
    simplify_m : float, optional
        Display simplification (m, EPSG:4549).  Default: 10 m for features with more
        than 200 vertices, none for the others; 0 disables it.  The input is not modified.
    precision : int, default 5
        Decimals kept in drawn coordinates (5 ≈ 1 m).
    show : bool, optional
        On when the map opens.  Default: as the kind says (a layer of several schemes off,
        everything else on).
    tooltip, popup : column name(s), optional
        Override the columns shown on hover / click.
    basemap, tk : str, optional
        Basemap (and Tianditu key) of the new map when *m* is None.
    aggregate_above : int, default 20 000
        A report with more parcels draws only conflicts, reviews and invalid parcels one by
        one and counts the others per grid cell (see :mod:`suzhou_geo.maps.aggregate`).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> m = sg.layer_to_folium(sg.boundary("昆山市"))
    >>> m._suzhou_geo_state.layer_names
    ['行政区划与水系 boundaries and water', '行政区划 boundaries']
    """
    frame, default_name, illustrative = coerce(layer, name, crs)
    k = _resolve_kind(kind, frame)
    if m is None:
        m = _new_map("gaode" if gcj and basemap == "osm" else basemap, tk)
    st = state_of(m)
    gcj = _datum(st, gcj)
    frame = ensure_crs(frame, assume=crs, name=default_name or "layer")
    opts = {"tooltip": tooltip, "popup": popup, "simplify_m": simplify_m, "gcj": gcj, "precision": precision}
    _draw(m, st, frame, k, name=default_name, illustrative=k.may_be_sample and illustrative,
          show=k.shown(frame) if show is None else show, aggregate_above=aggregate_above, opts=opts)
    st.keep_last(m)
    return m


def plan_map(
    *layers: Any,
    basemap: str = "osm",
    tk: str | None = None,
    offline: bool = False,
    title: str | None = None,
    simplify_m: float | None = None,
    legend: bool = True,
    names: Sequence[str | None] | None = None,
    precision: int = PRECISION,
    collapsed: bool = True,
    base: bool = True,
    aggregate_above: int = AGGREGATE_ABOVE,
    **map_kwargs: Any,
) -> folium.Map:
    """Make an interactive map of planning layers: base layer, grouped layer control, legend, popups.

    Parameters
    ----------
    *layers : GeoDataFrame, GeoSeries, path, Scheme, report …
        Drawn in order (see :func:`layer_to_folium` for styling and grouping).
    basemap : str, default "osm"
        ``"osm"`` or ``"cartodb"`` (both offered), ``"gaode"``/``"amap"`` or
        ``"gaode-satellite"`` (GCJ-02 tiles: every layer is shifted to GCJ-02 for
        display), ``"tianditu"``/``"tianditu-img"`` (needs *tk*), ``"none"``
        (see :data:`suzhou_geo.maps.basemaps.BASEMAPS`).
    tk : str, optional
        Tianditu key (required for the Tianditu basemaps; it ends up in the HTML).
    offline : bool, default False
        A map that needs no network: no tile layers (whatever *basemap* says; the
        layers are then drawn in CGCS2000), Leaflet inlined from ``XStatic-Leaflet``.
        The base layer gives the context.
    title : str, optional
        Shown on the legend's bar and as the page title.
    simplify_m : float, optional
        Display simplification tolerance (m); see :func:`layer_to_folium`.
    legend : bool, default True
        Show the legend (datum, notes, the classes of the layers shown).
    names : sequence of str, optional
        Layer names, one per layer (None keeps the default).
    precision : int, default 5
        Decimals kept in drawn coordinates.
    collapsed : bool, default True
        Whether the layer control starts collapsed (it opens on hover or tap).
    base : bool, default True
        Draw the bundled base layer: outlines and names of 苏州市, its county-level
        units and the neighbours, and the water (see :mod:`suzhou_geo.maps.base`).
    aggregate_above : int, default 20 000
        Reports with more parcels are drawn partly as grid counts (see :func:`layer_to_folium`).
    **map_kwargs
        Passed to :class:`folium.Map` (``width``, ``height``, ``zoom_start`` …).

    Returns
    -------
    folium.Map
        Fitted to the layers' extent (苏州市 when there are none).  In Jupyter it shows
        itself with Leaflet inlined, so it renders with no network.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> m = sg.plan_map(sg.jurisdictions(suzhou_only=True, geometry=True), basemap="cartodb")
    >>> "CGCS2000/WGS84" in m.get_root().render()
    True
    """
    if names is not None and len(names) != len(layers):
        raise InputError(f"names has {len(names)} entries for {len(layers)} layers", source="names")
    m = _new_map(basemap, tk, title=title, legend=legend, collapsed=collapsed, offline=offline, base=base,
                 **map_kwargs)
    for i, layer in enumerate(layers):
        layer_to_folium(layer, m, name=names[i] if names else None, simplify_m=simplify_m, precision=precision,
                        aggregate_above=aggregate_above)
    st = m._suzhou_geo_state
    if st._bounds is None and st.city_bounds is not None:
        st.extend(st.city_bounds)
    return m


def report_map(report: Any, *context: Any, boundaries: bool = True, engine: str = "folium", **kwargs: Any) -> Any:
    """Map of a parcel compliance report, with context layers under it.

    Parameters
    ----------
    report : GeoDataFrame
        Output of ``validate_parcels`` (a ``verdict`` column is required).
    *context : layers
        Drawn before the report (redlines, joint zones, a scheme …).
    boundaries : bool, default True
        Draw the base layer (jurisdictions with their names, and the water).
    engine : {"folium", "lonboard"}, default "folium"
        ``"lonboard"`` returns a deck.gl viewer for hundreds of thousands of parcels in
        Jupyter (see :func:`suzhou_geo.maps.explore`; needs ``suzhou_geo[viewer]``).
    **kwargs
        Passed to :func:`plan_map` (or :func:`~suzhou_geo.maps.explore`).

    Returns
    -------
    folium.Map or lonboard.Map

    Examples
    --------
    >>> import geopandas as gpd, suzhou_geo as sg
    >>> from shapely.geometry import box
    >>> r = gpd.GeoDataFrame({"verdict": ["pass"], "reasons": ["-"]},
    ...                      geometry=[box(120.95, 31.38, 120.96, 31.39)], crs="EPSG:4490")
    >>> sg.report_map(r)._suzhou_geo_state.layer_names[-1]
    '通过 pass'
    """
    frame, _, _ = coerce(report, None)
    if "verdict" not in frame.columns:
        raise InputError("a parcel report needs a 'verdict' column (from validate_parcels)", source="report")
    if engine == "lonboard":
        from .viewer import explore

        return explore(frame, *context, base=boundaries, **kwargs)
    if engine != "folium":
        raise InputError(f"unknown engine {engine!r}", source="engine", hint="choose 'folium' or 'lonboard'")
    kwargs.setdefault("title", "地块合规 parcel compliance")
    names = kwargs.pop("names", None)
    if names is not None:
        names = list(names)[: len(context)] + [None] * (len(context) + 1 - len(names))
    return plan_map(*context, frame, names=names, base=boundaries, **kwargs)


def save_map(m: folium.Map, path: str | Path, offline: bool | None = None) -> Path:
    """Write *m* as one HTML file (UTF-8).

    Parameters
    ----------
    m : folium.Map
        The map (from :func:`plan_map`, :func:`layer_to_folium` or plain folium).
    path : str or Path
        Output file.
    offline : bool, optional
        A file that needs no network: Leaflet (JS, CSS and its images) inlined from the
        ``XStatic-Leaflet`` package, jQuery/Bootstrap/awesome-markers/Font Awesome left
        out, every tile layer removed, and a check that nothing in the page would still
        fetch anything.  Default: as the map was made (``plan_map(offline=…)``).  Saving
        offline turns the map itself offline.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    OutputError
        When *offline* and the map holds an element that needs a remote asset.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> m = sg.plan_map(sg.boundary("Kunshan"))
    >>> p = sg.save_map(m, "kunshan.html", offline=True)
    >>> p.stat().st_size < 1_500_000
    True
    """
    st = getattr(m, "_suzhou_geo_state", None)
    if offline is None:
        offline = bool(st is not None and st.offline)
    if offline:
        make_offline(m)
    page = m.get_root().render()
    if offline:
        check_offline(page)
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    log.info("map written: %s (%d bytes)", path, path.stat().st_size)
    return path
