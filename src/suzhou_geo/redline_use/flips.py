"""``revalidate``: an earlier parcel report and a new redline version → the parcels whose verdict changes.

A parcel report keeps each parcel's geometry as it was checked (repaired
where it had to be), every input column and what was found.  :func:`revalidate`
measures that geometry again against the new redlines only — overlaps with
both kinds and the distance to the nearest protection redline, with the
validator's own stages (:func:`suzhou_geo.validate.core.measure`,
:func:`~suzhou_geo.validate.decide.decide`,
:func:`~suzhou_geo.validate.explain.explain`,
:func:`~suzhou_geo.validate.core.assemble`) — and keeps what the redlines do
not change from the report: the joint-control zone, the scheme elements, the
repairs (a repair that changed the shape stays a reason for review), rows that
could not be checked.  So its verdicts are those a full
:func:`~suzhou_geo.validate_parcels` run on the original parcels with the new
redlines gives (with the same joint-control zones and rules).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import transformer
from ..errors import InputError
from ..io import read
from ..io import write_layer as write_any
from ..layer import Layer
from ..redlines import redline_layer
from ..validate.core import assemble, measure
from ..validate.decide import decide
from ..validate.explain import SHAPE_CHANGED, explain
from ..validate.reference import prepare_layers
from ..validate.rules import as_rules
from ..validate.schema import VERDICT_LABELS, report_columns
from .parts import illustrative
from .render import notes_html, table_html
from .schema import FLIP_COLUMNS, ILLUSTRATIVE, names

__all__ = ["revalidate", "Revalidation", "NEEDED"]

#: The report columns revalidation reads.
NEEDED = ("verdict", "reasons", "geometry_issue", "redline_overlap_m2", "control_overlap_m2", "nearest_redline_m",
          "joint_zone", "scheme_elements", "approximate_position")

_APPROXIMATE = "位置为近似转换（见原报告）/ approximate position (see the earlier report)"
_RED_SPELLING = {"crs": "redlines_crs={value}", "override_crs": None, "swap_xy": None,
                 "datum_shift": "redlines=sg.Source(…, datum_shift={value})",
                 "approximate_datum": "redlines=sg.Source(…, approximate_datum={value})",
                 "invalid": "redlines=sg.Source(…, invalid={value})"}


@dataclass
class Revalidation:
    """The parcels a new redline version flips: the result of :func:`revalidate`.

    Attributes
    ----------
    changes : geopandas.GeoDataFrame
        One row per parcel whose verdict changes, in report order with the
        report's index: the input's own columns, then old and new verdict,
        overlaps and distances side by side, and the new reasons
        (:data:`~suzhou_geo.redline_use.schema.FLIP_COLUMNS`).
    report : geopandas.GeoDataFrame
        The whole report against the new redlines (every row, as
        :func:`~suzhou_geo.validate_parcels` would give it).
    transitions : pandas.DataFrame
        How many parcels went from which verdict to which.
    notes : list of str
    illustrative : bool
        The new redlines are the bundled illustrative sample.
    """

    changes: gpd.GeoDataFrame
    report: gpd.GeoDataFrame = field(repr=False)
    transitions: pd.DataFrame
    notes: list[str]
    illustrative: bool

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the parcels whose verdict changes (:attr:`changes`)."""
        return self.changes

    def write(self, path: Any, *, overwrite: bool = False) -> Path | str:
        """Write :attr:`changes` through the one way out, labelled from the schema."""
        return write_any(self.changes, path, overwrite=overwrite, columns=FLIP_COLUMNS, layer="verdict_changes")

    def __repr__(self) -> str:
        return f"<Revalidation: {len(self.changes)} of {len(self.report)} parcels change verdict>"

    def _repr_html_(self) -> str:
        shown = pd.DataFrame(self.changes.drop(columns=self.changes.geometry.name))
        return (
            "<div class='suzhou-geo-revalidation'>"
            f"<h4 style='margin:4px 0'>判定改变的地块 Parcels whose verdict changes: {len(self.changes)} / "
            f"{len(self.report)}</h4>"
            + notes_html(self.notes, warn=[ILLUSTRATIVE] if self.illustrative else [])
            + "<p>" + html.escape("; ".join(f"{r.old} → {r.new}: {r.parcels}" for r in self.transitions.itertuples()))
            + "</p>" + table_html(shown, FLIP_COLUMNS) + "</div>"
        )


