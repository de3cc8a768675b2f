"""Every column of the occupancy, comparison and revalidation tables, defined once; units; standing texts.

Like :mod:`suzhou_geo.validate.schema` for the parcel report: each table's
columns are :class:`~suzhou_geo.io.columns.Column` tuples (bilingual label,
type, Shapefile name, unit, format, meaning), handed to
:func:`suzhou_geo.io.write_layer` (``columns=``) and to the Markdown, HTML
and Excel renderings, so that a column is described here and nowhere else.
This module holds data only.

Units: 1 公顷 (hectare) = 10 000 m²; 1 亩 = 10 000/15 m² ≈ 666.67 m² (the
市亩 of Chinese land statistics).

Examples
--------
>>> round(MU_M2, 2), HA_M2
(666.67, 10000.0)
>>> column(OCCUPANCY_COLUMNS, "area_mu").label()
'占用面积 occupied area (亩)'
>>> [c.shp for c in PATCH_COLUMNS][:3]
['change', 'patch_id', 'county']
"""

from __future__ import annotations

from collections.abc import Sequence

from ..io.columns import Column

__all__ = [
    "HA_M2",
    "MU_M2",
    "UNITS_NOTE",
    "NO_LEGALITY",
    "ILLUSTRATIVE",
    "KIND_CHOICES",
    "CHANGE_CHOICES",
    "ROW_TYPES",
    "OCCUPANCY_COLUMNS",
    "PROJECT_COLUMNS",
    "COUNTY_COLUMNS",
    "POINT_COLUMNS",
    "PATCH_COLUMNS",
    "UNIT_COLUMNS",
    "FLOOR_COLUMNS",
    "FLIP_COLUMNS",
    "column",
    "names",
    "columns_table",
]

#: Square metres in a hectare (公顷).
HA_M2 = 10_000.0
#: Square metres in a 亩 (市亩): 10 000/15 = 666.67 m².
MU_M2 = 10_000.0 / 15.0

UNITS_NOTE = (
    "面积为 CGCS2000/GRS80 椭球面积；1 公顷 = 10 000 m²，1 亩 = 10 000/15 m² ≈ 666.67 m²。 / Areas are ellipsoidal "
    "(CGCS2000/GRS80); 1 hectare (公顷) = 10 000 m², 1 mu (亩) = 10 000/15 m² ≈ 666.67 m²."
)

#: What every occupancy and comparison output says about legality.
NO_LEGALITY = (
    "本表只计算面积与位置，不判断项目或调整是否合法、是否属于允许的有限人为活动，也不替代不可避让论证与省级认定；"
    "以主管部门的审查意见为准。 / These tables compute areas and positions only: they do not decide whether a "
    "project or an adjustment is lawful or an allowed limited human activity, and do not replace the "
    "unavoidability assessment (不可避让论证) or the provincial finding (省级认定); the competent authority decides."
)

#: What every output built on the bundled redline sample says.
ILLUSTRATIVE = (
    "红线为内置示意数据：依据公开资料重建，非官方生态保护红线；以下面积仅演示计算方法，"
    "正式使用请以官方红线数据重新计算。 / "
    "The redlines are the bundled ILLUSTRATIVE sample, reconstructed from public sources: NOT the official "
    "redline. The areas below show how the computation works; rerun with the official data for official use."
)

#: Redline kinds as coded values (Chinese, English, Excel fill).
KIND_CHOICES = (
    ("ecological_protection_redline", "生态保护红线", "ecological protection redline", "F4C7C3"),
    ("ecological_space_control", "生态空间管控区域", "ecological space control area", "D9EAD3"),
)

#: Changes of a redline version as coded values.
CHANGE_CHOICES = (
    ("removed", "调出", "removed", "F4C7C3"),
    ("added", "补划", "added", "D9EAD3"),
)

#: Rows of the occupancy table: one part (project × feature × county), or a project's total of one kind.
ROW_TYPES = (
    ("part", "分项", "part", ""),
    ("total", "合计", "total", "E7E6E6"),
)


def _c(*args, **kwargs) -> Column:
    return Column(*args, **kwargs)


