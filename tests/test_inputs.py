"""Inputs that are never silently wrong: the bad-input corpus, edges, datums, one geometry per layer.

The corpus (``tests/bad_inputs.py``) is built from scratch in a temporary folder:
real files in the formats users have.  Positions are checked against the truth
the corpus was made from (legacy coordinates computed with an independent
``+towgs84`` PROJ definition), overlaps against ``shapely.intersection`` in
longitude/latitude on the densified source geometry measured with
``pyproj.Geod`` — never against the library's own output.
"""

from __future__ import annotations

import warnings

import bad_inputs  # tests/ is on sys.path (pytest inserts the test file's folder)
import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from shapely.geometry import Polygon, box

import suzhou_geo as sg
from suzhou_geo.errors import CRSError, DatumError, GeometryError, InputError, Row, SuzhouGeoWarning

GEOD = Geod(ellps="GRS80")
TO_GK = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)


def geod_m2(geom) -> float:
    """Geod area of a lon/lat geometry whose edges are straight in lon/lat (split every 1e-5°, ~1 m)."""
    if geom is None or geom.is_empty:
        return 0.0
    geom = shapely.segmentize(geom, 1e-5)
    total = 0.0
    for part in shapely.get_parts(geom):
        if part.geom_type == "Polygon":
            total += abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(part))[0])
    return total


def gk_distance(a, b) -> float:
    """Largest distance (m, EPSG:4549) between two lon/lat geometries' outlines."""
    ga = shapely.transform(a, TO_GK.transform, interleaved=False)
    gb = shapely.transform(b, TO_GK.transform, interleaved=False)
    return float(shapely.hausdorff_distance(ga.boundary, gb.boundary))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_inputs")
    return folder, {c.name: c for c in bad_inputs.build(folder)}


def _validate(path, **kw):
    return sg.validate_parcels(path, joint_zones=False, schemes=False, **kw)


def _error_class(name):
    return {"DatumError": DatumError, "CRSError": CRSError}[name]


# --------------------------------------------------------------------------- the corpus, case by case

ERROR_CASES = ["xian80_gk120", "beijing54_gk120", "xian80_zone40", "beijing54_zone40", "newbeijing_gk120",
               "xian80_geographic", "beijing54_geographic", "gk_no_prj", "zone40_under_4549_prj",
               "latlon_swapped", "gk_swapped_no_prj", "pandas_wkt_csv", "excel_gbk_wkt_csv"]


@pytest.mark.parametrize("name", ERROR_CASES)
def test_refused_with_the_fix_then_read_right(corpus, name):
    folder, cases = corpus
    case = cases[name]
    path = folder / case.file
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuzhouGeoWarning)
        with pytest.raises(_error_class(case.error)) as err:
            _validate(path)
        msg = str(err.value)
        assert case.file in msg, msg
        for word in case.match:
            assert word in msg, (word, msg)
        assert "override" not in msg or "override_crs" in case.options or "sg.Source" in msg
        # following the advice gives the right answer: every row, in order, at its true position
        r = _validate(sg.Source(str(path), **case.options))
    truth = bad_inputs.truth_frame()
    assert len(r) == 3 and list(r["编号"]) == ["A1", "A2", "A3"] and list(r["名称"]) == bad_inputs.NAMES
    for got, want in zip(r.geometry, truth.geometry, strict=True):
        # 5 mm: PROJ's +towgs84 and +proj=helmert treat the 2" rotations to different orders (≤ 1.5 mm here)
        assert gk_distance(got, want) < 0.005
    assert (r.verdict != "invalid").all()
    assert not r.approximate_position.any()


def test_approximate_datum_is_said_everywhere(corpus):
    folder, _ = corpus
    r = _validate(sg.Source(str(folder / "xian80_gk120.shp"), approximate_datum=True))
    # the made-up shift is ~140 m: PROJ's ballpark conversion leaves that much error, and says nothing
    truth = bad_inputs.truth_frame()
    off = max(gk_distance(g, t) for g, t in zip(r.geometry, truth.geometry, strict=True))
    assert 30 < off < 200
    assert r.approximate_position.all()
    assert r.reasons.str.contains("approximate").all() and r.reasons.str.contains("±").all()
    assert "approximate" in sg.summarize(r).note


