"""Foundation subcommands: ``info``, ``boundary``, ``area``."""

from __future__ import annotations

import json

import click

from .options import Command, fail, input_options, output_opt, source


@click.command(cls=Command, short_help="版本、数据来源与坐标系 Versions, data provenance, CRSs")
def info() -> None:
    """版本、数据来源与所用坐标系。 / Versions, data provenance and the CRSs the library uses."""
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


@click.command("boundary", cls=Command, short_help="显示或写出一个行政区 Show or write one jurisdiction")
@click.argument("name")
@output_opt
@click.option("--overwrite", is_flag=True, help="输出已存在时替换。 / Replace OUTPUT if it exists.")
def boundary_cmd(name: str, output: str | None, overwrite: bool) -> None:
    """显示（或写出）一个行政区：昆山市、昆山、Kunshan 或 320583。 / Show (or write) one jurisdiction."""
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
        click.echo(f"已写出 written: {output}")


@click.command("area", cls=Command, short_help="面文件的面积（km²，椭球面） Area of a polygon file")
@click.argument("path", type=click.Path(exists=True, dir_okay=True))
@input_options("", "PATH")
@click.option("--method", type=click.Choice(["ellipsoidal", "gk"]), default="ellipsoidal", show_default=True,
              help="ellipsoidal：CGCS2000 椭球面积（与国土统计一致）；gk：高斯-克吕格 120°E 平面面积。 / "
                   "ellipsoidal: on the CGCS2000 ellipsoid (as land statistics); gk: planar, Gauss-Krüger 120°E.")
def area_cmd(path: str, method: str, **options) -> None:
    """面文件的总面积与每个要素的面积（km²，椭球面）。 / Total and per-feature area (km²) of a polygon file."""
    import suzhou_geo as sg

    layer = sg.io.read(source(path, **options))
    a = sg.area_km2(layer.frame, method=method)
    click.echo(f"{len(layer)} 个要素 features, 合计 total {a.sum():.4f} km² ({method})")
    for note in layer.provenance.notes:
        click.echo(f"注 note: {note}", err=True)
