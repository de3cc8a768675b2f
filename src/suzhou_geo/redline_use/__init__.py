"""What projects and revisions do to the redline: occupancy (占用), adjustment (调整) and the verdicts it flips.

* :func:`occupancy` (``occupy``) — projects → what they occupy of each redline
  feature, by kind, tier and county, in m², 公顷 and 亩, with the named
  boundary points inside and the crossing length of linear projects;
  alternatives side by side;
* :func:`compare_redlines` (``compare``) — two redline versions → the patches
  removed (调出) and added (补划), a ledger per county and for the city, the
  floors before and after, adjacency and conflicts of the added patches;
* :func:`revalidate` (``flips``) — an earlier parcel report and the new
  redlines → the parcels whose verdict changes, old and new side by side.

``schema`` describes every column once; ``activities`` holds the list of
limited human activities (有限人为活动) an activity is matched against, for
reference.  The library computes; it decides no legality.

Names are imported when first used (PEP 562): importing ``redline_use.schema``
(data only) loads none of the computations.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module that defines it.
_EXPORTS = {
    "occupancy": ".occupy",
    "Occupancy": ".occupy",
    "compare_redlines": ".compare",
    "RedlineComparison": ".compare",
    "revalidate": ".flips",
    "Revalidation": ".flips",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
