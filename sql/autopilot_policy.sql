-- The autopilot's skeleton (86_autopilot.sql, with Welch's test in
-- 88_autopilot_statistics.sql and the cycle in 90_autopilot_cycle.sql):
-- the policy and who may set it and run a cycle; pg_stat_statements
-- windows computed from two snapshots (exact mean and sample deviation;
-- counters that went down count from zero); the statement-to-table rule;
-- the statuses; Welch's test; the record's row security.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT current_user AS superuser \gset
CREATE ROLE regress_ap_admin LOGIN IN ROLE index_advisor_admin;
CREATE ROLE regress_ap_other LOGIN IN ROLE index_advisor_admin;
CREATE ROLE regress_ap_app LOGIN;

-- no policy yet: off, with the defaults
SELECT mode, budget, max_builds_per_day, min_gain, max_regression, drops,
       hide_for, schemas, owner FROM idx_autopilot_policy;
-- off: a cycle does nothing, not even a snapshot
SELECT count(*) FROM idx_autopilot_run();
SELECT count(*) FROM idx_autopilot_snapshots;

-- only index_advisor_admin sets it
SET ROLE regress_ap_app;
SELECT idx_autopilot_set('recommend');
RESET ROLE;
SET ROLE regress_ap_admin;
SELECT idx_autopilot_set('sometimes');
SELECT idx_autopilot_set('apply', min_gain => 1.5);
SELECT idx_autopilot_set('apply', hide_for => '-1 day');
SELECT idx_autopilot_set('apply', budget => -1);
SELECT mode, budget, max_builds_per_day, min_gain, drops, hide_for, schemas, owner
  FROM idx_autopilot_set('recommend', budget => 100000000, schemas => '{public}');
RESET ROLE;
-- the owner is whoever set it last; a cycle by another role is refused
SET ROLE regress_ap_other;
SELECT * FROM idx_autopilot_run();
RESET ROLE;
-- without pg_stat_statements loaded (the regression instance does not
-- preload it), the owner's cycle says what to do
SET ROLE regress_ap_admin;
SELECT * FROM idx_autopilot_run();
RESET ROLE;
CREATE EXTENSION pg_stat_statements;
SET ROLE regress_ap_admin;
SELECT * FROM idx_autopilot_run();
RESET ROLE;
DROP EXTENSION pg_stat_statements;
-- and nothing was left behind
SELECT count(*) FROM idx_autopilot_snapshots;

-- windows: two snapshots written by hand.  Statement 1 ran 4 times
-- (1, 2, 3, 4 ms) before, then 3 more times (10, 10, 13 ms); statement 2
-- was reset in between (counters went down): counted from zero; statement
-- 3 is new; statement 4 vanished (not in the window).
INSERT INTO idx_autopilot_snapshots (id, taken_at, started_at)
VALUES (1001, '2026-01-01 00:00', '2026-01-01'), (1002, '2026-01-01 01:00', '2026-01-01');
INSERT INTO idx_autopilot_statements (userid, queryid, query) VALUES
    (10, 1, 'SELECT * FROM orders WHERE customer_id = $1'),
    (10, 2, 'UPDATE "Order Lines" SET qty = $1'),
    (10, 3, 'SELECT 1'), (10, 4, 'SELECT 2');
INSERT INTO idx_autopilot_counters VALUES
    (1001, 10, 1, 4, 10, 1 + 4 + 9 + 16, 4, 0, 0),
    (1001, 10, 2, 50, 100, 300, 50, 0, 0),
    (1001, 10, 4, 5, 5, 5, 5, 0, 0),
    (1002, 10, 1, 7, 43, 30 + 100 + 100 + 169, 7, 0, 0),
    (1002, 10, 2, 2, 6, 20, 2, 0, 0),
    (1002, 10, 3, 3, 3, 3, 3, 0, 0);
SELECT queryid, calls, total_ms, round(mean_ms::numeric, 6) AS mean_ms,
       round(stddev_ms::numeric, 6) AS stddev_ms, rows, restarted
  FROM idx_autopilot_window(1001, 1002) ORDER BY queryid;
