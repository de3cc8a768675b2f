"""Shared helpers for tests that open files in real LibreOffice (headless) and read PDFs with poppler."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"

OFFICE_MARKS = [
    # skipped on a developer machine without LibreOffice; never in CI, where scripts/test.sh installs it
    pytest.mark.skipif(
        not (Path(SOFFICE).exists() and Path(PDFTOTEXT).exists()) and os.environ.get("CI") != "true",
        reason="LibreOffice (libreoffice-calc-nogui) and poppler-utils are not installed",
    ),
]

#: LibreOffice's CSV import as a user opening a UTF-8 file: comma, double quote, UTF-8 (76), from line 1;
#: formulas are evaluated (LibreOffice's default).
CSV_UTF8 = "CSV:44,34,76,1"
#: Export each sheet's cells as they are shown ("save cell content as shown").
CSV_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"


def office_test(func):
    """Mark a test as needing LibreOffice and poppler (skipped without them outside CI)."""
    for mark in reversed(OFFICE_MARKS):
        func = mark(func)
    return func


def convert(src: Path, to: str, outdir: Path, *, infilter: str | None = None) -> Path:
    """Convert *src* with headless LibreOffice (``soffice --convert-to``); return the file written.

    Each call has a profile of its own, so tests running side by side never share LibreOffice's lock.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo_profile"
    cmd = [SOFFICE, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", to, "--outdir", str(outdir), str(src)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    out = outdir / (src.stem + "." + to.split(":")[0])
    assert out.exists(), f"LibreOffice wrote nothing: {r.stdout} {r.stderr}"
    return out


def pdf_pages(pdf: Path, *, raw: bool = False) -> list[str]:
    """Return the text of each page of *pdf* (poppler's pdftotext; *raw*: in the order it was drawn)."""
    r = subprocess.run([PDFTOTEXT, "-raw" if raw else "-layout", str(pdf), "-"], capture_output=True,
                       text=True, check=True)
    return r.stdout.split("\f")[:-1]
