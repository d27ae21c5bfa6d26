#!/bin/bash
# nodes.sh -- what each registered standby adds to idx_check() (doc/nodes.md).
#
#   bench/nodes.sh [--quick]
#
# A throw-away primary (initdb in a temporary directory, private Unix
# socket) with 1,000 tracked indexes (100 tables x 10 indexes; history rows
# inserted directly, no stored queries, so that planning does not hide the
# cost of collection), and two streaming standbys made with pg_basebackup.
# Times "SELECT count(*) FROM idx_check()" (median of 5 in one session)
# with 0, 1 and 2 standbys registered, and prints
#   idx_check_1000_tracked_0_standbys_ms <n>   (... _1_ and _2_)
#   idx_check_ms_per_standby <n>
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

as_user "$bindir/initdb" -D "$dir/p" -A trust >/dev/null
cat >> "$dir/p/postgresql.conf" <<EOC
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = off
max_wal_senders = 5
wal_level = replica
EOC
as_user "$bindir/pg_ctl" -D "$dir/p" -l "$dir/p.log" -w start >/dev/null
psql_() { as_user "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p 5432 -d postgres "$@"; }

psql_ -c "CREATE EXTENSION index_advisor"
{
    for ((t = 1; t <= tables; t++)); do
        echo "CREATE TABLE n_$t (c0 int, c1 int, c2 int, c3 int, c4 int, c5 int, c6 int, c7 int, c8 int, c9 int);"
        echo "INSERT INTO n_$t SELECT g, g, g, g, g, g, g, g, g, g FROM generate_series(1, 100) g;"
        for ((c = 0; c < 10; c++)); do echo "CREATE INDEX n_${t}_c${c}_idx ON n_$t (c$c);"; done
    done
    echo "INSERT INTO idx_history (operation, schema_name, table_name, index_name,"
    echo "    definition, status, role_oid, login_role_oid, search_path,"
    echo "    requested_at, finished_at, table_oid, index_oid, index_table_oid)"
    echo "SELECT 'create', 'public', c.relname, i.relname, 'CREATE INDEX', 'done', 10, 10, 'public',"
    echo "    now(), now(), c.oid, i.oid, c.oid"
    echo "  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid"
    echo " WHERE c.relname LIKE 'n\\_%';"
} > "$dir/setup.sql"
psql_ -f "$dir/setup.sql"

port=5433
for n in s1 s2; do
    as_user "$bindir/pg_basebackup" -h "$dir" -p 5432 -D "$dir/$n" -R -X stream >/dev/null
    cat >> "$dir/$n/postgresql.conf" <<EOC
port = $port
cluster_name = '$n'
EOC
    echo "primary_conninfo = 'host=$dir port=5432 application_name=$n'" >> "$dir/$n/postgresql.auto.conf"
    as_user "$bindir/pg_ctl" -D "$dir/$n" -l "$dir/$n.log" -w start >/dev/null
    port=$((port + 1))
done

median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
ms() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }
run() {
    { echo '\timing on'; for i in 1 2 3 4 5; do echo "SELECT count(*) FROM idx_check();"; done; } > "$dir/run.sql"
    local t
    t=$(psql_ -At -f "$dir/run.sql" | ms)
    echo "$1 standbys (ms): $(echo $t)" >&2
    median $t
}

psql_ -c "SELECT count(*) FROM idx_check()" >/dev/null   # first snapshots
m0=$(run 0)
psql_ -c "SELECT idx_node_add('s1', 'host=$dir port=5433 dbname=postgres')" >/dev/null
m1=$(run 1)
psql_ -c "SELECT idx_node_add('s2', 'host=$dir port=5434 dbname=postgres')" >/dev/null
m2=$(run 2)
# where a standby's time goes: its libpq round trip, and the whole node step
{
    echo '\timing on'
    for i in 1 2 3 4 5; do
        echo "SELECT count(*) FROM idx_node_fetch('s1', 'host=$dir port=5433 dbname=postgres', 10::oid::regrole,"
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
got=$(psql_ -At -c "SELECT count(*) FROM idx_snapshots WHERE node = 's2' AND taken_at = (SELECT max(taken_at) FROM idx_snapshots)")
echo "snapshots of s2 at the last check: $got (of $tracked tracked)" >&2
echo "idx_check_${tracked}_tracked_0_standbys_ms $m0"
echo "idx_check_${tracked}_tracked_1_standbys_ms $m1"
echo "idx_check_${tracked}_tracked_2_standbys_ms $m2"
echo "idx_node_fetch_${tracked}_indexes_ms $(median $f)"
echo "idx_check_nodes_2_standbys_ms $(median $st)"
echo "idx_check_ms_per_standby $(awk -v a="$m0" -v b="$m2" 'BEGIN { printf "%.1f", (b - a) / 2 }')"
