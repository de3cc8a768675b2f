"""Shared fixtures: tiny in-memory data, built once per session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def kunshan():
    import suzhou_geo as sg

    return sg.boundary("昆山市")


@pytest.fixture(scope="session")
def suzhou_units():
    import suzhou_geo as sg

    return sg.jurisdictions(suzhou_only=True, geometry=True)
