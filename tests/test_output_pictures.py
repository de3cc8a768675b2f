"""The pictures of the printable page: the floor chart and the overview map (inline SVG)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import pytest

import suzhou_geo as sg
from suzhou_geo.report.svg import MAX_DOTS, VERDICT_COLOURS, floor_chart, overview_map


@dataclass
class Check:  # the fields floor_chart reads from a FloorCheck
    region: str
    area_km2: float
    floor_km2: float
    margin_km2: float
    ok: bool
    result: str


def test_floor_chart_bars_are_to_scale_and_coloured_by_result():
    below = Check("昆山市", 40.0, 50.0, -10.0, False, "低于底线 BELOW the floor")
    above = Check("苏州市", 2000.0, 1950.0, 50.0, True, "达到底线 meets the floor")
    svg = floor_chart([below, above])
    bars = re.findall(r"<rect x='0' y='[\d.]+' width='([\d.]+)' height='7' fill='(#\w+)'/>", svg)
    lines = [float(x) for x in re.findall(r"<line x1='([\d.]+)'", svg)[:2]]
    (w1, c1), (w2, c2) = bars
    assert c1 == "#c62828" and c2 == "#2e7d32"
    # each region on its own scale: bar / floor marker = area / floor
    assert float(w1) / lines[0] == pytest.approx(40 / 50, rel=1e-3)
    assert float(w2) / lines[1] == pytest.approx(2000 / 1950, rel=1e-3)
    assert "低于底线 BELOW the floor" in svg and "≥ 1,950.0000 km²" in svg


def test_overview_map_draws_units_redlines_zone_and_every_parcel():
    units = sg.jurisdictions(suzhou_only=True, geometry=True).query("level == 'county'")
    report = sg.validate_parcels(sg.datasets.parcels())
    svg = overview_map(
        units, redlines=sg.load_redlines(), zones=sg.joint_control_zone(), report=report
    )
    for name in units.name_zh:
        assert f">{name}</text>" in svg
    drawn = report.geometry.notna() & ~report.geometry.is_empty
    for verdict, colour in VERDICT_COLOURS.items():
        group = re.search(rf"<g fill='{colour}'[^>]*>(.*?)</g>", svg)
        expected = int((drawn & (report.verdict == verdict)).sum())
        assert (group.group(1).count("<circle") if group else 0) == expected, verdict


def test_overview_map_of_many_parcels_stays_small():
    units = sg.jurisdictions(suzhou_only=True, geometry=True).query("level == 'county'")
    report = sg.validate_parcels(sg.datasets.parcels())
    many = gpd.GeoDataFrame(
        pd.concat([report] * (MAX_DOTS // len(report) + 2), ignore_index=True), crs=report.crs
    )
    svg = overview_map(units, report=many)
    assert svg.count("<circle") < len(report)
    assert f"<g fill='{VERDICT_COLOURS['conflict']}'" in svg  # every verdict still shows
