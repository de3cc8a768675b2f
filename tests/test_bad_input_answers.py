"""Every file of the second round of the bad-input corpus: a right answer, a verdict with a reason, or one line.

The corpus (``tests/bad_inputs.py``, :func:`bad_inputs.build_round_two`) is
generated from scratch in a temporary folder.  Each case is run where a planner
would give it — as parcels (in memory, streamed, measured by ``redline_overlap``, and through
``suzhou-geo validate``), as redlines or ``--minus`` parcels (``check_floor``,
``suzhou-geo floors``), as zones or raster (``zonal_stats``, ``suzhou-geo
zonal``), drawn (``plan_map``, ``suzhou-geo map``), or written
(``write_layer``, ``suzhou-geo validate -o``) — and must end in the answer the
case states: never a traceback, never a silent guess.  An error is one line on
stderr with exit status 2 that names the file and the fix, spelled as the
caller's options (no Python keyword reaches a command-line user).

Numbers are checked against values computed another way (``pyproj.Geod`` on a
densely sampled outline).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import bad_inputs  # tests/ is on sys.path (pytest inserts the test file's folder)
import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod, Transformer

import suzhou_geo as sg
from suzhou_geo import errors
from suzhou_geo.cli import main

GEOD = Geod(ellps="GRS80")
#: Python keyword arguments that must not reach a command-line user.
KEYWORD = re.compile(r"\b(crs|layer|encoding|sql|datum_shift|approximate_datum|override_crs|swap_xy|invalid|overwrite|"
                     r"wkt|band|classes|zones_crs|redlines_crs|minus_crs|layer_crs|categorical)=")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_inputs_2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return folder, {c.name: c for c in bad_inputs.build_round_two(folder)}


CASES = bad_inputs.ROUND_TWO


def _cli(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def _one_line_error(res, case, path: Path) -> None:
    """Exit status 2, one line on stderr, the file named, the words of the case, no Python keyword."""
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    lines = [ln for ln in res.output.splitlines() if "Error:" in ln]
    assert len(lines) == 1 and "Traceback" not in res.output, res.output
    line = lines[0]
    assert path.name in line, line
    for word in case.match:
        assert word in line, (word, line)
    for word in case.forbid:
        assert word not in line, (word, line)
    assert not KEYWORD.search(line), line


def _api_error(run, case, path: Path) -> None:
    cls = getattr(errors, case.error)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.SuzhouGeoWarning)
        with pytest.raises(cls) as err:
            run()
    msg = str(err.value)
    assert path.name in msg, msg
    for word in case.match:
        assert word in msg, (word, msg)
    for word in case.forbid:
        assert word not in msg, (word, msg)


def _flags(options: dict) -> list[str]:
    flags = []
    for k, v in options.items():
        flags += [f"--{k.replace('_', '-')}"] + ([] if v is True else [str(v)])
    return flags


# --------------------------------------------------------------------------- by role


def _parcels(case, path: Path, tmp: Path) -> None:
    read_opts = {k: v for k, v in case.options.items() if k in ("crs",)}
    if case.expect == "error":
        _api_error(lambda: sg.validate_parcels(path, joint_zones=False, schemes=False), case, path)
        _api_error(lambda: sg.validate_file(path, tmp / "api.gpkg", joint_zones=False, schemes=False), case, path)
        _api_error(lambda: sg.redline_overlap(path), case, path)
        for out in ("cli.gpkg", "cli.xlsx"):
            _one_line_error(_cli("validate", path, "-o", tmp / out, "--no-schemes"), case, path)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mem = sg.validate_parcels(path, joint_zones=False, schemes=False, **read_opts)
        streamed = sg.validate_file(path, tmp / "api.gpkg", joint_zones=False, schemes=False, **read_opts)
        whole = sg.validate_file(path, tmp / "api.xlsx", joint_zones=False, schemes=False, **read_opts)
        overlap = sg.redline_overlap(path, **read_opts)  # read in batches, far rows never decoded
    if case.warns:
        assert any(issubclass(w.category, errors.SuzhouGeoWarning) for w in caught)
    assert streamed.rows == whole.rows == len(mem)
    back = pyogrio.read_dataframe(tmp / "api.gpkg")
    assert list(back["verdict"]) == list(mem["verdict"])  # streamed and in memory: the same verdicts
    assert list(overlap.index) == list(mem.index)
    assert (overlap.round(2).fillna(-1) == mem["redline_overlap_m2"].fillna(-1)).all()
    if case.rows:
        assert {int(k): v for k, v in case.rows.items()} == dict(enumerate(mem["verdict"]))
        assert (mem["reasons"] != "").all()  # every verdict with its reason
    for out in ("cli.gpkg", "cli.xlsx"):
        res = _cli("validate", path, "-o", tmp / out, "--no-schemes", *_flags(read_opts))
        assert res.exit_code == 0, res.output


def _redlines(case, path: Path, tmp: Path) -> None:
    assert case.expect == "error"
    _api_error(lambda: sg.check_floor("昆山市", redlines=path), case, path)
    _api_error(lambda: sg.validate_parcels(bad_inputs.truth_frame(), redlines=path), case, path)
    _one_line_error(_cli("floors", "--redlines", path), case, path)
    _one_line_error(_cli("report", "--redlines", path, "-o", tmp / "report"), case, path)


def _minus(case, path: Path, tmp: Path) -> None:
    fc = sg.check_floor("昆山市", minus=path)
    assert fc.removed_km2 >= 0 and fc.area_km2 > 0
    assert _cli("floors", "--minus", path).exit_code == 0


def _zones(case, path: Path, tmp: Path) -> None:
    raster = path.parent / "landcover.tif"
    _api_error(lambda: sg.zonal_stats(raster, path), case, path)
    _one_line_error(_cli("zonal", raster, path), case, path)
    _api_error(lambda: sg.rasterize(path), case, path)
    _one_line_error(_cli("rasterize", path, "-o", tmp / "z.tif"), case, path)


def _raster(case, path: Path, tmp: Path) -> None:
    zones = path.parent / "plain.gpkg"
    _api_error(lambda: sg.zonal_stats(path, zones, **case.options), case, path)
    _one_line_error(_cli("zonal", path, zones, *_flags(case.options)), case, path)


def _map(case, path: Path, tmp: Path) -> None:
    frame = sg.read_layer(path)
    with pytest.warns(errors.SuzhouGeoWarning, match="NaN or infinite"):
        sg.save_map(sg.plan_map(frame), tmp / "m.html", offline=True)
    res = _cli("map", path, "-o", tmp / "cli.html", "--offline")
    assert res.exit_code == 0 and "NaN" in res.output, res.output


def _output(case, path: Path, tmp: Path) -> None:
    target = tmp / f"api{case.output}"
    frame = sg.read_layer(path)
    if case.expect == "error":
        _api_error(lambda: sg.write_layer(frame, target, **case.options), case, target)
        assert not target.exists()
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.SuzhouGeoWarning)
        sg.write_layer(frame, target)
        report = tmp / f"cli{case.output}"
        res = _cli("validate", path, "-o", report, "--no-schemes")
    assert res.exit_code == 0, res.output
    CHECK_OUTPUT[case.name](frame, target, report)


def _case_duplicates(frame, target, report):
    back = pyogrio.read_dataframe(target)
    assert list(back["Name"]) == list(frame["Name"]) and list(back["name_1"]) == list(frame["name"])
    assert list(pyogrio.read_dataframe(report)["name_1"]) == ["乙"] * 3


def _fgb_row_order(frame, target, report):
    assert list(pyogrio.read_dataframe(target)["序号"]) == list(frame["序号"])
    assert list(pyogrio.read_dataframe(report)["序号"]) == list(frame["序号"])


def _measured_shapefile(frame, target, report):
    for path in (target, report):
        meta, table = pyogrio.read_arrow(path)  # ISO WKB as GDAL holds it (M included)
        geoms = shapely.from_wkb(table[meta["geometry_name"] or "wkb_geometry"].to_numpy(zero_copy_only=False))
        assert shapely.has_m(geoms).all(), path  # the M values are written, not refused or dropped
        np.testing.assert_allclose(shapely.get_coordinates(geoms[:1], include_m=True)[:, 2], 7.5)


CHECK_OUTPUT = {"case_duplicates": _case_duplicates, "fgb_row_order": _fgb_row_order,
                "measured_shapefile": _measured_shapefile}
RUN = {"parcels": _parcels, "redlines": _redlines, "minus": _minus, "zones": _zones, "raster": _raster,
       "map": _map, "output": _output}


@pytest.mark.parametrize("name", CASES)
def test_each_case_has_its_answer(corpus, name, tmp_path):
    folder, cases = corpus
    case = cases[name]
    RUN[case.role](case, folder / case.file, tmp_path)


# --------------------------------------------------------------------------- the numbers of the answers


def test_curves_are_the_circles_drawn(corpus):
    """The linearised circle's area against Geod on the circle sampled every 2 mm, converted independently."""
    folder, _ = corpus
    r = sg.validate_parcels(folder / "curves.gpkg", redlines=False, joint_zones=False, schemes=False)
    assert r["geometry_issue"].str.contains("linearised").all()
    t = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
    cx, cy = bad_inputs.truth_frame().to_crs("EPSG:4549").geometry.iloc[0].centroid.coords[0]
    a = np.linspace(0, 2 * np.pi, 300_000)
    full = abs(GEOD.polygon_area_perimeter(*t.transform(cx + 100 * np.cos(a), cy + 100 * np.sin(a)))[0])
    half = np.linspace(0, np.pi, 150_000)
    lon, lat = t.transform(cx + 1000 + 100 * np.cos(half), cy + 100 * np.sin(half))
    semi = abs(GEOD.polygon_area_perimeter(lon, lat)[0])
    # the chords lose ⅔ × 0.1 mm × the perimeter at most: 0.042 m² for the circle
    assert r.loc[0, "parcel_area_m2"] == pytest.approx(full, abs=0.05)
    assert r.loc[1, "parcel_area_m2"] == pytest.approx(semi, abs=0.05)