def revalidate(
    report: Any,
    redlines: Any = None,
    *,
    rules: Any = None,
    crs: Any = None,
    redlines_crs: Any = None,
) -> Revalidation:
    """Which parcels of an earlier report change verdict against new redlines, and why.

    Parameters
    ----------
    report : GeoDataFrame, path or Source
        A :func:`~suzhou_geo.validate_parcels` report, in memory or as written
        (``.gpkg``, ``.parquet``, ``.csv`` with WKT; read through
        :func:`suzhou_geo.io.read`).
    redlines : path, GeoDataFrame, Source or None
        The new redline layer; ``None`` is the bundled ILLUSTRATIVE sample.
    rules : Rules or dict, optional
        The rules of the earlier run.  Default: those the report carries
        (``report.attrs["rules"]``, kept in memory), else the defaults — a
        report read back from a file does not carry them, so pass them when
        they were changed.
    crs : str or pyproj.CRS, optional
        CRS of a report file that declares none (a ``.csv`` report: ``"EPSG:4490"``).
    redlines_crs : str or pyproj.CRS, optional
        CRS of a redline file that declares none.

    Returns
    -------
    Revalidation
        ``.changes`` (the parcels whose verdict changes, old and new side by
        side), ``.report`` (every parcel against the new redlines),
        ``.transitions``, ``.notes``.

    Raises
    ------
    suzhou_geo.errors.InputError
        *report* lacks the columns of a parcel report (they are named).

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> report = sg.validate_parcels(sg.datasets.parcels(), schemes=False)
    >>> red = sg.load_redlines()
    >>> new = red.drop(index=8)  # 昆山天福国家湿地公园 leaves the redline
    >>> flips = revalidate(report, new)
    >>> sorted(set(flips.changes["old_verdict"])), len(flips.changes) > 0
    (['conflict', 'review'], True)
    """
    old, from_memory = _read_report(report, crs)
    rules_given = rules is not None
    rules = as_rules(rules if rules_given else (old.attrs.get("rules") if from_memory else None))
    red = redline_layer(redlines, crs=redlines_crs, spelling=_RED_SPELLING)
    refs = prepare_layers(red, False, False, max_vertices=rules.max_vertices)
    near = _near_redlines(old, refs, rules)
    new = _merge(old, near, _remeasure(old[near], refs, rules) if near.any() else None, refs)
    changes = _changes(old, new)
    sample = illustrative(red)
    notes = _notes(old, changes, from_memory, rules_given=rules_given, data=refs.redline_data, sample=sample,
                   measured=int(near.sum()))
    return Revalidation(changes, new, _transitions(changes), notes, sample)


# --------------------------------------------------------------------------- read


def _read_report(report: Any, crs: Any) -> tuple[gpd.GeoDataFrame, bool]:
    if isinstance(report, gpd.GeoDataFrame):
        frame, memory = report, True
    else:
        frame, memory = read(report, crs=crs, spelling={"override_crs": None, "swap_xy": None}).frame, False
    missing = [c for c in NEEDED if c not in frame.columns]
    if missing:
        raise InputError(
            f"not a parcel report: the columns {', '.join(missing)} are missing",
            source=getattr(report, "name", None) if not isinstance(report, (str, Path)) else str(report),
            hint="pass the report validate_parcels (or suzhou-geo validate / report) wrote, as .gpkg, .parquet "
                 "or .csv",
        )
    return frame, memory


def _text(values: pd.Series) -> np.ndarray:
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object)


def _flag(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).to_numpy(dtype=bool)
    return values.astype(str).str.strip().str.lower().isin(["true", "1", "yes", "是 yes", "是"]).to_numpy()