def _area(prefix: str, zh: str, en: str, doc: str, doc_zh: str, shp: str) -> tuple[Column, ...]:
    """Describe the same area in m², 公顷 and 亩."""
    return (
        _c(f"{prefix}_m2", zh, en, "float", f"{shp}_m2", f"{doc}, ellipsoidal m²", f"{doc_zh}，椭球面积",
           unit="m²", decimals=2),
        _c(f"{prefix}_ha", zh, en, "float", f"{shp}_ha", f"{doc}, hectares", f"{doc_zh}，公顷",
           unit="公顷", decimals=4),
        _c(f"{prefix}_mu", zh, en, "float", f"{shp}_mu", f"{doc}, 亩 (1 亩 = 10000/15 m²)",
           f"{doc_zh}，亩（1 亩 = 10000/15 m²）", unit="亩", decimals=2),
    )


_PROJECT = _c("project", "项目", "project", "str", "project", "the project (the values of the project column)",
              "项目（项目列的取值）", tooltip=True, width=20)
_ALTERNATIVE = _c("alternative", "方案", "alternative", "str", "alt",
                  "the alternative (方案) the row belongs to; empty when there are none",
                  "所属比选方案；无比选时为空", tooltip=True, width=10)
_KIND = _c("redline_kind", "红线类型", "kind", "str", "kind",
           "生态保护红线 (national) or 生态空间管控区域 (Jiangsu, 苏政发〔2020〕1号)",
           "生态保护红线或生态空间管控区域（苏政发〔2020〕1号）", width=16, choices=KIND_CHOICES)
_COUNTY = _c("county", "县级行政区", "county-level unit", "str", "county",
             "the county-level unit the area lies in (from the bundled boundaries)",
             "面积所在的县级行政区（内置行政边界）", width=12)
#: Which redline data the figures come from: a GeoPackage or sheet handed on alone still says it.
_DATA = _c("redline_data", "红线数据", "redline data", "str", "red_data",
           "which redline data the figures come from (the bundled sample is illustrative, not official)",
           "计算所用的红线数据（内置样例为示意数据，非官方）", width=22, wrap=True)
_ACTIVITY = (
    _c("activity", "活动类型", "activity", "str", "activity", "the activity as the input's activity column gives it",
       "输入活动类型列的原值", width=16),
    _c("activity_clause", "对应条款（仅供参考）", "clause (for reference)", "str", "act_clause",
       "the item of the list of limited human activities the activity's words match, quoted by document "
       "title; a keyword match for reference, not a legal finding",
       "活动类型按关键词对应的有限人为活动条目（引文件名称）；仅供参考，不是法律认定", width=40),
)

#: The occupancy table: one row per project × alternative × redline feature × county, and totals.
OCCUPANCY_COLUMNS: tuple[Column, ...] = (
    _PROJECT,
    _ALTERNATIVE,
    _c("row_type", "行类型", "row", "str", "row_type", "part (project × feature × county) or the project's total "
       "of one kind", "分项（项目×要素×县级行政区）或项目某类型合计", width=8, choices=ROW_TYPES),
    _KIND,
    _c("redline_name", "红线名称", "redline feature", "str", "red_name", "the redline feature occupied",
       "被占用的红线要素", tooltip=True, width=28),
    _c("tier", "管控分区", "tier", "str", "tier", "the feature's tier (核心保护区 / 一般控制区 …) where the layer has "
       "a tier column", "红线图层有分区列时的管控分区（核心保护区、一般控制区等）", width=12),
    _c("category", "类别", "category", "str", "category", "the feature's category (重要湿地, 饮用水水源保护区 …)",
       "要素类别（重要湿地、饮用水水源保护区等）", width=14),
    _COUNTY,
    *_area("area", "占用面积", "occupied area", "area of the project inside the feature (and county)",
           "项目位于该要素（及县级行政区）内的面积", "area"),
    _c("share_of_project", "占项目比例", "share of project", "float", "share",
       "area / the project's area", "占用面积 / 项目面积", percent=True, width=10),
    _c("crossing_m", "穿越长度", "crossing length", "float", "cross_m",
       "linear projects: occupied area / the project's width (width_m of the project table); empty for other "
       "projects", "线性项目：占用面积 ÷ 项目宽度（项目表的项目宽度）；非线性项目为空", unit="m", decimals=1),
    _c("points_inside", "红线内界址点", "named points inside", "str", "pts_in",
       "the named boundary points (界址点) inside the feature or on its boundary", "位于该要素内或边界上的界址点",
       width=24),
    _c("also_in", "重叠要素", "overlapping features", "str", "also_in",
       "other features of the same kind over this area: an overlap counts once, under the first feature in the "
       "layer's order", "同类型中也覆盖此面积的其他要素：重叠部分只计一次，计入图层中靠前的要素", width=24),
    *_ACTIVITY,
    _DATA,
)

