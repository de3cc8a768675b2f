"""QGIS layers to what the library reads, and the library's results back to QGIS.

In: a Processing feature source (any provider — file, database, memory layer —
with "selected features only" when the user asks) becomes a GeoDataFrame holding
every feature in the source's order, every field under its own name, and the
geometry exactly as QGIS stores it (curves are linearised, M values dropped).
Its CRS is the layer's, passed explicitly: the EPSG code when it has one, the
full WKT otherwise; a layer without a valid CRS is refused.  Text QGIS could not
decode (a GBK Shapefile without ``.cpg`` read as UTF-8) is refused with the fix,
never passed on garbled.  Invalid geometries are passed as they are: the library
repairs them and says so per row.

Out: layers are written by the library itself (:func:`suzhou_geo.write_layer`,
the same files as from Python or the command line) to the path Processing gives;
tables go to a Processing sink.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProcessingFeatureSourceDefinition,
    QgsProviderRegistry,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QTime, QVariant

from .feedback import Progress

#: How the library's fixes name a layer's options in QGIS (after "pass …"): the CRS and the encoding are
#: set in the layer's properties; reading options a QGIS layer has no place for are not suggested.
LAYER_SPELLING: dict[str, str | None] = {
    "crs": "{value} as the layer's CRS (图层属性 → 源 → 指定坐标系 / Layer Properties → Source → Assigned CRS)",
    "encoding": "{value} as the layer's encoding (图层属性 → 源 → 数据源编码 / Layer Properties → Source → "
                "Data source encoding)",
    "override_crs": None,
    "swap_xy": None,
    "sql": None,
    "layer": None,
}

__all__ = [
    "Input",
    "read_input",
    "layer_crs",
    "check_text",
    "output_path",
    "optional_output_path",
    "write_frame",
    "table_to_sink",
    "LAYER_EXTENSIONS",
]

#: The file types a result layer can be written as (the library's writers QGIS opens as layers).
LAYER_EXTENSIONS = ("gpkg", "shp", "geojson", "fgb")

_INT_TYPES = (QVariant.Int, QVariant.UInt, QVariant.LongLong, QVariant.ULongLong)
_REPLACEMENT = "\ufffd"
_ENCODING_FIX = (
    "在 图层属性 → 源 → 数据源编码 中选择文件的实际编码（中文 Shapefile 多为 GBK），再运行 / "
    "choose the file's real encoding under Layer Properties → Source → Data source encoding "
    "(Chinese Shapefiles are usually GBK), then run again"
)


@dataclass
class Input:
    """One input layer, ready for the library.

    Attributes
    ----------
    source : suzhou_geo.io.Source
        The features as a GeoDataFrame with the layer's CRS, named for messages.
    name : str
        How messages name the layer: its name, and its file when it has one.
    files : list of str
        The files it was read from (an output may never replace them).
    crs : str
        The CRS passed to the library (EPSG code or WKT).
    count : int
        Features read.
    """

    source: Any
    name: str
    files: list[str] = field(default_factory=list)
    crs: str = ""
    count: int = 0


def read_input(
    alg: QgsProcessingAlgorithm,
    parameters: dict,
    name: str,
    context: QgsProcessingContext,
    progress: Progress,
) -> Input | None:
    """Read the feature-source parameter *name* into an :class:`Input` (None when left empty).

    Parameters
    ----------
    alg : QgsProcessingAlgorithm
    parameters : dict
    name : str
        The parameter.
    context : QgsProcessingContext
    progress : Progress
        The span of the progress bar this read fills.

    Returns
    -------
    Input or None

    Raises
    ------
    QgsProcessingException
        The layer cannot be loaded, has no valid CRS, or holds text QGIS could not decode.
    """
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        if parameters.get(name) not in (None, ""):
            raise QgsProcessingException(
                f"无法读取图层 cannot load the layer given as {name}: {parameters.get(name)!r}"
            )
        return None
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    label, files = _describe(source.sourceName() or name, layer)
    crs = layer_crs(source.sourceCrs(), label)
    frame = _frame(source, crs, progress, by_id=_selection(parameters.get(name)))
    check_text(frame, label)
    import suzhou_geo as sg

    return Input(sg.io.Source(frame, name=label, spelling=LAYER_SPELLING), label, files, crs, len(frame))


def _describe(name: str, layer: Any) -> tuple[str, list[str]]:
    """Return the layer's name for messages (with its file, if any) and the files it reads."""
    if layer is None:
        return name, []
    parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
    path = parts.get("path") or ""
    if not path or not Path(path).exists():
        return name, []
    return f"{name} ({path})", [path]


