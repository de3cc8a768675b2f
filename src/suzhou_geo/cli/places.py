"""``suzhou-geo jurisdictions``: the county-level units by name, pinyin, adcode and area, and what is not one."""

from __future__ import annotations

import click

from .options import Command, fail


@click.command("jurisdictions", cls=Command,
               short_help="苏州市及县级行政区，或查询一个 List the units, or look one up")
@click.argument("name", required=False)
@click.option(
    "--all", "all_units", is_flag=True,
    help="同时列出苏州市域外的 20 个相邻县级行政区。 / Also list the 20 neighbouring units outside Suzhou.",
)
def jurisdictions_cmd(name: str | None, all_units: bool) -> None:
    """列出苏州市及县级行政区（名称、拼音、代码、面积），或查询一个。 / List the units, or look one NAME up.

    \b
    NAME 可为中文（昆山市、昆山）、拼音（Kunshan）或行政区划代码（320583）。
    苏州工业园区、昆山高新区等功能区不是县级行政区：回答说明其性质及其土地所在的县级行政区。

    List 苏州市 and its county-level units (name, pinyin, adcode, area), or look
    one NAME up: Chinese (昆山市, 昆山), pinyin (Kunshan) or an adcode (320583).
    Functional areas such as 苏州工业园区 or 昆山高新区 are not county-level
    units: the answer says what they are and which units' polygons hold their land.
    """  # noqa: D301 - click's \b keeps a paragraph as written
    import pandas as pd

    import suzhou_geo as sg
    from suzhou_geo.boundaries import functional_areas, unit_note
    from suzhou_geo.report.tables import text_table

    if name:
        _look_up(name)
        return
    t = sg.jurisdictions(suzhou_only=not all_units)
    shown = pd.DataFrame(
        {
            "名称 name": t.name_zh,
            "拼音 pinyin": t.name_en,
            "行政区划代码 adcode": t.adcode,
            "级别 level": t.level.map({"city": "地级市 city", "county": "县级 county"}),
            "上级 parent": t.parent,
            "面积 area (km²)": t.area_km2.astype(float),
        }
    )
    shown.attrs["decimals"] = {"面积 area (km²)": 2}
    click.echo(text_table(shown))
    click.echo(
        "面积为椭球面积（GRS80），基于高德行政区划面，非法定界线。 / Areas are ellipsoidal (GRS80), of Amap's "
        "polygons, not the official boundaries."
    )
    for code in t.adcode:
        if unit_note(code):
            click.echo(f"注 note: {unit_note(code)}")
    fa = functional_areas()
    click.echo("")
    click.echo(
        "功能区（不是县级行政区，没有自己的面） Functional areas (not county-level units, no polygon of their own):"
    )
    click.echo(
        text_table(
            pd.DataFrame(
                {
                    "名称 name": fa.name_zh,
                    "类型 kind": fa.kind_zh,
                    "土地所在县级行政区 land lies in": fa.held_by,
                }
            )
        )
    )


def _look_up(name: str) -> None:
    import warnings

    import suzhou_geo as sg
    from suzhou_geo.boundaries import functional_area, unit_note
    from suzhou_geo.errors import SuzhouGeoWarning

    fa = functional_area(name)
    if fa is not None:
        click.echo(fa.explain())
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuzhouGeoWarning)  # the note is printed below
        try:
            b = sg.boundary(name)
        except ValueError as exc:
            fail(str(exc))
    r = b.iloc[0]
    click.echo(
        f"{r.name_zh} {r.name_en} · 行政区划代码 adcode {r.adcode} · "
        f"{'地级市 city' if r.level == 'city' else '县级 county-level unit'} · 上级 parent {r.parent} · "
        f"面积 area {float(r.area_km2):,.2f} km²"
    )
    if unit_note(r.adcode):
        click.echo(f"注 note: {unit_note(r.adcode)}")
