"""验证地块 Validate parcels: :func:`suzhou_geo.validate_parcels` on QGIS layers."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorDestination,
)

from ..exchange import output_path, read_input, write_frame
from ..feedback import Progress
from ..style import style_on_load
from ..summaries import validation_summary, write_page
from .base import ILLUSTRATIVE_HELP, SuzhouGeoAlgorithm

__all__ = ["ValidateParcels", "RULE_LABELS", "VERDICTS", "rule_parameters", "rules_from"]

#: Short bilingual labels of the rules (their meaning and source are the parameter's tooltip).
RULE_LABELS = {
    "overlap_min_m2": "重叠面积容差 Overlap tolerance (m²)",
    "overlap_min_ratio": "重叠比例容差 Overlap tolerance (share of the parcel, 0–1)",
    "review_distance_m": "红线周边复核距离 Review distance around redlines (m)",
    "nearest_search_m": "最近红线搜索范围 Nearest-redline search distance (m)",
    "scheme_near_m": "规划格局要素列出距离 Scheme elements listed within (m)",
    "outside_verdict": "苏州市域外地块的判定 Verdict of parcels outside 苏州市",
    "max_vertices": "参照图层切分顶点上限 Vertex limit of reference-layer pieces",
    "declared_area_min_m2": "申报面积容差 Declared-area tolerance (m²)",
    "declared_area_min_ratio": "申报面积比例容差 Declared-area tolerance (share of planar area, 0–1)",
}

#: The verdicts counted as outputs, with their Chinese names.
VERDICTS = {
    "conflict": "冲突",
    "review": "复核",
    "notice": "告知",
    "pass": "通过",
    "invalid": "无效",
}

#: The reference layers: parameter, keyword of validate_parcels, label, what empty means.
REFERENCES = (
    (
        "REDLINES",
        "redlines",
        "红线 Redlines",
        "内置示意红线（非官方）bundled ILLUSTRATIVE redlines (not official)",
    ),
    (
        "JOINT_ZONES",
        "joint_zones",
        "联防联治区 Joint-control zones",
        "内置 500 m 嘉定–昆山–太仓联防联治区 bundled 500 m 嘉定–昆山–太仓 band",
    ),
    ("SCHEMES", "schemes", "规划格局要素 Scheme elements", "内置规划格局 bundled schemes"),
)

_OUTSIDE = ("conflict", "review", "notice", "pass")


def rule_parameters(advanced: tuple[str, ...] = ("nearest_search_m", "max_vertices")) -> list[Any]:
    """Return one parameter per rule of :data:`suzhou_geo.RULES`, its meaning and source as help.

    Parameters
    ----------
    advanced : tuple of str
        The rules shown under “Advanced parameters”.
    """
    import suzhou_geo as sg

    doc = sg.RULES.to_frame().set_index("rule")
    params = []
    for f in fields(sg.RULES):
        meaning = doc.loc[f.name, "meaning"]
        param = _rule_parameter(f.name, getattr(sg.RULES, f.name), meaning)
        param.setHelp(f"{meaning}\n{doc.loc[f.name, 'source']}")
        if f.name in advanced:
            param.setFlags(param.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        params.append(param)
    return params


def _rule_parameter(rule: str, default: Any, meaning: str) -> QgsProcessingParameterDefinition:
    # a rule the plugin does not know is labelled with its meaning, bilingual
    label = RULE_LABELS.get(rule, meaning)
    key = rule.upper()
    if rule == "outside_verdict":
        return QgsProcessingParameterEnum(
            key, label, list(_OUTSIDE), defaultValue=_OUTSIDE.index(default)
        )
    if isinstance(default, int) and not isinstance(default, bool):
        return QgsProcessingParameterNumber(
            key, label, QgsProcessingParameterNumber.Integer, defaultValue=default, minValue=5
        )
    maximum = 1.0 if rule.endswith("_ratio") else 1e7
    return QgsProcessingParameterNumber(
        key,
        label,
        QgsProcessingParameterNumber.Double,
        defaultValue=float(default),
        minValue=0.0,
        maxValue=maximum,
    )


def rules_from(
    alg: QgsProcessingAlgorithm, parameters: dict, context: QgsProcessingContext
) -> dict[str, Any]:
    """Return the rules the parameters of :func:`rule_parameters` give, as the library takes them."""
    import suzhou_geo as sg

    rules: dict[str, Any] = {}
    for f in fields(sg.RULES):
        key = f.name.upper()
        if f.name == "outside_verdict":
            rules[f.name] = _OUTSIDE[alg.parameterAsEnum(parameters, key, context)]
        elif isinstance(getattr(sg.RULES, f.name), int):
            rules[f.name] = alg.parameterAsInt(parameters, key, context)
        else:
            rules[f.name] = alg.parameterAsDouble(parameters, key, context)
    return rules


class ValidateParcels(SuzhouGeoAlgorithm):
    """Check parcels against redlines, joint-control zones and schemes; one verdict per parcel."""

    NAME = "validate_parcels"
    TITLE = ("验证地块", "Validate parcels")
    GROUP = "checks"
    REQUIRES = ("validate_parcels", "write_layer", "summarize", "RULES")

    def help_paragraphs(self) -> list[tuple[str, str]]:
        """Say what it does, the inputs, the rules, the outputs."""
        return [
            (
                "逐一判定拟开发地块：与生态保护红线、生态空间管控区域、500 m "
                "联防联治区及规划格局的关系，每个地块一行，判定为 冲突、复核、告知、通过 或 "
                "无效，并列出理由（中文/英文）、重叠面积与距离。",
                "Checks each development parcel against the ecological protection redlines, the "
                "ecological space control areas, the 500 m joint-control zone and the plans' "
                "schemes: one row per parcel with its verdict (conflict, review, notice, pass "
                "or invalid), the reasons in Chinese and English, overlap areas and distances.",
            ),
            (
                "地块图层的每个要素、顺序与字段都保留；几何无法使用的地块判为“无效”并说明原因，"
                "自相交的面会修复并注明。图层的坐标参照系原样传给本库（不猜测）；"
                "勾选“仅选中要素”时只检查选中的地块。",
                "Every feature of the parcel layer is kept, in order, with all its fields; "
                "parcels whose geometry cannot be used get “invalid” with the reason, "
                "self-intersecting polygons are repaired and say so. The layer's CRS is passed "
                "to the library as it is (never guessed); with “Selected features only” only "
                "the selected parcels are checked.",
            ),
            ILLUSTRATIVE_HELP,
            (
                "联防联治区留空时为 2018 年嘉定、昆山、太仓污染防治联防联控协议划定的三地边界两侧"
                "各 500 m；规划格局留空时为本库内置的苏州、昆山规划格局要素（多为示意，"
                "见各要素的 basis 与 accuracy_m）。",
                "Left empty, the joint-control zone is the 500 m band on both sides of the "
                "borders of 嘉定, 昆山 and 太仓 set by their 2018 pollution joint prevention "
                "and control agreement, and the schemes are the library's bundled scheme "
                "elements of Suzhou and Kunshan (often schematic: see each element's basis and "
                "accuracy_m).",
            ),
            (
                "各项容差与距离为本库默认值，并非法规：红线内不允许任何开发（《生态保护红线管理办"
                "法（暂行）》征求意见稿 第五条），《关于全面推进美丽苏州建设的实施意见》与《全面"
                "推进美丽昆山建设工作方案》均未规定红线周边距离。",
                "The tolerances and distances are the library's defaults, not regulations: no "
                "development at all is allowed in a redline (《生态保护红线管理办法（暂行）》 "
                "draft for comments, article 5), and neither "
                "《关于全面推进美丽苏州建设的实施意见》 nor 《全面推进美丽昆山建设工作方案》 "
                "gives a distance around redlines.",
            ),
            (
                "结果：验证报告图层（按判定着色，字段带中英文别名）；可选 Excel 工作簿（含汇总、"
                "规则、说明与列说明）与可打印摘要（.html 或 .md）；以及各判定的地块数。",
                "Results: the report layer (coloured by verdict, bilingual field aliases); "
                "optionally the Excel workbook (with summary, rules, notes and column sheets) "
                "and a printable summary (.html or .md); and the number of parcels per verdict.",
            ),
        ]

    def initAlgorithm(self, config: dict | None = None) -> None:
        """Parcels, reference layers, rules, outputs."""
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "PARCELS", "地块 Parcels", [QgsProcessing.TypeVectorPolygon]
            )
        )
        for name, _, label, empty in REFERENCES:
            kinds = [
                QgsProcessing.TypeVectorAnyGeometry
                if name == "SCHEMES"
                else QgsProcessing.TypeVectorPolygon
            ]  # scheme elements are also lines and points
            self.addParameter(
                QgsProcessingParameterFeatureSource(
                    name, f"{label}（留空：{empty}）", kinds, optional=True
                )
            )
        for param in rule_parameters():
            self.addParameter(param)
        self.addParameter(
            QgsProcessingParameterVectorDestination(
                "OUTPUT", "验证报告 Parcel report", QgsProcessing.TypeVectorPolygon
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "EXCEL",
                "Excel 工作簿 Excel workbook",
                "Excel (*.xlsx)",
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
        for verdict, zh in VERDICTS.items():
            self.addOutput(QgsProcessingOutputNumber(verdict.upper(), f"{zh} {verdict}"))

    def compute(
        self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        """Read the layers, validate, write the report and the optional workbook and summary."""
        import suzhou_geo as sg

        target = output_path(
            self, parameters, "OUTPUT", context
        )  # refused before the work, not after
        parcels = read_input(self, parameters, "PARCELS", context, Progress(feedback, 0, 15))
        refs = {
            kw: read_input(self, parameters, name, context, Progress(feedback, 15, 20))
            for name, kw, _, _ in REFERENCES
        }
        inputs = parcels.files + [f for inp in refs.values() if inp is not None for f in inp.files]
        sg.io.check_output(target, overwrite=True, inputs=inputs)
        report = sg.validate_parcels(
            parcels.source,
            rules=rules_from(self, parameters, context),
            progress=Progress(feedback, 20, 85),
            **{kw: (inp.source if inp is not None else None) for kw, inp in refs.items()},
        )
        results = self._write(
            report, target, parameters, context, inputs, [parcels, *refs.values()]
        )
        counts = report["verdict"].value_counts()
        results.update({v.upper(): int(counts.get(v, 0)) for v in VERDICTS})
        feedback.pushInfo(" · ".join(f"{VERDICTS[v]} {v}: {results[v.upper()]}" for v in VERDICTS))
        if report.attrs.get("illustrative"):
            feedback.pushWarning(sg.summarize(report).note)
        feedback.setProgress(100)
        return results

    def _write(
        self,
        report: Any,
        target: str,
        parameters: dict,
        context: QgsProcessingContext,
        inputs: list[str],
        data: list[Any],
    ) -> dict[str, Any]:
        out = write_frame(report, target, inputs)
        name = "验证报告 Parcel report"
        if report.attrs.get("illustrative"):
            name += "（示意红线 ILLUSTRATIVE redlines）"
        style_on_load(context, out, "report", name)
        results: dict[str, Any] = {"OUTPUT": out}
        excel = self.parameterAsFileOutput(parameters, "EXCEL", context)
        if excel:
            results["EXCEL"] = write_frame(report, excel, inputs)
        summary = self.parameterAsFileOutput(parameters, "SUMMARY", context)
        if summary:
            rows = [("地块 parcels", data[0], "")] + [
                (label, inp, empty)
                for (_, _, label, empty), inp in zip(REFERENCES, data[1:], strict=True)
            ]
            results["SUMMARY"] = write_page(validation_summary(report, rows), summary)
        return results
