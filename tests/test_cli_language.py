"""The command line speaks Chinese first with English beside it, and names command-line options, not Python.

Every help page, usage error and message a planner sees in a terminal: headings, descriptions and each
option's help bilingual; the main list never cuts a description with "…"; warnings and hints name the
flags (``--encoding GB18030``), never the keyword arguments of the Python function behind the command.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

import suzhou_geo as sg
from suzhou_geo.cli import COMMANDS, main

CJK = re.compile(r"[\u4e00-\u9fff]")
#: A Python keyword argument as a hint would spell it (encoding=…, redlines=…, overwrite=True).
PYTHON_KEYWORD = re.compile(r"\b(?:encoding|redlines|crs|overwrite|invalid|layer|minus_crs|redlines_crs)=")


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_main_help_is_bilingual_and_lists_every_command_whole():
    r = run("--help")
    assert r.exit_code == 0
    assert "用法 Usage:" in r.output and "选项 Options:" in r.output and "子命令 Commands:" in r.output
    listed = r.output.split("子命令 Commands:")[1]
    for name in COMMANDS:
        line = next(ln for ln in listed.splitlines() if ln.strip().startswith(name + " "))
        assert CJK.search(line) and re.search(r"[A-Za-z]{3}", line.split(name, 1)[1]), line
        assert not line.rstrip().endswith(("...", "…")), line  # never cut


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_subcommand_help_is_bilingual(command):
    r = run(command, "-h")
    assert r.exit_code == 0, r.output
    head, _, options = r.output.partition("选项 Options:")
    assert "用法 Usage:" in head and CJK.search(head.split("\n", 2)[2])
    # every option's help has Chinese and English (an option's text starts where its flags end)
    entries = re.split(r"\n  (?=-)", options)
    for entry in entries:
        if not entry.strip():
            continue
        text = re.sub(r"^\s*-\S*(?:, -\S+)?(?: \S+)?\s+", "", entry.strip(), count=1)
        assert CJK.search(text) and re.search(r"[A-Za-z]{4}", text), entry


def test_usage_errors_are_bilingual():
    r = run("validate")
    assert r.exit_code == 2 and "错误 Error: 缺少参数 / Missing argument 'PARCELS'" in r.output
    r = run("no-such-command")
    assert r.exit_code == 2 and "没有这个子命令 / No such command" in r.output
    r = run("floors", "--redlines", "nowhere.gpkg")
    assert r.exit_code == 2 and "取值无效 / Invalid value" in r.output


def test_an_encoding_warning_names_the_flag(tmp_path):
    g = gpd.GeoDataFrame({"名称": ["阳澄湖地块"]}, geometry=[box(120.95, 31.38, 120.951, 31.381)], crs="EPSG:4490")
    g.to_file(tmp_path / "地块.shp", encoding="GBK")
    (tmp_path / "地块.cpg").unlink()  # GBK text, no .cpg: the reader decides and says how to confirm it
    r = run("area", tmp_path / "地块.shp")
    assert r.exit_code == 0, r.output
    assert "--encoding GB18030" in r.output
    assert not PYTHON_KEYWORD.search(r.output), r.output
    # the same file read in Python names the keyword argument
    with pytest.warns(sg.errors.SuzhouGeoWarning, match="encoding='GB18030'"):
        sg.read_layer(tmp_path / "地块.shp")


def test_runs_on_the_bundled_sample_name_no_python_keyword(tmp_path):
    outputs = [
        run("floors"),
        run("validate", sg.datasets.get_path("parcels"), "-o", tmp_path / "r.gpkg"),
        run("validate", sg.datasets.get_path("parcels"), "-o", tmp_path / "r.gpkg"),  # exists: refused
        run("report", "-o", tmp_path / "folder.csv", "--parcels", tmp_path / "nowhere.gpkg"),
    ]
    for r in outputs:
        assert not PYTHON_KEYWORD.search(r.output), r.output
    assert outputs[2].exit_code == 2 and "--overwrite" in outputs[2].output
