/* index_advisor 0.2 part: autopilot stage(s) idx_autopilot_progress idx_autopilot_validate (a stub; see 86_autopilot.sql). */

CREATE FUNCTION @extschema@.idx_autopilot_progress(cycle bigint, policy @extschema@.idx_autopilot_policy)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_progress$
BEGIN
    NULL;   -- not built yet
END
$idx_autopilot_progress$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_progress(bigint, @extschema@.idx_autopilot_policy) IS
    'internal (idx_autopilot_run): a stage of the cycle (not built yet)';

CREATE FUNCTION @extschema@.idx_autopilot_validate(cycle bigint, policy @extschema@.idx_autopilot_policy)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_validate$
BEGIN
    NULL;   -- not built yet
END
$idx_autopilot_validate$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_validate(bigint, @extschema@.idx_autopilot_policy) IS
    'internal (idx_autopilot_run): a stage of the cycle (not built yet)';

