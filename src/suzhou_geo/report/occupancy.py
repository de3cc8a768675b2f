"""The occupancy deliverables (占用生态保护红线情况): a workbook, a GIS layer, Markdown, a map and a printable page.

:func:`write_occupancy` writes the files of :data:`OCCUPANCY_FILES` for an
:class:`~suzhou_geo.redline_use.occupy.Occupancy` into a folder:

* ``occupancy.xlsx`` — the table (project × redline feature × county, and the
  totals) with bilingual headers, then the projects, the alternatives side by
  side, the areas by county, the named points inside, the notes and what every
  column means;
* ``occupancy.gpkg`` — the occupied parts as one polygon layer (QGIS/ArcGIS);
* ``occupancy.md`` — the same tables in Markdown;
* ``occupancy_map.html`` — the redlines, the projects and what they occupy;
* ``occupancy_summary.html`` — one printable A4 page.

Every file says that the library decides no legality, and, on the bundled
sample, that the redlines are illustrative.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from ..io import write_layer as write_any
from ..redline_use.schema import (
    COUNTY_COLUMNS,
    OCCUPANCY_COLUMNS,
    POINT_COLUMNS,
    PROJECT_COLUMNS,
    columns_table,
)
from .deliver import (
    check_folder,
    labelled,
    now,
    page,
    prepare_folder,
    save_map_file,
    warn_box,
    write_manifest,
    write_text,
)
from .tables import html_table, md_table

__all__ = ["write_occupancy", "check_occupancy_folder", "OCCUPANCY_FILES", "OCCUPANCY_MANIFEST"]

#: The files :func:`write_occupancy` writes, in order.
OCCUPANCY_FILES = ("occupancy.xlsx", "occupancy.gpkg", "occupancy.md", "occupancy_map.html", "occupancy_summary.html")
#: The file that marks a folder as written by :func:`write_occupancy`.
OCCUPANCY_MANIFEST = ".suzhou_geo_occupancy.json"

TITLE = "占用生态保护红线情况 Redline occupancy"

#: The project columns a page or a Markdown table shows (the workbook has them all).
_PROJECT_SHOWN = ("project", "alternative", "rank", "project_area_m2", "redline_m2", "redline_ha", "redline_mu",
                  "redline_share", "control_m2", "linear", "crossing_m", "points_inside")
_PART_SHOWN = ("project", "alternative", "redline_kind", "redline_name", "tier", "county", "area_m2", "area_ha",
               "area_mu", "share_of_project", "crossing_m", "points_inside", "also_in")


def check_occupancy_folder(outdir: str | Path = "occupancy", *, overwrite: bool = False, inputs: tuple = ()) -> Path:
    """Check, before the work, that :func:`write_occupancy` may write into *outdir* (nothing is created).

    The same rules as the writer: a folder an earlier run wrote is refreshed;
    files of its names that no run wrote are refused unless *overwrite*; an
    input is never replaced.

    Raises
    ------
    suzhou_geo.OutputError
        What the writer would refuse: said before the work, not after it.

    Examples
    --------
    >>> check_occupancy_folder("新文件夹").name
    '新文件夹'
    """
    return check_folder(outdir, OCCUPANCY_FILES, OCCUPANCY_MANIFEST, overwrite=overwrite, inputs=list(inputs))


def write_occupancy(occ: Any, outdir: str | Path = "occupancy", *, overwrite: bool = False, offline: bool = False,
                    basemap: str = "osm", inputs: tuple = ()) -> dict[str, Path]:
    """Write the occupancy deliverables of *occ* into *outdir*.

    Parameters
    ----------
    occ : Occupancy
        The result of :func:`suzhou_geo.occupancy`.
    outdir : path, default ``"occupancy"``
        The folder (created if needed).  A folder an earlier run wrote is
        refreshed; other files in it are left alone.
    overwrite : bool, default False
        Replace files named like these in a folder no earlier run wrote.
    offline : bool, default False
        A self-contained map (Leaflet inlined, no tiles, no network).
    basemap : str, default ``"osm"``
        Basemap of the map (see :func:`suzhou_geo.plan_map`).
    inputs : tuple of paths
        The run's inputs, which are never replaced.

    Returns
    -------
    dict
        ``{file name: path}`` of the files written.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> occ = sg.occupancy(sg.datasets.get_path("projects"), project="项目", alternatives="方案")
    >>> sorted(sg.write_occupancy(occ, "occ"))[:2]
    ['occupancy.gpkg', 'occupancy.md']
    """
    out = prepare_folder(outdir, OCCUPANCY_FILES, OCCUPANCY_MANIFEST, overwrite=overwrite, inputs=list(inputs))
    generated = now()
    files = {name: out / name for name in OCCUPANCY_FILES}
    _workbook(occ, files["occupancy.xlsx"])
    parts = occ.parts[occ.parts["row_type"] == "part"]
    write_any(parts, files["occupancy.gpkg"], overwrite=True, columns=OCCUPANCY_COLUMNS, layer="occupancy",
              inputs=inputs)
    write_text(files["occupancy.md"], occupancy_md(occ, generated))
    save_map_file(occupancy_map(occ, offline=offline, basemap=basemap), files["occupancy_map.html"],
                  offline=offline)
    write_text(files["occupancy_summary.html"], occupancy_html(occ, generated))
    write_manifest(out, OCCUPANCY_MANIFEST, OCCUPANCY_FILES, generated)
    return files


# --------------------------------------------------------------------------- the tables


def _projects(occ: Any) -> pd.DataFrame:
    cols = [c for c in _PROJECT_SHOWN if occ.has_alternatives or c not in ("alternative", "rank")]
    return labelled(pd.DataFrame(occ.projects[cols]), PROJECT_COLUMNS)


def _parts(occ: Any) -> pd.DataFrame:
    cols = [c for c in _PART_SHOWN if occ.has_alternatives or c != "alternative"]
    parts = occ.parts[occ.parts["row_type"] == "part"]
    return labelled(pd.DataFrame(parts[cols]), OCCUPANCY_COLUMNS)


def _alternatives(occ: Any) -> pd.DataFrame:
    return labelled(occ.alternatives, PROJECT_COLUMNS)


def _activities(occ: Any) -> pd.DataFrame:
    t = pd.DataFrame(occ.projects[["project", "activity", "activity_clause"]]).drop_duplicates()
    return labelled(t[t["activity"].astype(str) != ""], PROJECT_COLUMNS)


def _workbook(occ: Any, path: Path) -> None:
    sheets: dict[str, Any] = {"项目 projects": labelled(pd.DataFrame(occ.projects), PROJECT_COLUMNS)}
    if occ.has_alternatives:
        sheets["方案比选 alternatives"] = _alternatives(occ)
    sheets["按县级行政区 by county"] = labelled(occ.by_county, COUNTY_COLUMNS)
    if len(occ.points):
        sheets["界址点 named points"] = labelled(pd.DataFrame(occ.points), POINT_COLUMNS)
    sheets["说明 notes"] = list(occ.notes)
    sheets["列说明 columns"] = [
        "占用表 the occupancy table", columns_table(OCCUPANCY_COLUMNS), "",
        "项目表 the projects", columns_table(PROJECT_COLUMNS), "",
        "按县级行政区 by county", columns_table(COUNTY_COLUMNS), "",
        "界址点 named points", columns_table(POINT_COLUMNS),
    ]
    write_any(occ.parts, path, overwrite=True, columns=OCCUPANCY_COLUMNS, sheets=sheets, layer="占用 occupancy")


# --------------------------------------------------------------------------- Markdown


def occupancy_md(occ: Any, generated: str) -> str:
    """Return ``occupancy.md``: the projects, alternatives, parts, counties, points, activities and notes."""
    from .. import __version__

    lines = [f"# {TITLE}", "", f"生成时间 Generated: {generated} · suzhou_geo {__version__}", ""]
    lines += [f"> **{w}**\n>" for w in occ.warnings] + [""]
    lines += [f"数据 Data: 地块 parcels `{'`, `'.join(occ.inputs) or '—'}`；红线 redlines: {occ.redline_data}", ""]
    lines += ["## 项目 Projects", "", md_table(_projects(occ)), ""]
    if occ.has_alternatives:
        lines += ["## 方案比选 Alternatives", "",
                  "同一项目各方案按占用生态保护红线面积由少到多排序（1 为最少）。 / The alternatives of each project, "
                  "ranked by the protection redline they occupy (1 occupies the least).", "",
                  md_table(_alternatives(occ)), ""]
    lines += ["## 按红线要素 By redline feature", "", md_table(_parts(occ)), "",
              "各项目、各类型的合计见 occupancy.xlsx。 / The totals of each project and kind are in occupancy.xlsx.",
              ""]
    lines += ["## 按县级行政区 By county-level unit", "", md_table(labelled(occ.by_county, COUNTY_COLUMNS)), ""]
    if len(occ.points):
        lines += ["## 红线内界址点 Named points inside a redline", "",
                  md_table(labelled(pd.DataFrame(occ.points), POINT_COLUMNS)), ""]
    acts = _activities(occ)
    if len(acts):
        lines += ["## 有限人为活动 Limited human activities", "", md_table(acts), ""]
    lines += ["## 说明 Notes", ""] + [f"- {n}" for n in occ.notes] + [""]
    files = pd.DataFrame([
        ("occupancy_summary.html", "可打印的一页摘要 the printable page"),
        ("occupancy.xlsx", "占用表、项目、方案比选、按县、界址点、说明（Excel） the tables for Excel"),
        ("occupancy.gpkg", "被占用部分（一个面图层） the occupied parts as one polygon layer"),
        ("occupancy.md", "本文件 this file"),
        ("occupancy_map.html", "交互地图 the interactive map"),
    ], columns=["文件 file", "内容 content"])
    lines += ["## 本文件夹中的文件 Files in this folder", "", md_table(files), ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the map


def occupancy_map(occ: Any, *, offline: bool = False, basemap: str = "osm") -> Any:
    """Return the interactive map: the redlines, the projects, what they occupy and the named points inside."""
    from ..maps import plan_map
    from ..maps.state import state_of

    projects = occ.projects
    if occ.has_alternatives:
        projects = projects.assign(alternative=projects["alternative"].replace("", "(无比选 none)"))
    else:
        projects = projects.drop(columns="alternative")
    parts = occ.parts[occ.parts["row_type"] == "part"]
    layers = [occ.redlines, projects, parts] + ([occ.points] if len(occ.points) else [])
    names = [None, "项目 projects", None] + ([None] if len(occ.points) else [])
    m = plan_map(*layers, names=names, offline=offline, basemap=basemap, title=TITLE)
    placed = occ.projects[occ.projects.geometry.notna()]
    if len(placed):  # the projects, not the whole redline layer, fill the window
        state_of(m).focus(placed.total_bounds)
    return m


# --------------------------------------------------------------------------- the page


#: What the printed page shows of each table (the workbook and the Markdown have every column).
_PAGE_PROJECT = ("project", "alternative", "rank", "project_area_m2", "redline_m2", "redline_ha", "redline_mu",
                 "redline_share", "control_m2", "crossing_m")
_PAGE_PART = ("project", "alternative", "redline_name", "county", "area_m2", "area_ha", "area_mu", "share_of_project",
              "crossing_m", "points_inside")
_PAGE_TEXT = 36  # characters of a list of points shown on the page


def _page_table(frame: pd.DataFrame, shown: tuple, occ: Any, columns: Any) -> pd.DataFrame:
    cols = [c for c in shown if occ.has_alternatives or c not in ("alternative", "rank")]
    t = pd.DataFrame(frame[cols]).copy()
    if "points_inside" in t:
        t["points_inside"] = [p if len(p) <= _PAGE_TEXT else p[: _PAGE_TEXT - 1] + "…" for p in t["points_inside"]]
    return labelled(t, columns)


def occupancy_html(occ: Any, generated: str, *, max_rows: int = 24) -> str:
    """Return ``occupancy_summary.html``: one printable A4 page (two with many parts)."""
    parts = _page_table(occ.parts[occ.parts["row_type"] == "part"], _PAGE_PART, occ, OCCUPANCY_COLUMNS)
    more = len(parts) - max_rows
    tail = (f"<p class='small'>另有 {more} 行，见 occupancy.xlsx。 / {more} more rows in occupancy.xlsx.</p>"
            if more > 0 else "")
    acts = _activities(occ)
    body = [
        warn_box(occ.warnings),
        f"<p class='small'>数据 Data: 地块 parcels {html.escape(', '.join(occ.inputs) or '—')}；红线 redlines: "
        f"{html.escape(occ.redline_data)}</p>",
        "<h2>项目 Projects</h2>" + html_table(_page_table(occ.projects, _PAGE_PROJECT, occ, PROJECT_COLUMNS)),
        "<h2>按红线要素 By redline feature</h2>" + html_table(parts.head(max_rows)) + tail,
        "<div class='grid'>",
        "<section><h2>有限人为活动 Limited human activities</h2>"
        + (html_table(acts) if len(acts) else "<p>未给出活动类型。 / No activity given.</p>") + "</section>",
        f"<section><h2>位置 Where</h2><figure>{_picture(occ)}</figure>{_legend()}</section>",
        "</div>",
    ]
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in occ.notes if n not in occ.warnings)
    body.append(f"<section><h2>说明 Notes</h2><ul class='small'>{notes}</ul></section>")
    return page(TITLE, generated, body)


_PICTURE_STYLES = {
    "ecological_space_control": "fill='#d9f0d3' stroke='#1b7837' stroke-width='0.04'",
    "ecological_protection_redline": "fill='#fcbba1' stroke='#a50f15' stroke-width='0.04'",
    "occupied_ecological_space_control": "fill='#fd8d3c' stroke='none'",
    "occupied_ecological_protection_redline": "fill='#cb181d' stroke='none'",
    "project": "fill='none' stroke='#08306b' stroke-width='0.12'",
}


def _picture(occ: Any) -> str:
    from ..boundaries import jurisdictions
    from .svg import detail_map

    units = jurisdictions(suzhou_only=True, geometry=True)
    units = units[units.level == "county"]
    red, parts, projects = occ.redlines, occ.parts[occ.parts["row_type"] == "part"], occ.projects
    layers = [(red[red["kind"] == k], _PICTURE_STYLES[k]) for k in ("ecological_space_control",
                                                                   "ecological_protection_redline")]
    layers += [(parts[parts["redline_kind"] == k], _PICTURE_STYLES[f"occupied_{k}"])
               for k in ("ecological_space_control", "ecological_protection_redline")]
    layers.append((projects[projects.geometry.notna()], _PICTURE_STYLES["project"]))
    ok = projects[projects.geometry.notna()]
    bounds = ok.to_crs("EPSG:4549").total_bounds if len(ok) else None
    markers = []
    for r in ok.itertuples():
        p = r.geometry.representative_point()
        label = f"{r.project} {r.alternative}".strip()
        markers.append((p.x, p.y, "#08306b", label))
    return detail_map(units, layers, bounds=bounds, markers=markers, title="项目位置 where the projects lie")


def _legend() -> str:
    items = [("#fcbba1", "生态保护红线 protection redline"), ("#d9f0d3", "生态空间管控区域 space control area"),
             ("#cb181d", "占用生态保护红线 occupied redline"), ("#fd8d3c", "占用管控区域 occupied control area")]
    swatches = "".join(f"<span><i class='sw' style='background:{c}'></i>{html.escape(t)}</span>" for c, t in items)
    return (f"<figcaption class='legend'>{swatches}<span><i class='sw' style='background:#fff;border:0.5mm solid "
            "#08306b'></i>项目用地范围 project land</span></figcaption>")
