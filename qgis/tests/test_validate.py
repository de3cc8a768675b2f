"""验证地块 Validate parcels in QGIS gives the library's report, row for row."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from _gbk import PARCEL_FIELDS, parcels_shapefile
from conftest import read_layer, rows

#: Report columns compared as numbers (m² and m), to 0.01.
MEASURES = ("parcel_area_m2", "redline_overlap_m2", "control_overlap_m2", "nearest_redline_m")
#: Report columns compared as text, exactly.
TEXTS = (
    "verdict",
    "reasons",
    "redline_names",
    "district",
    "joint_zone",
    "scheme_elements",
    "geometry_issue",
    "redline_data",
)


def same_number(a, b, tol=0.01) -> bool:
    """Return True if both are missing or within *tol* of each other."""
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in (a, b)]
    if any(missing):
        return all(missing)
    return abs(float(a) - float(b)) <= tol


def text(v):
    """Return *v* as text, None for a missing value."""
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def assert_same_report(layer_rows: list[dict], reference, input_columns=(), texts=TEXTS):
    """Assert the same verdicts and texts row for row, areas to 0.01 m², input columns kept."""
    assert len(layer_rows) == len(reference)
    for i, (got, want) in enumerate(zip(layer_rows, reference.to_dict("records"), strict=True)):
        for c in texts:
            assert text(got[c]) == text(want[c]), (i, c, got[c], want[c])
        for c in MEASURES:
            assert same_number(got[c], want[c]), (i, c, got[c], want[c])
        assert bool(got["in_joint_zone"]) == bool(want["in_joint_zone"]), i
        for c in input_columns:
            assert text(got[c]) == text(want[c]), (i, c, got[c], want[c])


@pytest.fixture(scope="module")
def library_report(bundled_parcels):
    """Return the library's report of the bundled parcels."""
    import suzhou_geo as sg

    return sg.validate_parcels(bundled_parcels)


@pytest.fixture(scope="module")
def plugin_run(started, bundled_parcels, tmp_path_factory):
    """One run on the bundled parcels with every output, and its feedback."""
    import processing
    from conftest import Recorder

    out = tmp_path_factory.mktemp("validate")
    fb = Recorder()
    res = processing.run(
        "suzhou_geo:validate_parcels",
        {
            "PARCELS": bundled_parcels,
            "OUTPUT": str(out / "报告.gpkg"),
            "EXCEL": str(out / "报告.xlsx"),
            "SUMMARY": str(out / "摘要.html"),
        },
        feedback=fb,
    )
    return res, fb


def test_bundled_parcels_give_the_librarys_report(plugin_run, library_report):
    """The bundled parcels: same report, every field, in order."""
    res, _ = plugin_run
    layer = read_layer(res["OUTPUT"])
    got = rows(layer)
    assert_same_report(got, library_report, input_columns=("parcel_id", "name", "land_use", "case"))
    # every input field is kept, the GeoPackage's fid included, in input order
    assert [r["fid"] for r in got] == list(range(1, len(library_report) + 1))
    names = layer.fields().names()
    assert names[:6] == ["fid", "parcel_id", "name", "land_use", "case", "synthetic"]
    for verdict, n in library_report["verdict"].value_counts().items():
        assert res[verdict.upper()] == n


def test_the_report_geometry_is_the_librarys(plugin_run, library_report):
    """The polygons come back as the library wrote them (EPSG:4490); non-polygons as WKT."""
    import shapely

    res, _ = plugin_run
    layer = read_layer(res["OUTPUT"])
    assert layer.crs().authid() == "EPSG:4490"
    got = rows(layer)
    for i, want in enumerate(library_report.geometry):
        g = got[i]["__geometry__"]
        if want is None or want.is_empty or want.geom_type not in ("Polygon", "MultiPolygon"):
            assert g.isEmpty() or g.isNull(), i
            continue
        mine = shapely.from_wkb(bytes(g.asWkb()))
        assert shapely.equals_exact(
            shapely.normalize(mine),
            shapely.normalize(
                shapely.multipolygons([want]) if want.geom_type == "Polygon" else want
            ),
            tolerance=1e-9,
        ), i
    wkt = {r["case"]: r["input_geometry_wkt"] for r in got if r["input_geometry_wkt"]}
    assert set(wkt) == {"broken_line", "broken_point"}


