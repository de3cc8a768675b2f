"""The 500 m 嘉定–昆山–太仓 joint-control zone, checked against hand-built offset points."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point

import suzhou_geo as sg
from suzhou_geo.joint import JOINT_PACTS, JointPact, joint_control_zone

GK = "EPSG:4549"
MEMBERS = ("嘉定区", "昆山市", "太仓市")


@pytest.fixture(scope="module")
def zone():
    return joint_control_zone()


@pytest.fixture(scope="module")
def borders():
    """Shared borders of the three members, in EPSG:4549, from boundaries.shared_border.

    Neighbours' polygons leave slivers of up to 50 m, so each border is taken from both
    outlines (a's edge near b and b's edge near a) and the two lines are kept together.
    """
    out = {}
    for a, b in itertools.combinations(MEMBERS, 2):
        ab = sg.shared_border(a, b).to_crs(GK).geometry.iloc[0]
        ba = sg.shared_border(b, a).to_crs(GK).geometry.iloc[0]
        out[frozenset((a, b))] = shapely.union(ab, ba)
    return out


@pytest.fixture(scope="module")
def territory():
    # boundary edges are straight in longitude/latitude (where they are stored): split them every
    # 1e-4° before projecting, as the library does (every 0.0005°) when it works in EPSG:4549
    return {
        m: gpd.GeoSeries([shapely.segmentize(sg.boundary(m).geometry.iloc[0], 1e-4)], crs="EPSG:4490")
        .to_crs(GK).iloc[0]
        for m in MEMBERS
    }


def test_rows_and_labels(zone):
    assert zone.crs.to_epsg() == 4490
    assert set(zone.pair) == {"昆山市–嘉定区", "昆山市–太仓市", "太仓市–嘉定区"}
    assert len(zone) == 6
    for pair, grp in zone.groupby("pair"):
        assert set(grp.side) == set(pair.split("–"))
    assert (zone.distance_m == 500).all()
    assert (zone.pact == "jiakuntai_2018").all()
    # cites the document by title and the passage, never an internal file number
    assert zone.source.str.contains("《生态联保共治,苏州昆山奏响长三角“绿色协奏曲”》").all()
    assert zone.source.str.contains("三地边界垂直距离500米范围").all()
    assert not zone.source.str.contains(r"seed|\b002\b|planning_facts|\[S\d").any()
    assert (zone.assumed == "").all()  # every part of the 2018 pact is sourced
    assert (zone.area_km2 > 0).all() and (zone.border_length_m > 10_000).all()


def test_every_vertex_within_500m_of_a_border_and_inside_a_member(zone, borders, territory):
    all_borders = shapely.union_all(list(borders.values()))
    members = shapely.union_all(list(territory.values()))
    g = zone.to_crs(GK)
    for geom, side in zip(g.geometry, g.side, strict=True):
        xy = shapely.get_coordinates(geom)
        pts = shapely.points(xy)
        d = shapely.distance(pts, all_borders)
        assert d.max() <= 501.0, f"{side}: a vertex {d.max():.1f} m from every shared border"
        assert shapely.distance(pts, members).max() < 0.01
        # and inside the member named as the side
        assert shapely.distance(pts, territory[side]).max() < 0.01


def _offset_points(line, others, territory, offsets=(400.0, 600.0), n=12):
    """Points offset perpendicular from segments of *line*, far from tri-points and wiggles."""
    coords = shapely.get_coordinates(line)
    found = []
    ends = shapely.multipoints(coords[[0, -1]])
    for i in range(len(coords) - 1):
        p0, p1 = coords[i], coords[i + 1]
        seg = p1 - p0
        length = float(np.hypot(*seg))
        if length < 30:
            continue
        mid = (p0 + p1) / 2
        midp = Point(mid)
        if midp.distance(ends) < 3000 or any(midp.distance(o) < 3000 for o in others):
            continue
        normal = np.array([-seg[1], seg[0]]) / length
        pts = {(s, off): Point(mid + s * off * normal) for s in (1, -1) for off in offsets}
        # skip wiggles: where another stretch of the border comes closer than the offset,
        # a 600 m perpendicular point is legitimately within 500 m of the border
        if not all(p.distance(line) > 510 for (s, off), p in pts.items() if off > 500):
            continue
        found.append(pts)
        if len(found) >= n:
            break
    return found


def test_offset_points_400_in_600_out(zone, borders, territory):
    line = borders[frozenset(("昆山市", "嘉定区"))]
    others = [v for k, v in borders.items() if k != frozenset(("昆山市", "嘉定区"))]
    cases = _offset_points(line, others, territory)
    assert len(cases) >= 5, "not enough clean segments to test"
    g = zone.to_crs(GK)
    band = shapely.union_all(g.geometry.values)
    ks_side = g[(g.pair == "昆山市–嘉定区") & (g.side == "昆山市")].geometry.iloc[0]
    jd_side = g[(g.pair == "昆山市–嘉定区") & (g.side == "嘉定区")].geometry.iloc[0]
    sides_seen = set()
    for pts in cases:
        for (_, off), p in pts.items():
            if off == 400:
                assert band.contains(p), f"400 m point {p} not in the zone"
                if territory["昆山市"].contains(p):
                    assert ks_side.contains(p)
                    sides_seen.add("昆山市")
                elif territory["嘉定区"].contains(p):
                    assert jd_side.contains(p)
                    sides_seen.add("嘉定区")
            else:
                assert not band.contains(p), f"600 m point {p} in the zone"
    assert sides_seen == {"昆山市", "嘉定区"}  # both sides really tested


def test_area_by_grid_count(zone, borders, territory):
    """Brute force: count 50 m grid cells within 500 m of the 昆山–嘉定 border and inside 昆山."""
    line = borders[frozenset(("昆山市", "嘉定区"))]
    minx, miny, maxx, maxy = line.buffer(520).bounds
    step = 50.0
    xs = np.arange(minx + step / 2, maxx, step)
    ys = np.arange(miny + step / 2, maxy, step)
    X, Y = np.meshgrid(xs, ys)
    pts = shapely.points(X.ravel(), Y.ravel())
    near = shapely.distance(pts, line) <= 500
    pts = pts[near]
    inside = shapely.contains_xy(territory["昆山市"], shapely.get_x(pts), shapely.get_y(pts))
    grid_km2 = inside.sum() * step * step / 1e6
    row = zone[(zone.pair == "昆山市–嘉定区") & (zone.side == "昆山市")].iloc[0]
    assert row.area_km2 == pytest.approx(grid_km2, rel=0.02)


def test_other_pacts_and_custom_members():
    assert JOINT_PACTS["jiakuntai_2018"].distance_m == 500
    qp = JOINT_PACTS["kunshan_qingpu_dianshanhu"]
    assert set(qp.members) == {"昆山市", "青浦区"} and qp.distance_assumed
    assert "ASSUMPTION" in qp.note
    z = joint_control_zone(pact="kunshan_qingpu_dianshanhu")
    assert set(z.pair) == {"昆山市–青浦区"} and (z.note.str.contains("ASSUMPTION")).all()
    assert (z.assumed == "distance, extent").all() and "ASSUMPTION" in z.attrs["note"]
    tj = joint_control_zone(pact="taicang_jiading_2014")
    assert set(tj.pair) == {"太仓市–嘉定区"} and (tj.pact == "taicang_jiading_2014").all()
    # any members, any distance; English names accepted
    z2 = joint_control_zone(members=("Kunshan", "Jiading"), distance_m=200)
    assert set(z2.pair) == {"昆山市–嘉定区"} and (z2.distance_m == 200).all()
    z5 = joint_control_zone(members=("昆山市", "嘉定区"), distance_m=500)
    # a narrower band has less area, roughly in proportion for a band much shorter than wide
    r = z2.area_km2.sum() / z5.area_km2.sum()
    assert 0.3 < r < 0.5


def test_pairs_without_border_are_skipped_and_none_is_an_error():
    z = joint_control_zone(members=("昆山市", "嘉定区", "张家港市"))
    assert set(z.pair) == {"昆山市–嘉定区"}
    with pytest.raises(ValueError, match="share a border"):
        joint_control_zone(members=("张家港市", "嘉定区"))
    with pytest.raises(ValueError, match="at least two"):
        joint_control_zone(members=("昆山市",))
    with pytest.raises(ValueError, match="positive"):
        joint_control_zone(distance_m=-5)
    with pytest.raises(ValueError, match="unknown pact"):
        joint_control_zone(pact="nope")
    with pytest.raises(ValueError, match="prefecture"):
        joint_control_zone(members=("苏州市", "嘉定区"))


def test_cli_joint_zone(tmp_path, zone):
    from click.testing import CliRunner

    from suzhou_geo.cli import main

    out = tmp_path / "zone.gpkg"
    res = CliRunner().invoke(main, ["joint-zone", "-o", str(out)])
    assert res.exit_code == 0, res.output
    back = gpd.read_file(out)
    assert len(back) == len(zone) and set(back.pair) == set(zone.pair)
    assert np.allclose(back.area_km2, zone.area_km2)
    res2 = CliRunner().invoke(main, ["joint-zone", "-o", str(tmp_path / "z.geojson"), "--members", "昆山市,Jiading",
                                     "--distance", "250"])
    assert res2.exit_code == 0, res2.output
    assert "昆山市–嘉定区" in res2.output and "250 m" in res2.output
    bad = CliRunner().invoke(main, ["joint-zone", "-o", str(tmp_path / "x.gpkg"), "--members", "张家港市,嘉定区"])
    assert bad.exit_code != 0 and "share a border" in bad.output


def test_pacts_say_which_parts_are_sourced_and_which_assumed():
    from suzhou_geo.joint import PACT_PARTS

    for p in JOINT_PACTS.values():
        assert sorted(p.sourced + p.assumed) == sorted(PACT_PARTS), p.key
        assert not any(w in p.source for w in ("seed", "planning_facts", "PF §")), p.key
    assert JOINT_PACTS["jiakuntai_2018"].assumed == ()
    qp = JOINT_PACTS["kunshan_qingpu_dianshanhu"]
    # the 2024 report names this agreement in its 2023 paragraph; it defines no band
    assert qp.year == 2023 and qp.name_zh == "昆青两地水环境联保共治合作协议"
    assert "《昆青两地水环境联保共治合作协议》" in qp.source and "2023" in qp.source
    assert set(qp.assumed) == {"distance", "extent"}
    assert "四" in qp.note or "four-party" in qp.note  # the 2018 river-chief framework is another agreement
    with pytest.raises(ValueError, match="sourced \\+ assumed"):
        JointPact(key="x", members=("昆山市", "嘉定区"), distance_m=1, name_zh="x", name_en="x", year=1,
                     source="x", sourced=("members",), assumed=())


def test_dissolved_zone_is_one_row_per_pact_and_matches_an_independent_union(borders, territory):
    """Build the 2018 pact's zone from scratch and compare.

    The zone is the union of 500 m buffers of the three borders, clipped to the three members'
    territory, measured on the GRS80 ellipsoid.
    """
    from pyproj import Geod

    d = joint_control_zone(dissolve=True)
    assert len(d) == 1 and d.pact.iloc[0] == "jiakuntai_2018" and d.crs.to_epsg() == 4490
    assert d.members.iloc[0] == "嘉定区、昆山市、太仓市"
    band = shapely.union_all([shapely.buffer(b, 500, quad_segs=16) for b in borders.values()])
    mine = shapely.intersection(band, shapely.union_all(list(territory.values())))
    geo = gpd.GeoSeries([mine], crs=GK).to_crs("EPSG:4490").iloc[0]
    expected = abs(Geod(ellps="GRS80").geometry_area_perimeter(shapely.orient_polygons(geo))[0]) / 1e6
    assert d.area_km2.iloc[0] == pytest.approx(expected, rel=0.005)
    assert d.area_km2.iloc[0] == pytest.approx(85.74, abs=0.1)


def test_pair_rows_overlap_so_their_sum_exceeds_the_dissolved_total(zone):
    d = joint_control_zone(dissolve=True)
    overlap = zone.area_km2.sum() - d.area_km2.iloc[0]
    assert 0.8 < overlap < 1.5  # ≈ 0.43 + 0.31 + 0.41 km² near the 嘉定–昆山–太仓 tripoint
    g = zone.to_crs(GK)
    a = g[g.pair == "昆山市–嘉定区"].geometry.union_all()
    b = g[g.pair == "昆山市–太仓市"].geometry.union_all()
    assert a.intersection(b).area > 1e5  # pairs overlap (m²) ...
    assert "must not be summed" in joint_control_zone.__doc__  # ... and the docstring says so


def test_dissolve_keeps_pacts_apart_and_labels_custom_zones():
    q = joint_control_zone(pact="kunshan_qingpu_dianshanhu", dissolve=True)
    assert len(q) == 1 and q.assumed.iloc[0] == "distance, extent"
    pact_zone = joint_control_zone(pact="kunshan_qingpu_dianshanhu")
    assert q.area_km2.iloc[0] == pytest.approx(pact_zone.area_km2.sum(), rel=1e-3)
    c = joint_control_zone(members=("Kunshan", "Jiading"), distance_m=200, dissolve=True)
    assert len(c) == 1 and c.distance_m.iloc[0] == 200 and "distance" not in c.assumed.iloc[0]
