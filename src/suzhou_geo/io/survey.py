"""Surveying conventions of approval files (部标 TXT, 界址点 tables), decided once and said aloud.

Approval files speak surveying: **X is the northing and Y the easting**, the
easting often carries the zone number in front (``40585000.000`` = zone 40,
85 km east of the false origin), and the CRS is named in words
(``坐标系=2000国家大地坐标系``, ``几度分带=3``, ``带号=40``).  Real files break
these rules, so everything here is decided from the numbers, checked against
the words, and recorded as a bilingual sentence; when the numbers do not decide,
the error names the line (or row) and the fix.

* :func:`gauss_kruger` — the EPSG code of a Gauss-Krüger CRS from the datum, the
  zone width and the zone number (prefixed eastings) or central meridian;
* :func:`decide_axes` — which coordinate is the northing, from the magnitudes;
* :func:`decide_zone` — zone, width and prefix from the eastings and the header;
* :func:`datum_of`, :func:`transformation_parameters` — the datum named by
  坐标系 and the seven 转换参数 (a :class:`~suzhou_geo.crs.DatumShift`);
* :func:`assemble` — numbered rings (圈号) to one parcel: a ring inside an
  earlier outer ring is a hole, a ring outside is another part;
* :func:`planar_crs` — the plane a surveyor's 地块面积 was computed in;
* :func:`decode_text` — the bytes of a text file as UTF-8 or GB18030, BOM or not.

Examples
--------
>>> gauss_kruger("CGCS2000", 3, zone=40), gauss_kruger("CGCS2000", 3, cm=120)
('EPSG:4528', 'EPSG:4549')
>>> import numpy as np
>>> decide_axes(np.array([3471000.0]), np.array([40585000.0]), [12], source="项目.txt").northing_first
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS

from ..crs import DatumShift, transformer
from ..errors import CRSError, ReadError, SuzhouGeoWarning

__all__ = [
    "Reading",
    "Axes",
    "Zone",
    "Ring",
    "DATUMS",
    "gauss_kruger",
    "identify_gauss_kruger",
    "datum_of",
    "geographic_crs",
    "decide_axes",
    "decide_zone",
    "parse_width",
    "transformation_parameters",
    "assemble",
    "build_rings",
    "planar_crs",
    "planar_areas",
    "decode_text",
    "where",
    "warn",
]

#: The national datums an approval file may name, by key: (EPSG name prefix, Chinese name, geographic CRS).
DATUMS: dict[str, tuple[str, str, str]] = {
    "CGCS2000": ("CGCS2000", "2000国家大地坐标系", "EPSG:4490"),
    "Xian 1980": ("Xian 1980", "1980西安坐标系", "EPSG:4610"),
    "Beijing 1954": ("Beijing 1954", "1954北京坐标系", "EPSG:4214"),
    "New Beijing": ("New Beijing", "新1954北京坐标系", "EPSG:4555"),
}

#: A northing anywhere in China has 7 digits (about 2.0 to 5.9 million m from the equator).
NORTHING_RANGE = (1_000_000.0, 10_000_000.0)
#: An easting without the zone prefix: the false easting 500 000 m ± half a zone.
EASTING_RANGE = (100_000.0, 1_000_000.0)
#: Zone numbers of China: 3-degree zones 25–45 (CM 75°E–135°E), 6-degree zones 13–23.
ZONES = {3: range(25, 46), 6: range(13, 24)}


@dataclass
class Reading:
    """What an approval-file reader read and decided (the shape of the library's raw-read record).

    Attributes
    ----------
    source, name, format : str
        The path, how to call it in messages, and the format (``"部标 TXT"``, ``"DXF"``, …).
    encoding : str or None
        The text encoding used and how it was decided.
    notes : list of str
        Every decision and warning, as bilingual sentences (shown with the layer's provenance).
    decisions : dict of str to str
        The same decisions as label → value, for the summary's data table.
    datum_shift : DatumShift or None
        The seven 转换参数 of a 部标 file in a legacy datum (used unless the caller gives its own).
    points : pandas.DataFrame or None
        The named boundary points (界址点): ``row``, ``ring``, ``point``, ``x_file``, ``y_file``
        (the numbers as written, in the file's order) and ``x``, ``y`` (easting and northing in the
        frame's CRS).
    row_issues : dict of int to str
        Per row (0-based position), what the reader found wrong with it (bilingual).
    crs_error : CRSError or None
        Why the CRS could not be decided from the file; raised unless the caller gives the CRS.
    """

    source: str
    name: str
    format: str
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    decisions: dict[str, str] = field(default_factory=dict)
    datum_shift: Any = None
    points: Any = None
    row_issues: dict[int, str] = field(default_factory=dict)
    crs_error: CRSError | None = None

    def decide(self, label: str, value: str, sentence: str | None = None) -> None:
        """Record a decision (label → value) and its sentence for the notes."""
        self.decisions[label] = value
        self.notes.append(sentence or f"{label}：{value}")


def where(unit: str, number: int) -> str:
    """Bilingual position of a line or row in messages.

    Examples
    --------
    >>> where("line", 12), where("row", 3)
    ('第 12 行 / line 12', '第 3 行 / row 3')
    """
    return f"第 {number} 行 / {unit} {number}"


# --------------------------------------------------------------------------- CRS names


@lru_cache(maxsize=1)
def _gk_table() -> dict[tuple[str, int, str, int], str]:
    """(datum, width, "zone" or "cm", number) → "EPSG:…", from the EPSG names PROJ knows."""
    from pyproj.database import query_crs_info
    from pyproj.enums import PJType

    pattern = re.compile(r"^(CGCS2000|Xian 1980|Beijing 1954|New Beijing) / (3-degree )?Gauss-Kruger "
                         r"(?:zone (\d+)|CM (\d+)E)$")
    table = {}
    for info in query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS):
        m = pattern.match(info.name)
        if m is None or info.deprecated:
            continue
        width = 3 if m.group(2) else 6
        kind, number = ("zone", m.group(3)) if m.group(3) else ("cm", m.group(4))
        table[(m.group(1), width, kind, int(number))] = f"EPSG:{info.code}"
    return table


def gauss_kruger(datum: str, width: int, *, zone: int | None = None, cm: int | None = None) -> str:
    """Return the EPSG code of a Chinese Gauss-Krüger CRS.

    Parameters
    ----------
    datum : {"CGCS2000", "Xian 1980", "Beijing 1954", "New Beijing"}
    width : {3, 6}
        Zone width in degrees (几度分带).
    zone : int, optional
        Zone number, for eastings that carry it in front (``40585000.0``).
    cm : int, optional
        Central meridian (°E), for eastings without the prefix (``585000.0``).

    Raises
    ------
    CRSError
        No such CRS (a zone outside China, a central meridian not on the grid).

    Examples
    --------
    >>> gauss_kruger("CGCS2000", 6, zone=21), gauss_kruger("CGCS2000", 6, cm=123)
    ('EPSG:4499', 'EPSG:4510')
    >>> gauss_kruger("Xian 1980", 3, zone=40), gauss_kruger("Beijing 1954", 3, cm=120)
    ('EPSG:2364', 'EPSG:2437')
    """
    kind, number = ("zone", zone) if zone is not None else ("cm", cm)
    code = _gk_table().get((datum, int(width), kind, int(number)))
    if code is None:
        what = f"带号 {number}" if kind == "zone" else f"中央经线 {number}°E"
        raise CRSError(
            f"{DATUMS[datum][1]} {width}° 分带没有{what}的高斯-克吕格投影 / there is no {width}-degree "
            f"Gauss-Krüger CRS of {datum} with {kind} {number}",
            hint=f"check 几度分带 and 带号: China lies in 3-degree zones {ZONES[3][0]}–{ZONES[3][-1]} "
                 f"and 6-degree zones {ZONES[6][0]}–{ZONES[6][-1]}",
        )
    return code


def identify_gauss_kruger(crs: Any) -> tuple[str, int, int | None, int] | None:
    """(datum, width, zone or None, central meridian) of a national Gauss-Krüger CRS, or None.

    The zone is given for CRSs whose eastings carry the zone number in front.

    Examples
    --------
    >>> identify_gauss_kruger("EPSG:4528"), identify_gauss_kruger("EPSG:4549")
    (('CGCS2000', 3, 40, 120), ('CGCS2000', 3, None, 120))
    >>> identify_gauss_kruger("EPSG:3857") is None
    True
    """
    epsg = CRS.from_user_input(crs).to_epsg()
    found = next((k for k, v in _gk_table().items() if v == f"EPSG:{epsg}"), None) if epsg else None
    if found is None:
        return None
    datum, width, kind, number = found
    if kind == "zone":
        return datum, width, number, _cm_of(width, number)
    return datum, width, None, number


def geographic_crs(datum: str) -> str:
    """Return the geographic (longitude/latitude) CRS of a datum.

    Examples
    --------
    >>> geographic_crs("CGCS2000"), geographic_crs("Xian 1980")
    ('EPSG:4490', 'EPSG:4610')
    """
    return DATUMS[datum][2]


_DATUM_WORDS = (
    ("New Beijing", ("新北京", "新1954", "new beijing")),
    ("Xian 1980", ("西安", "xian", "xi'an", "1980", "80坐标")),
    ("Beijing 1954", ("北京", "beijing", "1954", "54坐标")),
    ("CGCS2000", ("2000", "cgcs", "国家大地坐标系")),
)


def datum_of(text: str | None, *, source: str = "", line: int | None = None) -> str | None:
    """Return the datum named by a 坐标系 value, or None when the value is empty.

    Raises
    ------
    CRSError
        A name that is not a national datum (a local or city system, WGS84 in a
        Gauss-Krüger file): such coordinates cannot be converted without the
        bureau's parameters.

    Examples
    --------
    >>> datum_of("2000国家大地坐标系"), datum_of("1980西安坐标系"), datum_of("北京54")
    ('CGCS2000', 'Xian 1980', 'Beijing 1954')
    >>> datum_of("") is None
    True
    """
    value = (text or "").strip()
    if not value:
        return None
    low = value.lower().replace(" ", "")
    for key, words in _DATUM_WORDS:
        if any(w.replace(" ", "") in low for w in words):
            return key
    at = f"{where('line', line)}: " if line else ""
    raise CRSError(
        f"{at}坐标系={value} 不是国家坐标系（2000国家大地坐标系、1980西安坐标系、1954北京坐标系）/ 坐标系={value} is "
        "not a national datum (CGCS2000, Xi'an 1980, Beijing 1954): a local or city system needs the bureau's "
        "parameters",
        source=source or None,
        hint="将数据转换到 2000国家大地坐标系 后再读，或用 crs= 指明坐标的 CRS / convert the file to CGCS2000 "
             "first, or pass crs= with the CRS its coordinates are in",
    )


def parse_width(text: str | None, *, source: str = "", line: int | None = None) -> int | None:
    """几度分带 (``"3"``, ``"3度"``, ``"3度带"``, ``"三度带"``) as 3 or 6; None when empty.

    Examples
    --------
    >>> parse_width("3"), parse_width("6度带"), parse_width("三度带"), parse_width(" ")
    (3, 6, 3, None)
    """
    value = (text or "").strip()
    if not value:
        return None
    digits = value.replace("三", "3").replace("六", "6")
    m = re.match(r"^([36])\s*(度|°)?\s*(带|分带)?$", digits)
    if m is None:
        at = f"{where('line', line)}：" if line else ""
        raise ReadError(
            f"{at}几度分带={value} 不是 3 或 6 / 几度分带={value} is neither 3 nor 6",
            source=source or None,
            hint="写 几度分带=3 或 几度分带=6 / write 几度分带=3 or 几度分带=6",
        )
    return int(m.group(1))


# --------------------------------------------------------------------------- axis order


def _is_northing(v: np.ndarray) -> np.ndarray:
    return (v >= NORTHING_RANGE[0]) & (v < NORTHING_RANGE[1])


def _prefix_zone(v: np.ndarray) -> np.ndarray:
    return np.floor(v / 1e6).astype(np.int64)


def _is_easting(v: np.ndarray) -> np.ndarray:
    plain = (v >= EASTING_RANGE[0]) & (v < EASTING_RANGE[1])
    zone = _prefix_zone(np.where(np.isfinite(v), v, 0))
    in_china = np.isin(zone, list(ZONES[3]) + list(ZONES[6]))
    return plain | (in_china & ((v - zone * 1e6) >= EASTING_RANGE[0]))


def _is_lat(v: np.ndarray) -> np.ndarray:
    return (v > 0) & (v < 60)


def _is_lon(v: np.ndarray) -> np.ndarray:
    return (v > 70) & (v < 140)


@dataclass(frozen=True)
class Axes:
    """Which coordinate of a pair is the northing (or the latitude)."""

    northing_first: bool
    degrees: bool = False

    def sentence(self) -> str:
        """Return the decision as a bilingual sentence."""
        if self.degrees:
            if self.northing_first:
                return "坐标为经纬度，纬度在前 / coordinates are degrees, latitude first"
            return "坐标为经纬度，经度在前 / coordinates are degrees, longitude first"
        if self.northing_first:
            return ("轴序：第一个坐标为北坐标 X（7 位），第二个为东坐标 Y（按数值判断，符合测量惯例）/ axis order: "
                    "the first coordinate is the northing X (7 digits), the second the easting Y (decided from "
                    "the numbers; the surveying convention)")
        return ("轴序：第一个坐标为东坐标 Y，第二个为北坐标 X（按数值判断，与测量惯例相反，已交换）/ axis order: the "
                "first coordinate is the easting Y, the second the northing X (decided from the numbers; the "
                "reverse of the surveying convention, swapped)")


def _pair_kinds(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair: "NE", "EN" (metres), "LL" (lat, lon), "ll" (lon, lat) or "" when the numbers do not say."""
    kinds = np.full(len(a), "", dtype=object)
    kinds[_is_northing(a) & _is_easting(b)] = "NE"
    kinds[_is_easting(a) & _is_northing(b)] = "EN"
    kinds[_is_lat(a) & _is_lon(b)] = "LL"
    kinds[_is_lon(a) & _is_lat(b)] = "ll"
    return kinds


def decide_axes(a: np.ndarray, b: np.ndarray, positions: Sequence[int], *, source: str,
                unit: str = "line") -> Axes:
    """Decide which of two coordinate columns is the northing, from the magnitudes of every pair.

    A northing in China has 7 digits; an easting 6, or 8 with the zone number
    in front; degrees are told apart the same way (latitude below 60,
    longitude 70–140).  Every pair must say the same.

    Parameters
    ----------
    a, b : numpy.ndarray
        The first and second coordinate of each point, as written.
    positions : sequence of int
        The line (or row) number of each point, for messages.
    source : str
        The file, for messages.
    unit : {"line", "row"}
        What *positions* count.

    Raises
    ------
    ReadError
        A pair whose numbers do not decide (naming its line), or pairs that
        disagree (naming the first one against the majority).

    Examples
    --------
    >>> import numpy as np
    >>> decide_axes(np.array([585000.0]), np.array([3471000.0]), [3], source="t.txt").northing_first
    False
    >>> decide_axes(np.array([3471000.0]), np.array([3585000.0]), [7], source="t.txt")
    Traceback (most recent call last):
    ...
    suzhou_geo.errors.ReadError: t.txt: 第 7 行 / line 7: ...
    """
    kinds = _pair_kinds(np.asarray(a, float), np.asarray(b, float))
    bad = np.flatnonzero(kinds == "")
    if len(bad):
        i = bad[0]
        raise ReadError(
            f"{where(unit, positions[i])}: 坐标 {a[i]}, {b[i]} 无法判断哪个是北坐标 / the coordinates "
            f"{a[i]}, {b[i]} do not tell which is the northing (7 digits) and which the easting (6 digits, or 8 "
            "with the zone number in front)" + (f" ({len(bad)} such {unit}s)" if len(bad) > 1 else ""),
            source=source,
            hint="改正该处坐标；X 为北坐标，Y 为东坐标 / correct the coordinates there: X is the northing, Y the "
                 "easting (metres of a national Gauss-Krüger system)",
        )
    values, counts = np.unique(kinds, return_counts=True)
    major = values[np.argmax(counts)]
    if len(values) > 1:
        i = np.flatnonzero(kinds != major)[0]
        raise ReadError(
            f"{where(unit, positions[i])}: 坐标 {a[i]}, {b[i]} 的顺序与其余 {int(counts.max())} 个点相反 / the "
            f"coordinates {a[i]}, {b[i]} are in the reverse order of the other {int(counts.max())} points "
            f"({_kind_words(kinds[i])} instead of {_kind_words(major)})",
            source=source,
            hint="使该点与其他点顺序一致 / write that point in the same order as the others",
        )
    return Axes(northing_first=major in ("NE", "LL"), degrees=major in ("LL", "ll"))


def _kind_words(kind: str) -> str:
    return {"NE": "northing first", "EN": "easting first", "LL": "latitude first",
            "ll": "longitude first"}[kind]


# --------------------------------------------------------------------------- zone


@dataclass(frozen=True)
class Zone:
    """The Gauss-Krüger zone of a file's eastings and how it was decided."""

    width: int
    cm: int
    zone: int | None
    prefixed: bool
    how: str

    def crs(self, datum: str) -> str:
        """Return the EPSG code of this zone in *datum*."""
        if self.prefixed:
            return gauss_kruger(datum, self.width, zone=self.zone)
        return gauss_kruger(datum, self.width, cm=self.cm)


def _cm_of(width: int, zone: int) -> int:
    return 3 * zone if width == 3 else 6 * zone - 3


def _width_of_zone(zone: int) -> int | None:
    return next((w for w, zones in ZONES.items() if zone in zones), None)


def decide_zone(
    eastings: np.ndarray,
    positions: Sequence[int],
    *,
    header_zone: str | None,
    header_width: int | None,
    source: str,
    zone_line: int | None = None,
    unit: str = "line",
) -> Zone | None:
    """Decide the zone, its width and whether eastings carry the zone prefix.

    The prefix of the eastings (``40`` in ``40585000.0``) gives the zone; a
    带号 or 几度分带 in the header that contradicts it is an error.  Eastings
    without the prefix take the zone from 带号 (a value of 73 or more is read
    as a central meridian, and said so).

    Returns
    -------
    Zone or None
        None when the eastings carry no prefix and the header gives no 带号.

    Raises
    ------
    ReadError
        Eastings with and without the prefix, or with different prefixes, in one
        file; a 带号 or 几度分带 that contradicts the prefix.

    Examples
    --------
    >>> import numpy as np
    >>> z = decide_zone(np.array([40585000.0]), [12], header_zone="40", header_width=3, source="t.txt")
    >>> z.crs("CGCS2000"), z.prefixed
    ('EPSG:4528', True)
    >>> decide_zone(np.array([585000.0]), [12], header_zone="40", header_width=3, source="t.txt").crs("CGCS2000")
    'EPSG:4549'
    """
    e = np.asarray(eastings, float)
    prefixed = e >= 1e7
    if prefixed.any() and not prefixed.all():
        i = np.flatnonzero(prefixed != prefixed[0])[0]
        raise ReadError(
            f"{where(unit, positions[i])}: 东坐标 {e[i]} 与首个点 {e[0]} 一个带带号前缀一个不带 / the easting {e[i]} "
            f"and the first point's {e[0]} differ: one carries the zone number in front, the other not",
            source=source, hint="统一东坐标的写法 / write every easting the same way",
        )
    hz = _header_zone(header_zone, source, zone_line)
    if prefixed.all():
        return _prefixed_zone(e, positions, hz, header_width, source, zone_line, unit)
    if hz is None:
        return None
    return _plain_zone(hz, header_width, source, zone_line)


def _header_zone(text: str | None, source: str, line: int | None) -> int | None:
    value = (text or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not np.isfinite(number) or number != int(number):
        at = f"{where('line', line)}: " if line else ""
        raise ReadError(f"{at}带号={value} 不是整数 / 带号={value} is not a whole number", source=source,
                        hint="写带号，如 带号=40 / write the zone number, e.g. 带号=40")
    return int(number)


def _prefixed_zone(e, positions, hz, width, source, zone_line, unit) -> Zone:
    zones = _prefix_zone(e)
    if (zones != zones[0]).any():
        i = np.flatnonzero(zones != zones[0])[0]
        raise ReadError(
            f"{where(unit, positions[i])}: 东坐标 {e[i]} 的带号前缀 {zones[i]} 与首个点的 {zones[0]} 不同 / the "
            f"easting {e[i]} carries zone {zones[i]}, the first point zone {zones[0]}",
            source=source, hint="一个文件只能有一个投影带 / one file holds one zone: split it or correct the point",
        )
    z = int(zones[0])
    zone_width = _width_of_zone(z)
    if width is not None and z not in ZONES[width]:
        raise ReadError(
            f"几度分带={width}，但东坐标的带号前缀 {z} 不是 {width}° 带 / 几度分带={width} but the eastings carry zone "
            f"{z}, which is not a {width}-degree zone of China",
            source=source, hint="改正 几度分带 或 带号 / correct 几度分带 or the coordinates",
        )
    width = width or zone_width
    cm = _cm_of(width, z)
    if hz is not None and hz != z and hz != cm:
        at = f"{where('line', zone_line)}: " if zone_line else ""
        raise ReadError(
            f"{at}带号={hz}，但东坐标的带号前缀为 {z} / 带号={hz} but the eastings carry the zone number {z}",
            source=source, hint="改正带号或坐标 / correct 带号 or the coordinates",
        )
    how = (f"东坐标带带号前缀 {z}（{width}° 带，中央经线 {cm}°E）/ the eastings carry the zone number {z} "
           f"({width}-degree zone, central meridian {cm}°E)")
    return Zone(width, cm, z, True, how)


def _plain_zone(hz: int, width: int | None, source: str, zone_line: int | None) -> Zone:
    if hz >= 73:  # a central meridian written as 带号
        w = width or 3
        if hz % 3:
            raise ReadError(f"带号={hz} 不是中央经线 / 带号={hz} is not a central meridian of a zone",
                            source=source, hint="写带号，如 带号=40 / write the zone number, e.g. 带号=40")
        how = (f"带号={hz} 按中央经线 {hz}°E 理解，东坐标不带带号前缀 / 带号={hz} read as the central meridian "
               f"{hz}°E; the eastings carry no zone number")
        return Zone(w, hz, None, False, how)
    w = width or _width_of_zone(hz)
    if w is None or hz not in ZONES[w]:
        at = f"{where('line', zone_line)}: " if zone_line else ""
        raise ReadError(
            f"{at}带号={hz} 不是中国范围内的{'' if width is None else f' {width}°'}投影带 / 带号={hz} is not a "
            f"{'' if width is None else f'{width}-degree '}zone of China (3-degree 25–45, 6-degree 13–23)",
            source=source, hint="改正带号或几度分带 / correct 带号 or 几度分带",
        )
    cm = _cm_of(w, hz)
    how = (f"带号={hz}（{w}° 带，中央经线 {cm}°E），东坐标不带带号前缀 / zone {hz} ({w}-degree, central meridian "
           f"{cm}°E) from 带号; the eastings carry no zone number")
    return Zone(w, cm, hz, False, how)


# --------------------------------------------------------------------------- transformation parameters


def transformation_parameters(text: str | None, *, source: str = "", line: int | None = None) -> DatumShift | None:
    """Return the seven 转换参数 (dx, dy, dz in m; rx, ry, rz in arc-seconds; scale in ppm), or None if not given.

    Empty values (``,,,,,,``) and all zeros mean "not given" (many writers fill zeros).
    Three values give a three-parameter shift.

    Raises
    ------
    ReadError
        A value that is not a number, or a count other than 3 or 7.

    Examples
    --------
    >>> transformation_parameters(",,,,,,") is None, transformation_parameters("0,0,0,0,0,0,0") is None
    (True, True)
    >>> transformation_parameters("-12.5,140.2,80.1,0.1,-0.2,0.3,1.5").dy
    140.2
    """
    parts = [p.strip() for p in (text or "").replace("，", ",").split(",")]
    given = [p for p in parts if p]
    if not given:
        return None
    at = f"{where('line', line)}: " if line else ""
    try:
        values = [float(p) for p in given]
    except ValueError:
        raise ReadError(f"{at}转换参数={text} 含非数字 / 转换参数 holds a value that is not a number",
                        source=source or None, hint="写七个数或保留空的逗号 / write seven numbers, or leave the "
                        "commas empty") from None
    if len(values) not in (3, 7) or (len(values) == 3 and given != parts[:3]):
        raise ReadError(f"{at}转换参数需要 3 或 7 个数，文件中有 {len(values)} 个 / 转换参数 needs 3 or 7 numbers, the "
                        f"file gives {len(values)}", source=source or None,
                        hint="写 dx,dy,dz,rx,ry,rz,ds（米、秒、ppm）/ write dx,dy,dz,rx,ry,rz,ds (m, arc-seconds, ppm)")
    if not any(values):
        return None
    return DatumShift.parse(values)


# --------------------------------------------------------------------------- rings


@dataclass
class Ring:
    """One numbered ring (圈号) of a parcel as read: easting/northing coordinates and point names."""

    number: int
    xy: np.ndarray
    names: list[str]
    line: int
    role: str = ""


#: A ring closes when its last point lies within this distance (m) of its first.
CLOSE_M = 0.001


def build_rings(points: Sequence[tuple[str, int, int]], xy: np.ndarray, *, kind: str, reading: Reading,
                label: str, at: int, unclosed: list[str], unit: str = "line", close: float = CLOSE_M) -> list[Ring]:
    """Split one parcel's points into rings: by 圈号, and for polygons where a ring closes.

    Parameters
    ----------
    points : sequence of (name, ring number, line or row)
        The parcel's points in file order.
    xy : numpy.ndarray
        Their easting/northing (n, 2); a closing point that repeats the first
        point's name at another position is moved onto it (with a warning).
    kind : {"面", "线", "点"}
        Polygons close their rings (an unclosed ring is closed and listed in *unclosed*).
    reading : Reading
        Where notes and warnings go.
    label, at : str, int
        The parcel's name and line (or row), for messages.
    unclosed : list of str
        Collects the rings that had to be closed (one warning per file).
    unit : {"line", "row"}
    close : float
        How near (in the coordinates' unit) the last point must be to the first to close a ring.

    Raises
    ------
    ReadError
        A ring number that resumes after another ring began.

    Examples
    --------
    >>> import numpy as np
    >>> pts = [("J1", 1, 5), ("J2", 1, 6), ("J3", 1, 7), ("J1", 1, 8)]
    >>> xy = np.array([(0, 0), (9, 0), (0, 9), (0, 0)], float)
    >>> r = build_rings(pts, xy, kind="面", reading=Reading("t", "t", "t"), label="K-01", at=4, unclosed=[])
    >>> [(ring.number, ring.names, len(ring.xy)) for ring in r]
    [(1, ['J1', 'J2', 'J3'], 4)]
    """
    rings: list[Ring] = []
    current: list[int] = []
    polygon = kind == "面"

    def finish(closed: bool) -> None:
        if not current:
            return
        pts = [points[k] for k in current]
        coords = xy[current]
        if polygon and not closed:
            coords = np.vstack([coords, coords[:1]])
            unclosed.append(f"{where(unit, at)}（{label}）圈 {pts[0][1]}")
        if rings and rings[-1].number == pts[0][1]:
            reading.notes.append(f"{label}: 圈号 {pts[0][1]} 含多个闭合的圈，各按一圈处理 / ring number {pts[0][1]} "
                                 "holds several closed rings; each is taken as a ring of its own")
        rings.append(Ring(pts[0][1], coords, [p[0] for p in (pts[:-1] if closed else pts)], pts[0][2]))

    seen: set[int] = set()
    for k, (_, number, pos) in enumerate(points):
        if current and number != points[current[0]][1]:
            finish(False)
            current = []
        if not current:
            if number in seen and rings and rings[-1].number != number:
                raise ReadError(f"{where(unit, pos)}: 圈号 {number} 在其他圈之后再次出现 / ring {number} resumes after "
                                "another ring began", source=reading.name,
                                hint="同一圈的点须连续排列 / list the points of a ring together")
            seen.add(number)
        current.append(k)
        if polygon and len(current) >= 4 and _closes(points, current, xy, reading, unit, close):
            finish(True)
            current = []
    finish(False)
    return rings


def _closes(points, current: list[int], xy: np.ndarray, reading: Reading, unit: str, close: float) -> bool:
    """Whether the last point of *current* repeats the ring's first point."""
    first, last = points[current[0]], points[current[-1]]
    (x0, y0), (x1, y1) = xy[current[0]].tolist(), xy[current[-1]].tolist()
    gap = math.hypot(x1 - x0, y1 - y0)
    if gap <= close:
        return True
    if last[0] == first[0] and last[0]:
        warn(reading, f"{where(unit, last[2])}: 闭合点 {last[0]} 与起点坐标相差 {gap:.3f} m，按起点闭合 / the closing "
                      f"point {last[0]} lies {gap:.3f} m from the first point; the ring was closed at the first point")
        xy[current[-1]] = xy[current[0]]
        return True
    return False


def assemble(rings: list[Ring], *, kind: str = "面") -> tuple[Any, list[str]]:
    r"""One parcel's geometry from its rings: holes inside an earlier outer ring, parts outside.

    Ring 1 (the first) is an outer ring.  Every later ring is a hole of the
    first outer ring it lies within (and not within one of that ring's holes:
    an island in a lake is another part); otherwise it is another part of the
    parcel.  Each ring's role is set on it (``"outer"``, ``"hole"``) and
    returned as a bilingual sentence.

    Parameters
    ----------
    rings : list of Ring
        Closed rings (last point equal to the first), in file order.
    kind : {"面", "线", "点"}
        记录图形属性: polygons, lines or points.

    Examples
    --------
    >>> import numpy as np
    >>> sq = lambda x0, s: np.array([(x0, 0), (x0 + s, 0), (x0 + s, s), (x0, s), (x0, 0)], float)
    >>> geom, said = assemble([Ring(1, sq(0, 10), [], 1), Ring(2, sq(2, 2), [], 7), Ring(3, sq(20, 5), [], 13)])
    >>> geom.geom_type, geom.area
    ('MultiPolygon', 121.0)
    >>> print("\n".join(said))
    圈 2 位于圈 1 内，为内环（扣除）/ ring 2 lies inside ring 1: a hole
    圈 3 在其他圈之外，为地块的另一部分 / ring 3 lies outside the other rings: another part of the parcel
    """
    if kind == "点":
        return shapely.multipoints(np.vstack([r.xy[:-1] if len(r.xy) > 1 else r.xy for r in rings])), []
    if kind == "线":
        lines = [shapely.linestrings(r.xy) for r in rings]
        return (lines[0] if len(lines) == 1 else shapely.multilinestrings(lines)), []
    if len(rings) == 1:
        rings[0].role = "outer"
        return shapely.polygons(rings[0].xy), []
    outers: list[tuple[Ring, list[Ring]]] = []
    said: list[str] = []
    for ring in rings:
        host = _host(ring, outers) if outers else None
        if host is None:
            ring.role = "outer"
            if outers:
                said.append(f"圈 {ring.number} 在其他圈之外，为地块的另一部分 / ring {ring.number} lies outside the "
                            "other rings: another part of the parcel")
            outers.append((ring, []))
        else:
            ring.role = "hole"
            host[1].append(ring)
            said.append(f"圈 {ring.number} 位于圈 {host[0].number} 内，为内环（扣除）/ ring {ring.number} lies inside "
                        f"ring {host[0].number}: a hole")
    polys = [shapely.Polygon(o.xy, [h.xy for h in holes]) for o, holes in outers]
    return (polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)), said


def _host(ring: Ring, outers: list[tuple[Ring, list[Ring]]]) -> tuple[Ring, list[Ring]] | None:
    """Return the first outer ring that *ring* lies within and outside of whose holes it lies."""
    poly = shapely.Polygon(ring.xy)
    for outer, holes in outers:
        if poly.within(shapely.Polygon(outer.xy)) and not any(
            poly.within(shapely.Polygon(h.xy)) for h in holes
        ):
            return outer, holes
    return None


# --------------------------------------------------------------------------- planar areas


def planar_crs(crs: Any) -> CRS:
    """Return the plane a surveyor's planar area is computed in: the Gauss-Krüger projection of *crs* on CGCS2000.

    A 地块面积 in a 部标 file is the planar area in the file's Gauss-Krüger
    zone, so it is compared in that projection (same central meridian and
    scale; the zone prefix and the false origin do not change areas).  Layers
    in longitude/latitude, or without a Transverse Mercator projection, use
    CGCS2000 / 3-degree Gauss-Krüger CM 120°E (EPSG:4549), Suzhou's zone.

    Examples
    --------
    >>> cm = lambda c: c.coordinate_operation.params[1].value  # longitude of natural origin
    >>> cm(planar_crs("EPSG:4528")), cm(planar_crs("EPSG:4499"))  # zone 40; 6-degree zone 21
    (120.0, 123.0)
    >>> planar_crs("EPSG:4490").to_epsg()
    4549
    """
    c = CRS.from_user_input(crs) if crs is not None else None
    op = getattr(c, "coordinate_operation", None) if c is not None and c.is_projected else None
    if op is None or "transverse mercator" not in op.method_name.lower():
        return CRS.from_user_input("EPSG:4549")
    params = {p.name.lower(): p.value for p in op.params}
    lon0 = params.get("longitude of natural origin", 120.0)
    k = params.get("scale factor at natural origin", 1.0)
    return CRS.from_proj4(f"+proj=tmerc +lat_0=0 +lon_0={lon0:g} +k={k:.12g} +x_0=500000 +y_0=0 "
                          "+ellps=GRS80 +units=m +no_defs")


def planar_areas(geoms: np.ndarray, crs: Any) -> np.ndarray:
    """Planar areas (m²) of EPSG:4490 geometries in the Gauss-Krüger plane of *crs* (see :func:`planar_crs`).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from pyproj import Transformer
    >>> t = Transformer.from_crs("EPSG:4528", "EPSG:4490", always_xy=True)
    >>> sq = shapely.transform(box(40585000, 3471000, 40585100, 3471100), t.transform, interleaved=False)
    >>> round(float(planar_areas(np.array([sq]), "EPSG:4528")[0]), 3)
    10000.0
    """
    t = transformer("EPSG:4490", planar_crs(crs))
    return shapely.area(shapely.transform(np.asarray(geoms, dtype=object), t.transform, interleaved=False))


# --------------------------------------------------------------------------- text


def decode_text(data: bytes, encoding: str | None, *, source: str) -> tuple[str, str, bool]:
    r"""Decode a text file: (text, how it was decided, whether it was a Chinese code page).

    With *encoding* given it is used; otherwise a UTF-8 byte-order mark, then
    strict UTF-8, then GB18030 (a superset of GBK and GB2312) are tried.

    Raises
    ------
    ReadError
        The bytes are neither UTF-8 nor GB18030 (or not in the encoding given).

    Examples
    --------
    >>> decode_text("地块".encode("gbk"), None, source="t.txt")
    ('地块', 'GB18030 (检测 detected)', True)
    >>> decode_text(b"\xef\xbb\xbfJ1", None, source="t.txt")[:2]
    ('J1', 'UTF-8 (BOM)')
    """
    if encoding is not None:
        try:
            return data.decode(encoding), f"{encoding} (given)", encoding.lower().replace("-", "") != "utf8"
        except (UnicodeDecodeError, LookupError) as exc:
            raise ReadError(f"cannot decode it as {encoding}: {exc}", source=source,
                            hint="pass the file's real encoding (GBK or UTF-8), or leave encoding out") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 (BOM)", False
    try:
        return data.decode("utf-8"), "UTF-8 (检测 detected)", False
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030 (检测 detected)", True
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReadError(
            f"文本既不是 UTF-8 也不是 GBK/GB18030（第 {line} 行）/ the text is neither UTF-8 nor GBK/GB18030 "
            f"(line {line})",
            source=source, hint="pass encoding= with the file's encoding",
        ) from None


def warn(reading: Reading, message: str) -> None:
    """Record *message* in the reading's notes and show it as a :class:`~suzhou_geo.errors.SuzhouGeoWarning`."""
    import warnings

    reading.notes.append(message)
    warnings.warn(f"{reading.name}: {message}", SuzhouGeoWarning, stacklevel=3)
