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
import warnings
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
    role: str = "parcels"  # what the file is given as: parcels, redlines, minus, zones, raster, map, output
    output: str | None = None  # role "output": the extension written
    forbid: list = field(default_factory=list)  # words the message must not contain (wrong advice)


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


# --------------------------------------------------------------------------- the second round

#: A circle of this radius (m, EPSG:4549) around the first parcel, drawn as a true curve.
CURVE_RADIUS_M = 100.0


def _wkb_curve_polygon(cx: float, cy: float, r: float) -> bytes:
    """ISO WKB of a CurvePolygon: one CircularString ring, a full circle through four quarter points."""
    import struct

    pts = [(cx + r, cy), (cx, cy + r), (cx - r, cy), (cx, cy - r), (cx + r, cy)]
    ring = struct.pack("<BII", 1, 8, len(pts)) + b"".join(struct.pack("<2d", *q) for q in pts)
    return struct.pack("<BII", 1, 10, 1) + ring


def _wkb_compound_polygon(cx: float, cy: float, r: float) -> bytes:
    """ISO WKB of a CurvePolygon whose ring is a CompoundCurve: half a circle closed by its diameter."""
    import struct

    arc = struct.pack("<BII", 1, 8, 3) + struct.pack("<6d", cx + r, cy, cx, cy + r, cx - r, cy)
    line = struct.pack("<BII", 1, 2, 2) + struct.pack("<4d", cx - r, cy, cx + r, cy)
    return struct.pack("<BII", 1, 10, 1) + struct.pack("<BII", 1, 9, 2) + arc + line


def _wkb_polygon_m(coords: list, zm: bool) -> bytes:
    import struct

    code, dims = (3003, 4) if zm else (2003, 3)
    return struct.pack("<BIII", 1, code, 1, len(coords)) + b"".join(struct.pack(f"<{dims}d", *c) for c in coords)


def _raw_layer(path: Path, wkb: list, names: list, crs: str) -> None:
    """Write WKB as it is (curves and measures, which shapely cannot build) with pyogrio's raw writer."""
    from pyogrio.raw import write

    write(str(path), geometry=np.array(wkb, dtype=object), field_data=[np.array(names, dtype=object)],
          fields=["名称"], geometry_type="Unknown", crs=crs, driver="GPKG")


#: The names of the second round's cases, in the order :func:`build_round_two` writes them.
ROUND_TWO = (
    "inf_coords", "far_away", "nested_collection", "curves", "unclosed_ring_geojson", "unclosed_ring_kml",
    "unclosed_ring_minus", "empty_redlines", "empty_parcels", "corrupt_parcels", "corrupt_zones", "corrupt_redlines",
    "table_xlsx", "attribute_table_gpkg", "lone_dbf", "report_workbook", "utm51_no_prj", "utf8_cpg_gbk",
    "zipped_subfolder", "raster_no_crs_degrees", "wrong_band", "case_duplicates", "fgb_row_order", "long_wkt_xlsx",
    "measured_shapefile", "dxf_null_column", "nan_map",
)


