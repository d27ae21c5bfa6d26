-- idx_check: snapshots, re-planning, findings.  Each finding stays open
-- while checks see it and is resolved by the first check that does not.
-- Findings elsewhere in the database (other test files) are filtered out.
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
TRUNCATE idx_history, idx_snapshots, idx_findings RESTART IDENTITY;
\set VERBOSITY terse

CREATE TABLE v_chk (id integer NOT NULL, a integer NOT NULL, b integer NOT NULL,
                    c text NOT NULL) WITH (autovacuum_enabled = false);
INSERT INTO v_chk SELECT g, g % 5000, g % 7, 'c' || (g % 100)
  FROM generate_series(1, 100000) g;
SET default_statistics_target = 1000;
VACUUM ANALYZE v_chk;
RESET default_statistics_target;

-- tracked: an index on a, used by its query
SELECT idx_apply('CREATE INDEX v_chk_a_idx ON v_chk (a)',
                 ARRAY['SELECT * FROM v_chk WHERE a = 1'], 'v_check') AS a_idx \gset
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;

-- a clean first check: nothing to say about v_chk, one snapshot taken
SELECT kind, index_name FROM idx_check() WHERE table_name LIKE 'v\_chk%';
SELECT index_name, history_id, idx_scan, scans, last_used IS NULL AS never_used,
       queries_total, queries_using, stats_reset
  FROM idx_snapshots WHERE table_name = 'v_chk' ORDER BY taken_at;

-- a duplicate of it, an index it is a prefix of, and a unique index on the
-- same column as a plain one (the unique one is kept)
CREATE INDEX v_chk_a_copy ON v_chk (a);
CREATE INDEX v_chk_a_b_idx ON v_chk (a, b);
CREATE INDEX v_chk_id_idx ON v_chk (id);
CREATE UNIQUE INDEX v_chk_id_key ON v_chk (id);
-- not duplicates: another opclass, a partial index, an INCLUDE column
CREATE INDEX v_chk_c_pattern_idx ON v_chk (c text_pattern_ops);
CREATE INDEX v_chk_c_idx ON v_chk (c);
CREATE INDEX v_chk_c_part_idx ON v_chk (c) WHERE b = 0;
CREATE INDEX v_chk_b_incl_idx ON v_chk (b) INCLUDE (c);
CREATE INDEX v_chk_b_idx ON v_chk (b);
-- an INVALID index, left by a failed CREATE INDEX CONCURRENTLY
CREATE UNIQUE INDEX CONCURRENTLY v_chk_b_key ON v_chk (b);
SELECT kind, index_name, history_id, detail
  FROM idx_check() WHERE table_name LIKE 'v\_chk%';

-- findings are recorded; fixing one resolves it at the next check
DROP INDEX v_chk_a_copy, v_chk_b_key;
SELECT kind, index_name FROM idx_check() WHERE table_name LIKE 'v\_chk%';
SELECT kind, index_name, resolved_at IS NOT NULL AS resolved,
       first_seen <= last_seen AS ordered
  FROM idx_findings WHERE table_name LIKE 'v\_chk%' ORDER BY id;
DROP INDEX v_chk_a_b_idx, v_chk_id_idx, v_chk_c_pattern_idx, v_chk_c_part_idx,
           v_chk_b_incl_idx, v_chk_c_idx, v_chk_b_idx;
-- with the better index gone, the planner is back on v_chk_a_idx: the
-- regression is resolved
SELECT kind, index_name FROM idx_check() WHERE table_name LIKE 'v\_chk%';

-- a regression: the planner stops choosing the index for its query once
-- a = 1 is no longer selective (it used to be)
UPDATE v_chk SET a = 1 WHERE id % 10 <> 0;
SET default_statistics_target = 1000;
VACUUM ANALYZE v_chk;
RESET default_statistics_target;
SELECT kind, index_name, history_id, detail
  FROM idx_check() WHERE table_name LIKE 'v\_chk%';
SELECT uses_index, scan FROM idx_explain(:a_idx);

-- a statistics reset is seen as one, not as a drop in use: 5 scans, a
-- check, a reset, 2 scans, a check: 7 scans in all
UPDATE v_chk SET a = id % 5000;
SET default_statistics_target = 1000;
VACUUM ANALYZE v_chk;
RESET default_statistics_target;
SELECT count(*) FROM v_chk WHERE a = 1;
SELECT count(*) FROM v_chk WHERE a = 2;
SELECT count(*) FROM v_chk WHERE a = 3;
SELECT count(*) FROM v_chk WHERE a = 4;
SELECT count(*) FROM v_chk WHERE a = 5;
SELECT pg_stat_force_next_flush();
SELECT kind, index_name FROM idx_check() WHERE table_name LIKE 'v\_chk%';
SELECT pg_stat_reset_single_table_counters('v_chk_a_idx'::regclass);
SELECT count(*) FROM v_chk WHERE a = 6;
SELECT count(*) FROM v_chk WHERE a = 7;
SELECT pg_stat_force_next_flush();
SELECT kind, index_name, detail FROM idx_check() WHERE table_name LIKE 'v\_chk%';
SELECT index_name, idx_scan, verdict FROM idx_report('v_check');
SELECT idx_scan, scans, stats_reset, last_used IS NOT NULL AS used
  FROM idx_snapshots WHERE index_name = 'v_chk_a_idx' ORDER BY taken_at;

-- unused for index_advisor.unused_after, and a stored query that can no
-- longer be planned
CREATE INDEX v_chk_c_old_idx ON v_chk (c, b);
INSERT INTO idx_history (migration, schema_name, table_name, index_name,
                         definition, queries, status, role_oid,
                         login_role_oid, search_path, requested_at,
                         finished_at, table_oid, index_oid)
SELECT 'v_check', 'public', 'v_chk', 'v_chk_c_old_idx',
       'CREATE INDEX v_chk_c_old_idx ON v_chk (c, b)',
       ARRAY['SELECT * FROM v_chk WHERE c = ''c1'' AND b = 1',
             'SELECT * FROM v_chk WHERE gone = 1'], 'done', r.oid, r.oid,
       'public', now() - interval '15 days', now() - interval '15 days',
       'v_chk'::regclass, 'v_chk_c_old_idx'::regclass
  FROM pg_roles r WHERE r.rolname = current_user;
SELECT kind, index_name, detail FROM idx_check() WHERE table_name LIKE 'v\_chk%';
SET index_advisor.unused_after = '16d';
SELECT kind, index_name FROM idx_check() WHERE table_name LIKE 'v\_chk%';
RESET index_advisor.unused_after;

-- snapshots older than index_advisor.snapshot_retention are pruned
UPDATE idx_snapshots SET taken_at = taken_at - interval '31 days';
SELECT count(*) > 0 AS old_snapshots FROM idx_snapshots;
SELECT count(*) >= 0 AS checked FROM idx_check();
SELECT count(*) AS snapshots_left,
       count(*) FILTER (WHERE taken_at < now() - interval '30 days') AS older_than_30d
  FROM idx_snapshots;

-- idx_check is for superusers and index_advisor_admin; its tables are
-- readable by all
CREATE ROLE regress_v_user LOGIN;
SET ROLE regress_v_user;
SELECT count(*) FROM idx_check();
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) >= 0 AS readable FROM idx_findings, idx_snapshots;
RESET ROLE;
GRANT index_advisor_admin TO regress_v_user;
SET ROLE regress_v_user;
SELECT count(*) >= 0 AS admin_can_check FROM idx_check();
RESET ROLE;
DROP ROLE regress_v_user;
