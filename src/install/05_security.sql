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
