"""Redline loading, the area floors and the what-if check, against independent Geod areas."""

from __future__ import annotations

import dataclasses
import json
import logging

import geopandas as gpd
import pyogrio
import pytest
import shapely
from _internal_refs import internal_refs
from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon, box
from shapely.geometry.polygon import orient

import suzhou_geo as sg
from suzhou_geo.errors import Row
from suzhou_geo.io.bundled import data_dir, data_path
from suzhou_geo.redlines import (
    FLOORS,
    REDLINE,
    SPACE_CONTROL,
    FloorCheck,
    check_floor,
    load_redlines,
)

GEOD = Geod(ellps="GRS80")
KS = sg.boundary("昆山市").geometry.iloc[0]


def geod_km2(geom) -> float:
    """Ellipsoidal area by pyproj.Geod directly, polygon by polygon.

    The geometry is stored in longitude/latitude, so its edges are straight there: they are split
    every 1e-4° (about 10 m; the library splits where projecting bends an edge by more than 1 mm) before Geod measures
    them, which joins vertices with geodesics.
    """
    geom = shapely.segmentize(geom, 1e-4)
    polys = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    return sum(abs(GEOD.geometry_area_perimeter(orient(p, 1.0))[0]) for p in polys) / 1e6


def frame(geoms, kinds=None, crs="EPSG:4490", **cols):
    n = len(geoms)
    data = {"name": [f"f{i}" for i in range(n)], "kind": kinds or [REDLINE] * n, **cols}
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs=crs)


# a 1.1 km x 1.1 km box well inside Kunshan (巴城/玉山 area)
INSIDE = box(120.95, 31.36, 120.9615, 31.37)


def test_inside_box_is_inside_kunshan():
    assert KS.contains(INSIDE)


def test_floors_registry():
    assert FLOORS["苏州市"].floor_km2 == 1950.0 and FLOORS["苏州市"].year == 2035
    # cited by document title and clause, never by an internal file number
    assert "《关于全面推进美丽苏州建设的实施意见》" in FLOORS["苏州市"].source and "十五" in FLOORS["苏州市"].clause
    assert "1950.71" in FLOORS["苏州市"].note
    assert FLOORS["昆山市"].floor_km2 == 47.7531 and "《全面推进美丽昆山建设工作方案》" in FLOORS["昆山市"].source
    assert "47.7531" in FLOORS["昆山市"].clause
    with pytest.raises(dataclasses.FrozenInstanceError):
        FLOORS["昆山市"].floor_km2 = 1  # frozen


def test_dissolve_two_identical_polygons_count_once():
    red = frame([INSIDE, INSIDE])
    fc = check_floor("昆山市", redlines=red)
    assert fc.area_km2 == pytest.approx(geod_km2(INSIDE), abs=1e-7)
    assert fc.area_km2 < 1.5 * geod_km2(INSIDE)  # not twice
    # overlapping by half: area of the union, by hand: 1.5 boxes
    shifted = shapely.affinity.translate(INSIDE, xoff=(INSIDE.bounds[2] - INSIDE.bounds[0]) / 2)
    union_by_hand = box(INSIDE.bounds[0], INSIDE.bounds[1], shifted.bounds[2], INSIDE.bounds[3])
    fc2 = check_floor("昆山市", redlines=frame([INSIDE, shifted]))
    # 1e-6 km² = 1 m²: the union carries extra vertices on the long edges, which moves geodesic edges by mm
    assert fc2.area_km2 == pytest.approx(geod_km2(union_by_hand), abs=1e-6)


def test_redline_crossing_the_kunshan_border_counts_only_its_kunshan_part():
    # straddles the 昆山–嘉定 border near 花桥 (121.1, 31.3)
    poly = box(121.08, 31.30, 121.16, 31.33)
    assert poly.intersects(KS) and not KS.contains(poly)
    fc = check_floor("Kunshan", redlines=frame([poly]))
    clipped_by_hand = shapely.intersection(poly, KS)
    expected = geod_km2(clipped_by_hand)
    assert fc.area_km2 == pytest.approx(expected, abs=1e-6)
    assert fc.area_km2 < geod_km2(poly) - 1.0  # a real part was cut off
    assert list(fc.by_district.name_zh) == ["昆山市"]
    assert fc.by_district.area_km2.iloc[0] == pytest.approx(expected, abs=1e-4)


