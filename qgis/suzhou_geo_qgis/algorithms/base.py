"""The base of every algorithm: names, help and errors once; an algorithm is one small class.

A new algorithm sets :attr:`~SuzhouGeoAlgorithm.NAME`, ``TITLE``, ``GROUP``,
``REQUIRES`` (the library functions it calls: the provider offers it only when
the installed library has them) and :meth:`~SuzhouGeoAlgorithm.help_paragraphs`,
declares its parameters in ``initAlgorithm`` and does its work in
:meth:`~SuzhouGeoAlgorithm.compute`, with :mod:`..exchange` to read layers and write
results.  Errors, warnings, log and cancellation are handled here.  Then add
the class to :data:`~.ALGORITHMS`.  A sketch, for a library function
``occupancy(projects) -> DataFrame``::

    class Occupancy(SuzhouGeoAlgorithm):
        NAME = "occupancy"
        TITLE = ("占用与调整", "Occupancy")
        REQUIRES = ("occupancy",)

        def help_paragraphs(self):
            return [("……（中文）", "… (English)")]

        def initAlgorithm(self, config=None):
            self.addParameter(QgsProcessingParameterFeatureSource(
                "PROJECTS", "项目 Projects", [QgsProcessing.TypeVectorPolygon]))
            self.addParameter(QgsProcessingParameterFeatureSink(
                "OUTPUT", "占用表 Occupancy", QgsProcessing.TypeVector))

        def compute(self, parameters, context, feedback):
            import suzhou_geo as sg

            projects = read_input(self, parameters, "PROJECTS", context,
                                  Progress(feedback, 0, 30))
            table = sg.occupancy(projects.source)
            return {"OUTPUT": table_to_sink(table, self, parameters, "OUTPUT", context)}
"""

from __future__ import annotations

import html
from typing import Any

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFolderDestination,
)

from ..exchange import LAYER_SPELLING
from ..feedback import library_calls

__all__ = [
    "SuzhouGeoAlgorithm",
    "GROUPS",
    "ILLUSTRATIVE_HELP",
    "ILLUSTRATIVE_RESULTS_HELP",
    "KINDS",
    "KIND_LABELS",
    "INVALID",
    "INVALID_LABELS",
    "invalid_parameter",
    "deliverables_parameters",
    "checked_folder",
]

#: Toolbox groups: id -> (Chinese, English).
GROUPS = {
    "checks": ("检查", "Checks"),
    "layers": ("图层", "Layers"),
    "approval": ("报批材料", "Approval files"),
    "redline_use": ("占用与调整", "Occupancy and adjustment"),
}

#: Said wherever the bundled redlines may be used.
ILLUSTRATIVE_HELP = (
    "留空时使用内置示意红线：依据公开资料重建，<b>非官方生态保护红线</b>；"
    "结果中每一行（redline_data 列）与摘要均注明。正式使用请指定官方红线图层。",
    "Left empty, the bundled redlines are used: an ILLUSTRATIVE reconstruction from public "
    "sources, <b>not the official ecological protection redline</b>; every result row (column "
    "redline_data) and the summary say so. For official work choose the official redline layer.",
)

#: Said by the algorithms whose results have no redline_data column (occupancy, comparison).
ILLUSTRATIVE_RESULTS_HELP = (
    "红线留空时使用内置示意红线：依据公开资料重建，<b>非官方生态保护红线</b>；日志、结果图层的名称，"
    "以及成果文件夹中的工作簿、Markdown、地图与摘要均注明。正式使用请指定官方红线图层。",
    "Left empty, the bundled redlines are used: an ILLUSTRATIVE reconstruction from public "
    "sources, <b>not the official ecological protection redline</b>; the log, the names of the "
    "result layers, and the workbook, Markdown, map and summary of the deliverables folder say "
    "so. For official work choose the official redline layer.",
)

#: Kinds of redline features an algorithm may count (the library's ``kind=``), and their labels.
KINDS = ("ecological_protection_redline", "ecological_space_control", None)
KIND_LABELS = (
    "生态保护红线 ecological protection redline",
    "生态空间管控区域 ecological space control area",
    "全部类型 all kinds",
)

#: What to do with redline features whose repair changes their area (the library's ``invalid=``).
INVALID = ("raise", "repair", "exclude")
INVALID_LABELS = (
    "报错并列出这些要素 raise an error naming them",
    "按修复后的形状计入 count the repaired shapes",
    "不计入（每个结果注明）exclude them (every result says so)",
)


