"""Every column of a parcel report, defined once.

:data:`REPORT_SCHEMA` is the one table that says, for each column
:func:`~suzhou_geo.validate_parcels` adds: its name, its Chinese and English
label, its type, its Shapefile field name (at most 10 ASCII characters), its
unit and number format, whether map popups, tooltips and Excel sheets show it,
and what it means.  File headers, Shapefile names, map popups, the Excel sheet
and the documentation are generated from it, so adding a column touches this
table and the code that computes it, nothing else.

This module holds data only (the :class:`~suzhou_geo.io.columns.Column` type
comes from ``io``): the map and report code use it without loading the validator.

Examples
--------
>>> col = column("verdict")
>>> col.label()
'判定 verdict'
>>> column("nearest_redline_m").shp
'red_dist_m'
>>> report_columns()[:3]
('verdict', 'reasons', 'redline_overlap_m2')
"""

from __future__ import annotations

from dataclasses import asdict

from ..io.columns import Column

__all__ = [
    "Column",
    "REPORT_SCHEMA",
    "VERDICTS",
    "VERDICT_LABELS",
    "VERDICT_FILLS",
    "column",
    "report_columns",
    "labels",
    "shapefile_names",
    "schema_frame",
]

#: Verdicts from most to least severe; ``invalid`` marks rows that could not be checked.
VERDICTS = ("invalid", "conflict", "review", "notice", "pass")

#: Chinese and English name of each verdict.
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "conflict": ("冲突", "conflict"),
    "review": ("复核", "review"),
    "notice": ("告知", "notice"),
    "pass": ("通过", "pass"),
    "invalid": ("无效", "invalid"),
}

#: Background colour of each verdict's cells in Excel (RGB hex).
VERDICT_FILLS = {
    "conflict": "F4C7C3",
    "review": "FCE8B2",
    "notice": "CFE2F3",
    "pass": "D9EAD3",
    "invalid": "D9D9D9",
}


def _c(*args, **kwargs) -> Column:
    return Column(*args, **kwargs)


