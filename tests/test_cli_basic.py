"""The click group and the foundation subcommands."""

from __future__ import annotations

from click.testing import CliRunner

from suzhou_geo.cli import COMMANDS, main


def test_help_lists_every_subcommand():
    r = CliRunner().invoke(main, ["--help"])
    assert r.exit_code == 0
    for name in COMMANDS:
        assert name in r.output


def test_every_registered_command_loads():
    for name in COMMANDS:
        r = CliRunner().invoke(main, [name, "--help"])
        assert r.exit_code == 0, (name, r.output)


def test_boundary_command(tmp_path):
    out = tmp_path / "ks.gpkg"
    r = CliRunner().invoke(main, ["boundary", "Kunshan", "-o", str(out)])
    assert r.exit_code == 0 and "昆山市" in r.output and out.exists()
    r = CliRunner().invoke(main, ["boundary", "Kunshna"])
    assert r.exit_code != 0 and "Kunshan" in r.output


def test_area_command_needs_crs(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    p = tmp_path / "nocrs.gpkg"
    gpd.GeoDataFrame(geometry=[box(280_000, 3_465_000, 281_000, 3_466_000)]).to_file(p, crs=None)
    r = CliRunner().invoke(main, ["area", str(p)])
    # 280 km east is Kunshan in UTM 51N or in GK CM 123°E (and Anhui in EPSG:4549): both named, 4549 not
    assert r.exit_code == 2 and "EPSG:4550" in r.output and "EPSG:32651" in r.output and "EPSG:4549" not in r.output
    r = CliRunner().invoke(main, ["area", str(p), "--crs", "EPSG:4549"])
    # 1 km x 1 km drawn 220 km west of CM 120E: GK scale k^2 = 1.0012, so 0.9988 km² on the ellipsoid
    assert r.exit_code == 0 and "0.9988" in r.output
    # a GeoJSON always says EPSG:4326; Gauss-Krüger metres in it are caught and --crs wins
    gj = tmp_path / "gk.geojson"
    gpd.GeoDataFrame(geometry=[box(280_000, 3_465_000, 281_000, 3_466_000)], crs=4326).to_file(gj)
    assert gpd.read_file(gj).crs.to_epsg() == 4326
    r = CliRunner().invoke(main, ["area", str(gj)])
    assert r.exit_code != 0 and "not degrees" in r.output
    r = CliRunner().invoke(main, ["area", str(gj), "--crs", "EPSG:4549"])
    # 1 km x 1 km drawn 220 km west of CM 120E: GK scale k^2 = 1.0012, so 0.9988 km² on the ellipsoid
    assert r.exit_code == 0 and "0.9988" in r.output
