"""Raster subcommands: ``zonal`` (land-cover statistics by zone) and ``rasterize``."""

from __future__ import annotations

import warnings

import click

from .options import input_options, source

__all__ = ["zonal_cmd", "rasterize_cmd"]


def _echo_warnings(caught) -> None:
    for w in caught:
        if issubclass(w.category, UserWarning):
            click.echo(f"warning: {w.message}", err=True)


@click.command("zonal")
@click.argument("raster", type=click.Path(exists=True, dir_okay=False))
@click.argument("zones", type=click.Path(exists=True))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
    help="Write the table to this CSV (UTF-8 with BOM, opens in Excel). Default: print it.",
)
@click.option(
    "--classes", default=None, metavar="TABLE",
    help="Class table: worldcover (ESA WorldCover 10 m) or clcd (CLCD 30 m). Names the columns.",
)
@click.option("--zone-field", default=None, metavar="COLUMN", help="Column naming the zones (only it is kept).")
@click.option("--continuous", is_flag=True, help="Continuous raster: count/mean/min/max/std instead of class areas.")
@click.option(
    "--coverage", type=click.Choice(["fraction", "centre"]), default="fraction", show_default=True,
    help="Pixels cut by a zone edge count by covered share, or wholly if their centre is inside.",
)
@click.option("--band", type=int, default=1, show_default=True)
@input_options("", "ZONES")
def zonal_cmd(raster, zones, output, classes, zone_field, continuous, coverage, band, **options) -> None:
    """Area of each land-cover class (m², ellipsoidal) inside each zone of ZONES.

    RASTER is a GeoTIFF (WorldCover, CLCD, ...); ZONES a polygon file in any
    CRS (--crs if it declares none, GCJ-02 for Amap data).  Shares are of the
    zone's whole area, with no-data and the part outside the raster reported.
    """
    import suzhou_geo as sg

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats = sg.zonal_stats(
            raster, source(zones, **options), categorical=not continuous, classes=classes,
            zone_field=zone_field, coverage=coverage, band=band,
        )
    _echo_warnings(caught)
    if output:
        stats.to_csv(output, encoding="utf-8-sig")
        click.echo(f"{len(stats)} zones -> {output}")
    else:
        click.echo(stats.to_csv())


#: The library's names for what ``zonal`` calls otherwise.
zonal_cmd.spelling = {"categorical": "--continuous", "zones_crs": "--crs {value}", "chunk": None}


@click.command("rasterize")
@click.argument("layer", type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="GeoTIFF to write; the code table goes to OUTPUT.codes.csv.")
@click.option("--resolution", type=float, default=30, show_default=True, help="Pixel size in units of --dst-crs.")
@click.option("--dst-crs", default="EPSG:4549", show_default=True, help="CRS of the new grid.")
@click.option("--like", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Align to this raster's grid and CRS instead.")
@click.option("--attribute", default=None, metavar="COLUMN", help="Burn categories of this column (codes 1..k).")
@click.option("--all-touched", is_flag=True, help="Burn every pixel a feature touches.")
@input_options("", "LAYER", layer=False)
def rasterize_cmd(layer, output, resolution, dst_crs, like, attribute, all_touched, **options) -> None:
    """Burn LAYER's features (codes 1..n in file order, 0 = background) into a GeoTIFF."""
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
            f"{output}: {ds.width} x {ds.height} px of {abs(ds.transform.a):g} ({ds.crs}), "
            f"{len(res.codes)} codes -> {output}.codes.csv"
        )


#: The library's names for what ``rasterize`` calls otherwise.
rasterize_cmd.spelling = {"crs": "--dst-crs {value}", "layer_crs": "--crs {value}", "out": "-o {value}",
                          "chunk": None}
