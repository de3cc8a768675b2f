"""The thresholds of parcel validation, each with its meaning and where it comes from.

None of them is a regulation: the redline itself allows no development at all,
and neither 《关于全面推进美丽苏州建设的实施意见》 nor 《全面推进美丽昆山建设工作方案》
gives a distance around redlines.  They are the library's defaults, documented
so that a reviewer can see and change every one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["Rules", "RULES", "as_rules"]


@dataclass(frozen=True)
class Rules:
    """The thresholds of :func:`validate_parcels`, with where each comes from.

    Change one with ``validate_parcels(..., rules={"review_distance_m": 200})`` or
    ``RULES.replace(review_distance_m=200)``; ``RULES.to_frame()`` lists them all
    with their meaning and source.

    Attributes
    ----------
    overlap_min_m2 : float, default 1.0
        An overlap counts (conflict with a protection redline, review with a
        space control area, "in" a joint zone or a district) only if it exceeds
        this many m² **and** ``overlap_min_ratio`` of the parcel.
    overlap_min_ratio : float, default 0.001
        0.1 % of the parcel's area.  Together with ``overlap_min_m2`` this keeps
        slivers along a shared edge (coordinate rounding, reprojection, two
        surveys of the same line) from being conflicts: a 10 cm misfit along a
        100 m edge of a 1 ha parcel is 10 m² = 0.1 %.  Library default, **not a
        regulation**; the redline itself allows no development at all (《生态保护红线
        管理办法（暂行）》征求意见稿 第五条).  Both must be exceeded, so on a
        100 ha parcel up to 1000 m² is below the tolerance: such overlaps are
        ``review`` (never ``pass``) with the area in the reason.  Set both to 0
        to make any overlap a conflict.
    review_distance_m : float, default 100.0
        A parcel within this distance (m, EPSG:4549; beyond that projection's
        zone, 118.5–121.5°E, corrected to the ellipsoid by its scale there) of a
        protection redline is ``review``.  Library default, **not a regulation**: neither
        《关于全面推进美丽苏州建设的实施意见》 nor 《全面推进美丽昆山建设工作方案》 gives a
        buffer distance around redlines.
    nearest_search_m : float, default 1000.0
        ``nearest_redline_m`` is measured up to this distance and NaN beyond
        (bounded so that the search stays fast on millions of parcels).
    scheme_near_m : float, default 200.0
        Scheme elements within this distance are listed in ``scheme_elements``
        (information only).  Library default; many elements are schematic with
        ``accuracy_m`` of kilometres, so "near" is indicative.
    outside_verdict : str, default "review"
        Verdict for a parcel (partly) outside 苏州市: the bundled layers cover
        Suzhou only, so "pass" could not be certified.  Use ``"pass"`` when your
        own layers cover the area.
    max_vertices : int, default 256
        Subdivision limit for big layer polygons (PostGIS ``ST_Subdivide`` uses 255).
    declared_area_min_m2 : float, default 1.0
        A declared 地块面积 (``declared_area_ha``, from a 部标 file or a 界址点
        table) that differs from the parcel's planar Gauss-Krüger area by more
        than this many m² **and** ``declared_area_min_ratio`` makes the parcel
        ``review``.  The planar area is computed in the file's own zone, as the
        surveyor computed it (not the ellipsoidal area).  1 m² is twice the
        rounding of an area written in 公顷 to 4 decimals (±0.5 m²).  Library
        default, not a regulation.
    declared_area_min_ratio : float, default 0.001
        0.1 % of the planar area (see ``declared_area_min_m2``).

    Examples
    --------
    >>> RULES.review_distance_m
    100.0
    >>> strict = RULES.replace(overlap_min_m2=0, overlap_min_ratio=0)  # any overlap is a conflict
    >>> strict.overlap_min_m2, RULES.overlap_min_m2
    (0, 1.0)
    """

    overlap_min_m2: float = 1.0
    overlap_min_ratio: float = 0.001
    review_distance_m: float = 100.0
    nearest_search_m: float = 1000.0
    scheme_near_m: float = 200.0
    outside_verdict: str = "review"
    max_vertices: int = 256
    declared_area_min_m2: float = 1.0
    declared_area_min_ratio: float = 0.001

    # not a field (no annotation): the meaning and source of each rule
    _DOC = {
        "overlap_min_m2": (
            "m²",
            "重叠面积须超过此值（且超过比例）才计入 / an overlap counts only above this (and the ratio)",
            "本库默认值，非法规 / library default, not a regulation",
        ),
        "overlap_min_ratio": (
            "占地块比例 share of parcel",
            "重叠须超过地块面积的此比例（且超过 m²）/ an overlap counts only above this share of the parcel",
            "本库默认值，非法规 / library default, not a regulation",
        ),
        "review_distance_m": (
            "m",
            "距生态保护红线在此距离内 → 复核 / within this distance of a protection redline → review",
            "本库默认值，非法规：两份实施文件均未规定红线周边距离 / library default, not a regulation: "
            "neither 《关于全面推进美丽苏州建设的实施意见》 nor 《全面推进美丽昆山建设工作方案》 gives one",
        ),
        "nearest_search_m": (
            "m",
            "超过此距离不再测最近红线距离 / nearest_redline_m is left empty beyond this",
            "本库默认值（搜索范围）/ library default (search bound)",
        ),
        "scheme_near_m": (
            "m",
            "此距离内的规划格局要素会列出 / scheme elements within this distance are listed",
            "本库默认值；要素多为示意 / library default; elements are often schematic",
        ),
        "outside_verdict": (
            "判定 verdict",
            "地块（部分）位于苏州市域外时的判定 / verdict of parcels (partly) outside 苏州市",
            "本库默认值：内置图层只覆盖苏州 / library default: the bundled layers cover Suzhou only",
        ),
        "max_vertices": (
            "顶点 vertices",
            "参照图层切分时每块的顶点上限 / vertex limit of reference-layer pieces",
            "同 PostGIS ST_Subdivide 默认值 255 / as PostGIS ST_Subdivide (255)",
        ),
        "declared_area_min_m2": (
            "m²",
            "申报地块面积与平面面积之差超过此值（且超过比例）→ 复核 / a declared 地块面积 off the planar area by "
            "more than this (and the ratio) → review",
            "本库默认值，非法规：公顷保留 4 位小数的舍入为 ±0.5 m² / library default, not a regulation: an area "
            "in 公顷 to 4 decimals is rounded by ±0.5 m²",
        ),
        "declared_area_min_ratio": (
            "占平面面积比例 share of planar area",
            "申报地块面积与平面面积之差超过此比例（且超过 m²）→ 复核 / a declared 地块面积 off the planar area by "
            "more than this share (and the m²) → review",
            "本库默认值，非法规 / library default, not a regulation",
        ),
    }

    def __post_init__(self) -> None:
        for f in (
            "overlap_min_m2",
            "overlap_min_ratio",
            "review_distance_m",
            "nearest_search_m",
            "scheme_near_m",
            "declared_area_min_m2",
            "declared_area_min_ratio",
        ):
            v = getattr(self, f)
            if not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise InputError(f"rule {f} must be a non-negative number, not {v!r}", source="rules")
        if self.outside_verdict not in ("conflict", "review", "notice", "pass"):
            raise InputError(
                f"rule outside_verdict must be one of conflict, review, notice, pass; not {self.outside_verdict!r}",
                source="rules",
            )
        if self.nearest_search_m < self.review_distance_m:
            object.__setattr__(self, "nearest_search_m", float(self.review_distance_m))
        if int(self.max_vertices) < 5:
            raise InputError(f"rule max_vertices must be ≥ 5, not {self.max_vertices!r}", source="rules")

    def replace(self, **changes: Any) -> Rules:
        """Return a copy with some rules changed; unknown names raise with the valid ones."""
        known = {f.name for f in fields(self)}
        bad = sorted(set(changes) - known)
        if bad:
            raise InputError(f"unknown rule(s) {bad}", source="rules", hint=f"valid rules: {sorted(known)}")
        return replace(self, **changes)

    def to_frame(self) -> pd.DataFrame:
        """Return the rules as a table: ``rule, value, unit, meaning, source``."""
        rows = [
            {
                "rule": k,
                "value": v,
                "unit": self._DOC[k][0],
                "meaning": self._DOC[k][1],
                "source": self._DOC[k][2],
            }
            for k, v in asdict(self).items()
        ]
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False)


#: The default rule table.
RULES = Rules()


def as_rules(rules: Any) -> Rules:
    """Return *rules* as a :class:`Rules` (None: the defaults; a dict: the defaults with those replaced)."""
    if rules is None:
        return RULES
    if isinstance(rules, Rules):
        return rules
    if isinstance(rules, Mapping):
        return RULES.replace(**dict(rules))
    raise InputError(
        f"rules must be a Rules instance or a dict like {{'review_distance_m': 200}}, not {type(rules).__name__}",
        source="rules",
    )
