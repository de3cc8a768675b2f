"""红线调整比较 Redline comparison in QGIS gives the library's comparison, row for row."""

from __future__ import annotations

from pathlib import Path

import pytest
from _gbk import redlines_shapefile
from conftest import assert_same_rows, ellipsoidal_m2, read_layer, rows


def adjusted() -> str:
    """Return the path of the bundled invented adjustment of the sample redlines."""
    import suzhou_geo as sg

    return str(sg.datasets.get_path("redlines_adjusted"))


@pytest.fixture(scope="module")
def report_path(tmp_path_factory) -> Path:
    """Write the library's parcel report of the bundled parcels (the earlier report)."""
    import suzhou_geo as sg

    path = tmp_path_factory.mktemp("earlier") / "地块报告.gpkg"
    sg.write_layer(sg.validate_parcels(sg.datasets.get_path("parcels")), path)
    return path


@pytest.fixture(scope="module")
def library_comparison():
    """Return the library's comparison of the bundled redlines with their invented adjustment."""
    import suzhou_geo as sg

    return sg.compare_redlines(None, adjusted())


@pytest.fixture(scope="module")
def plugin_run(started, report_path, tmp_path_factory):
    """One run on the bundled redlines, their adjustment and the earlier report, every output."""
    import processing
    from conftest import Recorder

    out = tmp_path_factory.mktemp("comparison")
    fb = Recorder()
    res = processing.run(
        "suzhou_geo:compare_redlines",
        {
            "NEW": adjusted(),
            "REPORT": str(report_path),
            "OUTPUT": str(out / "图斑.gpkg"),
            "LEDGER": str(out / "台账.gpkg"),
            "FLOORS": str(out / "底线.gpkg"),
            "NOISE": str(out / "误差.gpkg"),
            "FLIPS": str(out / "判定改变.gpkg"),
            "FOLDER": str(out / "成果"),
        },
        feedback=fb,
    )
    return res, fb


def test_bundled_adjustment_gives_the_librarys_comparison(plugin_run, library_comparison):
    """Patches, noise, ledger and floors: the library's rows, in order."""
    res, _ = plugin_run
    cmp = library_comparison
    assert_same_rows(rows(read_layer(res["OUTPUT"])), cmp.patches)
    assert_same_rows(rows(read_layer(res["NOISE"])), cmp.noise)
    assert_same_rows(rows(read_layer(res["LEDGER"])), cmp.by_unit)
    assert_same_rows(rows(read_layer(res["FLOORS"])), cmp.floors)
    patches = cmp.patches.drop_duplicates("patch_id")
    assert res["REMOVED"] == int((patches["change"] == "removed").sum()) == 2
    assert res["ADDED"] == int((patches["change"] == "added").sum()) == 2
    assert res["CONFLICTS"] == 0


def test_the_ledger_adds_up_and_the_patches_measure_so_in_qgis(plugin_run, library_comparison):
    """Checked independently: old − out + in − noise out + noise in = new per unit; QGIS's areas."""
    import shapely

    res, _ = plugin_run
    for r in rows(read_layer(res["LEDGER"])):
        flow = r["old_km2"] - r["out_km2"] + r["in_km2"] - r["noise_out_km2"] + r["noise_in_km2"]
        assert abs(flow - r["new_km2"]) <= 1e-6, r["unit"]
    ledger = {r["unit"]: r for r in rows(read_layer(res["LEDGER"]))}
    got = rows(read_layer(res["OUTPUT"]))
    for change, column in (("removed", "out_km2"), ("added", "in_km2")):
        total = sum(r["area_m2"] for r in got if r["change"] == change) / 1e6
        assert abs(total - ledger["苏州市"][column]) <= 1e-6, change
    for row, geom in zip(got, library_comparison.patches.geometry, strict=True):
        assert abs(ellipsoidal_m2(row["__geometry__"]) - row["area_m2"]) <= 0.01, row["patch_id"]
        mine = shapely.from_wkb(bytes(row["__geometry__"].asWkb()))
        want = shapely.multipolygons(shapely.get_parts(geom))
        assert shapely.equals_exact(shapely.normalize(mine), shapely.normalize(want), 1e-9)


