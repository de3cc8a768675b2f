"""The Markdown files of a report folder: ``summary.md`` and ``floors.md``.

Chinese first with English beside it; every table is a GitHub-flavoured
Markdown table (it renders as a table in any viewer); paragraphs are separated
by blank lines.  Both are built from the run's context (see
:func:`suzhou_geo.report.run_report`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .tables import (
    VERDICT_ORDER,
    floor_table,
    floor_unit_table,
    is_city,
    md_table,
    unit_table,
    verdict_label,
    verdict_table,
)

__all__ = ["summary_md", "floors_md", "VERDICT_MEANINGS"]

#: What each verdict means, Chinese first.
VERDICT_MEANINGS = {
    "conflict": "与生态保护红线的重叠超过容差 / overlaps an ecological protection redline beyond the tolerance",
    "review": "与生态空间管控区域重叠，或距生态保护红线 {d:g} m 以内，或位于苏州市域外 / overlaps an ecological space "
    "control area, lies within {d:g} m of a protection redline, or lies (partly) outside 苏州市",
    "notice": "位于联防联治区，需告知相邻地区 / lies in a joint-control zone; the neighbours must be informed",
    "pass": "未触发任何规则 / no rule fired",
    "invalid": "几何无法使用，原因见 reasons 列 / the geometry cannot be used; see the reasons column",
}


def _header(title: str, ctx: Any) -> list[str]:
    from .. import __version__

    return [f"# {title}", "", f"生成时间 Generated: {ctx.generated} · suzhou_geo {__version__}", ""]


def _warning(ctx: Any) -> list[str]:
    if not ctx.illustrative:
        return []
    return [
        "> **注意：红线为内置示意数据，非官方生态保护红线。** 以下面积与判定仅演示检查方法；正式使用请以官方红线数据"
        "重新运行：`suzhou-geo report --redlines <官方红线文件>`。",
        ">",
        "> **NOTE: the redlines are the bundled illustrative sample, not the official ecological protection "
        "redline.** The figures and verdicts below show how the checks work; for official use rerun with the "
        "official data: `suzhou-geo report --redlines <official file>`.",
        "",
    ]


def _floor_section(f: Any, level: str = "##") -> list[str]:
    rows = pd.DataFrame(
        {
            "项目 item": [
                "生态保护红线面积 redline area",
                "底线 floor (2035)",
                "差额 margin",
                "结论 result",
            ],
            "数值 value": [
                f"{f.area_km2:,.4f} km²",
                f"≥ {f.floor_km2:,.4f} km²",
                f"{f.margin_km2:+,.4f} km²",
                f.result,
            ],
        }
    )
    lines = [f"{level} {f.region}", "", md_table(rows), ""]
    if f.removed_km2:
        lines += [f"拟建地块扣除 removed by proposed parcels: {f.removed_km2:,.4f} km²", ""]
    lines += [f"**依据 Source:** {f.source}", "", f"**方法 Method:** {f.method_text}", ""]
    return lines


def floors_md(ctx: Any) -> str:
    """``floors.md``: each floor check with its source and method, and the area by county-level unit."""
    lines = _header("生态保护红线面积底线 Ecological protection redline: area floors", ctx)
    lines += _warning(ctx)
    lines += [
        "## 概览 Overview",
        "",
        md_table(floor_table(ctx.floors).drop(columns="依据 source")),
        "",
    ]
    for f in ctx.floors:
        lines += _floor_section(f)
        if is_city(f.region):
            t = floor_unit_table(f)
            lines += [f"### {f.region} 按县级行政区 By county-level unit", "", md_table(t), ""]
            diff = float(t.iloc[-1, -1]) - round(f.area_km2, 4)
            if round(diff, 4) != 0:
                lines += [
                    f"各县级行政区之和与总面积相差 {diff:+.4f} km²，来自行政区面之间的缝隙与重叠。 / "
                    "The units add up to "
                    f"{diff:+.4f} km² more than the total: the slivers and overlaps between the units' polygons.",
                    "",
                ]
    lines += ["## 数据 Data", ""] + [f"- {n}" for n in ctx.notes[:2]] + [""]
    return "\n".join(lines)


def summary_md(ctx: Any) -> str:
    """``summary.md``: what was checked with which data, floors, verdicts, repairs and data notes."""
    rules = ctx.report.attrs.get("rules", {})
    d = float(rules.get("review_distance_m", 100.0))
    lines = _header("苏州生态空间检查报告 suzhou_geo report", ctx)
    lines += _warning(ctx)
    lines += ["## 检查内容 What was checked", ""]
    lines += [
        "1. **生态保护红线面积底线 Redline area floors**：苏州市 ≥ 1950 km²、昆山市 ≥ 47.7531 km²（2035年）。重叠红线"
        "融合后只计一次，裁剪至辖区，按 CGCS2000/GRS80 椭球面积计算。 / Overlapping redlines are dissolved so that "
        "they count once, clipped to each jurisdiction and measured on the CGCS2000/GRS80 ellipsoid.",
        f"2. **地块逐一判定 Parcel verdicts**：与生态保护红线、生态空间管控区域的重叠，距红线 {d:g} m 以内，"
        "是否位于 500 m 联防联治区，所在规划格局要素（仅供参考）。 / Overlap with protection redlines and space "
        f"control areas, distance to a redline within {d:g} m, the 500 m joint-control band, and the planned "
        "scheme elements (information only).",
        "3. **地图 Map**：`map.html`（交互）与 `summary.html`（可打印的一页 printable page）。",
        "",
        "## 所用数据 Data used",
        "",
        md_table(
            pd.DataFrame(
                {
                    "数据 data": [x.role for x in ctx.data],
                    "来源 origin": [x.origin for x in ctx.data],
                    "要素数 features": [x.features for x in ctx.data],
                    "说明 note": [x.note for x in ctx.data],
                }
            )
        ),
        "",
        "## 红线面积底线 Floors",
        "",
        md_table(floor_table(ctx.floors).drop(columns="依据 source")),
        "",
    ]
    lines += [f"- **{f.region}** 依据 source: {f.source}" for f in ctx.floors] + [""]
    lines += ["按县级行政区的面积见 `floors.md`。 / Areas by county-level unit: `floors.md`.", ""]
    lines += [
        "## 地块判定 Parcel verdicts",
        "",
        md_table(verdict_table(ctx.report, ctx.summary)),
        "",
    ]
    lines += [
        f"- **{verdict_label(v)}**：{VERDICT_MEANINGS[v].format(d=d)}" for v in VERDICT_ORDER
    ] + [""]
    lines += [
        "### 按县级行政区 By county-level unit",
        "",
        md_table(unit_table(ctx.report, ctx.summary)),
        "",
        "跨界地块在所涉各县级行政区均计入，故各行之和可大于合计行；合计行每个地块只计一次。 / A parcel on a border "
        "counts in each unit it lies in, so the rows can add up to more than the total row, which counts every "
        "parcel once.",
        "",
    ]
    lines += _repairs_section(ctx)
    lines += ["## 数据说明 What the data is and is not", ""] + [f"- {n}" for n in ctx.notes] + [""]
    lines += _files_section()
    return "\n".join(lines)


def _repairs_section(ctx: Any) -> list[str]:
    title = (
        "## 样例中特意构造的问题几何 Broken rows built into the sample"
        if ctx.parcels_bundled and all(r.layer.startswith("地块") for r in ctx.repairs)
        else "## 对输入数据的修复与处理 Repairs made to the input data"
    )
    lines = [title, ""]
    if not ctx.repairs:
        return lines + ["无。 / None.", ""]
    t = pd.DataFrame(
        {
            "图层 layer": [r.layer for r in ctx.repairs],
            "要素 feature": [str(r.row) for r in ctx.repairs],
            "名称 name": [r.name for r in ctx.repairs],
            "问题与处理 issue and what was done": [r.issue for r in ctx.repairs],
        }
    )
    return lines + [
        f"共 {len(ctx.repairs)} 处，逐一列出（要素按输入顺序从 1 计数，与 QGIS 一致）。 / {len(ctx.repairs)} in all, "
        "each listed (features counted from 1 in input order, as QGIS counts them).",
        "",
        md_table(t),
        "",
    ]


def _files_section() -> list[str]:
    rows = [
        ("summary.html", "可打印的一页摘要 the printable one-page summary"),
        ("summary.md", "本文件 this file"),
        ("floors.md, floors.csv", "红线面积底线 the floor checks"),
        (
            "parcels_report.xlsx",
            "地块报告（Excel，含汇总表） the parcel report for Excel, with summary sheets",
        ),
        (
            "parcels_report.gpkg",
            "地块报告（GIS，一个面图层） the parcel report for QGIS/ArcGIS, one polygon layer",
        ),
        (
            "parcels_report.csv",
            "地块报告（UTF-8 CSV，几何为末列 WKT） the parcel report as CSV, WKT last",
        ),
        ("map.html", "交互地图 the interactive map"),
    ]
    return [
        "## 本文件夹中的文件 Files in this folder",
        "",
        md_table(pd.DataFrame(rows, columns=["文件 file", "内容 content"])),
        "",
    ]
