"""Reasons: one bilingual sentence per rule that fired, with the areas, distances and names.

Formatting happens in Python only for the rows where a rule fired; rows with
several reasons get them joined with ``"; "`` in a fixed order (geometry first,
then conflict, sliver, control area, distance, declared area, joint zone,
outside Suzhou, approximate position).

Examples
--------
>>> from suzhou_geo.validate.decide import Measures, decide
>>> m = Measures.empty(1)
>>> m.usable[:] = True; m.area[:] = 1e4; m.suzhou_m2[:] = 1e4; m.nearest[:] = 40.0; m.near_names[:] = "太湖"
>>> explain(m, decide(m), RULES)[0]
'距生态保护红线 40 m（≤ 100 m）：太湖 / 40 m from the ecological protection redline (≤ 100 m): 太湖'
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .decide import MIN_AREA_M2, Decision, Measures
from .rules import RULES, Rules

__all__ = ["explain", "NO_RULE", "SHAPE_CHANGED"]

#: The reason of a parcel no rule fired for.
NO_RULE = "未触发任何规则 / no rule fired"
#: In the reasons of a parcel whose repair changed its shape (area change above the tolerance): its mark.
SHAPE_CHANGED = "修复改变了形状"

_TAG = "（示意红线，非官方数据 / illustrative redline, not official data）"


def _fmt_m2(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:.2f}"


def _halves(text: str) -> tuple[str, str]:
    """Return the Chinese and English halves of a bilingual ``"中文 / English"`` text."""
    zh, sep, en = str(text).partition(" / ")
    return (zh, en) if sep else (text, text)


def _geometry(m: Measures, d: Decision, add) -> None:
    def unusable(i: int) -> str:
        zh, en = _halves(m.issue[i])
        return f"几何不可用：{zh} / unusable geometry: {en}"

    def repaired(i: int) -> str:
        zh, en = _halves(m.issue[i])
        return f"{zh} / {en}"

    def changed(i: int) -> str:
        zh, en = _halves(m.issue[i])
        return (f"{zh}：{SHAPE_CHANGED}，已按修复后的形状检查，请核对原图形 / {en}: the repair changed the shape, "
                "which was checked as repaired: check the original drawing")

    add(~m.usable, unusable)
    add(d.tiny, lambda i: (
        f"面积仅 {m.area[i]:.2f} m²，小于 {MIN_AREA_M2:g} m²，无法判断 / only {m.area[i]:.2f} m² of area "
        f"(under {MIN_AREA_M2:g} m²): cannot be judged"
    ))
    add(d.checked & (m.issue != "") & ~d.changed, repaired)
    add(d.changed, changed)


def _redlines(m: Measures, d: Decision, add, rules: Rules, tag: str) -> None:
    def conflict(i: int) -> str:
        a, r, nm = _fmt_m2(m.red_m2[i]), f"{d.ratio[i]:.1%}", m.red_names[i]
        return (f"与生态保护红线重叠 {a} m²（占地块 {r}）：{nm}{tag} / "
                f"overlaps the ecological protection redline by {a} m² ({r} of the parcel): {nm}")

    def sliver(i: int) -> str:
        a, nm = f"{m.red_m2[i]:.2f}", m.red_names[i]
        t = f"{rules.overlap_min_m2:g} m², {rules.overlap_min_ratio:.1%}"
        return (f"与生态保护红线重叠仅 {a} m²，低于冲突容差（{t}），可能是共边误差，需复核：{nm}{tag} / "
                f"overlaps the ecological protection redline by only {a} m², below the conflict tolerance "
                f"({t}): probably a sliver along a shared edge, check it: {nm}")

    def control(i: int) -> str:
        a, r, nm = _fmt_m2(m.ctl_m2[i]), f"{d.ctl_ratio[i]:.1%}", m.ctl_names[i]
        return (f"与生态空间管控区域重叠 {a} m²（占地块 {r}）：{nm}{tag} / "
                f"overlaps an ecological space control area by {a} m² ({r}): {nm}")

    def near(i: int) -> str:
        dist, lim, nm = f"{m.nearest[i]:.0f}", f"{rules.review_distance_m:g}", m.near_names[i]
        return (f"距生态保护红线 {dist} m（≤ {lim} m）：{nm}{tag} / "
                f"{dist} m from the ecological protection redline (≤ {lim} m): {nm}")

    add(d.conflict, conflict)
    add(d.sliver, sliver)
    add(d.control, control)
    add(d.near, near)


def _declared(m: Measures, d: Decision, add, rules: Rules) -> None:
    def off(i: int) -> str:
        declared, planar = m.declared_m2[i], m.planar_m2[i]
        diff, share = declared - planar, (declared - planar) / planar if planar > 0 else np.inf
        tol = f"max({rules.declared_area_min_m2:g} m², {rules.declared_area_min_ratio:.1%})"
        zh_hint, en_hint = _unit_hint(declared, planar)
        return (f"申报地块面积 {declared / 1e4:.4f} 公顷与平面面积 {planar / 1e4:.4f} 公顷（{planar:,.2f} m²）相差 "
                f"{diff:+,.2f} m²（{share:+.2%}），超过 {tol}{zh_hint} / the declared 地块面积 {declared / 1e4:.4f} ha "
                f"differs from the planar Gauss-Krüger area {planar / 1e4:.4f} ha ({planar:,.2f} m²) by "
                f"{diff:+,.2f} m² ({share:+.2%}), beyond {tol}{en_hint}")

    add(d.area_mismatch, off)


def _unit_hint(declared: float, planar: float) -> tuple[str, str]:
    """Return a likely cause when the declaration is off by a unit factor (m² or 亩 written as 公顷)."""
    ratio = declared / planar if planar > 0 else np.nan
    for factor, zh, en in ((1e4, "平方米", "m²"), (15.0, "亩", "mu (亩)")):
        if abs(ratio / factor - 1) < 0.01:
            return f"；面积可能按{zh}填写 ", f"; the area may have been written in {en}"
    return "", ""


def _places(m: Measures, d: Decision, add) -> None:
    add(d.in_zone, lambda i: (f"位于{m.zone[i]}联防联治区内，须告知相邻方 / inside the {m.zone[i]} joint-control "
                              "zone: inform the neighbouring jurisdiction"))
    add(d.outside_all, lambda i: (f"位于苏州市域外（{m.district[i] or '未知'}），内置图层不覆盖 / outside Suzhou "
                                  f"({m.district[i] or 'unknown'}): the bundled layers do not cover it"))
    add(d.outside_any & ~d.outside_all, lambda i: (f"{d.out_frac[i]:.1%} 位于苏州市域外（{m.district[i]}） / "
                                                   f"{d.out_frac[i]:.1%} of the parcel lies outside Suzhou "
                                                   f"({m.district[i]})"))


def explain(m: Measures, d: Decision, rules: Rules = RULES, *, illustrative: bool = False,
            approximate_note: str = "") -> np.ndarray:
    """Bilingual reasons for every row (Chinese / English), in input order.

    Parameters
    ----------
    m : Measures
    d : Decision
    rules : Rules
    illustrative : bool
        The redlines are the bundled sample: every redline reason says so.
    approximate_note : str
        Added to every row with ``m.approximate`` (a legacy datum converted approximately).
    """
    n = len(m)
    parts: list[tuple[np.ndarray, np.ndarray]] = []

    def add(mask: np.ndarray, make: Callable[[int], str]) -> None:
        idx = np.flatnonzero(mask)
        if len(idx):
            parts.append((idx, np.array([make(i) for i in idx.tolist()], dtype=object)))

    _geometry(m, d, add)
    _redlines(m, d, add, rules, _TAG if illustrative else "")
    _declared(m, d, add, rules)
    _places(m, d, add)
    out = _join(n, parts, d.checked)
    if approximate_note and m.approximate.any():
        sel = m.approximate
        out[sel] = np.where(out[sel] == "", approximate_note, out[sel] + "; " + approximate_note)
    return out


def _join(n: int, parts: list, checked: np.ndarray) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    if parts:
        idx = np.concatenate([p[0] for p in parts])
        txt = np.concatenate([p[1] for p in parts])
        order = np.argsort(idx, kind="stable")
        idx, txt = idx[order], txt[order]
        first = np.r_[True, idx[1:] != idx[:-1]]
        starts = np.flatnonzero(first)
        ends = np.r_[starts[1:], len(idx)]
        single = ends - starts == 1  # most rows: one reason, no joining
        out[idx[starts[single]]] = txt[starts[single]]
        for a, b in zip(starts[~single].tolist(), ends[~single].tolist(), strict=True):
            out[idx[a]] = "; ".join(txt[a:b].tolist())
    out[(out == "") & checked] = NO_RULE
    return out
