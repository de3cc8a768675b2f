"""Static pictures for printed pages: an overview map and the floor chart, as inline SVG.

Inline SVG needs no network, no JavaScript and no image files; its Chinese
text is drawn with the reader's own fonts, and it prints sharp at any size.
Geometries are projected to EPSG:4549 (metres, Gauss-Krüger CM 120°E) and
drawn in kilometres, so the map keeps true proportions.

Examples
--------
>>> import suzhou_geo as sg
>>> svg = floor_chart([sg.check_floor("昆山市")])
>>> svg.startswith("<svg") and "47.7531" in svg
True
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ..crs import CGCS2000_GK_CM120, transformer
from ..palette import LAYERS, VERDICTS

__all__ = ["overview_map", "floor_chart", "detail_map", "hatch_defs", "VERDICT_COLOURS", "LAYER_COLOURS"]

#: Colours of the parcel verdicts: the fills of :data:`suzhou_geo.palette.VERDICTS`, as on the interactive map.
VERDICT_COLOURS = {v: c["fill"] for v, c in VERDICTS.items()}

#: Colours of the reference layers, hatched as on the interactive map (:data:`suzhou_geo.palette.LAYERS`).
LAYER_COLOURS = {k: str(c["stroke"]) for k, c in LAYERS.items()}

#: Above this many parcels the overview map draws one dot per verdict and square kilometre.
MAX_DOTS = 5_000

_FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif"


class _Frame:
    """Metres in EPSG:4549 → SVG units (km from the top-left corner)."""

    def __init__(self, bounds: Sequence[float], pad_m: float = 2_000.0) -> None:
        minx, miny, maxx, maxy = bounds
        self.minx, self.maxy = minx - pad_m, maxy + pad_m
        self.width = (maxx - minx + 2 * pad_m) / 1000
        self.height = (maxy - miny + 2 * pad_m) / 1000

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.minx) / 1000, (self.maxy - y) / 1000

    def path(self, geom: Any) -> str:
        """Return the SVG path data of a (multi)polygon, rings closed, coordinates to 10 m."""
        parts = []
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            for ring in (poly.exterior, *poly.interiors):
                xy = np.asarray(ring.coords)
                if len(xy) < 4:
                    continue
                px = (xy[:, 0] - self.minx) / 1000
                py = (self.maxy - xy[:, 1]) / 1000
                pts = " ".join(f"{a:.2f},{b:.2f}" for a, b in zip(px, py, strict=True))
                parts.append(f"M{pts}Z")
        return "".join(parts)


def _metric(gdf: gpd.GeoDataFrame | gpd.GeoSeries, simplify_m: float) -> np.ndarray:
    geo = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    g = np.asarray(geo.to_crs(CGCS2000_GK_CM120).values, dtype=object)
    # a sliver converted back and forth may cross itself by a nanometre: drawn repaired, never refused
    g = np.where(shapely.is_valid(g) | shapely.is_missing(g), g, shapely.make_valid(g))
    return shapely.simplify(g, simplify_m, preserve_topology=True) if simplify_m else g


def _paths(frame: _Frame, geoms: Iterable[Any], style: str) -> str:
    out = []
    for g in geoms:
        if g is None or g.is_empty:
            continue
        d = frame.path(g)
        if d:
            out.append(f"<path d='{d}' {style}/>")
    return "".join(out)


def overview_map(
    units: gpd.GeoDataFrame,
    *,
    redlines: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    report: gpd.GeoDataFrame | None = None,
    simplify_m: float = 150.0,
    title: str | None = None,
) -> str:
    """Draw an overview map: unit outlines and names, redlines, joint-control zones, parcels by verdict.

    Parameters
    ----------
    units : GeoDataFrame
        The county-level units to outline (``name_zh`` labels them); they set the extent.
    redlines : GeoDataFrame, optional
        Redlines with a ``kind`` column (protection redline darker, space control lighter).
    zones : GeoDataFrame, optional
        Joint-control zones.
    report : GeoDataFrame, optional
        Parcels with a ``verdict`` column, drawn as dots (too small at this scale
        to show their shape), the most severe on top; above :data:`MAX_DOTS`
        parcels, one dot per verdict and square kilometre.
    simplify_m : float, default 150
        Simplification tolerance of the outlines (m); the parcels are not simplified.
    title : str, optional
        Accessible title of the picture.

    Returns
    -------
    str
        An ``<svg>`` element with a ``viewBox`` in kilometres and ``width:100%``.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> svg = overview_map(sg.jurisdictions(suzhou_only=True, geometry=True).query("level == 'county'"))
    >>> svg.count("<path") >= 9 and "昆山市" in svg
    True
    """
    ug = _metric(units, simplify_m)
    frame = _Frame(shapely.total_bounds(ug))
    body = [
        hatch_defs(),
        f"<rect x='0' y='0' width='{frame.width:.2f}' height='{frame.height:.2f}' fill='#eef3f7'/>",
    ]
    body.append(_paths(frame, ug, "fill='#ffffff' stroke='none'"))
    if redlines is not None and len(redlines):
        kinds = (
            redlines["kind"].astype(str).to_numpy()
            if "kind" in redlines
            else np.full(len(redlines), "")
        )
        rg = _metric(redlines, min(simplify_m, 60.0))
        for kind in ("ecological_space_control", "ecological_protection_redline"):
            body.append(_paths(frame, rg[kinds == kind], _hatched(kind)))
    if zones is not None and len(zones):
        body.append(_paths(frame, _metric(zones, 30.0), _hatched("joint_zone")))
    body.append(
        _paths(frame, ug, "fill='none' stroke='#555' stroke-width='0.35' stroke-linejoin='round'")
    )
    if report is not None and len(report):
        body.append(_parcel_dots(frame, report))
    body.append(_labels(frame, units, ug))
    body.append(_scale_bar(frame))
    label = f"<title>{html.escape(title)}</title>" if title else ""
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {frame.width:.2f} {frame.height:.2f}' "
        f"style='width:100%;height:auto' role='img' font-family=\"{_FONT}\">{label}{''.join(body)}</svg>"
    )


def hatch_defs() -> str:
    """Return the SVG ``<defs>`` of the hatch patterns of the reference layers (ids ``sg-hatch-<kind>``).

    Stripes in the layer's colour at the palette's angle, as the interactive
    map draws them, so that a redline looks the same on paper and on screen.

    Examples
    --------
    >>> "sg-hatch-ecological_protection_redline" in hatch_defs()
    True
    """
    patterns = "".join(
        f"<pattern id='sg-hatch-{kind}' patternUnits='userSpaceOnUse' width='1.6' height='1.6' "
        f"patternTransform='rotate({-float(style['hatch']):g})'>"
        f"<rect x='0' y='0' width='1.6' height='0.55' fill='{style['stroke']}'/></pattern>"
        for kind, style in LAYERS.items()
    )
    return f"<defs>{patterns}</defs>"


def _hatched(kind: str) -> str:
    style = LAYERS[kind]
    dash = f" stroke-dasharray='{style['dash']}'" if style["dash"] else ""
    return f"fill='url(#sg-hatch-{kind})' stroke='{style['stroke']}' stroke-width='0.25'{dash}"


def _parcel_dots(frame: _Frame, report: gpd.GeoDataFrame) -> str:
    geo = report.geometry
    usable = ~geo.isna().to_numpy() & ~geo.is_empty.to_numpy()
    xy = np.full((len(report), 2), np.nan)
    if usable.any():
        pts = shapely.point_on_surface(
            np.asarray(geo.to_crs(CGCS2000_GK_CM120).values, dtype=object)[usable]
        )
        xy[usable, 0] = (shapely.get_x(pts) - frame.minx) / 1000
        xy[usable, 1] = (frame.maxy - shapely.get_y(pts)) / 1000
    if (
        usable.sum() > MAX_DOTS
    ):  # one dot per verdict and square kilometre: the same picture, a bounded file
        xy = np.floor(xy) + 0.5
    verdicts = report["verdict"].astype(str).to_numpy()
    out = []
    for v in (
        "pass",
        "invalid",
        "notice",
        "review",
        "conflict",
    ):  # the most severe drawn last, on top
        sel = xy[(verdicts == v) & usable]
        if not len(sel):
            continue
        sel = np.unique(sel, axis=0) if usable.sum() > MAX_DOTS else sel
        dots = "".join(f"<circle cx='{x:.2f}' cy='{y:.2f}' r='0.9'/>" for x, y in sel)
        out.append(f"<g fill='{VERDICT_COLOURS[v]}' stroke='#fff' stroke-width='0.2'>{dots}</g>")
    return "".join(out)


def _labels(frame: _Frame, units: gpd.GeoDataFrame, geoms: np.ndarray, size: float = 4.2) -> str:
    """Place unit names inside each unit's largest part, moved down or up where two would overlap."""
    out: list[str] = []
    placed: list[tuple[float, float, float, float]] = []
    names = units["name_zh"].astype(str).tolist() if "name_zh" in units else [""] * len(units)
    for name, g in zip(names, geoms, strict=True):
        if not name or g is None or g.is_empty:
            continue
        largest = max(getattr(g, "geoms", [g]), key=lambda p: p.area)
        p = largest.representative_point()
        x, y = frame.xy(p.x, p.y)
        half = len(name) * size / 2
        for dy in (0.0, size * 1.2, -size * 1.2, size * 2.4, -size * 2.4):
            box = (x - half, y + dy - size, x + half, y + dy)
            if not any(_overlap(box, b) for b in placed):
                break
        placed.append(box)
        out.append(f"<text x='{x:.1f}' y='{box[3]:.1f}'>{html.escape(name)}</text>")
    return (
        f"<g font-size='{size}' fill='#222' text-anchor='middle' stroke='#fff' stroke-width='0.9' "
        f"paint-order='stroke' stroke-linejoin='round'>{''.join(out)}</g>"
    )


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _scale_bar(frame: _Frame) -> str:
    x, y = 4.0, frame.height - 4.0
    return (
        f"<g font-size='3.2' fill='#222'><rect x='{x}' y='{y - 1.2:.2f}' width='20' height='1.2' fill='#222'/>"
        f"<rect x='{x + 10}' y='{y - 1.2:.2f}' width='10' height='1.2' fill='#fff' stroke='#222' stroke-width='0.2'/>"
        f"<text x='{x}' y='{y - 2.2:.2f}'>0</text>"
        f"<text x='{x + 20}' y='{y - 2.2:.2f}' text-anchor='middle'>20 km</text>"
        f"<text x='{frame.width - 6:.2f}' y='8' font-size='4' text-anchor='middle'>北 N</text>"
        f"<path d='M{frame.width - 6:.2f},9.5 l-1.8,5 l1.8,-1.2 l1.8,1.2 Z' fill='#222'/></g>"
    )


