"""``occupancy`` (what projects occupy of the redlines) and ``compare`` (what a new redline version changes)."""

from __future__ import annotations

from pathlib import Path

import click

from .options import Command, fail, input_options, source

__all__ = ["occupancy_cmd", "compare_cmd"]

_KINDS = {"protection": "ecological_protection_redline", "control": "ecological_space_control", "all": None}


def _outdir_option(default: str):
    return click.option("-o", "--outdir", type=click.Path(file_okay=False), default=default, show_default=True,
                        help="写入的文件夹：Excel 工作簿、GeoPackage、Markdown、地图与可打印的摘要（HTML）。 / "
                             "Folder to write to: an Excel workbook, a GeoPackage, Markdown, a map and a printable "
                             "summary (HTML).")


_map_options = [
    click.option("--offline", is_flag=True,
                 help="自包含地图（内嵌 Leaflet、无瓦片），用于隔离网络。 / Self-contained map (Leaflet inlined, "
                      "no tiles) for isolated networks."),
    click.option("--basemap", default="osm", show_default=True,
                 help="底图：osm、cartodb、gaode、tianditu…… / osm, cartodb, gaode, tianditu …"),
    click.option("--overwrite", is_flag=True,
                 help="替换非此前运行写出的同名文件（输入从不替换）。 / Replace files named like these in a folder no "
                      "earlier run wrote (inputs are never replaced)."),
]


def _with(options):
    def deco(f):
        for o in reversed(options):
            f = o(f)
        return f

    return deco


def _echo_notes(warnings: list[str]) -> None:
    for w in warnings:
        click.echo(f"注意 note: {w}")


def _written(outdir: Path, files: dict) -> None:
    click.echo(f"写入 written to {outdir}/: " + ", ".join(files))


