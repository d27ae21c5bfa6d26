
-- ---------------------------------------------------------------------------
-- idx_history: identities that keep their meaning across dump and restore,
-- and a dump without warnings.  (doc/history.md says what each rule means to
-- a user.)
--
--  * role_oid, login_role_oid become regrole and table_oid regclass: pg_dump
--    writes them as names, a restore reads them back as the OIDs those names
--    have there (the roles must exist first: pg_dumpall --globals-only), and
--    pg_upgrade accepts both types in user tables.  A dropped table or role
--    has no name: its value is written, and restored, as a number.
--  * index_oid stays an oid: the indexes are created after the data in a
--    restore (post-data), so a regclass could not be read back.  Instead
--    index_table_oid keeps the raw OID of the table at the time index_oid was
--    recorded: where table_oid (re-resolved by a restore) no longer equals
--    it, index_oid comes from another cluster, and the index is identified
--    once more by name on that table (idx_kick, so also idx_check and
--    idx_wait, does it for every such row; idx_rollback for its own).
--  * leftover_oid: an INVALID index that a failed build left and that could
--    not be dropped (a lock timeout, say); the next worker retries the drop.
--  * The self-referencing foreign keys (reverts, parent_id) made every
--    pg_dump warn about circular foreign-key constraints.  The references are
--    now checked by deferred constraint triggers, which pg_dump does not see
--    (the table is the extension's, only its rows are dumped) and which a
--    restore checks at the end of its COPY, when every row is there.
-- ---------------------------------------------------------------------------

ALTER TABLE @extschema@.idx_history
    DROP CONSTRAINT IF EXISTS idx_history_reverts_fkey,
    DROP CONSTRAINT IF EXISTS idx_history_parent_id_fkey;

-- The policy reads role_oid: drop it around the change of type, then create
-- it again with the same meaning.
DROP POLICY idx_history_own_rows ON @extschema@.idx_history;

ALTER TABLE @extschema@.idx_history
    ALTER COLUMN role_oid TYPE pg_catalog.regrole,
    ALTER COLUMN login_role_oid TYPE pg_catalog.regrole,
    ALTER COLUMN table_oid TYPE pg_catalog.regclass,
    ADD COLUMN index_table_oid pg_catalog.oid,
    ADD COLUMN leftover_oid pg_catalog.oid;

-- Rows recorded before the update were recorded in this cluster.
UPDATE @extschema@.idx_history SET index_table_oid = table_oid
 WHERE index_oid IS NOT NULL;

-- Rows restored from a dump, whose index_oid is another cluster's (see
-- above): idx_kick() finds them through this index, empty otherwise.
CREATE INDEX idx_history_restored_idx ON @extschema@.idx_history (id)
    WHERE index_oid IS NOT NULL
      AND index_table_oid IS DISTINCT FROM table_oid::pg_catalog.oid;
COMMENT ON INDEX @extschema@.idx_history_restored_idx IS
    'index_advisor: rows restored from a dump whose index_oid must be identified again (idx_kick does it)';

CREATE POLICY idx_history_own_rows ON @extschema@.idx_history FOR SELECT
    USING (pg_catalog.pg_has_role(CURRENT_USER, role_oid, 'MEMBER'));
COMMENT ON POLICY idx_history_own_rows ON @extschema@.idx_history IS
    'index_advisor: a role reads the rows it requested, and those of the roles it is a member of';

COMMENT ON COLUMN @extschema@.idx_history.role_oid IS
    'the role that requested the operation (the worker acts as this role; row-level security shows it the row)';
COMMENT ON COLUMN @extschema@.idx_history.login_role_oid IS
    'the role that had logged in to the requesting session';
COMMENT ON COLUMN @extschema@.idx_history.table_oid IS
    'the table, resolved when the operation was requested; the build runs only if schema_name.table_name is still this table';
COMMENT ON COLUMN @extschema@.idx_history.index_oid IS
    'the index built (or, for a drop, the index to drop), by OID; valid in this cluster while index_table_oid equals table_oid';
COMMENT ON COLUMN @extschema@.idx_history.index_table_oid IS
    'the OID of the table when index_oid was recorded; differs from table_oid after a restore, which identifies the index again by name';
COMMENT ON COLUMN @extschema@.idx_history.leftover_oid IS
    'an INVALID index left by a failed build that could not be dropped yet; the next worker retries the drop';

CREATE FUNCTION @extschema@.idx_history_check_refs()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $idx_history_check_refs$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM @extschema@.idx_history h
                    WHERE h.reverts OPERATOR(pg_catalog.=) OLD.id
                       OR h.parent_id OPERATOR(pg_catalog.=) OLD.id) THEN
            RAISE EXCEPTION 'history row % is still referenced', OLD.id
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = 'A drop that reverts it, or the index of one of its partitions, refers to it.',
                      HINT = 'Delete the rows that refer to it first.';
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.reverts IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM @extschema@.idx_history h
            WHERE h.id OPERATOR(pg_catalog.=) NEW.reverts) THEN
        RAISE EXCEPTION 'history row % reverts history row %, which does not exist', NEW.id, NEW.reverts
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF NEW.parent_id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM @extschema@.idx_history h
            WHERE h.id OPERATOR(pg_catalog.=) NEW.parent_id) THEN
        RAISE EXCEPTION 'history row % is part of history row %, which does not exist', NEW.id, NEW.parent_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$idx_history_check_refs$;
COMMENT ON FUNCTION @extschema@.idx_history_check_refs() IS
    'index_advisor: checks, at commit, that idx_history.reverts and parent_id refer to rows that exist (in place of foreign keys, which made pg_dump warn)';
REVOKE ALL ON FUNCTION @extschema@.idx_history_check_refs() FROM PUBLIC;

CREATE CONSTRAINT TRIGGER idx_history_refs
    AFTER INSERT OR UPDATE OF reverts, parent_id ON @extschema@.idx_history
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.idx_history_check_refs();
CREATE CONSTRAINT TRIGGER idx_history_refs_delete
    AFTER DELETE ON @extschema@.idx_history
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.idx_history_check_refs();
COMMENT ON TRIGGER idx_history_refs ON @extschema@.idx_history IS
    'index_advisor: reverts and parent_id refer to existing rows (checked at commit)';
COMMENT ON TRIGGER idx_history_refs_delete ON @extschema@.idx_history IS
    'index_advisor: a row referred to by reverts or parent_id is not deleted (checked at commit)';
