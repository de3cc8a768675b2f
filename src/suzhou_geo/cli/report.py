"""``suzhou-geo report``: the main job, end to end."""

from __future__ import annotations

import time

import click

from .options import input_options, source


@click.command("report")
@click.option("-o", "--outdir", type=click.Path(file_okay=False), default="report", show_default=True,
              help="Folder to write map.html, floors.csv/.md, parcels_report.gpkg/.csv and summary.md to.")
@click.option("--parcels", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Development parcels to validate (any OGR format). Default: the bundled synthetic sample.")
@click.option("--redlines", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Official redline data (any OGR format). Default: the bundled ILLUSTRATIVE sample.")
@input_options("parcels", "the --parcels file")
@input_options("redlines", "the --redlines file")
@click.option("--offline", is_flag=True, help="Self-contained map.html (Leaflet inlined) for isolated networks.")
@click.option("--basemap", default="osm", show_default=True, help="osm, cartodb, gaode, gaode-satellite, tianditu…")
def report_cmd(outdir, parcels, redlines, offline, basemap, **options) -> None:
    """Run every check on the bundled data (or yours) and write a report folder.

    Floors (苏州市 ≥ 1950 km², 昆山市 ≥ 47.7531 km²), parcel verdicts against redlines,
    the 500 m 嘉定–昆山–太仓 joint-control zone and the planned schemes, and a map.
    """
    from suzhou_geo.report import run_report

    t0 = time.perf_counter()

    def progress(msg: str) -> None:
        click.echo(f"[{time.perf_counter() - t0:5.1f} s] {msg} …", err=True)

    res = run_report(
        outdir,
        parcels=source(parcels, "parcels", **options),
        redlines=source(redlines, "redlines", **options),
        offline=offline,
        basemap=basemap,
        progress=progress,
    )
    click.echo("")
    for f in res.floors:
        state = "meets the floor" if f.ok else "BELOW the floor"
        click.echo(f"{f.region}: redline {f.area_km2:.4f} km² vs ≥ {f.floor_km2:.4f} km² → margin {f.margin_km2:+.4f} km² ({state})")
    counts = res.report["verdict"].value_counts()
    order = ["conflict", "review", "notice", "pass", "invalid"]
    click.echo(f"parcels: {len(res.report)} — " + ", ".join(f"{v} {int(counts.get(v, 0))}" for v in order))
    if res.data_note:
        click.echo(f"note: {res.data_note}")
    click.echo(f"written to {res.outdir}/: " + ", ".join(sorted(res.files)))
    click.echo(f"done in {time.perf_counter() - t0:.1f} s")
