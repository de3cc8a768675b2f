"""Raster analysis: rasterize, true pixel areas, zonal statistics, encroachment, CLI.

Every expected number is worked out independently of the code under test:
pixel areas with pyproj.Geod on the densified pixel polygon, covered fractions
by hand (rectangles against a 30 m grid) or by a brute-force loop over pixels.
"""

from __future__ import annotations

import csv

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from click.testing import CliRunner
from pyproj import Geod, Transformer
from rasterio.io import MemoryFile
from rasterio.transform import from_origin
from shapely.geometry import Point, box

import suzhou_geo as sg
from suzhou_geo.cli import main
from suzhou_geo.landcover import LANDCOVER_CLASSES, class_table

GEOD = Geod(ellps="GRS80")
X0, Y0, RES = 590000.0, 3470000.0, 30.0  # about 90 km east of CM 120°E, Kunshan
LON0, LAT0, DEG = 120.6, 31.31, 0.001

# 4 x 4 WorldCover-coded grid; 0 = no data
GRID = np.array(
    [[10, 10, 50, 50],
     [10, 0, 50, 50],
     [80, 80, 80, 40],
     [40, 40, 40, 40]], dtype="uint8",
)


def _ring(x0, y0, x1, y1, n=64):
    xs = np.r_[np.linspace(x0, x1, n), np.full(n, x1), np.linspace(x1, x0, n), np.full(n, x0)]
    ys = np.r_[np.full(n, y0), np.linspace(y0, y1, n), np.full(n, y1), np.linspace(y1, y0, n)]
    return xs, ys


def geod_rect_4549(x0, y0, x1, y1) -> float:
    """Ellipsoidal area of an EPSG:4549 rectangle (edges densified), by pyproj.Geod."""
    t = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
    lon, lat = t.transform(*_ring(x0, y0, x1, y1, n=8))  # GK straight lines ≈ geodesics at this size
    return abs(GEOD.polygon_area_perimeter(lon, lat)[0])


def geod_rect_deg(lon0, lat0, lon1, lat1) -> float:
    """Ellipsoidal area of a lon/lat rectangle bounded by parallels (edges densified)."""
    lon, lat = _ring(lon0, lat0, lon1, lat1, n=200)
    return abs(GEOD.polygon_area_perimeter(lon, lat)[0])


def px_4549(r, c) -> float:
    return geod_rect_4549(X0 + c * RES, Y0 - (r + 1) * RES, X0 + (c + 1) * RES, Y0 - r * RES)


def _mem(arr, crs, transform, nodata=0, block=None):
    mf = MemoryFile()
    kw = dict(tiled=True, blockxsize=block, blockysize=block) if block else {}
    with mf.open(driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1, dtype=arr.dtype,
                 crs=crs, transform=transform, nodata=nodata, **kw) as ds:
        ds.write(arr, 1)
    return mf


@pytest.fixture()
def gk_raster():
    mf = _mem(GRID, "EPSG:4549", from_origin(X0, Y0, RES, RES))
    ds = mf.open()
    yield ds
    ds.close()
    mf.close()


def _zones_gk():
    return gpd.GeoDataFrame(
        {"name": ["whole", "cut", "half-out"], "code": [1, 2, 3]},
        geometry=[
            box(X0, Y0 - 4 * RES, X0 + 4 * RES, Y0),            # the whole raster
            box(X0 + 15, Y0 - 75, X0 + 75, Y0 - 15),            # cuts 9 pixels
            box(X0 + 60, Y0 - 100, X0 + 200, Y0 - 40),          # 80 m of its 140 m width outside
        ],
        index=pd.Index(["z1", "z2", "z3"], name="zid"),
        crs="EPSG:4549",
    )


# ----------------------------------------------------------------- class tables