def test_far_away_parcels_are_measured_on_the_ellipsoid(corpus):
    folder, _ = corpus
    r = sg.validate_parcels(folder / "far_away.gpkg", joint_zones=False, schemes=False)
    geom = bad_inputs._square(110.0, 35.0, 300.0)
    geod = abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(shapely.segmentize(geom, 1e-6)))[0])
    assert r.loc[0, "parcel_area_m2"] == pytest.approx(geod, abs=0.01)
    assert "outside Suzhou" in r.loc[0, "reasons"]
    # a redline 100 m away, at 110°E (EPSG:4549's scale is 1.6 % off there): the distance on the ellipsoid
    x1 = geom.bounds[2]
    red = gpd.GeoDataFrame({"name": ["远处红线"]}, crs="EPSG:4490",
                           geometry=[shapely.box(x1 + 0.0011, 35.0, x1 + 0.01, 35.01)])
    r = sg.validate_parcels(folder / "far_away.gpkg", redlines=red, joint_zones=False, schemes=False)
    d = GEOD.inv(x1, 35.001, x1 + 0.0011, 35.001)[2]
    assert r.loc[0, "nearest_redline_m"] == pytest.approx(d, abs=0.02)


def test_nested_collections_and_unclosed_rings_say_what_was_done(corpus):
    folder, _ = corpus
    r = sg.validate_parcels(folder / "nested_collection.gpkg", redlines=False, joint_zones=False, schemes=False)
    assert "reduced to its polygonal part" in r.loc[0, "reasons"]
    assert r.loc[0, "parcel_area_m2"] == pytest.approx(
        abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(bad_inputs.TRUTH[0]))[0]), abs=0.01)
    for name in ("unclosed_ring.geojson", "unclosed_ring.kml"):
        r = sg.validate_parcels(folder / name, redlines=False, joint_zones=False, schemes=False)
        assert "not closed" in r.loc[0, "reasons"] and r.loc[0, "verdict"] == "pass"


