#!/bin/bash
# advise.sh -- the advisor side by side with an expert, with the
# single-column baseline and with pg_qualstats' advisor, and how fast it is,
# on four workloads.
#
#   bench/advise.sh [--quick] [--keep] [--only oltp|dss|tpch|tenant]
#
# Creates a throw-away cluster (initdb in a temporary directory, private
# Unix socket; shared_preload_libraries = pg_stat_statements, pg_qualstats;
# autovacuum off, so that nothing analyzes or vacuums behind the bench),
# installs index_advisor (it must be installed: make install), HypoPG (for
# the baseline), pg_qualstats and pg_stat_statements, and loads four
# workloads, each in a database of its own, each with the index set an
# expert wrote by hand for it before the advisor was run on it:
#   oltp: bench/advise_workload.sql, an OLTP shop (200,000 orders; --quick:
#         20,000), 22 statements written like an application's;
#   dss:  bench/advise_dss.sql, a retailer's 22 decision-support reports
#         (200,000 sales and 600,000 sale lines; --quick: 20,000 and
#         60,000), joins of up to 8 tables;
#   tpch: bench/advise_tpch.sql, TPC-H's 22 queries over its 8 tables at
#         scale factor 0.2 (lineitem about 1.2 M rows; --quick: 0.02),
#         data of dbgen's shapes generated in SQL, and the expert's
#         foreign-key set (9 indexes);
#   tenant: bench/advise_tenant.sql, a multi-tenant application's 25
#         statements over 6 tables (200,000 tasks, 300,000 events; --quick:
#         20,000 and 30,000), and a DBA's 16 indexes.
# bench/advise_measure.sql then, in each,
#   statistics: the same for every set, and for the advisor: from every
#            row, at the default statistics targets (lists and histograms
#            of the size a plain ANALYZE gives; every target is the default
#            when the advisor runs): on each table bigger than the default
#            sample of 30,000 rows ANALYZE runs twice, each time with one
#            column's target raised to rows / 300 so that it reads all of
#            the table, and keeps from each pass only the statistics of the
#            columns at the default target; taken once after loading
#            (pg_qualstats' feed, whose writes are rolled back, is followed
#            by VACUUM and the same ANALYZE again); after building a set
#            only the statistics of its expression indexes are added (the
#            same ANALYZE of their tables, which gives the same column
#            statistics again); a fingerprint of the tables' statistics
#            and page/row figures is checked before each set is measured,
#            and the run stops if it moved.  Not a raised target on one
#            column (bench2's first version): its MCV lists of thousands
#            of entries made the advisor 5 times slower on TPC-H (3.3 s
#            instead of 0.6 s).  Not a random sample: each set's ANALYZE
#            moved the estimates (one statement cost 1,070 to 1,313 with
#            the same index over six ANALYZEs);
#   quality: builds each index set for real -- idx_advise's (up to 20
#            indexes), the expert's, the single-column baseline (what
#            supabase's index_advisor does: a HypoPG single-column index on
#            every column of the statement's tables, keep those the plan
#            uses) and pg_qualstats_index_advisor()'s (fed by running each
#            statement once, each bounded by a statement_timeout of 30 s:
#            the line under the tables says how many ran to the end) --
#            and takes EXPLAIN's total cost of every
#            statement;
#   speed:   times idx_advise on all 22 statements at once (the time for
#            the workload; in a new session, as its first call) and on
#            each statement alone (median of 3 runs; dss with --quick: one
#            run, to stay within about a minute), on the same statistics;
# and, in oltp, bench/advise_statements.sql runs 100 distinct statements
# and times idx_advise_workload(top => 100); in tenant,
# bench/advise_pss.sql runs each statement 20 times and builds and
# measures what idx_advise_workload() advises from pg_stat_statements'
# normalised texts (with and without pg_qualstats' recorded constants).
# Prints markdown; without --quick or --only also writes it as section 6
# of bench/RESULTS.md (6a-6c between the advise markers, 6d between the
# advise-tenant markers). --only runs one
# workload (and the 100-statement timing only with oltp).
set -euo pipefail

scale=200000
runs=3
quick=0
keep=0
only=
usage() { echo "usage: $0 [--quick] [--keep] [--only oltp|dss|tpch|tenant]" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) scale=20000; runs=1; quick=1 ;;
        --keep) keep=1 ;;
        --only) [ $# -ge 2 ] || usage; only=$2; shift ;;
        *) usage ;;
    esac
    shift