def test_datum_shift_matches_an_independent_pipeline(corpus):
    """The library's Helmert pipeline against PROJ's own +towgs84 handling, on a grid of points."""
    from suzhou_geo.crs import DatumShift

    lon, lat = np.meshgrid(np.linspace(120.2, 121.3, 12), np.linspace(30.8, 32.0, 12))
    for epsg in (2385, 2437, 4610):
        legacy = bad_inputs.legacy_crs(epsg)
        x, y = Transformer.from_crs("EPSG:4326", legacy, always_xy=True).transform(lon.ravel(), lat.ravel())
        ours = Transformer.from_pipeline(DatumShift.parse(bad_inputs.HELMERT).pipeline(f"EPSG:{epsg}"))
        lo, la = ours.transform(x, y)
        d = GEOD.inv(lo, la, lon.ravel(), lat.ravel())[2]
        # WGS84 vs GRS80 (0.1 mm) and second-order rotation terms of the 2" rotations (≤ 1.5 mm)
        assert d.max() < 0.005, (epsg, d.max())


@pytest.mark.parametrize("name", ["gbk_no_cpg", "gbk_cpg_1252", "gbk_cpg_utf8"])
def test_encodings_never_mojibake_in_silence(corpus, name):
    folder, cases = corpus
    with pytest.warns(SuzhouGeoWarning, match="GB18030") as rec:
        r = _validate(folder / cases[name].file, crs=None)
    assert list(r["名称"]) == bad_inputs.NAMES
    assert any("encoding='GB18030'" in str(w.message) for w in rec)


def test_broken_rings_get_verdicts_with_reasons(corpus):
    folder, cases = corpus
    r = _validate(folder / "broken_rings.gpkg")
    want = cases["broken_rings"].rows
    assert {int(k): v for k, v in want.items()} == dict(enumerate(r.verdict))
    assert "NaN" in r.reasons.iloc[0]
    assert "area change 40.0%" in r.reasons.iloc[1] and "checked as repaired" in r.reasons.iloc[1]
    assert "under 1 m²" in r.reasons.iloc[2] and "under 1 m²" in r.reasons.iloc[3]
    assert "area change 100.0%" in r.reasons.iloc[4]
    # nothing lost: the NaN geometry is kept as it was drawn
    assert np.isnan(shapely.get_coordinates(r.geometry.iloc[0])).any()


def test_report_named_columns_are_kept(corpus):
    folder, _ = corpus
    with pytest.warns(SuzhouGeoWarning, match="verdict → verdict_input"):
        r = _validate(folder / "report_named_columns.gpkg")
    assert list(r.verdict_input) == ["已批", "待批", "已批"]
    assert list(r.reasons_input) == ["见附件"] * 3 and list(r.district_input) == ["巴城镇"] * 3
    assert set(r.verdict) <= set(sg.validate.VERDICTS)
    assert r.attrs["renamed_columns"]["verdict"] == "verdict_input"


def test_a_text_attribute_called_geometry_survives(corpus):
    folder, _ = corpus
    path = folder / "geometry_attribute.geojson"
    frame = sg.read_layer(path)
    assert list(frame["geometry"]) == ["北侧", "东侧", "南侧"] and frame.geometry.name == "geom"
    r = _validate(path)
    assert list(r["geometry"]) == ["北侧", "东侧", "南侧"] and (r.verdict != "invalid").all()


# --------------------------------------------------------------------------- redline edges, exactly

def _edge_strip(a, b, width_deg, side):
    """Return a thin strip along the segment a→b, on one side (+1 left, -1 right), sharing the segment exactly."""
    (x0, y0), (x1, y1) = a, b
    nx, ny = -(y1 - y0), x1 - x0
    n = np.hypot(nx, ny)
    ox, oy = side * width_deg * nx / n, side * width_deg * ny / n
    return Polygon([(x0, y0), (x1, y1), (x1 + ox, y1 + oy), (x0 + ox, y0 + oy)])


@pytest.fixture(scope="module")
def edge_redline():
    """Return a protection redline in lon/lat with long edges (like the bundled ones), and its exterior ring."""
    ring = [(120.90, 31.30), (121.02, 31.31), (121.05, 31.39), (120.93, 31.40), (120.90, 31.30)]
    red = gpd.GeoDataFrame({"name": ["测试红线"], "kind": ["ecological_protection_redline"]},
                           geometry=[Polygon(ring)], crs="EPSG:4490")
    return red, ring