def _as_layer(old: gpd.GeoDataFrame) -> Layer:
    """Read the report's parcels as a layer, with what was found on the way in restored from the report."""
    inputs = old.drop(columns=[c for c in report_columns() if c in old.columns])
    lay = read(inputs, expect="polygon", name="report")
    verdict = old["verdict"].astype(str).to_numpy()
    usable = lay.usable & (verdict != "invalid")
    issues = _text(old["geometry_issue"])
    changed = usable & np.array([SHAPE_CHANGED in r for r in _text(old["reasons"])], dtype=bool)
    area_change = np.where(changed, 1.0, np.nan)  # above the repair tolerance: the shape changed
    return Layer(lay.frame, lay.provenance, issues, usable, area_change, lay.codes)


# --------------------------------------------------------------------------- measure again


def _near_redlines(old: gpd.GeoDataFrame, refs: Any, rules: Any) -> np.ndarray:
    """Find the rows whose redline measures may be anything but nothing: near a new redline, or an old one.

    A parcel whose box lies farther than the search distance
    (``nearest_search_m``) from the box of every piece of the new redlines (the
    validator's pieces: at most 5 km across) overlaps no new redline and has no
    nearest distance; if the report found nothing either, nothing changes for
    it, so it is not measured again.  Rows the earlier run could not check are
    never measured.
    """
    geoms = np.asarray(old.geometry.values, dtype=object)
    checked = (old["verdict"].astype(str) != "invalid").to_numpy() & ~shapely.is_missing(geoms)
    found = (pd.to_numeric(old["redline_overlap_m2"], errors="coerce").fillna(0).to_numpy() > 0) \
        | (pd.to_numeric(old["control_overlap_m2"], errors="coerce").fillna(0).to_numpy() > 0) \
        | pd.to_numeric(old["nearest_redline_m"], errors="coerce").notna().to_numpy()
    near = np.zeros(len(old), dtype=bool)
    pieces = [ref.features.index.pieces for ref in (refs.redlines or {}).values() if len(ref.features.index)]
    rows = np.flatnonzero(checked)
    if pieces and len(rows):
        d = float(rules.nearest_search_m) + 1.0
        rb = shapely.bounds(np.concatenate(pieces))
        grown = shapely.box(rb[:, 0] - d, rb[:, 1] - d, rb[:, 2] + d, rb[:, 3] + d)
        lon0, lat0, lon1, lat1 = shapely.bounds(geoms[rows]).T
        t = transformer("EPSG:4490", "EPSG:4549")
        xs, ys = zip(*(t.transform(x, y) for x, y in ((lon0, lat0), (lon0, lat1), (lon1, lat0), (lon1, lat1))),
                     strict=True)
        box = shapely.box(np.min(xs, axis=0) - 1, np.min(ys, axis=0) - 1, np.max(xs, axis=0) + 1,
                          np.max(ys, axis=0) + 1)
        hit, _ = shapely.STRtree(grown).query(box)
        near[rows[np.unique(hit)]] = True
    return checked & (near | found)


def _remeasure(rows: gpd.GeoDataFrame, refs: Any, rules: Any) -> gpd.GeoDataFrame:
    """Measure *rows* again against the new redlines and give their report rows (the validator's own stages)."""
    layer = _as_layer(rows)
    m = measure(layer, refs, rules)
    m.zone[:] = _text(rows["joint_zone"])
    m.schemes[:] = _text(rows["scheme_elements"])
    m.approximate[:] = _flag(rows["approximate_position"]) & layer.usable
    d = decide(m, rules)
    reasons = explain(m, d, rules, illustrative=refs.illustrative, approximate_note=_APPROXIMATE)
    return assemble(layer, m, d, reasons, refs, rules)


#: The report columns the redlines decide; every other one is the same against any redlines.
_DEPENDS = ("verdict", "reasons", "redline_overlap_m2", "redline_overlap_ratio", "control_overlap_m2",
            "redline_names", "nearest_redline_m")


