#!/bin/bash
# nodes_ab.sh -- the node step of idx_check() against the one it replaced,
# interleaved call by call in one cluster, so that the machine's load
# falls on both alike.
#
#   bench/nodes_ab.sh OLD_FUNCS.sql [RUNS]
#
# The cluster of bench/nodes.sh (1,000 tracked indexes, two streaming
# standbys).  OLD_FUNCS.sql defines old_check_nodes() (bench/nodes_old.sql:
# main 0c3a09c's node step, asking one node after the other).  With 0 and
# then 2 standbys registered, RUNS times (default 11): old then new in a new
# session each (as pg_cron runs idx_check), then old then new in one session
# kept open.  Prints the medians and, per standby ((2 standbys - 0) / 2),
# old, new and new / old.  A check where nothing changed, as most are.
set -euo pipefail

tables=100
old_funcs=$(realpath "$1")
runs=${2:-11}
tracked=$((tables * 10))

. "$(dirname "$0")/lib.sh"
bench_dir ia-nodes-ab
cleanup() { bench_cleanup s2 s1 p; }
trap cleanup EXIT

nodes_primary "$tables"
cp "$old_funcs" "$dir/old.sql"; chown "$user" "$dir/old.sql"
psql_ -f "$dir/old.sql"
nodes_standbys

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
warm_start   # the warm session (lib.sh): warm_sql and new_sql print \timing
cleanup() { kill "$WARM_PID" 2>/dev/null || true; bench_cleanup s2 s1 p; }
old="SELECT count(*) FROM old_check_nodes();"
new="SELECT count(*) FROM idx_check_nodes();"
run() {   # sets on on ow nw (medians: old/new, new session/warm)
    local i a=() b=() c=() d=()
    warm_sql "$old" >/dev/null; warm_sql "$new" >/dev/null
    for ((i = 0; i < runs; i++)); do
        a+=("$(new_sql "$old")"); b+=("$(new_sql "$new")")
        c+=("$(warm_sql "$old")"); d+=("$(warm_sql "$new")")
    done
    echo "$1 standbys, new session: old ${a[*]}; new ${b[*]}" >&2
    echo "$1 standbys, warm session: old ${c[*]}; new ${d[*]}" >&2
    on=$(median "${a[@]}") nn=$(median "${b[@]}") ow=$(median "${c[@]}") nw=$(median "${d[@]}")
}
psql_ -c "SELECT count(*) FROM idx_check()" >/dev/null
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
run 0; on0=$on nn0=$nn ow0=$ow nw0=$nw
psql_ -c "SELECT idx_node_add('s1', 'host=$dir port=5433 dbname=postgres')" >/dev/null
psql_ -c "SELECT idx_node_add('s2', 'host=$dir port=5434 dbname=postgres')" >/dev/null
psql_ -c "SELECT count(*) FROM idx_check()" >/dev/null   # first contact
run 2
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 2 }'; }
pon=$(per "$on0" "$on") pnn=$(per "$nn0" "$nn") pow=$(per "$ow0" "$ow") pnw=$(per "$nw0" "$nw")
echo "node_step_0_standbys_new_session_ms old $on0 new $nn0"
echo "node_step_2_standbys_new_session_ms old $on new $nn"
echo "node_step_0_standbys_warm_ms old $ow0 new $nw0"
echo "node_step_2_standbys_warm_ms old $ow new $nw"
echo "per_standby_new_session_ms old $pon new $pnn ratio $(awk -v a="$pon" -v b="$pnn" 'BEGIN { printf "%.2f", b / a }')"
echo "per_standby_warm_ms old $pow new $pnw ratio $(awk -v a="$pow" -v b="$pnw" 'BEGIN { printf "%.2f", b / a }')"
