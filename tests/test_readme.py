"""The README works as written: its commands use a virtual environment, its Jupyter block runs on bundled data."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
README_ZH = ROOT / "README.zh-CN.md"


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end > 0 else None]


def commands(text: str) -> list[str]:
    return [
        line for line in blocks(text, "bash")[0].splitlines() if line and not line.startswith("#")
    ]


def strip_comments(code: str) -> list[str]:
    return [re.sub(r"\s+#.*$", "", line).rstrip() for line in code.splitlines()]


@pytest.mark.parametrize("path", [README, README_ZH], ids=["en", "zh"])
def test_the_two_commands_create_and_use_a_virtual_environment(path):
    first, second = commands(path.read_text(encoding="utf-8"))
    for cmd in (first, second):
        assert cmd.startswith("python3 -m venv .venv && ")
        # nothing is installed or run with the system Python (PEP 668 refuses it)
        assert not re.search(r"(^|&& )(pip|python3 -m pip|suzhou-geo) ", cmd), cmd
    assert ".venv/bin/pip install . " in first and ".venv/bin/suzhou-geo report" in first
    assert second.endswith(". .venv/bin/activate && bash scripts/test.sh")
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [README, README_ZH], ids=["en", "zh"])
def test_no_links_outside_the_repository(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    for target in re.findall(r"\]\(([^)]+)\)", text):
        assert not target.startswith(("/", "..")), target
        assert (ROOT / target).exists(), target


def test_the_chinese_quick_start_runs_the_same_code():
    en = blocks(section(README.read_text(encoding="utf-8"), "## A Jupyter session"), "python")[0]
    zh = blocks(README_ZH.read_text(encoding="utf-8"), "python")[0]
    assert strip_comments(en) == strip_comments(zh)
    assert re.search(r"[\u4e00-\u9fff]{20}", README_ZH.read_text(encoding="utf-8"))


def test_the_jupyter_block_runs_as_written(tmp_path):
    code = blocks(section(README.read_text(encoding="utf-8"), "## A Jupyter session"), "python")[0]
    statements = [s for s in re.split(r"\n(?=\S)", code.strip()) if s.strip()]
    assert len(statements) >= 10
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in statements]
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0]["evalue"] if errors else ""
    # every expression cell shows a result (a table, a map, a check), as a planner would see it
    shown = [c for c in nb.cells if any(o.output_type == "execute_result" for o in c.outputs)]
    assert len(shown) >= 7
    assert (tmp_path / "parcels_report.xlsx").exists()


# --------------------------------------------------------------------------- the README's shell commands


#: Lines that need what a test machine has not got: a database or a dask scheduler on the network, a
#: browser session (jupyter lab), QGIS's window and Debian packages installed with sudo (the QGIS section;
#: tests/test_qgis.py runs the plugin), the whole suite (scripts/test.sh runs this test), a cluster started
#: for the run (covered by tests/test_dask.py).
NOT_HERE = ("postgresql://", "PG:", "tcp://", "jupyter lab", "scripts/test.sh", "--engine dask", "pytest",
            "benchmarks/", "ruff check", "build_report_columns_doc", "sudo ", "~/.venvs", ".venvs/suzhou_geo",
            "/path/to/", "build_qgis_plugin")


def shell_blocks(text: str) -> list[list[str]]:
    """Return the README's bash blocks in order, each as its command lines (comments and unrunnable lines left out)."""
    text = text.split("\n## Development")[0]
    out = []
    for block in blocks(text, "bash"):
        lines = [ln for ln in block.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        lines = [ln for ln in lines if not any(s in ln for s in NOT_HERE)]
        if lines:
            out.append(lines)
    return out


def _fake_venv(folder: Path) -> None:
    """Make a ``.venv`` whose programs are this test's Python with suzhou_geo on it (installing is CI's job)."""
    import os
    import sys

    bin_ = folder / ".venv" / "bin"
    bin_.mkdir(parents=True)
    (bin_ / "python").write_text(f"#!/bin/sh\nexec '{sys.executable}' \"$@\"\n")
    (bin_ / "suzhou-geo").write_text(
        f"#!/bin/sh\nexec '{sys.executable}' -c 'import sys; sys.argv[0] = \"suzhou-geo\"; "
        "from suzhou_geo.cli import main; main()' \"$@\"\n"
    )
    # the README's install lines: .ci/run installs the package the same way on a fresh machine
    (bin_ / "pip").write_text("#!/bin/sh\necho \"pip $*: (installed already for this test)\"\n")
    (bin_ / "activate").write_text(f'export VIRTUAL_ENV="{folder / ".venv"}"\nexport PATH="{bin_}:$PATH"\n')
    for f in bin_.iterdir():
        f.chmod(0o755)
    assert os.access(bin_ / "suzhou-geo", os.X_OK)


def _user_files(folder: Path) -> None:
    """Write the files the README's examples name, made from the bundled data as a planner's office would have them."""
    import warnings

    import suzhou_geo as sg

    parcels, red = sg.datasets.parcels(), sg.load_redlines()
    parcels.to_file(folder / "地块.gpkg")
    parcels.to_parquet(folder / "地块.parquet")
    parcels.head(20).to_file(folder / "拟批地块.geojson")
    red.to_file(folder / "红线.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Shapefile field names cut to 10 characters, as planners' files are
        red.to_file(folder / "生态保护红线.shp", encoding="UTF-8")
        # Gauss-Krüger coordinates without a .prj: the commands give the CRS
        polygons = parcels[parcels.geom_type.isin(["Polygon", "MultiPolygon"])]
        polygons.to_crs("EPSG:4549").to_file(folder / "地块.shp", encoding="UTF-8")
        red.to_crs("EPSG:4528").to_file(folder / "红线.shp", encoding="UTF-8")
    for stem in ("地块", "红线"):
        (folder / f"{stem}.prj").unlink()
    # an approval package: 部标 TXT, CAD drawing, KMZ, 界址点 table (tests/_approval_files.py writes them)
    import shutil

    import _approval_files as af

    made = af.write_all(folder / "approval")
    for key, name in (("txt/standard_gbk_crlf", "项目.txt"), ("dxf/r2000_gbk", "红线图.dxf"),
                      ("kmz/one_folder", "选址.kmz"), ("table/xlsx", "界址点坐标.xlsx")):
        shutil.copy(made[key], folder / name)


def test_the_readme_shell_blocks_run_in_order_each_in_a_fresh_shell(tmp_path):
    import os
    import subprocess

    todo = shell_blocks(README.read_text(encoding="utf-8"))
    assert len(todo) >= 5 and any("ipykernel install" in ln for b in todo for ln in b)
    _fake_venv(tmp_path)
    _user_files(tmp_path)
    (tmp_path / "data").symlink_to(ROOT / "data")  # commands run from the repository folder name its data/
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "PYTHONPATH": os.environ.get("PYTHONPATH", "")}  # a fresh shell: no environment activated
    for block in todo:
        # python3 -m venv would make a real environment: the fake one stands for it
        script = "\n".join(ln.replace("python3 -m venv .venv && ", "") for ln in block)
        r = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{script}\n--- stdout\n{r.stdout[-3000:]}\n--- stderr\n{r.stderr[-3000:]}"
    assert (tmp_path / "report" / "summary.html").exists() and (tmp_path / "报告.parquet").exists()
    # the kernel the Jupyter section installs, in the (test's) home folder
    assert list((tmp_path / ".local" / "share" / "jupyter" / "kernels").glob("suzhou-geo/kernel.json"))
