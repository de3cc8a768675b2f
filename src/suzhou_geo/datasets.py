"""The bundled sample data, by name (like ``momepy.datasets``).

Everything the examples and the README use is here, so that they run as
written on a fresh install::

    import suzhou_geo as sg
    parcels = sg.datasets.parcels()          # the synthetic sample parcels, EPSG:4490
    sg.datasets.get_path("parcels")           # the file, to pass to a command

The sample parcels are **synthetic** (made to show every verdict, with a few
deliberately broken rows); the redline sample is **illustrative**, not the
official redline.  Each folder under ``data/`` has a README saying how it was
built.

Examples
--------
>>> available()
('parcels', 'redlines', 'boundaries', 'lakes', 'rivers', 'yangtze', 'scheme_elements', 'projects', 'redlines_adjusted')
>>> get_path("parcels").name
'parcels.gpkg'
>>> p = parcels()
>>> len(p), p.crs.to_epsg(), bool(p["synthetic"].all())
(382, 4490, True)
>>> sorted(LAYERS)
['boundaries', 'joint-zone', 'redlines', 'schemes']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd

from .errors import InputError
from .io.bundled import data_path

__all__ = ["available", "get_path", "parcels", "redlines", "projects", "redlines_adjusted", "layer", "LAYERS"]

#: name -> path below data/
_FILES: dict[str, tuple[str, str]] = {
    "parcels": ("parcels", "parcels.gpkg"),
    "redlines": ("redlines", "redlines.geojson"),
    "boundaries": ("boundaries", "boundaries.geojson"),
    "lakes": ("hydrography", "lakes.geojson"),
    "rivers": ("hydrography", "rivers.geojson"),
    "yangtze": ("hydrography", "yangtze.geojson"),
    "scheme_elements": ("schemes", "elements.geojson"),
    "projects": ("projects", "projects.gpkg"),
    "redlines_adjusted": ("adjustment", "redlines_adjusted.geojson"),
}


def available() -> tuple[str, ...]:
    """Return the names of the bundled datasets."""
    return tuple(_FILES)


def get_path(name: str) -> Path:
    """Return the path of a bundled dataset.

    Parameters
    ----------
    name : str
        One of :func:`available`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    suzhou_geo.errors.InputError
        An unknown name (the message lists the valid ones).
    """
    try:
        parts = _FILES[name]
    except KeyError:
        raise InputError(f"no bundled dataset {name!r}", source="datasets",
                         hint=f"choose one of {', '.join(_FILES)}") from None
    return data_path(*parts)


def parcels() -> gpd.GeoDataFrame:
    """Return the synthetic sample of 382 development parcels (地块), EPSG:4490.

    Made to show every verdict of :func:`~suzhou_geo.validate_parcels`: its
    ``case`` column says what each parcel was made to be, ``synthetic`` is
    always true, and five rows are deliberately broken (a bow-tie, an empty
    polygon, a point, a line, no geometry).  None of it is a real application.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    from .io import read_layer

    return read_layer(get_path("parcels"))


def redlines() -> gpd.GeoDataFrame:
    """Return the bundled ILLUSTRATIVE redline sample (:func:`suzhou_geo.load_redlines` without data).

    Not the official redline: a reconstruction from public sources, so that
    everything runs out of the box.
    """
    from .redlines import load_redlines

    return load_redlines()


def projects() -> gpd.GeoDataFrame:
    """Return the synthetic sample projects (9 parcels of 4 projects over Kunshan), EPSG:4490.

    Made to show :func:`~suzhou_geo.occupancy`: a road with three alternative
    alignments (column ``方案``), a water main, a wetland education centre and
    an industrial estate (column ``项目``), with ``活动类型`` and named boundary
    points (``界址点``).  None of it is a real project.

    Returns
    -------
    geopandas.GeoDataFrame

    Examples
    --------
    >>> sorted(projects()["项目"].unique())[:2]
    ['G1 傀儡湖供水管线（示意）', 'K1 产业园（示意）']
    """
    from .io import read_layer

    return read_layer(get_path("projects"))


def redlines_adjusted() -> gpd.GeoDataFrame:
    """Return an INVENTED adjustment of the illustrative redline sample (:func:`suzhou_geo.load_redlines` of it).

    Four features changed (column ``adjustment`` says how): a band of 天福 taken
    out and a larger patch added beside it, a patch added apart from 阳澄湖(昆山),
    a piece of 穹窿山 taken out, 虞山's boundary re-digitised by under 0.2 m.  For
    :func:`~suzhou_geo.compare_redlines`; no real or proposed adjustment.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    from .redlines import load_redlines

    return load_redlines(get_path("redlines_adjusted"))


#: The bundled layers as the library makes them, by name (``suzhou-geo map NAME``): what each is.
LAYERS: dict[str, str] = {
    "boundaries": "苏州市、县级行政区与邻近区县 jurisdictions of Suzhou and its neighbours (jurisdictions)",
    "schemes": "规划空间格局 the spatial schemes' elements (layers)",
    "redlines": "生态保护红线（示意）the illustrative redline sample (load_redlines)",
    "joint-zone": "嘉定–昆山–太仓 500 m 联防联治区 the joint-control zone (joint_control_zone)",
}
_ALIASES = {"joint-zones": "joint-zone", "joint": "joint-zone"}


def layer(name: str) -> Any:
    """Return a bundled layer by name: ``boundaries``, ``schemes``, ``redlines``, ``joint-zone``, ``scheme:NAME``.

    Parameters
    ----------
    name : str
        One of :data:`LAYERS`, or ``scheme:<name>`` for one scheme (any name
        :func:`suzhou_geo.scheme` takes).

    Returns
    -------
    GeoDataFrame or Scheme

    Raises
    ------
    suzhou_geo.errors.InputError
        When the name is unknown (the message lists the names).

    Examples
    --------
    >>> len(layer("boundaries"))
    30
    """
    key = name.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key.startswith("scheme:"):
        from .spatial_schemes import scheme

        return scheme(name.split(":", 1)[1])
    if key not in LAYERS:
        raise InputError(f"unknown bundled layer {name!r}", source="datasets",
                         hint=f"choose one of {', '.join(LAYERS)}, or scheme:NAME")
    return _LAYER_MAKERS[key]()


def _boundaries() -> gpd.GeoDataFrame:
    from .boundaries import jurisdictions

    return jurisdictions(geometry=True)


def _schemes() -> gpd.GeoDataFrame:
    from .spatial_schemes import layers

    return layers()


def _joint_zone() -> gpd.GeoDataFrame:
    from .joint import joint_control_zone

    return joint_control_zone()


_LAYER_MAKERS = {"boundaries": _boundaries, "schemes": _schemes, "redlines": redlines, "joint-zone": _joint_zone}
