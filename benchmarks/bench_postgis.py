"""Side by side: parcel validation by suzhou_geo and by tuned PostGIS SQL.

    python benchmarks/bench_postgis.py                       # N = 10k and 100k, a throw-away server
    python benchmarks/bench_postgis.py --n 1000000           # the timing run (on a quiet machine)
    BENCH_PG_DSN=postgresql://user@host/db python benchmarks/bench_postgis.py --n 100000
                                                             # an existing server (creates tables bench_*)

For each N the seeded parcels of ``bench_validate.make_parcels`` (the same
GeoPackage file, in ``--workdir``) are checked four ways, each in a fresh
subprocess so that its peak memory is its own:

* ``lib compute``: :func:`suzhou_geo.validate_parcels` on the frame read beforehand;
* ``lib end to end``: ``validate_parcels(path)`` and the report written to a
  GeoPackage (pyogrio, Arrow) — bench_validate's "fast" path;
* ``PostGIS compute``: the same checks as SQL on the loaded parcel table:
  preparing the reference layers (timed apart) and the checks;
* ``PostGIS end to end``: GeoPackage → ``COPY`` into PostGIS → the checks →
  ``SELECT`` → report GeoPackage.

Peak memory: the library's ``ru_maxrss``; for PostGIS the client's
``ru_maxrss`` and the server's peak, the largest sum of the proportional set
sizes (``Pss`` in ``/proc/<pid>/smaps_rollup``, so shared buffers count once)
of the postmaster and its children, sampled every 0.1 s.

Agreement, per parcel: the verdict; the protection-redline and space-control
overlaps (m², largest absolute and relative difference); the parcel area; the
distance to the nearest protection redline; and the sets of redline names,
joint-control zones, county-level units and scheme elements.

The SQL (``LAYERS``, ``CHECKS``): every geometry in EPSG:4549 like the library,
with the library's one-geometry rule (edges are straight where the data are
stored, in longitude/latitude: ``ST_Segmentize(geom, 0.0005)`` before
``ST_Transform``, then ``ST_MakeValid``), so that both compute the same shapes;
a parcel whose repair changes its area by more than 1 % is ``review`` and one
under 1 m² ``invalid``, as in the library; reference layers
dissolved where areas are summed (per redline kind, per joint-zone pair), cut
by ``ST_Subdivide(…, 32)`` (``--max-vertices``; see ``MAX_VERTICES`` for the
measurements), GiST-indexed and analysed; parcels repaired like the library
(``ST_MakeValid(…, 'method=structure')``, polygonal part) and GiST-indexed;
ellipsoidal areas through ``geography`` (the parcel's ``ST_Area(geom::geography)``;
an overlap's ``ST_Area(ST_Transform(ST_Intersection(…), 4490)::geography)``, or
the parcel's own area when a piece covers it).  The pieces are the outer side
of every join and the first argument of ``ST_Intersects``/``ST_Covers``, so
that PostGIS prepares each piece once (12× faster than parcels outer); the
geometry work sits in a ``MATERIALIZED`` CTE so that only numbers are sorted
and grouped (3× faster than grouping the joined rows); one ``CREATE UNLOGGED
TABLE … AS`` statement per check; parallel workers allowed (the piece tables
get ``parallel_workers = 2``).  The PostGIS report has no ``reasons`` text (the
library's does: that is part of its time).

PostGIS settings of the throw-away cluster (``SETTINGS`` below; PostgreSQL 15.x,
PostGIS 3.3.2, GEOS 3.11.1, PROJ 9.1.1 from Debian 12): ``shared_buffers=1GB``,
``work_mem=256MB``, ``maintenance_work_mem=512MB``,
``effective_cache_size=4GB``, ``max_parallel_workers_per_gather=2``,
``max_parallel_workers=4``, ``max_worker_processes=8``,
``parallel_setup_cost=100``, ``parallel_tuple_cost=0.01``,
``min_parallel_table_scan_size=1MB``, ``random_page_cost=1.1``, ``jit=off``,
``fsync=off``, ``synchronous_commit=off``, ``full_page_writes=off``,
``wal_level=minimal``, ``max_wal_senders=0``, ``max_wal_size=4GB``; all work
tables ``UNLOGGED``.

Results go to stdout as a Markdown table and, with ``--json``, to a file with
the versions of both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE.parents[1] / "tests"))

from bench_validate import _write, make_parcels, versions  # noqa: E402  (reused, not copied)

DSN_ENV = "BENCH_PG_DSN"
#: Vertex limit of the reference-layer pieces (ST_Subdivide).  Measured at 100 000 parcels, checks
#: only (a loaded machine): 256 → 20.4 s, 128 → 15.2 s, 64 → 14.9 s, 32 → 12.0 s.
MAX_VERTICES = 32
PROTECTION = "ecological_protection_redline"

#: Server parameters of the throw-away cluster (see the module docstring).
SETTINGS = {
    "shared_buffers": "1GB",
    "work_mem": "256MB",
    "maintenance_work_mem": "512MB",
    "effective_cache_size": "4GB",
    "max_parallel_workers_per_gather": "2",
    "max_parallel_workers": "4",
    "max_worker_processes": "8",
    "parallel_setup_cost": "100",
    "parallel_tuple_cost": "0.01",
    "min_parallel_table_scan_size": "1MB",
    "random_page_cost": "1.1",
    "jit": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "4GB",
}

# --------------------------------------------------------------------------- the SQL

#: Reference layers, from the source tables loaded once (bench_src_*): EPSG:4549, valid,
#: dissolved where areas are summed, subdivided, indexed.
LAYERS = {
    "layer: redline features": """
        CREATE UNLOGGED TABLE bench_red_feat AS
        SELECT kind, name,
            ST_Subdivide(ST_MakeValid(ST_Transform(ST_Segmentize(geom, 0.0005), 4549)), {max_vertices}) AS g
        FROM bench_src_red""",
    "layer: redlines dissolved": """
        CREATE UNLOGGED TABLE bench_red_diss AS
        SELECT kind,
            ST_Subdivide(ST_Union(ST_MakeValid(ST_Transform(ST_Segmentize(geom, 0.0005), 4549))), {max_vertices}) AS g
        FROM bench_src_red GROUP BY kind""",
    "layer: joint zones dissolved": """
        CREATE UNLOGGED TABLE bench_zone AS
        SELECT pair,
            ST_Subdivide(ST_Union(ST_MakeValid(ST_Transform(ST_Segmentize(geom, 0.0005), 4549))), {max_vertices}) AS g
        FROM bench_src_zone GROUP BY pair""",
    "layer: districts": """
        CREATE UNLOGGED TABLE bench_dist AS
        SELECT name_zh, in_suzhou,
            ST_Subdivide(ST_MakeValid(ST_Transform(ST_Segmentize(geom, 0.0005), 4549)), {max_vertices}) AS g
        FROM bench_src_dist""",
    "layer: schemes": """
        CREATE UNLOGGED TABLE bench_scheme AS
        SELECT label, ST_Subdivide(ST_MakeValid(ST_Transform(ST_Segmentize(geom, 0.0005), 4549)), {max_vertices}) AS g
        FROM bench_src_scheme""",
}
LAYER_TABLES = ("bench_red_feat", "bench_red_diss", "bench_zone", "bench_dist", "bench_scheme")

#: The overlap (m², ellipsoidal) of parcel p with piece {t}: its own area when the piece covers it.
#: The piece comes first: PostGIS prepares a geometry that repeats from call to call, and with the
#: pieces as the outer side of the join (parcels indexed) every piece is prepared once.
_OVERLAP = (
    "CASE WHEN ST_Covers({t}.g, p.g) THEN p.area ELSE ST_Area(ST_Transform("
    "ST_CollectionExtract(ST_Intersection(p.g, {t}.g), 3), 4490)::geography) END"
)

#: The checks, one statement each, in order (bench_parcels → bench_report).
CHECKS = {
    "repair + area": """
        CREATE UNLOGGED TABLE bench_p AS
        SELECT id, g AS g4490, ST_Transform(ST_Segmentize(g, 0.0005), 4549) AS g,
               ST_Area(ST_Segmentize(g, 0.0005)::geography) AS area,
               coalesce(abs(ST_Area(g) - ST_Area(geom)) / nullif(greatest(ST_Area(g), ST_Area(geom)), 0), 0)
                   > 0.01 AS changed
        FROM (SELECT id, geom, CASE
                WHEN geom IS NULL OR ST_IsEmpty(geom) THEN NULL
                WHEN GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON') THEN
                    CASE WHEN ST_IsValid(geom) THEN geom
                         ELSE ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3) END
                WHEN GeometryType(geom) = 'GEOMETRYCOLLECTION' THEN ST_CollectionExtract(geom, 3)
              END AS g
              FROM bench_parcels) AS f
        WHERE g IS NOT NULL AND NOT ST_IsEmpty(g) AND ST_Area(ST_Segmentize(g, 0.0005)::geography) >= 1""",
    "redline overlaps": f"""
        CREATE UNLOGGED TABLE bench_c_red AS
        WITH pairs AS MATERIALIZED (
            SELECT p.id, d.kind, {_OVERLAP.format(t="d")} AS m2
            FROM bench_red_diss d JOIN bench_p p ON ST_Intersects(d.g, p.g))
        SELECT id, kind, sum(m2) AS m2 FROM pairs GROUP BY id, kind""",
    "redline names": f"""
        CREATE UNLOGGED TABLE bench_c_names AS
        WITH pairs AS MATERIALIZED (
            SELECT p.id, f.kind, f.name, {_OVERLAP.format(t="f")} AS m2
            FROM bench_red_feat f JOIN bench_p p ON ST_Intersects(f.g, p.g)
            JOIN bench_c_red r ON r.id = p.id AND r.kind = f.kind AND r.m2 > 0)
        SELECT id, kind, string_agg(name, '; ' ORDER BY name) AS names
        FROM (SELECT id, kind, name FROM pairs GROUP BY id, kind, name HAVING sum(m2) >= 0.01) AS s
        GROUP BY id, kind""",
    "nearest redline": f"""
        CREATE UNLOGGED TABLE bench_c_near AS
        WITH pairs AS MATERIALIZED (
            SELECT p.id, ST_Distance(f.g, p.g) AS d
            FROM bench_red_feat f JOIN bench_p p
              ON f.kind = '{PROTECTION}' AND ST_DWithin(f.g, p.g, 1000))
        SELECT id, min(d) AS d FROM pairs GROUP BY id""",
    "joint zones": f"""
        CREATE UNLOGGED TABLE bench_c_zone AS
        WITH pairs AS MATERIALIZED (
            SELECT p.id, z.pair, p.area, {_OVERLAP.format(t="z")} AS m2
            FROM bench_zone z JOIN bench_p p ON ST_Intersects(z.g, p.g))
        SELECT id, pair, sum(m2) AS m2, min(area) AS area FROM pairs GROUP BY id, pair""",
    "districts": f"""
        CREATE UNLOGGED TABLE bench_c_dist AS
        WITH pairs AS MATERIALIZED (
            SELECT p.id, d.name_zh, d.in_suzhou, p.area, {_OVERLAP.format(t="d")} AS m2
            FROM bench_dist d JOIN bench_p p ON ST_Intersects(d.g, p.g))
        SELECT id, name_zh, bool_or(in_suzhou) AS in_suzhou, sum(m2) AS m2, min(area) AS area
        FROM pairs GROUP BY id, name_zh""",
    "schemes": """
        CREATE UNLOGGED TABLE bench_c_scheme AS
        SELECT id, string_agg(label, '; ' ORDER BY label) AS labels
        FROM (SELECT DISTINCT p.id, s.label FROM bench_scheme s
              JOIN bench_p p ON ST_DWithin(s.g, p.g, 200)) AS n
        GROUP BY id""",
    "verdicts": f"""
        CREATE UNLOGGED TABLE bench_report AS
        WITH red AS (
            SELECT id, sum(m2) FILTER (WHERE kind = '{PROTECTION}') AS red_raw,
                   sum(m2) FILTER (WHERE kind <> '{PROTECTION}') AS ctl_raw
            FROM bench_c_red GROUP BY id),
        names AS (
            SELECT id, string_agg(names, '; ' ORDER BY kind) AS names FROM bench_c_names GROUP BY id),
        zone AS (
            SELECT id, string_agg(pair, '; ' ORDER BY pair) AS zones FROM bench_c_zone
            WHERE m2 > 1 AND m2 > 0.001 * area GROUP BY id),
        dist AS (
            SELECT id, string_agg(name_zh, '; ' ORDER BY name_zh)
                       FILTER (WHERE m2 > 1 AND m2 > 0.001 * area) AS districts,
                   coalesce(sum(m2) FILTER (WHERE in_suzhou), 0) AS suzhou_m2
            FROM bench_c_dist GROUP BY id),
        j AS (
            SELECT s.id, s.parcel_id, s.land_use, coalesce(p.g4490, s.geom) AS geom,
                   p.id IS NOT NULL AS usable, p.area, coalesce(p.changed, false) AS changed,
                   CASE WHEN coalesce(red.red_raw, 0) < 0.01 THEN 0 ELSE red.red_raw END AS red_m2,
                   CASE WHEN coalesce(red.ctl_raw, 0) < 0.01 THEN 0 ELSE red.ctl_raw END AS ctl_m2,
                   CASE WHEN coalesce(red.red_raw, 0) > 0 THEN 0 ELSE n.d END AS nearest,
                   names.names, zone.zones, dist.districts, coalesce(dist.suzhou_m2, 0) AS suzhou_m2,
                   c.labels AS schemes
            FROM bench_parcels s LEFT JOIN bench_p p USING (id) LEFT JOIN red USING (id)
            LEFT JOIN bench_c_near n USING (id) LEFT JOIN names USING (id)
            LEFT JOIN zone USING (id) LEFT JOIN dist USING (id) LEFT JOIN bench_c_scheme c USING (id)),
        f AS (
            SELECT j.*,
                   usable AND red_m2 > 1 AND red_m2 > 0.001 * area AS conflict,
                   usable AND ctl_m2 > 1 AND ctl_m2 > 0.001 * area AS control,
                   usable AND greatest(area - suzhou_m2, 0) > 1
                          AND greatest(area - suzhou_m2, 0) > 0.001 * area AS outside
            FROM j)
        SELECT id, parcel_id, land_use, geom,
               CASE WHEN NOT usable THEN 'invalid'
                    ELSE (ARRAY['pass', 'notice', 'review', 'conflict'])[1 + greatest(
                        CASE WHEN conflict THEN 3 ELSE 0 END,
                        CASE WHEN (red_m2 > 0 AND NOT conflict) OR control
                                  OR (NOT conflict AND red_m2 = 0 AND nearest <= 100)
                                  OR outside OR changed THEN 2 ELSE 0 END,
                        CASE WHEN zones IS NOT NULL THEN 1 ELSE 0 END)] END AS verdict,
               CASE WHEN usable THEN round(red_m2::numeric, 2)::float8 END AS redline_overlap_m2,
               CASE WHEN usable THEN round(ctl_m2::numeric, 2)::float8 END AS control_overlap_m2,
               coalesce(names, '') AS redline_names,
               round(nearest::numeric, 2)::float8 AS nearest_redline_m,
               coalesce(zones, '') AS joint_zone, coalesce(districts, '') AS district,
               coalesce(schemes, '') AS scheme_elements,
               round(area::numeric, 2)::float8 AS parcel_area_m2
        FROM f""",
}
CHECK_TABLES = (
    "bench_p",
    "bench_c_red",
    "bench_c_names",
    "bench_c_near",
    "bench_c_zone",
    "bench_c_dist",
    "bench_c_scheme",
    "bench_report",
)
COMPARED = (
    "verdict",
    "redline_overlap_m2",
    "control_overlap_m2",
    "nearest_redline_m",
    "parcel_area_m2",
    "redline_names",
    "joint_zone",
    "district",
    "scheme_elements",
)


# --------------------------------------------------------------------------- PostGIS side


def _connect():
    import psycopg

    return psycopg.connect(
        os.environ[DSN_ENV].replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    )


def load_reference(con) -> None:
    """Load the library's bundled reference layers into bench_src_* (set-up, not timed)."""
    import suzhou_geo as sg

    red = sg.load_redlines()
    zone = sg.joint_control_zone()
    dist = sg.jurisdictions(geometry=True)
    dist = dist[dist.level == "county"]
    sch = sg.layers()
    sources = {
        "bench_src_red": (red, {"kind": red["kind"], "name": red["name"]}),
        "bench_src_zone": (zone, {"pair": zone["pair"]}),
        "bench_src_dist": (dist, {"name_zh": dist["name_zh"], "in_suzhou": dist["in_suzhou"]}),
        "bench_src_scheme": (sch, {"label": sch["scheme"] + "·" + sch["name_zh"]}),
    }
    for table, (frame, cols) in sources.items():
        types = ", ".join(f"{c} {'boolean' if c == 'in_suzhou' else 'text'}" for c in cols)
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TABLE {table} ({types}, geom geometry(Geometry, 4490))")
        _copy(
            con,
            table,
            [*cols, "geom"],
            [*(c.tolist() for c in cols.values()), _ewkb(frame.geometry.values)],
        )
        con.execute(f"ANALYZE {table}")


