"""Zip the QGIS plugin for QGIS's "Plugins → Manage and Install Plugins → Install from ZIP".

    python scripts/build_qgis_plugin.py [-o dist]

writes ``dist/suzhou_geo_qgis-<version>.zip``: one top-level folder
``suzhou_geo_qgis/`` holding ``metadata.txt``, ``__init__.py`` and the rest of
``qgis/suzhou_geo_qgis/`` (no ``__pycache__``), the layout QGIS's installer
expects.  Entries are sorted and dated 1980-01-01, so the same sources give the
same zip byte for byte.  The plugin needs the suzhou_geo library in QGIS's
Python (README, section "QGIS").
"""

from __future__ import annotations

import argparse
import configparser
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "qgis" / "suzhou_geo_qgis"
_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIP_PARTS = {"__pycache__"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


def plugin_version(folder: Path = PLUGIN) -> str:
    """Return the version in the plugin's ``metadata.txt``."""
    meta = configparser.ConfigParser()
    meta.read(folder / "metadata.txt", encoding="utf-8")
    return meta.get("general", "version")


def plugin_files(folder: Path = PLUGIN) -> list[Path]:
    """Return the files that go into the zip, sorted."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not _SKIP_PARTS & set(p.parts) and p.suffix not in _SKIP_SUFFIXES
    )


def build(outdir: Path, folder: Path = PLUGIN) -> Path:
    """Write the plugin zip into *outdir* and return its path."""
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{folder.name}-{plugin_version(folder)}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in plugin_files(folder):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line: build the zip and say where it is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-o",
        "--outdir",
        type=Path,
        default=ROOT / "dist",
        help="folder for the zip (default: dist/)",
    )
    args = parser.parse_args(argv)
    path = build(args.outdir)
    print(path)  # the path, for scripts that install it
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