@click.command("occupancy", cls=Command, short_help="项目占用红线情况 What projects occupy of the redlines")
@click.argument("parcels", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_outdir_option("occupancy")
@click.option("--project-field", default=None, metavar="COLUMN",
              help="把地块归为项目的列（如 项目）；默认每行一个项目。 / Column grouping parcels into projects "
                   "(e.g. 项目). Default: every row is a project.")
@click.option("--alternative-field", default=None, metavar="COLUMN",
              help="命名比选方案的列（方案）；多个 PARCELS 文件也作为方案，以文件名命名。 / Column naming the "
                   "alternatives (方案) to put side by side. Several PARCELS files are alternatives too, named by "
                   "their file names.")
@click.option("--activity-field", default=None, metavar="COLUMN",
              help="说明项目性质的列（有限人为活动）；默认 有限人为活动、活动类型 或 activity。 / Column saying what "
                   "the project is (有限人为活动). Default: 有限人为活动, 活动类型 or activity.")
@click.option("--tier-field", default=None, metavar="COLUMN",
              help="红线图层中给出管控分级（核心保护区 / 一般控制区）的列；默认自动识别。 / Column of the redline "
                   "layer giving the tier (核心保护区 / 一般控制区). Default: detected.")
@input_options("", "PARCELS")
@click.option("--redlines", type=click.Path(exists=True, dir_okay=False), default=None,
              help="官方红线图层（任意 OGR 格式）；默认为内置示意样例。 / Official redline layer (any OGR format). "
                   "Default: the bundled ILLUSTRATIVE sample.")
@input_options("redlines", "the --redlines file", invalid=True)
@_with(_map_options)
def occupancy_cmd(parcels, outdir, project_field, alternative_field, activity_field, tier_field, redlines, offline,
                  basemap, overwrite, **options) -> None:
    """各项目占用哪些红线、占用多少（占用生态保护红线情况）。 / How much of which redline each project occupies.

    \b
    以平方米、公顷与亩计，按红线要素、类型（生态保护红线 / 生态空间管控区域）、管控分级
    与县级行政区列出，并给出其中的界址点与线性工程的穿越长度；比选方案并列，按占用红线
    排序。只计算数字，不判定合法性。

    In m², 公顷 and 亩, by redline feature, kind (生态保护红线 / 生态空间管控区域), tier and county, with
    the named boundary points (界址点) inside and the crossing length of linear
    projects; alternatives side by side, ranked by the redline they occupy.
    The figures are computed, not judged: no legality is decided.
    """  # noqa: D301 - click's \b keeps a paragraph as written
    import suzhou_geo as sg
    from suzhou_geo.errors import OutputError
    from suzhou_geo.redline_use.schema import PROJECT_COLUMNS
    from suzhou_geo.report import check_occupancy_folder
    from suzhou_geo.report.deliver import labelled
    from suzhou_geo.report.tables import text_table

    from ._output import output_message

    if len(parcels) > 1 and alternative_field:
        fail("give either several PARCELS files (one per alternative) or --alternative-field, not both")
    try:  # the folder refused before the work, not after
        check_occupancy_folder(outdir, overwrite=overwrite, inputs=(*parcels, redlines))
    except OutputError as exc:
        fail(output_message(exc))
    red = source(redlines, "redlines", **options)
    if len(parcels) == 1:
        occ = sg.occupancy(source(parcels[0], **options), red, project=project_field, alternatives=alternative_field,
                           activity=activity_field, tier=tier_field)
    else:
        alts = {Path(p).stem: source(p, **options) for p in parcels}
        occ = sg.occupancy(alternatives=alts, redlines=red, project=project_field, activity=activity_field,
                           tier=tier_field)
    try:
        files = sg.write_occupancy(occ, outdir, overwrite=overwrite, offline=offline, basemap=basemap,
                                   inputs=(*parcels, redlines))
    except OutputError as exc:
        fail(output_message(exc))
    cols = ["project", "alternative", "rank", "redline_m2", "redline_ha", "redline_mu", "control_m2", "crossing_m"]
    if not occ.has_alternatives:
        cols = [c for c in cols if c not in ("alternative", "rank")]
    click.echo(text_table(labelled(occ.projects[cols], PROJECT_COLUMNS)))
    click.echo("")
    _echo_notes(occ.warnings)
    _written(Path(outdir), files)


@click.command("compare", cls=Command, short_help="两版红线对比：调出与补划 Compare two redline versions")
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
@_outdir_option("adjustment")
@input_options("old", "OLD", invalid=True)
@input_options("new", "NEW", invalid=True)
@click.option("--farmland", type=click.Path(exists=True, dir_okay=False), default=None,
              help="永久基本农田：与之重叠的每个补划图斑都会标出。 / Permanent basic farmland (永久基本农田): every "
                   "补划 patch overlapping it is flagged.")
@input_options("farmland", "the --farmland file")
@click.option("--urban-boundary", type=click.Path(exists=True, dir_okay=False), default=None,
              help="城镇开发边界：与之重叠的每个补划图斑都会标出。 / Urban development boundary (城镇开发边界): every "
                   "补划 patch overlapping it is flagged.")
@input_options("urban_boundary", "the --urban-boundary file")
@click.option("--report", "report", type=click.Path(exists=True, dir_okay=False), default=None,
              help="此前的地块报告（validate 或 report 写出的 .gpkg/.parquet/.csv）：列出判定因 NEW 而改变的地块。 / "
                   "An earlier parcel report (.gpkg/.parquet/.csv from validate or report): list the parcels whose "
                   "verdict NEW changes.")
@input_options("report", "the --report file")
@click.option("--kind", type=click.Choice(sorted(_KINDS)), default="protection", show_default=True,
              help="对比哪些要素：生态保护红线（protection）、生态空间管控区域（control）或全部（all）。 / Which "
                   "features to compare: 生态保护红线 (protection), 生态空间管控区域 (control), or all.")
@click.option("--tolerance-m2", type=float, default=None, metavar="M2",
              help="小于此面积的图斑视为边界误差（默认 1 m²）。 / Patches smaller than this are boundary noise "
                   "(default 1 m²).")
@click.option("--tolerance-width-m", type=float, default=None, metavar="M",
              help="窄于此宽度的图斑视为边界误差（默认 1 m）。 / Patches narrower than this are boundary noise "
                   "(default 1 m).")
@_with(_map_options)
def compare_cmd(old, new, outdir, farmland, urban_boundary, report, kind, tolerance_m2, tolerance_width_m, offline,
                basemap, overwrite, **options) -> None:
    """对比两版红线 OLD 与 NEW：调出与补划，按县级行政区及全市。 / Compare two redline versions OLD and NEW.

    \b
    写出图斑（面积、所在县级行政区、与保留红线的邻接、与 --farmland 和 --urban-boundary
    的冲突、规划格局要素）、台账（原面积 − 调出 + 补划 = 新面积，边界误差单列，面积不减少）、
    调整前后的底线，以及加 --report 时判定改变的地块。只计算数字，不判定合法性。

    调出 and 补划, per county and for the city.  Writes the patches (area,
    county, adjacency to the kept redline, conflicts with --farmland and
    --urban-boundary, scheme elements), the ledger (old −
    out + in = new, boundary noise in its own columns, 面积不减少), the floors
    before and after, and with --report the parcels whose verdict changes.
    The figures are computed, not judged: no legality is decided.
    """  # noqa: D301 - click's \b keeps a paragraph as written
    import suzhou_geo as sg
    from suzhou_geo.errors import OutputError
    from suzhou_geo.redline_use.schema import FLOOR_COLUMNS, UNIT_COLUMNS
    from suzhou_geo.report import check_comparison_folder
    from suzhou_geo.report.deliver import labelled
    from suzhou_geo.report.tables import text_table

    from ._output import output_message

    try:  # the folder refused before the work, not after
        check_comparison_folder(outdir, overwrite=overwrite, inputs=(old, new, farmland, urban_boundary, report))
    except OutputError as exc:
        fail(output_message(exc))
    tol = {k: v for k, v in (("tolerance_m2", tolerance_m2), ("tolerance_width_m", tolerance_width_m)) if v is not None}
    new_src = source(new, "new", **options)
    cmp = sg.compare_redlines(source(old, "old", **options), new_src, kind=_KINDS[kind],
                              farmland=source(farmland, "farmland", **options),
                              urban_boundary=source(urban_boundary, "urban_boundary", **options), **tol)
    flips = sg.revalidate(source(report, "report", **options), new_src) if report else None
    try:
        files = sg.write_comparison(cmp, outdir, revalidation=flips, overwrite=overwrite, offline=offline,
                                    basemap=basemap, inputs=(old, new, farmland, urban_boundary, report))
    except OutputError as exc:
        fail(output_message(exc))
    click.echo(text_table(labelled(cmp.by_unit, UNIT_COLUMNS)))
    click.echo("")
    click.echo(text_table(labelled(cmp.floors.drop(columns="source"), FLOOR_COLUMNS)))
    click.echo("")
    removed, added = (int((cmp.patches["change"] == c).sum()) for c in ("removed", "added"))
    conflicts = int((cmp.patches["conflicts"] != "").sum())
    click.echo(f"图斑 patches: 调出 removed {removed}, 补划 added {added}, 冲突 conflicts {conflicts}; 边界误差 "
               f"boundary noise {len(cmp.noise)} ({cmp.noise['area_m2'].sum():,.2f} m²)")
    if flips is not None:
        click.echo(f"判定改变 verdicts changed: {len(flips.changes)} of {len(flips.report)} parcels")
    _echo_notes(cmp.warnings)
    _written(Path(outdir), files)
