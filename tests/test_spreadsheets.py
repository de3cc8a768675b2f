"""What the deliverables do in a spreadsheet: no cell from data becomes a formula, and the workbook prints.

Checked with real LibreOffice (headless ``soffice --convert-to``): the workbook and the CSV are opened as
a user opens them, converted back, and read cell by cell; the workbook's PDF is read page by page.
"""

from __future__ import annotations

import csv
import re

import geopandas as gpd
import pandas as pd
import pytest
from _office import CSV_SHOWN, CSV_UTF8, convert, office_test, pdf_pages
from openpyxl import load_workbook

import suzhou_geo as sg
from suzhou_geo.io import read_layer, spreadsheet_text
from suzhou_geo.io import write_layer as write_any

#: Text a spreadsheet would run: the issue's two, each leading character OWASP names, and the same
#: after leading spaces or a double quote.
PAYLOADS = [
    '=HYPERLINK("http://example.invalid/x","点击查看")',
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(1,2)",
    "\t=1+2",
    "\r=1+2",
    "  =1+2",
    '"=1+2',
    "＝1+2",
    "=cmd|' /C calc'!A0",
]
#: Text that stays as it is.
PLAIN = ["KS-2025-001", "-5", "苏州-1", "1e3"]


@pytest.fixture(scope="module")
def report():
    src = sg.datasets.parcels().head(len(PAYLOADS) + len(PLAIN)).copy()
    src["name"] = PAYLOADS + PLAIN
    src["=input column"] = PAYLOADS + PLAIN  # a column name a spreadsheet would run, too
    return sg.validate_parcels(src, schemes=False)


def _formula(cell) -> bool:
    """Tell a formula cell, except the ``=TRUE()``/``=FALSE()`` LibreOffice saves a boolean value as."""
    return cell.data_type == "f" and cell.value not in ("=TRUE()", "=FALSE()")


