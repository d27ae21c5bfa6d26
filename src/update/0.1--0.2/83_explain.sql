/* index_advisor 0.1 -> 0.2, part "explain": idx_explain(id, "analyze" =>
 * true) measures the speed-up by running the stored queries with the index
 * and with it hidden.  C: src/check/usage.c, src/check/measure.c. */

-- ---------------------------------------------------------------------
-- Measured speed-up: idx_explain(id, "analyze" => true, runs => 5)
-- (C: src/check/usage.c idx_explain_analyze, src/check/measure.c)
-- ---------------------------------------------------------------------

-- ANALYZE is a reserved word: by name the argument is written "analyze".
CREATE FUNCTION @extschema@.idx_explain(id bigint, "analyze" boolean, runs integer DEFAULT 5)
RETURNS TABLE(query text, uses_index boolean, scan text, plan text,
              total_cost double precision,
              cost_without_index double precision,
              time_ms double precision,
              time_without_index_ms double precision,
              measured text)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_explain_analyze';
COMMENT ON FUNCTION @extschema@.idx_explain(bigint, boolean, integer) IS
    'idx_explain(id); with analyze, also run each stored plain SELECT (read-only, rolled back, as the planning role, $n from pg_stats) runs times with the index and with it hidden, and report the median times; anything else is "not measured: ..."';

REVOKE ALL ON FUNCTION @extschema@.idx_explain(bigint, boolean, integer) FROM PUBLIC;
-- as idx_explain(id): for roles with the privileges of the requester
GRANT EXECUTE ON FUNCTION @extschema@.idx_explain(bigint, boolean, integer) TO PUBLIC;
