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
