"""Maps that need no network: Leaflet inlined from the ``XStatic-Leaflet`` package, no tiles.

Two steps, used separately:

* :func:`inline_leaflet` replaces folium's CDN links (Leaflet, jQuery, Bootstrap,
  Font Awesome, awesome-markers) by Leaflet's JS and CSS, with its images as data
  URIs.  Maps shown in Jupyter do this by default, so a notebook renders its maps
  with no network; tiles still load when there is one.
* :func:`make_offline` also removes the tile layers: an offline file makes no
  request at all, and the bundled base layer (outlines, names, water) gives the
  context.  :func:`check_offline` refuses to save a page that would still fetch
  something.

Leaflet comes from the installed package at run time; no third-party code is kept
in this project's tree.

Examples
--------
>>> js, css, icons = leaflet_assets()
>>> '"1.9.3"' in js and "data:image/png;base64," in css
True
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from pathlib import Path

import folium

from ..errors import MissingDependencyError, OutputError
from .safety import Raw

__all__ = ["leaflet_assets", "inline_leaflet", "make_offline", "check_offline", "needs_cdn"]

_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", re.I)
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", re.I)
_REMOTE_CSS = re.compile(r"url\(\s*[\"']?((?:https?:)?//[^\"')\s]+)", re.I)
_TILE_LAYER = re.compile(r"L\.tileLayer\(", re.I)
_NEEDS_REMOVED = {
    "L.AwesomeMarkers": "Leaflet.awesome-markers (folium.Icon)",
    "jQuery": "jQuery",
    "$.ajax": "jQuery (a GeoJson with embed=False)",
    "$(document)": "jQuery",
    "bootstrap.": "Bootstrap",
}


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str, dict[str, str]]:
    """Return (leaflet.js, leaflet.css with images inlined, icon data URIs) from XStatic-Leaflet."""
    try:
        from xstatic.pkg import leaflet as xs
    except ImportError:
        raise MissingDependencyError(
            "maps that need no network inline Leaflet from XStatic-Leaflet, a dependency of suzhou_geo "
            "that is not installed: pip install 'XStatic-Leaflet>=1.9.3'"
        ) from None
    base = Path(xs.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    uris = {}
    for png in sorted((base / "images").glob("*.png")):
        uris[png.name] = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
    css = re.sub(r"url\((['\"]?)images/([\w.-]+\.png)\1\)", lambda mo: f"url({uris[mo.group(2)]})", css)
    js = re.sub(r"//# sourceMappingURL=\S+", "", js.replace("</script", "<\\/script"))
    css = css.replace("</style", "<\\/style")
    return js, css, uris


def needs_cdn(m: folium.Map) -> list[str]:
    """Return what in *m* needs assets from a CDN besides Leaflet (folium plugins, ``folium.Icon``)."""
    found, todo = [], list(m._children.values())
    while todo:
        el = todo.pop()
        todo.extend(getattr(el, "_children", {}).values())
        if isinstance(el, folium.Icon):
            found.append("Leaflet.awesome-markers (folium.Icon)")
        elif not isinstance(el, folium.Map) and (getattr(el, "default_js", None) or getattr(el, "default_css", None)):
            found.append(type(el).__name__)
    return sorted(set(found))


def inline_leaflet(m: folium.Map) -> None:
    """Replace folium's CDN assets by Leaflet inlined into the page (idempotent)."""
    js, css, uris = leaflet_assets()
    m.default_js = []
    m.default_css = []
    header = m.get_root().header
    if "suzhou_geo_leaflet_js" in header._children:
        return
    # before the page helpers and every layer script
    icons = {"iconUrl": uris.get("marker-icon.png"), "iconRetinaUrl": uris.get("marker-icon-2x.png"),
             "shadowUrl": uris.get("marker-shadow.png")}
    header.add_child(Raw(f"<style>{css}</style>"), name="suzhou_geo_leaflet_css")
    header.add_child(Raw(f"<script>{js}</script>"), name="suzhou_geo_leaflet_js")
    header.add_child(
        Raw(f"<script>L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({json.dumps(icons)});</script>"),
        name="suzhou_geo_leaflet_icons",
    )


def make_offline(m: folium.Map) -> None:
    """Inline Leaflet and remove every tile layer from *m*: the page then fetches nothing."""
    inline_leaflet(m)
    for key, child in list(m._children.items()):
        if isinstance(child, folium.TileLayer):
            del m._children[key]
    st = getattr(m, "_suzhou_geo_state", None)
    if st is not None:
        st.offline = True
        st.tiles = []
        st.sections.pop("底图注记 labels", None)


def check_offline(page: str) -> None:
    """Raise :class:`~suzhou_geo.errors.OutputError` if *page* would fetch anything from the network."""
    # layer data (user attribute text) is not markup: leave it out of the scan
    page = "\n".join(ln for ln in page.splitlines() if "= suzhouGeo.layer(" not in ln)
    remote = _REMOTE_SCRIPT.findall(page) + _REMOTE_LINK.findall(page) + _REMOTE_CSS.findall(page)
    remote += ["a tile layer"] if _TILE_LAYER.search(page) else []
    needs = [lib for token, lib in _NEEDS_REMOVED.items() if token in page]
    if remote or needs:
        raise OutputError(
            "this map cannot be made self-contained: "
            + (f"it loads {', '.join(sorted(set(remote)))}; " if remote else "")
            + (f"it uses {', '.join(sorted(set(needs)))}, which offline maps leave out" if needs else ""),
            source="offline",
            hint="remove the element that needs it (e.g. a folium plugin or a folium.Icon marker), "
                 "or save with offline=False",
        )
