"""Bundled layers by name, for ``suzhou-geo map`` and quick looks.

The frames come from the library's own functions, looked up when asked for (maps
sit above them and do not import them to draw a frame).

Examples
--------
>>> sorted(BUNDLED_LAYERS)
['boundaries', 'joint-zone', 'redlines', 'schemes']
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUNDLED_LAYERS", "bundled_layer"]

#: Bundled layers by name: what each is, and the function that makes it.
BUNDLED_LAYERS: dict[str, str] = {
    "boundaries": "苏州市、县级行政区与邻近区县 jurisdictions of Suzhou and its neighbours (jurisdictions)",
    "schemes": "规划空间格局 the spatial schemes' elements (layers)",
    "redlines": "生态保护红线（示意）the illustrative redline sample (load_redlines)",
    "joint-zone": "嘉定–昆山–太仓 500 m 联防联治区 the joint-control zone (joint_control_zone)",
}
_MAKERS = {"boundaries": "jurisdictions", "schemes": "layers", "redlines": "load_redlines",
           "joint-zone": "joint_control_zone", "joint-zones": "joint_control_zone", "joint": "joint_control_zone"}


def bundled_layer(name: str) -> Any:
    """Return a bundled layer by name: ``boundaries``, ``schemes``, ``redlines``, ``joint-zone``, ``scheme:NAME``.

    Parameters
    ----------
    name : str
        One of :data:`BUNDLED_LAYERS`, or ``scheme:<name>`` for one scheme.

    Returns
    -------
    GeoDataFrame or Scheme

    Raises
    ------
    LookupError
        When the name is unknown.

    Examples
    --------
    >>> len(bundled_layer("boundaries"))
    30
    """
    import suzhou_geo as sg

    key = name.strip().lower().replace("_", "-")
    if key == "boundaries":
        return sg.jurisdictions(geometry=True)
    if key in _MAKERS:
        return getattr(sg, _MAKERS[key])()
    if key.startswith("scheme:"):
        return sg.scheme(name.split(":", 1)[1])
    raise LookupError(f"unknown bundled layer {name!r}; choose {', '.join(BUNDLED_LAYERS)} or scheme:NAME")
