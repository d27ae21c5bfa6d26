#!/bin/bash
# nodes.sh -- what each registered standby adds to idx_check() (doc/nodes.md).
#
#   bench/nodes.sh [--quick]
#
# A throw-away primary (initdb in a temporary directory, private Unix
# socket) with 1,000 tracked indexes (100 tables x 10 indexes; history rows
# inserted directly, no stored queries, so that planning does not hide the
# cost of collection), and two streaming standbys made with pg_basebackup.
# Times "SELECT count(*) FROM idx_check()" with 0, 1 and 2 standbys
# registered, two ways, interleaved (new, warm, new, warm, ...; median of
# 5 each): in a new session each time, as pg_cron runs it (the session
# connects to each node anew), and in one session kept open (its
# connections to the nodes kept).  Prints
#   idx_check_1000_tracked_0_standbys_new_ms <n>   (... _warm_ms; _1_, _2_)
#   idx_check_ms_per_standby_new <n>, idx_check_ms_per_standby_warm <n>
# the same for the node step alone (idx_check_nodes(), what a standby adds:
# node_step_ms_per_standby_new, _warm), where the rest of idx_check does
# not add its noise,
# and how many snapshot rows the last check wrote for a standby whose
# counters did not change.
# --quick: 10 tables (100 tracked indexes).  index_advisor must be installed.
set -euo pipefail

tables=100
for arg in "$@"; do
    case "$arg" in
        --quick) tables=10 ;;
        *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
    esac
done
tracked=$((tables * 10))

. "$(dirname "$0")/lib.sh"
bench_dir ia-nodes
cleanup() { bench_cleanup s2 s1 p; }
trap cleanup EXIT

nodes_primary "$tables"
nodes_standbys

median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
warm_start   # the warm session (lib.sh): warm_sql and new_sql print \timing
cleanup() { kill "$WARM_PID" 2>/dev/null || true; bench_cleanup s2 s1 p; }
check="SELECT count(*) FROM idx_check();"
step="SELECT count(*) FROM idx_check_nodes();"   # the node step of idx_check
run() {   # standbys: sets new_ms, warm_ms (idx_check) and new_step, warm_step
    local i n=() w=() ns=() ws=()
    warm_sql "$check" >/dev/null   # the session's first check of this set
    for i in 1 2 3 4 5; do
        n+=("$(new_sql "$check")")
        w+=("$(warm_sql "$check")")
        ns+=("$(new_sql "$step")")
        ws+=("$(warm_sql "$step")")
    done
    echo "$1 standbys, idx_check, new session (ms): ${n[*]}; warm session (ms): ${w[*]}" >&2
    echo "$1 standbys, idx_check_nodes, new session (ms): ${ns[*]}; warm session (ms): ${ws[*]}" >&2
    new_ms=$(median "${n[@]}") warm_ms=$(median "${w[@]}")
    new_step=$(median "${ns[@]}") warm_step=$(median "${ws[@]}")
}

psql_ -c "SELECT count(*) FROM idx_check()" >/dev/null   # first snapshots
run 0; n0=$new_ms w0=$warm_ms sn0=$new_step sw0=$warm_step
psql_ -c "SELECT idx_node_add('s1', 'host=$dir port=5433 dbname=postgres')" >/dev/null
run 1; n1=$new_ms w1=$warm_ms sn1=$new_step sw1=$warm_step
psql_ -c "SELECT idx_node_add('s2', 'host=$dir port=5434 dbname=postgres')" >/dev/null
run 2; n2=$new_ms w2=$warm_ms sn2=$new_step sw2=$warm_step
# where a standby's time goes: its libpq round trip, and the whole node step
# (idx_node_fetch_all, one row per node; idx_node_fetch, one row per index,
# before it)
if [ "$(psql_ -At -c "SELECT to_regproc('idx_node_fetch_all') IS NOT NULL")" = t ]; then
    fetch="SELECT count(*) FROM idx_node_fetch_all(ARRAY['s1'], ARRAY['host=$dir port=5433 dbname=postgres'], ARRAY[10::oid::regrole],"
else
    fetch="SELECT count(*) FROM idx_node_fetch('s1', 'host=$dir port=5433 dbname=postgres', 10::oid::regrole,"
fi
{
    echo '\timing on'
    for i in 1 2 3 4 5; do
        echo "$fetch"
        echo "       ARRAY(SELECT index_oid::oid FROM idx_history));"
    done
} > "$dir/fetch.sql"
f=$(psql_ -At -f "$dir/fetch.sql" | ms)
echo "idx_node_fetch of one standby (ms): $(echo $f)" >&2
{
    echo '\timing on'
    for i in 1 2 3 4 5; do echo "SELECT count(*) FROM idx_check_nodes();"; done
} > "$dir/step.sql"
st=$(psql_ -At -f "$dir/step.sql" | ms)
echo "idx_check_nodes() with 2 standbys (ms): $(echo $st)" >&2
got=$(psql_ -At -c "SELECT count(*) FROM idx_snapshots WHERE node = 's2' AND taken_at = (SELECT last_contact FROM idx_nodes WHERE name = 's2')")
echo "snapshot rows written for s2 by the last check (its counters unchanged): $got (of $tracked tracked)" >&2
for k in 0 1 2; do
    eval "echo idx_check_${tracked}_tracked_${k}_standbys_new_ms \$n$k"
    eval "echo idx_check_${tracked}_tracked_${k}_standbys_warm_ms \$w$k"
    eval "echo idx_check_nodes_${k}_standbys_new_ms \$sn$k"
    eval "echo idx_check_nodes_${k}_standbys_warm_ms \$sw$k"
done
echo "idx_node_fetch_${tracked}_indexes_ms $(median $f)"
echo "idx_check_nodes_2_standbys_ms $(median $st)"
echo "idx_check_ms_per_standby_new $(awk -v a="$n0" -v b="$n2" 'BEGIN { printf "%.1f", (b - a) / 2 }')"
echo "idx_check_ms_per_standby_warm $(awk -v a="$w0" -v b="$w2" 'BEGIN { printf "%.1f", (b - a) / 2 }')"
echo "node_step_ms_per_standby_new $(awk -v a="$sn0" -v b="$sn2" 'BEGIN { printf "%.1f", (b - a) / 2 }')"
echo "node_step_ms_per_standby_warm $(awk -v a="$sw0" -v b="$sw2" 'BEGIN { printf "%.1f", (b - a) / 2 }')"
echo "snapshot_rows_unchanged_check $got"
