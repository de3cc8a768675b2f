"""Scheme subcommands: ``schemes`` (list) and ``scheme NAME`` (show or write one)."""

from __future__ import annotations

import click

from .options import Command, fail, output_opt

__all__ = ["schemes_cmd", "scheme_cmd"]


@click.command("schemes", cls=Command, short_help="列出规划空间格局 List the plans' spatial schemes")
def schemes_cmd() -> None:
    """列出苏州、昆山规划的空间格局。 / List the spatial schemes of the Suzhou and Kunshan plans."""
    import suzhou_geo as sg

    for r in sg.schemes().itertuples():
        click.echo(
            f"{r.name_zh}\t{r.key}\t{r.jurisdiction}\t"
            f"{r.n_elements} 个要素 elements ({r.roles})\t{r.source}"
        )


@click.command("scheme", cls=Command, short_help="一个格局的要素 Show or write one scheme's elements")
@click.argument("name")
@output_opt
@click.option("--overwrite", is_flag=True, help="输出已存在时替换。 / Replace OUTPUT if it exists.")
def scheme_cmd(name: str, output: str | None, overwrite: bool) -> None:
    """显示一个格局的要素，或写出（-o 文件.gpkg / .geojson）。 / Show one scheme's elements, or write them.

    \b
    NAME 为中文名称（三核四轴四片）、拼音或键名（ecological）。

    NAME is the Chinese name (三核四轴四片), pinyin or key (ecological).
    """  # noqa: D301 - click's \b keeps a paragraph as written
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
            fail("Shapefile 只能容纳一种几何类型，而格局混有面、线、点；请写 .gpkg 或 .geojson / a Shapefile holds "
                 "one geometry type and a scheme mixes polygons, lines and points; write .gpkg or .geojson instead")
        from ._output import write_or_fail

        write_or_fail(s.elements, output, overwrite=overwrite)
        click.echo(f"已写出 written: {output} ({len(s.elements)} 个要素 elements, EPSG:4490)")
