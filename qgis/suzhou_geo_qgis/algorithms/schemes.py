"""规划格局 Scheme layers: :func:`suzhou_geo.scheme` / :func:`suzhou_geo.layers` as QGIS layers.

A QGIS layer holds one geometry type and a scheme mixes areas, lines and points,
so its elements come back as up to three layers; a scheme without lines (or
points) writes no line (or point) layer.
"""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterEnum,
    QgsProcessingParameterVectorDestination,
)

from ..exchange import output_path, write_frame
from ..style import style_on_load
from .base import SuzhouGeoAlgorithm

__all__ = ["SchemeLayers", "FAMILIES"]

_ALL = "全部格局 all schemes"

#: Output -> (shapely geometry types, Chinese, English, Processing layer type).
FAMILIES = {
    "AREAS": (("Polygon", "MultiPolygon"), "面", "areas", QgsProcessing.TypeVectorPolygon),
    "LINES": (("LineString", "MultiLineString"), "线", "lines", QgsProcessing.TypeVectorLine),
    "POINTS": (("Point", "MultiPoint"), "点", "points", QgsProcessing.TypeVectorPoint),
}


def _schemes() -> Any:
    import suzhou_geo as sg

    return sg.schemes()


class SchemeLayers(SuzhouGeoAlgorithm):
    """The elements of a named scheme (or of all of them), with their provenance, as layers."""

    NAME = "scheme_layers"
    TITLE = ("规划格局", "Scheme layers")
    GROUP = "layers"
    REQUIRES = ("scheme", "schemes", "layers")

    def help_paragraphs(self) -> list[tuple[str, str]]:
        """Say what the layers hold, each scheme with its source, how accurate they are."""
        cites = [
            (f"{r.name_zh}（{r.jurisdiction}）：{r.source}", r.name_en)
            for r in _schemes().itertuples()
        ]
        return [
            (
                "苏州市与昆山市规划中的空间格局要素（中心、轴、核、廊、湖、河、带、区……）"
                "作为图层，每个要素带来源与精度：basis（几何来自何处）、accuracy_m（精度，米）、"
                "role_inferred / geometry_inferred（作用或形状是否为本库解读）。",
                "The spatial schemes of the Suzhou and Kunshan plans (centres, axes, cores, "
                "corridors, lakes, rivers, belts, zones …) as layers, each element with its "
                "provenance: basis (where its geometry comes from), accuracy_m, and "
                "role_inferred / geometry_inferred (whether its role or shape is the library's "
                "reading).",
            ),
            *cites,
            (
                "有实际几何的要素（行政边界、湖泊、河流及其缓冲区）采用实际几何；轴线、"
                "副中心范围等为示意，精度可达数千米。一个格局的面、线、点要素分别输出为三个图层；"
                "没有线（或点）要素的格局不输出该图层。",
                "Elements with real geometry (boundaries, lakes, rivers and buffers of them) "
                "use it; axes, sub-centre extents and the like are schematic, accurate to "
                "kilometres. A scheme's areas, lines and points come back as three layers; a "
                "scheme without lines (or points) writes no such layer.",
            ),
        ]

    def initAlgorithm(self, config: dict | None = None) -> None:
        """Declare the scheme to show, and one output per geometry family."""
        options = [_ALL] + [f"{r.name_zh} {r.name_en}" for r in _schemes().itertuples()]
        self.addParameter(
            QgsProcessingParameterEnum("SCHEME", "格局 Scheme", options, defaultValue=0)
        )
        for key, (_, zh, en, kind) in FAMILIES.items():
            self.addParameter(
                QgsProcessingParameterVectorDestination(
                    key,
                    f"格局要素（{zh}）Scheme elements ({en})",
                    kind,
                    optional=True,
                    createByDefault=True,
                )
            )

    def compute(
        self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        """Take the elements from the library and write each geometry family present."""
        import suzhou_geo as sg

        index = self.parameterAsEnum(parameters, "SCHEME", context)
        if index == 0:
            elements, title = sg.layers(), _ALL
        else:
            row = _schemes().iloc[index - 1]
            scheme = sg.scheme(row["key"])
            elements, title = scheme.elements, scheme.name_zh
            for item in scheme.not_drawn:
                feedback.pushWarning(f"未绘制 not drawn: {item}")
        types = elements.geom_type
        results: dict[str, Any] = {}
        for key, (kinds, zh, en, _) in FAMILIES.items():
            part = elements[types.isin(kinds)].reset_index(drop=True)
            if part.empty or parameters.get(key) in (None, ""):
                feedback.pushInfo(f"{title}：无{zh}要素或未要求输出 / no {en} or not asked for")
                continue
            out = write_frame(part, output_path(self, parameters, key, context), [])
            style_on_load(context, out, "scheme", f"{title}（{zh} {en}）")
            results[key] = out
            feedback.pushInfo(f"{title}：{len(part)} 个{zh}要素 {en}")
        feedback.setProgress(100)
        return results
