"""Parcel validation: one verdict per development parcel (地块), with the reasons.

The public names are re-exported here; :mod:`suzhou_geo.validate.schema` defines
every report column once.
"""

from ._core import (
    RULES,
    Rules,
    ValidationSummary,
    summarize,
    validate_parcels,
)
from .schema import REPORT_SCHEMA, VERDICTS, report_columns

#: Columns :func:`validate_parcels` adds to the input's own columns (from :data:`REPORT_SCHEMA`).
REPORT_COLUMNS = report_columns()

__all__ = [
    "Rules",
    "RULES",
    "VERDICTS",
    "REPORT_SCHEMA",
    "REPORT_COLUMNS",
    "validate_parcels",
    "summarize",
    "ValidationSummary",
]
