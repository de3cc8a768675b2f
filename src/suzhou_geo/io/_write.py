"""Writing layers: the format follows the extension, Chinese text stays intact."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import geopandas as gpd

from ._read import _DRIVERS, _has_arrow, _sidecar
from .postgis import is_postgis, write_postgis

__all__ = ["write_layer"]

log = logging.getLogger(__name__)


def write_layer(
    gdf: gpd.GeoDataFrame, path: str | os.PathLike | Any, *, layer: str | None = None, overwrite: bool = False
) -> Path | str:
    """Write a layer; the format follows the extension, Chinese text stays intact.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
    path : str or path
        ``.gpkg`` (GeoPackage), ``.geojson``/``.json``, ``.shp`` (written as
        UTF-8 with a ``.cpg`` so that GIS software reads the Chinese right),
        ``.csv`` (geometry as a ``WKT`` column), ``.fgb``; anything else is
        left to GDAL to infer.
        A PostGIS connection (``postgresql://…``, ``PG:…``, a SQLAlchemy
        engine) writes a table: see :func:`suzhou_geo.io.postgis.write_postgis`.
    layer : str, optional
        Layer name (GeoPackage); the table (``"schema.table"``) for PostGIS.
    overwrite : bool, default False
        PostGIS: replace an existing table (otherwise an error).

    Returns
    -------
    pathlib.Path or str
        The path written; ``"schema.table"`` for PostGIS.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame({"name": ["苏州"]}, geometry=[Point(120.6, 31.3)], crs="EPSG:4490")
    >>> p = write_layer(g, os.path.join(tempfile.mkdtemp(), "x.shp"))
    >>> from suzhou_geo.io import read_vector
    >>> read_vector(p).name.iloc[0]
    '苏州'
    """
    import pyogrio

    if is_postgis(path):
        return write_postgis(gdf, path, layer=layer, overwrite=overwrite)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"write_layer needs a GeoDataFrame, got {type(gdf).__name__}")
    path = Path(path)
    ext = path.suffix.lower()
    driver = _DRIVERS.get(ext)
    kwargs: dict[str, Any] = {}
    if layer is not None:
        kwargs["layer"] = layer
    if driver == "ESRI Shapefile":
        kwargs["encoding"] = "UTF-8"
    if driver == "CSV":
        kwargs["layer_options"] = {"GEOMETRY": "AS_WKT"}
    if driver == "GeoJSON" and path.exists():
        path.unlink()  # the GeoJSON driver cannot overwrite in place
    if driver is not None:
        kwargs["driver"] = driver
    out = gdf
    if out.crs is None and driver in ("GeoJSON",):
        log.warning("writing %s without a CRS; readers will assume EPSG:4326", path.name)
    # the Arrow path writes several times faster; Shapefiles keep the classic path, which sets the .dbf encoding
    use_arrow = _has_arrow() and driver not in ("ESRI Shapefile",)
    pyogrio.write_dataframe(out, path, use_arrow=use_arrow, **kwargs)
    if driver == "ESRI Shapefile" and _sidecar(path, ".cpg") is None:  # pragma: no cover - GDAL writes it
        path.with_suffix(".cpg").write_text("UTF-8", encoding="ascii")
    return path