#: One row per project (× alternative): totals by kind, shape, ranking.
PROJECT_COLUMNS: tuple[Column, ...] = (
    _PROJECT,
    _ALTERNATIVE,
    _c("parcels", "地块数", "parcels", "float", "parcels", "input rows of the project", "项目的输入行数",
       decimals=0, width=8),
    _c("unmeasured", "未计地块", "rows not measured", "float", "unmeasured",
       "rows without a usable polygon (listed in the notes with the reason)", "无可用面几何的行（原因见说明）",
       decimals=0, width=8),
    *_area("project_area", "项目面积", "project area", "area of the project (its parcels dissolved)",
           "项目面积（地块融合后）", "prj"),
    *_area("redline", "占用生态保护红线", "protection redline occupied",
           "area of the project inside the ecological protection redline (dissolved)",
           "项目占用生态保护红线面积（融合后）", "red"),
    _c("redline_share", "占用红线占项目比例", "redline share", "float", "red_share",
       "redline_m2 / project_area_m2", "占用生态保护红线面积 / 项目面积", percent=True, width=10),
    *_area("control", "占用生态空间管控区域", "space control occupied",
           "area of the project inside ecological space control areas (dissolved)",
           "项目占用生态空间管控区域面积（融合后）", "ctl"),
    _c("control_share", "占用管控区占项目比例", "control share", "float", "ctl_share",
       "control_m2 / project_area_m2", "占用生态空间管控区域面积 / 项目面积", percent=True, width=10),
    _c("features", "涉及红线要素", "features occupied", "str", "features",
       "the redline and control features the project occupies", "项目占用的红线及管控区域要素", width=30),
    _c("counties", "涉及县级行政区", "county-level units", "str", "counties",
       "the county-level units of the occupied areas", "占用面积所在的县级行政区", width=14),
    _c("linear", "线性项目", "linear", "bool", "linear",
       "long and thin: its parts, as rectangles of their area and perimeter, are together at least 10 times as "
       "long as their mean width", "狭长：项目各部分按面积、周长相同的矩形计，总长度不小于平均宽度的 10 倍", width=8),
    _c("length_m", "项目长度", "project length", "float", "length_m",
       "sum of those rectangles' lengths (linear projects)", "各矩形长度之和（线性项目）", unit="m", decimals=1),
    _c("width_m", "项目宽度", "project width", "float", "width_m",
       "area-weighted mean width of those rectangles (linear projects)", "各矩形按面积加权的平均宽度（线性项目）",
       unit="m", decimals=2),
    _c("crossing_m", "穿越红线长度", "crossing length", "float", "cross_m",
       "linear projects: redline_m2 / width_m", "线性项目：占用生态保护红线面积 ÷ 项目宽度", unit="m",
       decimals=1),
    _c("points_inside", "红线内界址点", "named points inside", "str", "pts_in",
       "the named boundary points inside the protection redline", "位于生态保护红线内的界址点", width=24),
    *_ACTIVITY,
    _c("rank", "方案排序", "rank", "float", "rank",
       "among the alternatives of one project: 1 occupies the least protection redline (then space control "
       "area, then project area)", "同一项目各方案中占用生态保护红线最少者为 1（其次比较管控区域、项目面积）",
       decimals=0, width=8),
    _c("note", "备注", "note", "str", "note", "what could not be measured, and why", "未能计算的内容及原因",
       width=30),
)

#: Occupied area by project and county-level unit.
COUNTY_COLUMNS: tuple[Column, ...] = (
    _PROJECT,
    _ALTERNATIVE,
    _COUNTY,
    *_area("redline", "占用生态保护红线", "protection redline occupied", "area in the protection redline",
           "占用生态保护红线面积", "red"),
    *_area("control", "占用生态空间管控区域", "space control occupied", "area in space control areas",
           "占用生态空间管控区域面积", "ctl"),
)

