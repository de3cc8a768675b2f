"""Build data/parcels/parcels.gpkg: a seeded, clearly SYNTHETIC set of development parcels.

    python scripts/build_parcels.py

The parcels are made to exercise every verdict of ``validate_parcels`` against the
bundled (illustrative) redlines and the 500 m 嘉定–昆山–太仓 joint-control zone:
inside redlines, straddling their edges, touching them along an edge, near them,
inside ecological space control areas, in the joint zone, clean, and a handful of
broken rows (self-intersecting, empty, a point, a line, a missing geometry, a
parcel outside Suzhou).  Column ``case`` records what each parcel was made to
be, so tests can check the verdicts against the intent.  Nothing here is a real
application for development.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import suzhou_geo as sg  # noqa: E402

SEED = 20261122
OUT = ROOT / "data" / "parcels"
GK = "EPSG:4549"
LAND_USES = ["工业 industrial", "居住 residential", "商业 commercial", "物流仓储 logistics",
             "公共设施 public facilities"]


def rect(cx: float, cy: float, w: float, h: float, angle: float) -> Polygon:
    """Return a w x h rectangle centred on (cx, cy), rotated by angle (radians), in metres."""
    c, s = np.cos(angle), np.sin(angle)
    pts = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    rot = pts @ np.array([[c, s], [-s, c]])
    return Polygon(rot + [cx, cy])


def random_points_in(geom, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    out = []
    while len(out) < n:
        xs = rng.uniform(minx, maxx, 4 * n)
        ys = rng.uniform(miny, maxy, 4 * n)
        ok = shapely.contains_xy(geom, xs, ys)
        out.extend(zip(xs[ok], ys[ok], strict=True))
    return np.array(out[:n])


def main() -> None:
    rng = np.random.default_rng(SEED)
    red = sg.load_redlines().to_crs(GK)
    epr = red[red.kind == "ecological_protection_redline"]
    esc = red[red.kind == "ecological_space_control"]
    epr_u = shapely.union_all(epr.geometry.values)
    all_u = shapely.union_all(red.geometry.values)
    zone = shapely.union_all(sg.joint_control_zone().to_crs(GK).geometry.values)
    units = sg.jurisdictions(suzhou_only=True, geometry=True)
    suzhou = units[units.level == "city"].to_crs(GK).geometry.iloc[0]
    land = shapely.difference(suzhou, all_u)
    rows: list[tuple[str, Polygon | None]] = []

    def add(case: str, geom) -> None:
        rows.append((case, geom))

    # inside ecological protection redlines: small parcels wholly inside (land or water, as filed)
    # spread over the features (not by area, or nearly all would fall in 太湖's water), inside Suzhou
    inners = [shapely.intersection(shapely.buffer(g, -300), shapely.buffer(suzhou, -300)) for g in epr.geometry.values]
    inners = [g for g in inners if not g.is_empty and g.area > 1e5]
    per = np.bincount(rng.integers(0, len(inners), 60), minlength=len(inners))
    for inner, k in zip(inners, per, strict=True):
        for x, y in random_points_in(inner, int(k), rng) if k else []:
            add("inside_redline", rect(x, y, rng.uniform(60, 200), rng.uniform(60, 200), rng.uniform(0, np.pi)))
    # straddling redline edges: centred on a boundary point
    boundary = shapely.boundary(epr_u)
    for f in rng.uniform(0, 1, 50):
        p = shapely.line_interpolate_point(boundary, f, normalized=True)
        add("straddles_redline", rect(p.x, p.y, rng.uniform(120, 300), rng.uniform(120, 300), rng.uniform(0, np.pi)))
    # near an ecological protection redline but not touching any redline: 45-80 m outside its edge
    ring = shapely.difference(shapely.buffer(epr_u, 80), shapely.buffer(all_u, 45))
    ring = shapely.intersection(ring, land)
    for x, y in random_points_in(ring, 40, rng):
        add("near_redline", rect(x, y, 40, 40, 0.0))
    # inside ecological space control areas but outside protection redlines
    esc_only = shapely.buffer(
        shapely.difference(shapely.union_all(esc.geometry.values), shapely.buffer(epr_u, 200)), -150)
    if not esc_only.is_empty:
        for x, y in random_points_in(esc_only, 30, rng):
            add("inside_space_control", rect(x, y, rng.uniform(60, 150), rng.uniform(60, 150), rng.uniform(0, np.pi)))
    # in the 500 m joint-control zone, away from redlines
    zone_free = shapely.buffer(shapely.difference(shapely.intersection(zone, land), shapely.buffer(all_u, 300)), -60)
    for x, y in random_points_in(zone_free, 40, rng):
        add("joint_zone", rect(x, y, rng.uniform(40, 90), rng.uniform(40, 90), rng.uniform(0, np.pi)))
    # clean: on land, far from redlines, outside the joint zone
    clean = shapely.buffer(
        shapely.difference(land, shapely.union(shapely.buffer(all_u, 600), shapely.buffer(zone, 200))), -150)
    for x, y in random_points_in(clean, 150, rng):
        add("clean", rect(x, y, rng.uniform(80, 400), rng.uniform(80, 400), rng.uniform(0, np.pi)))
    # touching a redline along an edge only: extrude a boundary segment of a redline outward
    touched = 0
    for geom in epr.geometry.values:
        if touched == 4:
            break
        poly = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        coords = np.asarray(poly.exterior.coords)
        seg_len = np.hypot(*np.diff(coords, axis=0).T)
        for i in np.argsort(-seg_len)[:20]:
            (x0, y0), (x1, y1) = coords[i], coords[i + 1]
            nx, ny = (y1 - y0), -(x1 - x0)
            n = np.hypot(nx, ny)
            if n < 30:
                continue
            for sign in (1, -1):
                off = sign * 60.0 / n
                cand = Polygon([(x0, y0), (x1, y1), (x1 + nx * off, y1 + ny * off), (x0 + nx * off, y0 + ny * off)])
                if (
                    cand.is_valid
                    and shapely.intersection(cand, all_u).area < 1e-3
                    and cand.distance(epr_u) < 1e-6
                    and shapely.intersection(cand, land).area > 0.99 * cand.area
                ):
                    add("touches_redline_edge", cand)
                    touched += 1
                    break
            else:
                continue
            break
    # a multipart parcel: two pieces on clean land
    (x, y), = random_points_in(clean, 1, rng)
    add("multipart_clean", shapely.MultiPolygon([rect(x, y, 80, 80, 0), rect(x + 200, y, 80, 80, 0)]))
    # broken rows
    (x, y), = random_points_in(clean, 1, rng)
    add("broken_self_intersecting", Polygon([(x, y), (x + 200, y + 200), (x + 200, y), (x, y + 200)]))
    add("broken_empty", Polygon())
    (x, y), = random_points_in(clean, 1, rng)
    add("broken_point", Point(x, y))
    add("broken_line", LineString([(x, y), (x + 300, y + 150)]))
    add("broken_missing", None)
    # outside Suzhou (in 青浦区 east of 淀山湖, far from the joint band) and a 无锡 parcel
    for nm in ("青浦区", "锡山区"):
        other = sg.boundary(nm).to_crs(GK).geometry.iloc[0]
        far = shapely.buffer(shapely.difference(other, shapely.buffer(suzhou, 3000)), -500)
        (x, y), = random_points_in(far, 1, rng)
        add("outside_suzhou", rect(x, y, 150, 150, 0.3))

    # shuffle so that cases are interleaved, as in a real file
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    cases = [c for c, _ in rows]
    geoms = gpd.GeoSeries([g for _, g in rows], crs=GK)
    geo4490 = geoms.copy()
    arr = np.asarray(geoms.values)
    ok = ~shapely.is_missing(arr) & ~shapely.is_empty(arr)
    geo4490[ok] = geoms[ok].to_crs(sg.CGCS2000)
    geo4490 = geo4490.set_crs(sg.CGCS2000, allow_override=True)
    n = len(rows)
    gdf = gpd.GeoDataFrame(
        {
            "parcel_id": [f"SYN-{i + 1:04d}" for i in range(n)],
            "name": [f"合成地块 synthetic parcel {i + 1:04d}" for i in range(n)],
            "land_use": rng.choice(LAND_USES, n),
            "case": cases,
            "synthetic": True,
        },
        geometry=geo4490.values,
        crs=sg.CGCS2000,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "parcels.gpkg"
    if target.exists():
        target.unlink()
    # GeoPackage 1.2: QGIS 3.22 and ArcGIS 10.x open it without a version warning
    gdf.to_file(target, layer="parcels", engine="pyogrio", VERSION="1.2")
    print(f"{n} parcels written to {target}")
    print(gdf["case"].value_counts().to_string())


if __name__ == "__main__":
    main()
