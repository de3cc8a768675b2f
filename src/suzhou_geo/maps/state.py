"""What a map knows about itself: its datum, layer-control entries, legend and extent.

:class:`MapState` is a folium element kept last among the map's children; when the
page is rendered it emits one call, ``suzhouGeo.setup(map, spec)``, that builds the
grouped layer control, the legend and the place-name decluttering, and fits the
map to the layers drawn.

Examples
--------
>>> st = MapState(gcj=False)
>>> st.add_entry("地块 parcels", "冲突 conflict", ["layer_1"], show=True, count="3")
'冲突 conflict'
>>> st.add_entry("地块 parcels", "冲突 conflict", ["layer_2"], show=True)
'冲突 conflict (2)'
>>> st.entry_count
2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import numpy as np
from branca.element import MacroElement
from folium.template import Template

from .legend import Legend
from .safety import RawScript, add_helpers, script_json

__all__ = ["MapState", "state_of", "GCJ_DATUM", "WGS_DATUM"]

GCJ_DATUM = "GCJ-02（为高德底图偏移 shifted for the Gaode basemap）"
WGS_DATUM = "CGCS2000/WGS84"
#: The page background of maps without tiles (paper, so that the water's blue reads as water).
PAPER = "#f3f1ea"


class MapState(RawScript, MacroElement):
    """Per-map bookkeeping, rendered last as ``suzhouGeo.setup(map, spec)``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = suzhouGeo.setup({{ this._parent.get_name() }}, {{ this.spec_json() }});
        {% endmacro %}
        """
    )

    def __init__(self, gcj: bool, legend: bool = True, title: str | None = None, collapsed: bool = True):
        super().__init__()
        self._name = "SuzhouGeoState"
        self.gcj = gcj
        self.show_legend = legend
        self.title = title
        self.collapsed = collapsed
        self.offline = False
        self.illustrative = False
        self.legend = Legend(title)
        self.sections: dict[str, list[dict[str, Any]]] = {}
        self.tiles: list[dict[str, Any]] = []
        self.labels: list[str] = []
        #: Draw a scale bar (metric only: planners measure in metres and kilometres).
        self.scale = False
        self.layer_count = 0
        #: Page bytes so far: Leaflet, the page helpers, and the data of every layer emitted.
        self.bytes = 250_000
        self.city_bounds: tuple[float, float, float, float] | None = None
        self._bounds: list[float] | None = None

    # ---------------------------------------------------------------- registry
    @property
    def datum(self) -> str:
        """The datum the map is drawn in, as the legend says it."""
        return GCJ_DATUM if self.gcj else WGS_DATUM

    @property
    def entry_count(self) -> int:
        """Number of entries in the layer control (tiles and overlays)."""
        return len(self.tiles) + sum(len(e) for e in self.sections.values())

    @property
    def layer_names(self) -> list[str]:
        """Labels of the overlay entries of the layer control, in order."""
        return [e["label"] for entries in self.sections.values() for e in entries]

    def add_entry(
        self, section: str, label: str, layers: Sequence[str], show: bool, count: str | None = None
    ) -> str:
        """Add an entry toggling JS variables *layers* together; return its (unique) label."""
        entries = self.sections.setdefault(section, [])
        taken = {e["label"] for e in entries}
        unique, i = label, 2
        while unique in taken:
            unique, i = f"{label} ({i})", i + 1
        entries.append({"label": unique, "layers": list(layers), "show": show, "count": count})
        return unique

    def add_tile(self, label: str, var: str, show: bool) -> None:
        """Offer a tile layer (a radio button of the control's first section)."""
        self.tiles.append({"label": label, "layers": [var], "show": show})

    def extend(self, bounds: Sequence[float]) -> None:
        """Grow the extent the map is fitted to (west, south, east, north)."""
        if len(bounds) != 4 or not np.all(np.isfinite(bounds)):
            return
        b = [float(v) for v in bounds]
        o = self._bounds or b
        self._bounds = [min(o[0], b[0]), min(o[1], b[1]), max(o[2], b[2]), max(o[3], b[3])]

    def focus(self, bounds: Sequence[float], margin: float = 0.15) -> None:
        """Fit the map to *bounds* (west, south, east, north) grown by *margin* of their size, not to every layer.

        For maps about a few small shapes among large context layers (the
        patches of a redline adjustment among the redlines of the city).
        """
        if len(bounds) != 4 or not np.all(np.isfinite(bounds)):
            return
        w, s, e, n = (float(v) for v in bounds)
        dx, dy = max((e - w) * margin, 0.005), max((n - s) * margin, 0.005)
        self._bounds = [w - dx, s - dy, e + dx, n + dy]

    # ---------------------------------------------------------------- page
    def spec(self) -> dict[str, Any]:
        """Return the argument of ``suzhouGeo.setup`` (control, legend, bounds, labels)."""
        sections = []
        if self.tiles:
            sections.append({"title": "底图 basemap", "radio": True, "entries": self.tiles})
        sections += [{"title": t, "entries": e} for t, e in self.sections.items()]
        bounds = None
        if self._bounds is not None:
            w, s, e, n = self._bounds
            bounds = [[s, w], [n, e]]
        return {
            "control": {"sections": sections, "collapsed": self.collapsed},
            "legend": self.legend.spec(self.datum, self.illustrative) if self.show_legend else None,
            "bounds": bounds,
            "labels": self.labels,
            "scale": self.scale,
            "background": None if self.tiles else PAPER,
        }

    def spec_json(self) -> str:
        """Return :meth:`spec` as JSON safe to embed in a ``<script>``."""
        return script_json(self.spec())

    def keep_last(self, m: folium.Map) -> None:
        """Move this element to the end of *m*'s children (it must run after every layer)."""
        for key, child in list(m._children.items()):
            if child is self:
                m._children.move_to_end(key)


def state_of(m: folium.Map, gcj: bool = False) -> MapState:
    """Return the :class:`MapState` of *m*, adding one (and the page helpers) to a plain folium map."""
    st = getattr(m, "_suzhou_geo_state", None)
    if st is None:
        st = MapState(gcj=gcj)
        m.add_child(st)
        m._suzhou_geo_state = st
        add_helpers(m)
    return st
