"""``suzhou-geo validate``: parcel file in, compliance report out."""

from __future__ import annotations

from pathlib import Path

import click

from .options import input_options, source

#: Inputs at least this large get a progress bar.
PROGRESS_MIN = 50_000


@click.command("validate")
@click.argument("parcels", type=click.Path(dir_okay=True))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="Report file; format from the extension: .gpkg (recommended), .xlsx, .csv, .shp, .parquet, .geojson.",
)
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists (an input is never replaced).")
@click.option("--no-wkt", is_flag=True, help="CSV: leave the geometry (WKT, last column) out.")
@input_options("", "PARCELS")
@click.option(
    "--redlines",
    type=click.Path(exists=True),
    default=None,
    help="Official redline layer (default: the bundled ILLUSTRATIVE sample).",
)
@input_options("redlines", "the --redlines file", invalid=True)
@click.option(
    "--review-distance",
    type=float,
    default=None,
    metavar="M",
    help="Distance (m) to a redline within which a parcel is 'review' (default 100, a library default).",
)
@click.option("--no-schemes", is_flag=True, help="Do not list scheme elements (faster).")
def validate_cmd(parcels, output, overwrite, no_wkt, redlines, review_distance, no_schemes, **options) -> None:
    """Check development parcels (地块) against redlines, the joint-control zone and the schemes.

    Writes one report row per parcel (verdict, reasons, overlap areas, distances)
    and prints a summary.  Exit status 0 even when conflicts are found; 2 when
    the input cannot be used (no CRS, unreadable file), with one line saying why.
    Each input has its own reading options: --crs, --encoding, --layer, … for
    PARCELS and --redlines-crs, --redlines-encoding, … for --redlines.
    """
    import suzhou_geo as sg
    from suzhou_geo.errors import MissingFileError

    from ._output import check_output_or_fail, print_summary, write_or_fail

    src = Path(parcels)
    if not src.exists() and "://" not in parcels and not parcels.upper().startswith(("/VSI", "PG:")):
        raise MissingFileError("no such file or folder", source=parcels)
    check_output_or_fail(output, overwrite=overwrite, inputs=[parcels, redlines])
    rules = {"review_distance_m": review_distance} if review_distance is not None else None
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total < PROGRESS_MIN:
            return
        if bar is None:
            bar = click.progressbar(
                length=total,
                label=f"validating {total:,} parcels",
                file=click.get_text_stream("stderr"),
            )
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        report = sg.validate_parcels(
            source(parcels, **options),
            redlines=source(redlines, "redlines", **options),
            schemes=False if no_schemes else None,
            rules=rules,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    write_or_fail(report, output, overwrite=overwrite, wkt=False if no_wkt else None, inputs=[parcels, redlines])
    click.echo(f"{len(report):,} 个地块 parcels from {src.name} → {output}")
    print_summary(report)
