"""Redline subcommands: ``floors`` (the 1950 / 47.7531 km² checks) and ``joint-zone`` (the 500 m band)."""

from __future__ import annotations

import click

from .options import Command, fail, input_options, source


@click.command("floors", cls=Command, short_help="核算红线面积底线 Check the redline area floors")
@click.option(
    "--redlines", "redlines", type=click.Path(exists=True), default=None,
    help="官方红线图层（任意 OGR 格式）；默认为内置示意样例。 / Official redline layer (any OGR format). "
    "Default: the bundled ILLUSTRATIVE sample.",
)
@input_options("redlines", "the --redlines file", invalid=True)
@click.option(
    "--minus", type=click.Path(exists=True, dir_okay=False), default=None,
    help="先扣除的拟批地块：批准后是否仍满足底线？ / Proposed parcels to subtract first: do we still meet the "
    "floors if they are approved?",
)
@input_options("minus", "the --minus file", layer=False)
@click.option("--crs", hidden=True, default=None)
@click.option("--by-district", is_flag=True,
              help="同时列出各县级行政区的面积。 / Also print the area per county-level unit.")
def floors_cmd(redlines, minus, crs, by_district, **options) -> None:
    """核算生态保护红线面积底线。 / Check the ecological redline area floors.

    \b
    苏州市 ≥ 1950 km²（《关于全面推进美丽苏州建设的实施意见》第十五条），
    昆山市 ≥ 47.7531 km²（《全面推进美丽昆山建设工作方案》任务一）。
    红线先融合，再裁剪到各地区，在 GRS80 椭球面上量算，以 km² 保留 4 位小数。
    每个输入有自己的坐标系选项（--redlines-crs、--minus-crs）。

    苏州市 ≥ 1950 km² and 昆山市 ≥ 47.7531 km², by 2035.  Redlines are
    dissolved, clipped to each region and measured on the GRS80 ellipsoid;
    figures in km² to 4 decimals.  Each input has its own CRS option
    (--redlines-crs, --minus-crs).
    """  # noqa: D301 - click's \b keeps a paragraph as written
    import suzhou_geo as sg

    if crs is not None:
        fail("--crs 在此不明确：--redlines 文件用 --redlines-crs，--minus 文件用 --minus-crs / --crs is ambiguous "
             "here: use --redlines-crs for the --redlines file or --minus-crs for --minus")
    red = sg.load_redlines(source(redlines, "redlines", **options)) if redlines else sg.load_redlines()
    cut = source(minus, "minus", **options)
    checks = [sg.check_floor(region, redlines=red, minus=cut) for region in sg.FLOORS]
    if red.attrs.get("illustrative"):
        click.echo(f"注意 NOTE: {red.attrs['data_note']} 官方数据用 --redlines 传入 / pass the official data with "
                   "--redlines.", err=True)
    for fc in checks:
        click.echo(
            f"{fc.region}: 面积 area {fc.area_km2:.4f} km², 底线 floor {fc.floor_km2:g} km², "
            f"差额 margin {fc.margin_km2:+.4f} km², {'达标 OK' if fc.ok else '低于底线 BELOW FLOOR'}"
        )
        if fc.removed_km2:
            click.echo(f"  --minus 地块扣除 removed by --minus parcels: {fc.removed_km2:.4f} km²")
        click.echo(f"  方法 method: {fc.method}")
        click.echo(f"  底线依据 floor source: {fc.source}")
        click.echo(f"  数据 data: {fc.data_note}")
        for w in fc.warnings:
            click.echo(f"  警告 warning: {w}")
        if by_district:
            for r in fc.by_district.itertuples():
                click.echo(f"    {r.name_zh}: {r.area_km2:.4f} km²")


@click.command("joint-zone", cls=Command, short_help="联防联治区（边界两侧各 500 m） The joint-control band")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
    help="输出文件（.gpkg、.geojson、.shp、.csv）。 / Output file (.gpkg, .geojson, .shp, .csv).",
)
@click.option(
    "--members", default=None, metavar="A,B,...",
    help="逗号分隔的成员（中文、拼音或行政区划代码）；默认 嘉定区,昆山市,太仓市（2018 年三地协议）。 / "
    "Comma-separated jurisdictions (Chinese, pinyin or adcode). Default: 嘉定区,昆山市,太仓市 (the 2018 "
    "嘉定–昆山–太仓 agreement).",
)
@click.option("--distance", "distance", type=float, default=None,
              help="每侧带宽（米）；默认为协议规定的距离（2018 年嘉昆太协议为 500 m）。 / Band width each side, "
              "metres. Default: the pact's (500 m for the 2018 嘉定–昆山–太仓 agreement).")
@click.option("--pact", default=None,
              help="协议：jiakuntai_2018、kunshan_qingpu_dianshanhu、taicang_jiading_2014。 / A pact key: "
              "jiakuntai_2018, kunshan_qingpu_dianshanhu, taicang_jiading_2014.")
@click.option("--overwrite", is_flag=True, help="输出已存在时替换。 / Replace OUTPUT if it exists.")
def joint_zone_cmd(output, members, distance, pact, overwrite) -> None:
    """写出成员共同边界两侧的联防联治区。 / Write the joint-control band along the members' shared borders.

    每对边界每侧一行。 / One row per pair and side.
    """
    import suzhou_geo as sg

    from ._output import check_output_or_fail, write_or_fail

    target = check_output_or_fail(output, overwrite=overwrite, inputs=[])
    names = [m.strip() for m in members.split(",") if m.strip()] if members else None
    zone = sg.joint_control_zone(members=names, distance_m=distance, pact=pact)
    for r in zone.itertuples():
        click.echo(f"{r.pair} [{r.side}]: 边界 border {r.border_length_m / 1000:.2f} km, "
                   f"带 band {r.area_km2:.4f} km²")
    click.echo(f"合计 total {zone.area_km2.sum():.4f} km², {zone.distance_m.iloc[0]:g} m 以内 within; "
               f"依据 source: {zone.source.iloc[0]}")
    path = write_or_fail(zone, target, overwrite=overwrite)
    click.echo(f"已写出 written: {path}")


#: The library's names for what ``joint-zone`` calls otherwise.
joint_zone_cmd.spelling = {"members": "--members 昆山市,嘉定区", "distance_m": "--distance {value}"}