_CHART_W, _ROW_H = 150.0, 24.0


def _floor_row(f: Any, y: float) -> str:
    """One region: its name and result, the area bar, the floor marker, both values."""
    scale = (_CHART_W - 1) / (max(f.area_km2, f.floor_km2) * 1.1 or 1.0)
    bar, mark = f.area_km2 * scale, f.floor_km2 * scale
    colour = "#2e7d32" if f.ok else "#c62828"
    area = f"{f.area_km2:,.2f} km²"
    inside = bar > 40
    area_text = (
        f"<text x='{bar - 1.5:.2f}' y='{y + 12.6:.1f}' fill='#fff' text-anchor='end'>{area}</text>"
        if inside
        else f"<text x='{bar + 1.5:.2f}' y='{y + 12.6:.1f}'>{area}</text>"
    )
    right = mark > 60
    floor_text = (
        f"<text x='{mark:.2f}' y='{y + 20:.1f}' text-anchor='{'end' if right else 'start'}'>"
        f"底线 floor ≥ {f.floor_km2:,.4f} km²</text>"
    )
    return (
        f"<text x='0' y='{y + 5:.1f}' font-size='5' font-weight='bold'>{html.escape(f.region)}"
        f"<tspan dx='3' font-size='4.2' fill='{colour}'>{html.escape(f.result)}</tspan></text>"
        f"<rect x='0' y='{y + 7.5:.1f}' width='{bar:.2f}' height='7' fill='{colour}'/>"
        f"<line x1='{mark:.2f}' y1='{y + 6:.1f}' x2='{mark:.2f}' y2='{y + 16.5:.1f}' stroke='#111' "
        f"stroke-width='0.8' stroke-dasharray='1.4,0.8'/>"
        f"<g font-size='4'>{area_text}{floor_text}</g>"
    )


