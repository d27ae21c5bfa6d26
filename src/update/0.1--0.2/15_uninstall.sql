
/* index_advisor 0.2 -- uninstall: DROP EXTENSION is refused while operations
 * are unfinished, and CREATE EXTENSION says that it created a cluster-wide
 * role that DROP EXTENSION leaves.  C part: src/build/uninstall.c.
 * Tested by test/t/084_uninstall.pl; documented in doc/upgrading.md. */

-- The guard: dropping the extension (or its schema) while a build is queued
-- or running would drop the queue under it.  Refuse, naming the rows.
CREATE FUNCTION @extschema@.idx_drop_guard()
RETURNS event_trigger
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'idx_drop_guard';
COMMENT ON FUNCTION @extschema@.idx_drop_guard() IS
    'internal (event trigger index_advisor_drop_guard): refuse DROP EXTENSION index_advisor, or DROP SCHEMA of its schema, while operations are queued, waiting or building';
REVOKE ALL ON FUNCTION @extschema@.idx_drop_guard() FROM PUBLIC;

CREATE EVENT TRIGGER index_advisor_drop_guard ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA')
    EXECUTE FUNCTION @extschema@.idx_drop_guard();
COMMENT ON EVENT TRIGGER index_advisor_drop_guard IS
    'index_advisor: refuses to drop the extension while operations are unfinished';

-- Say so when this install created the cluster-wide role (the 0.1 script
-- creates it if missing, in this same transaction): it outlives the
-- extension.  An update from 0.1, or an install where the role existed,
-- stays quiet.  CREATE EXTENSION raises client_min_messages to WARNING
-- while its script runs; this one NOTICE is let through unless the
-- session's own setting (its reset value) hides notices anyway.  The
-- setting is restored when the script ends.
DO $ia_role_notice$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_authid a
                WHERE a.rolname OPERATOR(pg_catalog.=) 'index_advisor_admin'
                  AND a.xmin OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()::pg_catalog.xid)
       AND (SELECT s.reset_val FROM pg_catalog.pg_settings s
             WHERE s.name OPERATOR(pg_catalog.=) 'client_min_messages')
           OPERATOR(pg_catalog.<>) ALL ('{warning,error}') THEN
        PERFORM pg_catalog.set_config('client_min_messages', 'notice', true);
        RAISE NOTICE 'created role "index_advisor_admin" for index_advisor'
            USING DETAIL = 'The role is cluster-wide: its members read every row of idx_history in every database with the extension. DROP EXTENSION leaves it.',
                  HINT = 'Grant it to the roles that administer index builds. Once no database has the extension: DROP ROLE index_advisor_admin.';
    END IF;
END
$ia_role_notice$;
