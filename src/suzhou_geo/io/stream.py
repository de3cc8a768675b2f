"""Reading and writing layers in batches, so that a file of any size passes in bounded memory.

:func:`open_batches` reads a file as a sequence of frames of at most
``batch_size`` rows, each exactly what :func:`suzhou_geo.io.read` would have
read for those rows (as declared: the CRS check, repairs and conversion are
done per batch by :func:`~suzhou_geo.io.read`).  Formats:

* GeoParquet (``.parquet``): pyarrow record batches, converted as
  :func:`geopandas.read_parquet` converts a table (the stored index is kept);
* GeoPackage, FlatGeobuf, GeoJSON, Shapefile and the other OGR formats:
  pyogrio's Arrow stream (:func:`pyogrio.raw.open_arrow`), converted as
  :func:`pyogrio.read_dataframe` converts it.  Arrow decodes text strictly as
  UTF-8, so a Shapefile's text encoding is decided first, on a sample, by the
  same checks as :func:`suzhou_geo.io.read` (a missing or lying ``.cpg``, GBK
  text), and the stream is decoded with it; a later batch whose text still
  looks mis-decoded stops the run with an error that says which encoding to pass.

A caller that needs only some rows may take the batches undecoded
(:meth:`BatchReader.batches`): each :class:`Batch` gives the bounds of its
plain polygons from the WKB bytes (:func:`suzhou_geo.io.wkb.polygon_bounds`)
and decodes the rows asked for, in any thread; the rows not asked for are
never made into geometries.

:class:`BatchWriter` appends report batches to one output, written to a
temporary name beside it and moved into place when complete (a failed run
leaves nothing behind):

* GeoParquet: one pyarrow ``ParquetWriter``; each batch converted as
  :meth:`geopandas.GeoDataFrame.to_parquet` converts a frame, and the file's
  ``geo`` and ``pandas`` metadata (bounding box, geometry types, index)
  describe the whole file, as if it had been written at once;
* GeoPackage: one GDAL session (:func:`pyogrio.raw.write_arrow`) fed batch by
  batch, so that GDAL builds the spatial index once at the end (appending to an
  indexed layer batch by batch is about three times slower).  The layer follows
  :func:`suzhou_geo.io.write_layer`'s rules: one declared geometry type
  (``MultiPolygon`` for a parcel report), rows of another type written without
  geometry and their WKT kept in ``input_geometry_wkt``, a non-default index as
  leading columns.  GDAL builds that index in memory, about 36 bytes per
  row, unless told otherwise: the session caps it at :data:`RTREE_RAM`
  (GDAL's ``OGR_GPKG_MAX_RAM_USAGE_RTREE``; a value the user set wins), so that
  memory does not grow with the number of rows.

Examples
--------
>>> import suzhou_geo as sg
>>> with open_batches(sg.data_path("parcels", "parcels.gpkg"), batch_size=100) as batches:
...     sizes = [len(b) for b in batches]
...     batches.total, sizes[:2], batches.info.format
(382, [100, 100], 'GPKG')
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError, OutputError, ReadError, Row, arg
from . import encoding as enc
from .columns import distinct_case, gpkg_fid_options
from .geomtype import POLYGON, one_geometry_type
from .raw import DRIVERS, ROW_NOTES, RawInfo, choose_layer, read_hint
from .wkb import decode, polygon_bounds
from .writer import checked, move_into_place

__all__ = [
    "BATCH_SIZE",
    "BatchReader",
    "Batch",
    "BatchWriter",
    "open_batches",
    "can_stream",
    "can_stream_to",
    "NotStreamable",
    "Restart",
    "give_back_memory",
    "read_ahead",
]

log = logging.getLogger(__name__)

#: Rows per batch: a streamed run peaks at ~0.85 GB at 1 M parcels and < 1 GB at 10 M (2026-12-01).
BATCH_SIZE = 50_000
#: Bytes GDAL may use to build a GeoPackage's spatial index in memory (more rows: built on disk).
#: Without a cap GDAL's in-memory index grew the peak of a 10 M-parcel run from 0.82 to 1.16 GB.
RTREE_RAM = 100 * 2**20
#: Rows of a Shapefile read (classically) to decide its text encoding.
ENCODING_SAMPLE = 20_000

_PARQUET = (".parquet", ".geoparquet")
_SHAPEFILE = (".shp", ".dbf")
#: Read whole through :func:`suzhou_geo.io.read`: tables, zips, and the approval formats (部标 TXT, CAD
#: drawings, KML/KMZ, Excel point tables), whose readers decide polygons, layers and CRS for the whole file.
_NOT_STREAMED = (".csv", ".txt", ".xlsx", ".xls", ".xlsm", ".zip", ".dxf", ".kml", ".kmz")


def _path_of(source: Any) -> Path | None:
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        if "://" in text or text.upper().startswith(("PG:", "/VSI")):
            return None
        return Path(text)
    return None


def can_stream(source: Any) -> bool:
    """Return True if *source* is a file :func:`open_batches` reads in batches (not a frame, CSV or database).

    Examples
    --------
    >>> can_stream("parcels.gpkg"), can_stream("parcels.csv"), can_stream("postgresql://u@h/db")
    (True, False, False)
    """
    path = _path_of(source)
    return path is not None and path.suffix.lower() not in _NOT_STREAMED and not path.is_dir()


def can_stream_to(path: Any) -> bool:
    """Return True if :class:`BatchWriter` appends to this output format (GeoPackage, GeoParquet).

    Examples
    --------
    >>> can_stream_to("report.gpkg"), can_stream_to("report.parquet"), can_stream_to("report.xlsx")
    (True, True, False)
    """
    p = _path_of(path)
    return p is not None and p.suffix.lower() in (".gpkg", *_PARQUET)


# =========================================================================== reading

class Batch:
    """One batch of a file as read, before its geometries are decoded.

    Attributes
    ----------
    index : pandas.Index or None
        Every row of the batch, in file order (None only where it is known once
        decoded: a GeoParquet index that pandas' metadata describes otherwise).
    crs : pyproj.CRS, str or None
        The file's declared CRS.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> with open_batches(sg.data_path("parcels", "parcels.gpkg"), batch_size=100) as reader:
    ...     batch = next(reader.batches())
    ...     plain = np.flatnonzero(np.isfinite(batch.bounds()).all(axis=1))
    ...     some = batch.frame(plain[:3])  # only these three are made into geometries
    >>> len(batch), list(some.index) == list(batch.index[plain[:3]])
    (100, True)
    """

    def __init__(self, table: Any, geometry: str, index: pd.Index | None, crs: Any,
                 decode: Callable[[Any, pd.Index | None], gpd.GeoDataFrame]) -> None:
        self._table = table
        self._geometry = geometry
        self.index = index
        self.crs = crs
        self._decode = decode

    def __len__(self) -> int:
        return self._table.num_rows

    def bounds(self) -> np.ndarray:
        """Return the stored bounds of the plain polygons (NaN for every other row), without decoding.

        See :func:`suzhou_geo.io.wkb.polygon_bounds`.
        """
        if self._geometry not in self._table.schema.names:  # no geometry: decoding says so
            return np.full((len(self), 4), np.nan)
        return polygon_bounds(self._table.column(self._geometry))

    def frame(self, rows: np.ndarray | None = None) -> gpd.GeoDataFrame:
        """Decode the rows at positions *rows* (default: all) as the reader's frames are decoded.

        Parameters
        ----------
        rows : array of int, optional
            Positions in the batch, increasing; only when :attr:`index` is known.
        """
        if rows is None:
            return self._decode(self._table, self.index)
        if self.index is None:
            raise ValueError("the rows of this batch are known only once decoded whole")
        return self._decode(self._table.take(np.asarray(rows)), self.index[np.asarray(rows)])


class BatchReader:
    """Frames of at most ``batch_size`` rows from one file, in file order (see :func:`open_batches`).

    Attributes
    ----------
    info : RawInfo
        Name, format, text encoding and notes, as :func:`suzhou_geo.io.read` records them.
    total : int or None
        Rows in the file, when the format knows it without reading.
    default_index : bool
        The rows' index is 0, 1, 2, … (files other than GeoParquet always).
    """

    def __init__(self, path: Path, *, layer: Any = None, encoding: str | None = None,
                 batch_size: int = BATCH_SIZE, name: str | None = None, rows: tuple[int, int] | None = None) -> None:
        self.path = path
        self.rows = rows
        self.layer = layer
        self.batch_size = max(int(batch_size), 1)
        label = name or path.name
        self.parquet = path.suffix.lower() in _PARQUET
        fmt = "GeoParquet" if self.parquet else DRIVERS.get(path.suffix.lower(), "OGR")
        self.info = RawInfo(str(path), label, fmt)
        self._encoding = encoding
        self.total: int | None = None
        self.default_index = True
        self._close: list = []

    # ------------------------------------------------------------------ context

    def __enter__(self) -> BatchReader:
        if not self.path.exists():
            from ..errors import MissingFileError

            raise MissingFileError(f"no such file or folder ({self.path.resolve()})", source=str(self.path))
        self._batches = self._open_parquet() if self.parquet else self._open_ogr()
        return self

    def __exit__(self, *exc: Any) -> None:
        for close in reversed(self._close):
            close()
        self._close.clear()

    def __iter__(self) -> Iterator[gpd.GeoDataFrame]:
        return (b.frame() for b in self._batches)

    def batches(self) -> Iterator[Batch]:
        """Iterate the batches undecoded (decode them with :meth:`Batch.frame`, in any thread, in any order)."""
        return self._batches

    # ------------------------------------------------------------------ GeoParquet

    def _open_parquet(self) -> Iterator[Batch]:
        import pyarrow.parquet as pq
        from geopandas.io import arrow as gpd_arrow  # the conversion read_parquet uses

        try:
            # pre_buffer=False: with it, pyarrow keeps the read-ahead of every row group already
            # read until the file is closed (~80 MB per million parcels measured at 10 M rows)
            f = pq.ParquetFile(self.path, pre_buffer=False)
            meta = f.schema_arrow.metadata or {}
            geo = gpd_arrow._validate_and_decode_metadata(meta)
        except (ValueError, OSError) as exc:
            raise ReadError(f"cannot read it as GeoParquet: {exc}", source=self.info.name,
                            hint="check that it is a GeoParquet file (geopandas.to_parquet writes one)") from None
        self._close.append(f.close)
        self.info.encoding = "UTF-8 (the format's)"
        self.total = f.metadata.num_rows
        start, stop = self.rows or (0, self.total)
        index = _StoredIndex.parse(meta, f.schema_arrow.names)
        self.default_index = index.default
        columns = None
        if gpd_arrow._check_if_covering_in_geo_metadata(geo):
            columns = gpd_arrow._get_non_bbox_columns(f.schema_arrow, geo)
        return self._parquet_batches(f, geo, columns, index, start, min(stop, self.total))

    def _parquet_batches(self, f, geo: dict, columns, index: _StoredIndex, start: int, stop: int) -> Iterator[Batch]:
        import pyarrow as pa
        from geopandas.io import arrow as gpd_arrow

        schema = f.schema_arrow
        crs: Any = False  # the declared CRS, read from the first batch
        groups, first = _row_groups(f.metadata, start, stop)

        def decode(table, index: pd.Index | None) -> gpd.GeoDataFrame:
            with np.errstate(invalid="ignore"):  # NaN coordinates are flagged per row, not warned about
                frame = gpd_arrow._arrow_to_geopandas(table, geo)
            frame.attrs = {}
            if index is not None:
                frame.index = index
            return frame

        offset = first  # row number of the next row read
        for batch in f.iter_batches(batch_size=self.batch_size, columns=columns, row_groups=groups):
            lo, hi = max(start - offset, 0), min(stop - offset, batch.num_rows)
            at = offset + lo  # row number of the frame's first row
            offset += batch.num_rows
            if hi <= lo:
                continue
            table = pa.Table.from_batches([batch.slice(lo, hi - lo)]).replace_schema_metadata(schema.metadata)
            del batch  # not kept while the caller works on the frame
            if crs is False:
                crs = gpd_arrow._arrow_to_geopandas(table.slice(0, 0), geo).crs
            yield Batch(table, geo["primary_column"], index.of(table, at), crs, decode)
            del table

    # ------------------------------------------------------------------ OGR formats

    def _open_ogr(self) -> Iterator[Batch]:
        import pyogrio
        from pyogrio.raw import open_arrow

        codec = self._decide_encoding()
        self.layer = choose_layer(str(self.path), self.layer, self.info.name)  # never the first of several silently
        try:
            info = pyogrio.read_info(str(self.path), layer=self.layer, encoding=codec)
        except Exception as exc:  # pyogrio's DataSourceError, DataLayerError, …
            raise ReadError(f"GDAL cannot read it: {exc}", source=self.info.name,
                            hint=read_hint(str(self.path), exc)) from None
        if "geometry" in [str(f) for f in info["fields"]]:
            raise NotStreamable("an attribute is called 'geometry'")
        self.total = int(info["features"]) if info.get("features", -1) >= 0 else None
        kwargs: dict[str, Any] = {"batch_size": self.batch_size, "use_pyarrow": True,
                                  "datetime_as_string": True}
        self._offset = 0
        if self.rows is not None:
            self._offset = self.rows[0]
            kwargs.update(skip_features=self.rows[0])  # the stream stops at rows[1] (no max_features with Arrow)
        if self.layer is not None:
            kwargs["layer"] = self.layer
        if codec is not None:
            kwargs["encoding"] = codec
        ctx = open_arrow(str(self.path), **kwargs)
        meta, reader = ctx.__enter__()
        self._close.append(lambda: ctx.__exit__(None, None, None))
        return self._ogr_batches(meta, reader, codec)

    def _decide_encoding(self) -> str | None:
        """Return the encoding to decode the stream with (Shapefiles: decided on a sample, as io.read decides)."""
        if self._encoding is not None:
            self.info.encoding = f"{enc.gdal_name(self._encoding)} (given)"
            return enc.gdal_name(self._encoding)
        if self.path.suffix.lower() not in _SHAPEFILE:
            self.info.encoding = "UTF-8 (the format's)"
            return None
        from .raw import read_shapefile_text

        kwargs: dict[str, Any] = {"label": self.info.name, "max_features": ENCODING_SAMPLE}
        if self.layer is not None:
            kwargs["layer"] = self.layer
        read_shapefile_text(str(self.path), self.path, self.info, kwargs)
        self._latin = (self.info.encoding or "").startswith("ISO-8859-1")
        return (self.info.encoding or "UTF-8").split(" (")[0]

    def _ogr_batches(self, meta: dict, reader, codec: str | None) -> Iterator[Batch]:
        offset = self._offset
        stop = self.rows[1] if self.rows is not None else None
        geometry = meta["geometry_name"] or "wkb_geometry"

        def decode(table, index: pd.Index) -> gpd.GeoDataFrame:
            frame = _ogr_frame(table, meta, self.info.name)
            frame.index = index
            if getattr(self, "_latin", False):
                self._check_text(frame, int(index[0]) if len(index) else 0)
            return frame

        for batch in reader:
            if stop is not None:
                if offset >= stop:
                    return
                batch = batch.slice(0, stop - offset)
            n = batch.num_rows
            yield Batch(batch, geometry, pd.RangeIndex(offset, offset + n), meta["crs"], decode)
            del batch  # not kept while the caller works on the frame
            offset += n

    def _check_text(self, frame: pd.DataFrame, offset: int) -> None:
        """Text read as ISO-8859-1 (no .cpg) that looks like mis-decoded Chinese past the sample: stop."""
        from .raw import string_values

        values = enc.suspicious(string_values(frame))
        found = enc.redecode(values, "latin-1") if values else None
        if found is not None:
            fix = arg("encoding", f"'{found[0]}'")
            raise InputError(
                f"rows after the first {ENCODING_SAMPLE:,} hold Chinese text in {found[0]} "
                f"({values[0]!r} → {found[1][0]!r}), but the file has no .cpg and its first rows did not show it",
                source=self.info.name, row=Row(offset + 1),
                hint=f"pass {fix}" if fix else f"add a .cpg file saying {found[0]} beside the .shp",
            )


class NotStreamable(Exception):
    """The file is read whole instead (the reason is logged)."""


def open_batches(source: Any, *, layer: Any = None, encoding: str | None = None,
                 batch_size: int = BATCH_SIZE, name: str | None = None,
                 rows: tuple[int, int] | None = None) -> BatchReader:
    """Open a file for reading in batches of at most *batch_size* rows (a context manager).

    Parameters
    ----------
    source : path
        A GeoParquet file or any file OGR reads (GeoPackage, Shapefile, …);
        see :func:`can_stream`.
    layer, encoding, name
        As for :func:`suzhou_geo.io.read`.
    batch_size : int, default 50000
    rows : (start, stop), optional
        Only the rows from *start* up to *stop* (file order; how a cluster reads
        one partition).  GeoPackage and Shapefile seek to *start*; GeoParquet
        reads only the row groups that hold them.

    Returns
    -------
    BatchReader
        Iterate it inside ``with``; ``.info``, ``.total``, ``.default_index``.
    """
    path = _path_of(source)
    if path is None or not can_stream(source):
        raise InputError(f"cannot read a {type(source).__name__} in batches", source=str(source),
                         hint="pass a GeoPackage, GeoParquet, Shapefile or FlatGeobuf file")
    return BatchReader(path, layer=layer, encoding=encoding, batch_size=batch_size, name=name, rows=rows)


def _row_groups(meta, start: int, stop: int) -> tuple[list[int], int]:
    """Return the row groups holding rows [start, stop) and the row number of the first one's first row."""
    groups, first, row = [], None, 0
    for i in range(meta.num_row_groups):
        n = meta.row_group(i).num_rows
        if row < stop and row + n > start:
            groups.append(i)
            first = row if first is None else first
        row += n
    return groups, (first if first is not None else start)


@dataclass(frozen=True)
class _StoredIndex:
    """How a GeoParquet file stores its pandas index (its ``pandas`` metadata, read once).

    A RangeIndex (*start*, *step*, *name*; none stored: 0, 1, no name), or
    columns (*fields*), or neither when the metadata names columns the file
    lacks (the index is then known only once a batch is decoded).
    """

    start: int | None = 0
    step: int = 1
    name: Any = None
    fields: tuple = ()

    @classmethod
    def parse(cls, meta: dict, names: list[str]) -> _StoredIndex:
        raw = meta.get(b"pandas")
        cols = json.loads(raw).get("index_columns", []) if raw else []
        if not cols:
            return cls()
        if len(cols) == 1 and isinstance(cols[0], dict) and cols[0].get("kind") == "range":
            return cls(int(cols[0]["start"]), int(cols[0]["step"]), cols[0].get("name"))
        fields = tuple(c for c in cols if isinstance(c, str))
        known = len(fields) == len(cols) and all(f in names for f in fields)
        return cls(None, 1, None, fields if known else ())

    @property
    def default(self) -> bool:
        """Whether the rows are numbered 0, 1, 2 and so on."""
        return self.start == 0 and self.step == 1

    def of(self, table: Any, at: int) -> pd.Index | None:
        """Return the index of a batch of rows starting at row *at* (from its columns, without decoding)."""
        if self.start is not None:
            return pd.RangeIndex(self.start + at * self.step, self.start + (at + table.num_rows) * self.step,
                                 self.step, name=self.name)
        return table.select(list(self.fields)).to_pandas().index if self.fields else None


def _ogr_frame(batch, meta: dict, label: str) -> gpd.GeoDataFrame:
    """One Arrow batch of pyogrio's stream as the frame :func:`pyogrio.read_dataframe` gives for it."""
    import pyarrow as pa

    try:
        df = pa.Table.from_batches([batch]).to_pandas()
    except UnicodeDecodeError:
        raise ReadError("its text is not UTF-8", source=label, hint="pass encoding= with the file's encoding") from None
    for dtype, column in zip(meta["dtypes"], meta["fields"], strict=True):
        if dtype is not None and str(dtype).startswith("datetime") and dtype != "datetime64[D]":
            df[column] = _parse_datetime(df[column])
    for subtype, column in zip(meta["ogr_subtypes"], meta["fields"], strict=True):
        if subtype == "OFSTJSON" and pd.api.types.infer_dtype(df[column]) == "string":
            df[column] = df[column].map(json.loads, na_action="ignore")
    name = meta["geometry_name"] or "wkb_geometry"
    if name not in df.columns:
        raise NotStreamable("the layer has no geometry")
    wkb = df.pop(name)
    wkb = wkb.to_numpy(na_value=None) if wkb.dtype != object else wkb.to_numpy()
    df["geometry"], notes = decode(wkb)  # curves linearised, unclosed rings closed: said per row
    out = gpd.GeoDataFrame(df, geometry="geometry", crs=meta["crs"])
    if notes:
        out.attrs[ROW_NOTES] = notes
    return out


def _parse_datetime(values: pd.Series) -> pd.Series:
    """Datetime text as :func:`pyogrio.read_dataframe` parses it (time zones kept, mixed ones as UTC)."""
    try:
        from pyogrio.geopandas import _try_parse_datetime
    except ImportError:  # pragma: no cover - an older or newer pyogrio
        return pd.to_datetime(values, format="ISO8601")
    return _try_parse_datetime(values, False, True)


T = TypeVar("T")


def read_ahead(items: Iterable[T], *, ahead: int = 1, name: str = "suzhou_geo-read-ahead") -> Iterator[T]:
    """Iterate *items* in a thread of its own, at most *ahead* of them before the caller.

    What making an item costs (reading a batch and checking it, decompressing
    a raster window) runs while the caller works on the one before: GDAL,
    pyarrow and GEOS release the GIL, so the two overlap on two cores.  The
    thread runs in a copy of the caller's context (messages spell options as
    the caller does).  It is always joined before this generator ends, also when
    the caller stops early (close it, e.g. with :func:`contextlib.closing`, to
    stop at once) or fails; an error in the thread is raised here.

    Examples
    --------
    >>> list(read_ahead(x * x for x in range(4)))
    [0, 1, 4, 9]
    """
    import contextvars
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=max(int(ahead), 1))
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
                del item  # not kept here while the caller works on it
            put(end)
        except BaseException as exc:  # handed to the caller
            put(exc)

    thread = threading.Thread(target=contextvars.copy_context().run, args=(produce,), name=name, daemon=True)
    thread.start()
    try:
        while (item := q.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
            del item  # the caller's item is let go before the next one is waited for
    finally:
        stop.set()
        thread.join()


def give_back_memory() -> None:
    """Return freed memory to the system: pyarrow's pool, and glibc's per-thread arenas (``malloc_trim``).

    Both allocators keep what was freed for later; after a batch, or a stage
    that ran in other threads, that is memory the process holds for nothing.
    """
    import pyarrow as pa

    global _TRIM
    pa.default_memory_pool().release_unused()
    if _TRIM is None:
        try:
            import ctypes

            _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc
            _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM = None


# =========================================================================== writing


class BatchWriter:
    """Append report batches to one GeoPackage or GeoParquet file (a context manager).

    The file is written to a temporary folder beside *path* and moved into place
    when the ``with`` block ends without error; an error leaves no partial file
    (and an existing output untouched).

    Parameters
    ----------
    path : str or path
        ``.gpkg`` or ``.parquet`` (see :func:`can_stream_to`).
    layer : str, optional
        GeoPackage layer name (default: the file name without extension).
    overwrite : bool, default False
        Replace an existing output.
    inputs : iterable, optional
        Files this output must not replace.
    default_index : bool, default True
        The rows are numbered 0, 1, 2, … across all batches: a GeoPackage then
        gets no index columns (GeoParquet stores any index as it comes).
    input_wkt : bool, optional
        GeoPackage: create the ``input_geometry_wkt`` column from the start
        (True), or when the first batch needs it (None).  A later batch that
        needs it when the layer was created without raises :class:`Restart`:
        write the file again with ``input_wkt=True``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"id": [1, 2, 3]}, geometry=[box(0, 0, 1, 1)] * 3, crs="EPSG:4490")
    >>> out = "r.parquet"
    >>> with BatchWriter(out) as w:
    ...     w.write(g.iloc[:2]); w.write(g.iloc[2:])
    >>> back = gpd.read_parquet(out)
    >>> back["id"].tolist(), back.index.tolist()
    ([1, 2, 3], [0, 1, 2])
    """

    def __init__(self, path: Any, *, layer: str | None = None, overwrite: bool = False,
                 inputs: Any = (), default_index: bool = True, input_wkt: bool | None = None) -> None:
        self.target = checked(path, overwrite=overwrite, inputs=list(inputs or ()))
        if not can_stream_to(self.target):
            raise OutputError("cannot be written in batches", source=str(self.target),
                              hint="write .gpkg or .parquet, or validate in memory and use write_layer")
        self.layer = layer or self.target.stem
        self.overwrite = overwrite
        self.default_index = default_index
        self.input_wkt = input_wkt
        self.rows = 0
        self._sink: _ParquetSink | _GpkgSink | None = None

    def __enter__(self) -> BatchWriter:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._tmpdir = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".partial",
                                                 dir=self.target.parent))
        except OSError as exc:
            raise OutputError(f"cannot write there: {exc.strerror or exc}", source=str(self.target),
                              hint="choose a folder you can write to") from None
        staged = self._tmpdir / self.target.name
        parquet = self.target.suffix.lower() in _PARQUET
        self._sink = _ParquetSink(staged) if parquet else _GpkgSink(staged, self.layer, self.default_index,
                                                                    self.input_wkt)
        return self

    def write(self, frame: gpd.GeoDataFrame) -> None:
        """Append the rows of *frame* (same columns as the batches before)."""
        try:
            self._sink.write(frame)
        except (OutputError, Restart):
            raise
        except (RuntimeError, OSError, ValueError, TypeError) as exc:
            log.debug("writing %s failed", self.target, exc_info=True)
            raise OutputError(f"cannot write it: {exc}", source=str(self.target),
                              hint="check that the folder is writable and has space") from None
        self.rows += len(frame)

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self._sink is not None:
                self._sink.close(ok=exc_type is None)
            if exc_type is None:
                move_into_place(self._tmpdir / self.target.name, self.target, overwrite=self.overwrite)
        finally:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