def test_the_verdicts_the_new_version_flips(plugin_run, report_path):
    """The flipped parcels are the library's, and exactly those two full validations disagree on."""
    import suzhou_geo as sg

    res, _ = plugin_run
    got = rows(read_layer(res["FLIPS"]))
    assert_same_rows(got, sg.revalidate(str(report_path), adjusted()).changes)
    parcels = sg.datasets.get_path("parcels")
    before = sg.validate_parcels(parcels)
    after = sg.validate_parcels(parcels, redlines=adjusted())
    changed = (before["verdict"] != after["verdict"]).to_numpy().nonzero()[0]
    assert [r["fid"] - 1 for r in got] == list(changed)  # the report's feature ids, from 1
    assert [r["new_verdict"] for r in got] == list(after["verdict"].iloc[changed])
    assert res["VERDICT_CHANGES"] == len(changed) > 0


def test_feedback_and_the_deliverables_folder(plugin_run):
    """The log says the ledger and floors; the folder holds the library's files with the flips."""
    from openpyxl import load_workbook

    from suzhou_geo.report.adjustment import ADJUSTMENT_FILES

    res, fb = plugin_run
    assert any(m.startswith("苏州市: ") and "面积不减少" in m for m in fb.infos)
    assert any(m.startswith("昆山市 ≥ 47.7531 km²") and "达到 met" in m for m in fb.infos)
    assert any("判定改变 verdicts changed: 4 / 382" in m for m in fb.infos)
    assert any("非官方生态保护红线" in w for w in fb.warnings)  # the old version is the sample
    folder = Path(res["FOLDER"])
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        ADJUSTMENT_FILES
    )
    assert "判定改变 verdict changes" in load_workbook(folder / "adjustment.xlsx").sheetnames
    assert max(fb.progress) == 100


def box_around(geom, half_m: float):
    """Return a square of side 2 × *half_m* m around a point inside *geom* (EPSG:4490), in EPSG:4549."""
    import geopandas as gpd
    from shapely.geometry import box

    p = gpd.GeoSeries([geom.representative_point()], crs="EPSG:4490").to_crs("EPSG:4549")[0]
    return box(p.x - half_m, p.y - half_m, p.x + half_m, p.y + half_m)


def test_gbk_shapefiles_farmland_in_a_memory_layer_and_tolerances(
    run, library_comparison, tmp_path
):
    """Both versions as GBK Shapefiles in EPSG:4528, farmland a memory layer, other tolerances."""
    import geopandas as gpd
    from qgis.core import QgsFeature, QgsGeometry, QgsProject, QgsVectorLayer

    import suzhou_geo as sg

    old = redlines_shapefile(tmp_path)
    new = redlines_shapefile(tmp_path, sg.load_redlines(adjusted()), "生态红线_调整后_gbk")
    added = library_comparison.patches.set_index("patch_id").geometry
    field = box_around(added["补划-1"], 100)  # wholly inside the first added patch
    town = box_around(added["补划-2"], 60)
    assert field.within(gpd.GeoSeries([added["补划-1"]], crs=4490).to_crs(4549)[0])
    urban = tmp_path / "城镇开发边界.gpkg"
    gpd.GeoDataFrame({"名称": ["城镇"]}, geometry=[town], crs="EPSG:4549").to_file(urban)
    mem = QgsVectorLayer("Polygon?crs=EPSG:4549", "永久基本农田", "memory")
    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromWkt(field.wkt))
    assert mem.dataProvider().addFeatures([feature])[0]
    QgsProject.instance().addMapLayer(mem)
    params = {
        "OLD": str(old),
        "NEW": str(new),
        "FARMLAND": mem.id(),
        "URBAN_BOUNDARY": str(urban),
        "TOLERANCE_M2": 20.0,
        "TOLERANCE_WIDTH_M": 2.0,
        "OUTPUT": str(tmp_path / "图斑.gpkg"),
        "LEDGER": str(tmp_path / "台账.gpkg"),
    }
    try:
        res = run("compare_redlines", params)
    finally:
        QgsProject.instance().removeMapLayer(mem.id())
    farmland = gpd.GeoDataFrame(geometry=[field], crs="EPSG:4549")
    cmp = sg.compare_redlines(
        str(old),
        str(new),
        farmland=farmland,
        urban_boundary=str(urban),
        tolerance_m2=20.0,
        tolerance_width_m=2.0,
    )
    got = rows(read_layer(res["OUTPUT"]))
    assert_same_rows(got, cmp.patches)
    assert_same_rows(rows(read_layer(res["LEDGER"])), cmp.by_unit)
    # the 补划 patches overlapping farmland and the urban boundary are flagged, every time
    flagged = {r["patch_id"]: r for r in got if r["conflicts"]}
    assert res["CONFLICTS"] == len(flagged) == 2
    farm = next(r for r in flagged.values() if "永久基本农田" in r["conflicts"])
    assert "城镇开发边界" in next(r for r in flagged.values() if r is not farm)["conflicts"]
    # measured independently: the farmland square lies wholly in the patch, so it all overlaps
    square = QgsGeometry.fromWkt(field.wkt)
    assert abs(farm["farmland_m2"] - ellipsoidal_m2(square, "EPSG:4549")) <= 0.01
    assert not any(r["noise"] for r in got)  # slivers under 20 m² stay boundary noise