def invalid_parameter(
    name: str = "REDLINES_INVALID",
    description: str = "面积因修复而改变的红线要素 Redline features whose repair changes their area",
) -> QgsProcessingParameterEnum:
    """Return the advanced choice of :data:`INVALID` (an error by default, as in the library)."""
    param = QgsProcessingParameterEnum(name, description, list(INVALID_LABELS), defaultValue=0)
    param.setFlags(param.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return param


def deliverables_parameters() -> list[QgsProcessingParameterDefinition]:
    """Return the optional deliverables folder and the (advanced) offline-map choice."""
    folder = QgsProcessingParameterFolderDestination(
        "FOLDER",
        "成果文件夹（Excel、GeoPackage、Markdown、地图、摘要）Deliverables folder",
        optional=True,
        createByDefault=False,
    )
    offline = QgsProcessingParameterBoolean(
        "OFFLINE",
        "离线地图（不加载底图，适用于内网）Offline map (no basemap tiles, for isolated networks)",
        defaultValue=False,
    )
    offline.setFlags(offline.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return [folder, offline]


def checked_folder(
    alg: QgsProcessingAlgorithm, parameters: dict, context: QgsProcessingContext, check: Any, inputs: list
) -> dict:
    """Check the deliverables folder before the work; return *parameters* naming that same folder.

    *check* is the library's ``check_occupancy_folder`` or
    ``check_comparison_folder``; the folder is resolved once (a temporary
    folder would otherwise get a new name when written).
    """
    folder = alg.parameterAsFileOutput(parameters, "FOLDER", context)
    if not folder:
        return parameters
    check(folder, inputs=tuple(inputs))
    return {**parameters, "FOLDER": folder}


class SuzhouGeoAlgorithm(QgsProcessingAlgorithm):
    """An algorithm that calls the suzhou_geo library once.

    Class attributes
    ----------------
    NAME : str
        The id within the provider (``suzhou_geo:<NAME>``).
    TITLE : (str, str)
        Chinese and English title; the display name is both.
    GROUP : str
        A key of :data:`GROUPS`.
    REQUIRES : tuple of str
        Public names of ``suzhou_geo`` the algorithm calls (``"io.boundary_points"``
        for a submodule's).
    """

    NAME = ""
    TITLE = ("", "")
    GROUP = "checks"
    REQUIRES: tuple[str, ...] = ()

    @classmethod
    def available(cls) -> bool:
        """Return True if the installed library has every function this algorithm calls."""
        import importlib

        def has(name: str) -> bool:  # "validate_parcels", or a submodule's "io.boundary_points"
            module, _, attr = name.rpartition(".")
            try:
                owner = importlib.import_module(f"suzhou_geo.{module}" if module else "suzhou_geo")
            except ImportError:
                return False
            return hasattr(owner, attr)

        return all(has(name) for name in cls.REQUIRES)

    def name(self) -> str:
        """Return the algorithm's id within the provider."""
        return self.NAME

    def displayName(self) -> str:
        """Return the Chinese title with the English beside it."""
        return " ".join(self.TITLE)

    def group(self) -> str:
        """Return the toolbox group, Chinese and English."""
        return " ".join(GROUPS[self.GROUP])

    def groupId(self) -> str:
        """Return the toolbox group's id."""
        return self.GROUP

    def shortDescription(self) -> str:
        """Return the first paragraph of the help (the toolbox tooltip)."""
        zh, en = self.help_paragraphs()[0]
        return f"{_plain(zh)} / {_plain(en)}"

    def shortHelpString(self) -> str:
        """Return the help shown beside the dialog: each paragraph in Chinese, then English."""
        return "".join(f"<p>{zh}</p><p><i>{en}</i></p>" for zh, en in self.help_paragraphs())

    def help_paragraphs(self) -> list[tuple[str, str]]:
        """Return the help as (Chinese, English) paragraphs (HTML; values escaped)."""
        return [self.TITLE]

    def createInstance(self) -> SuzhouGeoAlgorithm:
        """Return a new instance of the same algorithm (Processing makes one per run)."""
        return type(self)()

    def processAlgorithm(
        self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        """Run :meth:`compute` with the library's errors, warnings and log told to Processing."""
        with library_calls(feedback):
            from suzhou_geo.errors import spelled

            with spelled(self.spelling(), only=True):
                return self.compute(parameters, context, feedback)

    def spelling(self) -> dict[str, str | None]:
        """How the fixes in the library's errors name the options, in this algorithm's terms.

        A library option with a parameter of the same name (upper case) is named
        by that parameter's label; the CRS and the encoding of a layer are set in
        its properties (:data:`~suzhou_geo_qgis.exchange.LAYER_SPELLING`); any
        other option is not suggested (QGIS has nowhere to set it).
        """
        out = dict(LAYER_SPELLING)
        for param in self.parameterDefinitions():
            spelled_as = f"「{param.description()}」 = {{value}}"
            out[param.name().lower()] = spelled_as
            if param.name().endswith("_INVALID"):  # REDLINES_INVALID: the library's invalid= of that layer
                out["invalid"] = spelled_as
        return out

    def compute(
        self, parameters: dict, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        """Do the work: read the inputs, call the library once, write the results."""
        raise NotImplementedError


def _plain(text: str) -> str:
    """Help text without its HTML tags, for tooltips."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))
