"""Folium maps: what is emitted into the HTML (coordinates, escaping, layers, legend, size).

The browser behaviour (rendering, toggling, tooltips, no script execution) is in
test_maps_browser.py; here the saved HTML is parsed and checked against values
computed independently (pyproj.Geod, the GCJ-02 transform applied by hand).
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _maps_data import BREAKOUT, XSS, joint_frame, redline_frame, report_frame, scheme_frame
from click.testing import CliRunner
from pyproj import Geod
from shapely.geometry import Point, Polygon, box

import suzhou_geo as sg
from suzhou_geo import maps

GEOD = Geod(ellps="GRS80")
_LAYER = re.compile(r'var (safe_geo_json_\w+) = suzhouGeo\.layer\((.*), (\{"styles".*\})\);$', re.M)


def render(m) -> str:
    return m.get_root().render()


def layers_of(page: str) -> dict[str, tuple[dict, dict]]:
    """Layer name -> (GeoJSON FeatureCollection, spec) as emitted into the page."""
    out = {}
    for _, data, spec in _LAYER.findall(page):
        fc = json.loads(data)
        out[fc["name"]] = (fc, json.loads(spec))
    return out


def control_names(page: str) -> list[str]:
    block = re.search(r"overlays :  \{(.*?)\}", page, re.S).group(1)
    return [json.loads(f'"{k}"') for k in re.findall(r'"((?:[^"\\]|\\.)*)" :', block)]


def coords(geojson_geom: dict) -> np.ndarray:
    return np.array(shapely.get_coordinates(shapely.from_geojson(json.dumps(geojson_geom))))


# --------------------------------------------------------------------------- layers and grouping


def test_scheme_one_toggleable_layer_per_element_styled_by_role():
    page = render(sg.plan_map(scheme_frame()))
    names = control_names(page)
    assert names == [
        "两心两轴、多廊多点 · 阳澄湖", "两心两轴、多廊多点 · 吴淞江",
        "两心两轴、多廊多点 · 天福国家湿地公园", "两心两轴、多廊多点 · 太湖生态核",
    ]
    layers = layers_of(page)
    fc, spec = layers["两心两轴、多廊多点 · 吴淞江"]
    assert [f["properties"]["_s"] for f in fc["features"]] == ["axis"]
    assert spec["styles"]["axis"]["dashArray"]  # axes are drawn dashed
    # tooltip: Chinese and English names; length of the line measured independently
    props = fc["features"][0]["properties"]
    assert props["name_zh"] == "吴淞江" and props["name_en"] == "Wusong River"
    line = [(120.60, 31.28), (120.90, 31.30), (121.10, 31.33)]
    expect_km = GEOD.line_length(*zip(*line)) / 1000
    assert props["_length"] == f"{expect_km:,.2f} km"
    assert [c for c, _ in spec["tooltip"]][:2] == ["name_zh", "name_en"]


def test_polygon_area_in_tooltip_is_ellipsoidal():
    page = render(sg.plan_map(scheme_frame()))
    props = layers_of(page)["两心两轴、多廊多点 · 太湖生态核"][0]["features"][0]["properties"]
    lon = [120.20, 120.45, 120.45, 120.20]
    lat = [31.00, 31.00, 31.25, 31.25]
    expect = abs(GEOD.polygon_area_perimeter(lon, lat)[0]) / 1e6
    assert props["_area"] == f"{expect:,.4f} km²"


@pytest.mark.parametrize(
    "frame, kind",
    [(scheme_frame, "scheme"), (report_frame, "report"), (redline_frame, "redlines"),
     (joint_frame, "joint_zone"), (lambda: sg.boundary("昆山市"), "boundaries")],
)
def test_kind_is_detected_from_columns(frame, kind):
    assert maps._detect_kind(frame()) == kind


def _rgb(hexcolour: str) -> tuple[int, int, int]:
    h = hexcolour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def test_report_layers_per_verdict_coloured_by_meaning():
    page = render(sg.plan_map(report_frame(), names=["parcels"]))
    names = control_names(page)
    assert names == ["parcels · 冲突 conflict (1)", "parcels · 复核 review (1)",
                     "parcels · 告知 notice (1)", "parcels · 通过 pass (1)"]
    styles = next(iter(layers_of(page).values()))[1]["styles"]
    r, g, b = _rgb(styles["conflict"]["color"])
    assert r > 180 and g < 80 and b < 80  # red
    r, g, b = _rgb(styles["review"]["color"])
    assert r > 200 and 100 < g < 180 and b < 100  # orange
    r, g, b = _rgb(styles["notice"]["color"])
    assert b > r + 60 and b > g  # blue
    r, g, b = _rgb(styles["pass"]["color"])
    assert g > r + 60 and g > b  # green
    r, g, b = _rgb(maps.VERDICT_STYLES["invalid"]["color"])
    assert max(r, g, b) - min(r, g, b) < 10  # grey
    # the parcel without geometry is not drawn, and the legend says so
    legend = json.loads(re.search(r"div.innerHTML = (\".*\");", page).group(1))
    assert "1 feature(s) of parcels have no geometry and are not drawn" in legend


def test_redlines_say_illustrative_in_names_and_legend():
    page = render(sg.plan_map(redline_frame()))
    names = control_names(page)
    assert len(names) == 2 and all("illustrative — not the official redline" in n for n in names)
    legend = json.loads(re.search(r"div.innerHTML = (\".*\");", page).group(1))
    assert "illustrative — not the official redline" in legend
    # the flag in attrs works too, with a basis that does not say so
    official_like = redline_frame().assign(basis="survey")
    assert not any("illustrative" in n for n in control_names(render(sg.plan_map(official_like))))
    official_like.attrs["illustrative"] = True
    assert all("illustrative" in n for n in control_names(render(sg.plan_map(official_like))))


def test_object_with_elements_is_drawn():
    class FakeScheme:
        name = "两心两轴"

        def __init__(self):
            self.elements = scheme_frame()

    m = sg.layer_to_folium(FakeScheme())
    assert len(control_names(render(m))) == 4


def test_layer_to_folium_adds_to_an_existing_map_and_keeps_the_control_last():
    m = sg.layer_to_folium(sg.boundary("昆山市"))
    sg.layer_to_folium(joint_frame(), m, name="嘉昆太")
    import folium

    folium.GeoJson(box(120.9, 31.3, 121.0, 31.4).__geo_interface__, name="plain folium").add_to(m)
    page = render(m)
    assert control_names(page) == ["行政区划 boundaries", "嘉昆太", "plain folium"]
    # the control's script comes after every layer it references
    assert page.index("L.control.layers") > page.rindex("suzhouGeo.layer(")


def test_layer_names_are_escaped_for_the_layer_control():
    page = render(sg.plan_map(joint_frame(), names=["<b onmouseover=alert(1)>x</b>"]))
    assert control_names(page) == ["&lt;b onmouseover=alert(1)&gt;x&lt;/b&gt;"]


def test_missing_crs_is_an_error_unless_given():
    g = gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(590000, 3470000, 591000, 3471000)])
    with pytest.raises(sg.CRSError, match="EPSG:45"):
        sg.plan_map(g)
    page = render(sg.layer_to_folium(g, crs="EPSG:4549"))
    c = coords(next(iter(layers_of(page).values()))[0]["features"][0]["geometry"])
    assert 120.9 < c[:, 0].min() < 121.0 and 31.3 < c[:, 1].min() < 31.4  # drawn in degrees, near 昆山


# --------------------------------------------------------------------------- escaping


def test_attribute_values_are_escaped_in_the_html():
    page = render(sg.plan_map(report_frame()))
    assert "<img src=x" not in page
    assert "alert(2)</script>" not in page and "</script><script>alert" not in page
    names = [f["properties"]["parcel_name"] for fc, _ in layers_of(page).values() for f in fc["features"]]
    assert XSS in names and BREAKOUT in names  # the text itself survives, as text
    # the client code inserts attribute values with textContent, never innerHTML
    helpers = maps._HELPERS
    assert "d.textContent = String(v)" in helpers and "innerHTML" not in helpers


# --------------------------------------------------------------------------- datum, rounding, simplification


def test_gaode_layer_coordinates_equal_wgs84_to_gcj02_of_the_data():
    poly = Polygon([(120.90, 31.30), (121.00, 31.31), (121.02, 31.40), (120.93, 31.42)])
    frame = gpd.GeoDataFrame({"name_zh": ["测试"]}, geometry=[poly], crs="EPSG:4490")
    page = render(sg.plan_map(frame, basemap="gaode", simplify_m=0))
    drawn = coords(next(iter(layers_of(page).values()))[0]["features"][0]["geometry"])
    src = np.array(poly.exterior.coords)
    lon, lat = sg.wgs84_to_gcj02(src[:, 0], src[:, 1])
    expect = np.column_stack([lon, lat])
    assert drawn.shape == expect.shape
    np.testing.assert_allclose(drawn, expect, atol=0.5e-5 + 1e-12)
    assert np.abs(drawn - src).max() > 3e-3  # really shifted (~470 m), not just rounded
    assert "GCJ-02 (shifted for the Gaode basemap)" in json.loads(re.search(r"div.innerHTML = (\".*\");", page).group(1))
    assert "autonavi.com" in page


def test_gaode_shift_on_real_boundary():
    ks = sg.boundary("昆山市")
    page = render(sg.plan_map(ks, basemap="amap", simplify_m=0, precision=7))
    drawn = coords(next(iter(layers_of(page).values()))[0]["features"][0]["geometry"])
    expect = shapely.get_coordinates(sg.wgs84_to_gcj02(np.asarray(ks.geometry.values)))
    assert drawn.shape == expect.shape
    assert np.abs(drawn - expect).max() <= 0.5e-7 + 1e-12


def test_osm_map_is_not_shifted_and_says_cgcs2000():
    poly = box(120.9, 31.3, 121.0, 31.4)
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[poly], crs="EPSG:4490")
    page = render(sg.plan_map(frame))
    drawn = coords(next(iter(layers_of(page).values()))[0]["features"][0]["geometry"])
    assert np.abs(drawn - np.array(poly.exterior.coords)).max() < 1e-9
    assert "CGCS2000/WGS84" in json.loads(re.search(r"div.innerHTML = (\".*\");", page).group(1))


def test_coordinates_rounded_to_about_one_metre():
    rng = np.random.default_rng(6)
    pts = np.column_stack([rng.uniform(120.5, 121.2, 200), rng.uniform(31.0, 31.6, 200)])
    frame = gpd.GeoDataFrame({"name": [str(i) for i in range(200)]}, geometry=shapely.points(pts), crs="EPSG:4490")
    page = render(sg.plan_map(frame))
    fc = next(iter(layers_of(page).values()))[0]
    drawn = np.array([f["geometry"]["coordinates"] for f in fc["features"]])
    decimals = [len(repr(float(v)).split(".")[1]) for v in drawn.ravel()]
    assert max(decimals) <= 5
    _, _, dist = GEOD.inv(pts[:, 0], pts[:, 1], drawn[:, 0], drawn[:, 1])
    assert dist.max() < 0.75  # ≤ half a 1e-5° step in each axis: 0.56 m N-S, 0.48 m E-W


def test_large_features_simplified_for_display_only():
    # a 5 km circle with 4000 vertices and a small parcel with 5
    centre = Point(120.95, 31.38)
    circle = shapely.buffer(centre, 0.05, quad_segs=1000)
    parcel = box(120.80, 31.30, 120.8005, 31.3004)
    frame = gpd.GeoDataFrame({"name": ["circle", "parcel"]}, geometry=[circle, parcel], crs="EPSG:4490")
    before = frame.copy()
    page = render(sg.plan_map(frame))
    assert frame.geometry.geom_equals_exact(before.geometry, 0).all()  # input untouched
    feats = next(iter(layers_of(page).values()))[0]["features"]
    drawn_circle = shapely.from_geojson(json.dumps(feats[0]["geometry"]))
    drawn_parcel = shapely.from_geojson(json.dumps(feats[1]["geometry"]))
    assert shapely.get_num_coordinates(drawn_circle) < shapely.get_num_coordinates(circle) / 4
    assert shapely.get_num_coordinates(drawn_parcel) == 5  # small features are never simplified
    # the simplified outline stays within 10 m (+1 m rounding) of the original, measured in EPSG:4549
    m = gpd.GeoSeries([circle, drawn_circle], crs="EPSG:4490").to_crs("EPSG:4549")
    assert shapely.hausdorff_distance(m.iloc[0], m.iloc[1]) <= 11.0
    # and simplify_m=0 keeps every vertex
    page0 = render(sg.plan_map(frame, simplify_m=0))
    feats0 = next(iter(layers_of(page0).values()))[0]["features"]
    assert shapely.get_num_coordinates(shapely.from_geojson(json.dumps(feats0[0]["geometry"]))) > 3000


# --------------------------------------------------------------------------- basemaps


def test_tianditu_needs_a_key():
    with pytest.raises(ValueError, match="tk="):
        sg.plan_map(basemap="tianditu")
    page = render(sg.plan_map(basemap="tianditu-img", tk="abc123"))
    assert "img_w/wmts" in page and "cia_w/wmts" in page and "tk=abc123" in page
    assert "vec_w/wmts" in page  # the vector map is offered alongside


def test_default_offers_osm_and_cartodb_and_unknown_basemap_fails():
    page = render(sg.plan_map())
    assert "tile.openstreetmap.org" in page and "basemaps.cartocdn.com" in page
    with pytest.raises(ValueError, match="unknown basemap"):
        sg.plan_map(basemap="google")


# --------------------------------------------------------------------------- offline and size


def _external_refs(page: str) -> list[str]:
    return re.findall(r"<script[^>]+src=[\"']?(?:https?:)?//[^\"'> ]+", page) + re.findall(
        r"<link[^>]+href=[\"']?(?:https?:)?//[^\"'> ]+", page
    )


def test_offline_file_is_self_contained(tmp_path):
    import xstatic.pkg.leaflet  # noqa: F401  (a runtime dependency: missing means broken, not skipped)
    online = sg.save_map(sg.plan_map(sg.boundary("昆山市")), tmp_path / "online.html")
    assert _external_refs(online.read_text(encoding="utf-8"))  # the online map loads from CDNs
    path = sg.save_map(sg.plan_map(sg.boundary("昆山市"), offline=True), tmp_path / "offline.html")
    page = path.read_text(encoding="utf-8")
    assert _external_refs(page) == []
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", page)
    assert '"1.9.3"' in page  # Leaflet's version string, inlined
    for gone in ("jquery", "bootstrap", "awesome-markers", "fontawesome"):
        assert gone not in page.lower()
    assert "data:image/png;base64," in page  # the layer-control icon, inlined


def test_save_map_offline_refuses_remote_plugins(tmp_path):
    import xstatic.pkg.leaflet  # noqa: F401  (a runtime dependency: missing means broken, not skipped)
    import folium

    m = sg.plan_map(sg.boundary("昆山市"))
    folium.Marker([31.38, 120.95], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(ValueError, match="awesome-markers"):
        sg.save_map(m, tmp_path / "x.html", offline=True)


def test_all_bundled_layers_offline_under_3_mb(tmp_path):
    import xstatic.pkg.leaflet  # noqa: F401  (a runtime dependency: missing means broken, not skipped)
    layers = []
    for name in maps.BUNDLED_LAYERS:
        try:
            layers.append(maps.bundled_layer(name))
        except LookupError:  # a layer whose issue has not landed yet
            continue
    assert layers, "at least the boundaries are bundled"
    path = sg.save_map(sg.plan_map(*layers, offline=True), tmp_path / "all.html")
    size = path.stat().st_size
    assert size < 3_000_000, f"{size} bytes"


# --------------------------------------------------------------------------- report_map and CLI


def test_report_map_adds_district_context():
    page = render(sg.report_map(report_frame()))
    names = control_names(page)
    assert names[0] == "行政区划 boundaries" and names[1].startswith("地块 parcels · 冲突")
    districts = {f["properties"]["name_zh"] for f in layers_of(page)["行政区划 boundaries"][0]["features"]}
    assert "昆山市" in districts and "苏州市" not in districts


def test_cli_map(tmp_path):
    from suzhou_geo.cli import main

    f = tmp_path / "parcels.gpkg"
    report_frame().iloc[:4].to_file(f)
    out = tmp_path / "m.html"
    res = CliRunner().invoke(main, ["map", "boundaries", str(f), "-o", str(out), "--basemap", "gaode"])
    assert res.exit_code == 0, res.output
    assert "GCJ-02" in res.output and out.exists()
    page = out.read_text(encoding="utf-8")
    assert any(n.startswith("parcels · ") for n in control_names(page))
    res = CliRunner().invoke(main, ["map", "nonsense", "-o", str(out)])
    assert res.exit_code != 0 and "not a file" in res.output and "boundaries" in res.output
    res = CliRunner().invoke(main, ["map", "-o", str(out), "--basemap", "tianditu"], env={"TIANDITU_TK": None})
    assert res.exit_code != 0 and "--tk" in res.output


def test_layer_to_folium_on_a_plain_folium_map_and_legend_off():
    import folium

    m = folium.Map(tiles=None)
    out = sg.layer_to_folium(redline_frame(), m)
    assert out is m
    page = render(m)
    assert "var suzhouGeo" in page and len(control_names(page)) == 2
    assert page.index("L.control.layers") > page.rindex("suzhouGeo.layer(")
    assert "sg-legend" in page.split("</style>", 2)[-1]  # the legend control is rendered
    assert 'L.DomUtil.create("div", "sg-legend")' not in render(sg.plan_map(redline_frame(), legend=False))