#: Named boundary points inside a redline.
POINT_COLUMNS: tuple[Column, ...] = (
    _PROJECT,
    _ALTERNATIVE,
    _c("parcel", "地块", "parcel", "str", "parcel", "the parcel (its input row) the point belongs to",
       "界址点所属地块（输入行）", width=10),
    _c("ring", "圈号", "ring", "float", "ring", "ring number (1 = outer ring)", "圈号（1 为外圈）", decimals=0,
       width=6),
    _c("point", "点号", "point", "str", "point", "the point's name", "界址点点号", width=8),
    _KIND,
    _c("redline_name", "红线名称", "redline feature", "str", "red_name", "the feature the point lies in",
       "界址点所在的红线要素", width=28),
    _c("lon", "经度", "longitude", "float", "lon", "CGCS2000 longitude", "CGCS2000 经度", decimals=7),
    _c("lat", "纬度", "latitude", "float", "lat", "CGCS2000 latitude", "CGCS2000 纬度", decimals=7),
)

#: One row per changed patch of a redline comparison.
PATCH_COLUMNS: tuple[Column, ...] = (
    _c("change", "变化", "change", "str", "change", "调出 removed from the redline, or 补划 added to it",
       "调出或补划", tooltip=True, width=10, choices=CHANGE_CHOICES),
    _c("patch_id", "图斑编号", "patch", "str", "patch_id",
       "the patch, numbered by size; a patch across a county line has a row per county under one number",
       "图斑编号（按面积排序）；跨县级行政区的图斑按县分行，编号相同", tooltip=True, width=10),
    _COUNTY,
    *_area("area", "面积", "area", "area of the patch", "图斑面积", "area"),
    _c("width_m", "最大宽度", "greatest width", "float", "width_m",
       "diameter of the largest circle inside the (whole) patch, to 0.5 % or 1 mm",
       "（整个）图斑内最大内切圆直径（精确到 0.5 % 或 1 mm）", unit="m", decimals=2),
    _c("noise", "边界误差", "boundary noise", "bool", "noise",
       "under the tolerance (area or width): a sliver along an unchanged boundary, not an adjustment; counted in "
       "the ledger's noise columns (listed among the patches only when it overlaps farmland or the urban "
       "boundary)", "低于容差（面积或宽度）：未变边界上的碎片，不视为调整，计入台账的边界误差列"
       "（仅当与永久基本农田或城镇开发边界重叠时列入图斑表）", width=8),
    _c("features", "所属要素", "features", "str", "features",
       "the features of the old (调出) or new (补划) version the patch belongs to",
       "图斑所属的原版本（调出）或新版本（补划）要素", width=28),
    _c("shared_boundary_m", "与保留红线共边长度", "boundary shared with kept redline", "float", "shared_m",
       "length of the (whole) patch's boundary on the kept redline (old ∩ new)",
       "（整个）图斑与保留红线（新旧共有部分）的共边长度", unit="m", decimals=1),
    _c("distance_to_kept_m", "距保留红线", "distance to kept redline", "float", "dist_m",
       "distance to the kept redline (0 when adjoining)", "到保留红线的距离（相邻为 0）", unit="m", decimals=1),
    _c("adjoins_kept", "与保留红线相连", "adjoins kept redline", "bool", "adjoins",
       "the patch shares at least 1 m of boundary with the kept redline (集中连片)",
       "图斑与保留红线共边不少于 1 m（集中连片）", width=8),
    _c("compactness", "紧凑度", "compactness", "float", "compact",
       "4πA/P² (1 for a circle, near 0 for a thin strip)", "4πA/P²（圆为 1，狭长条带趋近 0）", decimals=3,
       width=8),
    _c("farmland_m2", "与永久基本农田重叠", "overlap with permanent farmland", "float", "farm_m2",
       "area of the patch inside the farmland layer given (永久基本农田)", "图斑与所给永久基本农田图层的重叠面积",
       unit="m²", decimals=2),
    _c("urban_m2", "与城镇开发边界重叠", "overlap with urban development boundary", "float", "urban_m2",
       "area of the patch inside the urban development boundary given (城镇开发边界)",
       "图斑与所给城镇开发边界图层的重叠面积", unit="m²", decimals=2),
    _c("conflicts", "冲突", "conflicts", "str", "conflicts",
       "a 补划 patch overlapping permanent farmland or the urban development boundary (any overlap of positive "
       "area)", "补划图斑与永久基本农田或城镇开发边界重叠（任何正面积重叠）", width=24),
    _c("scheme_elements", "所在规划格局要素", "scheme elements", "str", "schemes",
       "planned scheme elements the patch lies in or touches (information only)",
       "图斑所在或相接的规划空间格局要素（仅供参考）", width=30),
    _DATA,
)

