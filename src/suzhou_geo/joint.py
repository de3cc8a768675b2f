"""Cross-border joint-control zones: the 500 m 嘉定–昆山–太仓 band and others like it.

In 2018 昆山, 嘉定 and 太仓 signed a pollution joint prevention and control
agreement that makes "三地边界垂直距离500米范围" — the strip within 500 m
(perpendicular distance) of their shared borders — a 联防联治区
(《生态联保共治,苏州昆山奏响长三角“绿色协奏曲”》, 江苏省生态环境厅, 2024-01-09,
section 「优化顶层设计,共筑绿色屏障」).  The same mechanism, with other members and
distances, describes the 2014 太仓–嘉定 precedent; for the 2023 昆山–青浦 agreement on
淀山湖 no source defines a band, and both its width and its extent are assumptions
(see :data:`JOINT_PACTS`, whose entries say which parts are sourced and which assumed).

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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from .boundaries import (
    BORDER_TOLERANCE_M,
    border_line_metric,
    resolve_name,
    units_metric,
    units_table,
)
from .crs import CGCS2000, CGCS2000_GK_CM120
from .errors import InputError, arg, arg_name
from .geometry import polygonal_part
from .measure import area_km2, length_m

__all__ = ["JointPact", "JOINT_PACTS", "DEFAULT_PACT", "PACT_PARTS", "joint_control_zone"]

log = logging.getLogger(__name__)


#: The parts of a pact that a source may state or leave to us (see :class:`JointPact`).
PACT_PARTS = ("members", "year", "name", "distance", "extent")

_REPORT_2024 = "《生态联保共治,苏州昆山奏响长三角“绿色协奏曲”》(江苏省生态环境厅, 2024-01-09)"


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
        Year signed, as the source dates it.
    source : str
        Document and passage the sourced parts come from (Chinese first).
    sourced, assumed : tuple of str
        Which parts of the pact a source states and which are our assumptions, each
        one of :data:`PACT_PARTS`: ``members``, ``year``, ``name``, ``distance`` (the
        band's width) and ``extent`` (which borders the band runs along).  Every part
        is in exactly one of the two.
    note : str
        Anything a user must know (what the source does not say, related agreements).

    Examples
    --------
    >>> p = JOINT_PACTS["kunshan_qingpu_dianshanhu"]
    >>> p.year, p.assumed, p.distance_assumed
    (2023, ('distance', 'extent'), True)
    """

    key: str
    members: tuple[str, ...]
    distance_m: float
    name_zh: str
    name_en: str
    year: int
    source: str
    sourced: tuple[str, ...] = PACT_PARTS
    assumed: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        parts = sorted(self.sourced + self.assumed)
        if parts != sorted(PACT_PARTS):
            raise InputError(
                f"sourced + assumed must list each of {PACT_PARTS} once; got sourced={self.sourced}, "
                f"assumed={self.assumed}", source=f"pact {self.key!r}",
                hint="say for each part whether a source gives it (sourced) or it is assumed",
            )

    @property
    def distance_assumed(self) -> bool:
        """True when no source gives the band's width and ``distance_m`` is an assumption."""
        return "distance" in self.assumed


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
                _REPORT_2024 + "「优化顶层设计,共筑绿色屏障」: “早在2018年,昆山与嘉定、太仓签署污染防治联防联控协议,"
                "明确把三地边界垂直距离500米范围作为‘联防联治区’” / the 2018 agreement makes the strip within "
                "500 m (perpendicular distance) of the three members' borders a joint prevention and control zone"
            ),
            sourced=PACT_PARTS,
        ),
        JointPact(
            key="kunshan_qingpu_dianshanhu",
            members=("昆山市", "青浦区"),
            distance_m=500.0,
            name_zh="昆青两地水环境联保共治合作协议",
            name_en="Kunshan–Qingpu water-environment joint protection and governance agreement (淀山湖)",
            year=2023,
            source=(
                _REPORT_2024 + "「相互取长补短,同守一江清水」, its 2023 paragraph: "
                "昆山生态环境局“联合青浦区生态环境局签订"
                "《昆青两地水环境联保共治合作协议》,"
                "常态化开展淀山湖水环境联保共治活动” / signed with 青浦 for the joint "
                "protection of 淀山湖; the text defines no band"
            ),
            sourced=("members", "year", "name"),
            assumed=("distance", "extent"),
            note=(
                "假定 ASSUMPTION: 原文未定义任何联防带。500 m 宽度借自2018年嘉昆太协议,范围取整条昆山–青浦边界,"
                "两者均为假定。 The source names the agreement but defines no band: both the 500 m width (borrowed "
                "from the 2018 嘉昆太 pact) and the extent (the whole 昆山–青浦 border, not only 淀山湖) are "
                "assumptions, so that the same mechanism can be mapped. Pass distance_m= with the real figure. "
                "An earlier framework, the 2018-08 《水域保洁一体化协作框架协议》 of the 青浦、吴江、嘉善、昆山 "
                "river-chief offices (中国网, 2020-10-18, on 吴江's 联合河长制), is four-party and defines no band "
                "either."
            ),
        ),
        JointPact(
            key="taicang_jiading_2014",
            members=("太仓市", "嘉定区"),
            distance_m=500.0,
            name_zh="太仓–嘉定《环境保护合作白皮书》联防联治区",
            name_en="Taicang–Jiading environmental cooperation white paper joint-control zone",
            year=2014,
            source=(
                "《太仓日报》2014-05-14 (taicangdaily.com): "
                "太仓、嘉定《环境保护合作白皮书》沿两地边界划定500米“联防联治区” "
                "/ a 500 m joint-control zone along the 太仓–嘉定 border"
            ),
            sourced=PACT_PARTS,
            note="The precedent the 2018 three-party pact extended to 昆山.",
        ),
    )
}

