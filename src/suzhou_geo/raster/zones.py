"""The vector side of the raster functions: layers read once, in the grid's CRS, with their true areas.

Every layer comes through :func:`suzhou_geo.io.read` (one way in: its CRS
decided and checked once, its geometry checked and repaired with the repair
recorded) and is then put in the raster's CRS from that one prepared
:class:`~suzhou_geo.layer.Layer`: a raster in EPSG:4549 takes the layer's
metric copy as it is, any other CRS gets the layer's CGCS2000 geometry with its
long edges split before the conversion, as the metric copy does.

Examples
--------
>>> import geopandas as gpd
>>> from pyproj import CRS
>>> from shapely.geometry import box
>>> lay = read_layer(gpd.GeoSeries([box(590000, 3469000, 591000, 3470000)], crs="EPSG:4549"), "zones")
>>> g = in_crs(lay, CRS("EPSG:4549"))[0]
>>> [round(v) for v in g.bounds]
[590000, 3469000, 591000, 3470000]
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..crs import CGCS2000, CGCS2000_GK_CM120, DENSIFY_DEGREES, DENSIFY_METRES, ensure_crs
from ..errors import GeometryError, InputError, SuzhouGeoWarning, arg, row_at
from ..geometry import POLYGON_TYPES, polygonal_part
from ..io import Source, read
from ..layer import Layer
from ..measure import area_m2, area_m2_fast

__all__ = ["Zones", "read_layer", "in_crs", "prepare_zones", "unusable_rows"]


def read_layer(obj: Any, role: str, crs: Any = None, option: str = "crs", *, expect: str = "any") -> Layer:
    """*obj* through the one way in; *role* names it in messages unless it is a file, *option* names ``crs``.

    The raster functions offer only a CRS option for their layers; the other
    reading options are given with the layer as a :class:`suzhou_geo.io.Source`,
    and the messages say so.
    """
    spelling = {"crs": f"{option}={{value}}", "override_crs": f"{role}=sg.Source(…, override_crs={{value}})",
                "swap_xy": f"{role}=sg.Source(…, swap_xy={{value}})"}
    for opt in ("datum_shift", "approximate_datum", "encoding", "layer", "sql"):
        spelling[opt] = f"{role}=sg.Source(…, {opt}={{value}})"
    data = obj.data if isinstance(obj, Source) else obj
    name = None if isinstance(data, (str, os.PathLike)) else role
    return read(obj, crs=crs, name=name, spelling=spelling, expect=expect)


def in_crs(lay: Layer, crs: CRS) -> np.ndarray:
    """Return the layer's geometries in *crs*: its metric copy for EPSG:4549, else converted once from CGCS2000."""
    if crs == CRS.from_user_input(CGCS2000_GK_CM120):
        return lay.metric.copy()
    geoms = lay.geometry
    if crs == CRS.from_user_input(CGCS2000):
        return geoms.copy()
    series = gpd.GeoSeries(np.where(lay.usable, geoms, None), crs=CGCS2000)
    return np.asarray(ensure_crs(series, to=crs, name=lay.provenance.name).values, dtype=object)


def unusable_rows(lay: Layer, what: str) -> None:
    """Warn about the rows of *lay* that cannot be used (missing, empty, non-finite), naming them and why."""
    bad = np.flatnonzero(~lay.usable)
    if not len(bad):
        return
    shown = "; ".join(f"{row_at(lay.frame.index, k).en}: {lay.issues[k].split(' / ')[-1]}" for k in bad[:5])
    warnings.warn(
        f"{lay.provenance.name}: {len(bad)} 个要素没有可用的几何 / {len(bad)} feature(s) have no usable geometry "
        f"({shown}{' …' if len(bad) > 5 else ''}); {what}",
        SuzhouGeoWarning, stacklevel=4,
    )


@dataclass
class Zones:
    """Zones ready for counting pixels: polygons in the raster's CRS, their areas and carried columns.

    Attributes
    ----------
    geoms : numpy.ndarray
        Polygons in the raster's CRS (``None`` for zones without a usable geometry).
    ok : numpy.ndarray of bool
        Zones with a geometry to count.
    carried : pandas.DataFrame
        The columns the result keeps (all, or only ``zone_field``), with the input's index.
    zone_m2, outside_m2 : numpy.ndarray
        Ellipsoidal area of each zone and of its part beyond the raster (NaN without geometry).
    name : str
        The layer's name in messages.
    """

    geoms: np.ndarray
    ok: np.ndarray
    carried: pd.DataFrame
    zone_m2: np.ndarray
    outside_m2: np.ndarray
    name: str

    def __len__(self) -> int:
        return len(self.geoms)

    @property
    def bounds(self) -> np.ndarray:
        """(minx, miny, maxx, maxy) of every zone (zeros without geometry)."""
        return shapely.bounds(np.where(self.ok, self.geoms, shapely.Point(0, 0)))


