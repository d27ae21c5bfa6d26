#!/bin/bash
# index_advisor: install what is missing on Debian 12, then build and install
# the extension into the PostgreSQL 15 found by pg_config.  Sourced by
# demo.sh (". setup.sh demo") and test.sh (". setup.sh test"); run as root
# (or with sudo available).  The demo needs only the server, its headers and
# pg_cron; the tests and benchmarks need the rest.
set -euo pipefail
IA_SETUP_FOR=${1:-test}

IA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export IA_ROOT
PG_BIN=/usr/lib/postgresql/15/bin
export PATH="$PG_BIN:$PATH"

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

# the demo: PostgreSQL 15, its server headers, pg_cron, a compiler
packages="postgresql-15 postgresql-server-dev-15 postgresql-15-cron postgresql-client-15 make gcc"
# the tests and benchmarks: TAP's IPC::Run, HypoPG and pg_qualstats (peers in
# the benchmarks; test/t/180_advise_pgss.pl preloads pg_qualstats), gnuplot
# (plots), Django, Alembic and psycopg2 (the ORM tests), sqlsmith (the fuzz
# test, test/t/175_fuzz_sqlsmith.pl)
test_packages="postgresql-15-hypopg postgresql-15-pg-qualstats libipc-run-perl gnuplot-nox python3-django python3-alembic python3-psycopg2 sqlsmith"
case "$IA_SETUP_FOR" in
    demo) ;;
    test) packages="$packages $test_packages" ;;
    *) echo "setup.sh: say demo or test, not \"$IA_SETUP_FOR\"" >&2; exit 2 ;;
esac
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "== installing:$missing"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi

echo "== building index_advisor"
make -C "$IA_ROOT" -s PG_CONFIG="$PG_BIN/pg_config"
$SUDO make -C "$IA_ROOT" -s install PG_CONFIG="$PG_BIN/pg_config" >/dev/null

# initdb refuses root: tests and the demo run as this user, in a copy it owns
IA_USER=${IA_USER:-postgres}
if [ "$(id -u)" -eq 0 ]; then
    as_user() { runuser -u "$IA_USER" -- "$@"; }
else
    IA_USER=$(id -un)
    as_user() { "$@"; }
fi
export IA_USER
