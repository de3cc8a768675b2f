"""Parcel validation: row order, verdicts, overlap areas checked against brute force, inputs, outputs, CLI.

Every number is checked independently of ``validate_parcels``: overlaps by a
per-parcel ``shapely.intersection`` in longitude/latitude measured with
``pyproj.Geod``, rectangles by hand.  The reference layers are hand-built
(EPSG:4549, near Kunshan) so the tests do not depend on the bundled sample.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon, box

import suzhou_geo as sg
from suzhou_geo import CRSError
from suzhou_geo.validate import RULES, Rules, summarize, validate_parcels

GEOD = Geod(ellps="GRS80")
GK = "EPSG:4549"
X0, Y0 = 590_000.0, 3_470_000.0  # EPSG:4549 metres, inside 昆山市 (≈120.95 °E, 31.36 °N)

# ---------------------------------------------------------------- hand-built reference layers (EPSG:4549)


def _wiggly_disc(cx, cy, r, n=3000, seed=0):
    """Make a big, complex polygon (n vertices) like a surveyed redline."""
    rng = np.random.default_rng(seed)
    th = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rr = r * (1 + 0.08 * np.sin(9 * th) + 0.002 * rng.standard_normal(n))
    return Polygon(np.c_[cx + rr * np.cos(th), cy + rr * np.sin(th)])


# Straight edges are densified to 10 m: a 2 km edge straight in EPSG:4549 bows by ~5 cm in
# longitude/latitude, which over a parcel edge is a few m² (0.3 %) of disagreement between
# "straight in GK" and "straight in degrees" that has nothing to do with the code under test.
RED_A = _wiggly_disc(X0, Y0, 2000)  # protection, 3000 vertices → subdivided
RED_B = shapely.segmentize(
    box(X0 + 1500, Y0 - 500, X0 + 3500, Y0 + 500), 10
)  # protection, overlaps RED_A
RED_SQ = shapely.segmentize(
    box(X0 - 6000, Y0, X0 - 5000, Y0 + 1000), 10
)  # protection, for edge tests
CTL = shapely.segmentize(
    box(X0 - 3000, Y0 + 3000, X0 - 1000, Y0 + 4000), 10
)  # ecological space control
ZONE = shapely.segmentize(box(X0 + 5000, Y0 - 5000, X0 + 5500, Y0 + 5000), 10)  # a 500 m band


@pytest.fixture(scope="module")
def redlines():
    g = gpd.GeoDataFrame(
        {
            "name": ["甲湿地", "乙水源地", "丙森林公园", "丁管控区"],
            "kind": ["ecological_protection_redline"] * 3 + ["ecological_space_control"],
        },
        geometry=[RED_A, RED_B, RED_SQ, CTL],
        crs=GK,
    ).to_crs("EPSG:4490")
    return g


@pytest.fixture(scope="module")
def zones():
    return gpd.GeoDataFrame({"pair": ["甲县–乙县"]}, geometry=[ZONE], crs=GK).to_crs("EPSG:4490")


@pytest.fixture(scope="module")
def protection_union_ll(redlines):
    prot = redlines[redlines.kind == "ecological_protection_redline"]
    return shapely.union_all(prot.geometry.values)


def _run(parcels, redlines, zones=False, **kw):
    return validate_parcels(parcels, redlines=redlines, joint_zones=zones, schemes=False, **kw)


def _gk_frame(geoms, **cols):
    return gpd.GeoDataFrame(cols or None, geometry=list(geoms), crs=GK).to_crs("EPSG:4490")


def _geod_area(geom) -> float:
    if geom is None or geom.is_empty:
        return 0.0
    total = 0.0
    for part in shapely.get_parts(geom):
        if part.geom_type in ("Polygon", "MultiPolygon"):
            a, _ = GEOD.geometry_area_perimeter(shapely.orient_polygons(part))
            total += abs(a)
    return total


def _rect(cx, cy, w, h, ang):
    c, s = np.cos(ang), np.sin(ang)
    pts = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    return Polygon(pts @ np.array([[c, s], [-s, c]]) + [cx, cy])


# ---------------------------------------------------------------- rows in == rows out


def test_rows_order_index_and_columns_kept_with_bad_rows(redlines):
    bowtie = Polygon(
        [(X0, Y0 + 1000), (X0 + 100, Y0 + 1100), (X0 + 100, Y0 + 1000), (X0, Y0 + 1100)]
    )
    geoms = [
        box(X0 - 100, Y0 - 100, X0 + 100, Y0 + 100),  # inside RED_A
        Point(X0, Y0),
        bowtie,
        None,
        Polygon(),
        LineString([(X0, Y0), (X0 + 50, Y0 + 50)]),
        MultiPolygon(
            [box(X0 + 9000, Y0, X0 + 9100, Y0 + 100), box(X0 + 9200, Y0, X0 + 9300, Y0 + 100)]
        ),
        GeometryCollection([box(X0 + 9000, Y0 + 500, X0 + 9100, Y0 + 600), Point(X0, Y0)]),
        box(X0 + 8000, Y0 + 8000, X0 + 8100, Y0 + 8100),
    ]
    idx = ["z", "a", "m", "b", "y", "c", "x", "d", "w"]
    gdf = gpd.GeoDataFrame(
        {"dk": [f"地块{i}" for i in range(len(geoms))], "n": range(len(geoms))},
        geometry=gpd.GeoSeries(geoms, crs=GK).to_crs("EPSG:4490").values,
        index=idx,
    )
    r = _run(gdf, redlines)
    assert len(r) == len(gdf)
    assert list(r.index) == idx
    assert list(r.dk) == list(gdf.dk) and list(r.n) == list(range(len(geoms)))
    assert r.crs.to_epsg() == 4490
    v = r.verdict.to_dict()
    assert v["z"] == "conflict"
    for bad in ("a", "b", "y", "c"):
        assert v[bad] == "invalid", bad
        assert (
            r.loc[bad, "reasons"].startswith("几何不可用")
            and "unusable geometry" in r.loc[bad, "reasons"]
        )
    assert r.loc["a", "geometry_issue"] == "是点而不是面 / point, not a polygon"
    assert r.loc["c", "geometry_issue"] == "是线而不是面 / line, not a polygon"
    assert r.loc["b", "geometry_issue"] == "缺少几何 / missing geometry"
    assert r.loc["y", "geometry_issue"] == "几何为空 / empty geometry"
    # the bow-tie is repaired (two triangles of 2 × 2500 m² = 5000 m²) and reported; the repair
    # changed its area (0 → 5000 m²), so it would be review even outside a redline
    assert r.loc["m", "verdict"] != "invalid"
    assert "invalid geometry repaired" in r.loc["m", "geometry_issue"]
    # two reasons, in rule order: the repair, then the conflict (the bow-tie lies in RED_A)
    assert r.loc["m", "verdict"] == "conflict"
    first, second = r.loc["m", "reasons"].split("; ")
    assert "the repair changed the shape" in first and "overlaps the ecological protection redline" in second
    assert r.loc["m", "parcel_area_m2"] == pytest.approx(
        _geod_area(r.loc["m", "geometry"]), rel=1e-6
    )
    assert r.loc["m", "parcel_area_m2"] == pytest.approx(5000, rel=2e-3)
    # multipart parcel measured whole; a collection keeps its polygon
    assert r.loc["x", "parcel_area_m2"] == pytest.approx(20_000, rel=2e-3)
    assert r.loc["d", "verdict"] != "invalid" and r.loc["d", "parcel_area_m2"] == pytest.approx(
        10_000, rel=2e-3
    )
    assert np.isnan(r.loc["a", "parcel_area_m2"])
    for col in sg.validate.REPORT_COLUMNS:
        assert col in r.columns


def test_input_frame_is_not_modified_and_geometry_column_name_kept(redlines):
    gdf = gpd.GeoDataFrame(
        {"id": [1, 2]},
        geometry=gpd.GeoSeries([box(X0, Y0, X0 + 50, Y0 + 50), None], crs=GK),
    ).rename_geometry("geom")
    before = gdf.copy()
    r = _run(gdf, redlines)
    pd.testing.assert_frame_equal(pd.DataFrame(gdf), pd.DataFrame(before))
    assert r.geometry.name == "geom" and "geometry" not in r.columns
    assert list(r.columns[:2]) == ["id", "geom"] and r.crs.to_epsg() == 4490
    assert list(r.verdict) == ["conflict", "invalid"]


def test_duplicate_index_labels_are_kept(redlines):
    gdf = gpd.GeoDataFrame(
        {"dk": ["甲", "乙", "丙"]},
        geometry=[box(X0, Y0, X0 + 50, Y0 + 50), box(X0 + 9000, Y0, X0 + 9050, Y0 + 50), None],
        crs=GK,
        index=[7, 7, 3],
    )
    r = _run(gdf, redlines)
    assert list(r.index) == [7, 7, 3] and list(r.dk) == ["甲", "乙", "丙"]
    assert list(r.verdict) == ["conflict", "pass", "invalid"]


def test_geoseries_input_and_empty_input(redlines):
    s = gpd.GeoSeries([box(X0 - 50, Y0 - 50, X0 + 50, Y0 + 50)], crs=GK, index=[42])
    r = _run(s, redlines)
    assert list(r.index) == [42] and r.verdict.iloc[0] == "conflict"
    bad = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[None, Point(X0, Y0)], crs=GK)
    rb = _run(bad, redlines)
    assert (
        list(rb.verdict) == ["invalid", "invalid"] and summarize(rb).by_verdict.parcels.iloc[0] == 2
    )
    empty = gpd.GeoDataFrame({"a": []}, geometry=[], crs="EPSG:4490")
    r0 = _run(empty, redlines)
    assert len(r0) == 0 and "verdict" in r0.columns


# ---------------------------------------------------------------- overlap areas vs brute force


@st.composite
def parcels_near_edges(draw):
    """Rectangles of 0.2–5 ha centred on the redline edges, the joint-zone edge, or anywhere nearby."""
    where = draw(st.sampled_from(["red_a_edge", "red_b_edge", "zone_edge", "inside", "free"]))
    t = draw(st.floats(0, 2 * np.pi))
    if where == "red_a_edge":
        p = RED_A.exterior.interpolate(t / (2 * np.pi), normalized=True)
        cx, cy = p.x, p.y
    elif where == "red_b_edge":
        p = RED_B.exterior.interpolate(t / (2 * np.pi), normalized=True)
        cx, cy = p.x, p.y
    elif where == "zone_edge":
        cx, cy = X0 + draw(st.sampled_from([5000.0, 5500.0])), Y0 + draw(st.floats(-4000, 4000))
    elif where == "inside":
        cx, cy = X0 + draw(st.floats(-800, 800)), Y0 + draw(st.floats(-800, 800))
    else:
        cx, cy = X0 + draw(st.floats(-7000, 7000)), Y0 + draw(st.floats(-7000, 7000))
    area = draw(st.floats(2_000, 50_000))
    aspect = draw(st.floats(0.3, 3))
    w = np.sqrt(area * aspect)
    return _rect(
        cx + draw(st.floats(-60, 60)),
        cy + draw(st.floats(-60, 60)),
        w,
        area / w,
        draw(st.floats(0, np.pi)),
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(parcels_near_edges(), min_size=5, max_size=25))
def test_overlap_areas_agree_with_brute_force(redlines, zones, protection_union_ll, geoms):
    gdf = _gk_frame(geoms)
    r = _run(gdf, redlines, zones)
    zone_ll = zones.geometry.iloc[0]
    for i, g in enumerate(gdf.geometry):
        brute = _geod_area(shapely.intersection(g, protection_union_ll))
        got = r.redline_overlap_m2.iloc[i]
        assert abs(got - brute) <= 1e-3 * max(brute, 10.0), (i, got, brute)
        area = _geod_area(g)
        assert r.parcel_area_m2.iloc[i] == pytest.approx(area, rel=1e-5)
        if brute > 1.0 and brute > 1e-3 * area:
            assert r.verdict.iloc[i] == "conflict"
        else:
            assert r.verdict.iloc[i] != "conflict"
        z = _geod_area(shapely.intersection(g, zone_ll))
        if z > 2.0 and z > 2e-3 * area:
            assert r.in_joint_zone.iloc[i] and r.joint_zone.iloc[i] == "甲县–乙县"
        elif z < 0.5:
            assert not r.in_joint_zone.iloc[i]


def test_overlapping_redlines_are_counted_once(redlines):
    # inside both RED_A and RED_B (they overlap around X0+1500..2000)
    p = box(X0 + 1600, Y0 - 50, X0 + 1700, Y0 + 50)
    assert RED_A.contains(p) and RED_B.contains(p)
    r = _run(_gk_frame([p]), redlines)
    assert r.redline_overlap_ratio.iloc[0] == pytest.approx(1.0, abs=1e-9)
    assert r.redline_overlap_m2.iloc[0] == pytest.approx(_geod_area(r.geometry.iloc[0]), rel=1e-6)
    assert set(r.redline_names.iloc[0].split("; ")) == {"甲湿地", "乙水源地"}


def test_multipart_parcel_with_one_part_inside(redlines, protection_union_ll):
    inside = box(X0 - 100, Y0 - 100, X0 + 100, Y0 + 100)  # 40 000 m² in RED_A
    far = box(X0 + 9000, Y0 + 9000, X0 + 9200, Y0 + 9200)  # 40 000 m² far away
    r = _run(_gk_frame([MultiPolygon([inside, far])]), redlines)
    g = r.geometry.iloc[0]
    assert r.redline_overlap_m2.iloc[0] == pytest.approx(
        _geod_area(shapely.intersection(g, protection_union_ll)), rel=1e-6
    )
    assert r.redline_overlap_ratio.iloc[0] == pytest.approx(0.5, rel=1e-3)


# ---------------------------------------------------------------- edges, slivers, distances


def test_parcel_touching_a_redline_along_an_edge_is_not_a_conflict(redlines):
    x1 = X0 - 5000  # east edge of RED_SQ
    touching = box(x1, Y0 + 200, x1 + 100, Y0 + 300)
    r = _run(_gk_frame([touching]), redlines)
    assert r.verdict.iloc[0] in ("pass", "review")
    assert r.verdict.iloc[0] != "conflict"
    assert r.redline_overlap_m2.iloc[0] < RULES.overlap_min_m2
    assert r.nearest_redline_m.iloc[0] == pytest.approx(0.0, abs=0.01)
    assert r.redline_names.iloc[0] == ""  # touched, not overlapped: named in the distance reason only
    assert "≤ 100 m" in r.reasons.iloc[0] and "overlaps" not in r.reasons.iloc[0]


def test_sliver_below_tolerance_is_review_not_conflict(redlines):
    x1 = X0 - 5000
    sliver = box(x1 - 0.005, Y0 + 200, x1 + 100, Y0 + 300)  # 5 mm × 100 m = 0.5 m² inside
    encroach = box(x1 - 10, Y0 + 400, x1 + 100, Y0 + 500)  # 10 m × 100 m = 1000 m² inside
    r = _run(_gk_frame([sliver, encroach]), redlines)
    assert r.verdict.iloc[0] == "review"
    assert 0.3 < r.redline_overlap_m2.iloc[0] < 0.7
    assert "below the conflict tolerance" in r.reasons.iloc[0] and "丙森林公园" in r.reasons.iloc[0]
    strict = _run(
        _gk_frame([sliver]), redlines, rules={"overlap_min_m2": 0, "overlap_min_ratio": 0}
    )
    assert strict.verdict.iloc[0] == "conflict"
    assert r.verdict.iloc[1] == "conflict"
    # hand-computed: 10 m × 100 m; GK scale near 121°E adds ~+0.02 % over the ellipsoidal area
    assert r.redline_overlap_m2.iloc[1] == pytest.approx(1000.0, rel=2e-3)
    assert r.redline_overlap_ratio.iloc[1] == pytest.approx(1000.0 / 11000.0, rel=2e-3)
    assert (
        "丙森林公园" in r.reasons.iloc[1]
        and "overlaps the ecological protection redline" in r.reasons.iloc[1]
    )


def test_review_distance_rule_and_overrides(redlines):
    x1 = X0 - 5000
    near = box(x1 + 60, Y0 + 200, x1 + 160, Y0 + 300)  # 60 m east of RED_SQ
    far = box(x1 + 300, Y0 + 200, x1 + 400, Y0 + 300)  # 300 m
    gdf = _gk_frame([near, far])
    r = _run(gdf, redlines)
    assert list(r.verdict) == ["review", "pass"]
    assert r.nearest_redline_m.iloc[0] == pytest.approx(60.0, abs=0.5)
    assert r.nearest_redline_m.iloc[1] == pytest.approx(300.0, abs=0.5)
    assert "丙森林公园" in r.reasons.iloc[0]
    r2 = _run(gdf, redlines, rules={"review_distance_m": 500})
    assert list(r2.verdict) == ["review", "review"]
    r3 = _run(gdf, redlines, rules=RULES.replace(review_distance_m=10, nearest_search_m=200))
    assert list(r3.verdict) == ["pass", "pass"] and np.isnan(r3.nearest_redline_m.iloc[1])
    assert r3.attrs["rules"]["review_distance_m"] == 10


def test_rules_table_is_documented_and_checked():
    t = RULES.to_frame()
    assert {"rule", "value", "unit", "meaning", "source"} <= set(t.columns)
    assert "library default, not a regulation" in t.set_index("rule").loc["review_distance_m", "source"]
    with pytest.raises(ValueError, match="unknown rule"):
        RULES.replace(review_distanc_m=5)
    with pytest.raises(ValueError, match="non-negative"):
        Rules(overlap_min_m2=-1)
    with pytest.raises(ValueError, match="outside_verdict"):
        Rules(outside_verdict="maybe")
    assert "review_distance_m" in RULES._repr_html_()


def test_control_area_and_joint_zone_verdicts(redlines, zones):
    in_ctl = box(X0 - 2500, Y0 + 3200, X0 - 2400, Y0 + 3300)
    in_zone = box(X0 + 5100, Y0 + 1000, X0 + 5200, Y0 + 1100)
    clean = box(X0 + 8000, Y0 - 8000, X0 + 8100, Y0 - 7900)
    r = _run(_gk_frame([in_ctl, in_zone, clean]), redlines, zones)
    assert list(r.verdict) == ["review", "notice", "pass"]
    assert r.control_overlap_m2.iloc[0] == pytest.approx(10_000, rel=2e-3)
    assert r.redline_overlap_m2.iloc[0] == 0 and r.redline_names.iloc[0] == "丁管控区"
    assert "生态空间管控区域" in r.reasons.iloc[0]
    assert r.in_joint_zone.iloc[1] and r.joint_zone.iloc[1] == "甲县–乙县"
    assert "joint-control zone" in r.reasons.iloc[1]
    assert r.reasons.iloc[2] == "未触发任何规则 / no rule fired"
    assert set(r.district) == {"昆山市"}


def test_parcel_outside_suzhou_gets_a_reason(redlines):
    shanghai = gpd.GeoDataFrame(geometry=[box(121.47, 31.23, 121.472, 31.232)], crs="EPSG:4490")
    r = _run(shanghai, redlines)
    assert r.verdict.iloc[0] == "review"
    assert "outside Suzhou" in r.reasons.iloc[0]
    assert _run(shanghai, redlines, rules={"outside_verdict": "pass"}).verdict.iloc[0] == "pass"


def test_threads_and_chunks_give_the_same_answer(redlines, zones):
    rng = np.random.default_rng(5)
    geoms = [
        _rect(X0 + x, Y0 + y, 80, 60, a)
        for x, y, a in rng.uniform([-6000, -6000, 0], [6000, 6000, 3], (3000, 3))
    ]
    gdf = _gk_frame(geoms)
    calls = []
    one = _run(gdf, redlines, zones, n_jobs=1)
    many = _run(
        gdf, redlines, zones, n_jobs=2, chunk_size=400, progress=lambda d, t: calls.append((d, t))
    )
    cols = [
        "verdict",
        "redline_overlap_m2",
        "nearest_redline_m",
        "joint_zone",
        "district",
        "reasons",
    ]
    pd.testing.assert_frame_equal(pd.DataFrame(one[cols]), pd.DataFrame(many[cols]))
    assert calls[-1] == (3000, 3000) and len(calls) >= 8  # ≥ one call per chunk of 400
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and {t for _, t in calls} == {3000}


# ---------------------------------------------------------------- inputs: files, encodings, CRSs


@pytest.fixture(scope="module")
def sample_gk():
    geoms = [
        box(X0 - 100, Y0 - 100, X0 + 100, Y0 + 100),  # conflict
        _rect(X0 + 2000, Y0 + 50, 150, 120, 0.4),  # straddles RED_A/RED_B edges
        box(X0 - 2500, Y0 + 3200, X0 - 2400, Y0 + 3300),  # control → review
        box(X0 + 8000, Y0 - 8000, X0 + 8100, Y0 - 7900),  # pass
    ]
    return gpd.GeoDataFrame(
        {"名称": ["工业用地一号", "居住用地二号", "商业用地三号", "物流用地四号"]},
        geometry=geoms,
        crs=GK,
    )


def test_gbk_shapefile_without_cpg(tmp_path, redlines, sample_gk):
    path = tmp_path / "地块.shp"
    pyogrio.write_dataframe(sample_gk, path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    r = _run(path, redlines)
    assert list(r["名称"]) == list(sample_gk["名称"])
    assert list(r.verdict) == ["conflict", "conflict", "review", "pass"]


def test_file_without_crs_fails_with_the_fix_then_validates_with_crs(tmp_path, redlines, sample_gk):
    path = tmp_path / "no_prj.shp"
    pyogrio.write_dataframe(sample_gk, path, encoding="UTF-8")
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError) as exc:
        _run(path, redlines)
    msg = str(exc.value)
    assert "no_prj.shp" in msg and "crs=" in msg and "EPSG:4549" in msg
    r = _run(path, redlines, crs="EPSG:4549")
    ref = _run(sample_gk.to_crs("EPSG:4490"), redlines)
    np.testing.assert_allclose(r.redline_overlap_m2, ref.redline_overlap_m2, rtol=1e-6, atol=1e-3)
    assert list(r.verdict) == list(ref.verdict)


def test_file_in_epsg4549_and_in_gcj02(tmp_path, redlines, sample_gk):
    ref = _run(sample_gk.to_crs("EPSG:4490"), redlines)
    p4549 = tmp_path / "gk.gpkg"
    sample_gk.to_file(p4549)
    r = _run(p4549, redlines)
    np.testing.assert_allclose(r.redline_overlap_m2, ref.redline_overlap_m2, rtol=1e-6, atol=1e-3)
    # the same parcels as Amap/Gaode would give them: GCJ-02, labelled as nothing
    gcj = sg.wgs84_to_gcj02(sample_gk.to_crs("EPSG:4326"))
    gcj = gpd.GeoDataFrame(
        gcj.drop(columns="geometry"), geometry=np.asarray(gcj.geometry.values), crs=None
    )
    pg = tmp_path / "gcj.geojson"
    pyogrio.write_dataframe(gcj, pg)
    rg = _run(pg, redlines, crs="GCJ-02")
    np.testing.assert_allclose(rg.redline_overlap_m2, ref.redline_overlap_m2, rtol=1e-3, atol=1e-2)
    assert list(rg.verdict) == list(ref.verdict)
    # taken at face value, GCJ-02 coordinates are ~500 m off and the answer changes
    wrong = _run(pg, redlines)
    assert not np.allclose(wrong.redline_overlap_m2, ref.redline_overlap_m2, rtol=1e-3, atol=1.0)


def test_missing_crs_on_a_frame_is_an_error(redlines):
    gdf = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 10, Y0 + 10)])
    with pytest.raises(CRSError, match="crs="):
        _run(gdf, redlines)


# ---------------------------------------------------------------- outputs and summary


@pytest.mark.parametrize("ext", ["gpkg", "geojson", "shp"])
def test_report_writes_with_chinese_intact(tmp_path, redlines, sample_gk, ext):
    r = _run(sample_gk, redlines)
    path = tmp_path / f"report.{ext}"
    r.to_file(path)
    back = pyogrio.read_dataframe(path)
    assert len(back) == len(r)
    assert list(back["名称"]) == list(r["名称"])
    verdict_col = "verdict"
    assert list(back[verdict_col]) == list(r.verdict)
    if ext != "shp":  # Shapefile cuts text fields at 254 bytes
        assert list(back.reasons) == list(r.reasons)
        assert "与生态保护红线重叠" in back.reasons.iloc[0]


def test_report_with_bad_rows_writes_to_geopackage(tmp_path, redlines):
    gdf = gpd.GeoDataFrame(
        {"dk": ["甲", "乙", "丙"]},
        geometry=[box(X0, Y0, X0 + 50, Y0 + 50), Point(X0, Y0), None],
        crs=GK,
    )
    r = _run(gdf, redlines)
    path = tmp_path / "r.gpkg"
    sg.write_layer(r, path)
    back = pyogrio.read_dataframe(path)
    assert list(back.dk) == ["甲", "乙", "丙"] and list(back.verdict) == [
        "conflict",
        "invalid",
        "invalid",
    ]


def test_summarize_counts_and_areas(redlines, zones):
    geoms = [
        box(X0 - 100, Y0 - 100, X0 + 100, Y0 + 100),
        box(X0 - 2500, Y0 + 3200, X0 - 2400, Y0 + 3300),
        box(X0 + 5100, Y0 + 1000, X0 + 5200, Y0 + 1100),
        box(X0 + 8000, Y0 - 8000, X0 + 8100, Y0 - 7900),
        Point(X0, Y0),
    ]
    r = _run(_gk_frame(geoms), redlines, zones)
    s = summarize(r)
    bv = s.by_verdict.set_index("verdict")
    assert list(bv.index) == ["invalid", "conflict", "review", "notice", "pass"]
    assert bv.parcels.to_dict() == {
        "invalid": 1,
        "conflict": 1,
        "review": 1,
        "notice": 1,
        "pass": 1,
    }
    hand = (40_000 + 3 * 10_000) / 1e4  # ha, from the rectangles
    assert bv.parcel_area_ha.sum() == pytest.approx(hand, rel=2e-3)
    assert bv.loc["conflict", "redline_overlap_ha"] == pytest.approx(4.0, rel=2e-3)
    assert s.by_district.loc["昆山市", "parcels"] == 4
    assert "conflict" in s._repr_html_() and len(s.to_frame()) == 5
    assert "ILLUSTRATIVE" not in str(s)
    with pytest.raises(ValueError, match="not a validate_parcels report"):
        summarize(gpd.GeoDataFrame(geometry=[]))


# ---------------------------------------------------------------- the bundled layers and the CLI


def test_bundled_layers_smoke():
    # a parcel in 太湖 (bundled as an illustrative redline) and one in 昆山 城区
    gdf = gpd.GeoDataFrame(
        {"id": [1, 2]},
        geometry=[box(120.30, 31.15, 120.302, 31.152), box(120.95, 31.385, 120.951, 31.386)],
        crs="EPSG:4490",
    )
    r = validate_parcels(gdf)
    assert r.verdict.iloc[0] == "conflict"
    assert "illustrative" in r.reasons.iloc[0]
    assert r.attrs["illustrative"] is True
    assert "太湖" in r.scheme_elements.iloc[0]
    assert "昆山城区" in r.scheme_elements.iloc[1]
    assert "ILLUSTRATIVE" in str(summarize(r))


def test_cli_validate(tmp_path, redlines, sample_gk):
    from suzhou_geo.cli import main

    src = tmp_path / "parcels.gpkg"
    sample_gk.to_file(src)
    red = tmp_path / "red.gpkg"
    redlines.to_file(red)
    out = tmp_path / "report.gpkg"
    res = CliRunner().invoke(
        main, ["validate", str(src), "-o", str(out), "--redlines", str(red), "--no-schemes"]
    )
    assert res.exit_code == 0, res.output
    assert out.exists() and "conflict" in res.output and "昆山市" in res.output
    back = pyogrio.read_dataframe(out)
    assert list(back.verdict) == ["conflict", "conflict", "review", "pass"]
    # Shapefile: short field names, point rows kept without geometry
    shp = tmp_path / "report.shp"
    mixed = pd.concat(
        [sample_gk, gpd.GeoDataFrame({"名称": ["点"]}, geometry=[Point(X0, Y0)], crs=GK)]
    )
    msrc = tmp_path / "mixed.gpkg"
    mixed.to_file(msrc)
    args = ["validate", str(msrc), "-o", str(shp), "--redlines", str(red), "--no-schemes"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    back = pyogrio.read_dataframe(shp)
    assert list(back["名称"]) == list(mixed["名称"]) and back.verdict.iloc[-1] == "invalid"
    assert {"red_m2", "red_dist_m", "area_m2"} <= set(back.columns) and back.geometry.iloc[
        -1
    ] is None
    # unusable input: no CRS → exit status 2 naming the file and the fix
    nocrs = tmp_path / "nocrs.shp"
    pyogrio.write_dataframe(sample_gk, nocrs)
    nocrs.with_suffix(".prj").unlink()
    res = CliRunner().invoke(
        main, ["validate", str(nocrs), "-o", str(tmp_path / "x.gpkg"), "--redlines", str(red)]
    )
    assert res.exit_code == 2
    assert "nocrs.shp" in res.output and "crs" in res.output
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "missing.gpkg"), "-o", str(out)])
    assert res.exit_code == 2 and "missing.gpkg" in res.output


def test_redline_overlap_alone_equals_the_report(redlines):
    from suzhou_geo import redline_overlap
    from suzhou_geo.validate.reference import CONTROL, PROTECTION

    rng = np.random.default_rng(11)
    xya = rng.uniform([-7000, -7000, 0], [7000, 7000, 3], (300, 3))
    geoms = [_rect(X0 + x, Y0 + y, 300, 200, a) for x, y, a in xya]
    frame = _gk_frame(geoms + [None, Point(X0, Y0)])
    r = _run(frame, redlines)
    for kind, column in ((PROTECTION, "redline_overlap_m2"), (CONTROL, "control_overlap_m2")):
        s = redline_overlap(frame, redlines, kind=kind, n_jobs=2)
        assert list(s.index) == list(frame.index) and s.isna().sum() == 2  # the missing geometry, the point
        assert (s.round(2).fillna(-1) == r[column].fillna(-1)).all()
    assert (r.redline_overlap_m2 > 0).sum() > 20


def test_cell_grids_change_no_answer(redlines, zones, monkeypatch):
    from suzhou_geo.validate import core

    rng = np.random.default_rng(3)
    xya = rng.uniform([-7000, -7000, 0], [7000, 7000, 3], (400, 3))
    frame = _gk_frame([_rect(X0 + x, Y0 + y, 250, 180, a) for x, y, a in xya])
    monkeypatch.setattr(core, "GRID_MIN_PARCELS", 10**9)  # exact tests only
    exact = validate_parcels(frame, redlines=redlines, joint_zones=zones)
    monkeypatch.setattr(core, "GRID_MIN_PARCELS", 0)  # the grids settle what they can first
    grid = validate_parcels(frame, redlines=redlines, joint_zones=zones)
    pd.testing.assert_frame_equal(pd.DataFrame(exact.drop(columns="geometry")),
                                  pd.DataFrame(grid.drop(columns="geometry")))
    assert (grid.verdict == "conflict").sum() > 20 and (grid.district != "").all()


def test_parcels_the_grids_settle_are_never_converted(redlines, zones, monkeypatch):
    # with the grids, a parcel every layer settles from its box is measured without an EPSG:4549 copy; the
    # report is the one the exact tests give (test_cell_grids_change_no_answer)
    from suzhou_geo.layer import Layer
    from suzhou_geo.validate import core

    rng = np.random.default_rng(4)
    xya = rng.uniform([-30000, -30000, 0], [30000, 30000, 3], (2000, 3))
    frame = _gk_frame([_rect(X0 + x, Y0 + y, 120, 80, a) for x, y, a in xya])
    converted = []
    metric_of = Layer.metric_of
    monkeypatch.setattr(Layer, "metric_of", lambda self, rows: converted.append(len(rows)) or metric_of(self, rows))
    monkeypatch.setattr(core, "GRID_MIN_PARCELS", 0)
    report = validate_parcels(frame, redlines=redlines, joint_zones=zones, schemes=False)
    assert 0 < sum(converted) < 0.6 * len(frame)
    assert (report.redline_overlap_m2 > 0).sum() > 0 and (report.district != "").mean() > 0.9


def test_report_text_columns_are_pandas_strings_with_missing_values_kept():
    # the report's repeated-text columns are built from their distinct values (less memory than pandas'
    # own conversion): the same dtype as pandas gives text, the same values, NA where a value is missing
    import suzhou_geo.validate.core as core

    values = np.array(["红线 A; 管控区 B", "", None, "红线 A; 管控区 B", float("nan")], dtype=object)
    built = pd.Series(core._as_text(values))
    assert built.dtype == pd.Series(["x"]).dtype
    assert built.tolist()[:2] == ["红线 A; 管控区 B", ""] and built.tolist()[3] == "红线 A; 管控区 B"
    assert built.isna().tolist() == [False, False, True, False, True]
    report = sg.validate_parcels(sg.datasets.parcels(), schemes=False)
    for column in ("verdict", "verdict_zh", "redline_names", "district", "geometry_issue", "redline_data"):
        assert report[column].dtype == built.dtype, column
    assert set(report["verdict_zh"]) <= {"冲突", "复核", "告知", "通过", "无效"}


def test_redlines_in_metres_with_a_repaired_bowtie_are_dissolved(tmp_path):
    # GEOS's rectangle clipper fails on the dissolved layer of this file (a repaired bow-tie among redlines
    # stored in EPSG:4549): the pieces fall back to exact intersections, and the answer is the one the same
    # redlines give when stored in longitude/latitude
    red = sg.load_redlines().to_crs("EPSG:4549")
    bowtie = Polygon([(560_000, 3_460_000), (561_000, 3_461_000), (561_000, 3_460_000), (560_000, 3_461_000)])
    red = gpd.GeoDataFrame({"name": list(red["name"]) + ["自交"],
                            "kind": list(red["kind"]) + ["ecological_protection_redline"]},
                           geometry=list(red.geometry.values) + [bowtie], crs="EPSG:4549")
    red.to_file(tmp_path / "red.shp", encoding="UTF-8")
    parcels = _gk_frame([_rect(560_150, 3_460_500, 100, 100, 0.0), _rect(560_500, 3_460_150, 100, 100, 0.0)])
    report = validate_parcels(parcels, redlines=sg.Source(str(tmp_path / "red.shp"), invalid="repair"),
                              joint_zones=False, schemes=False)
    # the first parcel lies inside the bow-tie's western triangle, the second in the notch between the two
    assert report.verdict.iloc[0] == "conflict"
    assert abs(report.redline_overlap_m2.iloc[0] - report.parcel_area_m2.iloc[0]) < 0.01
    assert report.redline_overlap_m2.iloc[1] == 0
