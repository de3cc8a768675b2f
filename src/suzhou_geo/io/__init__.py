"""The one way in and the one way out for every layer.

:func:`read` turns anything a user passes (a path, a URI, a frame, a
:class:`Source`) into a checked :class:`~suzhou_geo.layer.Layer` in CGCS2000;
:func:`read_layer` gives its frame; :func:`write_layer` writes any frame to the
format its path names.  Nothing else in the library reads or writes geodata files.

This package knows nothing of reports: a caller that knows its columns hands
them to the writers (``columns=``, ``sheets=``); :func:`suzhou_geo.write_layer`
is the report-aware way out built on this one.  Modules: ``reader`` and ``raw``
(in), ``writer``, ``excel``, ``stream`` and ``postgis`` (out, and PostGIS in),
``checks`` (input geometry), ``encoding`` (text), ``columns`` and ``geomtype``
(what every writer shares), ``bundled`` (the data shipped with the package);
the approval-package formats (:mod:`.approval`): ``bubiao`` (部标 TXT, read and
written), ``dxf``, ``kml``, ``pointtable`` (界址点 tables), ``survey`` (the
surveying conventions they share) and ``boundary`` (named boundary points,
:func:`boundary_points`).
"""

from .boundary import boundary_points
from .bundled import BUNDLED, bundled, data_dir, data_path
from .checks import check_geometries, repair_geometries
from .columns import Column
from .reader import READ_ATTRS_KEY, Source, as_source, read, read_layer, read_vector
from .writer import (
    FORMATS,
    CheckedPath,
    check_output,
    shapefile_field_names,
    spreadsheet_text,
    write_layer,
)

__all__ = [
    "read",
    "read_layer",
    "read_vector",
    "Source",
    "as_source",
    "check_geometries",
    "repair_geometries",
    "boundary_points",
    "write_layer",
    "check_output",
    "CheckedPath",
    "shapefile_field_names",
    "spreadsheet_text",
    "Column",
    "FORMATS",
    "READ_ATTRS_KEY",
    "BUNDLED",
    "bundled",
    "data_dir",
    "data_path",
]
