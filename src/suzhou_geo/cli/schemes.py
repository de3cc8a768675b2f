"""Scheme subcommands: ``schemes`` (list) and ``scheme NAME`` (show or write one)."""

from __future__ import annotations

import click

from .options import fail, output_opt

__all__ = ["schemes_cmd", "scheme_cmd"]


@click.command("schemes")
def schemes_cmd() -> None:
    """List the spatial schemes of the Suzhou and Kunshan plans."""
    import suzhou_geo as sg

    for r in sg.schemes().itertuples():
        click.echo(
            f"{r.name_zh}\t{r.key}\t{r.jurisdiction}\t"
            f"{r.n_elements} elements ({r.roles})\t{r.source}"
        )


@click.command("scheme")
@click.argument("name")
@output_opt
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
def scheme_cmd(name: str, output: str | None, overwrite: bool) -> None:
    """Show one scheme's elements, or write them (-o file.gpkg / .geojson / .shp).

    NAME is the Chinese name (三核四轴四片), pinyin or key (ecological).
    """
    import suzhou_geo as sg

    try:
        s = sg.scheme(name)
    except ValueError as exc:
        fail(str(exc))
    click.echo(f"{s.name_zh} ({s.key}), {s.jurisdiction}; {s.source}")
    for r in s.elements.itertuples():
        flag = "".join(m for m, on in ((" [角色系推断 role inferred]", r.role_inferred),
                                        (" [形状系推断 shape inferred]", r.geometry_inferred)) if on)
        click.echo(f"  {r.role} {r.name_zh} — {r.basis} (±{r.accuracy_m} m){flag}")
    if output:
        if output.lower().endswith(".shp"):
            fail("a Shapefile holds one geometry type and a scheme mixes polygons, lines and "
                 "points; write .gpkg or .geojson instead")
        from ._output import write_or_fail

        write_or_fail(s.elements, output, overwrite=overwrite)
        click.echo(f"written: {output} ({len(s.elements)} elements, EPSG:4490)")
