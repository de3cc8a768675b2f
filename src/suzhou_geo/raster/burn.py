"""Burning a layer into a raster of integer codes, with its code table.

A pipeline of named steps: read the layer once → choose the grid (aligned to
another raster, or snapped to multiples of the resolution) → number the
features or categories → burn them strip by strip → write the code table.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> layer = gpd.GeoSeries([box(589980, 3469920, 590040, 3470010)], crs="EPSG:4549")
>>> with rasterize(layer, resolution=30) as r:
...     r.read(1).tolist(), r.codes["pixels"].tolist()
([[1, 1], [1, 1], [1, 1]], [6])
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..crs import CGCS2000_GK_CM120, parse_crs
from ..errors import GeometryError, InputError, SuzhouGeoWarning, arg
from ..layer import Layer
from .grid import DEFAULT_CHUNK, check_grid, grid_from_bounds, opened
from .zones import in_crs, read_layer, unusable_rows

__all__ = ["RasterizeResult", "rasterize", "Target", "target_grid", "code_table", "burn"]


@dataclass
class RasterizeResult:
    """What :func:`rasterize` returns: the burned raster and its code table.

    Attributes
    ----------
    dataset : rasterio dataset
        Open for reading (a GeoTIFF on disk, or in memory when ``out=None``).
        Close it with :meth:`close` or use the result in a ``with`` block.
    codes : pandas.DataFrame
        One row per code: ``code`` (1..n; 0 is background/no-data), what it
        stands for, ``features`` and ``pixels`` burned.
    path : pathlib.Path or None
        The GeoTIFF, when written to disk; its code table is ``<path>.codes.csv``.
    """

    dataset: Any
    codes: pd.DataFrame
    path: Path | None = None
    _memfile: Any = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Return the code table."""
        return self.codes

    def read(self, *args, **kwargs) -> np.ndarray:
        """Shortcut to ``self.dataset.read(...)``."""
        return self.dataset.read(*args, **kwargs)

    def close(self) -> None:
        """Close the dataset (and release the in-memory file)."""
        self.dataset.close()
        if self._memfile is not None:
            self._memfile.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _repr_html_(self) -> str:
        from html import escape as e

        ds = self.dataset
        where = str(self.path) if self.path else "in memory"
        head = (
            f"<p><b>rasterized</b> {ds.width} × {ds.height} px, {e(str(ds.dtypes[0]))}, "
            f"{e(str(ds.crs))}, pixel {abs(ds.transform.a):g} × {abs(ds.transform.e):g}, {e(where)}; "
            "0 = background</p>"
        )
        return head + self.codes.head(50).to_html(index=False, escape=True)


def rasterize(
    layer: Any,
    like: Any = None,
    resolution: float = 30,
    crs: Any = CGCS2000_GK_CM120,
    attribute: str | None = None,
    out: str | os.PathLike | None = None,
    all_touched: bool = False,
    *,
    layer_crs: Any = None,
    chunk: int = DEFAULT_CHUNK,
) -> RasterizeResult:
    """Burn a vector layer into a raster of integer codes, with a code table.

    Parameters
    ----------
    layer : GeoDataFrame, GeoSeries, path or Source
        Polygons (lines and points also burn).  Any CRS; put in the grid's.
    like : path, rasterio dataset or RasterizeResult, optional
        Align to this raster's grid and CRS (then *resolution* and *crs* are ignored).
    resolution : float, default 30
        Pixel size in units of *crs* (metres for the default EPSG:4549; 30 m is
        the CLCD / Landsat grid).  The grid's origin is snapped to multiples of
        it, so two layers rasterized alike share a grid.
    crs : str or pyproj.CRS, default "EPSG:4549"
        CRS of the new grid: CGCS2000 / GK CM 120°E, the library's metric CRS.
    attribute : str, optional
        Burn categories of this column: each distinct value gets a code 1..k in
        order of first appearance.  Without it, feature *i* (input order) gets
        code *i + 1*.
    out : path, optional
        Write a GeoTIFF (tiled 256 × 256, DEFLATE, nodata 0) and its code table
        ``<out>.codes.csv`` (UTF-8 with BOM, so Excel shows Chinese names).
        Without it the raster lives in memory.
    all_touched : bool, default False
        Burn every pixel a feature touches, not only those whose centre it covers.
    layer_crs : str, optional
        CRS of a layer that has none (``"GCJ-02"`` for Amap/Gaode data).
    chunk : int, default 1024
        Rows burned at a time; memory stays bounded for any grid size.

    Returns
    -------
    RasterizeResult
        ``.dataset`` (open rasterio dataset), ``.codes`` (DataFrame), ``.path``.
        Where features overlap, the later one wins.

    Raises
    ------
    suzhou_geo.errors.InputError
        An empty layer, an *attribute* it does not have, a resolution that is
        not a positive number (or degrees ≥ 1 for a geographic grid), a grid too large.
    suzhou_geo.errors.GeometryError
        No feature has a usable geometry.
    suzhou_geo.errors.CRSError, suzhou_geo.errors.ReadError
        A layer or *like* raster without a CRS, or that cannot be read (named in the message).

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> units = sg.jurisdictions(suzhou_only=True, geometry=True)
    >>> with sg.rasterize(units, resolution=1000) as r:           # doctest: +SKIP
    ...     r.codes[["code", "name_zh", "pixels"]].head(2)
    """
    lay = read_layer(layer, "layer", layer_crs, "layer_crs")
    target, geoms = target_grid(lay, like, resolution, crs)
    codes, table = code_table(lay, attribute)
    dst, memfile = _create(target, int(codes.max(initial=0)), out)
    try:
        pixels = burn(dst, geoms, codes, target, all_touched, chunk)
        _describe(dst, lay.provenance.name, attribute, out)
    finally:
        dst.close()
    return _finish(table, pixels, codes, attribute, lay.provenance.name, memfile, out)


