"""Interactive maps of schemes, redlines, joint-control zones and parcel reports.

:func:`plan_map` puts layers on one map with a bundled base layer (outlines, place
names, water), a layer control grouped by what the layers are (one entry per scheme,
per redline kind, per verdict …) and a compact legend; :func:`layer_to_folium` draws
one layer; :func:`save_map` writes one HTML file, self-contained with ``offline=True``
for isolated government networks; :func:`report_map` maps a parcel report of any size,
and :func:`explore` shows hundreds of thousands of parcels with lonboard (deck.gl).

The package, one module per concern:

* :mod:`~suzhou_geo.maps.basemaps` — the tile catalogue (data);
* :mod:`~suzhou_geo.maps.kinds` — one declarative definition per kind of layer;
* :mod:`~suzhou_geo.maps.styles` — colours and line styles (data);
* :mod:`~suzhou_geo.maps.fields` — tooltip and popup fields, labels from the report schema;
* :mod:`~suzhou_geo.maps.base` — the base layer from bundled data;
* :mod:`~suzhou_geo.maps.legend`, :mod:`~suzhou_geo.maps.state` — legend and layer control;
* :mod:`~suzhou_geo.maps.aggregate` — large reports as grid counts;
* :mod:`~suzhou_geo.maps.safety` — how user text reaches the page without running;
* :mod:`~suzhou_geo.maps.offline` — Leaflet inlined, no tiles, no network;
* :mod:`~suzhou_geo.maps.build` — assembly; :mod:`~suzhou_geo.maps.viewer` — lonboard.

What every map guarantees:

* **Datum.** Layers are stored in CGCS2000 (EPSG:4490).  On a Gaode/Amap basemap,
  whose tiles are drawn in GCJ-02, every layer (the base layer too) is shifted with
  :func:`suzhou_geo.crs.wgs84_to_gcj02` *for display only*; the legend says which
  datum the map is drawn in.  The input frames are never modified.
* **Safety.** Attribute values and labels reach the page through ``textContent``,
  never ``innerHTML``, and the embedded JSON escapes ``<``, ``>`` and ``&``: a parcel
  named ``<img src=x onerror=alert(1)>`` shows as text and runs nothing.
* **Colours.** What is drawn never mixes into a colour the legend does not show:
  water is opaque at the bottom, schemes are outlines, redlines and the joint zone
  are hatched, parcels are opaque.
* **Size.** Coordinates are rounded to about 1 m, large features simplified by 10 m
  for display only, and a report map stays under 15 MB whatever the number of parcels.
"""

import importlib
from typing import Any

#: Public name -> the module that defines it, imported on first use (PEP 562): the data modules
#: (``basemaps``, ``styles``) can be read, e.g. by ``suzhou-geo map --help``, without loading folium.
_EXPORTS = {
    "plan_map": ".build",
    "layer_to_folium": ".build",
    "save_map": ".build",
    "report_map": ".build",
    "PlanMap": ".build",
    "LARGE_LAYER_FEATURES": ".build",
    "explore": ".viewer",
    "BASEMAPS": ".basemaps",
    "KINDS": ".kinds",
    "LayerKind": ".kinds",
    "detect_kind": ".kinds",
    "ROLE_STYLES": ".styles",
    "VERDICT_STYLES": ".styles",
    "REDLINE_STYLES": ".styles",
    "AGGREGATE_ABOVE": ".aggregate",
    "PRECISION": ".geometry",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
