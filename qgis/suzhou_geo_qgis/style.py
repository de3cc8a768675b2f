"""How result layers look when QGIS loads them: the library's own colours and labels.

A parcel report is drawn by verdict with the colours of the library's maps
(:data:`suzhou_geo.maps.styles.VERDICT_STYLES`: conflict red, review orange,
notice blue, pass green, invalid grey, dashed) and their Chinese-first labels,
in the order of severity; its fields get the bilingual names of the report
schema as aliases.  Scheme elements are drawn by role (``ROLE_STYLES``), the
joint-control zone in its purple.  What projects occupy of the redlines is
drawn by kind (``OCCUPIED_STYLES``), the projects as outlines
(``PROJECT_STYLES``); the patches of a redline comparison by change
(``CHANGE_STYLES``: 调出 red and dashed, 补划 green), labelled with their
numbers; the parcels a new redline version flips by their new verdict.  Their
fields, and those of the tables, get the bilingual names of the library's
column definitions as aliases.  The styles are applied by a
:class:`~qgis.core.QgsProcessingLayerPostProcessorInterface` when Processing
loads the result.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingLayerPostProcessorInterface,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsSymbol,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
    QgsWkbTypes,
)

__all__ = [
    "verdict_renderer",
    "categorized_renderer",
    "symbol",
    "label_field",
    "StyleResult",
    "style_on_load",
]

_PEN = {None: "solid", "": "solid"}


def _pen(dash: str | None) -> str:
    """Return a Leaflet ``dashArray`` as a QGIS pen style."""
    if dash in _PEN:
        return _PEN[dash]
    first = float(str(dash).split()[0])
    return "dot" if first <= 3 else "dash"


def symbol(style: dict[str, Any], geometry: int) -> QgsSymbol:
    """Return a QGIS symbol for one of the library's map styles (Leaflet path options).

    Parameters
    ----------
    style : dict
        ``color``, ``fillColor``, ``fillOpacity``, ``weight`` (pixels), ``dashArray``.
    geometry : QgsWkbTypes.GeometryType
        Polygon, line or point.
    """
    stroke = style.get("color", "#555555")
    fill = style.get("fillColor", stroke)
    width = str(style.get("weight", 1.5))
    pen = _pen(style.get("dashArray"))
    if geometry == QgsWkbTypes.LineGeometry:
        return QgsLineSymbol.createSimple(
            {
                "line_color": stroke,
                "line_width": width,
                "line_width_unit": "Pixel",
                "line_style": pen,
            }
        )
    if geometry == QgsWkbTypes.PointGeometry:
        return QgsMarkerSymbol.createSimple(
            {
                "color": fill,
                "outline_color": stroke,
                "size": str(style.get("radius", 6) * 2),
                "size_unit": "Pixel",
                "outline_width": "1",
                "outline_width_unit": "Pixel",
            }
        )
    opaque = float(style.get("fillOpacity", 1)) > 0 and not style.get("hatch")
    props = {
        "color": fill,
        "outline_color": stroke,
        "outline_width": width,
        "outline_width_unit": "Pixel",
        "outline_style": pen,
        "style": "solid" if opaque else "no",
    }
    if style.get("hatch"):
        props.update(color=stroke, style="b_diagonal")
    return QgsFillSymbol.createSimple(props)


def categorized_renderer(
    field: str, styles: dict[str, dict[str, Any]], order: tuple[str, ...], geometry: int
) -> QgsCategorizedSymbolRenderer:
    """One category per style, in *order*, labelled with the style's (Chinese-first) label.

    Values the styles do not know are left undrawn by QGIS's categorized
    renderer; :func:`verdict_renderer` has a category for every verdict.
    """
    categories = [
        QgsRendererCategory(
            value, symbol(styles[value], geometry), styles[value].get("label", value)
        )
        for value in order
        if value in styles
    ]
    return QgsCategorizedSymbolRenderer(field, categories)


def verdict_renderer(field: str = "verdict") -> QgsCategorizedSymbolRenderer:
    """Return the parcel report's renderer: by verdict, most severe first, in the map's colours.

    Categories are labelled ``冲突 conflict``, ``复核 review``, ``告知 notice``,
    ``通过 pass``, ``无效 invalid``.
    """
    from suzhou_geo.maps.styles import VERDICT_ORDER, VERDICT_STYLES

    return categorized_renderer(field, VERDICT_STYLES, VERDICT_ORDER, QgsWkbTypes.PolygonGeometry)


def _report_layer(layer: QgsVectorLayer) -> None:
    from suzhou_geo.validate.schema import labels, shapefile_names

    names = layer.fields().names()
    shp = shapefile_names()
    field = "verdict" if "verdict" in names else shp["verdict"]
    layer.setRenderer(verdict_renderer(field))
    alias = labels()
    for column, label in alias.items():
        for name in (column, shp[column]):
            i = layer.fields().indexOf(name)
            if i >= 0:
                layer.setFieldAlias(i, label)


def _scheme_layer(layer: QgsVectorLayer) -> None:
    from suzhou_geo.maps.styles import ROLE_STYLES

    if layer.fields().indexOf("role_en") >= 0:
        layer.setRenderer(
            categorized_renderer("role_en", ROLE_STYLES, tuple(ROLE_STYLES), layer.geometryType())
        )


def _joint_layer(layer: QgsVectorLayer) -> None:
    from suzhou_geo.maps.styles import JOINT_STYLES

    layer.setRenderer(QgsSingleSymbolRenderer(symbol(JOINT_STYLES["joint"], layer.geometryType())))


def _field(layer: QgsVectorLayer, column: Any) -> str | None:
    """Return the layer's field of a library column: its name, or its Shapefile name."""
    names = layer.fields().names()
    for name in (column.name, column.shp):
        if name in names:
            return name
    return None


