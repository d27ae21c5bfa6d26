#!/bin/bash
# worker_build.sh -- the waiting worker's build against CREATE INDEX
# CONCURRENTLY in a session that has built before (issue 23, the last speed
# bullet; bench/run.sh section 1 measures the same among other things, in
# 13 minutes).
#
#   bench/worker_build.sh [--rows N] [--runs N] [--index "(c)"] [--parallel N]
#                         [--perf DIR | --strace DIR]
#
# A throw-away cluster (private Unix socket, fsync off: the disk's fsync
# latency is not what is compared), a table like bench/run.sh's bench_t
# (default 1,000,000 rows), and per run, in an order that alternates
# (ABBA...), with DROP INDEX and CHECKPOINT after each build:
#   warm:   CREATE INDEX CONCURRENTLY in one psql session kept open for the
#           whole bench (psql \timing)
#   worker: idx_apply + CALL idx_wait, built by the one worker that waits for
#           work (index_advisor.worker_idle_timeout raised to 10 min):
#           idx_history finished_at - requested_at
# For each build, the CPU time (user + system) and minor page faults of the
# building process (the session's backend, the worker), from
# /proc/PID/stat before and after (parallel workers, if any, not counted).
# Prints each run, then per figure the median and the spread (min-max) of
# worker / warm, and the ratio of the medians.  --parallel sets
# max_parallel_maintenance_workers (default 2, as the server's default);
# --perf DIR records a perf profile of each side's process per build,
# --strace DIR its memory system calls (brk, mmap, munmap).
# EXTRA_CONF: lines added to postgresql.conf (e.g. trace_sort = on); keep=1
# keeps the cluster's directory (server.log).
set -euo pipefail

rows=1000000 runs=7 index="(c)" parallel=2 perfdir="" stracedir=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rows) rows=$2; shift ;;
        --runs) runs=$2; shift ;;
        --index) index=$2; shift ;;
        --parallel) parallel=$2; shift ;;
        --perf) perfdir=$2; shift ;;
        --strace) stracedir=$2; shift ;;
        *) echo "usage: $0 [--rows N] [--runs N] [--index COLS] [--parallel N] [--perf DIR]" >&2; exit 2 ;;
    esac
    shift
done

. "$(dirname "$0")/lib.sh"
bench_dir ia-wbuild
cleanup() {
    [ -n "${WARM_PID:-}" ] && kill "$WARM_PID" 2>/dev/null || true
    bench_cleanup data
}
trap cleanup EXIT

as_user "$bindir/initdb" -D "$dir/data" -A trust --no-sync >/dev/null
cat >> "$dir/data/postgresql.conf" <<EOC
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = off
shared_buffers = 512MB
max_worker_processes = 16
max_wal_size = 8GB
checkpoint_timeout = 30min
autovacuum = off
max_parallel_maintenance_workers = $parallel
index_advisor.worker_idle_timeout = '10min'
${EXTRA_CONF:-}
EOC
as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
q() { as_user "$bindir/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$dir" -p 5432 -d postgres "$@"; }

q -c "CREATE EXTENSION index_advisor" 2>/dev/null
q <<SQL
CREATE TABLE bench_t (id bigserial PRIMARY KEY, a int NOT NULL, b int NOT NULL,
                      c text NOT NULL, ts timestamptz NOT NULL DEFAULT now());
INSERT INTO bench_t (a, b, c)
SELECT (random() * 1e6)::int, (random() * 1e6)::int, md5(g::text)
  FROM generate_series(1, $rows) g;
VACUUM (FREEZE, ANALYZE) bench_t;
SQL

# /proc/PID/stat: "cpu_ticks minflt" (fields 14 + 15, and 10)
pstat() { awk '{ print $14 + $15, $10 }' "/proc/$1/stat"; }
tick=$(getconf CLK_TCK)

