"""The installed package carries its data and exposes its public API."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import suzhou_geo
from suzhou_geo.io.bundled import data_dir


def test_data_dir_has_boundaries():
    assert (data_dir() / "boundaries" / "boundaries.geojson").is_file()
    assert (data_dir() / "boundaries" / "README.md").is_file()


@pytest.mark.skipif(os.environ.get("SUZHOU_GEO_EXPECT_WHEEL") != "1", reason="only when testing the wheel")
def test_wheel_carries_data():
    pkg = Path(suzhou_geo.__file__).resolve().parent
    assert data_dir() == pkg / "data", "the non-editable install must read data from inside the package"


def test_public_api_is_reexported():
    for name in suzhou_geo.__all__:
        assert hasattr(suzhou_geo, name), name
