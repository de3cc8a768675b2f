"""The legend: compact, collapsible, and only about what is on the map.

Its head is one line: the datum the map is drawn in and, when the redlines are
the bundled sample, that they are illustrative.  Short notes follow (features
not drawn, parcels shown as grid counts).  Then, per kind of layer, the classes
the drawn layers hold; the page shows only those of the layers switched on.

The page places it bottom-left, between the zoom buttons and the scale bar,
where the layer control (top-right) cannot cover it.

Examples
--------
>>> lg = Legend(title="报告 report")
>>> lg.add("地块 parcels", "conflict", {"label": "冲突 conflict", "color": "#f00"}, "layer_1")
>>> lg.add_note("2 个地块无几何 2 parcels without geometry, not drawn")
>>> spec = lg.spec(datum="CGCS2000", illustrative=True)
>>> spec["head"]
'坐标 CGCS2000 · 红线为示意，非官方 illustrative redlines, not official'
>>> spec["sections"][0]["items"][0]["layers"]
['layer_1']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["Legend", "ILLUSTRATIVE_NOTE"]

#: The one-line note on the bundled (illustrative) redlines.
ILLUSTRATIVE_NOTE = "红线为示意，非官方 illustrative redlines, not official"


class Legend:
    """What the legend lists: sections of classes, each tied to the layers that draw it.

    Parameters
    ----------
    title : str, optional
        Shown on the legend's bar (default ``图例 legend``).
    open : bool, optional
        Open when the page opens; by default open when the map is at least 640×400 px.
    """

    def __init__(self, title: str | None = None, open: bool | None = None):
        self.title = title
        self.open = open
        self.sections: dict[str, dict[str, dict[str, Any]]] = {}
        self.notes: list[str] = []
        #: Sections listed after all others (the base map's).
        self.tail: set[str] = set()

    def add(self, section: str, key: str, style: Mapping[str, Any], layer: str) -> None:
        """List class *key* (drawn in *style*) under *section*, shown while JS variable *layer* is on."""
        items = self.sections.setdefault(section, {})
        text = str(style.get("label") or key)
        ident = f"{key}|{text}|{style.get('color')}"  # layers of no known kind share a key, not a colour
        item = items.setdefault(ident, {"label": text, "style": _swatch(style), "layers": []})
        if layer not in item["layers"]:
            item["layers"].append(layer)

    def reorder(self, section: str, keys: list[str]) -> None:
        """List the classes of *section* in the order of *keys* (others after them)."""
        items = self.sections.get(section, {})
        rank = {k: i for i, k in enumerate(keys)}
        ordered = sorted(items.items(), key=lambda kv: rank.get(kv[0].split("|", 1)[0], len(rank)))
        self.sections[section] = dict(ordered)

    def add_note(self, note: str) -> None:
        """Add a short note under the head line (once)."""
        if note and note not in self.notes:
            self.notes.append(note)

    def spec(self, datum: str, illustrative: bool = False) -> dict[str, Any]:
        """Return what the page's ``suzhouGeo.setup`` needs to draw the legend."""
        head = f"坐标 {datum}" + (f" · {ILLUSTRATIVE_NOTE}" if illustrative else "")
        return {
            "title": self.title or "图例 legend",
            "open": self.open,
            "head": head,
            "notes": list(self.notes),
            "sections": [{"title": t, "items": list(items.values())} for t, items in
                         sorted(self.sections.items(), key=lambda kv: kv[0] in self.tail)],
        }


def _swatch(style: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("color", "fillColor", "fillOpacity", "dashArray", "hatch", "hatchAngle", "marker")
    return {k: style[k] for k in keys if k in style}