def test_class_tables_codes_and_names():
    wc = LANDCOVER_CLASSES["worldcover"]
    assert sorted(wc.classes) == [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100]
    assert wc.classes[50][1] == "Built-up" and wc.built == (50,)
    assert wc.classes[95][1] == "Mangroves" and wc.classes[100][2] == "苔藓和地衣"
    clcd = LANDCOVER_CLASSES["clcd"]
    assert sorted(clcd.classes) == list(range(1, 10))
    assert clcd.classes[8][1:] == ("Impervious", "不透水面") and clcd.built == (8,)
    assert "essd-13-3907-2021" in clcd.citation and "10.5281/zenodo.7254221" in wc.citation
    assert class_table("CLCD") is clcd
    custom = class_table({1: ("Paddy", "水田"), 2: "Town"})
    assert custom.classes[1] == ("paddy", "Paddy", "水田") and custom.key(2) == "town"
    with pytest.raises(ValueError, match="known: \\['clcd', 'worldcover'\\]"):
        class_table("corine")


# ----------------------------------------------------------------- pixel areas


@pytest.mark.parametrize("lat", [0.0, 31.31, 60.0])
@pytest.mark.parametrize("d", [1 / 12000, 0.001, 0.1])
def test_geographic_pixel_area_matches_geod(lat, d):
    mf = _mem(np.zeros((3, 2), "uint8"), "EPSG:4326", from_origin(LON0, lat + 3 * d, d, d))
    with mf.open() as ds:
        areas = sg.pixel_areas(ds)
    for r in range(3):
        top = lat + (3 - r) * d
        expected = geod_rect_deg(LON0, top - d, LON0 + d, top)
        assert areas[r, 0] == pytest.approx(expected, rel=1e-9)
        assert areas[r, 1] == areas[r, 0]
    assert areas[0, 0] < areas[2, 0] or lat == 0.0  # cells shrink towards the pole
    mf.close()


def test_worldcover_pixel_near_suzhou_is_not_100_m2():
    d = 1 / 12000
    mf = _mem(np.zeros((1, 1), "uint8"), "EPSG:4326", from_origin(120.6, 31.3 + d, d, d))
    with mf.open() as ds:
        a = sg.pixel_areas(ds)[0, 0]
    assert a == pytest.approx(geod_rect_deg(120.6, 31.3, 120.6 + d, 31.3 + d), rel=1e-9)
    assert 73.0 < a < 73.6


def test_projected_pixel_area_matches_geod(gk_raster):
    areas = sg.pixel_areas(gk_raster)
    for r, c in [(0, 0), (3, 3), (1, 2)]:
        assert areas[r, c] == pytest.approx(px_4549(r, c), rel=1e-7)  # Geod's own rounding ~1e-8
    # 90 km east of the central meridian a 30 m GK pixel is 0.02 % smaller on the ellipsoid
    assert 899.80 < areas[0, 0] < 899.84


def test_projected_pixel_area_interpolation_on_a_wide_window():
    # 300 x 3 pixels of 1 km: lattice interpolation must still match Geod everywhere
    mf = _mem(np.zeros((3, 300), "uint8"), "EPSG:4549", from_origin(350000, 3500000, 1000, 1000))
    with mf.open() as ds:
        areas = sg.pixel_areas(ds)
    for c in [0, 17, 31, 32, 150, 299]:
        expected = geod_rect_4549(350000 + c * 1000, 3497000, 351000 + c * 1000, 3498000)
        assert areas[2, c] == pytest.approx(expected, rel=1e-7)
    mf.close()


# ----------------------------------------------------------------- zonal statistics, EPSG:4549


