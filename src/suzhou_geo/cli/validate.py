"""``suzhou-geo validate``: parcel file in, compliance report out."""

from __future__ import annotations

from pathlib import Path

import click

from ._engine import engine_options, print_result, run_engine, shown
from .options import input_options, source


@click.command("validate")
@click.argument("parcels")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    help="Report file; format from the extension: .gpkg (recommended), .xlsx, .csv, .shp, .parquet, .geojson; "
    "or a PostGIS connection (postgresql://…, PG:…) with --output-layer.",
)
@click.option("--output-layer", default=None, metavar="TABLE", help="The table to write when -o is a PostGIS connection.")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT (file or table) if it exists (an input is never replaced).")
@click.option("--no-wkt", is_flag=True, help="CSV: leave the geometry (WKT, last column) out.")
@input_options("", "PARCELS")
@click.option(
    "--redlines",
    default=None,
    help="Official redline layer: a file or a PostGIS connection (default: the bundled ILLUSTRATIVE sample).",
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
@engine_options
def validate_cmd(parcels, output, output_layer, overwrite, no_wkt, redlines, review_distance, no_schemes,
                 engine, scheduler, workers, batch_size, **options) -> None:
    """Check development parcels (地块) against redlines, the joint-control zone and the schemes.

    PARCELS is a file or a PostGIS connection (with --layer).  Writes one report
    row per parcel (verdict, reasons, overlap areas, distances) and prints a
    summary.  Exit status 0 even when conflicts are found; 2 when the input
    cannot be used (no CRS, unreadable file), with one line saying why.  Each
    input has its own reading options: --crs, --encoding, --layer, … for PARCELS
    and --redlines-crs, --redlines-layer, … for --redlines.
    """
    from suzhou_geo.errors import InputError, MissingFileError
    from suzhou_geo.io.postgis import is_postgis, redact
    from suzhou_geo.validate import ValidationInputs

    _check_inputs(parcels, redlines, is_postgis, MissingFileError)
    rules = {"review_distance_m": review_distance} if review_distance is not None else None
    inputs = ValidationInputs.gather(source(parcels, **options), source(redlines, "redlines", **options),
                                     schemes=False if no_schemes else None, rules=rules)
    if is_postgis(output):
        if not output_layer:
            raise InputError("-o with a PostGIS connection needs the table to write", source=redact(output),
                             hint="add --output-layer schema.table")
        return _into_postgis(inputs, output, output_layer, overwrite)
    rows, summary = run_engine(inputs, output, engine, scheduler, workers, batch_size, overwrite=overwrite,
                               writer=_writer(no_wkt))
    print_result(rows, shown(inputs.parcels), output, summary)


def _writer(no_wkt: bool):
    """How a report validated in memory is written: the report-aware way out (Excel sheets, WKT for CSV)."""
    from ._output import write_or_fail

    def write(frame, target, **kwargs):
        return write_or_fail(frame, target, wkt=False if no_wkt else None, **kwargs)

    return write


def _into_postgis(inputs, output: str, output_layer: str, overwrite: bool) -> None:
    """Validate in memory and write the report as a PostGIS table."""
    import suzhou_geo as sg
    from suzhou_geo.errors import spelled
    from suzhou_geo.io.postgis import redact

    from ._engine import ProgressBar
    from ._output import print_summary, write_or_fail

    with ProgressBar() as bar:
        report = sg.validate_parcels(inputs, progress=bar)
    with spelled({"layer": "--output-layer {value}"}):  # the table written is the output's
        written = write_or_fail(report, output, overwrite=overwrite, layer=output_layer,
                                inputs=[inputs.parcels, inputs.redlines])
    click.echo(f"{len(report):,} 个地块 parcels from {shown(inputs.parcels)} → {redact(output)} {written}")
    print_summary(report)


def _check_inputs(parcels: str, redlines: str | None, is_postgis, missing) -> None:
    """Missing input files are named before any work (connections are checked when read)."""
    for what, value in (("PARCELS", parcels), ("--redlines", redlines)):
        if value is None or is_postgis(value) or "://" in value or value.upper().startswith("/VSI"):
            continue
        if not Path(value).exists():
            raise missing("no such file or folder", source=value, hint=f"check the path given as {what}")