#: GeoPackage versions in the SQLite header's user_version (offset 60, big-endian): 1.2 is 10200.
GPKG_1_2 = 10200


def test_the_report_geopackage_opens_in_qgis_without_the_version_warning(plugin_run):
    """QGIS 3.22's GDAL reads the report GeoPackage without "may only be partially supported"."""
    from osgeo import gdal  # Debian's GDAL, the library QGIS itself runs on

    res, _ = plugin_run
    head = Path(res["OUTPUT"]).read_bytes()[:100]
    assert head[68:72] == b"GPKG"  # application_id
    messages: list[str] = []
    gdal.PushErrorHandler(lambda _cls, _no, msg: messages.append(msg))
    try:
        ds = gdal.OpenEx(res["OUTPUT"], gdal.OF_VECTOR)
        assert ds is not None and ds.GetLayerCount() == 1
        ds = None
    finally:
        gdal.PopErrorHandler()
    assert not messages, messages
    assert int.from_bytes(head[60:64], "big") == GPKG_1_2


def test_feedback_says_what_the_library_said(plugin_run):
    """The library's log and warnings reach the feedback; progress ends at 100."""
    _, fb = plugin_run
    assert any("row 157" in m and "line, not a polygon" in m for m in fb.infos)
    assert any(
        "非官方" in w or "NOT the official" in w for w in fb.warnings
    )  # the bundled redlines
    assert max(fb.progress) == 100


def test_excel_workbook_and_printable_summary(plugin_run, library_report):
    """The optional workbook and summary are written, with the counts."""
    from openpyxl import load_workbook

    res, _ = plugin_run
    book = load_workbook(res["EXCEL"])
    assert (
        book.sheetnames[0] and "汇总 summary" in book.sheetnames and "规则 rules" in book.sheetnames
    )
    sheet = book[book.sheetnames[0]]
    assert sheet.max_row == len(library_report) + 1
    page = Path(res["SUMMARY"]).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "非官方生态保护红线" in page and "not the official ecological protection redline" in page
    n_conflict = int((library_report["verdict"] == "conflict").sum())
    assert f"<td>冲突 conflict</td><td class=num>{n_conflict}</td>" in page
    assert "parcels (" in page and "382" in page


def test_the_report_is_styled_by_verdict_with_chinese_labels(provider, bundled_parcels, tmp_path):
    """Loaded by Processing, the report is drawn with the library's verdict colours and labels."""
    import processing
    from qgis.core import QgsProject

    from suzhou_geo.maps.styles import VERDICT_ORDER, VERDICT_STYLES

    res = processing.runAndLoadResults(
        "suzhou_geo:validate_parcels",
        {"PARCELS": bundled_parcels, "OUTPUT": str(tmp_path / "styled.gpkg")},
    )
    layer = next(
        lyr
        for lyr in QgsProject.instance().mapLayers().values()
        if lyr.source().startswith(res["OUTPUT"])
    )
    renderer = layer.renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "verdict"
    cats = renderer.categories()
    assert [c.value() for c in cats] == list(VERDICT_ORDER)
    assert [c.label() for c in cats] == [VERDICT_STYLES[v]["label"] for v in VERDICT_ORDER]
    assert [c.symbol().color().name() for c in cats] == [
        VERDICT_STYLES[v]["fillColor"] for v in VERDICT_ORDER
    ]
    assert layer.attributeAlias(layer.fields().indexOf("verdict")) == "判定 verdict"
    assert "示意红线 ILLUSTRATIVE" in layer.name()
    QgsProject.instance().removeMapLayer(layer.id())


def test_gbk_shapefile_in_zone_prefixed_gauss_kruger(run, tmp_path):
    """A GBK Shapefile in EPSG:4528 gives the library's report, its Chinese intact."""
    import suzhou_geo as sg

    path, written = parcels_shapefile(tmp_path)
    res = run("validate_parcels", {"PARCELS": str(path), "OUTPUT": str(tmp_path / "报告.gpkg")})
    got = rows(read_layer(res["OUTPUT"]))
    reference = sg.validate_parcels(str(path))
    assert_same_report(got, reference, input_columns=(*PARCEL_FIELDS, "备注"))
    # the Chinese values are those written, not merely the same garbling twice
    assert [r["名称"] for r in got] == list(written["名称"])
    assert [r["备注"] for r in got] == list(written["备注"])
    assert {r["verdict"] for r in got} >= {"conflict", "review", "notice", "pass"}