done
case "$only" in ''|oltp|dss|tpch|tenant) ;; *) usage ;; esac
dbs=${only:-oltp dss tpch tenant}
want() { case " $dbs " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/lib.sh"
bench_dir ia-advise
cp "$here"/advise_workload.sql "$here"/advise_dss.sql "$here"/advise_tpch.sql \
   "$here"/advise_tenant.sql "$here"/advise_measure.sql "$here"/advise_statements.sql \
   "$here"/advise_pss.sql "$dir/"
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
autovacuum = off
shared_preload_libraries = 'pg_stat_statements, pg_qualstats'
pg_stat_statements.track = all
pg_qualstats.sample_rate = 1
max_worker_processes = 16
EOF
as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null

psql_() { as_user "$bindir/psql" -X -q -h "$dir" -p $port "$@"; }
for db in $dbs; do
    psql_ -d postgres -c "CREATE DATABASE $db"
    psql_ -d $db -c 'CREATE EXTENSION index_advisor' -c 'CREATE EXTENSION hypopg' \
          -c 'CREATE EXTENSION pg_qualstats' -c 'CREATE EXTENSION pg_stat_statements' 2>/dev/null
done
want oltp && psql_ -d oltp -v scale=$scale -f "$dir/advise_workload.sql"
want dss && psql_ -d dss -v scale=$scale -f "$dir/advise_dss.sql"
want tpch && psql_ -d tpch -v scale=$scale -f "$dir/advise_tpch.sql"
want tenant && psql_ -d tenant -v scale=$scale -f "$dir/advise_tenant.sql"

out="$dir/result.md"
{
    echo "### 6. Advisor: idx_advise vs an expert, the single-column baseline and pg_qualstats (bench/advise.sh)"
    echo
    echo "Planned total cost (EXPLAIN) of each statement with each index set built for real, every set on the same statistics: read from every row of each table at the default statistics targets (lists and histograms of the usual size; on a table bigger than the default sample, two ANALYZEs, each with one column's target raised so that it reads every row, keeping only the columns at the default target), taken once after loading, with the advisor and the baseline run on them; after a set is built only its expression indexes' statistics are added. Two runs on the same data give the same costs; the times are measured as before (idx_advise on the 22 statements at once, in a new session, then on each alone), on those statistics."
    echo
    if want oltp; then
        echo "#### 6a. OLTP: a shop and its support desk ($scale orders, bench/advise_workload.sql)"
        psql_ -d oltp -v runs=3 -f "$dir/advise_measure.sql"
        echo
        psql_ -d oltp -f "$dir/advise_statements.sql" 2>&1 | awk '
            /^[0-9]+$/ && !n { n = $1; next }
            /^Time: / { t = $2 }
            END { printf("idx_advise_workload(top => 100) over %s distinct statements of pg_stat_statements: **%s ms**.\n", n, t) }'
        echo
    fi
    if want dss; then
        echo "#### 6b. Decision support: a retailer's reports ($scale sales, $((3 * scale)) sale lines, bench/advise_dss.sql)"
        psql_ -d dss -v runs=$runs -f "$dir/advise_measure.sql"
        echo
    fi
    if want tpch; then
        echo "#### 6c. TPC-H's 22 queries (scale factor $(awk "BEGIN { print $scale / 1000000 }"): $((scale * 3 / 2)) orders, $(psql_ -d tpch -At -c 'SELECT count(*) FROM lineitem') lines, bench/advise_tpch.sql)"
        psql_ -d tpch -v runs=$runs -f "$dir/advise_measure.sql"
    fi
} > "$out"
# the multi-tenant workload: a section of its own (its own markers)
out_tenant="$dir/result_tenant.md"
if want tenant; then
    {
        echo "#### 6d. Multi-tenant: a task tracker's 25 statements over 6 tables ($scale tasks, $((3 * scale / 2)) events, bench/advise_tenant.sql; expert: a DBA's 16 indexes)"
        echo
        echo "Measured as 6a-6c (the same statistics rule, the same sets); then the same statements as pg_stat_statements records them (bench/advise_pss.sql)."
        psql_ -d tenant -v runs=$runs -f "$dir/advise_measure.sql"
        psql_ -d tenant -v calls=20 -f "$dir/advise_pss.sql"
    } > "$out_tenant"
fi
cat "$out"
! want tenant || { echo; cat "$out_tenant"; }

if [ $quick -eq 0 ] && [ -z "$only" ]; then
    results_section advise "$out"
    results_section advise-tenant "$out_tenant"
fi
