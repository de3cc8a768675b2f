"""``suzhou-geo occupancy`` and ``compare`` end to end: the README's commands, every file, the pages in Chromium."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from _browser import CHROMIUM, Page, browser_test, launch_browser
from _internal_refs import internal_refs
from click.testing import CliRunner
from openpyxl import load_workbook

import suzhou_geo as sg
from suzhou_geo.cli import main
from suzhou_geo.redline_use.schema import ILLUSTRATIVE, NO_LEGALITY
from suzhou_geo.report.adjustment import ADJUSTMENT_FILES
from suzhou_geo.report.occupancy import OCCUPANCY_FILES

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Redline occupancy and adjustment"


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    block = re.findall(r"```bash\n(.*?)```", text[start:], re.S)[0]
    return [line for line in block.splitlines() if line.startswith("suzhou-geo ")]


def run(args: list[str]):
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output + repr(r.exception)
    return r


def readme_args(command: str, outdir: Path) -> list[str]:
    """Turn a README command into arguments: the bundled files found from anywhere, the output in *outdir*."""
    args = command.split()[1:]
    args = [str(ROOT / a) if a.startswith("data/") else a for a in args]
    return args[: args.index("-o")] + ["-o", str(outdir)]


def text_of(path: Path) -> str:
    """Every text a reader sees in a file (an .xlsx is a zip of XML)."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    return path.read_bytes().decode("utf-8", errors="ignore")


@pytest.fixture(scope="module")
def occupancy_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("occupancy")
    command = next(c for c in readme_commands() if c.startswith("suzhou-geo occupancy"))
    r = run(readme_args(command, out) + ["--offline"])
    assert "S1 天福段公路（示意）" in r.output and "ILLUSTRATIVE" in r.output
    return out


@pytest.fixture(scope="module")
def farmland(tmp_path_factory):
    """Invented 永久基本农田 over part of the invented 补划 beside 天福."""
    cmp = sg.compare_redlines(None, sg.datasets.get_path("redlines_adjusted"))
    added = cmp.patches[(cmp.patches.change == "added") & cmp.patches.adjoins_kept].to_crs("EPSG:4549")
    c = added.geometry.iloc[0].representative_point()
    farm = gpd.GeoDataFrame({"名称": ["示意农田"]}, geometry=[shapely.box(c.x - 150, c.y - 150, c.x + 150, c.y + 150)],
                            crs="EPSG:4549")
    path = tmp_path_factory.mktemp("farm") / "永久基本农田.gpkg"
    farm.to_file(path)
    return path, farm


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "parcels_report.gpkg"
    sg.write_layer(sg.validate_parcels(sg.datasets.parcels(), schemes=False), path)
    return path


@pytest.fixture(scope="module")
def adjustment_dir(tmp_path_factory, farmland, report_file):
    out = tmp_path_factory.mktemp("adjustment")
    command = next(c for c in readme_commands() if c.startswith("suzhou-geo compare"))
    r = run(readme_args(command, out) + ["--offline", "--farmland", str(farmland[0]), "--report", str(report_file)])
    assert "冲突 conflicts 1" in r.output and "判定改变 verdicts changed" in r.output
    return out


def test_the_readme_shows_both_commands():
    commands = readme_commands()
    assert [c.split()[1] for c in commands] == ["occupancy", "compare"]
    assert "--project-field 项目" in commands[0]


def test_occupancy_files(occupancy_dir):
    assert sorted(p.name for p in occupancy_dir.iterdir()) == sorted([*OCCUPANCY_FILES, ".suzhou_geo_occupancy.json"])
    wb = load_workbook(occupancy_dir / "occupancy.xlsx")
    assert wb.sheetnames == ["占用 occupancy", "项目 projects", "方案比选 alternatives", "按县级行政区 by county",
                             "界址点 named points", "说明 notes", "列说明 columns"]
    header = [c.value for c in wb["占用 occupancy"][1]]
    assert "占用面积 occupied area (亩)" in header and "红线类型 kind" in header
    occ = sg.occupancy(sg.datasets.get_path("projects"), project="项目", alternatives="方案")
    parts = sg.read_layer(occupancy_dir / "occupancy.gpkg")
    assert parts["area_m2"].tolist() == occ.parts[occ.parts.row_type == "part"]["area_m2"].tolist()
    # the GeoPackage handed on alone still says its redlines are the illustrative sample
    assert set(parts["redline_data"]) == {"示意数据（非官方）illustrative (not official): redlines/redlines.geojson"}
    md = (occupancy_dir / "occupancy.md").read_text(encoding="utf-8")
    assert "| S1 天福段公路（示意） | 方案B | 1 |" in md


