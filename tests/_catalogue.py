"""The waypoints of the schemes catalogue (``data/schemes/catalogue.json``), for the data tests.

A waypoint is ``[lon, lat, place, source]``; it stands in an element's geometry
under ``waypoints``/``via`` (lists of them), ``centre``/``at``/``from``/``to``
(one), or ``parts`` (waypoints or nested specifications), at any depth.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from suzhou_geo.io.bundled import data_path


def waypoints(spec) -> Iterator[list]:
    """Every waypoint of one geometry specification, in the order written."""
    if isinstance(spec, list):
        for x in spec:
            if isinstance(x, dict):
                yield from waypoints(x)
        return
    for k, v in spec.items():
        if k in ("waypoints", "via"):
            yield from v
        elif k in ("centre", "at", "from", "to"):
            yield v
        elif k == "parts":
            for x in v:
                yield from ([x] if isinstance(x, list) else waypoints(x))
        elif isinstance(v, (dict, list)):
            yield from waypoints(v)


def catalogue_waypoints() -> list[tuple[str, list]]:
    """``(scheme.element, waypoint)`` for every waypoint of the catalogue."""
    cat = json.loads(data_path("schemes", "catalogue.json").read_text(encoding="utf-8"))
    return [(f"{s['key']}.{e['id']}", w) for s in cat["schemes"] for e in s["elements"]
            for w in waypoints(e["geometry"])]
