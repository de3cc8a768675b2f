"""Class tables of land-cover products, so that users write ``classes="worldcover"``.

Two products are bundled:

* ``"worldcover"`` - ESA WorldCover 10 m (2020 v100, 2021 v200), global, 11 classes.
  Zanaga, D. et al. (2022) *ESA WorldCover 10 m 2021 v200*, Zenodo,
  doi:10.5281/zenodo.7254221; class codes from the WorldCover Product User
  Manual (PUM v2.0, table 1).  Value 0 is "no data".
* ``"clcd"`` - China Land Cover Dataset, 30 m, annual since 1985 (Landsat).
  Yang, J. & Huang, X. (2021) The 30 m annual land cover dataset and its
  dynamics in China from 1990 to 2019, *Earth System Science Data* 13,
  3907-3925, doi:10.5194/essd-13-3907-2021.  Codes 1-9; 0 is "no data".

The Chinese names follow each product's own Chinese documentation (CLCD uses
不透水面 for class 8; WorldCover's "Built-up" is rendered 建设用地).  A user's
own table is a plain ``{code: name}`` dict, or ``{code: (name_en, name_zh)}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .errors import InputError, arg, arg_name

__all__ = ["ClassTable", "LANDCOVER_CLASSES", "class_table"]


@dataclass(frozen=True)
class ClassTable:
    """The classes of one categorical raster product.

    Attributes
    ----------
    name : str
        Short name (``"worldcover"``, ``"clcd"``, ``"custom"``).
    title : str
        Full product name.
    classes : dict
        ``code -> (key, name_en, name_zh)``; *key* is a column-safe ASCII label
        (``"built_up"``) used in result column names (``built_up_m2``).
    built : tuple of int
        Codes that count as built-up / impervious (the default of
        :func:`suzhou_geo.encroachment`).
    resolution_m : float or None
        Nominal pixel size of the product.
    citation : str
        Where the codes come from.
    nodata : int or None
        The product's no-data value.

    Examples
    --------
    >>> from suzhou_geo.landcover import LANDCOVER_CLASSES
    >>> LANDCOVER_CLASSES["clcd"].classes[8]
    ('impervious', 'Impervious', '不透水面')
    """

    name: str
    title: str
    classes: dict[int, tuple[str, str, str]]
    built: tuple[int, ...] = ()
    resolution_m: float | None = None
    citation: str = ""
    nodata: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self, code: int) -> str:
        """Column-safe label of *code* (``class_<code>`` for a code not in the table)."""
        c = self.classes.get(int(code))
        return c[0] if c else f"class_{int(code)}"

    def to_frame(self) -> pd.DataFrame:
        """Return the table as a DataFrame (code, key, name_en, name_zh, built).

        Examples
        --------
        >>> from suzhou_geo.landcover import class_table
        >>> class_table("worldcover").to_frame().loc[50, "name_zh"]
        '建设用地'
        """
        rows = [
            {"code": c, "key": k, "name_en": en, "name_zh": zh, "built": c in self.built}
            for c, (k, en, zh) in sorted(self.classes.items())
        ]
        return pd.DataFrame(rows).set_index("code")

    def _repr_html_(self) -> str:
        from html import escape as e

        return f"<p><b>{e(self.title)}</b><br><small>{e(self.citation)}</small></p>" + self.to_frame().to_html()


WORLDCOVER = ClassTable(
    name="worldcover",
    title="ESA WorldCover 10 m (v100 2020 / v200 2021)",
    classes={
        10: ("tree_cover", "Tree cover", "林地"),
        20: ("shrubland", "Shrubland", "灌木地"),
        30: ("grassland", "Grassland", "草地"),
        40: ("cropland", "Cropland", "耕地"),
        50: ("built_up", "Built-up", "建设用地"),
        60: ("bare_sparse", "Bare / sparse vegetation", "裸地/稀疏植被"),
        70: ("snow_ice", "Snow and ice", "冰雪"),
        80: ("water", "Permanent water bodies", "永久水体"),
        90: ("herbaceous_wetland", "Herbaceous wetland", "草本湿地"),
        95: ("mangroves", "Mangroves", "红树林"),
        100: ("moss_lichen", "Moss and lichen", "苔藓和地衣"),
    },
    built=(50,),
    resolution_m=10.0,
    citation=(
        "Zanaga, D. et al. (2022) ESA WorldCover 10 m 2021 v200, Zenodo, "
        "doi:10.5281/zenodo.7254221; codes: WorldCover Product User Manual v2.0, table 1"
    ),
    nodata=0,
)

CLCD = ClassTable(
    name="clcd",
    title="CLCD - China Land Cover Dataset 30 m (Yang & Huang 2021)",
    classes={
        1: ("cropland", "Cropland", "耕地"),
        2: ("forest", "Forest", "林地"),
        3: ("shrub", "Shrub", "灌木"),
        4: ("grassland", "Grassland", "草地"),
        5: ("water", "Water", "水体"),
        6: ("snow_ice", "Snow/Ice", "冰雪"),
        7: ("barren", "Barren", "裸地"),
        8: ("impervious", "Impervious", "不透水面"),
        9: ("wetland", "Wetland", "湿地"),
    },
    built=(8,),
    resolution_m=30.0,
    citation=(
        "Yang, J. & Huang, X. (2021) The 30 m annual land cover dataset and its dynamics in "
        "China from 1990 to 2019, Earth System Science Data 13, 3907-3925, "
        "doi:10.5194/essd-13-3907-2021"
    ),
    nodata=0,
)

#: The bundled class tables, by name.
LANDCOVER_CLASSES: dict[str, ClassTable] = {"worldcover": WORLDCOVER, "clcd": CLCD}

_ALIASES = {
    "esa": "worldcover", "esa_worldcover": "worldcover", "world_cover": "worldcover",
    "clcd": "clcd", "china_land_cover": "clcd", "yang_huang": "clcd",
}


def _slug(text: str, code: int) -> str:
    s = re.sub(r"[^0-9a-zA-Z]+", "_", str(text)).strip("_").lower()
    return s or f"class_{code}"


def _known_hint() -> str:
    names = [n for n in (arg("classes", repr(k)) for k in sorted(LANDCOVER_CLASSES)) if n]
    if not names:
        return "choose one of the known products"
    python = not names[0].startswith("-")  # a Python caller may also pass its own table
    return "pass " + " or ".join(names) + (", or a dict {code: name}" if python else "")


def class_table(classes: Any) -> ClassTable | None:
    """Resolve *classes* to a :class:`ClassTable`.

    Parameters
    ----------
    classes : str, dict, ClassTable or None
        ``"worldcover"`` or ``"clcd"`` (case-insensitive); a dict
        ``{code: name}`` or ``{code: (name_en, name_zh)}``; a ClassTable; or
        None (no table: classes are labelled ``class_<code>``).

    Returns
    -------
    ClassTable or None

    Raises
    ------
    suzhou_geo.errors.InputError
        For an unknown product name (the message lists the known ones), a dict
        whose keys are not integers, or anything else.

    Examples
    --------
    >>> class_table("WorldCover").built
    (50,)
    >>> class_table({1: "水田", 2: ("Built", "建设")}).classes[2]
    ('built', 'Built', '建设')
    """
    if classes is None or isinstance(classes, ClassTable):
        return classes
    if isinstance(classes, str):
        key = classes.strip().lower().replace("-", "_").replace(" ", "_")
        key = _ALIASES.get(key, key)
        if key not in LANDCOVER_CLASSES:
            raise InputError(f"unknown land-cover product {classes!r}; known: {sorted(LANDCOVER_CLASSES)}",
                             source=arg_name("classes"), hint=_known_hint())
        return LANDCOVER_CLASSES[key]
    if isinstance(classes, Mapping):
        table: dict[int, tuple[str, str, str]] = {}
        for code, name in classes.items():
            try:
                icode = int(code)
            except (TypeError, ValueError):
                raise InputError(f"class codes must be integers; got {code!r} in {dict(classes)!r}",
                                 source=arg_name("classes"),
                                 hint="give the codes as integers: {10: 'Tree cover', …}") from None
            if isinstance(name, (tuple, list)):
                en = str(name[0])
                zh = str(name[1]) if len(name) > 1 else en
            else:
                en = zh = str(name)
            table[icode] = (_slug(en, icode), en, zh)
        keys = [k for k, _, _ in table.values()]
        if len(set(keys)) != len(keys):  # two names that slug alike: fall back to codes
            table = {c: (f"class_{c}", en, zh) for c, (_, en, zh) in table.items()}
        return ClassTable(name="custom", title="user class table", classes=table)
    raise InputError(
        f"a class table is a product name ({sorted(LANDCOVER_CLASSES)}), a dict or None, not a "
        f"{type(classes).__name__}", source=arg_name("classes"), hint="pass 'worldcover', 'clcd' or {code: name}",
    )
