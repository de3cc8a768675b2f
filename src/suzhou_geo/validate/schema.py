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
('verdict', 'verdict_zh', 'reasons')
"""

from __future__ import annotations

from dataclasses import asdict

from ..io.columns import Column
from ..palette import cell_fill

__all__ = [
    "Column",
    "REPORT_SCHEMA",
    "VERDICTS",
    "VERDICT_LABELS",
    "VERDICT_FILLS",
    "VERDICT_ZH",
    "column",
    "report_columns",
    "in_chinese",
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

#: Background colour of each verdict's cells in Excel (RGB hex): a light tint of the verdict's map colour
#: (:mod:`suzhou_geo.palette`), so that the workbook, the maps and QGIS show one colour per verdict.
VERDICT_FILLS = {v: cell_fill(v) for v in VERDICTS}


def _c(*args, **kwargs) -> Column:
    return Column(*args, **kwargs)


#: The columns validate_parcels adds to the input's own columns, in report order.  ``zh_name`` and
#: ``shp_zh`` name them when a file is written with Chinese column names (``columns="zh"``).
REPORT_SCHEMA: tuple[Column, ...] = (
    _c("verdict", "判定", "verdict", "str", "verdict",
       "conflict > review > notice > pass; invalid when the geometry could not be checked",
       "冲突 > 复核 > 告知 > 通过；几何无法检查时为无效", tooltip=True, width=13,
       choices=tuple((v, *VERDICT_LABELS[v], VERDICT_FILLS[v]) for v in VERDICTS),
       zh_name="判定代码", shp_zh="判定码"),
    _c("verdict_zh", "判定（中文）", "verdict in Chinese", "str", "verdict_zh",
       "the verdict in Chinese: 冲突 (conflict), 复核 (review), 告知 (notice), 通过 (pass), 无效 (invalid)",
       "中文判定：冲突、复核、告知、通过、无效", popup=False, excel=False, width=8,
       zh_name="判定", shp_zh="判定"),
    _c("reasons", "理由", "reasons", "str", "reasons",
       "every rule that fired, Chinese / English, with areas, distances and names",
       "触发的每条规则（中文/英文），含面积、距离与名称", tooltip=False, width=40, wrap=True,
       shp_zh="理由"),
    _c("redline_overlap_m2", "与生态保护红线重叠面积", "overlap with protection redline", "float",
       "red_m2", "overlap with the ecological protection redline (dissolved), ellipsoidal m²",
       "与生态保护红线（融合后）的重叠面积，椭球面积", unit="m²", decimals=2, width=11,
       zh_name="红线重叠面积_m2", shp_zh="红线m2"),
    _c("redline_overlap_ratio", "重叠占地块比例", "overlap share of parcel", "float", "red_ratio",
       "redline_overlap_m2 / parcel_area_m2", "重叠面积占地块面积的比例", percent=True, width=8,
       zh_name="红线重叠比例", shp_zh="红线比"),
    _c("control_overlap_m2", "与生态空间管控区域重叠面积", "overlap with space control area",
       "float", "ctl_m2", "overlap with ecological space control areas (dissolved), ellipsoidal m²",
       "与生态空间管控区域（融合后）的重叠面积，椭球面积", unit="m²", decimals=2, width=11,
       zh_name="管控区重叠面积_m2", shp_zh="管控m2"),
    _c("redline_names", "涉及红线名称", "redlines involved", "str", "red_names",
       "names of the redline and control-area features the parcel overlaps",
       "地块所重叠的红线及管控区域名称", width=18, wrap=True, shp_zh="红线名"),
    _c("nearest_redline_m", "距最近生态保护红线", "distance to nearest protection redline",
       "float", "red_dist_m",
       "distance to the nearest ecological protection redline (0 when overlapping; empty beyond the search distance)",
       "到最近生态保护红线的距离（重叠时为 0；超出搜索距离时为空）", unit="m", decimals=1, width=10,
       zh_name="距红线距离_m", shp_zh="距红线m"),
    _c("in_joint_zone", "位于联防联治区", "in joint-control zone", "bool", "in_joint",
       "the parcel lies (beyond the overlap tolerance) in a joint-control zone",
       "地块（超过重叠容差）位于联防联治区内", width=8, shp_zh="在联防"),
    _c("joint_zone", "联防联治区", "joint-control zone", "str", "joint_zone",
       "which joint-control zone(s), by border pair", "所在联防联治区（按边界双方）", width=12, wrap=True,
       shp_zh="联防区"),
    _c("district", "所在县级行政区", "county-level unit", "str", "district",
       "the county-level unit(s) the parcel lies in", "地块所在的县级行政区", tooltip=True, width=10, wrap=True,
       shp_zh="行政区"),
    _c("scheme_elements", "涉及规划格局要素", "scheme elements", "str", "schemes",
       "planned scheme elements the parcel lies in or near (information only)",
       "地块所在或邻近的规划空间格局要素（仅供参考）", width=22, wrap=True, shp_zh="格局要"),
    _c("geometry_issue", "几何问题", "geometry issue", "str", "geom_issue",
       "what was wrong with the input geometry and what was done about it",
       "输入几何的问题及处理方式", width=18, wrap=True, shp_zh="几何问"),
    _c("parcel_area_m2", "地块椭球面积", "ellipsoidal parcel area", "float", "area_m2",
       "area of the (repaired) parcel on the CGCS2000 ellipsoid, m² (a surveyor's declared area is planar: "
       "see planar_area_m2)", "地块（修复后）在 CGCS2000 椭球面上的面积（测量申报面积为平面面积，见平面面积一列）",
       unit="m²", decimals=2, width=11, zh_name="椭球面积_m2", shp_zh="椭球m2"),
    _c("declared_area_ha", "申报地块面积", "declared area", "float", "decl_ha",
       "the parcel's declared area (地块面积 of a 部标 file or a 界址点 table), 公顷; empty when none is declared",
       "部标坐标文件或界址点表中申报的地块面积（公顷）；未申报时为空", unit="公顷", decimals=4, popup=False,
       width=10, zh_name="申报面积_公顷", shp_zh="申报ha"),
    _c("planar_area_m2", "平面面积", "planar area", "float", "plan_m2",
       "planar Gauss-Krüger area in the zone of the file the parcel came from (what a surveyor's declared area "
       "is), m²; computed where an area is declared",
       "按来源文件所在投影带计算的高斯-克吕格平面面积（即测量申报面积的口径），有申报面积时计算", unit="m²",
       decimals=2, popup=False, width=11, zh_name="平面面积_m2", shp_zh="平面m2"),
    _c("approximate_position", "位置为近似", "approximate position", "bool", "approx_pos",
       "the parcel's coordinates were converted approximately (legacy datum accepted without local parameters)",
       "地块坐标为近似转换（旧坐标系未使用本地转换参数）", width=9, shp_zh="位置近"),
    _c("redline_data", "红线数据", "redline data", "str", "red_data",
       "which redline data the parcel was checked against (the bundled sample is illustrative)",
       "检查所用的红线数据（内置样例为示意数据）", width=22, wrap=True, shp_zh="红线源"),
)

#: The Chinese name of each verdict (the ``verdict_zh`` column).
VERDICT_ZH: dict[str, str] = {v: zh for v, (zh, _en) in VERDICT_LABELS.items()}

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


def in_chinese(frame, *, what: str = "write_layer"):
    """Return *frame* with the report columns under their Chinese names, and those columns described.

    Booleans become 是/否; every other value, the input's columns (an input
    column named like a Chinese report column is kept as ``<name>_input``,
    with a warning) and the row order stay as they are.

    Parameters
    ----------
    frame : GeoDataFrame
        A :func:`~suzhou_geo.validate_parcels` report.
    what : str
        The caller, for the warning about renamed input columns.

    Returns
    -------
    (GeoDataFrame, tuple of Column)
        The renamed frame and the report columns as written (names, Shapefile
        names), for :func:`suzhou_geo.io.write_layer`'s ``columns=``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> r = gpd.GeoDataFrame({"verdict": ["conflict"], "verdict_zh": ["冲突"], "in_joint_zone": [True]},
    ...                      geometry=[None], crs="EPSG:4490")
    >>> zh, cols = in_chinese(r)
    >>> zh.iloc[0, :3].tolist(), [c.shp for c in cols][:2]
    (['conflict', '冲突', '是'], ['判定码', '判定'])
    """
    from ..io.columns import keep_input_columns

    present = [c for c in REPORT_SCHEMA if c.name in frame.columns]
    chinese = [c.in_chinese() for c in present]
    names = {c.name: z.name for c, z in zip(present, chinese, strict=True)}
    others = frame.drop(columns=[c.name for c in present])
    kept = keep_input_columns(others, list(names.values()), what=what)
    out = frame.rename(columns=dict(zip(others.columns, kept.columns, strict=True)))
    for c in present:
        if c.dtype == "bool":
            out[c.name] = out[c.name].map(lambda v: None if v is None or v != v else ("是" if v else "否"))
    out = out.rename(columns=names)
    out.attrs = {**frame.attrs, "columns": "zh"}
    return out, tuple(chinese)


def _check() -> None:
    shp = [c.shp for c in REPORT_SCHEMA]
    if len(set(shp)) != len(shp):
        raise ValueError(f"Shapefile names of the report columns must be unique: {shp}")
    for c in REPORT_SCHEMA:
        if len(c.shp.encode("ascii")) > 10:
            raise ValueError(f"Shapefile name of {c.name} is longer than 10 bytes: {c.shp}")
    zh = [c.in_chinese() for c in REPORT_SCHEMA]
    if len({c.shp.upper() for c in zh}) != len(zh) or len({c.name for c in zh}) != len(zh):
        raise ValueError(f"Chinese names of the report columns must be unique: {[c.name for c in zh]}")
    for c in zh:
        if len(c.shp.encode("utf-8")) > 10:
            raise ValueError(f"Chinese Shapefile name {c.shp} is longer than 10 bytes")


_check()