def test_adjustment_files(adjustment_dir, farmland):
    expected = [*ADJUSTMENT_FILES, ".suzhou_geo_adjustment.json"]
    assert sorted(p.name for p in adjustment_dir.iterdir()) == sorted(expected)
    wb = load_workbook(adjustment_dir / "adjustment.xlsx")
    assert wb.sheetnames == ["图斑 patches", "台账 ledger", "底线 floors", "边界误差 noise", "判定改变 verdict changes",
                             "说明 notes", "列说明 columns"]
    patches = sg.read_layer(adjustment_dir / "adjustment_patches.gpkg")
    assert set(patches["redline_data"]) == {
        "示意数据（非官方）illustrative (not official): redlines.geojson → redlines_adjusted.geojson"}
    flagged = patches[patches.conflicts != ""]
    assert len(flagged) == 1 and flagged.change.iloc[0] == "added" and "永久基本农田" in flagged.conflicts.iloc[0]
    # the overlap is the farmland square, wholly inside the patch: 300 m × 300 m on the ellipsoid
    assert flagged.farmland_m2.iloc[0] == pytest.approx(float(sg.area_m2(farmland[1]).iloc[0]), rel=1e-6)
    ledger = [[c.value for c in row] for row in wb["台账 ledger"].iter_rows(min_row=2)]
    assert ledger[-1][0] == "苏州市 Suzhou" and len(ledger) == 10
    md = (adjustment_dir / "adjustment.md").read_text(encoding="utf-8")
    assert "## 判定改变的地块 Parcels whose verdict changes" in md and "复核 review → 冲突 conflict" in md


@pytest.mark.parametrize("which", ["occupancy", "adjustment"])
def test_every_file_says_what_the_data_are_and_that_no_legality_is_decided(which, occupancy_dir, adjustment_dir):
    folder = occupancy_dir if which == "occupancy" else adjustment_dir
    for path in folder.iterdir():
        if path.suffix in (".xlsx", ".md", ".html"):
            text = text_of(path)
            if path.name.endswith("_map.html"):  # the map's legend says it in its own words
                assert "illustrative redlines, not official" in text, path.name
                continue
            assert internal_refs(text) == [], path.name
            for needle in (NO_LEGALITY[:30], ILLUSTRATIVE[:20]):
                assert html_or_plain(needle) in text, (path.name, needle)


def html_or_plain(text: str) -> str:
    return text.replace("&", "&amp;") if "&" in text else text


def test_the_maps_draw_removed_and_added_distinctly(adjustment_dir):
    page = (adjustment_dir / "adjustment_map.html").read_text(encoding="utf-8")
    assert "调出 removed from the redline" in page and "补划 added to the redline" in page
    assert '<script src="http' not in page and '<link href="http' not in page
    styles = sg.maps.styles.CHANGE_STYLES
    assert styles["removed"]["fillColor"] != styles["added"]["fillColor"]
    assert styles["removed"].get("dashArray") != styles["added"].get("dashArray")


def test_a_second_run_refreshes_its_own_folder_and_refuses_a_foreign_one(occupancy_dir, tmp_path):
    command = next(c for c in readme_commands() if c.startswith("suzhou-geo occupancy"))
    run(readme_args(command, occupancy_dir) + ["--offline"])  # (the browser tests open this folder's map)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "occupancy.md").write_text("mine", encoding="utf-8")
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    r = CliRunner().invoke(main, readme_args(command, foreign))
    assert r.exit_code == 2 and "no run of this command wrote" in r.output and "--overwrite" in r.output
    run(readme_args(command, foreign) + ["--overwrite"])
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("command", ["occupancy", "compare"])
def test_a_foreign_folder_is_refused_before_any_work(command, tmp_path, monkeypatch):
    # the refusal must come before the (possibly long) computation, not after it
    def must_not_run(*args, **kwargs):
        raise AssertionError("computed before the folder was checked")

    monkeypatch.setattr(sg, "occupancy", must_not_run)
    monkeypatch.setattr(sg, "compare_redlines", must_not_run)
    name = "occupancy.md" if command == "occupancy" else "adjustment.md"
    (tmp_path / name).write_text("mine", encoding="utf-8")
    args = ([str(sg.datasets.get_path("projects")), "--project-field", "项目"] if command == "occupancy" else
            [str(sg.datasets.get_path("redlines")), str(sg.datasets.get_path("redlines_adjusted"))])
    r = CliRunner().invoke(main, [command, *args, "-o", str(tmp_path)])
    assert r.exit_code == 2 and "no run of this command wrote" in r.output, r.output
    assert (tmp_path / name).read_text(encoding="utf-8") == "mine"
    with pytest.raises(sg.errors.OutputError, match="no run of this command wrote"):
        (sg.report.check_occupancy_folder if command == "occupancy" else sg.report.check_comparison_folder)(tmp_path)


