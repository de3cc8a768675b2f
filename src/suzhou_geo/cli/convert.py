"""``suzhou-geo convert``: approval files to GIS formats and back (部标 TXT, DXF, KML/KMZ, 界址点 tables)."""

from __future__ import annotations

from pathlib import Path

import click

from .options import Command, input_options, source


@click.command("convert", cls=Command, short_help="报批文件与 GIS 格式互转 Convert approval files and GIS formats")
@click.argument("input_path", metavar="INPUT")
@click.argument("output")
@input_options("", "INPUT")
@click.option("--out-crs", default=None, metavar="CRS",
              help="写出的坐标系。部标 .txt：国家高斯-克吕格坐标系，默认 EPSG:4528（CGCS2000 3 度带第 40 带，东坐标带 "
                   "40 带号），EPSG:4549 则不带带号；其他格式默认 EPSG:4490。 / CRS to write in.  A 部标 .txt: a "
                   "national Gauss-Krüger CRS, default EPSG:4528 (CGCS2000 3-degree zone 40, eastings prefixed "
                   "with 40); EPSG:4549 writes them without.  Other formats: default EPSG:4490.")
@click.option("--out-encoding", default=None, metavar="ENC",
              help="部标 .txt 的文本编码（默认 GBK，报盘系统所用；较新的系统用 UTF-8）。 / Text encoding of a 部标 "
                   ".txt (default GBK, what 报盘 systems expect; UTF-8 for newer ones).")
@click.option("--overwrite", is_flag=True,
              help="输出已存在时替换（输入从不替换）。 / Replace OUTPUT if it exists (an input is never replaced).")
def convert_cmd(input_path: str, output: str, out_crs: str | None, out_encoding: str | None, overwrite: bool,
                **options) -> None:
    """把 INPUT 转换为 OUTPUT，格式由扩展名决定。 / Convert INPUT to OUTPUT; the formats follow the extensions.

    \b
    INPUT 可以是本库能读取的任何图层——部标坐标 TXT、CAD 图（.dxf，--layer 指定
    AutoCAD 图层）、.kml/.kmz（--layer 指定文件夹）、界址点表（.csv/.xlsx）、
    GeoPackage、Shapefile……；OUTPUT 可以是 .gpkg、.shp、.geojson、.csv、.xlsx、
    .parquet 或部标 .txt。几何按原样写出（不修复）；读取时的每项判定（坐标轴顺序、
    带号、坐标系、图层）都会打印出来。

    INPUT is any layer the library reads — a 部标 coordinate TXT, a CAD drawing
    (.dxf, with --layer for its AutoCAD layer), a .kml/.kmz (--layer for a
    folder), a 界址点 table (.csv/.xlsx), a GeoPackage, a Shapefile, … —
    and OUTPUT any format it writes: .gpkg, .shp, .geojson, .csv, .xlsx,
    .parquet, or a 部标 .txt.  Geometry is written as drawn (not repaired);
    every decision taken in reading (axis order, zone, CRS, layer) is printed.
    """  # noqa: D301 - click's \b keeps a paragraph as written
    import suzhou_geo as sg

    from ._output import check_output_or_fail, write_or_fail

    check_output_or_fail(output, overwrite=overwrite, inputs=[input_path])
    layer = sg.io.read(source(input_path, **options), repair=False)
    write_or_fail(layer.frame, output, overwrite=overwrite, inputs=[input_path], crs=out_crs,
                  encoding=out_encoding)
    click.echo(f"{len(layer):,} 个要素 features from {Path(input_path).name} → {output}")
    for label, value in layer.provenance.decisions.items():
        if not label.startswith(("属性描述 · ", "扩展信息 · ")):
            click.echo(f"  {label}: {value}")
    if layer.provenance.crs.method != "proj":
        click.echo(f"  {layer.provenance.crs.note()}")
