"""Where the bundled data live: inside the installed wheel, or in the source checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir", "data_path"]


def data_dir() -> Path:
    """Return the folder holding the bundled ``data/`` tree.

    A wheel carries it as ``suzhou_geo/data``; a source checkout (editable
    install) has it at the repository root.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "data"
    if packaged.is_dir():
        return packaged
    checkout = here.parents[1] / "data"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"suzhou_geo's bundled data were not found (looked in {packaged} and {checkout}); "
        "reinstall the package with `pip install suzhou_geo`."
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
        raise FileNotFoundError(f"bundled data file missing: {path}")
    return path
