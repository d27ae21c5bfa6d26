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
# both must be equal, and the new step's state is committed.  A row that a
# newer one replaced is compared as not still_reported (the node step now
# clears it there, 78_nodes.sql; the old one left it true).  Steps: first
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

nodes_primary "$tables"
psql_ -f "$dir/old.sql"
nodes_standbys
psql_ -c "SELECT idx_node_add('s1', 'host=$dir port=5433 dbname=postgres'), idx_node_add('s2', 'host=$dir port=5434 dbname=postgres')" >/dev/null

# what the readers see, as one text (psql variable :name)
take() {
    cat <<EOS
SELECT string_agg(x, E'\n' ORDER BY x) AS $1 FROM (
  SELECT 'finding ' || f::text AS x FROM $2() f
  UNION ALL SELECT 'snapshot ' || (to_jsonb(s) - 'still_reported')::text || ' still_reported: '
                   || (s.still_reported AND NOT EXISTS (
                         SELECT 1 FROM idx_snapshots x
                          WHERE x.index_oid = s.index_oid AND x.node = s.node
                            AND x.history_id = s.history_id AND x.taken_at > s.taken_at))
              FROM idx_snapshots s WHERE s.node <> 'primary'
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
