"""The reference layers of a validation, prepared once for any number of calls.

:func:`prepare_layers` reads the redlines, the joint-control zones and the
scheme elements through the one entry point (:func:`suzhou_geo.io.read`), cuts
each into pieces of at most ``max_vertices`` vertices and 5 km (like PostGIS
``ST_Subdivide``) in EPSG:4549, and returns a :class:`PreparedLayers` that

* can be passed to any number of :func:`~suzhou_geo.validate_parcels` calls
  (``layers=``), so that a large official redline is prepared once, not per call;
* is safe to use from many threads at once (each thread prepares its own copy
  of the pieces: GEOS prepared geometries must not be shared);
* pickles, so it can be shipped once to the workers of a cluster.

The bundled layers are prepared once per process.

Examples
--------
>>> import suzhou_geo as sg
>>> layers = sg.prepare_layers()
>>> layers.redline_data
'内置示意样例（非官方）bundled illustrative sample (not official)'
>>> import pickle
>>> pickle.loads(pickle.dumps(layers)).max_vertices
256
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import shapely

from ..errors import InputError, row_at
from ..layer import Layer
from ..pieces import PieceIndex

__all__ = ["RefLayer", "RedlineRef", "PreparedLayers", "prepare_layers", "resolve_layers", "PROTECTION", "CONTROL"]

log = logging.getLogger(__name__)

PROTECTION = "ecological_protection_redline"
CONTROL = "ecological_space_control"

#: What the ``redline_data`` report column says for the bundled sample.
SAMPLE_DATA = "内置示意样例（非官方）bundled illustrative sample (not official)"


@dataclass
class RefLayer:
    """One reference layer ready for queries: its pieces (EPSG:4549) and the name of each group."""

    index: PieceIndex
    names: np.ndarray


@dataclass
class RedlineRef:
    """The redlines of one kind: per-feature pieces (for names) and, when features overlap, the dissolve (for areas)."""

    features: RefLayer
    dissolved: PieceIndex | None


@dataclass
class PreparedLayers:
    """Reference layers prepared for :func:`~suzhou_geo.validate_parcels` (see the module docstring).

    Attributes
    ----------
    redlines : dict or None
        ``{kind: RedlineRef}`` for the two kinds; None when redlines are not checked.
    zones : RefLayer or None
        Joint-control zones, one group per border pair.
    schemes : RefLayer or None
        Scheme elements, one group per ``scheme·element``.
    max_vertices : int
    illustrative : bool
        The redlines are the bundled illustrative sample.
    data_note : str
        What the redline data are.
    redline_data : str
        The value of the report's ``redline_data`` column.
    notes : tuple of str
        What was done to the reference data on the way in (repairs, exclusions).
    districts : RefLayer
        The county-level units (bundled boundaries), prepared on first use.
    in_suzhou : numpy.ndarray of bool
        Per district group, whether it belongs to 苏州市.
    """

    redlines: dict | None
    zones: RefLayer | None
    schemes: RefLayer | None
    max_vertices: int
    illustrative: bool = False
    data_note: str = ""
    redline_data: str = "未检查 not checked"
    notes: tuple = field(default_factory=tuple)

    @property
    def districts(self) -> RefLayer:
        """The county-level units, prepared once per process on first use (not every caller needs them)."""
        with _DISTRICTS_LOCK:  # threads of one validation ask at once: prepared by the first
            return _districts(self.max_vertices)[0]

    @property
    def in_suzhou(self) -> np.ndarray:
        """Per district group, whether it belongs to 苏州市."""
        with _DISTRICTS_LOCK:
            return _districts(self.max_vertices)[1]

    def __repr__(self) -> str:
        parts = [f"redlines: {self.redline_data}" if self.redlines else "redlines: not checked",
                 f"zones: {len(self.zones.names) if self.zones else 0}",
                 f"scheme elements: {len(self.schemes.names) if self.schemes else 0}"]
        return f"<PreparedLayers {'; '.join(parts)}>"


def _names(frame: pd.DataFrame, what: str) -> np.ndarray:
    fallback = np.array([f"{what} #{i}" for i in range(len(frame))], dtype=object)
    for col in ("name", "name_zh", "名称", "NAME", "Name"):
        if col in frame.columns:
            s = frame[col].astype(object).to_numpy()
            ok = pd.notna(s) & (pd.Series(s).astype(str).to_numpy() != "")
            return np.where(ok, pd.Series(s).astype(str).to_numpy(), fallback).astype(object)
    return fallback


def _grouped(geoms: np.ndarray, names: np.ndarray, max_vertices: int) -> RefLayer:
    uniq, inv = np.unique(names.astype(str), return_inverse=True)
    return RefLayer(PieceIndex.build(geoms, inv, n_groups=len(uniq), max_vertices=max_vertices),
                    uniq.astype(object))


# --------------------------------------------------------------------------- each layer


def _redlines(red: Layer, max_vertices: int) -> dict:
    kinds = red.frame["kind"].astype(str).to_numpy()
    names = _names(red.frame, "redline")
    out = {}
    for kind in (PROTECTION, CONTROL):
        sel = np.flatnonzero((kinds == kind) & red.usable)
        g = red.metric[sel]
        feat = RefLayer(PieceIndex.build(g, max_vertices=max_vertices), names[sel])
        # features of one kind that overlap are dissolved for the area (an overlap counts once)
        union = shapely.union_all(g) if len(g) else shapely.Polygon()
        overlapping = bool(len(g)) and shapely.area(g).sum() - union.area > 1e-9 * max(union.area, 1.0)
        dissolved = PieceIndex.build([union], n_groups=1, max_vertices=max_vertices) if overlapping else None
        out[kind] = RedlineRef(feat, dissolved)
    return out


def _zones(lay: Layer, max_vertices: int) -> RefLayer:
    frame = lay.frame
    names = frame["pair"].astype(str).to_numpy(dtype=object) if "pair" in frame.columns else _names(frame, "joint zone")
    ok = lay.usable
    return _grouped(lay.metric[ok], names[ok], max_vertices)  # a pair's two sides are one zone


def _schemes(lay: Layer, max_vertices: int) -> RefLayer:
    frame = lay.frame
    if "name_zh" in frame.columns:
        names = frame["name_zh"].astype(str)
        if "scheme" in frame.columns:
            names = frame["scheme"].astype(str) + "·" + names
        names = names.to_numpy(dtype=object)
    else:
        names = _names(frame, "element")
    ok = lay.usable
    return _grouped(lay.metric[ok], names[ok], max_vertices)


_DISTRICTS_LOCK = threading.RLock()


@lru_cache(maxsize=4)
def _districts(max_vertices: int) -> tuple[RefLayer, np.ndarray]:
    from ..io.bundled import bundled

    lay = bundled("boundaries")
    t = lay.frame
    sel = (t["level"] == "county").to_numpy()
    layer = RefLayer(PieceIndex.build(lay.metric[sel], max_vertices=max_vertices),
                     t["name_zh"].to_numpy(dtype=object)[sel])
    return layer, t["in_suzhou"].to_numpy(dtype=bool)[sel]


# --------------------------------------------------------------------------- reading the inputs

def _spelling(what: str) -> dict:
    """How validate_parcels/prepare_layers name the options of a reference layer."""
    return {
        "crs": f"{what}_crs={{value}}",
        "override_crs": f"{what}=sg.Source(…, override_crs={{value}})",
        "datum_shift": f"{what}=sg.Source(…, datum_shift={{value}})",
        "approximate_datum": f"{what}=sg.Source(…, approximate_datum={{value}})",
        "swap_xy": f"{what}=sg.Source(…, swap_xy={{value}})",
        "invalid": f"{what}=sg.Source(…, invalid={{value}})",
    }


def _read_redlines(value: Any, crs: Any) -> Layer:
    from ..redlines import redline_layer

    return redline_layer(value, crs=crs, spelling=_spelling("redlines"))


def _read_other(value: Any, crs: Any, what: str) -> Layer:
    from ..io import read

    lay = read(value, crs=crs, expect="polygon" if what == "joint_zones" else "any", spelling=_spelling(what))
    bad = np.flatnonzero(lay.codes == "nonfinite")
    if len(bad):
        raise InputError(
            f"{len(bad)} feature(s) have NaN or infinite coordinates", source=lay.provenance.name,
            row=row_at(lay.frame.index, bad[0]), hint="fix or remove them",
        )
    return lay


@lru_cache(maxsize=8)
def _bundled(what: str, max_vertices: int):
    if what == "redlines":
        from ..redlines import redline_layer

        return _redlines(redline_layer(), max_vertices)
    if what == "joint_zones":
        from ..joint import joint_control_zone

        return _zones(_read_other(joint_control_zone(), None, "joint_zones"), max_vertices)
    if what == "schemes":
        from ..io.bundled import bundled

        return _schemes(bundled("schemes"), max_vertices)
    raise KeyError(what)


def prepare_layers(
    redlines: Any = None,
    joint_zones: Any = None,
    schemes: Any = None,
    *,
    max_vertices: int = 256,
    redlines_crs: Any = None,
    joint_zones_crs: Any = None,
    schemes_crs: Any = None,
) -> PreparedLayers:
    """Prepare the reference layers of a validation once, for many calls, threads or workers.

    Parameters
    ----------
    redlines : path, GeoDataFrame, Source, None or False
        Redline polygons (see :func:`suzhou_geo.load_redlines`); ``None``: the
        bundled ILLUSTRATIVE sample; ``False``: redlines are not checked.
    joint_zones : path, GeoDataFrame, Source, None or False
        Joint-control zones with a ``pair`` column; ``None``: the 500 m
        嘉定–昆山–太仓 band (:func:`suzhou_geo.joint_control_zone`).
    schemes : path, GeoDataFrame, Source, None or False
        Scheme elements (``scheme``, ``name_zh``); ``None``: :func:`suzhou_geo.layer`.
    max_vertices : int, default 256
        Vertex limit of the pieces (see :class:`~suzhou_geo.validate.Rules`).
    redlines_crs, joint_zones_crs, schemes_crs : str or pyproj.CRS, optional
        The CRS of the corresponding layer when it declares none; each applies
        to its own layer only.

    Returns
    -------
    PreparedLayers
        Pass it as ``validate_parcels(parcels, layers=...)``.

    Examples
    --------
    >>> import suzhou_geo as sg
    >>> layers = sg.prepare_layers(schemes=False)
    >>> layers.schemes is None, layers.illustrative
    (True, True)
    """
    red = None
    notes: tuple = ()
    illustrative, data_note, data = False, "redlines not checked (redlines=False)", "未检查 not checked"
    if redlines is not False:
        if redlines is None and redlines_crs is None:
            red = _bundled("redlines", max_vertices)
            from ..redlines import redline_layer

            lay = redline_layer()
        else:
            lay = _read_redlines(redlines, redlines_crs)
            red = _redlines(lay, max_vertices)
        illustrative, data_note, notes = lay.provenance.illustrative, lay.provenance.data_note, lay.provenance.notes
        data = SAMPLE_DATA if illustrative else lay.provenance.name
    zones = _one(joint_zones, joint_zones_crs, "joint_zones", _zones, max_vertices)
    sch = _one(schemes, schemes_crs, "schemes", _schemes, max_vertices)
    return PreparedLayers(red, zones, sch, max_vertices, illustrative, data_note, data,
                          tuple(notes))


def _one(value: Any, crs: Any, what: str, prep, max_vertices: int):
    if value is False:
        return None
    if value is None and crs is None:
        return _bundled(what, max_vertices)
    return prep(_read_other(value, crs, what), max_vertices)


def resolve_layers(layers, redlines, joint_zones, schemes, rules, *crs) -> PreparedLayers:
    """Return *layers* (from :func:`prepare_layers`), or the reference layers prepared from the others."""
    if layers is None:
        return prepare_layers(redlines, joint_zones, schemes, max_vertices=rules.max_vertices,
                              redlines_crs=crs[0], joint_zones_crs=crs[1], schemes_crs=crs[2])
    if not isinstance(layers, PreparedLayers):
        raise InputError(f"layers= takes the result of prepare_layers(), not a {type(layers).__name__}",
                         source="validate_parcels")
    given = [k for k, v in zip(("redlines", "joint_zones", "schemes"), (redlines, joint_zones, schemes), strict=True)
             if v is not None]
    if given or any(c is not None for c in crs):
        raise InputError(
            f"layers= was given together with {', '.join(given) or 'a CRS option'}", source="validate_parcels",
            hint="pass the reference layers to prepare_layers() and only layers= here",
        )
    return layers
