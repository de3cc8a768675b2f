"""The colours of every kind of layer, defined once, as data.

The interactive map (:mod:`suzhou_geo.maps.styles`), the summary's overview map
(:mod:`suzhou_geo.report.svg`), the Excel report's verdict cells and the QGIS
plugin draw each kind of layer in the colours given here, so that a verdict or a
redline looks the same wherever a planner meets it.  Plain data, no imports: any
tool can read it.

* Verdicts: ``stroke`` (outline) and ``fill`` (the dot or parcel); a table cell
  takes a light tint of the fill (:func:`cell_fill`), so that its text stays legible.
* Reference layers: drawn as hatching in their ``stroke`` colour at ``hatch``
  degrees over whatever lies beneath (a translucent fill would mix with the
  colours below into one the legend does not show), outlined with ``dash``.

Examples
--------
>>> VERDICTS["conflict"]["fill"], LAYERS["ecological_protection_redline"]["stroke"]
('#e31a1c', '#a50f15')
>>> cell_fill("conflict")
'F7BABB'
"""

from __future__ import annotations

__all__ = ["VERDICTS", "LAYERS", "tint", "cell_fill"]

#: Parcel verdicts: conflict red, review orange, notice blue, pass green, invalid grey.
VERDICTS: dict[str, dict[str, str]] = {
    "conflict": {"stroke": "#a50f15", "fill": "#e31a1c"},
    "review": {"stroke": "#d94801", "fill": "#fd8d3c"},
    "notice": {"stroke": "#08519c", "fill": "#4292c6"},
    "pass": {"stroke": "#006d2c", "fill": "#41ab5d"},
    "invalid": {"stroke": "#525252", "fill": "#bdbdbd"},
}

#: Reference layers: hatched in ``stroke`` at ``hatch`` degrees, outlined with ``dash`` ("" for solid).
LAYERS: dict[str, dict[str, object]] = {
    "ecological_protection_redline": {"stroke": "#a50f15", "hatch": 45, "dash": ""},
    "ecological_space_control": {"stroke": "#1b7837", "hatch": -45, "dash": "5 3"},
    "joint_zone": {"stroke": "#6a3d9a", "hatch": 0, "dash": "6 4"},
}


def tint(colour: str, share: float = 0.3) -> str:
    """Return *colour* (``#rrggbb``) mixed with white, *share* of it kept, as ``RRGGBB``.

    Examples
    --------
    >>> tint("#000000", 0.5)
    '808080'
    """
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - c) * share):02X}" for c in rgb)


def cell_fill(verdict: str) -> str:
    """Return the background of a table cell holding *verdict* (``RRGGBB``): a light tint of its fill."""
    return tint(VERDICTS[verdict]["fill"], 0.3)