#: The pact used when neither ``members`` nor ``pact`` is given (the 2018 嘉昆太 agreement).
DEFAULT_PACT = "jiakuntai_2018"

_COLUMNS = ["pair", "side", "side_adcode", "border_length_m", "area_km2", "distance_m", "pact", "source",
            "assumed", "note"]
_DISSOLVED_COLUMNS = ["pact", "members", "pairs", "border_length_m", "area_km2", "distance_m", "source",
                      "assumed", "note"]


def _pact(key: Any) -> JointPact:
    if isinstance(key, JointPact):
        return key
    if key in JOINT_PACTS:
        return JOINT_PACTS[key]
    raise InputError(f"unknown pact {key!r}; known pacts: {', '.join(JOINT_PACTS)}", source=arg_name("pact"),
                     hint=f"pass {arg('pact', repr(DEFAULT_PACT))} or another of them (see suzhou_geo.JOINT_PACTS)")


def _pair_pact(codes: frozenset[str], member_codes: frozenset[str], chosen: JointPact | None):
    """Return the pact a border pair falls under.

    The chosen one, else one with these exact members, else any containing both.
    """
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
    dissolve: bool = False,
    tolerance_m: float = BORDER_TOLERANCE_M,
) -> gpd.GeoDataFrame:
    """Return the band within *distance_m* of every border shared by two members, on both sides.

    Parameters
    ----------
    members : iterable of str or int, optional
        Jurisdictions in Chinese, pinyin or adcode.  Default: the pact's
        members, i.e. ``("嘉定区", "昆山市", "太仓市")`` for the default 2018
        嘉昆太 pact.  Any set of two or more works; member pairs that share no
        border are skipped.
    distance_m : float, optional
        Band width on each side, metres.  Default: the pact's distance (500 m for
        the 2018 嘉昆太 pact: “三地边界垂直距离500米范围”).
    pact : str or JointPact, optional
        A key of :data:`JOINT_PACTS` (``"jiakuntai_2018"``,
        ``"kunshan_qingpu_dianshanhu"``, ``"taicang_jiading_2014"``).  Sets
        the defaults of *members* and *distance_m* and labels every row.
    dissolve : bool, default False
        False: one row per (border pair, side).  True: one row per pact, the
        union of its pair rows, with the area of that union — the figure to
        quote for a pact's whole zone.
    tolerance_m : float, default 50
        Sliver tolerance for finding shared borders (see
        :func:`suzhou_geo.shared_border`).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4490.  Per pair and side (default): ``pair`` ("昆山市–嘉定区"),
        ``side`` (the member whose territory that part lies in),
        ``side_adcode``, ``border_length_m`` (geodesic length of the pair's
        shared border), ``area_km2`` (ellipsoidal), ``distance_m``, ``pact``
        (registry key, or ``"custom"``), ``source``, ``assumed`` (the pact's
        assumed parts, e.g. ``"distance, extent"``; empty when all are
        sourced) and ``note``.  With ``dissolve=True``: ``pact``, ``members``,
        ``pairs``, ``border_length_m`` (sum over the pairs), ``area_km2`` (of
        the union), ``distance_m``, ``source``, ``assumed``, ``note``.
        ``attrs["method"]`` says how it was built.

    Raises
    ------
    ValueError
        Fewer than two members, an unknown name or pact, a non-positive
        distance, or no two members sharing a border.

    Notes
    -----
    **The pair rows overlap** where two pairs' bands meet, near a triple point
    (for the 2018 pact, around the 嘉定–昆山–太仓 tripoint: about 0.4 km² in each
    member), so their ``area_km2`` must not be summed: use ``dissolve=True``
    for a pact's total (85.74 km² for the 2018 pact, against 86.89 km² summed).
    The two sides of one pair never overlap.

    A point of a belongs to the band of pair (a, b) when its distance to the
    a–b border is at most *distance_m* (round ends at the border's ends); the
    border is measured from a's own outline on a's side and from b's outline on
    b's side, since neighbouring polygons disagree by slivers of up to
    *tolerance_m*.  Distances are planar in EPSG:4549, whose scale factor
    around Suzhou (≤ 1.00015) changes a 500 m band by under 0.1 m.  Where the
    two polygons overlap by a sliver, the overlap is given to the first side
    only.

    Examples
    --------
    >>> z = joint_control_zone()  # 2018 嘉昆太 pact, 500 m
    >>> sorted(set(z.pair))
    ['太仓市–嘉定区', '昆山市–嘉定区', '昆山市–太仓市']
    >>> z.crs.to_epsg(), len(z)
    (4490, 6)
    >>> total = joint_control_zone(dissolve=True)
    >>> len(total), round(float(total.area_km2.iloc[0]), 1)
    (1, 85.7)
    """
    chosen, codes, distance_m = _resolve(members, distance_m, pact)
    t = units_table().set_index("adcode")
    for c in codes:
        if t.loc[c, "level"] != "county":
            raise InputError(
                f"{t.loc[c, 'name_zh']} is a prefecture-level city; joint-control pacts are between "
                "county-level units", source=arg_name("members"),
                hint=f"name county-level units, e.g. {arg('members', _example_members())}",
            )
    rows, geoms = _pair_rows(t, codes, distance_m, chosen, tolerance_m)
    if not rows:
        names = ", ".join(t.loc[c, "name_zh"] for c in codes)
        raise InputError(
            f"no two of {names} share a border (within {tolerance_m:g} m); a joint-control zone needs "
            "neighbours", source=arg_name("members"), hint="choose neighbouring units (suzhou-geo jurisdictions, "
                                                 "suzhou_geo.neighbours(name) lists them)",
        )
    method = (
        f"points within {distance_m:g} m of each shared border (boundary topology, {tolerance_m:g} m sliver "
        "tolerance), buffered in EPSG:4549, clipped to the two members' territory; areas ellipsoidal (GRS80)"
    )
    if dissolve:
        out = _dissolved(rows, geoms, t, codes)
        method += "; the pair rows of each pact unioned (they overlap near triple points)"
    else:
        out = _frame(rows, geoms, _COLUMNS)
    out.attrs["method"] = method
    if chosen is not None and chosen.assumed:
        out.attrs["note"] = chosen.note
    return out


