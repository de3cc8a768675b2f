"""A throw-away PostgreSQL + PostGIS server for the tests, from Debian's binaries.

:func:`serve` (behind the ``postgis_server`` session fixture) runs ``initdb`` into a temporary
directory, starts ``postgres`` on a Unix socket in that directory and on
127.0.0.1 at a free port, creates the database ``suzhou_test`` with PostGIS, a
password-protected role for the TCP tests, and loads the bundled parcels and
redlines with psycopg alone (``ST_GeomFromWKB``), independently of the
library's writer.  The server is always stopped and the directory removed: by
the fixture's finalizer, which pytest also runs on failures and Ctrl-C, and,
should pytest itself be killed, by the kernel (the postmaster gets SIGQUIT
when the process that started it dies).

Without the binaries (``postgresql-15-postgis-3``) or the ``postgis`` extra the
tests skip and say why, unless ``SUZHOU_GEO_REQUIRE_POSTGIS=1`` (set by
``scripts/test.sh``), when they fail: CI must really test.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

#: Set to 1 to make the PostGIS tests fail, not skip, when no server can be started.
REQUIRE_ENV = "SUZHOU_GEO_REQUIRE_POSTGIS"
#: Directory with initdb and postgres (default: the newest /usr/lib/postgresql/*/bin with PostGIS).
BIN_ENV = "SUZHOU_GEO_PG_BIN"

DB = "suzhou_test"
SUPERUSER = "postgres"
#: A role that logs in over TCP with a password; the password has characters that need quoting.
PW_USER = "planner"
PASSWORD = "Qz7@s3cr/t pw'秘"

REPO = Path(__file__).resolve().parents[1]
PARCELS_FILE = REPO / "data" / "parcels" / "parcels.gpkg"
REDLINES_FILE = REPO / "data" / "redlines" / "redlines.geojson"


class Unavailable(Exception):
    """No server can be started here (the reason says why)."""


@dataclass
class PostgisServer:
    """A running throw-away server: where it listens and how to reach it."""

    root: Path
    socket_dir: Path
    port: int
    process: subprocess.Popen

    # connection strings for the tests -------------------------------------------------
    def uri(self, user: str = SUPERUSER, password: str | None = None, db: str = DB) -> str:
        """``postgresql://user[:password]@127.0.0.1:port/db`` (password percent-encoded)."""
        auth = quote(user, safe="") + (
            ":" + quote(password, safe="") if password is not None else ""
        )
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{db}"

    def pg(self, user: str = SUPERUSER, password: str | None = None, db: str = DB) -> str:
        """GDAL-style ``PG:host=127.0.0.1 port=… dbname=… user=… [password='…']``."""
        s = f"PG:host=127.0.0.1 port={self.port} dbname={db} user={user}"
        if password is not None:
            s += " password='" + password.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return s

    def socket_uri(self, db: str = DB) -> str:
        """Return the Unix-socket form: ``postgresql://postgres@/db?host=<dir>&port=…``."""
        return f"postgresql://{SUPERUSER}@/{db}?host={quote(str(self.socket_dir), safe='')}&port={self.port}"

    def connect(self, db: str = DB):
        """Return a psycopg connection as the superuser over the socket (autocommit)."""
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir), port=self.port, dbname=db, user=SUPERUSER, autocommit=True
        )

    def sql(self, query: str, params=None, db: str = DB) -> list[tuple]:
        """Run *query* (psycopg, not the library) and return its rows."""
        with self.connect(db) as con, con.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else []

    def stop(self) -> None:
        """Fast shutdown (SIGINT), then SIGKILL if it hangs; remove the directory."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


# --------------------------------------------------------------------------- starting


def _bindir() -> Path:
    if os.environ.get(BIN_ENV):
        cands = [Path(os.environ[BIN_ENV])]
    else:
        cands = sorted(
            (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
    for d in cands:
        version = d.parent.name
        has_postgis = glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control")
        if (
            (d / "initdb").exists()
            and (d / "postgres").exists()
            and (has_postgis or BIN_ENV in os.environ)
        ):
            return d
    raise Unavailable(
        "no PostgreSQL server binaries with PostGIS (apt-get install postgresql-<version>-postgis-3 "
        "for the installed PostgreSQL, as scripts/test.sh does, "
        f"or set {BIN_ENV})"
    )


def _run_as() -> dict:
    """Return how to run the server: as the 'postgres' user when we are root (it refuses root)."""
    if os.geteuid() != 0:
        return {}
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable(
            "running as root and there is no 'postgres' user to run the server as"
        ) from None
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask the kernel to send SIGQUIT (immediate shutdown) to the postmaster if pytest dies."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGQUIT)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HBA = f"""# written by tests/_postgis.py
local all all trust
host all {PW_USER} 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
"""


def start_server() -> PostgisServer:
    """Start the test server with its tables (raises :class:`Unavailable` saying why it cannot)."""
    server = start_cluster()
    try:
        _setup(server)
    except BaseException:
        server.stop()
        raise
    return server


#: Server parameters of the test cluster (a throw-away: no crash safety needed).
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "30",
    "shared_buffers": "64MB",
}


def start_cluster(settings: dict[str, str] | None = None) -> PostgisServer:
    """Start an empty cluster with the database ``suzhou_test`` and PostGIS in it.

    *settings* are server parameters (``{"work_mem": "256MB"}``) over
    :data:`SETTINGS`; ``benchmarks/bench_postgis.py`` starts its server this way.
    """
    for mod in ("sqlalchemy", "psycopg"):
        if importlib.util.find_spec(mod) is None:
            raise Unavailable(f"{mod} is not installed (pip install -e '.[postgis]')")
    bindir = _bindir()
    run_as = _run_as()
    root = Path(tempfile.mkdtemp(prefix="suzhou_geo_pg_"))
    try:
        if run_as:
            os.chown(root, run_as["user"], run_as["group"])
        data = root / "data"
        _initdb(bindir, data, run_as)
        (data / "pg_hba.conf").write_text(HBA, encoding="utf-8")
        server = _start(bindir, root, data, run_as, {**SETTINGS, **(settings or {})})
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        with server.connect("postgres") as con:
            con.execute(f"CREATE DATABASE {DB} TEMPLATE template0 ENCODING 'UTF8'")
        with server.connect() as con:
            con.execute("CREATE EXTENSION postgis")
    except BaseException:
        server.stop()
        raise
    return server


def _initdb(bindir: Path, data: Path, run_as: dict) -> None:
    args = [
        "-D",
        str(data),
        "-U",
        SUPERUSER,
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--no-locale",
        "--no-sync",
    ]
    res = subprocess.run([str(bindir / "initdb"), *args], capture_output=True, text=True, **run_as)
    if res.returncode != 0:
        raise Unavailable(f"initdb failed: {res.stderr.strip()[-500:]}")


def _start(bindir: Path, root: Path, data: Path, run_as: dict, settings: dict) -> PostgisServer:
    options = [a for k, v in settings.items() for a in ("-c", f"{k}={v}")]
    last = ""
    for _ in range(3):  # a free port can be taken between choosing and binding it
        port = _free_port()
        cmd = [
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-k",
            str(root),
            "-p",
            str(port),
            *options,
        ]
        with open(root / "server.log", "ab") as log:
            proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, **run_as
            )
        server = PostgisServer(root, root, port, proc)
        if _wait_ready(server):
            return server
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        last = (root / "server.log").read_text(errors="replace")[-800:]
    raise Unavailable(f"the server did not start: {last}")


def _wait_ready(server: PostgisServer, timeout: float = 30.0) -> bool:
    import psycopg

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server.process.poll() is not None:
            return False
        try:
            with server.connect("postgres"):
                return True
        except psycopg.OperationalError:
            time.sleep(0.1)
    return False


def _setup(server: PostgisServer) -> None:
    with server.connect() as con:
        con.execute(f"CREATE ROLE {PW_USER} LOGIN PASSWORD {_literal(PASSWORD)}")
        con.execute(f"GRANT CREATE ON SCHEMA public TO {PW_USER}")
        load_tables(con)
        con.execute(f"GRANT USAGE ON SCHEMA planning TO {PW_USER}")
        con.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public, planning TO {PW_USER}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --------------------------------------------------------------------------- test tables


def load_tables(con) -> None:
    """Load the bundled files and the failure cases with psycopg only (not the library's writer).

    * ``parcels``: ``data/parcels/parcels.gpkg`` as it is (polygons, a point, a
      line, a missing geometry), ``geometry(Geometry, 4490)``, serial key ``id``;
    * ``redlines`` and ``planning."红线 Redlines"``: ``data/redlines/redlines.geojson``;
    * ``no_geom`` (no geometry column), ``srid0`` (SRID 0), ``mixed_srid``
      (rows in 4490 and 4326), ``empty4490`` (no rows).
    """
    import pyogrio

    parcels = pyogrio.read_dataframe(PARCELS_FILE)
    redlines = pyogrio.read_dataframe(REDLINES_FILE)
    assert parcels.crs.to_epsg() == 4490 and redlines.crs.to_epsg() == 4490
    _load_frame(con, "public.parcels", parcels, "geometry(Geometry, 4490)", 4490)
    _load_frame(con, "public.redlines", redlines, "geometry(Geometry, 4490)", 4490)
    con.execute("CREATE SCHEMA planning")
    _load_frame(
        con, 'planning."红线 Redlines"', redlines, "geometry(MultiPolygon, 4490)", 4490, multi=True
    )
    con.execute("CREATE TABLE no_geom (id int PRIMARY KEY, name text)")
    con.execute("INSERT INTO no_geom VALUES (1, '太湖')")
    _load_frame(con, "public.srid0", parcels.head(5), "geometry(Geometry)", 0)
    con.execute("CREATE TABLE mixed_srid (id serial PRIMARY KEY, geom geometry)")
    con.execute(
        "INSERT INTO mixed_srid (geom) VALUES (ST_SetSRID(ST_MakePoint(120.6, 31.3), 4490)), "
        "(ST_SetSRID(ST_MakePoint(120.6, 31.3), 4326))"
    )
    con.execute("CREATE TABLE empty4490 (id serial PRIMARY KEY, geom geometry(Polygon, 4490))")


def _load_frame(con, table: str, frame, geomtype: str, srid: int, multi: bool = False) -> None:
    import shapely

    cols = [c for c in frame.columns if c != frame.geometry.name]
    types = {"bool": "boolean", "float64": "double precision", "datetime64[ms]": "timestamp"}
    defs = ", ".join(f'"{c}" {types.get(str(frame[c].dtype), "text")}' for c in cols)
    con.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, {defs}, geom {geomtype})")
    wkb = [None if g is None else shapely.to_wkb(g) for g in frame.geometry.values]
    geom_sql = f"ST_GeomFromWKB(%s, {srid})"
    if multi:
        geom_sql = f"ST_Multi({geom_sql})"
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join(["%s"] * len(cols))
    rows = []
    for i in range(len(frame)):
        vals = [frame[c].iloc[i] for c in cols]
        vals = [None if _isna(v) else (v.item() if hasattr(v, "item") else v) for v in vals]
        rows.append((*vals, wkb[i]))
    with con.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({names}, geom) VALUES ({marks}, {geom_sql})", rows)


def _isna(v) -> bool:
    import pandas as pd

    return v is None or (not isinstance(v, (list, tuple)) and bool(pd.isna(v)))


# --------------------------------------------------------------------------- for the fixture


def serve():
    """Yield a running server, stopped afterwards (for a session fixture: ``yield from serve()``).

    Skips when no server can be started, or fails under ``SUZHOU_GEO_REQUIRE_POSTGIS=1``.
    """
    try:
        server = start_server()
    except Unavailable as exc:
        if os.environ.get(REQUIRE_ENV, "") not in ("", "0"):
            pytest.fail(
                f"PostGIS is required ({REQUIRE_ENV}=1) but no server could be started: {exc}"
            )
        pytest.skip(f"no PostGIS server: {exc}")
    try:
        yield server
    finally:
        server.stop()
