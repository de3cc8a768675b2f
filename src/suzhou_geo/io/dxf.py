r"""CAD drawings (DXF) from AutoCAD or CASS: parcels as closed polylines and hatches, labels from text.

GDAL's DXF driver reads every entity of the drawing into one table; this
module makes a parcel layer of it:

* **closed** LWPOLYLINE/POLYLINE entities become polygons (GDAL's open option
  ``CLOSED_LINE_AS_POLYGON=YES``), as do HATCH boundaries; a polyline whose last
  vertex repeats its first without the closed flag is taken as a polygon and
  says so; an **open** polyline stays a line — never silently a polygon — and
  its row says which layer and handle it is, so a check judges it ``invalid``
  with that reason;
* one AutoCAD layer is chosen (``layer="红线"``); a drawing with lines or
  polygons on several layers and no layer chosen is an error listing them;
* TEXT and MTEXT lying inside a polygon become its label (``标注``): surveyors
  write the 宗地号 that way;
* a hatch drawn over a closed polyline of the same layer and boundary is one
  parcel, not two (said in the notes);
* text is decoded right: ``$DWGCODEPAGE=ANSI_936`` (GBK) drawings, and AutoCAD
  2007+ drawings, which are UTF-8 although their header often still says
  ``ANSI_1252``; ``\U+XXXX`` and ``\M+5XXXX`` escapes are decoded.

A DXF holds no CRS: the caller says which (``crs="EPSG:4528"``).

Examples
--------
>>> dxf_codepage(b"  9\n$DWGCODEPAGE\n  3\nANSI_936\n")
'ANSI_936'
>>> decode_escapes("\\U+7EA2\\U+7EBF")
'红线'
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import ReadError
from .survey import Reading, warn

__all__ = ["FORMAT", "LABEL_COLUMN", "read_dxf", "dxf_codepage", "dxf_version", "decode_escapes", "cad_layers"]

#: The format's name in provenance.
FORMAT = "DXF"
#: The column that holds the text found inside each polygon.
LABEL_COLUMN = "标注"
#: AutoCAD versions from which DXF text is UTF-8 (AutoCAD 2007, AC1021).
UTF8_FROM = "AC1021"
#: Code pages AutoCAD writes for Chinese drawings.
CHINESE_CODEPAGES = {"ANSI_936": "CP936", "ANSI_950": "CP950"}
#: ``\\M+n`` escapes: the code page of each n (AutoCAD's MIF encoding).
_MIF = {"1": "cp932", "2": "cp950", "3": "cp949", "4": "johab", "5": "cp936"}

_ESCAPE = re.compile(r"\\U\+([0-9A-Fa-f]{4})|\\M\+([1-5])([0-9A-Fa-f]{4})")
_MTEXT_CODE = re.compile(r"\\[ACFHQTWfacfhqtw][^;\\{}]*;|\\[LlOoKkP~]|[{}]")


def _header_value(head: bytes, name: bytes) -> str | None:
    m = re.search(rb"\$" + name + rb"\s*\r?\n\s*\d+\s*\r?\n([^\r\n]*)", head)
    return m.group(1).decode("ascii", errors="replace").strip() if m else None


def dxf_codepage(data: bytes) -> str | None:
    """Return the drawing's ``$DWGCODEPAGE`` (``"ANSI_936"``, ``"ANSI_1252"``), or None."""
    return _header_value(data[:65536], b"DWGCODEPAGE")


def dxf_version(data: bytes) -> str | None:
    """Return the drawing's ``$ACADVER`` (``"AC1015"`` = AutoCAD 2000, ``"AC1021"`` = 2007, …), or None."""
    return _header_value(data[:65536], b"ACADVER")


def decode_escapes(text: Any) -> Any:
    r"""Decode AutoCAD's ``\U+XXXX`` (Unicode) and ``\M+nXXXX`` (multi-byte) escapes in *text*."""
    if not isinstance(text, str) or "\\" not in text:
        return text

    def one(m: re.Match) -> str:
        if m.group(1):
            return chr(int(m.group(1), 16))
        try:
            return bytes.fromhex(m.group(3)).decode(_MIF[m.group(2)])
        except (UnicodeDecodeError, LookupError):
            return m.group(0)

    return _ESCAPE.sub(one, text)


def _chinese(text: str) -> bool:
    wide = [c for c in text if ord(c) >= 0x80]
    return bool(wide) and sum("\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
                              for c in wide) >= 0.9 * len(wide)


