"""``suzhou-geo validate``: parcel file in, compliance report out."""

from __future__ import annotations

from pathlib import Path

import click

from ._engine import engine_options, print_result, run_engine, shown
from .options import Command, columns_opt, fail, input_options, source


@click.command("validate", cls=Command, short_help="逐一判定开发地块 Check development parcels")
@click.argument("parcels")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    help="报告文件，格式由扩展名决定：.gpkg（推荐）、.xlsx、.csv、.shp、.parquet、.geojson；或 PostGIS 连接"
    "（postgresql://…、PG:…）配合 --output-layer。 / Report file; format from the extension: .gpkg "
    "(recommended), .xlsx, .csv, .shp, .parquet, .geojson; or a PostGIS connection (postgresql://…, PG:…) with "
    "--output-layer.",
)
@click.option("--output-layer", default=None, metavar="TABLE",
              help="-o 为 PostGIS 连接时写入的表。 / The table to write when -o is a PostGIS connection.")
@click.option("--overwrite", is_flag=True,
              help="输出（文件或表）已存在时替换（输入从不替换）。 / Replace OUTPUT (file or table) if it exists "
              "(an input is never replaced).")
@click.option("--no-wkt", is_flag=True,
              help="CSV：不写几何（末列 WKT）。 / CSV: leave the geometry (WKT, last column) out.")
@input_options("", "PARCELS")
@click.option(
    "--redlines",
    default=None,
    help="官方红线图层：文件或 PostGIS 连接（默认为内置示意样例）。 / Official redline layer: a file or a PostGIS "
    "connection (default: the bundled ILLUSTRATIVE sample).",
)
@input_options("redlines", "the --redlines file", invalid=True)
@click.option(
    "--review-distance",
    type=float,
    default=None,
    metavar="M",
    help="距红线此距离（米）以内的地块判为“复核”（默认 100，本库默认值）。 / Distance (m) to a redline within "
    "which a parcel is 'review' (default 100, a library default).",
)
@click.option("--no-schemes", is_flag=True, help="不列出规划格局要素（更快）。 / Do not list scheme elements (faster).")
@columns_opt
@engine_options
def validate_cmd(parcels, output, output_layer, overwrite, no_wkt, redlines, review_distance, no_schemes,
                 columns, engine, scheduler, workers, batch_size, **options) -> None:
    """逐一判定开发地块：生态保护红线、联防联治区与规划格局。 / Check development parcels (地块).

    \b
    PARCELS 为文件或 PostGIS 连接（配合 --layer）：任意 GIS 格式，或报批材料中的文件——
    部标坐标 TXT、CAD 图（.dxf，--layer 指定 AutoCAD 图层）、.kml/.kmz、界址点表
    （.csv、.xlsx）——其坐标轴顺序、带号与坐标系由内容判定并打印出来。每个地块写一行
    报告（判定、理由、重叠面积、距离）并打印汇总。发现冲突时退出码仍为 0；输入无法
    使用（无坐标系、文件无法读取）时退出码为 2，并用一行说明原因。每个输入有自己的
    读取选项：PARCELS 用 --crs、--encoding、--layer……，--redlines 用 --redlines-crs……

    Checks parcels against redlines, the joint-control zone and the schemes.
    PARCELS is a file or a PostGIS connection (with --layer): any GIS format,
    or the files of an approval package — a 部标 coordinate TXT, a CAD drawing
    (.dxf, --layer for its AutoCAD layer), a .kml/.kmz, a 界址点 table (.csv,
    .xlsx) — whose axis order, zone and CRS are decided from their content and
    printed.  Writes one report
    row per parcel (verdict, reasons, overlap areas, distances) and prints a
    summary.  Exit status 0 even when conflicts are found; 2 when the input
    cannot be used (no CRS, unreadable file), with one line saying why.  Each
    input has its own reading options: --crs, --encoding, --layer, … for PARCELS
    and --redlines-crs, --redlines-layer, … for --redlines.
    """  # noqa: D301 - click's \b keeps a paragraph as written
    from suzhou_geo.errors import InputError, MissingFileError
    from suzhou_geo.io.postgis import is_postgis, redact
    from suzhou_geo.validate import ValidationInputs

    _check_inputs(parcels, redlines, is_postgis, MissingFileError)
    rules = {"review_distance_m": review_distance} if review_distance is not None else None
    inputs = ValidationInputs.gather(source(parcels, **options), source(redlines, "redlines", **options),
                                     schemes=False if no_schemes else None, rules=rules)
    if is_postgis(output):
        if not output_layer:
            raise InputError("-o 为 PostGIS 连接时需指定要写入的表 / -o with a PostGIS connection needs the table to "
                             "write", source=redact(output), hint="add --output-layer schema.table")
        return _into_postgis(inputs, output, output_layer, overwrite, columns)
    if columns != "en" and engine == "dask":
        fail("--columns zh 尚不能与 --engine dask 同用；请用默认引擎，或写出后再改列名 / --columns zh does not work "
             "with --engine dask yet: use the local engine")
    result = run_engine(inputs, output, engine, scheduler, workers, batch_size, overwrite=overwrite,
                        writer=_writer(no_wkt), columns=columns)
    print_result(result, shown(inputs.parcels), output)


def _writer(no_wkt: bool):
    """How a report validated in memory is written: the report-aware way out (Excel sheets, WKT for CSV)."""
    from ._output import write_or_fail

    def write(frame, target, **kwargs):
        return write_or_fail(frame, target, wkt=False if no_wkt else None, **kwargs)

    return write


def _into_postgis(inputs, output: str, output_layer: str, overwrite: bool, columns: str) -> None:
    """Validate in memory and write the report as a PostGIS table."""
    import suzhou_geo as sg
    from suzhou_geo.errors import spelled
    from suzhou_geo.io.postgis import redact

    from ._engine import ProgressBar, print_reading
    from ._output import print_summary, write_or_fail

    with ProgressBar() as bar:
        report = sg.validate_parcels(inputs, progress=bar)
    with spelled({"layer": "--output-layer {value}"}):  # the table written is the output's
        written = write_or_fail(report, output, overwrite=overwrite, layer=output_layer,
                                inputs=[inputs.parcels, inputs.redlines], columns=columns)
    click.echo(f"{len(report):,} 个地块 parcels from {shown(inputs.parcels)} → {redact(output)} {written}")
    print_reading(report.attrs.get("provenance"))
    print_summary(report)


def _check_inputs(parcels: str, redlines: str | None, is_postgis, missing) -> None:
    """Missing input files are named before any work (connections are checked when read)."""
    for what, value in (("PARCELS", parcels), ("--redlines", redlines)):
        if value is None or is_postgis(value) or "://" in value or value.upper().startswith("/VSI"):
            continue
        if not Path(value).exists():
            raise missing("没有这个文件或文件夹 / no such file or folder", source=value,
                          hint=f"check the path given as {what}")
