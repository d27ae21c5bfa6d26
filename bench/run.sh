#!/bin/bash
# index_advisor benchmarks: what a build through index_advisor costs, and
# what it spares the application.  Creates its own throw-away cluster and
# data, prints a results table and (full mode) writes bench/RESULTS.md and
# bench/write-latency.png.  Raw data goes to bench/out/ (git-ignored).
#
#   bash bench/run.sh                 full run (~13 min on 2 cores)
#   bash bench/run.sh --quick         small sizes, ~1 min; asserts only that
#                                     every step ran and produced numbers;
#                                     writes bench/out/ only
#   options: --rows N      rows of the main table (full 2000000, quick 50000)
#            --runs N      overhead runs per variant (full 7, quick 2)
#            --seconds N   pgbench duration per write scenario (full 30, quick 5)
#            --rate N      pgbench target rate, tx/s over 4 clients (full 1000, quick 200)
#            --tput-rows N rows of each of the 4 throughput tables (default rows/2)
#            --sync-commit on|off  synchronous_commit of the pgbench clients
#                          (default off: on a shared virtual disk the fsync
#                          latency of each commit varies 100-fold and drowns
#                          what the build does to the writers)
#            --keep        keep the cluster directory
#
# Needs the extension installed (make install), the PostgreSQL 15 server
# binaries, pgbench, psql and gnuplot.  As root it re-executes itself as
# user postgres (IA_BENCH_USER) in a copy of bench/ that user owns, then
# copies the results back.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ARGS=("$@")

QUICK=0 KEEP=0 ROWS="" RUNS="" SECS="" RATE="" TPUT_ROWS="" SYNC=off
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --keep) KEEP=1 ;;
        --rows) ROWS=$2; shift ;;
        --runs) RUNS=$2; shift ;;
        --seconds) SECS=$2; shift ;;
        --rate) RATE=$2; shift ;;
        --tput-rows) TPUT_ROWS=$2; shift ;;
        --sync-commit) SYNC=$2; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
for v in ROWS RUNS SECS RATE TPUT_ROWS; do
    val=${!v}
    if [ -n "$val" ] && ! [[ "$val" =~ ^[0-9]+$ ]]; then
        echo "run.sh: --${v,,} needs a positive integer" >&2; exit 2
    fi
done

# ---------------------------------------------------------------- as root
if [ "$(id -u)" -eq 0 ]; then
    user=${IA_BENCH_USER:-postgres}
    stage=$(mktemp -d /tmp/iaperf-stage.XXXXXX)
    mkdir -p "$stage/bench"
    (cd "$BENCH_DIR" && tar --exclude=./out -cf - .) | (cd "$stage/bench" && tar -xf -)
    chown -R "$user" "$stage"
    rc=0
    runuser -u "$user" -- bash "$stage/bench/run.sh" "${ARGS[@]}" || rc=$?
    mkdir -p "$BENCH_DIR/out"
    cp -a "$stage/bench/out/." "$BENCH_DIR/out/" 2>/dev/null || true
    if [ $QUICK -eq 0 ] && [ $rc -eq 0 ]; then
        cp "$stage/bench/RESULTS.md" "$stage/bench/write-latency.png" "$BENCH_DIR/"
    fi
    rm -rf "$stage"
    exit $rc
fi

# ---------------------------------------------------------------- settings
if [ $QUICK -eq 1 ]; then
    : "${ROWS:=50000}" "${RUNS:=2}" "${SECS:=5}" "${RATE:=200}"
    SHARED_BUFFERS=128MB
else
    : "${ROWS:=2000000}" "${RUNS:=7}" "${SECS:=30}" "${RATE:=1000}"
    SHARED_BUFFERS=1GB
fi
: "${TPUT_ROWS:=$((ROWS / 2))}"
case $SYNC in on|off) ;; *) echo "run.sh: --sync-commit on|off" >&2; exit 2 ;; esac
[ "$SECS" -ge 5 ] || { echo "run.sh: --seconds must be at least 5" >&2; exit 2; }
[ "$RUNS" -ge 1 ] && [ "$ROWS" -ge 1000 ] && [ "$TPUT_ROWS" -ge 1000 ] && [ "$RATE" -ge 1 ] ||
    { echo "run.sh: sizes too small" >&2; exit 2; }
BUILD_AT=2              # second of the pgbench run at which a build starts
HOG_S=$(( QUICK ? 2 : 6 ))  # seconds of the (h-...) scenarios' processes

