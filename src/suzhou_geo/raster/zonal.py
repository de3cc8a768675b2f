"""Zonal statistics as a pipeline: prepare zones → scan windows → accumulate → assemble.

Each stage is a function of its own:

* :func:`~suzhou_geo.raster.zones.prepare_zones` reads the zones once, checks
  them and puts them in the raster's CRS, with their ellipsoidal areas;
* :func:`scan_windows` walks the raster in windows aligned to its blocks and
  reads, once, the part of each window that some zone's box covers, with the
  true area of every pixel of it (in a thread,
  :func:`~suzhou_geo.io.stream.read_ahead`, while the window before is counted);
* :func:`accumulate` adds, for every zone in a window, each pixel's covered
  area (covered share × true pixel area) to the zone's class (or to its
  no-data), in one weighted count per zone and window;
* :func:`assemble` builds the table: carried columns, areas, shares.

Examples
--------
>>> import geopandas as gpd, numpy as np
>>> from rasterio.io import MemoryFile
>>> from rasterio.transform import from_origin
>>> from shapely.geometry import box
>>> grid = np.array([[10, 50], [50, 50]], dtype="uint8")
>>> with MemoryFile() as mf:
...     with mf.open(driver="GTiff", width=2, height=2, count=1, dtype="uint8", crs="EPSG:4549",
...                  transform=from_origin(590000, 3470000, 30, 30), nodata=0) as ds:
...         ds.write(grid, 1)
...     zone = gpd.GeoSeries([box(590000, 3469940, 590060, 3470000)], crs="EPSG:4549")
...     stats = zonal_stats(mf.open(), zone, classes="worldcover")
>>> round(float(stats.loc[0, "built_up_share"]), 4)
0.75
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from ..errors import InputError, SuzhouGeoWarning, arg, arg_name
from ..io.stream import read_ahead
from ..landcover import ClassTable, class_table
from .coverage import MODES, covered
from .grid import DEFAULT_CHUNK, Grid, opened, pixel_bounds, small_cache, windows
from .zones import Zones, prepare_zones

__all__ = ["zonal_stats", "Window", "Tally", "scan_windows", "accumulate", "assemble"]


def zonal_stats(
    raster: Any,
    zones: Any,
    categorical: bool = True,
    classes: Any = None,
    zone_field: str | None = None,
    *,
    coverage: str = "fraction",
    band: int = 1,
    zones_crs: Any = None,
    chunk: int = DEFAULT_CHUNK,
) -> pd.DataFrame:
    """Land-cover (or any raster) statistics per zone, with true pixel areas.

    Parameters
    ----------
    raster : path, rasterio dataset or RasterizeResult
        North-up raster with a CRS; no-data from its nodata value or mask band.
    zones : GeoDataFrame, GeoSeries, path or Source
        Polygons in any CRS (read through :func:`suzhou_geo.io.read`, then put in
        the raster's CRS).  Overlapping zones are counted independently.
    categorical : bool, default True
        Area per class (integer rasters).  False: ``count``, area-weighted
        ``mean``, ``min``, ``max``, ``std``.
    classes : str, dict or ClassTable, optional
        ``"worldcover"``, ``"clcd"`` (see :mod:`suzhou_geo.landcover`) or
        ``{code: name}``: names the columns (``built_up_m2``) and lists every
        class even when absent.  Without it columns are ``class_<code>_m2`` for
        the codes found.
    zone_field : str, optional
        Column naming the zones; only it is carried to the result.  By default
        all non-geometry columns are carried.
    coverage : {"fraction", "centre"}, default "fraction"
        How a pixel cut by a zone's edge counts: by its exactly covered share,
        or wholly if its centre is inside (see :mod:`suzhou_geo.raster`).
    band : int, default 1
    zones_crs : str, optional
        CRS of zones that have none (``"GCJ-02"`` accepted).
    chunk : int, default 1024
        Side of the windows read at once (rounded to the raster's blocks).

    Returns
    -------
    pandas.DataFrame
        One row per zone, in input order, with the input's index and carried
        columns, then ``zone_m2`` (ellipsoidal area of the zone), ``n_pixels``
        (pixels it touches), for categorical rasters ``<class>_m2`` for each
        class, ``nodata_m2``, ``outside_m2`` and the matching ``*_share``
        columns (shares of ``zone_m2``; they sum to 1); for continuous rasters
        ``count``, ``valid_m2``, ``mean``, ``min``, ``max``, ``std``,
        ``nodata_m2``, ``outside_m2``, ``nodata_share``, ``outside_share``.
        ``.attrs`` records the raster, class table, coverage rule and
        ``class_columns`` ({code: column key}).  Zones without a usable
        geometry get NaN, with a warning naming them.

    Raises
    ------
    suzhou_geo.errors.InputError
        A band the raster does not have, class codes asked of a floating-point
        raster, a *zone_field* the zones do not have, an unknown *coverage*.
    suzhou_geo.errors.CRSError
        A raster or zones without a CRS (the message says what the coordinates look like).
    suzhou_geo.errors.GeometryError
        Zones that are points or lines.
    suzhou_geo.errors.ReadError
        A raster or zone file that cannot be read (named in the message).

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> stats = sg.zonal_stats("worldcover_kunshan.tif", sg.boundary("昆山市"),
    ...                        classes="worldcover", zone_field="name_zh")  # doctest: +SKIP
    >>> stats[["name_zh", "built_up_m2", "built_up_share"]]                 # doctest: +SKIP
    """
    mode = _mode(coverage)
    table = _class_table(classes, categorical)
    with small_cache(), opened(raster) as ds:
        grid = Grid.of(ds, band)
        _check_values(grid, categorical)
        z = prepare_zones(zones, grid, zone_field=zone_field, zones_crs=zones_crs)
        tally = Tally.empty(len(z), grid, categorical)
        for window in read_ahead(scan_windows(ds, grid, z, chunk), name="suzhou_geo-raster-read-ahead"):
            accumulate(tally, window, z, mode)
    return assemble(z, tally, grid, table, mode)


def _mode(cov: str) -> str:
    if cov not in MODES:
        raise InputError(f"the coverage rule must be 'fraction' or 'centre', not {cov!r}", source="zonal_stats",
                         hint=f"pass {arg('coverage', repr('fraction'))} or {arg('coverage', repr('centre'))}")
    return MODES[cov]


def _class_table(classes: Any, categorical: bool) -> ClassTable | None:
    table = class_table(classes)
    if table is not None and not categorical:
        raise InputError("a class table only applies to categorical rasters", source="zonal_stats",
                         hint=f"leave out {arg_name('classes')}")
    return table


def _check_values(grid: Grid, categorical: bool) -> None:
    if categorical and grid.dtype.kind == "f":
        how = arg("categorical", "False")
        raise InputError(
            f"holds floating-point values ({grid.dtype}); statistics by class need class codes", source=grid.name,
            hint=f"for count/mean/min/max/std pass {how}" if how else "give a raster of integer class codes",
        )


# --------------------------------------------------------------------------- scan windows


@dataclass
class Window:
    """The part of one raster window that zones cover, read once.

    Attributes
    ----------
    row0, col0 : int
        Its first pixel in the raster.
    values : numpy.ndarray
        The band's values (no-data pixels keep whatever value they hold).
    invalid : numpy.ndarray of bool
        No-data pixels (the nodata value, the mask band, or NaN/inf).
    areas : numpy.ndarray
        True (ellipsoidal) area of each pixel, m².
    hits : list of (zone, row0, row1, col0, col1)
        The zones that touch it and the pixels their boxes cover (raster rows and columns).
    """

    row0: int
    col0: int
    values: np.ndarray
    invalid: np.ndarray
    areas: np.ndarray
    geotransform: Any
    hits: list = field(default_factory=list)

    def transform(self, r0: int, c0: int):
        """Return the geotransform of the pixels from raster row *r0*, column *c0* on."""
        t = self.geotransform
        return t @ t.translation(c0, r0)


def scan_windows(ds, grid: Grid, zones: Zones, chunk: int = DEFAULT_CHUNK) -> Iterator[Window]:
    """Yield the raster's windows that zones touch, each read once: only the part their boxes cover."""
    from rasterio.windows import Window as RioWindow

    ok_idx = np.flatnonzero(zones.ok)
    tree = shapely.STRtree(zones.geoms[ok_idx])
    boxes = np.array([pixel_bounds(grid.transform, b, grid.height, grid.width) for b in zones.bounds])
    t = grid.transform
    for r0, r1, c0, c1 in windows(grid.height, grid.width, chunk, grid.block):
        xa, xb, ya, yb = t.c + c0 * t.a, t.c + c1 * t.a, t.f + r0 * t.e, t.f + r1 * t.e
        hit = ok_idx[tree.query(shapely.box(min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)),
                                predicate="intersects")]
        if not len(hit):
            continue
        pb = boxes[hit]
        sr0, sr1 = max(r0, int(pb[:, 0].min())), min(r1, int(pb[:, 1].max()))
        sc0, sc1 = max(c0, int(pb[:, 2].min())), min(c1, int(pb[:, 3].max()))
        if sr1 <= sr0 or sc1 <= sc0:
            continue
        data = ds.read(grid.band, window=RioWindow(sc0, sr0, sc1 - sc0, sr1 - sr0), masked=True)
        values = np.ma.getdata(data)
        invalid = np.ma.getmaskarray(data)
        if grid.dtype.kind == "f":
            invalid = invalid | ~np.isfinite(values)
        window = Window(sr0, sc0, values, invalid, grid.areas(sr0, sc0, sr1 - sr0, sc1 - sc0), t)
        for z, (zr0, zr1, zc0, zc1) in zip(hit.tolist(), pb.tolist(), strict=True):
            zr0, zr1, zc0, zc1 = max(zr0, sr0), min(zr1, sr1), max(zc0, sc0), min(zc1, sc1)
            if zr1 > zr0 and zc1 > zc0:
                window.hits.append((z, zr0, zr1, zc0, zc1))
        yield window


# --------------------------------------------------------------------------- accumulate


@dataclass
class Tally:
    """What the windows add up per zone: touched pixels, no-data area, class areas or running moments.

    Class areas are counted in bins indexed by the class code (uint8 and uint16
    rasters: one weighted ``bincount`` per zone and window, no-data in the last
    bin); other integer types fall back to ``numpy.unique``.
    """

    n_pixels: np.ndarray
    nodata_m2: np.ndarray
    categorical: bool
    bins: int = 0
    classes: list = field(default_factory=list)  # per zone: None, an array of bins, or a {code: m²} dict
    moments: dict = field(default_factory=dict)  # continuous: count, w, wv, wv2, min, max, shift

    @classmethod
    def empty(cls, n: int, grid: Grid, categorical: bool) -> Tally:
        """Return an empty tally for *n* zones of a raster on *grid*."""
        bins = 0
        if categorical and grid.dtype.kind == "u" and grid.dtype.itemsize <= 2:
            bins = 2 ** (8 * grid.dtype.itemsize) + 1  # every code, then no-data
        moments = {} if categorical else {
            "count": np.zeros(n, dtype=np.int64), "w": np.zeros(n), "wv": np.zeros(n), "wv2": np.zeros(n),
            "min": np.full(n, np.inf), "max": np.full(n, -np.inf), "shift": np.full(n, np.nan),
        }
        return cls(np.zeros(n, dtype=np.int64), np.zeros(n), categorical, bins, [None] * n, moments)

    def found(self) -> list[int]:
        """Return the class codes with a positive area in some zone."""
        codes: set[int] = set()
        for acc in self.classes:
            if isinstance(acc, dict):
                codes |= {c for c, v in acc.items() if v > 0}
            elif acc is not None:
                codes |= set(np.flatnonzero(acc[:-1] > 0).tolist())
        return sorted(codes)

    def area(self, z: int, code: int) -> float:
        """Area (m²) of class *code* in zone *z*."""
        acc = self.classes[z]
        if acc is None:
            return 0.0
        if isinstance(acc, dict):
            return acc.get(code, 0.0)
        return float(acc[code]) if 0 <= code < len(acc) - 1 else 0.0


#: Rows of a zone's part of a window taken together when leaving out its uncovered columns.
BAND = 128


def accumulate(tally: Tally, window: Window, zones: Zones, mode: str) -> None:
    """Add every zone's covered pixels in *window* to *tally*, band by band, uncovered columns left out."""
    codes = _binned(window, tally) if tally.bins else None
    for z, r0, r1, c0, c1 in window.hits:
        cov, lo, hi = covered(zones.geoms[z], window.transform(r0, c0), (r1 - r0, c1 - c0), mode)
        tally.n_pixels[z] += np.count_nonzero(cov)
        for b in range(0, r1 - r0, BAND):
            left, right = int(lo[b: b + BAND].min()), int(hi[b: b + BAND].max())
            if right <= left:
                continue
            part = (slice(r0 - window.row0 + b, min(r0 - window.row0 + b + BAND, r1 - window.row0)),
                    slice(c0 - window.col0 + left, c0 - window.col0 + right))
            weight = cov[b: b + BAND, left:right] * window.areas[part]
            if codes is not None:
                _add_bins(tally, z, codes[part], weight)
            elif tally.categorical:
                _add_unique(tally, z, window.values[part], window.invalid[part], weight)
            else:
                _add_moments(tally, z, window.values[part], window.invalid[part], weight)


def _binned(window: Window, tally: Tally) -> np.ndarray:
    """Return the window's values as bin numbers: the class code, or the no-data bin."""
    codes = window.values.astype(np.intp)  # once per window: what bincount would make of every slice
    codes[window.invalid] = tally.bins - 1
    return codes


def _add_bins(tally: Tally, z: int, codes: np.ndarray, weight: np.ndarray) -> None:
    sums = np.bincount(codes.ravel(), weights=weight.ravel(), minlength=tally.bins)
    tally.nodata_m2[z] += sums[-1]
    acc = tally.classes[z]
    tally.classes[z] = sums if acc is None else acc + sums


def _add_unique(tally: Tally, z: int, values: np.ndarray, invalid: np.ndarray, weight: np.ndarray) -> None:
    tally.nodata_m2[z] += float(weight[invalid].sum())
    keep = (weight > 0) & ~invalid
    codes, inv = np.unique(values[keep], return_inverse=True)
    sums = np.bincount(inv.ravel(), weights=weight[keep], minlength=len(codes))
    acc = tally.classes[z] if tally.classes[z] is not None else {}
    for code, val in zip(codes.tolist(), sums.tolist(), strict=True):
        acc[int(code)] = acc.get(int(code), 0.0) + val
    tally.classes[z] = acc


def _add_moments(tally: Tally, z: int, values: np.ndarray, invalid: np.ndarray, weight: np.ndarray) -> None:
    tally.nodata_m2[z] += float(weight[invalid].sum())
    keep = (weight > 0) & ~invalid
    v, w = values[keep].astype(np.float64), weight[keep]
    if not len(v):
        return
    c = tally.moments
    if np.isnan(c["shift"][z]):
        c["shift"][z] = float(v[0])  # shift for a numerically stable variance
    d = v - c["shift"][z]
    c["count"][z] += len(v)
    c["w"][z] += w.sum()
    c["wv"][z] += (w * d).sum()
    c["wv2"][z] += (w * d * d).sum()
    c["min"][z] = min(c["min"][z], float(v.min()))
    c["max"][z] = max(c["max"][z], float(v.max()))


# --------------------------------------------------------------------------- assemble


def assemble(zones: Zones, tally: Tally, grid: Grid, table: ClassTable | None, mode: str) -> pd.DataFrame:
    """Build the result: carried columns, ``zone_m2``, ``n_pixels``, areas and shares (NaN without geometry)."""
    out = zones.carried.copy()
    out["zone_m2"] = zones.zone_m2
    out["n_pixels"] = tally.n_pixels
    attrs: dict[str, Any] = {"raster": grid.name, "coverage": mode, "crs": grid.crs.to_string()}
    with np.errstate(invalid="ignore", divide="ignore"):
        if tally.categorical:
            cols = _class_columns(table, tally.found())
            for code, key in cols.items():
                out[f"{key}_m2"] = [tally.area(z, code) for z in range(len(zones))]
            _nodata_outside(out, tally, zones)
            for key in cols.values():
                out[f"{key}_share"] = out[f"{key}_m2"] / zones.zone_m2
            attrs.update(classes=table.name if table else None, class_columns=cols)
        else:
            _moments(out, tally)
            _nodata_outside(out, tally, zones)
        out["nodata_share"] = tally.nodata_m2 / zones.zone_m2
        out["outside_share"] = zones.outside_m2 / zones.zone_m2
    if not zones.ok.all():
        out.loc[~zones.ok, out.columns[len(zones.carried.columns):]] = np.nan
    out.attrs.update(attrs)
    return out


def _nodata_outside(out: pd.DataFrame, tally: Tally, zones: Zones) -> None:
    out["nodata_m2"] = tally.nodata_m2
    out["outside_m2"] = zones.outside_m2


def _moments(out: pd.DataFrame, tally: Tally) -> None:
    c = tally.moments
    some = c["count"] > 0
    mean_s = c["wv"] / c["w"]
    out["count"] = c["count"]
    out["valid_m2"] = c["w"]
    out["mean"] = np.where(some, mean_s + c["shift"], np.nan)
    out["min"] = np.where(some, c["min"], np.nan)
    out["max"] = np.where(some, c["max"], np.nan)
    out["std"] = np.where(some, np.sqrt(np.maximum(c["wv2"] / c["w"] - mean_s**2, 0.0)), np.nan)


def _class_columns(table: ClassTable | None, found: Sequence[int]) -> dict[int, str]:
    if table is None:
        return {int(c): f"class_{int(c)}" for c in found}
    cols = {int(c): k for c, (k, _, _) in sorted(table.classes.items())}
    unknown = [c for c in found if c not in cols]
    if unknown:
        from ..landcover import LANDCOVER_CLASSES

        fits = [n for n, t in LANDCOVER_CLASSES.items() if set(found) <= set(t.classes)]
        fix = arg("classes", repr(fits[0])) if fits else None
        hint = f"; the values fit {fix}" if fix else ""
        warnings.warn(
            f"raster values {unknown[:10]} are not in the {table.title} class table{hint}. "
            "They are reported as class_<code>_m2.",
            SuzhouGeoWarning, stacklevel=4,
        )
        for c in unknown:
            cols[int(c)] = f"class_{int(c)}"
    return cols
