"""Write the example notebooks in examples/ (outputs stripped) from the cells below.

    python scripts/build_notebooks.py

The notebooks are the user-facing examples; this script is their reviewable
source.  tests/test_examples.py executes every notebook with nbclient, so they
cannot rot.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01_schemes.ipynb": [
        ("md", "# The planned spatial schemes as layers\n\nEvery named pattern of the Suzhou and Kunshan "
               "plans is a `Scheme`: its elements are a GeoDataFrame in CGCS2000 (EPSG:4490) that says, per "
               "element, where the geometry comes from (`basis`), how accurate it is (`accuracy_m`) and which "
               "clause defines it (`source`). Two questions are kept apart: does the source text state the "
               "element's role (`role_inferred`, with the clause wording or our reason in `role_evidence`), and "
               "is its shape real data or "
               "drawn from our reading (`geometry_inferred`)?"),
        ("code", "import suzhou_geo as sg\n\nsg.schemes()"),
        ("code", "eco = sg.scheme(\"三核四轴四片\")\neco"),
        ("code", "eco.elements[[\"element_id\", \"role\", \"name_zh\", \"role_inferred\", \"role_evidence\", "
                 "\"geometry_inferred\", \"basis\", \"accuracy_m\", \"source\"]]"),
        ("md", "Areas by element, on the ellipsoid:"),
        ("code", "eco.area_km2()"),
        ("md", "Which elements does a point in 阳澄湖 fall in, and which lie within 2 km of a point in 昆山?"),
        ("code", "import geopandas as gpd\nfrom shapely.geometry import Point\n\n"
                 "pts = gpd.GeoSeries([Point(120.80, 31.43), Point(120.98, 31.38)], crs=\"EPSG:4490\")\n"
                 "eco.locate(pts, within_m=2000)"),
        ("md", "The city structure 一主四副双轴 and Kunshan's ecological pattern 两心两轴、多廊多点:"),
        ("code", "structure = sg.scheme(\"一主四副双轴\")\n"
                 "structure.elements[[\"role\", \"name_zh\", \"basis\", \"accuracy_m\"]]"),
        ("code", "ks = sg.scheme(\"两心两轴\")\n"
                 "ks.elements[[\"role\", \"name_zh\", \"role_inferred\", \"role_evidence\", \"geometry_inferred\", "
                 "\"basis\"]]"),
        ("md", "All schemes on one map (switch elements on and off in the layer control):"),
        ("code", "m = sg.plan_map(sg.layers())\nm"),
    ],
    "02_redline_floors.ipynb": [
        ("md", "# Do we keep enough ecological land? The redline area floors\n\n"
               "The plans set floors for the ecological protection redline by 2035: **≥ 1950 km² for 苏州市** "
               "(《关于全面推进美丽苏州建设的实施意见》第（十五）条) and **≥ 47.7531 km² for 昆山市** "
               "(《全面推进美丽昆山建设工作方案》重点任务第1项). Redlines are clipped to the "
               "jurisdiction, dissolved so that overlaps count once, and measured on the CGCS2000 ellipsoid.\n\n"
               "> The bundled redlines are an **illustrative reconstruction from public sources, not the official "
               "redline**. Pass the official file to `load_redlines()` for official work."),
        ("code", "import suzhou_geo as sg\n\nsg.FLOORS"),
        ("code", "red = sg.load_redlines()\nprint(red.attrs.get(\"data_note\"))\n"
                 "red[[\"name\", \"kind\", \"category\", \"jurisdiction\", \"basis\", \"accuracy_m\"]].head(10)"),
        ("code", "ks = sg.check_floor(\"昆山市\", redlines=red)\nks"),
        ("code", "sz = sg.check_floor(\"苏州市\", redlines=red)\nsz.by_district"),
        ("md", "## What if these parcels are approved?\n\n`minus=` subtracts proposed development "
               "footprints from the redline before measuring: the question a planner asks before approving."),
        ("code", "parcels = sg.read_layer(sg.data_path(\"parcels\", \"parcels.gpkg\"))\n"
                 "proposed = parcels[parcels[\"case\"].isin([\"inside_redline\", \"straddles_redline\"])]\n"
                 "whatif = sg.check_floor(\"昆山市\", redlines=red, minus=proposed)\n"
                 "print(f\"before {ks.area_km2:.4f} km², after {whatif.area_km2:.4f} km², "
                 "lost {ks.area_km2 - whatif.area_km2:.4f} km²\")\n"
                 "whatif.ok"),
        ("md", "## The 500 m joint-control band along the 嘉定–昆山–太仓 borders"),
        ("code", "zone = sg.joint_control_zone()\nzone.drop(columns=\"geometry\")"),
        ("code", "sg.JOINT_PACTS"),
        ("code", "sg.plan_map(red, zone)"),
    ],
    "03_validate_parcels.ipynb": [
        ("md", "# May these parcels be developed?\n\n`validate_parcels` gives one verdict per parcel, "
               "in input order, with the reasons, overlap areas and distances. Broken rows get the verdict "
               "`invalid` with a reason; nothing is dropped. The parcels here are the bundled **synthetic** "
               "sample (`sg.datasets.parcels()`); pass your own file the same way."),
        ("code", "import suzhou_geo as sg\n\nreport = sg.validate_parcels(sg.datasets.parcels())\n"
                 "report[[\"parcel_id\", \"case\", \"verdict\", \"reasons\", \"redline_overlap_m2\", "
                 "\"nearest_redline_m\", \"district\"]].head(15)"),
        ("code", "sg.summarize(report)"),
        ("code", "report[report.verdict == \"invalid\"][[\"parcel_id\", \"case\", \"geometry_issue\", \"reasons\"]]"),
        ("md", "## A GBK-encoded Shapefile without `.cpg`, as agencies send them\n\n"
               "Without a `.cpg` GDAL assumes Latin-1 and Chinese names come out as mojibake; the library "
               "detects it and re-reads as GB18030. The files of this notebook go to a temporary folder that "
               "the last cell removes."),
        ("code", "import pathlib, tempfile\n\n"
                 "workdir = tempfile.TemporaryDirectory(prefix=\"suzhou_geo_example_\")  # removed in the last cell\n"
                 "tmp = pathlib.Path(workdir.name)\n"
                 "sample = report[report.geometry.notna() & "
                 "report.geom_type.isin([\"Polygon\", \"MultiPolygon\"])].head(20)\n"
                 "sample = sample[[\"parcel_id\", \"name\", \"land_use\", \"geometry\"]].to_crs(\"EPSG:4549\")\n"
                 "sample.to_file(tmp / \"parcels_gbk.shp\", encoding=\"GBK\")\n"
                 "(tmp / \"parcels_gbk.cpg\").unlink()\n"
                 "gbk_report = sg.validate_parcels(tmp / \"parcels_gbk.shp\")\n"
                 "assert gbk_report[\"name\"].str.startswith(\"合成地块\").all()  # Chinese intact, not mojibake\n"
                 "gbk_report[[\"parcel_id\", \"name\", \"verdict\"]].head()"),
        ("md", "## Amap/Gaode (GCJ-02) coordinates\n\nDeclare them with `crs=\"GCJ-02\"`; they are converted "
               "to CGCS2000 before any analysis."),
        ("code", "gcj = sg.wgs84_to_gcj02(sample.to_crs(\"EPSG:4490\"))\n"
                 "gcj_report = sg.validate_parcels(gcj, crs=\"GCJ-02\")\n"
                 "(gcj_report.verdict.values == sg.validate_parcels(sample).verdict.values).all()"),
        ("md", "## Writing the report\n\nThe extension chooses the format: `.gpkg` (one polygon layer for "
               "QGIS/ArcGIS), `.xlsx` (Excel with summary sheets), `.csv` (UTF-8 with BOM, WKT last), `.shp` "
               "(field names shortened, with a table of the full names), `.parquet`. An existing file is "
               "replaced only with `overwrite=True`."),
        ("code", "for name in (\"report.gpkg\", \"report.xlsx\", \"report.csv\"):\n"
                 "    sg.write_layer(report, tmp / name)\n"
                 "sorted(p.name for p in tmp.iterdir())"),
        ("code", "sg.plan_map(report)"),
        ("code", "workdir.cleanup()  # remove the temporary folder and everything in it"),
    ],
    "04_maps_chinese_basemaps.ipynb": [
        ("md", "# Maps planners can read\n\nEvery map carries its own context: the outlines and names of "
               "苏州市, its county-level units and the neighbours, and the water (太湖, 阳澄湖, 淀山湖, the "
               "Yangtze, the main rivers), drawn from the bundled data. In Jupyter the maps inline Leaflet, so "
               "they render with no network at all; tiles appear when there is one."),
        ("code", "import suzhou_geo as sg\n\n"
                 "report = sg.validate_parcels(sg.data_path(\"parcels\", \"parcels.gpkg\"))\n"
                 "sg.plan_map(sg.layers(), sg.load_redlines(), sg.joint_control_zone(), report)"),
        ("md", "The layer control (top right) has one entry per scheme (its elements switch together; off "
               "when the map opens), per redline kind, the joint-control zone, one per verdict with its count, "
               "and the base layer. The legend (bottom left) folds away; it lists only the classes of the "
               "layers switched on. Click a parcel for its verdict and reasons."),
        ("md", "## Chinese basemaps\n\nAmap/Gaode tiles are drawn in GCJ-02, offset ~465 m from CGCS2000 "
               "around Suzhou. With `basemap=\"gaode\"` every layer, the base layer too, is shifted to GCJ-02 "
               "for display, so it lines up with the tiles; the data themselves stay in CGCS2000. Tianditu "
               "(天地图) tiles are CGCS2000 and need your key (`tk=`)."),
        ("code", "ks = sg.boundary(\"昆山市\")\nsg.plan_map(ks, sg.scheme(\"两心两轴\").elements, basemap=\"gaode\")"),
        ("md", "## Offline maps for isolated government networks\n\n`offline=True` writes one "
               "self-contained HTML file: Leaflet inlined, no tile layers, no request of any kind; the base "
               "layer gives the context."),
        ("code", "import tempfile, pathlib\n\n"
                 "workdir = tempfile.TemporaryDirectory(prefix=\"suzhou_geo_example_\")  # removed in the last cell\n"
                 "out = pathlib.Path(workdir.name) / \"kunshan.html\"\n"
                 "m = sg.plan_map(ks, sg.joint_control_zone(), offline=True, title=\"昆山 联防联治区\")\n"
                 "sg.save_map(m, out)\nprint(out, out.stat().st_size, \"bytes\")\nm"),
        ("md", "## Large reports\n\nA report of more than 20 000 parcels draws its conflicts and reviews one by "
               "one and counts the other parcels per grid cell (the legend says so), so `map.html` stays under "
               "15 MB. To see every parcel of a report of hundreds of thousands, use the deck.gl viewer "
               "(`pip install 'suzhou_geo[viewer]'`):"),
        ("code", "from suzhou_geo.errors import MissingDependencyError\n\n"
                 "try:\n    view = sg.report_map(report, engine=\"lonboard\")\n"
                 "except MissingDependencyError as exc:  # the viewer extra is not installed\n"
                 "    view = str(exc)\nview"),
        ("code", "workdir.cleanup()  # remove the temporary folder and everything in it"),
    ],
    "05_raster_stats.ipynb": [
        ("md", "# Land cover inside redlines, from a raster\n\nPlanners monitor what happens inside redlines "
               "from land-cover rasters (ESA WorldCover 10 m, CLCD 30 m). No real land-cover raster is bundled "
               "(they are large and licensed separately), so this notebook makes a **synthetic** WorldCover-coded "
               "raster over Kunshan, in a temporary folder that the last cell removes; point `zonal_stats` at "
               "your own GeoTIFF for real work."),
        ("code", "import numpy as np, pathlib, rasterio, tempfile\nfrom rasterio.transform import from_origin\n"
                 "import suzhou_geo as sg\n\n"
                 "workdir = tempfile.TemporaryDirectory(prefix=\"suzhou_geo_example_\")  # removed in the last cell\n"
                 "ks = sg.boundary(\"昆山市\").to_crs(\"EPSG:4549\")\nminx, miny, maxx, maxy = ks.total_bounds\n"
                 "res = 30\nw, h = int((maxx - minx) // res) + 1, int((maxy - miny) // res) + 1\n"
                 "rng = np.random.default_rng(0)\n"
                 "data = rng.choice(np.array([10, 40, 50, 80, 90], dtype=\"uint8\"), size=(h, w), "
                 "p=[.15, .35, .3, .15, .05])\n"
                 "path = pathlib.Path(workdir.name) / \"synthetic_worldcover.tif\"\n"
                 "with rasterio.open(path, \"w\", driver=\"GTiff\", width=w, height=h, count=1, dtype=\"uint8\", "
                 "crs=\"EPSG:4549\",\n"
                 "                   transform=from_origin(minx, maxy, res, res), nodata=0, tiled=True, "
                 "compress=\"deflate\") as dst:\n"
                 "    dst.write(data, 1)\npath.name"),
        ("code", "red = sg.load_redlines()\nks_red = red[red.jurisdiction.astype(str).str.contains(\"昆山\")]\n"
                 "stats = sg.zonal_stats(path, ks_red, classes=\"worldcover\")\nstats.head(10)"),
        ("code", "sg.encroachment(path, ks_red, classes=\"worldcover\")"),
        ("md", "Rasterizing a layer onto a grid (30 m, EPSG:4549), e.g. scheme elements:"),
        ("code", "out = path.with_name(\"elements.tif\")\n"
                 "sg.rasterize(sg.scheme(\"两心两轴\").elements, resolution=30, out=out)\nout.exists()"),
        ("code", "workdir.cleanup()  # remove the temporary folder and everything in it"),
    ],
    "06_occupancy_and_adjustment.ipynb": [
        ("md", "# What projects occupy of the redline (占用), and what a revision changes (评估调整)\n\n"
               "Two questions that follow a parcel verdict: how much of which redline does a project take — by "
               "feature, kind, tier and county, in m², 公顷 and 亩 (1 亩 = 10 000/15 m² ≈ 666.67 m²) — and when the "
               "redline is revised, what leaves it (调出), what is added (补划), and whether each county's area "
               "and the floors still hold.\n\n"
               "> The data here are **invented**: the projects (`data/projects`) are synthetic, and the revision "
               "(`data/adjustment`) is an invented adjustment of the **illustrative** redline sample, which is not the "
               "official redline. The library **computes; it decides no legality** — whether a project is an allowed "
               "limited human activity (有限人为活动) and cannot avoid the redline is for the 不可避让论证 and the "
               "provincial 认定."),
        ("code", "import suzhou_geo as sg\n\nprojects = sg.datasets.projects()\n"
                 "projects[[\"地块编号\", \"项目\", \"方案\", \"活动类型\", \"界址点\"]]"),
        ("md", "## Occupancy, alternatives side by side\n\n`project=` groups parcels into projects, `alternatives=` "
               "puts alignments side by side and ranks them by the protection redline they occupy (1 = least)."),
        ("code", "occ = sg.occupancy(projects, project=\"项目\", alternatives=\"方案\", activity=\"活动类型\")\nocc"),
        ("code", "occ.alternatives"),
        ("md", "One row per project × redline feature × county-level unit, with the named boundary points (界址点) "
               "inside and, for linear projects, the crossing length (occupied area ÷ the project's width). Where "
               "features of one kind overlap (阳澄湖's crab reserve lies over the wetlands), the overlap counts once, "
               "so the parts add up to each project's total — measured separately:"),
        ("code", "parts = occ.parts[occ.parts.row_type == \"part\"]\n"
                 "parts[[\"project\", \"alternative\", \"redline_name\", \"county\", \"area_m2\", \"area_ha\", "
                 "\"area_mu\", \"crossing_m\", \"points_inside\", \"also_in\"]]"),
        ("code", "keys = [\"project\", \"alternative\", \"redline_kind\"]\n"
                 "summed = parts.groupby(keys).area_m2.sum()\n"
                 "totals = occ.parts[occ.parts.row_type == \"total\"].set_index(keys).area_m2\n"
                 "float((summed - totals.reindex(summed.index)).abs().max())  # m²"),
        ("code", "occ.points[[\"project\", \"parcel\", \"point\", \"redline_name\", \"lon\", \"lat\"]]"),
        ("md", "## An invented adjustment of the sample redlines\n\nFour features changed (column `adjustment`): a "
               "band of 天福 taken out and a larger patch added beside it, a patch added apart from 阳澄湖(昆山), the "
               "west end of 穹窿山 taken out, and 虞山's boundary re-digitised by under 0.2 m — boundary noise, not "
               "an adjustment. A synthetic 永久基本农田 square (also invented) overlaps the patch added beside 天福."),
        ("code", "import geopandas as gpd\nimport shapely\n\n"
                 "old = sg.load_redlines()\nnew = sg.datasets.redlines_adjusted()\n"
                 "changed = new[new.adjustment != \"\"]\nchanged[[\"name\", \"jurisdiction\", \"adjustment\"]]"),
        ("code", "def metric(frame, name):\n"
                 "    return frame[frame.name == name].to_crs(\"EPSG:4549\").geometry.iloc[0]\n\n"
                 "tianfu = \"昆山天福国家湿地公园\"\n"
                 "p = metric(new, tianfu).difference(metric(old, tianfu)).representative_point()\n"
                 "farmland = gpd.GeoDataFrame({\"名称\": [\"示意永久基本农田（虚构）\"]},\n"
                 "                            geometry=[shapely.box(p.x - 150, p.y - 150, p.x + 150, p.y + 150)],\n"
                 "                            crs=\"EPSG:4549\")\n"
                 "cmp = sg.compare_redlines(old, new, farmland=farmland)\ncmp"),
        ("md", "The ledger per county-level unit and for the city: old − 调出 + 补划 − noise out + noise in = new, "
               "exactly (km², 6 decimals); 面积不减少 compares new and old. The floors before and after:"),
        ("code", "ledger = cmp.by_unit\n"
                 "balance = (ledger.old_km2 - ledger.out_km2 + ledger.in_km2\n"
                 "           - ledger.noise_out_km2 + ledger.noise_in_km2 - ledger.new_km2)\n"
                 "print(\"largest imbalance:\", float(balance.abs().max()), \"km²\")\nledger"),
        ("code", "cmp.floors"),
        ("code", "cmp.patches.drop(columns=\"geometry\")"),
        ("md", "## Which verdicts does the revision flip?\n\nThe earlier parcel report, measured again against the new "
               "redlines — the same verdicts a full `validate_parcels` run gives:"),
        ("code", "report = sg.validate_parcels(sg.datasets.parcels())\nflips = sg.revalidate(report, new)\nflips"),
        ("md", "## The deliverables\n\n`sg.write_occupancy` and `sg.write_comparison` write a workbook, a "
               "GeoPackage, Markdown, a map and a printable page (the commands `suzhou-geo occupancy` and "
               "`suzhou-geo compare` do the same). The files go to a temporary folder that the last cell removes."),
        ("code", "import pathlib, tempfile\n\n"
                 "workdir = tempfile.TemporaryDirectory(prefix=\"suzhou_geo_example_\")  # removed in the last cell\n"
                 "tmp = pathlib.Path(workdir.name)\n"
                 "written = {**sg.write_occupancy(occ, tmp / \"occupancy\"),\n"
                 "           **sg.write_comparison(cmp, tmp / \"adjustment\", revalidation=flips)}\nsorted(written)"),
        ("code", "from suzhou_geo.report.adjustment import adjustment_map\n\n"
                 "adjustment_map(cmp, flips)  # 调出 red, 补划 green; the old version in the layer control"),
        ("code", "workdir.cleanup()  # remove the temporary folder and everything in it"),
    ],
}


def main() -> None:
    EXAMPLES.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells]
        for i, cell in enumerate(nb.cells):  # stable ids: rebuilding changes only what changed
            cell.id = f"{name.split('_')[0]}-{i:02d}"
        nbformat.write(nb, EXAMPLES / name)
        print("wrote", EXAMPLES / name)


if __name__ == "__main__":
    main()
