"""占用生态保护红线 Occupancy: :func:`suzhou_geo.occupancy` on QGIS layers.

What projects occupy of each redline feature, by kind, tier and county, as the
library computes it: the occupied parts as a layer, the occupancy table (parts
and each project's totals) as a table, optionally the projects as a layer and the
library's deliverables (:func:`suzhou_geo.write_occupancy`) in a folder.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import replace
from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorDestination,
)

from ..exchange import optional_output_path, output_path, read_input, table_to_sink, write_frame
from ..feedback import Progress
from ..style import style_on_load
from .base import (
    ILLUSTRATIVE_RESULTS_HELP,
    INVALID,
    SuzhouGeoAlgorithm,
    checked_folder,
    deliverables_parameters,
    invalid_parameter,
)

__all__ = ["Occupancy", "FIELDS", "library_default"]

#: Column parameters: parameter, keyword of sg.occupancy, parent layer, label.
FIELDS = (
    (
        "PROJECT_FIELD",
        "project",
        "PARCELS",
        "项目字段 Project field（留空：每个要素为一个项目 empty: one project per feature）",
    ),
    (
        "ALTERNATIVE_FIELD",
        "alternatives",
        "PARCELS",
        "方案字段 Alternative field（留空：无比选 empty: none）",
    ),
    (
        "ACTIVITY_FIELD",
        "activity",
        "PARCELS",
        "活动类型字段 Activity field（留空：名为 有限人为活动、活动类型 或 activity 的字段 "
        "empty: a field called so）",
    ),
    (
        "TIER_FIELD",
        "tier",
        "REDLINES",
        "管控分区字段（红线图层）Tier field of the redlines（留空：自动识别 empty: detected）",
    ),
)


def library_default(function: Any, keyword: str) -> Any:
    """Return the default of a library function's keyword (so the dialog shows the library's own).

    Examples
    --------
    >>> library_default(lambda a, *, ratio=10.0: None, "ratio")
    10.0
    """
    return inspect.signature(function).parameters[keyword].default


def _notice() -> str:
    from suzhou_geo.redline_use.activities import NOTICE

    return NOTICE


class Occupancy(SuzhouGeoAlgorithm):
    """What projects occupy of the redlines (占用生态保护红线情况), with alternatives side by side."""

    NAME = "occupancy"
    TITLE = ("占用生态保护红线", "Redline occupancy")
    GROUP = "redline_use"
    REQUIRES = ("occupancy", "write_occupancy", "io.write_layer")

    def help_paragraphs(self) -> list[tuple[str, str]]:
        """Say what is computed, how projects and alternatives are formed, what is not decided."""
        import suzhou_geo as sg

        ratio = library_default(sg.occupancy, "linear_ratio")
        return [
            (
                "计算每个项目占用生态保护红线与生态空间管控区域的情况：按红线要素、类型、管控分区与"
                "县级行政区分列，面积以 m²、公顷与亩计（1 亩 = 10 000/15 m² ≈ 666.67 m²，"
                "CGCS2000/GRS80 椭球面积），并给出占项目比例、红线内的界址点（地块带“界址点”字段时）"
                "与线性项目的穿越长度。",
                "Computes what each project occupies of the ecological protection redlines and the "
                "ecological space control areas: by redline feature, kind, tier and county-level "
                "unit, in m², hectares (公顷) and 亩 (1 亩 = 10 000/15 m² ≈ 666.67 m²; ellipsoidal "
                "areas, CGCS2000/GRS80), with the share of the project, the named boundary points "
                "(界址点) inside (when the parcels have a 界址点 field) and, for linear projects, "
                "the crossing length.",
            ),
            (
                "“项目字段”把地块归为项目（留空时每个要素为一个项目，以要素编号命名），同一项目的地块"
                "先融合，相互重叠只计一次。“方案字段”把同一项目的各方案并列，按占用生态保护红线面积"
                "由少到多排序（其次比较管控区域、项目面积）；各方案在不同图层时，先用“合并矢量图层”"
                "合并，其 layer 字段即为方案字段。图层的坐标参照系原样传给本库，"
                "勾选“仅选中要素”时只计算选中的地块。",
                "“Project field” groups parcels into projects (empty: each feature is a project, "
                "named by its feature id); a project's parcels are dissolved first, so overlaps "
                "count once. “Alternative field” puts the alternatives (方案) of a project side by "
                "side, ranked by the protection redline they occupy, least first (then space "
                "control area, then project area); alternatives in separate layers: merge them "
                "with “Merge vector layers”, whose field layer is then the alternative field. The "
                "layer's CRS is passed to the library as it is; with “Selected features only” only "
                "the selected parcels count.",
            ),
            (
                "线性项目：项目各部分按面积、周长相同的矩形计，总长度不小于平均宽度的若干倍"
                f"（默认 {ratio:g} 倍，见高级参数）；其穿越长度 = 占用面积 ÷ 平均宽度。",
                "Linear projects: the project's parts, taken as rectangles of their area and "
                "perimeter, are together at least so many times as long as their mean width "
                f"({ratio:g} by default, an advanced parameter); the crossing length is the occupied "
                "area divided by that width.",
            ),
            (
                f"活动类型按关键词对应到{_notice()}所列有限人为活动的条目，仅供参考。本算法只计算面积"
                "与位置，不判断项目是否合法、是否属于允许的有限人为活动，也不替代不可避让论证与省级"
                "认定；以主管部门的审查意见为准。",
                "The activity is matched by its words to the item of the list of limited human "
                f"activities of {_notice()}, for reference only. This algorithm computes areas "
                "and positions: it does not decide whether a project is lawful or an allowed limited "
                "human activity, and does not replace the unavoidability assessment (不可避让论证) "
                "or the provincial finding (省级认定); the competent authority decides.",
            ),
            ILLUSTRATIVE_RESULTS_HELP,
            (
                "结果：被占用部分图层（按红线类型着色，字段带中英文别名）；占用表（每个项目 × 红线要素 × "
                "县级行政区一行，另有每个项目各类型的合计行）；可选的项目图层（融合后的用地范围、合计与"
                "方案排序）；可选的成果文件夹：Excel 工作簿、GeoPackage、Markdown、交互地图与可打印摘要，"
                "与命令行 suzhou-geo occupancy 写出的相同。",
                "Results: the occupied parts as a layer (coloured by redline kind, bilingual field "
                "aliases); the occupancy table (one row per project × redline feature × county-level "
                "unit, and each project's total of each kind); optionally the projects as a layer "
                "(their land dissolved, totals and ranking of alternatives); optionally a folder "
                "of deliverables: the Excel workbook, a GeoPackage, Markdown, an interactive map "
                "and a printable summary, as suzhou-geo occupancy writes them.",
            ),
        ]

    def initAlgorithm(self, config: dict | None = None) -> None:
        """Declare the parcels, redlines, fields, shape rule and the results."""
        import suzhou_geo as sg

        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "PARCELS", "项目用地 Project parcels", [QgsProcessing.TypeVectorPolygon]
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
        for name, _, parent, label in FIELDS:
            self.addParameter(
                QgsProcessingParameterField(
                    name, label, parentLayerParameterName=parent, optional=True
                )
            )
        ratio = QgsProcessingParameterNumber(
            "LINEAR_RATIO",
            "线性项目的长宽比下限 Length-to-width ratio of a linear project",
            QgsProcessingParameterNumber.Double,
            defaultValue=float(library_default(sg.occupancy, "linear_ratio")),
            minValue=1.0,
        )
        ratio.setHelp("本库默认值，并非法规 / the library's default, not a regulation")
        ratio.setFlags(ratio.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(ratio)
        self.addParameter(invalid_parameter())
        self._outputs()

    def _outputs(self) -> None:
        self.addParameter(
            QgsProcessingParameterVectorDestination(
                "OUTPUT", "被占用部分 Occupied parts", QgsProcessing.TypeVectorPolygon
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "TABLE", "占用表 Occupancy table", QgsProcessing.TypeVector
            )
        )
        self.addParameter(
            QgsProcessingParameterVectorDestination(
                "PROJECTS",
                "项目（合计与方案排序）Projects (totals, alternatives ranked)",
                QgsProcessing.TypeVectorPolygon,
                optional=True,
                createByDefault=True,
            )
        )
        for param in deliverables_parameters():
            self.addParameter(param)
        self.addOutput(
            QgsProcessingOutputNumber(
                "OCCUPYING", "占用生态保护红线的项目数 Projects occupying the protection redline"
            )
        )

    def compute(
        self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        """Read the layers, compute the occupancy once, write the layers, table and folder."""
        import suzhou_geo as sg

        target = output_path(self, parameters, "OUTPUT", context)  # refused before the work
        projects_target = optional_output_path(self, parameters, "PROJECTS", context)
        parcels = read_input(self, parameters, "PARCELS", context, Progress(feedback, 0, 20))
        red = read_input(self, parameters, "REDLINES", context, Progress(feedback, 20, 30))
        inputs = parcels.files + (red.files if red is not None else [])
        for path in (target, projects_target):
            if path is not None:
                sg.io.check_output(path, overwrite=True, inputs=inputs)
        from suzhou_geo.report import check_occupancy_folder

        parameters = checked_folder(self, parameters, context, check_occupancy_folder, inputs)  # before the work
        invalid = INVALID[self.parameterAsEnum(parameters, "REDLINES_INVALID", context)]
        occ = sg.occupancy(
            parcels.source,
            replace(red.source, invalid=invalid) if red is not None else None,
            linear_ratio=self.parameterAsDouble(parameters, "LINEAR_RATIO", context),
            **self._fields(parameters, context),
        )
        Progress(feedback, 30, 75).fraction(1.0)
        self._tell(occ, feedback)
        results = self._write(occ, target, projects_target, parameters, context, inputs)
        results["OCCUPYING"] = int((occ.projects["redline_m2"] > 0).sum())
        feedback.setProgress(100)
        return results

    def _fields(self, parameters: dict, context: QgsProcessingContext) -> dict[str, str | None]:
        """Return the column keywords of sg.occupancy: the field chosen, or None."""
        chosen = {}
        for name, keyword, _, _ in FIELDS:
            fields = self.parameterAsFields(parameters, name, context)
            chosen[keyword] = fields[0] if fields else None
        return chosen

    @staticmethod
    def _tell(occ: Any, feedback: QgsProcessingFeedback) -> None:
        """Say each project's totals in the log; the warnings and notes of the result."""
        for p in occ.projects.itertuples():
            name = f"{p.project} {p.alternative}".strip()
            rank = "" if math.isnan(p.rank) else f"（方案排序 rank {int(p.rank)}）"
            feedback.pushInfo(
                f"{name}{rank}: 生态保护红线 redline {p.redline_m2:,.2f} m² = {p.redline_ha:,.4f} "
                f"公顷 ha = {p.redline_mu:,.2f} 亩 mu; 生态空间管控区域 space control "
                f"{p.control_m2:,.2f} m²"
            )
        for warning in occ.warnings:
            feedback.pushWarning(warning)
        for note in occ.notes:
            if note not in occ.warnings:
                feedback.pushInfo(note)

    def _write(
        self,
        occ: Any,
        target: str,
        projects_target: str | None,
        parameters: dict,
        context: QgsProcessingContext,
        inputs: list[str],
    ) -> dict[str, Any]:
        import pandas as pd

        import suzhou_geo as sg
        from suzhou_geo.redline_use.schema import OCCUPANCY_COLUMNS, PROJECT_COLUMNS

        note = "（示意红线 ILLUSTRATIVE redlines）" if occ.illustrative else ""
        parts = occ.parts[occ.parts["row_type"] == "part"].reset_index(drop=True)
        out = write_frame(parts, target, inputs, OCCUPANCY_COLUMNS, "occupancy")
        style_on_load(context, out, "occupied", f"被占用部分 Occupied parts{note}")
        table = pd.DataFrame(occ.parts.drop(columns=occ.parts.geometry.name))
        results: dict[str, Any] = {
            "OUTPUT": out,
            "TABLE": table_to_sink(table, self, parameters, "TABLE", context),
        }
        style_on_load(context, results["TABLE"], "occupancy_table", f"占用表 Occupancy table{note}")
        if projects_target is not None:
            results["PROJECTS"] = write_frame(
                occ.projects, projects_target, inputs, PROJECT_COLUMNS, "projects"
            )
            style_on_load(context, results["PROJECTS"], "projects", f"项目 Projects{note}")
        folder = self.parameterAsFileOutput(parameters, "FOLDER", context)
        if folder:
            offline = self.parameterAsBoolean(parameters, "OFFLINE", context)
            sg.write_occupancy(occ, folder, offline=offline, inputs=tuple(inputs))
            results["FOLDER"] = folder
        return results
