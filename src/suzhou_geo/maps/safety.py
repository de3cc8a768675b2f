r"""How text from user files reaches the page without ever being run.

* Data and labels are embedded as JSON inside ``<script>``, with ``<``, ``>``, ``&``
  and the JavaScript line separators escaped (as Jinja's ``htmlsafe_json_dumps``
  does), so a value ``</script><script>alert(2)</script>`` cannot close the script.
* The page's script (``static/maps.js``) inserts every value and label with
  ``textContent``, never ``innerHTML``; folium's ``GeoJsonTooltip``/``GeoJsonPopup``
  build their tables with ``innerHTML`` and are therefore not used.
* The few strings that folium itself puts into HTML (the page title) are escaped
  with :func:`esc`.
* The scripts holding data are put into the page as text (:class:`RawScript`).
  branca's ``MacroElement`` compiles every rendered script again as a Jinja
  template, so a parcel named ``{{ 7*7 }}`` would show as ``49`` and one named
  ``{% if %}`` would stop the map from being written; a crafted name could run
  Python in the process that writes the map.

Examples
--------
>>> script_json({"name": "</script><img src=x>"})
'{"name":"\\u003c/script\\u003e\\u003cimg src=x\\u003e"}'
>>> esc('<b onmouseover="x">')
'&lt;b onmouseover=&quot;x&quot;&gt;'
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import folium
from branca.element import Element
from folium.template import Template

__all__ = ["script_json", "esc", "helpers_html", "SafeLayer", "SafeLabels", "Raw", "RawScript", "add_helpers"]


def script_json(obj: Any) -> str:
    """Return JSON (or already-serialised JSON text) safe to embed in a ``<script>`` element."""
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def esc(value: Any) -> str:
    """Return *value* as text escaped for HTML (quotes included)."""
    return html.escape(str(value), quote=True)


@lru_cache(maxsize=1)
def helpers_html() -> str:
    """Return the page helpers: ``<style>`` and ``<script>`` from ``static/`` (read once)."""
    static = resources.files("suzhou_geo.maps") / "static"
    css = (static / "maps.css").read_text(encoding="utf-8")
    js = (static / "maps.js").read_text(encoding="utf-8")
    return f"<style>{css}</style>\n<script>{js}</script>"


class Raw(Element):
    """Markup put into the page as it is (our own assets: not a template, so never parsed by Jinja)."""

    def __init__(self, html: str):
        super().__init__()
        self.html = html

    def render(self, **kwargs) -> str:
        """Return the markup as it is."""
        return self.html


class RawScript:
    """Mixin for a folium element whose rendered macros go into the page as text, never as a template.

    It replaces the element's whole ``render`` (a layer adds itself to the map in its own script).
    """

    def render(self, **kwargs) -> None:
        """Add the element's rendered macros to the page as text, then render its children."""
        figure = self.get_root()
        module = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = module.get(part)
            if macro is not None:
                getattr(figure, part).add_child(Raw(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


def add_helpers(m: folium.Map) -> None:
    """Put the page helpers into the header of *m*'s figure (once)."""
    m.get_root().header.add_child(Raw(helpers_html()), name="suzhou_geo_helpers")


class SafeLayer(RawScript, folium.map.Layer):
    """One group of features, drawn by ``suzhouGeo.layer(data, spec)`` with text-only tooltips.

    Parameters
    ----------
    data_json : str
        The layer's data (``{"geoms": [...], "cls": [...], "table": {...}}``), serialised.
    spec : dict
        Styles, tooltip and popup fields (``{"classes", "styles", "tooltip", "popup"}``).
    name : str
        The group's name (kept for folium; the page shows labels from the control's spec).
    show : bool
        Whether it is on the map when the page opens.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = suzhouGeo.layer({{ this.data_json }}, {{ this.spec_json }});
        {%- if this.show %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, data_json: str, spec: dict, name: str, show: bool = True):
        super().__init__(name=esc(name), overlay=True, control=False, show=show)
        self._name = "SafeGeoJson"
        self.data_json = script_json(data_json)
        self.spec_json = script_json(spec)


class SafeLabels(RawScript, folium.map.Layer):
    """Place names drawn by ``suzhouGeo.labels(items)`` (text only)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = suzhouGeo.labels({{ this.items_json }});
        {%- if this.show %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, items: list[dict], name: str, show: bool = True):
        super().__init__(name=esc(name), overlay=True, control=False, show=show)
        self._name = "SafeLabels"
        self.items_json = script_json(items)
