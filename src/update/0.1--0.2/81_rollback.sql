/* index_advisor 0.1 -> 0.2, part "rollback": idx_rollback(..., force)
 * refuses an index a standby used in the window (idx_node_users,
 * 78_nodes.sql) unless forced.  C: src/build/api.c. */

-- ---------------------------------------------------------------------
-- idx_rollback(..., force): refuses what a standby uses (C: src/build/api.c)
-- ---------------------------------------------------------------------

DROP FUNCTION @extschema@.idx_rollback(bigint);
CREATE FUNCTION @extschema@.idx_rollback(id bigint, force boolean DEFAULT false)
RETURNS bigint
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'idx_rollback_id';
COMMENT ON FUNCTION @extschema@.idx_rollback(bigint, boolean) IS
    'queue DROP INDEX CONCURRENTLY of an index built through idx_apply; refused while a registered standby uses it (or could not be reached) unless force; returns the new history id';

DROP FUNCTION @extschema@.idx_rollback(text);
CREATE FUNCTION @extschema@.idx_rollback(migration text, force boolean DEFAULT false)
RETURNS SETOF bigint
LANGUAGE C STRICT VOLATILE ROWS 10
AS 'MODULE_PATHNAME', 'idx_rollback_migration';
COMMENT ON FUNCTION @extschema@.idx_rollback(text, boolean) IS
    'queue DROP INDEX CONCURRENTLY of every index of a migration, newest first; refused while a registered standby uses one unless force; returns the new history ids';

REVOKE ALL ON FUNCTION @extschema@.idx_rollback(bigint, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_rollback(text, boolean) FROM PUBLIC;
-- as in 0.1: each checks, as the caller, that the caller may act on the row
GRANT EXECUTE ON FUNCTION @extschema@.idx_rollback(bigint, boolean) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_rollback(text, boolean) TO PUBLIC;