#: The per-unit ledger of a comparison: each county-level unit and the city.
UNIT_COLUMNS: tuple[Column, ...] = (
    _c("unit", "单位", "unit", "str", "unit", "county-level unit, or the city (苏州市)", "县级行政区或苏州市",
       width=14),
    _c("old_km2", "原面积", "old area", "float", "old_km2", "redline area of the old version (dissolved), km²",
       "原版本红线面积（融合后）", unit="km²", decimals=6),
    _c("out_km2", "调出", "removed", "float", "out_km2", "area of the 调出 patches, km²", "调出图斑面积",
       unit="km²", decimals=6),
    _c("in_km2", "补划", "added", "float", "in_km2", "area of the 补划 patches, km²", "补划图斑面积", unit="km²",
       decimals=6),
    _c("noise_out_km2", "边界误差（调出侧）", "boundary noise removed", "float", "nz_out_km2",
       "area of the removed slivers under the tolerance (boundary noise, not an adjustment), km²",
       "低于容差的调出碎片面积（边界误差，不视为调整）", unit="km²", decimals=6),
    _c("noise_in_km2", "边界误差（补划侧）", "boundary noise added", "float", "nz_in_km2",
       "area of the added slivers under the tolerance (boundary noise, not an adjustment), km²",
       "低于容差的补划碎片面积（边界误差，不视为调整）", unit="km²", decimals=6),
    _c("net_km2", "净变化", "net change", "float", "net_km2",
       "in − out + noise_in − noise_out = new − old, km²", "补划 − 调出 + 误差（补划侧）− 误差（调出侧）= 新 − 原",
       unit="km²", decimals=6),
    _c("new_km2", "新面积", "new area", "float", "new_km2", "redline area of the new version (dissolved), km²",
       "新版本红线面积（融合后）", unit="km²", decimals=6),
    _c("not_decreased", "面积不减少", "area not decreased", "bool", "not_decr",
       "new ≥ old, compared to 0.01 m²", "新面积 ≥ 原面积（精确到 0.01 m²）", width=8),
)

#: The floors before and after a comparison.
FLOOR_COLUMNS: tuple[Column, ...] = (
    _c("region", "地区", "region", "str", "region", "the region the floor applies to", "底线所适用的地区", width=10),
    _c("floor_km2", "底线", "floor", "float", "floor_km2", "the floor, km²", "面积底线", unit="km²", decimals=4),
    _c("before_km2", "调整前", "before", "float", "before_km2", "redline area before, km²", "调整前红线面积",
       unit="km²", decimals=4),
    _c("after_km2", "调整后", "after", "float", "after_km2", "redline area after, km²", "调整后红线面积",
       unit="km²", decimals=4),
    _c("margin_before_km2", "调整前差额", "margin before", "float", "mgn_bef",
       "area before − floor (at 4 decimals), km²", "调整前面积 − 底线", unit="km²", decimals=4),
    _c("margin_after_km2", "调整后差额", "margin after", "float", "mgn_aft",
       "area after − floor (at 4 decimals), km²", "调整后面积 − 底线", unit="km²", decimals=4),
    _c("ok_before", "调整前达到底线", "meets before", "bool", "ok_before", "area before ≥ floor", "调整前面积 ≥ 底线",
       width=8),
    _c("ok_after", "调整后达到底线", "meets after", "bool", "ok_after", "area after ≥ floor", "调整后面积 ≥ 底线",
       width=8),
    _c("source", "依据", "source", "str", "source", "the document and clause of the floor", "底线所依据的文件与条款",
       width=40),
)

