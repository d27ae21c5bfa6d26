#!/bin/bash
# autopilot.sh -- the autopilot (issue 22, doc/autopilot.md) against an
# expert, on a mixed workload, side by side:
#   A "autopilot": the shop of bench/autopilot/schema.sql with primary keys
#                  only; idx_autopilot_set('apply', drops => true) and a
#                  cycle every --cycle seconds, from this script, while
#                  pgbench runs: idx_check() then idx_autopilot_run(), as
#                  idx_schedule's pg_cron job runs them (the first cycle,
#                  at second 0, only takes the first snapshot);
#   B "expert":    the same data and workload with the expert's five
#                  indexes (bench/autopilot/expert.sql) built up front.
# The workload is 12 pgbench scripts (bench/autopilot/*.sql, 13 statement
# shapes) mixed by the weights in bench/autopilot/weights: reads by primary
# key, by foreign key, a join by foreign key, a join from a lookup,
# pagination (ORDER BY ... LIMIT), a covering count, a range on a date, a
# rare report on the column every cart UPDATE changes; updates, inserts,
# deletes.  Both sides run in databases cloned from one loaded template on
# one server (shared_preload_libraries = 'pg_stat_statements,
# index_advisor'), restarted before each side so that both start cold.
#
#   bench/autopilot.sh [--quick] [--minutes N] [--cycle S] [--clients N]
#                      [--scale PCT] [--nice N] [--record] [--keep]
#
#   --quick      5 minutes per side (the default run is 15)
#   --minutes N  minutes per side (at least 2)
#   --cycle S    seconds between two autopilot cycles (default 60)
#   --clients N  pgbench clients (and threads), default 2
#   --scale PCT  table sizes in percent of 100,000 customers, 300,000
#                orders, 500,000 order lines, 100,000 carts (default 100)
#   --nice N     niceness of the server and pgbench (default 10: the
#                machine is shared; both sides alike)
#   --max-regression F  the policy's max_regression (default 0.1, the
#                policy's own default)
#   --record     write bench/autopilot.png and the autopilot section of
#                bench/RESULTS.md (between its markers); the default
#                without --quick
#   --keep       keep the cluster directory
#   --report-only  no run: the figures, table and plot again from the raw
#                data of the last run (bench/out/autopilot/)
#
# Prints the figures: throughput of each side over time (pgbench
# --progress=10 --progress-timestamp), end-state throughput (mean of the
# last fifth of the run, at least the last minute) of A as a fraction of
# B's (goal >= 0.9), time from A's start to its first kept index, its
# recommendations by status (kept / reverted / dropped ...), the bytes of
# its indexes against the expert's, and the errors (goal 0): pgbench's
# failed transactions and aborted clients, failed cycles, failed builds,
# and ERROR lines of the server's log in the side's database.  Raw data in
# bench/out/autopilot/.  Run as root (the cluster runs as "postgres") or as
# any non-root user; index_advisor must be installed (make install) with
# pg_stat_statements.
set -euo pipefail

minutes=15 cycle=60 clients=2 scale=100 niceness=10 record=1 keep=0 quick=0 maxreg=0.1
minutes_set=0 record_set=0 report_only=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --minutes) minutes=$2; minutes_set=1; shift ;;
        --cycle) cycle=$2; shift ;;
        --clients) clients=$2; shift ;;
        --scale) scale=$2; shift ;;
        --nice) niceness=$2; shift ;;
        --max-regression) maxreg=$2; shift ;;
        --record) record_set=1 ;;
        --keep) keep=1 ;;
        --report-only) report_only=1 ;;
        -h|--help) sed -n '2,49p' "$0"; exit 0 ;;
        *) echo "autopilot.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ $quick -eq 1 ]; then
    [ $minutes_set -eq 1 ] || minutes=5
    record=0
