"""联防联治区 and 规划格局 in QGIS give the library's layers."""

from __future__ import annotations

import pytest
from conftest import read_layer, rows


def geod_km2(geometry) -> float:
    """Ellipsoidal area (GRS80, as CGCS2000) of a QGIS geometry in EPSG:4490, by pyproj.Geod."""
    import shapely
    from pyproj import Geod

    shape = shapely.from_wkb(bytes(geometry.asWkb()))
    return abs(Geod(ellps="GRS80").geometry_area_perimeter(shape)[0]) / 1e6


def assert_same_zone(got: list[dict], zone) -> None:
    """Assert the zone rows are the library's, areas to 0.01 m² and measured anew."""
    assert len(got) == len(zone)
    for g, w in zip(got, zone.to_dict("records"), strict=True):
        for c in ("pair", "side", "side_adcode", "pact", "source", "members", "pairs"):
            if c in w:
                assert g[c] == w[c], (c, g[c], w[c])
        assert abs(g["area_km2"] - w["area_km2"]) <= 1e-8  # 0.01 m²
        assert abs(g["border_length_m"] - w["border_length_m"]) <= 0.01
        assert g["distance_m"] == w["distance_m"]
        # the geometry QGIS reads has the area the library states (measured independently; the
        # library gives area_km2 to 4 decimals)
        assert abs(geod_km2(g["__geometry__"]) - w["area_km2"]) <= 0.5e-4 + 1e-7 * w["area_km2"], (
            g.get("pair")
        )


def test_the_default_band(run, tmp_path):
    """The 500 m 嘉定–昆山–太仓 band as the library builds it."""
    import suzhou_geo as sg

    res = run("joint_control_zone", {"OUTPUT": str(tmp_path / "联防联治区.gpkg")})
    layer = read_layer(res["OUTPUT"])
    assert layer.crs().authid() == "EPSG:4490"
    assert_same_zone(rows(layer), sg.joint_control_zone())


def test_dissolved_custom_members_and_distance(run, tmp_path):
    """Custom members (Chinese and pinyin), 300 m, dissolved."""
    import suzhou_geo as sg

    res = run(
        "joint_control_zone",
        {
            "PACT": len(sg.JOINT_PACTS),
            "MEMBERS": "昆山市，Qingpu",
            "DISTANCE": 300,
            "DISSOLVE": True,
            "OUTPUT": str(tmp_path / "z.gpkg"),
        },
    )
    assert_same_zone(
        rows(read_layer(res["OUTPUT"])),
        sg.joint_control_zone(members=["昆山市", "Qingpu"], distance_m=300, dissolve=True),
    )


def test_a_pact_with_assumed_parts_says_so(run, feedback, tmp_path):
    """A pact whose width is an assumption warns so in the log."""
    import suzhou_geo as sg

    keys = list(sg.JOINT_PACTS)
    index = keys.index("kunshan_qingpu_dianshanhu")
    res = run("joint_control_zone", {"PACT": index, "OUTPUT": str(tmp_path / "q.gpkg")})
    assert_same_zone(
        rows(read_layer(res["OUTPUT"])), sg.joint_control_zone(pact="kunshan_qingpu_dianshanhu")
    )
    assert any("ASSUMPTION" in w for w in feedback.warnings)


def test_the_librarys_refusal_is_a_processing_exception(run, tmp_path):
    """Members without a shared border: the library's words."""
    from qgis.core import QgsProcessingException

    import suzhou_geo as sg

    with pytest.raises(ValueError) as lib:
        sg.joint_control_zone(members=["昆山市", "张家港市"])
    with pytest.raises(QgsProcessingException) as err:
        run(
            "joint_control_zone",
            {
                "PACT": len(sg.JOINT_PACTS),
                "MEMBERS": "昆山市,张家港市",
                "OUTPUT": str(tmp_path / "x.gpkg"),
            },
        )
    # the library's words, naming the dialog's parameter where the library names its keyword
    label = "「成员 Members（逗号分隔；留空：协议成员 comma-separated; empty: the pact's）」"
    assert str(lib.value).startswith("members: ")
    assert str(err.value) == label + str(lib.value)[len("members"):]
    with pytest.raises(QgsProcessingException) as err:
        run("joint_control_zone", {"PACT": len(sg.JOINT_PACTS), "OUTPUT": str(tmp_path / "y.gpkg")})
    assert "Members" in str(err.value)


def scheme_options() -> list[tuple[int, str | None]]:
    """Return (enum index, scheme key) for every option of the scheme parameter."""
    import suzhou_geo as sg

    return [(0, None)] + [(i + 1, key) for i, key in enumerate(sg.schemes()["key"])]


@pytest.mark.parametrize("index, key", scheme_options(), ids=lambda v: str(v))
def test_scheme_layers(run, tmp_path, index, key):
    """Each scheme's areas, lines and points as the library's elements, in order."""
    from qgis.core import QgsWkbTypes

    import suzhou_geo as sg

    params = {"SCHEME": index} | {
        k: str(tmp_path / f"{k}.gpkg") for k in ("AREAS", "LINES", "POINTS")
    }
    res = run("scheme_layers", params)
    elements = sg.layers() if key is None else sg.scheme(key).elements
    families = {
        "AREAS": (("Polygon", "MultiPolygon"), QgsWkbTypes.PolygonGeometry),
        "LINES": (("LineString", "MultiLineString"), QgsWkbTypes.LineGeometry),
        "POINTS": (("Point", "MultiPoint"), QgsWkbTypes.PointGeometry),
    }
    total = 0
    for out, (types, geometry) in families.items():
        want = elements[elements.geom_type.isin(types)].reset_index(drop=True)
        if want.empty:
            assert out not in res
            continue
        layer = read_layer(res[out])
        assert layer.geometryType() == geometry and layer.crs().authid() == "EPSG:4490"
        got = rows(layer)
        assert [g["element_id"] for g in got] == list(want["element_id"])
        for g, w in zip(got, want.to_dict("records"), strict=True):
            for c in ("scheme", "name_zh", "role_en", "basis", "source"):
                assert g[c] == w[c], (c, g[c], w[c])
            assert g["accuracy_m"] == w["accuracy_m"]
        total += len(got)
    assert total == len(elements)


def test_scheme_layers_are_styled_by_role(provider, tmp_path):
    """Scheme elements are drawn by role, with the map's labels."""
    import processing
    from qgis.core import QgsProject

    from suzhou_geo.maps.styles import ROLE_STYLES

    res = processing.runAndLoadResults(
        "suzhou_geo:scheme_layers", {"SCHEME": 3, "AREAS": str(tmp_path / "a.gpkg")}
    )
    layer = next(
        lyr
        for lyr in QgsProject.instance().mapLayers().values()
        if lyr.source().startswith(res["AREAS"])
    )
    renderer = layer.renderer()
    assert renderer.classAttribute() == "role_en"
    assert [c.label() for c in renderer.categories()] == [s["label"] for s in ROLE_STYLES.values()]
    assert "三核四轴四片" in layer.name()
    QgsProject.instance().removeMapLayer(layer.id())