def test_a_library_error_is_a_processing_exception_with_the_librarys_message(run, tmp_path):
    """A layer that is not a parcel report given as the earlier report: the library's message."""
    import geopandas as gpd
    from qgis.core import QgsProcessingException

    import suzhou_geo as sg

    path = sg.datasets.get_path("projects")
    frame = gpd.read_file(path, fid_as_index=True).rename_axis("fid")
    with pytest.raises(sg.errors.SuzhouGeoError) as lib:
        sg.revalidate(sg.io.Source(frame, name=f"projects ({path})"), adjusted())
    with pytest.raises(QgsProcessingException) as err:
        run(
            "compare_redlines",
            {
                "NEW": adjusted(),
                "REPORT": str(path),
                "OUTPUT": str(tmp_path / "x.gpkg"),
                "LEDGER": str(tmp_path / "l.gpkg"),
            },
        )
    assert str(err.value) == str(lib.value) and "not a parcel report" in str(err.value)
    assert not (tmp_path / "x.gpkg").exists()


def test_the_patches_are_drawn_by_change_with_chinese_labels(provider, report_path, tmp_path):
    """调出 and 补划 drawn distinctly, in the library's colours, labelled with their numbers."""
    import processing
    from qgis.core import QgsProject

    from suzhou_geo.maps.styles import CHANGE_STYLES, VERDICT_ORDER

    res = processing.runAndLoadResults(
        "suzhou_geo:compare_redlines",
        {
            "NEW": adjusted(),
            "REPORT": str(report_path),
            "OUTPUT": str(tmp_path / "styled.gpkg"),
            "LEDGER": str(tmp_path / "styled_ledger.gpkg"),
            "FLIPS": str(tmp_path / "styled_flips.gpkg"),
        },
    )
    loaded = {lyr.source().split("|")[0]: lyr for lyr in QgsProject.instance().mapLayers().values()}
    try:
        layer = loaded[res["OUTPUT"]]
        renderer = layer.renderer()
        assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "change"
        cats = renderer.categories()
        assert [c.value() for c in cats] == ["removed", "added"]
        assert [c.label() for c in cats] == [
            "调出 removed from the redline",
            "补划 added to the redline",
        ]
        fills = [c.symbol().color().name() for c in cats]
        assert fills == [CHANGE_STYLES[c]["fillColor"] for c in ("removed", "added")]
        assert fills[0] != fills[1]
        assert layer.labelsEnabled() and layer.labeling().settings().fieldName == "patch_id"
        assert layer.attributeAlias(layer.fields().indexOf("change")) == "变化 change"
        assert "示意红线 ILLUSTRATIVE" in layer.name()
        ledger = loaded[res["LEDGER"]]
        assert ledger.attributeAlias(ledger.fields().indexOf("not_decreased")) == (
            "面积不减少 area not decreased"
        )
        flips = loaded[res["FLIPS"]].renderer()
        assert flips.classAttribute() == "new_verdict"
        assert [c.value() for c in flips.categories()] == list(VERDICT_ORDER)
    finally:
        for lyr in loaded.values():
            QgsProject.instance().removeMapLayer(lyr.id())


def test_a_foreign_deliverables_folder_is_refused_before_the_work(run, tmp_path):
    """A folder holding an adjustment.md no run wrote: refused before any layer is written."""
    from qgis.core import QgsProcessingException

    folder = tmp_path / "成果"
    folder.mkdir()
    (folder / "adjustment.md").write_text("mine", encoding="utf-8")
    params = {"NEW": adjusted(), "OUTPUT": str(tmp_path / "x.gpkg"), "LEDGER": str(tmp_path / "l.gpkg"),
              "FOLDER": str(folder)}
    with pytest.raises(QgsProcessingException) as err:
        run("compare_redlines", params)
    assert "no run of this command wrote" in str(err.value)
    assert not (tmp_path / "x.gpkg").exists()  # refused before the comparison was computed and written
    assert (folder / "adjustment.md").read_text(encoding="utf-8") == "mine"