fi
[ $record_set -eq 1 ] && record=1
for v in minutes cycle clients scale niceness; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "autopilot.sh: --$v needs a whole number" >&2; exit 2; }
done
[[ "$maxreg" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "autopilot.sh: --max-regression needs a number" >&2; exit 2; }
[ "$minutes" -ge 2 ] && [ "$cycle" -ge 10 ] && [ "$clients" -ge 1 ] && [ "$scale" -ge 1 ] ||
    { echo "autopilot.sh: --minutes >= 2, --cycle >= 10, --clients and --scale >= 1" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
for tool in initdb pg_ctl psql pgbench; do
    [ -x "$bindir/$tool" ] || { echo "autopilot.sh: $bindir/$tool not found" >&2; exit 1; }
done
command -v gnuplot >/dev/null || { echo "autopilot.sh: gnuplot not found" >&2; exit 1; }

secs=$((minutes * 60))
n_customers=$((1000 * scale)) n_orders=$((3000 * scale))
n_lines=$((5000 * scale)) n_carts=$((1000 * scale))
out="$here/out/autopilot"
log() { printf '%s %s\n' "$(date -u +%T)" "$*" >&2; }
now() { date +%s.%N; }
psql_() { as_user "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p $port "$@"; }
q() { psql_ -A -t "$@"; }
start() { as_user nice -n "$niceness" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 120 start >/dev/null; }
stop() { as_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; }

# the run: a cluster, the shop, side B then side A (the figures below read
# only what it leaves in $out)
run_all() {
rm -rf "$out"; mkdir -p "$out"
bench_dir ia-autopilot
cp "$here"/autopilot/*.sql "$here"/autopilot/weights "$dir/"
chown "$user" "$dir"/*
port=5432
cleanup() {
    [ -n "${pgbench_pid:-}" ] && kill "$pgbench_pid" 2>/dev/null || true
    [ -f "$dir/log" ] && cp "$dir/log" "$out/server.log" 2>/dev/null || true
    bench_cleanup data
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# ---------------------------------------------------------------- cluster
log "cluster in $dir: $minutes min per side, cycle ${cycle}s, $clients clients, scale $scale%, nice $niceness"
as_user "$bindir/initdb" -D "$dir/data" -A trust -E UTF8 >/dev/null
cat >> "$dir/data/postgresql.conf" <<EOF
# bench/autopilot.sh
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
shared_buffers = 256MB
max_wal_size = 4GB
checkpoint_timeout = 30min
# a shared virtual disk's fsync latency varies 100-fold: both sides alike
synchronous_commit = off
max_connections = 40
max_worker_processes = 16
shared_preload_libraries = 'pg_stat_statements, index_advisor'
log_line_prefix = '%m [%p] db=%d '
# the autopilot's evidence, in bench time (doc/settings.md): a cycle a
# minute instead of one after each idx_check, so its windows are minutes
index_advisor.autopilot_min_calls = 200
index_advisor.autopilot_max_wait = '$((2 * cycle))s'
index_advisor.autopilot_window = '$((3 * cycle))s'
index_advisor.autopilot_min_window = '${cycle}s'
EOF
start
log "loading the shop ($n_customers customers, $n_orders orders, $n_lines lines, $n_carts carts)"
psql_ -d postgres -c 'CREATE DATABASE shop'
psql_ -d shop -v customers=$n_customers -v orders=$n_orders -v lines=$n_lines \
      -v carts=$n_carts -f "$dir/schema.sql" >/dev/null
server_version=$(q -d postgres -c 'SHOW server_version')
table_bytes=$(q -d shop -c "SELECT sum(pg_table_size(c.oid)) FROM pg_class c
                             WHERE c.relname IN ('customers', 'orders', 'order_lines', 'carts')")

# the pgbench command line: every script with its weight
scripts=()
while read -r name weight; do
    case $name in ''|'#'*) continue ;; esac
    scripts+=(-f "$dir/$name.sql@$weight")
done < "$here/autopilot/weights"
shapes=$(cat "$here"/autopilot/[rw]_*.sql | grep -c ';$')

# the policy of side A; doc/autopilot.md.  max_builds_per_day is high: the
# bench compresses days into minutes
POLICY="SELECT mode FROM idx_autopilot_set('apply', budget => 1073741824,
            max_builds_per_day => 20, min_gain => 0.2, max_regression => $maxreg,
            drops => true, hide_for => '$((2 * cycle)) seconds')"

# one cycle as idx_schedule's job runs it (idx_check_and_cycle): idx_check,
# then idx_autopilot_run() as the policy's owner; its rows and time go to
# cycles.log and cycles.tsv
run_cycle() {   # side k
    local side=$1 k=$2 t0 t1 rc=0 rows
    t0=$(now)
    rows=$(q -d "$side" -F '|' 2>>"$out/$side.cycles.err" <<'SQL'
SELECT count(*) FROM idx_check() \g /dev/null
SELECT recommendation_id, action, kind, target, status, detail FROM idx_autopilot_run();
SQL
) || rc=$?
    t1=$(now)
    awk -v k="$k" -v a="$t0" -v b="$t1" -v rc="$rc" -v n="$(printf '%s' "$rows" | grep -c . || true)" \
        'BEGIN { printf "%d\t%.3f\t%.3f\t%d\t%d\n", k, a, b - a, rc, n }' >> "$out/$side.cycles.tsv"
    if [ -n "$rows" ]; then
        printf '%s\n' "$rows" | awk -v k="$k" -v a="$t0" '{ printf "%d\t%.3f\t%s\n", k, a, $0 }' >> "$out/$side.cycles.log"
    fi
    [ $rc -eq 0 ] || log "   cycle $k of $side failed (exit $rc): $(tail -1 "$out/$side.cycles.err")"
}

run_side() {   # side
    local side=$1 t0 k tk w rc=0
    log "== $side"
    stop; start
    psql_ -d postgres -c "CREATE DATABASE $side TEMPLATE shop"
    psql_ -d "$side" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pg_stat_statements' \
          -c 'CREATE EXTENSION index_advisor'
    if [ "$side" = expert ]; then
        psql_ -d "$side" -f "$dir/expert.sql"
    else
        q -d "$side" -c "$POLICY" >/dev/null
    fi
    q -d "$side" -c 'CHECKPOINT' -c 'SELECT pg_stat_statements_reset()' >/dev/null
    : > "$out/$side.cycles.tsv"; : > "$out/$side.cycles.log"; : > "$out/$side.cycles.err"
    t0=$(now)
    echo "$t0" > "$out/$side.t0"
    as_user nice -n "$niceness" "$bindir/pgbench" -n -M simple -c "$clients" -j "$clients" -T "$secs" \
        --progress=10 --progress-timestamp -h "$dir" -p $port \
        -D customers=$n_customers -D orders=$n_orders -D carts=$n_carts \
        "${scripts[@]}" "$side" > "$out/$side.pgbench.out" 2> "$out/$side.progress" &
    pgbench_pid=$!
    if [ "$side" = autopilot ]; then
        # a cycle at 0, cycle, 2 cycle, ... while the workload runs
        for k in $(seq 0 $(( (secs - 1) / cycle ))); do
            tk=$(awk -v a="$t0" -v k="$k" -v c="$cycle" 'BEGIN { printf "%.3f", a + k * c }')
            w=$(awk -v t="$tk" -v n="$(now)" 'BEGIN { d = t - n; printf "%.3f", (d > 0 ? d : 0) }')
            sleep "$w"
            kill -0 "$pgbench_pid" 2>/dev/null || break
            run_cycle "$side" "$k"
        done
    fi
    wait "$pgbench_pid" || rc=$?
    pgbench_pid=""
    echo "$rc" > "$out/$side.pgbench.rc"
    [ $rc -eq 0 ] || log "   pgbench of $side exited with $rc"
    # throughput over time: seconds since t0, tps, mean latency (ms)
    awk -v t0="$t0" '/^progress: / { for (i = 1; i <= NF; i++) { if ($i == "tps,") tps = $(i - 1);
                                                                if ($i == "lat") lat = $(i + 1) }
                                     printf "%.1f\t%s\t%s\n", $2 - t0, tps, lat }' \
        "$out/$side.progress" > "$out/$side.tps"
    collect "$side" "$t0"
}

collect() {   # side t0: what the side's database says, as "key value" lines
    local side=$1 t0=$2 f="$out/$side.res"
    q -d "$side" -F ' ' > "$f" <<SQL
SELECT k, v FROM (SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0) AS b, count(*) AS n
                    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                   WHERE c.relname IN ('customers', 'orders', 'order_lines', 'carts')
                     AND NOT i.indisprimary) s,
 LATERAL (VALUES ('index_bytes', s.b), ('indexes', s.n)) x(k, v);
SELECT 'builds_failed', count(*) FROM idx_history WHERE status IN ('failed', 'cancelled');
SELECT 'statements', count(*) FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND query ~* '\m(customers|orders|order_lines|carts)\M';
SQL
    q -d "$side" -F $'\t' -c "SELECT c.relname, i.indexrelid::regclass, pg_relation_size(i.indexrelid),
                                     pg_get_indexdef(i.indexrelid)
                                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                               WHERE c.relname IN ('customers', 'orders', 'order_lines', 'carts')
                                 AND NOT i.indisprimary ORDER BY 1, 2" > "$out/$side.indexes"
    [ "$side" = autopilot ] || return 0
    q -d "$side" -F $'\t' > "$out/$side.recommendations" <<'SQL'
SELECT r.id, r.kind, r.status, r.index_name, r.definition,
       round(r.est_gain::numeric, 3), r.est_size,
       (SELECT pg_relation_size(c.oid) FROM pg_class c WHERE c.oid = r.index_oid),
       regexp_replace(coalesce(r.reason, ''), '\s+', ' ', 'g')
  FROM idx_recommendations r ORDER BY r.id;
SQL
    q -d "$side" -F $'\t' -v t0="$t0" > "$out/$side.events" <<'SQL'
SELECT e.cycle, round((extract(epoch FROM e.at) - :'t0'::numeric)::numeric, 1), e.recommendation_id,
       e.action, coalesce(e.status, ''), coalesce(r.index_name, ''),
       regexp_replace(e.detail, '\s+', ' ', 'g')
  FROM idx_autopilot_events e LEFT JOIN idx_recommendations r ON r.id = e.recommendation_id
 ORDER BY e.id;
SQL
    q -d "$side" -F ' ' >> "$f" <<'SQL'
SELECT 'status_' || s.status, count(r.id)
  FROM idx_autopilot_statuses() s LEFT JOIN idx_recommendations r ON r.status = s.status
 GROUP BY s.status ORDER BY s.status;
-- the bytes the autopilot spent: its indexes that stand at the end
SELECT 'kept_bytes', coalesce(sum(pg_relation_size(r.index_oid)), 0)
  FROM idx_recommendations r
 WHERE r.kind = 'create' AND r.status IN ('kept', 'validating', 'building')
   AND EXISTS (SELECT FROM pg_class c WHERE c.oid = r.index_oid);
SQL
    if [ "$(q -d "$side" -c "SELECT to_regprocedure('idx_autopilot_report()') IS NOT NULL")" = t ]; then
        psql_ -d "$side" -c 'SELECT * FROM idx_autopilot_report()' > "$out/$side.report" 2>&1 || true
    fi
}

run_side expert
run_side autopilot
stop
cp "$dir/log" "$out/server.log"
    cat > "$out/params" <<EOF
minutes=$minutes cycle=$cycle clients=$clients scale=$scale quick=$quick maxreg=$maxreg
n_customers=$n_customers n_orders=$n_orders n_lines=$n_lines n_carts=$n_carts
table_bytes=$table_bytes n_scripts=$((${#scripts[@]} / 2)) shapes=$shapes
server_version='$server_version'
EOF
}

if [ $report_only -eq 0 ]; then
    run_all
elif [ ! -f "$out/params" ]; then
    echo "autopilot.sh: --report-only needs the raw data of a run in $out" >&2; exit 1
fi
. "$out/params"
secs=$((minutes * 60))

# ---------------------------------------------------------------- figures
get() { awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? "NA" : v) }' "$out/$1.res"; }
tail_s=$(( secs / 5 > 60 ? secs / 5 : 60 ))
end_tps() { awk -v from=$((secs - tail_s)) '$1 > from + 1 { s += $2; n++ } END { if (n) printf "%.1f", s / n; else print "NA" }' "$out/$1.tps"; }
all_tps() { awk '/^tps = / { printf "%.1f", $3; exit }' "$out/$1.pgbench.out"; }
failed_tx() { awk '/^number of failed transactions:/ { print $5; f = 1 } END { if (!f) print 0 }' "$out/$1.pgbench.out"; }
log_errors() { grep -c "db=$1 ERROR:" "$out/server.log" || true; }
mb() { awk -v b="$1" 'BEGIN { if (b == "NA" || b == "") print "n/a"; else printf "%.1f MB", b / 1048576 }'; }
min_s() { awk -v s="$1" 'BEGIN { if (s == "" || s == "NA") print "none"; else printf "%.1f min (%d s)", s / 60, s }'; }

script_lat() {   # side: script, weight, mean latency (ms), sorted by script
    awk '/^SQL script [0-9]+:/ { n = $4; sub(/.*\//, "", n); sub(/\.sql$/, "", n) }
         /^ - weight: / { w = $3 }
         /^ - latency average = / && n != "" { printf "%s\t%s\t%s\n", n, w, $5; n = "" }' \
        "$out/$1.pgbench.out" | sort
}
e_end=$(end_tps expert) a_end=$(end_tps autopilot)
ratio=$(awk -v a="$a_end" -v b="$e_end" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA"; else printf "%.3f", a / b }')
first() { awk -F'\t' -v a="$1" '$4 == a { print $2; exit }' "$out/autopilot.events"; }
first_kept=$(first kept) first_queued=$(first queued)
st() { get autopilot "status_$1"; }
cycles_run=$(wc -l < "$out/autopilot.cycles.tsv")
cycles_failed=$(awk -F'\t' '$4 != 0' "$out/autopilot.cycles.tsv" | wc -l)
cycle_ms=$(awk -F'\t' '{ print $3 * 1000 }' "$out/autopilot.cycles.tsv" | sort -g |
           awk '{ v[NR] = $1 } END { if (NR) printf "median %.0f ms, max %.0f ms", v[int((NR + 1) / 2)], v[NR]; else print "n/a" }')
err_total=0
for s in expert autopilot; do
    eval "${s}_failed=$(failed_tx $s)"
    eval "${s}_rc=$(cat "$out/$s.pgbench.rc")"
    eval "${s}_logerr=$(log_errors $s)"
    eval "${s}_buildfail=$(get $s builds_failed)"
done
err_total=$((expert_failed + autopilot_failed + expert_logerr + autopilot_logerr + cycles_failed
             + (expert_rc != 0) + (autopilot_rc != 0) + autopilot_buildfail))
load=$(cut -d' ' -f1-3 /proc/loadavg)

md="$out/autopilot.md"
{
    echo "## 8. Autopilot against an expert (bench/autopilot.sh, issue 22)"
    echo
    echo "$(date -u +%F), PostgreSQL $server_version, $(nproc) cores shared with other work (load average at the end: $load); \`bench/autopilot.sh$([ $quick -eq 1 ] && echo ' --quick') --minutes $minutes --cycle $cycle --clients $clients --scale $scale --max-regression $maxreg\`."
    echo "The shop of bench/autopilot/schema.sql ($n_customers customers, $n_orders orders, $n_lines order lines, $n_carts carts; $(mb "$table_bytes") of tables), primary keys only; $n_scripts pgbench scripts, $shapes statement shapes, weights in bench/autopilot/weights; $clients clients, simple protocol, synchronous_commit = off, $minutes min per side."
    echo "A: idx_autopilot_set('apply', budget 1 GB, max_builds_per_day 20, min_gain 0.2, max_regression $maxreg, drops, hide_for $((2 * cycle)) s), a cycle every $cycle s from the script (autopilot_min_calls 200, _max_wait $((2 * cycle)) s, _window $((3 * cycle)) s, _min_window $cycle s). B: bench/autopilot/expert.sql built before the start."
    echo
    echo "| figure | autopilot (A) | expert (B) |"
    echo "|---|---|---|"
    echo "| throughput, whole run (tps) | $(all_tps autopilot) | $(all_tps expert) |"
    echo "| throughput, end state: last $tail_s s (tps) | $a_end | $e_end |"
    echo "| end state, A / B (goal >= 0.9) | **$ratio** | 1 |"
    echo "| first build queued | $(min_s "$first_queued") | (before the start) |"
    echo "| first index kept | **$(min_s "$first_kept")** | (before the start) |"
    echo "| indexes at the end (not counting primary keys) | $(get autopilot indexes) | $(get expert indexes) |"
    echo "| bytes of those indexes | $(mb "$(get autopilot index_bytes)") | $(mb "$(get expert index_bytes)") |"
    echo "| recommendations kept / reverted / rejected | $(st kept) / $(st reverted) / $(st rejected) | |"
    echo "| hidden / dropped / expired | $(st hidden) / $(st dropped) / $(st expired) | |"
    echo "| still proposed / building / validating at the end | $(st proposed) / $(st building) / $(st validating) | |"
    echo "| cycles run (failed) | $cycles_run ($cycles_failed); $cycle_ms | |"
    echo "| pgbench failed transactions (exit code) | $autopilot_failed ($autopilot_rc) | $expert_failed ($expert_rc) |"
    echo "| builds failed or cancelled | $autopilot_buildfail | $expert_buildfail |"
    echo "| ERROR lines in the server log, this database | $autopilot_logerr | $expert_logerr |"
    echo "| **errors in all** (goal 0) | **$err_total** | |"
    echo
    echo "![throughput over time](autopilot.png)"
    echo
    echo "The autopilot's recommendations (idx_recommendations at the end):"
    echo
    echo "| id | kind | status | index | est. gain | est. size | size at end | reason |"
    echo "|---|---|---|---|---|---|---|---|"
    awk -F'\t' '{ r = $9; gsub(/\|/, "\\|", r); printf "| %s | %s | %s | `%s` | %s | %s | %s | %s |\n",
                  $1, $2, $3, ($5 == "" ? $4 : $5), $6, $7, $8, r }' "$out/autopilot.recommendations"
    echo
    echo "The autopilot's steps on its recommendations, in order (idx_autopilot_events; time since side A started):"
    echo
    echo "| at | cycle | recommendation | step | index |"
    echo "|---|---|---|---|---|"
    awk -F'\t' '$3 != "" && $4 != "note" { printf "| %.1f min | %s | %s | %s | %s |\n", $2 / 60, $1, $3, $4, $6 }' \
        "$out/autopilot.events"
    echo
    echo "Mean latency per script (pgbench's per-script report, whole run):"
    echo
    echo "| script | weight | A: autopilot (ms) | B: expert (ms) |"
    echo "|---|---|---|---|"
    join -t $'\t' <(script_lat autopilot) <(script_lat expert) |
        awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $5 }'
    echo
    echo "The expert's indexes: $(awk -F'\t' '{ printf "%s`%s` (%.1f MB)", (NR > 1 ? ", " : ""), $2, $3 / 1048576 }' "$out/expert.indexes")."
    echo
    echo "Measured: pgbench --progress=10 --progress-timestamp per side (one line per 10 s: the transactions of those 10 s); end state = mean of the intervals in the last $tail_s s; times from the side's start to idx_autopilot_events.at; bytes = pg_relation_size of the non-primary-key indexes standing at the end; errors = pgbench's failed transactions and aborted clients, idx_autopilot_run() calls that failed, idx_history rows failed or cancelled, and ERROR lines the server logged in the side's database. Raw data: bench/out/autopilot/ (events, cycles, progress)."
} > "$md"

# ---------------------------------------------------------------- plot
gp="$out/autopilot.gp" png="$out/autopilot.png"
{
    echo "set terminal pngcairo size 1200,650 font 'sans,10'"
    echo "set output '$png'"
    echo "set title noenhanced \"Autopilot (A, from primary keys only) vs expert index set (B); $clients pgbench clients, $(nproc) shared cores\\nend state A/B = $ratio; first kept index: $(min_s "$first_kept"); kept $(st kept), reverted $(st reverted), dropped $(st dropped); errors $err_total\""
    echo "set xlabel 'minutes since the side started'; set ylabel 'transactions per second (10 s intervals)'"
    echo "set grid; set key outside bottom center horizontal noenhanced; set yrange [0:*]; set xrange [0:$minutes]"
    # one dashed line per cycle that queued, kept, reverted, hid, dropped
    # or showed again an index, with how many (the names are in the table)
    awk -F'\t' '$4 ~ /^(queued|kept|reverted|hidden|dropped|unhidden)$/ { n[$1 "\t" $4]++; t[$1 "\t" $4] = $2 }
                END { for (k in n) { split(k, a, "\t"); printf "%s\t%s\t%d\n", t[k], a[2], n[k] } }' \
        "$out/autopilot.events" | sort -g |
    while IFS=$'\t' read -r t action count; do
        case $action in
            kept) c='#27ae60' y=0.97 ;; reverted) c='#e67e22' y=0.80 ;;
            queued) c='#95a5a6' y=0.63 ;; *) c='#8e44ad' y=0.46 ;;
        esac
        x=$(awk -v t="$t" 'BEGIN { printf "%.3f", t / 60 }')
        echo "set arrow from $x, graph 0 to $x, graph 1 nohead dt 2 lc rgb '$c'"
        echo "set label \"$action $count\" at $x, graph $y rotate by 90 right font 'sans,8' tc rgb '$c' offset -0.6,0 noenhanced"
    done
    echo "plot '$out/expert.tps' using (\$1/60):2 with linespoints lw 2 pt 7 ps 0.4 lc rgb '#2c3e50' title 'B: expert (5 indexes built up front)', \\"
    echo "     '$out/autopilot.tps' using (\$1/60):2 with linespoints lw 2 pt 7 ps 0.4 lc rgb '#c0392b' title 'A: autopilot (apply, a cycle every $cycle s)', \\"
    echo "     NaN with lines dt 2 lc rgb '#95a5a6' title 'builds queued', NaN with lines dt 2 lc rgb '#27ae60' title 'kept', \\"
    echo "     NaN with lines dt 2 lc rgb '#e67e22' title 'reverted', NaN with lines dt 2 lc rgb '#8e44ad' title 'hidden / dropped / shown again'"
} > "$gp"
gnuplot "$gp"

cat "$md"
log "raw data in $out"
if [ $record -eq 1 ]; then
    cp "$png" "$here/autopilot.png"
    results_section autopilot "$md"
    log "wrote bench/autopilot.png and the autopilot section of bench/RESULTS.md"
fi