PG_BIN=${PG_BIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
export PATH="$PG_BIN:$PATH"
for tool in initdb pg_ctl pg_basebackup psql pgbench gnuplot awk sort chrt nice timeout; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done

OUT="$BENCH_DIR/out"
mkdir -p "$OUT"
rm -rf "${OUT:?}"/* 2>/dev/null || true
RES="$OUT/results.txt"          # "key value" lines, the source of the table
: > "$RES"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/iaperf-cluster.XXXXXX")
PORT=54329
export PGHOST="$WORK" PGPORT="$PORT" PGDATABASE=bench PGUSER=$(id -un)
unset PGSERVICE PGOPTIONS PGPASSWORD 2>/dev/null || true

PGBENCH_PID=""
cleanup() {
    [ -n "$PGBENCH_PID" ] && kill "$PGBENCH_PID" 2>/dev/null || true
    if [ -f "$WORK/standby/postmaster.pid" ]; then
        pg_ctl -D "$WORK/standby" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [ -f "$WORK/data/postmaster.pid" ]; then
        pg_ctl -D "$WORK/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    [ -f "$WORK/server.log" ] && cp "$WORK/server.log" "$OUT/server.log" 2>/dev/null || true
    [ $KEEP -eq 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
now_s() { date +%s.%N; }
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
put() { echo "$1 $2" >> "$RES"; }
get() { awk -v k="$1" '$1 == k { v = substr($0, length(k) + 2) } END { print (v == "" ? "NA" : v) }' "$RES"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "NA"; exit }
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b + 0 == 0) print "NA"; else printf "%.3f\n", a / b }'; }

# ---------------------------------------------------------------- cluster
log "cluster in $WORK (rows=$ROWS runs=$RUNS seconds=$SECS rate=$RATE sync_commit=$SYNC tput_rows=$TPUT_ROWS quick=$QUICK)"
initdb -D "$WORK/data" -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$OUT/initdb.log" 2>&1 ||
    initdb -D "$WORK/data" -A trust --no-sync -E UTF8 >"$OUT/initdb.log" 2>&1
cat >> "$WORK/data/postgresql.conf" <<EOF
# index_advisor bench
listen_addresses = ''
unix_socket_directories = '$WORK'
port = $PORT
max_worker_processes = 16
shared_buffers = $SHARED_BUFFERS
max_wal_size = 8GB
checkpoint_timeout = 30min
autovacuum = off
max_connections = 50
EOF
pg_ctl -D "$WORK/data" -l "$WORK/server.log" -w -t 60 start >/dev/null
q -d postgres -c "CREATE DATABASE bench"
q -c "CREATE EXTENSION index_advisor"
PG_VERSION_STR=$(q -c "SHOW server_version")

# record_history id label wall_ms tsv run: append the history's timings
# (request -> valid, request -> worker start, worker start -> valid) of a
# done row to the overhead table
record_history() {
    local hist
    hist=$(q -F ' ' -c "SELECT round(extract(epoch FROM finished_at - requested_at) * 1000, 3),
                               round(extract(epoch FROM started_at - requested_at) * 1000, 3),
                               round(extract(epoch FROM finished_at - started_at) * 1000, 3)
                          FROM idx_history WHERE id = $1 AND status = 'done'")
    [ -n "$hist" ] || return 1
    echo -e "$5\t$2\t$3\t${hist// /\\t}" >> "$4"
}

mk_table() {   # name rows
    q <<SQL
CREATE TABLE $1 (id bigserial PRIMARY KEY, a int NOT NULL, b int NOT NULL,
                 c text NOT NULL, ts timestamptz NOT NULL DEFAULT now());
INSERT INTO $1 (a, b, c)
SELECT (random() * 1e6)::int, (random() * 1e6)::int, md5(g::text)
  FROM generate_series(1, $2) g;
VACUUM (FREEZE, ANALYZE) $1;
SQL
}

STEP_FAILED=""
run_step() {   # name function
    local name=$1 rc=0
    log "== $name"
    ( set -euo pipefail; "$2" ) || rc=$?
    if [ $rc -ne 0 ]; then
        log "!! step $name failed (exit $rc)"
        STEP_FAILED="$STEP_FAILED $name"
    fi
}

# ---------------------------------------------------------------- 1. overhead
# Same CREATE INDEX CONCURRENTLY, typed directly (A) or through idx_apply +
# CALL idx_wait (B), interleaved ABAB..., index dropped and checkpoint between.
OV_DEFS=("ab|(a, b)" "c|(c)")
poll_done() {   # id: wait, polling every 50 ms, until the row has ended
    local k st
    for k in $(seq 1 12000); do
        st=$(q -c "SELECT status FROM idx_history WHERE id = $1")
        case $st in
            done) return 0 ;;
            failed|cancelled|rolled_back) echo "history row $1: $st" >&2; return 1 ;;
        esac
        sleep 0.1
    done
    return 1
}
# One psql session kept open for the whole step (D below): "warm_sql SQL"
# runs SQL in it and prints the last \timing figure (ms).
warm_sql() {
    printf '%s\n' "$1" '\echo __done__' >&"${WARM[1]}"
    local line t=""
    while IFS= read -r line <&"${WARM[0]}"; do
        case $line in
            Time:*) t=$(awk '{ print $2 }' <<<"$line") ;;
            __done__) break ;;
        esac
    done
    echo "$t"
}
# idx_apply + CALL idx_wait of "cols": the history row's id on stdout
apply_wait() {   # cols
    psql -X -q -A -t -v ON_ERROR_STOP=1 2>>"$OUT/overhead_notices.log" <<SQL
SELECT idx_apply('CREATE INDEX ov_idx ON bench_t $1') AS id \gset
CALL idx_wait(:id);
SELECT :id;
SQL
}
# no index_advisor worker left (the one waiting for work is ended)
no_worker() {
    local k
    q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE backend_type = 'index_advisor worker'" >/dev/null
    for k in $(seq 1 100); do
        [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'index_advisor worker'")" = 0 ] && return 0
        sleep 0.1
    done
    return 1
}
step_overhead() {
    local d name cols i
    coproc WARM { psql -X -q -A -t -v ON_ERROR_STOP=0 2>&1; }
    printf '%s\n' '\timing on' >&"${WARM[1]}"
    for d in "${OV_DEFS[@]}"; do
        name=${d%%|*} cols=${d#*|}
        local tsv="$OUT/overhead_$name.tsv"
        : > "$tsv"
        echo -e "run\tmode\twall_ms\tserver_ms\tqueue_ms\tbuild_ms" >> "$tsv"
        # warm-up, not measured (and the warm session's first build)
        q -c "CREATE INDEX CONCURRENTLY ov_idx ON bench_t $cols" -c "DROP INDEX ov_idx" -c "CHECKPOINT"
        warm_sql "CREATE INDEX CONCURRENTLY ov_idx ON bench_t $cols;" >/dev/null
        q -c "DROP INDEX ov_idx" -c "CHECKPOINT"
        for i in $(seq 1 "$RUNS"); do
            local t0 t1 srv id
            # A: CIC by hand in a new session (a new process, as a
            # migration tool's connection)
            t0=$(now_ms)
            srv=$(psql -X -q -v ON_ERROR_STOP=1 -c '\timing on' \
                       -c "CREATE INDEX CONCURRENTLY ov_idx ON bench_t $cols" |
                  awk '/^Time:/ { print $2 }')
            t1=$(now_ms)
            [ -n "$srv" ]
            echo -e "$i\tdirect\t$((t1 - t0))\t$srv\t\t" >> "$tsv"
            q -c "DROP INDEX ov_idx" -c "CHECKPOINT"
            # E: idx_apply + CALL idx_wait, built by a new worker (none
            # waits for work: a request after a quiet spell)
            no_worker
            t0=$(now_ms); id=$(apply_wait "$cols"); t1=$(now_ms)
            record_history "$id" idx_apply_new "$((t1 - t0))" "$tsv" "$i"
            q -c "DROP INDEX ov_idx" -c "CHECKPOINT"
            # D: CIC by hand in a session that has built before
            srv=$(warm_sql "CREATE INDEX CONCURRENTLY ov_idx ON bench_t $cols;")
            [ -n "$srv" ]
            echo -e "$i\tdirect_warm\t\t$srv\t\t" >> "$tsv"
            q -c "DROP INDEX ov_idx" -c "CHECKPOINT"
            # C: idx_apply, nobody waiting while it builds: the client
            # sleeps for about the direct build time, then polls idx_history
            t0=$(now_ms)
            id=$(q -c "SELECT idx_apply('CREATE INDEX ov_idx ON bench_t $cols')")
            sleep "$(awk -v s="$srv" 'BEGIN { printf "%.3f", s * 1.2 / 1000 }')"
            poll_done "$id"
            t1=$(now_ms)
            record_history "$id" idx_apply_poll "$((t1 - t0))" "$tsv" "$i"
            q -c "DROP INDEX ov_idx" -c "CHECKPOINT"
            # B: idx_apply + CALL idx_wait, built by the worker that waits
            # for work after C (index_advisor.worker_idle_timeout)
            t0=$(now_ms); id=$(apply_wait "$cols"); t1=$(now_ms)
            record_history "$id" idx_apply "$((t1 - t0))" "$tsv" "$i"
            q -c "DROP INDEX ov_idx" -c "CHECKPOINT"
        done
        col() { awk -F'\t' -v m="$1" -v c="$2" '$2 == m { print $c }' "$tsv" | median; }
        put "ov.$name.direct_wall_ms" "$(col direct 3)"
        put "ov.$name.direct_server_ms" "$(col direct 4)"
        put "ov.$name.direct_warm_ms" "$(col direct_warm 4)"
        put "ov.$name.apply_wall_ms" "$(col idx_apply 3)"
        put "ov.$name.apply_history_ms" "$(col idx_apply 4)"
        put "ov.$name.apply_queue_ms" "$(col idx_apply 5)"
        put "ov.$name.apply_build_ms" "$(col idx_apply 6)"
        put "ov.$name.new_wall_ms" "$(col idx_apply_new 3)"
        put "ov.$name.new_history_ms" "$(col idx_apply_new 4)"
        put "ov.$name.new_queue_ms" "$(col idx_apply_new 5)"
        put "ov.$name.poll_history_ms" "$(col idx_apply_poll 4)"
        put "ov.$name.ratio_history" "$(ratio "$(get ov.$name.apply_history_ms)" "$(get ov.$name.direct_warm_ms)")"
        put "ov.$name.ratio_new_history" "$(ratio "$(get ov.$name.new_history_ms)" "$(get ov.$name.direct_server_ms)")"
        put "ov.$name.ratio_new_wall" "$(ratio "$(get ov.$name.new_wall_ms)" "$(get ov.$name.direct_wall_ms)")"
        put "ov.$name.ratio_poll_history" "$(ratio "$(get ov.$name.poll_history_ms)" "$(get ov.$name.direct_warm_ms)")"
        put "ov.$name.size" "$(q -c "SELECT pg_size_pretty(index_size) FROM idx_history WHERE index_name = 'ov_idx' AND status = 'done' ORDER BY id DESC LIMIT 1")"
    done
    printf '%s\n' '\q' >&"${WARM[1]}"
    wait "$WARM_PID" 2>/dev/null || true
}

# ---------------------------------------------------------------- 2. writes
# pgbench, 4 clients, half inserts, half updates of random rows of bench_t,
# at a fixed rate; a build starts at second BUILD_AT.  Latency includes
# schedule lag (the time a transaction waited to start): it is what the
# application sees.
WL_INDEX="(c)"
WL_SCEN="a b l i c d e hn hi hw a2"
declare -A WL_LABEL=(
    [a]="(a) no build"
    [b]="(b) idx_apply (CIC in a worker)"
    [l]="(b-low) idx_apply, priority => 'low'"
    [i]="(b-idle) idx_apply, priority => 'idle'"
    [c]="(c) plain CREATE INDEX"
    [d]="(d) CREATE INDEX CONCURRENTLY by hand"
    [e]="(e) idx_apply, max_parallel_maintenance_workers=0"
    [hn]="(h-nice) no build: 2 CPU-bound processes at nice 19"
    [hi]="(h-idle) no build: 2 CPU-bound processes at SCHED_IDLE"
    [hw]="(h-write) no build: 1 process writing a file at SCHED_IDLE"
    [a2]="(a′) no build, again at the end"
)

cat > "$OUT/writes.sql" <<'EOF'
\set r random(1, 100)
\set a random(1, 1000000)
\set id random(1, :maxid)
\if :r <= 50
INSERT INTO bench_t (a, b, c) VALUES (:a, :a, md5(:a::text));
\else
UPDATE bench_t SET b = b + 1, ts = now() WHERE id = :id;
\endif
EOF

# What any background process does to the writers on this machine, for
# comparison with the builds: CPU-bound at nice 19 or at SCHED_IDLE (the
# idle priority's policy), or writing a file at SCHED_IDLE, for HOG_S s.
hog() {   # scenario
    local pids="" k
    case $1 in
        hn|hi)
            for k in 1 2; do
                if [ "$1" = hn ]; then
                    timeout "$HOG_S" nice -n 19 bash -c 'while :; do :; done' &
                else
                    timeout "$HOG_S" chrt -i 0 bash -c 'while :; do :; done' &
                fi
                pids="$pids $!"
            done ;;
        hw) timeout "$HOG_S" chrt -i 0 dd if=/dev/zero of="$WORK/hog.out" bs=1M count=100000 2>/dev/null &
            pids=$! ;;
    esac
    wait $pids || true
    rm -f "$WORK/hog.out"
}

build_for() {   # scenario -> runs the build, prints "start end" (epoch s)
    local s e
    s=$(now_s)
    case $1 in
        b|e|l|i)
            local prio=normal
            case $1 in l) prio=low ;; i) prio=idle ;; esac
            psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>>"$OUT/writes_$1.build.log" <<SQL
SELECT idx_apply('CREATE INDEX wl_idx ON bench_t $WL_INDEX', priority => '$prio') AS id \gset
CALL idx_wait(:id);
SQL
        ;;
        hn|hi|hw) hog "$1" ;;
        c) q -c "CREATE INDEX wl_idx ON bench_t $WL_INDEX" >/dev/null ;;
        d) q -c "CREATE INDEX CONCURRENTLY wl_idx ON bench_t $WL_INDEX" >/dev/null ;;
    esac
    e=$(now_s)
    echo "$s $e"
}

# per-transaction logs -> per-second stats and totals
wl_analyse() {   # scenario t0 build_start build_end
    local sc=$1 t0=$2 bs=$3 be=$4
    # end time, latency (ms) of every transaction; "failed" counted apart
    cat "$OUT/txlog_$sc".* | awk -v t0="$t0" -v ft="$OUT/wl_$sc.failed" '
        $3 == "failed" || $3 == "skipped" { nf++; next }
        { end = $5 + $6 / 1e6; printf "%.6f %.3f\n", end - t0, $3 / 1000 }
        END { print nf + 0 > ft }' > "$OUT/wl_$sc.lat"
    [ -s "$OUT/wl_$sc.lat" ]
    # per second: sec p50 p99 max mean n
    awk '{ printf "%d %s\n", int($1), $2 }' "$OUT/wl_$sc.lat" | sort -k1,1n -k2,2g |
    awk 'function flush() { if (n == 0) return
             k50 = int(0.5 * n); if (k50 < 0.5 * n) k50++; if (k50 < 1) k50 = 1
             k99 = int(0.99 * n); if (k99 < 0.99 * n) k99++; if (k99 < 1) k99 = 1
             printf "%d %.3f %.3f %.3f %.3f %d\n", cur, v[k50], v[k99], v[n], sum / n, n }
         $1 != cur && n > 0 { flush(); n = 0; sum = 0 }
         { cur = $1; v[++n] = $2; sum += $2 }
         END { flush() }' > "$OUT/wl_$sc.persec"
    # totals over the whole run, and over the transactions in flight while
    # the build ran (started before it ended and ended after it started)
    pct() { sort -g | awk '{ v[NR] = $1; s += $1 } END {
             if (NR == 0) { print "NA NA NA NA 0"; exit }
             k50 = int(0.5 * NR); if (k50 < 0.5 * NR) k50++; if (k50 < 1) k50 = 1
             k99 = int(0.99 * NR); if (k99 < 0.99 * NR) k99++; if (k99 < 1) k99 = 1
             printf "%.3f %.3f %.3f %.3f %d\n", v[k50], v[k99], v[NR], s / NR, NR }'; }
    set -- $(awk '{ print $2 }' "$OUT/wl_$sc.lat" | pct)
    put "wl.$sc.p50_ms" "$1"; put "wl.$sc.p99_ms" "$2"; put "wl.$sc.max_ms" "$3"
    put "wl.$sc.mean_ms" "$4"; put "wl.$sc.tx" "$5"
    if [ "$bs" != "-" ]; then
        set -- $(awk -v bs="$(awk -v a="$bs" -v b="$t0" 'BEGIN { print a - b }')" \
                     -v be="$(awk -v a="$be" -v b="$t0" 'BEGIN { print a - b }')" \
                 '$1 - $2 / 1000 < be && $1 > bs { print $2 }' "$OUT/wl_$sc.lat" | pct)
        put "wl.$sc.build_p50_ms" "$1"; put "wl.$sc.build_p99_ms" "$2"; put "wl.$sc.build_max_ms" "$3"
        put "wl.$sc.build_tx" "$5"
        put "wl.$sc.build_from_s" "$(awk -v a="$bs" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')"
        put "wl.$sc.build_to_s" "$(awk -v a="$be" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')"
    fi
}

# replica lag of the bench's streaming standby, sampled every 0.5 s while a
# scenario runs: "bytes ms" lines (pg_current_wal_lsn() - replay_lsn, and
# replay_lag) into wl_<scenario>.lag
lag_sampler() {   # scenario
    while :; do
        q -c "SELECT COALESCE(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)::bigint,
                     COALESCE(max(extract(epoch FROM replay_lag) * 1000), 0)::int
                FROM pg_stat_replication" 2>/dev/null | tr '|' ' ' >> "$OUT/wl_$1.lag" || true
        sleep 0.5
    done
}

wl_scenario() {   # scenario
    local sc=$1 t0 bs="-" be="-" rc=0 aborted failed LAG_PID=""
    q -c "DROP INDEX IF EXISTS wl_idx" -c "VACUUM bench_t" -c "CHECKPOINT"
    if [ "$sc" = e ]; then
        q -c "ALTER DATABASE bench SET max_parallel_maintenance_workers = 0"
    fi
    sleep 1
    rm -f "$OUT/wl_$sc".* "$OUT/txlog_$sc".*
    t0=$(now_s)
    PGOPTIONS="-c synchronous_commit=$SYNC" pgbench -n -c 4 -j 2 -T "$SECS" -R "$RATE" -D maxid="$ROWS" -f "$OUT/writes.sql" \
            --log --log-prefix="$OUT/txlog_$sc" >"$OUT/writes_$sc.pgbench.log" 2>&1 &
    PGBENCH_PID=$!
    if [ -n "$STANDBY_PORT" ]; then
        lag_sampler "$sc" & LAG_PID=$!
    fi
    if [ "$sc" != a ] && [ "$sc" != a2 ]; then
        sleep "$BUILD_AT"
        set -- $(build_for "$sc")
        bs=$1 be=$2
    fi
    wait "$PGBENCH_PID" || rc=$?
    PGBENCH_PID=""
    if [ -n "$LAG_PID" ]; then
        kill "$LAG_PID" 2>/dev/null || true
        wait "$LAG_PID" 2>/dev/null || true
        put "wl.$sc.lag_max_kb" "$(awk '$1 > m { m = $1 } END { printf "%.0f", m / 1024 }' "$OUT/wl_$sc.lag")"
        put "wl.$sc.lag_max_ms" "$(awk '$2 > m { m = $2 } END { print m + 0 }' "$OUT/wl_$sc.lag")"
    fi
    if [ "$bs" != "-" ]; then
        put "wl.$sc.build_s" "$(awk -v a="$bs" -v b="$be" 'BEGIN { printf "%.2f", b - a }')"
    fi
    if [ "$sc" = e ]; then
        q -c "ALTER DATABASE bench RESET max_parallel_maintenance_workers"
    fi
    aborted=$(grep -c "aborted" "$OUT/writes_$sc.pgbench.log" || true)
    wl_analyse "$sc" "$t0" "$bs" "$be"
    failed=$(cat "$OUT/wl_$sc.failed")
    put "wl.$sc.errors" "$((failed + aborted + (rc != 0)))"
    put "wl.$sc.tps" "$(awk -v n="$(get "wl.$sc.tx")" -v s="$SECS" 'BEGIN { printf "%.0f", n / s }')"
    if [ "$be" != "-" ] && awk -v be="$be" -v t0="$t0" -v s="$SECS" 'BEGIN { exit !(be - t0 > s) }'; then
        log "warning: the build of scenario $sc ended after the pgbench window"
        put "wl.$sc.overran" 1
    fi
}

# A streaming standby for the write scenarios, to report replica lag.
STANDBY_PORT=""
standby_start() {
    pg_basebackup -D "$WORK/standby" -R -X stream -c fast >"$OUT/basebackup.log" 2>&1
    cat >> "$WORK/standby/postgresql.conf" <<EOF
port = $((PORT + 1))
shared_buffers = 128MB
wal_receiver_status_interval = 1s
EOF
    pg_ctl -D "$WORK/standby" -l "$WORK/standby.log" -w -t 60 start >/dev/null
    STANDBY_PORT=$((PORT + 1))
    for _ in $(seq 1 100); do
        [ "$(q -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1 ] && return 0
        sleep 0.2
    done
    log "warning: the standby does not stream"
}
standby_stop() {
    [ -f "$WORK/standby/postmaster.pid" ] && pg_ctl -D "$WORK/standby" -m fast -w stop >/dev/null 2>&1 || true
    STANDBY_PORT=""
}

step_writes() {
    local sc
    standby_start
    for sc in $WL_SCEN; do
        log "   scenario ${WL_LABEL[$sc]}"
        wl_scenario "$sc"
    done
    standby_stop
    q -c "DROP INDEX IF EXISTS wl_idx"
}

fmt1() { awk -v v="$1" 'BEGIN { if (v == "NA") print "n/a"; else printf "%.1f\n", v }'; }
step_plot() {
    local png=$1 ymax
    ymax=$(cat "$OUT"/wl_[abcli].persec | awk '$3 > m { m = $3 } END { print (m < 10 ? 10 : m * 1.5) }')
    {
        echo "set terminal pngcairo size 1500,1000 font 'sans,10'"
        echo "set output '$png'"
        echo "set termoption noenhanced"
        echo "set multiplot layout 2,3 title 'index_advisor bench: write latency per second, 4 pgbench clients at $RATE tx/s on ${ROWS} rows (build of CREATE INDEX ... $WL_INDEX starts at ${BUILD_AT} s)' font 'sans,11'"
        echo "set logscale y; set yrange [0.1:$ymax]; set xrange [0:$SECS]"
        echo "set xlabel 'seconds since start'; set ylabel 'latency (ms, log scale)'"
        echo "set grid ytics xtics; set key top right"
        echo "set style rect fc rgb '#ffe0a0' fs solid 0.6 noborder"
        for sc in a b l i d c; do
            local f t
            f=$(get "wl.$sc.build_from_s"); t=$(get "wl.$sc.build_to_s")
            echo "unset object"
            if [ "$f" != NA ]; then
                echo "set object 1 rect from $f, graph 0 to $t, graph 1 behind"
            fi
            local extra=""
            [ "$f" != NA ] && extra="\\nwhile building: p99 $(fmt1 "$(get "wl.$sc.build_p99_ms")") ms, build $(get "wl.$sc.build_s") s"
            echo "set title \"${WL_LABEL[$sc]}\\nwhole run: p99 $(fmt1 "$(get "wl.$sc.p99_ms")") ms, max $(fmt1 "$(get "wl.$sc.max_ms")") ms$extra\""
            echo "plot '$OUT/wl_$sc.persec' using (\$1+0.5):3 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#c0392b' title 'p99', \\"
            echo "     '' using (\$1+0.5):2 with lines lw 1.5 dt 2 lc rgb '#2c3e50' title 'p50', \\"
            echo "     '' using (\$1+0.5):4 with lines lw 1 lc rgb '#7f8c8d' title 'max', \\"
            echo "     NaN with boxes fs solid 0.6 fc rgb '#ffe0a0' title 'build running'"
        done
        echo "unset multiplot"
    } > "$OUT/write-latency.gp"
    gnuplot "$OUT/write-latency.gp"
    [ -s "$png" ]
}

# ---------------------------------------------------------------- 3. throughput
# 8 indexes over 4 tables queued in one transaction; wall time until all
# are done with index_advisor.max_workers = 1 and = 2.
TPUT_DEFS=()
for t in 1 2 3 4; do
    TPUT_DEFS+=("CREATE INDEX tp${t}_ab_idx ON tp_$t (a, b)" "CREATE INDEX tp${t}_c_idx ON tp_$t (c)")
done

tput_once() {   # max_workers -> wall ms on stdout
    local mw=$1 t0 t1 arr="" d
    q -c "LOAD 'index_advisor'" -c "ALTER SYSTEM SET index_advisor.max_workers = $mw" \
      -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
    [ "$(q -c "LOAD 'index_advisor'" -c "SHOW index_advisor.max_workers")" = "$mw" ]
    for d in "${TPUT_DEFS[@]}"; do arr="$arr, \$q\$$d\$q\$"; done
    arr=${arr#, }
    t0=$(now_ms)
    local ids k left
    ids=$(q <<SQL
BEGIN;
SELECT string_agg(id::text, ',') FROM (SELECT idx_apply(d) AS id
  FROM unnest(ARRAY[$arr]) WITH ORDINALITY AS u(d, n) ORDER BY n) s;
COMMIT;
SQL
)
    # wait by polling with short queries: a CALL idx_wait would hold a
    # snapshot while it sleeps, which every build's last phase waits for
    for k in $(seq 1 12000); do
        left=$(q -c "SELECT count(*) FILTER (WHERE status IN ('queued', 'waiting', 'building')) || ' ' ||
                            count(*) FILTER (WHERE status IN ('failed', 'cancelled'))
                       FROM idx_history WHERE id IN ($ids)")
        [ "${left#* }" = 0 ] || { echo "throughput: a build failed" >&2; return 1; }
        [ "${left% *}" = 0 ] && break
        sleep 0.2
    done
    t1=$(now_ms)
    echo $((t1 - t0))
}

tput_reset() {
    q >/dev/null <<'SQL'
SELECT format('DROP INDEX IF EXISTS %s', indexrelid::regclass)
  FROM pg_index WHERE indrelid::regclass::text LIKE 'tp\_%' AND NOT indisprimary \gexec
CHECKPOINT;
SQL
}

step_throughput() {
    local t cfg mw w
    for t in 1 2 3 4; do mk_table "tp_$t" "$TPUT_ROWS"; done
    q -c "CHECKPOINT"
    echo -e "config\tmax_workers\twall_ms\thistory_span_ms\tmax_concurrent" > "$OUT/throughput.tsv"
    # "default": server defaults (a build may use a parallel maintenance
    # worker); "serial": max_parallel_maintenance_workers = 0
    for cfg in default serial; do
        if [ $cfg = serial ]; then
            q -c "ALTER SYSTEM SET max_parallel_maintenance_workers = 0" -c "SELECT pg_reload_conf()" >/dev/null
        fi
        for mw in 1 2 1 2 1 2; do
            tput_reset
            local before
            before=$(q -c "SELECT coalesce(max(id), 0) FROM idx_history")
            w=$(tput_once "$mw")
            local span conc
            span=$(q -c "SELECT round(extract(epoch FROM max(finished_at) - min(requested_at)) * 1000)
                           FROM idx_history WHERE id > $before AND status = 'done'
                         HAVING count(*) = ${#TPUT_DEFS[@]}")
            [ -n "$span" ]
            conc=$(q -c "SELECT max(c) FROM (SELECT (SELECT count(*) FROM idx_history o
                                                      WHERE o.id > $before AND o.started_at <= h.started_at
                                                        AND o.finished_at > h.started_at) AS c
                                              FROM idx_history h WHERE h.id > $before) s")
            echo -e "$cfg\t$mw\t$w\t$span\t$conc" >> "$OUT/throughput.tsv"
        done
        local w1 w2
        w1=$(awk -F'\t' -v c=$cfg '$1 == c && $2 == 1 { print $3 }' "$OUT/throughput.tsv" | median)
        w2=$(awk -F'\t' -v c=$cfg '$1 == c && $2 == 2 { print $3 }' "$OUT/throughput.tsv" | median)
        put "tp.$cfg.w1_ms" "$w1"; put "tp.$cfg.w2_ms" "$w2"
        put "tp.$cfg.ratio" "$(ratio "$w2" "$w1")"
        put "tp.$cfg.conc2" "$(awk -F'\t' -v c=$cfg '$1 == c && $2 == 2 { print $5 }' "$OUT/throughput.tsv" | sort -n | tail -1)"
    done
    q -c "LOAD 'index_advisor'" -c "ALTER SYSTEM RESET max_parallel_maintenance_workers" \
      -c "ALTER SYSTEM RESET index_advisor.max_workers" \
      -c "SELECT pg_reload_conf()" >/dev/null
    tput_reset
}

# ---------------------------------------------------------------- 4. idx_check
step_idx_check() {
    local s="$BENCH_DIR/idx_check_bench.sh" line
    if [ ! -x "$s" ]; then
        log "   bench/idx_check_bench.sh absent: skipped"
        put "chk.skipped" 1
        return 0
    fi
    local args=()
    [ $QUICK -eq 1 ] && args=(--quick)
    timeout 1800 "$s" "${args[@]}" > "$OUT/idx_check_bench.log" 2>&1
    # full mode prints idx_check_10k_indexes_ms, --quick a smaller count
    set -- $(awk '$1 ~ /^idx_check_[0-9a-z]+_indexes_ms$/ { l = $1; v = $2 } END { print l, v }' \
                 "$OUT/idx_check_bench.log")
    [ $# -eq 2 ] && [[ "$2" =~ ^[0-9]+(\.[0-9]+)?$ ]]
    put "chk.label" "$1"
    put "chk.ms" "$2"
}

# ---------------------------------------------------------------- run
step_data() {
    log "   loading bench_t ($ROWS rows)"
    mk_table bench_t "$ROWS"
    q -c "CHECKPOINT"
    put "size.bench_t" "$(q -c "SELECT pg_size_pretty(pg_table_size('bench_t'))")"
}
step_plot_out() { step_plot "$OUT/write-latency.png"; }

T_START=$(now_s)
put "load.start" "$(cut -d' ' -f1-3 /proc/loadavg)"
run_step data step_data
if [ -z "$STEP_FAILED" ]; then
    run_step overhead step_overhead
    run_step writes step_writes
    run_step plot step_plot_out
    run_step throughput step_throughput
fi
run_step idx_check step_idx_check
put "load.end" "$(cut -d' ' -f1-3 /proc/loadavg)"
put "total_s" "$(awk -v a="$T_START" -v b="$(now_s)" 'BEGIN { printf "%.0f", b - a }')"

# ---------------------------------------------------------------- report
. "$BENCH_DIR/report.sh"
