"""红线调整比较 Redline comparison: :func:`suzhou_geo.compare_redlines` on QGIS layers.

Two versions of a redline layer give the patches removed (调出) and added (补划)
as a layer, the ledger per county-level unit and for the city and the floors
before and after as tables; with an earlier parcel report, the parcels whose
verdict the new version changes (:func:`suzhou_geo.revalidate`); optionally the
library's deliverables (:func:`suzhou_geo.write_comparison`) in a folder.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorDestination,
)

from ..exchange import optional_output_path, output_path, read_input, table_to_sink, write_frame
from ..feedback import Progress
from ..style import style_on_load
from .base import (
    ILLUSTRATIVE_RESULTS_HELP,
    INVALID,
    KIND_LABELS,
    KINDS,
    SuzhouGeoAlgorithm,
    checked_folder,
    deliverables_parameters,
    invalid_parameter,
)
from .occupancy import library_default
from .validate import rule_parameters, rules_from

__all__ = ["CompareRedlines", "LAYERS", "TOLERANCES"]

#: The input layers: parameter, keyword of sg.compare_redlines, label.
LAYERS = (
    (
        "OLD",
        "old",
        "原版本红线 Old redlines（留空：内置示意红线，非官方 empty: the bundled ILLUSTRATIVE redlines）",
    ),
    ("NEW", "new", "新版本红线 New redlines"),
    ("FARMLAND", "farmland", "永久基本农田 Permanent basic farmland（可选 optional）"),
    (
        "URBAN_BOUNDARY",
        "urban_boundary",
        "城镇开发边界 Urban development boundary（可选 optional）",
    ),
    (
        "REPORT",
        "report",
        "原验证报告（列出判定改变的地块）Earlier parcel report (lists the parcels whose verdict changes)",
    ),
)

#: Tolerance parameters: parameter, keyword of sg.compare_redlines, label.
TOLERANCES = (
    ("TOLERANCE_M2", "tolerance_m2", "边界误差面积容差 Boundary-noise area tolerance (m²)"),
    (
        "TOLERANCE_WIDTH_M",
        "tolerance_width_m",
        "边界误差宽度容差 Boundary-noise width tolerance (m)",
    ),
)

_REQUIRED = ("NEW",)


def _floor_cites() -> list[tuple[str, str]]:
    import suzhou_geo as sg

    return [
        (
            f"{f.region} ≥ {f.floor_km2:g} km²（{f.year}）：{f.source} {f.clause}",
            f"{f.region} ≥ {f.floor_km2:g} km² by {f.year}: {f.source}, {f.clause}",
        )
        for f in sg.FLOORS.values()
    ]


class CompareRedlines(SuzhouGeoAlgorithm):
    """Compare two redline versions: 调出 and 补划 patches, the ledger per unit, floors before and after."""

    NAME = "compare_redlines"
    TITLE = ("红线调整比较", "Redline comparison")
    GROUP = "redline_use"
    REQUIRES = ("compare_redlines", "revalidate", "write_comparison", "io.write_layer", "RULES")

    def help_paragraphs(self) -> list[tuple[str, str]]:
        """Say what is compared, how noise is told apart, what is checked, what is not decided."""
        return [
            (
                "比较红线的两个版本：两版各自融合（重叠只计一次），保留 = 原 ∩ 新，调出 = 原 − 新，"
                "补划 = 新 − 原，按连通部分分为图斑，跨县级行政区的图斑按县拆分；每个图斑给出面积"
                "（m²、公顷、亩，CGCS2000/GRS80 椭球面积）、所属要素、与保留红线的共边长度、距离与"
                "紧凑度（集中连片），以及所在的规划格局要素。",
                "Compares two versions of a redline layer: each dissolved (overlaps count once); "
                "kept = old ∩ new, removed (调出) = old − new, added (补划) = new − old, cut into "
                "connected patches and split at county lines; each patch with its area (m², 公顷, "
                "亩; ellipsoidal, CGCS2000/GRS80), the features it belongs to, the boundary it "
                "shares with the kept redline, its distance to it and compactness (集中连片), and "
                "the scheme elements it lies in.",
            ),
            (
                "小于面积容差或窄于宽度容差的碎片是重新数字化造成的边界误差，不视为调整，"
                "但在台账中单独成列，各单位：原面积 − 调出 + 补划 − 误差（调出侧）+ 误差（补划侧）"
                "= 新面积。容差为本库默认值，并非法规。补划图斑与永久基本农田或城镇开发边界"
                "有任何重叠时均标为冲突。",
                "Slivers under the area tolerance or narrower than the width tolerance are boundary "
                "noise from re-digitising, not adjustments, and have columns of their own in the "
                "ledger: per unit, old − out + in − noise out + noise in = new. The tolerances are "
                "the library's defaults, not regulations. A 补划 patch overlapping permanent basic "
                "farmland or the urban development boundary at all is flagged as a conflict.",
            ),
            *_floor_cites(),
            (
                "给出原验证报告（“验证地块”的结果图层）时，列出新版本红线使判定改变的地块：原报告的"
                "地块几何按新红线重新量算，其余（联防联治区、规划格局、修复）沿用原报告，与重新运行"
                "“验证地块”的判定相同。原报告须为 GeoPackage（或 GeoParquet、CSV）报告：Shapefile 报告的"
                "字段名已截短、长文本被截断，不能使用。原报告若用了非默认的规则，请在高级参数中填入相同的规则。",
                "Given an earlier parcel report (the layer Validate parcels wrote), the parcels "
                "whose verdict the new version changes are listed: the report's parcel geometry is "
                "measured again against the new redlines, the rest (joint-control zone, schemes, "
                "repairs) kept from the report — the verdicts a new run of Validate parcels gives. "
                "The report must be a GeoPackage (or GeoParquet, CSV) report: a Shapefile report's "
                "field names are shortened and its long texts cut, so it cannot be used. If the "
                "report was made with other rules than the defaults, enter the same rules under the "
                "advanced parameters.",
            ),
            (
                "本算法只计算面积与位置，不判断调整是否符合规定、能否批准；以主管部门的审查意见为准。",
                "This algorithm computes areas and positions: whether an adjustment meets the rules "
                "or may be approved is not decided here; the competent authority decides.",
            ),
            ILLUSTRATIVE_RESULTS_HELP,
            (
                "结果：调出与补划图斑图层（调出红色虚线、补划绿色，标注图斑编号，字段带中英文别名）；"
                "按县级行政区与全市的台账表；可选：调整前后的面积底线表、边界误差图层、判定改变的地块"
                "图层，以及成果文件夹（Excel 工作簿、GeoPackage、Markdown、交互地图与可打印摘要，"
                "与命令行 suzhou-geo compare 写出的相同）。",
                "Results: the removed and added patches as a layer (调出 red and dashed, 补划 green, "
                "labelled with their numbers, bilingual field aliases); the ledger per county-level "
                "unit and for the city as a table; optionally the floors before and after as a "
                "table, the boundary noise and the parcels whose verdict changes as layers, and a "
                "folder of deliverables: the Excel workbook, a GeoPackage, Markdown, an interactive "
                "map and a printable summary, as suzhou-geo compare writes them.",
            ),
        ]

    def initAlgorithm(self, config: dict | None = None) -> None:
        """Declare the layers, what is compared, the tolerances, the rules and the results."""
        import suzhou_geo as sg

        for name, _, label in LAYERS:
            self.addParameter(
                QgsProcessingParameterFeatureSource(
                    name, label, [QgsProcessing.TypeVectorPolygon], optional=name not in _REQUIRED
                )
            )
        self.addParameter(
            QgsProcessingParameterEnum(
                "KIND", "比较的类型 What is compared", list(KIND_LABELS), defaultValue=0
            )
        )
        for name, keyword, label in TOLERANCES:
            param = QgsProcessingParameterNumber(
                name,
                label,
                QgsProcessingParameterNumber.Double,
                defaultValue=float(library_default(sg.compare_redlines, keyword)),
                minValue=0.0,
            )
            param.setHelp("本库默认值，并非法规 / the library's default, not a regulation")
            self.addParameter(param)
        self.addParameter(
            invalid_parameter(
                description="面积因修复而改变的红线要素（两个版本）Redline features whose repair "
                "changes their area (both versions)"
            )
        )
        every_rule = tuple(f.name for f in fields(sg.RULES))
        for param in rule_parameters(advanced=every_rule):
            param.setDescription(f"原报告的规则 Earlier report's rule: {param.description()}")
            self.addParameter(param)
        self._outputs()

    def _outputs(self) -> None:
        self.addParameter(
            QgsProcessingParameterVectorDestination(
                "OUTPUT",
                "调出与补划图斑 Removed and added patches",
                QgsProcessing.TypeVectorPolygon,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "LEDGER", "台账（县级行政区与全市）Ledger by unit", QgsProcessing.TypeVector
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "FLOORS",
                "面积底线（调整前后）Floors before and after",
                QgsProcessing.TypeVector,
                optional=True,
                createByDefault=True,
            )
        )
        for name, label, default in (
            ("NOISE", "边界误差 Boundary noise", False),
            ("FLIPS", "判定改变的地块 Parcels whose verdict changes", True),
        ):
            self.addParameter(
                QgsProcessingParameterVectorDestination(
                    name,
                    label,
                    QgsProcessing.TypeVectorPolygon,
                    optional=True,
                    createByDefault=default,
                )
            )
        for param in deliverables_parameters():
            self.addParameter(param)
        for name, label in (
            ("REMOVED", "调出图斑数 Removed patches"),
            ("ADDED", "补划图斑数 Added patches"),
            ("CONFLICTS", "冲突的补划图斑数 Added patches in conflict"),
            ("VERDICT_CHANGES", "判定改变的地块数 Parcels whose verdict changes"),
        ):
            self.addOutput(QgsProcessingOutputNumber(name, label))

    def compute(
        self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        """Read the layers, compare once, list the flips, write the layers, tables and folder."""
        import suzhou_geo as sg

        targets = {
            "OUTPUT": output_path(self, parameters, "OUTPUT", context),
            "NOISE": optional_output_path(self, parameters, "NOISE", context),
            "FLIPS": None,  # asked for only with a report (a layer never written is not loaded)
        }
        if parameters.get("REPORT") not in (None, ""):
            targets["FLIPS"] = optional_output_path(self, parameters, "FLIPS", context)
        elif parameters.get("FLIPS") not in (None, ""):
            feedback.pushInfo(
                "未给出原验证报告，不列出判定改变的地块 / no earlier parcel report given: the parcels "
                "whose verdict changes are not listed"
            )
        layers = {
            keyword: read_input(
                self, parameters, name, context, Progress(feedback, i * 5, i * 5 + 5)
            )
            for i, (name, keyword, _) in enumerate(LAYERS)
        }
        inputs = [f for inp in layers.values() if inp is not None for f in inp.files]
        for path in targets.values():
            if path is not None:
                sg.io.check_output(path, overwrite=True, inputs=inputs)
        from suzhou_geo.report import check_comparison_folder

        parameters = checked_folder(self, parameters, context, check_comparison_folder, inputs)  # before the work
        sources = self._sources(layers, parameters, context)
        cmp = sg.compare_redlines(
            sources["old"],
            sources["new"],
            farmland=sources["farmland"],
            urban_boundary=sources["urban_boundary"],
            kind=KINDS[self.parameterAsEnum(parameters, "KIND", context)],
            **{kw: self.parameterAsDouble(parameters, name, context) for name, kw, _ in TOLERANCES},
        )
        Progress(feedback, 25, 65).fraction(1.0)
        flips = None
        if sources["report"] is not None:
            rules = rules_from(self, parameters, context)
            flips = sg.revalidate(sources["report"], sources["new"], rules=rules)
        Progress(feedback, 65, 80).fraction(1.0)
        self._tell(cmp, flips, feedback)
        results = self._write(cmp, flips, targets, parameters, context, inputs)
        results.update(_counts(cmp, flips))
        feedback.setProgress(100)
        return results

    def _sources(
        self, layers: dict[str, Any], parameters: dict, context: QgsProcessingContext
    ) -> dict[str, Any]:
        """Return what the library reads for each layer: the redline versions with the invalid choice."""
        invalid = INVALID[self.parameterAsEnum(parameters, "REDLINES_INVALID", context)]
        sources = {kw: (inp.source if inp is not None else None) for kw, inp in layers.items()}
        for kw in ("old", "new"):
            if sources[kw] is not None:
                sources[kw] = replace(sources[kw], invalid=invalid)
        return sources

    @staticmethod
    def _tell(cmp: Any, flips: Any, feedback: QgsProcessingFeedback) -> None:
        """Say the city's ledger, the floors, the patches and the flips in the log."""
        c = cmp.city
        feedback.pushInfo(
            f"{c['unit']}: {c['old_km2']:,.6f} − 调出 out {c['out_km2']:,.6f} + 补划 in "
            f"{c['in_km2']:,.6f} − 误差 noise {c['noise_out_km2']:,.6f} + {c['noise_in_km2']:,.6f} "
            f"= {c['new_km2']:,.6f} km²（面积不减少 not decreased: {'是 yes' if c['not_decreased'] else '否 no'}）"
        )
        for f in cmp.floors.itertuples():
            feedback.pushInfo(
                f"{f.region} ≥ {f.floor_km2:,.4f} km²: {f.before_km2:,.4f} → {f.after_km2:,.4f} km²"
                f"（{'达到 met' if f.ok_before else '未达到 not met'} → "
                f"{'达到 met' if f.ok_after else '未达到 not met'}）"
            )
        if flips is not None:
            moves = "; ".join(
                f"{t.old} → {t.new}: {t.parcels}" for t in flips.transitions.itertuples()
            )
            feedback.pushInfo(
                f"判定改变 verdicts changed: {len(flips.changes)} / {len(flips.report)}"
                + (f"（{moves}）" if moves else "")
            )
        for warning in cmp.warnings:
            feedback.pushWarning(warning)
        for note in [*cmp.notes, *(flips.notes if flips is not None else [])]:
            if note not in cmp.warnings:
                feedback.pushInfo(note)

    def _write(
        self,
        cmp: Any,
        flips: Any,
        targets: dict[str, str | None],
        parameters: dict,
        context: QgsProcessingContext,
        inputs: list[str],
    ) -> dict[str, Any]:
        import pandas as pd

        import suzhou_geo as sg
        from suzhou_geo.redline_use.schema import FLIP_COLUMNS, PATCH_COLUMNS

        note = "（示意红线 ILLUSTRATIVE redlines）" if cmp.illustrative else ""
        out = write_frame(cmp.patches, targets["OUTPUT"], inputs, PATCH_COLUMNS, "redline_patches")
        style_on_load(context, out, "patches", f"调出与补划图斑 Removed and added patches{note}")
        results: dict[str, Any] = {"OUTPUT": out}
        tables = (
            ("LEDGER", cmp.by_unit, "ledger", "台账 Ledger by unit"),
            ("FLOORS", cmp.floors, "floors_before_after", "面积底线 Floors before and after"),
        )
        for name, frame, kind, label in tables:
            dest = table_to_sink(pd.DataFrame(frame), self, parameters, name, context)
            if dest is not None:
                results[name] = dest
                style_on_load(context, dest, kind, f"{label}{note}")
        if targets["NOISE"] is not None:
            results["NOISE"] = write_frame(
                cmp.noise, targets["NOISE"], inputs, PATCH_COLUMNS, "redline_noise"
            )
            style_on_load(context, results["NOISE"], "patches", "边界误差 Boundary noise")
        if targets["FLIPS"] is not None and flips is not None:
            results["FLIPS"] = write_frame(
                flips.changes, targets["FLIPS"], inputs, FLIP_COLUMNS, "verdict_changes"
            )
            name = "判定改变的地块 Parcels whose verdict changes"
            if flips.illustrative:
                name += "（示意红线 ILLUSTRATIVE redlines）"
            style_on_load(context, results["FLIPS"], "flips", name)
        folder = self.parameterAsFileOutput(parameters, "FOLDER", context)
        if folder:
            offline = self.parameterAsBoolean(parameters, "OFFLINE", context)
            sg.write_comparison(
                cmp, folder, revalidation=flips, offline=offline, inputs=tuple(inputs)
            )
            results["FOLDER"] = folder
        return results


def _counts(cmp: Any, flips: Any) -> dict[str, int]:
    """Return the numbers of patches removed, added and in conflict, and of verdicts changed."""
    patches = cmp.patches.drop_duplicates("patch_id")
    counts = {
        "REMOVED": int((patches["change"] == "removed").sum()),
        "ADDED": int((patches["change"] == "added").sum()),
        "CONFLICTS": int(cmp.patches.loc[cmp.patches["conflicts"] != "", "patch_id"].nunique()),
    }
    if flips is not None:
        counts["VERDICT_CHANGES"] = len(flips.changes)
    return counts
