"""Examples 03 and 05 write files, and remove every one of them again."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["03_validate_parcels.ipynb", "04_maps_chinese_basemaps.ipynb", "05_raster_stats.ipynb"]
)
def test_example_leaves_no_temporary_files(name, tmp_path, monkeypatch):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmpdir))  # the kernel's tempfile.gettempdir()
    work = tmp_path / "work"
    work.mkdir()
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    ).execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    wrote = [c for c in nb.cells if c.cell_type == "code" and "workdir" in c.source]
    assert wrote, "the example writes into its temporary folder"
    assert [p.name for p in tmpdir.iterdir() if p.name.startswith(("tmp", "suzhou_geo"))] == []
    assert list(work.iterdir()) == []
