/* index_advisor 0.2 part: the autopilot for people -- recommend mode and
 * the report.
 *
 *  * idx_recommendation_apply(id), idx_recommendation_reject(id, reason)
 *    -- recommend mode: a person decides.  Approving queues a create
 *    (idx_autopilot_queue, 87) or hides a drop (idx_autopilot_hide, 89).
 *  * idx_autopilot_report() -- totals first, then one row per
 *    recommendation: what, why, measured before and after, time saved per
 *    day (only from a window of at least autopilot_min_window), bytes.
 * Reference: doc/autopilot.md, "Recommend mode", "Report". */

-- ---------------------------------------------------------------------
-- Recommend mode: a person decides
-- ---------------------------------------------------------------------

-- The recommendation, locked, or the errors a person can act on; the
-- cycle id of events recorded outside a cycle is the latest snapshot's.
CREATE FUNCTION @extschema@.idx_recommendation_get(rec_id bigint, want text,
                                                  OUT rec @extschema@.idx_recommendations,
                                                  OUT cycle bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_recommendation_get$
BEGIN
    SELECT * INTO rec FROM @extschema@.idx_recommendations r WHERE r.id = rec_id FOR UPDATE;
    IF rec.id IS NULL THEN
        RAISE EXCEPTION 'recommendation % does not exist', rec_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'The autopilot''s recommendations are the rows of idx_recommendations.';
    END IF;
    IF rec.status <> @extschema@.idx_autopilot_status('proposed') THEN
        RAISE EXCEPTION 'recommendation % is %, not proposed', rec_id, rec.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Only a proposed recommendation can be %s; its reason: %s', want,
                                  COALESCE(rec.reason, 'none recorded.')),
                  HINT = CASE rec.status
                             WHEN 'building' THEN 'It is being built: idx_cancel or idx_rollback its history row to stop it.'
                             WHEN 'validating' THEN 'It is built and being measured: idx_rollback its history row to remove it.'
                             WHEN 'kept' THEN 'It is built and kept: idx_rollback its history row to remove it.'
                             WHEN 'hidden' THEN 'Its index is hidden: idx_unhide brings it back.'
                             ELSE 'A later cycle may propose it again when its workload changes.' END;
    END IF;
    SELECT COALESCE(max(s.id), 0) INTO cycle FROM @extschema@.idx_autopilot_snapshots s;
END
$idx_recommendation_get$;
COMMENT ON FUNCTION @extschema@.idx_recommendation_get(bigint, text) IS
    'internal (idx_recommendation_apply, _reject): the proposed recommendation, locked, and the latest cycle; P0002 when there is none, 55000 when it is not proposed';

CREATE FUNCTION @extschema@.idx_recommendation_apply(id bigint)
RETURNS SETOF @extschema@.idx_recommendations
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_recommendation_apply$
DECLARE
    got   record;
BEGIN
    PERFORM @extschema@.idx_refuse_in_recovery('idx_recommendation_apply()');
    SELECT * INTO got FROM @extschema@.idx_recommendation_get(id, 'applied');
    IF (got.rec).kind = 'create' THEN
        PERFORM @extschema@.idx_autopilot_queue(got.cycle, (got.rec).id, true);
    ELSE
        -- a drop: hidden first, by the drop stage's one way to hide
        -- (89_autopilot_drops.sql; outside a cycle, so its window after
        -- starts at the next cycle); it drops it after hide_for unless a
        -- statement of its table got slower
        PERFORM @extschema@.idx_autopilot_hide((got.rec).id, NULL);
    END IF;
    RETURN QUERY SELECT * FROM @extschema@.idx_recommendations r WHERE r.id = (got.rec).id;
END
$idx_recommendation_apply$;
COMMENT ON FUNCTION @extschema@.idx_recommendation_apply(bigint) IS
    'approve a proposed recommendation (index_advisor_admin): a create is queued through idx_apply (migration autopilot) as the caller, a drop is hidden first; returns the row';
