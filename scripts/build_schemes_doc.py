"""Write docs/schemes.md and one SVG map per scheme (docs/img/scheme-<key>.svg).

Run after ``scripts/build_schemes.py``:

    python scripts/build_schemes_doc.py

The page is generated from ``data/schemes/catalogue.json`` and the built
``elements.geojson`` so that its sentences, sources and figures cannot drift from
the data.  The maps are plain SVG (no browser or matplotlib needed): boundaries
and GSHHG lakes in grey/blue, elements coloured by role, elements whose shape is our
reading (``geometry_inferred``) dashed, and the legend marks elements whose role the
source text does not state (``role_inferred``).
"""

from __future__ import annotations

import html
import json
import math
import sys
from pathlib import Path

import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import suzhou_geo as sg  # noqa: E402
from suzhou_geo.spatial_schemes import DATA_NOTE  # noqa: E402

DOCS = ROOT / "docs"
IMG = DOCS / "img"

ROLE_COLOUR = {
    "main_centre": "#d7301f", "sub_centre": "#fc8d59", "axis": "#7a0177", "core": "#0570b0",
    "patch": "#41ab5d", "heart": "#e7298a", "corridor": "#8c6d31", "point": "#e6550d",
    "lake": "#2b8cbe", "belt": "#fdae61", "zone": "#9e9ac8", "river": "#045a8d",
    "source_area": "#238b45",
}


def svg_map(elements, path: Path, title: str) -> None:
    units = sg.jurisdictions(geometry=True)
    import geopandas as gpd

    lakes = gpd.read_file(ROOT / "data" / "hydrography" / "lakes.geojson")
    x0, y0, x1, y1 = elements.total_bounds
    pad = 0.08
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    k = math.cos(math.radians((y0 + y1) / 2))
    width = 760
    height = int(width * (y1 - y0) / ((x1 - x0) * k))
    legend_h = 18 * len(elements) + 44

    def pts(coords):
        return " ".join(f"{(x - x0) / (x1 - x0) * width:.1f},{(y1 - y) / (y1 - y0) * height:.1f}" for x, y in coords)

    def path_d(geom):
        d = []
        for g in shapely.get_parts(geom):
            if g.geom_type == "Polygon":
                for ring in [g.exterior, *g.interiors]:
                    d.append("M" + pts(ring.coords) + "Z")
            elif g.geom_type == "LineString":
                d.append("M" + pts(g.coords))
        return " ".join(d)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + legend_h}" '
           f'font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<clipPath id="c"><rect width="{width}" height="{height}"/></clipPath><g clip-path="url(#c)">']
    box = shapely.box(x0, y0, x1, y1)
    for g, in_sz in zip(units.geometry, units.in_suzhou, strict=True):
        g = shapely.simplify(shapely.intersection(g, box), 0.002)
        if not g.is_empty:
            colour = "#999" if in_sz else "#ccc"
            out.append(f'<path d="{path_d(g.boundary)}" fill="none" stroke="{colour}" stroke-width="0.8"/>')
    for g in lakes.geometry:
        g = shapely.intersection(g, box)
        if not g.is_empty:
            out.append(f'<path d="{path_d(g)}" fill="#dbe9f6" stroke="#9ecae1" stroke-width="0.5" '
                       'fill-rule="evenodd"/>')
    legend = []
    for i, r in enumerate(elements.itertuples()):
        c = ROLE_COLOUR.get(r.role_en, "#333")
        dash = ' stroke-dasharray="5,3"' if r.geometry_inferred else ""
        g = shapely.simplify(r.geometry, 0.0005)
        if g.geom_type in ("Polygon", "MultiPolygon"):
            out.append(f'<path d="{path_d(g)}" fill="{c}" fill-opacity="0.25" stroke="{c}" stroke-width="1.5"{dash} '
                       'fill-rule="evenodd"/>')
        elif g.geom_type in ("LineString", "MultiLineString"):
            out.append(f'<path d="{path_d(g)}" fill="none" stroke="{c}" stroke-width="3"{dash}/>')
        else:
            for p in shapely.get_parts(g):
                cx = (p.x - x0) / (x1 - x0) * width
                cy = (y1 - p.y) / (y1 - y0) * height
                out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{c}" stroke="white"/>')
        y = height + 36 + 18 * i
        marks = [m for m, on in (("角色系推断 role inferred", r.role_inferred),
                                 ("形状系推断 shape inferred", r.geometry_inferred)) if on]
        mark = f" ({'; '.join(marks)})" if marks else ""
        legend.append(f'<rect x="10" y="{y - 10}" width="14" height="10" fill="{c}" fill-opacity="0.6"/>'
                      f'<text x="30" y="{y}">{html.escape(f"{r.role} {r.name_zh} — {r.name_en}{mark}")}</text>')
    out.append("</g>")
    out.append(f'<text x="10" y="{height + 16}" font-weight="bold">{html.escape(title)}</text>')
    out.extend(legend)
    out.append("</svg>")
    path.write_text("\n".join(out), encoding="utf-8")