def test_minus_subtracts_exactly_the_parcel_area_in_any_crs():
    red = frame([INSIDE])
    before = check_floor("昆山市", redlines=red).area_km2
    # the parcel is given in Gauss-Krüger metres (EPSG:4549), 200 m x 150 m
    t = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)
    cx, cy = t.transform(120.955, 31.365)
    parcel_gk = box(cx, cy, cx + 200, cy + 150)
    parcels = gpd.GeoDataFrame({"id": [1]}, geometry=[parcel_gk], crs="EPSG:4549")
    after = check_floor("昆山市", redlines=red, minus=parcels)
    back = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
    parcel_ll = shapely.transform(parcel_gk, back.transform, interleaved=False)
    assert INSIDE.contains(parcel_ll)
    parcel_km2 = geod_km2(parcel_ll)
    assert parcel_km2 == pytest.approx(0.03, rel=0.01)  # 200 m x 150 m, sanity
    assert before - after.area_km2 == pytest.approx(parcel_km2, abs=1e-8)
    assert after.removed_km2 == pytest.approx(parcel_km2, abs=1e-8)
    assert "minus" in after.method


def test_minus_path_and_missing_crs(tmp_path):
    red = frame([INSIDE])
    p = box(120.952, 31.362, 120.954, 31.364)
    path = tmp_path / "parcels.gpkg"
    gpd.GeoDataFrame({"id": [1]}, geometry=[p], crs="EPSG:4490").to_file(path)
    fc = check_floor("昆山市", redlines=red, minus=str(path))
    assert fc.removed_km2 == pytest.approx(geod_km2(p), abs=1e-8)
    with pytest.raises(sg.CRSError):
        check_floor("昆山市", redlines=red, minus=gpd.GeoDataFrame(geometry=[p]))


def test_kind_filter_and_floor_arithmetic():
    ctrl = shapely.affinity.translate(INSIDE, yoff=0.02)
    red = frame([INSIDE, ctrl], kinds=[REDLINE, SPACE_CONTROL])
    a = geod_km2(INSIDE)
    fc = check_floor("昆山市", redlines=red)
    assert fc.area_km2 == pytest.approx(a, abs=1e-7)
    both = check_floor("昆山市", redlines=red, kind=None)
    assert both.area_km2 == pytest.approx(a + geod_km2(ctrl), abs=1e-7)
    assert check_floor("昆山市", redlines=red, floor_km2=a - 0.001).ok
    low = check_floor("昆山市", redlines=red, floor_km2=a + 0.001)
    # the margin is taken at the reported precision: the area rounded to 4 decimals
    assert not low.ok and low.margin_km2 == pytest.approx(round(a, 4) - (a + 0.001), abs=1e-12)
    default = check_floor("昆山市", redlines=red)
    assert default.floor_km2 == 47.7531 and not default.ok
    assert default.margin_km2 == pytest.approx(round(a, 4) - 47.7531, abs=1e-12)
    with pytest.raises(ValueError, match="no floor"):
        check_floor("太仓市", redlines=red)
    assert check_floor("太仓市", redlines=red, floor_km2=1.0).area_km2 == 0.0


def test_by_district_splits_across_units():
    # crosses the 昆山–太仓 border; by_district areas from Geod on hand-clipped parts
    tc = sg.boundary("太仓市").geometry.iloc[0]
    poly = box(121.00, 31.44, 121.08, 31.48)
    assert poly.intersects(tc) and poly.intersects(KS)
    fc = check_floor("苏州市", redlines=frame([poly]), floor_km2=1.0)
    by = fc.by_district.set_index("name_zh").area_km2
    assert by["昆山市"] == pytest.approx(geod_km2(shapely.intersection(poly, KS)), abs=1e-4)
    assert by["太仓市"] == pytest.approx(geod_km2(shapely.intersection(poly, tc)), abs=1e-4)


def test_result_object_display():
    fc = check_floor("昆山市", redlines=frame([INSIDE]))
    assert isinstance(fc, FloorCheck)
    s = str(fc)
    assert f"{fc.area_km2:,.4f}" in s and "47.7531" in s and "BELOW" in s
    df = fc.to_frame()
    assert df.loc[0, "area_km2"] == round(fc.area_km2, 4) and df.loc[0, "ok"] == fc.ok
    assert "ellipsoidal GRS80, dissolved, clipped to 昆山市" in fc.method
    assert "<table" in fc._repr_html_()