def layer_crs(crs: QgsCoordinateReferenceSystem, label: str) -> str:
    """Return a layer's CRS as the library takes it: ``"EPSG:4528"``, or WKT without an EPSG code.

    Raises
    ------
    QgsProcessingException
        The layer has no valid CRS (nothing is guessed).
    """
    if not crs.isValid():
        raise QgsProcessingException(
            f"{label}: 图层没有有效的坐标参照系（CRS），无法判断坐标含义 / the layer has no "
            "valid coordinate reference system, so its coordinates cannot be interpreted. Fix: "
            "在 图层属性 → 源 中设置图层的坐标参照系（如 EPSG:4490、EPSG:4549、EPSG:4528），"
            "再运行 / set the layer's CRS under Layer Properties → Source (e.g. EPSG:4490, "
            "EPSG:4549, EPSG:4528), then run again"
        )
    authid = crs.authid()
    if authid.upper().startswith("EPSG:"):
        return authid
    return crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED)


def _selection(value: Any) -> bool:
    """Return True if the parameter value asks for the selected features only."""
    return isinstance(value, QgsProcessingFeatureSourceDefinition) and bool(
        value.selectedFeaturesOnly
    )


def _frame(source: QgsProcessingFeatureSource, crs: str, progress: Progress, by_id: bool = False):
    """Return every feature of *source*, in order, as a GeoDataFrame in *crs*, by feature id.

    The index is the QGIS feature id, so that the library's messages ("row 67")
    name the feature a user finds in QGIS; it is called ``fid`` and written as
    the report's first column.  A GeoPackage's own ``fid`` field holds the same
    numbers and becomes that index; another field called ``fid`` keeps its values
    and the index is called ``qgis_fid``.

    QGIS hands the selected features of a layer over in the order of its
    selection set (a hash order, different from one QGIS session to the next);
    with *by_id* (a selection) they are put back in the layer's order, that of
    their feature ids.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    fields = source.fields()
    total = max(source.featureCount(), 1)
    ids: list[int] = []
    wkbs: list[bytes | None] = []
    rows: list[list[Any]] = []
    request = QgsFeatureRequest()
    flags = QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks
    for i, feature in enumerate(source.getFeatures(request, flags)):
        if i % 1000 == 0:
            progress.fraction(i / total)
        ids.append(feature.id())
        wkbs.append(_wkb(feature))
        rows.append(feature.attributes())
    progress.fraction(1.0)
    if by_id:
        order = sorted(range(len(ids)), key=ids.__getitem__)
        ids, wkbs, rows = ([seq[k] for k in order] for seq in (ids, wkbs, rows))
    names = fields.names()
    columns = {n: _column([r[j] for r in rows], fields.at(j)) for j, n in enumerate(names)}
    index = pd.Index(ids, name=_id_name(columns, ids))
    columns.pop(index.name, None)
    geom_name = _free_name("geometry", names)
    frame = gpd.GeoDataFrame({n: pd.Series(c).to_numpy() for n, c in columns.items()}, index=index)
    frame = frame.astype({n: c.dtype for n, c in columns.items()})
    geometry = shapely.from_wkb(np.array(wkbs, dtype=object))
    frame[geom_name] = gpd.GeoSeries(geometry, index=frame.index, crs=crs)
    return frame.set_geometry(geom_name, crs=crs)


def _id_name(columns: dict[str, Any], ids: list[int]) -> str:
    """Return the name of the feature-id index (see :func:`_frame`)."""
    same = next((n for n in columns if n.lower() == "fid"), None)
    if same is None:
        return "fid"
    if list(columns[same]) == ids:
        return same
    return _free_name("qgis_fid", list(columns))


def _free_name(name: str, taken: list[str]) -> str:
    lower = {t.lower() for t in taken}
    candidate, k = name, 1
    while candidate.lower() in lower:
        candidate, k = f"{name}_{k}", k + 1
    return candidate


def _wkb(feature: QgsFeature) -> bytes | None:
    """Return the feature's geometry as WKB, as stored (curves linearised, M dropped), or None."""
    if not feature.hasGeometry():
        return None
    geom = QgsGeometry(feature.geometry())
    if QgsWkbTypes.isCurvedType(geom.wkbType()):
        geom = QgsGeometry(geom.constGet().segmentize())
    if QgsWkbTypes.hasM(geom.wkbType()):
        geom.get().dropMValue()
    return bytes(geom.asWkb())


