"""Cross-border joint-control zones: the 500 m 嘉定–昆山–太仓 band and others like it.

In 2018 昆山, 嘉定 and 太仓 signed a pollution joint prevention and control
agreement that makes "三地边界垂直距离500米范围" — the strip within 500 m
(perpendicular distance) of their shared borders — a 联防联治区 (seed 002,
2024 report on Kunshan's cross-border joint protection, paragraph 1).  The
same mechanism, with other members and distances, describes the 2014 太仓–嘉定
precedent and the 昆山–青浦 cooperation on 淀山湖.

The band is computed in CGCS2000 / Gauss-Krüger CM 120°E (EPSG:4549) from the
true shared borders of the bundled boundary topology
(:func:`suzhou_geo.boundaries.shared_border`: the part of one unit's outline
within 50 m of its neighbour, tolerant of slivers), buffered with round ends
(every point within ``distance_m`` of the border line), clipped to the two
members' territory and returned in EPSG:4490 with ellipsoidal areas.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import shapely

from ._geometry import polygonal_part
from .boundaries import BORDER_TOLERANCE_M, _border_line_metric, _metric, _table, resolve_name
from .crs import CGCS2000, CGCS2000_GK_CM120
from .measure import area_km2, length_m

__all__ = ["JointPact", "JOINT_PACTS", "DEFAULT_PACT", "joint_control_zone"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JointPact:
    """A cross-border agreement that puts a band along shared borders under joint control.

    Attributes
    ----------
    key : str
        Registry key.
    members : tuple of str
        Member jurisdictions (Chinese names as in :func:`suzhou_geo.jurisdictions`).
    distance_m : float
        Width of the band on each side of a shared border, in metres.
    name_zh, name_en : str
        The agreement's name.
    year : int
        Year signed.
    source : str
        Document and clause the members and the distance come from.
    distance_assumed : bool
        True when the source gives no distance and ``distance_m`` is an assumption.
    note : str
        Anything a user must know (assumptions, what the source does not say).
    """

    key: str
    members: tuple[str, ...]
    distance_m: float
    name_zh: str
    name_en: str
    year: int
    source: str
    distance_assumed: bool = False
    note: str = ""


#: The registry of joint-control pacts, by key.
JOINT_PACTS: dict[str, JointPact] = {
    p.key: p
    for p in (
        JointPact(
            key="jiakuntai_2018",
            members=("嘉定区", "昆山市", "太仓市"),
            distance_m=500.0,
            name_zh="嘉定、昆山、太仓污染防治联防联控协议",
            name_en="Jiading–Kunshan–Taicang pollution joint prevention and control agreement",
            year=2018,
            source=(
                "seed 002 (2024 report on Kunshan's cross-border joint protection), para. 1: "
                "2018年昆山与嘉定、太仓签署污染防治联防联控协议, 把三地边界垂直距离500米范围作为“联防联治区”"
            ),
        ),
        JointPact(
            key="kunshan_qingpu_dianshanhu",
            members=("昆山市", "青浦区"),
            distance_m=500.0,
            name_zh="昆山–青浦 淀山湖 跨界水体联保",
            name_en="Kunshan–Qingpu joint protection of Dianshan Lake",
            year=2018,
            source=(
                "seed 002 (昆山–青浦 joint protection of 淀山湖); 2018-08 水域保洁一体化协作框架协议 "
                "(planning_facts.md §5.2 [S23]); 沪环水〔2023〕165号 [S58]"
            ),
            distance_assumed=True,
            note=(
                "The sources name the cooperation but give no band width; 500 m is an ASSUMPTION "
                "copied from the 2018 嘉昆太 pact, so that the same mechanism can be mapped. "
                "Pass distance_m= with the real figure."
            ),
        ),
        JointPact(
            key="taicang_jiading_2014",
            members=("太仓市", "嘉定区"),
            distance_m=500.0,
            name_zh="太仓–嘉定《环境保护合作白皮书》联防联治区",
            name_en="Taicang–Jiading environmental cooperation white paper joint-control zone",
            year=2014,
            source="《环境保护合作白皮书》 (2014), 500 m 联防联治区 along the 太仓–嘉定 border (planning_facts.md §5.1 [S56])",
            note="The precedent the 2018 three-party pact extended to 昆山.",
        ),
    )
}

#: The pact used when neither ``members`` nor ``pact`` is given (seed 002).
DEFAULT_PACT = "jiakuntai_2018"

_COLUMNS = ["pair", "side", "side_adcode", "border_length_m", "area_km2", "distance_m", "pact", "source"]


def _pact(key: Any) -> JointPact:
    if isinstance(key, JointPact):
        return key
    if key in JOINT_PACTS:
        return JOINT_PACTS[key]
    raise ValueError(f"unknown pact {key!r}; known pacts: {', '.join(JOINT_PACTS)} (see suzhou_geo.JOINT_PACTS)")


def _pair_pact(codes: frozenset[str], member_codes: frozenset[str], chosen: JointPact | None):
    """The pact a border pair falls under: the chosen one, else one with these exact members, else any containing both."""
    if chosen is not None:
        return chosen
    resolved = {k: frozenset(resolve_name(m) for m in p.members) for k, p in JOINT_PACTS.items()}
    for k, mem in resolved.items():
        if mem == member_codes and codes <= mem:
            return JOINT_PACTS[k]
    for k, mem in resolved.items():
        if codes <= mem:
            return JOINT_PACTS[k]
    return None


def joint_control_zone(
    members: Iterable[Any] | None = None,
    distance_m: float | None = None,
    pact: str | JointPact | None = None,
    *,
    tolerance_m: float = BORDER_TOLERANCE_M,
) -> gpd.GeoDataFrame:
    """The band within *distance_m* of every border shared by two members, on both sides.

    Parameters
    ----------
    members : iterable of str or int, optional
        Jurisdictions in Chinese, pinyin or adcode.  Default: the pact's
        members, i.e. ``("嘉定区", "昆山市", "太仓市")`` for the default 2018
        嘉昆太 pact (seed 002).  Any set of two or more works; member pairs
        that share no border are skipped.
    distance_m : float, optional
        Band width on each side, metres.  Default: the pact's distance (500 m,
        seed 002: "边界垂直距离500米范围").
    pact : str or JointPact, optional
        A key of :data:`JOINT_PACTS` (``"jiakuntai_2018"``,
        ``"kunshan_qingpu_dianshanhu"``, ``"taicang_jiading_2014"``).  Sets
        the defaults of *members* and *distance_m* and labels every row.
    tolerance_m : float, default 50
        Sliver tolerance for finding shared borders (see
        :func:`suzhou_geo.shared_border`).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4490, one row per (border pair, side): ``pair`` ("昆山市–嘉定区"),
        ``side`` (the member whose territory that part lies in),
        ``side_adcode``, ``border_length_m`` (geodesic length of the pair's
        shared border), ``area_km2`` (ellipsoidal), ``distance_m``, ``pact``
        (registry key, or ``"custom"``) and ``source``.  ``attrs["method"]``
        says how it was built.

    Raises
    ------
    ValueError
        Fewer than two members, an unknown name or pact, a non-positive
        distance, or no two members sharing a border.

    Notes
    -----
    A point of a belongs to the band of pair (a, b) when its distance to the
    a–b border is at most *distance_m* (round ends at the border's ends); the
    border is measured from a's own outline on a's side and from b's outline on
    b's side, since neighbouring polygons disagree by slivers of up to
    *tolerance_m*.  Distances are planar in EPSG:4549, whose scale factor
    around Suzhou (≤ 1.00015) changes a 500 m band by under 0.1 m.  Where the
    two polygons overlap by a sliver, the overlap is given to the first side
    only, so the two sides of a pair never overlap.

    Examples
    --------
    >>> z = joint_control_zone()  # 2018 嘉昆太 pact, 500 m
    >>> sorted(set(z.pair))
    ['太仓市–嘉定区', '昆山市–嘉定区', '昆山市–太仓市']
    >>> z.crs.to_epsg(), len(z)
    (4490, 6)
    """
    chosen = _pact(pact) if pact is not None else None
    if members is None:
        members = (chosen or JOINT_PACTS[DEFAULT_PACT]).members
        if chosen is None:
            chosen = JOINT_PACTS[DEFAULT_PACT]
    if isinstance(members, (str, int)):
        raise ValueError(f"members must list at least two jurisdictions, e.g. ('昆山市', '嘉定区'); got {members!r}")
    codes = list(dict.fromkeys(resolve_name(m) for m in members))
    if len(codes) < 2:
        raise ValueError(f"a joint-control zone needs at least two distinct members; got {list(members)!r}")
    if distance_m is None:
        distance_m = (chosen or JOINT_PACTS[DEFAULT_PACT]).distance_m
    distance_m = float(distance_m)
    if not np.isfinite(distance_m) or distance_m <= 0:
        raise ValueError(f"distance_m must be a positive number of metres; got {distance_m!r}")

    t = _table().set_index("adcode")
    for c in codes:
        if t.loc[c, "level"] != "county":
            raise ValueError(
                f"{t.loc[c, 'name_zh']} is a prefecture-level city; joint-control pacts are between "
                "county-level units (e.g. 昆山市, 嘉定区)"
            )
    metric = _metric()
    member_codes = frozenset(codes)
    in_sz = t["in_suzhou"].to_dict()

    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for a, b in itertools.combinations(codes, 2):
        if not in_sz[a] and in_sz[b]:  # Suzhou side first: "昆山市–嘉定区"
            a, b = b, a
        line = _border_line_metric(a, b, tolerance_m)
        if line.is_empty or line.length <= tolerance_m:
            log.debug("%s and %s share no border; skipped", t.loc[a, "name_zh"], t.loc[b, "name_zh"])
            continue
        line_b = _border_line_metric(b, a, tolerance_m)
        # each side is measured from its own edge of the border: the two polygons'
        # outlines differ by the slivers (up to tolerance_m) between them
        side_a = shapely.intersection(shapely.buffer(line, distance_m, quad_segs=16), metric[a])
        side_b = shapely.difference(
            shapely.intersection(shapely.buffer(line_b, distance_m, quad_segs=16), metric[b]), metric[a]
        )
        p = _pair_pact(frozenset((a, b)), member_codes, chosen)
        pair = f"{t.loc[a, 'name_zh']}–{t.loc[b, 'name_zh']}"
        border_len = float(length_m(gpd.GeoSeries([line], crs=CGCS2000_GK_CM120)).iloc[0])
        for code, g in ((a, side_a), (b, side_b)):
            g = polygonal_part(g)
            if g is None:
                continue
            rows.append(
                {
                    "pair": pair,
                    "side": t.loc[code, "name_zh"],
                    "side_adcode": code,
                    "border_length_m": round(border_len, 1),
                    "distance_m": distance_m,
                    "pact": p.key if p is not None else "custom",
                    "source": (
                        p.source + (f" [distance {distance_m:g} m differs from the pact's {p.distance_m:g} m]" if distance_m != p.distance_m else "")
                        + (f" NOTE: {p.note}" if p.distance_assumed else "")
                        if p is not None
                        else f"custom zone: members {sorted(t.loc[list(codes), 'name_zh'])}, {distance_m:g} m (mechanism of seed 002)"
                    ),
                }
            )
            geoms.append(g)
    if not rows:
        names = ", ".join(t.loc[c, "name_zh"] for c in codes)
        raise ValueError(
            f"no two of {names} share a border (within {tolerance_m:g} m); a joint-control zone needs "
            "neighbours. See suzhou_geo.neighbours(name)."
        )
    out = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geoms, crs=CGCS2000_GK_CM120).to_crs(CGCS2000).values, crs=CGCS2000)
    out["area_km2"] = area_km2(out).round(4).to_numpy()
    out = out[_COLUMNS + ["geometry"]]
    out.attrs["method"] = (
        f"points within {distance_m:g} m of each shared border (boundary topology, {tolerance_m:g} m sliver "
        "tolerance), buffered in EPSG:4549, clipped to the two members' territory; areas ellipsoidal (GRS80)"
    )
    if chosen is not None and chosen.distance_assumed:
        out.attrs["note"] = chosen.note
    return out
