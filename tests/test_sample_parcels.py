"""The bundled synthetic parcels: every verdict appears, and each matches the intent recorded in ``case``."""

from __future__ import annotations

import geopandas as gpd
import pytest

import suzhou_geo as sg

EXPECTED = {
    "clean": {"pass"},
    "multipart_clean": {"pass"},
    "inside_redline": {"conflict"},
    "straddles_redline": {"conflict"},
    "near_redline": {"review"},
    "inside_space_control": {"review"},
    "joint_zone": {"notice"},
    "touches_redline_edge": {"review", "pass"},
    "broken_empty": {"invalid"},
    "broken_point": {"invalid"},
    "broken_line": {"invalid"},
    "broken_missing": {"invalid"},
}


@pytest.fixture(scope="module")
def sample():
    return gpd.read_file(sg.data_path("parcels", "parcels.gpkg"))


@pytest.fixture(scope="module")
def report(sample):
    return sg.validate_parcels(sample)


def test_every_row_kept_in_order(sample, report):
    assert len(report) == len(sample) == 382
    assert list(report.parcel_id) == list(sample.parcel_id)
    assert set(report.verdict) == {"conflict", "review", "notice", "pass", "invalid"}


@pytest.mark.parametrize("case,allowed", sorted(EXPECTED.items()))
def test_verdict_matches_intent(report, case, allowed):
    rows = report[report["case"] == case]
    assert len(rows), case
    assert set(rows.verdict) <= allowed, rows[["parcel_id", "verdict", "reasons"]].to_string()


def test_repaired_and_outside_rows_are_explained(report):
    bow = report[report["case"] == "broken_self_intersecting"].iloc[0]
    assert bow.verdict != "invalid" and "repaired" in bow.geometry_issue
    for reason in report[report["case"] == "outside_suzhou"].reasons:
        assert "outside Suzhou" in reason
    for _, row in report[report.verdict == "invalid"].iterrows():
        assert row.reasons and row.geometry_issue


def test_inside_parcels_overlap_by_their_whole_area(report):
    # parcels built > 300 m inside a redline: overlap = the parcel's own area (independent: Geod)
    inside = report[report["case"] == "inside_redline"]
    own = sg.area_m2(inside.geometry)
    assert ((inside.redline_overlap_m2 - own).abs() / own).max() < 1e-3
