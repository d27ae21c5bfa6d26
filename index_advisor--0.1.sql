/* index_advisor -- core objects: the history table (also the queue), the
 * functions that feed it, the wait procedure and the progress view.
 * Assembled with the other parts of src/install/ into the install script. */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION index_advisor" to load this file. \quit

CREATE TABLE @extschema@.idx_history (
    id              bigserial PRIMARY KEY,
    migration       text,
    operation       text NOT NULL DEFAULT 'create'
                    CHECK (operation IN ('create', 'drop')),
    schema_name     name NOT NULL,
    table_name      name NOT NULL,
    index_name      name NOT NULL,
    definition      text NOT NULL,
    indexdef        text,
    queries         text[],
    status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'waiting', 'building', 'done',
                                      'failed', 'cancelled', 'rolled_back')),
    reverts         bigint REFERENCES @extschema@.idx_history (id),
    parent_id       bigint REFERENCES @extschema@.idx_history (id),
    requested_by    name NOT NULL DEFAULT CURRENT_USER,
    requested_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    started_at      timestamptz,
    finished_at     timestamptz,
    worker_pid      integer,
    index_size      bigint,
    error_code      text,
    error_message   text,
    error_detail    text,
    attempts        integer NOT NULL DEFAULT 0,
    attempt_errors  jsonb NOT NULL DEFAULT '[]',
    not_before      timestamptz,
    -- internal: what the worker needs to act exactly as the caller did
    table_oid       oid,
    index_oid       oid,
    role_oid        oid NOT NULL,
    login_role_oid  oid NOT NULL,
    search_path     text NOT NULL DEFAULT '',
    build_settings  text[] NOT NULL DEFAULT '{}',
    cancel_requested boolean NOT NULL DEFAULT false
);
CREATE INDEX idx_history_status_idx ON @extschema@.idx_history (status)
    WHERE status IN ('queued', 'waiting', 'building');
CREATE INDEX idx_history_migration_idx ON @extschema@.idx_history (migration);
CREATE INDEX idx_history_reverts_idx ON @extschema@.idx_history (reverts);
CREATE INDEX idx_history_parent_idx ON @extschema@.idx_history (parent_id);

COMMENT ON TABLE @extschema@.idx_history IS
    'index_advisor: one row per requested index operation (create or drop); also the work queue of the background workers';
COMMENT ON COLUMN @extschema@.idx_history.definition IS 'the definition exactly as given to idx_apply (or the DROP run by idx_rollback)';
COMMENT ON COLUMN @extschema@.idx_history.indexdef IS 'pg_get_indexdef() of the index once built';
COMMENT ON COLUMN @extschema@.idx_history.queries IS 'the queries the index is meant for, checked by idx_explain/idx_report';
COMMENT ON COLUMN @extschema@.idx_history.status IS 'queued, waiting, building, done, failed, cancelled or rolled_back';
COMMENT ON COLUMN @extschema@.idx_history.reverts IS 'for a drop queued by idx_rollback: the id of the create row it reverts';
COMMENT ON COLUMN @extschema@.idx_history.parent_id IS 'for the index of one partition, built for an index on a partitioned table: the id of that table''s row';
COMMENT ON COLUMN @extschema@.idx_history.error_code IS 'SQLSTATE of the error that ended the operation';
COMMENT ON COLUMN @extschema@.idx_history.attempt_errors IS 'one object per failed attempt that was retried: attempt, started_at, failed_at, error_code, error_message';
COMMENT ON COLUMN @extschema@.idx_history.not_before IS 'a retried row is not taken again before this time';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_history', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_history_id_seq', '');

-- Users read their own rows; only the extension's C functions write.
ALTER TABLE @extschema@.idx_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY idx_history_own_rows ON @extschema@.idx_history FOR SELECT
    USING (pg_catalog.pg_has_role(CURRENT_USER, role_oid, 'MEMBER'));
REVOKE ALL ON @extschema@.idx_history FROM PUBLIC;
GRANT SELECT ON @extschema@.idx_history TO PUBLIC;

CREATE FUNCTION @extschema@.idx_apply(definition text,
                                      queries text[] DEFAULT NULL,
                                      migration text DEFAULT NULL)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_apply';
COMMENT ON FUNCTION @extschema@.idx_apply(text, text[], text) IS
    'validate one CREATE INDEX statement as the calling role and queue it for a concurrent build by a background worker; returns the history id';

CREATE FUNCTION @extschema@.idx_cancel(id bigint)
RETURNS boolean
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'idx_cancel';
COMMENT ON FUNCTION @extschema@.idx_cancel(bigint) IS
    'cancel a queued operation, or stop a running build and drop its leftover';

CREATE FUNCTION @extschema@.idx_rollback(id bigint)
RETURNS bigint
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'idx_rollback_id';
COMMENT ON FUNCTION @extschema@.idx_rollback(bigint) IS
    'queue DROP INDEX CONCURRENTLY of an index built through idx_apply; returns the new history id';

CREATE FUNCTION @extschema@.idx_rollback(migration text)
RETURNS SETOF bigint
LANGUAGE C STRICT VOLATILE ROWS 10
AS 'MODULE_PATHNAME', 'idx_rollback_migration';
COMMENT ON FUNCTION @extschema@.idx_rollback(text) IS
    'queue DROP INDEX CONCURRENTLY of every index of a migration, newest first; returns the new history ids';

-- Internal: one line of progress for a running row (used by idx_wait).
CREATE FUNCTION @extschema@.idx_kick()
RETURNS integer
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_kick';
COMMENT ON FUNCTION @extschema@.idx_kick() IS
    'reconcile rows left behind by a crashed worker and start workers for queued rows; returns the number of workers started';

CREATE VIEW @extschema@.idx_progress WITH (security_invoker = true) AS
SELECT h.id,
       h.operation,
       h.status,
       h.schema_name,
       h.table_name,
       h.index_name,
       h.worker_pid AS pid,
       p.phase,
       p.blocks_done,
       p.blocks_total,
       p.tuples_done,
       p.tuples_total,
       p.lockers_done,
       p.lockers_total,
       b.pid AS blocked_by_pid,
       b.state AS blocked_by_state,
       b.query AS blocked_by_query,
       pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) b.xact_start AS blocked_by_xact_age,
       pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) h.started_at AS running_for
  FROM @extschema@.idx_history h
  LEFT JOIN pg_catalog.pg_stat_progress_create_index p
         ON p.pid OPERATOR(pg_catalog.=) h.worker_pid
        AND h.status OPERATOR(pg_catalog.=) 'building'
  LEFT JOIN LATERAL (
        SELECT a.pid, a.state, a.query, a.xact_start
          FROM pg_catalog.pg_stat_activity a
         WHERE h.status OPERATOR(pg_catalog.=) 'building'
           AND a.pid OPERATOR(pg_catalog.=) COALESCE(
                 NULLIF(p.current_locker_pid, 0),
                 (pg_catalog.pg_blocking_pids(h.worker_pid))[1])
        ) b ON true
 WHERE h.status OPERATOR(pg_catalog.=) ANY ('{queued,waiting,building}');