def test_gbk_shapefile_without_cpg_is_refused_with_the_fix(provider, run, tmp_path):
    """QGIS garbles a GBK Shapefile without .cpg (read as UTF-8): refused, with the fix."""
    from qgis.core import QgsProcessingException, QgsProject, QgsVectorLayer

    path, written = parcels_shapefile(tmp_path, cpg=False)
    layer = QgsVectorLayer(str(path), "无cpg地块", "ogr")
    QgsProject.instance().addMapLayer(layer)
    try:
        with pytest.raises(QgsProcessingException) as err:
            run("validate_parcels", {"PARCELS": layer.id(), "OUTPUT": str(tmp_path / "x.gpkg")})
        assert "无cpg地块" in str(err.value) and "GBK" in str(err.value)
        assert "Layer Properties → Source → Data source encoding" in str(err.value)
        assert not (tmp_path / "x.gpkg").exists()
        layer.setProviderEncoding("GBK")  # what the message says to do
        res = run("validate_parcels", {"PARCELS": layer.id(), "OUTPUT": str(tmp_path / "y.gpkg")})
        assert [r["名称"] for r in rows(read_layer(res["OUTPUT"]))] == list(written["名称"])
    finally:
        QgsProject.instance().removeMapLayer(layer.id())


def memory_copy(path: str, name: str, crs: str | None = "EPSG:4490"):
    """Copy the polygon features of *path* into a memory layer (no file behind it).

    Returns the layer and the positions in *path* of the features it holds (a memory layer of
    polygons refuses the bundled point and line rows).
    """
    from qgis.core import QgsVectorLayer, QgsWkbTypes

    src = QgsVectorLayer(path, "src", "ogr")
    uri = "MultiPolygon" + (f"?crs={crs}" if crs else "")
    mem = QgsVectorLayer(uri, name, "memory")
    mem.dataProvider().addAttributes(src.fields().toList())
    mem.updateFields()
    kept, positions = [], []
    for i, f in enumerate(src.getFeatures()):
        if f.hasGeometry() and f.geometry().type() != QgsWkbTypes.PolygonGeometry:
            continue
        if f.hasGeometry():
            g = f.geometry()
            g.convertToMultiType()
            f.setGeometry(g)
        kept.append(f)
        positions.append(i)
    assert mem.dataProvider().addFeatures(kept)[0]
    return mem, positions


def test_memory_layer_and_selected_features_only(run, bundled_parcels, library_report, tmp_path):
    """A memory layer, and only its selected features when asked."""
    from qgis.core import QgsProcessingFeatureSourceDefinition, QgsProject

    import suzhou_geo as sg

    mem, positions = memory_copy(bundled_parcels, "内存地块")
    QgsProject.instance().addMapLayer(mem)
    parcels = sg.datasets.parcels()
    texts = [t for t in TEXTS if t != "redline_data"]
    try:
        res = run("validate_parcels", {"PARCELS": mem.id(), "OUTPUT": str(tmp_path / "mem.gpkg")})
        reference = sg.validate_parcels(parcels.iloc[positions].reset_index(drop=True))
        assert_same_report(rows(read_layer(res["OUTPUT"])), reference, ("parcel_id",), texts)
        ids = [f.id() for f in mem.getFeatures()]
        chosen = ids[10:40:3] + ids[220:230]  # includes the self-intersecting parcel
        mem.selectByIds(chosen)
        res = run(
            "validate_parcels",
            {
                "PARCELS": QgsProcessingFeatureSourceDefinition(
                    mem.id(), selectedFeaturesOnly=True
                ),
                "OUTPUT": str(tmp_path / "sel.gpkg"),
            },
        )
        got = rows(read_layer(res["OUTPUT"]))
        subset = parcels.iloc[[positions[ids.index(i)] for i in sorted(chosen)]].reset_index(
            drop=True
        )
        assert "broken_self_intersecting" in set(subset["case"])
        assert_same_report(got, sg.validate_parcels(subset), ("parcel_id", "case"), texts)
    finally:
        QgsProject.instance().removeMapLayer(mem.id())


