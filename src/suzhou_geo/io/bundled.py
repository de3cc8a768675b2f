"""Where the bundled data live: inside the installed wheel, or in the source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..errors import InputError, MissingFileError

__all__ = ["data_dir", "data_path", "bundled", "BUNDLED"]


def data_dir() -> Path:
    """Return the folder holding the bundled ``data/`` tree.

    A wheel carries it as ``suzhou_geo/data``; a source checkout (editable
    install) has it at the repository root.
    """
    package = Path(__file__).resolve().parents[1]  # suzhou_geo/
    packaged = package / "data"
    if packaged.is_dir():
        return packaged
    checkout = package.parents[1] / "data"
    if checkout.is_dir():
        return checkout
    raise MissingFileError(
        f"suzhou_geo's bundled data were not found (looked in {packaged} and {checkout})", source="suzhou_geo",
        hint="reinstall the package (pip install suzhou_geo)",
    )


def data_path(*parts: str) -> Path:
    """Path of a bundled file or folder.

    Parameters
    ----------
    *parts : str
        Path parts below ``data/``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        If the file is not bundled.

    Examples
    --------
    >>> data_path("parcels", "parcels.gpkg").name
    'parcels.gpkg'
    """
    path = data_dir().joinpath(*parts)
    if not path.exists():
        raise MissingFileError("a bundled data file is missing", source=str(path),
                               hint="reinstall the package (pip install suzhou_geo)")
    return path


#: Bundled layers by name: (folder, file).
BUNDLED = {
    "boundaries": ("boundaries", "boundaries.geojson"),
    "schemes": ("schemes", "elements.geojson"),
    "redlines": ("redlines", "redlines.geojson"),
    "parcels": ("parcels", "parcels.gpkg"),
    "lakes": ("hydrography", "lakes.geojson"),
    "rivers": ("hydrography", "rivers.geojson"),
    "yangtze": ("hydrography", "yangtze.geojson"),
}


@cache
def bundled(name: str):
    """Return a bundled layer, read once through the one entry point (:func:`suzhou_geo.io.read`).

    Parameters
    ----------
    name : str
        One of :data:`BUNDLED` (``"boundaries"``, ``"schemes"``, ``"redlines"``,
        ``"parcels"``, ``"lakes"``, ``"rivers"``, ``"yangtze"``).

    Returns
    -------
    suzhou_geo.layer.Layer
        Shared by every caller: do not modify its frame.

    Examples
    --------
    >>> bundled("boundaries").frame.crs.to_epsg()
    4490
    """
    from .reader import read

    if name not in BUNDLED:
        raise InputError(f"no bundled layer {name!r}", source="bundled", hint=f"choose one of {', '.join(BUNDLED)}")
    return read(data_path(*BUNDLED[name]), name=f"{BUNDLED[name][0]}/{BUNDLED[name][1]}")
