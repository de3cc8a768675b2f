"""占用生态保护红线 Occupancy in QGIS gives the library's occupancy, row for row."""

from __future__ import annotations

from pathlib import Path

import pytest
from _gbk import projects_shapefile, redlines_shapefile
from conftest import assert_same_rows, ellipsoidal_m2, read_layer, rows


def parts(occ):
    """Return the library's occupied parts (the rows with geometry of the occupancy table)."""
    return occ.parts[occ.parts["row_type"] == "part"].reset_index(drop=True)


@pytest.fixture(scope="module")
def library_occupancy():
    """Return the library's occupancy of the bundled projects, by project and alternative."""
    import suzhou_geo as sg

    return sg.occupancy(sg.datasets.get_path("projects"), project="项目", alternatives="方案")


@pytest.fixture(scope="module")
def plugin_run(started, tmp_path_factory):
    """One run on the bundled projects with every output, and its feedback."""
    import processing
    from conftest import Recorder

    import suzhou_geo as sg

    out = tmp_path_factory.mktemp("occupancy")
    fb = Recorder()
    res = processing.run(
        "suzhou_geo:occupancy",
        {
            "PARCELS": str(sg.datasets.get_path("projects")),
            "PROJECT_FIELD": "项目",
            "ALTERNATIVE_FIELD": "方案",
            "OUTPUT": str(out / "占用.gpkg"),
            "TABLE": str(out / "占用表.gpkg"),
            "PROJECTS": str(out / "项目.gpkg"),
            "FOLDER": str(out / "成果"),
        },
        feedback=fb,
    )
    return res, fb


def test_bundled_projects_give_the_librarys_occupancy(plugin_run, library_occupancy):
    """Parts, table and projects: the library's rows, in order, areas to 0.01 m²."""
    res, fb = plugin_run
    occ = library_occupancy
    assert_same_rows(rows(read_layer(res["OUTPUT"])), parts(occ))
    assert_same_rows(rows(read_layer(res["TABLE"])), occ.parts)
    projects = rows(read_layer(res["PROJECTS"]))
    assert_same_rows(projects, occ.projects)
    # the alternatives of S1 ranked by the protection redline they occupy, least first
    s1 = sorted((r["rank"], r["alternative"]) for r in projects if r["project"].startswith("S1"))
    assert [a for _, a in s1] == ["方案B", "方案C", "方案A"]
    assert res["OCCUPYING"] == int((occ.projects["redline_m2"] > 0).sum()) == 4
    assert max(fb.progress) == 100


def test_the_occupied_parts_are_the_librarys_shapes_and_measure_so_in_qgis(
    plugin_run, library_occupancy
):
    """Each part's polygon is the library's; QGIS's own ellipsoidal area agrees with area_m2."""
    import shapely

    res, _ = plugin_run
    layer = read_layer(res["OUTPUT"])
    assert layer.crs().authid() == "EPSG:4490"
    got = rows(layer)
    want = parts(library_occupancy)
    for i, (row, geom) in enumerate(zip(got, want.geometry, strict=True)):
        mine = shapely.from_wkb(bytes(row["__geometry__"].asWkb()))
        assert shapely.equals_exact(
            shapely.normalize(mine),
            shapely.normalize(shapely.multipolygons(shapely.get_parts(geom))),
            1e-9,
        ), i
        # measured independently: QGIS's ellipsoidal area of the polygon it loaded
        assert abs(ellipsoidal_m2(row["__geometry__"]) - row["area_m2"]) <= 0.01, i
    # the parts of each project and kind add up to its total row (0.01 m² per part for rounding)
    table = rows(read_layer(res["TABLE"]))
    for t in (r for r in table if r["row_type"] == "total"):
        mine = [
            r["area_m2"]
            for r in table
            if r["row_type"] == "part"
            and (r["project"], r["alternative"], r["redline_kind"])
            == (t["project"], t["alternative"], t["redline_kind"])
        ]
        assert abs(sum(mine) - t["area_m2"]) <= 0.01 * max(len(mine), 1), t


