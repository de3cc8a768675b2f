"""Options shared by several subcommands (like ``rasterio.rio.options``)."""

from __future__ import annotations

import click

crs_opt = click.option(
    "--crs",
    default=None,
    metavar="CRS",
    help="CRS of input without one (e.g. EPSG:4549), or GCJ-02 for Amap/Gaode coordinates.",
)
encoding_opt = click.option(
    "--encoding", default=None, metavar="ENC", help="Text encoding of a Shapefile .dbf (e.g. GBK)."
)
output_opt = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
    help="Write the result to this file (format from the extension: .gpkg, .geojson, .shp, .csv).",
)


class InputError(click.ClickException):
    """Unusable input (a file, a CRS, a name): message on stderr, exit status 2."""

    exit_code = 2


def fail(message: str) -> None:
    """Stop with a readable error and exit status 2 (unusable input)."""
    raise InputError(message)
