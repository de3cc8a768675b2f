"""The approval-file fixtures: known parcels written as 部标 TXT, DXF, KML/KMZ and 界址点 tables, every variant.

Nothing here is hand-edited: each file is written from :data:`PARCELS` (the
truth, in CGCS2000 / 3-degree Gauss-Krüger CM 120°E, EPSG:4549) by the
functions below, so a test can compare what a reader gives with what was
written.  The text is built here by hand (string formatting, an own PROJ
pipeline for the legacy datum) — not with the library's writer — so that
the readers are checked against an independent source.

Run it to look at the files: ``python tests/_approval_files.py OUT_DIR``.
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pyproj import Transformer


@dataclass(frozen=True)
class Parcel:
    """One parcel: its rings (lists of (name, easting, northing) in EPSG:4549, not closed) and attributes."""

    id: str
    name: str
    rings: tuple
    use: str = "建设用地"
    declared_error: float = 0.0  # relative error written into 地块面积 on purpose
    label: str = ""


#: The truth: four parcels near 昆山 (about 120.89°E, 31.36°N), named points continuing over rings.
PARCELS = (
    Parcel("K-01", "某项目用地一", ((
        ("J1", 585000.000, 3471000.000), ("J2", 585240.000, 3470980.000),
        ("J3", 585258.150, 3471049.225),  # on the straight edge J2–J4 (0.3 of the way)
        ("J4", 585300.500, 3471210.750), ("J5", 585020.000, 3471190.000)),), label="宗地一"),
    Parcel("K-02", "某项目用地二", (
        (("J1", 585600.000, 3471000.000), ("J2", 585800.000, 3471000.000), ("J3", 585800.000, 3471150.000),
         ("J4", 585600.000, 3471150.000)),
        (("J5", 585680.000, 3471060.000), ("J6", 585720.000, 3471060.000), ("J7", 585720.000, 3471090.000),
         ("J8", 585680.000, 3471090.000))), label="宗地二"),
    Parcel("K-03", "某项目用地三", (
        (("J1", 586000.000, 3471000.000), ("J2", 586150.000, 3471010.000), ("J3", 586080.000, 3471120.000)),
        (("J4", 586300.000, 3471000.000), ("J5", 586380.000, 3471000.000), ("J6", 586380.000, 3471080.000),
         ("J7", 586300.000, 3471080.000))), declared_error=0.005, label="宗地三"),
    Parcel("K-04", "某道路用地", ((
        ("J1", 586600.000, 3470800.000), ("J2", 587800.000, 3470850.000), ("J3", 587798.750, 3470880.000),
        ("J4", 586598.750, 3470830.000)),), use="交通运输用地", declared_error=0.0005, label="道路"),
)

#: Seven Helmert parameters (m, arc-seconds, ppm; position vector) from Xi'an 1980 to CGCS2000, made up.
XIAN_SHIFT = (-12.5, 140.2, 80.1, 0.1, -0.2, 0.3, 1.5)


def shoelace(xy) -> float:
    """Planar area of a ring by the shoelace formula (absolute, m²), about its first point (prefixes lose nothing)."""
    xy = np.asarray(xy, float)
    x, y = (xy - xy[0]).T
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))) / 2


def planar_area_m2(p: Parcel, crs: str = "EPSG:4549") -> float:
    """Return the parcel's planar area in *crs* by hand: outer rings minus holes (K-02's ring 2 is its hole).

    In a Gauss-Krüger CRS other than EPSG:4549 the vertices are those the files hold (mm), as a surveyor
    computing 地块面积 in that zone would use them.
    """
    rings = p.rings if crs in ("EPSG:4549", "EPSG:4490") else vertices(p, crs)
    areas = [shoelace([(x, y) for _, x, y in ring]) for ring in rings]
    return areas[0] - areas[1] if p.id == "K-02" else sum(areas)


def declared_ha(p: Parcel, crs: str = "EPSG:4549") -> float:
    """Return what the files declare as 地块面积 (公顷, 4 decimals): the planar area in their zone, off by the error."""
    return round(planar_area_m2(p, crs) * (1 + p.declared_error) / 1e4, 4)


def _xian_pipeline(gk: str) -> str:
    """CGCS2000 lon/lat → Xi'an 1980 Gauss-Krüger, the inverse of XIAN_SHIFT, written out by hand."""
    dx, dy, dz, rx, ry, rz, ds = XIAN_SHIFT
    return (
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=cart +ellps=GRS80 "
        f"+step +inv +proj=helmert +x={dx} +y={dy} +z={dz} +rx={rx} +ry={ry} +rz={rz} +s={ds} "
        "+convention=position_vector +step +inv +proj=cart +a=6378140 +rf=298.257 "
        f"+step {gk} +a=6378140 +rf=298.257"
    )


