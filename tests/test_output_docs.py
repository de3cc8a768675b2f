"""docs/report_columns.md is generated from the report schema and is current."""

from __future__ import annotations

import runpy
from pathlib import Path

from suzhou_geo.validate.schema import REPORT_SCHEMA

ROOT = Path(__file__).resolve().parents[1]


def test_report_columns_doc_is_current():
    build = runpy.run_path(str(ROOT / "scripts" / "build_report_columns_doc.py"))
    current = (ROOT / "docs" / "report_columns.md").read_text(encoding="utf-8")
    assert current == build["render"](), "run: python scripts/build_report_columns_doc.py"
    for col in REPORT_SCHEMA:  # every column, with its label and its Shapefile name
        assert f"| `{col.name}` | {col.label()} | `{col.shp}` |" in current
