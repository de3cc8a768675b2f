r"""The 部标 boundary-coordinate TXT of a 用地预审 / 报批 package: read it, and write it back.

The text file the ministry's 报盘 systems take and CASS exports (``CVTOFJZD2``)::

    [属性描述]
    坐标系=2000国家大地坐标系
    几度分带=3
    投影类型=高斯克吕格
    计量单位=米
    带号=40
    精度=0.001
    转换参数=,,,,,,
    [地块坐标]
    5,2.2500,K-01,某项目用地,面,,,,@
    J1,1,3471000.000,40585000.000
    …

Reading (:func:`read_bubiao`) turns each ``[地块坐标]`` block into one parcel:
the header fields become columns named as in the file (:data:`BLOCK_FIELDS`),
the declared 地块面积 (公顷) also goes into ``declared_area_ha``, the point
names into ``界址点``, and every decision — the encoding, the axis order and
the zone (from the numbers, checked against the header), the CRS, holes and
parts (圈号), rings that had to be closed — is recorded on the returned
:class:`~suzhou_geo.io.survey.Reading`.  The six-column 部备案 variant
(点号,圈号,Y,X,边长,界址点类型) and an optional ``[扩展信息]`` section are read too;
GBK, GB18030 and UTF-8, with or without a byte-order mark, CRLF or LF.

Writing (:func:`write_bubiao`) does the reverse: GBK by default, as 报盘
systems expect; holes and parts numbered by 圈号; areas in 公顷 to 4 decimals;
coordinates to the millimetre, northing first.

Examples
--------
>>> from pathlib import Path
>>> _ = Path("项目.txt").write_text(
...     "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n带号=40\n[地块坐标]\n"
...     "5,0.0100,K-01,某项目用地,面,,,,@\nJ1,1,3471000.000,40585000.000\nJ2,1,3471000.000,40585100.000\n"
...     "J3,1,3471100.000,40585100.000\nJ4,1,3471100.000,40585000.000\nJ1,1,3471000.000,40585000.000\n",
...     encoding="gbk")
>>> frame, reading = read_bubiao("项目.txt")
>>> frame.crs.to_epsg(), frame["地块编号"].tolist(), frame["界址点"].tolist(), frame.geometry.area.tolist()
(4528, ['K-01'], ['J1,J2,J3,J4'], [10000.0])
>>> reading.decisions["坐标参照系 CRS"]
'EPSG:4528 (CGCS2000 / 3-degree Gauss-Kruger zone 40)'
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..crs import legacy_datum, transformer
from ..errors import CRSError, OutputError, ReadError, SuzhouGeoWarning
from .boundary import NAMES_COLUMN, geometry_rings, join_names, named_vertices
from .survey import (
    DATUMS,
    Reading,
    Ring,
    assemble,
    build_rings,
    datum_of,
    decide_axes,
    decide_zone,
    decode_text,
    geographic_crs,
    identify_gauss_kruger,
    parse_width,
    transformation_parameters,
    warn,
    where,
)

__all__ = [
    "FORMAT",
    "BLOCK_FIELDS",
    "LONG_FIELDS",
    "DECLARED_AREA",
    "is_bubiao",
    "read_bubiao",
    "write_bubiao",
]

#: The format's name in provenance.
FORMAT = "部标 TXT"
#: The fields of a block header before ``@``, as the standard names them.
BLOCK_FIELDS = ("界址点数", "地块面积", "地块编号", "地块名称", "记录图形属性", "图幅号", "地块用途", "地类编码")
#: The further fields of the longer (land-consolidation) variants.
LONG_FIELDS = ("图斑类型", "地类", "质量等别前", "质量等别后", "备注")
#: The column that holds the declared 地块面积 in 公顷 (float).
DECLARED_AREA = "declared_area_ha"
#: The sections a 部标 file starts with.
SECTIONS = ("属性描述", "扩展信息", "地块坐标")
#: The keys of ``[属性描述]`` in the order the standard writes them.
ATTRIBUTE_KEYS = ("格式版本号", "数据产生单位", "数据产生日期", "坐标系", "几度分带", "投影类型", "计量单位", "带号",
                  "精度", "转换参数")

_SECTION = re.compile(r"^[\[【]\s*(.+?)\s*[\]】]$")
_KINDS = ("面", "线", "点")
#: 1 亩 in 公顷, 1 m² in 公顷.
_AREA_UNITS = {"": 1.0, "公顷": 1.0, "ha": 1.0, "亩": 1 / 15, "平方米": 1e-4, "m2": 1e-4, "m²": 1e-4}


def is_bubiao(path: str | Path) -> bool:
    r"""Return True if the file starts with a 部标 section (``[属性描述]``, ``[扩展信息]`` or ``[地块坐标]``).

    Examples
    --------
    >>> from pathlib import Path
    >>> _ = Path("a.txt").write_text("\n[属性描述]\n坐标系=2000国家大地坐标系\n", encoding="utf-8-sig")
    >>> _ = Path("b.txt").write_text("id,wkt\n1,POINT (1 2)\n", encoding="utf-8")
    >>> is_bubiao("a.txt"), is_bubiao("b.txt")
    (True, False)
    """
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    text = head.decode("utf-8", errors="ignore") if _utf8ish(head) else head.decode("gb18030", errors="ignore")
    for line in text.lstrip("\ufeff").splitlines():
        if line.strip():
            m = _SECTION.match(line.strip())
            return bool(m and m.group(1) in SECTIONS)
    return False


def _utf8ish(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(data) - 4  # cut inside the last character
    return True


# --------------------------------------------------------------------------- parsing


@dataclass
class _Point:
    line: int
    name: str
    ring: int
    a: float
    b: float
    extra: tuple = ()


@dataclass
class _Block:
    line: int
    fields: list[str]
    points: list[_Point] = field(default_factory=list)


@dataclass
class _Doc:
    attrs: dict[str, tuple[str, int]] = field(default_factory=dict)
    extended: dict[str, tuple[str, int]] = field(default_factory=dict)
    blocks: list[_Block] = field(default_factory=list)
    columns: int = 0
    fullwidth_commas: int = 0


def _parse(text: str, source: str) -> _Doc:
    """Return the sections, key=value pairs, block headers and point lines of a 部标 file, with line numbers."""
    doc = _Doc()
    section = None
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff").strip()
        if not line:
            continue
        m = _SECTION.match(line)
        if m:
            section = m.group(1)
            continue
        if section is None:
            raise ReadError(f"{where('line', no)}: 在第一个节（[属性描述] 或 [地块坐标]）之前有文字 / text "
                            "before the first section ([属性描述] or [地块坐标])", source=source,
                            hint="文件应以 [属性描述] 开头 / the file must start with [属性描述]")
        if "，" in line:
            doc.fullwidth_commas += 1
            line = line.replace("，", ",")
        if section == "地块坐标":
            _coordinate_line(doc, line, no, source)
        else:
            key, sep, value = line.replace("＝", "=").partition("=")
            if not sep:
                raise ReadError(f"{where('line', no)}: [{section}] 中的行应为 键=值 / a line of [{section}] must read "
                                f"key=value, not {line!r}", source=source,
                                hint="改正或删除该行 / correct or delete that line")
            target = doc.attrs if section == "属性描述" else doc.extended
            target[key.strip()] = (value.strip(), no)
    if not doc.blocks:
        raise ReadError("没有 [地块坐标] 地块 / the file holds no [地块坐标] block", source=source,
                        hint="检查文件是否完整 / check that the file is complete")
    return doc


def _coordinate_line(doc: _Doc, line: str, no: int, source: str) -> None:
    fields = [f.strip() for f in line.split(",")]
    while len(fields) > 1 and fields[-1] == "":
        fields.pop()
    if fields[-1] == "@":
        doc.blocks.append(_Block(no, fields[:-1]))
        return
    if len(fields) >= 5 and fields[4] in _KINDS:
        raise ReadError(f"{where('line', no)}: 地块头行缺少结尾的 @ / the block header lacks its closing @",
                        source=source, hint="在该行末尾加上 ,@（@ 不能删除）/ end that line with ,@ (the @ must stay)")
    if not doc.blocks:
        raise ReadError(f"{where('line', no)}: 坐标行前没有地块头行（以 @ 结尾）/ a point line before the first block "
                        "header (the line ending in @)", source=source,
                        hint="在坐标前加地块头行，如 5,2.2500,K-01,地块1,面,,,,@ / add the block header before "
                             "the points")
    doc.blocks[-1].points.append(_point(fields, no, doc, source))


def _point(fields: list[str], no: int, doc: _Doc, source: str) -> _Point:
    if len(fields) not in (4, 6):
        raise ReadError(f"{where('line', no)}: 坐标行应有 4 列（点号,圈号,X,Y）或 6 列（点号,圈号,Y,X,边长,"
                        f"界址点类型），该行有 {len(fields)} 列 / a point line has 4 or 6 fields, this one "
                        f"{len(fields)}",
                        source=source, hint="改正该行 / correct that line")
    if doc.columns and len(fields) != doc.columns:
        raise ReadError(f"{where('line', no)}: 该行 {len(fields)} 列，前面的坐标行 {doc.columns} 列 / {len(fields)} "
                        f"fields, the point lines before have {doc.columns}", source=source,
                        hint="一个文件中的坐标行列数须一致 / every point line of a file has the same fields")
    doc.columns = len(fields)
    try:
        ring = int(fields[1])
    except ValueError:
        raise ReadError(f"{where('line', no)}: 圈号 {fields[1]!r} 不是整数 / the ring number (圈号) {fields[1]!r} is "
                        "not a whole number", source=source, column="圈号",
                        hint="圈号写 1、2、…；不扣除内部面积时统一填 1 / write 1, 2, …") from None
    a, b = (_number(fields[k], no, k, source) for k in (2, 3))
    extra = ()
    if len(fields) == 6:
        side = fields[4]
        extra = (_number(side, no, 4, source) if side else np.nan, fields[5] or None)
    return _Point(no, fields[0], ring, a, b, extra)


def _number(text: str, no: int, k: int, source: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = np.nan
    if not np.isfinite(value):
        label = {2: "第一个坐标", 3: "第二个坐标", 4: "边长"}[k]
        english = {2: "first coordinate", 3: "second coordinate", 4: "side length"}[k]
        raise ReadError(f"{where('line', no)}: {label} {text!r} 不是数 / the {english} {text!r} is not a number",
                        source=source, hint="改正该坐标（只用半角数字和小数点）/ correct it (ASCII digits and a "
                        "decimal point only)")
    return value


# --------------------------------------------------------------------------- the CRS


def _crs(doc: _Doc, reading: Reading, axes, eastings: np.ndarray, lines: list[int]) -> str | None:
    """Return the file's CRS from 坐标系, 几度分带, 带号 and the eastings; None (with crs_error) if undecided."""
    src = reading.name
    system, system_line = doc.attrs.get("坐标系", ("", None))
    datum = datum_of(system, source=src, line=system_line)
    width_text, width_line = doc.attrs.get("几度分带", doc.attrs.get("分带", ("", None)))
    width = parse_width(width_text, source=src, line=width_line)
    _check_words(doc, reading, axes.degrees)
    if datum is None:
        reading.crs_error = CRSError(
            "坐标系 为空，无法判断大地基准 / 坐标系 is empty: the datum cannot be decided", source=src,
            hint="在文件中填写 坐标系=2000国家大地坐标系，或用 crs= 指明 / fill 坐标系 in the file, or pass crs= "
                 "(e.g. 'EPSG:4528' for CGCS2000 zone 40 with the prefix)")
        return None
    if axes.degrees:
        reading.decide("分带 zone", "经纬度 degrees", "坐标为经纬度，不分带 / coordinates are degrees (no zone)")
        return geographic_crs(datum)
    zone_text, zone_line = doc.attrs.get("带号", ("", None))
    zone = decide_zone(eastings, lines, header_zone=zone_text, header_width=width, source=src,
                       zone_line=zone_line)
    if zone is None:
        reading.crs_error = CRSError(
            "东坐标不带带号前缀，且 带号 为空：无法判断中央经线 / the eastings carry no zone number and 带号 is "
            "empty: the central meridian cannot be decided", source=src,
            hint="在文件中填写带号（苏州为 3° 带 40 带）或用 crs= 指明，如 crs='EPSG:4549' / fill 带号 in the file "
                 "(Suzhou: 3-degree zone 40), or pass crs=, e.g. crs='EPSG:4549' (CGCS2000, CM 120°E)")
        return None
    reading.decide("分带 zone", f"{zone.width}°, CM {zone.cm}°E" + (f", 带号 {zone.zone}" if zone.zone else ""),
                   zone.how)
    return zone.crs(datum)