def test_the_library_reads_its_own_workbook_back(corpus):
    folder, _ = corpus
    r = sg.validate_parcels(sg.Source(str(folder / "report_workbook.xlsx"), crs="EPSG:4490"), redlines=False,
                            joint_zones=False, schemes=False)
    assert len(r) == 3 and (r["verdict"] == "pass").all()


def test_an_empty_parcel_layer_gives_an_empty_report(corpus, tmp_path):
    folder, _ = corpus
    r = sg.validate_parcels(folder / "empty_layer.gpkg")
    assert len(r) == 0 and "verdict" in r.columns
    res = _cli("report", "--parcels", folder / "empty_layer.gpkg", "-o", tmp_path / "report")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "report" / "summary.html").exists()


# --------------------------------------------------------------------------- every subcommand, one line

#: (subcommand and arguments, the file or option the line must name); ``{d}`` is the corpus folder.
COMMANDS = [
    (["area", "{d}/corrupt.gpkg"], "corrupt.gpkg"),
    (["area", "{d}/utm51_no_prj.shp"], "utm51_no_prj.shp"),
    (["report", "--parcels", "{d}/corrupt.gpkg", "-o", "{t}/r"], "corrupt.gpkg"),
    (["floors", "--minus", "{d}/table.xlsx"], "table.xlsx"),
    (["joint-zone", "-o", "{t}/j.gpkg", "--members", "昆山市", "--distance", "500"], "--members"),
    (["joint-zone", "-o", "{t}/j.gpkg", "--distance", "-5"], "--distance"),
    (["map", "{d}/corrupt.gpkg", "-o", "{t}/m.html"], "corrupt.gpkg"),
    (["map", "nonsense", "-o", "{t}/m.html"], "nonsense"),
    (["zonal", "{d}/landcover.tif", "{d}/plain.gpkg", "--zone-field", "nope"], "--zone-field"),
    (["zonal", "{d}/landcover.tif", "{d}/plain.gpkg", "--classes", "nope"], "--classes"),
    (["zonal", "{d}/landcover.tif", "{d}/plain.gpkg", "--continuous", "--classes", "worldcover"], "--classes"),
    (["zonal", "{d}/landcover.tif", "{d}/utm51_no_prj.shp"], "--crs EPSG:4550"),
    (["rasterize", "{d}/plain.gpkg", "-o", "{t}/z.tif", "--resolution", "0"], "--resolution"),
    (["rasterize", "{d}/plain.gpkg", "-o", "{t}/z.tif", "--attribute", "nope"], "--attribute"),
    (["rasterize", "{d}/plain.gpkg", "-o", "{t}/z.tif", "--dst-crs", "EPSG:4326", "--resolution", "30"],
     "--dst-crs"),
    (["scheme", "nope"], "nope"),
    (["validate", "{d}/plain.gpkg", "-o", "{t}/v.gpkg", "--redlines", "{d}/empty_layer.gpkg"], "empty_layer.gpkg"),
    (["validate", "{d}/utm51_no_prj.shp", "-o", "{t}/v.xlsx"], "--crs EPSG:32651"),
]


@pytest.mark.parametrize("args, named", COMMANDS, ids=[" ".join(a[:2]) for a, _ in COMMANDS])
def test_every_subcommand_fails_in_one_line_with_exit_2(corpus, tmp_path, args, named):
    folder, _ = corpus
    res = _cli(*[a.format(d=folder, t=tmp_path) for a in args])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and res.output.count("Error:") == 1, res.output
    line = next(ln for ln in res.output.splitlines() if "Error:" in ln)
    assert named in line, line
    assert not KEYWORD.search(line), line
