"""A corpus of the inputs planners actually have, built from scratch (never hand-edited files).

Run ``python tests/bad_inputs.py OUTDIR`` to write the corpus to a folder and
look at it in QGIS; the tests build it in a temporary folder with :func:`build`.

Every case is a real file in a format users have (Shapefile with and without
``.cpg``/``.prj``, GeoPackage, GeoJSON, CSV) holding the same few parcels near
巴城 in 昆山市, written the way some real source writes them: a legacy datum,
a lying code page, swapped axes, a zone prefix under the wrong ``.prj``, broken
rings, columns named like report columns.  :data:`TRUTH` is where the parcels
really are (CGCS2000); each :class:`Case` says what the library must do with
the file: read it right (``"ok"``), flag rows (``"verdict"``), or refuse it
with an error of a given class whose message says what to pass (``"error"``).

The made-up Helmert parameters :data:`HELMERT` stand in for the local
transformation a surveying bureau issues; the legacy coordinates are computed
from the truth with an *independent* PROJ definition (a ``+towgs84`` bound CRS),
not with the library.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import Polygon, box

#: Made-up 7-parameter transformation (position vector; m, arc-seconds, ppm) to CGCS2000.
HELMERT = {"dx": -32.0, "dy": 118.0, "dz": 64.0, "rx": 0.8, "ry": -1.1, "rz": 2.3, "ds": 3.5}

#: Three 100 m parcels near 巴城 (昆山市), in CGCS2000 lon/lat, and their attributes.
LON0, LAT0 = 120.90, 31.45
NAMES = ["巴城镇工业地块", "阳澄湖东岸地块", "花桥商务区地块"]


def _square(lon: float, lat: float, side_m: float = 100.0) -> Polygon:
    dlat = side_m / 110_900.0
    dlon = side_m / (111_320.0 * np.cos(np.radians(lat)))
    return box(lon, lat, lon + dlon, lat + dlat)


TRUTH = [_square(LON0 + 0.01 * i, LAT0) for i in range(3)]


def truth_frame() -> gpd.GeoDataFrame:
    """Return the parcels as they really are: CGCS2000, UTF-8 attributes."""
    return gpd.GeoDataFrame({"名称": NAMES, "编号": ["A1", "A2", "A3"]}, geometry=TRUTH, crs="EPSG:4490")


@dataclass
class Case:
    """One file of the corpus and what the library must do with it."""

    name: str
    file: str
    what: str  # what the case stands for
    expect: str  # "ok" | "error" | "verdict"
    options: dict = field(default_factory=dict)  # reading options that make it right (for "ok" after the fix)
    error: str | None = None  # error class name
    match: list = field(default_factory=list)  # words the message must contain
    rows: dict = field(default_factory=dict)  # row label -> expected verdict
    warns: bool = False  # a SuzhouGeoWarning must say what was guessed


def legacy_crs(epsg: int) -> CRS:
    """Return the legacy CRS *epsg* bound to CGCS2000≈WGS84 by :data:`HELMERT`, written independently as PROJ text."""
    base = CRS.from_epsg(epsg)
    h = HELMERT
    towgs = f"+towgs84={h['dx']},{h['dy']},{h['dz']},{h['rx']},{h['ry']},{h['rz']},{h['ds']}"
    ell = base.ellipsoid
    if base.is_geographic:
        return CRS.from_proj4(f"+proj=longlat +a={ell.semi_major_metre} +rf={ell.inverse_flattening} {towgs} +no_defs")
    p = base.to_json_dict()["conversion"]["parameters"]
    vals = {q["name"]: q["value"] for q in p}
    return CRS.from_proj4(
        f"+proj=tmerc +lat_0={vals['Latitude of natural origin']} +lon_0={vals['Longitude of natural origin']} "
        f"+k={vals['Scale factor at natural origin']} +x_0={vals['False easting']} +y_0={vals['False northing']} "
        f"+a={ell.semi_major_metre} +rf={ell.inverse_flattening} {towgs} +units=m +no_defs"
    )


def to_legacy(geoms, epsg: int):
    """Truth (CGCS2000 ≈ WGS84 lon/lat) to the legacy CRS through the independent bound CRS."""
    t = Transformer.from_crs("EPSG:4326", legacy_crs(epsg), always_xy=True)
    return [shapely.transform(shapely.segmentize(g, 0.0002), t.transform, interleaved=False) for g in geoms]


def _write(frame: gpd.GeoDataFrame, path: Path, **kw) -> None:
    pyogrio.write_dataframe(frame, path, **kw)


def build(folder: str | Path) -> list[Case]:
    """Write the corpus into *folder*; return the cases (also written to ``cases.json``)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    t = truth_frame()
    gk = t.to_crs("EPSG:4549")

    # -- legacy datums: Xi'an 1980 and Beijing 1954 (GK CM 120E, zone 40 prefixed), New Beijing, geographic
    for epsg, label in ((2385, "xian80_gk120"), (2437, "beijing54_gk120"), (2364, "xian80_zone40"),
                        (2416, "beijing54_zone40"), (4797, "newbeijing_gk120"), (4610, "xian80_geographic"),
                        (4214, "beijing54_geographic")):
        f = gpd.GeoDataFrame(t.drop(columns="geometry"), geometry=to_legacy(TRUTH, epsg), crs=f"EPSG:{epsg}")
        _write(f, out / f"{label}.shp", encoding="UTF-8")
        cases.append(Case(label, f"{label}.shp", f"parcels in EPSG:{epsg}, .prj written", "error",
                          {"datum_shift": HELMERT}, "DatumError", ["datum_shift", "approximate_datum", "no published"]))

    # -- no .prj: Gauss-Krüger metres with and without the zone prefix
    _write(gk, out / "gk_no_prj.shp", encoding="UTF-8")
    (out / "gk_no_prj.prj").unlink()
    cases.append(Case("gk_no_prj", "gk_no_prj.shp", "EPSG:4549 metres, no .prj", "error", {"crs": "EPSG:4549"},
                      "CRSError", ["EPSG:4549", "crs="]))
    z40 = gk.copy()
    z40["geometry"] = [shapely.affinity.translate(g, xoff=40_000_000) for g in gk.geometry]
    _write(z40, out / "zone40_under_4549_prj.shp", encoding="UTF-8")
    cases.append(Case("zone40_under_4549_prj", "zone40_under_4549_prj.shp",
                      "zone-prefixed eastings, .prj says EPSG:4549", "error",
                      {"crs": "EPSG:4528", "override_crs": True}, "CRSError", ["EPSG:4528", "zone prefix"]))

    # -- swapped axes: lat/lon in a GeoJSON, northing/easting in a Shapefile
    sw = t.copy()
    sw["geometry"] = [shapely.transform(g, lambda xy: xy[:, ::-1]) for g in t.geometry]
    _write(sw, out / "latlon_swapped.geojson")
    cases.append(Case("latlon_swapped", "latlon_swapped.geojson", "latitude first", "error", {"swap_xy": True},
                      "CRSError", ["swapped"]))
    swm = gk.copy()
    swm["geometry"] = [shapely.transform(g, lambda xy: xy[:, ::-1]) for g in gk.geometry]
    _write(swm.set_crs(None, allow_override=True), out / "gk_swapped_no_prj.shp", encoding="UTF-8")
    (out / "gk_swapped_no_prj.prj").unlink(missing_ok=True)
    cases.append(Case("gk_swapped_no_prj", "gk_swapped_no_prj.shp", "northing first, no .prj", "error",
                      {"crs": "EPSG:4549", "swap_xy": True}, "CRSError", ["swapped"]))

    # -- encodings: GBK without .cpg, .cpg lying (1252, UTF-8)
    for label, cpg in (("gbk_no_cpg", None), ("gbk_cpg_1252", "1252"), ("gbk_cpg_utf8", "UTF-8")):
        _write(t, out / f"{label}.shp", encoding="GBK")
        if cpg is None:
            (out / f"{label}.cpg").unlink()
        else:
            (out / f"{label}.cpg").write_text(cpg, encoding="ascii")
        cases.append(Case(label, f"{label}.shp", f"GBK text, .cpg: {cpg or 'none'}", "ok", warns=True))

    # -- a pandas-style CSV with a WKT geometry column (no CRS), and one written by Excel (GBK)
    t.to_csv(out / "pandas_wkt.csv", index=False)
    cases.append(Case("pandas_wkt_csv", "pandas_wkt.csv", "CSV with WKT 'geometry', no CRS", "error",
                      {"crs": "EPSG:4490"}, "CRSError", ["crs="]))
    (out / "excel_gbk_wkt.csv").write_bytes(t.to_csv(index=False).encode("gbk"))
    cases.append(Case("excel_gbk_wkt_csv", "excel_gbk_wkt.csv", "GBK CSV with WKT", "error", {"crs": "EPSG:4490"},
                      "CRSError", ["crs="], warns=True))

    # -- broken shapes in a GeoPackage: NaN vertex, hole outside its shell, zero-area ring, a sliver, a bow-tie
    x0, y0 = TRUTH[0].bounds[:2]
    d = 0.001
    broken = {
        "nan_vertex": Polygon([(x0, y0), (x0 + d, y0), (np.nan, y0 + d), (x0, y0 + d)]),
        "hole_outside": Polygon(box(x0, y0, x0 + d, y0 + d).exterior.coords,
                                [box(x0 + 2 * d, y0, x0 + 2.5 * d, y0 + 0.5 * d).exterior.coords]),
        "zero_area": Polygon([(x0, y0), (x0 + d, y0 + d), (x0 + 2 * d, y0 + 2 * d), (x0, y0)]),
        "sub_m2": box(x0, y0, x0 + 5e-6, y0 + 5e-6),
        "bowtie": Polygon([(x0, y0), (x0 + d, y0 + d), (x0 + d, y0), (x0, y0 + d)]),
        "fine": TRUTH[1],
    }
    bf = gpd.GeoDataFrame({"名称": list(broken)}, geometry=list(broken.values()), crs="EPSG:4490",
                          index=list(broken))
    bf.index.name = "label"
    _write(bf.reset_index(), out / "broken_rings.gpkg")
    cases.append(Case("broken_rings", "broken_rings.gpkg", "broken rings", "verdict",
                      rows={0: "invalid", 1: "review", 2: "invalid", 3: "invalid", 4: "review", 5: "pass"}))

    # -- columns named like report columns, and an attribute called "geometry"
    clash = t.assign(verdict=["已批", "待批", "已批"], reasons=["见附件"] * 3, district=["巴城镇"] * 3)
    _write(clash, out / "report_named_columns.gpkg")
    cases.append(Case("report_named_columns", "report_named_columns.gpkg", "columns verdict/reasons/district",
                      "ok", warns=True))
    g_attr = t.copy()
    _write(g_attr.assign(geom_text=["北侧", "东侧", "南侧"]).rename(columns={"geom_text": "geometry_attr"}),
           out / "plain.geojson")
    fc = json.loads((out / "plain.geojson").read_text(encoding="utf-8"))
    for feat in fc["features"]:
        feat["properties"]["geometry"] = feat["properties"].pop("geometry_attr")
    (out / "geometry_attribute.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    (out / "plain.geojson").unlink()
    cases.append(Case("geometry_attribute", "geometry_attribute.geojson", "a text attribute called geometry", "ok"))

    (out / "cases.json").write_text(json.dumps([asdict(c) for c in cases], ensure_ascii=False, indent=1),
                                    encoding="utf-8")
    return cases


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs")
    built = build(target)
    print(f"{len(built)} cases written to {target}/ (cases.json lists them)")
