"""``suzhou-geo map``: an interactive HTML map of bundled layers and files."""

from __future__ import annotations

import os

import click

from ..maps.basemaps import basemap_choices
from .options import Command, crs_opt, fail

__all__ = ["map_cmd"]


@click.command("map", cls=Command, short_help="交互式地图（HTML） Interactive map as one HTML file")
@click.argument("layers", nargs=-1)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
    help="要写出的 HTML 文件。 / HTML file to write.",
)
@click.option(
    "--basemap", type=click.Choice(basemap_choices()), default="osm", show_default=True,
    help="底图。高德瓦片为 GCJ-02，图层显示时随之偏移；天地图需要 --tk。 / Basemap. Gaode/Amap tiles are GCJ-02: "
    "layers are then shifted for display. Tianditu needs --tk.",
)
@click.option("--tk", envvar="TIANDITU_TK", default=None, metavar="KEY",
              help="天地图密钥（或环境变量 $TIANDITU_TK）。 / Tianditu key (or $TIANDITU_TK).")
@click.option("--offline", is_flag=True,
              help="自包含文件：无瓦片、不联网，以内置的边界、地名与水系为底图。 / Self-contained file: no tiles, "
              "no network; bundled outlines, names and water as context.")
@click.option("--title", default=None, help="图例与页面标题。 / Title shown on the legend and as the page title.")
@click.option("--simplify-m", type=float, default=None, metavar="M",
              help="显示用的简化容差（米；大要素默认 10 m，0 为不简化）。 / Display simplification in metres "
              "(default: 10 m for large features; 0 = none).")
@crs_opt
def map_cmd(layers, output, basemap, tk, offline, title, simplify_m, crs) -> None:
    """把 LAYERS 画成交互式地图，写成一个 HTML 文件。 / Draw LAYERS on an interactive map, as one HTML file.

    \b
    LAYERS 为矢量文件或内置图层：boundaries、schemes、redlines、joint-zone，
    或 scheme:名称（如 scheme:三核四轴四片）；默认 boundaries。

    LAYERS are vector files or bundled layers: boundaries, schemes, redlines,
    joint-zone, or scheme:NAME (e.g. scheme:三核四轴四片).  Default: boundaries.
    """  # noqa: D301 - click's \b keeps a paragraph as written
    import suzhou_geo as sg
    from suzhou_geo.datasets import layer as bundled_layer
    from suzhou_geo.errors import InputError

    frames, names = [], []
    for item in layers or ("boundaries",):
        if os.path.exists(item):
            frames.append(sg.read_layer(item, crs=crs))  # its errors name the file
            names.append(os.path.splitext(os.path.basename(item))[0])
        else:
            try:
                frames.append(bundled_layer(item))
            except InputError as exc:
                fail(f"{item}: 既不是文件，也不是内置图层 / not a file, and not a bundled layer ({exc.hint})")
            names.append(None)
    try:
        m = sg.plan_map(*frames, basemap=basemap, tk=tk, offline=offline, title=title,
                        simplify_m=simplify_m, names=names)
        path = sg.save_map(m, output, offline=offline)
    except (ValueError, ImportError) as exc:
        fail(str(exc))
    state = m._suzhou_geo_state
    click.echo(
        f"已写出 written: {path} ({path.stat().st_size / 1e6:.2f} MB, 图层控件 {state.entry_count} 项 entries in "
        f"the layer control, drawn in {state.datum}"
        + ("，自包含、不联网 self-contained, no network" if offline else "") + ")"
    )