def test_zonal_fraction_hand_computed(gk_raster):
    stats = sg.zonal_stats(gk_raster, _zones_gk(), classes="worldcover")
    assert list(stats.index) == ["z1", "z2", "z3"] and list(stats["name"]) == ["whole", "cut", "half-out"]
    a = px_4549  # true area of pixel (row, col)

    # z1 covers the raster exactly
    z1 = stats.loc["z1"]
    assert z1.tree_cover_m2 == pytest.approx(a(0, 0) + a(0, 1) + a(1, 0), rel=1e-7)
    assert z1.built_up_m2 == pytest.approx(a(0, 2) + a(0, 3) + a(1, 2) + a(1, 3), rel=1e-7)
    assert z1.water_m2 == pytest.approx(a(2, 0) + a(2, 1) + a(2, 2), rel=1e-7)
    assert z1.cropland_m2 == pytest.approx(a(2, 3) + sum(a(3, c) for c in range(4)), rel=1e-7)
    assert z1.nodata_m2 == pytest.approx(a(1, 1), rel=1e-7)
    assert z1.outside_m2 == pytest.approx(0, abs=1e-6)
    assert z1.nodata_share == pytest.approx(1 / 16, rel=1e-6)

    # z2: x 15..75 m, y 15..75 m below the top -> columns 0,1,2 covered 1/2, 1, 1/2; rows the same
    fx = fy = [0.5, 1.0, 0.5]
    w = {(r, c): fy[r] * fx[c] * a(r, c) for r in range(3) for c in range(3)}
    z2 = stats.loc["z2"]
    assert z2.tree_cover_m2 == pytest.approx(w[0, 0] + w[0, 1] + w[1, 0], rel=1e-7)
    assert z2.built_up_m2 == pytest.approx(w[0, 2] + w[1, 2], rel=1e-7)
    assert z2.nodata_m2 == pytest.approx(w[1, 1], rel=1e-7)
    assert z2.water_m2 == pytest.approx(w[2, 0] + w[2, 1] + w[2, 2], rel=1e-7)
    assert z2.cropland_m2 == 0 and z2.shrubland_m2 == 0
    assert z2.zone_m2 == pytest.approx(geod_rect_4549(X0 + 15, Y0 - 75, X0 + 75, Y0 - 15), rel=1e-7)
    assert z2.n_pixels == 9

    # z3: x 60..200 (inside 60..120 = columns 2, 3), y 40..100 m below the top:
    # row 1 (30..60) covered 20/30, row 2 fully, row 3 (90..120) 10/30
    fy3 = {1: 2 / 3, 2: 1.0, 3: 1 / 3}
    w3 = {(r, c): fy3[r] * a(r, c) for r in (1, 2, 3) for c in (2, 3)}
    z3 = stats.loc["z3"]
    assert z3.built_up_m2 == pytest.approx(w3[1, 2] + w3[1, 3], rel=1e-7)
    assert z3.water_m2 == pytest.approx(w3[2, 2], rel=1e-7)
    assert z3.cropland_m2 == pytest.approx(w3[2, 3] + w3[3, 2] + w3[3, 3], rel=1e-7)
    assert z3.nodata_m2 == pytest.approx(0, abs=1e-6)  # zones pass through EPSG:4490: 1e-9 m round trip
    outside = geod_rect_4549(X0 + 120, Y0 - 100, X0 + 200, Y0 - 40)
    assert z3.outside_m2 == pytest.approx(outside, rel=1e-7)
    assert z3.outside_share == pytest.approx(80 / 140, rel=1e-5)

    shares = stats.filter(like="_share").sum(axis=1)
    np.testing.assert_allclose(shares, 1.0, rtol=1e-7)


def test_zonal_centre_rule_hand_computed(gk_raster):
    zones = _zones_gk()
    zones.loc["z2", "geometry"] = box(X0 + 10, Y0 - 80, X0 + 70, Y0 - 20)
    stats = sg.zonal_stats(gk_raster, zones, classes="worldcover", coverage="centre")
    a = px_4549
    # pixel centres 15, 45, 75 m from the left/top: x 10..70 holds 15 and 45 (columns 0, 1),
    # 20..80 below the top holds 45 and 75 (rows 1, 2)
    z2 = stats.loc["z2"]
    assert z2.n_pixels == 4
    assert z2.tree_cover_m2 == pytest.approx(a(1, 0), rel=1e-7)
    assert z2.nodata_m2 == pytest.approx(a(1, 1), rel=1e-7)
    assert z2.water_m2 == pytest.approx(a(2, 0) + a(2, 1), rel=1e-7)
    assert z2.built_up_m2 == 0
    z3 = stats.loc["z3"]  # centre rows at 45, 75 m inside 40..100; 105 outside
    assert z3.built_up_m2 == pytest.approx(a(1, 2) + a(1, 3), rel=1e-7)
    assert z3.water_m2 == pytest.approx(a(2, 2), rel=1e-7)
    assert z3.cropland_m2 == pytest.approx(a(2, 3), rel=1e-7)