def _check_strip(strip, red_geom, report_row):
    expected = geod_m2(shapely.intersection(shapely.segmentize(red_geom, 1e-5), strip))
    got = report_row.redline_overlap_m2
    assert abs(got - expected) <= max(0.5, 0.005 * expected), (got, expected)
    tol = max(sg.RULES.overlap_min_m2, sg.RULES.overlap_min_ratio * report_row.parcel_area_m2)
    assert (report_row.verdict == "conflict") == (got > tol)
    return expected


def test_strips_along_redline_edges_inside_and_outside(edge_redline):
    red, ring = edge_redline
    strips, sides = [], []
    for (a, b) in zip(ring[:-1], ring[1:], strict=True):
        for t0 in (0.1, 0.45, 0.8):  # a piece of each edge, 200–600 m long
            pa = (a[0] + t0 * (b[0] - a[0]), a[1] + t0 * (b[1] - a[1]))
            pb = (a[0] + (t0 + 0.05) * (b[0] - a[0]), a[1] + (t0 + 0.05) * (b[1] - a[1]))
            for side in (1, -1):
                strips.append(_edge_strip(pa, pb, 0.0002, side))
                sides.append(side)
    r = sg.validate_parcels(gpd.GeoDataFrame(geometry=strips, crs="EPSG:4490"), redlines=red, joint_zones=False,
                            schemes=False)
    for i, row in r.iterrows():
        inside = sides[i] == 1  # the ring runs counter-clockwise: left of each edge is inside
        _check_strip(strips[i], red.geometry.iloc[0], row)
        if inside:
            assert row.redline_overlap_ratio == pytest.approx(1.0, abs=1e-6) and row.verdict == "conflict"
        else:
            assert row.redline_overlap_m2 == 0 and row.verdict == "review" and row.nearest_redline_m == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edge=st.integers(0, 3),
    t0=st.floats(0.0, 0.9),
    length=st.floats(0.001, 0.1),
    width=st.floats(1e-6, 5e-4),
    side=st.sampled_from([1, -1]),
)
def test_property_parcels_along_edges(edge_redline, edge, t0, length, width, side):
    red, ring = edge_redline
    a, b = ring[edge], ring[edge + 1]
    t1 = min(t0 + length, 1.0)
    pa = (a[0] + t0 * (b[0] - a[0]), a[1] + t0 * (b[1] - a[1]))
    pb = (a[0] + t1 * (b[0] - a[0]), a[1] + t1 * (b[1] - a[1]))
    strip = _edge_strip(pa, pb, width, side)
    r = sg.validate_parcels(gpd.GeoDataFrame(geometry=[strip], crs="EPSG:4490"), redlines=red,
                            joint_zones=False, schemes=False, n_jobs=1)
    row = r.iloc[0]
    if row.verdict == "invalid":  # under 1 m²: said so
        assert "under 1 m²" in row.reasons
        return
    expected = _check_strip(strip, red.geometry.iloc[0], row)
    assert (expected > 0.5) == (side == 1) or expected <= 0.5


# --------------------------------------------------------------------------- one geometry per layer