def test_sample_is_labelled_and_dissolve_matters():
    r = load_redlines()
    assert r.attrs["illustrative"] is True
    assert "NOT the official" in r.attrs["data_note"]
    assert r.crs.to_epsg() == 4490
    assert set(r.kind) == {REDLINE, SPACE_CONTROL}
    assert r.basis.notna().all() and (r.accuracy_m > 0).all()
    assert shapely.is_valid(r.geometry.values).all()
    fc = check_floor("苏州市")
    assert fc.illustrative and "NOT the official" in fc.data_note
    assert "ILLUSTRATIVE" in fc._repr_html_() and "NOT the official" in str(fc)
    # overlaps exist: the undissolved sum of clipped redline parts is larger (Geod, by hand)
    sz = sg.boundary("苏州市").geometry.iloc[0]
    parts = shapely.intersection(r[r.kind == REDLINE].geometry.values, sz)
    undissolved = sum(geod_km2(p) for p in parts if not p.is_empty and p.geom_type in ("Polygon", "MultiPolygon"))
    assert fc.area_km2 < undissolved - 10
    # published areas were fitted: 阳澄湖(昆山) 1539.16 ha and 天福 779.54 ha
    for name, ha in (("阳澄湖(昆山)省级重要湿地", 1539.16), ("昆山天福国家湿地公园", 779.54)):
        g = r[r.name == name].geometry.iloc[0]
        assert geod_km2(g) == pytest.approx(ha / 100, abs=5e-4)
    ks = check_floor("昆山市")
    assert ks.floor_km2 == 47.7531 and ks.area_km2 > 30


def test_build_info_floor_figures_are_what_check_floor_gives():
    """data/redlines/build_info.json (and the README written with it) is not stale."""
    info = json.loads(data_path("redlines", "build_info.json").read_text(encoding="utf-8"))
    for region, recorded in info["floor_checks_on_this_sample"].items():
        fc = check_floor(region)
        assert recorded["redline_dissolved_km2"] == round(fc.area_km2, 4), region
        assert recorded["margin_km2"] == round(fc.margin_km2, 4), region
        assert recorded["by_district"] == [[n, round(a, 4)] for n, a in fc.by_district[["name_zh", "area_km2"]].values]
    readme = data_path("redlines", "README.md").read_text(encoding="utf-8")
    assert f"{info['floor_checks_on_this_sample']['苏州市']['redline_dissolved_km2']:.4f} km²" in readme


#: The bundled files a user opens or sees through popups and reports.
DATA_TEXT_FILES = sorted(
    {*data_dir().glob("**/*.geojson"), *data_dir().glob("**/README.md"), *data_dir().glob("**/build_info.json")}
)


@pytest.mark.parametrize("path", DATA_TEXT_FILES, ids=lambda p: p.relative_to(data_dir()).as_posix())
def test_bundled_data_files_have_no_internal_references(path):
    """Sources are cited by title: no internal file, section or source numbers, no [INF] marks."""
    assert internal_refs(path.read_text(encoding="utf-8")) == []


def test_every_bundled_data_folder_is_checked_for_internal_references():
    names = {p.relative_to(data_dir()).as_posix() for p in DATA_TEXT_FILES}
    for folder in ("boundaries", "hydrography", "parcels", "redlines", "schemes"):
        assert f"{folder}/README.md" in names
    assert {"redlines/redlines.geojson", "hydrography/lakes.geojson", "schemes/elements.geojson"} <= names


