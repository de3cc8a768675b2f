"""红线面积底线 Redline floors: :func:`suzhou_geo.check_floor` on QGIS layers, with a what-if."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
)

from ..exchange import read_input, table_to_sink
from ..feedback import Progress
from ..summaries import floors_summary, write_page
from .base import (
    ILLUSTRATIVE_HELP,
    INVALID,
    KIND_LABELS,
    KINDS,
    SuzhouGeoAlgorithm,
    invalid_parameter,
)

__all__ = ["RedlineFloors"]

log = logging.getLogger("suzhou_geo.qgis")


def _floors() -> dict[str, Any]:
    import suzhou_geo as sg

    return sg.FLOORS


class RedlineFloors(SuzhouGeoAlgorithm):
    """Check the redline area of 苏州市 and 昆山市 against the plans' floors (with a what-if)."""

    NAME = "redline_floors"
    TITLE = ("红线面积底线", "Redline area floors")
    GROUP = "checks"
    REQUIRES = ("check_floor", "load_redlines", "FLOORS")

    def help_paragraphs(self) -> list[tuple[str, str]]:
        """Say what it checks, where each floor comes from, the what-if layer, the outputs."""
        cites = [
            (
                f"{f.region} ≥ {f.floor_km2:g} km²（{f.year}）：{f.source} {f.clause}",
                f"{f.region} ≥ {f.floor_km2:g} km² by {f.year}: {f.source}, {f.clause}",
            )
            for f in _floors().values()
        ]
        return [
            (
                "核算生态保护红线面积是否达到规划底线：重叠红线先融合（不重复计算），"
                "裁剪到苏州市或昆山市，按 CGCS2000/GRS80 椭球面积计算，精确到 0.0001 km²。",
                "Checks the ecological protection redline area against the plans' floors: "
                "overlapping redlines are dissolved (nothing counts twice), clipped to 苏州市 "
                "or 昆山市 and measured on the CGCS2000/GRS80 ellipsoid, to 0.0001 km².",
            ),
            *cites,
            ILLUSTRATIVE_HELP,
            (
                "“拟建地块”：假设这些地块获批，先从红线中扣除，"
                "再与底线比较（它们与红线的重叠即验证地块中的 redline_overlap_m2）。",
                "“Proposed parcels”: what if they are approved? They are subtracted from the "
                "redlines before the comparison (what they remove is their redline_overlap_m2 "
                "in Validate parcels).",
            ),
            (
                "结果：底线核算表（每个地区一行：面积、底线、差额、结论、依据、方法、数据说明）、"
                "可选的按县级行政区面积表与可打印摘要（.html 或 .md）。",
                "Results: the floor table (one row per region: area, floor, margin, result, "
                "source, method, data note), optionally the area by county-level unit and a "
                "printable summary (.html or .md).",
            ),
        ]

    def initAlgorithm(self, config: dict | None = None) -> None:
        """Declare the regions, redlines, the what-if layer, what counts, the outputs."""
        floors = list(_floors().values())
        self.addParameter(
            QgsProcessingParameterEnum(
                "REGIONS",
                "地区 Regions",
                [f"{f.region} ≥ {f.floor_km2:g} km²（{f.year}）" for f in floors],
                allowMultiple=True,
                defaultValue=list(range(len(floors))),
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "REDLINES",
                "红线 Redlines（留空：内置示意红线，非官方 empty: the bundled ILLUSTRATIVE "
                "redlines）",
                [QgsProcessing.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "MINUS",
                "拟建地块（假设获批，先扣除）Proposed parcels (what if approved: subtracted first)",
                [QgsProcessing.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                "KIND", "计入的类型 What counts", list(KIND_LABELS), defaultValue=0
            )
        )
        self.addParameter(invalid_parameter())
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "OUTPUT", "底线核算 Floor checks", QgsProcessing.TypeVector
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "BY_DISTRICT",
                "按县级行政区 By county-level unit",
                QgsProcessing.TypeVector,
                optional=True,
                createByDefault=False,
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "SUMMARY",
                "可打印摘要 Printable summary",
                "HTML (*.html);;Markdown (*.md)",
                optional=True,
                createByDefault=False,
            )
        )

    def compute(
        self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        """Load the redlines once, check each region, write the tables and the summary."""
        import pandas as pd

        import suzhou_geo as sg

        red_in = read_input(self, parameters, "REDLINES", context, Progress(feedback, 0, 20))
        minus = read_input(self, parameters, "MINUS", context, Progress(feedback, 20, 35))
        invalid = INVALID[self.parameterAsEnum(parameters, "REDLINES_INVALID", context)]
        red = (
            sg.load_redlines(red_in.source, invalid=invalid)
            if red_in is not None
            else sg.load_redlines()
        )
        kind = KINDS[self.parameterAsEnum(parameters, "KIND", context)]
        regions = [
            list(_floors())[i] for i in self.parameterAsEnums(parameters, "REGIONS", context)
        ]
        if not regions:
            raise QgsProcessingException("REGIONS: 请至少选择一个地区 / choose at least one region")
        # check_floor names its minus= input "minus" itself and refuses a Source that names it too
        cut = replace(minus.source, name=None) if minus is not None else None
        step = Progress(feedback, 40, 95)
        checks = []
        for i, region in enumerate(regions):
            checks.append(sg.check_floor(region, redlines=red, minus=cut, kind=kind))
            step.fraction((i + 1) / len(regions))
        for c in checks:
            feedback.pushInfo(
                f"{c.region}: {c.area_km2:,.4f} km² / ≥ {c.floor_km2:,.4f} km² → {c.result}"
            )
            for w in c.warnings:  # told once, also when the library has logged it already
                log.warning(w)
        if any(c.illustrative for c in checks):
            feedback.pushWarning(checks[0].data_text)
        results: dict[str, Any] = {
            "OUTPUT": table_to_sink(
                pd.concat([c.to_frame() for c in checks], ignore_index=True),
                self,
                parameters,
                "OUTPUT",
                context,
            )
        }
        units = [
            c.by_district.assign(region=c.region)[["region", *c.by_district.columns]]
            for c in checks
        ]
        by = table_to_sink(
            pd.concat(units, ignore_index=True), self, parameters, "BY_DISTRICT", context
        )
        if by is not None:
            results["BY_DISTRICT"] = by
        path = self.parameterAsFileOutput(parameters, "SUMMARY", context)
        if path:
            data = [
                (
                    "红线 redlines",
                    red_in,
                    "内置示意红线（非官方）bundled ILLUSTRATIVE redlines (not official)",
                ),
                ("拟建地块 proposed parcels", minus, "无 none"),
            ]
            results["SUMMARY"] = write_page(floors_summary(checks, data), path)
        feedback.setProgress(100)
        return results