#: Projections of the Xi'an 1980 files (3-degree zone 40 with the prefix).
XIAN_GK = "+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=40500000 +y_0=0"


def vertices(p: Parcel, crs: str) -> list[list[tuple[str, float, float]]]:
    """Return the parcel's rings in *crs* (``"EPSG:…"`` or ``"xian"``): (name, easting, northing), rounded to the mm."""
    to_ll = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
    if crs == "xian":
        fwd = Transformer.from_pipeline(_xian_pipeline(XIAN_GK))
    else:
        fwd = Transformer.from_crs("EPSG:4490", crs, always_xy=True)
    out = []
    for ring in p.rings:
        names = [n for n, _, _ in ring]
        lon, lat = to_ll.transform([x for _, x, _ in ring], [y for _, _, y in ring])
        e, n = fwd.transform(lon, lat) if crs != "EPSG:4490" else (lon, lat)
        digits = 9 if crs == "EPSG:4490" else 3
        out.append([(name, round(float(a), digits), round(float(b), digits))
                    for name, a, b in zip(names, e, n, strict=True)])
    return out


# --------------------------------------------------------------------------- 部标 TXT


@dataclass
class TxtVariant:
    """How one 部标 file is written."""

    crs: str = "EPSG:4528"
    datum: str = "2000国家大地坐标系"
    width: str = "3"
    zone: str = "40"
    encoding: str = "gbk"
    bom: bool = False
    newline: str = "\r\n"
    northing_first: bool = True
    six: bool = False
    extended: bool = False
    closed: bool = True
    count_closing: bool = True
    params: str = ",,,,,,"
    parcels: tuple = PARCELS
    extra_fields: bool = False
    degrees: bool = False
    notes: dict = field(default_factory=dict)


def bubiao_text(v: TxtVariant) -> str:
    """Return the text of a 部标 file for variant *v* (written by string formatting, not by the library)."""
    lines = []
    if v.extended:
        lines += ["[扩展信息]", "项目名称=某建设项目", "项目代码=2026-320583-01"]
    lines += ["[属性描述]", "格式版本号=1.01", "数据产生单位=某测绘院", "数据产生日期=2026-11-30",
              f"坐标系={v.datum}", f"几度分带={v.width}", "投影类型=高斯克吕格", "计量单位=米",
              f"带号={v.zone}", "精度=0.001", f"转换参数={v.params}", "[地块坐标]"]
    for p in v.parcels:
        lines += _block(p, v)
    return v.newline.join(lines) + v.newline


def _block(p: Parcel, v: TxtVariant) -> list[str]:
    rings = vertices(p, v.crs)
    points = []
    for number, ring in enumerate(rings, start=1):
        pts = ring + ([ring[0]] if v.closed else [])
        for k, (name, e, n) in enumerate(pts):
            a, b = (n, e) if v.northing_first else (e, n)
            fmt = "{:.9f}" if v.degrees else "{:.3f}"
            line = f"{name},{number},{fmt.format(a)},{fmt.format(b)}"
            if v.six:
                nxt = pts[(k + 1) % len(pts)]
                side = 0.0 if k == len(pts) - 1 else float(np.hypot(nxt[1] - e, nxt[2] - n))
                line += f",{side:.3f},{'钢钉' if k % 2 else '埋桩'}"
            points.append(line)
    count = len(points) if v.count_closing else sum(len(r) for r in rings)
    tail = ",新增,水田,5,4,试点" if v.extra_fields else ""
    header = f"{count},{declared_ha(p, v.crs):.4f},{p.id},{p.name},面,H51G001001,{p.use},0601{tail},@"
    return [header, *points]


#: The 部标 variants of the acceptance list, by name.
TXT_VARIANTS: dict[str, TxtVariant] = {
    "standard_gbk_crlf": TxtVariant(),
    "utf8_bom_lf": TxtVariant(encoding="utf-8", bom=True, newline="\n"),
    "utf8_lf": TxtVariant(encoding="utf-8", newline="\n"),
    "gb18030": TxtVariant(encoding="gb18030"),
    "easting_first": TxtVariant(northing_first=False),
    "no_prefix": TxtVariant(crs="EPSG:4549"),
    "six_degree_prefixed": TxtVariant(crs="EPSG:4499", width="6", zone="21"),
    "six_degree_no_prefix": TxtVariant(crs="EPSG:4510", width="6", zone="21"),
    "six_column": TxtVariant(six=True, northing_first=False),
    "six_column_utf8": TxtVariant(six=True, northing_first=False, encoding="utf-8", newline="\n"),
    "extended_info": TxtVariant(extended=True),
    "unclosed_rings": TxtVariant(closed=False),
    "count_without_closing": TxtVariant(count_closing=False),
    "long_header": TxtVariant(extra_fields=True),
    "zeros_as_params": TxtVariant(params="0,0,0,0,0,0,0"),
    "degrees": TxtVariant(crs="EPSG:4490", degrees=True),
    "xian_with_params": TxtVariant(crs="xian", datum="1980西安坐标系", params=",".join(map(str, XIAN_SHIFT))),
    "beijing_without_params": TxtVariant(datum="1954北京坐标系"),
}

