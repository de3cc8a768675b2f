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
        ("S1", "e2", "轴", "axis", "吴淞江", "Wusong River",
         LineString([(120.60, 31.28), (120.90, 31.30), (121.10, 31.33)])),
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
            "basis": ["illustrative reconstruction from public sources"] * 2,
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
            "reasons": ["overlaps 阳澄湖(昆山)重要湿地 (12.5 %)", "within 200 m of a redline",
                        "in the 嘉昆太 joint zone", "", "empty geometry"],
            "district": ["昆山市"] * 5,
        },
        geometry=geoms,
        crs="EPSG:4490",
    )


def scheme_frame_new_columns() -> gpd.GeoDataFrame:
    """Return the scheme sample with the newer inference columns instead of ``inferred``."""
    f = scheme_frame()
    f["role_inferred"] = [False, True, False, False]
    f["role_evidence"] = ["", "the plan lists 吴淞江 among the axes; role read from its wording", "", ""]
    f["geometry_inferred"] = [False, True, True, False]
    return f


VERDICT_SHARES = {"conflict": 0.10, "review": 0.08, "notice": 0.07, "pass": 0.74, "invalid": 0.01}


def synthetic_report(n: int, seed: int = 13) -> gpd.GeoDataFrame:
    """Return a report frame of *n* parcels with every report-schema column, made in well under a second.

    Parcels are 80–300 m boxes scattered over 苏州市's bounding box; verdicts drawn with
    :data:`VERDICT_SHARES`; a tenth of the invalid ones have no geometry.  Only the maps
    read it: the values are plausible, not the result of a validation.
    """
    import numpy as np
    import pandas as pd
    import shapely

    from suzhou_geo.validate.schema import REPORT_SCHEMA, VERDICT_ZH

    rng = np.random.default_rng(seed)
    x = rng.uniform(120.0, 121.3, n)
    y = rng.uniform(30.8, 32.0, n)
    half = rng.uniform(0.0004, 0.0015, n)
    geoms = shapely.box(x - half, y - half, x + half, y + half)
    verdicts = rng.choice(list(VERDICT_SHARES), size=n, p=list(VERDICT_SHARES.values()))
    no_geom = (verdicts == "invalid") & (rng.random(n) < 0.1)
    geoms = np.where(no_geom, None, geoms)
    overlap = np.where(verdicts == "conflict", rng.uniform(50, 20_000, n), 0.0)
    area = (2 * half * 1.1e5) ** 2 * 0.86
    reasons = np.where(
        verdicts == "conflict",
        pd.Series(np.round(overlap, 1)).astype(str).radd(
            "与生态保护红线重叠 overlaps the ecological protection redline: "),
        np.where(verdicts == "review", "距生态保护红线不足 200 m within 200 m of the redline",
                 "未触发任何规则 / no rule fired"),
    )
    frame = {
        "parcel_id": pd.Series(np.arange(n)).astype(str).radd("P-").to_numpy(),
        "name": pd.Series(np.arange(n)).astype(str).radd("地块 parcel ").to_numpy(),
        "case": "synthetic",
        "synthetic": True,
        "verdict": verdicts,
        "verdict_zh": pd.Series(verdicts).map(VERDICT_ZH).to_numpy(),
        "reasons": reasons,
        "redline_overlap_m2": overlap,
        "redline_overlap_ratio": np.minimum(overlap / area, 1.0),
        "control_overlap_m2": 0.0,
        "redline_names": np.where(verdicts == "conflict", "阳澄湖(昆山)重要湿地", ""),
        "nearest_redline_m": np.where(verdicts == "review", rng.uniform(0, 200, n), np.nan),
        "in_joint_zone": verdicts == "notice",
        "joint_zone": np.where(verdicts == "notice", "昆山市–嘉定区", ""),
        "district": rng.choice(["昆山市", "太仓市", "常熟市", "吴江区", "张家港市"], size=n),
        "scheme_elements": "",
        "geometry_issue": np.where(verdicts == "invalid", "empty geometry", ""),
        "parcel_area_m2": area,
        "declared_area_ha": np.nan,
        "planar_area_m2": np.nan,
        "approximate_position": False,
        "redline_data": "内置示意样例（非官方）bundled illustrative sample (not official)",
    }
    missing = [c.name for c in REPORT_SCHEMA if c.name not in frame]
    assert not missing, f"synthetic_report lacks report columns {missing}"
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs="EPSG:4490")