def prepare_zones(zones: Any, grid, *, zone_field: str | None, zones_crs: Any) -> Zones:
    """Read the zones, check them, put them in the grid's CRS and measure them."""
    lay = read_layer(zones, "zones", zones_crs, "zones_crs", expect="polygon")
    name = lay.provenance.name
    if len(lay) == 0:
        raise InputError("has no features: no zones to count", source=name,
                         hint="check the file (and the layer or query that selects its features)")
    carried = _carried(lay.frame, zone_field, name)
    _refuse_non_polygons(lay, name)
    unusable_rows(lay, "their statistics are NaN")
    geoms = _polygons(np.where(lay.usable, in_crs(lay, grid.crs), None), lay, name)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    zone_m2, outside_m2 = zone_areas(geoms, ok, grid)
    return Zones(geoms, ok, carried, zone_m2, outside_m2, name)


def _carried(frame: gpd.GeoDataFrame, zone_field: str | None, name: str) -> pd.DataFrame:
    if zone_field is None:
        return pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if zone_field not in frame.columns or zone_field == frame.geometry.name:
        columns = [c for c in frame.columns if c != frame.geometry.name]
        raise InputError(f"has no column {zone_field!r} for zone names; its columns: {columns}", source=name,
                         column=zone_field, hint=f"pass {arg('zone_field', repr(columns[0]) if columns else '…')}")
    return frame[[zone_field]].copy()


def _refuse_non_polygons(lay: Layer, name: str) -> None:
    wrong = np.isin(lay.codes, ["point", "line"])
    if wrong.any():
        at = np.flatnonzero(wrong)
        rows = ", ".join(f"{row_at(lay.frame.index, k).en}: {lay.codes[k]}" for k in at[:5])
        raise GeometryError(
            f"zones must be polygons, but {len(at)} zone(s) are not ({rows}{' …' if len(at) > 5 else ''})",
            source=name, row=row_at(lay.frame.index, at[0]),
            hint="buffer points and lines into polygons first (e.g. gdf.to_crs('EPSG:4549').buffer(15))",
        )


def _polygons(geoms: np.ndarray, lay: Layer, name: str) -> np.ndarray:
    """Polygons only: what the conversion made invalid repaired (and said), collections reduced."""
    geoms = geoms.copy()
    present = ~shapely.is_missing(geoms)
    bad = present & ~shapely.is_valid(np.where(present, geoms, None))
    if bad.any():
        rows = ", ".join(row_at(lay.frame.index, k).en for k in np.flatnonzero(bad)[:5])
        warnings.warn(
            f"{name}: {int(bad.sum())} zone(s) became invalid in the raster's CRS (e.g. {rows}) and were "
            "repaired with shapely.make_valid before counting pixels", SuzhouGeoWarning, stacklevel=4,
        )
        geoms[bad] = shapely.make_valid(geoms[bad])
    odd = present & ~np.isin(shapely.get_type_id(geoms), POLYGON_TYPES)
    for i in np.flatnonzero(odd):
        geoms[i] = polygonal_part(geoms[i])
    return geoms


def zone_areas(geoms: np.ndarray, ok: np.ndarray, grid) -> tuple[np.ndarray, np.ndarray]:
    """(zone_m2, outside_m2): ellipsoidal areas of each zone and of its part beyond the raster.

    Measured as the pixels see the zone: its edges straight in the raster's CRS,
    split every 4 pixels (at most 50 m or 0.0005°), then taken through an
    equal-area projection of the ellipsoid (:func:`suzhou_geo.measure.area_m2_fast`;
    within 2e-11 of the geodesic area of the same vertices for the benchmark's
    330 zones), slivers under 1 ha geodesically.
    """
    t = grid.transform
    step = min(4 * max(abs(t.a), abs(t.e)), DENSIFY_DEGREES if grid.crs.is_geographic else DENSIFY_METRES)
    g = np.where(ok, geoms, None)
    zone_m2 = _area(shapely.segmentize(g, step), grid.crs)
    x0, y0 = t.c, t.f
    x1, y1 = x0 + grid.width * t.a, y0 + grid.height * t.e
    foot = shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    outside = np.zeros(len(geoms))
    part = ok & ~shapely.within(np.where(ok, geoms, shapely.Point()), foot)
    if part.any():
        outside[part] = _area(shapely.segmentize(shapely.difference(g[part], foot), step), grid.crs)
    zone_m2[~ok] = np.nan
    outside[~ok] = np.nan
    return zone_m2, outside


#: Below this area (m²) a polygon is measured geodesically: the equal-area projection's
#: rounding (~1e-4 m² at coordinates of 100 km) would show in a sliver's area.
SMALL_M2 = 10_000.0


def _area(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    """Ellipsoidal areas: through the equal-area projection, geodesic for polygons under :data:`SMALL_M2`."""
    out = np.zeros(len(geoms))
    present = np.flatnonzero(~shapely.is_missing(geoms))
    out[present] = area_m2_fast(geoms[present], crs)
    small = present[out[present] < SMALL_M2]
    if len(small):
        out[small] = np.array(area_m2(gpd.GeoSeries(geoms[small], crs=crs)), dtype=float)
    return out
