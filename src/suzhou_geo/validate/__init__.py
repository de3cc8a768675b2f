"""Parcel validation: one verdict per development parcel (地块), with the reasons.

:func:`validate_parcels` reads as a pipeline of stages, each a module here:
``inputs`` (the parcels, every option and the reference layers, gathered once:
:class:`ValidationInputs`), ``core`` (read, measure, assemble), ``reference`` (the reference
layers prepared once: :func:`prepare_layers`), ``overlay`` (parcels against
each layer, pure functions), ``decide`` (the verdicts, from :class:`Rules`),
``explain`` (the reasons), ``schema`` (every report column, defined once),
``summary`` (counts by verdict and unit), ``stream`` (file to file in
bounded memory: :func:`validate_file`), ``distributed`` (dask-geopandas),
``overlaps`` (the redline overlap alone: :func:`redline_overlap`).

Names are imported when first used (PEP 562): importing ``validate.schema``
(data only) loads none of the engine.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module that defines it.
_EXPORTS = {
    "validate_parcels": ".core",
    "redline_overlap": ".overlaps",
    "PreparedLayers": ".reference",
    "prepare_layers": ".reference",
    "RULES": ".rules",
    "Rules": ".rules",
    "REPORT_SCHEMA": ".schema",
    "VERDICTS": ".schema",
    "report_columns": ".schema",
    "FileReport": ".stream",
    "validate_file": ".stream",
    "ValidationInputs": ".inputs",
    "ValidationSummary": ".summary",
    "summarize": ".summary",
}

__all__ = [*_EXPORTS, "REPORT_COLUMNS"]


def __getattr__(name: str) -> Any:
    if name == "REPORT_COLUMNS":  # columns validate_parcels adds to the input's own columns
        from .schema import report_columns

        value = report_columns()
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