def _aliases(layer: QgsVectorLayer, columns: Any) -> None:
    """Give the fields of *columns* their bilingual labels (``占用面积 occupied area (m²)``)."""
    for column in columns:
        name = _field(layer, column)
        if name is not None:
            layer.setFieldAlias(layer.fields().indexOf(name), column.label())


def _schema(table: str) -> Any:
    from suzhou_geo.redline_use import schema

    return getattr(schema, table)


def _by(layer: QgsVectorLayer, columns: Any, name: str, styles: dict, order: tuple) -> None:
    """Draw *layer* by the values of column *name* in *styles*, in *order*."""
    from suzhou_geo.redline_use.schema import column

    field = _field(layer, column(columns, name))
    if field is not None:
        layer.setRenderer(categorized_renderer(field, styles, order, layer.geometryType()))


def _occupied_layer(layer: QgsVectorLayer) -> None:
    from suzhou_geo.maps.styles import OCCUPIED_STYLES

    columns = _schema("OCCUPANCY_COLUMNS")
    _by(layer, columns, "redline_kind", OCCUPIED_STYLES, tuple(OCCUPIED_STYLES))
    _aliases(layer, columns)


def _project_layer(layer: QgsVectorLayer) -> None:
    from suzhou_geo.maps.styles import PROJECT_STYLES

    outline = symbol(PROJECT_STYLES["project"], layer.geometryType())
    layer.setRenderer(QgsSingleSymbolRenderer(outline))
    _aliases(layer, _schema("PROJECT_COLUMNS"))


def label_field(layer: QgsVectorLayer, field: str, size: float = 9.0) -> None:
    """Label each feature of *layer* with the value of *field* (dark text on a white halo)."""
    settings = QgsPalLayerSettings()
    settings.fieldName = field
    settings.enabled = True
    text = QgsTextFormat()
    text.setSize(size)
    halo = QgsTextBufferSettings()
    halo.setEnabled(True)
    halo.setSize(1.0)
    text.setBuffer(halo)
    settings.setFormat(text)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def _patch_layer(layer: QgsVectorLayer) -> None:
    from suzhou_geo.maps.styles import CHANGE_STYLES
    from suzhou_geo.redline_use.schema import column

    columns = _schema("PATCH_COLUMNS")
    _by(layer, columns, "change", CHANGE_STYLES, ("removed", "added"))
    patch = _field(layer, column(columns, "patch_id"))
    if patch is not None:
        label_field(layer, patch)
    _aliases(layer, columns)


def _flip_layer(layer: QgsVectorLayer) -> None:
    from suzhou_geo.redline_use.schema import column

    columns = _schema("FLIP_COLUMNS")
    field = _field(layer, column(columns, "new_verdict"))
    if field is not None:
        layer.setRenderer(verdict_renderer(field))
    _aliases(layer, columns)


def _table(name: str) -> Any:
    """Return a styler giving a table's fields the labels of the library's *name* columns."""
    return lambda layer: _aliases(layer, _schema(name))


_STYLERS = {
    "report": _report_layer,
    "scheme": _scheme_layer,
    "joint": _joint_layer,
    "occupied": _occupied_layer,
    "projects": _project_layer,
    "patches": _patch_layer,
    "flips": _flip_layer,
    "occupancy_table": _table("OCCUPANCY_COLUMNS"),
    "ledger": _table("UNIT_COLUMNS"),
    "floors_before_after": _table("FLOOR_COLUMNS"),
}


class StyleResult(QgsProcessingLayerPostProcessorInterface):
    """Style a result layer when Processing loads it, and name it (noting illustrative data).

    Parameters
    ----------
    kind : str
        A key of the stylers: ``"report"``, ``"scheme"``, ``"joint"``,
        ``"occupied"``, ``"projects"``, ``"patches"``, ``"flips"``, or a table's
        ``"occupancy_table"``, ``"ledger"``, ``"floors_before_after"``.
    name : str, optional
        The layer's name in the layer panel.
    """

    def __init__(self, kind: str, name: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.name = name

    def postProcessLayer(
        self, layer: Any, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> None:
        """Apply the style (called by Processing on the loaded layer)."""
        if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
            return
        _STYLERS[self.kind](layer)
        if self.name:
            layer.setName(self.name)
        layer.triggerRepaint()


#: Post-processors must outlive the algorithm object that made them (Processing calls
#: them later, on the main thread); the last few are kept here.
_KEEP: deque[StyleResult] = deque(maxlen=64)


def style_on_load(
    context: QgsProcessingContext, destination: str, kind: str, name: str = ""
) -> None:
    """Have *destination* styled as *kind* when Processing loads it (if it will be loaded)."""
    if not context.willLoadLayerOnCompletion(destination):
        return
    post = StyleResult(kind, name)
    _KEEP.append(post)
    context.layerToLoadOnCompletionDetails(destination).setPostProcessor(post)