def test_a_selection_keeps_the_layers_order(run, tmp_path):
    """Selected features come in the layer's order, not in the order QGIS's selection set holds them.

    240 squares selected in reverse: the report must list them in ascending feature id (QGIS's
    selection set, a hash set, hands them over in another order, different from one session to
    the next).
    """
    from qgis.core import (
        QgsFeature,
        QgsGeometry,
        QgsProcessingFeatureSourceDefinition,
        QgsProject,
        QgsRectangle,
        QgsVectorLayer,
    )

    mem = QgsVectorLayer("Polygon?crs=EPSG:4549", "方格", "memory")
    feats = []
    for k in range(240):
        x, y = 530_000 + (k % 20) * 150, 3_470_000 + (k // 20) * 150
        f = QgsFeature()
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(x, y, x + 100, y + 100)))
        feats.append(f)
    assert mem.dataProvider().addFeatures(feats)[0]
    QgsProject.instance().addMapLayer(mem)
    try:
        ids = [f.id() for f in mem.getFeatures()]
        chosen = ids[::-1][:-1]  # all but the first, selected last to first
        mem.selectByIds(chosen)
        # a Shapefile keeps the rows in the order written (a GeoPackage hands them back by fid)
        res = run(
            "validate_parcels",
            {
                "PARCELS": QgsProcessingFeatureSourceDefinition(
                    mem.id(), selectedFeaturesOnly=True
                ),
                "OUTPUT": str(tmp_path / "sel.shp"),
            },
        )
        assert [r["fid"] for r in rows(read_layer(res["OUTPUT"]))] == sorted(chosen)
    finally:
        QgsProject.instance().removeMapLayer(mem.id())


def test_rules_are_passed_to_the_library(run, bundled_parcels, tmp_path):
    """Changed tolerances give the library's verdicts under the same rules."""
    import suzhou_geo as sg

    rules = {
        "review_distance_m": 300.0,
        "overlap_min_m2": 0.0,
        "overlap_min_ratio": 0.0,
        "outside_verdict": "notice",
        "scheme_near_m": 50.0,
    }
    params = {
        "PARCELS": bundled_parcels,
        "OUTPUT": str(tmp_path / "r.gpkg"),
        "REVIEW_DISTANCE_M": 300,
        "OVERLAP_MIN_M2": 0,
        "OVERLAP_MIN_RATIO": 0,
        "OUTSIDE_VERDICT": 2,
        "SCHEME_NEAR_M": 50,
    }
    got = rows(read_layer(run("validate_parcels", params)["OUTPUT"]))
    reference = sg.validate_parcels(bundled_parcels, rules=rules)
    assert [r["verdict"] for r in got] != list(sg.validate_parcels(bundled_parcels)["verdict"])
    assert_same_report(got, reference)


def test_every_rule_of_the_library_is_a_parameter(provider):
    """Each rule of sg.Rules is a parameter whose help cites its source."""
    from dataclasses import fields

    import suzhou_geo as sg

    alg = provider.algorithm("validate_parcels")
    names = {p.name() for p in alg.parameterDefinitions()}
    for f in fields(sg.RULES):
        assert f.name.upper() in names, f.name
        p = alg.parameterDefinition(f.name.upper())
        assert "本库默认值" in p.help() or "同 PostGIS" in p.help(), (
            f.name
        )  # the rule's source, from the library


def test_official_redlines_replace_the_illustrative_sample(run, bundled_parcels, tmp_path):
    """A redline layer replaces the bundled sample."""
    from _gbk import redlines_shapefile

    import suzhou_geo as sg

    red = redlines_shapefile(tmp_path)
    res = run(
        "validate_parcels",
        {"PARCELS": bundled_parcels, "REDLINES": str(red), "OUTPUT": str(tmp_path / "r.gpkg")},
    )
    got = rows(read_layer(res["OUTPUT"]))
    reference = sg.validate_parcels(bundled_parcels, redlines=str(red))
    assert_same_report(got, reference, texts=[t for t in TEXTS if t != "redline_data"])
    # the provenance names the layer the user chose, and its file
    assert {r["redline_data"] for r in got} == {f"生态红线_gbk ({red})"}


