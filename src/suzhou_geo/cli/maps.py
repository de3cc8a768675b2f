"""``suzhou-geo map``: an interactive HTML map of bundled layers and files."""

from __future__ import annotations

import os

import click

from ..maps.basemaps import basemap_choices
from .options import crs_opt, fail

__all__ = ["map_cmd"]


@click.command("map")
@click.argument("layers", nargs=-1)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
    help="HTML file to write.",
)
@click.option(
    "--basemap", type=click.Choice(basemap_choices()), default="osm", show_default=True,
    help="Gaode/Amap tiles are GCJ-02: layers are then shifted for display. Tianditu needs --tk.",
)
@click.option("--tk", envvar="TIANDITU_TK", default=None, metavar="KEY", help="Tianditu key (or $TIANDITU_TK).")
@click.option("--offline", is_flag=True,
              help="Self-contained file: no tiles, no network; bundled outlines, names and water as context.")
@click.option("--title", default=None, help="Title shown on the legend and as the page title.")
@click.option("--simplify-m", type=float, default=None, metavar="M",
              help="Display simplification in metres (default: 10 m for large features; 0 = none).")
@crs_opt
def map_cmd(layers, output, basemap, tk, offline, title, simplify_m, crs) -> None:
    """Draw LAYERS on an interactive map and write it as one HTML file.

    LAYERS are vector files or bundled layers: boundaries, schemes, redlines,
    joint-zone, or scheme:NAME (e.g. scheme:三核四轴四片).  Default: boundaries.
    """
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
                fail(f"{item}: not a file, and not a bundled layer ({exc.hint})")
            names.append(None)
    try:
        m = sg.plan_map(*frames, basemap=basemap, tk=tk, offline=offline, title=title,
                        simplify_m=simplify_m, names=names)
        path = sg.save_map(m, output, offline=offline)
    except (ValueError, ImportError) as exc:
        fail(str(exc))
    state = m._suzhou_geo_state
    click.echo(
        f"written: {path} ({path.stat().st_size / 1e6:.2f} MB, {state.entry_count} entries in the layer "
        f"control, drawn in {state.datum}" + (", self-contained, no network" if offline else "") + ")"
    )