_VERDICTS = (
    ("invalid", "无效", "invalid", "D9D9D9"),
    ("conflict", "冲突", "conflict", "F4C7C3"),
    ("review", "复核", "review", "FCE8B2"),
    ("notice", "告知", "notice", "CFE2F3"),
    ("pass", "通过", "pass", "D9EAD3"),
)

#: The parcels a new redline version flips: old and new side by side (after the input's own columns).
FLIP_COLUMNS: tuple[Column, ...] = (
    _c("old_verdict", "原判定", "old verdict", "str", "old_verd", "the verdict of the earlier report",
       "原报告的判定", tooltip=True, width=10, choices=_VERDICTS),
    _c("new_verdict", "新判定", "new verdict", "str", "new_verd", "the verdict against the new redlines",
       "对照新红线的判定", tooltip=True, width=10, choices=_VERDICTS),
    _c("old_redline_overlap_m2", "原红线重叠", "old redline overlap", "float", "old_red",
       "overlap with the protection redline in the earlier report, m²", "原报告中与生态保护红线的重叠面积",
       unit="m²", decimals=2),
    _c("new_redline_overlap_m2", "新红线重叠", "new redline overlap", "float", "new_red",
       "overlap with the new protection redline, m²", "与新生态保护红线的重叠面积", unit="m²", decimals=2),
    _c("old_control_overlap_m2", "原管控区重叠", "old control overlap", "float", "old_ctl",
       "overlap with space control areas in the earlier report, m²", "原报告中与生态空间管控区域的重叠面积",
       unit="m²", decimals=2),
    _c("new_control_overlap_m2", "新管控区重叠", "new control overlap", "float", "new_ctl",
       "overlap with the new space control areas, m²", "与新生态空间管控区域的重叠面积", unit="m²", decimals=2),
    _c("old_nearest_redline_m", "原距红线", "old distance to redline", "float", "old_dist",
       "distance to the nearest protection redline in the earlier report, m", "原报告中到最近生态保护红线的距离",
       unit="m", decimals=1),
    _c("new_nearest_redline_m", "新距红线", "new distance to redline", "float", "new_dist",
       "distance to the nearest new protection redline, m", "到最近新生态保护红线的距离", unit="m", decimals=1),
    _c("new_reasons", "新理由", "new reasons", "str", "new_reason", "the reasons of the new verdict",
       "新判定的理由", width=60),
)


def column(columns: Sequence[Column], name: str) -> Column:
    """Return the column called *name* among *columns* (``KeyError`` listing the valid names)."""
    for c in columns:
        if c.name == name:
            return c
    raise KeyError(f"no column {name!r}; columns: {', '.join(c.name for c in columns)}")


def names(columns: Sequence[Column]) -> list[str]:
    """Return the names of *columns*, in order."""
    return [c.name for c in columns]


def columns_table(columns: Sequence[Column]):
    """Return what each column means, Chinese first (the Excel ``列说明 columns`` sheet and the docs).

    Examples
    --------
    >>> columns_table(FLOOR_COLUMNS).iloc[0, :2].tolist()
    ['region', '地区']
    """
    import pandas as pd

    return pd.DataFrame({
        "列名 column": [c.name for c in columns],
        "中文 Chinese": [c.zh for c in columns],
        "English": [c.en for c in columns],
        "单位 unit": [c.unit for c in columns],
        "含义": [c.doc_zh for c in columns],
        "meaning": [c.doc for c in columns],
    })


def _check() -> None:
    for table in (OCCUPANCY_COLUMNS, PROJECT_COLUMNS, COUNTY_COLUMNS, POINT_COLUMNS, PATCH_COLUMNS,
                  UNIT_COLUMNS, FLOOR_COLUMNS, FLIP_COLUMNS):
        shp = [c.shp for c in table]
        if len({s.upper() for s in shp}) != len(shp) or any(len(s.encode("ascii")) > 10 for s in shp):
            raise ValueError(f"Shapefile names must be unique ASCII of at most 10 bytes: {shp}")
        if len({c.name for c in table}) != len(table):
            raise ValueError(f"duplicate column names: {[c.name for c in table]}")


_check()
