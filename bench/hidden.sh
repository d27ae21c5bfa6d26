#!/bin/bash
# hidden.sh -- what the planner filter of hidden indexes costs (issue 21,
# doc/hidden.md): pgbench -S (select-only), prepared and simple protocol,
# TPS in three set-ups, interleaved run by run:
#   off   index_advisor not loaded at all (no shared_preload_libraries)
#   on0   shared_preload_libraries = 'index_advisor', nothing hidden
#   on10  preloaded, 10 indexes hidden
# The 10 indexes exist in every set-up, on the pgbench tables the -S
# transaction does not read (branches, tellers, history), so that the
# planning work is the same and only the hook differs: on10 measures the
# look-up in a non-empty list (every planning of pgbench_accounts searches
# it), not a smaller index list.  Simple protocol plans every statement;
# prepared plans once per connection, so it shows the executor path.
#
#   bench/hidden.sh [--quick] [--keep]
#
# Prints one line per protocol and set-up: the median TPS of the runs and
# the ratio to "off", then every run on stderr.  Also, per set-up, the time
# one backend takes to plan and run 20,000 point queries through dynamic
# SQL (each one planned: the hook's cost per planning), median and fastest
# run: on a loaded machine the fastest run is the steadier figure.  Last,
# in one session with 10 indexes hidden, 20 alternating rounds of 5,000
# plannings with the filter acting and bypassed (use_hidden_indexes = on
# makes the hook return before the look-up): the look-up's own cost, the
# two sides seconds apart, so the load of the machine hits both alike.  Full: 5 runs of 10 s each
# per set-up and protocol (about 6 minutes); --quick: 1 run of 2 s (it must
# run and produce numbers).  Run as root (the cluster runs as "postgres")
# or as any non-root user; index_advisor must be installed (make install).
set -euo pipefail

runs=5
secs=10
ab_n=5000
keep=0
for arg in "$@"; do
    case "$arg" in
        --quick) runs=1; secs=2; ab_n=200 ;;
        --keep) keep=1 ;;
        *) echo "usage: $0 [--quick] [--keep]" >&2; exit 2 ;;
    esac
done

. "$(dirname "$0")/lib.sh"
bench_dir ia-hidden
port=5432
cleanup() { bench_cleanup data; }
trap cleanup EXIT

as_user "$bindir/initdb" -D "$dir/data" -A trust >/dev/null
cat >> "$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
shared_buffers = 128MB
fsync = off
include_if_exists = 'preload.conf'
EOF
: > "$dir/data/preload.conf"
chown "$user" "$dir/data/preload.conf"

start() { as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null; }
stop() { as_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; }
psql_() { as_user "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p $port -d postgres "$@"; }

# the setting each set-up needs, then a restart
setup() {
    stop
    if [ "$1" = off ]; then
        : > "$dir/data/preload.conf"
    else
        echo "shared_preload_libraries = 'index_advisor'" > "$dir/data/preload.conf"
    fi
    start
    case "$1" in
        on0)  psql_ -c "SELECT count(idx_unhide(index_name)) FROM idx_hidden" >/dev/null ;;
        on10) psql_ -c "SELECT count(idx_hide(c.oid)) FROM pg_class c
                         WHERE c.relname LIKE 'hb\_%' AND NOT EXISTS
                               (SELECT FROM idx_hidden h WHERE h.index_name = c.oid::regclass)" >/dev/null
              [ "$(psql_ -Atc 'SELECT count(*) FROM idx_hidden')" = 10 ] ;;
    esac
}

