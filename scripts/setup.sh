#!/bin/bash
# index_advisor: install what is missing on Debian 12, then build and install
# the extension into the PostgreSQL 15 found by pg_config.  Sourced by
# demo.sh and test.sh; run as root (or with sudo available).
set -euo pipefail

IA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export IA_ROOT
PG_BIN=/usr/lib/postgresql/15/bin
export PATH="$PG_BIN:$PATH"

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

packages="postgresql-15 postgresql-server-dev-15 postgresql-15-cron postgresql-15-hypopg postgresql-client-15 libipc-run-perl make gcc gnuplot-nox python3-django python3-alembic python3-psycopg2 sqlsmith"
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