def test_official_style_gbk_shapefile(tmp_path, caplog):
    """GBK, no .cpg, no .prj, EPSG:4549 metres, Chinese column names, a bow-tie."""
    t = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)
    x, y = t.transform(120.95, 31.36)
    bowtie = Polygon([(x, y), (x + 1000, y + 1000), (x + 1000, y), (x, y + 1000)])
    gdf = gpd.GeoDataFrame(
        {
            "HXMC": ["傀儡湖饮用水水源保护区", "阳澄湖(昆山)重要湿地", "吴淞江清水通道"],
            "类型": ["生态保护红线", "国家级生态保护红线", "生态空间管控区域"],
            "类别": ["饮用水水源保护区", "重要湿地", "清水通道维护区"],
        },
        geometry=[box(x, y, x + 500, y + 500), bowtie, box(x + 2000, y, x + 2500, y + 500)],
        crs="EPSG:4549",
    )
    path = tmp_path / "hx.shp"
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    path.with_suffix(".prj").unlink()
    with pytest.raises(sg.CRSError, match="EPSG:4549"):
        load_redlines(path)
    # the bow-tie's repair changes its area from 0 to 0.5 km²: not counted silently
    with pytest.raises(sg.errors.GeometryError) as err, pytest.warns(sg.errors.SuzhouGeoWarning, match="GB18030"):
        load_redlines(path, crs="EPSG:4549")
    assert "hx.shp" in str(err.value) and err.value.row == Row(2) and "invalid='repair'" in str(err.value)
    with pytest.warns(sg.errors.SuzhouGeoWarning, match="GB18030"):
        r = load_redlines(path, crs="EPSG:4549", invalid="repair")
    assert list(r.name) == list(gdf.HXMC)
    assert list(r.kind) == [REDLINE, REDLINE, SPACE_CONTROL]
    assert list(r.category) == ["饮用水水源保护区", "重要湿地", "清水通道维护区"]
    assert "repaired: the boundary crosses itself at (" in r.geometry_issue.iloc[1]
    assert r.geometry_issue.iloc[0] is None
    assert any("第 2 个要素按修复后的形状计入 / feature 2 counted as repaired" in n for n in r.attrs["notes"])
    assert any("feature 2 counted as repaired" in w for w in check_floor("昆山市", redlines=r).warnings)
    assert list(r.jurisdiction) == ["昆山市"] * 3  # filled from location
    assert r.attrs["illustrative"] is False and "hx.shp" in r.attrs["data_note"]
    # bow-tie: two triangles of 0.25 km² each (planar, hand-computed), ellipsoidal within 0.1 %
    assert sg.area_km2(r.geometry.iloc[[1]]).iloc[0] == pytest.approx(0.5, rel=2e-3)


def test_kind_missing_defaults_with_warning(caplog):
    gdf = gpd.GeoDataFrame({"名称": ["a"]}, geometry=[INSIDE], crs="EPSG:4490")
    with caplog.at_level(logging.WARNING, logger="suzhou_geo.redlines"):
        r = load_redlines(gdf)
    assert r.kind.iloc[0] == REDLINE and r.name.iloc[0] == "a"
    assert r.attrs["kind_assumed"] is True
    assert any("kind" in m for m in caplog.messages)


def test_points_and_lines_are_rejected_with_rows():
    gdf = gpd.GeoDataFrame(
        {"name": ["ok", "pt", "ln"]},
        geometry=[INSIDE, Point(120.95, 31.36), shapely.LineString([(120.9, 31.3), (120.91, 31.31)])],
        crs="EPSG:4490",
        index=[10, 11, 12],
    )
    with pytest.raises(ValueError) as err:
        load_redlines(gdf)
    msg = str(err.value)
    assert "feature 2 (索引 index 11)" in msg and "feature 3 (索引 index 12)" in msg
    assert "point" in msg and "line" in msg


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="nothere.shp"):
        load_redlines("nothere.shp")


def test_cli_floors(tmp_path):
    from click.testing import CliRunner

    from suzhou_geo.cli import main

    res = CliRunner().invoke(main, ["floors"])
    assert res.exit_code == 0, res.output
    fc = check_floor("昆山市")
    assert f"昆山市: 面积 area {fc.area_km2:.4f} km², 底线 floor 47.7531 km²" in res.output
    assert "苏州市: 面积 area" in res.output and "floor 1950 km²" in res.output
    assert "NOT the official" in res.output
    # official-style file, no .prj: the error names the CRS and the fix
    t = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)
    x, y = t.transform(120.95, 31.36)
    path = tmp_path / "hx.shp"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(x, y, x + 3000, y + 3000)], crs="EPSG:4549").to_file(path)
    path.with_suffix(".prj").unlink()
    bad = CliRunner().invoke(main, ["floors", "--redlines", str(path)])
    assert bad.exit_code != 0 and "EPSG:4549" in bad.output and "hx.shp" in bad.output
    ambiguous = CliRunner().invoke(main, ["floors", "--redlines", str(path), "--crs", "EPSG:4549"])
    assert ambiguous.exit_code == 2 and "--redlines-crs" in ambiguous.output
    ok = CliRunner().invoke(main, ["floors", "--redlines", str(path), "--redlines-crs", "EPSG:4549"])
    assert ok.exit_code == 0, ok.output
    expected = geod_km2(shapely.transform(box(x, y, x + 3000, y + 3000),
                                          Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True).transform,
                                          interleaved=False))
    assert f"昆山市: 面积 area {expected:.4f} km²" in ok.output


