"""Counts and areas of a parcel report, by verdict and by county-level unit."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from .reference import SAMPLE_DATA
from .schema import VERDICTS

__all__ = ["ValidationSummary", "SummaryParts", "summarize"]


@dataclass
class ValidationSummary:
    """Counts and areas of a report, by verdict and by district.

    Attributes
    ----------
    by_verdict : pandas.DataFrame
        ``verdict, parcels, parcel_area_ha, redline_overlap_ha`` (all verdicts, in severity order).
    by_district : pandas.DataFrame
        One row per county-level unit of Suzhou (units outside Suzhou pooled),
        one column of parcel counts per verdict, plus ``parcels`` and
        ``parcel_area_ha``.  A parcel on a border counts in every unit it lies
        in, so the column sums can exceed the number of parcels.
    note : str
        What the redlines were (the bundled sample is illustrative).
    """

    by_verdict: pd.DataFrame
    by_district: pd.DataFrame
    note: str
    illustrative: bool = False

    def to_frame(self) -> pd.DataFrame:
        """Return the counts by verdict."""
        return self.by_verdict.copy()

    def __str__(self) -> str:
        lines = [self.by_verdict.to_string(index=False), "", self.by_district.to_string(), ""]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        warn = (
            f"<p><b>{html.escape(self.note)}</b></p>"
            if self.illustrative
            else f"<p>{html.escape(self.note)}</p>"
        )
        return (
            "<h4>Parcels by verdict</h4>"
            + self.by_verdict.to_html(index=False)
            + "<h4>By district</h4>"
            + self.by_district.to_html()
            + warn
        )


def summarize(report: gpd.GeoDataFrame) -> ValidationSummary:
    """Count parcels and sum areas by verdict and by district of a :func:`validate_parcels` report.

    Parameters
    ----------
    report : GeoDataFrame
        The output of :func:`validate_parcels` (or the same read back from a file).

    Returns
    -------
    ValidationSummary
        ``.by_verdict``, ``.by_district``, ``.note``; ``.to_frame()`` and ``_repr_html_``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> p = gpd.GeoDataFrame(geometry=[box(120.95, 31.38, 120.951, 31.381), None], crs="EPSG:4490")
    >>> from suzhou_geo import validate_parcels
    >>> s = summarize(validate_parcels(p, redlines=False, joint_zones=False, schemes=False))
    >>> s.by_verdict.set_index("verdict").parcels.to_dict()["invalid"]
    1
    """
    return SummaryParts.of(report).finish()


@dataclass
class SummaryParts:
    """The unrounded sums behind a :class:`ValidationSummary`, so that batches of a report add up.

    ``SummaryParts.of(batch)`` for each batch, ``sum`` them (``+``), then
    :meth:`finish`: the same summary as :func:`summarize` of the whole report.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from suzhou_geo import validate_parcels
    >>> p = gpd.GeoDataFrame(geometry=[box(120.95, 31.38, 120.951, 31.381), None], crs="EPSG:4490")
    >>> r = validate_parcels(p, redlines=False, joint_zones=False, schemes=False)
    >>> whole = summarize(r)
    >>> parts = SummaryParts.of(r.iloc[:1]) + SummaryParts.of(r.iloc[1:])
    >>> parts.finish().by_verdict.equals(whole.by_verdict)
    True
    """

    by_verdict: pd.DataFrame
    counts: pd.DataFrame
    area_ha: pd.Series
    illustrative: bool
    data_note: str
    approximate: int = 0

    @classmethod
    def of(cls, report: gpd.GeoDataFrame) -> SummaryParts:
        """Return the sums of one report (or one batch of it)."""
        missing = [
            c
            for c in ("verdict", "district", "parcel_area_m2", "redline_overlap_m2")
            if c not in report.columns
        ]
        if missing:
            raise InputError(f"is not a validate_parcels report: columns {missing} are missing", source="report",
                             hint="summarize the frame validate_parcels returned (or the report file it wrote)")
        verdict = pd.Categorical(report["verdict"].astype(str).to_numpy(), categories=list(VERDICTS))
        df = pd.DataFrame(
            {
                "verdict": verdict,
                "area_ha": report["parcel_area_m2"].fillna(0).to_numpy() / 1e4,
                "overlap_ha": report["redline_overlap_m2"].fillna(0).to_numpy() / 1e4,
            }
        )
        bv = df.groupby("verdict", observed=False).agg(
            parcels=("area_ha", "size"),
            parcel_area_ha=("area_ha", "sum"),
            redline_overlap_ha=("overlap_ha", "sum"),
        )
        long = _by_unit(report, verdict, df["area_ha"].to_numpy())
        counts = pd.crosstab(long["district"], long["verdict"], dropna=False).reindex(
            columns=list(VERDICTS), fill_value=0
        )
        area = long.groupby("district")["area_ha"].sum()
        attrs = getattr(report, "attrs", {}) or {}
        approx = (
            int(report["approximate_position"].fillna(False).astype(bool).sum())
            if "approximate_position" in report.columns else 0
        )
        return cls(bv, counts, area, _illustrative(report, attrs), str(attrs.get("data_note", "") or ""), approx)

    def __add__(self, other: SummaryParts) -> SummaryParts:
        counts = self.counts.add(other.counts, fill_value=0).astype(int)
        return SummaryParts(
            self.by_verdict.add(other.by_verdict, fill_value=0),
            counts.reindex(columns=list(VERDICTS), fill_value=0),
            self.area_ha.add(other.area_ha, fill_value=0.0),
            self.illustrative or other.illustrative,
            self.data_note or other.data_note,
            self.approximate + other.approximate,
        )

    def finish(self) -> ValidationSummary:
        """Return the summary: sums rounded, units sorted by their number of parcels."""
        bv = self.by_verdict.copy()
        bv["parcels"] = bv["parcels"].astype(int)
        bv = bv.reset_index().round({"parcel_area_ha": 2, "redline_overlap_ha": 4})
        bv["verdict"] = bv["verdict"].astype(str)
        bd = self.counts.copy()
        bd.columns = [str(c) for c in bd.columns]
        bd["parcels"] = bd.sum(axis=1)
        bd["parcel_area_ha"] = self.area_ha.round(2)
        bd = bd.sort_values("parcels", ascending=False)
        bd.index.name = "district"
        if self.illustrative:
            note = "注意：红线为示意数据，非官方生态保护红线 / NOTE: " + (
                self.data_note
                or "the redlines are ILLUSTRATIVE, not the official ecological protection redline; "
                "rerun with the official redline data."
            )
        else:
            note = self.data_note
        if self.approximate:
            note += (
                f"\n注意：{self.approximate} 个地块的位置为近似（旧坐标系未使用本地转换参数，误差约 ±100 m）/ "
                "NOTE: the "
                f"positions of {self.approximate} parcel(s) are approximate (a legacy datum converted without "
                "local parameters, ± about 100 m)"
            )
        return ValidationSummary(bv, bd, note.strip(), self.illustrative)


@lru_cache(maxsize=1)
def _suzhou_units() -> frozenset[str]:
    """Return the names of 苏州市 and its county-level units (the bundled table read once, not once per batch)."""
    from ..boundaries import jurisdictions

    return frozenset(jurisdictions(suzhou_only=True).name_zh)


def _by_unit(report: pd.DataFrame, verdict: pd.Categorical, area_ha: np.ndarray) -> pd.DataFrame:
    """One row per (parcel, unit): a parcel on a border counts in every unit; units outside Suzhou pooled.

    The ``district`` texts repeat (a few dozen distinct ones per batch): each
    distinct text is split and named once, then spread to its rows.
    """
    in_sz = _suzhou_units()
    outside = "(苏州市域外 outside Suzhou)"
    codes, texts = pd.factorize(report["district"].fillna("").astype(str).to_numpy(dtype=object))
    named = [sorted({"(无 none)" if d == "" else d if d in in_sz else outside for d in str(t).split("; ")})
             for t in texts]  # each text's units, those outside Suzhou pooled (once per parcel)
    size = np.array([len(u) for u in named], dtype=np.int64)
    flat = np.array([d for u in named for d in u], dtype=object)
    start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    per_row = size[codes]
    rows = np.repeat(np.arange(len(report)), per_row)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    district = flat[np.repeat(start[codes], per_row) + within] if len(rows) else np.empty(0, dtype=object)
    return pd.DataFrame({
        "row": rows,
        "district": district,
        "verdict": pd.Categorical(np.asarray(verdict)[rows], categories=list(VERDICTS)),
        "area_ha": area_ha[rows],
    })


def _illustrative(report: pd.DataFrame, attrs: dict) -> bool:
    """From the ``redline_data`` column (survives concatenation and files), else from attrs."""
    if "redline_data" in report.columns and len(report):
        return bool((report["redline_data"].astype(str) == SAMPLE_DATA).any())
    return bool(attrs.get("illustrative", False))