class Restart(Exception):
    """A batch needs a column the layer was created without: write the file again with ``input_wkt=True``."""


# --------------------------------------------------------------------------- GeoParquet


class _ParquetSink:
    """One ParquetWriter; metadata for the whole file written when it closes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer = None
        self.schema = None
        self.bbox: list[float] | None = None
        self.types: set[str] = set()
        self.geo: dict | None = None
        self.first: pd.Index | None = None
        self.last: pd.Index | None = None

    def write(self, frame: gpd.GeoDataFrame) -> None:
        import pyarrow.parquet as pq
        from geopandas.io import arrow as gpd_arrow  # the conversion to_parquet uses

        table = gpd_arrow._geopandas_to_arrow(frame, index=None)
        geo = json.loads(table.schema.metadata[b"geo"])
        self._collect(geo)
        self.first = frame.index if self.first is None else self.first
        self.last = frame.index
        if self.writer is None:
            self.schema = table.schema
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="snappy")
        elif not table.schema.equals(self.schema, check_metadata=False):
            table = _conform(table, self.schema)
        self.writer.write_table(table.replace_schema_metadata(self.schema.metadata))

    def _collect(self, geo: dict) -> None:
        col = geo["columns"][geo["primary_column"]]
        self.types.update(col.get("geometry_types", []))
        b = col.get("bbox")
        if b and all(np.isfinite(b)):
            self.bbox = b if self.bbox is None else [min(self.bbox[0], b[0]), min(self.bbox[1], b[1]),
                                                     max(self.bbox[2], b[2]), max(self.bbox[3], b[3])]
        if self.geo is None:
            self.geo = geo

    def close(self, *, ok: bool) -> None:
        if self.writer is None:
            return
        self.writer.close()
        if ok:
            meta = {**self.schema.metadata, **{k.encode(): v.encode() for k, v in self._metadata().items()}}
            _restamp(self.path, self.schema.with_metadata(meta))

    def _metadata(self) -> dict:
        geo = json.loads(json.dumps(self.geo))
        col = geo["columns"][geo["primary_column"]]
        col["geometry_types"] = sorted(self.types)
        if self.bbox is not None:
            col["bbox"] = self.bbox
        else:
            col.pop("bbox", None)
        out = {"geo": json.dumps(geo)}
        pandas_meta = json.loads(self.schema.metadata[b"pandas"])
        for ix in pandas_meta.get("index_columns", []):
            if isinstance(ix, dict) and ix.get("kind") == "range":  # the batches' ranges join into one
                ix.update(start=int(self.first.start), stop=int(self.last.stop))
        out["pandas"] = json.dumps(pandas_meta)
        return out


def _restamp(path: Path, schema) -> None:
    """Replace the footer of a Parquet file so that its metadata is *schema*'s (the data stay where they are).

    A ParquetWriter stores the schema it was opened with, metadata included,
    and pyarrow (hence geopandas) reads that copy; the bounding box, geometry
    types and row count of the whole file are known only at its end.  The new
    footer is the old one's row groups under *schema*.
    """
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    old = pq.read_metadata(path)
    empty = io.BytesIO()
    pq.ParquetWriter(empty, schema).close()
    new = pq.read_metadata(pa.BufferReader(empty.getvalue()))
    new.append_row_groups(old)
    footer = io.BytesIO()
    new.write_metadata_file(footer)  # b"PAR1" + metadata + length + b"PAR1"
    with open(path, "r+b") as f:
        f.seek(-8, os.SEEK_END)
        length = int.from_bytes(f.read(4), "little")
        f.seek(-8 - length, os.SEEK_END)
        f.truncate()
        f.write(footer.getvalue()[4:])


def _conform(table, schema):
    """Cast *table* to the file's schema (e.g. a text column that was all empty in the first batch)."""
    import pyarrow as pa

    if table.schema.names != schema.names:
        raise OutputError(f"a batch has other columns ({table.schema.names}) than the first ({schema.names})",
                          hint="every batch must have the same columns")
    try:
        return table.cast(pa.schema(list(schema), metadata=table.schema.metadata))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise OutputError(f"a batch's column types differ from the first batch's: {exc}",
                          hint="write .gpkg, or validate in memory") from None