def build_round_two(folder: str | Path) -> list[Case]:
    """Write the second round of the corpus (issue "a house with one direction") into *folder*.

    Each case is a file a planner may really hold, and says where it is given
    (``role``) and what the library must do with it, through the API and the
    command line, streamed and in memory.
    """
    import pandas as pd
    import rasterio
    from rasterio.transform import from_origin

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    t = truth_frame()
    gk = t.to_crs("EPSG:4549")

    # -- coordinates: infinite, far away, nested collections, curves, unclosed rings
    inf = t.copy()
    x0, y0 = TRUTH[0].bounds[:2]
    inf.loc[0, "geometry"] = Polygon([(x0, y0), (np.inf, y0), (x0 + 0.001, y0 + 0.001)])
    _write(inf, out / "inf_coords.gpkg")
    cases.append(Case("inf_coords", "inf_coords.gpkg", "a vertex at infinity", "verdict",
                      rows={0: "invalid", 1: "pass", 2: "pass"}))
    far = gpd.GeoDataFrame({"名称": ["远处地块"]}, geometry=[_square(110.0, 35.0, 300.0)], crs="EPSG:4490")
    _write(far, out / "far_away.gpkg")
    cases.append(Case("far_away", "far_away.gpkg", "a parcel 1000 km west, in Shaanxi", "verdict",
                      rows={0: "review"}))
    nested = shapely.GeometryCollection([shapely.GeometryCollection([TRUTH[0]]), shapely.Point(x0, y0)])
    _write(gpd.GeoDataFrame({"名称": ["ST_Collect 的结果"]}, geometry=[nested], crs="EPSG:4490"),
           out / "nested_collection.gpkg")
    cases.append(Case("nested_collection", "nested_collection.gpkg", "a polygon inside a collection inside a "
                      "collection (what ST_Collect makes)", "verdict", rows={0: "pass"}))
    cx, cy = gk.geometry.iloc[0].centroid.coords[0]
    _raw_layer(out / "curves.gpkg", [_wkb_curve_polygon(cx, cy, CURVE_RADIUS_M),
                                     _wkb_compound_polygon(cx + 1000, cy, CURVE_RADIUS_M)],
               ["圆形水源地", "半圆"], "EPSG:4549")
    cases.append(Case("curves", "curves.gpkg", "a CurvePolygon circle and a CompoundCurve half circle "
                      "(ArcGIS writes them)", "verdict", rows={0: "pass", 1: "pass"}))
    ring = [list(c) for c in TRUTH[0].exterior.coords][:-1]  # the closing vertex left out
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": NAMES[0]}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    (out / "unclosed_ring.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    cases.append(Case("unclosed_ring_geojson", "unclosed_ring.geojson", "a ring without its closing vertex",
                      "verdict", rows={0: "pass"}))
    kml = ("<?xml version='1.0' encoding='UTF-8'?><kml xmlns='http://www.opengis.net/kml/2.2'><Document>"
           f"<Placemark><name>{NAMES[0]}</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
           + " ".join(f"{x},{y}" for x, y in ring)
           + "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>")
    (out / "unclosed_ring.kml").write_text(kml, encoding="utf-8")
    cases.append(Case("unclosed_ring_kml", "unclosed_ring.kml", "a KML ring without its closing vertex",
                      "verdict", rows={0: "pass"}))
    cases.append(Case("unclosed_ring_minus", "unclosed_ring.geojson", "the same as proposed parcels (minus=)",
                      "ok", role="minus"))

    # -- layers that are empty, damaged, or tables without geometry
    _write(t.iloc[:0], out / "empty_layer.gpkg")
    cases.append(Case("empty_redlines", "empty_layer.gpkg", "a redline layer without features", "error",
                      error="InputError", match=["no features"], role="redlines"))
    cases.append(Case("empty_parcels", "empty_layer.gpkg", "a parcel layer without features", "ok"))
    (out / "corrupt.gpkg").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    for role in ("parcels", "zones", "redlines"):
        cases.append(Case(f"corrupt_{role}", "corrupt.gpkg", f"a damaged GeoPackage as {role}", "error",
                          error="ReadError", match=["damaged"], role=role))
    pd.DataFrame({"地块编号": ["A1", "A2"], "面积": [1.0, 2.0]}).to_excel(out / "table.xlsx", index=False)
    cases.append(Case("table_xlsx", "table.xlsx", "a spreadsheet without geometry", "error", error="ReadError",
                      match=["点号", "no header with a point number"]))
    pyogrio.write_dataframe(pd.DataFrame({"地块编号": ["A1"]}), out / "attribute_table.gpkg", layer="属性表")
    cases.append(Case("attribute_table_gpkg", "attribute_table.gpkg", "a GeoPackage attribute table",
                      "error", error="ReadError", match=["no geometry"]))
    pyogrio.write_dataframe(pd.DataFrame({"编号": ["A1"]}), out / "lone.dbf", driver="ESRI Shapefile")
    cases.append(Case("lone_dbf", "lone.dbf", "the .dbf of a Shapefile, alone", "error", error="ReadError",
                      match=["no geometry", ".shp"]))
    import suzhou_geo as sg  # the library's own workbook, with its geometry as WKT

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = sg.validate_parcels(t, redlines=False, joint_zones=False, schemes=False)
        sg.write_layer(report, out / "report_workbook.xlsx", wkt=True)
    cases.append(Case("report_workbook", "report_workbook.xlsx", "the library's own workbook (WKT, no CRS)",
                      "error", {"crs": "EPSG:4490"}, "CRSError", ["crs"]))

    # -- coordinate reference systems and encodings
    utm = t.to_crs("EPSG:32651")
    _write(utm, out / "utm51_no_prj.shp", encoding="UTF-8")
    (out / "utm51_no_prj.prj").unlink()
    cases.append(Case("utm51_no_prj", "utm51_no_prj.shp", "UTM zone 51N metres, no .prj", "error",
                      {"crs": "EPSG:32651"}, "CRSError", ["EPSG:32651", "EPSG:4550"], forbid=["EPSG:4549"]))
    _write(t, out / "utf8_cpg_gbk.shp", encoding="UTF-8")
    (out / "utf8_cpg_gbk.cpg").write_text("GBK", encoding="ascii")
    cases.append(Case("utf8_cpg_gbk", "utf8_cpg_gbk.shp", "UTF-8 text, the .cpg says GBK", "ok", warns=True))
    import zipfile

    _write(t, out / "zipped.shp", encoding="UTF-8")
    with zipfile.ZipFile(out / "zipped_subfolder.zip", "w") as z:
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            z.write(out / f"zipped{ext}", f"地块/zipped{ext}")  # Windows' "send to compressed folder"
            (out / f"zipped{ext}").unlink()
    cases.append(Case("zipped_subfolder", "zipped_subfolder.zip", "a zipped Shapefile inside a folder", "ok"))
    with rasterio.open(out / "raster_no_crs_degrees.tif", "w", driver="GTiff", width=20, height=20, count=1,
                       dtype="uint8", transform=from_origin(LON0 - 0.01, LAT0 + 0.02, 0.002, 0.002)) as ds:
        ds.write(np.full((1, 20, 20), 50, dtype="uint8"))
    cases.append(Case("raster_no_crs_degrees", "raster_no_crs_degrees.tif", "a raster without a CRS, in degrees",
                      "error", error="CRSError", match=["EPSG:4490", "degrees"], role="raster",
                      forbid=["EPSG:4549"]))
    with rasterio.open(out / "landcover.tif", "w", driver="GTiff", width=40, height=20, count=1, dtype="uint8",
                       crs="EPSG:4490", transform=from_origin(LON0 - 0.01, LAT0 + 0.02, 0.002, 0.002),
                       nodata=0) as ds:
        ds.write(np.full((1, 20, 40), 50, dtype="uint8"))
    cases.append(Case("wrong_band", "landcover.tif", "band 3 of a one-band raster", "error",
                      {"band": 3}, "InputError", ["band"], role="raster"))

    # -- what the writers must keep (or refuse, naming the limit)
    cases.append(Case("case_duplicates", "case_duplicates.geojson", "columns Name and name", "ok",
                      role="output", output=".gpkg"))
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"Name": "甲", "name": "乙"}, "geometry": json.loads(
            shapely.to_geojson(g))} for g in TRUTH]}
    (out / "case_duplicates.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    rng = np.random.default_rng(5)
    order = rng.permutation(60)
    many = gpd.GeoDataFrame({"序号": np.arange(60)}, crs="EPSG:4490",
                            geometry=[_square(LON0 + 0.002 * (k % 10), LAT0 + 0.002 * (k // 10)) for k in order])
    _write(many, out / "many_rows.gpkg")
    cases.append(Case("fgb_row_order", "many_rows.gpkg", "rows scattered in space, written to FlatGeobuf",
                      "ok", role="output", output=".fgb"))
    ang = np.linspace(0, 2 * np.pi, 2500)[:-1]
    big = Polygon(np.c_[LON0 + 0.01 * np.cos(ang), LAT0 + 0.01 * np.sin(ang)])
    _write(gpd.GeoDataFrame({"名称": ["大地块"]}, geometry=[big], crs="EPSG:4490"), out / "long_wkt.gpkg")
    cases.append(Case("long_wkt_xlsx", "long_wkt.gpkg", "a geometry whose WKT is longer than an Excel cell",
                      "error", {"wkt": True}, "OutputError", ["32,767", ".gpkg"], role="output", output=".xlsx"))
    square = [(x, y) for x, y in TRUTH[0].exterior.coords]
    _raw_layer(out / "measured.gpkg", [_wkb_polygon_m([(x, y, 7.5) for x, y in square], False),
                                       _wkb_polygon_m([(x, y, 2.0, 7.5) for x, y in square], True)],
               ["M", "ZM"], "EPSG:4490")
    cases.append(Case("measured_shapefile", "measured.gpkg", "polygons with M (and Z) values to a Shapefile",
                      "ok", role="output", output=".shp"))
    dxf = gpd.GeoDataFrame({"Layer": ["地块", "地块"]}, geometry=TRUTH[:2], crs=None)
    pyogrio.write_dataframe(dxf, out / "drawing.dxf", driver="DXF")
    cases.append(Case("dxf_null_column", "drawing.dxf", "a CAD drawing: every DXF has an all-NULL column",
                      "ok", {"crs": "EPSG:4490"}))
    _write(t, out / "plain.gpkg")
    nan_map = t.copy()
    nan_map.loc[1, "geometry"] = Polygon([(x0, y0), (np.nan, y0), (x0 + 0.001, y0 + 0.001)])
    _write(nan_map, out / "nan_coords.gpkg")
    cases.append(Case("nan_map", "nan_coords.gpkg", "a layer with a NaN vertex, drawn", "ok", warns=True,
                      role="map"))

    assert tuple(c.name for c in cases) == ROUND_TWO
    (out / "cases_round_two.json").write_text(json.dumps([asdict(c) for c in cases], ensure_ascii=False, indent=1),
                                              encoding="utf-8")
    return cases


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs")
    built = build(target) + build_round_two(target)
    print(f"{len(built)} cases written to {target}/ (cases.json and cases_round_two.json list them)")
