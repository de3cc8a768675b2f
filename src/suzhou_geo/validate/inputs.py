"""What a validation reads, gathered once and carried whole: :class:`ValidationInputs`.

The parcels travel as one :class:`suzhou_geo.io.Source` — the data with every
reading option (CRS, layer, encoding, datum shift or approximate datum, axis
swap) and the caller's own spelling of those options for messages — together
with the reference layers (prepared once), and the rules.  The command line
builds one, and :func:`~suzhou_geo.validate_parcels`,
:func:`~suzhou_geo.validate_file` and the dask engine
(:func:`~suzhou_geo.validate.distributed.validate_dask`) all take it as it is,
so that no option is lost between them: a batch of a streamed file or a
partition on a cluster worker is read with exactly the options the whole
file would have been read with.

Examples
--------
>>> import suzhou_geo as sg
>>> inputs = ValidationInputs.gather(sg.data_path("parcels", "parcels.gpkg"), schemes=False,
...                                  rules={"review_distance_m": 200}, crs="EPSG:4490")
>>> inputs.parcels.crs, inputs.rules.review_distance_m
('EPSG:4490', 200)
>>> len(sg.validate_parcels(inputs))
382
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..errors import InputError
from ..io import Source, as_source, read
from ..layer import Layer
from .reference import PreparedLayers, resolve_layers
from .rules import RULES, Rules, as_rules

__all__ = ["ValidationInputs", "PARCEL_SPELLING"]

#: How validate_parcels names the reading options it does not take as keywords (for messages).
PARCEL_SPELLING = {
    "override_crs": "parcels=sg.Source(…, override_crs={value})",
    "swap_xy": "parcels=sg.Source(…, swap_xy={value})",
    "sql": "parcels=sg.Source(…, sql={value})",
}


@dataclass(frozen=True)
class ValidationInputs:
    """The parcels with all their reading options, the reference layers and the rules of one validation.

    Build it with :meth:`gather` (what every validation function does with its
    arguments); pass it as the parcels of :func:`~suzhou_geo.validate_parcels`
    or :func:`~suzhou_geo.validate_file`, alone.

    Attributes
    ----------
    parcels : suzhou_geo.io.Source
        The parcels and every option to read them with.
    redlines, joint_zones, schemes : optional
        The reference layers as given (path, frame, Source, ``None`` for the
        bundled layer, ``False`` for not checked) and their CRS options.
    redlines_crs, joint_zones_crs, schemes_crs : optional
    rules : Rules
    layers : PreparedLayers or None
        The reference layers prepared by :func:`~suzhou_geo.prepare_layers`
        (given, or made by :meth:`prepare`).
    """

    parcels: Source
    redlines: Any = None
    joint_zones: Any = None
    schemes: Any = None
    redlines_crs: Any = None
    joint_zones_crs: Any = None
    schemes_crs: Any = None
    rules: Rules = RULES
    layers: Any = None

    @classmethod
    def gather(
        cls,
        parcels: Any,
        redlines: Any = None,
        joint_zones: Any = None,
        schemes: Any = None,
        rules: Rules | Mapping[str, Any] | None = None,
        *,
        crs: Any = None,
        layer: str | int | None = None,
        encoding: str | None = None,
        datum_shift: Any = None,
        approximate_datum: bool = False,
        redlines_crs: Any = None,
        joint_zones_crs: Any = None,
        schemes_crs: Any = None,
        layers: PreparedLayers | Any = None,
    ) -> ValidationInputs:
        """Gather the arguments of a validation function into one object (see :func:`~suzhou_geo.validate_parcels`).

        *parcels* may already be a :class:`ValidationInputs`: it is returned as
        it is, and giving any other argument with it is an error.
        """
        if isinstance(parcels, ValidationInputs):
            given = {k: v for k, v in dict(
                redlines=redlines, joint_zones=joint_zones, schemes=schemes, rules=rules, crs=crs, layer=layer,
                encoding=encoding, datum_shift=datum_shift, approximate_datum=approximate_datum or None,
                redlines_crs=redlines_crs, joint_zones_crs=joint_zones_crs, schemes_crs=schemes_crs,
                layers=layers).items() if v is not None}
            if given:
                raise InputError(f"{', '.join(given)} given beside the prepared inputs", source="validation",
                                 hint="give every option when the ValidationInputs is gathered, and then it alone")
            return parcels
        src = as_source(parcels, crs=crs, layer=layer, encoding=encoding, datum_shift=datum_shift,
                        approximate_datum=approximate_datum, spelling=PARCEL_SPELLING)
        return cls(src, redlines, joint_zones, schemes, redlines_crs, joint_zones_crs, schemes_crs,
                   as_rules(rules), layers)

    def prepare(self) -> ValidationInputs:
        """Return the same inputs with the reference layers prepared (prepared inputs are returned as they are)."""
        if self.is_prepared:
            return self
        layers = resolve_layers(self.layers, self.redlines, self.joint_zones, self.schemes, self.rules,
                                self.redlines_crs, self.joint_zones_crs, self.schemes_crs)
        return replace(self, redlines=None, joint_zones=None, schemes=None, redlines_crs=None,
                       joint_zones_crs=None, schemes_crs=None, layers=layers)

    @property
    def is_prepared(self) -> bool:
        """Whether the reference layers are prepared (:meth:`prepare` returns these inputs as they are)."""
        refs = (self.redlines, self.joint_zones, self.schemes, self.redlines_crs, self.joint_zones_crs,
                self.schemes_crs)
        return isinstance(self.layers, PreparedLayers) and all(r is None for r in refs)

    def with_parcels(self, data: Any, **options: Any) -> ValidationInputs:
        """Return the same inputs for other rows of the parcels (a batch, a partition), with the same options."""
        return replace(self, parcels=replace(self.parcels, data=data, **options))

    def read(self) -> Layer:
        """Read the parcels through the one way in, polygons expected (a :class:`Layer` is taken as it is)."""
        if isinstance(self.parcels.data, Layer):
            return self.parcels.data
        return read(self.parcels, expect="polygon")

    def read_rows(self, frame: Any, info: Any) -> Layer:
        """Read one batch of the parcel file (a frame as declared) with the file's options and provenance."""
        lay = read(replace(self.parcels, data=frame, name=info.name, layer=None, sql=None, encoding=None),
                   expect="polygon")
        return lay.with_frame(lay.frame, source=info.source, format=info.format, encoding=info.encoding,
                              notes=tuple(info.notes) + tuple(lay.provenance.notes))
