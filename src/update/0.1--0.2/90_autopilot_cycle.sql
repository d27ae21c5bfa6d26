/* index_advisor 0.2 part: one autopilot cycle, and the job that runs it.
 *
 *  * idx_autopilot_run() -- one cycle, as the policy's owner: it takes a
 *    snapshot (86), then runs the stages, each an SQL function of its own
 *    part:
 *      idx_autopilot_progress(cycle)   88: building -> validating / failed
 *      idx_autopilot_validate(cycle)   88: validating -> kept / reverted
 *      idx_autopilot_drops(cycle)      89: hide, drop, unhide
 *      idx_autopilot_propose(cycle)    87: new proposals; queued in apply
 *    and returns the events the cycle recorded.
 *  * idx_check_and_cycle() -- what idx_schedule's pg_cron job runs:
 *    idx_check, then a cycle as the policy's owner, in a subtransaction
 *    whose error is a WARNING and never undoes the check.
 * Created after the stages it calls.
 * Reference: doc/autopilot.md. */

-- ---------------------------------------------------------------------
-- One cycle
-- ---------------------------------------------------------------------

-- The caller must be the policy's owner (it acts as that role and no
-- other: whatever it plans, builds, hides or drops is checked against the
-- owner's privileges) and still a member of index_advisor_admin.
CREATE FUNCTION @extschema@.idx_autopilot_run()
RETURNS TABLE(recommendation_id bigint, action text, kind text, target text,
              status text, detail text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_run$
#variable_conflict use_column
DECLARE
    policy  @extschema@.idx_autopilot_policy;
    this_cycle  bigint;
    pass    integer;
BEGIN
    PERFORM @extschema@.idx_refuse_in_recovery('idx_autopilot_run()');
    SELECT * INTO policy FROM @extschema@.idx_autopilot_policy;
    IF policy.mode = 'off' THEN
        RETURN;     -- off: no snapshot, no step
    END IF;
    -- one cycle at a time per database, and no policy change during one:
    -- the policy's row stays locked until the cycle's transaction ends.
    -- The owner is checked before the wait (no lock for a caller that is
    -- not the owner) and again after it, on the policy the cycle will run:
    -- another admin may have set it meanwhile, and a cycle acts as the
    -- owner and as no other.
    FOR pass IN 1 .. 2 LOOP
        IF policy.owner::oid <> @extschema@.idx_autopilot_me()::oid THEN
            RAISE EXCEPTION 'only the autopilot policy''s owner "%" may run a cycle', policy.owner
                USING ERRCODE = 'insufficient_privilege',
                      DETAIL = 'A cycle acts as the role that set the policy, and as no other.',
                      HINT = format('Run it as %s (SET ROLE), or set the policy again as this role with idx_autopilot_set().', policy.owner);
        END IF;
        EXIT WHEN pass = 2;
        PERFORM 1 FROM @extschema@.idx_autopilot_config c FOR UPDATE;
        SELECT * INTO policy FROM @extschema@.idx_autopilot_policy;
        IF policy.mode = 'off' THEN
            RETURN;
        END IF;
    END LOOP;
    this_cycle := @extschema@.idx_autopilot_snapshot();
    IF (SELECT s.note FROM @extschema@.idx_autopilot_snapshots s WHERE s.id = this_cycle) IS NOT NULL THEN
        PERFORM @extschema@.idx_autopilot_event(this_cycle, NULL, 'note',
            (SELECT s.note FROM @extschema@.idx_autopilot_snapshots s WHERE s.id = this_cycle));
    END IF;
    -- schemas of the path statements are planned and queued under that
    -- other roles may create in are left out of it (87, session_path)
    IF @extschema@.idx_autopilot_path_note() IS NOT NULL THEN
        PERFORM @extschema@.idx_autopilot_event(this_cycle, NULL, 'note',
                                               @extschema@.idx_autopilot_path_note());
    END IF;
    PERFORM @extschema@.idx_autopilot_progress(this_cycle, policy);
    PERFORM @extschema@.idx_autopilot_validate(this_cycle, policy);
    PERFORM @extschema@.idx_autopilot_drops(this_cycle, policy);
    PERFORM @extschema@.idx_autopilot_propose(this_cycle, policy);
    -- statements the stages could not analyse as their authors are no
    -- table's (idx_autopilot_reads): how many, by queryid and SQLSTATE
    -- only (a message may quote another role's text); those with
    -- autopilot_min_calls calls in the cycle's window, the workload (a
    -- statement run a few times, such as the build worker's own, is none)
    PERFORM @extschema@.idx_autopilot_event(this_cycle, NULL, 'note',
               format('%s statement%s could not be analysed as %s author%s under the cycle''s search_path, so %s counted among no table''s statements (%s%s).',
                      count(*), CASE WHEN count(*) > 1 THEN 's' END,
                      CASE WHEN count(*) > 1 THEN 'their' ELSE 'its' END,
                      CASE WHEN count(*) > 1 THEN 's' END,
                      CASE WHEN count(*) > 1 THEN 'they are' ELSE 'it is' END,
                      string_agg(format('queryid %s of %s: SQLSTATE %s', f.queryid,
                                        f.userid::regrole::text, f.sqlstate), '; ')
                          FILTER (WHERE f.n <= 5),
                      CASE WHEN count(*) > 5 THEN '; ...' ELSE '' END))
      FROM (SELECT x.*, row_number() OVER (ORDER BY x.userid, x.queryid) AS n
              FROM @extschema@.idx_autopilot_reads_failures() x
              JOIN @extschema@.idx_autopilot_window(@extschema@.idx_autopilot_window_from(this_cycle),
                                                    this_cycle) w
                ON w.userid = x.userid AND w.queryid = x.queryid
             WHERE w.calls >= (@extschema@.idx_autopilot_settings()).min_calls) f
    HAVING count(*) > 0;
    RETURN QUERY
        SELECT e.recommendation_id, e.action, r.kind,
               COALESCE(quote_ident(r.schema_name) || '.' || quote_ident(r.index_name), r.definition),
               e.status, e.detail
          FROM @extschema@.idx_autopilot_events e
          LEFT JOIN @extschema@.idx_recommendations r ON r.id = e.recommendation_id
         WHERE e.cycle = this_cycle
           -- its own steps: another admin may add steps under a cycle's id
           AND e.role_oid::pg_catalog.oid = @extschema@.idx_autopilot_me()::pg_catalog.oid
         ORDER BY e.id;
END
$idx_autopilot_run$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_run() IS
    'one autopilot cycle (as the policy''s owner): snapshot pg_stat_statements, follow builds, validate built indexes, hide/drop/unhide (drops => true), propose new indexes (and queue them in apply mode); returns the steps it took';
REVOKE ALL ON FUNCTION @extschema@.idx_autopilot_run() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_autopilot_run() TO index_advisor_admin;

-- ---------------------------------------------------------------------
-- The scheduled job: idx_check, then a cycle
-- ---------------------------------------------------------------------

-- What idx_schedule's pg_cron job runs (32_schedule.sql).  idx_check first;
-- then, when the policy is not off and the job's role is the policy's
-- owner, one cycle in a subtransaction of its own: a cycle's error is
-- reported (WARNING, in the server log and in pg_cron's) and undoes the
-- cycle only, never idx_check's work.  Another role's job skips the cycle
-- with a WARNING that says whose it is.  Returns idx_check's findings.
-- Not SECURITY DEFINER: the cycle runs as the job's role.
CREATE FUNCTION @extschema@.idx_check_and_cycle()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_check_and_cycle$
DECLARE
    findings bigint;
    owner    pg_catalog.regrole;
    mode     text;
    steps    bigint;
    state    text;
    msg      text;
BEGIN
    SELECT count(*) INTO findings FROM @extschema@.idx_check();
    SELECT p.mode, p.owner INTO mode, owner FROM @extschema@.idx_autopilot_policy p;
    IF mode = 'off' THEN
        RETURN findings;
    END IF;
    IF owner::oid <> @extschema@.idx_autopilot_me()::oid THEN
        RAISE WARNING 'autopilot cycle skipped: this job runs as "%", the autopilot policy''s owner is "%"',
                      current_user, owner
            USING DETAIL = 'A cycle acts as the role that set the policy, and as no other.',
                  HINT = format('Schedule the job as %s (idx_schedule() run by that role), or set the policy again as %s with idx_autopilot_set().',
                                owner, current_user);
        RETURN findings;
    END IF;
    BEGIN
        SELECT count(*) INTO steps FROM @extschema@.idx_autopilot_run();
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        RAISE WARNING 'autopilot cycle failed: %', msg
            USING DETAIL = format('SQLSTATE %s. idx_check''s findings were kept; the cycle was undone, and the next one starts afresh.', state),
                  HINT = 'Run SELECT * FROM idx_autopilot_run() by hand to see the error in full.';
    END;
    RETURN findings;
END
$idx_check_and_cycle$;
COMMENT ON FUNCTION @extschema@.idx_check_and_cycle() IS
    'what idx_schedule''s pg_cron job runs: idx_check(), then one autopilot cycle when the policy is not off and the job''s role owns it (an error of the cycle is a WARNING and undoes the cycle only); returns the number of findings';
REVOKE ALL ON FUNCTION @extschema@.idx_check_and_cycle() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_check_and_cycle() TO index_advisor_admin;
