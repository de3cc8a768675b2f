"""联防联治区 Joint-control zone: :func:`suzhou_geo.joint_control_zone` as a layer."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
)

from ..exchange import output_path, write_frame
from ..style import style_on_load
from .base import SuzhouGeoAlgorithm

__all__ = ["JointControlZone"]

_CUSTOM = "自定义成员（见“成员”）custom members (see “Members”)"


def _pacts() -> list[Any]:
    import suzhou_geo as sg

    return list(sg.JOINT_PACTS.values())


class JointControlZone(SuzhouGeoAlgorithm):
    """The band within a pact's distance of the borders its members share, on both sides."""

    NAME = "joint_control_zone"
    TITLE = ("联防联治区", "Joint-control zone")
    GROUP = "layers"
    REQUIRES = ("joint_control_zone", "JOINT_PACTS")

    def help_paragraphs(self) -> list[tuple[str, str]]:
        """Say what the band is, each pact with its source, the options."""
        pacts = [
            (
                f"{p.name_zh}（{p.year}）：{p.source}" + (f" {p.note}" if p.note else ""),
                f"{p.name_en} ({p.year})"
                + (f" — ASSUMED: {', '.join(p.assumed)}" if p.assumed else ""),
            )
            for p in _pacts()
        ]
        return [
            (
                "联防联治区：协议成员两两共有边界两侧、垂直距离在规定范围（默认 500 m）"
                "以内的地带，裁剪到成员辖区。面积为 CGCS2000/GRS80 椭球面积。",
                "The joint-control zone: the band within the pact's distance (500 m by default, "
                "perpendicular) of every border two members share, on both sides, clipped to "
                "the members' territory; areas on the CGCS2000/GRS80 ellipsoid.",
            ),
            *pacts,
            (
                "“成员”可填行政区的中文名、拼音或行政区划代码，以逗号分隔（如 昆山市,青浦区）；"
                "“距离”留空时用协议规定的距离。默认每个边界对、每一侧一行；"
                "各行在三地交界附近相互重叠，面积不可相加——需要总面积时勾选“融合”。",
                "“Members” takes Chinese names, pinyin or adcodes, comma-separated (e.g. "
                "昆山市,青浦区); an empty “Distance” uses the pact's. By default one row per "
                "border pair and side; the rows overlap near triple points, so their areas must "
                "not be summed — tick “Dissolve” for a pact's total.",
            ),
        ]

    def initAlgorithm(self, config: dict | None = None) -> None:
        """Declare the pact, members, distance, dissolve and the output."""
        import suzhou_geo as sg

        keys = list(sg.JOINT_PACTS)
        labels = [f"{p.name_zh}（{p.year}）{p.name_en}" for p in _pacts()] + [_CUSTOM]
        default = keys.index("jiakuntai_2018") if "jiakuntai_2018" in keys else 0
        self.addParameter(
            QgsProcessingParameterEnum("PACT", "协议 Pact", labels, defaultValue=default)
        )
        self.addParameter(
            QgsProcessingParameterString(
                "MEMBERS",
                "成员 Members（逗号分隔；留空：协议成员 comma-separated; empty: the pact's）",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "DISTANCE",
                "距离 Distance (m)（留空：协议规定 empty: the pact's）",
                QgsProcessingParameterNumber.Double,
                optional=True,
                minValue=0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                "DISSOLVE", "融合为每个协议一行 Dissolve to one row per pact", defaultValue=False
            )
        )
        self.addParameter(
            QgsProcessingParameterVectorDestination(
                "OUTPUT", "联防联治区 Joint-control zone", QgsProcessing.TypeVectorPolygon
            )
        )

    def compute(
        self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        """Build the zone with the library and write it."""
        import suzhou_geo as sg

        index = self.parameterAsEnum(parameters, "PACT", context)
        keys = list(sg.JOINT_PACTS)
        pact = keys[index] if index < len(keys) else None
        text = self.parameterAsString(parameters, "MEMBERS", context).replace("，", ",")
        members = [m.strip() for m in text.split(",") if m.strip()] or None
        if pact is None and members is None:
            raise QgsProcessingException(
                "MEMBERS: 选择了自定义成员，但“成员”为空 / custom members chosen, but “Members” "
                "is empty. Fix: 填写至少两个行政区，如 昆山市,青浦区 / name at least two "
                "jurisdictions, e.g. 昆山市,青浦区"
            )
        distance = (
            None
            if parameters.get("DISTANCE") in (None, "")
            else self.parameterAsDouble(parameters, "DISTANCE", context)
        )
        dissolve = self.parameterAsBoolean(parameters, "DISSOLVE", context)
        feedback.setProgress(10)
        zone = sg.joint_control_zone(
            members=members, distance_m=distance, pact=pact, dissolve=dissolve
        )
        feedback.setProgress(80)
        feedback.pushInfo(str(zone.attrs.get("method", "")))
        if zone.attrs.get("note"):
            feedback.pushWarning(str(zone.attrs["note"]))
        out = write_frame(zone, output_path(self, parameters, "OUTPUT", context), [])
        style_on_load(context, out, "joint", "联防联治区 Joint-control zone")
        feedback.setProgress(100)
        return {"OUTPUT": out}