# the warm session: one psql kept open
coproc WARM { as_user "$bindir/psql" -X -q -A -t -v ON_ERROR_STOP=0 -h "$dir" -p 5432 -d postgres 2>&1; }
warm_sql() {
    printf '%s\n' "$1" '\echo __done__' >&"${WARM[1]}"
    local line out=""
    while IFS= read -r line <&"${WARM[0]}"; do
        [ "$line" = __done__ ] && break
        out=$line
    done
    echo "$out"
}
warm_pid=$(warm_sql "SELECT pg_backend_pid();")
printf '%s\n' '\timing on' >&"${WARM[1]}"
warm_time() {   # (no pipeline: the coprocess's descriptors are not in its subshells)
    local t
    t=$(warm_sql "$1")
    t=${t#Time: }
    echo "${t%% *}"
}

profile_start() {   # pid name
    PERF_PID=""
    if [ -n "$perfdir" ]; then
        mkdir -p "$perfdir"
        perf record -q -g -p "$1" -o "$perfdir/$2.data" >/dev/null 2>&1 &
        PERF_PID=$!
    elif [ -n "$stracedir" ]; then
        mkdir -p "$stracedir"
        strace -q -tt -k -e trace=memory -o "$stracedir/$2.txt" -p "$1" &
        PERF_PID=$!
    fi
    [ -z "$PERF_PID" ] || sleep 0.2
}
profile_stop() {
    [ -n "$PERF_PID" ] || return 0
    kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true
}

build_warm() {   # run
    local s0 s1 t
    s0=$(pstat "$warm_pid")
    profile_start "$warm_pid" "warm.$1"
    t=$(warm_time "CREATE INDEX CONCURRENTLY wb_idx ON bench_t $index;")
    profile_stop
    s1=$(pstat "$warm_pid")
    echo "$1 warm $t $(echo "$s0 $s1" | awk -v k="$tick" '{ printf "%.0f %d", ($3 - $1) * 1000 / k, $4 - $2 }')"
    q -c "DROP INDEX wb_idx" -c "CHECKPOINT"
}
worker_pid() { q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'index_advisor worker'"; }
build_worker() {   # run
    local wpid s0 s1 id t
    wpid=$(worker_pid)
    s0=$(pstat "$wpid")
    profile_start "$wpid" "worker.$1"
    id=$(q -c "SELECT idx_apply('CREATE INDEX wb_idx ON bench_t $index')" -c "CALL idx_wait(currval('idx_history_id_seq'))" 2>/dev/null | head -1)
    profile_stop
    s1=$(pstat "$wpid")
    [ "$(worker_pid)" = "$wpid" ] || { echo "the waiting worker changed" >&2; exit 1; }
    t=$(q -c "SELECT round(extract(epoch FROM finished_at - requested_at) * 1000, 3) FROM idx_history WHERE id = $id AND status = 'done'")
    echo "$1 worker $t $(echo "$s0 $s1" | awk -v k="$tick" '{ printf "%.0f %d", ($3 - $1) * 1000 / k, $4 - $2 }')"
    q -c "DROP INDEX wb_idx" -c "CHECKPOINT"
}

# warm-up, not measured: the session builds once, a worker starts and
# builds once, then waits for the next request
warm_time "CREATE INDEX CONCURRENTLY wb_idx ON bench_t $index;" >/dev/null
q -c "DROP INDEX wb_idx" -c "CHECKPOINT"
id=$(q -c "SELECT idx_apply('CREATE INDEX wb_idx ON bench_t $index')" -c "CALL idx_wait(currval('idx_history_id_seq'))" 2>/dev/null | head -1)
q -c "DROP INDEX wb_idx" -c "CHECKPOINT"
[ -n "$(worker_pid)" ] || { echo "no worker waits for work" >&2; exit 1; }

echo "settings: $(q -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('maintenance_work_mem', 'max_parallel_maintenance_workers', 'max_worker_processes', 'shared_buffers')"); rows=$rows index=$index load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "run side ms cpu_ms minflt"
out=$dir/runs.txt
for ((i = 1; i <= runs; i++)); do
    if ((i % 2)); then build_warm "$i"; build_worker "$i"; else build_worker "$i"; build_warm "$i"; fi
done > "$out"
cat "$out"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
    function median(a, n,   i, j, t) {
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { v[$2, 3, $1] = $3; v[$2, 4, $1] = $4; v[$2, 5, $1] = $5; if ($1 > n) n = $1 }
    END {
        split("ms cpu_ms minflt", name, " ")
        for (c = 3; c <= 5; c++) {
            lo = 1e18; hi = -1e18
            for (i = 1; i <= n; i++) {
                w[i] = v["warm", c, i]; k[i] = v["worker", c, i]
                r = (w[i] > 0 ? k[i] / w[i] : 0); rr[i] = r
                if (r < lo) lo = r; if (r > hi) hi = r
            }
            mw = median(w, n); mk = median(k, n); mr = median(rr, n)
            printf "%-7s warm median %10.1f  worker median %10.1f  ratio of medians %.3f  per-run ratio median %.3f (spread %.3f-%.3f)\n",
                   name[c - 2], mw, mk, (mw > 0 ? mk / mw : 0), mr, lo, hi
        }
    }' "$out"