def _check_words(doc: _Doc, reading: Reading, degrees: bool) -> None:
    """投影类型 and 计量单位 against what the numbers say."""
    projection, pline = doc.attrs.get("投影类型", ("", None))
    unit, uline = doc.attrs.get("计量单位", ("", None))
    gk = ("高斯", "gauss", "克吕格", "kruger", "横轴墨卡托", "transverse")
    if projection and not degrees and not any(w in projection.lower() for w in gk):
        raise ReadError(f"{where('line', pline)}: 投影类型={projection} 不是高斯-克吕格投影 / 投影类型={projection} is "
                        "not Gauss-Krüger", source=reading.name,
                        hint="部标坐标文件用高斯克吕格投影；其他投影请转换后再读 / convert the file to "
                             "Gauss-Krüger first")
    metres = unit.strip().lower() in ("", "米", "m", "meter", "metre", "meters", "metres", "公尺")
    if degrees and unit and unit not in ("度", "°", "degree", "degrees"):
        warn(reading, f"{where('line', uline)}: 计量单位={unit}，但坐标是经纬度（按数值判断）/ 计量单位={unit}, "
                      "but the coordinates are degrees (decided from the numbers)")
    elif not degrees and not metres:
        raise ReadError(f"{where('line', uline)}: 计量单位={unit}，坐标应以米为单位 / 计量单位={unit}: "
                        "coordinates must be metres", source=reading.name, hint="写 计量单位=米 / write 计量单位=米")


