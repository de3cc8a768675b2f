"""sg.compare_redlines: exact ledgers, areas against pyproj.Geod, equal-area swaps, floors, farmland conflicts."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from shapely.geometry import box
from shapely.geometry.polygon import orient

import suzhou_geo as sg
from suzhou_geo.redline_use.schema import NO_LEGALITY

GEOD = Geod(ellps="GRS80")
TO_LONLAT = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
RED = "ecological_protection_redline"
# a free spot in 昆山市, away from the bundled redlines (EPSG:4549 metres)
X0, Y0 = 596_000.0, 3_470_000.0
KS = sg.boundary("昆山市").to_crs("EPSG:4549").geometry.iloc[0]


def geod_m2(geom) -> float:
    """Ellipsoidal area by pyproj.Geod of a shape drawn in EPSG:4549: split every metre, then converted."""
    geom = shapely.transform(shapely.segmentize(geom, 1.0), TO_LONLAT.transform, interleaved=False)
    polys = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    return sum(abs(GEOD.geometry_area_perimeter(orient(p, 1.0))[0]) for p in polys)


def layer(*geoms, names=None) -> gpd.GeoDataFrame:
    names = names or [f"R{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"name": names, "kind": [RED] * len(geoms)}, geometry=list(geoms), crs="EPSG:4549")


def width_for(area: float, height: float, x: float, y: float) -> float:
    """Find the width of an x-anchored box of *height* m whose Geod area is *area* m² (bisection)."""
    lo, hi = 0.0, 2 * area / height + 10
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if geod_m2(box(x, y, x + mid, y + height)) < area else (lo, mid)
    return (lo + hi) / 2


def balance(row) -> float:
    return row.old_km2 - row.out_km2 + row.in_km2 - row.noise_out_km2 + row.noise_in_km2 - row.new_km2


def test_the_ledger_balances_per_unit_and_for_the_city():
    """The bundled invented adjustment: 调出 and 补划 in three units, noise in a fourth."""
    cmp = sg.compare_redlines(None, sg.datasets.get_path("redlines_adjusted"))
    ledger = cmp.by_unit
    assert ledger.unit.tolist()[-1] == "苏州市" and len(ledger) == 10
    for row in ledger.itertuples():
        assert abs(balance(row)) < 1e-6, row.unit
        assert row.net_km2 == pytest.approx(row.new_km2 - row.old_km2, abs=1e-6)
    units = ledger.iloc[:-1]
    for c in ("out_km2", "in_km2", "noise_out_km2", "noise_in_km2"):
        assert units[c].sum() == pytest.approx(ledger.iloc[-1][c], abs=1e-9)
    by = ledger.set_index("unit")
    assert not by.loc["吴中区", "not_decreased"] and by.loc["昆山市", "not_decreased"]
    assert by.loc["常熟市", "out_km2"] == 0 and by.loc["常熟市", "noise_out_km2"] > 0  # 虞山 re-digitised: noise only
    # old and new as check_floor measures them
    floors = cmp.floors.set_index("region")
    assert round(by.loc["苏州市", "old_km2"], 4) == floors.loc["苏州市", "before_km2"] == 1846.4761
    assert round(by.loc["昆山市", "new_km2"], 4) == floors.loc["昆山市", "after_km2"]
    assert not floors.loc["昆山市", "ok_before"] and floors.loc["昆山市", "ok_after"]
    assert cmp.illustrative and NO_LEGALITY in cmp.notes


def test_patch_areas_against_geod_and_the_noise_kept_apart():
    base = box(X0, Y0, X0 + 2_000, Y0 + 2_000)
    cut = box(X0 + 300, Y0 + 300, X0 + 700, Y0 + 650)  # a hole: 调出
    add = box(X0 + 2_000, Y0 + 500, X0 + 2_400, Y0 + 900)  # adjoining, 400 m of shared edge: 补划
    moved = shapely.affinity.translate(base, 0.3, 0.0)  # the whole boundary re-drawn 0.3 m east: noise
    old = layer(base)
    new = layer(shapely.union(shapely.difference(moved, cut), add))
    cmp = sg.compare_redlines(old, new)
    p = cmp.patches.set_index("change")
    assert sorted(p.index) == ["added", "removed"]
    assert p.loc["removed", "area_m2"] == pytest.approx(geod_m2(cut), abs=0.01)
    # the re-drawn east edge touches the added patch: its 0.3 m strips are noise, cut off the patch's body
    assert p.loc["added", "area_m2"] == pytest.approx(geod_m2(add), abs=0.01)
    assert p.loc["added", "shared_boundary_m"] == pytest.approx(400, abs=0.05)
    assert bool(p.loc["added", "adjoins_kept"]) and p.loc["added", "distance_to_kept_m"] == 0
    assert p.loc["removed", "compactness"] == pytest.approx(np.pi * 4 * 400 * 350 / (2 * 750) ** 2, abs=5e-4)
    strips = cmp.noise[cmp.noise.area_m2 > 1]  # the 0.3 m strips; the rest is float dust of the reprojection
    assert sorted(strips.change) == ["added", "added", "removed"]
    assert strips["width_m"].max() == pytest.approx(0.3, abs=0.01) and cmp.noise.area_m2.max() < 600
    assert cmp.noise[cmp.noise.area_m2 <= 1].area_m2.sum() < 0.01
    ks = cmp.by_unit.set_index("unit").loc["昆山市"]
    assert ks.noise_out_km2 * 1e6 == pytest.approx(geod_m2(shapely.difference(base, moved)), abs=0.01)
    assert abs(balance(ks)) < 1e-9


def test_an_isolated_patch_does_not_adjoin():
    old = layer(box(X0, Y0, X0 + 1_000, Y0 + 1_000))
    new = layer(box(X0, Y0, X0 + 1_000, Y0 + 1_000), box(X0 + 1_250, Y0, X0 + 1_500, Y0 + 300))
    p = sg.compare_redlines(old, new).patches.iloc[0]
    assert not bool(p.adjoins_kept) and p.shared_boundary_m == 0
    assert p.distance_to_kept_m == pytest.approx(250, abs=0.01)


def test_an_equal_area_swap_nets_zero_and_the_area_does_not_decrease():
    base = box(X0, Y0, X0 + 2_000, Y0 + 2_000)
    cut = box(X0, Y0, X0 + 500, Y0 + 300)  # a corner out
    w = width_for(geod_m2(cut), 400.0, X0 + 2_000, Y0 + 1_000)
    add = box(X0 + 2_000, Y0 + 1_000, X0 + 2_000 + w, Y0 + 1_400)  # the same area added on the east side
    assert geod_m2(add) == pytest.approx(geod_m2(cut), abs=1e-4)
    cmp = sg.compare_redlines(layer(base), layer(shapely.union(shapely.difference(base, cut), add)))
    p = cmp.patches.set_index("change")
    assert p.loc["added", "area_m2"] == pytest.approx(p.loc["removed", "area_m2"], abs=0.01)
    for unit in ("昆山市", "苏州市"):
        row = cmp.by_unit.set_index("unit").loc[unit]
        assert round(row.net_km2, 6) == 0 and bool(row.not_decreased)
    assert cmp.noise.empty


@pytest.mark.parametrize("over", [True, False], ids=["just over the margin", "just under"])
def test_shrinking_kunshan_by_its_margin_flips_its_floor(over):
    red = sg.load_redlines()
    extra = box(X0, Y0, X0 + 2_000, Y0 + 1_500)  # lifts 昆山市 over its floor
    assert KS.contains(extra)
    old = pd.concat([red, gpd.GeoDataFrame({"name": ["补充"], "kind": [RED]}, geometry=[extra], crs="EPSG:4549")
                     .to_crs("EPSG:4490")], ignore_index=True)
    before = sg.check_floor("昆山市", redlines=old)
    assert before.ok and before.margin_km2 > 1
    target = (before.margin_km2 + (3e-4 if over else -3e-4)) * 1e6  # 300 m² either side; compared at 4 decimals
    w = width_for(target, 1_500.0, X0, Y0)
    new = old.copy()
    new.loc[len(new) - 1, "geometry"] = gpd.GeoSeries([box(X0 + w, Y0, X0 + 2_000, Y0 + 1_500)],
                                                      crs="EPSG:4549").to_crs("EPSG:4490").iloc[0]
    cmp = sg.compare_redlines(old, new)
    ks = cmp.floors.set_index("region").loc["昆山市"]
    assert bool(ks.ok_before) and bool(ks.ok_after) is (not over)
    assert cmp.patches.area_m2.sum() == pytest.approx(target, abs=1.0)
    assert ks.margin_after_km2 == pytest.approx(-3e-4 if over else 3e-4, abs=1.5e-4)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dx=st.floats(0, 900), dy=st.floats(-400, 400),
    w=st.floats(2, 600), h=st.floats(2, 600),
    fx=st.floats(0.0, 0.999), fy=st.floats(0.0, 0.999), fw=st.floats(0.01, 300), fh=st.floats(0.01, 300),
)
def test_a_patch_added_over_farmland_is_flagged_every_time(dx, dy, w, h, fx, fy, fw, fh):
    base = box(X0, Y0, X0 + 1_000, Y0 + 1_000)
    add = box(X0 + 1_000 + dx, Y0 + 300 + dy, X0 + 1_000 + dx + w, Y0 + 300 + dy + h)
    fx0, fy0 = add.bounds[0] + fx * w, add.bounds[1] + fy * h  # a farmland corner inside the patch
    farm = gpd.GeoDataFrame({"类型": ["永久基本农田"]}, geometry=[box(fx0, fy0, fx0 + fw, fy0 + fh)], crs="EPSG:4549")
    cmp = sg.compare_redlines(layer(base), layer(base, add), farmland=farm)
    added = cmp.patches[cmp.patches.change == "added"]
    assert len(added) == 1
    expected = geod_m2(shapely.intersection(add, farm.geometry.iloc[0]))
    assert expected > 0
    assert "永久基本农田" in added.conflicts.iloc[0]
    assert added.farmland_m2.iloc[0] == pytest.approx(expected, rel=1e-5, abs=0.01)


def test_removed_patches_overlapping_farmland_are_no_conflict():
    base = box(X0, Y0, X0 + 1_000, Y0 + 1_000)
    cut = box(X0, Y0, X0 + 200, Y0 + 200)
    farm = gpd.GeoDataFrame(geometry=[box(X0 - 50, Y0 - 50, X0 + 100, Y0 + 100)], crs="EPSG:4549")
    urban = gpd.GeoDataFrame(geometry=[box(X0 + 5_000, Y0, X0 + 6_000, Y0 + 100)], crs="EPSG:4549")
    cmp = sg.compare_redlines(layer(base), layer(shapely.difference(base, cut)), farmland=farm, urban_boundary=urban)
    p = cmp.patches.iloc[0]
    assert p.change == "removed" and p.farmland_m2 > 0 and p.urban_m2 == 0 and p.conflicts == ""


def test_scheme_elements_and_features_of_a_patch():
    red = sg.load_redlines()
    new = red.copy()
    i = int(np.flatnonzero(red["name"] == "昆山天福国家湿地公园")[0])
    new.loc[i, "geometry"] = new.geometry[i].difference(box(121.095, 31.32, 121.105, 31.33))
    p = sg.compare_redlines(red, new).patches.iloc[0]
    assert p.features == "昆山天福国家湿地公园" and "天福国家湿地公园" in p.scheme_elements and p.county == "昆山市"


def test_nothing_changed_gives_an_empty_table_and_a_flat_ledger():
    cmp = sg.compare_redlines(None, sg.datasets.get_path("redlines"))
    assert cmp.patches.empty and cmp.noise.empty
    assert (cmp.by_unit.net_km2 == 0).all() and cmp.by_unit.not_decreased.all()
    assert cmp.illustrative  # the sample read from its path says it is illustrative


def test_writes_and_html(tmp_path):
    cmp = sg.compare_redlines(layer(box(X0, Y0, X0 + 1_000, Y0 + 1_000), names=["<b>x</b>"]),
                              layer(box(X0, Y0, X0 + 800, Y0 + 1_000), names=["<b>x</b>"]))
    assert "&lt;b&gt;x" in cmp._repr_html_() and "<b>x</b>" not in cmp._repr_html_()
    back = sg.read_layer(cmp.write(tmp_path / "p.gpkg"))
    assert back["change"].tolist() == ["removed"] and back["features"].tolist() == ["<b>x</b>"]