COMMENT ON VIEW @extschema@.idx_progress IS
    'index_advisor: unfinished operations with their build phase, progress and what they wait on';
GRANT SELECT ON @extschema@.idx_progress TO PUBLIC;

-- Internal: idx_wait refuses to start inside a transaction block.
CREATE FUNCTION @extschema@.idx_wait_preflight()
RETURNS void
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_wait_preflight';
COMMENT ON FUNCTION @extschema@.idx_wait_preflight() IS
    'internal: raises an error when called inside a transaction block';

-- Internal: idx_wait's sleep between polls, holding no snapshot.
CREATE PROCEDURE @extschema@.idx_wait_nap(ms integer)
LANGUAGE C
AS 'MODULE_PATHNAME', 'idx_wait_nap';
COMMENT ON PROCEDURE @extschema@.idx_wait_nap(integer) IS
    'internal: commit, then sleep ms milliseconds without a snapshot (CREATE INDEX CONCURRENTLY waits for snapshots)';

-- idx_wait is a procedure that commits between polls: a function (or a DO
-- block) would hold a snapshot that CREATE INDEX CONCURRENTLY waits for,
-- and the two would wait on each other until a timeout.  Procedures with
-- a SET clause cannot commit, so instead every name below is qualified.
CREATE PROCEDURE @extschema@.idx_wait(id bigint DEFAULT NULL,
                                      timeout interval DEFAULT '1 hour')
LANGUAGE plpgsql
AS $idx_wait$
DECLARE
    deadline   pg_catalog.timestamptz := pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+) timeout;
    ids        bigint[];
    said       pg_catalog.text[] := '{}';
    line       pg_catalog.text;
    r          pg_catalog.record;
    pending    integer;
    failures     pg_catalog.text;
    first_code   pg_catalog.text;
    first_detail pg_catalog.text;
BEGIN
    PERFORM @extschema@.idx_wait_preflight();
    IF id IS NULL THEN
        SELECT pg_catalog.array_agg(h.id ORDER BY h.id) INTO ids
          FROM @extschema@.idx_history h
         WHERE h.role_oid OPERATOR(pg_catalog.=) (SELECT a.oid FROM pg_catalog.pg_roles a
                                                     WHERE a.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
           AND h.status OPERATOR(pg_catalog.=) ANY ('{queued,waiting,building}');
        IF ids IS NULL THEN
            RETURN;
        END IF;
    ELSE
        PERFORM FROM @extschema@.idx_history h WHERE h.id OPERATOR(pg_catalog.=) idx_wait.id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'index_advisor history row % does not exist', idx_wait.id
                USING ERRCODE = 'undefined_object';
        END IF;
        ids := ARRAY[idx_wait.id];
    END IF;

    LOOP
        PERFORM @extschema@.idx_kick();
        FOR r IN
            SELECT p.id, p.index_name, p.status, p.phase, p.blocks_done,
                   p.blocks_total, p.blocked_by_pid, p.blocked_by_state,
                   p.blocked_by_query, p.blocked_by_xact_age
              FROM @extschema@.idx_progress p
             WHERE p.id OPERATOR(pg_catalog.=) ANY (ids)
             ORDER BY p.id
        LOOP
            line := r.id::pg_catalog.text OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) r.index_name
                    OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||)
                    COALESCE(r.phase, r.status);
            IF r.blocks_total OPERATOR(pg_catalog.>) 0
               AND (r.phase LIKE 'building index%' OR r.phase LIKE 'index validation: scanning%') THEN
                line := line OPERATOR(pg_catalog.||) pg_catalog.format(', %s%% of blocks',
                        (100 OPERATOR(pg_catalog.*) r.blocks_done OPERATOR(pg_catalog./) r.blocks_total)::integer);
            END IF;
            IF r.blocked_by_pid IS NOT NULL
               AND r.blocked_by_pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid() THEN
                line := line OPERATOR(pg_catalog.||) pg_catalog.format(
                        ', blocked by pid %s (%s for %s: "%s")', r.blocked_by_pid,
                        COALESCE(r.blocked_by_state, '?'),
                        COALESCE(pg_catalog.date_trunc('second', r.blocked_by_xact_age)::pg_catalog.text, '?'),
                        pg_catalog.left(COALESCE(r.blocked_by_query, '?'), 60));
            END IF;
            IF NOT line OPERATOR(pg_catalog.=) ANY (said) THEN
                RAISE NOTICE '%', line;
                said := said OPERATOR(pg_catalog.||) line;
            END IF;
        END LOOP;

        SELECT pg_catalog.count(*) INTO pending
          FROM @extschema@.idx_history h
         WHERE h.id OPERATOR(pg_catalog.=) ANY (ids)
           AND h.status OPERATOR(pg_catalog.=) ANY ('{queued,waiting,building}');
        EXIT WHEN pending OPERATOR(pg_catalog.=) 0;

        IF pg_catalog.clock_timestamp() OPERATOR(pg_catalog.>) deadline THEN
            RAISE EXCEPTION 'timed out waiting for index_advisor operations'
                USING ERRCODE = 'query_canceled',
                      DETAIL = pg_catalog.format('%s of them are still unfinished after %s.', pending, timeout),
                      HINT = 'They go on in the background: CALL idx_wait() again, or idx_cancel() them.';
        END IF;
        COMMIT;
        CALL @extschema@.idx_wait_nap(100);
    END LOOP;

    FOR r IN
        SELECT h.id, h.index_name, h.status, h.operation,
               pg_catalog.date_trunc('milliseconds', h.finished_at OPERATOR(pg_catalog.-) h.started_at) AS took,
               h.index_size
          FROM @extschema@.idx_history h
         WHERE h.id OPERATOR(pg_catalog.=) ANY (ids)
           AND h.status OPERATOR(pg_catalog.=) 'done'
         ORDER BY h.id
    LOOP
        RAISE NOTICE '%', pg_catalog.format('%s %s: %s done in %s%s', r.id, r.index_name, r.operation,
            COALESCE(r.took::pg_catalog.text, '?'),
            CASE WHEN r.index_size IS NULL THEN ''
                 ELSE ', ' OPERATOR(pg_catalog.||) pg_catalog.pg_size_pretty(r.index_size) END);
    END LOOP;

    SELECT pg_catalog.string_agg(pg_catalog.format('%s %s: %s (%s) %s', h.id, h.index_name,
                                 h.status, h.error_code, h.error_message), '; ' ORDER BY h.id),
           (pg_catalog.array_agg(h.error_code ORDER BY h.id))[1],
           (pg_catalog.array_agg(h.error_detail ORDER BY h.id))[1]
      INTO failures, first_code, first_detail
      FROM @extschema@.idx_history h
     WHERE h.id OPERATOR(pg_catalog.=) ANY (ids)
       AND h.status OPERATOR(pg_catalog.=) ANY ('{failed,cancelled}');
    IF failures IS NOT NULL AND first_detail IS NOT NULL THEN
        RAISE EXCEPTION 'index_advisor operations did not complete: %', failures
            USING ERRCODE = COALESCE(first_code, 'XX000'),
                  DETAIL = first_detail,
                  HINT = 'See error_message and error_detail in idx_history.';
    ELSIF failures IS NOT NULL THEN
        RAISE EXCEPTION 'index_advisor operations did not complete: %', failures
            USING ERRCODE = COALESCE(first_code, 'XX000'),
                  HINT = 'See error_message and error_detail in idx_history.';
    END IF;