def test_zonal_zone_crs_reprojected(gk_raster):
    z = _zones_gk()
    in_gk = sg.zonal_stats(gk_raster, z, classes="worldcover")
    in_geo = sg.zonal_stats(gk_raster, z.to_crs("EPSG:4490"), classes="worldcover")
    # straight GK edges become slightly curved in lon/lat: differences far below a m²
    np.testing.assert_allclose(in_geo["built_up_m2"], in_gk["built_up_m2"], atol=0.05)
    np.testing.assert_allclose(in_geo["zone_m2"], in_gk["zone_m2"], atol=0.05)
    no_crs = z.set_crs(None, allow_override=True)
    with pytest.raises(sg.CRSError, match="EPSG:4549"):
        sg.zonal_stats(gk_raster, no_crs)
    assert sg.zonal_stats(gk_raster, no_crs, zones_crs="EPSG:4549")["zone_m2"].iloc[1] == pytest.approx(
        in_gk["zone_m2"].iloc[1]
    )
    # Amap/Gaode zones (GCJ-02, about 500 m off) are converted before counting pixels
    gcj = sg.wgs84_to_gcj02(z.to_crs("EPSG:4490"))
    in_gcj = sg.zonal_stats(gk_raster, gcj, classes="worldcover", zones_crs="GCJ-02")
    np.testing.assert_allclose(in_gcj["built_up_m2"], in_gk["built_up_m2"], atol=0.05)


def test_zonal_brute_force_irregular_zone_across_chunks():
    rng = np.random.default_rng(7)
    codes = np.array([10, 40, 50, 80], dtype="uint8")
    grid = codes[rng.integers(0, 4, size=(40, 40))]
    grid[5:9, 20:26] = 0  # a no-data patch
    mf = _mem(grid, "EPSG:4549", from_origin(X0, Y0, RES, RES), block=16)
    # ring-shaped zone, partly beyond the raster's east edge
    zone = Point(X0 + 900, Y0 - 600).buffer(420, quad_segs=32).difference(Point(X0 + 850, Y0 - 620).buffer(130))
    zones = gpd.GeoDataFrame({"id": [1]}, geometry=[zone], crs="EPSG:4549")
    with mf.open() as ds:
        stats = sg.zonal_stats(ds, zones, chunk=16)
        cstats = sg.zonal_stats(ds, zones, chunk=16, coverage="centre")
    # brute force: every pixel, its own intersection and its own Geod area
    exp: dict[int, float] = {}
    exp_c: dict[int, float] = {}
    for r in range(40):
        for c in range(40):
            px = box(X0 + c * RES, Y0 - (r + 1) * RES, X0 + (c + 1) * RES, Y0 - r * RES)
            frac = zone.intersection(px).area / RES**2
            centre = zone.contains(Point(X0 + (c + 0.5) * RES, Y0 - (r + 0.5) * RES))
            if frac > 0 or centre:
                area = px_4549(r, c)
                exp[int(grid[r, c])] = exp.get(int(grid[r, c]), 0.0) + frac * area
                exp_c[int(grid[r, c])] = exp_c.get(int(grid[r, c]), 0.0) + centre * area
    row = stats.iloc[0]
    for code in (10, 40, 50, 80):
        assert row[f"class_{code}_m2"] == pytest.approx(exp[code], rel=1e-7)
        assert cstats.iloc[0][f"class_{code}_m2"] == pytest.approx(exp_c[code], rel=1e-7)
    assert row.nodata_m2 == pytest.approx(exp[0], rel=1e-7)
    inside = sum(exp.values())
    lon, lat = Transformer.from_crs(4549, 4490, always_xy=True).transform(
        *np.asarray(shapely.segmentize(zone, 5).exterior.coords).T
    )
    hole_lon, hole_lat = Transformer.from_crs(4549, 4490, always_xy=True).transform(
        *np.asarray(shapely.segmentize(zone, 5).interiors[0].coords).T
    )
    zone_geod = abs(GEOD.polygon_area_perimeter(lon, lat)[0]) - abs(GEOD.polygon_area_perimeter(hole_lon, hole_lat)[0])
    assert row.zone_m2 == pytest.approx(zone_geod, rel=1e-6)
    assert row.outside_m2 == pytest.approx(zone_geod - inside, rel=1e-5)
    assert row.outside_m2 > 10_000  # the zone does stick out
    mf.close()