def test_an_input_inside_the_folder_is_never_replaced(tmp_path):
    projects = tmp_path / "occupancy.gpkg"
    sg.datasets.projects().to_file(projects)
    before = projects.read_bytes()
    r = CliRunner().invoke(main, ["occupancy", str(projects), "--project-field", "项目", "-o", str(tmp_path),
                                  "--overwrite"])
    assert r.exit_code == 2 and "input" in r.output and projects.read_bytes() == before


def test_several_files_are_alternatives(tmp_path):
    p = sg.datasets.projects()
    paths = []
    for alt in ("方案A", "方案B"):
        path = tmp_path / f"{alt}.gpkg"
        p[p["方案"] == alt].to_file(path)
        paths.append(str(path))
    r = run(["occupancy", *paths, "-o", str(tmp_path / "out")])
    assert "方案A" in r.output and "方案B" in r.output


def test_the_readme_python_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", text[text.index(SECTION):], re.S)[0]
    scope: dict = {"sg": sg}
    exec(compile(block, "README.md", "exec"), scope)
    assert len(scope["occ"].alternatives) == 3 and (tmp_path / "adjustment" / "adjustment.xlsx").exists()


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


@browser_test
def test_the_summaries_print_to_at_most_two_a4_pages(occupancy_dir, adjustment_dir, tmp_path):
    assert CHROMIUM.exists()
    blocked: list[str] = []
    results = {}
    for b in launch_browser():
        for path in (occupancy_dir / "occupancy_summary.html", adjustment_dir / "adjustment_summary.html"):
            page = b.new_page(viewport={"width": 710, "height": 1043})
            page.route(re.compile(r"^(?!file:).*"), lambda route: (blocked.append(route.request.url), route.abort()))
            page.goto(path.resolve().as_uri())
            pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
            boxes = page.evaluate("() => [...document.querySelectorAll('svg')]"
                                  ".map(s => s.getBoundingClientRect().height)")
            results[path.name] = (pdf_pages(pdf), boxes)
            page.close()
    assert blocked == []
    pages, boxes = results["occupancy_summary.html"]
    assert 1 <= pages <= 2 and len(boxes) == 1 and boxes[0] > 80
    pages, boxes = results["adjustment_summary.html"]
    assert 1 <= pages <= 2 and len(boxes) == 2 and min(boxes) > 80  # the floor chart and the map


@browser_test
def test_the_maps_open_without_errors_and_list_the_changes(occupancy_dir, adjustment_dir):
    labels = {}
    for b in launch_browser():
        for path in (occupancy_dir / "occupancy_map.html", adjustment_dir / "adjustment_map.html"):
            page = Page(b, path)
            try:
                labels[path.name] = [e["label"] for e in page.entries()]
                # the control's section headings (e.g. "原版红线 old redlines · 示意 illustrative") and the legend
                labels[path.name].append(page.js("() => document.querySelector('.sg-layers').textContent"))
                labels[path.name].append(page.js("() => document.querySelector('.sg-legend').textContent"))
                assert not page.errors and not page.failed_assets, (page.errors, page.failed_assets)
            finally:
                page.page.close()
    adjustment = " | ".join(labels["adjustment_map.html"])
    for needle in ("调出 removed from the redline", "补划 added to the redline", "原版红线 old redlines",
                   "永久基本农田 permanent farmland", "判定改变的地块"):
        assert needle in adjustment, needle
    occupancy = " | ".join(labels["occupancy_map.html"])
    for needle in ("占用生态保护红线 occupied protection redline", "方案A", "红线内界址点"):
        assert needle in occupancy, needle
