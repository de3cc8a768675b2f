"""Foundation subcommands: ``info``, ``boundary``, ``area``."""

from __future__ import annotations

import json

import click

from .options import fail, input_options, output_opt, source


@click.command()
def info() -> None:
    """Versions, data provenance and the CRSs the library uses."""
    import geopandas
    import pyproj
    import shapely

    import suzhou_geo
    from suzhou_geo.io.bundled import data_dir

    build = data_dir() / "boundaries" / "build_info.json"
    click.echo(f"suzhou_geo {suzhou_geo.__version__}")
    click.echo(
        f"geopandas {geopandas.__version__}, shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string}), pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str})"
    )
    click.echo(f"data: {data_dir()}")
    if build.exists():
        b = json.loads(build.read_text(encoding="utf-8"))
        click.echo(f"boundaries: {b['source']}, built {b['built']}, {b['features']} features, GCJ-02 converted")
    click.echo("storage CRS EPSG:4490 (CGCS2000); metric CRS EPSG:4549 (GK CM 120E); areas on GRS80")


@click.command("boundary")
@click.argument("name")
@output_opt
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
def boundary_cmd(name: str, output: str | None, overwrite: bool) -> None:
    """Show (or write) one jurisdiction: 昆山市, 昆山, Kunshan or 320583."""
    import suzhou_geo as sg

    try:
        b = sg.boundary(name)
    except ValueError as exc:
        fail(str(exc))
    r = b.iloc[0]
    click.echo(f"{r.name_zh} ({r.name_en}) adcode {r.adcode}, {r.level} of {r.parent}")
    click.echo(f"area {sg.area_km2(b).iloc[0]:.4f} km² (ellipsoidal, GRS80)")
    if output:
        from ._output import write_or_fail

        write_or_fail(b, output, overwrite=overwrite)
        click.echo(f"written: {output}")


@click.command("area")
@click.argument("path", type=click.Path(exists=True, dir_okay=True))
@input_options("", "PATH")
@click.option("--method", type=click.Choice(["ellipsoidal", "gk"]), default="ellipsoidal", show_default=True)
def area_cmd(path: str, method: str, **options) -> None:
    """Total and per-feature area (km²) of a polygon file, on the ellipsoid."""
    import suzhou_geo as sg

    layer = sg.io.read(source(path, **options))
    a = sg.area_km2(layer.frame, method=method)
    click.echo(f"{len(layer)} features, total {a.sum():.4f} km² ({method})")
    for note in layer.provenance.notes:
        click.echo(f"note: {note}", err=True)
