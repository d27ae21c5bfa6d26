#!/bin/bash
# index_advisor demo: on a fresh Debian 12 machine, as root,
#     bash scripts/demo.sh
# installs what is missing, builds and installs the extension, starts a
# throw-away PostgreSQL 15 cluster, creates sample tables of a few hundred
# thousand rows, asks idx_advise what to build, applies its advice (a
# covering composite and a partial index) and one index by hand through
# idx_apply, waits for the background workers, and prints the history and
# the usage report.  The cluster is removed at the end.
set -euo pipefail
. "$(dirname "$0")/setup.sh" demo

dir=$(mktemp -d /tmp/index_advisor-demo.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown "$IA_USER" "$dir"
port=$((20000 + RANDOM % 20000))
cleanup() { as_user pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

echo "== starting a throw-away cluster in $dir (port $port)"
as_user initdb -D "$dir/data" -A trust -U postgres >/dev/null
as_user pg_ctl -D "$dir/data" -l "$dir/server.log" -w -o \
    "-p $port -k $dir -c listen_addresses='' -c max_worker_processes=16 -c shared_preload_libraries=pg_cron -c cron.database_name=postgres" \
    start >/dev/null

run_psql() { as_user psql -X -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

run_psql -q <<'SQL'
\echo == sample data: 300,000 orders of 20,000 customers
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, region text NOT NULL);
INSERT INTO customers SELECT g, 'customer ' || g, (ARRAY['eu', 'us', 'apac'])[g % 3 + 1]
  FROM generate_series(1, 20000) g;
CREATE TABLE orders (
    id          bigserial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers,
    created_at  timestamptz NOT NULL,
    status      text NOT NULL,
    total       numeric(10,2) NOT NULL,
    flagged     boolean NOT NULL DEFAULT false
);
INSERT INTO orders (customer_id, created_at, status, total, flagged)
SELECT g % 20000 + 1, timestamptz '2026-01-01' + g * interval '90 seconds',
       (ARRAY['paid', 'paid', 'paid', 'shipped', 'refunded'])[g % 5 + 1],
       (g % 997) / 3.0, g % 1000 = 0
  FROM generate_series(1, 300000) g;
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
VACUUM ANALYZE customers, orders;
SQL

run_psql -e <<'SQL'
CREATE EXTENSION index_advisor;
-- what should be built for the application's queries? (nothing is built yet)
\x auto
SELECT rank, definition, pg_size_pretty(est_size) AS size, replaces, note
  FROM idx_advise(ARRAY[
    'SELECT status, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20',
    'SELECT id FROM orders WHERE flagged AND created_at > now() - interval ''30 days''',
    'SELECT * FROM orders WHERE status = ''paid''']);
\x off
-- build what was advised, in one statement: each index carries its queries
SELECT idx_apply(definition, queries, migration => '0001_advised')
  FROM idx_advise(ARRAY[
    'SELECT status, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20',
    'SELECT id FROM orders WHERE flagged AND created_at > now() - interval ''30 days'''])
 WHERE rank IS NOT NULL;   -- the creates: a drop row (rank NULL) would go to idx_apply_script
-- and one by hand, on a column that is not selective: the planner will not use it
SELECT idx_apply(
    'CREATE INDEX orders_status_total_idx ON orders (status, total)',
    ARRAY['SELECT * FROM orders WHERE status = ''paid'''],
    migration => '0002_by_hand');
CALL idx_wait();
SQL

echo "== the same definition again is refused, naming the index that covers it"
run_psql -e -c "SELECT idx_apply('CREATE INDEX again ON orders (customer_id, created_at DESC) INCLUDE (status, total)')" || true

run_psql -e <<'SQL'
\x auto
SELECT id, migration, index_name, status, requested_by,
       finished_at - started_at AS took, pg_size_pretty(index_size) AS size, indexdef
  FROM idx_history ORDER BY id;
SQL

echo "== is each index used? (the application ran one query that uses index 1)"
run_psql -e <<'SQL'
SELECT pg_stat_force_next_flush();
SELECT status, total FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 20 \g /dev/null
SELECT pg_stat_force_next_flush();
SELECT id, index_name, verdict, idx_scan, queries_using || '/' || queries_total AS queries, detail
  FROM idx_report() ORDER BY id;
SQL

run_psql -e <<'SQL'
-- undo the index that is not used: DROP INDEX CONCURRENTLY, in the background
SELECT idx_rollback(id) FROM idx_history WHERE index_name = 'orders_status_total_idx';
CALL idx_wait();
SELECT id, operation, index_name, status, reverts FROM idx_history ORDER BY id;
SQL
echo "== demo done"
