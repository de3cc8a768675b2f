"""sg.revalidate lists exactly the parcels whose verdict a full validate_parcels run with the new redlines changes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, box

import suzhou_geo as sg
from suzhou_geo.errors import InputError

COLUMNS = ["verdict", "reasons", "redline_overlap_m2", "control_overlap_m2", "redline_names", "nearest_redline_m",
           "district", "parcel_area_m2", "geometry_issue", "in_joint_zone", "joint_zone"]


@pytest.fixture(scope="module")
def parcels():
    return sg.datasets.parcels()


@pytest.fixture(scope="module")
def report(parcels):
    return sg.validate_parcels(parcels)


def _without_patch(red: gpd.GeoDataFrame, name: str, patch) -> gpd.GeoDataFrame:
    new = red.copy()
    i = int(np.flatnonzero(red["name"] == name)[0])
    new.loc[i, "geometry"] = new.geometry[i].difference(patch)
    return new


def _same(a: pd.Series, b: pd.Series) -> bool:
    both_missing = a.isna() & b.isna()
    return bool(((a.astype(object) == b.astype(object)) | both_missing).all())


@pytest.mark.parametrize("name", ["阳澄湖(相城)省级重要湿地", "昆山天福国家湿地公园", "太湖(吴中区)重要湿地"])
def test_a_removed_patch_flips_exactly_what_a_full_run_flips(parcels, report, name):
    red = sg.load_redlines()
    hit = report[(report.verdict == "conflict") & report.redline_names.str.contains(name, regex=False)]
    assert len(hit) >= 1
    # a patch around the conflicting parcels of that feature, grown 150 m: some leave, some become near
    patch = shapely.union_all(hit.to_crs("EPSG:4549").buffer(150).values)
    patch = gpd.GeoSeries([patch], crs="EPSG:4549").to_crs("EPSG:4490").iloc[0]
    new = _without_patch(red, name, patch)
    flips = sg.revalidate(report, new)
    full = sg.validate_parcels(parcels, redlines=new)
    expected = report.index[report.verdict.to_numpy() != full.verdict.to_numpy()]
    assert len(expected) >= 1
    assert flips.changes.index.tolist() == expected.tolist()
    assert flips.changes["new_verdict"].tolist() == full.loc[expected, "verdict"].tolist()
    assert flips.changes["old_verdict"].tolist() == report.loc[expected, "verdict"].tolist()
    for c in COLUMNS:  # not only the verdicts: the whole new report is the full run's
        assert _same(flips.report[c], full[c]), c
    assert flips.changes["parcel_id"].tolist() == parcels.loc[expected, "parcel_id"].tolist()
    assert flips.transitions.parcels.sum() == len(expected)


def test_from_a_report_file(tmp_path, report):
    path = sg.write_layer(report, tmp_path / "report.gpkg")
    new = sg.load_redlines().drop(index=8)
    from_file = sg.revalidate(path, new)
    in_memory = sg.revalidate(report, new)
    assert from_file.changes.index.tolist() == in_memory.changes.index.tolist()
    assert from_file.changes.new_verdict.tolist() == in_memory.changes.new_verdict.tolist()
    assert any("rules=" in n for n in from_file.notes) and not any("rules=" in n for n in in_memory.notes)
    csv = sg.write_layer(report, tmp_path / "report.csv")  # WKT, no CRS: said, and given
    with pytest.raises(InputError, match="crs='EPSG:4490'"):
        sg.revalidate(csv, new)
    assert sg.revalidate(csv, new, crs="EPSG:4490").changes.index.tolist() == in_memory.changes.index.tolist()


def test_a_repair_that_changed_the_shape_stays_a_reason_for_review():
    """A bow-tie inside a redline: conflict; the redline removed, the repair still asks for review."""
    red = sg.load_redlines()
    tianfu = red[red.name == "昆山天福国家湿地公园"].to_crs("EPSG:4549").geometry.iloc[0].representative_point()
    x, y = tianfu.x, tianfu.y
    bowtie = Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)])
    clean = box(x - 300, y, x - 200, y + 100)
    parcels = gpd.GeoDataFrame({"id": ["bowtie", "clean"]}, geometry=[bowtie, clean], crs="EPSG:4549")
    report = sg.validate_parcels(parcels, schemes=False)
    assert report.verdict.tolist() == ["conflict", "conflict"]
    new = red[red.name != "昆山天福国家湿地公园"]
    flips = sg.revalidate(report, new)
    full = sg.validate_parcels(parcels, redlines=new, schemes=False)
    assert full.verdict.tolist() == ["review", "pass"]
    assert flips.changes.new_verdict.tolist() == ["review", "pass"]
    assert "修复改变了形状" in flips.changes.new_reasons.iloc[0]


def test_rows_that_could_not_be_checked_stay_as_they_were(report):
    flips = sg.revalidate(report, sg.load_redlines().drop(index=8))
    invalid = report.verdict == "invalid"
    assert invalid.sum() >= 4
    assert flips.report.loc[invalid, "reasons"].tolist() == report.loc[invalid, "reasons"].tolist()
    assert not flips.changes.old_verdict.eq("invalid").any()


def test_the_same_redlines_flip_nothing(report):
    flips = sg.revalidate(report, sg.load_redlines())
    assert flips.changes.empty and flips.illustrative
    assert (flips.report.verdict == report.verdict).all()


def test_parcels_far_from_every_redline_are_not_measured_again():
    parcel = gpd.GeoDataFrame({"id": ["far"]}, geometry=[box(120.95, 31.38, 120.951, 31.381)], crs="EPSG:4490")
    far = gpd.GeoDataFrame({"name": ["远处"], "kind": ["ecological_protection_redline"]},
                           geometry=[box(120.55, 31.85, 120.56, 31.86)], crs="EPSG:4490")
    report = sg.validate_parcels(parcel, redlines=far, schemes=False)
    flips = sg.revalidate(report, far.assign(name="远处2"))
    assert flips.changes.empty and flips.report.verdict.tolist() == report.verdict.tolist()
    assert any("重新量算 0 个地块" in n for n in flips.notes)


def test_not_a_report_is_refused(parcels):
    with pytest.raises(InputError, match="not a parcel report.*verdict"):
        sg.revalidate(parcels, sg.load_redlines())


def test_written_with_labels(tmp_path, report):
    flips = sg.revalidate(report, sg.load_redlines().drop(index=8))
    from openpyxl import load_workbook

    ws = load_workbook(flips.write(tmp_path / "flips.xlsx"))["verdict_changes"]
    header = [c.value for c in ws[1]]
    assert "原判定 old verdict" in header and "新判定 new verdict" in header and "parcel_id" in header
    assert ws["G2"].value == "冲突 conflict" or "冲突 conflict" in [c.value for c in ws[2]]
