"""The plugin as QGIS's plugin manager sees it: metadata, zip, install, start, missing library."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PLUGIN, PROVIDER, ROOT, load_script

#: What QGIS's plugin repository (plugins.qgis.org) requires of metadata.txt.
REQUIRED = (
    "name",
    "qgisMinimumVersion",
    "description",
    "about",
    "version",
    "author",
    "email",
    "repository",
)
ALGORITHM_IDS = {
    f"{PROVIDER}:{n}"
    for n in (
        "validate_parcels",
        "redline_floors",
        "joint_control_zone",
        "scheme_layers",
        "read_approval_file",
        "write_bubiao",
        "occupancy",
        "compare_redlines",
    )
}


def metadata(folder: Path) -> configparser.SectionProxy:
    """Return the [general] section of a plugin's metadata.txt."""
    cp = configparser.ConfigParser()
    cp.read(folder / "metadata.txt", encoding="utf-8")
    return cp["general"]


def test_metadata_has_what_the_plugin_manager_requires(plugins_dir):
    """metadata.txt as QGIS's plugin manager reads it."""
    from pyplugin_installer.installer_data import plugins
    from pyplugin_installer.version_compare import compareVersions
    from qgis.core import Qgis

    import suzhou_geo as sg

    meta = metadata(plugins_dir / PLUGIN)
    missing = [k for k in REQUIRED if not meta.get(k, "").strip()]
    assert not missing, missing
    assert meta["hasProcessingProvider"] == "yes"
    assert meta["version"] == sg.__version__  # the plugin is released with the library it wraps
    # the running QGIS (3.22) is within the declared range
    assert compareVersions(Qgis.QGIS_VERSION.split("-")[0], meta["qgisMinimumVersion"]) in (0, 1)
    # QGIS's own reading of an installed plugin finds nothing wrong
    info = plugins.getInstalledPlugin(PLUGIN, str(plugins_dir / PLUGIN), False)
    assert info["error"] == "", info["error_details"]
    assert info["name"] == meta["name"] and info["version_installed"] == meta["version"]
    assert Path(info["icon"]).is_file()


def test_zip_has_one_plugin_folder_as_the_installer_expects(plugin_zip, tmp_path):
    """The zip's layout is what Install from ZIP needs."""
    names = zipfile.ZipFile(plugin_zip).namelist()
    # the installer takes the folder of the shortest metadata.txt path as the plugin's name
    assert sorted(n for n in names if n.endswith("metadata.txt"))[0] == f"{PLUGIN}/metadata.txt"
    assert {n.split("/")[0] for n in names} == {PLUGIN}
    for needed in ("__init__.py", "metadata.txt", "icon.svg", "LICENSE", "provider.py"):
        assert f"{PLUGIN}/{needed}" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # the same sources give the same zip, byte for byte
    again = load_script("scripts/build_qgis_plugin.py").build(tmp_path)
    assert again.read_bytes() == plugin_zip.read_bytes()


def test_the_installed_plugin_registers_the_provider_and_its_algorithms(provider):
    """Started, the plugin offers its eight algorithms."""
    assert provider.id() == PROVIDER
    assert {a.id() for a in provider.algorithms()} == ALGORITHM_IDS
    assert "suzhou_geo" in provider.longName()


def test_unloading_removes_the_provider_and_loading_brings_it_back(provider):
    """Unload and restart (as qgis_process does)."""
    import qgis.utils
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    assert qgis.utils.unloadPlugin(PLUGIN)
    assert registry.providerById(PROVIDER) is None
    assert qgis.utils.loadPlugin(PLUGIN) and qgis.utils.startProcessingPlugin(
        PLUGIN
    )  # as qgis_process does
    assert {a.id() for a in registry.providerById(PROVIDER).algorithms()} == ALGORITHM_IDS


def test_every_algorithm_helps_in_chinese_then_english_citing_no_internal_references(provider):
    """Help: bilingual, cites titles."""
    internal_refs = load_script("tests/_internal_refs.py").internal_refs
    for alg in provider.algorithms():
        assert re.match(r"[\u4e00-\u9fff]+ [A-Z]", alg.displayName()), alg.displayName()
        text = alg.shortHelpString()
        paragraphs = re.findall(r"<p>(.*?)</p>", text, re.S)
        assert paragraphs and re.search(r"[\u4e00-\u9fff]", paragraphs[0]), alg.id()
        assert re.search(r"[A-Za-z]{4,}", paragraphs[1]), alg.id()
        assert not internal_refs(text), (alg.id(), internal_refs(text))
        for p in alg.parameterDefinitions():
            assert re.search(r"[\u4e00-\u9fff]", p.description()), (alg.id(), p.name())
    help_text = " ".join(a.shortHelpString() for a in provider.algorithms())
    for document in ("《关于全面推进美丽苏州建设的实施意见》", "《全面推进美丽昆山建设工作方案》"):
        assert document in help_text
    assert (
        "非官方生态保护红线" in help_text
        and "not the official ecological protection redline" in help_text
    )