END
$idx_wait$;
COMMENT ON PROCEDURE @extschema@.idx_wait(bigint, interval) IS
    'wait (committing between polls) until the given row, or every unfinished row of the current role, has ended; errors if any failed or was cancelled';
/* index_advisor -- security: the admin role, its row-level security policy
 * on the history, and EXECUTE privileges granted on purpose.
 * Assembled after 00_core.sql into the install script.
 *
 * What holds (proved by sql/security.sql, documented in doc/safety.md):
 *  - idx_history is read-only to users (SELECT only; the C functions write
 *    it as its owner, with search_path pinned), and row-level security
 *    shows a role the rows it requested (or that a role it is a member of
 *    requested).  Members of index_advisor_admin see every row.
 *  - Every function is EXECUTE-able by PUBLIC on purpose: each one checks,
 *    as the calling role, what the caller may do (own the table; have
 *    requested the row), so granting it gives nothing away. */

-- The admin role is cluster-wide (roles are not objects of a database, and
-- cannot belong to an extension): create it if missing, and keep using it
-- when the extension is installed in another database.  DROP EXTENSION
-- leaves it.  An existing role of that name is used only if it is a plain
-- NOLOGIN, non-superuser role, so that installing the extension never hands
-- every history row to a role that someone prepared to log in with.
DO $ia_security$
DECLARE
    r pg_catalog.pg_roles%ROWTYPE;
BEGIN
    SELECT * INTO r FROM pg_catalog.pg_roles
     WHERE rolname OPERATOR(pg_catalog.=) 'index_advisor_admin';
    IF NOT FOUND THEN
        CREATE ROLE index_advisor_admin NOLOGIN;
        COMMENT ON ROLE index_advisor_admin IS
            'index_advisor: members read every row of idx_history (in every database where the extension is installed)';
    ELSIF r.rolcanlogin OR r.rolsuper OR r.rolbypassrls THEN
        RAISE EXCEPTION 'role "index_advisor_admin" exists and is not a plain NOLOGIN role'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'index_advisor gives its members every row of its history; it must not log in, be a superuser or bypass row-level security.',
                  HINT = 'ALTER ROLE index_advisor_admin NOLOGIN NOSUPERUSER NOBYPASSRLS, or drop it, then create the extension again.';
    END IF;
END
$ia_security$;

-- Members of the admin role read every row (policies are permissive: this
-- one is OR-ed with idx_history_own_rows of 00_core.sql).
CREATE POLICY idx_history_admin_rows ON @extschema@.idx_history
    FOR SELECT TO index_advisor_admin USING (true);
COMMENT ON POLICY idx_history_own_rows ON @extschema@.idx_history IS
    'index_advisor: a role reads the rows it requested, and those of the roles it is a member of';
COMMENT ON POLICY idx_history_admin_rows ON @extschema@.idx_history IS
    'index_advisor: members of index_advisor_admin read every row';