def _encoding(data: bytes, given: str | None, reading: Reading) -> str | None:
    """Return the GDAL ``ENCODING`` open option to read the drawing's text with (None: as its header says)."""
    if given is not None:
        reading.decide("编码 encoding", f"{given} (given)")
        return given
    if data.startswith(b"AutoCAD Binary DXF"):
        reading.encoding = "as the binary drawing says"
        return None
    page, version = dxf_codepage(data), dxf_version(data)
    if all(b < 0x80 for b in data[:: max(1, len(data) // 2_000_000)]) and data.isascii():
        reading.encoding = f"ASCII ($DWGCODEPAGE={page})"
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = False
    else:
        utf8 = True
    if utf8:
        why = ("AutoCAD 2007 及以后的图形为 UTF-8 / AutoCAD 2007+ drawings are UTF-8" if (version or "") >= UTF8_FROM
               else "文本为 UTF-8 / the text is UTF-8")
        reading.encoding = f"UTF-8 ({why}; $DWGCODEPAGE={page})"
        if page and page not in ("UTF-8", "UTF8"):
            reading.notes.append(f"图形文件头写 $DWGCODEPAGE={page}，但文本为 UTF-8，按 UTF-8 读取 / the header says "
                                 f"$DWGCODEPAGE={page} but the text is UTF-8 ({version}); it was read as UTF-8")
        return "UTF-8"
    if page in CHINESE_CODEPAGES:
        reading.encoding = f"{CHINESE_CODEPAGES[page]} ($DWGCODEPAGE={page})"
        return CHINESE_CODEPAGES[page]
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if _chinese("".join(c for c in text if ord(c) >= 0x80)[:5000]):
        reading.encoding = f"CP936 (detected; $DWGCODEPAGE={page})"
        warn(reading, f"图形文件头写 $DWGCODEPAGE={page}，但文本是 GBK 中文，按 GBK 读取 / the header says "
                      f"$DWGCODEPAGE={page} but the text is Chinese GBK; it was read as GBK (pass encoding= to say so)")
        return "CP936"
    reading.encoding = f"{page} (the drawing's $DWGCODEPAGE)"
    return None


def _read_entities(path: Path, encoding: str | None, label: str) -> gpd.GeoDataFrame:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    options = {"CLOSED_LINE_AS_POLYGON": "YES"}
    if encoding:
        options["ENCODING"] = encoding
    try:
        gdf = pyogrio.read_dataframe(path, force_2d=True, use_arrow=False, **options)
    except (DataSourceError, DataLayerError, RuntimeError) as exc:
        raise ReadError(f"GDAL cannot read the drawing: {exc}", source=label,
                        hint="save it from AutoCAD/CASS as DXF (AutoCAD 2000 or later) and try again") from None
    codec = {"CP936": "gbk", "CP950": "big5", "UTF-8": "utf-8"}.get(encoding or "")
    for col in gdf.columns:
        if col != gdf.geometry.name and (gdf[col].dtype == object or pd.api.types.is_string_dtype(gdf[col])):
            gdf[col] = gdf[col].astype(object).map(lambda v: decode_escapes(_as(v, codec)))
    return gdf


def _as(value: Any, codec: str | None) -> Any:
    """Text GDAL left one byte per character (it ignores ``ENCODING`` in a drawing without a header), decoded."""
    if codec is None or not isinstance(value, str) or value.isascii() or any(ord(c) > 255 for c in value):
        return value
    try:
        return value.encode("latin-1").decode(codec)
    except UnicodeDecodeError:
        return value


def cad_layers(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """AutoCAD layers holding polygons or lines: layer, polygons, lines (counts), in drawing order.

    Examples
    --------
    >>> from shapely.geometry import LineString, box
    >>> g = gpd.GeoDataFrame({"Layer": ["红线", "图框"]}, geometry=[box(0, 0, 1, 1), LineString([(0, 0), (5, 0)])])
    >>> cad_layers(g).values.tolist()
    [['红线', 1, 0], ['图框', 0, 1]]
    """
    kinds = shapely.get_type_id(np.asarray(gdf.geometry.values, dtype=object))
    table = pd.DataFrame({"layer": gdf["Layer"].astype(object).to_numpy(), "polygons": np.isin(kinds, (3, 6)),
                          "lines": np.isin(kinds, (1, 2, 5))})
    table = table[table.polygons | table.lines]
    return table.groupby("layer", sort=False)[["polygons", "lines"]].sum().reset_index()


def _choose(gdf: gpd.GeoDataFrame, layer: Any, reading: Reading) -> gpd.GeoDataFrame:
    """Return the shapes (polygons and lines) of the chosen AutoCAD layer; an error when the choice is open."""
    table = cad_layers(gdf)
    listing = "; ".join(f"{r.layer}（{r.polygons} 个面 polygons, {r.lines} 条线 lines）" for r in table.itertuples())
    shapes = gdf[np.isin(shapely.get_type_id(np.asarray(gdf.geometry.values, dtype=object)), (1, 2, 3, 5, 6))]
    if layer is None:
        if len(table) > 1:
            raise ReadError(
                f"图形中有 {len(table)} 个图层含线或面：{listing} / the drawing has lines or polygons on {len(table)} "
                f"layers: {listing}", source=reading.name,
                hint="用 layer= 指明地块所在的图层，如 layer='红线' / choose the parcels' AutoCAD layer with layer=")
        if len(table) == 0:
            raise ReadError("图形中没有线或面 / the drawing holds no lines or polygons", source=reading.name,
                            hint="检查图形是否为空，或地块是否画在块（INSERT）中 / check that the drawing is not empty")
        layer = table.layer.iloc[0]
        reading.decide("图层 layer", str(layer), f"图层：{layer}（图形中唯一含线或面的图层）/ AutoCAD layer {layer} "
                       "(the only one with lines or polygons)")
    elif layer not in set(table.layer):
        raise ReadError(f"图形中没有含线或面的图层 {layer!r}；有：{listing or '无 none'} / no layer {layer!r} with "
                        f"lines or polygons; the drawing has: {listing or 'none'}", source=reading.name,
                        hint="用上列图层名之一 / use one of the layers listed")
    else:
        reading.decide("图层 layer", str(layer), f"图层：{layer}（指定）/ AutoCAD layer {layer} (given)")
    return shapes[shapes["Layer"] == layer]


def _close_coincident(shapes: gpd.GeoDataFrame, reading: Reading) -> gpd.GeoDataFrame:
    """Lines whose last vertex repeats the first (no closed flag) become polygons, and say so."""
    geoms = np.asarray(shapes.geometry.values, dtype=object)
    ring = np.array([g.geom_type == "LineString" and len(g.coords) >= 4 and g.is_closed for g in geoms], dtype=bool)
    if not ring.any():
        return shapes
    out = shapes.copy()
    geoms = geoms.copy()
    geoms[ring] = shapely.polygons(shapely.linearrings([np.asarray(g.coords) for g in geoms[ring]]))
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index).values
    handles = ", ".join(map(str, out["EntityHandle"][ring].tolist()[:10]))
    reading.notes.append(f"{int(ring.sum())} 条多段线首尾点重合但未设闭合标志，按面读取（句柄 {handles}）/ "
                         f"{int(ring.sum())} polyline(s) end where they start without the closed flag and were read "
                         f"as polygons (handles {handles})")
    return out


def _drop_hatch_twins(shapes: gpd.GeoDataFrame, reading: Reading) -> gpd.GeoDataFrame:
    """Drop a HATCH whose boundary equals a closed polyline's on the same layer: the same parcel, not two."""
    sub = shapes["SubClasses"].fillna("").astype(str)
    hatch = sub.str.contains("AcDbHatch").to_numpy()
    if not hatch.any() or hatch.all():
        return shapes
    geoms = np.asarray(shapes.geometry.values, dtype=object)
    others = shapely.normalize(geoms[~hatch])
    twins = []
    for k in np.flatnonzero(hatch):
        g = shapely.normalize(geoms[k])
        if g is not None and shapely.equals_exact(others, g, tolerance=0.001).any():
            twins.append(k)
    if not twins:
        return shapes
    handles = ", ".join(map(str, shapes["EntityHandle"].iloc[twins].tolist()[:10]))
    reading.notes.append(f"{len(twins)} 个填充（HATCH）与同图层的闭合多段线边界相同，按同一地块只保留多段线"
                         f"（句柄 {handles}）/ {len(twins)} hatch(es) share the boundary of a closed polyline on the "
                         f"same layer and were taken as that parcel, not a second one (handles {handles})")
    keep = np.ones(len(shapes), dtype=bool)
    keep[twins] = False
    return shapes[keep]


def _labels(shapes: gpd.GeoDataFrame, texts: gpd.GeoDataFrame, reading: Reading) -> np.ndarray:
    """Return the text inside each polygon (the smallest polygon containing it), joined with ``"; "``."""
    out = np.full(len(shapes), None, dtype=object)
    geoms = np.asarray(shapes.geometry.values, dtype=object)
    polygon = np.isin(shapely.get_type_id(geoms), (3, 6))
    if not polygon.any() or texts.empty:
        return out
    tree = shapely.STRtree(geoms[polygon])
    where_pos = np.flatnonzero(polygon)
    areas = shapely.area(geoms[polygon])
    points = np.asarray(texts.geometry.values, dtype=object)
    pt_idx, poly_idx = tree.query(points, predicate="within")
    found: dict[int, list[str]] = {}
    best: dict[int, int] = {}
    for t, p in zip(pt_idx.tolist(), poly_idx.tolist(), strict=True):
        if t not in best or areas[p] < areas[best[t]]:
            best[t] = p
    values = texts["Text"].tolist()
    for t in sorted(best):
        found.setdefault(int(where_pos[best[t]]), []).append(_plain(values[t]))
    for pos, words in found.items():
        out[pos] = "; ".join(w for w in words if w)
    outside = len(texts) - len(best)
    reading.notes.append(f"{len(best)} 个文字注记作为所在地块的标注（{LABEL_COLUMN} 列），{outside} 个不在任何地块内 / "
                         f"{len(best)} text(s) kept as the label ({LABEL_COLUMN}) of the polygon they lie in; "
                         f"{outside} lie in no polygon")
    return out


def _plain(text: Any) -> str:
    """MTEXT without its formatting codes."""
    if not isinstance(text, str):
        return ""
    return " ".join(_MTEXT_CODE.sub(" ", text).split())


def _texts(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    sub = gdf["SubClasses"].fillna("").astype(str)
    is_text = sub.str.contains("AcDbText|AcDbMText", regex=True) & gdf["Text"].notna()
    point = shapely.get_type_id(np.asarray(gdf.geometry.values, dtype=object)) == 0
    return gdf[is_text.to_numpy() & point]


def _open_lines(shapes: gpd.GeoDataFrame, reading: Reading) -> None:
    kinds = shapely.get_type_id(np.asarray(shapes.geometry.values, dtype=object))
    for pos in np.flatnonzero(np.isin(kinds, (1, 2, 5))).tolist():
        row = shapes.iloc[pos]
        reading.row_issues[pos] = (f"未闭合的线（图层 {row['Layer']}，句柄 {row['EntityHandle']}），不是面 / an open "
                                   f"line (layer {row['Layer']}, handle {row['EntityHandle']}), not a polygon")


def read_dxf(path: str | Path, *, layer: Any = None, encoding: str | None = None,
             name: str | None = None) -> tuple[gpd.GeoDataFrame, Reading]:
    r"""Read the parcels of a DXF drawing: one row per closed polyline, hatch or open line of one AutoCAD layer.

    Parameters
    ----------
    path : str or path
        The drawing (ASCII or binary DXF).
    layer : str, optional
        The AutoCAD layer holding the parcels (``"红线"``, ``"宗地"``).  Needed when
        more than one layer holds lines or polygons.
    encoding : str, optional
        The text encoding, when detection (header code page, UTF-8, GBK) is not enough.
    name : str, optional
        How to call the drawing in messages.

    Returns
    -------
    (geopandas.GeoDataFrame, Reading)
        GDAL's entity fields (``Layer``, ``EntityHandle``, ``SubClasses``, …) and
        ``标注`` (the text inside each polygon), without a CRS; open lines are
        kept as lines, with their layer and handle in ``Reading.row_issues``.

    Raises
    ------
    suzhou_geo.errors.ReadError
        GDAL cannot read the drawing; several layers hold lines or polygons and
        none was chosen (the message lists them); the chosen layer holds none.

    Examples
    --------
    A closed polyline on layer 红线 with the text 宗地1 inside (a drawing of its entities only):

    >>> from pathlib import Path
    >>> square = ["10", "40585000", "20", "3471000", "10", "40585100", "20", "3471000",
    ...           "10", "40585100", "20", "3471100", "10", "40585000", "20", "3471100"]
    >>> codes = (["0", "SECTION", "2", "ENTITIES", "0", "LWPOLYLINE", "5", "2A", "8", "红线", "100", "AcDbEntity",
    ...           "100", "AcDbPolyline", "90", "4", "70", "1", *square, "0", "TEXT", "5", "2B", "8", "红线",
    ...           "100", "AcDbEntity", "100", "AcDbText", "10", "40585050", "20", "3471050", "40", "2",
    ...           "1", "宗地1", "0", "ENDSEC", "0", "EOF"])
    >>> _ = Path("红线.dxf").write_text("\n".join(codes) + "\n", encoding="utf-8")
    >>> frame, reading = read_dxf("红线.dxf")
    >>> frame[["Layer", "EntityHandle", "标注"]].values.tolist(), frame.geometry.area.tolist()
    ([['红线', '2A', '宗地1']], [10000.0])
    """
    path = Path(path)
    label = name or path.name
    reading = Reading(str(path), label, FORMAT)
    gdal_encoding = _encoding(path.read_bytes(), encoding, reading)
    gdf = _read_entities(path, gdal_encoding, label)
    shapes = _choose(gdf, layer, reading)
    shapes = _drop_hatch_twins(_close_coincident(shapes, reading), reading)
    texts = _texts(gdf)
    shapes = shapes.reset_index(drop=True)
    shapes[LABEL_COLUMN] = _labels(shapes, texts, reading)
    _open_lines(shapes, reading)
    reading.notes.append("DXF 不含坐标参照系；须指明，如 crs='EPSG:4528' / a DXF holds no CRS: say which, e.g. "
                         "crs='EPSG:4528' (CGCS2000 zone 40, eastings prefixed with 40)")
    return gpd.GeoDataFrame(shapes, geometry=shapes.geometry.name, crs=None), reading
