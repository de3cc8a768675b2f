"""Named boundary points (界址点) of parcels: the interface occupancy tables are built on.

A parcel that came with named points keeps them in the text column ``界址点``:
the names in ring order, the closing repeat left out, rings separated by ``;``
(``"J1,J2,J3,J4;J5,J6,J7"``).  :func:`boundary_points` turns such a frame into
one row per named point.

This is the minimal version (frames with a ``界址点`` column whose geometry has
one vertex per name); the approval-file readers extend the same function to
layers and files read from 部标 TXT, DXF and 界址点 tables, keeping the numbers
as written in the file.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Polygon
>>> g = gpd.GeoDataFrame({"界址点": ["J1,J2,J3"]}, crs="EPSG:4490",
...                      geometry=[Polygon([(120.9, 31.3), (120.91, 31.3), (120.9, 31.31)])])
>>> boundary_points(g)[["row", "ring", "point"]].values.tolist()
[[0, 1, 'J1'], [0, 1, 'J2'], [0, 1, 'J3']]
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..crs import CGCS2000
from ..errors import InputError

__all__ = ["NAMES_COLUMN", "POINT_COLUMNS", "boundary_points", "split_names"]

#: The text column holding a parcel's 界址点 names.
NAMES_COLUMN = "界址点"
#: The columns of a boundary-points table (with a Point geometry in EPSG:4490).
POINT_COLUMNS = ("row", "ring", "point", "x_file", "y_file")


def split_names(text: Any) -> list[list[str]]:
    """Split a 界址点 text into its rings of names (empty for a missing value).

    Examples
    --------
    >>> split_names("J1,J2,J3;J4,J5,J6")
    [['J1', 'J2', 'J3'], ['J4', 'J5', 'J6']]
    >>> split_names(None)
    []
    """
    if not isinstance(text, str) or not text.strip():
        return []
    return [[n.strip() for n in ring.split(",")] for ring in text.split(";")]


def _rings(geom: Any) -> list[np.ndarray]:
    """Open coordinate rings of a (multi)polygon: each part's outer ring, then its holes."""
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return []
    parts = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    out = []
    for p in parts:
        for ring in (p.exterior, *p.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            out.append(xy[:-1] if len(xy) > 1 and (xy[0] == xy[-1]).all() else xy)
    return out


def _row_points(pos: int, label: Any, groups: list[list[str]], rings: list[np.ndarray]) -> list[tuple]:
    used: set[int] = set()
    out = []
    for number, names in enumerate(groups, start=1):
        k = next((k for k, r in enumerate(rings) if k not in used and len(r) == len(names)), None)
        if k is None:
            counts = ", ".join(str(len(r)) for r in rings) or "none"
            raise InputError(
                f"圈 {number} 有 {len(names)} 个界址点名，但几何中没有顶点数相符的环 / ring {number} names "
                f"{len(names)} points, but no ring of the geometry has as many vertices (vertices per ring: "
                f"{counts})",
                source=NAMES_COLUMN, row=label, column=NAMES_COLUMN,
                hint="pass the parcels as they were read from the approval file (a geometry that was edited, "
                     "repaired or densified no longer matches its names), or drop the 界址点 column",
            )
        used.add(k)
        out += [(pos, number, name, x, y) for name, (x, y) in zip(names, rings[k], strict=True)]
    return out


def boundary_points(obj: Any) -> gpd.GeoDataFrame:
    """One row per named boundary point (界址点) of the parcels in *obj*.

    Parameters
    ----------
    obj : GeoDataFrame or Layer
        Parcels with a ``界址点`` text column (names in ring order, rings
        separated by ``;``) whose rings have one vertex per name.  A
        :class:`~suzhou_geo.layer.Layer` gives its frame.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4490, columns ``row`` (0-based position of the parcel), ``ring``
        (圈号, from 1), ``point`` (点号), ``x_file``, ``y_file`` (the numbers as
        written in the file: NaN here, as no file was read) and a Point
        geometry.  Parcels without names have no rows; a frame without the
        column gives an empty table.

    Raises
    ------
    suzhou_geo.errors.InputError
        A parcel whose rings of names do not match its geometry's rings (the
        row, the counts and the fix are named).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"界址点": [None, "A,B,C,D"]}, geometry=[box(0, 0, 1, 1), box(500000, 3460000,
    ...                      500050, 3460050)], crs="EPSG:4549")
    >>> p = boundary_points(g)
    >>> p.row.tolist(), p.point.tolist(), p.crs.to_epsg()
    ([1, 1, 1, 1], ['A', 'B', 'C', 'D'], 4490)
    """
    frame = getattr(obj, "frame", obj)
    cols = [*POINT_COLUMNS]
    if not isinstance(frame, gpd.GeoDataFrame) or NAMES_COLUMN not in frame.columns:
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=gpd.GeoSeries([], crs=CGCS2000), crs=CGCS2000)
    records: list[tuple] = []
    geoms = frame.geometry.values
    for pos, (text, geom) in enumerate(zip(frame[NAMES_COLUMN].tolist(), geoms, strict=True)):
        groups = split_names(text)
        if groups:
            records += _row_points(pos, frame.index[pos], groups, _rings(geom))
    table = pd.DataFrame.from_records(records, columns=["row", "ring", "point", "x", "y"])
    pts = gpd.GeoSeries(gpd.points_from_xy(table["x"], table["y"]), crs=frame.crs)
    if frame.crs is not None:
        pts = pts.to_crs(CGCS2000)
    out = gpd.GeoDataFrame(
        {"row": table["row"].astype("int64"), "ring": table["ring"].astype("int64"),
         "point": table["point"].astype(object), "x_file": np.nan, "y_file": np.nan},
        geometry=pts.values, crs=CGCS2000,
    )
    return out[[*cols, "geometry"]]
