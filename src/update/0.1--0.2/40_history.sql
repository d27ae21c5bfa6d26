
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
--  * Who reads which rows, once for 0.2: idx_may_act(role) and the
--    row-level security of idx_history, idx_findings and idx_snapshots
--    (created here, after the change of type the policies depend on).
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

-- ---------------------------------------------------------------------
-- Who reads which rows: idx_history, idx_findings, idx_snapshots
-- ---------------------------------------------------------------------

-- The one rule: the current role has the privileges of the role that
-- requested the row (pg_has_role(..., 'USAGE'), which is what
-- has_privs_of_role() says in C: src/queue/queue.c ia_queue_lookup for
-- idx_cancel/idx_rollback, src/check/usage.c for idx_explain/idx_plan_summary).
-- Membership alone (NOINHERIT) is not enough: such a member acts after
-- SET ROLE.  Superusers have every role's privileges.
-- No SET search_path: every name in the body is qualified, and a function
-- with SET cannot be inlined into the policies that call it per row.
CREATE FUNCTION @extschema@.idx_may_act(role pg_catalog.regrole)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $idx_may_act$SELECT pg_catalog.pg_has_role(CURRENT_USER, role, 'USAGE')$idx_may_act$;
COMMENT ON FUNCTION @extschema@.idx_may_act(pg_catalog.regrole) IS
    'true when the current role may see and act on the operations requested by role: it has that role''s privileges (pg_has_role USAGE; has_privs_of_role in the C); used by the row-level security of idx_history, idx_findings and idx_snapshots and by idx_wait()';
REVOKE ALL ON FUNCTION @extschema@.idx_may_act(pg_catalog.regrole) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_may_act(pg_catalog.regrole) TO PUBLIC;

CREATE POLICY idx_history_own_rows ON @extschema@.idx_history FOR SELECT
    USING (@extschema@.idx_may_act(role_oid));
COMMENT ON POLICY idx_history_own_rows ON @extschema@.idx_history IS
    'index_advisor: a role reads the rows of the roles whose privileges it has (idx_may_act): its own, and those of roles it inherits';

-- A role reads the findings and snapshots of the history rows it may read
-- (its own requests and those of roles whose privileges it has); members of
-- index_advisor_admin read every row; superusers bypass row-level
-- security.  Rows about indexes not created through idx_apply (history_id
-- NULL) are for the admin role only.  idx_check(), SECURITY DEFINER, writes
-- as the tables' owner.
ALTER TABLE @extschema@.idx_findings ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.idx_snapshots ENABLE ROW LEVEL SECURITY;
CREATE POLICY idx_findings_own_rows ON @extschema@.idx_findings FOR SELECT
    USING (history_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM @extschema@.idx_history h
                        WHERE h.id OPERATOR(pg_catalog.=) history_id
                          AND @extschema@.idx_may_act(h.role_oid)));
COMMENT ON POLICY idx_findings_own_rows ON @extschema@.idx_findings IS
    'index_advisor: a role reads the findings about the idx_history rows it may act on (idx_may_act)';

CREATE POLICY idx_snapshots_own_rows ON @extschema@.idx_snapshots FOR SELECT
    USING (history_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM @extschema@.idx_history h
                        WHERE h.id OPERATOR(pg_catalog.=) history_id
                          AND @extschema@.idx_may_act(h.role_oid)));
COMMENT ON POLICY idx_snapshots_own_rows ON @extschema@.idx_snapshots IS
    'index_advisor: a role reads the snapshots of the idx_history rows it may act on (idx_may_act)';

CREATE POLICY idx_findings_admin_rows ON @extschema@.idx_findings
    FOR SELECT TO index_advisor_admin USING (true);
CREATE POLICY idx_snapshots_admin_rows ON @extschema@.idx_snapshots
    FOR SELECT TO index_advisor_admin USING (true);
COMMENT ON POLICY idx_findings_admin_rows ON @extschema@.idx_findings IS
    'index_advisor: members of index_advisor_admin read every finding';
COMMENT ON POLICY idx_snapshots_admin_rows ON @extschema@.idx_snapshots IS
    'index_advisor: members of index_advisor_admin read every snapshot';

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