def test_floor_is_compared_at_the_reported_precision():
    """An area that prints as the floor (4 decimals) meets it; one 0.0001 km² below does not."""
    import geopandas as gpd
    import shapely
    from pyproj import Geod

    geod = Geod(ellps="GRS80")

    def square_of(target_km2):
        # bisection on the side of a square in Kunshan, measured with Geod (independent of the library)
        lo, hi = 0.001, 0.02
        for _ in range(80):
            mid = (lo + hi) / 2
            a = abs(geod.geometry_area_perimeter(shapely.box(120.95, 31.35, 120.95 + mid, 31.35 + mid))[0]) / 1e6
            lo, hi = (mid, hi) if a < target_km2 else (lo, mid)
        return shapely.box(120.95, 31.35, 120.95 + hi, 31.35 + hi)

    def check(target):
        red = gpd.GeoDataFrame(
            {"name": ["t"], "kind": ["ecological_protection_redline"]}, geometry=[square_of(target)], crs="EPSG:4490"
        )
        return check_floor("昆山市", redlines=red, floor_km2=1.0)

    just_under = check(0.99996)  # prints as 1.0000
    assert just_under.area_km2 < 1.0 and just_under.ok and just_under.margin_km2 == 0.0
    below = check(0.99994)  # prints as 0.9999
    assert not below.ok and round(below.margin_km2, 4) == -0.0001


def test_minus_with_broken_rows_repairs_and_skips(caplog):
    import geopandas as gpd
    import shapely
    from shapely.geometry import LineString, Point, Polygon

    inside = shapely.box(120.95, 31.35, 120.96, 31.36)
    red = gpd.GeoDataFrame(
        {"name": ["r"], "kind": ["ecological_protection_redline"]},
        geometry=[shapely.box(120.9, 31.3, 121.0, 31.4)],
        crs="EPSG:4490",
    )
    bowtie = Polygon([(120.92, 31.32), (120.93, 31.33), (120.93, 31.32), (120.92, 31.33)])
    minus = gpd.GeoDataFrame(
        geometry=[inside, bowtie, Point(120.97, 31.37), LineString([(120.91, 31.31), (120.92, 31.32)]), None],
        crs="EPSG:4490",
    )
    with caplog.at_level("WARNING", logger="suzhou_geo.redlines"):
        fc = check_floor("昆山市", redlines=red, floor_km2=1.0, minus=minus)
    # independent: the repaired bow-tie is two triangles; Geod on the square plus both triangles
    geod = Geod(ellps="GRS80")
    tri = [Polygon([(120.92, 31.32), (120.925, 31.325), (120.92, 31.33)]),
           Polygon([(120.93, 31.32), (120.93, 31.33), (120.925, 31.325)])]
    expected = sum(abs(geod.geometry_area_perimeter(orient(g))[0]) for g in [inside, *tri]) / 1e6
    assert fc.removed_km2 == pytest.approx(expected, rel=1e-6)
    assert any("not subtracted" in r.message for r in caplog.records)


def test_partly_unknown_kind_column_is_refused():
    import geopandas as gpd
    import shapely

    g = [shapely.box(120.9 + i / 100, 31.3, 120.905 + i / 100, 31.305) for i in range(3)]
    gdf = gpd.GeoDataFrame({"名称": ["a", "b", "c"], "红线类型": ["生态保护红线", "生态空间管控区域", "待定"]},
                           geometry=g, crs="EPSG:4490")
    with pytest.raises(ValueError, match="第 3 个要素 feature 3: '待定'"):
        load_redlines(gdf)
    # a column whose values never name a kind (here: categories) is simply not a kind column
    cats = gdf.assign(红线类型=["重要湿地", "湿地公园", "森林公园"])
    assert set(load_redlines(cats).kind) == {"ecological_protection_redline"}


def test_check_floor_converts_its_geometry_back_once(monkeypatch):
    """Every area of a floor check (total, removed, each county-level unit) comes from one conversion."""
    import suzhou_geo.measure as measure

    calls = []
    real = measure.ensure_crs

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(measure, "ensure_crs", counting)
    fc = sg.check_floor("苏州市", minus=sg.datasets.parcels().iloc[:50])
    assert calls == [2 + 9]  # total, removed and the nine county-level units, measured together
    assert fc.by_district["area_km2"].sum() == pytest.approx(fc.area_km2, abs=1e-3)