# ----------------------------------------------------------------- zonal statistics, EPSG:4326


def test_zonal_geographic_raster_hand_computed():
    grid = np.array([[1, 8, 8], [1, 5, 0], [2, 2, 8]], dtype="uint8")  # CLCD codes
    mf = _mem(grid, "EPSG:4326", from_origin(LON0, LAT0 + 3 * DEG, DEG, DEG))
    # lon 120.6005..120.6025 (columns 1/2, 1, 1/2), lat: 31.3105..31.3130 (rows 0: 1, 1: 1, 2: 1/2)
    zone = box(LON0 + 0.0005, LAT0 + 0.0005, LON0 + 0.0025, LAT0 + 0.0035)  # 0.0005° above the top
    zones = gpd.GeoDataFrame({"name": ["湖边"]}, geometry=[zone], crs="EPSG:4326")
    with mf.open() as ds:
        stats = sg.zonal_stats(ds, zones, classes="clcd", zone_field="name")

    def cell(r, c):
        top = LAT0 + (3 - r) * DEG
        return geod_rect_deg(LON0 + c * DEG, top - DEG, LON0 + (c + 1) * DEG, top)

    fx = [0.5, 1.0, 0.5]
    fy = [1.0, 1.0, 0.5]
    w = {(r, c): fx[c] * fy[r] * cell(r, c) for r in range(3) for c in range(3)}
    row = stats.iloc[0]
    assert row["name"] == "湖边"
    assert row.cropland_m2 == pytest.approx(w[0, 0] + w[1, 0], rel=1e-7)
    assert row.impervious_m2 == pytest.approx(w[0, 1] + w[0, 2] + w[2, 2], rel=1e-7)
    assert row.water_m2 == pytest.approx(w[1, 1], rel=1e-7)
    assert row.forest_m2 == pytest.approx(w[2, 0] + w[2, 1], rel=1e-7)
    assert row.nodata_m2 == pytest.approx(w[1, 2], rel=1e-7)
    outside = geod_rect_deg(LON0 + 0.0005, LAT0 + 0.003, LON0 + 0.0025, LAT0 + 0.0035)
    assert row.outside_m2 == pytest.approx(outside, rel=1e-6)
    zone_m2 = geod_rect_deg(LON0 + 0.0005, LAT0 + 0.0005, LON0 + 0.0025, LAT0 + 0.0035)
    assert row.zone_m2 == pytest.approx(zone_m2, rel=1e-6)
    enc = sg.encroachment(mf.open(), zones, classes="clcd")
    assert enc.iloc[0].built_m2 == pytest.approx(row.impervious_m2)
    assert enc.iloc[0].built_share == pytest.approx(row.impervious_m2 / row.zone_m2)
    observed = row.zone_m2 - row.nodata_m2 - row.outside_m2
    assert enc.iloc[0].built_share_observed == pytest.approx(row.impervious_m2 / observed)
    mf.close()


def test_zonal_zone_entirely_outside_and_empty_zone(gk_raster):
    zones = gpd.GeoDataFrame(
        {"n": [1, 2]}, geometry=[box(X0 + 1000, Y0, X0 + 1100, Y0 + 100), None], crs="EPSG:4549"
    )
    with pytest.warns(UserWarning, match="no usable geometry"):
        stats = sg.zonal_stats(gk_raster, zones, classes="worldcover")
    assert stats.iloc[0].outside_share == pytest.approx(1.0)
    assert stats.iloc[0].built_up_m2 == 0 and stats.iloc[0].n_pixels == 0
    assert np.isnan(stats.iloc[1].zone_m2) and np.isnan(stats.iloc[1].built_up_m2)


