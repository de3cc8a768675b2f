"""Colours and line styles of every class a map draws, as data.

A style is a dict of Leaflet path options plus a ``label`` (Chinese first, English
beside it) that the legend and the layer control show.  Two extra keys are
understood by the page's script:

* ``hatch``: the polygon is filled with stripes of its ``color`` (see
  ``static/maps.css``/``maps.js``) instead of a translucent fill.  Stripes over
  another colour leave both colours visible, where a translucent fill would mix
  them into a colour the legend does not show (红线 over 太湖 turning purple).
* ``marker``: how the legend draws the swatch (``"line"``, ``"circle"``, ``"box"``).

Why the fills are what they are (the map must never show a colour the legend
does not): the base water is opaque and lies at the bottom; scheme elements are
outlines without fill (schemes overlap each other, and stacked translucent fills
turned 太湖 a muddy olive); redlines, control areas and the joint-control zone
are hatched; parcels and grid counts are opaque and lie on top.

Examples
--------
>>> VERDICT_STYLES["conflict"]["label"]
'冲突 conflict'
>>> ROLE_STYLES["lake"]["fillOpacity"]
0
"""

from __future__ import annotations

from typing import Any

from ..palette import LAYERS, VERDICTS

__all__ = [
    "ROLE_STYLES",
    "VERDICT_STYLES",
    "VERDICT_ORDER",
    "REDLINE_STYLES",
    "JOINT_STYLES",
    "BOUNDARY_STYLES",
    "WATER_STYLES",
    "CHANGE_STYLES",
    "OCCUPIED_STYLES",
    "PROJECT_STYLES",
    "POINT_STYLES",
    "GENERIC_COLOURS",
    "DEFAULT_STYLE",
    "generic_style",
]

Style = dict[str, Any]


def _outline(label: str, color: str, weight: float = 2.5, dash: str | None = None, **kw: Any) -> Style:
    """Return the style of a scheme element drawn as an outline: no fill (fills of overlapping schemes would mix)."""
    style = {"label": label, "color": color, "weight": weight, "fillColor": color, "fillOpacity": 0,
             "opacity": 0.95, "radius": 6, "marker": "line"}
    if dash:
        style["dashArray"] = dash
    return {**style, **kw}


#: Scheme elements by ``role_en`` (the schemes' role vocabulary).  Point geometries are drawn
#: as filled dots (of ``fillColor``), whatever the style's fill.
ROLE_STYLES: dict[str, Style] = {
    "main_centre": _outline("主中心 main centre", "#b2182b", 3),
    "sub_centre": _outline("副中心 sub-centre", "#d6604d", 2.5),
    "axis": _outline("轴 axis", "#762a83", 4, "10 6"),
    "core": _outline("核 core", "#00441b", 3),
    "heart": _outline("心 heart", "#1b7837", 3, "2 5"),
    "patch": _outline("片 patch", "#5aae61", 2.5, "8 4"),
    "corridor": _outline("廊 corridor", "#4d9221", 3, "4 4"),
    "point": _outline("点 point", "#8c510a", 2.5, fillColor="#dfc27d", marker="circle"),
    "lake": _outline("湖 lake", "#08519c", 2.5),
    "river": _outline("河 river", "#2171b5", 3, "12 4"),
    "belt": _outline("带 belt", "#01665e", 3, "14 5 3 5"),
    "zone": _outline("区 zone", "#bf812d", 2.5, "6 4"),
    "source_area": _outline("源地 source area", "#35978f", 2.5, "3 3"),
}

#: Parcel verdicts: conflict red, review orange, notice blue, pass green, invalid grey (opaque; the outline
#: keeps a parcel smaller than a pixel visible as a dot of its colour at the city's scale).
VERDICT_STYLES: dict[str, Style] = {
    v: {"label": label, "color": VERDICTS[v]["stroke"], "fillColor": VERDICTS[v]["fill"], "fillOpacity": 1,
        "weight": weight, "radius": radius, "marker": "box", **extra}
    for v, label, weight, radius, extra in (
        ("conflict", "冲突 conflict", 2, 6, {}),
        ("review", "复核 review", 2, 6, {}),
        ("notice", "告知 notice", 2, 6, {}),
        ("pass", "通过 pass", 1.5, 5, {}),
        ("invalid", "无效 invalid", 1.5, 5, {"dashArray": "4 3"}),
    )
}
#: Order of the verdicts in the layer control and the legend, most severe first.
VERDICT_ORDER = ("conflict", "review", "notice", "pass", "invalid")