def test_a_library_error_is_a_processing_exception_with_the_librarys_message(run, tmp_path):
    """Coordinates in metres under a degree CRS: the library refuses, QGIS shows its line."""
    import geopandas as gpd
    from qgis.core import QgsProcessingException, QgsProject, QgsVectorLayer
    from shapely.geometry import box

    import suzhou_geo as sg

    frame = gpd.GeoDataFrame(
        {"id": [1]}, geometry=[box(40_500_000, 3_460_000, 40_500_100, 3_460_100)], crs="EPSG:4490"
    )
    path = tmp_path / "degrees_claimed.gpkg"
    frame.to_file(path)
    layer = QgsVectorLayer(str(path), "坐标系错误", "ogr")
    QgsProject.instance().addMapLayer(layer)
    try:
        with pytest.raises(sg.errors.SuzhouGeoError) as lib:
            sg.validate_parcels(sg.io.Source(frame, name=f"坐标系错误 ({path})"))
        with pytest.raises(QgsProcessingException) as err:
            run("validate_parcels", {"PARCELS": layer.id(), "OUTPUT": str(tmp_path / "x.gpkg")})
        # the library's words; the fix is what a QGIS user does, not a Python keyword
        problem, fix = str(err.value).split(" Fix: ")
        assert problem == str(lib.value).split(" Fix: ")[0]
        assert "crs='EPSG:4528'" in str(lib.value) and "override_crs" in str(lib.value)
        assert fix.startswith("pass EPSG:4528 as the layer's CRS (图层属性 → 源 → 指定坐标系")
        assert "=" not in fix and "sg." not in fix
        assert "\n" not in str(err.value)
    finally:
        QgsProject.instance().removeMapLayer(layer.id())