def _example_members() -> str:
    return "('昆山市', '嘉定区')"


def _resolve(members, distance_m, pact) -> tuple[JointPact | None, list[str], float]:
    """Return the chosen pact (or None for custom members), member adcodes and the distance."""
    chosen = _pact(pact) if pact is not None else None
    if members is None:
        chosen = chosen or JOINT_PACTS[DEFAULT_PACT]
        members = chosen.members
    if isinstance(members, (str, int)):
        raise InputError(f"the members must be at least two jurisdictions, not {members!r}", source=arg_name("members"),
                         hint=f"pass e.g. {arg('members', _example_members())}")
    codes = list(dict.fromkeys(resolve_name(m) for m in members))
    if len(codes) < 2:
        raise InputError(f"a joint-control zone needs at least two distinct members, not {list(members)!r}",
                         source=arg_name("members"), hint=f"pass e.g. {arg('members', _example_members())}")
    if distance_m is None:
        distance_m = (chosen or JOINT_PACTS[DEFAULT_PACT]).distance_m
    try:
        distance_m = float(distance_m)
    except (TypeError, ValueError):
        pass
    if not isinstance(distance_m, float) or not np.isfinite(distance_m) or distance_m <= 0:
        raise InputError(f"the band's width must be a positive number of metres, not {distance_m!r}",
                         source=arg_name("distance_m"), hint=f"pass e.g. {arg('distance_m', '500')}")
    return chosen, codes, distance_m


