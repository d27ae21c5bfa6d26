-- idx_report: one row per index created through idx_apply, with both
-- verdicts side by side (does the plan use it; do the counters show use)
-- and what to do about it.  Counters are read after
-- pg_stat_force_next_flush(), so they are exact.
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
TRUNCATE idx_history, idx_snapshots, idx_findings RESTART IDENTITY;
\set VERBOSITY terse
SELECT current_user AS superuser \gset

CREATE TABLE v_rep (id integer PRIMARY KEY, account integer NOT NULL,
                    kind text NOT NULL, note text NOT NULL)
  WITH (autovacuum_enabled = false);
INSERT INTO v_rep
SELECT g, g % 2000, CASE WHEN g % 50 = 0 THEN 'refund' ELSE 'sale' END,
       'n' || (g % 10)
  FROM generate_series(1, 100000) g;
SET default_statistics_target = 1000;
VACUUM ANALYZE v_rep;
RESET default_statistics_target;

-- 1. used: its query picks it, and the query runs
SELECT idx_apply('CREATE INDEX v_rep_account_idx ON v_rep (account)',
                 ARRAY['SELECT * FROM v_rep WHERE account = $1'], 'v_report');
-- 2. not planned: 'sale' is 98% of the rows, a seq scan wins
SELECT idx_apply('CREATE INDEX v_rep_kind_idx ON v_rep (kind)',
                 ARRAY['SELECT * FROM v_rep WHERE kind = ''sale'''], 'v_report');
-- 3. planned, not used yet: its query picks it but never runs
SELECT idx_apply('CREATE INDEX v_rep_kind_account_idx ON v_rep (kind, account)',
                 ARRAY['SELECT id FROM v_rep WHERE kind = ''refund'' AND account = 5'],
                 'v_report');
-- 4. no stored query and no scan yet
SELECT idx_apply('CREATE INDEX v_rep_note_id_idx ON v_rep (note, id)',
                 migration => 'v_report');
-- 5. a failed build: the column is not unique
SELECT idx_apply('CREATE UNIQUE INDEX v_rep_account_key ON v_rep (account)',
                 migration => 'v_report');
-- 6. built, then rolled back
SELECT idx_apply('CREATE INDEX v_rep_id_kind_idx ON v_rep (id, kind)',
                 migration => 'v_report') AS rolled \gset
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT idx_rollback(:rolled) IS NOT NULL AS rollback_queued;
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
-- idx_explain of the drop row: not an index to explain
SELECT * FROM idx_explain(:rolled + 1);
\echo :LAST_ERROR_SQLSTATE
-- 7. an index created by hand 20 days ago, tracked, never used since
CREATE INDEX v_rep_note_idx ON v_rep (note);
INSERT INTO idx_history (migration, schema_name, table_name, index_name,
                         definition, queries, status, role_oid,
                         login_role_oid, search_path, requested_at,
                         finished_at, table_oid, index_oid)
SELECT 'v_report', 'public', 'v_rep', 'v_rep_note_idx',
       'CREATE INDEX v_rep_note_idx ON v_rep (note)',
       ARRAY['SELECT * FROM v_rep WHERE note = ''n3'''], 'done', r.oid, r.oid,
       'public', now() - interval '20 days', now() - interval '20 days',
       'v_rep'::regclass, 'v_rep_note_idx'::regclass
  FROM pg_roles r WHERE r.rolname = current_user;

-- the application runs the first query three times
SELECT count(*) FROM v_rep WHERE account = 7;
SELECT count(*) FROM v_rep WHERE account = 8;
SELECT count(*) FROM v_rep WHERE account = 9;
SELECT pg_stat_force_next_flush();

SELECT id, index_name, table_name, status, valid, size IS NOT NULL AS has_size,
       idx_scan, last_used IS NOT NULL AS seen_used, queries_using,
       queries_total, verdict, detail
  FROM idx_report('v_report');

-- the trend: one bar per interval between snapshots (each idx_check takes
-- one), the last one up to now; scans: 3 before the first check, then 0,
-- then 4
SELECT count(*) > 0 AS checked FROM idx_check();
SELECT count(*) > 0 AS checked FROM idx_check();
SELECT count(*) FROM v_rep WHERE account = 1;
SELECT count(*) FROM v_rep WHERE account = 2;
SELECT count(*) FROM v_rep WHERE account = 3;
SELECT count(*) FROM v_rep WHERE account = 4;
SELECT pg_stat_force_next_flush();
SELECT count(*) > 0 AS checked FROM idx_check();
SELECT index_name, idx_scan, trend, verdict
  FROM idx_report('v_report') WHERE valid ORDER BY id;

-- the sparkline itself: zero is the lowest bar, any use shows
SELECT idx_sparkline('{0,1,4,8}'), idx_sparkline('{0,0,0}'),
       idx_sparkline('{1,1000000}'), idx_sparkline('{}');

-- "unused" follows index_advisor.unused_after
SET index_advisor.unused_after = '30d';
SELECT index_name, verdict FROM idx_report('v_report') WHERE index_name = 'v_rep_note_idx';
RESET index_advisor.unused_after;
SHOW index_advisor.unused_after;

-- every index of the database, also those not created through idx_apply:
-- here the primary key, used by nothing since the statistics were reset
SELECT index_name, status, valid, idx_scan, verdict, detail
  FROM idx_report(all_indexes => true)
 WHERE table_name = 'v_rep' AND id IS NULL;

-- a partitioned table: the index is planned, used and counted through its
-- partitions' indexes; the rows of the parts are not listed
CREATE TABLE v_part (id integer NOT NULL, k integer NOT NULL, pad text)
  PARTITION BY RANGE (id);
CREATE TABLE v_part_1 PARTITION OF v_part FOR VALUES FROM (0) TO (50000)
  WITH (autovacuum_enabled = false);
CREATE TABLE v_part_2 PARTITION OF v_part FOR VALUES FROM (50000) TO (100001)
  WITH (autovacuum_enabled = false);
INSERT INTO v_part SELECT g, g % 3000, 'p' FROM generate_series(1, 100000) g;
SET default_statistics_target = 1000;
VACUUM ANALYZE v_part;
RESET default_statistics_target;
SELECT idx_apply('CREATE INDEX v_part_k_idx ON v_part (k)',
                 ARRAY['SELECT * FROM v_part WHERE k = 17'], 'v_report_part') AS part_idx \gset
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT uses_index, scan,
       regexp_replace(split_part(plan, E'\n', 1), '  \(cost=.*$', '') AS top_node,
       cost_without_index > total_cost AS index_pays
  FROM idx_explain(:part_idx);
SELECT count(*) FROM v_part WHERE k = 17;
SELECT pg_stat_force_next_flush();
SELECT index_name, idx_scan, queries_using, queries_total, verdict, detail
  FROM idx_report('v_report_part');
SELECT kind, index_name FROM idx_check() WHERE table_name LIKE 'v\_part%';
SELECT index_name, idx_scan, queries_using FROM idx_snapshots WHERE table_name = 'v_part';

-- a role sees the rows it asked for, and no plan of anyone else's
CREATE ROLE regress_v_reader LOGIN;
\c - regress_v_reader
SELECT count(*) AS rows_seen FROM idx_report();
\c - :superuser
DROP ROLE regress_v_reader;