#: The columns validate_parcels adds to the input's own columns, in report order.
REPORT_SCHEMA: tuple[Column, ...] = (
    _c("verdict", "判定", "verdict", "str", "verdict",
       "conflict > review > notice > pass; invalid when the geometry could not be checked",
       "冲突 > 复核 > 告知 > 通过；几何无法检查时为无效", tooltip=True, width=10,
       choices=tuple((v, *VERDICT_LABELS[v], VERDICT_FILLS[v]) for v in VERDICTS)),
    _c("reasons", "理由", "reasons", "str", "reasons",
       "every rule that fired, Chinese / English, with areas, distances and names",
       "触发的每条规则（中文/英文），含面积、距离与名称", tooltip=False, width=60),
    _c("redline_overlap_m2", "与生态保护红线重叠面积", "overlap with protection redline", "float",
       "red_m2", "overlap with the ecological protection redline (dissolved), ellipsoidal m²",
       "与生态保护红线（融合后）的重叠面积，椭球面积", unit="m²", decimals=2),
    _c("redline_overlap_ratio", "重叠占地块比例", "overlap share of parcel", "float", "red_ratio",
       "redline_overlap_m2 / parcel_area_m2", "重叠面积占地块面积的比例", percent=True, width=10),
    _c("control_overlap_m2", "与生态空间管控区域重叠面积", "overlap with space control area",
       "float", "ctl_m2", "overlap with ecological space control areas (dissolved), ellipsoidal m²",
       "与生态空间管控区域（融合后）的重叠面积，椭球面积", unit="m²", decimals=2),
    _c("redline_names", "涉及红线名称", "redlines involved", "str", "red_names",
       "names of the redline and control-area features the parcel overlaps",
       "地块所重叠的红线及管控区域名称", width=30),
    _c("nearest_redline_m", "距最近生态保护红线", "distance to nearest protection redline",
       "float", "red_dist_m",
       "distance to the nearest ecological protection redline (0 when overlapping; empty beyond the search distance)",
       "到最近生态保护红线的距离（重叠时为 0；超出搜索距离时为空）", unit="m", decimals=1),
    _c("in_joint_zone", "位于联防联治区", "in joint-control zone", "bool", "in_joint",
       "the parcel lies (beyond the overlap tolerance) in a joint-control zone",
       "地块（超过重叠容差）位于联防联治区内", width=8),
    _c("joint_zone", "联防联治区", "joint-control zone", "str", "joint_zone",
       "which joint-control zone(s), by border pair", "所在联防联治区（按边界双方）", width=20),
    _c("district", "所在县级行政区", "county-level unit", "str", "district",
       "the county-level unit(s) the parcel lies in", "地块所在的县级行政区", tooltip=True, width=14),
    _c("scheme_elements", "涉及规划格局要素", "scheme elements", "str", "schemes",
       "planned scheme elements the parcel lies in or near (information only)",
       "地块所在或邻近的规划空间格局要素（仅供参考）", width=30),
    _c("geometry_issue", "几何问题", "geometry issue", "str", "geom_issue",
       "what was wrong with the input geometry and what was done about it",
       "输入几何的问题及处理方式", width=24),
    _c("parcel_area_m2", "地块面积", "parcel area", "float", "area_m2",
       "area of the (repaired) parcel, ellipsoidal m²", "地块（修复后）面积，椭球面积",
       unit="m²", decimals=2),
    _c("declared_area_ha", "申报地块面积", "declared area", "float", "decl_ha",
       "the parcel's declared area (地块面积 of a 部标 file or a 界址点 table), 公顷; empty when none is declared",
       "部标坐标文件或界址点表中申报的地块面积（公顷）；未申报时为空", unit="公顷", decimals=4, popup=False),
    _c("planar_area_m2", "平面面积", "planar area", "float", "plan_m2",
       "planar Gauss-Krüger area in the zone of the file the parcel came from (what a surveyor's declared area "
       "is), m²; computed where an area is declared",
       "按来源文件所在投影带计算的高斯-克吕格平面面积（即测量申报面积的口径），有申报面积时计算", unit="m²",
       decimals=2, popup=False),
    _c("approximate_position", "位置为近似", "approximate position", "bool", "approx_pos",
       "the parcel's coordinates were converted approximately (legacy datum accepted without local parameters)",
       "地块坐标为近似转换（旧坐标系未使用本地转换参数）", width=8),
    _c("redline_data", "红线数据", "redline data", "str", "red_data",
       "which redline data the parcel was checked against (the bundled sample is illustrative)",
       "检查所用的红线数据（内置样例为示意数据）", width=24),
)

_BY_NAME = {c.name: c for c in REPORT_SCHEMA}


def column(name: str) -> Column:
    """Return the :class:`Column` called *name* (``KeyError`` listing the valid names)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no report column {name!r}; report columns: {', '.join(_BY_NAME)}") from None


def report_columns() -> tuple[str, ...]:
    """Return the names of the report columns, in report order."""
    return tuple(_BY_NAME)


def labels(sep: str = " ") -> dict[str, str]:
    """Return ``{column name: bilingual label}`` for every report column."""
    return {c.name: c.label(sep) for c in REPORT_SCHEMA}


def shapefile_names() -> dict[str, str]:
    """Return ``{column name: Shapefile field name}`` for every report column."""
    return {c.name: c.shp for c in REPORT_SCHEMA}


def schema_frame():
    """Return the schema as a pandas DataFrame (one row per column), for docs and Excel.

    Examples
    --------
    >>> schema_frame().loc[0, ["name", "zh", "en"]].tolist()
    ['verdict', '判定', 'verdict']
    """
    import pandas as pd

    return pd.DataFrame([asdict(c) for c in REPORT_SCHEMA])


def _check() -> None:
    shp = [c.shp for c in REPORT_SCHEMA]
    if len(set(shp)) != len(shp):
        raise ValueError(f"Shapefile names of the report columns must be unique: {shp}")
    for c in REPORT_SCHEMA:
        if len(c.shp.encode("ascii")) > 10:
            raise ValueError(f"Shapefile name of {c.name} is longer than 10 bytes: {c.shp}")


_check()
