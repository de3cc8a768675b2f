"""The polygonal part of overlay and make_valid results, nested collections included."""

import numpy as np
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, box

from suzhou_geo.geometry import flat_parts, polygonal_parts


def test_a_collection_holding_a_multipolygon_keeps_both_polygons():
    # make_valid under some GEOS versions returns GC(MultiPolygon, LineString);
    # the areas are known by hand: 1 + 2 = 3.
    nested = GeometryCollection([MultiPolygon([box(0, 0, 1, 1), box(2, 0, 4, 1)]),
                                 LineString([(0, 0), (5, 5)])])
    out = polygonal_parts(np.array([nested, box(0, 0, 3, 3), Point(1, 1)], dtype=object))
    assert out[0].geom_type == "MultiPolygon"
    assert out[0].area == 3.0
    assert out[1].area == 9.0
    assert out[2] is None


def test_flat_parts_opens_every_level_and_keeps_order():
    geoms = [GeometryCollection([Point(9, 9), GeometryCollection([MultiPolygon([box(0, 0, 1, 1), box(5, 5, 6, 6)])])]),
             box(0, 0, 2, 2)]
    parts, rows = flat_parts(geoms)
    assert [p.geom_type for p in parts] == ["Point", "Polygon", "Polygon", "Polygon"]
    assert rows.tolist() == [0, 0, 0, 1]
    assert shapely.get_x(parts[0]) == 9.0
    assert parts[2].bounds == (5.0, 5.0, 6.0, 6.0)