def _datum_shift(doc: _Doc, reading: Reading, crs: str | None) -> None:
    """Return the 转换参数 of a legacy-datum file become its datum shift (recorded as from the file)."""
    text, line = doc.attrs.get("转换参数", ("", None))
    shift = transformation_parameters(text, source=reading.name, line=line)
    if shift is None:
        return
    if crs is None or legacy_datum(crs) is None:
        reading.notes.append(f"转换参数={text} 未使用：坐标已是 2000国家大地坐标系 / 转换参数={text} not used: the "
                             "coordinates are already CGCS2000")
        return
    reading.datum_shift = shift
    reading.decide(
        "转换参数 datum shift", f"文件提供 from the file: {text}",
        f"转换参数取自文件（{text}；平移米、旋转秒、尺度 ppm，按位置矢量法 EPSG 9606）/ the datum shift comes from "
        f"the file ({text}; translations in m, rotations in arc-seconds, scale in ppm, position-vector "
        "convention EPSG 9606): confirm them with the surveying bureau")


# --------------------------------------------------------------------------- blocks to rows


def _label(block: _Block) -> str:
    fields = block.fields
    return next((f for f in (fields[2:3] + fields[3:4]) if f), f"地块 {fields[0] if fields else ''}")


def _check_count(block: _Block, rings: list[Ring], reading: Reading) -> None:
    """界址点数 must equal the point lines of the block, or the distinct points (closing repeats left out)."""
    text = block.fields[0] if block.fields else ""
    lines = len(block.points)
    distinct = sum(len(r.names) for r in rings)
    try:
        declared = int(text)
    except ValueError:
        raise ReadError(f"{where('line', block.line)}: 界址点数 {text!r} 不是整数 / 界址点数 {text!r} is not a whole "
                        "number", source=reading.name, column="界址点数",
                        hint=f"写该地块的坐标行数（{lines}）/ write the number of point lines ({lines})") from None
    if declared == lines:
        return
    if declared == distinct:
        reading.notes.append(f"{where('line', block.line)}（{_label(block)}）: 界址点数 {declared} 不含闭合点 / "
                             f"界址点数 {declared} counts the points without the closing repeats")
        return
    span = f"{block.points[0].line}–{block.points[-1].line}" if block.points else "none"
    raise ReadError(
        f"{where('line', block.line)}: 地块 {_label(block)} 的界址点数为 {declared}，但有 {lines} 个坐标行"
        f"（第 {span} 行）/ block {_label(block)} says 界址点数 {declared} but has {lines} point lines (lines {span})",
        source=reading.name, column="界址点数",
        hint="改正界址点数，或检查是否缺少坐标行 / correct 界址点数, or check whether a point line is missing",
    )