def _value(v: Any) -> Any:
    """Return a QGIS attribute value as a plain Python value (NULL → None)."""
    if isinstance(v, QVariant):
        return None if v.isNull() else v.value()
    if isinstance(v, QDateTime):
        return v.toPyDateTime() if v.isValid() else None
    if isinstance(v, QDate):
        return v.toPyDate() if v.isValid() else None
    if isinstance(v, QTime):
        return v.toString("HH:mm:ss.zzz") if v.isValid() else None
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False, default=str)
    if hasattr(v, "data") and type(v).__name__ == "QByteArray":
        return bytes(v)
    return v


def _column(values: list[Any], fld: QgsField):
    """Return one field's values as a pandas column of its type (nullable if values are missing)."""
    import pandas as pd

    values = [_value(v) for v in values]
    kind = fld.type()
    missing = any(v is None for v in values)
    if kind in _INT_TYPES:
        return pd.array(values, dtype="Int64") if missing else pd.array(values, dtype="int64")
    if kind == QVariant.Double:
        return pd.array([math.nan if v is None else float(v) for v in values], dtype="float64")
    if kind == QVariant.Bool:
        return pd.array(values, dtype="boolean") if missing else pd.array(values, dtype="bool")
    if kind in (QVariant.Date, QVariant.DateTime):
        return pd.to_datetime(pd.Series(values, dtype=object))
    return pd.Series(values, dtype=object if not values else None)


def check_text(frame: Any, label: str) -> None:
    """Refuse text QGIS decoded with the wrong code page: passing it on would garble every result.

    Two symptoms: U+FFFD (bytes that are not UTF-8 read as UTF-8, e.g. a GBK
    Shapefile without ``.cpg`` on Linux) and GBK bytes read one byte per
    character (``'ËÕÖÝÊÐ'`` for 苏州市), found with the library's own test.

    Raises
    ------
    QgsProcessingException
        Naming the layer, an example, and how to set the encoding in QGIS.
    """
    from suzhou_geo.io.encoding import redecode, suspicious

    texts = [str(c) for c in frame.columns] + _strings(frame)
    broken = next((t for t in texts if _REPLACEMENT in t), None)
    if broken is not None:
        raise QgsProcessingException(
            f"{label}: 文本无法解码（如 {broken!r}），图层的编码设置与文件不符 / text could not "
            f"be decoded (e.g. {broken!r}): the layer's encoding does not match the file. Fix: "
            f"{_ENCODING_FIX}"
        )
    odd = suspicious(texts)
    found = redecode(odd, "cp1252") if odd else None
    if found is not None:
        raise QgsProcessingException(
            f"{label}: 文本是按错误编码读取的中文（{odd[0]!r} 实为 {found[1][0]!r}，{found[0]} "
            f"编码）/ the text is Chinese read with the wrong code page ({odd[0]!r} is "
            f"{found[1][0]!r} in {found[0]}). Fix: {_ENCODING_FIX}"
        )


def _strings(frame: Any, limit: int = 5000) -> list[str]:
    out: list[str] = []
    for name in frame.columns:
        if name == frame.geometry.name:
            continue
        col = frame[name]
        if col.dtype == object or str(col.dtype) in ("str", "string"):
            out += [v for v in col.iloc[:limit] if isinstance(v, str)]
    return out


def output_path(
    alg: QgsProcessingAlgorithm, parameters: dict, name: str, context: QgsProcessingContext
) -> str:
    """Return the file Processing asks a result layer to be written to (refusing what it cannot be).

    Raises
    ------
    QgsProcessingException
        A destination that is not a plain file of a type in :data:`LAYER_EXTENSIONS`
        (a table inside an existing GeoPackage, a database, a memory layer).
    """
    dest = alg.parameterAsOutputLayer(parameters, name, context)
    suffix = Path(dest).suffix.lower().lstrip(".")
    if (
        suffix not in LAYER_EXTENSIONS
    ):  # also a table in a GeoPackage ("ogr:dbname=…"), a database, memory
        kinds = ", ".join(f".{e}" for e in LAYER_EXTENSIONS)
        raise QgsProcessingException(
            f"{name}: 结果须保存为单独的文件（{kinds}），不能写入 {dest!r} / the result must be "
            f"saved as a file of its own ({kinds}), not to {dest!r}. Fix: 选择“保存到文件” "
            "choose “Save to File…”"
        )
    return dest


