/* index_advisor 0.2 part: idx_apply_script, the ORM bridge (issue 11).
 *
 * The SQL that migration tools print (Django's sqlmigrate, alembic upgrade
 * --sql, pg_dump --section=post-data) queued all or nothing: each CREATE
 * INDEX and DROP INDEX through idx_apply's validation and queue
 * (src/script.c).  See doc/orm.md. */

-- No SET search_path: like idx_apply, names in the script resolve with the
-- caller's search_path, and with the search_path the script itself sets.
CREATE FUNCTION @extschema@.idx_apply_script(script text,
                                             migration text DEFAULT NULL)
RETURNS SETOF bigint
LANGUAGE C VOLATILE ROWS 10
AS 'MODULE_PATHNAME', 'idx_apply_script';
COMMENT ON FUNCTION @extschema@.idx_apply_script(text, text) IS
    'queue every CREATE INDEX and DROP INDEX of a migration script (sqlmigrate, alembic --sql, pg_dump post-data), all or nothing, as idx_apply and idx_rollback would; returns the history ids in script order';
-- Who may: what idx_apply and idx_rollback allow (the caller must own each
-- table); the function adds no privilege of its own.
REVOKE ALL ON FUNCTION @extschema@.idx_apply_script(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_apply_script(text, text) TO PUBLIC;
