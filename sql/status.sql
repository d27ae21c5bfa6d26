-- The statuses of idx_history rows are defined once in C (src/queue/ia_queue.h,
-- shown by idx_statuses()) and once in SQL (the CHECK constraint of
-- idx_history; idx_status_live() for the live ones).  This test fails when
-- the two lists disagree.
SELECT status, live FROM idx_statuses();
-- the C list is exactly the statuses the CHECK constraint of idx_history allows
WITH sql_list AS (
    SELECT m[1] AS status
      FROM pg_constraint c,
           regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
     WHERE c.conrelid = 'idx_history'::regclass AND c.contype = 'c'
       AND pg_get_constraintdef(c.oid) LIKE '%status%')
SELECT coalesce(c.status, s.status) AS status,
       c.status IS NOT NULL AS in_c, s.status IS NOT NULL AS in_check
  FROM idx_statuses() c FULL JOIN sql_list s ON s.status = c.status
 WHERE c.status IS NULL OR s.status IS NULL;
-- C and SQL agree on which statuses are live
SELECT status, live AS live_in_c, idx_status_live(status) AS live_in_sql
  FROM idx_statuses()
 WHERE live IS DISTINCT FROM idx_status_live(status);
-- ... and with the partial index of live rows (0.1), which still serves
-- idx_status_live(): the function is inlined
WITH pred AS (
    SELECT m[1] AS status
      FROM regexp_matches(pg_get_expr((SELECT indpred FROM pg_index
                                        WHERE indexrelid = 'idx_history_status_idx'::regclass),
                                       'idx_history'::regclass),
                          '''([a-z_]+)''', 'g') m)
SELECT (SELECT array_agg(status ORDER BY status) FROM pred)
     = (SELECT array_agg(status ORDER BY status) FROM idx_statuses() WHERE live)
       AS partial_index_agrees;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM idx_history WHERE idx_status_live(status);
RESET enable_seqscan;
-- The extension's own SQL names a status only through idx_status() (the C
-- list's answer), never as a bare literal: the sources of its SQL and
-- PL/pgSQL functions (SQL-standard bodies deparsed) and of its views.
CREATE TEMP VIEW ext_src AS
    SELECT p.oid::regprocedure::text AS object,
           coalesce(nullif(p.prosrc, ''), pg_get_function_sqlbody(p.oid)) AS src
      FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
      JOIN pg_language l ON l.oid = p.prolang
     WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
       AND d.refclassid = 'pg_extension'::regclass
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'index_advisor')
       AND l.lanname IN ('sql', 'plpgsql')
    UNION ALL
    SELECT c.oid::regclass::text, pg_get_viewdef(c.oid)
      FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
     WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e' AND c.relkind = 'v'
       AND d.refclassid = 'pg_extension'::regclass
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'index_advisor');
-- (the check sees the extension's objects: more than 40 of them)
SELECT count(*) > 40 AS sees_the_extension FROM ext_src;
-- every idx_status('...') names a status of the C list
SELECT s.object, m[1] AS unknown_status
  FROM ext_src s, regexp_matches(s.src, 'idx_status\(''([^'']*)''', 'g') m
 WHERE m[1] NOT IN (SELECT status FROM idx_statuses());
-- every idx_autopilot_status('...') names a status of the autopilot's list
SELECT s.object, m[1] AS unknown_autopilot_status
  FROM ext_src s, regexp_matches(s.src, 'idx_autopilot_status\(''([^'']*)''', 'g') m
 WHERE m[1] NOT IN (SELECT status FROM idx_autopilot_statuses());
-- no status of the C list is written as a bare literal, outside the
-- autopilot's functions: its statuses and step names share words with
-- idx_history's ('building', 'queued'); there a history status compared
-- bare is still caught by the next check
SELECT s.object, m[1] AS bare_status
  FROM ext_src s,
       regexp_matches(regexp_replace(s.src, '(idx_status|idx_autopilot_status)\(''[^'']*''', '', 'g'),
                      '''([a-z_]+)''', 'g') m
 WHERE m[1] IN (SELECT status FROM idx_statuses())
   AND s.object !~ '^(idx_autopilot_|idx_recommendation_)';
-- no column named status is compared with a literal of any spelling
-- ('canceled' would match no row, silently)
SELECT s.object, m[1] AS bare_comparison
  FROM ext_src s,
       regexp_matches(s.src, '(\mstatus\s*(OPERATOR\(pg_catalog\.)?(=|<>|!=)\)?\s*\(*''[^'']*''|\mstatus\s+(NOT\s+)?IN\s*\(\s*''[^'']*'')', 'gi') m;
-- "waiting to start" ('waiting' with a wait_reason) is written once, in
-- idx_waits_to_start(): no other function or view spells it (idx_startable
-- and idx_check_crashed each did)
SELECT s.object AS spells_waiting_to_start
  FROM ext_src s
 WHERE s.src ~ 'idx_status\(''waiting''' AND s.src ~* 'wait_reason\s+IS\s'
   AND s.object NOT LIKE 'idx_waits_to_start(%';
SELECT idx_waits_to_start('waiting', 'not before 2030-01-01') AS held_back,
       idx_waits_to_start('waiting', NULL) AS taken_by_a_worker,
       idx_waits_to_start('queued', NULL) AS queued;
-- a misspelt status is refused when it is planned
SELECT idx_status('done');
SELECT count(*) FROM idx_history WHERE status = idx_status('canceled');
