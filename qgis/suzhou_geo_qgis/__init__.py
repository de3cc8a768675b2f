"""QGIS plugin: the suzhou_geo library's checks as Processing algorithms (provider ``suzhou_geo``).

QGIS calls :func:`classFactory` when it loads the plugin.  Nothing here imports
the library: a QGIS whose Python lacks it still loads the plugin, which then says
what to install (see :mod:`.library`).
"""

from __future__ import annotations

from typing import Any


def classFactory(iface: Any) -> Any:  # noqa: N802 - the name QGIS calls
    """Return the plugin object QGIS manages (*iface* is None when QGIS runs without its window)."""
    from .plugin import SuzhouGeoPlugin

    return SuzhouGeoPlugin(iface)
