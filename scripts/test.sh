#!/usr/bin/env bash
# Set up a fresh machine and run the whole test suite.  This is the README's test command.
#   bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# a CJK font so that screenshots of maps show Chinese names (the tests do not depend on it)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
[ -e /usr/share/gmt-dcw/dcw-gmt.nc ] || need_apt+=(gmt-dcw)  # DCW province borders for tests/test_gazetteer.py
# LibreOffice opens the workbook and the CSV as a user would, poppler reads its PDFs (tests/test_spreadsheets.py)
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)

# PostgreSQL + PostGIS: tests/_postgis.py starts a throw-away server from these binaries.  PostGIS is
# packaged per PostgreSQL major version (postgresql-<N>-postgis-3), so take the version of the server
# that is installed, else the distribution's default: Debian 12 → 15, Debian 13 → 17,
# Ubuntu 22.04 → 14, Ubuntu 24.04 → 16.
pg_installed() {
  local bin
  for bin in /usr/lib/postgresql/*/bin/postgres; do
    if [ -x "$bin" ]; then basename "$(dirname "$(dirname "$bin")")"; fi
  done | sort -n | tail -n 1
}
pg_default() {  # the version the distribution's "postgresql" package depends on (needs apt-get update)
  apt-cache depends postgresql 2>/dev/null | sed -nE 's/^ *Depends: postgresql-([0-9]+)$/\1/p' | head -n 1
}
# Debian's QGIS (3.22) and venv: the QGIS plugin's tests (qgis/tests) run in QGIS's own Python
for pkg in python3-qgis qgis-providers python3-venv; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
pg=$(pg_installed)
postgis_missing=0
if [ -z "$pg" ] || [ ! -e "/usr/share/postgresql/$pg/extension/postgis.control" ]; then postgis_missing=1; fi

if [ ${#need_apt[@]} -gt 0 ] || [ $postgis_missing = 1 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  if [ $postgis_missing = 1 ]; then
    pg=${pg:-$(pg_default)}
    [ -n "$pg" ] || { echo "test.sh: cannot tell which PostgreSQL to install PostGIS for" >&2; exit 1; }
    need_apt+=("postgresql-$pg-postgis-3")
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ "${CI:-}" = "true" ]; then
  # CI tests the installed wheel, which must carry data/ (tests/test_packaging.py checks)
  python3 -m pip install -q --disable-pip-version-check ".[test,postgis,dask]"
  export SUZHOU_GEO_EXPECT_WHEEL=1
else
  python3 -m pip install -q --disable-pip-version-check -e ".[test,postgis,dask]"
fi
# lint first: any finding fails the run (rules in pyproject.toml, [tool.ruff])
python3 -m ruff check src tests scripts benchmarks qgis
# QGIS's Python bindings are importable from Debian's Python only: a second venv of /usr/bin/python3
# that sees them (--system-site-packages), with the package; tests/test_qgis.py runs qgis/tests in it
QGIS_VENV=.venv-qgis
[ -x "$QGIS_VENV/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$QGIS_VENV"
if [ "${CI:-}" = "true" ]; then qgis_pkg="."; else qgis_pkg="-e ."; fi
# (pip then says Debian's SciPy wants an older NumPy: nothing QGIS or these tests run imports SciPy)
# shellcheck disable=SC2086
"$QGIS_VENV/bin/python" -m pip install -q --disable-pip-version-check $qgis_pkg pytest
export SUZHOU_GEO_QGIS_PYTHON="$PWD/$QGIS_VENV/bin/python"
# the PostGIS, dask and QGIS tests fail, not skip, when their server, extra or QGIS is missing: this
# command must really test them
export SUZHOU_GEO_REQUIRE_POSTGIS="${SUZHOU_GEO_REQUIRE_POSTGIS:-1}"
export SUZHOU_GEO_REQUIRE_DASK=1
export SUZHOU_GEO_REQUIRE_QGIS=1
python3 -m pytest -p no:cacheprovider -n auto "$@"