def _area(text: str, block: _Block, reading: Reading) -> float:
    """地块面积 in 公顷 (a unit written after the number is converted); NaN if empty."""
    value = text.strip()
    if not value:
        return np.nan
    m = re.match(r"^([0-9]*\.?[0-9]+)\s*(公顷|ha|亩|平方米|m2|m²)?$", value)
    if m is None:
        raise ReadError(f"{where('line', block.line)}: 地块面积 {value!r} 不是数 / 地块面积 {value!r} is not a number",
                        source=reading.name, column="地块面积",
                        hint="写公顷数，如 2.2500 / write the area in 公顷, e.g. 2.2500")
    unit = m.group(2) or ""
    if unit not in ("", "公顷", "ha"):
        reading.notes.append(f"{where('line', block.line)}: 地块面积 {value} 已换算为公顷 / 地块面积 {value} converted "
                             "to 公顷")
    return float(m.group(1)) * _AREA_UNITS[unit]


def _kind(block: _Block, reading: Reading) -> str:
    kind = block.fields[4] if len(block.fields) > 4 else ""
    if kind in _KINDS:
        return kind
    if kind == "":
        return "面"
    raise ReadError(f"{where('line', block.line)}: 记录图形属性 {kind!r} 应为 点、线 或 面 / 记录图形属性 must be "
                    "点, 线 or 面", source=reading.name, column="记录图形属性", hint="写 面 / write 面")


def _columns(doc: _Doc) -> list[str]:
    width = max(len(b.fields) for b in doc.blocks)
    names = list(BLOCK_FIELDS + LONG_FIELDS)
    return names[:width] if width <= len(names) else names + [f"字段{k}" for k in range(len(names) + 1, width + 1)]