#: Broken variants: (variant, function changing the text, the line the error must name, words the fix must say).
MALFORMED = {
    "count_mismatch": (lambda t: t.replace("\r\n6,", "\r\n7,", 1), 13, "界址点数"),
    "missing_at": (lambda t: t.replace(",0601,@", ",0601", 1), 13, "@"),
    "non_numeric": (lambda t: t.replace("3470980.000", "3470980.0x0", 1), 15, "number"),
    "ambiguous_axes": (lambda t: t.replace("40585240.000", "3585240.000", 1), 15, "northing"),
    "mixed_prefix": (lambda t: t.replace("40585240.000", "585240.000", 1), 15, "zone number"),
    "zone_contradiction": (lambda t: t.replace("带号=40", "带号=39", 1), 9, "带号"),
    "text_before_section": (lambda t: "报盘文件\r\n" + t, 1, "[属性描述]"),
    "mixed_columns": (lambda t: t.replace("J2,1,3470980.000,40585240.000",
                                          "J2,1,3470980.000,40585240.000,12.0,埋桩", 1), 15, "fields"),
    "ring_resumes": (lambda t: t.replace("J8,2,", "J8,1,", 1), 29, "ring"),
    "unknown_datum": (lambda t: t.replace("2000国家大地坐标系", "苏州独立坐标系", 1), 5, "crs="),
}


def write_txt(path: Path, v: TxtVariant, change=None) -> Path:
    text = bubiao_text(v)
    if change is not None:
        text = change(text)
    data = text.encode(v.encoding)
    path.write_bytes((b"\xef\xbb\xbf" if v.bom else b"") + data)
    return path


# --------------------------------------------------------------------------- DXF


def dxf_text(version: str, *, layers=("红线",), open_line=True, hatch=True, frame_layer=False) -> str:
    """Return a drawing of the parcels (zone-40 prefixed) on layer 红线, as ezdxf writes it (Unicode text)."""
    import ezdxf

    doc = ezdxf.new(version)
    msp = doc.modelspace()
    for name in (*layers, "注记", "图框"):
        doc.layers.add(name)
    for p in PARCELS:
        rings = vertices(p, "EPSG:4528")
        for ring in rings:
            if p.id == "K-02" and ring is rings[1]:
                continue  # the hatch below carries K-02's hole
            pts = [(e, n) for _, e, n in ring]
            if p.id == "K-02" and hatch:
                h = msp.add_hatch(dxfattribs={"layer": layers[0]})
                h.paths.add_polyline_path(pts, is_closed=True, flags=1)
                h.paths.add_polyline_path([(e, n) for _, e, n in rings[1]], is_closed=True, flags=0)
            else:
                msp.add_lwpolyline(pts, close=True, dxfattribs={"layer": layers[0]})
        e, n = np.mean([(e, n) for _, e, n in rings[0]], axis=0)
        if p.id == "K-02":
            e, n = rings[0][0][1] + 20, rings[0][0][2] + 20  # outside the hole
        if p.id == "K-04":
            msp.add_mtext(f"{{\\fSimSun|b0;{p.label}}}", dxfattribs={"layer": "注记", "insert": (e, n)})
        else:
            msp.add_text(p.label, dxfattribs={"layer": "注记", "insert": (float(e), float(n))})
    if open_line:
        msp.add_lwpolyline([(40588000, 3471000), (40588100, 3471000), (40588100, 3471100)],
                           dxfattribs={"layer": layers[0]})
    if frame_layer:
        msp.add_lwpolyline([(40584000, 3470000), (40589000, 3470000), (40589000, 3472000), (40584000, 3472000)],
                           close=True, dxfattribs={"layer": "图框"})
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue()


def write_dxf(path: Path, version: str, codepage: str | None, encoding: str, **kw) -> Path:
    """Write the drawing with *codepage* in its header and its text bytes in *encoding*."""
    text = dxf_text(version, **kw)
    if codepage is not None:
        text = text.replace("$DWGCODEPAGE\n  3\nANSI_1252", f"$DWGCODEPAGE\n  3\n{codepage}")
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------- KML / KMZ


