"""Parcel validation: one verdict per development parcel (地块), with the reasons.

:func:`validate_parcels` reads as a pipeline of stages, each a module here:
``core`` (read the parcels, measure, assemble), ``reference`` (the reference
layers prepared once: :func:`prepare_layers`), ``overlay`` (parcels against
each layer, pure functions), ``decide`` (the verdicts, from :class:`Rules`),
``explain`` (the reasons), ``schema`` (every report column, defined once),
``summary`` (counts by verdict and unit), ``stream`` (file to file in
bounded memory: :func:`validate_file`), ``distributed`` (dask-geopandas).
"""

from .core import validate_parcels
from .reference import PreparedLayers, prepare_layers
from .rules import RULES, Rules
from .schema import REPORT_SCHEMA, VERDICTS, report_columns
from .stream import FileReport, validate_file
from .summary import ValidationSummary, summarize

#: Columns :func:`validate_parcels` adds to the input's own columns (from :data:`REPORT_SCHEMA`).
REPORT_COLUMNS = report_columns()

__all__ = [
    "Rules",
    "RULES",
    "VERDICTS",
    "REPORT_SCHEMA",
    "REPORT_COLUMNS",
    "validate_parcels",
    "validate_file",
    "FileReport",
    "prepare_layers",
    "PreparedLayers",
    "summarize",
    "ValidationSummary",
]
