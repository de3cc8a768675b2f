"""Build data/schemes/elements.geojson from data/schemes/catalogue.json.

Run (after ``scripts/build_hydrography.py``; no network, no external tools):

    python scripts/build_schemes.py

Every element of every scheme in the catalogue is built from a small tree of
geometry operations (see data/schemes/README.md):

``admin``   a jurisdiction polygon from data/boundaries
``lake``    a named GSHHG lake (data/hydrography/lakes.geojson)
``river``   a named GSHHG river/canal line (data/hydrography/rivers.geojson)
``yangtze`` a part of data/hydrography/yangtze.geojson
``line`` / ``polygon`` / ``point`` / ``circle`` / ``box``   schematic waypoints, each citing its source
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
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from suzhou_geo.boundaries import boundary  # noqa: E402
from suzhou_geo.crs import CGCS2000, CGCS2000_GK_CM120  # noqa: E402
from suzhou_geo.measure import area_km2, length_m  # noqa: E402
from suzhou_geo.schemes import ELEMENT_COLUMNS, ROLE_EN  # noqa: E402

DATA = ROOT / "data"
OUT = DATA / "schemes"
_TO_M = Transformer.from_crs(CGCS2000, CGCS2000_GK_CM120, always_xy=True)
_TO_G = Transformer.from_crs(CGCS2000_GK_CM120, CGCS2000, always_xy=True)


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

    def eval(self, spec: dict, where: str):
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
            return to_metric(shapely.line_merge(shapely.union_all(hit.geometry.values)))
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
                raise ValueError(f"{where}: ref {spec['element']!r} is not built yet (list it earlier in the catalogue)")
            return self.done[spec["element"]]
        raise ValueError(f"{where}: unknown geometry op {op!r}")


def _clean(geom, kind_hint: str):
    """Valid geometry of one dimension (the dimension of the spec's result)."""
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
                geom = shapely.intersection(geom, b.admin(clip))
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
                "inferred": bool(el["inferred"]),
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
