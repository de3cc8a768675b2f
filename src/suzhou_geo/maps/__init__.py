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

from .aggregate import AGGREGATE_ABOVE
from .basemaps import BASEMAPS
from .build import LARGE_LAYER_FEATURES, PlanMap, layer_to_folium, plan_map, report_map, save_map
from .bundled import BUNDLED_LAYERS, bundled_layer
from .geometry import PRECISION
from .kinds import KINDS, LayerKind, detect_kind
from .styles import REDLINE_STYLES, ROLE_STYLES, VERDICT_STYLES
from .viewer import explore

__all__ = [
    "plan_map",
    "layer_to_folium",
    "save_map",
    "report_map",
    "explore",
    "bundled_layer",
    "BASEMAPS",
    "BUNDLED_LAYERS",
    "KINDS",
    "LayerKind",
    "detect_kind",
    "ROLE_STYLES",
    "VERDICT_STYLES",
    "REDLINE_STYLES",
    "PlanMap",
    "AGGREGATE_ABOVE",
    "LARGE_LAYER_FEATURES",
    "PRECISION",
]