def test_zonal_continuous_area_weighted():
    vals = np.array([[1.0, 2.0], [np.nan, 4.0]], dtype="float32")
    mf = _mem(vals, "EPSG:4549", from_origin(X0, Y0, RES, RES), nodata=np.nan)
    zone = box(X0, Y0 - 60, X0 + 45, Y0)  # columns covered 1 and 1/2
    zones = gpd.GeoSeries([zone], crs="EPSG:4549")
    with mf.open() as ds:
        stats = sg.zonal_stats(ds, zones, categorical=False)
        with pytest.raises(ValueError, match="categorical=False"):
            sg.zonal_stats(ds, zones)
    a = px_4549
    w = np.array([a(0, 0), 0.5 * a(0, 1), 0.5 * a(1, 1)])
    v = np.array([1.0, 2.0, 4.0])
    mean = (w * v).sum() / w.sum()
    row = stats.iloc[0]
    assert row["count"] == 3 and row["min"] == 1.0 and row["max"] == 4.0
    assert row["mean"] == pytest.approx(mean, rel=1e-9)
    assert row["std"] == pytest.approx(np.sqrt((w * (v - mean) ** 2).sum() / w.sum()), rel=1e-9)
    assert row["valid_m2"] == pytest.approx(w.sum(), rel=1e-7)
    assert row["nodata_m2"] == pytest.approx(a(1, 0), rel=1e-7)
    mf.close()


def test_unknown_codes_warn_and_suggest_table(gk_raster):
    grid = np.array([[1, 8], [5, 5]], dtype="uint8")
    mf = _mem(grid, "EPSG:4549", from_origin(X0, Y0, RES, RES))
    with mf.open() as ds, pytest.warns(UserWarning, match="classes='clcd'"):
        stats = sg.zonal_stats(ds, gpd.GeoSeries([box(X0, Y0 - 60, X0 + 60, Y0)], crs=4549), classes="worldcover")
    assert "class_8_m2" in stats.columns and "built_up_m2" in stats.columns
    mf.close()


def test_encroachment_default_built_class(gk_raster):
    enc = sg.encroachment(gk_raster, _zones_gk(), zone_field="name")
    a = px_4549
    assert list(enc["name"]) == ["whole", "cut", "half-out"]
    built = a(0, 2) + a(0, 3) + a(1, 2) + a(1, 3)
    assert enc.loc["z1", "built_m2"] == pytest.approx(built, rel=1e-7)
    zone_m2 = sum(a(r, c) for r in range(4) for c in range(4))
    assert enc.loc["z1", "built_share"] == pytest.approx(built / zone_m2, rel=1e-7)
    with pytest.raises(ValueError, match="not in the"):
        sg.encroachment(gk_raster, _zones_gk(), built_classes=[8])


# ----------------------------------------------------------------- rasterize


XR, YR = 589980.0, 3470010.0  # multiples of 30 m: rasterize snaps its grid to them


def test_rasterize_codes_grid_and_files(tmp_path):
    X0, Y0 = XR, YR  # noqa: N806
    layer = gpd.GeoDataFrame(
        {"name_zh": ["甲", "乙"], "kind": ["湿地", "湿地"]},
        geometry=[box(X0, Y0 - 90, X0 + 60, Y0), box(X0 + 60, Y0 - 30, X0 + 150, Y0)],
        crs="EPSG:4549",
    )
    out = tmp_path / "z.tif"
    with sg.rasterize(layer, resolution=30, out=out) as r:
        arr = r.read(1)
        ds = r.dataset
        assert ds.transform == from_origin(X0, Y0, 30, 30) and ds.crs.to_epsg() == 4549
        assert ds.nodata == 0 and ds.profile["tiled"] and ds.profile["compress"] == "deflate"
    expected = np.array([[1, 1, 2, 2, 2], [1, 1, 0, 0, 0], [1, 1, 0, 0, 0]])
    np.testing.assert_array_equal(arr, expected)
    table = pd.read_csv(f"{out}.codes.csv", encoding="utf-8-sig")
    assert table["name_zh"].tolist() == ["甲", "乙"] and table["pixels"].tolist() == [6, 3]
    with sg.rasterize(layer, resolution=30, attribute="kind") as r2:
        assert r2.codes["kind"].tolist() == ["湿地"] and r2.codes["features"].tolist() == [2]
        assert (r2.read(1) == (expected > 0)).all()


