"""Measures and verdicts: what was measured for every parcel, and the verdict the rules give.

:class:`Measures` is the one record of everything measured (one array per
quantity, one entry per input row); :func:`decide` turns it into a
:class:`Decision` with pure numpy, all rules in one place:

* ``invalid`` — the geometry cannot be checked (missing, empty, a point or a
  line, NaN/inf coordinates, nothing left after repair, under 1 m²);
* ``conflict`` — overlaps an ecological protection redline beyond both tolerances;
* ``review`` — a sliver below the tolerance, an overlap with an ecological space
  control area, within ``review_distance_m`` of a protection redline, a repair
  that changed the area by more than 1 %, a declared 地块面积 that differs from
  the planar area by more than ``declared_area_min_m2`` and
  ``declared_area_min_ratio``, or (partly) outside 苏州市 (``outside_verdict``);
* ``notice`` — in a joint-control zone (the neighbours must be told);
* ``pass`` — none of these.

Examples
--------
>>> m = Measures.empty(2)
>>> m.usable[:] = True
>>> m.area[:] = 10_000.0
>>> m.suzhou_m2[:] = 10_000.0
>>> m.red_m2[1] = 500.0
>>> decide(m, RULES).verdict.tolist()
['pass', 'conflict']
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .rules import RULES, Rules

__all__ = ["Measures", "Decision", "decide", "declared_area_off", "MIN_AREA_M2"]

#: Parcels smaller than this (m², ellipsoidal) are not judged: a digitising artefact, not a parcel.
MIN_AREA_M2 = 1.0

_SEVERITY = {"conflict": 3, "review": 2, "notice": 1, "pass": 0}


@dataclass
class Measures:
    """Everything measured for each input row (arrays of one length).

    Attributes
    ----------
    usable : bool
        The geometry could be checked.
    issue : str
        What was wrong with the geometry and what was done (``""``: nothing).
    code : str
        The kind of geometry problem (see :mod:`suzhou_geo.io.checks`).
    area_change : float
        Relative area change of a repair (NaN: not repaired).
    approximate : bool
        The position is approximate (legacy datum accepted without parameters).
    area : float
        Ellipsoidal area of the parcel (m²).
    red_m2, ctl_m2 : float
        Overlap with the ecological protection redline and with ecological
        space control areas, each dissolved (m², ellipsoidal).
    nearest : float
        Distance to the nearest protection redline (m; NaN beyond the search distance).
    nearest_group : int
        Which protection redline feature is nearest (-1: none within the search distance).
    suzhou_m2 : float
        Area inside 苏州市 (m²).
    red_names, ctl_names, near_names, zone, district, schemes : str
        Names, ``"; "``-joined.
    declared_m2 : float
        The declared 地块面积 (m²; NaN when the parcel declares none).
    planar_m2 : float
        The planar Gauss-Krüger area the declaration is compared with (m², in the
        zone the file was written in; NaN when nothing is declared).
    """

    usable: np.ndarray
    issue: np.ndarray
    code: np.ndarray
    area_change: np.ndarray
    approximate: np.ndarray
    area: np.ndarray
    red_m2: np.ndarray
    ctl_m2: np.ndarray
    nearest: np.ndarray
    nearest_group: np.ndarray
    suzhou_m2: np.ndarray
    red_names: np.ndarray
    ctl_names: np.ndarray
    near_names: np.ndarray
    zone: np.ndarray
    district: np.ndarray
    schemes: np.ndarray
    declared_m2: np.ndarray
    planar_m2: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Measures:
        """Return a record for *n* rows with nothing measured yet."""
        text = {"issue", "code", "red_names", "ctl_names", "near_names", "zone", "district", "schemes"}
        values = {}
        for f in fields(cls):
            if f.name in text:
                values[f.name] = np.full(n, "", dtype=object)
            elif f.name in ("usable", "approximate"):
                values[f.name] = np.zeros(n, dtype=bool)
            elif f.name in ("nearest", "area_change", "declared_m2", "planar_m2"):
                values[f.name] = np.full(n, np.nan)
            elif f.name == "nearest_group":
                values[f.name] = np.full(n, -1, dtype=np.int64)
            else:
                values[f.name] = np.zeros(n)
        return cls(**values)

    def __len__(self) -> int:
        return len(self.usable)


@dataclass
class Decision:
    """Which rules fired for each row, and the verdict.

    Attributes
    ----------
    checked : bool
        The row was judged (usable and at least 1 m²).
    tiny : bool
        Usable geometry under :data:`MIN_AREA_M2`.
    conflict, sliver, control, near, in_zone, outside_any, outside_all, changed, area_mismatch : bool
        The rules that fired (see the module docstring).
    ratio, ctl_ratio, out_frac : float
        Overlap shares of the parcel and the share outside 苏州市.
    verdict : str
    """

    checked: np.ndarray
    tiny: np.ndarray
    conflict: np.ndarray
    sliver: np.ndarray
    control: np.ndarray
    near: np.ndarray
    in_zone: np.ndarray
    outside_any: np.ndarray
    outside_all: np.ndarray
    changed: np.ndarray
    area_mismatch: np.ndarray
    ratio: np.ndarray
    ctl_ratio: np.ndarray
    out_frac: np.ndarray
    verdict: np.ndarray


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.zeros(len(whole)), where=whole > 0)


def decide(m: Measures, rules: Rules = RULES) -> Decision:
    """Apply the rules to the measures: pure numpy, every threshold from *rules*."""
    from ..io.checks import REPAIR_AREA_TOLERANCE

    tiny = m.usable & (m.area < MIN_AREA_M2)
    ok = m.usable & ~tiny
    ratio, ctl_ratio = _share(m.red_m2, m.area), _share(m.ctl_m2, m.area)
    t_m2, t_ratio = rules.overlap_min_m2, rules.overlap_min_ratio
    conflict = ok & (m.red_m2 > t_m2) & (ratio > t_ratio)
    sliver = ok & (m.red_m2 > 0) & ~conflict
    control = ok & (m.ctl_m2 > t_m2) & (ctl_ratio > t_ratio)
    near = ok & ~conflict & ~sliver & (m.nearest <= rules.review_distance_m)
    in_zone = ok & (m.zone != "")
    outside_m2 = np.clip(m.area - m.suzhou_m2, 0, None)
    out_frac = _share(outside_m2, m.area)
    outside_any = ok & (outside_m2 > t_m2) & (out_frac > t_ratio)
    outside_all = outside_any & (m.suzhou_m2 <= np.maximum(t_m2, t_ratio * m.area))
    changed = ok & (np.nan_to_num(m.area_change, nan=0.0) > REPAIR_AREA_TOLERANCE)
    mismatch = ok & declared_area_off(m.declared_m2, m.planar_m2, rules)
    level = np.zeros(len(m), dtype=np.int8)
    level = np.maximum(level, np.where(conflict, 3, 0))
    level = np.maximum(level, np.where(sliver | control | near | changed | mismatch, 2, 0))
    level = np.maximum(level, np.where(in_zone, 1, 0))
    level = np.maximum(level, np.where(outside_any, _SEVERITY[rules.outside_verdict], 0))
    verdict = np.array(["pass", "notice", "review", "conflict"], dtype=object)[level]
    verdict[~ok] = "invalid"
    return Decision(ok, tiny, conflict, sliver, control, near, in_zone, outside_any, outside_all, changed,
                    mismatch, ratio, ctl_ratio, out_frac, verdict)


def declared_area_off(declared_m2: np.ndarray, planar_m2: np.ndarray, rules: Rules = RULES) -> np.ndarray:
    """Return True where a declared area differs from the planar area by more than both tolerances.

    Examples
    --------
    >>> declared_area_off(np.array([22_500.0, 22_500.0, np.nan]), np.array([22_510.0, 22_530.0, 100.0])).tolist()
    [False, True, False]
    """
    with np.errstate(invalid="ignore"):
        diff = np.abs(declared_m2 - planar_m2)
        tol = np.maximum(rules.declared_area_min_m2, rules.declared_area_min_ratio * planar_m2)
        return np.isfinite(diff) & (diff > tol)