class Target(NamedTuple):
    """The grid a layer is burned into."""

    transform: Any
    width: int
    height: int
    crs: CRS


def target_grid(lay: Layer, like: Any, resolution: Any, crs: Any) -> tuple[Target, np.ndarray]:
    """Choose the grid: that of *like*, or one snapped to *resolution* in *crs* covering the usable features.

    Returns the grid and the layer's geometries in its CRS (``None`` for unusable
    ones, which a warning names).
    """
    name = lay.provenance.name
    if len(lay) == 0:
        raise InputError("has no features: nothing to rasterize", source=name,
                         hint="check the file (and the layer or query that selects its features)")
    unusable_rows(lay, "they are not burned")
    if not lay.usable.any():
        raise GeometryError("no feature has a usable geometry (all are missing, empty or have non-finite "
                            "coordinates)", source=name, hint="check the geometries of the layer")
    if like is not None:
        with opened(like, "like") as ds:
            check_grid(ds)
            target = Target(ds.transform, ds.width, ds.height, CRS.from_user_input(ds.crs))
        return target, np.where(lay.usable, in_crs(lay, target.crs), None)
    dst_crs = _grid_crs(crs)
    geoms = np.where(lay.usable, in_crs(lay, dst_crs), None)
    transform, width, height = grid_from_bounds(shapely.total_bounds(geoms[lay.usable]), resolution, dst_crs)
    return Target(transform, width, height, dst_crs), geoms


def _grid_crs(crs: Any) -> CRS:
    return parse_crs(crs, what="the grid's CRS", source="rasterize",
                     hint=f"pass e.g. {arg('crs', repr(CGCS2000_GK_CM120))}")


def code_table(lay: Layer, attribute: str | None) -> tuple[np.ndarray, pd.DataFrame]:
    """(code of every feature, the table of codes): features 1..n in input order, or categories of *attribute*."""
    frame = lay.frame
    name = lay.provenance.name
    if attribute is None:
        codes = np.arange(1, len(frame) + 1, dtype=np.int64)
        attrs = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        attrs.columns = [f"{c}_layer" if c in ("code", "index", "features", "pixels") else c for c in attrs.columns]
        table = pd.concat([pd.DataFrame({"code": codes, "index": frame.index}), attrs.reset_index(drop=True)], axis=1)
        table["features"] = 1
        return codes, table
    if attribute not in frame.columns or attribute == frame.geometry.name:
        columns = [c for c in frame.columns if c != frame.geometry.name]
        raise InputError(f"has no column {attribute!r}; its columns: {columns}", source=name, column=attribute,
                         hint=f"pass {arg('attribute', repr(columns[0]) if columns else '…')}")
    cat, uniques = pd.factorize(frame[attribute], sort=False)
    codes = cat.astype(np.int64) + 1  # NaN -> 0, not burned
    if (cat < 0).any():
        warnings.warn(f"{name}: {int((cat < 0).sum())} features have no {attribute!r}; they are not burned",
                      SuzhouGeoWarning, stacklevel=3)
    label = f"{attribute}_layer" if attribute in ("code", "features", "pixels") else attribute
    table = pd.DataFrame({"code": np.arange(1, len(uniques) + 1), label: uniques})
    table["features"] = np.bincount(codes, minlength=len(uniques) + 1)[1:]
    return codes, table


