
/* index_advisor 0.2 -- gentle builds (doc/gentle.md; src/build/gentle.c).
 *
 * idx_apply() gets two arguments: priority (normal, low, idle: the CPU and
 * I/O priority of the building processes; NULL takes
 * index_advisor.build_priority) and not_before (the row waits, status
 * 'waiting' with its wait_reason, until then).  The C function reads only
 * the arguments it is given, so 0.1's three-argument idx_apply keeps
 * working in a database not yet updated.  The wait_reason column is added
 * by 08_gentle_columns.sql. */

DROP FUNCTION @extschema@.idx_apply(text, text[], text);
CREATE FUNCTION @extschema@.idx_apply(definition text,
                                      queries text[] DEFAULT NULL,
                                      migration text DEFAULT NULL,
                                      priority text DEFAULT NULL,
                                      not_before timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_apply';
COMMENT ON FUNCTION @extschema@.idx_apply(text, text[], text, text, timestamptz) IS
    'validate one CREATE INDEX statement as the calling role and queue it for a concurrent build by a background worker, at a priority (normal, low, idle) and not before a time; returns the history id';
REVOKE ALL ON FUNCTION @extschema@.idx_apply(text, text[], text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_apply(text, text[], text, text, timestamptz) TO PUBLIC;
