
/* index_advisor 0.1 -> 0.2, part "whatif": hypothetical indexes (issue 9,
 * src/plan/hypo.c, src/plan/hypoplan.c, src/plan/hyposize.c, src/plan/plan_prepared.c, src/advise/whatif.c,
 * doc/whatif.md).  Nothing here reads or writes a table of the extension. */

-- ---------------------------------------------------------------------
-- idx_whatif: what the planner would do if these indexes existed
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.idx_whatif(definitions text[], queries text[],
                                       params text[] DEFAULT NULL,
                                       plan_before boolean DEFAULT true)
RETURNS TABLE(query text, cost_before float8, cost_after float8,
              uses text[], scan text, plan text)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_whatif';
-- No SET search_path: definitions and queries are resolved with the
-- caller's search_path, as idx_apply resolves them; the C code qualifies
-- every catalog it reads.
COMMENT ON FUNCTION @extschema@.idx_whatif(text[], text[], text[], boolean) IS
    'plan each query (never executed; $n generic, or bound to params) without and with hypothetical indexes of the CREATE INDEX definitions (checked as idx_apply checks them, visible only to this planning) and without the existing indexes the DROP INDEX definitions name (hidden from this planning only: nothing is dropped); returns the costs, the definitions the plan uses, the scan of the first and the plan; plan_before => false plans each query once, with the indexes only (cost_before NULL)';

-- idx_hypo_size: the size the planner is told for a hypothetical index
CREATE FUNCTION @extschema@.idx_hypo_size(definition text)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_hypo_size';
COMMENT ON FUNCTION @extschema@.idx_hypo_size(text) IS
    'estimated size in bytes of the index a CREATE INDEX text would build (checked as idx_apply checks it; the size model of idx_whatif, doc/whatif.md)';

-- Who may call them: any role that may call idx_apply (which checks that the
-- caller owns the table); they write nothing.
REVOKE ALL ON FUNCTION @extschema@.idx_whatif(text[], text[], text[], boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_hypo_size(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_whatif(text[], text[], text[], boolean) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_hypo_size(text) TO PUBLIC;
