"""Test data as planners receive it: Shapefiles in EPSG:4528 with GBK-encoded Chinese attributes.

EPSG:4528 is CGCS2000 / 3-degree Gauss-Krüger zone 40: eastings carry the zone
number (40 500 000 m at 120°E).  Written here with geopandas/pyogrio from the
bundled data, never committed.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

GK_ZONE40 = "EPSG:4528"

#: Chinese field names of the parcel Shapefile (at most 10 bytes in GBK) and their source columns.
PARCEL_FIELDS = {"地块编号": "parcel_id", "名称": "name", "用地性质": "land_use", "情形": "case"}


def parcels_shapefile(folder: Path, *, cpg: bool = True) -> tuple[Path, gpd.GeoDataFrame]:
    """Write the bundled parcels a Shapefile can hold (polygons, incl. a bow-tie), GBK, EPSG:4528.

    Returns the path and the frame written (in EPSG:4528), for comparisons.
    """
    import suzhou_geo as sg

    p = sg.datasets.parcels()
    polygons = p[p.geom_type.isin(["Polygon", "MultiPolygon"]) & ~p.is_empty].reset_index(drop=True)
    frame = gpd.GeoDataFrame(
        {zh: polygons[en].astype(object) for zh, en in PARCEL_FIELDS.items()}
        | {"备注": [f"昆山市淀山湖镇 第{i}号" for i in range(len(polygons))]},
        geometry=polygons.geometry.to_crs(GK_ZONE40),
        crs=GK_ZONE40,
    )
    path = folder / ("地块_gbk.shp" if cpg else "地块_无cpg.shp")
    frame.to_file(path, encoding="GBK")
    if not cpg:
        path.with_suffix(".cpg").unlink()
    assert frame.total_bounds[0] > 40_000_000  # zone-prefixed eastings
    return path, frame


def redlines_shapefile(
    folder: Path, red: gpd.GeoDataFrame | None = None, stem: str = "生态红线_gbk"
) -> Path:
    """Write redlines (default: the bundled ones) with Chinese field names (名称, 类型, 行政区), GBK, EPSG:4528."""
    import suzhou_geo as sg

    red = sg.load_redlines() if red is None else red
    kind = red["kind"].map(
        {
            "ecological_protection_redline": "生态保护红线",
            "ecological_space_control": "生态空间管控区域",
        }
    )
    frame = gpd.GeoDataFrame(
        {
            "名称": red["name"].astype(object),
            "类型": kind.astype(object),
            "行政区": red["jurisdiction"].astype(object),
        },
        geometry=red.geometry.to_crs(GK_ZONE40),
        crs=GK_ZONE40,
    )
    path = folder / f"{stem}.shp"
    frame.to_file(path, encoding="GBK")
    return path


#: Fields of the bundled projects kept in their Shapefile (at most 10 bytes in GBK).
PROJECT_FIELDS = ("地块编号", "项目", "方案", "活动类型", "界址点")


def projects_shapefile(folder: Path) -> tuple[Path, gpd.GeoDataFrame]:
    """Write the bundled projects (项目, 方案, 活动类型, named 界址点) as a GBK Shapefile in EPSG:4528."""
    import suzhou_geo as sg

    projects = sg.datasets.projects()
    frame = gpd.GeoDataFrame(
        {c: projects[c].astype(object) for c in PROJECT_FIELDS},
        geometry=projects.geometry.to_crs(GK_ZONE40),
        crs=GK_ZONE40,
    )
    path = folder / "项目用地_gbk.shp"
    frame.to_file(path, encoding="GBK")
    return path, frame