#: Redline kinds: hatched in their colour, over whatever lies beneath.
REDLINE_STYLES: dict[str, Style] = {
    kind: {"label": label, "color": LAYERS[kind]["stroke"], "weight": 1.5, "hatch": hatch,
           "hatchAngle": LAYERS[kind]["hatch"], "fillOpacity": 1, "marker": "box",
           **({"dashArray": LAYERS[kind]["dash"]} if LAYERS[kind]["dash"] else {})}
    for kind, label, hatch in (
        ("ecological_protection_redline", "生态保护红线 ecological protection redline", "redline"),
        ("ecological_space_control", "生态空间管控区域 ecological space control area", "control"),
    )
}

JOINT_STYLES: dict[str, Style] = {
    "joint": {"label": "联防联治区 joint-control zone", "color": LAYERS["joint_zone"]["stroke"], "weight": 1.5,
              "dashArray": LAYERS["joint_zone"]["dash"], "hatch": "joint", "hatchAngle": LAYERS["joint_zone"]["hatch"],
              "fillOpacity": 1, "marker": "box"},
}

#: Jurisdictions: outlines only, so that they never hide or tint what lies inside.
BOUNDARY_STYLES: dict[str, Style] = {
    "city": {"label": "苏州市界 city boundary", "color": "#252525", "weight": 2.5, "fillOpacity": 0,
             "marker": "line"},
    "suzhou": {"label": "县级行政区界 county-level unit", "color": "#525252", "weight": 1.2, "fillOpacity": 0,
               "marker": "line"},
    "neighbour": {"label": "邻近区县 neighbour", "color": "#8c8c8c", "weight": 1, "dashArray": "4 3",
                  "fillOpacity": 0, "marker": "line"},
}

#: Bundled water: opaque fill at the bottom of the map, rivers as lines.
WATER_STYLES: dict[str, Style] = {
    "water": {"label": "水域 water", "color": "#6baed6", "weight": 0.8, "fillColor": "#c6e2f5",
              "fillOpacity": 1, "marker": "box"},
    "river": {"label": "河流运河 rivers and canals", "color": "#4292c6", "weight": 1.6, "fillOpacity": 0,
              "marker": "line"},
    "shore": {"label": "长江岸线 Yangtze shore", "color": "#6baed6", "weight": 1, "fillOpacity": 0,
              "marker": "line"},
}

#: Patches of a redline comparison: opaque, so that they stand out from the hatched redlines beneath;
#: removed (调出) red and dashed, added (补划) green and solid.
CHANGE_STYLES: dict[str, Style] = {
    "removed": {"label": "调出 removed from the redline", "color": "#67000d", "fillColor": "#ef3b2c",
                "fillOpacity": 1, "weight": 2, "dashArray": "5 3", "marker": "box"},
    "added": {"label": "补划 added to the redline", "color": "#00441b", "fillColor": "#41ab5d", "fillOpacity": 1,
              "weight": 2, "marker": "box"},
}

#: What a project occupies of a redline, by kind: opaque, over the hatched redlines.
OCCUPIED_STYLES: dict[str, Style] = {
    "ecological_protection_redline": {"label": "占用生态保护红线 occupied protection redline", "color": "#67000d",
                                      "fillColor": "#cb181d", "fillOpacity": 1, "weight": 1, "marker": "box"},
    "ecological_space_control": {"label": "占用生态空间管控区域 occupied space control area", "color": "#7f2704",
                                 "fillColor": "#fd8d3c", "fillOpacity": 1, "weight": 1, "marker": "box"},
}

#: A project's land (its parcels dissolved): a dark outline over everything.
PROJECT_STYLES: dict[str, Style] = {
    "project": {"label": "项目用地范围 project land", "color": "#08306b", "weight": 2.5, "fillOpacity": 0,
                "marker": "line"},
}

#: Named boundary points (界址点) inside a redline: yellow dots.
POINT_STYLES: dict[str, Style] = {
    "point": {"label": "红线内界址点 named boundary point inside a redline", "color": "#252525",
              "fillColor": "#ffeb3b", "fillOpacity": 1, "weight": 1.5, "radius": 5, "marker": "circle"},
}

#: Colours of layers of no known kind, one per layer in drawing order.
GENERIC_COLOURS = ("#e66101", "#5e3c99", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e")

#: Style of a class the kind does not know (e.g. a verdict spelled differently).
DEFAULT_STYLE: Style = {"label": "其他 other", "color": "#555555", "fillColor": "#999999", "fillOpacity": 1,
                        "weight": 1.5, "radius": 6, "marker": "box"}


def generic_style(index: int, label: str) -> Style:
    """Return the style of the *index*-th layer of no known kind: a coloured outline.

    Examples
    --------
    >>> generic_style(0, "my layer")["color"]
    '#e66101'
    """
    colour = GENERIC_COLOURS[index % len(GENERIC_COLOURS)]
    return {"label": label, "color": colour, "fillColor": colour, "fillOpacity": 0, "weight": 2.5,
            "radius": 6, "marker": "line"}
