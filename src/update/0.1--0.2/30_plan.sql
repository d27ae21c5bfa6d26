/* index_advisor 0.1 -> 0.2, part "plan": who plans a stored query as whom
 * (src/plan/planning_role.c, doc/safety-planning.md) and pg_cron found through
 * pg_extension.  The visibility of idx_findings and idx_snapshots is in
 * 40_history.sql, with idx_history's.  idx_report
 * and idx_check, which follow the recorded index and table OIDs, are
 * defined in 60_check.sql and 64_report.sql. */

-- ---------------------------------------------------------------------
-- C helpers: now planned under the rule of who plans as whom
-- ---------------------------------------------------------------------

COMMENT ON FUNCTION @extschema@.idx_explain(bigint) IS
    'plan each query stored with an index (never executed, generic plan for $n) as a role no more privileged than the one that asked for it and the owners of what the query reads (see doc/safety-planning.md); say whether the plan uses the index, show the plan and its cost with and without the index; only for a caller with the privileges of the role that asked';
-- idx_plan_summary: now within index_advisor.check_total_timeout, a share
-- of it per role; what had no time is counted in queries_not_checked (a new
-- column, hence DROP: 0.1's idx_check and idx_report that call it are
-- replaced in 60_check.sql and 64_report.sql).
DROP FUNCTION @extschema@.idx_plan_summary(bigint[]);
CREATE FUNCTION @extschema@.idx_plan_summary(ids bigint[])
RETURNS TABLE(id bigint, queries_total integer, queries_using integer,
              scan text, winner text, query_errors integer, error text,
              queries_not_checked integer)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_plan_summary';
COMMENT ON FUNCTION @extschema@.idx_plan_summary(bigint[]) IS
    'internal (idx_report, idx_check): the EXPLAIN verdict of each create row, in the order of ids, without plan text; rows whose asking role''s privileges the caller lacks are not planned; queries the check had no time for (index_advisor.check_total_timeout, a share per role) are counted in queries_not_checked';
REVOKE ALL ON FUNCTION @extschema@.idx_plan_summary(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_plan_summary(bigint[]) TO PUBLIC;

-- ---------------------------------------------------------------------
-- idx_report, idx_check: their 0.2 definitions (by OIDs, under the rule of
-- who plans as whom, in named steps) are in 60_check.sql and 64_report.sql, once.
-- ---------------------------------------------------------------------
