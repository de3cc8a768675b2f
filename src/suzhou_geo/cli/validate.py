"""``suzhou-geo validate``: parcel file in, compliance report out."""

from __future__ import annotations

from pathlib import Path

import click

from ._engine import engine_options, run_engine
from .options import crs_opt, encoding_opt, fail

#: Inputs at least this large get a progress bar.
PROGRESS_MIN = 50_000

#: Report columns renamed for a Shapefile (field names of at most 10 characters).
SHAPEFILE_NAMES = {
    "redline_overlap_m2": "red_m2",
    "redline_overlap_ratio": "red_ratio",
    "control_overlap_m2": "ctl_m2",
    "redline_names": "red_names",
    "nearest_redline_m": "red_dist_m",
    "in_joint_zone": "in_joint",
    "scheme_elements": "schemes",
    "geometry_issue": "geom_issue",
    "parcel_area_m2": "area_m2",
}


@click.command("validate")
@click.argument("parcels", type=click.Path(dir_okay=True))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="Report file; format from the extension (.gpkg, .geojson, .shp, .csv).",
)
@click.option(
    "--redlines",
    type=click.Path(exists=True),
    default=None,
    help="Official redline layer (default: the bundled ILLUSTRATIVE sample).",
)
@crs_opt
@encoding_opt
@click.option("--layer", default=None, help="Layer of a multi-layer PARCELS file (GeoPackage).")
@click.option(
    "--review-distance",
    type=float,
    default=None,
    metavar="M",
    help="Distance (m) to a redline within which a parcel is 'review' (default 100, a library default).",
)
@click.option("--no-schemes", is_flag=True, help="Do not list scheme elements (faster).")
@engine_options
def validate_cmd(
    parcels, output, redlines, crs, encoding, layer, review_distance, no_schemes,
    engine, scheduler, workers, batch_size,
) -> None:
    """Check development parcels (地块) against redlines, the joint-control zone and the schemes.

    Writes one report row per parcel (verdict, reasons, overlap areas, distances)
    and prints a summary.  Exit status 0 even when conflicts are found; 2 when
    the input cannot be used (no CRS, unreadable file).
    """
    import logging

    import suzhou_geo as sg
    from suzhou_geo.io import write_layer

    src = Path(parcels)
    if not src.exists() and "://" not in parcels and not parcels.startswith(("/vsi", "PG:")):
        fail(f"{parcels}: no such file")
    rules = {"review_distance_m": review_distance} if review_distance is not None else None
    options = dict(redlines=redlines, schemes=False if no_schemes else None, rules=rules, crs=crs,
                   layer=layer, encoding=encoding)
    if run_engine(parcels, output, engine, scheduler, workers, batch_size, options):
        return
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
            parcels,
            redlines=redlines,
            schemes=False if no_schemes else None,
            rules=rules,
            crs=crs,
            layer=layer,
            encoding=encoding,
            progress=progress,
        )
    except sg.CRSError as exc:
        fail(f"{parcels}: {exc}")
    except (ValueError, FileNotFoundError, TypeError) as exc:
        msg = str(exc)
        fail(msg if parcels in msg or src.name in msg else f"{parcels}: {msg}")
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    summary = sg.summarize(report)
    if Path(output).suffix.lower() == ".shp":
        odd = ~report.geometry.isna() & ~report.geom_type.isin(["Polygon", "MultiPolygon"])
        if odd.any():  # a Shapefile holds one geometry type: keep the rows, drop their points/lines
            report = report.copy()
            report.loc[odd, report.geometry.name] = None
            click.echo(
                f"note: {int(odd.sum())} point/line rows written without geometry (Shapefile)",
                err=True,
            )
        clash = [c for c in report.columns if c in SHAPEFILE_NAMES]
        report = report.rename(columns={c: SHAPEFILE_NAMES[c] for c in clash})
        click.echo(
            "note: Shapefile field names are cut to 10 characters and text to 254 bytes: "
            + ", ".join(f"{c} → {SHAPEFILE_NAMES[c]}" for c in clash)
            + "; use .gpkg for the full report",
            err=True,
        )
    try:
        write_layer(report, output)
    except Exception as exc:  # GDAL write errors: say which file
        logging.getLogger(__name__).debug("write failed", exc_info=True)
        fail(f"cannot write {output}: {exc}")
    click.echo(f"{len(report):,} parcels from {src.name} → {output}")
    click.echo(summary.by_verdict.to_string(index=False))
    click.echo("")
    click.echo(summary.by_district.head(12).to_string())
    if len(summary.by_district) > 12:
        click.echo(f"... {len(summary.by_district) - 12} more rows")
    if summary.note:
        click.echo("")
        click.echo(summary.note)
