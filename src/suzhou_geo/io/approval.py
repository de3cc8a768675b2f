r"""The files of an approval (报批) package, told apart by content as well as extension.

* ``.txt`` (or a file without a known extension) starting with ``[属性描述]``,
  ``[扩展信息]`` or ``[地块坐标]``: the 部标 boundary-coordinate TXT (:mod:`.bubiao`);
* ``.dxf``: a CAD drawing (:mod:`.dxf`);
* ``.kml``, ``.kmz``: Google Earth / 奥维 (:mod:`.kml`);
* ``.xlsx``, ``.xls``, and a ``.csv`` or ``.txt`` without a WKT geometry column
  whose header names a point number and two coordinates: a 界址点坐标表
  (:mod:`.pointtable`).

Examples
--------
>>> from pathlib import Path
>>> _ = Path("项目.txt").write_text("[属性描述]\n坐标系=2000国家大地坐标系\n", encoding="utf-8")
>>> _ = Path("点.csv").write_text("点号,X,Y\nJ1,3471000,40585000\n", encoding="utf-8")
>>> _ = Path("wkt.csv").write_text("id,geometry\n1,POINT (1 2)\n", encoding="utf-8")
>>> approval_format("项目.txt"), approval_format("点.csv"), approval_format("wkt.csv"), approval_format("红线.dxf")
('部标 TXT', '界址点坐标表', None, 'DXF')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd

from .bubiao import FORMAT as BUBIAO
from .bubiao import is_bubiao, read_bubiao
from .dxf import FORMAT as DXF
from .dxf import read_dxf
from .kml import read_kml
from .pointtable import FORMAT as POINT_TABLE
from .pointtable import is_point_table, read_point_table
from .survey import Reading

__all__ = ["approval_format", "read_approval", "APPROVAL_EXTENSIONS"]

#: Extensions that are approval files whatever their content.
APPROVAL_EXTENSIONS = {".dxf": DXF, ".kml": "KML", ".kmz": "KMZ", ".xlsx": POINT_TABLE, ".xlsm": POINT_TABLE,
                       ".xls": POINT_TABLE}
#: Extensions whose content decides (部标 TXT, a point table, or a plain CSV with WKT).
SNIFFED = (".txt", ".csv", "")


def _csv_header(path: Path) -> list[str]:
    """Return the first line of a small text table that has a point-number column, split at its delimiter."""
    head = path.read_bytes()[:65536]
    for codec in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    else:
        return []
    for line in text.splitlines()[:20]:
        for sep in (",", "\t", ";"):
            cells = [c.strip().strip('"') for c in line.split(sep)]
            if len(cells) > 2 and is_point_table(cells):
                return cells
    return []


def approval_format(path: str | Path) -> str | None:
    """Return the approval format of a file, or None.

    One of ``"部标 TXT"``, ``"DXF"``, ``"KML"``, ``"KMZ"``, ``"界址点坐标表"``.
    """
    p = Path(path)
    ext = p.suffix.lower()
    if ext in APPROVAL_EXTENSIONS:
        return APPROVAL_EXTENSIONS[ext]
    if ext not in SNIFFED or not p.is_file():
        return None
    if is_bubiao(p):
        return BUBIAO
    return POINT_TABLE if _csv_header(p) else None


def read_approval(path: str | Path, kind: str, *, layer: Any = None, encoding: str | None = None,
                  name: str | None = None) -> tuple[gpd.GeoDataFrame, Reading]:
    """Read an approval file of the format :func:`approval_format` named.

    *layer* is what the format calls a layer: the AutoCAD layer of a DXF, the
    folder of a KML, the sheet of a workbook.
    """
    if kind == BUBIAO:
        return read_bubiao(path, encoding=encoding, name=name)
    if kind == DXF:
        return read_dxf(path, layer=layer, encoding=encoding, name=name)
    if kind in ("KML", "KMZ"):
        return read_kml(path, layer=layer, name=name)
    return read_point_table(path, encoding=encoding, layer=layer, name=name)