def fmt_measure(r) -> str:
    if r.area_km2 == r.area_km2:  # not NaN
        return f"{r.area_km2:,.1f} km²"
    if r.length_km == r.length_km:
        return f"{r.length_km:,.1f} km"
    return "point"


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    cat = json.loads((ROOT / "data" / "schemes" / "catalogue.json").read_text(encoding="utf-8"))
    lines = [
        "# Spatial schemes of the Suzhou and Kunshan plans",
        "",
        "Generated by `scripts/build_schemes_doc.py` from `data/schemes/catalogue.json` and the built "
        "`data/schemes/elements.geojson`; do not edit by hand.",
        "",
        f"> **{DATA_NOTE}**",
        "",
        "In Python: `suzhou_geo.schemes()` lists them, `suzhou_geo.scheme(\"三核四轴四片\")` returns one "
        "(`.elements`, `.element(name)`, `.area_km2()`, `.locate(parcels, within_m=0)`; "
        "draw it with `sg.plan_map(scheme)`), "
        "`suzhou_geo.layers()` returns every element. On the command line: `suzhou-geo schemes`, "
        "`suzhou-geo scheme ecological -o eco.gpkg`.",
        "",
        "每个要素分两问作答 — each element answers two separate questions. "
        "**角色 Role**: does the source text itself say that this element plays this role in the scheme? "
        "*Stated* quotes the clause; *inferred* (`role_inferred=True`) means the role is our reading, and "
        "`role_evidence` says why. **形状 Shape**: is the geometry real data (administrative boundaries, GSHHG "
        "shores) or drawn from our reading (`geometry_inferred=True`: waypoints, discs, chosen widths)? "
        "`basis` says how it was made and `accuracy_m` how accurate it is (an estimate). On the maps, dashed "
        "outlines are shapes of our reading; grey lines are county boundaries, pale blue the GSHHG lakes.",
        "",
        "Sources: 《关于全面推进美丽苏州建设的实施意见》 (苏州, 2023) and 《全面推进美丽昆山建设工作方案》 "
        "(昆山市人民政府, 2025), cited by clause; other facts cite the page or document they come from.",
        "",
        "| scheme | key | jurisdiction | elements | source |",
        "|---|---|---|---|---|",
    ]
    table = sg.schemes()
    for r in table.itertuples():
        lines.append(f"| {r.name_zh} | `{r.key}` | {r.jurisdiction} | {r.n_elements} ({r.roles}) | {r.source} |")
    lines.append("")
    for s in cat["schemes"]:
        sch = sg.scheme(s["key"])
        el = sch.elements
        svg = IMG / f"scheme-{s['key']}.svg"
        svg_map(el, svg, f"{s['name_zh']} ({s['key']})")
        n_role = int(el.role_inferred.sum())
        n_geom = int(el.geometry_inferred.sum())
        lines += [
            f"## {s['name_zh']} — {s['name_en']}",
            "",
            f"*Key* `{s['key']}` · *pinyin* {s['pinyin']} · *jurisdiction* {s['jurisdiction']} · "
            f"*source* {s['source']}",
            "",
            s.get("note", ""),
            "",
            f"![{s['name_zh']}](img/{svg.name})",
            "",
            f"{len(el)} elements: the role of **{n_role}** is our reading (not stated in the source text); "
            f"the shape of **{n_geom}** is drawn from our reading, of {len(el) - n_geom} from real geometry "
            "(admin boundaries, GSHHG shores) or a published extent.",
            "",
        ]
        for r in el.itertuples():
            role = "**角色系推断 role inferred**" if r.role_inferred else "角色见原文 role stated"
            shape = "**形状系推断 shape inferred**" if r.geometry_inferred else "形状为实测数据 shape from data"
            note = f" {r.note}" if r.note else ""
            lines.append(
                f"- **{r.role} {r.name_zh}** ({r.name_en}; `{r.element_id}`, {fmt_measure(r)}). "
                f"Source: {r.source}. {role}: {r.role_evidence} {shape}: {r.basis}; ±{r.accuracy_m:,} m.{note}"
            )
        for nd in s.get("not_drawn", []):
            lines.append(f"- *Not drawn:* {nd}.")
        lines.append("")
    (DOCS / "schemes.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {DOCS / 'schemes.md'} and {len(cat['schemes'])} maps in {IMG}\n")


if __name__ == "__main__":
    main()
