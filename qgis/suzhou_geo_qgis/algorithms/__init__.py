"""The algorithms the provider offers, one class each (see :mod:`.base` for how to add one)."""

from __future__ import annotations

from .approval import ReadApprovalFile, WriteBubiao
from .base import SuzhouGeoAlgorithm
from .comparison import CompareRedlines
from .floors import RedlineFloors
from .joint import JointControlZone
from .occupancy import Occupancy
from .schemes import SchemeLayers
from .validate import ValidateParcels

__all__ = ["ALGORITHMS", "SuzhouGeoAlgorithm"]

#: Every algorithm class, in the order the toolbox lists them; the provider offers those whose
#: library functions the installed suzhou_geo has.
ALGORITHMS: tuple[type[SuzhouGeoAlgorithm], ...] = (
    ValidateParcels,
    RedlineFloors,
    Occupancy,
    CompareRedlines,
    JointControlZone,
    SchemeLayers,
    ReadApprovalFile,
    WriteBubiao,
)
