"""Build data/schemes/elements.geojson from data/schemes/catalogue.json.

Run (after ``scripts/build_hydrography.py``; no network, no external tools):

    python scripts/build_schemes.py

Every element of every scheme in the catalogue is built from a small tree of
geometry operations (see data/schemes/README.md):

``admin``   a jurisdiction polygon from data/boundaries
``lake``    a named GSHHG lake (data/hydrography/lakes.geojson)
``river``   a named GSHHG river/canal line (data/hydrography/rivers.geojson); with ``from``, only its
            part downstream of the point nearest that waypoint
``yangtze`` a part of data/hydrography/yangtze.geojson
``line`` / ``polygon`` / ``point`` / ``circle`` / ``ellipse`` / ``box``   schematic waypoints, each citing its source
``path``    one line through its ``parts`` in order: waypoints and line-valued specs (a ``river``
            cut ``from`` a waypoint, a ``border_reach``), joined end to start
``border_reach``   the stretch of a jurisdiction's outline that it shares with ``with`` (within
            50 m), between the points nearest the ``from`` and ``to`` waypoints: for a river that
            forms a border, so that the drawn river and the border are the same line
``buffer`` / ``ring``   a buffer of width ``distance_m`` (``ring`` = buffer minus the original)
``union`` / ``intersection`` / ``difference``
``ref``     the finished geometry of another element (``scheme_key.element_id``)

All operations run in CGCS2000 / 3-degree GK CM 120°E (EPSG:4549); the result is
clipped to the element's ``clip`` jurisdiction (default: the scheme's; ``null`` for
none), made valid, measured on the ellipsoid and written in EPSG:4490.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
import shapely.ops
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from suzhou_geo.boundaries import boundary  # noqa: E402
from suzhou_geo.crs import CGCS2000, CGCS2000_GK_CM120  # noqa: E402
from suzhou_geo.measure import area_km2, length_m  # noqa: E402
from suzhou_geo.spatial_schemes import ELEMENT_COLUMNS, ROLE_EN  # noqa: E402

DATA = ROOT / "data"
OUT = DATA / "schemes"
_TO_M = Transformer.from_crs(CGCS2000, CGCS2000_GK_CM120, always_xy=True)
_TO_G = Transformer.from_crs(CGCS2000_GK_CM120, CGCS2000, always_xy=True)
_BORDER_M = 50.0  # sliver tolerance between neighbouring Amap polygons (as suzhou_geo.shared_border)
_LINE_CLIP_M = 5.0
_VIA_M = 3000.0  # a named place on a border reach: within the waypoints' own ±3 km


def to_metric(geom):
    return shapely.transform(geom, _TO_M.transform, interleaved=False)


def to_geographic(geom):
    return shapely.transform(geom, _TO_G.transform, interleaved=False)


class Builder:
    """Evaluates geometry specs of the catalogue (all in EPSG:4549)."""

    def __init__(self) -> None:
        self.lakes = gpd.read_file(DATA / "hydrography" / "lakes.geojson").set_crs(CGCS2000, allow_override=True)
        self.rivers = gpd.read_file(DATA / "hydrography" / "rivers.geojson").set_crs(CGCS2000, allow_override=True)
        self.yangtze = gpd.read_file(DATA / "hydrography" / "yangtze.geojson").set_crs(CGCS2000, allow_override=True)
        self.done: dict[str, shapely.Geometry] = {}  # "scheme.element" -> finished metric geometry
        self._admin: dict[str, shapely.Geometry] = {}

    def admin(self, name: str):
        """Return the metric outline of the administrative unit *name* (computed once)."""
        if name not in self._admin:
            self._admin[name] = to_metric(boundary(name).geometry.iloc[0])
        return self._admin[name]

    @staticmethod
    def _xy(wp, where: str):
        if not (isinstance(wp, list) and len(wp) == 4 and isinstance(wp[2], str) and wp[3]):
            raise ValueError(f"{where}: a waypoint must be [lon, lat, place, source]; got {wp!r}")
        lon, lat = float(wp[0]), float(wp[1])
        if not (119.0 < lon < 122.5 and 30.0 < lat < 33.0):
            raise ValueError(f"{where}: waypoint {wp!r} lies outside the Suzhou region")
        return _TO_M.transform(lon, lat)

    def border_reach(self, spec: dict, where: str):
        """Return the stretch of ``of``'s own outline shared with ``with``, between ``from`` and ``to``.

        Taken from the very outline the element is later clipped to, so clipping keeps all of it.
        """
        outline = shapely.boundary(self.admin(spec["of"]))
        other = shapely.union_all([self.admin(n) for n in spec["with"]])
        shared = shapely.line_merge(shapely.intersection(outline, shapely.buffer(other, _BORDER_M)))
        a = shapely.Point(self._xy(spec["from"], where))
        b = shapely.Point(self._xy(spec["to"], where))
        pieces = [p for p in shapely.get_parts(shared) if p.geom_type == "LineString"]
        piece = min(pieces, key=lambda p: p.distance(a) + p.distance(b))
        if piece.distance(a) > _BORDER_M or piece.distance(b) > _BORDER_M:
            raise ValueError(f"{where}: border_reach ends are not on one stretch of the {spec['of']} border")
        da, db = piece.project(a), piece.project(b)
        reach = shapely.ops.substring(piece, da, db)  # reversed when db < da: from `from` to `to`
        for via in spec.get("via", []):  # named places on the reach, checked, not used for the shape
            if reach.distance(shapely.Point(self._xy(via, where))) > _VIA_M:
                raise ValueError(f"{where}: {via[2]!r} lies more than {_VIA_M:g} m from the border reach")
        return reach

    def path(self, parts: list, where: str):
        """One LineString through the parts in order (waypoints or line-valued specs)."""
        coords: list[tuple[float, float]] = []
        for part in parts:
            pts = [self._xy(part, where)] if isinstance(part, list) else _coords(self.eval(part, where))
            for c in pts:
                if not coords or np.hypot(c[0] - coords[-1][0], c[1] - coords[-1][1]) > 0.01:
                    coords.append(c)
        return shapely.LineString(coords)

    def eval(self, spec: dict, where: str):
        """Evaluate one geometry *spec* (its ``op`` and operands) to a metric geometry."""
        op = spec.get("op")
        if op == "admin":
            return self.admin(spec["name"])
        if op == "lake":
            hit = self.lakes[self.lakes.name_zh == spec["name"]]
            if len(hit) != 1:
                raise ValueError(f"{where}: GSHHG has no lake {spec['name']!r} (data/hydrography/lakes.geojson)")
            return to_metric(hit.geometry.iloc[0])
        if op == "river":
            hit = self.rivers[self.rivers.name_zh == spec["name"]]
            if hit.empty:
                raise ValueError(f"{where}: GSHHG has no river {spec['name']!r} (data/hydrography/rivers.geojson)")
            line = to_metric(shapely.line_merge(shapely.union_all(hit.geometry.values)))
            if "from" in spec:
                line = _downstream_of(line, shapely.Point(self._xy(spec["from"], where)), where)
            return line
        if op == "border_reach":
            return self.border_reach(spec, where)
        if op == "path":
            return self.path(spec["parts"], where)
        if op == "yangtze":
            hit = self.yangtze[self.yangtze.part == spec["part"]]
            if len(hit) != 1:
                raise ValueError(f"{where}: no Yangtze part {spec['part']!r} in data/hydrography/yangtze.geojson")
            return to_metric(hit.geometry.iloc[0])
        if op == "line":
            return shapely.LineString([self._xy(w, where) for w in spec["waypoints"]])
        if op == "polygon":
            return shapely.make_valid(shapely.Polygon([self._xy(w, where) for w in spec["waypoints"]]))
        if op == "point":
            return shapely.Point(self._xy(spec["at"], where))
        if op == "circle":
            return shapely.Point(self._xy(spec["centre"], where)).buffer(float(spec["radius_m"]), quad_segs=32)
        if op == "ellipse":  # axis-aligned in EPSG:4549: semi-axes east-west and north-south
            x, y = self._xy(spec["centre"], where)
            a, b = (float(v) for v in spec["semi_axes_m"])
            unit = shapely.Point(x, y).buffer(1.0, quad_segs=64)
            return shapely.affinity.scale(unit, a, b, origin=(x, y))
        if op == "box":
            w, s, e, n = spec["bounds"]
            return to_metric(shapely.box(w, s, e, n).segmentize(0.001))
        if op == "buffer":
            return shapely.buffer(self.eval(spec["of"], where), float(spec["distance_m"]), quad_segs=16)
        if op == "ring":
            base = self.eval(spec["of"], where)
            return shapely.difference(shapely.buffer(base, float(spec["distance_m"]), quad_segs=16), base)
        if op == "union":
            return shapely.union_all([self.eval(s, where) for s in spec["of"]])
        if op == "intersection":
            return shapely.intersection(self.eval(spec["of"], where), self.eval(spec["with"], where))
        if op == "difference":
            minus = shapely.union_all([self.eval(s, where) for s in spec["minus"]])
            return shapely.difference(self.eval(spec["of"], where), minus)
        if op == "ref":
            if spec["element"] not in self.done:
                raise ValueError(f"{where}: ref {spec['element']!r} is not built yet "
                                 "(list it earlier in the catalogue)")
            return self.done[spec["element"]]
        raise ValueError(f"{where}: unknown geometry op {op!r}")


def _downstream_of(line, point, where: str):
    """Return the part of *line* (drawn upstream to downstream) from its point nearest *point* on."""
    if line.geom_type != "LineString":
        raise ValueError(f"{where}: the river must be one connected line to be cut; got {line.geom_type}")
    return shapely.ops.substring(line, line.project(point), line.length)


def _coords(geom) -> list[tuple[float, float]]:
    return [tuple(c) for c in shapely.get_coordinates(geom)]


def _clean(geom, kind_hint: str):
    """Return valid geometry of one dimension (the dimension of the spec's result)."""
    geom = shapely.make_valid(geom)
    parts = shapely.get_parts(geom)
    dims = shapely.get_dimensions(parts)
    top = dims.max() if len(parts) else -1
    keep = parts[(dims == top) & ~shapely.is_empty(parts)]
    if top == 2:
        keep = keep[shapely.area(keep) > 1.0]  # drop clipping slivers below 1 m²
        out = shapely.union_all(keep)
    elif top == 1:
        out = shapely.line_merge(shapely.union_all(keep))
    else:
        out = shapely.union_all(keep)
    return out


def _clip_area(area, geom):
    """Return the polygon to clip *geom* to: *area* itself, grown by 5 m for lines.

    A line drawn along the jurisdiction's own outline (望虞河 where it forms the 苏州/无锡
    border) would otherwise be cut into pieces by floating-point noise and metre-scale kinks of
    the outline at a tripoint; 5 m changes no line by more than that at each crossing (all lines
    are ±500 m or coarser), and polygons are clipped exactly.
    """
    if shapely.get_dimensions(geom) == 1:
        return shapely.buffer(area, _LINE_CLIP_M)
    return area


def _flag(el: dict, key: str, where: str) -> bool:
    if not isinstance(el.get(key), bool):
        raise ValueError(f"{where}: {key} must be true or false; got {el.get(key)!r}")
    return el[key]


def build() -> tuple[gpd.GeoDataFrame, dict]:
    cat = json.loads((OUT / "catalogue.json").read_text(encoding="utf-8"))
    b = Builder()
    rows, geoms = [], []
    for sch in cat["schemes"]:
        for el in sch["elements"]:
            eid = f"{sch['key']}.{el['id']}"
            where = f"catalogue.json scheme {sch['key']!r} element {el['id']!r}"
            if el["role"] not in ROLE_EN:
                raise ValueError(f"{where}: role {el['role']!r} not one of {sorted(ROLE_EN)}")
            geom = b.eval(el["geometry"], where)
            clip = el.get("clip", sch["jurisdiction"])
            if clip is not None:
                geom = shapely.intersection(geom, _clip_area(b.admin(clip), geom))
            geom = _clean(geom, el["geometry"]["op"])
            if geom.is_empty or not geom.is_valid:
                raise ValueError(f"{where}: geometry is empty or invalid after clipping to {clip}")
            b.done[eid] = geom
            rows.append({
                "scheme": sch["name_zh"],
                "scheme_key": sch["key"],
                "element_id": eid,
                "role": el["role"],
                "role_en": ROLE_EN[el["role"]],
                "name_zh": el["name_zh"],
                "name_en": el["name_en"],
                "basis": el["basis"],
                "accuracy_m": int(el["accuracy_m"]),
                "source": el["source"],
                "note": el.get("note", ""),
                "role_inferred": _flag(el, "role_inferred", where),
                "role_evidence": el["role_evidence"],
                "geometry_inferred": _flag(el, "geometry_inferred", where),
                "clipped_to": clip or "",
            })
            geoms.append(to_geographic(geom))
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=CGCS2000)
    poly = gdf.geom_type.isin(["Polygon", "MultiPolygon"])
    line = gdf.geom_type.isin(["LineString", "MultiLineString"])
    gdf["area_km2"] = np.where(poly, area_km2(gdf).round(3), np.nan)
    gdf["length_km"] = np.where(line, (length_m(gdf) / 1000).round(3), np.nan)
    gdf = gdf[[*ELEMENT_COLUMNS, "clipped_to", "area_km2", "length_km", "geometry"]]
    info = {
        "built_on": date.today().isoformat(),
        "elements": len(gdf),
        "by_scheme": gdf.groupby("scheme_key", sort=False).size().to_dict(),
        "main_centre_km2": float(gdf.loc[gdf.element_id == "structure.main", "area_km2"].iloc[0]),
    }
    return gdf, info


def main() -> None:
    gdf, info = build()
    path = OUT / "elements.geojson"
    if path.exists():
        path.unlink()
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio", layer_options={"COORDINATE_PRECISION": 6, "RFC7946": "NO"})
    (OUT / "build_info.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    json.dump(info, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