REVOKE ALL ON FUNCTION @extschema@.idx_recommendation_apply(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_recommendation_apply(bigint) TO index_advisor_admin;

CREATE FUNCTION @extschema@.idx_recommendation_reject(id bigint, reason text)
RETURNS SETOF @extschema@.idx_recommendations
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_recommendation_reject$
DECLARE
    got   record;
BEGIN
    PERFORM @extschema@.idx_refuse_in_recovery('idx_recommendation_reject()');
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a rejection needs a reason'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Say why in a sentence, for example ''the table is rewritten every night''.';
    END IF;
    SELECT * INTO got FROM @extschema@.idx_recommendation_get(id, 'rejected');
    PERFORM @extschema@.idx_autopilot_event(got.cycle, (got.rec).id, 'rejected',
        format('Rejected by %s: %s', current_user, reason), 'rejected');
    RETURN QUERY SELECT * FROM @extschema@.idx_recommendations r WHERE r.id = (got.rec).id;
END
$idx_recommendation_reject$;
COMMENT ON FUNCTION @extschema@.idx_recommendation_reject(bigint, text) IS
    'refuse a proposed recommendation (index_advisor_admin), with the reason; the autopilot does not propose it again unless its workload changes (idx_autopilot_workload_changed); returns the row';
REVOKE ALL ON FUNCTION @extschema@.idx_recommendation_reject(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_recommendation_reject(bigint, text) TO index_advisor_admin;

-- ---------------------------------------------------------------------
-- The report
-- ---------------------------------------------------------------------

-- A duration in ms per day as people read it: "41 min/day", "350 ms/day".
CREATE FUNCTION @extschema@.idx_autopilot_per_day(ms double precision)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN $1 IS NULL THEN NULL
                WHEN abs($1) >= 3600000 THEN round(($1 / 3600000)::numeric, 1) || ' h/day'
                WHEN abs($1) >= 60000 THEN round($1 / 60000) || ' min/day'
                WHEN abs($1) >= 1000 THEN round(($1 / 1000)::numeric, 1) || ' s/day'
                ELSE round($1::numeric, 1) || ' ms/day' END
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_per_day(double precision) IS
    'internal (idx_autopilot_report): milliseconds per day as people read them';

-- Evidence (88's and 89's shape) in one line: per target statement, mean
-- before -> after over calls, and the two windows.
CREATE FUNCTION @extschema@.idx_autopilot_measured(evidence jsonb, statements jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        -- validation's evidence once it has per-statement figures (88
        -- writes some counters earlier, when the index becomes valid)
        WHEN $1 ? 'statements' THEN
            (SELECT string_agg(format('%s: %s -> %s ms (%s -> %s calls)',
                                      left(regexp_replace(s ->> 'query', E'\\s+', ' ', 'g'), 60),
                                      round((s ->> 'mean_before')::numeric, 3),
                                      round((s ->> 'mean_after')::numeric, 3),
                                      s ->> 'calls_before', s ->> 'calls_after'), '; ')
               FROM jsonb_array_elements(COALESCE($1 -> 'statements', '[]')) s
              WHERE COALESCE((s ->> 'target')::boolean, true))
            || format(' (before: %s s, after: %s s)',
                      round(($1 #>> '{before,seconds}')::numeric), round(($1 #>> '{after,seconds}')::numeric))
            || CASE WHEN $1 ? 'gain' THEN format('; gain %s%%', round(100 * ($1 ->> 'gain')::numeric)) ELSE '' END
        ELSE
            (SELECT 'before: ' || string_agg(format('%s: %s ms over %s calls',
                                      left(regexp_replace(s ->> 'query', E'\\s+', ' ', 'g'), 60),
                                      round((s ->> 'mean_ms')::numeric, 3), s ->> 'calls'), '; ')
                    || '; not measured after yet'
               FROM jsonb_array_elements(COALESCE($2, '[]')) s)
        END
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_measured(jsonb, jsonb) IS
    'internal (idx_autopilot_report): what was measured before and after, in one line, from a recommendation''s evidence (or its statements before, until there is evidence)';

CREATE FUNCTION @extschema@.idx_autopilot_report()
RETURNS TABLE(recommendation_id bigint, kind text, status text, what text,
              why text, measured text, saved_per_day text, bytes bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_report$
#variable_conflict use_column
DECLARE
    min_window text := extract(epoch FROM (@extschema@.idx_autopilot_settings()).min_window)::bigint || ' s';
BEGIN
    -- one place for a recommendation's bytes: its index's size while it
    -- exists (kept, validating), else the estimate; a drop frees them
    RETURN QUERY
    WITH r AS (
        SELECT x.*,
               CASE WHEN x.kind = 'drop' AND x.status = @extschema@.idx_autopilot_status('dropped') THEN -x.est_size
                    WHEN x.kind = 'drop' THEN 0
                    ELSE COALESCE((SELECT pg_relation_size(c.oid) FROM pg_class c
                                    WHERE c.oid = x.index_oid AND c.relkind IN ('i', 'I')),
                                  CASE WHEN x.status IN (@extschema@.idx_autopilot_status('reverted'), @extschema@.idx_autopilot_status('rejected'), @extschema@.idx_autopilot_status('expired')) THEN 0
                                       ELSE x.est_size END)
               END AS b,
               (x.evidence ->> 'saved_ms_per_day')::float8 AS saved
          FROM @extschema@.idx_recommendations x
    ), n AS (
        SELECT count(*) FILTER (WHERE r.status = @extschema@.idx_autopilot_status('kept')) AS kept,
               sum(r.saved) FILTER (WHERE r.status = @extschema@.idx_autopilot_status('kept')) AS saved,
               count(*) FILTER (WHERE r.status = @extschema@.idx_autopilot_status('kept') AND r.saved IS NULL) AS unmeasured,
               sum(r.b) FILTER (WHERE r.status = @extschema@.idx_autopilot_status('kept'))::bigint AS kept_bytes,
               count(*) FILTER (WHERE r.status = @extschema@.idx_autopilot_status('reverted')) AS reverted,
               count(*) FILTER (WHERE r.status = @extschema@.idx_autopilot_status('hidden')) AS hidden,
               count(*) FILTER (WHERE r.status = @extschema@.idx_autopilot_status('dropped')) AS dropped,
               count(*) FILTER (WHERE r.status = @extschema@.idx_autopilot_status('proposed')) AS proposed,
               count(*) FILTER (WHERE r.status IN (@extschema@.idx_autopilot_status('building'), @extschema@.idx_autopilot_status('validating'))) AS building,
               count(*) FILTER (WHERE r.status = @extschema@.idx_autopilot_status('rejected')) AS rejected
          FROM r
    )
    SELECT NULL::bigint, NULL::text, NULL::text,
           format('%s %s kept: %s saved%s, %s; %s reverted; %s hidden, %s dropped; %s proposed, %s building or validating, %s rejected',
                  n.kept, CASE WHEN n.kept = 1 THEN 'index' ELSE 'indexes' END,
                  COALESCE(@extschema@.idx_autopilot_per_day(n.saved), '0 min/day'),
                  CASE WHEN n.unmeasured > 0
                       THEN format(' (%s measured over less than %s: not counted)', n.unmeasured, min_window) ELSE '' END,
                  @extschema@.idx_autopilot_bytes(COALESCE(n.kept_bytes, 0)),
                  n.reverted, n.hidden, n.dropped, n.proposed, n.building, n.rejected),
           NULL::text, NULL::text, @extschema@.idx_autopilot_per_day(n.saved), n.kept_bytes
      FROM n
    UNION ALL
    (SELECT r.id, r.kind, r.status, r.definition, r.reason,
            @extschema@.idx_autopilot_measured(r.evidence, r.statements),
            CASE WHEN r.saved IS NOT NULL THEN @extschema@.idx_autopilot_per_day(r.saved)
                 WHEN r.evidence IS NOT NULL
                 THEN format('not extrapolated: measured over %s s, less than autopilot_min_window (%s)',
                             round((r.evidence #>> '{after,seconds}')::numeric), min_window)
            END,
            r.b
       FROM r ORDER BY r.id);
END
$idx_autopilot_report$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_report() IS
    'what the autopilot did: a first row of totals (kept with time saved per day and bytes, reverted, hidden, dropped, pending), then one row per recommendation you may read: what, why, measured before and after, time saved per day (only from a window of at least autopilot_min_window), bytes spent (negative: freed)';
GRANT EXECUTE ON FUNCTION @extschema@.idx_autopilot_report() TO PUBLIC;

-- internal: the approval's
REVOKE ALL ON FUNCTION @extschema@.idx_recommendation_get(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_recommendation_get(bigint, text) TO index_advisor_admin;
