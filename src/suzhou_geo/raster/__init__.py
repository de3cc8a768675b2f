"""Rasters: burn layers to a grid, and land-cover statistics by zone with true pixel areas.

Three rules a planner can rely on
---------------------------------
* **Areas are ellipsoidal** (GRS80/CGCS2000, like the floors checked in
  :mod:`suzhou_geo.measure`), never nominal.  A geographic pixel (lon/lat) is
  the exact area of its quadrangle on the ellipsoid,
  ``Δλ ∫ M(φ) N(φ) cos φ dφ`` between its two parallels, so a "10 m" WorldCover
  pixel (1/12000° square) at 31.3°N holds 73.30 m², not 100 m².  A
  projected pixel is its nominal area divided by the projection's *areal*
  scale at the pixel centre (from the Jacobian of the inverse projection); in
  CGCS2000 / GK CM 120°E (EPSG:4549) a 30 m pixel in Kunshan (≈ 90 km east of
  the central meridian) holds 899.82 m², not 900 m² (-0.02 %, the same
  correction :func:`suzhou_geo.area_km2` applies to polygons).
* **Zones that cut pixels: fractional coverage** (``coverage="fraction"``, the
  default).  A pixel contributes ``(covered fraction) × (true pixel area)``,
  where the covered fraction is the exact planar area of ``pixel ∩ zone`` in
  the raster's CRS over the pixel's.  The classes of a zone therefore add up
  to the zone's own area instead of jittering by half a pixel along its edge,
  which for a 30 m raster and a long, thin redline can be several per cent.
  ``coverage="centre"`` counts a pixel wholly when its centre lies in the zone
  (GDAL's default rasterisation; what most zonal tools do).
* **Nothing is silently dropped.**  Each zone's area is split into the classes,
  ``nodata_m2`` (pixels flagged no-data by the raster) and ``outside_m2`` (the
  part of the zone beyond the raster's extent), and every ``*_share`` column is
  a share of the zone's whole ellipsoidal area ``zone_m2``: the shares add up
  to 1.

Reading is by windows: the raster is walked in chunks (1024 × 1024 pixels by
default, aligned to its blocks) and only chunks that a zone touches are read,
each once; a 20 000 × 20 000 GeoTIFF is processed in well under 1 GB (see
``benchmarks/README.md``).

Modules: :mod:`.grid` (opening and checking rasters, pixel areas, windows),
:mod:`.coverage` (the exact-coverage kernel), :mod:`.zones` (the layers, read
once and put in the raster's CRS), :mod:`.zonal` (zonal statistics), :mod:`.burn` (rasterize),
:mod:`.built` (encroachment).  Every error is one of :mod:`suzhou_geo.errors` and
names the file.
"""

from __future__ import annotations

from .built import encroachment
from .burn import RasterizeResult, rasterize
from .grid import DEFAULT_CHUNK, ZONAL_CACHE_BYTES, pixel_areas
from .zonal import zonal_stats

__all__ = [
    "RasterizeResult",
    "rasterize",
    "zonal_stats",
    "encroachment",
    "pixel_areas",
    "DEFAULT_CHUNK",
    "ZONAL_CACHE_BYTES",
]