-- EXECUTE, on purpose.  Start from nothing, then grant what each function
-- checks for itself:
--   idx_apply     the caller must own the table (and have CREATE on its
--                 schema); the worker builds as the caller.
--   idx_cancel, idx_rollback
--                 act only on rows the caller requested (or a role it has the
--                 privileges of requested); others "do not exist" (42704).
--   idx_wait      reads idx_history through row-level security.
--   idx_kick      starts workers for rows already queued, which act as their
--                 own requesters; idx_wait calls it as the calling role (a
--                 procedure that commits cannot be SECURITY DEFINER), so it
--                 must stay executable by everyone who may wait.
REVOKE ALL ON FUNCTION @extschema@.idx_apply(text, text[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_cancel(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_rollback(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_rollback(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_kick() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_wait_preflight() FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.idx_wait_nap(integer) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.idx_wait(bigint, interval) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION @extschema@.idx_apply(text, text[], text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_cancel(bigint) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_rollback(bigint) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_rollback(text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_kick() TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_wait_preflight() TO PUBLIC;  -- checks only
GRANT EXECUTE ON PROCEDURE @extschema@.idx_wait_nap(integer) TO PUBLIC;   -- sleeps only
GRANT EXECUTE ON PROCEDURE @extschema@.idx_wait(bigint, interval) TO PUBLIC;

-- The sequence behind idx_history.id is used only by the C functions, as
-- the table's owner.
REVOKE ALL ON SEQUENCE @extschema@.idx_history_id_seq FROM PUBLIC;
/* index_advisor -- verification and usage: idx_explain, idx_report,
 * idx_check and its pg_cron schedule, with the snapshot and findings tables
 * they keep.  C parts: src/verify.c (planning) and src/usage.c (settings,
 * sparkline).  Assembled after 00_core.sql into the install script. */

-- Usage counters of tracked indexes (all indexes with
-- index_advisor.snapshot_all), one row per index per idx_check().  Each row
-- carries running totals so that a check needs only the previous row.
CREATE TABLE @extschema@.idx_snapshots (
    taken_at          timestamptz NOT NULL,
    index_oid         oid NOT NULL,
    schema_name       name NOT NULL,
    table_name        name NOT NULL,
    index_name        name NOT NULL,
    history_id        bigint,
    idx_scan          bigint NOT NULL,
    since             timestamptz NOT NULL,
    scans             bigint NOT NULL,
    last_used         timestamptz,
    stats_reset       boolean NOT NULL DEFAULT false,
    queries_total     integer,
    queries_using     integer,
    queries_using_max integer,
    PRIMARY KEY (index_oid, taken_at)
);
CREATE INDEX idx_snapshots_taken_at_idx ON @extschema@.idx_snapshots (taken_at);

COMMENT ON TABLE @extschema@.idx_snapshots IS
    'index_advisor: pg_stat_user_indexes.idx_scan of tracked indexes at each idx_check(), with running totals; pruned after index_advisor.snapshot_retention';
COMMENT ON COLUMN @extschema@.idx_snapshots.history_id IS 'the idx_history create row of a tracked index; NULL for other indexes (index_advisor.snapshot_all)';
COMMENT ON COLUMN @extschema@.idx_snapshots.idx_scan IS 'pg_stat_user_indexes.idx_scan as read';
COMMENT ON COLUMN @extschema@.idx_snapshots.since IS 'start of the count: when a tracked index became valid, else its first snapshot';
COMMENT ON COLUMN @extschema@.idx_snapshots.scans IS 'scans counted since "since", across statistics resets';
COMMENT ON COLUMN @extschema@.idx_snapshots.last_used IS 'first snapshot at which the latest increase of idx_scan was seen';
COMMENT ON COLUMN @extschema@.idx_snapshots.stats_reset IS 'idx_scan went down since the previous snapshot: statistics were reset';
COMMENT ON COLUMN @extschema@.idx_snapshots.queries_using IS 'stored queries whose plan used the index at this check';
COMMENT ON COLUMN @extschema@.idx_snapshots.queries_using_max IS 'the most stored queries ever seen using the index (for regressions)';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_snapshots', '');
REVOKE ALL ON @extschema@.idx_snapshots FROM PUBLIC;
GRANT SELECT ON @extschema@.idx_snapshots TO PUBLIC;

-- What idx_check() found.  A finding stays open (resolved_at NULL) while
-- each check sees it again, and is resolved by the first check that does
-- not.
CREATE TABLE @extschema@.idx_findings (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL
                 CHECK (kind IN ('regression', 'unused', 'invalid', 'duplicate',
                                 'redundant', 'crashed', 'stats_reset',
                                 'query_error')),
    schema_name  name NOT NULL,
    table_name   name NOT NULL,
    index_name   name NOT NULL,
    history_id   bigint,
    detail       text NOT NULL,
    first_seen   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL,
    resolved_at  timestamptz
);
CREATE UNIQUE INDEX idx_findings_open_idx ON @extschema@.idx_findings
    (kind, schema_name, index_name, (COALESCE(history_id, 0)))
    WHERE resolved_at IS NULL;

COMMENT ON TABLE @extschema@.idx_findings IS
    'index_advisor: findings of idx_check(), open while seen, resolved when a check no longer sees them';
COMMENT ON COLUMN @extschema@.idx_findings.kind IS
    'regression, unused, invalid, duplicate, redundant, crashed, stats_reset or query_error';
COMMENT ON COLUMN @extschema@.idx_findings.history_id IS 'the idx_history row concerned, if any';
COMMENT ON COLUMN @extschema@.idx_findings.resolved_at IS 'first check that no longer saw it; NULL while open';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_findings', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_findings_id_seq', '');
REVOKE ALL ON @extschema@.idx_findings FROM PUBLIC;
GRANT SELECT ON @extschema@.idx_findings TO PUBLIC;

CREATE TYPE @extschema@.idx_finding AS (
    kind        text,
    schema_name name,
    table_name  name,
    index_name  name,
    history_id  bigint,
    detail      text
);
COMMENT ON TYPE @extschema@.idx_finding IS
    'index_advisor: one finding of idx_check() before it is recorded (internal)';

-- ---------------------------------------------------------------------
-- C helpers
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.idx_explain(id bigint)
RETURNS TABLE(query text, uses_index boolean, scan text, plan text,
              total_cost double precision,
              cost_without_index double precision)
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'idx_explain';
COMMENT ON FUNCTION @extschema@.idx_explain(bigint) IS
    'plan each query stored with an index (never executed, generic plan for $n) as the role that asked for it; say whether the plan uses the index, show the plan and its cost with and without the index';

CREATE FUNCTION @extschema@.idx_plan_summary(ids bigint[])
RETURNS TABLE(id bigint, queries_total integer, queries_using integer,
              scan text, winner text, query_errors integer, error text)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_plan_summary';
COMMENT ON FUNCTION @extschema@.idx_plan_summary(bigint[]) IS
    'internal (idx_report, idx_check): the EXPLAIN verdict of each create row, without plan text';

CREATE FUNCTION @extschema@.idx_usage_settings(OUT unused_after interval,
                                               OUT snapshot_all boolean,
                                               OUT snapshot_retention interval)
LANGUAGE C STABLE
AS 'MODULE_PATHNAME', 'idx_usage_settings';
COMMENT ON FUNCTION @extschema@.idx_usage_settings() IS
    'internal: index_advisor.unused_after, snapshot_all and snapshot_retention, typed';

CREATE FUNCTION @extschema@.idx_sparkline(deltas bigint[])
RETURNS text
LANGUAGE C IMMUTABLE STRICT
AS 'MODULE_PATHNAME', 'idx_sparkline';
COMMENT ON FUNCTION @extschema@.idx_sparkline(bigint[]) IS
    'one bar per value, scaled to the largest: idx_sparkline(''{0,1,4,8}'') = ''▁▃▅█''';

-- ---------------------------------------------------------------------
-- idx_report
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.idx_report(migration text DEFAULT NULL,
                                       all_indexes boolean DEFAULT false)
RETURNS TABLE(id bigint, index_name name, table_name name, status text,
              valid boolean, size text, idx_scan bigint,
              last_used timestamptz, queries_using integer,
              queries_total integer, trend text, verdict text, detail text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $idx_report$
WITH cfg AS (
    SELECT * FROM @extschema@.idx_usage_settings()
), tracked AS (
    SELECT h.id, h.schema_name, h.table_name, h.index_name, h.status,
           h.error_message,
           COALESCE(h.finished_at, h.requested_at) AS valid_at,
           CASE WHEN h.status = 'done' THEN c.oid END AS index_oid
      FROM @extschema@.idx_history h
      LEFT JOIN pg_namespace n ON n.nspname = h.schema_name
      LEFT JOIN pg_class c ON c.relnamespace = n.oid
                          AND c.relname = h.index_name
                          AND c.relkind IN ('i', 'I')
     WHERE h.operation = 'create' AND h.parent_id IS NULL
       AND ($1 IS NULL OR h.migration = $1)
), r AS (
    SELECT t.id, t.schema_name, t.table_name, t.index_name, t.status,
           t.error_message, t.valid_at, t.index_oid, true AS tracked
      FROM tracked t
    UNION ALL
    SELECT NULL, s.schemaname, s.relname, s.indexrelname, NULL, NULL, NULL,
           s.indexrelid, false
      FROM pg_stat_user_indexes s
     WHERE $2
       AND NOT EXISTS (SELECT 1 FROM tracked t
                        WHERE t.index_oid = s.indexrelid)
), plans AS (
    SELECT p.*
      FROM @extschema@.idx_plan_summary(ARRAY(
               SELECT r.id FROM r JOIN pg_index x ON x.indexrelid = r.index_oid
                WHERE r.tracked AND x.indisvalid)) p
), facts AS (
    SELECT r.*, x.indisvalid,
           -- a partitioned index is scanned through its partitions' indexes
           CASE WHEN ic.relkind = 'I'
                THEN (SELECT COALESCE(sum(pg_stat_get_numscans(pt.relid)), 0)::bigint
                        FROM pg_partition_tree(r.index_oid) pt WHERE pt.isleaf)
                ELSE pg_stat_get_numscans(r.index_oid) END AS live,
           sn.idx_scan AS snap_scan, sn.scans AS snap_scans,
           sn.last_used AS snap_last_used,
           COALESCE(sn.since, CASE WHEN r.tracked THEN r.valid_at END) AS since,
           p.queries_total, p.queries_using, p.scan, p.winner,
           p.query_errors, p.error
      FROM r
      LEFT JOIN pg_index x ON x.indexrelid = r.index_oid
      LEFT JOIN pg_class ic ON ic.oid = r.index_oid
      LEFT JOIN LATERAL (
            SELECT s.* FROM @extschema@.idx_snapshots s
             WHERE s.index_oid = r.index_oid
               AND s.schema_name = r.schema_name
               AND s.index_name = r.index_name
               AND (NOT r.tracked OR s.taken_at >= r.valid_at)
             ORDER BY s.taken_at DESC LIMIT 1) sn ON true
      LEFT JOIN plans p ON p.id = r.id
), u AS (
    SELECT f.*,
           CASE WHEN NOT f.tracked AND f.snap_scan IS NULL THEN f.live
                WHEN f.snap_scan IS NULL THEN f.live
                WHEN f.live >= f.snap_scan
                     THEN f.snap_scans + f.live - f.snap_scan
                ELSE f.snap_scans + f.live END AS scans,
           CASE WHEN f.live > f.snap_scan
                  OR (f.live < f.snap_scan AND f.live > 0)
                  OR (f.snap_scan IS NULL AND f.tracked AND f.live > 0)
                THEN now() ELSE f.snap_last_used END AS used_at,
           f.live < f.snap_scan AS reset_seen
      FROM facts f
), v AS (
    SELECT u.*,
           floor(extract(epoch FROM now() - COALESCE(u.used_at, u.since))
                 / 86400)::bigint AS idle_days,
           COALESCE(u.used_at, u.since) < now() - (SELECT unused_after FROM cfg)
               AS idle
      FROM u
)
SELECT v.id, v.index_name, v.table_name, v.status,
       COALESCE(v.indisvalid, false),
       pg_size_pretty(pg_relation_size(v.index_oid)),
       CASE WHEN v.indisvalid THEN v.scans END,
       CASE WHEN v.indisvalid THEN v.used_at END,
       v.queries_using, v.queries_total,
       CASE WHEN v.indisvalid THEN (
           SELECT @extschema@.idx_sparkline(pg_catalog.array_agg(d.delta ORDER BY d.o DESC))
             FROM (SELECT w.o,
                          CASE WHEN w.val >= w.prev THEN w.val - w.prev
                               ELSE w.val END AS delta
                     FROM (SELECT pts.o, pts.val,
                                  lag(pts.val) OVER (ORDER BY pts.o DESC) AS prev
                             FROM (SELECT 0 AS o, v.live AS val
                                   UNION ALL
                                   SELECT row_number() OVER (ORDER BY s.taken_at DESC), s.idx_scan
                                     FROM (SELECT s2.taken_at, s2.idx_scan
                                             FROM @extschema@.idx_snapshots s2
                                            WHERE s2.index_oid = v.index_oid
                                              AND s2.schema_name = v.schema_name
                                              AND s2.index_name = v.index_name
                                              AND s2.taken_at >= COALESCE(v.since, '-infinity')
                                            ORDER BY s2.taken_at DESC LIMIT 8) s
                                   UNION ALL
                                   SELECT 9, 0 WHERE v.tracked) pts) w
                    WHERE w.prev IS NOT NULL
                    ORDER BY w.o LIMIT 8) d)
       END,
       CASE
           WHEN v.status = 'rolled_back' THEN 'rolled back'
           WHEN v.tracked AND v.status <> 'done' THEN 'invalid'
           WHEN v.index_oid IS NULL OR NOT v.indisvalid THEN 'invalid'
           WHEN v.idle THEN format('unused for %s days', v.idle_days)
           WHEN v.scans > 0 THEN 'used'
           WHEN v.queries_using > 0 THEN 'planned, not used yet'
           WHEN v.queries_total > 0 THEN 'not planned'
           ELSE 'not used yet'
       END,
       CASE
           WHEN v.status = 'rolled_back' THEN
               format('dropped by operation %s',
                      (SELECT max(d.id) FROM @extschema@.idx_history d
                        WHERE d.reverts = v.id))
           WHEN v.tracked AND v.status IN ('failed', 'cancelled') THEN
               format('%s: %s', v.status, COALESCE(v.error_message, 'no error recorded'))
           WHEN v.tracked AND v.status <> 'done' THEN
               format('not built yet (%s)', v.status)
           WHEN v.index_oid IS NULL THEN
               'the index no longer exists: it was dropped outside index_advisor'
           WHEN NOT v.indisvalid THEN
               'the index is INVALID: the planner ignores it but writes still maintain it; drop it and apply it again'
           ELSE concat_ws('; ',
               CASE WHEN v.queries_using > 0 THEN
                   format('%s for %s/%s queries', v.scan, v.queries_using, v.queries_total) END,
               CASE WHEN v.queries_total > v.queries_using + v.query_errors THEN
                   format('%s wins for %s/%s queries',
                          COALESCE(v.winner, 'a plan without the index'),
                          v.queries_total - v.queries_using - v.query_errors,
                          v.queries_total) END,
               v.error,
               CASE WHEN v.tracked THEN format('%s scans since valid', v.scans)
                    ELSE format('%s scans since statistics reset', v.live) END,
               CASE WHEN v.reset_seen THEN 'statistics were reset since the last check' END)
       END
  FROM v
 ORDER BY v.tracked DESC, v.id, v.schema_name, v.table_name, v.index_name
$idx_report$;
COMMENT ON FUNCTION @extschema@.idx_report(text, boolean) IS
    'one row per index created through idx_apply (all indexes with all_indexes => true): size, scans since valid, last use, plan verdict for its queries, trend and verdict';

-- ---------------------------------------------------------------------
-- idx_check
-- ---------------------------------------------------------------------

-- SECURITY DEFINER: the check reads every history row and writes the
-- snapshot and findings tables.  Stored queries are still planned as the
-- role that asked for each index (see verify.c), never as the owner.
CREATE FUNCTION @extschema@.idx_check()
RETURNS TABLE(kind text, schema_name name, table_name name, index_name name,
              history_id bigint, detail text, first_seen timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $idx_check$
#variable_conflict use_column
DECLARE
    cfg     record;
    found   @extschema@.idx_finding[];
    more    @extschema@.idx_finding[];
BEGIN
    SELECT * INTO cfg FROM @extschema@.idx_usage_settings();

    -- 1. rows left running by a worker that is gone (same test as the
    --    queue's): report them, then idx_kick() starts a worker that drops
    --    the leftover index and marks the row failed.
    SELECT array_agg(ROW('crashed', h.schema_name, h.table_name, h.index_name, h.id,
                         format('%s of %I was left %s by a worker that is gone (server crash or killed worker); a new worker drops the leftover and marks the row failed',
                                h.operation, h.index_name, h.status))::@extschema@.idx_finding)
      INTO found
      FROM @extschema@.idx_history h
     WHERE h.status IN ('waiting', 'building')
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                        WHERE a.pid = h.worker_pid
                          AND a.backend_type = 'index_advisor worker'
                          AND a.backend_start <= h.started_at);
    PERFORM @extschema@.idx_kick();

    -- 2. snapshot the counters, re-plan the stored queries, and what that
    --    says: regressions, unplannable queries, unused indexes, resets.
    WITH tracked AS (
        SELECT DISTINCT ON (h.schema_name, h.index_name)
               h.id, h.schema_name, h.index_name,
               COALESCE(h.finished_at, h.requested_at) AS valid_at
          FROM @extschema@.idx_history h
         WHERE h.operation = 'create' AND h.status = 'done'
           AND h.parent_id IS NULL
         ORDER BY h.schema_name, h.index_name, h.id DESC
    ), cur AS (
        -- tracked indexes (a partitioned one counts its partitions' scans)
        SELECT c.oid AS indexrelid, n.nspname AS schemaname,
               t.relname, c.relname AS indexrelname,
               CASE WHEN c.relkind = 'I'
                    THEN (SELECT COALESCE(sum(pg_stat_get_numscans(pt.relid)), 0)::bigint
                            FROM pg_partition_tree(c.oid) pt WHERE pt.isleaf)
                    ELSE pg_stat_get_numscans(c.oid) END AS idx_scan,
               tr.id AS hid, tr.valid_at
          FROM tracked tr
          JOIN pg_namespace n ON n.nspname = tr.schema_name
          JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = tr.index_name
                         AND c.relkind IN ('i', 'I')
          JOIN pg_index x ON x.indexrelid = c.oid AND x.indisvalid
          JOIN pg_class t ON t.oid = x.indrelid
        UNION ALL
        -- with index_advisor.snapshot_all, every other index too
        SELECT s.indexrelid, s.schemaname, s.relname, s.indexrelname,
               s.idx_scan, NULL, NULL
          FROM pg_stat_user_indexes s
          JOIN pg_index x ON x.indexrelid = s.indexrelid AND x.indisvalid
         WHERE cfg.snapshot_all
           AND NOT EXISTS (SELECT 1 FROM tracked tr
                            WHERE tr.schema_name = s.schemaname
                              AND tr.index_name = s.indexrelname)
    ), plans AS (
        SELECT p.* FROM @extschema@.idx_plan_summary(
                   ARRAY(SELECT c.hid FROM cur c WHERE c.hid IS NOT NULL)) p
    ), ins AS (
        INSERT INTO @extschema@.idx_snapshots AS n
               (taken_at, index_oid, schema_name, table_name, index_name,
                history_id, idx_scan, since, scans, last_used, stats_reset,
                queries_total, queries_using, queries_using_max)
        SELECT now(), c.indexrelid, c.schemaname, c.relname, c.indexrelname,
               c.hid, c.idx_scan,
               COALESCE(p.since, c.valid_at, now()),
               CASE WHEN p.idx_scan IS NULL
                        THEN CASE WHEN c.hid IS NOT NULL THEN c.idx_scan ELSE 0 END
                    WHEN c.idx_scan >= p.idx_scan THEN p.scans + c.idx_scan - p.idx_scan
                    ELSE p.scans + c.idx_scan END,
               CASE WHEN (p.idx_scan IS NULL AND c.hid IS NOT NULL AND c.idx_scan > 0)
                      OR c.idx_scan > p.idx_scan
                      OR (c.idx_scan < p.idx_scan AND c.idx_scan > 0)
                    THEN now() ELSE p.last_used END,
               COALESCE(c.idx_scan < p.idx_scan, false),
               pl.queries_total, pl.queries_using,
               greatest(p.queries_using_max, pl.queries_using)
          FROM cur c
          LEFT JOIN plans pl ON pl.id = c.hid
          LEFT JOIN LATERAL (
                SELECT s.idx_scan, s.since, s.scans, s.last_used,
                       s.queries_using_max
                  FROM @extschema@.idx_snapshots s
                 WHERE s.index_oid = c.indexrelid
                   AND s.schema_name = c.schemaname
                   AND s.index_name = c.indexrelname
                   AND s.taken_at >= COALESCE(c.valid_at, '-infinity')
                 ORDER BY s.taken_at DESC LIMIT 1) p ON true
        ON CONFLICT DO NOTHING
        RETURNING n.*
    ), f AS (
        SELECT 'regression' AS kind, i.schema_name, i.table_name, i.index_name,
               i.history_id,
               format('planned for %s/%s stored queries, %s before%s',
                      i.queries_using, i.queries_total, i.queries_using_max,
                      '; now ' || pl.winner || ' wins') AS detail
          FROM ins i JOIN plans pl ON pl.id = i.history_id
         WHERE i.queries_using < i.queries_using_max
        UNION ALL
        SELECT 'query_error', i.schema_name, i.table_name, i.index_name,
               i.history_id,
               format('%s of %s stored queries cannot be planned: %s',
                      pl.query_errors, pl.queries_total, pl.error)
          FROM ins i JOIN plans pl ON pl.id = i.history_id
         WHERE pl.query_errors > 0
        UNION ALL
        SELECT 'unused', i.schema_name, i.table_name, i.index_name, i.history_id,
               format('no scan for %s days%s',
                      floor(extract(epoch FROM now() - COALESCE(i.last_used, i.since)) / 86400),
                      CASE WHEN i.last_used IS NULL THEN
                          CASE WHEN i.history_id IS NULL THEN ' (since the first snapshot)'
                               ELSE ' (never used since valid)' END
                      END)
          FROM ins i JOIN pg_index x ON x.indexrelid = i.index_oid
         WHERE COALESCE(i.last_used, i.since) < now() - cfg.unused_after
           AND NOT (x.indisunique OR x.indisprimary OR x.indisexclusion)
        UNION ALL
        SELECT 'stats_reset', i.schema_name, i.table_name, i.index_name, i.history_id,
               format('idx_scan went down (statistics were reset); %s scans counted since %s',
                      i.scans, CASE WHEN i.history_id IS NULL THEN 'the first snapshot'
                                    ELSE 'the index became valid' END)
          FROM ins i
         WHERE i.stats_reset
    )
    SELECT array_agg(ROW(f.kind, f.schema_name, f.table_name, f.index_name,
                         f.history_id, f.detail)::@extschema@.idx_finding)
      INTO more FROM f;
    found := COALESCE(found, '{}') || COALESCE(more, '{}');

    -- 3. the catalog: INVALID indexes anywhere (except builds in progress),
    --    duplicate and prefix-redundant indexes.
    WITH ix AS (
        SELECT x.indexrelid, x.indrelid, x.indisvalid, x.indisunique,
               x.indisprimary, x.indnatts, x.indnkeyatts, x.indkey,
               x.indclass, x.indcollation, x.indoption,
               x.indexprs IS NULL AS plain, x.indpred IS NULL AS whole,
               COALESCE(pg_get_expr(x.indexprs, x.indrelid), '') AS exprs,
               COALESCE(pg_get_expr(x.indpred, x.indrelid), '') AS pred,
               -- key columns: attnums, opclasses, collations, options
               string_to_array(x.indkey::text, ' ') AS keys,
               string_to_array(x.indclass::text, ' ') AS classes,
               string_to_array(x.indcollation::text, ' ') AS colls,
               string_to_array(x.indoption::text, ' ') AS opts,
               c.relam, c.relname AS index_name, n.nspname AS schema_name,
               t.relname AS table_name,
               EXISTS (SELECT 1 FROM pg_constraint co
                        WHERE co.conindid = x.indexrelid
                          AND co.contype IN ('p', 'u', 'x')) AS constraint_backed
          FROM pg_index x
          JOIN pg_class c ON c.oid = x.indexrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_class t ON t.oid = x.indrelid
         WHERE n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema'
    ), usr AS (
        SELECT * FROM ix
         WHERE ix.indisvalid AND ix.schema_name !~ '^pg_toast'
    ), f AS (
        SELECT 'invalid' AS kind, i.schema_name, i.table_name, i.index_name,
               NULL::bigint AS history_id,
               'INVALID index (a failed or interrupted CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY): the planner ignores it but every write maintains it; drop it, or REINDEX INDEX CONCURRENTLY it'
                   AS detail
          FROM ix i
         WHERE NOT i.indisvalid
           AND NOT EXISTS (SELECT 1 FROM @extschema@.idx_history h
                            WHERE h.status IN ('queued', 'waiting', 'building')
                              AND h.schema_name = i.schema_name
                              AND h.index_name = i.index_name)
           AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p
                            WHERE p.index_relid = i.indexrelid)
        UNION ALL
        -- same table, access method, columns, operator classes,
        -- collations, options, expressions and predicate: keep the one that
        -- enforces most (primary key, constraint, unique), else the oldest
        SELECT 'duplicate', g.schema_name, g.table_name, d.index_name, NULL,
               format('same definition as %I', g.names[1])
          FROM (SELECT max(u.schema_name) AS schema_name,
                       max(u.table_name) AS table_name,
                       array_agg(u.index_name
                                 ORDER BY u.indisprimary DESC, u.constraint_backed DESC,
                                          u.indisunique DESC, u.indexrelid) AS names
                  FROM usr u
                 GROUP BY u.indrelid, u.relam, u.indnkeyatts, u.indkey::text,
                          u.indclass::text, u.indcollation::text,
                          u.indoption::text, u.exprs, u.pred
                HAVING count(*) > 1) g
          CROSS JOIN LATERAL unnest(g.names[2:]) d(index_name)
        UNION ALL
        -- a btree index whose key columns are a leading prefix of another
        -- btree index's: group whole keys with every proper prefix of every
        -- key, per table (no self-join: it stays linear at 10,000 indexes)
        SELECT 'redundant', g.schema_name, g.table_name, c.index_name, NULL,
               format('its columns are a leading prefix of %I, which serves the same scans',
                      g.covering)
          FROM (SELECT k.indrelid,
                       max(k.schema_name) AS schema_name,
                       max(k.table_name) AS table_name,
                       array_agg(k.index_name) FILTER (WHERE k.candidate) AS names,
                       min(k.index_name) FILTER (WHERE NOT k.whole_key) AS covering
                  FROM (SELECT u.indrelid,
                               array_to_string(u.keys[1:u.indnkeyatts], ' ') || '/' ||
                               array_to_string(u.classes, ' ') || '/' ||
                               array_to_string(u.colls, ' ') || '/' ||
                               array_to_string(u.opts, ' ') AS key,
                               u.index_name,
                               u.schema_name, u.table_name, true AS whole_key,
                               (NOT u.indisunique AND NOT u.constraint_backed
                                AND u.indnatts = u.indnkeyatts
                                AND u.plain AND u.whole) AS candidate
                          FROM usr u WHERE u.relam = 403
                        UNION ALL
                        SELECT u.indrelid,
                               array_to_string(u.keys[1:n], ' ') || '/' ||
                               array_to_string(u.classes[1:n], ' ') || '/' ||
                               array_to_string(u.colls[1:n], ' ') || '/' ||
                               array_to_string(u.opts[1:n], ' '),
                               u.index_name,
                               NULL, NULL, false, false
                          FROM usr u, generate_series(1, u.indnkeyatts - 1) n
                         WHERE u.relam = 403 AND u.plain AND u.whole) k
                 GROUP BY k.indrelid, k.key
                HAVING bool_or(k.candidate) AND bool_or(NOT k.whole_key)) g
          CROSS JOIN LATERAL unnest(g.names) c(index_name)
    )
    SELECT array_agg(ROW(f.kind, f.schema_name, f.table_name, f.index_name,
                         f.history_id, f.detail)::@extschema@.idx_finding)
      INTO more FROM f;
    found := found || COALESCE(more, '{}');

    -- 4. record: open or refresh what was seen, resolve what was not, prune.
    INSERT INTO @extschema@.idx_findings AS o
           (kind, schema_name, table_name, index_name, history_id, detail,
            first_seen, last_seen)
    SELECT DISTINCT ON (f.kind, f.schema_name, f.index_name, COALESCE(f.history_id, 0))
           f.kind, f.schema_name, f.table_name, f.index_name, f.history_id,
           f.detail, now(), now()
      FROM unnest(found) f
    ON CONFLICT (kind, schema_name, index_name, (COALESCE(history_id, 0)))
       WHERE resolved_at IS NULL
    DO UPDATE SET last_seen = EXCLUDED.last_seen, detail = EXCLUDED.detail,
                  table_name = EXCLUDED.table_name;

    UPDATE @extschema@.idx_findings o SET resolved_at = now()
     WHERE o.resolved_at IS NULL AND o.last_seen < now();
    DELETE FROM @extschema@.idx_snapshots s
     WHERE s.taken_at < now() - cfg.snapshot_retention;
    DELETE FROM @extschema@.idx_findings o
     WHERE o.resolved_at < now() - cfg.snapshot_retention;

    RETURN QUERY
        SELECT o.kind, o.schema_name, o.table_name, o.index_name, o.history_id,
               o.detail, o.first_seen
          FROM @extschema@.idx_findings o
         WHERE o.resolved_at IS NULL AND o.last_seen = now()
         ORDER BY o.kind, o.schema_name, o.index_name, o.history_id;
END
$idx_check$;
COMMENT ON FUNCTION @extschema@.idx_check() IS
    'for pg_cron: snapshot index usage, re-plan stored queries, record and return findings (regressions, unused, INVALID, duplicate and redundant indexes, crashed builds, statistics resets)';

-- ---------------------------------------------------------------------
-- pg_cron
-- ---------------------------------------------------------------------

-- Internal: run one statement that returns one text value in pg_cron's
-- database (another one than this), through dblink; without dblink, an
-- error whose hint is that statement, to run there by hand.
CREATE FUNCTION @extschema@.idx_cron_remote(sql text)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_cron_remote$
DECLARE
    cron_db  text := current_setting('cron.database_name', true);
    dblink   name;
    sockdir  text := btrim(split_part(current_setting('unix_socket_directories'), ',', 1));
    conninfo text;
    result   text;
BEGIN
    SELECT n.nspname INTO dblink
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'dblink';
    IF dblink IS NULL THEN
        RAISE EXCEPTION 'pg_cron is installed in database "%", not in "%"',
                        cron_db, current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'A job for another database is managed from pg_cron''s database.',
                  HINT = format('Connect to database "%s" and run: %s; or run CREATE EXTENSION dblink here and try again.',
                                cron_db, sql);
    END IF;
    -- as the calling role (not libpq's default, the server's OS user)
    conninfo := format('dbname=''%s'' user=''%s'' port=%s',
                       replace(replace(cron_db, '\', '\\'), '''', '\'''),
                       replace(replace(current_user, '\', '\\'), '''', '\'''),
                       current_setting('port'));
    IF sockdir <> '' THEN
        conninfo := conninfo || format(' host=''%s''',
                       replace(replace(sockdir, '\', '\\'), '''', '\'''));
    END IF;
    EXECUTE format('SELECT r.v FROM %I.dblink($1, $2) AS r(v text)', dblink)
       INTO result USING conninfo, sql;
    RETURN result;
END
$idx_cron_remote$;
COMMENT ON FUNCTION @extschema@.idx_cron_remote(text) IS
    'internal (idx_schedule, idx_unschedule): run one statement returning one text value in pg_cron''s database, through dblink';

CREATE FUNCTION @extschema@.idx_schedule(schedule text DEFAULT '*/15 * * * *')
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_schedule$
DECLARE
    cron_db text := current_setting('cron.database_name', true);
    command text := format('SELECT pg_catalog.count(*) FROM %s',
                           '@extschema@.idx_check()'::regprocedure);
    job     text := 'index_advisor_check@' || current_database();
BEGIN
    IF to_regprocedure('cron.schedule(text,text,text)') IS NOT NULL THEN
        RETURN cron.schedule('index_advisor_check', schedule, command);
    END IF;
    IF cron_db IS NULL OR cron_db = current_database() THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'idx_schedule() registers idx_check() as a pg_cron job.',
                  HINT = 'Add pg_cron to shared_preload_libraries, set cron.database_name, restart, and run CREATE EXTENSION pg_cron in that database; or call "SELECT count(*) FROM idx_check()" from another scheduler.';
    END IF;
    RETURN @extschema@.idx_cron_remote(
        format('SELECT cron.schedule_in_database(%L, %L, %L, %L)::text',
               job, schedule, command, current_database()))::bigint;
END
$idx_schedule$;
COMMENT ON FUNCTION @extschema@.idx_schedule(text) IS
    'register idx_check() as the pg_cron job "index_advisor_check" (or "index_advisor_check@<database>" when pg_cron lives in another database); returns the job id';

CREATE FUNCTION @extschema@.idx_unschedule()
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_unschedule$
DECLARE
    cron_db text := current_setting('cron.database_name', true);
    job     text := 'index_advisor_check@' || current_database();
    jobid   bigint;
BEGIN
    IF to_regprocedure('cron.unschedule(bigint)') IS NOT NULL THEN
        SELECT j.jobid INTO jobid FROM cron.job j
         WHERE j.jobname = 'index_advisor_check' AND j.username = current_user;
        RETURN jobid IS NOT NULL AND cron.unschedule(jobid);
    END IF;
    IF cron_db IS NULL OR cron_db = current_database() THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Without pg_cron there is no job to remove.';
    END IF;
    RETURN COALESCE(@extschema@.idx_cron_remote(
        format('SELECT bool_or(cron.unschedule(j.jobid))::text FROM cron.job j WHERE j.jobname = %L AND j.username = current_user',
               job))::boolean, false);
END
$idx_unschedule$;
COMMENT ON FUNCTION @extschema@.idx_unschedule() IS
    'remove the pg_cron job of idx_schedule(); false if there was none';

-- EXECUTE, on purpose (see also 05_security.sql):
--   idx_explain, idx_report, idx_plan_summary
--                 read idx_history through row-level security and plan each
--                 visible row's queries as the role that asked for it, so a
--                 caller learns nothing it could not EXPLAIN itself.
--   idx_usage_settings, idx_sparkline
--                 read settings / format numbers.
--   idx_check, idx_schedule, idx_unschedule
--                 write the snapshot and findings tables and see every row:
--                 superusers and members of index_advisor_admin only.
--   idx_cron_remote
--                 runs a statement in pg_cron's database through dblink as
--                 the caller (called by idx_schedule and idx_unschedule):
--                 like them, superusers and index_advisor_admin only.
REVOKE ALL ON FUNCTION @extschema@.idx_explain(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_report(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_plan_summary(bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_usage_settings() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_sparkline(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_explain(bigint) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_report(text, boolean) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_plan_summary(bigint[]) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_usage_settings() TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_sparkline(bigint[]) TO PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_check() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_cron_remote(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_schedule(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_unschedule() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_check() TO index_advisor_admin;
GRANT EXECUTE ON FUNCTION @extschema@.idx_cron_remote(text) TO index_advisor_admin;
GRANT EXECUTE ON FUNCTION @extschema@.idx_schedule(text) TO index_advisor_admin;
GRANT EXECUTE ON FUNCTION @extschema@.idx_unschedule() TO index_advisor_admin;