def _ewkb(geoms) -> list:
    import shapely

    return shapely.to_wkb(
        shapely.set_srid(np.asarray(geoms, dtype=object), 4490), hex=True, include_srid=True
    ).tolist()


def _copy(con, table: str, names: list[str], columns: list[list]) -> None:
    with con.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as cp:
        for row in zip(*columns, strict=True):
            cp.write_row(row)


def _drop(con, tables) -> None:
    for t in tables:
        con.execute(f"DROP TABLE IF EXISTS {t}")


def load_parcels(con, src: Path) -> int:
    """GeoPackage → bench_parcels (id = row number, as the library's report rows)."""
    import pyogrio

    gdf = pyogrio.read_dataframe(src, use_arrow=True)
    _drop(con, ["bench_parcels"])
    con.execute(
        "CREATE UNLOGGED TABLE bench_parcels (id bigint, parcel_id text, land_use text, "
        "geom geometry(Geometry, 4490))"
    )
    _copy(
        con,
        "bench_parcels",
        ["id", "parcel_id", "land_use", "geom"],
        [
            list(range(len(gdf))),
            gdf["parcel_id"].tolist(),
            gdf["land_use"].tolist(),
            _ewkb(gdf.geometry.values),
        ],
    )
    con.execute("ANALYZE bench_parcels")
    return len(gdf)


