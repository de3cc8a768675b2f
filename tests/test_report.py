"""The main job, ``suzhou-geo report``, end to end on the bundled data."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from _browser import Page, browser_test, launch_browser
from click.testing import CliRunner

import suzhou_geo as sg
from suzhou_geo.cli import main
from suzhou_geo.report import REPORT_FILES


@pytest.fixture(scope="module")
def outdir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    r = CliRunner().invoke(main, ["report", "-o", str(out), "--offline"])
    assert r.exit_code == 0, r.output
    assert "昆山市" in r.output and "parcels: 382" in r.output
    return out


def test_all_files_written(outdir):
    for name in REPORT_FILES:
        assert (outdir / name).stat().st_size > 0, name


def test_report_rows_equal_sample_rows(outdir):
    sample = gpd.read_file(sg.data_path("parcels", "parcels.gpkg"))
    gpkg = gpd.read_file(outdir / "parcels_report.gpkg")
    csv = pd.read_csv(outdir / "parcels_report.csv")
    assert len(gpkg) == len(csv) == len(sample)
    assert list(gpkg.parcel_id) == list(sample.parcel_id) == list(csv.parcel_id)
    # Chinese text survives the round trip
    assert gpkg.reasons.str.contains("生态保护红线").any()


def test_floors_files_match_an_independent_check(outdir):
    floors = pd.read_csv(outdir / "floors.csv")
    assert set(floors.region) == {"苏州市", "昆山市"}
    assert floors.set_index("region").floor_km2.to_dict() == {"苏州市": 1950.0, "昆山市": 47.7531}
    # independent: dissolve + clip + Geod, computed here without check_floor
    import shapely
    from pyproj import Geod

    red = sg.load_redlines()
    red = red[red.kind == "ecological_protection_redline"]
    ks = sg.boundary("昆山市").geometry.iloc[0]
    clipped = shapely.intersection(shapely.union_all(red.geometry.values), ks)
    expected = abs(Geod(ellps="GRS80").geometry_area_perimeter(shapely.orient_polygons(clipped))[0]) / 1e6
    assert floors.set_index("region").area_km2["昆山市"] == pytest.approx(expected, abs=1e-3)
    md = (outdir / "floors.md").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE" in md


def test_summary_says_what_the_data_is(outdir):
    text = (outdir / "summary.md").read_text(encoding="utf-8")
    assert "not the official ecological protection redline" in text
    for verdict in ("conflict", "review", "notice", "pass", "invalid"):
        assert f"| {verdict} |" in text


def test_bad_parcel_file_is_named(tmp_path):
    bad = tmp_path / "nocrs.gpkg"
    from shapely.geometry import box

    gpd.GeoDataFrame(geometry=[box(557_000, 3_464_000, 557_100, 3_464_100)]).to_file(bad, crs=None)
    r = CliRunner().invoke(main, ["report", "-o", str(tmp_path / "o"), "--parcels", str(bad)])
    assert r.exit_code == 2 and "nocrs.gpkg" in r.output and "EPSG:4549" in r.output


@browser_test
def test_offline_map_renders_every_layer(outdir):
    html = (outdir / "map.html").read_text(encoding="utf-8")
    assert "<script src=\"http" not in html and "<link href=\"http" not in html
    for b in launch_browser():
        page = Page(b, outdir / "map.html")
        try:
            names = page.js("() => [...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.textContent.trim())")
            assert not page.errors and not page.failed_assets, (page.errors, page.failed_assets)
        finally:
            page.close()
    joined = " | ".join(names)
    # every scheme, the redlines, the joint zone and the parcel verdicts are listed
    for scheme_name in sg.schemes().name_zh:
        assert scheme_name.split("、")[0] in joined, scheme_name
    for needle in ("illustrative", "conflict", "pass", "invalid", "嘉"):
        assert needle in joined, needle