def _rows(doc: _Doc, axes, reading: Reading) -> tuple[list[dict], list[Any], list[tuple]]:
    """Attribute rows, geometries and point records of every block."""
    columns = _columns(doc)
    rows, geoms, points, unclosed, zero = [], [], [], [], []
    for pos, block in enumerate(doc.blocks):
        if not block.points:
            raise ReadError(f"{where('line', block.line)}: 地块 {_label(block)} 没有坐标行 / block {_label(block)} has "
                            "no point lines", source=reading.name, hint="补上坐标或删除该地块 / add its points or "
                            "delete the block")
        ab = np.array([(p.a, p.b) for p in block.points])
        xy = ab[:, ::-1].copy() if axes.northing_first else ab.copy()
        kind = _kind(block, reading)
        rings = build_rings([(p.name, p.ring, p.line) for p in block.points], xy, kind=kind, reading=reading,
                            label=_label(block), at=block.line, unclosed=unclosed, close=1e-8 if axes.degrees else 1e-3)
        _check_count(block, rings, reading)
        _check_rings(rings, block, kind, reading)
        geom, said = assemble(rings, kind=kind)
        reading.notes += [f"{_label(block)}: {s}" for s in said]
        row = dict(zip(columns, [f if f != "" else None for f in block.fields] + [None] * len(columns), strict=False))
        row["界址点数"] = int(block.fields[0])
        row["地块面积"] = _area(block.fields[1] if len(block.fields) > 1 else "", block, reading)
        row[NAMES_COLUMN] = join_names([r.names for r in rings])
        declared = row["地块面积"]
        if declared == 0:
            zero.append(_label(block))
        row[DECLARED_AREA] = declared if declared and np.isfinite(declared) else np.nan
        rows.append(row)
        geoms.append(geom)
        points += _point_records(pos, block, rings, ab, xy)
        if kind != "面":
            what = "a line" if kind == "线" else "points"
            reading.row_issues[pos] = f"记录图形属性={kind}，不是面 / recorded as {what}"
    _say_closed(reading, unclosed)
    if zero:
        reading.notes.append(f"地块面积为 0，视为未填写：{', '.join(zero[:10])} / 地块面积 0 taken as not given: "
                             f"{', '.join(zero[:10])}" + (" …" if len(zero) > 10 else ""))
    return rows, geoms, points


def _check_rings(rings: list[Ring], block: _Block, kind: str, reading: Reading) -> None:
    if kind != "面":
        return
    for r in rings:
        if len(set(map(tuple, r.xy[:-1].tolist()))) < 3:
            raise ReadError(f"{where('line', r.line)}: 地块 {_label(block)} 的圈 {r.number} 不足 3 个不同的点 / ring "
                            f"{r.number} of block {_label(block)} has fewer than 3 distinct points",
                            source=reading.name, hint="补全该圈的界址点 / complete the ring's points")


def _say_closed(reading: Reading, unclosed: list[str]) -> None:
    if unclosed:
        shown = "; ".join(unclosed[:8]) + (" …" if len(unclosed) > 8 else "")
        warn(reading, f"{len(unclosed)} 个圈未闭合（末点未重复首点），已自动闭合：{shown} / {len(unclosed)} "
                      f"ring(s) did not repeat their first point and were closed: {shown}")


def _point_records(pos: int, block: _Block, rings: list[Ring], ab: np.ndarray, xy: np.ndarray) -> list[tuple]:
    """(row, ring, point, x_file, y_file, x, y, extra…) of each named point (closing repeats left out)."""
    out = []
    by_line = {p.line: i for i, p in enumerate(block.points)}
    for ring in rings:
        start = by_line[ring.line]
        for j, name in enumerate(ring.names):
            i = start + j
            p = block.points[i]
            out.append((pos, ring.number, name, float(ab[i, 0]), float(ab[i, 1]), float(xy[i, 0]),
                        float(xy[i, 1]), *p.extra))
    return out


def read_bubiao(path: str | Path, *, encoding: str | None = None,
                name: str | None = None) -> tuple[gpd.GeoDataFrame, Reading]:
    """Read a 部标 boundary-coordinate TXT: one row per ``[地块坐标]`` block, in the file's CRS.

    Parameters
    ----------
    path : str or path
        The file.
    encoding : str, optional
        Its text encoding; by default a byte-order mark, UTF-8 or GB18030 (GBK) is detected.
    name : str, optional
        How to call it in messages (default: the file name).

    Returns
    -------
    (geopandas.GeoDataFrame, Reading)
        The parcels — block header fields as columns named as in the file
        (:data:`BLOCK_FIELDS`, :data:`LONG_FIELDS`), ``界址点`` (point names),
        ``declared_area_ha`` — with the CRS the file declares (None when the
        file does not say enough: ``Reading.crs_error`` says why); and the
        reading: encoding, decisions, notes, the points table, a datum shift
        from 转换参数.

    Raises
    ------
    suzhou_geo.errors.ReadError
        Malformed input, naming the line and the fix: a block whose point count
        disagrees with 界址点数, a header without ``@``, a coordinate that is not
        a number, coordinates whose axis order or zone the numbers do not decide.
    suzhou_geo.errors.CRSError
        坐标系 names no national datum.
    """
    path = Path(path)
    label = name or path.name
    text, how, _ = decode_text(path.read_bytes(), encoding, source=label)
    reading = Reading(str(path), label, FORMAT, how)
    doc = _parse(text, label)
    _say_header(doc, reading)
    pts = [p for b in doc.blocks for p in b.points]
    a, b = np.array([p.a for p in pts]), np.array([p.b for p in pts])
    lines = [p.line for p in pts]
    axes = decide_axes(a, b, lines, source=label)
    order = "X（北）在前 northing first" if axes.northing_first else "Y（东）在前 easting first"
    reading.decide("轴序 axis order", order, axes.sentence())
    crs = _crs(doc, reading, axes, b if axes.northing_first else a, lines)
    if crs is not None:
        reading.decide("坐标参照系 CRS", _describe(crs), f"坐标参照系 {_describe(crs)}（由文件头与坐标判断）/ CRS "
                       f"{_describe(crs)} (from the header and the coordinates)")
    _datum_shift(doc, reading, crs)
    rows, geoms, points = _rows(doc, axes, reading)
    frame = gpd.GeoDataFrame(pd.DataFrame.from_records(rows), geometry=geoms, crs=crs)
    frame["界址点数"] = frame["界址点数"].astype("int64")
    frame["地块面积"] = frame["地块面积"].astype(float)
    extra = ("边长", "界址点类型") if doc.columns == 6 else ()
    reading.points = pd.DataFrame.from_records(
        points, columns=["row", "ring", "point", "x_file", "y_file", "x", "y", *extra])
    return frame, reading