def _parcels_over_redline_edges():
    """Non-overlapping parcels across the edges of the bundled redlines in 昆山市 (some across long edges)."""
    red = sg.load_redlines()
    red = red[(red.kind == "ecological_protection_redline") & (red.jurisdiction == "昆山市")]
    out = []
    for geom in red.geometry:
        coords = shapely.get_coordinates(geom.exterior if geom.geom_type == "Polygon" else geom.geoms[0].exterior)
        for k in range(0, len(coords) - 1, max(1, len(coords) // 6)):
            x, y = coords[k]
            out.append(box(x - 0.0015, y - 0.0012, x + 0.0015, y + 0.0012))
    frame = gpd.GeoDataFrame(geometry=out, crs="EPSG:4490")
    # inside 昆山市 (what check_floor clips to) and not overlapping each other (check_floor dissolves them)
    ks = sg.boundary("昆山市").geometry.iloc[0].buffer(-0.002)
    keep = [i for i, g in enumerate(out) if ks.contains(g) and not any(g.intersects(h) for h in out[:i])]
    return frame.iloc[keep].reset_index(drop=True)


def test_validate_overlap_equals_what_check_floor_removes():
    parcels = _parcels_over_redline_edges()
    assert len(parcels) >= 5
    r = sg.validate_parcels(parcels, joint_zones=False, schemes=False)
    assert (r.redline_overlap_m2 > 0).sum() >= 5
    fc = sg.check_floor("昆山市", minus=parcels)
    total = r.redline_overlap_m2.sum() / 1e6
    assert fc.removed_km2 == pytest.approx(total, rel=1e-6)
    # and both against the independent computation, parcel by parcel
    red = sg.load_redlines()
    prot = shapely.union_all(red[red.kind == "ecological_protection_redline"].geometry.values)
    for p, got in zip(parcels.geometry, r.redline_overlap_m2, strict=True):
        want = geod_m2(shapely.intersection(shapely.segmentize(prot, 1e-5), p))
        assert abs(got - want) <= max(0.5, 0.005 * want)


def test_overlap_does_not_depend_on_the_crs_the_parcels_come_in():
    parcels = _parcels_over_redline_edges()
    ll = sg.validate_parcels(parcels, joint_zones=False, schemes=False)
    # the same parcels, densified in lon/lat (edges are straight there) and given in EPSG:4549
    dense = parcels.copy()
    dense["geometry"] = shapely.segmentize(parcels.geometry.values, 1e-5)
    gk = sg.validate_parcels(dense.to_crs("EPSG:4549"), joint_zones=False, schemes=False)
    a, b = ll.redline_overlap_m2.to_numpy(), gk.redline_overlap_m2.to_numpy()
    assert (a > 100).sum() >= 5
    # each copy is within 1 mm of the parcel's shape: overlaps agree to max(0.01 m², 1e-5 relative)
    assert (np.abs(a - b) <= np.maximum(0.01, 1e-5 * a)).all(), np.abs(a - b).max()


# --------------------------------------------------------------------------- each CRS option for its own layer

def test_minus_crs_applies_to_minus_only():
    parcels = _parcels_over_redline_edges().iloc[:4]
    gcj = sg.wgs84_to_gcj02(parcels)
    plain = sg.check_floor("昆山市", minus=parcels)
    shifted = sg.check_floor("昆山市", minus=gcj, minus_crs="GCJ-02")
    # edges are straight where they are stored: in GCJ-02 degrees for the Amap copy, which bends them by
    # fractions of a millimetre on the way back (hence not 1e-6)
    assert shifted.removed_km2 == pytest.approx(plain.removed_km2, rel=1e-5)
    assert shifted.area_km2 == pytest.approx(plain.area_km2, abs=1e-6)
    # a frame the library shifted itself says so (attrs) and comes back; without that marker it has no CRS
    assert sg.check_floor("昆山市", minus=gcj).removed_km2 == pytest.approx(shifted.removed_km2, rel=1e-9)
    gcj.attrs = {}
    with pytest.raises(CRSError) as err:
        sg.check_floor("昆山市", minus=gcj)
    assert "minus_crs=" in str(err.value) and "override" not in str(err.value)


def test_cli_floors_minus_crs_and_redlines_crs(tmp_path):
    from suzhou_geo.cli import main

    parcels = _parcels_over_redline_edges().iloc[:4]
    amap = tmp_path / "amap.geojson"
    sg.wgs84_to_gcj02(parcels).set_crs("EPSG:4326").to_file(amap)  # Amap data labelled WGS84
    res = CliRunner().invoke(main, ["floors", "--minus", str(amap), "--minus-crs", "GCJ-02"])
    assert res.exit_code == 0, res.output
    want = sg.check_floor("昆山市", minus=parcels)
    assert f"昆山市: 面积 area {want.area_km2:.4f} km²" in res.output
    bundled = sg.check_floor("昆山市")
    assert bundled.area_km2 > want.area_km2  # the bundled redlines were not shifted


def test_cli_validate_redlines_crs(tmp_path):
    from suzhou_geo.cli import main

    red = sg.load_redlines()
    red = red[red.jurisdiction == "昆山市"][["name", "kind", "geometry"]].to_crs("EPSG:4549")
    path = tmp_path / "hx.shp"
    red.to_file(path, encoding="UTF-8")
    path.with_suffix(".prj").unlink()
    parcels = tmp_path / "p.gpkg"
    _parcels_over_redline_edges().to_file(parcels)
    bad = CliRunner().invoke(main, ["validate", str(parcels), "-o", str(tmp_path / "r.gpkg"), "--redlines", str(path)])
    assert bad.exit_code == 2 and "--redlines-crs" in bad.output and "Traceback" not in bad.output
    ok = CliRunner().invoke(main, ["validate", str(parcels), "-o", str(tmp_path / "r.gpkg"), "--redlines", str(path),
                                   "--redlines-crs", "EPSG:4549"])
    assert ok.exit_code == 0, ok.output


# --------------------------------------------------------------------------- errors that help

def test_messages_name_only_arguments_the_function_takes():
    bare = gpd.GeoSeries([box(590_000, 3_470_000, 590_100, 3_470_100)])
    with pytest.raises(CRSError) as err:
        sg.scheme("三核四轴四片").locate(bare)
    assert "crs='EPSG:4549'" in str(err.value) and "override" not in str(err.value)
    with pytest.raises(CRSError) as err:
        sg.validate_parcels(bare)
    assert "crs='EPSG:4549'" in str(err.value)
    red = gpd.GeoDataFrame({"name": ["x"]}, geometry=bare.values)
    with pytest.raises(CRSError) as err:
        sg.validate_parcels(gpd.GeoSeries([box(120.95, 31.36, 120.951, 31.361)], crs=4490), redlines=red)
    assert "redlines_crs='EPSG:4549'" in str(err.value)
    with pytest.raises(CRSError) as err:
        sg.check_floor("昆山市", redlines=red)
    assert "redlines_crs=" in str(err.value)


def test_reference_layers_prepared_beside_the_read_keep_the_callers_context_and_order(tmp_path, monkeypatch):
    """The redlines are prepared in a thread while the parcels are read: in the caller's context, errors in order."""
    import contextvars

    from suzhou_geo.validate import ValidationInputs

    probe: contextvars.ContextVar[str] = contextvars.ContextVar("probe", default="a context of its own")
    seen: list[str] = []
    prepare = ValidationInputs.prepare

    def spy(self):
        seen.append(probe.get())
        return prepare(self)

    monkeypatch.setattr(ValidationInputs, "prepare", spy)
    red = sg.load_redlines().iloc[:3]
    parcels = gpd.GeoDataFrame(geometry=[box(120.95, 31.36, 120.951, 31.361)], crs=4490)
    parcels.to_file(tmp_path / "p.gpkg")
    token = probe.set("the caller's")  # what spelled() sets for messages, carried the same way
    try:
        sg.validate_parcels(parcels, redlines=red, joint_zones=False, schemes=False)
        sg.redline_overlap(str(tmp_path / "p.gpkg"), redlines=red)  # read in batches beside the preparing
    finally:
        probe.reset(token)
    assert seen and set(seen) == {"the caller's"}
    # both unreadable: the parcels are named, as when one was read after the other
    with pytest.raises(InputError) as err:
        sg.validate_parcels(str(tmp_path / "nowhere.gpkg"), redlines=str(tmp_path / "no_redlines.gpkg"))
    assert "nowhere.gpkg" in str(err.value) and "no_redlines" not in str(err.value)
    with pytest.raises(InputError) as err:
        sg.validate_parcels(parcels, redlines=str(tmp_path / "no_redlines.gpkg"))
    assert "no_redlines.gpkg" in str(err.value)


def test_kind_column_of_unknown_values_is_an_error_for_frames_and_files(tmp_path):
    g = gpd.GeoDataFrame({"name": ["a", "b"], "kind": ["湿地", "森林"]},
                         geometry=[box(120.95, 31.36, 120.951, 31.361), box(120.96, 31.36, 120.961, 31.361)],
                         crs="EPSG:4490")
    with pytest.raises(InputError, match="kind"):
        sg.load_redlines(g)
    g.to_file(tmp_path / "k.gpkg")
    with pytest.raises(InputError, match="kind"):
        sg.load_redlines(tmp_path / "k.gpkg")


def test_redline_with_nan_vertex_is_an_error_naming_the_row():
    bad = Polygon([(120.95, 31.36), (120.96, 31.36), (np.nan, 31.37), (120.95, 31.37)])
    g = gpd.GeoDataFrame({"name": ["ok", "broken"]}, geometry=[box(120.9, 31.3, 120.91, 31.31), bad],
                         crs="EPSG:4490", index=[7, 8])
    with pytest.raises(GeometryError) as err:
        sg.check_floor("昆山市", redlines=g)
    assert err.value.row == Row(2, 8) and "NaN" in str(err.value)  # counted from 1, with the input's own index
    assert "第 2 个要素 feature 2 (索引 index 8)" in str(err.value)
    fc = sg.check_floor("昆山市", redlines=sg.load_redlines(g, invalid="exclude"))
    assert any("第 2 个要素（索引 8）已排除 / feature 2 (index 8) excluded" in w for w in fc.warnings)


@pytest.mark.parametrize("command", [["area"], ["zonal", "RASTER"], ["rasterize", "-o", "OUT"]])
def test_cli_corrupt_file_is_one_line_and_exit_2(tmp_path, command):
    from suzhou_geo.cli import main

    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not a geopackage" * 20)
    raster = tmp_path / "r.tif"
    raster.write_bytes(b"")
    args = [a.replace("RASTER", str(raster)).replace("OUT", str(tmp_path / "o.tif")) for a in command]
    if command[0] == "zonal":
        import rasterio
        from rasterio.transform import from_origin

        with rasterio.open(raster, "w", driver="GTiff", width=2, height=2, count=1, dtype="uint8", crs="EPSG:4549",
                           transform=from_origin(590_000, 3_470_000, 30, 30)) as ds:
            ds.write(np.ones((1, 2, 2), dtype="uint8"))
    res = CliRunner().invoke(main, [*args, str(junk)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "junk.gpkg" in res.output
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1


# --------------------------------------------------------------------------- escaping

EVIL = "<img src=x onerror=alert(1)>"


def test_reprs_escape_what_they_show(tmp_path):
    from suzhou_geo.report import ReportResult

    report = sg.validate_parcels(gpd.GeoSeries([box(120.95, 31.36, 120.951, 31.361)], crs=4490),
                                 joint_zones=False, schemes=False)
    res = ReportResult(tmp_path / EVIL, {}, [sg.check_floor("昆山市")], report, None, {}, EVIL)
    assert "<img" not in res._repr_html_()
    lay = sg.io.read(gpd.GeoSeries([box(120.95, 31.36, 120.951, 31.361)], crs=4490), name=EVIL)
    assert "<img" not in lay._repr_html_()
    units = sg.jurisdictions(suzhou_only=True, geometry=True).iloc[:2]
    with sg.rasterize(units, resolution=2000, out=tmp_path / f"{'x'}.tif") as r:
        r.path = EVIL
        assert "<img" not in r._repr_html_()


def test_utf8_field_names_cut_inside_a_character_are_repaired(tmp_path):
    # GDAL cuts dBASE field names at 10 bytes, inside the 4th character of 地块名称 (12 bytes in UTF-8)
    g = gpd.GeoDataFrame({"地块名称": ["甲"], "用地性质": ["工业"]}, geometry=[box(120.95, 31.36, 120.951, 31.361)],
                         crs="EPSG:4490")
    path = tmp_path / "cut.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g.to_file(path, encoding="UTF-8")
    with pytest.warns(SuzhouGeoWarning, match="cut inside a character"):
        back = sg.read_layer(path)
    assert list(back.columns[:2]) == ["地块名", "用地性"] and back["地块名"].iloc[0] == "甲"


def test_nothing_lost_for_every_corpus_file(corpus):
    """Rows, order, index and every input column (name and values) survive into the report."""
    folder, cases = corpus
    for case in cases.values():
        path = folder / case.file
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SuzhouGeoWarning)
            raw = sg.io.read_vector(path, encoding="GB18030" if "gbk" in case.name else None)
            r = _validate(sg.Source(str(path), **case.options))
        assert len(r) == len(raw) and list(r.index) == list(raw.index), case.name
        renamed = r.attrs.get("renamed_columns", {})
        for col in raw.columns:
            if col == raw.geometry.name:
                continue
            got = r[renamed.get(col, col)]
            assert got.astype(str).tolist() == raw[col].astype(str).tolist(), (case.name, col)