def run_sql(con, statements: dict[str, str], clock, max_vertices: int = MAX_VERTICES) -> None:
    """Run each statement; index and analyse what it made (pieces may be scanned in parallel)."""
    for name, sql in statements.items():
        con.execute(sql.replace("{max_vertices}", str(int(max_vertices))))
        table = sql.split("TABLE", 1)[1].split()[0]
        if table in (*LAYER_TABLES, "bench_p"):
            con.execute(f"CREATE INDEX ON {table} USING gist (g)")
        if table in LAYER_TABLES:  # a few hundred rows: split them between the workers anyway
            con.execute(f"ALTER TABLE {table} SET (parallel_workers = 2)")
        con.execute(f"ANALYZE {table}")
        clock(name)


def export_report(con, dst: Path) -> dict:
    """bench_report → GeoPackage, and the compared columns as arrays."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    with con.cursor(binary=True) as cur:
        cur.execute(
            f"SELECT id, parcel_id, land_use, {', '.join(COMPARED)}, ST_AsBinary(geom) "
            "FROM bench_report ORDER BY id"
        )
        rows = cur.fetchall()
    names = ["id", "parcel_id", "land_use", *COMPARED, "wkb"]
    df = pd.DataFrame.from_records(rows, columns=names)
    geoms = shapely.from_wkb(df.pop("wkb").to_numpy(dtype=object, na_value=None))
    report = gpd.GeoDataFrame(df, geometry=geoms, crs="EPSG:4490")
    _write(report, dst)
    return report


class ServerMemory:
    """Peak summed PSS (MB) of a local server's processes, sampled in a thread, per stage."""

    def __init__(self, postmaster: int | None, every: float = 0.1):
        self.postmaster, self.every = postmaster, every
        self.peak: dict[str, float] = {}
        self.stage = "start"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        if self.postmaster:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _pids(self) -> list[int]:
        pids = [self.postmaster]
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as fh:
                        if int(fh.read().rsplit(")", 1)[1].split()[1]) == self.postmaster:
                            pids.append(int(d))
                except (OSError, ValueError, IndexError):
                    pass
        return pids

    @staticmethod
    def _pss_kb(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                return next(int(ln.split()[1]) for ln in fh if ln.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            mb = sum(map(self._pss_kb, self._pids())) / 1024.0
            self.peak[self.stage] = max(self.peak.get(self.stage, 0.0), mb)
            self._stop.wait(self.every)


def _postmaster(con) -> int | None:
    """PID of a server on this machine (from postmaster.pid), or None."""
    try:
        data = con.execute("SHOW data_directory").fetchone()[0]
        return int(Path(data, "postmaster.pid").read_text().split()[0])
    except Exception:  # another machine, or no right to read it: no server memory
        return None


def run_postgis(src: Path, dst: Path, max_vertices: int) -> dict:
    with _connect() as con:
        _drop(con, [*LAYER_TABLES, *CHECK_TABLES])
        t: dict[str, float] = {}
        with ServerMemory(_postmaster(con)) as mem:
            last = [time.perf_counter()]

            def clock(name: str) -> None:
                now = time.perf_counter()
                t[name] = t.get(name, 0.0) + now - last[0]
                last[0] = now

            mem.stage = "load"
            n = load_parcels(con, src)
            clock("load")
            mem.stage = "layers"
            run_sql(con, LAYERS, clock, max_vertices)
            mem.stage = "checks"
            run_sql(con, CHECKS, clock)
            mem.stage = "export"
            report = export_report(con, dst)
            clock("export")
        stages = {k: round(v, 3) for k, v in t.items()}
        layers = sum(t[k] for k in LAYERS)
        checks = sum(t[k] for k in CHECKS)
    return {
        "n": n,
        "seconds": sum(t.values()),
        "load_s": t["load"],
        "layers_s": layers,
        "checks_s": checks,
        "export_s": t["export"],
        "stages": stages,
        "server_peak_mb": {k: round(v) for k, v in mem.peak.items()},
        "columns": {c: report[c].tolist() for c in COMPARED},
    }


# --------------------------------------------------------------------------- library side


def run_library(src: Path, dst: Path, compute_only: bool) -> dict:
    import pyogrio

    import suzhou_geo as sg

    parcels = pyogrio.read_dataframe(src, use_arrow=True) if compute_only else src
    t0 = time.perf_counter()
    report = sg.validate_parcels(parcels)
    t1 = time.perf_counter()
    if not compute_only:
        _write(report, dst)
    t2 = time.perf_counter()
    return {
        "seconds": t2 - t0,
        "validate_s": t1 - t0,
        "write_s": t2 - t1,
        "stages": report.attrs.get("timings", {}),
        "columns": {c: report[c].tolist() for c in COMPARED},
    }


def child(mode: str, src: str, dst: str, out_json: str, max_vertices: str) -> None:
    if mode == "postgis":
        res = run_postgis(Path(src), Path(dst), int(max_vertices))
    else:
        res = run_library(Path(src), Path(dst), compute_only=mode == "lib-compute")
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    Path(out_json).write_text(json.dumps(res, ensure_ascii=False), encoding="utf-8")


def _run_child(mode: str, src: Path, workdir: Path, max_vertices: int) -> dict:
    out_json = workdir / f"{mode}_{src.stem}.json"
    dst = workdir / f"report_{mode}_{src.stem}.gpkg"
    args = [str(src), str(dst), str(out_json), str(max_vertices)]
    subprocess.run([sys.executable, str(HERE), "--child", mode, *args], check=True)
    return json.loads(out_json.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- agreement


def agreement(lib: dict, pg: dict) -> dict:
    """Per-parcel agreement of the compared columns."""
    a, b = lib["columns"], pg["columns"]
    v1, v2 = np.array(a["verdict"]), np.array(b["verdict"])
    out: dict = {"n": len(v1), "verdicts_equal": int((v1 == v2).sum())}
    bad = np.flatnonzero(v1 != v2)
    out["verdict_mismatches"] = [
        {"row": int(i), **{c: [a[c][i], b[c][i]] for c in COMPARED}} for i in bad[:10]
    ]
    for c in ("redline_overlap_m2", "control_overlap_m2", "parcel_area_m2", "nearest_redline_m"):
        x = np.array(a[c], dtype=float)
        y = np.array(b[c], dtype=float)
        both = np.isfinite(x) & np.isfinite(y)
        d = np.abs(x - y)[both]
        big = both & (np.maximum(x, y) > 100)
        out[c] = {
            "max_abs_diff": float(d.max()) if d.size else 0.0,
            "max_rel_diff_gt_100": float((np.abs(x - y)[big] / np.maximum(x, y)[big]).max())
            if big.any()
            else 0.0,
            "finite_differs": int((np.isfinite(x) != np.isfinite(y)).sum()),
        }
    for c in ("redline_names", "joint_zone", "district", "scheme_elements"):
        same = [_set(p) == _set(q) for p, q in zip(a[c], b[c], strict=True)]
        out[c + "_sets_equal"] = int(sum(same))
    return out


def _set(label) -> frozenset:
    return frozenset(s for s in str(label or "").split("; ") if s and s != "nan")


# --------------------------------------------------------------------------- main


@contextmanager
def postgis_server():
    """Yield a DSN: BENCH_PG_DSN as given, or a throw-away cluster (tests/_postgis.py) with SETTINGS."""
    if os.environ.get(DSN_ENV):
        yield os.environ[DSN_ENV], None
        return
    from _postgis import start_cluster

    server = start_cluster(SETTINGS)
    try:
        yield server.uri(), server
    finally:
        server.stop()


def _server_versions() -> dict:
    with _connect() as con:
        return {
            "postgresql": con.execute("SHOW server_version").fetchone()[0],
            "postgis": con.execute("SELECT postgis_full_version()").fetchone()[0],
            "settings": dict(
                con.execute(
                    "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
                    [list(SETTINGS)],
                ).fetchall()
            ),
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/suzhou_geo_bench_validate"))
    ap.add_argument("--json", type=Path, default=None, help="save the results here")
    ap.add_argument(
        "--max-vertices",
        type=int,
        default=MAX_VERTICES,
        help="vertex limit of the PostGIS reference-layer pieces (ST_Subdivide)",
    )
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(*a.child)
        return 0

    a.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    with postgis_server() as (dsn, _server):
        os.environ[DSN_ENV] = dsn
        with _connect() as con:
            load_reference(con)
        info = {"library": versions(), "server": _server_versions(), "load": os.getloadavg()}
        print("versions:", json.dumps(info, ensure_ascii=False), flush=True)
        for n in a.n:
            src = a.workdir / f"parcels_{n}.gpkg"
            if not src.exists():
                _write(make_parcels(n), src)
            lib_c = _run_child("lib-compute", src, a.workdir, a.max_vertices)
            lib_e = _run_child("lib-e2e", src, a.workdir, a.max_vertices)
            pg = _run_child("postgis", src, a.workdir, a.max_vertices)
            row = {
                "n": n,
                "lib_compute_s": round(lib_c["validate_s"], 2),
                "lib_compute_peak_mb": round(lib_c["peak_rss_mb"]),
                "lib_e2e_s": round(lib_e["seconds"], 2),
                "lib_e2e_peak_mb": round(lib_e["peak_rss_mb"]),
                "pg_layers_s": round(pg["layers_s"], 2),
                "pg_checks_s": round(pg["checks_s"], 2),
                "pg_compute_s": round(pg["layers_s"] + pg["checks_s"], 2),
                "pg_e2e_s": round(pg["seconds"], 2),
                "pg_load_s": round(pg["load_s"], 2),
                "pg_export_s": round(pg["export_s"], 2),
                "pg_client_peak_mb": round(pg["peak_rss_mb"]),
                "pg_server_peak_mb": pg["server_peak_mb"],
                "pg_stages": pg["stages"],
                "lib_stages": lib_c["stages"],
                "agreement": agreement(lib_e, pg),
                "lib_vs_lib_compute_verdicts_equal": int(
                    sum(
                        x == y
                        for x, y in zip(
                            lib_c["columns"]["verdict"], lib_e["columns"]["verdict"], strict=True
                        )
                    )
                ),
            }
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    print()
    print(
        "| N | library compute (s) | PostGIS compute (s) | library end to end (s) | "
        "PostGIS end to end (s) | library peak (MB) | PostGIS server + client peak (MB) | "
        "verdicts equal |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        srv = max(r["pg_server_peak_mb"].values()) if r["pg_server_peak_mb"] else float("nan")
        print(
            f"| {r['n']:,} | {r['lib_compute_s']} | {r['pg_compute_s']} ({r['pg_checks_s']} checks) | "
            f"{r['lib_e2e_s']} | {r['pg_e2e_s']} | {r['lib_e2e_peak_mb']} | "
            f"{srv:.0f} + {r['pg_client_peak_mb']} | "
            f"{r['agreement']['verdicts_equal']:,} / {r['n']:,} |"
        )
    if a.json:
        a.json.write_text(
            json.dumps({"versions": info, "rows": rows}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
