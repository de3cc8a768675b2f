"""``suzhou-geo convert``: approval files to GIS formats and back (部标 TXT, DXF, KML/KMZ, 界址点 tables)."""

from __future__ import annotations

from pathlib import Path

import click

from .options import input_options, source


@click.command("convert")
@click.argument("input_path", metavar="INPUT")
@click.argument("output")
@input_options("", "INPUT")
@click.option("--out-crs", default=None, metavar="CRS",
              help="CRS to write in.  A 部标 .txt: a national Gauss-Krüger CRS, default EPSG:4528 (CGCS2000 "
                   "3-degree zone 40, eastings prefixed with 40); EPSG:4549 writes them without.  Other formats: "
                   "default EPSG:4490.")
@click.option("--out-encoding", default=None, metavar="ENC",
              help="Text encoding of a 部标 .txt (default GBK, what 报盘 systems expect; UTF-8 for newer ones).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists (an input is never replaced).")
def convert_cmd(input_path: str, output: str, out_crs: str | None, out_encoding: str | None, overwrite: bool,
                **options) -> None:
    """Convert INPUT to OUTPUT; the formats follow the extensions.

    INPUT is any layer the library reads — a 部标 coordinate TXT, a CAD drawing
    (.dxf, with --layer for its AutoCAD layer), a .kml/.kmz (--layer for a
    folder), a 界址点 table (.csv/.xlsx), a GeoPackage, a Shapefile, … —
    and OUTPUT any format it writes: .gpkg, .shp, .geojson, .csv, .xlsx,
    .parquet, or a 部标 .txt.  Geometry is written as drawn (not repaired);
    every decision taken in reading (axis order, zone, CRS, layer) is printed.
    """
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
