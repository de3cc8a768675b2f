"""The one way in and the one way out for every layer.

:func:`read` turns anything a user passes (a path, a URI, a frame, a
:class:`Source`) into a checked :class:`~suzhou_geo.layers.Layer` in CGCS2000;
:func:`read_layer` gives its frame; :func:`write_layer` writes any frame to the
format its path names.  Nothing else in the library reads or writes geodata files.
"""

from ._read import READ_ATTRS_KEY, Source, as_source, read, read_layer, read_vector
from ._write import FORMATS, check_output, shapefile_field_names, write_layer
from .checks import check_geometries, repair_geometries

__all__ = [
    "read",
    "read_layer",
    "read_vector",
    "Source",
    "as_source",
    "check_geometries",
    "repair_geometries",
    "write_layer",
    "check_output",
    "shapefile_field_names",
    "FORMATS",
    "READ_ATTRS_KEY",
]