def floor_chart(floors: Sequence[Any]) -> str:
    """Draw each floor check as a bar (the redline area) against a marker (the floor).

    Each region has its own scale (1950 km² and 47.7531 km² do not share one);
    the bar is green when the area meets the floor and red when it falls short.

    Parameters
    ----------
    floors : sequence of FloorCheck

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    rows = [_floor_row(f, i * _ROW_H) for i, f in enumerate(floors)]
    height = _ROW_H * len(floors) + 7
    legend = (
        f"<g transform='translate(0,{height - 5:.1f})' font-size='4'>"
        "<rect x='0' y='0' width='6' height='3.5' fill='#777'/><text x='8' y='3.2'>红线面积 redline area</text>"
        "<line x1='62' y1='-0.5' x2='62' y2='4' stroke='#111' stroke-width='0.8' stroke-dasharray='1.4,0.8'/>"
        "<text x='65' y='3.2'>底线 floor</text></g>"
    )
    rows.append(legend)
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {_CHART_W:g} {height:.1f}' "
        f"style='width:100%;height:auto' role='img' font-family=\"{_FONT}\" fill='#222'>"
        f"<title>生态保护红线面积与底线 redline area against the floor</title>{''.join(rows)}</svg>"
    )


def _nice_km(span_km: float) -> float:
    """Return a round scale-bar length of about a sixth of *span_km*."""
    for km in (0.2, 0.5, 1, 2, 5, 10, 20, 50):
        if km >= span_km / 6:
            return km
    return 50.0


def _scale_bar_km(frame: _Frame) -> str:
    km = _nice_km(frame.width)
    x, y, h = frame.width * 0.03, frame.height * 0.96, frame.width * 0.008
    size = frame.width * 0.022
    label = f"{km:g} km"
    return (
        f"<g font-size='{size:.2f}' fill='#222'><rect x='{x:.2f}' y='{y - h:.2f}' width='{km:.2f}' height='{h:.2f}' "
        f"fill='#222'/><rect x='{x + km / 2:.2f}' y='{y - h:.2f}' width='{km / 2:.2f}' height='{h:.2f}' fill='#fff' "
        f"stroke='#222' stroke-width='{h / 6:.3f}'/><text x='{x:.2f}' y='{y - 1.8 * h:.2f}'>0</text>"
        f"<text x='{x + km:.2f}' y='{y - 1.8 * h:.2f}' text-anchor='middle'>{label}</text></g>"
    )


def detail_map(
    units: gpd.GeoDataFrame,
    layers: Sequence[tuple[Any, str]],
    *,
    bounds: Sequence[float] | None = None,
    markers: Sequence[tuple[float, float, str, str]] = (),
    pad_m: float = 1_500.0,
    title: str | None = None,
) -> str:
    """Draw a map of a district-sized extent: unit outlines and names, layers of shapes, numbered markers.

    For pictures of what a project occupies or what an adjustment changes,
    where the shapes are hectares, not kilometres: the extent is that of
    *bounds* (or of the layers), and each marker is a ring around a place with
    a label, so that a patch too small to see at the scale is still found.

    Parameters
    ----------
    units : GeoDataFrame
        County-level units (``name_zh``) outlined and named where they fall in the extent.
    layers : sequence of (GeoDataFrame or GeoSeries, style)
        Drawn in order; *style* is the SVG attributes of each path
        (``"fill='#cb181d' stroke='none'"``).  Geometries in any CRS.
    bounds : (minx, miny, maxx, maxy), optional
        The extent in EPSG:4549 metres; default: the layers' extent.
    markers : sequence of (lon, lat, colour, label)
        Rings around places (CGCS2000), with their labels.
    pad_m : float, default 1500
        Margin around the extent (m).
    title : str, optional
        Accessible title of the picture.

    Returns
    -------
    str
        An ``<svg>`` element with a ``viewBox`` in kilometres and ``width:100%``.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> units = sg.jurisdictions(suzhou_only=True, geometry=True).query("level == 'county'")
    >>> svg = detail_map(units, [(sg.boundary("昆山市"), "fill='none' stroke='#000'")],
    ...                  markers=[(120.98, 31.38, "#c00", "A-1")])
    >>> svg.startswith("<svg") and "A-1" in svg and "昆山市" in svg
    True
    """
    drawn = [(_metric(g, 0.0), style) for g, style in layers if g is not None and len(g)]
    if bounds is None:
        present = [g for g, _ in drawn if len(g)]
        bounds = shapely.total_bounds(np.concatenate(present)) if present else shapely.total_bounds(_metric(units, 0))
    frame = _Frame(bounds, pad_m=pad_m)
    view = shapely.box(frame.minx, frame.maxy - frame.height * 1000, frame.minx + frame.width * 1000, frame.maxy)
    ug = shapely.intersection(_metric(units, 20.0), view)
    body = [f"<rect x='0' y='0' width='{frame.width:.3f}' height='{frame.height:.3f}' fill='#eef3f7'/>",
            _paths(frame, ug, "fill='#ffffff' stroke='none'")]
    for geoms, style in drawn:
        body.append(_paths(frame, shapely.intersection(geoms, view), style))
    stroke = frame.width * 0.0025
    body.append(_paths(frame, ug, f"fill='none' stroke='#555' stroke-width='{stroke:.3f}' stroke-dasharray='"
                                  f"{stroke * 6:.3f},{stroke * 3:.3f}'"))
    body.append(_markers(frame, markers))
    keep = ~shapely.is_empty(ug)
    body.append(_labels(frame, units[keep], ug[keep], size=frame.width * 0.03))
    body.append(_scale_bar_km(frame))
    label = f"<title>{html.escape(title)}</title>" if title else ""
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {frame.width:.3f} {frame.height:.3f}' "
        f"style='width:100%;height:auto' role='img' font-family=\"{_FONT}\">{label}{''.join(body)}</svg>"
    )


def _markers(frame: _Frame, markers: Sequence[tuple[float, float, str, str]]) -> str:
    if not len(markers):
        return ""

    t = transformer("EPSG:4490", CGCS2000_GK_CM120)
    r, size = frame.width * 0.018, frame.width * 0.022
    out = []
    for lon, lat, colour, text in markers:
        x, y = frame.xy(*t.transform(lon, lat))
        out.append(
            f"<circle cx='{x:.3f}' cy='{y:.3f}' r='{r:.3f}' fill='none' stroke='{colour}' stroke-width='{r / 4:.3f}'/>"
            f"<text x='{x + 1.2 * r:.3f}' y='{y - 1.2 * r:.3f}' font-size='{size:.3f}' fill='{colour}' stroke='#fff' "
            f"stroke-width='{size / 5:.3f}' paint-order='stroke'>{html.escape(text)}</text>"
        )
    return "<g>" + "".join(out) + "</g>"
