"""Reading real-world layers: GBK Shapefiles without .cpg, missing .prj, invalid polygons."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, box

from suzhou_geo import CRSError
from suzhou_geo.errors import InputError, SuzhouGeoWarning
from suzhou_geo.io import read_layer, read_vector, repair_geometries, write_layer

NAMES = ["苏州市吴中区", "昆山市", "阳澄湖（昆山）重要湿地"]

# three small squares around Kunshan in EPSG:4549 (Gauss-Krüger CM 120°E, no zone prefix)
GK = [box(x, 3_470_000, x + 500, 3_470_500) for x in (590_000, 595_000, 600_000)]


def _gbk_shapefile(tmp_path, geoms=GK, crs="EPSG:4549", name="hx.shp"):
    gdf = gpd.GeoDataFrame({"HXMC": NAMES[: len(geoms)], "n": range(len(geoms))}, geometry=geoms, crs=crs)
    path = tmp_path / name
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    return path


def test_gbk_shapefile_without_cpg_is_read_right(tmp_path, caplog):
    path = _gbk_shapefile(tmp_path)
    path.with_suffix(".cpg").unlink()
    # the premise: GDAL alone gets it wrong (ISO-8859-1)
    raw = pyogrio.read_dataframe(path)
    assert raw.HXMC.iloc[0] != NAMES[0] and raw.HXMC.iloc[0] == NAMES[0].encode("gbk").decode("latin-1")
    with pytest.warns(SuzhouGeoWarning, match="GB18030"):
        gdf = read_vector(path)
    assert list(gdf.HXMC) == NAMES
    info = gdf.attrs["suzhou_geo_read"]
    assert info["encoding"].startswith("GB18030 (detected") and "no .cpg" in info["encoding"]
    assert info["name"] == "hx.shp"
    assert any("GB18030" in n for n in info["notes"])


def test_gbk_mixed_with_ascii_without_cpg(tmp_path):
    # agency attribute values often mix Chinese and ASCII: most of their bytes are ASCII
    names = ["合成地块 synthetic parcel 0001", "工业 industrial", "Block 12 苏州工业园区"]
    gdf = gpd.GeoDataFrame({"name": names}, geometry=GK, crs="EPSG:4549")
    path = tmp_path / "mixed.shp"
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    with pytest.warns(SuzhouGeoWarning):
        assert list(read_vector(path).name) == names


def test_gbk_shapefile_with_cpg_and_explicit_encoding(tmp_path):
    path = _gbk_shapefile(tmp_path)
    gdf = read_vector(path)  # .cpg says GBK
    assert list(gdf.HXMC) == NAMES
    assert "detected" not in gdf.attrs["suzhou_geo_read"]["encoding"]
    path.with_suffix(".cpg").unlink()
    forced = read_vector(path, encoding="ISO-8859-1")  # the override wins, even when wrong
    assert forced.HXMC.iloc[1] == "昆山市".encode("gbk").decode("latin-1")
    assert read_vector(path, encoding="GBK").HXMC.iloc[1] == "昆山市"
    # Python codec spellings work too (GDAL itself only knows the iconv names)
    assert read_vector(path, encoding="cp936").HXMC.iloc[1] == "昆山市"
    assert read_vector(path, encoding="latin-1").HXMC.iloc[1] == forced.HXMC.iloc[1]


def test_utf8_shapefile_without_cpg(tmp_path):
    gdf = gpd.GeoDataFrame({"name": NAMES}, geometry=GK, crs="EPSG:4549")
    path = tmp_path / "u.shp"
    pyogrio.write_dataframe(gdf, path, encoding="UTF-8")
    path.with_suffix(".cpg").unlink()
    with pytest.warns(SuzhouGeoWarning, match="UTF-8"):
        back = read_vector(path)
    assert list(back.name) == NAMES


def test_genuine_latin1_shapefile_is_left_alone(tmp_path):
    # every value below also decodes as GB18030 (e.g. "M黮ler Stra遝"): only the heuristic saves them
    names = ["Müller Straße", "Jürgen Müller", "Zürich Höhe"]
    gdf = gpd.GeoDataFrame({"name": names}, geometry=GK, crs="EPSG:4549")
    path = tmp_path / "latin.shp"
    pyogrio.write_dataframe(gdf, path, encoding="ISO-8859-1")
    path.with_suffix(".cpg").unlink()
    with pytest.warns(SuzhouGeoWarning, match="ISO-8859-1"):  # kept, but said
        back = read_vector(path)
    assert list(back.name) == names
    assert back.attrs["suzhou_geo_read"]["encoding"].startswith("ISO-8859-1")


def test_missing_prj_names_epsg4549_and_the_file(tmp_path):
    path = _gbk_shapefile(tmp_path, name="no_prj.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError) as err:
        read_layer(path)
    msg = str(err.value)
    assert "EPSG:4549" in msg and "no_prj.shp" in msg and "crs=" in msg
    out = read_layer(path, crs="EPSG:4549")
    assert out.crs.to_epsg() == 4490
    # independent check of the reprojection: the square densified in EPSG:4549 (50 m), then projected
    t = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
    expected = shapely.transform(shapely.segmentize(GK[0], 50.0), t.transform, interleaved=False)
    assert out.geometry.iloc[0].normalize().equals_exact(expected.normalize(), 1e-9)
    assert shapely.get_num_coordinates(out.geometry.iloc[0]) == 41  # 4 edges of 500 m in 10 pieces
    assert 120.9 < expected.centroid.x < 121.1  # Kunshan
    assert list(out.HXMC) == NAMES  # encoding still fixed
    assert out.attrs["suzhou_geo_read"]["crs_in"].startswith("EPSG:4549")
    assert out.attrs["suzhou_geo_read"]["crs"]["how"] == "given"


def test_missing_prj_zone_prefixed_names_4528(tmp_path):
    geoms = [shapely.affinity.translate(g, xoff=40_000_000) for g in GK]
    path = _gbk_shapefile(tmp_path, geoms=geoms, crs="EPSG:4528", name="zone40.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match="EPSG:4528") as err:
        read_layer(path)
    assert "zone40.shp" in str(err.value)
    a = read_layer(path, crs="EPSG:4528").geometry.iloc[0]
    t = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
    expected = shapely.transform(shapely.segmentize(GK[0], 50.0), t.transform, interleaved=False)  # no prefix
    assert a.normalize().equals_exact(expected.normalize(), 1e-9)


def test_declared_crs_conflict_and_override(tmp_path):
    path = _gbk_shapefile(tmp_path)
    with pytest.raises(CRSError, match="override"):
        read_layer(path, crs="EPSG:4528")
    # a matching crs= is fine
    assert read_layer(path, crs="EPSG:4549").crs.to_epsg() == 4490


def test_gcj02_declared(tmp_path):
    from suzhou_geo.crs import wgs84_to_gcj02

    lon, lat = 120.98, 31.38
    glon, glat = wgs84_to_gcj02(lon, lat)
    g = gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(glon, glat)], crs="EPSG:4326")
    path = tmp_path / "amap.geojson"
    g.to_file(path)
    out = read_layer(path, crs="GCJ-02")
    p = out.geometry.iloc[0]
    assert out.crs.to_epsg() == 4490
    assert abs(p.x - lon) < 1e-8 and abs(p.y - lat) < 1e-8
    # the GCJ-02 offset around Kunshan is hundreds of metres: reading it raw would be wrong
    assert abs(glon - lon) > 0.003


def test_bowtie_repaired():
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    fixed, issues = repair_geometries(gpd.GeoSeries([bowtie, box(0, 0, 1, 1)]))
    # GEOS's reason in words, its place rounded to 5 decimals (no raw "Self-intersection[0.5 0.5]")
    assert "invalid geometry repaired: the boundary crosses itself at (" in issues[0]
    assert "area change 100.0%" in issues[0] and "[" not in issues[0]
    assert issues[1] is None
    assert fixed[0].is_valid and fixed[0].geom_type == "MultiPolygon"
    # two triangles of base 2 and height 1: area 1 + 1 (hand-computed)
    assert fixed[0].area == pytest.approx(2.0)
    assert fixed[1].equals(box(0, 0, 1, 1))


def test_repair_flags_every_kind():
    hole_outside = Polygon(box(0, 0, 1, 1).exterior.coords, [box(2, 2, 3, 3).exterior.coords])
    gc = shapely.GeometryCollection([box(0, 0, 1, 1), LineString([(5, 5), (6, 6)])])
    geoms = [None, Polygon(), Point(1, 1), LineString([(0, 0), (1, 1)]), gc, hole_outside,
             shapely.MultiPolygon([box(0, 0, 1, 1), box(5, 5, 6, 6)])]
    fixed, issues = repair_geometries(np.array(geoms, dtype=object))
    assert issues[0] == "缺少几何 / missing geometry" and fixed[0] is None
    assert issues[1] == "几何为空 / empty geometry" and fixed[1] is None
    assert issues[2] == "是点而不是面 / point, not a polygon" and fixed[2].equals(Point(1, 1))
    assert issues[3].endswith("line, not a polygon")
    assert "polygonal part" in issues[4] and fixed[4].equals(box(0, 0, 1, 1))
    # the hole outside its shell becomes a second polygon: the area grows from 1 - 1 = 0 to 2
    assert "repaired: a hole lies outside its shell at (" in issues[5] and "area change 100.0%" in issues[5]
    assert fixed[5].is_valid and shapely.get_type_id(fixed[5]) in (3, 6)
    assert issues[6] is None and len(fixed[6].geoms) == 2  # multipart kept whole


def test_read_vector_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.shp"):
        read_vector(tmp_path / "nowhere.shp")
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"this is not a geopackage at all" * 10)
    with pytest.raises(ValueError, match="junk.gpkg") as err:
        read_vector(junk)
    assert err.value.__cause__ is None and err.value.__suppress_context__
    with pytest.raises(InputError, match="GeoSeries"):
        read_vector(Point(0, 0))


def test_read_vector_frames_are_copies():
    g = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs="EPSG:4490")
    out = read_vector(g)
    out.loc[0, "a"] = 2
    assert g.a.iloc[0] == 1
    s = read_vector(g.geometry)
    assert isinstance(s, gpd.GeoDataFrame) and s.crs.to_epsg() == 4490


@pytest.mark.parametrize("ext", [".gpkg", ".geojson", ".shp", ".csv"])
def test_write_layer_roundtrip_keeps_chinese(tmp_path, ext):
    g = gpd.GeoDataFrame(
        {"name": NAMES, "类别": ["饮用水水源保护区", "重要湿地", "湿地公园"]},
        geometry=[box(120.9 + i * 0.01, 31.3, 120.905 + i * 0.01, 31.305) for i in range(3)],
        crs="EPSG:4490",
    )
    path = write_layer(g, tmp_path / f"out{ext}")
    if ext == ".shp":
        assert path.with_suffix(".cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    back = read_layer(path, crs="EPSG:4490" if ext == ".csv" else None)
    assert list(back["name"]) == NAMES
    assert list(back["类别"]) == ["饮用水水源保护区", "重要湿地", "湿地公园"]
    for a, b in zip(back.geometry, g.geometry, strict=True):
        # a GeoPackage declares MultiPolygon: the one part is the same polygon, vertex for vertex
        (part,) = shapely.get_parts(a)
        assert part.normalize().equals_exact(b.normalize(), 1e-9)