def _create(target: Target, n_codes: int, out: Any):
    """(dataset open for writing, in-memory file or None): tiled, DEFLATE, nodata 0, the smallest code type."""
    import rasterio
    from rasterio.errors import RasterioIOError
    from rasterio.io import MemoryFile

    dtype = "uint8" if n_codes < 255 else "uint16" if n_codes < 65535 else "uint32"
    profile = dict(
        driver="GTiff", width=target.width, height=target.height, count=1, dtype=dtype, crs=target.crs.to_wkt(),
        transform=target.transform, nodata=0, tiled=True, blockxsize=256, blockysize=256,
        compress="deflate", predictor=2, BIGTIFF="IF_SAFER",
    )
    if out is None:
        memfile = MemoryFile()
        return memfile.open(**profile), memfile
    from ..errors import OutputError

    try:
        return rasterio.open(Path(out), "w", **profile), None
    except (RasterioIOError, OSError) as exc:
        raise OutputError(f"cannot write it: {exc}", source=str(out),
                          hint="check that the folder exists and is writable") from None


def burn(dst, geoms: np.ndarray, codes: np.ndarray, target: Target, all_touched: bool,
         chunk: int = DEFAULT_CHUNK) -> np.ndarray:
    """Burn *geoms* strip by strip into *dst*; return the pixel count of every code (0: background)."""
    from rasterio import features, windows

    width, height, dtype = target.width, target.height, dst.dtypes[0]
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & (codes > 0)
    idx_ok = np.flatnonzero(ok)
    tree = shapely.STRtree(geoms[idx_ok])
    rows = max(16, min(chunk, (16 * 2**20) // max(width, 1)) // 256 * 256 or 256)
    counts = np.zeros(int(codes.max(initial=0)) + 1, dtype=np.int64)
    for r0 in range(0, height, rows):
        h = min(rows, height - r0)
        win = windows.Window(0, r0, width, h)
        wt = windows.transform(win, target.transform)
        x0, y1 = wt.c, wt.f
        x1, y0 = x0 + width * wt.a, y1 + h * wt.e
        hit = np.sort(idx_ok[tree.query(shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))])
        if len(hit):
            # only the strip's part of each feature goes to GDAL (a pixel of margin keeps its edges as they are):
            # rasterio hands coordinates over one by one, so a big zone burned in many strips costs once
            px, py = abs(wt.a), abs(wt.e)
            parts = shapely.clip_by_rect(geoms[hit], min(x0, x1) - px, min(y0, y1) - py, max(x0, x1) + px,
                                         max(y0, y1) + py)
            arr = features.rasterize(zip(parts, codes[hit].tolist(), strict=True), out_shape=(h, width),
                                     transform=wt, fill=0, all_touched=all_touched, dtype=dtype)
            counts += np.bincount(arr.ravel(), minlength=len(counts))[: len(counts)]
        else:
            arr = np.zeros((h, width), dtype=dtype)
            counts[0] += arr.size
        dst.write(arr, 1, window=win)
    return counts


def _describe(dst, name: str, attribute: str | None, out: Any) -> None:
    where = f"{Path(out).name}.codes.csv" if out is not None else "RasterizeResult.codes"
    dst.update_tags(SUZHOU_GEO_CODES=f"code table: {where}", SOURCE_LAYER=str(name))
    dst.set_band_description(1, f"codes of {attribute}" if attribute else "feature codes (input order)")


def _finish(table: pd.DataFrame, pixels: np.ndarray, codes: np.ndarray, attribute: str | None, name: str,
            memfile: Any, out: Any) -> RasterizeResult:
    """Add the pixel counts to the code table, write it beside the GeoTIFF, and return the result."""
    import rasterio

    table["pixels"] = pixels[1: len(table) + 1] if attribute else pixels[codes]
    empty = table.loc[table["pixels"] == 0, "code"].tolist()
    if empty:
        touched = arg("all_touched", "True")
        warnings.warn(
            f"{name}: {len(empty)} code(s) burned no pixel (smaller than a pixel, outside the grid, "
            f"or covered by later features), e.g. codes {empty[:5]}; try "
            + (f"{touched} or " if touched else "") + "a finer resolution",
            SuzhouGeoWarning, stacklevel=3,
        )
    if out is None:
        return RasterizeResult(memfile.open(), table, None, memfile)
    table.to_csv(f"{out}.codes.csv", index=False, encoding="utf-8-sig")
    return RasterizeResult(rasterio.open(out), table, Path(out))