# --------------------------------------------------------------------------- GeoPackage


@contextlib.contextmanager
def _rtree_ram_cap() -> Iterator[None]:
    """Cap the memory of GDAL's GeoPackage index build at :data:`RTREE_RAM` unless the user chose a cap."""
    import pyogrio

    key = "OGR_GPKG_MAX_RAM_USAGE_RTREE"
    if pyogrio.get_gdal_config_option(key) is not None:  # set by the user (environment or pyogrio)
        yield
        return
    pyogrio.set_gdal_config_options({key: str(RTREE_RAM)})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: None})


class _GpkgSink:
    """One GDAL session fed batch by batch through an Arrow stream (pyogrio.write_arrow), in its own thread."""

    def __init__(self, path: Path, layer: str, default_index: bool, with_wkt: bool | None) -> None:
        self.path = path
        self.layer = layer
        self.default_index = default_index
        self.schema = None
        self.with_wkt = with_wkt
        self._thread = None

    def write(self, frame: gpd.GeoDataFrame) -> None:
        frame = frame.reset_index(drop=True) if self.default_index else frame.reset_index()
        frame = distinct_case(frame, self.path.name, warn=self._thread is None)  # said once, for the first batch
        frame, _, odd = one_geometry_type(frame, fixed=POLYGON, wkt_column=self.with_wkt)
        if self.with_wkt is None:
            self.with_wkt = odd
        elif odd and not self.with_wkt:
            raise Restart()
        table = _to_arrow(frame)
        if self._thread is None:
            self.schema = table.schema
            self._start(frame)
        elif not table.schema.equals(self.schema, check_metadata=False):
            table = _conform(table, self.schema)
        for b in table.to_batches():
            self._put(b)

    def _start(self, frame: gpd.GeoDataFrame) -> None:
        import queue
        import threading

        import pyarrow as pa

        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: list[BaseException] = []
        geometry = frame.geometry.name
        crs = frame.crs.to_string() if frame.crs is not None else None
        if frame.crs is not None and frame.crs.to_epsg():
            crs = f"EPSG:{frame.crs.to_epsg()}"

        def batches():
            while True:
                item = self._queue.get()
                if item is None:
                    return
                yield item

        reader = pa.RecordBatchReader.from_batches(self.schema, batches())

        def run():
            from pyogrio.raw import write_arrow

            try:
                with warnings.catch_warnings(), _rtree_ram_cap():
                    warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's note on empty geometries
                    # GeoPackage 1.2: what QGIS 3.22 and ArcGIS 10.x read without a version warning
                    write_arrow(reader, str(self.path), layer=self.layer, driver="GPKG", geometry_name=geometry,
                                geometry_type="MultiPolygon", crs=crs, dataset_options={"VERSION": "1.2"},
                                layer_options=gpkg_fid_options(self.schema.names))
            except BaseException as exc:  # reported to the writing thread
                self._error.append(exc)
                while True:  # unblock the producer
                    try:
                        self._queue.get_nowait()
                    except Exception:
                        break

        self._thread = threading.Thread(target=run, name="suzhou_geo-gpkg-writer", daemon=True)
        self._thread.start()

    def _put(self, batch) -> None:
        import queue

        while True:
            if self._error:
                raise self._error[0]
            try:
                self._queue.put(batch, timeout=0.5)
                return
            except queue.Full:
                continue

    def close(self, *, ok: bool) -> None:
        import queue

        if self._thread is None:
            return
        if not ok:
            self._error.append(RuntimeError("aborted"))
        while self._thread.is_alive():  # the end of the stream (unless the writer already stopped)
            try:
                self._queue.put(None, timeout=0.2)
                break
            except queue.Full:
                continue
        self._thread.join()
        if ok and self._error:
            raise self._error[0]