-- (statement 1's window: mean 11, sample sd sqrt(3) = 1.732051)

-- a statement is one of a table's when it reads the table, analysed as its
-- author (userid) under the search_path given
CREATE TABLE orders (id int PRIMARY KEY, customer_id int);
CREATE TABLE "Order Lines" (id int PRIMARY KEY, qty int);
SELECT s.queryid,
       idx_autopilot_reads_table(s.userid, s.queryid, s.query, 'orders', 'public') AS orders,
       idx_autopilot_reads_table(s.userid, s.queryid, s.query, '"Order Lines"', 'public') AS lines
  FROM idx_autopilot_statements s WHERE s.userid = 10 ORDER BY s.queryid;

-- Welch: df = 1 is Cauchy (P(T > 1) = 1/4); df = 2 has a closed form
-- (P(T > t) = 1/2 - t / (2 sqrt(t^2 + 2)), t = 1: 0.211325)
SELECT round(t::numeric, 6) AS t, round(df::numeric, 6) AS df,
       round(p_slower::numeric, 6) AS p
  FROM idx_autopilot_welch(0, sqrt(2), 2, 1, 0, 2);
SELECT round(p_slower::numeric, 6) AS p
  FROM idx_autopilot_welch(0, sqrt(3), 3, 1, 0, 3);
-- fewer than two calls: not known
SELECT * FROM idx_autopilot_welch(1, 0.1, 1, 2, 0.1, 100);
SELECT idx_autopilot_slower(1, 0.1, 100, 1.2, 0.1, 100, 0.1) AS slower_20_pct,
       idx_autopilot_slower(1, 0.1, 100, 1.05, 0.1, 100, 0.1) AS slower_5_pct,
       idx_autopilot_faster(1, 0.1, 100, 0.7, 0.1, 100, 0.2) AS faster_30_pct,
       idx_autopilot_faster(1, 0.1, 100, 0.85, 0.1, 100, 0.2) AS faster_15_pct,
       idx_autopilot_slower(1, NULL, 1, 2, 0.1, 100, 0.1) AS unknown;

-- a regression needs more work per call too: same blocks and WAL records
-- (a HOT update, only slower) is not; 4 more blocks and 2 more WAL records
-- per call (an index to maintain) is; fewer calls after do not matter
SELECT idx_autopilot_more_work(100, 300, 100, 50, 150, 50, 0.1) AS same_work,
       idx_autopilot_more_work(100, 300, 100, 50, 350, 150, 0.1) AS index_upkeep,
       idx_autopilot_more_work(100, 300, 0, 100, 300, 1, 0.1) AS first_wal,
       idx_autopilot_more_work(0, 0, 0, 100, 300, 1, 0.1) AS no_before;

-- a text the advisor rewrote finds the statement it stands for (typed
-- literals, inferred parameter types, a constant bound in), and only that
SELECT idx_autopilot_query_shape('SELECT * FROM o WHERE at > now() - interval $1 LIMIT $2')
     = idx_autopilot_query_shape('SELECT * FROM o WHERE at > now() - $1::interval LIMIT $2') AS typed_literal,
       idx_autopilot_query_shape('SELECT * FROM t WHERE s = $1 AND d < current_date + $2')
     = idx_autopilot_query_shape('SELECT * FROM t WHERE s = ''it''''s'' AND d < current_date + $2::integer') AS bound,
       idx_autopilot_query_shape('SELECT * FROM o WHERE at >= current_date - $1 AND at < current_date - $2 + $3')
     = idx_autopilot_query_shape('SELECT * FROM o WHERE at >= current_date - $1::integer AND at < current_date - $2::integer + $3') AS cast_then_and,
       idx_autopilot_query_shape('SELECT x FROM t WHERE y = $1::double precision')
     = idx_autopilot_query_shape('SELECT x FROM t WHERE y = $1') AS two_word_type,
       idx_autopilot_query_shape('SELECT * FROM t WHERE s = $1')
     = idx_autopilot_query_shape('SELECT * FROM t WHERE d = $1') AS other_column;

-- statuses are spelled once; the record refuses others
SELECT status, live FROM idx_autopilot_statuses();
SELECT idx_autopilot_status('kept');
SELECT count(*) FROM idx_recommendations WHERE status = idx_autopilot_status('kepT');
\set VERBOSITY terse
INSERT INTO idx_recommendations (kind, definition, schema_name, table_name, table_oid, status, role_oid)
VALUES ('create', 'CREATE INDEX ON orders (customer_id)', 'public', 'orders', 'orders'::regclass, 'done', 'regress_ap_app');
\set VERBOSITY default

-- row security as idx_history's: a role reads its own rows; an admin the
-- rows whose statement texts pg_stat_statements would show it (its own, or
-- all with pg_read_all_stats: doc/safety.md, "Autopilot"), here none
INSERT INTO idx_recommendations (kind, definition, schema_name, table_name, table_oid, status, role_oid)
VALUES ('create', 'CREATE INDEX ON orders (customer_id)', 'public', 'orders', 'orders'::regclass, 'proposed', 'regress_ap_admin'),
       ('create', 'CREATE INDEX ON "Order Lines" (qty)', 'public', 'Order Lines', '"Order Lines"'::regclass, 'proposed', 'regress_ap_app');
SET ROLE regress_ap_app;
SELECT definition, status FROM idx_recommendations ORDER BY id;
UPDATE idx_recommendations SET status = 'kept';
RESET ROLE;
SET ROLE regress_ap_other;
SELECT count(*) FROM idx_recommendations;
RESET ROLE;

-- clean up
SET ROLE regress_ap_admin;
SELECT mode FROM idx_autopilot_set('off');
RESET ROLE;
TRUNCATE idx_recommendations, idx_autopilot_events, idx_autopilot_snapshots,
         idx_autopilot_counters, idx_autopilot_statements RESTART IDENTITY CASCADE;
DELETE FROM idx_autopilot_config;
DROP TABLE orders, "Order Lines";
DROP ROLE regress_ap_admin, regress_ap_other, regress_ap_app;