def test_rasterize_like_aligns_geographic_layer(gk_raster):
    # a layer in lon/lat, aligned to the 4549 grid: only pixels whose centre falls inside
    zone = box(X0 + 30, Y0 - 90, X0 + 90, Y0 - 30)
    layer = gpd.GeoSeries([zone], crs="EPSG:4549").to_crs("EPSG:4326")
    with sg.rasterize(layer, like=gk_raster) as r:
        assert r.dataset.transform == gk_raster.transform and r.dataset.shape == (4, 4)
        arr = r.read(1)
    expected = np.zeros((4, 4), int)
    expected[1:3, 1:3] = 1
    np.testing.assert_array_equal(arr, expected)
    with pytest.raises(ValueError, match="degrees"):
        sg.rasterize(layer, crs="EPSG:4326", resolution=30)


def test_rasterize_in_strips_equals_one_pass():
    rng = np.random.default_rng(3)
    pts = rng.uniform([X0, Y0 - 3000], [X0 + 3000, Y0], size=(40, 2))
    layer = gpd.GeoSeries(shapely.buffer(shapely.points(pts), rng.uniform(30, 400, 40)), crs=4549)
    with sg.rasterize(layer, resolution=10, chunk=16) as a, sg.rasterize(layer, resolution=10, chunk=100000) as b:
        np.testing.assert_array_equal(a.read(1), b.read(1))
        assert a.codes["pixels"].tolist() == b.codes["pixels"].tolist()


def test_rasterize_then_zonal_roundtrip():
    zones = gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[box(XR, YR - 60, XR + 60, YR), box(XR + 60, YR - 60, XR + 120, YR)], crs=4549,
    )
    with sg.rasterize(zones, resolution=30) as r:
        assert r.dataset.transform == from_origin(XR, YR, 30, 30)
        stats = sg.zonal_stats(r, zones, classes={1: "a", 2: "b"})
    assert stats.loc[0, "a_share"] == pytest.approx(1.0) and stats.loc[0, "b_m2"] == 0
    b = geod_rect_4549(XR + 60, YR - 60, XR + 120, YR)
    assert stats.loc[1, "b_m2"] == pytest.approx(b, rel=1e-7)


# ----------------------------------------------------------------- CLI