def test_a_layer_without_crs_is_refused(run, bundled_parcels, tmp_path):
    """A layer without a valid CRS is refused with the fix (never guessed)."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsProcessingException, QgsProject

    mem, _ = memory_copy(bundled_parcels, "无坐标系", crs=None)
    mem.setCrs(QgsCoordinateReferenceSystem())  # QGIS would otherwise give it its default CRS
    assert not mem.crs().isValid()
    QgsProject.instance().addMapLayer(mem)
    try:
        with pytest.raises(QgsProcessingException) as err:
            run("validate_parcels", {"PARCELS": mem.id(), "OUTPUT": str(tmp_path / "x.gpkg")})
        assert "无坐标系" in str(err.value) and "no valid coordinate reference system" in str(
            err.value
        )
    finally:
        QgsProject.instance().removeMapLayer(mem.id())


def test_outputs_the_library_cannot_write_are_refused(run, bundled_parcels, tmp_path):
    """A table inside an existing GeoPackage is refused."""
    from qgis.core import QgsProcessingException

    target = f"ogr:dbname='{tmp_path / 'existing.gpkg'}' table=\"report\" (geom)"
    with pytest.raises(QgsProcessingException) as err:
        run("validate_parcels", {"PARCELS": bundled_parcels, "OUTPUT": target})
    assert "Save to File" in str(err.value)


def test_an_input_is_never_overwritten(run, tmp_path):
    """Writing the report over its input is refused; the input is intact."""
    from qgis.core import QgsProcessingException

    path, _ = parcels_shapefile(tmp_path)
    before = path.read_bytes()
    with pytest.raises(QgsProcessingException) as err:
        run("validate_parcels", {"PARCELS": str(path), "OUTPUT": str(path)})
    assert "input" in str(err.value)
    assert path.read_bytes() == before


def test_shapefile_report_is_styled_too(provider, bundled_parcels, tmp_path):
    """A Shapefile report (10-byte field names) is styled by verdict too."""
    import processing
    from qgis.core import QgsProject

    res = processing.runAndLoadResults(
        "suzhou_geo:validate_parcels",
        {"PARCELS": bundled_parcels, "OUTPUT": str(tmp_path / "报告.shp")},
    )
    layer = next(
        lyr
        for lyr in QgsProject.instance().mapLayers().values()
        if lyr.source().startswith(res["OUTPUT"])
    )
    assert layer.renderer().classAttribute() == "verdict"
    assert layer.featureCount() == 382
    QgsProject.instance().removeMapLayer(layer.id())


def test_cancelling_stops_the_run(run, bundled_parcels, tmp_path):
    """A cancelled run stops with a clear message and writes nothing."""
    from conftest import Recorder
    from qgis.core import QgsProcessingException

    fb = Recorder()
    fb.cancel()
    with pytest.raises(QgsProcessingException) as err:
        run(
            "validate_parcels",
            {"PARCELS": bundled_parcels, "OUTPUT": str(tmp_path / "c.gpkg")},
            feedback=fb,
        )
    assert "Cancelled" in str(err.value)
    assert not (tmp_path / "c.gpkg").exists()


def test_cancelling_while_the_library_checks_stops_it(run, bundled_parcels, tmp_path):
    """Cancel pressed once the library has started (its progress past the export): it stops there."""
    from conftest import Recorder
    from qgis.core import QgsProcessingException

    fb = Recorder()
    fb.progressChanged.connect(lambda value: value > 20 and fb.cancel())
    with pytest.raises(QgsProcessingException) as err:
        run(
            "validate_parcels",
            {"PARCELS": bundled_parcels, "OUTPUT": str(tmp_path / "c.gpkg")},
            feedback=fb,
        )
    assert "Cancelled" in str(err.value)
    assert max(fb.progress) < 85  # stopped inside the library, before the report was written
    assert not (tmp_path / "c.gpkg").exists()


def test_a_crs_without_an_epsg_code_is_passed_as_wkt(run, tmp_path):
    """A local Transverse Mercator (central meridian 120.5°E, no EPSG code): passed as WKT."""
    from pyproj import CRS
    from qgis.core import QgsVectorLayer

    import suzhou_geo as sg

    local = CRS.from_proj4(
        "+proj=tmerc +lat_0=0 +lon_0=120.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"
    )
    parcels = sg.datasets.parcels()
    polygons = parcels[parcels.geom_type.isin(["Polygon", "MultiPolygon"])].reset_index(drop=True)
    path = tmp_path / "本地坐标.gpkg"
    polygons.to_crs(local).to_file(path)
    assert QgsVectorLayer(str(path), "l", "ogr").crs().authid() == ""  # no EPSG code in QGIS
    res = run("validate_parcels", {"PARCELS": str(path), "OUTPUT": str(tmp_path / "r.gpkg")})
    got = rows(read_layer(res["OUTPUT"]))
    assert_same_report(got, sg.validate_parcels(str(path)), ("parcel_id",), TEXTS[:-1])
    assert {r["verdict"] for r in got} >= {"conflict", "review", "notice", "pass"}


def test_a_text_field_called_fid_is_kept(run, feedback, tmp_path):
    """GeoPackage takes a field called fid as its feature id: a text one is kept as fid_input."""
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsProject, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    mem = QgsVectorLayer("Polygon?crs=EPSG:4490", "带fid字段", "memory")
    mem.dataProvider().addAttributes([QgsField("FID", QVariant.String)])
    mem.updateFields()
    feats = []
    for i, code in enumerate(["苏-1", "苏-2"]):
        f = QgsFeature(mem.fields())
        x = 120.95 + i * 0.01
        f.setGeometry(
            QgsGeometry.fromWkt(
                f"POLYGON(({x} 31.38,{x + 0.001} 31.38,{x + 0.001} 31.381,{x} 31.381,{x} 31.38))"
            )
        )
        f.setAttributes([code])
        feats.append(f)
    mem.dataProvider().addFeatures(feats)
    QgsProject.instance().addMapLayer(mem)
    try:
        res = run("validate_parcels", {"PARCELS": mem.id(), "OUTPUT": str(tmp_path / "fid.gpkg")})
        got = rows(read_layer(res["OUTPUT"]))
        assert [r["FID_input"] for r in got] == ["苏-1", "苏-2"]
        assert any("FID_input" in w for w in feedback.warnings)
    finally:
        QgsProject.instance().removeMapLayer(mem.id())
