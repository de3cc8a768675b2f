"""The adjustment deliverables (评估调整): a workbook, a GIS layer, Markdown, a map and a printable page.

:func:`write_comparison` writes the files of :data:`ADJUSTMENT_FILES` for a
:class:`~suzhou_geo.redline_use.compare.RedlineComparison` (and, when given,
the verdicts the new version flips, :func:`suzhou_geo.revalidate`):

* ``adjustment.xlsx`` — the changed patches (调出, 补划) with bilingual headers,
  then the ledger per county-level unit and for the city, the floors before and
  after, the boundary noise, the flipped verdicts, the notes and the columns;
* ``adjustment_patches.gpkg`` — the patches as one polygon layer;
* ``adjustment.md`` — the same tables in Markdown;
* ``adjustment_map.html`` — removed and added patches drawn distinctly over the
  new redlines (the old ones in the layer control), the legend saying which is which;
* ``adjustment_summary.html`` — one printable A4 page.
"""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..io import write_layer as write_any
from ..redline_use.schema import (
    FLIP_COLUMNS,
    FLOOR_COLUMNS,
    PATCH_COLUMNS,
    UNIT_COLUMNS,
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

__all__ = ["write_comparison", "check_comparison_folder", "ADJUSTMENT_FILES", "ADJUSTMENT_MANIFEST"]

#: The files :func:`write_comparison` writes, in order.
ADJUSTMENT_FILES = ("adjustment.xlsx", "adjustment_patches.gpkg", "adjustment.md", "adjustment_map.html",
                    "adjustment_summary.html")
#: The file that marks a folder as written by :func:`write_comparison`.
ADJUSTMENT_MANIFEST = ".suzhou_geo_adjustment.json"

TITLE = "生态保护红线调整对比 Redline adjustment"

_PATCH_SHOWN = ("change", "patch_id", "county", "area_m2", "area_ha", "area_mu", "features", "adjoins_kept",
                "shared_boundary_m", "distance_to_kept_m", "compactness", "conflicts")
_FLIP_SHOWN = ("old_verdict", "new_verdict", "old_redline_overlap_m2", "new_redline_overlap_m2",
               "old_nearest_redline_m", "new_nearest_redline_m")


def check_comparison_folder(outdir: str | Path = "adjustment", *, overwrite: bool = False, inputs: tuple = ()) -> Path:
    """Check, before the work, that :func:`write_comparison` may write into *outdir* (nothing is created).

    The same rules as the writer: a folder an earlier run wrote is refreshed;
    files of its names that no run wrote are refused unless *overwrite*; an
    input is never replaced.

    Raises
    ------
    suzhou_geo.OutputError
        What the writer would refuse: said before the work, not after it.

    Examples
    --------
    >>> check_comparison_folder("新文件夹").name
    '新文件夹'
    """
    return check_folder(outdir, ADJUSTMENT_FILES, ADJUSTMENT_MANIFEST, overwrite=overwrite, inputs=list(inputs))


def write_comparison(cmp: Any, outdir: str | Path = "adjustment", *, revalidation: Any = None,
                     overwrite: bool = False, offline: bool = False, basemap: str = "osm",
                     inputs: tuple = ()) -> dict[str, Path]:
    """Write the adjustment deliverables of *cmp* into *outdir*.

    Parameters
    ----------
    cmp : RedlineComparison
        The result of :func:`suzhou_geo.compare_redlines`.
    outdir : path, default ``"adjustment"``
        The folder (created if needed); a folder an earlier run wrote is refreshed.
    revalidation : Revalidation, optional
        The parcels the new version flips (:func:`suzhou_geo.revalidate`), added
        as a sheet, a section and a map layer.
    overwrite : bool, default False
        Replace files named like these in a folder no earlier run wrote.
    offline : bool, default False
        A self-contained map (no tiles, no network).
    basemap : str, default ``"osm"``
    inputs : tuple of paths
        The run's inputs, which are never replaced.

    Returns
    -------
    dict
        ``{file name: path}`` of the files written.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> cmp = sg.compare_redlines(None, sg.datasets.get_path("redlines_adjusted"))
    >>> sorted(sg.write_comparison(cmp, "adj"))[:2]
    ['adjustment.md', 'adjustment.xlsx']
    """
    out = prepare_folder(outdir, ADJUSTMENT_FILES, ADJUSTMENT_MANIFEST, overwrite=overwrite, inputs=list(inputs))
    generated = now()
    files = {name: out / name for name in ADJUSTMENT_FILES}
    _workbook(cmp, revalidation, files["adjustment.xlsx"])
    write_any(cmp.patches, files["adjustment_patches.gpkg"], overwrite=True, columns=PATCH_COLUMNS,
              layer="redline_patches", inputs=inputs)
    write_text(files["adjustment.md"], adjustment_md(cmp, generated, revalidation))
    save_map_file(adjustment_map(cmp, revalidation, offline=offline, basemap=basemap), files["adjustment_map.html"],
                  offline=offline)
    write_text(files["adjustment_summary.html"], adjustment_html(cmp, generated, revalidation))
    write_manifest(out, ADJUSTMENT_MANIFEST, ADJUSTMENT_FILES, generated)
    return files


# --------------------------------------------------------------------------- tables


def _ledger(cmp: Any) -> pd.DataFrame:
    names_en = cmp.by_unit.attrs.get("names_en")
    t = cmp.by_unit.copy()
    if names_en is not None and len(names_en) == len(t):
        t["unit"] = [f"{zh} {en}" for zh, en in zip(t["unit"], names_en, strict=True)]
    return labelled(t, UNIT_COLUMNS)


def _patches(cmp: Any) -> pd.DataFrame:
    return labelled(pd.DataFrame(cmp.patches[list(_PATCH_SHOWN)]), PATCH_COLUMNS)


def _floors(cmp: Any) -> pd.DataFrame:
    return labelled(cmp.floors.drop(columns="source"), FLOOR_COLUMNS)


def _page_floors(cmp: Any) -> pd.DataFrame:
    """Return the floors for the page (the chart beside them says met or not)."""
    return labelled(cmp.floors[["region", "floor_km2", "before_km2", "after_km2", "margin_after_km2"]], FLOOR_COLUMNS)


def _noise_by_unit(cmp: Any) -> pd.DataFrame:
    n = pd.DataFrame(cmp.noise[["county", "change", "area_m2"]])
    if not len(n):
        return pd.DataFrame({"县级行政区 county-level unit": [], "处数 slivers": [], "面积 area (m²)": []})
    t = n.groupby("county", sort=True).agg(slivers=("area_m2", "size"), area=("area_m2", "sum")).reset_index()
    out = pd.DataFrame({"县级行政区 county-level unit": t["county"], "处数 slivers": t["slivers"],
                        "面积 area (m²)": t["area"].round(2)})
    out.attrs["decimals"] = {"面积 area (m²)": 2}
    return out


def _flips(rev: Any) -> pd.DataFrame:
    t = pd.DataFrame(rev.changes.drop(columns=rev.changes.geometry.name))
    own = [c for c in t.columns if c not in {c.name for c in FLIP_COLUMNS}][:2]
    return labelled(t[own + list(_FLIP_SHOWN)], FLIP_COLUMNS)


def _compared(cmp: Any) -> str:
    kinds = {"ecological_protection_redline": "生态保护红线 ecological protection redline",
             "ecological_space_control": "生态空间管控区域 ecological space control area"}
    what = kinds.get(cmp.kind, "全部类型 all kinds")
    return f"原版本 old: {cmp.old_name} → 新版本 new: {cmp.new_name}；比较 compared: {what}"


def _workbook(cmp: Any, rev: Any, path: Path) -> None:
    sheets: dict[str, Any] = {
        "台账 ledger": _ledger(cmp),
        "底线 floors": labelled(cmp.floors, FLOOR_COLUMNS),
        "边界误差 noise": [_noise_by_unit(cmp), "", labelled(pd.DataFrame(cmp.noise), PATCH_COLUMNS)],
    }
    if rev is not None:
        sheets["判定改变 verdict changes"] = labelled(pd.DataFrame(rev.changes.drop(columns=rev.changes.geometry.name)),
                                                  FLIP_COLUMNS)
    sheets["说明 notes"] = [_compared(cmp), *cmp.notes, *(rev.notes if rev is not None else [])]
    sheets["列说明 columns"] = [
        "图斑 patches", columns_table(PATCH_COLUMNS), "", "台账 ledger", columns_table(UNIT_COLUMNS), "",
        "底线 floors", columns_table(FLOOR_COLUMNS), "", "判定改变 verdict changes", columns_table(FLIP_COLUMNS),
    ]
    write_any(cmp.patches, path, overwrite=True, columns=PATCH_COLUMNS, sheets=sheets, layer="图斑 patches")


# --------------------------------------------------------------------------- Markdown


def adjustment_md(cmp: Any, generated: str, rev: Any = None) -> str:
    """Return ``adjustment.md``: the ledger, the floors, the patches, the noise, the flipped verdicts and notes."""
    from .. import __version__

    lines = [f"# {TITLE}", "", f"生成时间 Generated: {generated} · suzhou_geo {__version__}", ""]
    lines += [f"> **{w}**\n>" for w in cmp.warnings] + ["", _compared(cmp), ""]
    lines += ["## 台账 Ledger", "",
              "各单位：原面积 − 调出 + 补划 − 边界误差（调出侧）+ 边界误差（补划侧）= 新面积（km²，6 位小数）。 / "
              "Per unit: old − out + in − noise out + noise in = new (km², 6 decimals).", "",
              md_table(_ledger(cmp)), ""]
    lines += ["## 面积底线 Floors", "", md_table(_floors(cmp)), ""]
    lines += [f"- **{r.region}** 依据 source: {r.source}" for r in cmp.floors.itertuples()] + [""]
    lines += ["## 图斑 Patches", ""]
    lines += [md_table(_patches(cmp)) if len(cmp.patches) else "无变化。 / Nothing changed.", ""]
    lines += ["## 边界误差 Boundary noise", "",
              f"低于容差（{cmp.tolerance_m2:g} m² 或宽度 {cmp.tolerance_width_m:g} m）的碎片 {len(cmp.noise)} 处，"
              f"合计 {cmp.noise['area_m2'].sum():,.2f} m²，不视为调整，计入台账的误差列。 / {len(cmp.noise)} slivers "
              f"under the tolerance ({cmp.tolerance_m2:g} m² or {cmp.tolerance_width_m:g} m wide), "
              f"{cmp.noise['area_m2'].sum():,.2f} m² in all: not adjustments, counted in the ledger's noise columns.",
              ""]
    if len(cmp.noise):
        lines += [md_table(_noise_by_unit(cmp)), ""]
    if rev is not None:
        lines += ["## 判定改变的地块 Parcels whose verdict changes", ""]
        lines += [f"- {r.old} → {r.new}: {r.parcels}" for r in rev.transitions.itertuples()] or ["- 无 none"]
        lines += ["", md_table(_flips(rev)) if len(rev.changes) else "", ""]
    lines += ["## 说明 Notes", ""] + [f"- {n}" for n in cmp.notes] + [""]
    files = pd.DataFrame([
        ("adjustment_summary.html", "可打印的一页摘要 the printable page"),
        ("adjustment.xlsx", "图斑、台账、底线、边界误差、判定改变、说明（Excel） the tables for Excel"),
        ("adjustment_patches.gpkg", "调出与补划图斑（一个面图层） the patches as one polygon layer"),
        ("adjustment.md", "本文件 this file"),
        ("adjustment_map.html", "交互地图 the interactive map"),
    ], columns=["文件 file", "内容 content"])
    lines += ["## 本文件夹中的文件 Files in this folder", "", md_table(files), ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the map


def adjustment_map(cmp: Any, rev: Any = None, *, offline: bool = False, basemap: str = "osm") -> Any:
    """Return the interactive map: new redlines, removed and added patches, what they were checked against."""
    from ..maps import layer_to_folium, plan_map
    from ..maps.state import state_of

    layers, names = [cmp.new], ["新版红线 new redlines"]
    for frame, name in ((cmp.farmland, "永久基本农田 permanent farmland"),
                        (cmp.urban_boundary, "城镇开发边界 urban development boundary")):
        if frame is not None and len(frame):
            layers.append(frame)
            names.append(name)
    if len(cmp.patches):
        layers.append(cmp.patches)
        names.append(None)
    if rev is not None and len(rev.changes):
        flips = rev.changes.assign(verdict=rev.changes["new_verdict"], reasons=rev.changes["new_reasons"])
        layers.append(flips)
        names.append("判定改变的地块 parcels whose verdict changes")
    m = plan_map(*layers, names=names, offline=offline, basemap=basemap, title=TITLE)
    m = layer_to_folium(cmp.old, m, name="原版红线 old redlines", show=False)
    if len(cmp.patches):  # the patches, not the whole redline layer, fill the window
        state_of(m).focus(cmp.patches.total_bounds)
    return m


# --------------------------------------------------------------------------- the page


def adjustment_html(cmp: Any, generated: str, rev: Any = None, *, max_rows: int = 16) -> str:
    """Return ``adjustment_summary.html``: one printable A4 page."""
    from .svg import floor_chart

    checks = []
    for region, (before, after) in cmp.floor_checks.items():
        checks += [replace(before, region=f"{region} 调整前 before"), replace(after, region=f"{region} 调整后 after")]
    patches = _patches(cmp)
    more = len(patches) - max_rows
    tail = (f"<p class='small'>另有 {more} 个图斑，见 adjustment.xlsx。 / {more} more patches in adjustment.xlsx.</p>"
            if more > 0 else "")
    body = [
        warn_box(cmp.warnings),
        f"<p class='small'>{html.escape(_compared(cmp))}</p>",
        "<h2>台账 Ledger（km²）</h2>" + html_table(_ledger(cmp)),
        "<div class='grid'>",
        f"<section><h2>面积底线 Floors</h2><figure>{floor_chart(checks)}</figure>{html_table(_page_floors(cmp))}"
        "</section>",
        f"<section><h2>位置 Where</h2><figure>{_picture(cmp)}</figure>{_legend()}</section>",
        "</div>",
        "<section><h2>图斑 Patches</h2>"
        + (html_table(patches.head(max_rows)) + tail if len(patches) else "<p>无变化。 / Nothing changed.</p>")
        + f"<p class='small'>边界误差 boundary noise: {len(cmp.noise)} 处 slivers, {cmp.noise['area_m2'].sum():,.2f} m²"
        "（计入台账 counted in the ledger）</p></section>",
    ]
    if rev is not None:
        moves = "; ".join(f"{r.old} → {r.new}: {r.parcels}" for r in rev.transitions.itertuples()) or "无 none"
        body.append(f"<section><h2>判定改变的地块 Parcels whose verdict changes</h2><p>{html.escape(moves)}</p>"
                    + (html_table(_flips(rev).head(max_rows)) if len(rev.changes) else "") + "</section>")
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in cmp.notes if n not in cmp.warnings)
    body.append(f"<section><h2>说明 Notes</h2><ul class='small'>{notes}</ul></section>")
    return page(TITLE, generated, body)


def _picture(cmp: Any) -> str:
    from ..boundaries import jurisdictions
    from .svg import detail_map

    units = jurisdictions(suzhou_only=True, geometry=True)
    units = units[units.level == "county"]
    new = cmp.new[cmp.new["kind"] == (cmp.kind or cmp.new["kind"])]
    removed, added = (cmp.patches[cmp.patches["change"] == c] for c in ("removed", "added"))
    layers = [(new, "fill='#c7e9c0' stroke='none'"), (removed, "fill='#ef3b2c' stroke='#67000d' stroke-width='0.1'"),
              (added, "fill='#238b45' stroke='#00441b' stroke-width='0.1'")]
    markers = []
    for r in cmp.patches.drop_duplicates("patch_id").itertuples():
        p = r.geometry.representative_point()
        markers.append((p.x, p.y, "#b2182b" if r.change == "removed" else "#00441b", r.patch_id))
    bounds = units.to_crs("EPSG:4549").total_bounds
    return detail_map(units, layers, bounds=bounds, markers=markers, pad_m=2_000, title="调整位置 where it changed")


def _legend() -> str:
    items = [("#c7e9c0", "新版红线 new redline"), ("#ef3b2c", "调出 removed"), ("#238b45", "补划 added")]
    swatches = "".join(f"<span><i class='sw' style='background:{c}'></i>{html.escape(t)}</span>" for c, t in items)
    return f"<figcaption class='legend'>{swatches}<span>○ 图斑编号 patch</span></figcaption>"
