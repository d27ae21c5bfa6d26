
/* index_advisor 0.2, part "apply": idx_apply()'s 0.2 declaration, with the
 * arguments of gentle builds (doc/gentle.md; src/build/gentle.c) and of
 * hidden builds.
 *
 * idx_apply() gets two arguments for gentle builds: priority (normal, low, idle: the CPU and
 * I/O priority of the building processes; NULL takes
 * index_advisor.build_priority) and not_before (the row waits, status
 * 'waiting' with its wait_reason, until then).  The C function reads only
 * the arguments it is given, so 0.1's three-argument idx_apply keeps
 * working in a database not yet updated.  The wait_reason column is added
 * by 08_gentle_columns.sql.
 *
 * The same declaration carries visible (default true; false builds the
 * index hidden from every planner from the start: doc/hidden.md, needs the
 * library preloaded), so that 0.2 declares idx_apply once. */

DROP FUNCTION @extschema@.idx_apply(text, text[], text);
CREATE FUNCTION @extschema@.idx_apply(definition text,
                                      queries text[] DEFAULT NULL,
                                      migration text DEFAULT NULL,
                                      priority text DEFAULT NULL,
                                      not_before timestamptz DEFAULT NULL,
                                      visible boolean DEFAULT true)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_apply';
COMMENT ON FUNCTION @extschema@.idx_apply(text, text[], text, text, timestamptz, boolean) IS
    'validate one CREATE INDEX statement as the calling role and queue it for a concurrent build by a background worker, at a priority (normal, low, idle), not before a time, and hidden from every planner when visible is false; returns the history id';
REVOKE ALL ON FUNCTION @extschema@.idx_apply(text, text[], text, text, timestamptz, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_apply(text, text[], text, text, timestamptz, boolean) TO PUBLIC;
