"""``summary.html``: the report on one printable A4 page, self-contained.

No script, no stylesheet or font or image from anywhere: the pictures are
inline SVG (:mod:`suzhou_geo.report.svg`), the style is one ``<style>`` element with
A4 print rules, and every value shown is HTML-escaped.  Chinese text is drawn
with the reader's own fonts.  Open it in any browser and print it (Ctrl+P) to
paper or PDF: one page, two when many repairs or notes are listed.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

from .svg import MAX_DOTS, VERDICT_COLOURS, floor_chart, overview_map
from .tables import VERDICT_ORDER, floor_table, html_table, unit_table, verdict_label, verdict_table

__all__ = ["summary_html", "STYLE", "MAX_REPAIRS_SHOWN"]

#: Repairs listed on the page (all of them are in summary.md).
MAX_REPAIRS_SHOWN = 8

STYLE = """
@page { size: A4 portrait; margin: 7mm 9mm 7mm 9mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC',
       'WenQuanYi Micro Hei', sans-serif; font-size: 7.1pt; line-height: 1.22; color: #222; margin: 0; }
@media screen { body { max-width: 190mm; margin: 8mm auto; } }
h1 { font-size: 12.5pt; margin: 0; }
h2 { font-size: 8.4pt; margin: 1.5mm 0 0.6mm; padding-bottom: 0.3mm; border-bottom: 0.3mm solid #888; }
p { margin: 0.6mm 0; }
.meta { color: #555; }
.warn { border: 0.45mm solid #c62828; color: #8e1b1b; padding: 0.8mm 1.6mm; margin: 1.4mm 0 0.6mm;
        font-weight: bold; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 4mm; }
table { border-collapse: collapse; width: 100%; font-size: 6.7pt; }
th, td { border-bottom: 0.2mm solid #d0d0d0; padding: 0.25mm 0.8mm; text-align: left; vertical-align: top; }
th { background: #f0f0f0; font-weight: bold; }
.num { text-align: right; }
td.num, td:first-child { white-space: nowrap; }
th { overflow-wrap: normal; word-break: keep-all; }
table.units { font-size: 6.3pt; }
table.units th, table.units td { padding: 0.25mm 0.5mm; }
table.repairs td { white-space: normal; }
.map svg { display: block; width: 90%; height: auto; margin: 0 auto; }
tr.total td { font-weight: bold; border-top: 0.35mm solid #555; }
figure { margin: 0; break-inside: avoid; }
.legend { font-size: 6.8pt; margin-top: 0.6mm; }
.legend span { white-space: nowrap; margin-right: 2mm; }
.sw { display: inline-block; width: 2.6mm; height: 2.6mm; vertical-align: -0.4mm; margin-right: 0.7mm;
      border: 0.15mm solid #666; }
.dot { border-radius: 50%; }
.small { font-size: 6.4pt; color: #333; }
ul.small { margin: 0.4mm 0; padding-left: 3.5mm; }
ul.small li { margin: 0.2mm 0; }
section { break-inside: avoid; }
code { font-family: inherit; background: #f3f3f3; padding: 0 0.6mm; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text))


def _inline(text: Any) -> str:
    """Escape *text*; Markdown code spans (```name```) become ``<code>``."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(text))


def summary_html(ctx: Any) -> str:
    """Return the page for the run *ctx* (see :func:`suzhou_geo.report.run_report`)."""
    from .. import __version__

    title = "苏州生态空间检查报告 suzhou_geo report"
    parts = [
        "<!DOCTYPE html>",
        "<html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<meta name='generator' content='suzhou_geo {_e(__version__)}'>",
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
        f"<header><h1>{_e(title)}</h1>",
        f"<p class='meta'>生成时间 Generated: {_e(ctx.generated)} · suzhou_geo {_e(__version__)}</p></header>",
        _warning(ctx),
        _data_section(ctx),
        "<div class='grid'>",
        f"<div>{_floors_section(ctx)}{_verdict_section(ctx)}{_repairs_section(ctx)}</div>",
        f"<div>{_map_section(ctx)}{_units_section(ctx)}</div>",
        "</div>",
        _notes_section(ctx),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def _warning(ctx: Any) -> str:
    if not ctx.illustrative:
        return ""
    return (
        "<p class='warn'>注意：红线为内置示意数据，非官方生态保护红线；以下面积与判定仅演示检查方法，"
        "正式使用请以官方红线数据重新运行。"
        "<br>NOTE: the redlines are the bundled illustrative sample, not the official redline; rerun with the "
        "official data for official use.</p>"
    )


def _data_section(ctx: Any) -> str:
    t = pd.DataFrame(
        {
            "数据 data": [x.role for x in ctx.data],
            "来源 origin": [x.origin.replace("`", "") for x in ctx.data],
            "要素 features": [x.features for x in ctx.data],
            "说明 note": [x.note for x in ctx.data],
        }
    )
    return "<h2>检查内容与所用数据 What was checked, with which data</h2>" + html_table(t)


def _floors_section(ctx: Any) -> str:
    t = floor_table(ctx.floors).drop(columns=["依据 source", "结论 result"])
    sources = "".join(f"<li>{_e(f.region)}：{_e(f.source)}</li>" for f in ctx.floors)
    return (
        "<h2>红线面积底线 Redline area floors</h2>"
        f"<figure>{floor_chart(ctx.floors)}</figure>"
        + html_table(t)
        + f"<ul class='small'>{sources}</ul>"
    )


def _verdict_section(ctx: Any) -> str:
    return "<h2>地块判定 Parcel verdicts</h2>" + html_table(verdict_table(ctx.report, ctx.summary))


def _map_section(ctx: Any) -> str:
    from ..boundaries import jurisdictions

    units = jurisdictions(suzhou_only=True, geometry=True)
    units = units[units.level == "county"]
    svg = overview_map(
        units, redlines=ctx.red, zones=ctx.zone, report=ctx.report, title="总览图 overview map"
    )
    swatches = [
        (_stripes(k), label, False)
        for k, label in (
            ("ecological_protection_redline", "生态保护红线 protection redline"),
            ("ecological_space_control", "生态空间管控区域 space control area"),
            ("joint_zone", "联防联治区 joint-control zone"),
        )
    ] + [(VERDICT_COLOURS[v], verdict_label(v), True) for v in VERDICT_ORDER]
    legend = "".join(
        f"<span><i class='sw{' dot' if dot else ''}' style='background:{c}'></i>{_e(label)}</span>"
        for c, label, dot in swatches
    )
    return (
        "<h2>总览图 Overview map</h2>"
        f"<figure class='map'>{svg}<figcaption class='legend'>{legend}</figcaption></figure>"
        "<p class='small'>地块以点表示（按此比例尺无法显示形状）；底图为内置行政边界（高德，已转换为 CGCS2000）。 / "
        "Parcels are drawn as dots (too small to show their shape at this scale) over the bundled boundaries."
        + (
            f" 地块多于 {MAX_DOTS:,} 个时，每平方公里每种判定只画一个点。 / Above {MAX_DOTS:,} parcels, one dot per "
            "verdict and square kilometre."
            if len(ctx.report) > MAX_DOTS
            else ""
        )
        + "</p>"
    )


def _stripes(kind: str) -> str:
    """Return a CSS background drawing the hatching of a reference layer (as on the maps)."""
    from ..palette import LAYERS

    style = LAYERS[kind]
    colour, angle = style["stroke"], 90 - float(style["hatch"])
    return f"repeating-linear-gradient({angle:g}deg, {colour} 0 0.5mm, #fff 0.5mm 1.2mm)"


def _units_section(ctx: Any) -> str:
    return (
        "<section><h2>按县级行政区的地块判定 Parcel verdicts by county-level unit</h2>"
        + html_table(unit_table(ctx.report, ctx.summary), cls="units")
        + "<p class='small'>跨界地块在所涉各单位均计入，各行之和可大于合计行。 / A parcel on a border counts in each "
        "unit it lies in; the rows can add up to more than the total.</p></section>"
    )


def _repairs_section(ctx: Any) -> str:
    if ctx.parcels_bundled and all(r.layer.startswith("地块") for r in ctx.repairs):
        head = "样例中特意构造的问题几何 Broken rows built into the sample"
    else:
        head = "对输入数据的修复与处理 Repairs made to the input data"
    if not ctx.repairs:
        return f"<section><h2>{_e(head)}</h2><p>无。 / None.</p></section>"
    shown = ctx.repairs[:MAX_REPAIRS_SHOWN]
    t = pd.DataFrame(
        {
            "图层 layer": [r.layer for r in shown],
            "要素 feature": [f"{r.row} {r.name}".strip() for r in shown],
            "问题与处理 issue and what was done": [r.issue for r in shown],
        }
    )
    if len({r.layer for r in ctx.repairs}) == 1:  # one layer: said in the heading, not in every row
        head += f" · {ctx.repairs[0].layer}"
        t = t.drop(columns=["图层 layer"])
    more = len(ctx.repairs) - len(shown)
    tail = (
        f"<p class='small'>另有 {more} 处，完整列表见 summary.md。 / {more} more; all of them are listed in "
        "summary.md.</p>"
        if more > 0
        else ""
    )
    return f"<section><h2>{_e(head)}（{len(ctx.repairs)}）</h2>{html_table(t, cls='repairs')}{tail}</section>"


def _notes_section(ctx: Any) -> str:
    from .tables import ILLUSTRATIVE_REDLINES

    # the illustrative-redline note stands in the box at the top of the page
    items = "".join(f"<li>{_inline(n)}</li>" for n in ctx.notes if n != ILLUSTRATIVE_REDLINES or not ctx.illustrative)
    return f"<section><h2>数据说明 Data notes</h2><ul class='small'>{items}</ul></section>"
