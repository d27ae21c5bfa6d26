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

COMMENT ON TABLE @extschema@.idx_history IS
    'index_advisor: one row per requested index operation (create or drop); also the work queue of the background workers';
COMMENT ON COLUMN @extschema@.idx_history.definition IS 'the definition exactly as given to idx_apply (or the DROP run by idx_rollback)';
COMMENT ON COLUMN @extschema@.idx_history.indexdef IS 'pg_get_indexdef() of the index once built';
COMMENT ON COLUMN @extschema@.idx_history.queries IS 'the queries the index is meant for, checked by idx_explain/idx_report';
COMMENT ON COLUMN @extschema@.idx_history.status IS 'queued, waiting, building, done, failed, cancelled or rolled_back';
COMMENT ON COLUMN @extschema@.idx_history.reverts IS 'for a drop queued by idx_rollback: the id of the create row it reverts';
COMMENT ON COLUMN @extschema@.idx_history.error_code IS 'SQLSTATE of the error that ended the operation';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_history', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_history_id_seq', '');

-- Users read their own rows; only the extension's C functions write.
ALTER TABLE @extschema@.idx_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY idx_history_own_rows ON @extschema@.idx_history FOR SELECT
    USING (requested_by OPERATOR(pg_catalog.=) CURRENT_USER
           OR pg_catalog.pg_has_role(CURRENT_USER, role_oid, 'MEMBER'));
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
