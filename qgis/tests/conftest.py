"""Fixtures of the tests that run in a real QGIS (Debian's python3-qgis), headless.

These tests need QGIS's Python: ``bash scripts/test.sh`` installs Debian's QGIS,
makes ``.venv-qgis`` (a venv of the system Python with ``--system-site-packages``
and suzhou_geo installed) and runs them through ``tests/test_qgis.py``; by hand::

    .venv-qgis/bin/python -m pytest qgis/tests

The plugin under test is the one a user installs: the zip built by
``scripts/build_qgis_plugin.py``, unpacked by QGIS's own installer code into a
plugin folder of a throw-away QGIS profile and started the way QGIS starts
plugins.  Every algorithm then runs through ``processing.run("suzhou_geo:…")``.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsProcessingFeedback  # noqa: E402 - after the platform is chosen

ROOT = Path(__file__).resolve().parents[2]
QGIS_PYTHON_DIRS = ("/usr/share/qgis/python", "/usr/share/qgis/python/plugins")
PLUGIN = "suzhou_geo_qgis"
PROVIDER = "suzhou_geo"


def load_script(name: str):
    """Import a file of ``scripts/`` (or ``tests/``) as a module."""
    path = ROOT / name
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def qgis_app(tmp_path_factory):
    """Start a QgsApplication without GUI, with its own profile, and the Processing framework."""
    from qgis.core import QgsApplication

    for d in QGIS_PYTHON_DIRS:
        if d not in sys.path:
            sys.path.append(d)
    profile = tmp_path_factory.mktemp("qgis_profile")
    app = QgsApplication([], False, str(profile))
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    yield app
    Processing.deinitialize()


@pytest.fixture(scope="session")
def plugin_zip(tmp_path_factory) -> Path:
    """Build the plugin zip with ``scripts/build_qgis_plugin.py``."""
    return load_script("scripts/build_qgis_plugin.py").build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def plugins_dir(qgis_app, plugin_zip, tmp_path_factory) -> Path:
    """Unpack the plugin into a plugin folder, as QGIS's "Install from ZIP" does."""
    import qgis.utils
    from pyplugin_installer.unzip import unzip

    target = tmp_path_factory.mktemp("python_plugins")
    unzip(str(plugin_zip), str(target))
    qgis.utils.plugin_paths[:] = [str(target)]
    qgis.utils.home_plugin_path = str(target)
    sys.path.insert(0, str(target))
    qgis.utils.updateAvailablePlugins()
    return target


@pytest.fixture(scope="session")
def started(plugins_dir):
    """Load and start the installed plugin as QGIS starts a plugin (its ``initGui``)."""
    import qgis.utils

    assert qgis.utils.loadPlugin(PLUGIN)
    assert qgis.utils.startPlugin(PLUGIN)
    yield PLUGIN
    qgis.utils.unloadPlugin(PLUGIN)


@pytest.fixture
def provider(started):
    """Return the provider the plugin registered (looked up afresh: tests restart the plugin)."""
    from qgis.core import QgsApplication

    found = QgsApplication.processingRegistry().providerById(PROVIDER)
    assert found is not None
    return found


@pytest.fixture(scope="session")
def bundled_parcels() -> str:
    """Return the path of the bundled sample parcels (GeoPackage, EPSG:4490, incl. broken rows)."""
    import suzhou_geo as sg

    return str(sg.datasets.get_path("parcels"))


class Recorder(QgsProcessingFeedback):
    """A Processing feedback that keeps what it is told, for assertions."""

    def __init__(self) -> None:
        super().__init__()
        self.infos: list[str] = []
        self.warnings: list[str] = []
        self.errors: list[str] = []
        self.progress: list[float] = []
        self.progressChanged.connect(self.progress.append)

    def pushInfo(self, text: str) -> None:  # noqa: N802 - QGIS's name
        """Keep an info line."""
        self.infos.append(text)

    def pushWarning(self, text: str) -> None:  # noqa: N802 - QGIS's name
        """Keep a warning."""
        self.warnings.append(text)

    def reportError(self, text: str, fatalError: bool = False) -> None:  # noqa: N802,N803
        """Keep an error."""
        self.errors.append(text)


@pytest.fixture
def feedback():
    """Return a recording Processing feedback."""
    return Recorder()


@pytest.fixture
def run(provider, feedback):
    """Return ``run(name, params)``: ``processing.run("suzhou_geo:<name>", …)``, recorded."""
    import processing

    def _run(name: str, params: dict, **kwargs):
        return processing.run(
            f"{PROVIDER}:{name}", params, feedback=kwargs.pop("feedback", feedback), **kwargs
        )

    return _run


def read_layer(path: str, layer: str | None = None):
    """Open a result file as a QGIS vector layer (asserting it is valid)."""
    from qgis.core import QgsVectorLayer

    uri = path if layer is None else f"{path}|layername={layer}"
    lyr = QgsVectorLayer(uri, Path(path).stem, "ogr")
    assert lyr.isValid(), path
    return lyr


def rows(layer) -> list[dict]:
    """Return the features of *layer* as dicts, in feature-id order (the order written)."""
    from qgis.core import QgsFeatureRequest

    request = QgsFeatureRequest().addOrderBy("$id")
    names = layer.fields().names()
    out = []
    for f in layer.getFeatures(request):
        values = [None if (hasattr(v, "isNull") and v.isNull()) else v for v in f.attributes()]
        out.append(dict(zip(names, values, strict=True)) | {"__geometry__": f.geometry()})
    return out


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _data_names(text: str) -> str:
    # QGIS names a layer "name (path)", the library a file by its file name
    return re.sub(r"\.(shp|geojson|gpkg)\b", "", re.sub(r" \([^()]*\)", "", text))


def same_value(got, want, column: str) -> bool:
    """Compare a value QGIS read with the library's: numbers to 0.01 (km² to 1e-6), flags, text.

    ``redline_data`` names the layers: compared without the paths QGIS adds and the files' extensions.
    """
    if _missing(got) or _missing(want):
        return _missing(got) and _missing(want)
    if column == "redline_data":
        return _data_names(str(got)) == _data_names(str(want))
    if isinstance(want, bool) or type(want).__name__ == "bool_":
        return bool(got) == bool(want)
    if isinstance(want, (int, float)) or hasattr(want, "dtype"):
        return abs(float(got) - float(want)) <= (1e-6 if column.endswith("km2") else 0.01)
    return str(got) == str(want)


def assert_same_rows(layer_rows: list[dict], frame) -> None:
    """Assert that the rows QGIS read are the library's *frame*, row for row, column for column."""
    want = frame.drop(columns=[frame.geometry.name]) if hasattr(frame, "geometry") else frame
    assert len(layer_rows) == len(want), (len(layer_rows), len(want))
    for i, (got, expected) in enumerate(zip(layer_rows, want.to_dict("records"), strict=True)):
        for column, value in expected.items():
            assert column in got, (i, column, sorted(got))
            assert same_value(got[column], value, column), (i, column, got[column], value)


def ellipsoidal_m2(geometry, crs: str = "EPSG:4490") -> float:
    """Return QGIS's own ellipsoidal area (GRS80, the CGCS2000 ellipsoid) of a geometry, m²."""
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransformContext,
        QgsDistanceArea,
    )

    da = QgsDistanceArea()
    da.setSourceCrs(QgsCoordinateReferenceSystem(crs), QgsCoordinateTransformContext())
    assert da.setEllipsoid("EPSG:7019")  # GRS 1980
    return da.measureArea(geometry)