def _say_header(doc: _Doc, reading: Reading) -> None:
    six = ("6 列（点号,圈号,Y,X,边长,界址点类型，部备案格式）",
           "six columns (point, ring, Y, X, side, kind: the 部备案 variant)")
    zh, en = six if doc.columns == 6 else ("4 列（点号,圈号,X,Y）", "four columns (point, ring, X, Y)")
    reading.decide("格式 variant", f"{zh} / {en}", f"部标坐标文件，坐标行为{zh} / 部标 coordinate file, point lines "
                   f"of {en}")
    for key, (value, _) in doc.attrs.items():
        if value and key in ATTRIBUTE_KEYS:
            reading.decisions[f"属性描述 · {key}"] = value
    for key, (value, _) in doc.extended.items():
        reading.decide(f"扩展信息 · {key}", value)
    if doc.fullwidth_commas:
        reading.notes.append(f"{doc.fullwidth_commas} 行含全角逗号，按半角逗号读取 / {doc.fullwidth_commas} line(s) "
                             "used full-width commas (，), read as commas")


def _describe(crs: Any) -> str:
    c = CRS.from_user_input(crs)
    return f"EPSG:{c.to_epsg()} ({c.name})" if c.to_epsg() else c.name


# --------------------------------------------------------------------------- writing


#: Where the writer looks for each header field, first match wins.
WRITE_SOURCES = {
    "地块编号": ("地块编号", "宗地号", "宗地编号", "编号", "parcel_id", "id"),
    "地块名称": ("地块名称", "名称", "Name", "name", "标注"),
    "图幅号": ("图幅号",),
    "地块用途": ("地块用途", "用途"),
    "地类编码": ("地类编码", "DLBM"),
}


def _target(crs: Any, frame_crs: Any) -> tuple[CRS, str, int, int | None, int]:
    """(target CRS, datum key, width, zone or None, central meridian) of a Chinese Gauss-Krüger CRS."""
    target = CRS.from_user_input(crs)
    found = identify_gauss_kruger(target)
    if found is None:
        raise OutputError(
            f"部标坐标文件须用国家高斯-克吕格坐标系，{target.name} 不是 / a 部标 file is written in a national "
            f"Gauss-Krüger CRS, not {target.name}", source="crs",
            hint="pass crs='EPSG:4528' (CGCS2000 3-degree zone 40, eastings prefixed with 40) or 'EPSG:4549' "
                 "(the same without the prefix)")
    datum, width, zone, cm = found
    if datum != "CGCS2000" and (frame_crs is None or CRS.from_user_input(frame_crs) != target):
        raise OutputError(
            f"写入 {DATUMS[datum][1]} 需要测绘部门的转换参数 / writing {datum} needs the surveying bureau's "
            "parameters, which the library does not guess", source="crs",
            hint="write CGCS2000 (crs='EPSG:4528'), or convert the layer to that CRS yourself first")
    return target, datum, width, zone, cm