def kml_text(folders: dict[str, tuple]) -> str:
    """Return a KML document: one folder per entry, placemarks with name, description and lon/lat polygons."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
           "<name>某项目</name>"]
    for folder, parcels in folders.items():
        out.append(f"<Folder><name>{folder}</name>")
        for p in parcels:
            rings = vertices(p, "EPSG:4490")
            coords = [" ".join(f"{e:.9f},{n:.9f},0" for _, e, n in r + [r[0]]) for r in rings]
            if p.id == "K-02":
                geom = (f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{coords[0]}</coordinates></LinearRing>"
                        f"</outerBoundaryIs><innerBoundaryIs><LinearRing><coordinates>{coords[1]}</coordinates>"
                        "</LinearRing></innerBoundaryIs></Polygon>")
            else:
                polys = "".join(f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{c}</coordinates></LinearRing>"
                                "</outerBoundaryIs></Polygon>" for c in coords)
                geom = polys if len(coords) == 1 else f"<MultiGeometry>{polys}</MultiGeometry>"
            out.append(f"<Placemark><name>{p.id}</name><description>{p.name} &amp; {p.use}</description>{geom}"
                       "</Placemark>")
        out.append("</Folder>")
    out.append("</Document></kml>")
    return "\n".join(out)


def write_kmz(path: Path, text: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", text)
    return path


# --------------------------------------------------------------------------- point tables


def point_rows(*, northing_first=True, closed=True, crs="EPSG:4528", area_col="地块面积") -> list[list]:
    """Rows of a 界址点坐标表: 地块编号 (first row of each parcel only), 点号, 圈号, two coordinates, area."""
    a, b = ("X", "Y") if northing_first else ("Y", "X")
    rows = [["地块编号", "点号", "圈号", a, b, area_col, "备注"]]
    for p in PARCELS:
        first = True
        for number, ring in enumerate(vertices(p, crs), start=1):
            for name, e, n in ring + ([ring[0]] if closed else []):
                c1, c2 = (n, e) if northing_first else (e, n)
                area = f"{declared_ha(p):.4f}" if first else None
                rows.append([p.id if first else None, name, number, c1, c2, area, f"点{name}"])
                first = False
    return rows


def write_point_csv(path: Path, rows: list[list], encoding: str = "gbk") -> Path:
    def cell(v):
        return "" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    path.write_bytes("\r\n".join(",".join(cell(v) for v in r) for r in rows).encode(encoding) + b"\r\n")
    return path


def write_point_xlsx(path: Path, rows: list[list], title: str | None = "某项目界址点坐标成果表") -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "界址点"
    if title:
        ws.append([title])
    for r in rows:
        ws.append(r)
    notes = wb.create_sheet("说明")
    notes.append(["坐标系", "2000国家大地坐标系"])
    wb.save(path)
    return path


# --------------------------------------------------------------------------- everything


def write_all(folder: Path) -> dict[str, Path]:
    """Write every fixture into *folder*; return them by name."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for name, v in TXT_VARIANTS.items():
        out[f"txt/{name}"] = write_txt(folder / f"{name}.txt", v)
    for name, (change, _, _) in MALFORMED.items():
        out[f"bad/{name}"] = write_txt(folder / f"bad_{name}.txt", TxtVariant(), change)
    out["dxf/r2000_gbk"] = write_dxf(folder / "r2000_gbk.dxf", "R2000", "ANSI_936", "gbk")
    out["dxf/r2010_utf8_1252"] = write_dxf(folder / "r2010_utf8.dxf", "R2010", None, "utf-8")
    out["dxf/two_layers"] = write_dxf(folder / "two_layers.dxf", "R2010", None, "utf-8", frame_layer=True)
    out["dxf/closed_only"] = write_dxf(folder / "closed_only.dxf", "R2010", None, "utf-8", open_line=False)
    kml = kml_text({"用地红线": PARCELS})
    out["kml/one_folder"] = folder / "parcels.kml"
    out["kml/one_folder"].write_text(kml, encoding="utf-8")
    out["kmz/one_folder"] = write_kmz(folder / "parcels.kmz", kml)
    out["kmz/two_folders"] = write_kmz(folder / "two.kmz", kml_text({"用地红线": PARCELS[:2], "比选方案": PARCELS[2:]}))
    out["table/csv_gbk"] = write_point_csv(folder / "points.csv", point_rows())
    out["table/csv_easting_first"] = write_point_csv(folder / "points_en.csv", point_rows(northing_first=False),
                                                     encoding="utf-8-sig")
    out["table/xlsx"] = write_point_xlsx(folder / "points.xlsx", point_rows(closed=False, area_col="面积（公顷）"))
    return out


if __name__ == "__main__":  # pragma: no cover - for looking at the files
    for key, p in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "approval_fixtures")).items():
        print(f"{key:32s} {p}")
