
/* index_advisor 0.2 -- retention of idx_history (doc/limits.md).
 *
 * idx_prune() deletes ended rows older than index_advisor.history_retention
 * (or its argument), in whole groups: a create row goes with its partition
 * rows and with the drop rows that revert it.  A group stays while any of
 * its rows has not ended, while any ended too recently, and while its
 * create is 'done' and the index still exists (idx_rollback needs the row).
 * It is SECURITY DEFINER (users cannot delete from idx_history) and
 * executable only by index_advisor_admin (and superusers). */

CREATE FUNCTION @extschema@.idx_history_retention()
RETURNS interval
LANGUAGE C STABLE
AS 'MODULE_PATHNAME', 'idx_history_retention';
COMMENT ON FUNCTION @extschema@.idx_history_retention() IS
    'internal: index_advisor.history_retention as an interval; NULL when it is 0 (keep for ever)';

CREATE FUNCTION @extschema@.idx_prune(older_than interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $idx_prune$
DECLARE
    age     interval := COALESCE(older_than, @extschema@.idx_history_retention());
    deleted bigint;
BEGIN
    IF age IS NULL THEN
        RETURN 0;   -- index_advisor.history_retention = 0: keep for ever
    END IF;
    IF age OPERATOR(pg_catalog.<) interval '0' THEN
        RAISE EXCEPTION 'older_than must not be negative'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give an age such as ''90 days'', or NULL for index_advisor.history_retention.';
    END IF;

    -- Each row's group: a part goes with its parent, a drop with the
    -- create it reverts (and a part of a drop with that create too).  Parts
    -- of every level point at the row of the partitioned table.
    WITH grp AS (
        SELECT h.id, COALESCE(p.reverts, p.id, h.reverts, h.id) AS root,
               h.status, COALESCE(h.finished_at, h.requested_at) AS ended_at
          FROM @extschema@.idx_history h
          LEFT JOIN @extschema@.idx_history p ON p.id OPERATOR(pg_catalog.=) h.parent_id
    ),
    doomed AS (
        SELECT g.root
          FROM grp g
         GROUP BY g.root
        HAVING bool_and(NOT @extschema@.idx_status_live(g.status)
                        AND g.ended_at OPERATOR(pg_catalog.<)
                            (pg_catalog.now() OPERATOR(pg_catalog.-) age))
    ),
    deletable AS (
        SELECT d.root
          FROM doomed d
          JOIN @extschema@.idx_history r ON r.id OPERATOR(pg_catalog.=) d.root
         WHERE r.parent_id IS NULL AND r.reverts IS NULL
           AND NOT (r.operation OPERATOR(pg_catalog.=) 'create'
                    AND r.status OPERATOR(pg_catalog.=) @extschema@.idx_status('done')
                    AND (EXISTS (SELECT FROM pg_catalog.pg_class c
                                  WHERE c.oid OPERATOR(pg_catalog.=) r.index_oid
                                    AND c.relkind OPERATOR(pg_catalog.=) ANY ('{i,I}'))
                         OR EXISTS (SELECT FROM pg_catalog.pg_class c
                                     JOIN pg_catalog.pg_namespace n
                                       ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                                    WHERE n.nspname OPERATOR(pg_catalog.=) r.schema_name
                                      AND c.relname OPERATOR(pg_catalog.=) r.index_name
                                      AND c.relkind OPERATOR(pg_catalog.=) ANY ('{i,I}'))))
           -- a hide still in effect: idx_rollback unhides it (84_hidden.sql)
           AND NOT (r.operation OPERATOR(pg_catalog.=) 'hide' AND r.status OPERATOR(pg_catalog.=) @extschema@.idx_status('done'))
    ),
    gone AS (
        DELETE FROM @extschema@.idx_history h
         USING grp g, deletable d
         WHERE h.id OPERATOR(pg_catalog.=) g.id
           AND g.root OPERATOR(pg_catalog.=) d.root
        RETURNING h.id
    )
    SELECT pg_catalog.count(*) INTO deleted FROM gone;
    RETURN deleted;
END
$idx_prune$;
COMMENT ON FUNCTION @extschema@.idx_prune(interval) IS
    'delete the ended rows of idx_history older than older_than (default index_advisor.history_retention), keeping what idx_rollback still needs; returns the number of rows deleted';

-- Deleting other roles' history is an administrator's task: the function
-- runs as the extension's owner, so it is granted to the admin role only.
REVOKE ALL ON FUNCTION @extschema@.idx_history_retention() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_prune(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_history_retention() TO PUBLIC;  -- reads a setting
GRANT EXECUTE ON FUNCTION @extschema@.idx_prune(interval) TO index_advisor_admin;
