"""One declarative definition per kind of layer a map knows how to draw.

A :class:`LayerKind` says how a frame of that kind is recognised from its
columns, which column classifies its rows (and so styles them), how its rows
are grouped into entries of the layer control, which columns its tooltips and
popups show, which are never shown, and whether it is on when the map opens.
:func:`detect_kind` picks the first kind in :data:`KINDS` that recognises a
frame; the last one, ``layer``, recognises anything.

Adding a kind is adding one :class:`LayerKind` to :data:`KINDS` (before
``layer``).  The maps never import the modules that make these frames: a frame
is what its columns say it is.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> f = gpd.GeoDataFrame({"verdict": ["pass"]}, geometry=[Point(120.6, 31.3)], crs="EPSG:4490")
>>> detect_kind(f).name
'report'
>>> KIND_BY_NAME["scheme"].shown(f.assign(scheme=["一河三湖"]))
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..io.columns import Column
from ..redline_use import schema as use
from .styles import (
    BOUNDARY_STYLES,
    CHANGE_STYLES,
    JOINT_STYLES,
    OCCUPIED_STYLES,
    POINT_STYLES,
    PROJECT_STYLES,
    REDLINE_STYLES,
    ROLE_STYLES,
    VERDICT_ORDER,
    VERDICT_STYLES,
    WATER_STYLES,
    Style,
)

__all__ = ["LayerKind", "KINDS", "KIND_BY_NAME", "detect_kind", "NAME_COLUMNS", "LABELS"]

#: Columns that name a feature, most telling first (the first two present go into tooltips).
NAME_COLUMNS = ("name_zh", "name", "名称", "地块名称", "parcel_name", "parcel_id", "地块编号", "id", "name_en")

#: Bilingual labels of the columns of the bundled layers (report columns take theirs from
#: ``suzhou_geo.validate.schema``).  Unknown columns are shown under their own name.
LABELS: dict[str, str] = {
    "name_zh": "名称", "name_en": "name", "name": "名称 name", "role_en": "角色 role",
    "scheme": "格局 scheme", "_area": "面积 area", "_length": "长度 length",
    "basis": "依据 basis", "accuracy_m": "精度 accuracy (m)", "source": "来源 source", "note": "备注 note",
    "inferred": "推断 inferred", "role_inferred": "角色为推断 role inferred",
    "role_evidence": "角色依据 role evidence", "geometry_inferred": "几何为推断 geometry inferred",
    "clipped_to": "裁剪至 clipped to", "kind": "类型 kind", "category": "类别 category",
    "jurisdiction": "辖区 jurisdiction", "published_area_ha": "公布面积 published area (ha)",
    "geometry_issue": "几何问题 geometry issue", "pair": "边界双方 border pair", "side": "一侧 side",
    "border_length_m": "边界长度 border length (m)", "members": "成员 members", "distance_m": "距离 distance (m)",
    "pact": "协议 pact", "parcel_name": "地块 parcel", "parcel_id": "地块编号 parcel id",
    "地块名称": "地块名称 parcel", "adcode": "行政代码 adcode", "level": "级别 level", "parent": "上级 parent",
    "aliases": "别名 aliases", "land_use": "用地 land use", "wdbii_class_name": "类别 class",
}


@dataclass(frozen=True)
class LayerKind:
    """How one kind of layer is recognised, styled, grouped and explained.

    Attributes
    ----------
    name : str
        The kind's name (``layer_to_folium(kind=...)``).
    section : str
        Heading of its entries in the layer control, and its default layer name.
    requires : frozenset of str
        Columns a frame must have to be of this kind.
    when : callable, optional
        A further test on the frame (e.g. the values of ``kind`` are redline kinds).
    classify : callable
        Frame -> array of style keys, one per row.
    styles : mapping
        Style key -> style (see :mod:`suzhou_geo.maps.styles`).
    group_by : {"class", None} or str
        Entries of the layer control: one per class (in the order of *styles*),
        one per value of a column (in order of appearance), or one for the layer.
    label_column : str, optional
        The column whose values are shown as their style's label (``conflict`` ->
        ``冲突 conflict``).
    tooltip, popup : tuple of str
        Columns shown on hover and, first and in this order, on click (those present).
    rest : bool
        Whether popups also show the frame's other columns (those not *hidden*).
    hidden : frozenset of str
        Columns never shown (internal, or raw numbers shown formatted elsewhere).
    only_true : frozenset of str
        Flags shown only when true.
    schema : bool
        Labels and number formats from the report schema.
    columns : tuple of Column
        Labels and number formats of the kind's own columns (tables described
        once elsewhere, like the occupancy and comparison tables).
    measure : bool
        Add the measured area/length (ellipsoidal) as ``_area``/``_length``.
    show : bool or callable
        On when the map opens (a callable decides from the frame).
    counted : bool
        Rows are parcels: each control entry gives its full count (rows without geometry
        too), and a large layer is drawn partly as grid counts (:mod:`~suzhou_geo.maps.aggregate`).
    entry : callable, optional
        Frame -> the label of the layer's one control entry (when *group_by* is None and
        the caller gave no name); default: *section*.
    may_be_sample : bool
        The layer may be an illustrative sample (the bundled redlines): if its flag,
        ``illustrative`` column or ``basis`` says so, the control and the legend say so too.
    """

    name: str
    section: str
    classify: Callable[[gpd.GeoDataFrame], np.ndarray]
    styles: Mapping[str, Style]
    requires: frozenset[str] = frozenset()
    when: Callable[[pd.DataFrame], bool] | None = None
    group_by: str | None = None
    label_column: str | None = None
    tooltip: tuple[str, ...] = ()
    popup: tuple[str, ...] = ()
    rest: bool = True
    hidden: frozenset[str] = field(default_factory=frozenset)
    only_true: frozenset[str] = field(default_factory=frozenset)
    schema: bool = False
    columns: tuple[Column, ...] = ()
    measure: bool = True
    show: bool | Callable[[pd.DataFrame], bool] = True
    counted: bool = False
    entry: Callable[[pd.DataFrame], str] | None = None
    may_be_sample: bool = False

    def recognises(self, frame: pd.DataFrame) -> bool:
        """Return whether *frame* is of this kind (its columns, then :attr:`when`)."""
        if not self.requires <= set(frame.columns):
            return False
        return True if self.when is None else bool(self.when(frame))

    def shown(self, frame: pd.DataFrame) -> bool:
        """Return whether a layer of this kind is on when the map opens."""
        return bool(self.show(frame)) if callable(self.show) else self.show


def _column(name: str, default: str) -> Callable[[gpd.GeoDataFrame], np.ndarray]:
    def classify(frame: gpd.GeoDataFrame) -> np.ndarray:
        if name not in frame.columns:
            return np.full(len(frame), default, dtype=object)
        return frame[name].astype(str).to_numpy(dtype=object)

    return classify


def _constant(key: str) -> Callable[[gpd.GeoDataFrame], np.ndarray]:
    return lambda frame: np.full(len(frame), key, dtype=object)


def _jurisdiction_class(frame: gpd.GeoDataFrame) -> np.ndarray:
    level = frame["level"].astype(str).to_numpy()
    if "in_suzhou" in frame:
        inside = frame["in_suzhou"].fillna(False).astype(bool).to_numpy()
    else:
        inside = np.ones(len(frame), bool)
    return np.where(level == "city", "city", np.where(inside, "suzhou", "neighbour")).astype(object)


def _water_class(frame: gpd.GeoDataFrame) -> np.ndarray:
    tid = shapely.get_type_id(np.asarray(frame.geometry.values))
    return np.where(np.isin(tid, (3, 6)), "water", "river").astype(object)


def _one_scheme(frame: pd.DataFrame) -> bool:
    """Schemes are on only one at a time: several at once hide the parcels under their outlines."""
    return "scheme" not in frame.columns or frame["scheme"].nunique() <= 1


def _joint_members(frame: pd.DataFrame) -> str:
    """``嘉定区、昆山市、太仓市 · 500 m``: who shares the zone, and its width."""
    members = "、".join(dict.fromkeys(frame["side"].astype(str))) if "side" in frame.columns else "联防联治区"
    width = pd.to_numeric(frame["distance_m"], errors="coerce").dropna().unique() if "distance_m" in frame else []
    return members + (f" · {float(width[0]):g} m" if len(width) == 1 else "")


def _has_redline_kinds(frame: pd.DataFrame) -> bool:
    return bool(frame["kind"].isin(tuple(REDLINE_STYLES)).any())


_SOURCE = ("basis", "accuracy_m", "source", "note")

KINDS: tuple[LayerKind, ...] = (
    LayerKind(
        name="scheme", section="格局 schemes", requires=frozenset({"role_en"}),
        classify=_column("role_en", "point"), styles=ROLE_STYLES, group_by="scheme", label_column="role_en",
        tooltip=("name_zh", "name_en", "role_en", "scheme"),
        popup=("name_zh", "name_en", "role_en", "scheme", "_area", "_length", "role_inferred", "role_evidence",
               "geometry_inferred", "inferred", "clipped_to", *_SOURCE),
        hidden=frozenset({"role", "scheme_key", "element_id", "area_km2", "length_km"}), show=_one_scheme,
    ),
    LayerKind(
        name="report", section="地块 parcels", requires=frozenset({"verdict"}),
        classify=_column("verdict", "invalid"), styles={k: VERDICT_STYLES[k] for k in VERDICT_ORDER},
        group_by="class", label_column="verdict", tooltip=("verdict", "district"),
        popup=("verdict", "reasons"), hidden=frozenset({"case", "synthetic"}),
        only_true=frozenset({"approximate_position"}), schema=True, measure=False, counted=True,
    ),
    LayerKind(
        name="redline_change", section="红线调整 redline changes", requires=frozenset({"change", "patch_id"}),
        classify=_column("change", "removed"), styles=CHANGE_STYLES, group_by="class", label_column="change",
        tooltip=("change", "patch_id", "county", "area_m2"), popup=use.names(use.PATCH_COLUMNS), rest=False,
        columns=use.PATCH_COLUMNS, measure=False,
    ),
    LayerKind(
        name="occupied", section="占用 occupied", requires=frozenset({"row_type", "redline_kind", "area_m2"}),
        classify=_column("redline_kind", "ecological_protection_redline"), styles=OCCUPIED_STYLES, group_by="class",
        label_column="redline_kind", tooltip=("project", "alternative", "redline_name", "area_m2"),
        popup=use.names(use.OCCUPANCY_COLUMNS), rest=False, columns=use.OCCUPANCY_COLUMNS, measure=False,
    ),
    LayerKind(
        name="project", section="项目 projects", requires=frozenset({"project", "project_area_m2"}),
        classify=_constant("project"), styles=PROJECT_STYLES, group_by="alternative",
        tooltip=("project", "alternative", "project_area_m2", "redline_m2"), popup=use.names(use.PROJECT_COLUMNS),
        rest=False, columns=use.PROJECT_COLUMNS, measure=False,
    ),
    LayerKind(
        name="named_points", section="界址点 named points", requires=frozenset({"point", "ring", "redline_name"}),
        classify=_constant("point"), styles=POINT_STYLES, tooltip=("point", "parcel", "redline_name"),
        popup=use.names(use.POINT_COLUMNS), rest=False, columns=use.POINT_COLUMNS, measure=False,
    ),
    LayerKind(
        name="redlines", section="红线 redlines", requires=frozenset({"kind"}), when=_has_redline_kinds,
        classify=_column("kind", "ecological_protection_redline"), styles=REDLINE_STYLES, group_by="class",
        label_column="kind", tooltip=("name", "name_zh", "kind", "_area"),
        popup=("name", "name_zh", "name_en", "kind", "category", "jurisdiction", "_area", "published_area_ha",
               "geometry_issue", "inferred", *_SOURCE),
        hidden=frozenset({"area_km2", "illustrative", "built"}), may_be_sample=True,
    ),
    LayerKind(
        name="joint_zone", section="联防联治区 joint-control zone", requires=frozenset({"pair"}),
        classify=_constant("joint"), styles=JOINT_STYLES, entry=_joint_members, tooltip=("pair", "side", "_area"),
        popup=("pair", "side", "_area", "border_length_m", "distance_m", "pact", "members", "source", "note"),
        hidden=frozenset({"area_km2", "side_adcode"}),
    ),
    LayerKind(
        name="boundaries", section="行政区划 boundaries", requires=frozenset({"adcode", "name_zh", "level"}),
        classify=_jurisdiction_class, styles=BOUNDARY_STYLES, tooltip=("name_zh", "name_en", "_area"),
        popup=("name_zh", "name_en", "_area", "aliases", "adcode", "level", "parent", *_SOURCE),
        rest=False, hidden=frozenset({"area_km2", "in_suzhou", "province"}),
    ),
    LayerKind(
        name="water", section="水系 water", requires=frozenset({"basis", "name_zh"}),
        when=lambda f: bool({"gshhg_level", "wdbii_class"} & set(f.columns)),
        classify=_water_class, styles={k: WATER_STYLES[k] for k in ("water", "river")},
        tooltip=("name_zh", "name_en", "_area", "_length"),
        popup=("name_zh", "name_en", "_area", "_length", "wdbii_class_name", "note", "basis", "accuracy_m"),
        rest=False,
    ),
    LayerKind(
        name="layer", section="图层 layers", classify=_constant("layer"), styles={},
        hidden=frozenset({"area_km2", "length_km"}),
    ),
)

KIND_BY_NAME: dict[str, LayerKind] = {k.name: k for k in KINDS}


def detect_kind(frame: pd.DataFrame) -> LayerKind:
    """Return the first kind in :data:`KINDS` that recognises *frame* (``layer`` at worst).

    Examples
    --------
    >>> import pandas as pd
    >>> detect_kind(pd.DataFrame({"pair": ["昆山市–嘉定区"]})).name
    'joint_zone'
    >>> detect_kind(pd.DataFrame({"kind": ["road"]})).name
    'layer'
    """
    return next(k for k in KINDS if k.recognises(frame))
