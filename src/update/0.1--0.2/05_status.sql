/* index_advisor 0.2 -- the statuses of idx_history rows, defined once.
 *
 * The statuses themselves are the CHECK constraint of idx_history (0.1);
 * which of them are live (a worker will act or is acting on the row:
 * queued, waiting, building) is idx_status_live(), used by every SQL
 * object that asks (idx_progress, idx_wait, idx_check, idx_prune).  The C
 * code has the same list as an enum (src/queue/ia_queue.h), shown to SQL by
 * idx_statuses(); sql/status.sql fails if the two disagree.
 *
 * Every other SQL object names a status through idx_status('done'), which
 * is the C list's answer (an error for a name that is not a status) and is
 * folded to the constant at plan time (IMMUTABLE, STRICT), or asks
 * idx_status_live(); sql/status.sql fails if a function or view of the
 * extension compares a status with a bare literal or names an unknown one.
 *
 * idx_status_live() is a plain SQL expression with no SET clause, so that
 * the planner inlines it: "idx_status_live(status)" becomes
 * "status = ANY ('{queued,waiting,building}')", which the partial index
 * idx_history_status_idx still serves.  Its body names only pg_catalog
 * objects, schema-qualified, so it needs no search_path.  This part sorts
 * before the parts that use it. */

CREATE FUNCTION @extschema@.idx_status_live(status text)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN status OPERATOR(pg_catalog.=) ANY ('{queued,waiting,building}'::pg_catalog.text[]);
COMMENT ON FUNCTION @extschema@.idx_status_live(text) IS
    'whether an idx_history status is live: queued, waiting or building (a worker will act or is acting on the row)';
REVOKE ALL ON FUNCTION @extschema@.idx_status_live(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_status_live(text) TO PUBLIC;

CREATE FUNCTION @extschema@.idx_statuses(OUT status text, OUT live boolean)
RETURNS SETOF record
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'idx_statuses';
COMMENT ON FUNCTION @extschema@.idx_statuses() IS
    'the statuses of idx_history rows as the C code defines them (src/queue/ia_queue.h), in the order a row moves through them, and whether each is live';
REVOKE ALL ON FUNCTION @extschema@.idx_statuses() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_statuses() TO PUBLIC;

CREATE FUNCTION @extschema@.idx_status(name text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'idx_status';
COMMENT ON FUNCTION @extschema@.idx_status(text) IS
    'the idx_history status "name", checked against the C list (src/queue/ia_queue.h): an error for a name that is not a status; how the extension''s SQL spells a status';
REVOKE ALL ON FUNCTION @extschema@.idx_status(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_status(text) TO PUBLIC;
