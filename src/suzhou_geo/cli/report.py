"""``suzhou-geo report``: the main job, end to end."""

from __future__ import annotations

import logging
import time

import click

from .options import Command, columns_opt, fail, input_options, source

log = logging.getLogger(__name__)


@click.command("report", cls=Command, short_help="全部检查，写出报告文件夹 Every check, a report folder")
@click.option(
    "-o",
    "--outdir",
    type=click.Path(file_okay=False),
    default="report",
    show_default=True,
    help="写入的文件夹：summary.html/.md、floors.md/.csv、parcels_report.xlsx/.gpkg/.csv、map.html。 / Folder to "
    "write to: summary.html/.md, floors.md/.csv, parcels_report.xlsx/.gpkg/.csv, map.html.",
)
@click.option(
    "--parcels",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="要判定的开发地块（任意 OGR 格式）；默认为内置合成样例。 / Development parcels to validate (any OGR "
    "format). Default: the bundled synthetic sample.",
)
@click.option(
    "--redlines",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="官方红线数据（任意 OGR 格式）；默认为内置示意样例。 / Official redline data (any OGR format). "
    "Default: the bundled ILLUSTRATIVE sample.",
)
@input_options("parcels", "the --parcels file")
@input_options("redlines", "the --redlines file", invalid=True)
@click.option(
    "--offline",
    is_flag=True,
    help="自包含的 map.html（内嵌 Leaflet），用于隔离网络。 / Self-contained map.html (Leaflet inlined) for "
    "isolated networks.",
)
@click.option(
    "--basemap",
    default="osm",
    show_default=True,
    help="底图：osm、cartodb、gaode、gaode-satellite、tianditu…… / osm, cartodb, gaode, gaode-satellite, "
    "tianditu…",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="替换非报告运行写出的同名文件（报告运行写过的文件夹总会更新；输入从不替换）。 / Replace files named like "
    "the report's in a folder no earlier report run wrote (a folder from an earlier run is always refreshed; "
    "inputs are never replaced).",
)
@columns_opt
def report_cmd(outdir, parcels, redlines, offline, basemap, overwrite, columns, **options) -> None:
    """对内置数据（或你的数据）运行全部检查，写出报告文件夹。 / Run every check and write a report folder.

    \b
    底线（苏州市 ≥ 1950 km²，昆山市 ≥ 47.7531 km²）、地块对照生态保护红线、
    500 m 嘉定–昆山–太仓联防联治区与规划格局的判定、地图，以及可打印为一页 A4
    的 summary.html。再次写入同一文件夹时只替换报告自己的文件。

    Floors (苏州市 ≥ 1950 km², 昆山市 ≥ 47.7531 km²), parcel verdicts against redlines,
    the 500 m 嘉定–昆山–太仓 joint-control zone and the planned schemes, a map, and
    summary.html — one printable A4 page.  Running it again into the same folder
    replaces the report's own files and leaves every other file alone.
    """  # noqa: D301 - click's \b keeps a paragraph as written
    from suzhou_geo.errors import OutputError
    from suzhou_geo.report import run_report
    from suzhou_geo.report.tables import text_table, verdict_table

    from ._output import output_message

    t0 = time.perf_counter()

    def progress(msg: str) -> None:
        click.echo(f"{msg} …", err=True)
        log.info("[%5.1f s] %s", time.perf_counter() - t0, msg)

    try:
        res = run_report(
            outdir,
            parcels=source(parcels, "parcels", **options),
            redlines=source(redlines, "redlines", **options),
            offline=offline,
            basemap=basemap,
            overwrite=overwrite,
            progress=progress,
            columns=columns,
        )
    except OutputError as exc:
        fail(output_message(exc))
    click.echo("")
    for f in res.floors:
        click.echo(
            f"{f.region}: 生态保护红线 redline {f.area_km2:,.4f} km² / 底线 floor ≥ {f.floor_km2:,.4f} km² → "
            f"差额 margin {f.margin_km2:+,.4f} km²: {f.result}"
        )
    click.echo("")
    click.echo(text_table(verdict_table(res.report, res.summary)))
    click.echo("")
    if res.notes:
        click.echo(f"注意 note: {res.notes[0]}")
    click.echo(f"写入 written to {res.outdir}/: " + ", ".join(res.files))
    log.info("report done in %.1f s", time.perf_counter() - t0)