def test_feedback_and_the_deliverables_folder(plugin_run, library_occupancy):
    """The log says each project's totals and the warnings; the folder holds the library's files."""
    from openpyxl import load_workbook

    from suzhou_geo.report.occupancy import OCCUPANCY_FILES

    res, fb = plugin_run
    assert any("S1 天福段公路（示意） 方案A" in m and "126,912.47 m²" in m for m in fb.infos)
    assert any("非官方生态保护红线" in w for w in fb.warnings)  # the bundled redlines
    assert any("不判断项目或调整是否合法" in w for w in fb.warnings)  # no legality decided
    folder = Path(res["FOLDER"])
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        OCCUPANCY_FILES
    )
    book = load_workbook(folder / "occupancy.xlsx")
    assert book[book.sheetnames[0]].max_row == len(library_occupancy.parts) + 1
    page = (folder / "occupancy_summary.html").read_text(encoding="utf-8")
    assert "非官方生态保护红线" in page and "<script" not in page


def test_gbk_shapefiles_in_zone_prefixed_gauss_kruger(run, tmp_path):
    """Projects and official-style redlines as GBK Shapefiles in EPSG:4528: the library's result."""
    import suzhou_geo as sg

    path, written = projects_shapefile(tmp_path)
    red = redlines_shapefile(tmp_path)
    res = run(
        "occupancy",
        {
            "PARCELS": str(path),
            "REDLINES": str(red),
            "PROJECT_FIELD": "项目",
            "ALTERNATIVE_FIELD": "方案",
            "ACTIVITY_FIELD": "活动类型",
            "OUTPUT": str(tmp_path / "占用.gpkg"),
            "TABLE": str(tmp_path / "占用表.gpkg"),
        },
    )
    occ = sg.occupancy(
        str(path), str(red), project="项目", alternatives="方案", activity="活动类型"
    )
    got = rows(read_layer(res["TABLE"]))
    assert_same_rows(got, occ.parts)
    assert_same_rows(rows(read_layer(res["OUTPUT"])), parts(occ))
    # the Chinese values are those written (not merely garbled the same way twice)
    assert {r["project"] for r in got} == set(written["项目"])
    # the named boundary points came through the GBK field 界址点
    assert any(r["points_inside"] for r in got)
    assert not occ.illustrative and "ILLUSTRATIVE" not in " ".join(r["redline_name"] for r in got)


def test_selected_features_of_a_memory_layer_each_a_project(run, tmp_path):
    """A memory layer, its selection only, no project field: one project per feature, by its id."""
    import geopandas as gpd
    from qgis.core import QgsProcessingFeatureSourceDefinition, QgsProject, QgsVectorLayer

    import suzhou_geo as sg

    src = QgsVectorLayer(str(sg.datasets.get_path("projects")), "src", "ogr")
    mem = QgsVectorLayer("MultiPolygon?crs=EPSG:4490", "内存项目", "memory")
    mem.dataProvider().addAttributes(src.fields().toList())
    mem.updateFields()
    assert mem.dataProvider().addFeatures(list(src.getFeatures()))[0]
    QgsProject.instance().addMapLayer(mem)
    try:
        chosen = [f.id() for f in mem.getFeatures() if f["地块编号"].startswith(("S1", "T1-2"))]
        mem.selectByIds(chosen)
        res = run(
            "occupancy",
            {
                "PARCELS": QgsProcessingFeatureSourceDefinition(
                    mem.id(), selectedFeaturesOnly=True
                ),
                "OUTPUT": str(tmp_path / "sel.gpkg"),
                "TABLE": str(tmp_path / "sel_table.gpkg"),
            },
        )
        frame = gpd.read_file(sg.datasets.get_path("projects"), fid_as_index=True)
        frame = frame.rename_axis("fid").loc[sorted(chosen)]  # rows named by their feature id
        occ = sg.occupancy(sg.io.Source(frame, name="内存项目"))
        got = rows(read_layer(res["TABLE"]))
        assert_same_rows(got, occ.parts)
        assert {str(r["project"]) for r in got} == {str(i) for i in chosen}
    finally:
        QgsProject.instance().removeMapLayer(mem.id())


