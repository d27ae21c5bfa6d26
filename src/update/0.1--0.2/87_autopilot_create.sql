/* index_advisor 0.2 part: autopilot stage(s) idx_autopilot_propose (a stub; see 86_autopilot.sql). */

CREATE FUNCTION @extschema@.idx_autopilot_propose(cycle bigint, policy @extschema@.idx_autopilot_policy)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_propose$
BEGIN
    NULL;   -- not built yet
END
$idx_autopilot_propose$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_propose(bigint, @extschema@.idx_autopilot_policy) IS
    'internal (idx_autopilot_run): a stage of the cycle (not built yet)';

