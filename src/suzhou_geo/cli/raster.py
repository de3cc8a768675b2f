"""Raster subcommands: ``zonal`` (land-cover statistics by zone) and ``rasterize``."""

from __future__ import annotations

import warnings

import click

from .options import Command, input_options, source

__all__ = ["zonal_cmd", "rasterize_cmd"]


def _echo_warnings(caught) -> None:
    for w in caught:
        if issubclass(w.category, UserWarning):
            click.echo(f"警告 warning: {w.message}", err=True)


@click.command("zonal", cls=Command, short_help="分区土地覆盖统计 Land-cover area in each zone")
@click.argument("raster", type=click.Path(exists=True, dir_okay=False))
@click.argument("zones", type=click.Path(exists=True))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
    help="把表写入此 CSV（带 BOM 的 UTF-8，Excel 可直接打开）；默认打印。 / Write the table to this CSV "
    "(UTF-8 with BOM, opens in Excel). Default: print it.",
)
@click.option(
    "--classes", default=None, metavar="TABLE",
    help="类别表：worldcover（ESA WorldCover 10 m）或 clcd（CLCD 30 m），用于列名。 / Class table: worldcover "
    "(ESA WorldCover 10 m) or clcd (CLCD 30 m). Names the columns.",
)
@click.option("--zone-field", default=None, metavar="COLUMN",
              help="命名分区的列（只保留此列）。 / Column naming the zones (only it is kept).")
@click.option("--continuous", is_flag=True,
              help="连续值栅格：计数/均值/最小/最大/标准差，而非类别面积。 / Continuous raster: "
              "count/mean/min/max/std instead of class areas.")
@click.option(
    "--coverage", type=click.Choice(["fraction", "centre"]), default="fraction", show_default=True,
    help="被分区边界切割的像元：按覆盖比例计（fraction），或中心在内则整个计入（centre）。 / Pixels cut by a zone "
    "edge count by covered share, or wholly if their centre is inside.",
)
@click.option("--band", type=int, default=1, show_default=True, help="波段 Band.")
@input_options("", "ZONES")
def zonal_cmd(raster, zones, output, classes, zone_field, continuous, coverage, band, **options) -> None:
    """ZONES 每个分区内各土地覆盖类别的面积（m²，椭球面）。 / Area of each land-cover class in each zone.

    \b
    RASTER 为 GeoTIFF（WorldCover、CLCD 等）；ZONES 为任意坐标系的面文件
    （未声明坐标系时用 --crs，高德数据为 GCJ-02）。比例以分区总面积为分母，
    并报告无数据与栅格范围外的部分。

    RASTER is a GeoTIFF (WorldCover, CLCD, ...); ZONES a polygon file in any
    CRS (--crs if it declares none, GCJ-02 for Amap data).  Shares are of the
    zone's whole area, with no-data and the part outside the raster reported.
    """  # noqa: D301 - click's \b keeps a paragraph as written
    import suzhou_geo as sg

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats = sg.zonal_stats(
            raster, source(zones, **options), categorical=not continuous, classes=classes,
            zone_field=zone_field, coverage=coverage, band=band,
        )
    _echo_warnings(caught)
    if output:
        from suzhou_geo.io.writer import write_csv_table

        write_csv_table(stats, output)
        click.echo(f"{len(stats)} 个分区 zones -> {output}")
    else:
        click.echo(stats.to_csv())


#: The library's names for what ``zonal`` calls otherwise.
zonal_cmd.spelling = {"categorical": "--continuous", "zones_crs": "--crs {value}", "chunk": None}


@click.command("rasterize", cls=Command, short_help="矢量转栅格 Burn a layer into a GeoTIFF")
@click.argument("layer", type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="要写出的 GeoTIFF；编码表写入 OUTPUT.codes.csv。 / GeoTIFF to write; the code table goes to "
              "OUTPUT.codes.csv.")
@click.option("--resolution", type=float, default=30, show_default=True,
              help="像元大小（--dst-crs 的单位）。 / Pixel size in units of --dst-crs.")
@click.option("--dst-crs", default="EPSG:4549", show_default=True, help="新栅格的坐标系。 / CRS of the new grid.")
@click.option("--like", type=click.Path(exists=True, dir_okay=False), default=None,
              help="改为对齐此栅格的格网与坐标系。 / Align to this raster's grid and CRS instead.")
@click.option("--attribute", default=None, metavar="COLUMN",
              help="按此列的类别写入（编码 1..k）。 / Burn categories of this column (codes 1..k).")
@click.option("--all-touched", is_flag=True,
              help="要素触及的每个像元都写入。 / Burn every pixel a feature touches.")
@input_options("", "LAYER", layer=False)
def rasterize_cmd(layer, output, resolution, dst_crs, like, attribute, all_touched, **options) -> None:
    """把 LAYER 的要素写入 GeoTIFF（按文件顺序编码 1..n，0 为背景）。 / Burn LAYER's features into a GeoTIFF.

    Codes 1..n in file order, 0 = background.
    """
    import suzhou_geo as sg

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sg.rasterize(
            source(layer, **options), like=like, resolution=resolution, crs=dst_crs, attribute=attribute,
            out=output, all_touched=all_touched,
        )
    _echo_warnings(caught)
    with res:
        ds = res.dataset
        click.echo(
            f"{output}: {ds.width} x {ds.height} 像元 px of {abs(ds.transform.a):g} ({ds.crs}), "
            f"{len(res.codes)} 个编码 codes -> {output}.codes.csv"
        )


#: The library's names for what ``rasterize`` calls otherwise.
rasterize_cmd.spelling = {"crs": "--dst-crs {value}", "layer_crs": "--crs {value}", "out": "-o {value}",
                          "chunk": None}