def test_a_library_error_is_a_processing_exception_with_the_librarys_message(run, tmp_path):
    """A bow-tie redline whose repair would change its area: the library's error, in one line."""
    import geopandas as gpd
    from qgis.core import QgsProcessingException
    from shapely.geometry import Polygon

    import suzhou_geo as sg

    bowtie = Polygon([(120.90, 31.30), (120.95, 31.35), (120.95, 31.30), (120.90, 31.35)])
    path = tmp_path / "领结红线.gpkg"
    gpd.GeoDataFrame({"名称": ["领结"]}, geometry=[bowtie], crs="EPSG:4490").to_file(path)
    frame = gpd.read_file(path, fid_as_index=True).rename_axis("fid")
    projects = str(sg.datasets.get_path("projects"))
    with pytest.raises(sg.errors.SuzhouGeoError) as lib:
        sg.occupancy(projects, sg.io.Source(frame, name=f"领结红线 ({path})"))
    params = {
        "PARCELS": projects,
        "REDLINES": str(path),
        "OUTPUT": str(tmp_path / "x.gpkg"),
        "TABLE": str(tmp_path / "t.gpkg"),
    }
    with pytest.raises(QgsProcessingException) as err:
        run("occupancy", params)
    assert str(err.value) == str(lib.value) and "\n" not in str(err.value)
    assert not (tmp_path / "x.gpkg").exists()
    # what the message offers: count the repaired shape (an advanced parameter)
    res = run("occupancy", params | {"REDLINES_INVALID": 1})
    assert rows(read_layer(res["TABLE"]))


def test_the_parts_are_drawn_by_kind_with_bilingual_names(provider, tmp_path):
    """Loaded by Processing: coloured by redline kind as the library's maps, fields aliased."""
    import processing
    from qgis.core import QgsProject

    import suzhou_geo as sg
    from suzhou_geo.maps.styles import OCCUPIED_STYLES

    res = processing.runAndLoadResults(
        "suzhou_geo:occupancy",
        {
            "PARCELS": str(sg.datasets.get_path("projects")),
            "PROJECT_FIELD": "项目",
            "OUTPUT": str(tmp_path / "styled.gpkg"),
            "TABLE": str(tmp_path / "styled_table.gpkg"),
            "PROJECTS": str(tmp_path / "styled_projects.gpkg"),
        },
    )
    loaded = {lyr.source().split("|")[0]: lyr for lyr in QgsProject.instance().mapLayers().values()}
    try:
        layer = loaded[res["OUTPUT"]]
        renderer = layer.renderer()
        assert (
            renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "redline_kind"
        )
        cats = renderer.categories()
        assert [c.value() for c in cats] == list(OCCUPIED_STYLES)
        assert [c.label() for c in cats] == [s["label"] for s in OCCUPIED_STYLES.values()]
        assert [c.symbol().color().name() for c in cats] == [
            s["fillColor"] for s in OCCUPIED_STYLES.values()
        ]
        assert (
            layer.attributeAlias(layer.fields().indexOf("area_mu")) == "占用面积 occupied area (亩)"
        )
        assert "示意红线 ILLUSTRATIVE" in layer.name()
        table = loaded[res["TABLE"]]
        assert table.attributeAlias(table.fields().indexOf("row_type")) == "行类型 row"
        projects = loaded[res["PROJECTS"]]
        assert projects.renderer().type() == "singleSymbol"
        assert projects.attributeAlias(projects.fields().indexOf("rank")) == "方案排序 rank"
    finally:
        for lyr in loaded.values():
            QgsProject.instance().removeMapLayer(lyr.id())


def test_a_foreign_deliverables_folder_is_refused_before_the_work(run, tmp_path):
    """A folder holding an occupancy.md no run wrote: refused before any layer is written."""
    from qgis.core import QgsProcessingException

    import suzhou_geo as sg

    folder = tmp_path / "成果"
    folder.mkdir()
    (folder / "occupancy.md").write_text("mine", encoding="utf-8")
    params = {
        "PARCELS": str(sg.datasets.get_path("projects")),
        "PROJECT_FIELD": "项目",
        "OUTPUT": str(tmp_path / "x.gpkg"),
        "TABLE": str(tmp_path / "t.gpkg"),
        "FOLDER": str(folder),
    }
    with pytest.raises(QgsProcessingException) as err:
        run("occupancy", params)
    assert "no run of this command wrote" in str(err.value)
    assert not (tmp_path / "x.gpkg").exists()  # refused before the occupancy was computed and written
    assert (folder / "occupancy.md").read_text(encoding="utf-8") == "mine"
