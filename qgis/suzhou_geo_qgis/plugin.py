"""The plugin object QGIS loads: registers the Processing provider, or says what is missing."""

from __future__ import annotations

from typing import Any

from qgis.core import Qgis, QgsApplication, QgsMessageLog

from .library import check_library, missing_message

__all__ = ["SuzhouGeoPlugin", "LOG_TAG"]

#: The tab of QGIS's log messages panel the plugin writes to.
LOG_TAG = "suzhou_geo"


class SuzhouGeoPlugin:
    """Registers the ``suzhou_geo`` Processing provider when the library can be imported.

    When it cannot, no provider is registered and a message says, in Chinese and
    English, what to install and how: in the log messages panel (tab
    ``suzhou_geo``) and, with QGIS's window, in the message bar.  QGIS keeps
    running either way.

    Parameters
    ----------
    iface : QgisInterface or None
        None when QGIS runs without its window (``qgis_process``, scripts).
    """

    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.provider: Any = None
        self.problem = ""

    def initProcessing(self) -> None:  # noqa: N802 - the name QGIS calls
        """Register the provider (QGIS calls it for plugins with ``hasProcessingProvider=yes``)."""
        if self.provider is not None:
            return
        status = check_library()
        if not status.ok:
            self.problem = missing_message(status)
            self._tell(self.problem)
            return
        from .provider import SuzhouGeoProvider

        self.provider = SuzhouGeoProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802 - the name QGIS calls
        """With QGIS's window: register the provider as well."""
        self.initProcessing()

    def unload(self) -> None:
        """Remove the provider."""
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None

    def _tell(self, message: str) -> None:
        QgsMessageLog.logMessage(message, LOG_TAG, Qgis.Critical)
        if self.iface is not None:
            title = "suzhou_geo"
            short = (
                "QGIS 的 Python 中没有可用的 suzhou_geo 库，插件的算法不可用；安装方法见“更多”/ "
                "QGIS's Python has no usable suzhou_geo library, so the plugin offers no "
                "algorithms; see “More” for how to install it"
            )
            self.iface.messageBar().pushMessage(title, short, message, Qgis.Critical, 0)