def _cells(path):
    wb = load_workbook(path)
    return [(ws.title, c) for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_spreadsheet_text_marks_what_a_spreadsheet_would_run():
    for p in PAYLOADS:
        assert spreadsheet_text(p) == "'" + p
    for p in PLAIN:
        assert spreadsheet_text(p) == p
    assert spreadsheet_text(-5) == -5 and spreadsheet_text(None) is None


def test_workbook_holds_every_text_as_text(report, tmp_path):
    p = sg.write_layer(report, tmp_path / "r.xlsx")
    formulas = [(sheet, c.coordinate, c.value) for sheet, c in _cells(p) if c.data_type == "f"]
    assert formulas == []
    ws = load_workbook(p)["地块报告 report"]
    header = [c.value for c in ws[1]]
    names = [r[header.index("name")].value for r in ws.iter_rows(min_row=2)]
    assert names == [v.replace("\r", "\n") for v in PAYLOADS] + PLAIN  # as they are (XML reads CR as LF)
    assert "=input column" in header


def test_csv_marks_formulas_and_keeps_numbers(report, tmp_path):
    p = sg.write_layer(report, tmp_path / "r.csv")
    with open(p, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    names = [r[header.index("name")] for r in rows[1:]]
    assert names == ["'" + v for v in PAYLOADS] + PLAIN
    assert "'=input column" in header  # a column name is text a spreadsheet would run, too
    area = [r[header.index("parcel_area_m2")] for r in rows[1:]]
    assert all(re.fullmatch(r"[0-9.]+", a) for a in area)  # numbers unquoted: a spreadsheet reads numbers


@pytest.mark.parametrize("ext", [".gpkg", ".parquet"])
def test_gis_formats_keep_the_value_unchanged(report, tmp_path, ext):
    p = sg.write_layer(report, tmp_path / f"r{ext}")
    back = gpd.read_parquet(p) if ext == ".parquet" else read_layer(p)
    assert back["name"].tolist() == PAYLOADS + PLAIN
    assert back["=input column"].tolist() == PAYLOADS + PLAIN


# --------------------------------------------------------------------------- real LibreOffice


@office_test
def test_libreoffice_opens_the_workbook_without_a_formula(report, tmp_path):
    p = sg.write_layer(report, tmp_path / "r.xlsx")
    again = convert(p, "xlsx", tmp_path / "lo")  # opened and saved by LibreOffice
    assert [(s, c.coordinate, c.value) for s, c in _cells(again) if _formula(c)] == []
    shown = convert(p, CSV_SHOWN, tmp_path / "shown")  # the first sheet, as LibreOffice shows it
    with open(shown, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    names = [r[rows[0].index("name")] for r in rows[1:]]
    assert names == [v.replace("\r", "\n") for v in PAYLOADS] + PLAIN


@office_test
def test_libreoffice_opens_the_csv_without_a_formula(report, tmp_path):
    p = sg.write_layer(report, tmp_path / "r.csv")
    opened = convert(p, "xlsx", tmp_path / "lo", infilter=CSV_UTF8)
    assert [(s, c.coordinate, c.value) for s, c in _cells(opened) if _formula(c)] == []
    ws = load_workbook(opened).active
    header = [c.value for c in ws[1]]
    names = [r[header.index("name")].value for r in ws.iter_rows(min_row=2)]
    assert names[: len(PAYLOADS)] == ["'" + v.replace("\r", "\n") for v in PAYLOADS]
    assert names[len(PAYLOADS):] == ["KS-2025-001", -5, "苏州-1", 1000]  # plain numbers stay numbers
    area = [r[header.index("parcel_area_m2")].value for r in ws.iter_rows(min_row=2)]
    assert all(isinstance(a, (int, float)) for a in area)


@office_test
def test_the_check_sees_a_formula_when_there_is_one(tmp_path):
    """The control: the same payloads written by a plain CSV writer become formulas in LibreOffice."""
    p = tmp_path / "plain.csv"
    pd.DataFrame({"name": PAYLOADS}).to_csv(p, index=False, encoding="utf-8-sig")
    opened = convert(p, "xlsx", tmp_path / "lo", infilter=CSV_UTF8)
    formulas = [c.value for _, c in _cells(opened) if _formula(c)]
    assert "=1+2" in formulas and any("HYPERLINK" in f for f in formulas)


@office_test
def test_workbook_prints_with_the_header_on_every_page_and_reasons_whole(tmp_path):
    report = sg.validate_parcels(sg.datasets.parcels())
    p = sg.write_layer(report, tmp_path / "parcels_report.xlsx")
    ws = load_workbook(p)["地块报告 report"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    pdf = convert(p, "pdf", tmp_path / "pdf")
    pages = pdf_pages(pdf)
    report_pages = [t for t in pages if "地块报告" not in t and "SYN-" in t]
    assert len(report_pages) >= 10  # 382 parcels: many pages, each with the header
    for text in report_pages:
        first = next(line for line in text.splitlines() if line.strip())
        assert "判定 verdict" in first and "理由 reasons" in first
    drawn = re.sub(r"\s+", "", "".join(pdf_pages(pdf, raw=True)))
    cut = [r for r in report["reasons"] if re.sub(r"\s+", "", r) not in drawn]
    assert cut == []
    # the notes sheet: every note printed whole (wrapped, not cut at the page edge)
    notes = [c.value for c in load_workbook(p)["说明 notes"]["A"] if c.value]
    assert notes and all(re.sub(r"\s+", "", n) in drawn for n in notes)


def test_every_sheet_prints_landscape_fitted_to_width(report, tmp_path):
    p = sg.write_layer(report, tmp_path / "r.xlsx")
    for ws in load_workbook(p).worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0


def test_a_plain_table_written_as_csv_is_safe_too(tmp_path):
    from suzhou_geo.io.writer import write_csv_table

    t = pd.DataFrame({"built_up_m2": [1.5, 2.0]}, index=pd.Index(["=1+2", "太湖"], name="zone"))
    write_csv_table(t, tmp_path / "stats.csv")
    with open(tmp_path / "stats.csv", encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [["zone", "built_up_m2"], ["'=1+2", "1.5"], ["太湖", "2.0"]]


def test_plain_frames_are_safe_too(tmp_path):
    g = gpd.GeoDataFrame({"名称": PAYLOADS}, geometry=[None] * len(PAYLOADS), crs="EPSG:4490")
    p = write_any(g, tmp_path / "plain.xlsx")
    assert [c for _, c in _cells(p) if c.data_type == "f"] == []
