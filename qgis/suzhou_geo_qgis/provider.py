"""The Processing provider "suzhou_geo": the library's jobs as Processing algorithms."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms import ALGORITHMS
from .exchange import LAYER_EXTENSIONS

__all__ = ["SuzhouGeoProvider", "PROVIDER_ID"]

#: The provider's id: algorithms are ``suzhou_geo:<name>``.
PROVIDER_ID = "suzhou_geo"

ICON = Path(__file__).with_name("icon.svg")


class SuzhouGeoProvider(QgsProcessingProvider):
    """Offers every algorithm of :data:`~.algorithms.ALGORITHMS` the installed library supports.

    Result layers are files written by the library itself (GeoPackage by default),
    so the provider offers file outputs only.
    """

    def id(self) -> str:
        """Return the provider id, ``suzhou_geo``."""
        return PROVIDER_ID

    def name(self) -> str:
        """Return the name in the toolbox."""
        return "苏州生态分区 suzhou_geo"

    def longName(self) -> str:
        """Return the name with the library's version."""
        import suzhou_geo as sg

        return f"苏州生态分区 suzhou_geo {sg.__version__}"

    def icon(self) -> QIcon:
        """Return the plugin's icon."""
        return QIcon(str(ICON))

    def loadAlgorithms(self) -> None:
        """Add one instance of each algorithm the library supports."""
        for cls in ALGORITHMS:
            if cls.available():
                self.addAlgorithm(cls())

    def supportsNonFileBasedOutput(self) -> bool:
        """Return False: results are files the library writes (temporary ones too)."""
        return False

    def supportedOutputVectorLayerExtensions(self) -> list[str]:
        """Return the layer formats the library writes and QGIS opens."""
        return list(LAYER_EXTENSIONS)

    def supportedOutputTableExtensions(self) -> list[str]:
        """Return the table formats: tables (the floor checks) are written by QGIS."""
        return ["gpkg", "csv", "xlsx", "ods", "dbf"]

    def defaultVectorFileExtension(self, hasGeometry: bool = True) -> str:
        """Return ``gpkg``: GeoPackage, the library's recommended format."""
        return "gpkg"
