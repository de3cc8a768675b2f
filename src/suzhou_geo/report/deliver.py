"""What the occupancy and adjustment deliverables share: their folder, labelled tables, text files, the page.

A deliverable folder works like a report folder (:func:`suzhou_geo.report.run_report`):
written again, it replaces its own files (a small manifest names them) and
leaves every other file alone; a folder holding files of those names that no
run wrote is refused unless ``overwrite=True``; an input is never replaced.

Examples
--------
>>> import pandas as pd
>>> from suzhou_geo.redline_use.schema import UNIT_COLUMNS
>>> t = labelled(pd.DataFrame({"unit": ["昆山市"], "old_km2": [46.371362], "not_decreased": [True]}), UNIT_COLUMNS)
>>> list(t.columns), t.iloc[0, 2], t.attrs["decimals"]
(['单位 unit', '原面积 old area (km²)', '面积不减少 area not decreased'], '是 yes', {'原面积 old area (km²)': 6})
"""

from __future__ import annotations

import html
import json
import os
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import OutputError
from ..io.columns import Column
from .html import STYLE

__all__ = ["prepare_folder", "check_folder", "write_text", "write_manifest", "labelled", "page", "warn_box",
           "save_map_file", "now"]


def prepare_folder(outdir: str | Path, files: Sequence[str], manifest: str, *, overwrite: bool,
                   inputs: Sequence[Any]) -> Path:
    """Check and create a deliverable folder (see the module docstring); return it.

    Raises
    ------
    suzhou_geo.OutputError
        As :func:`check_folder`.
    """
    out = check_folder(outdir, files, manifest, overwrite=overwrite, inputs=inputs)
    out.mkdir(parents=True, exist_ok=True)
    return out


def check_folder(outdir: str | Path, files: Sequence[str], manifest: str, *, overwrite: bool,
                 inputs: Sequence[Any]) -> Path:
    """Check a deliverable folder before any work is done (nothing is created); return its path.

    Raises
    ------
    suzhou_geo.OutputError
        *outdir* is a file; a file would replace an input; the folder holds
        files of these names that no run wrote (without ``overwrite=True``).

    Examples
    --------
    >>> check_folder("占用分析", ["occupancy.xlsx"], ".manifest.json", overwrite=False, inputs=[]).name
    '占用分析'
    """
    from ..io import check_output

    out = Path(outdir).expanduser()
    if out.exists() and not out.is_dir():
        raise OutputError("the output folder is a file", source=str(out), hint="name a folder")
    for name in files:
        check_output(out / name, overwrite=True, inputs=inputs)
    clash = [n for n in files if (out / n).exists()]
    if clash and not (out / manifest).exists() and not overwrite:
        raise OutputError(
            f"the folder holds {', '.join(clash)}, which no run of this command wrote",
            source=str(out), hint="pass overwrite=True to replace them, or choose another folder",
        )
    return out


def write_text(path: Path, text: str) -> None:
    """Write *text* as UTF-8 under a temporary name, then rename it into place (no partial file)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        with open(tmp, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_manifest(out: Path, manifest: str, files: Sequence[str], generated: str) -> None:
    """Record which files a run wrote (so that the next run may replace them)."""
    from .. import __version__

    data = {"generator": f"suzhou_geo {__version__}", "generated": generated, "files": list(files)}
    write_text(out / manifest, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def labelled(df: pd.DataFrame, columns: Sequence[Column]) -> pd.DataFrame:
    """*df* with bilingual headers: numbers stay numbers (their decimals in ``attrs``), codes and flags in words.

    Columns not described in *columns* keep their names and values; a geometry column is left out.
    """
    known = {c.name: c for c in columns}
    out: dict[str, Any] = {}
    decimals: dict[str, int] = {}
    for name in df.columns:
        if getattr(df[name], "dtype", None) == "geometry":
            continue
        col = known.get(name)
        if col is None:
            out[str(name)] = df[name].to_numpy(dtype=object)
            continue
        head = col.label()
        if col.dtype == "float" and not col.percent:
            out[head] = pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float)
            decimals[head] = 2 if col.decimals is None else col.decimals
        else:
            out[head] = [col.format(v) for v in df[name].tolist()]
    table = pd.DataFrame(out, index=range(len(df)))
    table.attrs["decimals"] = decimals
    return table


def warn_box(lines: Sequence[str]) -> str:
    """Render the warnings of a page (illustrative data, no legality decided), escaped, in a red box."""
    if not lines:
        return ""
    return "<div class='warn'>" + "<br>".join(html.escape(str(t)) for t in lines) + "</div>"


def page(title: str, generated: str, body: Sequence[str]) -> str:
    """Assemble a self-contained printable page (the report's A4 style) from *body*'s HTML parts."""
    from .. import __version__

    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        "<html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<meta name='generator' content='suzhou_geo {e(__version__)}'>",
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>",
        f"<header><h1>{e(title)}</h1>",
        f"<p class='meta'>生成时间 Generated: {e(generated)} · suzhou_geo {e(__version__)}</p></header>",
        *body,
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def save_map_file(m: Any, path: Path, *, offline: bool) -> None:
    """Save a folium map under a temporary name, then rename it into place."""
    from ..maps import save_map

    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as tmp:
        save_map(m, Path(tmp) / path.name, offline=offline)
        os.replace(Path(tmp) / path.name, path)


def now() -> str:
    """Local time with its zone: ``'2026-12-15 14:03 CST (UTC+08:00)'``."""
    from datetime import datetime

    t = datetime.now().astimezone()
    off = t.strftime("%z")
    utc = f"UTC{off[:3]}:{off[3:]}"
    name = t.tzname() or ""
    return f"{t:%Y-%m-%d %H:%M} {utc}" if name.upper() in ("", "UTC", "GMT") else f"{t:%Y-%m-%d %H:%M} {name} ({utc})"
