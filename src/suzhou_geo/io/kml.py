"""KML and KMZ drawn in Google Earth, 奥维 (Ovital) or a web map: one folder, names and descriptions kept.

* A KMZ is read from inside the zip (``/vsizip/``; its ``doc.kml``, or its one
  ``.kml``), with GDAL's KML driver or LIBKML, whichever the installation has;
  both give the same columns here: ``Name``, ``Description`` and the
  placemarks' own data (LIBKML's empty style and time fields are left out).
* Folders are layers.  A file with placemarks in several folders is never
  silently reduced to the first: without ``layer=`` it is an error listing the
  folders and how many placemarks each holds.
* Coordinates are WGS84 longitude/latitude, as the KML standard says.  A KML
  traced on a GCJ-02 web map (Amap/Gaode, Tencent, the default maps of 奥维)
  is offset by about 500 m around Suzhou: read it with ``crs="GCJ-02"``.

Examples
--------
>>> from pathlib import Path
>>> _ = Path("a.kml").write_text(
...     '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>用地</name>'
...     '<Placemark><name>地块一</name><description>一期</description><Polygon><outerBoundaryIs><LinearRing>'
...     '<coordinates>120.6,31.3 120.61,31.3 120.61,31.31 120.6,31.3</coordinates>'
...     '</LinearRing></outerBoundaryIs></Polygon></Placemark></Folder></Document></kml>', encoding="utf-8")
>>> frame, reading = read_kml("a.kml")
>>> frame[["Name", "Description"]].values.tolist(), frame.crs.to_epsg()
([['地块一', '一期']], 4326)
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from ..errors import ReadError
from .survey import Reading

__all__ = ["FORMAT", "read_kml", "kml_path", "kml_layers"]

#: The format's name in provenance.
FORMAT = "KML"
#: Fields LIBKML adds that carry nothing of the placemarks' own (left out when they hold only defaults).
LIBKML_FIELDS = ("id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude", "visibility",
                 "drawOrder", "icon", "snippet")
_DEFAULTS = (None, -1, 0, "", "clampToGround")


def kml_path(path: str | Path) -> tuple[str, str]:
    """Return the path GDAL opens for a KML or KMZ, and what it is (``"KML"`` or ``"KMZ"``).

    Raises
    ------
    ReadError
        A KMZ (a zip) that holds no ``.kml``, or holds several and no ``doc.kml``.
    """
    p = Path(path)
    if not zipfile.is_zipfile(p):
        return str(p), "KML"
    with zipfile.ZipFile(p) as z:
        inner = [n for n in z.namelist() if n.lower().endswith(".kml")]
    main = [n for n in inner if n.lower() == "doc.kml"] or [n for n in inner if "/" not in n]
    if not inner or len(main) > 1 and not any(n.lower() == "doc.kml" for n in main):
        raise ReadError(f"KMZ 中{'没有' if not inner else '有多个'} .kml（{', '.join(inner) or '无'}）/ the KMZ holds "
                        f"{'no' if not inner else 'several'} .kml file(s) ({', '.join(inner) or 'none'})",
                        source=p.name, hint="unzip it and read the .kml you mean")
    return f"/vsizip/{p.resolve()}/{(main or inner)[0]}", "KMZ"


def kml_layers(path: str) -> list[tuple[str, int]]:
    """(folder name, placemark count) of every layer of a KML, in file order."""
    import pyogrio

    out = []
    for name, _kind in pyogrio.list_layers(path):
        out.append((str(name), int(pyogrio.read_info(path, layer=str(name))["features"])))
    return out


def _choose(layers: list[tuple[str, int]], layer: Any, reading: Reading) -> str:
    full = [(n, c) for n, c in layers if c > 0]
    listing = "; ".join(f"{n}（{c} 个 placemarks）" for n, c in layers)
    if layer is not None:
        names = [n for n, _ in layers]
        chosen = names[layer] if isinstance(layer, int) and 0 <= layer < len(names) else layer
        if chosen not in names:
            raise ReadError(f"没有名为 {layer!r} 的文件夹；有：{listing} / no folder {layer!r}; the file has: "
                            f"{listing}",
                            source=reading.name, hint="用上列名称之一 / use one of the names listed")
        reading.decide("图层 layer", chosen, f"文件夹：{chosen}（指定）/ folder {chosen} (given)")
        return chosen
    if len(full) > 1:
        raise ReadError(f"文件有 {len(full)} 个含地标的文件夹：{listing} / the file has placemarks in {len(full)} "
                        f"folders: {listing}", source=reading.name,
                        hint="用 layer= 指明要读的文件夹，如 layer='" + full[0][0] + "' / choose one with layer=")
    if not full:
        raise ReadError("文件中没有地标 / the file holds no placemarks", source=reading.name,
                        hint="检查文件是否完整 / check that the file is complete")
    if len(layers) > 1:
        reading.decide("图层 layer", full[0][0], f"文件夹：{full[0][0]}（唯一含地标的文件夹）/ folder {full[0][0]} "
                       "(the only one with placemarks)")
    return full[0][0]


def _normalise(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """KML and LIBKML fields to the same columns: Name, Description, the placemarks' own data."""
    gdf = gdf.rename(columns={"name": "Name", "description": "Description"})
    drop = []
    for col in LIBKML_FIELDS:
        if col in gdf.columns:
            values = gdf[col].astype(object).where(gdf[col].notna(), None).tolist()
            if all(v in _DEFAULTS for v in values):
                drop.append(col)
    return gdf.drop(columns=drop)


def read_kml(path: str | Path, *, layer: Any = None, name: str | None = None) -> tuple[gpd.GeoDataFrame, Reading]:
    """Read one folder of a KML or KMZ: placemarks with their names and descriptions, in WGS84.

    Parameters
    ----------
    path : str or path
        A ``.kml`` or ``.kmz``.
    layer : str or int, optional
        The folder (GDAL's layer); needed when several hold placemarks.
    name : str, optional
        How to call the file in messages.

    Returns
    -------
    (geopandas.GeoDataFrame, Reading)
        ``Name``, ``Description``, other placemark data; EPSG:4326.

    Raises
    ------
    suzhou_geo.errors.ReadError
        Several folders hold placemarks and none was chosen (the message lists
        them), the folder does not exist, or GDAL cannot read the file.
    """
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    from .raw import read_frame

    p = Path(path)
    label = name or p.name
    inner, kind = kml_path(p)
    reading = Reading(str(p), label, kind, "UTF-8 (the format's)")
    try:
        chosen = _choose(kml_layers(inner), layer, reading)
        gdf = read_frame(str(inner), layer=chosen, force_2d=True)  # rings left unclosed are closed, and said
        driver = pyogrio.read_info(inner, layer=chosen)["driver"]
    except (DataSourceError, DataLayerError, RuntimeError) as exc:
        raise ReadError(f"GDAL cannot read it: {exc}", source=label,
                        hint="check that the file is complete KML (Google Earth, 奥维 export)") from None
    gdf = _normalise(gdf)
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    reading.notes.append(f"{kind} 坐标为 WGS84 经纬度（KML 标准）；若是在高德等 GCJ-02 地图上描绘的，请用 "
                         f"crs='GCJ-02' 读取 / {kind} coordinates are WGS84 longitude/latitude (the KML standard); "
                         "a KML traced on a GCJ-02 web map (Amap/Gaode, Tencent) must be read with crs='GCJ-02' "
                         f"(read with GDAL's {driver})")
    gdf.index = np.arange(len(gdf))
    return gdf, reading