start
as_user "$bindir/pgbench" -q -i -s 10 -h "$dir" -p $port postgres >/dev/null 2>&1
psql_ <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION index_advisor;
CREATE INDEX hb_1 ON pgbench_branches (bbalance);
CREATE INDEX hb_2 ON pgbench_branches (filler);
CREATE INDEX hb_3 ON pgbench_branches (bbalance, bid);
CREATE INDEX hb_4 ON pgbench_tellers (tbalance);
CREATE INDEX hb_5 ON pgbench_tellers (bid);
CREATE INDEX hb_6 ON pgbench_tellers (tbalance, tid);
CREATE INDEX hb_7 ON pgbench_history (aid);
CREATE INDEX hb_8 ON pgbench_history (tid);
CREATE INDEX hb_9 ON pgbench_history (bid);
CREATE INDEX hb_10 ON pgbench_history (mtime);
VACUUM ANALYZE;
SQL

declare -A tps
for r in $(seq 1 "$runs"); do
    for mode in off on0 on10; do
        setup "$mode"
        for proto in prepared simple; do
            t=$(as_user "$bindir/pgbench" -n -S -M "$proto" -c 2 -j 2 -T "$secs" \
                    -h "$dir" -p $port postgres 2>/dev/null |
                sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
            [ -n "$t" ]
            tps[$proto.$mode]="${tps[$proto.$mode]:-} $t"
            echo "run $r $proto $mode: $t tps" >&2
        done
        t=$(psql_ -At <<'SQL'
DO $$ DECLARE t0 timestamptz := clock_timestamp(); v integer;
BEGIN
  FOR i IN 1..20000 LOOP
    EXECUTE 'SELECT abalance FROM pgbench_accounts WHERE aid = ' || (i % 100000 + 1) INTO v;
  END LOOP;
  PERFORM set_config('bench.ms', (extract(epoch FROM clock_timestamp() - t0) * 1000)::text, false);
END $$;
SELECT round(current_setting('bench.ms')::numeric, 1);
SQL
)
        tps[loop.$mode]="${tps[loop.$mode]:-} $t"
        echo "run $r plan-loop $mode: $t ms" >&2
    done
done

fastest() { tr ' ' '\n' | grep . | sort -g | head -1; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
for proto in prepared simple; do
    base=$(echo "${tps[$proto.off]}" | median)
    for mode in off on0 on10; do
        m=$(echo "${tps[$proto.$mode]}" | median)
        printf 'hidden_%s_%s_tps %.0f (%.3fx of off; runs:%s)\n' "$proto" "$mode" "$m" \
            "$(awk -v a="$m" -v b="$base" 'BEGIN {print a / b}')" "${tps[$proto.$mode]}"
    done
done
base=$(echo "${tps[loop.off]}" | median)
for mode in off on0 on10; do
    m=$(echo "${tps[loop.$mode]}" | median)
    f=$(echo "${tps[loop.$mode]}" | fastest)
    printf 'hidden_planloop_%s_ms median %.1f (%.3fx of off), fastest %.1f (runs:%s)\n' "$mode" "$m" \
        "$(awk -v a="$m" -v b="$base" 'BEGIN {print a / b}')" "$f" "${tps[loop.$mode]}"
done

# the look-up alone: filter acting vs bypassed, alternating in one session
setup on10
psql_ -At -v n="$ab_n" <<'SQL'
SELECT set_config('bench.n', :'n', false) \g /dev/null
CREATE TEMP TABLE ab (side text, ms float8);
DO $$ DECLARE t0 timestamptz; v integer; side text;
BEGIN
  FOR r IN 1..20 LOOP
    FOREACH side IN ARRAY ARRAY['filter', 'bypass'] LOOP
      PERFORM set_config('index_advisor.use_hidden_indexes', (side = 'bypass')::text, false);
      t0 := clock_timestamp();
      FOR i IN 1..current_setting('bench.n')::integer LOOP
        EXECUTE 'SELECT abalance FROM pgbench_accounts WHERE aid = ' || (i % 100000 + 1) INTO v;
      END LOOP;
      INSERT INTO ab VALUES (side, extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
  END LOOP;
END $$;
SELECT format('hidden_lookup_%s_ms_per_%s median %s, fastest %s', side, current_setting('bench.n'),
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
              round(min(ms)::numeric, 1))
  FROM ab GROUP BY side ORDER BY side DESC;
SQL
