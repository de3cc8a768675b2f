"""Small synthetic layers with the documented columns of schemes, redlines, joint zones and reports.

Used by test_maps.py and test_maps_browser.py until (and besides) the real layers land.
"""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString, Point, box

XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"


def scheme_frame() -> gpd.GeoDataFrame:
    rows = [
        ("S1", "e1", "湖", "lake", "阳澄湖", "Yangcheng Lake", box(120.74, 31.38, 120.84, 31.47)),
        ("S1", "e2", "轴", "axis", "吴淞江", "Wusong River", LineString([(120.60, 31.28), (120.90, 31.30), (121.10, 31.33)])),
        ("S1", "e3", "点", "point", "天福国家湿地公园", "Tianfu Wetland Park", Point(121.05, 31.28)),
        ("S1", "e4", "核", "core", "太湖生态核", "Taihu core", box(120.20, 31.00, 120.45, 31.25)),
    ]
    return gpd.GeoDataFrame(
        {
            "scheme": ["两心两轴、多廊多点"] * len(rows),
            "element_id": [r[1] for r in rows],
            "role": [r[2] for r in rows],
            "role_en": [r[3] for r in rows],
            "name_zh": [r[4] for r in rows],
            "name_en": [r[5] for r in rows],
            "basis": ["schematic waypoints"] * len(rows),
            "accuracy_m": [500.0] * len(rows),
            "source": ["004 task 10"] * len(rows),
            "note": [""] * len(rows),
        },
        geometry=[r[6] for r in rows],
        crs="EPSG:4490",
    )


def redline_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["阳澄湖(昆山)重要湿地", "傀儡湖饮用水水源保护区"],
            "kind": ["ecological_protection_redline", "ecological_space_control"],
            "category": ["重要湿地", "饮用水水源保护区"],
            "jurisdiction": ["昆山市", "昆山市"],
            "basis": ["illustrative reconstruction from public sources", "illustrative reconstruction from public sources"],
            "accuracy_m": [300.0, 300.0],
            "source": ["planning_facts.md §4", "planning_facts.md §4"],
        },
        geometry=[box(120.80, 31.40, 120.84, 31.44), box(120.85, 31.35, 120.88, 31.37)],
        crs="EPSG:4490",
    )


def joint_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "pair": ["嘉定区–昆山市", "嘉定区–昆山市"],
            "side": ["嘉定区", "昆山市"],
            "border_length_m": [30000.0, 30000.0],
            "area_km2": [15.0, 15.0],
            "source": ["002 (2018 agreement)"] * 2,
        },
        geometry=[box(121.10, 31.30, 121.105, 31.45), box(121.095, 31.30, 121.10, 31.45)],
        crs="EPSG:4490",
    )


def report_frame() -> gpd.GeoDataFrame:
    names = ["东区地块一", XSS, BREAKOUT, "西区地块三", "无效地块"]
    verdicts = ["conflict", "review", "notice", "pass", "invalid"]
    geoms = [
        box(120.81, 31.41, 120.815, 31.415),
        box(120.95, 31.38, 120.96, 31.39),
        box(121.098, 31.35, 121.102, 31.355),
        box(121.00, 31.20, 121.01, 31.21),
        None,
    ]
    return gpd.GeoDataFrame(
        {
            "parcel_name": names,
            "verdict": verdicts,
            "reasons": ["overlaps 阳澄湖(昆山)重要湿地 (12.5 %)", "within 200 m of a redline", "in the 嘉昆太 joint zone",
                        "", "empty geometry"],
            "district": ["昆山市"] * 5,
        },
        geometry=geoms,
        crs="EPSG:4490",
    )
