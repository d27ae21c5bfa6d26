
/* index_advisor 0.2 -- the queue's start rule, written once
 * (src/queue/claim.c calls it: the worker's claim takes its next row from
 * here, and its count of rows that can start is the number of rows here).
 * A part of its own, after 08_gentle_columns.sql (wait_reason).
 *
 * A database still at 0.1 has no such function: between the install of a
 * new package and ALTER EXTENSION index_advisor UPDATE, the library keeps
 * claiming there with 0.1's rule, which is this one without rows waiting
 * to start (0.1 has no wait_reason); see claim.c, start_rule_0_1, and
 * doc/upgrading.md. */

-- A row waiting to start: 'waiting' with a wait_reason, set by the worker
-- that found it could not start yet (ia_queue_defer).  A row a worker took
-- is 'waiting' with no reason until it builds.  Written once: idx_startable
-- and idx_check_crashed (60_check.sql) ask it here, and the C code
-- (history.c, ia_sql_waits_to_start) calls it.  A plain SQL expression with
-- no SET clause, so that the planner inlines it.
CREATE FUNCTION @extschema@.idx_waits_to_start(status text, wait_reason text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN status OPERATOR(pg_catalog.=) @extschema@.idx_status('waiting')
       AND wait_reason IS NOT NULL;
COMMENT ON FUNCTION @extschema@.idx_waits_to_start(text, text) IS
    'whether an idx_history row (its status and wait_reason) waits to start: held back by a start condition, taken by no worker';
REVOKE ALL ON FUNCTION @extschema@.idx_waits_to_start(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_waits_to_start(text, text) TO PUBLIC;

-- The rows that may start now ($1: the per-role share,
-- index_advisor.max_workers_per_role; $2: the server-wide conditions hold,
-- ia_start_gate() in gentle.c found no reason), each with the number of
-- operations its role is running.  A row may start when
--  - it is 'queued', or waiting to start ('waiting' with a wait_reason, set
--    by the worker that found it could not start yet), and is not the part
--    of a partitioned build;
--  - its not_before, if any, has passed (idx_apply's argument, or a
--    retry's delay);
--  - the server-wide conditions hold (gate_open);
--  - no other operation runs on its table;
--  - its role runs fewer than per_role operations, or is a superuser.
-- "Running" is 'waiting' or 'building' but not waiting to start: a row
-- waiting to start holds nothing up.  The worker that takes a row also
-- holds one of max_workers slots of the database and one of
-- server_max_workers slots of the server (worker.c, acquire_slots).
-- VOLATILE: it reads the clock (clock_timestamp, as the worker's loop does).
CREATE FUNCTION @extschema@.idx_startable(per_role integer, gate_open boolean)
RETURNS TABLE (id bigint, role_running bigint)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $body$
    WITH running AS (
        SELECT r.role_oid, r.table_oid, r.parent_id
          FROM @extschema@.idx_history r
         WHERE r.status IN (@extschema@.idx_status('waiting'), @extschema@.idx_status('building'))
           AND NOT @extschema@.idx_waits_to_start(r.status, r.wait_reason)),
    per_role AS (
        SELECT r.role_oid, count(*) AS n FROM running r
         WHERE r.parent_id IS NULL GROUP BY r.role_oid)
    SELECT h.id, COALESCE(c.n, 0)
      FROM @extschema@.idx_history h
      LEFT JOIN per_role c ON c.role_oid = h.role_oid
     WHERE gate_open AND h.parent_id IS NULL
       AND (h.status = @extschema@.idx_status('queued')
            OR @extschema@.idx_waits_to_start(h.status, h.wait_reason))
       AND (h.not_before IS NULL OR h.not_before <= clock_timestamp())
       AND NOT EXISTS (SELECT 1 FROM running r WHERE r.table_oid = h.table_oid)
       AND (COALESCE(c.n, 0) < per_role
            OR (SELECT a.rolsuper FROM pg_roles a WHERE a.oid = h.role_oid))
$body$;
COMMENT ON FUNCTION @extschema@.idx_startable(integer, boolean) IS
    'internal (the workers'' claim): the history rows that may start now by the start rule, with the number of operations their role runs';
REVOKE ALL ON FUNCTION @extschema@.idx_startable(integer, boolean) FROM PUBLIC;
