#!/bin/bash
# advise.sh -- the advisor side by side with an expert and with the
# single-column baseline, and how fast it is.
#
#   bench/advise.sh [--quick] [--keep]
#
# Creates a throw-away cluster (initdb in a temporary directory, private
# Unix socket; shared_preload_libraries = pg_stat_statements), installs
# index_advisor (it must be installed: make install), HypoPG (for the
# baseline) and pg_stat_statements, and loads bench/advise_workload.sql: an
# OLTP shop (200,000 orders; --quick: 20,000) and 22 statements written
# like an application's, with the index set an expert wrote by hand for
# them.  bench/advise_measure.sql then
#   quality: builds each index set for real -- idx_advise's (up to 20
#            indexes), the expert's, and the single-column baseline (what
#            supabase's index_advisor does: a HypoPG single-column index on
#            every column of the statement's tables, keep those the plan
#            uses) -- and takes EXPLAIN's total cost of every statement;
#   speed:   times idx_advise on each statement alone (median of 3 runs);
# and bench/advise_statements.sql runs 100 distinct statements and times
# idx_advise_workload(top => 100).
# Prints markdown; without --quick also writes it as section 6 of
# bench/RESULTS.md (between the advise markers).
set -euo pipefail

scale=200000
quick=0
keep=0
for arg in "$@"; do
    case "$arg" in
        --quick) scale=20000; quick=1 ;;
        --keep) keep=1 ;;
        *) echo "usage: $0 [--quick] [--keep]" >&2; exit 2 ;;
    esac
done

here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/lib.sh"
bench_dir ia-advise
cp "$here"/advise_workload.sql "$here"/advise_measure.sql "$here"/advise_statements.sql "$dir/"
chown "$user" "$dir"/*.sql
port=5432
cleanup() { bench_cleanup data; }
trap cleanup EXIT

as_user "$bindir/initdb" -D "$dir/data" -A trust >/dev/null
cat >> "$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
shared_buffers = 256MB
fsync = off
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
max_worker_processes = 16
EOF
as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null

psql_() { as_user "$bindir/psql" -X -q -h "$dir" -p $port -d postgres "$@"; }
psql_ -c 'CREATE EXTENSION index_advisor' -c 'CREATE EXTENSION hypopg' \
      -c 'CREATE EXTENSION pg_stat_statements' 2>/dev/null
psql_ -v scale=$scale -f "$dir/advise_workload.sql"

out="$dir/result.md"
{
    echo "### 6. Advisor: idx_advise vs an expert vs the single-column baseline (bench/advise.sh, $scale orders)"
    echo
    echo "Planned total cost (EXPLAIN) of each statement with each index set built for real."
    psql_ -f "$dir/advise_measure.sql"
    echo
    psql_ -f "$dir/advise_statements.sql" 2>&1 | awk '
        /^[0-9]+$/ && !n { n = $1; next }
        /^Time: / { t = $2 }
        END { printf("idx_advise_workload(top => 100) over %s distinct statements of pg_stat_statements: **%s ms**.\n", n, t) }'
} > "$out"
cat "$out"

if [ $quick -eq 0 ]; then
    results="$here/RESULTS.md"
    tmp=$(mktemp)
    if grep -q '<!-- advise:begin -->' "$results"; then
        awk -v f="$out" '
            /<!-- advise:begin -->/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
            /<!-- advise:end -->/ { skip = 0 }
            !skip' "$results" > "$tmp"
    else
        { cat "$results"; echo; echo '<!-- advise:begin -->'; cat "$out"; echo '<!-- advise:end -->'; } > "$tmp"
    fi
    cat "$tmp" > "$results"
    rm -f "$tmp"
fi
