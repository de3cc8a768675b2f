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
# PostgreSQL + PostGIS: tests/_postgis.py starts a throw-away server from these binaries
[ -e /usr/share/postgresql/15/extension/postgis.control ] || need_apt+=(postgresql-15-postgis-3)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
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
python3 -m ruff check src tests scripts benchmarks
# the PostGIS and dask tests fail, not skip, when their server or extra is missing: this command must
# really test them
export SUZHOU_GEO_REQUIRE_POSTGIS="${SUZHOU_GEO_REQUIRE_POSTGIS:-1}"
export SUZHOU_GEO_REQUIRE_DASK=1
python3 -m pytest -p no:cacheprovider -n auto "$@"
