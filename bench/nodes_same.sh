#!/bin/bash
# nodes_same.sh -- the node step of idx_check() gives the same figures as the
# code it replaced, step by step, against two real standbys.
#
#   bench/nodes_same.sh OLD_FUNCS.sql
#
# OLD_FUNCS.sql defines public.old_check_nodes() (and what it calls): the
# node step of an earlier commit, its @extschema@ replaced by public (see
# the end of this file for how it was made).  A throw-away primary with 100
# tracked indexes and two streaming standbys (as bench/nodes.sh).  At each
# step, in one transaction (so now() is the same): the old step runs, what
# the readers see is taken (its findings, every standby snapshot row, the
# registry's columns the old code writes, idx_report_nodes(), idx_report()),
# it is rolled back to a savepoint, the new step runs and the same is taken;
# both must be equal, and the new step's state is committed.  Steps: first
# contact, nothing changed, scans on s1, s2 restarted, s1's statistics reset,
# s2 stopped then back, a tracked row leaving, s1's rows older than half the
# retention.  Prints "same: <step>" or "DIFFERENT: <step>" and a diff;
# exits 1 on any difference.  index_advisor must be installed.
set -euo pipefail
old_funcs=$(realpath "$1")
tables=10
. "$(dirname "$0")/lib.sh"
bench_dir ia-same
cleanup() { bench_cleanup s2 s1 p; }
trap cleanup EXIT
cp "$old_funcs" "$dir/old.sql"; chown "$user" "$dir/old.sql"

as_user "$bindir/initdb" -D "$dir/p" -A trust >/dev/null
cat >> "$dir/p/postgresql.conf" <<EOC
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = off
wal_level = replica
EOC
as_user "$bindir/pg_ctl" -D "$dir/p" -l "$dir/p.log" -w start >/dev/null
psql_() { as_user "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "${port:-5432}" -d postgres "$@"; }
psql_ -c "CREATE EXTENSION index_advisor" 2>/dev/null
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
psql_ -f "$dir/old.sql"
sp=5433
for n in s1 s2; do
    as_user "$bindir/pg_basebackup" -h "$dir" -p 5432 -D "$dir/$n" -R -X stream >/dev/null
    printf "port = %s\ncluster_name = '%s'\n" "$sp" "$n" >> "$dir/$n/postgresql.conf"
    as_user "$bindir/pg_ctl" -D "$dir/$n" -l "$dir/$n.log" -w start >/dev/null
    psql_ -c "SELECT idx_node_add('$n', 'host=$dir port=$sp dbname=postgres')" >/dev/null
    sp=$((sp + 1))
done

# what the readers see, as one text (psql variable :name)
take() {
    cat <<EOS
SELECT string_agg(x, E'\n' ORDER BY x) AS $1 FROM (
  SELECT 'finding ' || f::text AS x FROM $2() f
  UNION ALL SELECT 'snapshot ' || s::text FROM idx_snapshots s WHERE s.node <> 'primary'
  UNION ALL SELECT 'node ' || (n.name, n.last_contact, n.unreachable_since, n.last_error,
                               n.in_recovery, n.started_at, n.reported)::text FROM idx_nodes n
  UNION ALL SELECT 'report_nodes ' || r::text FROM idx_report_nodes() r
  UNION ALL SELECT 'report ' || (r.id, r.verdict, r.idx_scan, r.last_used, r.detail)::text FROM idx_report() r) q
\gset
EOS
}
different=0
step() {
    {
        echo "BEGIN;"
        echo "$2"
        echo "SAVEPOINT s;"
        take o old_check_nodes
        echo "ROLLBACK TO SAVEPOINT s;"
        take n idx_check_nodes
        echo "COMMIT;"
        echo "\\set QUIET on"
        echo "\\echo :o"
        echo "\\echo ==="
        echo "\\echo :n"
    } > "$dir/step.sql"
    psql_ -At -f "$dir/step.sql" > "$dir/out"
    sed '/^===$/,$d' "$dir/out" > "$dir/old.out"
    sed '1,/^===$/d' "$dir/out" > "$dir/new.out"
    local rows
    rows=$(wc -l < "$dir/new.out")
    if cmp -s "$dir/old.out" "$dir/new.out"; then
        echo "same: $1 ($rows rows)"
    else
        echo "DIFFERENT: $1"; diff "$dir/old.out" "$dir/new.out" | head -20
        different=1
    fi
}
on() { port=$1 psql_ -c "$2" >/dev/null; }
scan() {   # scans of index n_1_c$2 on the standby at port $1
    on "$1" "SET enable_seqscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM n_1 WHERE c$2 = 5"
}

step "first contact" ""
step "nothing changed" ""
scan 5433 0; scan 5433 0; scan 5433 1
step "scans on s1" ""
step "nothing changed after them" ""
as_user "$bindir/pg_ctl" -D "$dir/s2" -l "$dir/s2.log" -w restart >/dev/null
step "s2 restarted" ""
step "the check after the restart" ""
step "nothing changed after it" ""
on 5433 "SELECT pg_stat_reset()"
step "s1's statistics reset" ""
step "the check after the reset" ""
scan 5433 2
step "scans on s1 after the reset" ""
as_user "$bindir/pg_ctl" -D "$dir/s2" -m fast stop >/dev/null
step "s2 stopped" ""
step "s2 still stopped" ""
as_user "$bindir/pg_ctl" -D "$dir/s2" -l "$dir/s2.log" -w start >/dev/null
step "s2 back" ""
step "nothing changed after it" ""
psql_ -c "UPDATE idx_history SET status = 'rolled_back' WHERE index_name = 'n_2_c3_idx'"
step "a tracked row leaving" ""
step "nothing changed after it" ""
psql_ -c "UPDATE idx_snapshots SET taken_at = taken_at - interval '20 days' WHERE node = 's1';
          UPDATE idx_nodes SET last_contact = last_contact - interval '20 days',
                               reported_since = reported_since - interval '20 days' WHERE name = 's1'"
step "s1's rows older than half the retention" ""
step "nothing changed after it" ""
psql_ -c "UPDATE idx_history SET index_name = 'renamed' WHERE index_name = 'n_3_c3_idx'"
step "a tracked row's name changed" ""
step "nothing changed after it" ""
exit $different

# OLD_FUNCS.sql was made from an earlier commit's 78_nodes.sql: its
# idx_check_nodes and idx_check_node_snapshot renamed old_check_nodes and
# old_check_node_snapshot, @extschema@ replaced by public, and its
# idx_node_fetch(name, conninfo, owner, oids) (one row per index) defined as
# public.old_node_fetch over idx_node_fetch_all (bench/nodes_old.sql).
