"""One geometry type per output layer: what a layer declares, and where the other rows' geometry goes.

GeoPackage, Shapefile and PostGIS layers hold one geometry type, and QGIS and
ArcGIS open a layer of mixed types as several layers or not at all.  The one
policy, used by every writer (whole frames and streamed batches alike):

* the layer takes the family of its polygons when it has any (declared
  ``MultiPolygon``, polygons promoted to multi-polygons), otherwise the most
  common family of its rows (lines or points);
* a row of another family (a point in a parcel report), or whose coordinates
  are not finite (NaN, infinity: no format's extent can hold them), is written
  with an empty geometry, and its input geometry is kept as WKT in the column
  :data:`~suzhou_geo.io.columns.INPUT_GEOMETRY` (``input_geometry_wkt``), so
  nothing is lost.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point, box
>>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), Point(0, 0)], crs="EPSG:4549")
>>> out, declared, odd = one_geometry_type(g)
>>> declared, odd, out["input_geometry_wkt"].tolist()
('MultiPolygon', True, [<NA>, 'POINT (0 0)'])
>>> out.geometry.iloc[0].geom_type, out.geometry.iloc[1] is None
('MultiPolygon', True)
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geometry import nonfinite_rows
from .columns import INPUT_GEOMETRY, free_name

__all__ = ["POLYGON", "LINE", "POINT", "family", "one_geometry_type"]

log = logging.getLogger(__name__)

#: shapely type ids of each family.
POLYGON, LINE, POINT = (3, 6), (1, 2, 5), (0, 4)
_DECLARED = {POLYGON: "MultiPolygon", LINE: "MultiLineString", POINT: None}


def family(type_ids: np.ndarray) -> tuple[int, ...] | None:
    """Return the family a one-type layer takes: polygons if any, else the most common family."""
    if np.isin(type_ids, POLYGON).any():
        return POLYGON
    counts = [(int(np.isin(type_ids, fam).sum()), fam) for fam in (POINT, LINE)]
    best = max(counts)
    return best[1] if best[0] else None


def one_geometry_type(
    frame: gpd.GeoDataFrame, *, fixed: tuple[int, ...] | None = None, wkt_column: bool | None = None
) -> tuple[gpd.GeoDataFrame, str | None, bool]:
    """Give *frame* one geometry type; rows of another type keep their geometry as WKT.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
    fixed : tuple of int, optional
        The family to use (:data:`POLYGON` for a streamed parcel report);
        default: decided from the frame (:func:`family`).
    wkt_column : bool, optional
        Whether the WKT column must be there: True (a layer that already has it:
        every batch writes it), False (a layer without it), None (add it when
        a row needs it).

    Returns
    -------
    frame : geopandas.GeoDataFrame
        A shallow copy when anything changed; polygons as multi-polygons.
    declared : str or None
        The OGR geometry type to declare (None: let GDAL decide).
    odd : bool
        Whether rows of another family were found.
    """
    geoms = np.asarray(frame.geometry.values, dtype=object)
    types = shapely.get_type_id(geoms)
    fam = fixed or family(types)
    if fam is None:
        return frame, None, False
    odd = (types >= 0) & (~np.isin(types, fam) | nonfinite_rows(geoms))
    single = types == 3
    if not (odd.any() or wkt_column or (fam == POLYGON and single.any())):
        return frame, _DECLARED[fam], False
    geoms = geoms.copy()
    out = frame.copy(deep=False)
    if fam == POLYGON and single.any():
        geoms[single] = shapely.multipolygons(geoms[single][:, None])
    if odd.any() or wkt_column:
        wkt = np.full(len(geoms), None, dtype=object)
        wkt[odd] = shapely.to_wkt(geoms[odd], rounding_precision=-1)  # only the rows that need it
        geoms[odd] = None
        name = free_name(INPUT_GEOMETRY.name, frame.columns)
        out[name] = pd.array(wkt, dtype="string")  # text even when every value is empty
        if odd.any():
            log.info("%d row(s) of another geometry type written without geometry (WKT kept in %s)",
                     int(odd.sum()), name)
    out[frame.geometry.name] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs).values
    return out, _DECLARED[fam], bool(odd.any())
