"""Redline subcommands: ``floors`` (the 1950 / 47.7531 km² checks) and ``joint-zone`` (the 500 m band)."""

from __future__ import annotations

import click

from .options import fail, input_options, source


@click.command("floors")
@click.option(
    "--redlines", "redlines", type=click.Path(exists=True), default=None,
    help="Official redline layer (any OGR format). Default: the bundled ILLUSTRATIVE sample.",
)
@input_options("redlines", "the --redlines file", invalid=True)
@click.option(
    "--minus", type=click.Path(exists=True, dir_okay=False), default=None,
    help="Proposed parcels to subtract first: do we still meet the floors if they are approved?",
)
@input_options("minus", "the --minus file", layer=False)
@click.option("--crs", hidden=True, default=None)
@click.option("--by-district", is_flag=True, help="Also print the area per county-level unit.")
def floors_cmd(redlines, minus, crs, by_district, **options) -> None:
    """Check 苏州市 (≥ 1950 km², 《关于全面推进美丽苏州建设的实施意见》十五) and 昆山市 (≥ 47.7531 km²,
    《全面推进美丽昆山建设工作方案》任务一).

    Redlines are dissolved, clipped to each region and measured on the GRS80
    ellipsoid; figures in km² to 4 decimals.  Each input has its own CRS option
    (--redlines-crs, --minus-crs).
    """
    import suzhou_geo as sg

    if crs is not None:
        fail("--crs is ambiguous here: use --redlines-crs for the --redlines file or --minus-crs for --minus")
    red = sg.load_redlines(source(redlines, "redlines", **options)) if redlines else sg.load_redlines()
    cut = source(minus, "minus", **options)
    checks = [sg.check_floor(region, redlines=red, minus=cut) for region in sg.FLOORS]
    if red.attrs.get("illustrative"):
        click.echo(f"NOTE: {red.attrs['data_note']}", err=True)
    for fc in checks:
        click.echo(
            f"{fc.region}: area {fc.area_km2:.4f} km², floor {fc.floor_km2:g} km², "
            f"margin {fc.margin_km2:+.4f} km², {'OK' if fc.ok else 'BELOW FLOOR'}"
        )
        if fc.removed_km2:
            click.echo(f"  removed by --minus parcels: {fc.removed_km2:.4f} km²")
        click.echo(f"  method: {fc.method}")
        click.echo(f"  floor source: {fc.source}")
        click.echo(f"  data: {fc.data_note}")
        for w in fc.warnings:
            click.echo(f"  warning: {w}")
        if by_district:
            for r in fc.by_district.itertuples():
                click.echo(f"    {r.name_zh}: {r.area_km2:.4f} km²")


@click.command("joint-zone")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
    help="Output file (.gpkg, .geojson, .shp, .csv).",
)
@click.option(
    "--members", default=None, metavar="A,B,...",
    help="Comma-separated jurisdictions (Chinese, pinyin or adcode). Default: 嘉定区,昆山市,太仓市 (the 2018 嘉定–昆山–太仓 agreement).",
)
@click.option("--distance", "distance", type=float, default=None, help="Band width each side, metres. Default: the pact's (500 m for the 2018 嘉定–昆山–太仓 agreement).")
@click.option("--pact", default=None, help="A pact key: jiakuntai_2018, kunshan_qingpu_dianshanhu, taicang_jiading_2014.")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
def joint_zone_cmd(output, members, distance, pact, overwrite) -> None:
    """Write the joint-control band along the members' shared borders (one row per pair and side)."""
    import suzhou_geo as sg

    from ._output import check_output_or_fail, write_or_fail

    target = check_output_or_fail(output, overwrite=overwrite, inputs=[])
    names = [m.strip() for m in members.split(",") if m.strip()] if members else None
    zone = sg.joint_control_zone(members=names, distance_m=distance, pact=pact)
    for r in zone.itertuples():
        click.echo(f"{r.pair} [{r.side}]: border {r.border_length_m / 1000:.2f} km, band {r.area_km2:.4f} km²")
    click.echo(f"total {zone.area_km2.sum():.4f} km² within {zone.distance_m.iloc[0]:g} m; source: {zone.source.iloc[0]}")
    path = write_or_fail(zone, target, overwrite=overwrite)
    click.echo(f"written: {path}")


#: The library's names for what ``joint-zone`` calls otherwise.
joint_zone_cmd.spelling = {"members": "--members 昆山市,嘉定区", "distance_m": "--distance {value}"}