def write_bubiao(
    frame: gpd.GeoDataFrame,
    path: str | Path,
    *,
    crs: Any = "EPSG:4528",
    encoding: str = "GBK",
    header: dict[str, str] | None = None,
) -> Path:
    """Write a layer as a 部标 boundary-coordinate TXT (one ``[地块坐标]`` block per row).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The parcels, in any CRS.  Header fields come from columns named as in
        the standard (地块编号, 地块名称, 图幅号, 地块用途, 地类编码, and the longer
        variants' fields; see :data:`WRITE_SOURCES` for the other names
        accepted); point names from ``界址点`` when they fit the vertices, else
        ``J1, J2, …`` numbered through each parcel.
    path : str or path
        The file to write (replaced if it exists: :func:`suzhou_geo.io.write_layer`
        checks that first).
    crs : str or pyproj.CRS, default ``"EPSG:4528"``
        A national Gauss-Krüger CRS: CGCS2000 3-degree zone 40 with the prefix
        by default (``"EPSG:4549"`` writes the same without it, 6-degree zones
        work too).  Xi'an 1980 and Beijing 1954 only for a layer already in that CRS.
    encoding : str, default ``"GBK"``
        What 报盘 systems expect; ``"UTF-8"`` for newer ones.
    header : dict, optional
        Values of ``[属性描述]`` keys (数据产生单位, 格式版本号, …) to write.

    Returns
    -------
    pathlib.Path

    Notes
    -----
    地块面积 is the row's declared area (``declared_area_ha``, or a numeric
    ``地块面积``) when it has one, else the planar area in *crs*, in 公顷 to 4
    decimals.  Coordinates are written to the millimetre, northing (X) first,
    each ring closed by repeating its first point; holes and further parts get
    the next 圈号 (outer ring, its holes, next part, …).  Rows without geometry
    cannot be written and are left out with a warning naming them.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"地块编号": ["K-01"]}, geometry=[box(585000, 3471000, 585100, 3471100)],
    ...                      crs="EPSG:4549")
    >>> p = write_bubiao(g, "out.txt", header={"数据产生日期": "2026-12-01"})
    >>> print(p.read_text(encoding="gbk").splitlines()[11:14])
    ['[地块坐标]', '5,1.0000,K-01,,面,,,,@', 'J1,1,3471000.000,40585100.000']
    """
    if frame.crs is None:
        raise OutputError("图层没有坐标参照系 / the layer has no CRS", source=str(path),
                          hint="set the layer's CRS first (frame.set_crs(...))")
    target, datum, width, zone, cm = _target(crs, frame.crs)
    lines = _header_lines(datum, width, zone, cm, header or {})
    body, skipped, renamed = _blocks(frame, target)
    _say_written(path, skipped, renamed, frame)
    text = "\r\n".join(lines + body) + "\r\n"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        raise OutputError(f"{bad!r} 无法用 {encoding} 编码 / {bad!r} cannot be written in {encoding}", source=str(path),
                          hint="pass encoding='GB18030' or 'UTF-8'") from None
    path = Path(path)
    path.write_bytes(data)
    return path


