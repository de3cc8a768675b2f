"""Printable summaries of a run, as Markdown or a self-contained HTML page.

Every table comes from the library (:mod:`suzhou_geo.report.tables`: the same tables the
report folder, the Excel workbook and the command line show); this module only
puts them on a page with what was checked against which data.  Chinese first,
English beside it; every value is escaped in HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["Page", "validation_summary", "floors_summary", "write_page"]

_CSS = """
@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
       font-size: 10pt; color: #222; max-width: 190mm; margin: auto; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 12pt 0 4pt; }
table { border-collapse: collapse; margin: 4pt 0; }
th, td { border: 1px solid #bbb; padding: 2pt 5pt; }
th { background: #eee; text-align: left; } td.num, th.num { text-align: right; }
tr.total td { font-weight: bold; } .meta { color: #555; }
.warning { border: 2px solid #b42318; color: #b42318; padding: 4pt 6pt; font-weight: bold; }
"""

_ILLUSTRATIVE = (
    "注意：红线为内置示意数据，非官方生态保护红线。以下面积与判定仅演示检查方法；"
    "正式使用请以官方红线图层重新运行。",
    "NOTE: the redlines are the bundled illustrative sample, not the official ecological "
    "protection redline. The figures and verdicts below show how the checks work; for official "
    "use run again with the official redline layer.",
)


class Page:
    """A page of headings, paragraphs and tables, rendered as Markdown or HTML."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.blocks: list[tuple[str, Any]] = []

    def heading(self, text: str) -> None:
        """Add a section heading."""
        self.blocks.append(("h2", text))

    def text(self, text: str, kind: str = "p") -> None:
        """Add a paragraph (``kind="warning"`` draws it boxed in red)."""
        self.blocks.append((kind, text))

    def table(self, df: Any) -> None:
        """Add a table (a pandas DataFrame, rendered by the library's table renderers)."""
        self.blocks.append(("table", df))

    def markdown(self) -> str:
        """Render the page as Markdown."""
        from suzhou_geo.report.tables import md_table

        lines = [f"# {self.title}", ""]
        for kind, value in self.blocks:
            if kind == "h2":
                lines += [f"## {value}", ""]
            elif kind == "table":
                lines += [md_table(value), ""]
            elif kind == "warning":
                lines += [f"> **{value}**", ""]
            else:
                lines += [str(value), ""]
        return "\n".join(lines)

    def html(self) -> str:
        """Render the page as one self-contained HTML document (no scripts, no links), for A4."""
        from suzhou_geo.report.tables import html_table

        e = html.escape
        body = [f"<h1>{e(self.title)}</h1>"]
        for kind, value in self.blocks:
            if kind == "h2":
                body.append(f"<h2>{e(value)}</h2>")
            elif kind == "table":
                body.append(html_table(value))
            elif kind == "warning":
                body.append(f"<p class='warning'>{e(value)}</p>")
            else:
                body.append(f"<p class='{'meta' if kind == 'meta' else 'p'}'>{e(str(value))}</p>")
        return (
            "<!DOCTYPE html><html lang='zh-CN'><head><meta "
            f"charset='utf-8'><title>{e(self.title)}</title><style>{_CSS}</style></head><body>"
            + "".join(body)
            + "</body></html>"
        )


def _stamp() -> str:
    import suzhou_geo as sg

    try:
        from qgis.core import Qgis

        qgis = f" · QGIS {Qgis.QGIS_VERSION}"
    except ImportError:  # pragma: no cover - the plugin always runs in QGIS
        qgis = ""
    now = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return f"生成时间 Generated: {now} · suzhou_geo {sg.__version__}{qgis}"


def _data_table(rows: Sequence[tuple[str, Any, str]]):
    """Tabulate what was checked with which data: (role, Input or None, what None means)."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "图层 layer": role,
                "数据 data": inp.name if inp is not None else default,
                "要素 features": str(inp.count) if inp is not None else "",
                "坐标系 CRS": (inp.crs if len(inp.crs) < 40 else "WKT") if inp is not None else "",
            }
            for role, inp, default in rows
        ]
    )


def validation_summary(report: Any, data: Sequence[tuple[str, Any, str]]) -> Page:
    """Summarise a parcel report: data used, verdicts, county-level units, rules and notes.

    Parameters
    ----------
    report : geopandas.GeoDataFrame
        A :func:`suzhou_geo.validate_parcels` report.
    data : sequence of (role, Input or None, default)
        Each input: its role (``"地块 parcels"``), the layer read, or what the library used instead.
    """
    import suzhou_geo as sg
    from suzhou_geo.report.tables import report_notes, rules_table, unit_table, verdict_table

    summary = sg.summarize(report)
    page = Page("地块验证摘要 Parcel validation summary")
    page.text(_stamp(), "meta")
    if summary.illustrative:
        page.text(" ".join(_ILLUSTRATIVE), "warning")
    page.heading("数据 Data")
    page.table(_data_table(data))
    page.heading("按判定 By verdict")
    page.table(verdict_table(report, summary))
    page.heading("按县级行政区 By county-level unit")
    page.text("跨界地块在所涉各单位均计入 / a parcel on a border counts in each unit it lies in")
    page.table(unit_table(report, summary))
    page.heading("规则 Rules")
    page.table(rules_table(report.attrs.get("rules")))
    page.heading("说明 Notes")
    for note in report_notes(report):
        page.text(note)
    return page


def floors_summary(checks: Sequence[Any], data: Sequence[tuple[str, Any, str]]) -> Page:
    """Summarise floor checks: overview, each check with source and method, the city's units."""
    import pandas as pd

    from suzhou_geo.report.tables import floor_table, floor_unit_table, is_city

    page = Page("生态保护红线面积底线 Ecological protection redline: area floors")
    page.text(_stamp(), "meta")
    if any(c.illustrative for c in checks):
        page.text(" ".join(_ILLUSTRATIVE), "warning")
    page.heading("数据 Data")
    page.table(_data_table(data))
    page.heading("概览 Overview")
    page.table(floor_table(checks).drop(columns="依据 source"))
    for c in checks:
        page.heading(f"{c.region}：{c.result}")
        rows = [
            ("生态保护红线面积 redline area", f"{c.area_km2:,.4f} km²"),
            ("底线 floor", f"≥ {c.floor_km2:,.4f} km²"),
            ("差额 margin", f"{c.margin_km2:+,.4f} km²"),
            ("拟建地块扣除 removed by proposed parcels", f"{c.removed_km2:,.4f} km²"),
            ("依据 source", c.source),
            ("方法 method", c.method_text),
            ("数据 data", c.data_text),
        ]
        page.table(pd.DataFrame(rows, columns=["项目 item", "数值 value"]))
        for w in c.warnings:
            page.text(f"注意 note: {w}")
        if is_city(c.region):
            page.table(floor_unit_table(c))
    return page


def write_page(page: Page, path: str) -> str:
    """Write *page* as HTML (``.html``/``.htm``) or Markdown (any other extension), UTF-8."""
    target = Path(path)
    text = page.html() if target.suffix.lower() in (".html", ".htm") else page.markdown()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return str(target)