def _merge(old: gpd.GeoDataFrame, near: np.ndarray, again: gpd.GeoDataFrame | None, refs: Any) -> gpd.GeoDataFrame:
    """Assemble the whole report against the new redlines: the rows measured again, the others as they were.

    Rows the earlier run could not check are never among those measured
    again, so they stay exactly as the report had them.
    """
    new = old.copy()
    new["redline_data"] = refs.redline_data
    if again is None:  # nothing near any redline, before or now
        return new
    for c in _DEPENDS:
        if c not in old.columns:
            continue
        if pd.api.types.is_float_dtype(new[c]):
            values = new[c].to_numpy(dtype=float, copy=True)
            values[near] = pd.to_numeric(again[c], errors="coerce").to_numpy(dtype=float)
        else:
            values = new[c].to_numpy(dtype=object).copy()
            values[near] = again[c].to_numpy(dtype=object)
        new[c] = values
    new.attrs = {**again.attrs, "source": old.attrs.get("source", again.attrs.get("source"))}
    return new


# --------------------------------------------------------------------------- compare


def _changes(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    flip = (old["verdict"].astype(str).to_numpy() != new["verdict"].astype(str).to_numpy())
    inputs = [c for c in old.columns if c not in report_columns() and c != old.geometry.name]
    out = pd.DataFrame(old.loc[flip, inputs])
    out["old_verdict"] = old.loc[flip, "verdict"].astype(str).to_numpy(dtype=object)
    out["new_verdict"] = new.loc[flip, "verdict"].astype(str).to_numpy(dtype=object)
    for what, col in (("redline_overlap_m2", "redline_overlap_m2"), ("control_overlap_m2", "control_overlap_m2"),
                      ("nearest_redline_m", "nearest_redline_m")):
        out[f"old_{what}"] = pd.to_numeric(old.loc[flip, col], errors="coerce").to_numpy(dtype=float)
        out[f"new_{what}"] = pd.to_numeric(new.loc[flip, col], errors="coerce").to_numpy(dtype=float)
    out["new_reasons"] = new.loc[flip, "reasons"].to_numpy(dtype=object)
    out = out[[*inputs, *names(FLIP_COLUMNS)]]
    return gpd.GeoDataFrame(out, geometry=old.geometry[flip].values, crs=old.crs)


def _label(verdict: str) -> str:
    zh, en = VERDICT_LABELS.get(verdict, ("", verdict))
    return f"{zh} {en}".strip()


def _transitions(changes: gpd.GeoDataFrame) -> pd.DataFrame:
    if not len(changes):
        return pd.DataFrame({"old": [], "new": [], "parcels": []})
    t = changes.groupby(["old_verdict", "new_verdict"], sort=True).size().reset_index(name="parcels")
    return pd.DataFrame({"old": t["old_verdict"].map(_label), "new": t["new_verdict"].map(_label),
                         "parcels": t["parcels"].astype(int)})


def _notes(old: gpd.GeoDataFrame, changes: gpd.GeoDataFrame, from_memory: bool, *, rules_given: bool, data: str,
           sample: bool, measured: int) -> list[str]:
    notes = []
    if sample:
        notes.append(ILLUSTRATIVE)
    notes.append(f"新红线 new redlines: {data}")
    notes.append(
        f"原报告 {len(old)} 个地块，其中 {len(changes)} 个判定改变 / of the report's {len(old)} parcels, "
        f"{len(changes)} change verdict"
    )
    notes.append(
        "只重新计算与红线有关的量（与两类红线的重叠、到最近生态保护红线的距离）；联防联治区、规划格局要素、几何修复与无法检查的行"
        "沿用原报告。 / Only what depends on the redlines is measured again (overlaps with both kinds, the distance "
        "to the nearest protection redline); the joint-control zone, the scheme elements, the repairs and the rows "
        "that could not be checked are kept from the report."
    )
    notes.append(
        f"重新量算 {measured} 个地块（位于新旧红线搜索距离内者）；其余地块与红线无关，判定不变。 / {measured} parcels "
        "(those within the search distance of a new or an old redline) were measured again; the others have nothing "
        "to do with the redlines and keep their verdicts."
    )
    if not from_memory and not rules_given:
        notes.append("报告读自文件，不含规则，按默认规则判定；若原报告改过规则，请用 rules= 传入 / the report was read "
                     "from a file, which does not keep its rules: the default rules were used; pass rules= if the "
                     "earlier run changed them")
    return notes