def test_an_algorithm_is_offered_only_when_the_library_has_its_functions(provider):
    """REQUIRES decides what is offered."""
    from suzhou_geo_qgis.algorithms import SuzhouGeoAlgorithm

    class Future(SuzhouGeoAlgorithm):
        NAME = "future"
        REQUIRES = ("a_function_this_library_does_not_have",)

    assert not Future.available()
    assert all(type(a).available() for a in provider.algorithms())


def test_without_the_library_the_plugin_says_what_to_do_and_qgis_keeps_running(plugins_dir):
    """In a QGIS whose Python cannot import suzhou_geo: no provider, a bilingual message.

    QGIS with its window (the message bar is a real QgsMessageBar), offscreen.
    """
    script = f"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.modules["suzhou_geo"] = None  # import suzhou_geo now fails as in a Python without it
from qgis.core import QgsApplication
app = QgsApplication([], True, {str(plugins_dir.parent / "profile_without_library")!r})
app.initQgis()
log = []
keep = lambda m, tag, level: log.append((tag, int(level), m))
QgsApplication.messageLog().messageReceived.connect(keep)
from qgis.gui import QgsMessageBar
class Iface:  # the part of QGIS's window the plugin uses
    bar = QgsMessageBar()
    def messageBar(self):
        return self.bar
import qgis.utils
qgis.utils.iface = Iface()
qgis.utils.plugin_paths[:] = [{str(plugins_dir)!r}]
sys.path.insert(0, {str(plugins_dir)!r})
qgis.utils.updateAvailablePlugins()
assert qgis.utils.loadPlugin("{PLUGIN}")
started = qgis.utils.startPlugin("{PLUGIN}")
app.processEvents()
provider = QgsApplication.processingRegistry().providerById("{PROVIDER}")
print("STARTED", started, "PROVIDER", provider is not None)
for tag, level, m in log:
    print("LOG", tag, level, m.replace(chr(10), " | "))
for item in Iface.bar.items():
    print("BAR", int(item.level()), item.duration(), item.title(), "|", item.text())
app.exitQgis()
"""
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "STARTED True PROVIDER False" in proc.stdout
    logged = [line for line in proc.stdout.splitlines() if line.startswith("LOG suzhou_geo 2 ")]
    assert len(logged) == 1, proc.stdout
    message = logged[0]
    for says in (
        "没有可用的 suzhou_geo 库",
        "has no usable suzhou_geo library",
        "--system-site-packages",
        "pip install",
        "OSGeo4W",
        "PYTHONPATH",
        "README",
    ):
        assert says in message, says
    # with QGIS's window: a message that stays until dismissed, in both languages
    bar = [line for line in proc.stdout.splitlines() if line.startswith("BAR ")]
    assert len(bar) == 1 and bar[0].startswith("BAR 2 0 suzhou_geo |"), proc.stdout
    assert "没有可用的 suzhou_geo 库" in bar[0] and "no usable suzhou_geo library" in bar[0]


def test_the_missing_library_message_names_the_problem():
    """The message says what Python said and where to install."""
    from suzhou_geo_qgis.library import check_library, missing_message

    status = check_library("suzhou_geo_no_such_module")
    assert not status.ok and "suzhou_geo_no_such_module" in status.problem
    text = missing_message(status)
    assert text.index("请把 suzhou_geo") < text.index("Install suzhou_geo")  # Chinese first
    assert f"python{sys.version_info[0]}.{sys.version_info[1]}/site-packages" in text
    assert check_library().ok


@pytest.mark.parametrize("version, ok", [("0.0.9", False), ("0.1.0", True), ("1.2.3", True)])
def test_an_older_library_is_refused(monkeypatch, version, ok):
    """A library older than the plugin is refused like a missing one."""
    import types

    from suzhou_geo_qgis import library

    monkeypatch.setitem(sys.modules, "fake_suzhou_geo", types.SimpleNamespace(__version__=version))
    assert library.check_library("fake_suzhou_geo").ok is ok


def test_the_build_script_is_what_the_readme_tells_to_run():
    """The README names the build script, which exists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "scripts/build_qgis_plugin.py" in readme
    assert (ROOT / "scripts" / "build_qgis_plugin.py").is_file()
