"""报批材料 Approval files: the library's reader (部标 TXT, DXF, KML/KMZ, 界址点坐标表) and 部标 TXT writer."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
)

from ..exchange import layer_crs, output_path, read_input, write_frame
from ..feedback import Progress
from .base import SuzhouGeoAlgorithm

__all__ = ["ReadApprovalFile", "WriteBubiao", "ENCODINGS"]

#: The CRS a 部标 TXT is written in unless asked otherwise (CGCS2000 3° zone 40, eastings prefixed).
DEFAULT_CRS = "EPSG:4528"

#: The text encodings a 部标 TXT is written in (报盘 systems expect GBK).
ENCODINGS = ("GBK", "GB18030", "UTF-8")

_FILES = (
    "报批文件 Approval files (*.txt *.TXT *.dxf *.DXF *.kml *.kmz *.xlsx *.xls *.csv);;"
    "所有文件 All files (*.*)"
)


class ReadApprovalFile(SuzhouGeoAlgorithm):
    """Read a 部标 TXT, a DXF drawing, a KML/KMZ or a 界址点坐标表 as parcels and named boundary points."""

    NAME = "read_approval_file"
    TITLE = ("读取报批坐标文件", "Read approval files")
    GROUP = "approval"
    REQUIRES = ("io.read", "io.boundary_points")

    def help_paragraphs(self) -> list[tuple[str, str]]:
        """Say what it reads, how it decides, and what it gives back."""
        return [
            (
                "读取用地预审/报批材料中的坐标文件：部标界址点坐标 TXT（GBK、GB18030 或 UTF-8）、CAD 图 DXF、"
                "KML/KMZ、界址点坐标表（CSV 或 Excel），得到地块面图层与界址点图层（CGCS2000，EPSG:4490）。",
                "Reads the coordinate files of a land pre-examination / approval package: the 部标 "
                "boundary-coordinate TXT (GBK, GB18030 or UTF-8), a CAD drawing (DXF), KML/KMZ, a "
                "界址点 coordinate table (CSV or Excel), as a parcel layer and a boundary-point layer "
                "(CGCS2000, EPSG:4490).",
            ),
            (
                "轴序与带号由坐标数值判断（北坐标 7 位，东坐标 6 位或带带号 8 位），坐标系由文件头与坐标共同确定；"
                "每一项判断都写入日志。数值无法判断时报错并指出行号。西安 1980、北京 1954 坐标须有转换参数，"
                "或勾选接受近似转换（每个结果都会注明）。",
                "Axis order and zone come from the numbers (a northing has 7 digits, an easting 6, or 8 "
                "with the zone in front), the CRS from the header and the coordinates together; every "
                "decision goes to the log, and numbers that do not decide are an error naming the line. "
                "Xi'an 1980 and Beijing 1954 need transformation parameters, or the approximate "
                "conversion ticked (every result then says so).",
            ),
            (
                "DXF 与界址点表常不声明坐标系：请指定“坐标参照系”（如 EPSG:4528）。“图层”为 DXF 的 CAD 图层、"
                "KML 的文件夹或工作簿的工作表。几何按原样保留（不修复），以便“验证地块”报告其问题。",
                "DXF drawings and point tables often declare no CRS: choose it under “CRS” (e.g. "
                "EPSG:4528). “Layer” is the DXF's CAD layer, the KML's folder or the workbook's sheet. "
                "Geometry is kept as drawn (not repaired), so that Validate parcels reports its problems.",
            ),
        ]

    def initAlgorithm(self, config: dict | None = None) -> None:
        """Declare the file, its reading options and the two layers."""
        self.addParameter(
            QgsProcessingParameterFile(
                "INPUT",
                "报批坐标文件 Approval file",
                QgsProcessingParameterFile.File,
                fileFilter=_FILES,
            )
        )
        self.addParameter(
            QgsProcessingParameterCrs(
                "CRS", "坐标参照系（文件未声明时）CRS, when the file declares none", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                "LAYER",
                "图层（CAD 图层、KML 文件夹或工作表）Layer (CAD layer, KML folder or sheet)",
                optional=True,
            )
        )
        encoding = QgsProcessingParameterString(
            "ENCODING", "文字编码（留空：自动判断）Text encoding (empty: detected)", optional=True
        )
        approximate = QgsProcessingParameterBoolean(
            "APPROXIMATE_DATUM",
            "接受旧坐标系的近似转换（约 ±100 m）Accept an approximate legacy-datum conversion (± about 100 m)",
            defaultValue=False,
        )
        for advanced in (encoding, approximate):
            advanced.setFlags(advanced.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(advanced)
        self.addParameter(
            QgsProcessingParameterVectorDestination(
                "OUTPUT", "地块 Parcels", QgsProcessing.TypeVectorPolygon
            )
        )
        self.addParameter(
            QgsProcessingParameterVectorDestination(
                "POINTS",
                "界址点 Boundary points",
                QgsProcessing.TypeVectorPoint,
                optional=True,
                createByDefault=True,
            )
        )

    def compute(
        self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        """Read the file with the library, log its decisions, write the parcels and the points."""
        import suzhou_geo as sg

        path = self.parameterAsFile(parameters, "INPUT", context)
        crs = self.parameterAsCrs(parameters, "CRS", context)
        target = output_path(self, parameters, "OUTPUT", context)
        Progress(feedback, 0, 10).fraction(1.0)
        layer = sg.io.read(
            path,
            crs=layer_crs(crs, path) if crs.isValid() else None,
            layer=self.parameterAsString(parameters, "LAYER", context) or None,
            encoding=self.parameterAsString(parameters, "ENCODING", context) or None,
            approximate_datum=self.parameterAsBoolean(parameters, "APPROXIMATE_DATUM", context),
            repair=False,
        )
        Progress(feedback, 10, 70).fraction(1.0)
        for key, value in layer.provenance.decisions.items():
            feedback.pushInfo(f"{key}: {value}")
        for note in layer.provenance.notes:
            feedback.pushInfo(note)
        results = {"OUTPUT": write_frame(layer.frame, target, [path])}
        if parameters.get("POINTS") not in (None, ""):
            points = sg.io.boundary_points(layer)
            results["POINTS"] = write_frame(
                points, output_path(self, parameters, "POINTS", context), [path]
            )
        feedback.pushInfo(f"{len(layer.frame)} 个地块 parcels · {path}")
        feedback.setProgress(100)
        return results


class WriteBubiao(SuzhouGeoAlgorithm):
    """Write a polygon layer as a 部标 boundary-coordinate TXT (one [地块坐标] block per feature)."""

    NAME = "write_bubiao"
    TITLE = ("写出部标坐标文件", "Write 部标 coordinate file")
    GROUP = "approval"
    REQUIRES = ("write_layer", "io.read")

    def help_paragraphs(self) -> list[tuple[str, str]]:
        """Say what is written, in which CRS and encoding, and where the header fields come from."""
        return [
            (
                "把面图层写成部标界址点坐标 TXT（报盘格式）：每个要素一个 [地块坐标] 块，坐标 X（北）在前，精确到毫米，"
                "每个环首尾闭合；默认 CGCS2000 3° 带 40 带（东坐标带带号，EPSG:4528）、GBK 编码。",
                "Writes a polygon layer as a 部标 boundary-coordinate TXT (the 报盘 format): one [地块坐标] "
                "block per feature, northing (X) first, to the millimetre, each ring closed; by default "
                "CGCS2000 3-degree zone 40 with the zone in the eastings (EPSG:4528), GBK.",
            ),
            (
                "块头字段取自同名字段（地块编号、地块名称、图幅号、地块用途、地类编码等）；界址点名取自“界址点”字段"
                "（与顶点相符时），否则按 J1、J2…… 编号。地块面积取申报面积，没有时取该坐标系下的平面面积（公顷）。"
                "没有几何的要素无法写出，日志会列出。",
                "Block header fields come from fields of the same names (地块编号, 地块名称, 图幅号, 地块用途, "
                "地类编码, …); point names from the field 界址点 when they fit the vertices, else J1, J2, …. "
                "地块面积 is the declared area, else the planar area in the chosen CRS (公顷). Features "
                "without geometry cannot be written; the log names them.",
            ),
        ]

    def initAlgorithm(self, config: dict | None = None) -> None:
        """Declare the layer, the target CRS and encoding, and the file."""
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "INPUT", "地块 Parcels", [QgsProcessing.TypeVectorPolygon]
            )
        )
        self.addParameter(
            QgsProcessingParameterCrs(
                "CRS",
                "坐标参照系（国家高斯-克吕格；留空：EPSG:4528）CRS (national Gauss-Krüger; empty: "
                "EPSG:4528)",
                defaultValue=DEFAULT_CRS,
                optional=True,  # so that a script may leave it out and get the default
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                "ENCODING", "文字编码 Text encoding", list(ENCODINGS), defaultValue=0
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "OUTPUT", "部标坐标文件 部标 coordinate file", "部标 TXT (*.txt)"
            )
        )

    def compute(
        self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        """Write the layer's features with the library's 部标 writer."""
        import suzhou_geo as sg

        path = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        parcels = read_input(self, parameters, "INPUT", context, Progress(feedback, 0, 50))
        crs = self.parameterAsCrs(parameters, "CRS", context)
        written = sg.write_layer(
            parcels.source.data.reset_index(drop=True),
            path,
            overwrite=True,
            inputs=parcels.files,
            crs=layer_crs(crs, "CRS") if crs.isValid() else DEFAULT_CRS,
            encoding=ENCODINGS[self.parameterAsEnum(parameters, "ENCODING", context)],
        )
        feedback.pushInfo(f"{parcels.count} 个地块 parcels → {written}")
        feedback.setProgress(100)
        return {"OUTPUT": str(written)}
