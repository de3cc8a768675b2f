"""The report: every check on one set of data, written as files a planner can forward.

``run`` holds the main job (:func:`run_report`); ``tables`` the tables every
output shares (floors, verdicts by unit, the Excel sheets); ``markdown`` and
``html`` the printable summaries; ``svg`` their charts and overview map;
``output`` the report-aware way out (:func:`write_layer`: a parcel report gets
the schema's bilingual labels and its summary sheets); ``occupancy`` and
``adjustment`` the deliverables of :func:`suzhou_geo.occupancy` and
:func:`suzhou_geo.compare_redlines` (:func:`write_occupancy`,
:func:`write_comparison`), ``deliver`` what those two share.
"""

from .adjustment import check_comparison_folder, write_comparison
from .occupancy import check_occupancy_folder, write_occupancy
from .output import write_layer
from .run import MANIFEST, REPORT_FILES, ReportResult, run_report

__all__ = ["run_report", "ReportResult", "REPORT_FILES", "MANIFEST", "write_layer", "write_occupancy",
           "write_comparison", "check_occupancy_folder", "check_comparison_folder"]
