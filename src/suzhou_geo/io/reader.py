"""The one way in: anything a user passes, to a checked layer in CGCS2000.

:func:`read` is the single entry point every function that takes geometry goes
through.  It accepts a path (GeoPackage, Shapefile — zipped or not —, GeoJSON,
FlatGeobuf, GeoParquet, CSV with a WKT column, any OGR format, and the files of
an approval package: 部标 coordinate TXT, DXF, KML/KMZ, 界址点 tables in CSV or
Excel — told apart by content as well as extension, see :mod:`.approval`), a
PostGIS connection string, a GeoDataFrame, a GeoSeries, a DataFrame with a
geometry column (or a 界址点 table), or a :class:`Source` that bundles one of
these with how to read it.  A source with several layers is read only with
``layer=`` (an error lists them).  It returns a :class:`suzhou_geo.layer.Layer`:

1. **read** the source as declared (:mod:`.raw`): text encodings are checked
   — a Shapefile whose ``.cpg`` is missing or lies is re-read as GB18030/Big5
   when that gives common Chinese, with a warning naming the fix; an approval
   file's axis order, zone and CRS are decided from its numbers and header,
   its named boundary points (界址点) kept as ``Layer.points``, and every such
   decision recorded in ``Provenance.decisions``;
2. **decide the CRS** (:func:`suzhou_geo.crs.resolve_crs`): declared or given,
   checked against the coordinates (metres under a degree label, a zone prefix,
   swapped axes), legacy datums only with local parameters or explicit acceptance;
3. **check the geometry** (:mod:`.checks`) in the CRS it is stored in: unusable
   rows flagged, invalid polygons repaired with the area change recorded;
4. **densify** in that CRS the edges that converting would bend by more than
   1 mm (:func:`suzhou_geo.crs.split_lengths`), then **convert** to EPSG:4490
   (coordinates already in longitude/latitude keep their vertices).  The
   layer's metric copy (EPSG:4549) is made the same way from the stored
   coordinates — data stored in EPSG:4549 *are* the metric copy, EPSG:4528
   (the zone number before the easting) is shifted — not from the converted frame.

Nothing is guessed without saying so, and nothing the user passed is lost:
every row stays, in order, with its index and columns.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ..crs import CGCS2000, CGCS2000_GK_CM120, densify, finite_bounds, resolve_crs
from ..crs import swap_xy as swap_axes
from ..errors import CRSError, InputError, arg, spelled
from ..layer import Layer, Provenance
from .checks import GeometryCheck, check_geometries, repair_geometries
from .raw import ROW_NOTES, RawInfo, read_raw

__all__ = ["Source", "read", "read_layer", "read_vector", "repair_geometries", "READ_ATTRS_KEY"]

log = logging.getLogger(__name__)

#: Key in ``GeoDataFrame.attrs`` where :func:`read_layer` and :func:`read_vector` record what they did.
READ_ATTRS_KEY = "suzhou_geo_read"


@dataclass(frozen=True)
class Source:
    """A layer to read together with how to read it; accepted wherever a layer is.

    Use it to give the options a function does not offer for that input, e.g.
    the local datum parameters of a redline file passed to
    :func:`suzhou_geo.validate_parcels`.

    Attributes
    ----------
    data : path, URI, GeoDataFrame, GeoSeries or DataFrame
        The layer (see :func:`read`).
    crs : str or pyproj.CRS, optional
        The CRS of coordinates that declare none (``"EPSG:4549"``, ``"EPSG:4528"``,
        ``"GCJ-02"`` for Amap/Gaode), or the right one with ``override_crs=True``.
    layer : str or int, optional
        Layer of a multi-layer file, or table of a database.
    sql : str, optional
        A query instead of a layer (OGR SQL for files, SQL for PostGIS).
    encoding : str, optional
        Text encoding of the attributes, e.g. ``"GBK"`` (overrides detection).
    datum_shift : mapping, sequence, str or pyproj.Transformer, optional
        The local transformation of a legacy datum (Xi'an 1980, Beijing 1954)
        to CGCS2000: 7 or 3 Helmert parameters
        (``{"dx", "dy", "dz", "rx", "ry", "rz", "ds"}``: m, arc-seconds, ppm; see
        :class:`suzhou_geo.crs.DatumShift`) or a PROJ pipeline.
    approximate_datum : bool, default False
        Accept PROJ's ballpark conversion of a legacy datum; every result says
        the positions are approximate (± about 100 m).
    override_crs : bool, default False
        Let ``crs`` replace a declared CRS that is wrong.
    swap_xy : bool, default False
        The data were digitised with x and y swapped (latitude or northing first).
    name : str, optional
        How to call the layer in messages.
    invalid : {"raise", "repair", "exclude"}, optional
        For reference layers whose features must be counted as drawn (redlines):
        what to do with a feature whose repair changes its area (see
        :func:`suzhou_geo.load_redlines`).  Ignored for parcels, which get a verdict.

    Examples
    --------
    >>> s = Source("红线.shp", crs="EPSG:2385", approximate_datum=True)
    >>> s.crs, s.approximate_datum
    ('EPSG:2385', True)
    """

    data: Any
    crs: Any = None
    layer: Any = None
    sql: str | None = None
    encoding: str | None = None
    datum_shift: Any = None
    approximate_datum: bool = False
    override_crs: bool = False
    swap_xy: bool = False
    name: str | None = None
    invalid: str | None = None
    spelling: Mapping[str, str | None] | None = field(default=None, repr=False, compare=False)

    def with_options(self, **options: Any) -> Source:
        """Fill the options this source leaves unset; a conflicting value is an error."""
        changes = {}
        for key, value in options.items():
            if value is None or value is False:
                continue
            mine = getattr(self, key)
            if mine in (None, False):
                changes[key] = value
            elif key == "spelling":
                changes[key] = {**dict(value), **dict(mine)}
            elif mine != value:
                raise InputError(
                    f"{key} is given twice, as {mine!r} (in the Source) and as {value!r}",
                    source=self.name or _label(self.data),
                    hint=f"give {key} once",
                )
        return replace(self, **changes) if changes else self


_OPTIONS = tuple(f.name for f in fields(Source) if f.name != "data")


def _label(data: Any) -> str:
    from pathlib import Path

    if isinstance(data, (str, Path)):
        from .postgis import is_postgis, redact

        return redact(str(data)) if is_postgis(data) else (Path(str(data)).name or str(data))
    return type(data).__name__


def as_source(obj: Any, **options: Any) -> Source:
    """Wrap *obj* in a :class:`Source`, or fill an existing one's unset options."""
    options = {k: v for k, v in options.items() if k in _OPTIONS}
    if isinstance(obj, Source):
        return obj.with_options(**options)
    return Source(obj, **options)


def read(source: Any, *, expect: str = "any", repair: bool = True, **options: Any) -> Layer:
    """Read anything a user passes into a checked :class:`~suzhou_geo.layer.Layer` in EPSG:4490.

    Parameters
    ----------
    source : path, URI, GeoDataFrame, GeoSeries, DataFrame, Source or Layer
        The layer.  A :class:`~suzhou_geo.layer.Layer` is returned as it is.
    expect : {"any", "polygon"}, default "any"
        ``"polygon"`` flags points and lines as unusable.
    repair : bool, default True
        Use the repaired geometry of invalid polygons in the frame (the repair
        is recorded per row either way); ``False`` keeps them as drawn.
    **options
        Any field of :class:`Source` (``crs``, ``layer``, ``sql``, ``encoding``,
        ``datum_shift``, ``approximate_datum``, ``override_crs``, ``swap_xy``,
        ``name``) and ``spelling`` (how the calling function names those
        options, for its messages; see :func:`suzhou_geo.errors.arg`).

    Returns
    -------
    Layer
        ``.frame`` (EPSG:4490, every input row and column, in order),
        ``.provenance``, ``.issues``/``.usable``/``.area_change`` per row, ``.metric``.

    Raises
    ------
    suzhou_geo.errors.CRSError
        No CRS, a CRS the coordinates contradict, a legacy datum without parameters.
    suzhou_geo.errors.ReadError
        The file or table cannot be read (the message quotes GDAL and says what to do).
    suzhou_geo.errors.MissingFileError
        The path does not exist.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"id": [1]}, geometry=[box(557000, 3464000, 557100, 3464100)])
    >>> layer = read(g, crs="EPSG:4549")
    >>> layer.frame.crs.to_epsg(), layer.provenance.crs.how
    (4490, 'given')
    """
    if isinstance(source, Layer):
        return source
    src = as_source(source, **options)
    # NaN coordinates are flagged per row, not warned about by numpy; messages name options as the caller does
    with np.errstate(invalid="ignore"), spelled(src.spelling):
        return _read(src, expect, repair)


def _read(src: Source, expect: str, repair: bool = True) -> Layer:
    spelling = dict(src.spelling) if src.spelling else None
    gdf, info = read_raw(src.data, layer=src.layer, sql=src.sql, encoding=src.encoding, name=src.name,
                         spelling=spelling)
    if src.swap_xy:
        gdf = swap_axes(gdf)
    _require_crs(gdf, src, info, spelling)
    decision = _decide_crs(gdf, src, info, spelling)
    drawn = np.asarray(gdf.geometry.values, dtype=object)
    check = check_geometries(drawn, expect=expect)
    _made_readable(check, gdf.attrs.get(ROW_NOTES), info)
    stored = check.geoms if repair else drawn
    geoms = _convert(stored, check.usable, decision)
    frame = _with_geometry(gdf, geoms)
    _log_issues(info, check)
    prov = Provenance(
        name=info.name, source=info.source, format=info.format, crs=decision,
        encoding=info.encoding, notes=tuple(info.notes) + _crs_notes(decision), decisions=dict(info.decisions),
    )
    issues = _with_row_issues(check.issue, info.row_issues)
    return Layer(frame, prov, issues, check.usable, check.area_change, check.code, _points(info.points, decision),
                 metric=_metric_copy(stored, check.usable, decision))


def _require_crs(gdf: gpd.GeoDataFrame, src: Source, info: RawInfo, spelling) -> None:
    """Raise the CRSError of an approval file whose content does not decide its CRS (unless one is given)."""
    if info.crs_error is None or gdf.crs is not None or src.crs is not None:
        return
    err = info.crs_error
    hint = re.sub(r"crs='([^']+)'", lambda m: arg("crs", f"'{m.group(1)}'", spelling) or m.group(0), err.hint or "")
    raise CRSError(err.message, source=info.name, hint=hint or None)


def _decide_crs(gdf: gpd.GeoDataFrame, src: Source, info: RawInfo, spelling):
    """Return the CRS decision; a 部标 file's 转换参数 serve as its datum shift unless the caller gives one."""
    shift, from_file = src.datum_shift, False
    if info.datum_shift is not None:
        if shift is None and src.crs is None:
            shift, from_file = info.datum_shift, True
        elif shift is not None:
            info.notes.append("文件中的转换参数未使用：已另给 datum_shift / the file's 转换参数 were not used: a "
                              "datum shift was given")
    decision = resolve_crs(
        gdf.geometry, src.crs, override=src.override_crs, datum_shift=shift,
        approximate_datum=src.approximate_datum, name=info.name, spelling=spelling,
    )
    return replace(decision, shift_from="file") if from_file else decision


def _with_row_issues(issues: np.ndarray, extra: dict) -> np.ndarray:
    """Return the geometry issues with what the reader found wrong with single rows added (both bilingual)."""
    if not extra:
        return issues
    out = issues.copy()
    for pos, text in extra.items():
        out[pos] = join_bilingual(out[pos], text)
    return out


def join_bilingual(a: str, b: str) -> str:
    """Two ``"中文 / English"`` texts as one, the Chinese halves and the English halves joined.

    Examples
    --------
    >>> join_bilingual("是线而不是面 / line, not a polygon", "图层 红线 / layer 红线")
    '是线而不是面；图层 红线 / line, not a polygon; layer 红线'
    """
    if not a:
        return b
    za, _, ea = a.partition(" / ")
    zb, _, eb = b.partition(" / ")
    return f"{za}；{zb} / {ea or za}; {eb or zb}"


def _points(points: Any, decision) -> gpd.GeoDataFrame | None:
    """Return the named boundary points in EPSG:4490 (converted as the layer was), or None."""
    if points is None:
        return None
    geoms = decision.transform(shapely.points(points["x"].to_numpy(), points["y"].to_numpy()))
    table = points.drop(columns=["x", "y"]).reset_index(drop=True)
    return gpd.GeoDataFrame(table, geometry=np.asarray(geoms, dtype=object), crs=CGCS2000)


def _made_readable(check: GeometryCheck, notes: dict | None, info: RawInfo) -> None:
    """Put what decoding did to a row's geometry (a curve linearised, a ring closed) in its issue, first."""
    if not notes:
        return
    for i, (code, text) in notes.items():
        if check.code[i] == "":
            check.code[i], check.issue[i] = code, text
        else:
            check.issue[i] = join_bilingual(text, check.issue[i])
    counts: dict[str, int] = {}
    for code, _ in notes.values():
        counts[code] = counts.get(code, 0) + 1
    for code, n in counts.items():
        text = next(t for c, t in notes.values() if c == code)
        zh, _, en = text.partition(" / ")
        info.notes.append(f"{info.name}: {n} 个要素：{zh} / {n} feature(s): {en}")


def _convert(geoms: np.ndarray, usable: np.ndarray, decision) -> np.ndarray:
    """Densify usable geometries in their own CRS where converting bends edges, then convert them to EPSG:4490."""
    out = geoms.copy()
    present = ~shapely.is_missing(geoms)
    if usable.any() and not decision.keeps_lonlat:
        out[usable] = densify(geoms[usable], decision.split_lengths(geoms[usable]))
    if present.any():
        out[present] = decision.transform(out[present])
    return out


def _metric_copy(stored: np.ndarray, usable: np.ndarray, decision):
    """Make the layer's EPSG:4549 copy from the stored geometries (None: from the frame, in longitude/latitude).

    EPSG:4549 itself, or a CRS that differs from it by a shift (EPSG:4528), is
    taken as it is (shifted); any other CRS is projected when first needed,
    its edges split where projecting bends them by more than 1 mm.
    """
    if decision.keeps_lonlat:
        return None
    shift = decision.shift_to(CGCS2000_GK_CM120, finite_bounds(stored[usable]) if usable.any() else None)
    if shift is not None:
        return _shifted(stored, shift)

    def make(rows: np.ndarray | None = None) -> np.ndarray:
        geoms, ok = (stored, usable) if rows is None else (stored[rows], usable[rows])
        out = geoms.copy()
        present = ~shapely.is_missing(geoms)
        with np.errstate(invalid="ignore"):
            out[ok] = densify(geoms[ok], decision.split_lengths(geoms[ok], to=CGCS2000_GK_CM120))
            out[present] = shapely.transform(out[present], decision.to_crs_xy(CGCS2000_GK_CM120), interleaved=False)
        return out

    return make


def _shifted(geoms: np.ndarray, shift: tuple[float, float]) -> np.ndarray:
    if shift == (0.0, 0.0):
        return geoms
    dx, dy = shift
    with np.errstate(invalid="ignore"):
        return shapely.transform(geoms, lambda x, y: (x + dx, y + dy), interleaved=False)


def _with_geometry(gdf: gpd.GeoDataFrame, geoms: np.ndarray) -> gpd.GeoDataFrame:
    name = gdf.geometry.name
    frame = gdf.copy(deep=False)
    frame[name] = gpd.GeoSeries(geoms, index=gdf.index, crs=CGCS2000).values
    frame = frame.set_geometry(name, crs=CGCS2000)
    frame.attrs = {}
    return frame


def _crs_notes(decision) -> tuple[str, ...]:
    if decision.method in ("approximate", "datum_shift", "gcj02"):
        return (decision.note(),)
    return ()


def _log_issues(info: RawInfo, check) -> None:
    rows = np.flatnonzero(check.issue != "")
    for i in rows[:20]:
        log.info("%s: row %d: %s", info.name, i, check.issue[i])
    if len(rows) > 20:
        log.info("%s: %d more rows with geometry issues", info.name, len(rows) - 20)


def read_layer(
    source: Any,
    *,
    layer: str | int | None = None,
    encoding: str | None = None,
    crs: Any = None,
    name: str | None = None,
    override_crs: bool = False,
    sql: str | None = None,
    datum_shift: Any = None,
    approximate_datum: bool = False,
    swap_xy: bool = False,
) -> gpd.GeoDataFrame:
    """Read a layer and return it in CGCS2000 (EPSG:4490), refusing to guess a missing CRS.

    :func:`read` for callers who want the frame: every input row and column,
    geometry converted (long edges densified in the stored CRS) but otherwise
    as drawn — invalid polygons are *not* repaired here, so that whatever uses
    the frame next (:func:`suzhou_geo.validate_parcels`, :func:`suzhou_geo.check_floor`)
    still sees and reports them — and what was found in ``attrs["suzhou_geo_read"]``
    (``geometry_issues``: rows with a geometry problem).

    Parameters
    ----------
    source : path, URI, GeoDataFrame, GeoSeries or Source
    layer, encoding, sql, name
        Which layer, its text encoding, a query, and its name in messages.
    crs : str or pyproj.CRS, optional
        CRS of a layer that declares none (``"EPSG:4549"``, ``"EPSG:4528"``, ``"GCJ-02"``).
    override_crs : bool, default False
        Replace a declared CRS that differs from *crs* (the ``.prj`` is wrong).
    datum_shift, approximate_datum
        For legacy datums (Xi'an 1980, Beijing 1954): see :class:`Source`.
    swap_xy : bool, default False
        Swap x and y first.

    Returns
    -------
    geopandas.GeoDataFrame

    Examples
    --------
    >>> from suzhou_geo.io.bundled import data_path
    >>> read_layer(data_path("boundaries", "boundaries.geojson")).crs.to_epsg()
    4490
    """
    lay = read(
        source, layer=layer, encoding=encoding, crs=crs, name=name, override_crs=override_crs,
        sql=sql, datum_shift=datum_shift, approximate_datum=approximate_datum, swap_xy=swap_xy, repair=False,
    )
    frame = lay.frame.copy(deep=False)
    info = lay.provenance.to_dict()
    info["geometry_issues"] = int((lay.issues != "").sum())
    frame.attrs = {READ_ATTRS_KEY: info}
    return frame


def read_vector(
    source: Any,
    *,
    layer: str | int | None = None,
    encoding: str | None = None,
    sql: str | None = None,
    name: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector layer as declared (no CRS check, no reprojection, no repair), fixing mis-decoded text.

    Returns
    -------
    geopandas.GeoDataFrame
        With the CRS as declared (possibly None); ``attrs["suzhou_geo_read"]``
        records ``source``, ``name``, ``format``, ``encoding`` and ``notes``.

    Examples
    --------
    >>> from suzhou_geo.io.bundled import data_path
    >>> g = read_vector(data_path("boundaries", "boundaries.geojson"))
    >>> g.attrs["suzhou_geo_read"]["name"]
    'boundaries.geojson'
    """
    gdf, info = read_raw(source, layer=layer, sql=sql, encoding=encoding, name=name)
    gdf.attrs = {READ_ATTRS_KEY: {"source": info.source, "name": info.name, "format": info.format,
                                  "encoding": info.encoding, "notes": list(info.notes)}}
    return gdf
