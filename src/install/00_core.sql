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
