"""Places planners name: the county-level units, and the functional areas that are not units."""

from __future__ import annotations

import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

import suzhou_geo as sg
from suzhou_geo.boundaries import FUNCTIONAL_AREAS, functional_area, resolve_name, unit_note
from suzhou_geo.cli import main
from suzhou_geo.errors import InputError, SuzhouGeoWarning

GRS80 = Geod(ellps="GRS80")


def geod_km2(geom) -> float:
    return abs(GRS80.geometry_area_perimeter(shapely.orient_polygons(geom))[0]) / 1e6


def test_jurisdictions_lists_every_unit_with_pinyin_adcode_and_area():
    r = CliRunner().invoke(main, ["jurisdictions"])
    assert r.exit_code == 0, r.output
    units = sg.jurisdictions(suzhou_only=True)
    assert len(units) == 10
    for row in units.itertuples():
        line = next(line for line in r.output.splitlines() if line.strip().startswith(row.name_zh))
        assert row.name_en in line and row.adcode in line
        assert f"{row.area_km2:,.2f}" in line
    assert "苏州工业园区" in r.output and "吴中区、虎丘区" in r.output
    r_all = CliRunner().invoke(main, ["jurisdictions", "--all"])
    assert "嘉定区" in r_all.output and "嘉定区" not in r.output


@pytest.mark.parametrize("name", ["苏州工业园区", "园区", "SIP", "Suzhou Industrial Park"])
def test_the_industrial_park_gets_a_clear_answer(name):
    with pytest.raises(InputError) as err:
        sg.boundary(name)
    msg = str(err.value)
    assert "不是县级行政区" in msg and "not a county-level unit" in msg
    assert "吴中区" in msg and "虎丘区" in msg
    assert "通州区" not in msg and "Closest" not in msg  # no wrong "closest match"
    r = CliRunner().invoke(main, ["jurisdictions", name])
    assert r.exit_code == 0 and "不是县级行政区" in r.output
    r = CliRunner().invoke(main, ["boundary", name])
    assert r.exit_code == 2 and "not a county-level unit" in r.output


def test_other_functional_areas_name_the_unit_that_holds_them():
    for fa in FUNCTIONAL_AREAS:
        assert functional_area(fa.name_zh) is fa
        for unit in fa.held_by:
            resolve_name(unit)  # every holding unit is a bundled county-level unit
    with pytest.raises(InputError, match="昆山市"):
        sg.boundary("昆山高新区")
    # an unlisted zone is still recognised as a zone, not matched to the nearest spelling
    with pytest.raises(InputError, match="functional area"):
        sg.boundary("某某经济开发区")


def test_the_high_tech_zone_alias_warns_about_the_exclave():
    with pytest.warns(SuzhouGeoWarning, match="苏州工业园区"):
        b = sg.boundary("高新区")
    assert b.name_zh.iloc[0] == "虎丘区"
    # independent: the polygon's parts measured with Geod
    g = b.geometry.iloc[0]
    parts = sorted(shapely.get_parts(g), key=geod_km2)
    assert len(parts) == 2
    exclave, whole = geod_km2(parts[0]), geod_km2(g)
    assert 70 < exclave < 72 and 407 < whole < 409
    assert f"{exclave:.2f} km²" in unit_note("320505") and f"{whole:,.2f} km²" in unit_note(
        "320505"
    )
    # the exclave lies east of the old city, where the park is (独墅湖 31.26°N 120.72°E)
    assert parts[0].contains(shapely.Point(120.72, 31.26))
    r = CliRunner().invoke(main, ["jurisdictions", "高新区"])
    assert r.exit_code == 0 and "71.05" in r.output and "虎丘区" in r.output


def test_unknown_names_still_list_the_closest():
    with pytest.raises(ValueError, match="Kunshan"):
        sg.boundary("Kunshna")