def _pair_rows(t, codes, distance_m, chosen, tolerance_m) -> tuple[list[dict[str, Any]], list[Any]]:
    """One row (and metric geometry) per (border pair, side)."""
    metric = units_metric()
    member_codes = frozenset(codes)
    in_sz = t["in_suzhou"].to_dict()
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for a, b in itertools.combinations(codes, 2):
        if not in_sz[a] and in_sz[b]:  # Suzhou side first: "昆山市–嘉定区"
            a, b = b, a
        line = border_line_metric(a, b, tolerance_m)
        if line.is_empty or line.length <= tolerance_m:
            log.debug("%s and %s share no border; skipped", t.loc[a, "name_zh"], t.loc[b, "name_zh"])
            continue
        line_b = border_line_metric(b, a, tolerance_m)
        # each side is measured from its own edge of the border: the two polygons'
        # outlines differ by the slivers (up to tolerance_m) between them
        side_a = shapely.intersection(shapely.buffer(line, distance_m, quad_segs=16), metric[a])
        side_b = shapely.difference(
            shapely.intersection(shapely.buffer(line_b, distance_m, quad_segs=16), metric[b]), metric[a]
        )
        p = _pair_pact(frozenset((a, b)), member_codes, chosen)
        label = _label(p, distance_m, t, codes)
        pair = f"{t.loc[a, 'name_zh']}–{t.loc[b, 'name_zh']}"
        border_len = float(length_m(gpd.GeoSeries([line], crs=CGCS2000_GK_CM120)).iloc[0])
        for code, g in ((a, side_a), (b, side_b)):
            g = polygonal_part(g)
            if g is None:
                continue
            rows.append({"pair": pair, "side": t.loc[code, "name_zh"], "side_adcode": code,
                         "border_length_m": round(border_len, 1), "distance_m": distance_m, **label})
            geoms.append(g)
    return rows, geoms


def _label(p: JointPact | None, distance_m: float, t, codes) -> dict[str, str]:
    """Return the pact, source, assumed parts and note of a row."""
    if p is None:
        names = sorted(t.loc[list(codes), "name_zh"])
        return {"pact": "custom",
                "source": f"自定义 custom zone: members {names}, {distance_m:g} m "
                          "(the mechanism of the 2018 嘉昆太 pact)",
                "assumed": "members, distance, extent", "note": ""}
    source = p.source
    assumed = list(p.assumed)
    if distance_m != p.distance_m:
        source += f" [distance {distance_m:g} m given by the caller, the pact's is {p.distance_m:g} m]"
        assumed = [a for a in assumed if a != "distance"]
    return {"pact": p.key, "source": source, "assumed": ", ".join(assumed), "note": p.note}


def _frame(rows: list[dict[str, Any]], geoms: list[Any], columns: list[str]) -> gpd.GeoDataFrame:
    geo = gpd.GeoSeries(geoms, crs=CGCS2000_GK_CM120).to_crs(CGCS2000).values
    out = gpd.GeoDataFrame(rows, geometry=geo, crs=CGCS2000)
    out["area_km2"] = area_km2(out).round(4).to_numpy()
    return out[columns + ["geometry"]]


def _dissolved(rows: list[dict[str, Any]], geoms: list[Any], t, codes) -> gpd.GeoDataFrame:
    """One row per pact: the union of its pair rows (which overlap near triple points)."""
    out_rows, out_geoms = [], []
    for key in dict.fromkeys(r["pact"] for r in rows):
        idx = [i for i, r in enumerate(rows) if r["pact"] == key]
        first = rows[idx[0]]
        pairs = list(dict.fromkeys(rows[i]["pair"] for i in idx))
        sides = {rows[i]["side_adcode"] for i in idx}
        out_rows.append({
            "pact": key,
            "members": "、".join(t.loc[c, "name_zh"] for c in codes if c in sides),
            "pairs": "; ".join(pairs),
            "border_length_m": round(sum({rows[i]["pair"]: rows[i]["border_length_m"] for i in idx}.values()), 1),
            "distance_m": first["distance_m"], "source": first["source"],
            "assumed": first["assumed"], "note": first["note"],
        })
        out_geoms.append(shapely.union_all([geoms[i] for i in idx]))
    return _frame(out_rows, out_geoms, _DISSOLVED_COLUMNS)