def optional_output_path(
    alg: QgsProcessingAlgorithm, parameters: dict, name: str, context: QgsProcessingContext
) -> str | None:
    """Return the file of an optional result layer (see :func:`output_path`); None when not asked for."""
    if parameters.get(name) in (None, ""):
        return None
    return output_path(alg, parameters, name, context)


def write_frame(
    frame: Any,
    path: str,
    inputs: list[str],
    columns: Any = None,
    layer: str | None = None,
) -> str:
    """Write *frame* through the library's one way out to *path*, replacing it (Processing asked).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
    path : str
    inputs : list of str
        Files of the run's inputs: the library refuses to replace them.
    columns : sequence of suzhou_geo.io.columns.Column, optional
        The library's description of the frame's columns (Shapefile field names,
        labels): the frame is written with :func:`suzhou_geo.io.write_layer`, as the
        library writes that table itself.  Without it, :func:`suzhou_geo.write_layer`
        (which knows a parcel report by its columns).
    layer : str, optional
        The GeoPackage layer name (default: the file name).

    Returns
    -------
    str
        The path written.
    """
    import suzhou_geo as sg

    if path.lower().endswith(".gpkg"):
        frame = _free_fid(frame)
    if columns is None:
        return str(sg.write_layer(frame, path, overwrite=True, inputs=inputs, layer=layer))
    written = sg.io.write_layer(
        frame, path, overwrite=True, inputs=inputs, columns=columns, layer=layer
    )
    return str(written)


def _free_fid(frame: Any) -> Any:
    """Rename a ``fid`` column GeoPackage cannot take as its feature id (not unique integers).

    GeoPackage's feature-id column is called ``fid`` (in any case); GDAL takes a
    column of that name as the feature id when it holds unique integers and fails
    otherwise.  Such a column is kept as ``<name>_input``.
    """
    import pandas as pd

    from suzhou_geo.errors import SuzhouGeoWarning

    for name in list(frame.columns):
        if str(name).lower() != "fid" or name == frame.geometry.name:
            continue
        col = frame[name]
        if pd.api.types.is_integer_dtype(col) and col.notna().all() and col.is_unique:
            continue
        new = f"{name}_input"
        frame = frame.rename(columns={name: new})
        warnings.warn(
            f"字段 {name} 与 GeoPackage 的要素编号列同名，已改名为 {new} 保留 / the field {name!r} is "
            f"named like GeoPackage's feature-id column; it is kept as {new!r}",
            SuzhouGeoWarning,
            stacklevel=2,
        )
    return frame


def table_to_sink(
    table: Any,
    alg: QgsProcessingAlgorithm,
    parameters: dict,
    name: str,
    context: QgsProcessingContext,
) -> str | None:
    """Write a pandas table to the table sink *name*; return its destination (None if not asked)."""
    fields = QgsFields()
    for col in table.columns:
        fields.append(QgsField(str(col), _qvariant_type(table[col])))
    sink, dest = alg.parameterAsSink(
        parameters, name, context, fields, QgsWkbTypes.NoGeometry, QgsCoordinateReferenceSystem()
    )
    if sink is None:
        return None
    for values in table.itertuples(index=False):
        feature = QgsFeature(fields)
        feature.setAttributes([_plain(v) for v in values])
        if not sink.addFeature(feature, QgsFeatureSink.FastInsert):
            raise QgsProcessingException(f"{name}: 无法写出 cannot write a row: {sink.lastError()}")
    return dest


def _qvariant_type(column: Any) -> QVariant.Type:
    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        return QVariant.Bool
    if pd.api.types.is_integer_dtype(column):
        return QVariant.LongLong
    if pd.api.types.is_float_dtype(column):
        return QVariant.Double
    return QVariant.String


def _plain(v: Any) -> Any:
    """Return a numpy/pandas scalar as a plain Python value (missing → None)."""
    if v is None:
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (bool, int, float, str)):
        return v
    return str(v)