def _to_arrow(frame: gpd.GeoDataFrame):
    """Return the frame as an Arrow table with WKB geometry, converted as pyogrio's writer converts a frame.

    Text stays text; datetimes that may mix UTC offsets (objects, zones other
    than UTC) are written as text that GDAL is told is a DateTime; values Arrow
    cannot hold become text.
    """
    import pyarrow as pa

    geom = frame.geometry.name
    df = pd.DataFrame(frame, copy=False)
    df[geom] = shapely.to_wkb(np.asarray(frame.geometry.values, dtype=object))
    datetimes = []
    for name, dtype in df.dtypes.items():
        if name == geom:
            continue
        if dtype == "object":
            kind = pd.api.types.infer_dtype(df[name])
            if kind == "datetime":
                df[name] = df[name].astype("string")
                datetimes.append(name)
            elif kind != "string":
                try:
                    pa.Schema.from_pandas(df[[name]])
                except pa.ArrowInvalid:
                    df[name] = df[name].astype("string")
        elif isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) != "UTC":
            df[name] = df[name].astype("string")
            datetimes.append(name)
    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, f in enumerate(table.schema):  # a column of no type (every value empty, as in every DXF): GDAL takes
        if pa.types.is_null(f.type):  # text, as the in-memory writer makes it; a geometry column takes WKB
            kind = pa.binary() if f.name == geom else pa.string()
            table = table.set_column(i, pa.field(f.name, kind, metadata=f.metadata), pa.nulls(len(table), kind))
    for name in datetimes:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, table.schema.field(i).with_metadata({"GDAL:OGR:type": "DateTime"}), table[name])
    return table
