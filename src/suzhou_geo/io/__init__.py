"""The one way in and the one way out for every layer.

:func:`read_layer` turns anything a user passes (a path, a URI, a frame) into a
checked frame in CGCS2000; :func:`write_layer` writes any frame to the format its
path names.  Nothing else in the library reads or writes geodata files.
"""

from ._read import READ_ATTRS_KEY, read_layer, read_vector, repair_geometries
from ._write import FORMATS, check_output, shapefile_field_names, write_layer

__all__ = [
    "read_layer",
    "read_vector",
    "repair_geometries",
    "write_layer",
    "check_output",
    "shapefile_field_names",
    "FORMATS",
    "READ_ATTRS_KEY",
]
