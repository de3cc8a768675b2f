"""``suzhou-geo validate``: parcel file in, compliance report out."""

from __future__ import annotations

from pathlib import Path

import click

from ._engine import engine_options, run_engine
from .options import Command, columns_opt, fail, input_options, source

#: Inputs at least this large get a progress bar.
PROGRESS_MIN = 50_000


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
    import suzhou_geo as sg
    from suzhou_geo.errors import InputError, MissingFileError
    from suzhou_geo.io.postgis import is_postgis, redact

    from ._output import check_output_or_fail, print_summary, write_or_fail

    _check_inputs(parcels, redlines, is_postgis, MissingFileError)
    if is_postgis(output):
        if not output_layer:
            raise InputError("-o 为 PostGIS 连接时需指定要写入的表 / -o with a PostGIS connection needs the table to "
                             "write", source=redact(output), hint="add --output-layer schema.table")
    else:
        check_output_or_fail(output, overwrite=overwrite, inputs=[parcels, redlines])
    rules = {"review_distance_m": review_distance} if review_distance is not None else None
    parcels_src = source(parcels, **options)
    redlines_src = source(redlines, "redlines", **options)
    if columns != "en" and engine == "dask":
        fail("--columns zh 尚不能与 --engine dask 同用；请用默认引擎，或写出后再改列名 / --columns zh does not work "
             "with --engine dask yet: use the local engine")
    extra = {"columns": columns} if columns != "en" else {}
    if not is_postgis(output) and run_engine(
        parcels_src, output, engine, scheduler, workers, batch_size, overwrite=overwrite,
        redlines=redlines_src, schemes=False if no_schemes else None, rules=rules, **extra,
    ):
        return
    with _progress_bar() as progress:
        report = sg.validate_parcels(
            parcels_src,
            redlines=redlines_src,
            schemes=False if no_schemes else None,
            rules=rules,
            progress=progress,
        )
    kwargs = {"layer": output_layer} if is_postgis(output) else {"wkt": False if no_wkt else None}
    kwargs["columns"] = columns
    written = write_or_fail(report, output, overwrite=overwrite, inputs=[parcels, redlines], **kwargs)
    shown = redact(parcels) if is_postgis(parcels) else Path(parcels).name
    where = f"{redact(output)} {written}" if is_postgis(output) else output
    click.echo(f"{len(report):,} 个地块 parcels from {shown} → {where}")
    _print_reading(report)
    print_summary(report)


def _print_reading(report) -> None:
    """How an approval file was read (format, axis order, zone, CRS, layer), when something was decided."""
    from suzhou_geo.report.tables import reading_summary

    provenance = report.attrs.get("provenance") or {}
    if provenance.get("decisions"):
        click.echo(f"读取 read: {reading_summary(provenance)}")


def _check_inputs(parcels: str, redlines: str | None, is_postgis, missing) -> None:
    """Missing input files are named before any work (connections are checked when read)."""
    for what, value in (("PARCELS", parcels), ("--redlines", redlines)):
        if value is None or is_postgis(value) or "://" in value or value.upper().startswith("/VSI"):
            continue
        if not Path(value).exists():
            raise missing("没有这个文件或文件夹 / no such file or folder", source=value,
                          hint=f"check the path given as {what}")


class _progress_bar:
    """A click progress bar on stderr for inputs of at least :data:`PROGRESS_MIN` parcels."""

    def __enter__(self):
        self.bar = None
        return self

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_MIN:
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=total, label=f"判定 validating {total:,} 个地块 parcels",
                file=click.get_text_stream("stderr")
            )
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        return False