def _header_lines(datum: str, width: int, zone: int | None, cm: int, header: dict[str, str]) -> list[str]:
    unknown = sorted(set(header) - set(ATTRIBUTE_KEYS))
    if unknown:
        raise OutputError(f"header has unknown keys {unknown}", source="header",
                          hint=f"use the keys of [属性描述]: {', '.join(ATTRIBUTE_KEYS)}")
    zone_number = zone if zone is not None else (cm // 3 if width == 3 else (cm + 3) // 6)
    values = {
        "格式版本号": "1.01", "数据产生单位": "", "数据产生日期": _dt.date.today().isoformat(),
        "坐标系": DATUMS[datum][1], "几度分带": str(width),
        "投影类型": "高斯克吕格", "计量单位": "米", "带号": str(zone_number), "精度": "0.001", "转换参数": ",,,,,,",
    }
    values.update({k: str(v) for k, v in header.items()})
    return ["[属性描述]", *(f"{k}={values[k]}" for k in ATTRIBUTE_KEYS)]


def _blocks(frame: gpd.GeoDataFrame, target: CRS) -> tuple[list[str], list[Any], list[Any]]:
    """Return the ``[地块坐标]`` section: one block per row with a geometry."""
    to = transformer(frame.crs, target)
    geoms = shapely.transform(np.asarray(frame.geometry.values, dtype=object), to.transform, interleaved=False)
    out, skipped, renamed = ["[地块坐标]"], [], []
    names = frame[NAMES_COLUMN].tolist() if NAMES_COLUMN in frame.columns else [None] * len(frame)
    records = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")
    present = [f for f in LONG_FIELDS if f in frame.columns]
    long_fields = LONG_FIELDS[: LONG_FIELDS.index(present[-1]) + 1] if present else ()
    for pos, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            skipped.append(frame.index[pos])
            continue
        rings, kind, matched = _write_rings(geom, names[pos])
        if not matched and isinstance(names[pos], str) and names[pos]:
            renamed.append(frame.index[pos])
        points = [line for number, (xy, ring_names) in enumerate(rings, start=1)
                  for line in _point_lines(xy, ring_names, number)]
        out.append(_block_header(records[pos], geom, kind, rings, len(points), long_fields))
        out += points
    return out, skipped, renamed


def _write_rings(geom: Any, names: Any) -> tuple[list[tuple[np.ndarray, list[str]]], str, bool]:
    """[(open ring coordinates, point names)], 记录图形属性, and whether the 界址点 names fitted."""
    from .boundary import split_names

    if geom.geom_type in ("Point", "MultiPoint"):
        xy = shapely.get_coordinates(geom)
        return [(xy, [f"J{k}" for k in range(1, len(xy) + 1)])], "点", False
    if geom.geom_type in ("LineString", "MultiLineString", "LinearRing"):
        parts = [geom] if geom.geom_type != "MultiLineString" else list(geom.geoms)
        rings, k = [], 0
        for p in parts:
            xy = shapely.get_coordinates(p)
            rings.append((xy, [f"J{k + i}" for i in range(1, len(xy) + 1)]))
            k += len(xy)
        return rings, "线", False
    rings = geometry_rings(geom if geom.geom_type in ("Polygon", "MultiPolygon") else shapely.Polygon())
    groups = split_names(names)
    fitted = _fit_names(rings, groups)
    if fitted is not None:
        return fitted, "面", True
    out, k = [], 0
    for xy in rings:
        keep = _without_split_points(xy)
        out.append((keep, [f"J{k + i}" for i in range(1, len(keep) + 1)]))
        k += len(keep)
    return out, "面", False


def _fit_names(rings: list[np.ndarray], groups: list[list[str]]) -> list[tuple[np.ndarray, list[str]]] | None:
    if not groups or len(groups) != len(rings):
        return None
    out = []
    for xy, names in zip(rings, groups, strict=True):
        idx = named_vertices(xy, len(names))
        if idx is None:
            return None
        out.append((xy[idx], names))
    return out


def _without_split_points(xy: np.ndarray) -> np.ndarray:
    """Return the ring without the points added when its long edges were split (fewest vertices that explain it)."""
    for count in range(3, len(xy)):
        idx = named_vertices(xy, count)
        if idx is not None:
            return xy[idx]
    return xy


def _point_lines(xy: np.ndarray, names: list[str], number: int) -> list[str]:
    closed = list(zip(names, xy.tolist(), strict=True))
    if len(closed) > 2:
        closed.append(closed[0])
    return [f"{_clean(n)},{number},{y:.3f},{x:.3f}" for n, (x, y) in closed]


def _clean(value: Any) -> str:
    """Return a field value that cannot break the format: no commas, no line breaks."""
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    return str(value).replace(",", "，").replace("\r", " ").replace("\n", " ").strip()


def _block_header(row: dict, geom: Any, kind: str, rings, count: int, long_fields: tuple) -> str:
    values = [str(_count(row, count, rings)), _area_text(row, geom)]
    for name in ("地块编号", "地块名称"):
        values.append(_clean(_first(row, WRITE_SOURCES[name])))
    values.append(kind)
    for name in ("图幅号", "地块用途", "地类编码"):
        values.append(_clean(_first(row, WRITE_SOURCES[name])))
    values += [_clean(row.get(f)) for f in long_fields]
    return ",".join(values) + ",@"


def _count(row, lines: int, rings) -> int:
    """界址点数: the frame's value when it counts these points (with or without the closing repeats)."""
    given = row.get("界址点数")
    distinct = sum(len(names) for _, names in rings)
    try:
        given = int(given)
    except (TypeError, ValueError):
        return lines
    return given if given in (lines, distinct) else lines


def _area_text(row, geom: Any) -> str:
    for col in ("declared_area_ha", "地块面积"):
        value = row.get(col)
        try:
            v = float(value)
        except (TypeError, ValueError):
            continue
        if np.isfinite(v) and v > 0:
            return f"{v:.4f}"
    return f"{geom.area / 1e4:.4f}" if geom.geom_type in ("Polygon", "MultiPolygon") else ""


def _first(row: dict, names: Iterable[str]) -> Any:
    for n in names:
        v = row.get(n)
        if v is not None and not (isinstance(v, float) and np.isnan(v)) and v is not pd.NA:
            return v
    return None


def _say_written(path, skipped: list, renamed: list, frame) -> None:
    name = Path(path).name
    if skipped:
        shown = ", ".join(map(str, skipped[:10])) + (" …" if len(skipped) > 10 else "")
        warnings.warn(f"{name}: {len(skipped)} 行没有几何，未写入：{shown} / {len(skipped)} row(s) without geometry "
                      f"were not written: {shown}", SuzhouGeoWarning, stacklevel=3)
    if renamed:
        shown = ", ".join(map(str, renamed[:10])) + (" …" if len(renamed) > 10 else "")
        warnings.warn(f"{name}: {len(renamed)} 行的界址点名与顶点不符，已按 J1… 重新编号：{shown} / the 界址点 names "
                      f"of {len(renamed)} row(s) do not fit their vertices (edited or repaired geometry): points "
                      f"numbered J1… instead: {shown}", SuzhouGeoWarning, stacklevel=3)
