"""Maps: what is emitted into the page (groups, fields, styles, coordinates, escaping, size).

The browser behaviour (layout, toggling, popups, no network, no script execution) is in
test_maps_browser.py; here the page is parsed and checked against values computed
independently (pyproj.Geod, the GCJ-02 transform applied by hand, the frames' own counts).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _maps_data import (
    BREAKOUT,
    XSS,
    joint_frame,
    redline_frame,
    report_frame,
    scheme_frame,
    scheme_frame_new_columns,
    synthetic_report,
)
from click.testing import CliRunner
from pyproj import Geod
from shapely.geometry import Point, Polygon, box

import suzhou_geo as sg
from suzhou_geo import maps
from suzhou_geo.errors import InputError, MissingDependencyError, OutputError
from suzhou_geo.maps import aggregate, kinds

GEOD = Geod(ellps="GRS80")
MAPS_DIR = Path(maps.__file__).parent
_LAYER = re.compile(r'var (safe_geo_json_\w+) = suzhouGeo\.layer\((.*), (\{"classes".*\})\);$', re.M)
_SETUP = re.compile(r"= suzhouGeo\.setup\(map_\w+, (\{.*\})\);$", re.M)


def render(m) -> str:
    return m.get_root().render()


def layers_of(page: str) -> dict[str, tuple[dict, dict]]:
    """JS variable -> (data, spec) of every layer emitted into the page."""
    return {v: (json.loads(d), json.loads(s)) for v, d, s in _LAYER.findall(page)}


def setup_of(page: str) -> dict:
    return json.loads(_SETUP.search(page).group(1))


def entries(page: str) -> dict[str, dict]:
    """Label -> entry of the layer control (overlays, not the tile radio buttons), with its section."""
    out = {}
    for sec in setup_of(page)["control"]["sections"]:
        if sec.get("radio"):
            continue
        for e in sec["entries"]:
            out[e["label"]] = {**e, "section": sec["title"]}
    return out


def rows(data: dict, spec: dict, which: str = "popup") -> list[list[tuple[str, str]]]:
    """Per feature, the (label, text) rows its popup (or tooltip) shows."""
    t = data["table"]
    out = []
    for i in range(len(data["geoms"])):
        shown = [(label, t["dicts"][f][t["cols"][f][i]]) for f, label in spec[which]]
        out.append([(label, text) for label, text in shown if text])
    return out


def group(page: str, label: str) -> list[tuple[dict, dict]]:
    layers = layers_of(page)
    return [layers[v] for v in entries(page)[label]["layers"] if v in layers]


def coords(geom: dict) -> np.ndarray:
    return np.array(shapely.get_coordinates(shapely.from_geojson(json.dumps(geom))))


# --------------------------------------------------------------------------- the package


def _functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def test_no_function_over_80_lines_and_no_kind_branches():
    for path in sorted(MAPS_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for fn in _functions(ast.parse(source)):
            body = fn.end_lineno - fn.body[0].end_lineno if ast.get_docstring(fn) else fn.end_lineno - fn.lineno
            assert body <= 80, f"{path.name}:{fn.name} has {body} lines"
        assert not re.search(r"\bkind(\.name)?\s*==", source), f"{path.name} branches on a kind"


def test_maps_import_no_domain_module():
    for path in sorted(MAPS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                mod = node.module or ""
                allowed = {"crs", "errors", "geometry", "measure", "layer", "io", "validate", "redline_use", "palette"}
                assert mod.split(".")[0] in allowed, f"{path.name} imports ..{mod}"
                if mod.startswith(("validate", "redline_use")):  # the data-only column schemas
                    assert [a.name for a in node.names] == ["schema"], f"{path.name}: only {mod}.schema"


def test_public_names_still_importable():
    for name in ("plan_map", "layer_to_folium", "save_map", "report_map", "BASEMAPS",
                 "ROLE_STYLES", "VERDICT_STYLES", "explore"):
        assert hasattr(maps, name)
    for name in ("plan_map", "layer_to_folium", "save_map", "report_map"):
        assert getattr(sg, name) is getattr(maps, name)


def test_cli_basemap_choices_come_from_the_catalogue():
    from suzhou_geo.cli.maps import map_cmd

    choices = next(p for p in map_cmd.params if p.name == "basemap").type.choices
    assert list(choices)[: len(maps.BASEMAPS)] == list(maps.BASEMAPS)
    assert "amap" in choices and "tdt" in choices


# --------------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    "frame, kind",
    [(scheme_frame, "scheme"), (report_frame, "report"), (redline_frame, "redlines"),
     (joint_frame, "joint_zone"), (lambda: sg.boundary("昆山市"), "boundaries"),
     (lambda: gpd.GeoDataFrame({"x": [1]}, geometry=[Point(120.6, 31.3)], crs=4490), "layer")],
)
def test_kind_is_detected_from_columns(frame, kind):
    assert maps.detect_kind(frame()).name == kind


def test_a_new_kind_is_one_definition(monkeypatch):
    """A kind added to KINDS is recognised, styled, grouped and explained with no other change."""
    wells = kinds.LayerKind(
        name="wells", section="水井 wells", requires=frozenset({"well_type"}),
        classify=lambda f: f["well_type"].astype(str).to_numpy(dtype=object),
        styles={"deep": {"label": "深井 deep well", "color": "#123456", "fillColor": "#123456", "fillOpacity": 1},
                "shallow": {"label": "浅井 shallow well", "color": "#654321", "fillColor": "#654321",
                            "fillOpacity": 1}},
        group_by="class", label_column="well_type", tooltip=("name", "well_type"), popup=("name", "well_type"),
    )
    monkeypatch.setattr(kinds, "KINDS", (wells, *kinds.KINDS))
    monkeypatch.setitem(kinds.KIND_BY_NAME, "wells", wells)
    frame = gpd.GeoDataFrame({"name": ["甲", "乙", "丙"], "well_type": ["deep", "shallow", "deep"]},
                             geometry=[Point(120.6, 31.3), Point(120.7, 31.3), Point(120.8, 31.3)], crs=4490)
    page = render(sg.plan_map(frame, base=False))
    e = entries(page)
    assert e["深井 deep well"]["section"] == "水井 wells" and e["浅井 shallow well"]["section"] == "水井 wells"
    data, spec = group(page, "深井 deep well")[0]
    assert rows(data, spec) == [[("名称 name", "甲"), ("well_type", "深井 deep well")],
                                [("名称 name", "丙"), ("well_type", "深井 deep well")]]
    assert spec["styles"]["deep"]["color"] == "#123456"


# --------------------------------------------------------------------------- groups and defaults


def test_report_map_has_about_a_dozen_entries_with_the_planners_defaults():
    page = render(sg.plan_map(sg.layers(), sg.load_redlines(), sg.joint_control_zone(), report_frame()))
    e = entries(page)
    assert 12 <= len(e) <= 18, list(e)
    schemes = [v for v in e.values() if v["section"] == "格局 schemes"]
    assert len(schemes) == sg.layers()["scheme"].nunique()  # one entry per scheme, elements together
    assert all(not v["show"] for v in schemes)  # schemes off
    on = [k for k, v in e.items() if v["section"] != "格局 schemes"]
    assert all(e[k]["show"] for k in on)  # verdicts, redlines, joint zone, base on
    assert "行政区划与水系 boundaries and water" in on
    assert e["昆山市、嘉定区、太仓市 · 500 m"]["section"] == "联防联治区 joint-control zone"  # who shares it
    assert e["冲突 conflict"]["section"] == "地块 parcels" and e["冲突 conflict"]["count"] == "1"
    red = [k for k, v in e.items() if v["section"].startswith("红线 redlines")]
    assert red == ["生态保护红线 ecological protection redline", "生态空间管控区域 ecological space control area"]


def test_no_translucent_fills_that_could_mix():
    """Schemes are outlines; redlines and the joint zone hatched; parcels and water opaque."""
    page = render(sg.plan_map(sg.layers(), sg.load_redlines(), sg.joint_control_zone(), report_frame()))
    for _, spec in layers_of(page).values():
        for key, style in spec["styles"].items():
            if style.get("hatch") or not style.get("fill", True):
                continue
            assert style.get("fillOpacity", 1) in (0, 1), (key, style)


def test_scheme_elements_toggle_together_and_explain_inference():
    page = render(sg.plan_map(scheme_frame_new_columns(), base=False))
    (data, spec), = group(page, "两心两轴、多廊多点")
    assert len(data["geoms"]) == 4
    popup = dict(rows(data, spec)[1])  # 吴淞江: role inferred, with its evidence
    assert popup["角色为推断 role inferred"] == "是 yes" and popup["几何为推断 geometry inferred"] == "是 yes"
    assert popup["角色依据 role evidence"].startswith("the plan lists 吴淞江")
    assert popup["角色 role"] == "轴 axis"
    old = render(sg.plan_map(scheme_frame().assign(inferred=True), base=False))
    (data, spec), = group(old, "两心两轴、多廊多点")
    assert dict(rows(data, spec)[0])["推断 inferred"] == "是 yes"


def test_scheme_length_and_area_are_ellipsoidal():
    page = render(sg.plan_map(scheme_frame(), base=False))
    (data, spec), = group(page, "两心两轴、多廊多点")
    popups = [dict(r) for r in rows(data, spec)]
    line = [(120.60, 31.28), (120.90, 31.30), (121.10, 31.33)]
    assert popups[1]["长度 length"] == f"{GEOD.line_length(*zip(*line, strict=True)) / 1000:,.2f} km"
    lon, lat = [120.20, 120.45, 120.45, 120.20], [31.00, 31.00, 31.25, 31.25]
    assert popups[3]["面积 area"] == f"{abs(GEOD.polygon_area_perimeter(lon, lat)[0]) / 1e6:,.4f} km²"


def test_redlines_say_illustrative_in_control_and_legend():
    page = render(sg.plan_map(redline_frame(), base=False))
    assert {v["section"] for v in entries(page).values()} == {"红线 redlines · 示意 illustrative"}
    assert "illustrative redlines, not official" in setup_of(page)["legend"]["head"]
    official = redline_frame().assign(basis="survey")
    page = render(sg.plan_map(official, base=False))
    assert {v["section"] for v in entries(page).values()} == {"红线 redlines"}
    assert "illustrative" not in setup_of(page)["legend"]["head"]


def test_legend_lists_classes_with_the_layers_that_draw_them():
    page = render(sg.plan_map(scheme_frame(), report_frame()))
    legend = setup_of(page)["legend"]
    sections = {s["title"]: s for s in legend["sections"]}
    assert [i["label"] for i in sections["地块 parcels"]["items"]] == [
        "冲突 conflict", "复核 review", "告知 notice", "通过 pass"]
    assert list(sections)[-1] == "底图 base map"
    # a scheme's elements are listed under the scheme's name, tied to the layer its entry switches on
    roles = {i["label"]: i["layers"] for i in sections["两心两轴、多廊多点"]["items"]}
    assert set(roles) == {"湖 lake", "轴 axis", "点 point", "核 core"}
    drawn, names = entries(page)["两心两轴、多廊多点"]["layers"]  # the elements and their names, together
    assert all(v == [drawn] for v in roles.values()) and names in setup_of(page)["labels"]
    assert "格局 schemes" not in sections
    assert legend["head"] == "坐标 CGCS2000/WGS84"
    assert any("1 个要素无几何" in n for n in legend["notes"])


# --------------------------------------------------------------------------- popups and tooltips


def test_report_popup_verdict_and_reasons_first_internal_columns_hidden():
    res_like = report_frame().assign(case="clean", synthetic=True, parcel_area_m2=12345.678,
                                     redline_overlap_ratio=0.125, approximate_position=False)
    page = render(sg.plan_map(res_like, base=False))
    (data, spec), = group(page, "冲突 conflict")
    (popup,) = rows(data, spec)
    labels = [label for label, _ in popup]
    assert labels[:2] == ["判定 verdict", "理由 reasons"]
    assert popup[0][1] == "冲突 conflict"
    assert not any(w in " ".join(labels) for w in ("case", "synthetic", "approximate"))
    values = dict(popup)
    assert values["地块椭球面积 ellipsoidal parcel area (m²)"] == "12,345.68"  # formatted once, by the schema
    assert values["重叠占地块比例 overlap share of parcel"] == "12.5%"
    assert "12345.678" not in json.dumps(data, ensure_ascii=False)  # no raw twin
    (tip,) = rows(data, spec, "tooltip")
    assert [t for _, t in tip] == ["东区地块一", "冲突 conflict", "昆山市"]


def test_report_counts_include_parcels_without_geometry():
    page = render(sg.plan_map(report_frame(), base=False))
    e = entries(page)
    assert e["无效 invalid"]["count"] == "1" and e["无效 invalid"]["layers"] == []


# --------------------------------------------------------------------------- escaping


def test_attribute_values_are_escaped_in_the_html():
    page = render(sg.plan_map(report_frame()))
    assert "<img src=x" not in page
    assert "alert(2)</script>" not in page and "</script><script>alert" not in page
    texts = [t for data, _ in layers_of(page).values() for d in data["table"]["dicts"] for t in d]
    assert XSS in texts and BREAKOUT in texts  # the text itself survives, as text
    js = (MAPS_DIR / "static" / "maps.js").read_text(encoding="utf-8")
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", js)
    assert "textContent" in js and "html: span" in js  # place names: an element, not markup


def test_attribute_values_are_never_read_as_templates():
    frame = report_frame().assign(parcel_name=["{{ 7*7 }}", "{% if %}", "{{ cycler.__init__ }}", "x", "y"])
    page = render(sg.plan_map(frame, base=False))
    texts = [t for data, _ in layers_of(page).values() for d in data["table"]["dicts"] for t in d]
    assert {"{{ 7*7 }}", "{% if %}", "{{ cycler.__init__ }}"} <= set(texts)


def test_layer_names_and_titles_are_escaped():
    page = render(sg.plan_map(joint_frame(), names=["<b onmouseover=alert(1)>x</b>"], title="<i>t</i>", base=False))
    assert "<b onmouseover" not in page and "<i>t</i>" not in page
    assert "<b onmouseover=alert(1)>x</b>" in entries(page)  # shown as text by the page


# --------------------------------------------------------------------------- datum, rounding, simplification


def _first_feature(page: str, label: str) -> dict:
    data, _ = group(page, label)[0]
    return data["geoms"][0]


def test_gaode_layer_coordinates_equal_wgs84_to_gcj02_of_the_data():
    poly = Polygon([(120.90, 31.30), (121.00, 31.31), (121.02, 31.40), (120.93, 31.42)])
    frame = gpd.GeoDataFrame({"name_zh": ["测试"]}, geometry=[poly], crs="EPSG:4490")
    m = sg.plan_map(frame, basemap="gaode", simplify_m=0, names=["t"])
    page = render(m)
    drawn = coords(_first_feature(page, "t"))
    src = np.array(poly.exterior.coords)
    lon, lat = sg.wgs84_to_gcj02(src[:, 0], src[:, 1])
    np.testing.assert_allclose(drawn, np.column_stack([lon, lat]), atol=0.5e-5 + 1e-12)
    assert np.abs(drawn - src).max() > 3e-3  # really shifted (~470 m), not just rounded
    assert "GCJ-02" in setup_of(page)["legend"]["head"] and "autonavi.com" in page


def test_gaode_shift_applies_to_the_base_layer_too():
    plain = render(sg.plan_map(basemap="osm"))
    gaode = render(sg.plan_map(basemap="gaode"))
    key = "行政区划与水系 boundaries and water"
    a, b = coords(_first_feature(plain, key)), coords(_first_feature(gaode, key))
    lon, lat = sg.wgs84_to_gcj02(a[:, 0], a[:, 1])
    np.testing.assert_allclose(b, np.column_stack([lon, lat]), atol=2e-5)


def test_offline_gaode_map_is_drawn_in_cgcs2000_without_tiles():
    page = render(sg.plan_map(sg.boundary("昆山市"), basemap="gaode", offline=True))
    assert "autonavi" not in page and "L.tileLayer" not in page
    assert setup_of(page)["legend"]["head"] == "坐标 CGCS2000/WGS84"


def test_coordinates_rounded_to_about_one_metre():
    rng = np.random.default_rng(6)
    pts = np.column_stack([rng.uniform(120.5, 121.2, 200), rng.uniform(31.0, 31.6, 200)])
    frame = gpd.GeoDataFrame({"name": [str(i) for i in range(200)]}, geometry=shapely.points(pts), crs=4490)
    page = render(sg.plan_map(frame, names=["pts"], base=False))
    data, _ = group(page, "pts")[0]
    drawn = np.array([g["coordinates"] for g in data["geoms"]])
    assert max(len(repr(float(v)).split(".")[1]) for v in drawn.ravel()) <= 5
    _, _, dist = GEOD.inv(pts[:, 0], pts[:, 1], drawn[:, 0], drawn[:, 1])
    assert dist.max() < 0.75  # ≤ half a 1e-5° step in each axis: 0.56 m N-S, 0.48 m E-W


def test_large_features_simplified_for_display_only():
    circle = shapely.buffer(Point(120.95, 31.38), 0.05, quad_segs=1000)
    parcel = box(120.80, 31.30, 120.8005, 31.3004)
    frame = gpd.GeoDataFrame({"name": ["circle", "parcel"]}, geometry=[circle, parcel], crs="EPSG:4490")
    before = frame.copy()
    data, _ = group(render(sg.plan_map(frame, names=["c"], base=False)), "c")[0]
    assert frame.geometry.geom_equals_exact(before.geometry, 0).all()  # input untouched
    drawn = [shapely.from_geojson(json.dumps(g)) for g in data["geoms"]]
    assert shapely.get_num_coordinates(drawn[0]) < shapely.get_num_coordinates(circle) / 4
    assert shapely.get_num_coordinates(drawn[1]) == 5  # small features are never simplified
    m = gpd.GeoSeries([circle, drawn[0]], crs="EPSG:4490").to_crs("EPSG:4549")
    assert shapely.hausdorff_distance(m.iloc[0], m.iloc[1]) <= 11.0
    data0, _ = group(render(sg.plan_map(frame, names=["c"], simplify_m=0, base=False)), "c")[0]
    assert shapely.get_num_coordinates(shapely.from_geojson(json.dumps(data0["geoms"][0]))) > 3000


def test_missing_crs_is_an_error_unless_given():
    g = gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(590000, 3470000, 591000, 3471000)])
    with pytest.raises(sg.CRSError, match="EPSG:45"):
        sg.plan_map(g)
    page = render(sg.layer_to_folium(g, crs="EPSG:4549", name="g"))
    c = coords(_first_feature(page, "g"))
    assert 120.9 < c[:, 0].min() < 121.0 and 31.3 < c[:, 1].min() < 31.4


# --------------------------------------------------------------------------- the base layer


def test_base_layer_names_units_and_water_and_is_not_interactive():
    page = render(sg.plan_map())
    e = entries(page)["行政区划与水系 boundaries and water"]
    assert e["section"] == "底图 base map" and e["show"]
    shapes = layers_of(page)[e["layers"][0]]
    assert shapes[1]["interactive"] is False and set(shapes[1]["classes"]) >= {"water", "city", "suzhou", "neighbour"}
    labels = re.search(r"suzhouGeo\.labels\((\[.*\])\);$", page, re.M).group(1)
    texts = {i["text"]: i for i in json.loads(labels)}
    for name in ("昆山市", "太仓市", "常熟市", "吴江区", "张家港市", "姑苏区",
                 "太湖", "阳澄湖", "淀山湖", "长江", "嘉定区"):
        assert name in texts, name
    ks = sg.boundary("昆山市").geometry.iloc[0]
    assert ks.contains(Point(texts["昆山市"]["lon"], texts["昆山市"]["lat"]))  # placed inside its unit
    assert texts["昆山市"]["priority"] < texts["太湖"]["priority"] < texts["嘉定区"]["priority"]


def test_map_without_layers_is_fitted_to_the_city_and_base_can_be_left_out():
    spec = setup_of(render(sg.plan_map()))
    (s, w), (n, e) = spec["bounds"]
    assert 119.8 < w < 120.1 and 121.2 < e < 121.5 and 30.7 < s < 30.9 and 31.9 < n < 32.1
    page = render(sg.plan_map(joint_frame(), base=False))
    assert "suzhouGeo.labels(" not in page and "底图 base map" not in json.dumps(setup_of(page), ensure_ascii=False)


# --------------------------------------------------------------------------- basemaps


def test_tianditu_needs_a_key():
    with pytest.raises(InputError, match="tk="):
        sg.plan_map(basemap="tianditu")
    page = render(sg.plan_map(basemap="tianditu-img", tk="abc123"))
    assert "img_w/wmts" in page and "cia_w/wmts" in page and "tk=abc123" in page and "vec_w/wmts" in page
    sg.plan_map(basemap="tianditu", offline=True)  # no tiles, no key needed


def test_default_offers_osm_and_cartodb_and_unknown_basemap_fails():
    page = render(sg.plan_map())
    assert "tile.openstreetmap.org" in page and "basemaps.cartocdn.com" in page
    tiles = setup_of(page)["control"]["sections"][0]
    assert tiles["radio"] and [e["label"] for e in tiles["entries"]] == ["OpenStreetMap", "CartoDB Positron"]
    with pytest.raises(ValueError, match="unknown basemap"):
        sg.plan_map(basemap="google")


# --------------------------------------------------------------------------- offline, Jupyter and saving


def _external_refs(page: str) -> list[str]:
    return re.findall(r"<script[^>]+src=[\"']?(?:https?:)?//[^\"'> ]+", page) + re.findall(
        r"<link[^>]+href=[\"']?(?:https?:)?//[^\"'> ]+", page
    )


def test_offline_file_is_self_contained(tmp_path):
    online = sg.save_map(sg.plan_map(sg.boundary("昆山市")), tmp_path / "online.html")
    assert _external_refs(online.read_text(encoding="utf-8"))  # the saved online map loads from CDNs
    m = sg.plan_map(sg.boundary("昆山市"))
    page = sg.save_map(m, tmp_path / "offline.html", offline=True).read_text(encoding="utf-8")
    assert _external_refs(page) == [] and not re.search(r"url\(\s*[\"']?(https?:)?//", page)
    assert "L.tileLayer" not in page and setup_of(page)["control"]["sections"][0]["title"] != "底图 basemap"
    assert '"1.9.3"' in page and "data:image/png;base64," in page
    for gone in ("jquery", "bootstrap", "awesome-markers", "fontawesome"):
        assert gone not in page.lower()


def test_save_map_offline_refuses_remote_plugins(tmp_path):
    import folium

    m = sg.plan_map(sg.boundary("昆山市"))
    folium.Marker([31.38, 120.95], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(OutputError, match="awesome-markers"):
        sg.save_map(m, tmp_path / "x.html", offline=True)


def test_jupyter_output_inlines_leaflet_unless_a_plugin_needs_a_cdn():
    import html as htmllib

    import folium

    out = htmllib.unescape(sg.plan_map(sg.boundary("昆山市"))._repr_html_())
    assert "<iframe" in out and '"1.9.3"' in out and "cdn.jsdelivr.net" not in out
    m = sg.plan_map(sg.boundary("昆山市"))
    folium.Marker([31.38, 120.95], icon=folium.Icon(color="red")).add_to(m)
    assert "cdn.jsdelivr.net/npm/leaflet" in htmllib.unescape(m._repr_html_())  # the plugin still works


def test_all_bundled_layers_offline_under_3_mb(tmp_path):
    from suzhou_geo import datasets

    layers = [datasets.layer(name) for name in datasets.LAYERS]
    size = sg.save_map(sg.plan_map(*layers, offline=True), tmp_path / "all.html").stat().st_size
    assert size < 3_000_000, f"{size} bytes"


# --------------------------------------------------------------------------- any number of parcels


def _verdict_totals(page: str) -> tuple[dict, dict]:
    """Per verdict: parcels drawn one by one, and parcels in the grid counts (read from the page)."""
    drawn, counted = {}, {}
    for label in ("冲突 conflict", "复核 review", "告知 notice", "通过 pass", "无效 invalid"):
        for data, spec in group(page, label):
            if "radius" in data:
                n = sum(int(dict(r)["地块数 parcels"].replace(",", "")) for r in rows(data, spec))
                counted[label] = counted.get(label, 0) + n
            else:
                drawn[label] = drawn.get(label, 0) + len(data["geoms"])
    return drawn, counted


def test_large_report_draws_conflicts_and_reviews_and_counts_the_rest():
    report = synthetic_report(25_000, seed=3)
    page = render(sg.plan_map(report, base=False))
    drawn, counted = _verdict_totals(page)
    truth = report[report.geometry.notna()].verdict.value_counts()
    assert drawn == {"冲突 conflict": truth["conflict"], "复核 review": truth["review"],
                     "无效 invalid": truth["invalid"]}
    assert counted == {"告知 notice": truth["notice"], "通过 pass": truth["pass"]}
    e = entries(page)
    assert e["通过 pass"]["count"] == f"{(report.verdict == 'pass').sum():,} · 网格 grid"
    assert any("parcels as counts per 2 km cell" in n for n in setup_of(page)["legend"]["notes"])


def test_page_budget_keeps_the_most_severe_parcels():
    report = synthetic_report(3000, seed=4)
    page = render(sg.plan_map(report, base=False, aggregate_above=100_000))
    drawn, counted = _verdict_totals(page)
    assert counted == {}  # small: every parcel drawn one by one
    conflicts = int((report.verdict == "conflict").sum())
    budget = aggregate.INDIVIDUAL_BYTES
    try:
        aggregate.INDIVIDUAL_BYTES = 60_000
        page = render(sg.plan_map(report, base=False, aggregate_above=100_000))
    finally:
        aggregate.INDIVIDUAL_BYTES = budget
    drawn, counted = _verdict_totals(page)
    assert 0 < drawn["冲突 conflict"] < conflicts and "通过 pass" not in drawn  # most severe first
    total = {k: drawn.get(k, 0) + counted.get(k, 0) for k in set(drawn) | set(counted)}
    truth = report[report.geometry.notna()].verdict.value_counts()
    assert total["冲突 conflict"] == truth["conflict"] and total["通过 pass"] == truth["pass"]  # nothing lost


def test_grid_cells_count_each_parcel_once():
    report = synthetic_report(5000, seed=5)
    report = report[report.geometry.notna()]
    counts, size = aggregate.grid_counts(report.geometry.values, report.verdict.to_numpy(dtype=object))
    assert counts["count"].sum() == len(report) and size == 2000
    assert counts.groupby("cls")["count"].sum().to_dict() == report.verdict.value_counts().to_dict()
    assert (counts["x"] % size == size / 2).all()


# --------------------------------------------------------------------------- report_map, viewer and CLI


def test_report_map_titles_and_engines():
    m = sg.report_map(report_frame(), redline_frame())
    assert m.get_root().title == "地块合规 parcel compliance"
    with pytest.raises(InputError, match="engine"):
        sg.report_map(report_frame(), engine="kepler")
    with pytest.raises(InputError, match="verdict"):
        sg.report_map(joint_frame())


def test_viewer_needs_its_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "lonboard", None)
    with pytest.raises(MissingDependencyError, match=r"suzhou_geo\[viewer\]"):
        sg.report_map(report_frame(), engine="lonboard")


def test_viewer_draws_every_parcel_shifted_on_gaode():
    pytest.importorskip("lonboard")
    import pyarrow as pa

    report = synthetic_report(2000, seed=6)
    view = maps.explore(report, redline_frame(), basemap="gaode")
    parcels = view.layers[-1]
    assert parcels.table.num_rows == int(report.geometry.notna().sum())
    urls = view.layers[0].data
    assert all("autonavi.com" in u for u in urls) and len(urls) == 4
    first = report[report.geometry.notna()].geometry.iloc[0]
    geo = pa.table(parcels.table).column("geometry").combine_chunks()
    ring = np.array(geo[0].as_py()[0])
    lon, lat = sg.wgs84_to_gcj02(*np.array(first.exterior.coords).T)
    np.testing.assert_allclose(ring, np.column_stack([lon, lat]), atol=1e-9)
    assert maps.explore(report, offline=True).layers[0].__class__.__name__ != "BitmapTileLayer"


def test_cli_map(tmp_path):
    from suzhou_geo.cli import main

    f = tmp_path / "parcels.gpkg"
    report_frame().iloc[:4].to_file(f)
    out = tmp_path / "m.html"
    res = CliRunner().invoke(main, ["map", "boundaries", str(f), "-o", str(out), "--basemap", "amap"])
    assert res.exit_code == 0, res.output
    assert "GCJ-02" in res.output and "entries in the layer control" in res.output
    assert entries(out.read_text(encoding="utf-8"))["冲突 conflict"]["section"] == "parcels"
    res = CliRunner().invoke(main, ["map", "nonsense", "-o", str(out)])
    assert res.exit_code != 0 and "not a file" in res.output and "boundaries" in res.output
    assert "issue" not in res.output
    res = CliRunner().invoke(main, ["map", "-o", str(out), "--basemap", "tianditu"], env={"TIANDITU_TK": None})
    assert res.exit_code != 0 and "--tk" in res.output


def test_layer_to_folium_on_a_plain_folium_map():
    import folium

    m = folium.Map(tiles=None)
    assert sg.layer_to_folium(redline_frame(), m) is m
    page = render(m)
    assert "var suzhouGeo" in page and len(entries(page)) == 2
    assert page.index("suzhouGeo.setup(") > page.rindex("suzhouGeo.layer(")
    assert setup_of(render(sg.plan_map(redline_frame(), legend=False)))["legend"] is None


def _rgb(hexcolour: str) -> tuple[int, int, int]:
    h = hexcolour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def test_verdict_colours_mean_what_planners_expect():
    fill = {k: _rgb(v["fillColor"]) for k, v in maps.VERDICT_STYLES.items()}
    r, g, b = fill["conflict"]
    assert r > 180 and g < 80 and b < 80  # red
    r, g, b = fill["review"]
    assert r > 200 and 100 < g < 180 and b < 100  # orange
    r, g, b = fill["notice"]
    assert b > r + 60 and b > g  # blue
    r, g, b = fill["pass"]
    assert g > r + 60 and g > b  # green
    r, g, b = fill["invalid"]
    assert max(r, g, b) - min(r, g, b) < 10  # grey
