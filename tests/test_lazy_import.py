"""``import suzhou_geo`` and ``suzhou-geo --help`` stay light: folium, rasterio and geopandas load on use.

Each check runs in a fresh interpreter, so that what this test process has
already imported does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("folium", "rasterio", "geopandas", "pandas", "shapely", "pyproj", "pyogrio")


def _loaded(code: str) -> dict:
    """Run *code* in a fresh interpreter; return what it printed as JSON on its last line."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _modules_after(statements: str) -> list[str]:
    code = (
        "import json, sys\n"
        f"{statements}\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    return _loaded(code)


def test_import_loads_nothing_heavy():
    assert _modules_after("import suzhou_geo") == []


def test_the_acceptance_one_liner_prints_false():
    out = subprocess.run(
        [sys.executable, "-c", "import suzhou_geo, sys; print('folium' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["report", "--help"], ["map", "--help"]])
def test_cli_help_loads_neither_folium_nor_rasterio(args):
    loaded = _modules_after(
        "from suzhou_geo.cli import main\n"
        "try:\n"
        f"    main({args!r}, standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass"
    )
    assert "folium" not in loaded and "rasterio" not in loaded
    if args == ["--help"]:
        assert loaded == []


def test_import_is_quick():
    # the best of three fresh interpreters (the machine may be busy); the target is 0.3 s
    code = (
        "import json, time\n"
        "t = time.perf_counter()\n"
        "import suzhou_geo\n"
        "print(json.dumps(time.perf_counter() - t))"
    )
    best = min(_loaded(code) for _ in range(3))
    assert best < 0.3


def test_public_api_is_unchanged_and_resolves_on_use():
    import suzhou_geo as sg

    for name in sg.__all__:
        assert getattr(sg, name) is not None, name
    assert set(sg.__all__) <= set(dir(sg))
    # the two functions named like submodules stay the functions once those modules are imported
    import suzhou_geo.layer  # noqa: F401
    import suzhou_geo.spatial_schemes  # noqa: F401
    from suzhou_geo.spatial_schemes import layers, schemes
    from suzhou_geo.validate import validate_parcels

    assert sg.layers is layers and sg.schemes is schemes
    assert sg.validate_parcels is validate_parcels
    from suzhou_geo import io as sg_io

    assert sg_io is sg.io and callable(sg.io.read)
    with pytest.raises(AttributeError):
        sg.no_such_name  # noqa: B018


def test_using_a_map_function_loads_folium_then():
    loaded = _modules_after("import suzhou_geo as sg\nsg.plan_map")
    assert "folium" in loaded