def test_cli_zonal_and_rasterize(tmp_path, gk_raster):
    tif = tmp_path / "lc.tif"
    with rasterio.open(tif, "w", **gk_raster.profile) as dst:
        dst.write(GRID, 1)
    zones = _zones_gk()
    zfile = tmp_path / "zones.gpkg"
    zones.to_file(zfile)
    out = tmp_path / "stats.csv"
    res = CliRunner().invoke(main, ["zonal", str(tif), str(zfile), "-o", str(out), "--classes", "worldcover",
                                    "--zone-field", "name"])
    assert res.exit_code == 0, res.output
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["name"] for r in rows] == ["whole", "cut", "half-out"]
    assert float(rows[0]["built_up_m2"]) == pytest.approx(sum(px_4549(r, c) for r in (0, 1) for c in (2, 3)), rel=1e-7)
    bad = CliRunner().invoke(main, ["zonal", str(tif), str(zfile), "--zone-field", "nope"])
    assert bad.exit_code != 0 and "no column 'nope'" in bad.output
    res = CliRunner().invoke(main, ["rasterize", str(zfile), "-o", str(tmp_path / "z.tif"), "--resolution", "30"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "z.tif.codes.csv").exists()
    with rasterio.open(tmp_path / "z.tif") as ds:
        assert ds.res == (30.0, 30.0) and ds.read(1).max() == 3


def test_fraction_exact_for_grid_snapped_and_overhanging_polygons():
    """Vertices on pixel corners and centres, and polygons overhanging the window."""
    from suzhou_geo.raster.coverage import coverage as _coverage
    from suzhou_geo.raster.coverage import covered

    rng = np.random.default_rng(11)
    wt = from_origin(0, 300, 10, 10)
    rr, cc = np.meshgrid(np.arange(30), np.arange(30), indexing="ij")
    boxes = shapely.box(cc * 10.0, 300 - (rr + 1) * 10.0, (cc + 1) * 10.0, 300 - rr * 10.0)
    checked = 0
    for trial in range(150):
        step = (10.0, 5.0, None)[trial % 3]
        if step is None:
            pts = rng.uniform(-100, 400, size=(6, 2))
        else:
            pts = rng.integers(0, int(300 / step) + 1, size=(6, 2)) * step
        g = shapely.make_valid(shapely.Polygon(pts))
        g = shapely.union_all([p for p in shapely.get_parts(g) if p.geom_type == "Polygon"])
        if g.is_empty or g.area == 0:
            continue
        exact = shapely.area(shapely.intersection(boxes, g)) / 100.0  # brute force, every pixel
        np.testing.assert_allclose(_coverage(g, wt, (30, 30), "fraction"), exact, atol=1e-9)
        _, lo, hi = covered(g, wt, (30, 30), "fraction")
        for r in range(30):  # what zonal_stats leaves out of its sums is not covered at all
            assert not exact[r, : lo[r]].any() and not exact[r, hi[r]:].any()
        checked += 1
    assert checked > 100


def test_zones_must_be_polygons_and_raster_needs_crs(gk_raster):
    pts = gpd.GeoSeries([Point(X0 + 10, Y0 - 10)], crs="EPSG:4549")
    with pytest.raises(sg.errors.GeometryError,
                       match=r"zones must be polygons, but 1 zone\(s\) are not \(feature 1: point\)"):
        sg.zonal_stats(gk_raster, pts)
    mf = _mem(GRID, None, from_origin(X0, Y0, RES, RES))
    with mf.open() as ds, pytest.raises(sg.CRSError, match="rio edit-info"):
        sg.zonal_stats(ds, _zones_gk())
    mf.close()


def test_zonal_stats_and_rasterize_read_as_short_pipelines():
    """Their bodies (after the docstring) stay short: named stages, each a function of its own."""
    import ast
    import inspect

    from suzhou_geo.raster import burn, zonal

    for fn in (zonal.zonal_stats, burn.rasterize):
        node = ast.parse(inspect.getsource(fn)).body[0]
        body = node.body[1:]  # the docstring first
        lines = body[-1].end_lineno - body[0].lineno + 1
        assert lines < 40, (fn.__name__, lines)


def test_centre_rule_equals_gdal_rasterisation():
    """The scanline centre rule gives GDAL's own rasterisation, pixel for pixel, holes and overhangs included."""
    from rasterio import features

    from suzhou_geo.raster.coverage import centre_inside

    rng = np.random.default_rng(3)
    checked = 0
    for trial in range(200):
        wt = from_origin(rng.uniform(-5, 5), rng.uniform(295, 305), 10, 10)
        g = shapely.make_valid(shapely.Polygon(rng.uniform(-100, 400, size=(7, 2))))
        g = shapely.union_all([p for p in shapely.get_parts(g) if p.geom_type == "Polygon"])
        if g.is_empty:
            continue
        if trial % 3 == 0:
            g = g.difference(g.centroid.buffer(30))
        gdal = features.rasterize([(g, 1)], out_shape=(30, 30), transform=wt, fill=0, dtype="uint8")
        cover, lo, hi = centre_inside(g, wt, (30, 30))
        np.testing.assert_array_equal(cover, gdal)
        for r in range(30):  # nothing is covered outside a row's span
            assert not cover[r, : lo[r]].any() and not cover[r, hi[r]:].any()
        checked += 1
    assert checked > 150
