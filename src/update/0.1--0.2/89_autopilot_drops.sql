/* index_advisor 0.2 part: the autopilot's drops (stage 3 of a cycle).
 *
 * With the policy's drops => true, an index nobody needs is hidden first
 * (idx_hide: every planner skips it, writes keep it current), measured,
 * and then dropped concurrently; if a statement of its table got slower
 * while it was hidden, it is shown again at once and recorded as needed.
 *
 *  * Candidates (idx_autopilot_drop_candidates): indexes that idx_report()
 *    calls "unused for N days" (no scan within index_advisor.unused_after
 *    on any node: 78_nodes.sql's rule; never "unknown"), and those the last
 *    idx_check() found a duplicate or a leading prefix of another index
 *    (idx_check_catalog's rules, 60_check.sql: the findings are the rule's
 *    one output).  An index idx_apply did not build has no scan counts on
 *    the standbys: it is a candidate for being unused only while no
 *    standby is registered.  While a standby streams from here and is not
 *    registered (the last idx_check()'s unregistered_standby finding),
 *    nothing is called unused.
 *  * Never (idx_autopilot_drop_refusal, asked at the proposal, at the hide
 *    and again at the drop): an index that backs a constraint
 *    (pg_constraint.conindid) or is unique, primary or exclusion, the
 *    replica identity, an index not valid, a partitioned index or a
 *    partition's, a system index, one outside policy.schemas, one on a
 *    table whose owner the policy's owner may not act for, one of a table
 *    that belongs to an extension (index_advisor's own, say).
 *  * One at a time per table (idx_autopilot_drop_busy): no drop is
 *    proposed on a table with another live recommendation (create or
 *    drop) or another hidden index, so that a statement that got slower
 *    points at one index.
 *  * A drop recommendation: 'proposed' -> 'hidden' (idx_autopilot_hide:
 *    apply mode at once, recommend mode when a person approves it through
 *    idx_recommendation_apply) -> after policy.hide_for, 'dropped' (a DROP
 *    INDEX CONCURRENTLY queued through idx_apply_script, migration
 *    'autopilot': an idx_history drop row) or, on a regression,
 *    'reverted' (idx_unhide).  The regression test is
 *    idx_autopilot_slower(before, after, policy.max_regression) per
 *    statement that reads the table (idx_autopilot_reads_table, 86:
 *    analysed as its author, views expanded), before = the window before
 *    the hide, after = since it.  Each at alpha, no Bonferroni: one
 *    statement slower is enough to show the index again, so statements
 *    others add can only keep an index, never have one dropped.
 *  * drops => false (set while some are live): proposals expire, hidden
 *    indexes are shown again and expire.
 *
 * Every step is recorded with idx_autopilot_event (86_autopilot.sql).
 * Reference: doc/autopilot.md, "Drops".
 */

-- ---------------------------------------------------------------------
-- What may never be hidden or dropped, and what must wait
-- ---------------------------------------------------------------------

-- NULL when the autopilot may hide and drop the index for the policy's
-- owner; else why not, as a sentence's end.
CREATE FUNCTION @extschema@.idx_autopilot_drop_refusal(index_oid pg_catalog.oid,
                                                      owner pg_catalog.regrole,
                                                      schemas text[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_drop_refusal$
    SELECT CASE
        WHEN c.oid IS NULL THEN 'the index no longer exists'
        WHEN x.indexrelid IS NULL OR c.relkind <> 'i' OR t.relkind NOT IN ('r', 'm') THEN
            'it is not an index of a plain table (a partitioned index is never hidden or dropped)'
        WHEN n.nspname LIKE E'pg\\_temp\\_%' THEN 'it is a temporary index'
        -- what no drop may ever touch: the advisor's rule, written once
        WHEN r.never IS NOT NULL THEN r.never
        WHEN $3 IS NOT NULL AND NOT n.nspname = ANY ($3) THEN
            format('schema %s is not among the policy''s schemas', quote_ident(n.nspname))
        WHEN NOT pg_has_role($2, t.relowner, 'USAGE') THEN
            format('the policy''s owner %s may not act for %s, the owner of table %s',
                   $2, t.relowner::regrole, t.oid::regclass)
    END
      FROM (SELECT $1 AS oid) a
      LEFT JOIN pg_class c ON c.oid = a.oid
      LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_index x ON x.indexrelid = c.oid
      LEFT JOIN pg_class t ON t.oid = x.indrelid
      LEFT JOIN LATERAL (SELECT @extschema@.idx_index_drop_refusal(c.oid) AS never) r ON true
$idx_autopilot_drop_refusal$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_drop_refusal(pg_catalog.oid, pg_catalog.regrole, text[]) IS
    'internal (autopilot drops): NULL when the autopilot may hide and drop the index for the policy''s owner; else why never (constraint, unique, replica identity, partition, extension''s table, not valid, schema, table owner)';

-- NULL when nothing else is going on with the index or its table; else
-- what, as a sentence's end.  rec_id: the drop recommendation asking (its
-- own row and its own hide do not count).
CREATE FUNCTION @extschema@.idx_autopilot_drop_busy(index_oid pg_catalog.oid, rec_id bigint)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_drop_busy$
    WITH i AS (
        SELECT x.indexrelid, x.indrelid FROM pg_index x WHERE x.indexrelid = $1
    ), hidden AS (
        SELECT l.history_id,
               @extschema@.idx_hidden_resolve(l.index_oid, l.table_oid, l.index_table_oid,
                                              l.schema_name, l.index_name)::oid AS index_oid,
               l.table_oid::oid AS table_oid
          FROM @extschema@.idx_hidden_indexes l
         WHERE l.history_id IS DISTINCT FROM
               (SELECT r.history_id FROM @extschema@.idx_recommendations r
                 WHERE r.id = $2 AND r.status = @extschema@.idx_autopilot_status('hidden'))
    )
    SELECT COALESCE(
        (SELECT format('it is hidden already (history row %s)', h.history_id)
           FROM hidden h, i WHERE h.index_oid = i.indexrelid LIMIT 1),
        (SELECT format('index %s of the same table is hidden: one at a time per table', h.index_oid::regclass)
           FROM hidden h, i WHERE h.table_oid = i.indrelid LIMIT 1),
        (SELECT format('recommendation %s (%s, %s) is live on the same table: one at a time per table',
                       r.id, r.kind, r.status)
           FROM @extschema@.idx_recommendations r
           JOIN @extschema@.idx_autopilot_statuses() s ON s.status = r.status AND s.live, i
          WHERE r.table_oid = i.indrelid AND r.id IS DISTINCT FROM $2
          ORDER BY r.id LIMIT 1),
        (SELECT format('history row %s (%s, %s) is still under way on it', h.id, h.operation, h.status)
           FROM @extschema@.idx_history h, i
          WHERE h.index_oid::oid = i.indexrelid AND @extschema@.idx_status_live(h.status)
          ORDER BY h.id LIMIT 1))
$idx_autopilot_drop_busy$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_drop_busy(pg_catalog.oid, bigint) IS
    'internal (autopilot drops): NULL when the index may be hidden now; else what is under way (hidden already, another hidden index or live recommendation on its table, an unfinished history row)';

-- ---------------------------------------------------------------------
-- Candidates
-- ---------------------------------------------------------------------

-- Indexes nobody needs, with why: idx_report's "unused for N days" (the
-- usage rules of 60_check.sql and 78_nodes.sql), and the duplicate and
-- redundant findings of the last idx_check() (60_check.sql
-- idx_check_catalog).  withheld: why an unused one may not be taken for
-- unused after all (a standby whose use of it is not known); NULL for
-- the others.  Not yet filtered by idx_autopilot_drop_refusal.
CREATE FUNCTION @extschema@.idx_autopilot_drop_candidates()
RETURNS TABLE(index_oid pg_catalog.oid, redundant boolean, why text, withheld text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_drop_candidates$
    WITH standbys AS (
        -- standbys that stream from here but are not registered (the last
        -- idx_check()'s findings, 78_nodes.sql): their use of any index is
        -- unknown
        SELECT (SELECT string_agg(f.index_name, ', ' ORDER BY f.index_name)
                  FROM @extschema@.idx_findings f
                 WHERE f.kind = 'unregistered_standby' AND f.resolved_at IS NULL) AS unregistered,
               (SELECT string_agg(n.name, ', ' ORDER BY n.name)
                  FROM @extschema@.idx_node_states() n) AS registered
    ), report AS (
        SELECT r.id, r.index_name, r.table_name, r.verdict
          FROM @extschema@.idx_report(NULL, true) r
         WHERE r.verdict LIKE 'unused for %'
    )
    SELECT COALESCE(h.index_oid::oid,
                    (SELECT CASE WHEN count(*) = 1 THEN min(s.indexrelid) END
                       FROM pg_stat_user_indexes s
                      WHERE s.indexrelname = r.index_name AND s.relname = r.table_name)),
           false,
           format('%s on every node (idx_report)', r.verdict),
           CASE WHEN sb.unregistered IS NOT NULL THEN
                    format('standby %s streams from this server but is not registered (idx_node_add): what it serves is not known',
                           sb.unregistered)
                -- not built through idx_apply: no node counts its scans
                WHEN r.id IS NULL AND sb.registered IS NOT NULL THEN
                    format('the scans of indexes not built through idx_apply are not counted on standby %s',
                           sb.registered) END
      FROM report r
      LEFT JOIN @extschema@.idx_history h ON h.id = r.id
     CROSS JOIN standbys sb
    UNION ALL
    SELECT to_regclass(format('%I.%I', f.schema_name, f.index_name))::oid, true,
           format('%s (idx_check: %s)', f.kind, f.detail), NULL
      FROM @extschema@.idx_findings f
     WHERE f.resolved_at IS NULL AND f.kind IN ('duplicate', 'redundant')
$idx_autopilot_drop_candidates$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_drop_candidates() IS
    'internal (autopilot drops): indexes idx_report calls unused on every node, and the duplicate and redundant ones of the last idx_check(), with why, and why an unused one is withheld (standbys)';

-- ---------------------------------------------------------------------
-- Measuring: the statements of a table before and after
-- ---------------------------------------------------------------------

-- The statements of a table (those that read it: idx_autopilot_reads_table)
-- in a window, as idx_recommendations.statements holds them, most time
-- first.
CREATE FUNCTION @extschema@.idx_autopilot_drop_statements(table_oid pg_catalog.regclass,
                                                         from_snapshot bigint,
                                                         to_snapshot bigint)
RETURNS jsonb
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_drop_statements$
    SELECT COALESCE(jsonb_agg(jsonb_build_object(
               'userid', w.userid::bigint, 'queryid', w.queryid, 'query', w.query,
               'calls', w.calls, 'mean_ms', w.mean_ms, 'stddev_ms', w.stddev_ms,
               'total_ms', w.total_ms) ORDER BY w.total_ms DESC, w.queryid), '[]')
      FROM @extschema@.idx_autopilot_window($2, $3) w,
           (SELECT @extschema@.idx_autopilot_trusted_path() AS path) p
     WHERE @extschema@.idx_autopilot_reads_table(w.userid, w.queryid, w.query, $1, p.path)
$idx_autopilot_drop_statements$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_drop_statements(pg_catalog.regclass, bigint, bigint) IS
    'internal (autopilot drops): the statements of a table in a window, as idx_recommendations.statements holds them';

-- Each statement of the table in the window before (bf..bt) and after
-- (af..at): p is Welch's p-value of "after is more than (1 + by) times
-- before", slower the decision (idx_autopilot_slower, and more work per
-- call: idx_autopilot_more_work); both NULL unless it ran at least twice
-- in each window.
CREATE FUNCTION @extschema@.idx_autopilot_drop_compare(table_oid pg_catalog.regclass,
                                                      bf bigint, bt bigint,
                                                      af bigint, at bigint,
                                                      by double precision)
RETURNS TABLE(userid pg_catalog.oid, queryid bigint, query text,
              calls_before bigint, mean_before double precision, sd_before double precision,
              calls_after bigint, mean_after double precision, sd_after double precision,
              p double precision, slower boolean)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_drop_compare$
    WITH p AS (SELECT @extschema@.idx_autopilot_trusted_path() AS path)
    SELECT COALESCE(b.userid, a.userid), COALESCE(b.queryid, a.queryid),
           COALESCE(b.query, a.query),
           COALESCE(b.calls, 0), b.mean_ms, b.stddev_ms,
           COALESCE(a.calls, 0), a.mean_ms, a.stddev_ms,
           CASE WHEN b.calls >= 2 AND a.calls >= 2 THEN
               (SELECT w.p_slower
                  FROM @extschema@.idx_autopilot_welch(b.mean_ms, COALESCE(b.stddev_ms, 'NaN'), b.calls,
                                                       a.mean_ms, COALESCE(a.stddev_ms, 'NaN'), a.calls,
                                                       $6) w) END,
           -- slower in time and in work (idx_autopilot_more_work, 88)
           CASE WHEN b.calls >= 2 AND a.calls >= 2 THEN
               @extschema@.idx_autopilot_slower(b.mean_ms, b.stddev_ms, b.calls,
                                                a.mean_ms, a.stddev_ms, a.calls, $6)
               AND @extschema@.idx_autopilot_more_work(b.calls, b.blocks, b.wal_records,
                                                       a.calls, a.blocks, a.wal_records, $6) END
      FROM (SELECT w.* FROM @extschema@.idx_autopilot_window($2, $3) w, p
             WHERE @extschema@.idx_autopilot_reads_table(w.userid, w.queryid, w.query, $1, p.path)) b
      FULL JOIN (SELECT w.* FROM @extschema@.idx_autopilot_window($4, $5) w, p
                  WHERE @extschema@.idx_autopilot_reads_table(w.userid, w.queryid, w.query, $1, p.path)) a
             ON a.userid = b.userid AND a.queryid = b.queryid
$idx_autopilot_drop_compare$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_drop_compare(pg_catalog.regclass, bigint, bigint, bigint, bigint, double precision) IS
    'internal (autopilot drops): each statement of a table before and after, with Welch''s p-value and the decision of idx_autopilot_slower';

-- The evidence of a drop recommendation up to snapshot "upto", in the
-- shape validation writes (doc/autopilot.md, "Evidence and its window"):
-- every statement of the table is a target; gain is the fraction of their
-- time saved at the after window's calls (negative: slower without the
-- index); hot_before/hot_after are NULL: a hidden index is still
-- maintained, so hiding it cannot change the HOT share.
CREATE FUNCTION @extschema@.idx_autopilot_drop_evidence(rec_id bigint, upto bigint,
                                                       by double precision)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_drop_evidence$
    WITH r AS (
        SELECT * FROM @extschema@.idx_recommendations r WHERE r.id = $1
    ), w AS (
        SELECT bf.taken_at AS bf_at, bt.taken_at AS bt_at, af.taken_at AS af_at, t.taken_at AS at_at,
               extract(epoch FROM t.taken_at - af.taken_at)::double precision AS after_s
          FROM r
          JOIN @extschema@.idx_autopilot_snapshots bf ON bf.id = r.before_from
          JOIN @extschema@.idx_autopilot_snapshots bt ON bt.id = r.before_to
          JOIN @extschema@.idx_autopilot_snapshots af ON af.id = r.after_from
          JOIN @extschema@.idx_autopilot_snapshots t ON t.id = $2
    ), c AS (
        SELECT c.* FROM r, @extschema@.idx_autopilot_drop_compare(r.table_oid, r.before_from, r.before_to,
                                                                 r.after_from, $2, $3) c
    ), both_windows AS (
        SELECT sum(c.mean_before * c.calls_after) AS before_ms,
               sum(c.mean_after * c.calls_after) AS after_ms
          FROM c WHERE c.calls_before > 0 AND c.calls_after > 0
    )
    SELECT jsonb_build_object(
        'before', jsonb_build_object('from', w.bf_at, 'to', w.bt_at,
                                     'seconds', extract(epoch FROM w.bt_at - w.bf_at)),
        'after', jsonb_build_object('from', w.af_at, 'to', w.at_at, 'seconds', w.after_s),
        'statements', (SELECT COALESCE(jsonb_agg(jsonb_build_object(
                           'queryid', c.queryid, 'userid', c.userid::bigint, 'query', c.query,
                           'target', true,
                           'calls_before', c.calls_before, 'mean_before', c.mean_before,
                           'sd_before', c.sd_before, 'calls_after', c.calls_after,
                           'mean_after', c.mean_after, 'sd_after', c.sd_after, 'p', c.p)
                           ORDER BY c.calls_after DESC, c.queryid), '[]') FROM c),
        'gain', (SELECT 1 - b.after_ms / NULLIF(b.before_ms, 0) FROM both_windows b),
        'saved_ms_per_day',
            CASE WHEN w.after_s >= extract(epoch FROM (SELECT s.min_window FROM @extschema@.idx_autopilot_settings() s))
                 THEN (SELECT (b.before_ms - b.after_ms) / w.after_s * 86400 FROM both_windows b) END,
        'hot_before', NULL, 'hot_after', NULL)
      FROM w
$idx_autopilot_drop_evidence$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_drop_evidence(bigint, bigint, double precision) IS
    'internal (autopilot drops): the evidence jsonb of a drop recommendation (before: the window before the hide; after: since the hide, up to a snapshot)';

-- ---------------------------------------------------------------------
-- Hide, drop, unhide
-- ---------------------------------------------------------------------

-- Hide the index of drop recommendation rec_id: 'proposed' -> 'hidden'.
-- Called by the cycle in apply mode and by idx_recommendation_apply (91)
-- when a person approves a drop.  As the caller (idx_hide checks that it
-- owns the table or is an admin).  Returns the hide's history row.  The
-- window before is the autopilot window up to the latest snapshot; the
-- window after starts at the cycle's snapshot when the cycle hides in its
-- own transaction, else at the next cycle's.  Errors: 55000 when the
-- recommendation is not a proposed drop, or the index may not or not yet
-- be hidden (the reason in the detail).
CREATE FUNCTION @extschema@.idx_autopilot_hide(rec_id bigint, cycle bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_hide$
DECLARE
    rec       @extschema@.idx_recommendations;
    policy    @extschema@.idx_autopilot_policy;
    why       text;
    hide_id   bigint;
    hidden_at timestamptz;
    last_snap bigint;
    first_snap bigint;
BEGIN
    SELECT * INTO rec FROM @extschema@.idx_recommendations r WHERE r.id = rec_id FOR UPDATE;
    IF NOT FOUND OR rec.kind <> 'drop' OR rec.status <> @extschema@.idx_autopilot_status('proposed') THEN
        RAISE EXCEPTION 'recommendation % is not a proposed drop', rec_id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = CASE WHEN FOUND THEN format('It is a %s with status %s.', rec.kind, rec.status)
                                ELSE 'No recommendation of that id is visible to you.' END;
    END IF;
    SELECT * INTO policy FROM @extschema@.idx_autopilot_policy;
    why := COALESCE(@extschema@.idx_autopilot_drop_refusal(rec.index_oid, rec.role_oid, policy.schemas),
                    @extschema@.idx_autopilot_drop_busy(rec.index_oid, rec.id));
    IF why IS NOT NULL THEN
        RAISE EXCEPTION 'index of recommendation % cannot be hidden now', rec_id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('%s: %s.', COALESCE(rec.index_oid::regclass::text, rec.index_name), why);
    END IF;
    PERFORM @extschema@.idx_hide(rec.index_oid::regclass);
    SELECT l.history_id, l.hidden_at INTO hide_id, hidden_at
      FROM @extschema@.idx_hidden_indexes l WHERE l.index_oid = rec.index_oid;
    -- the window before: up to the latest snapshot, as far back as the
    -- autopilot's window (the proposal's when no newer one spans two)
    SELECT max(s.id) INTO last_snap FROM @extschema@.idx_autopilot_snapshots s;
    first_snap := @extschema@.idx_autopilot_window_from(last_snap);
    UPDATE @extschema@.idx_recommendations r
       SET history_id = hide_id, valid_at = hidden_at,
           before_from = CASE WHEN first_snap IS NOT NULL THEN first_snap ELSE r.before_from END,
           before_to = CASE WHEN first_snap IS NOT NULL THEN last_snap ELSE r.before_to END,
           -- a snapshot of this transaction was taken before the hide takes
           -- effect (at commit): the window after may start there
           after_from = (SELECT s.id FROM @extschema@.idx_autopilot_snapshots s
                          WHERE s.id = cycle AND s.taken_at >= now())
     WHERE r.id = rec_id;
    PERFORM @extschema@.idx_autopilot_event(COALESCE(cycle, last_snap, 0), rec_id, 'hidden',
        format('hid %s (history row %s), %s: dropped after %s unless a statement of %s gets more than %s%% slower meanwhile',
               rec.index_oid::regclass, hide_id, rec.reason, policy.hide_for, rec.table_oid::regclass,
               round((100 * policy.max_regression)::numeric, 1)),
        'hidden');
    RETURN hide_id;
END
$idx_autopilot_hide$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_hide(bigint, bigint) IS
    'internal (autopilot: the cycle in apply mode, idx_recommendation_apply): hide the index of a proposed drop recommendation (idx_hide) and record it hidden; returns the hide''s history row';

-- Show the index of hidden recommendation rec again (idx_unhide) and
-- record new_status ('reverted' or 'expired') with reason.
CREATE FUNCTION @extschema@.idx_autopilot_unhide(rec @extschema@.idx_recommendations, cycle bigint,
                                                new_status text, reason text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_unhide$
DECLARE
    unhide_id bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM @extschema@.idx_hidden_indexes l WHERE l.history_id = rec.history_id) THEN
        PERFORM @extschema@.idx_unhide(rec.index_oid::regclass);
        SELECT max(h.id) INTO unhide_id FROM @extschema@.idx_history h
         WHERE h.operation = 'unhide' AND h.reverts = rec.history_id;
        UPDATE @extschema@.idx_recommendations r SET history_id = unhide_id WHERE r.id = rec.id;
    END IF;
    PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, 'unhidden', reason, new_status);
END
$idx_autopilot_unhide$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_unhide(@extschema@.idx_recommendations, bigint, text, text) IS
    'internal (autopilot drops): show a hidden recommendation''s index again (idx_unhide; history_id becomes the unhide row) and record its new status';

-- One hidden recommendation at a cycle: unhide on a regression, drop after
-- hide_for, or wait.
CREATE FUNCTION @extschema@.idx_autopilot_drop_judge(rec @extschema@.idx_recommendations, cycle bigint,
                                                    policy @extschema@.idx_autopilot_policy)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_drop_judge$
DECLARE
    cfg       record;
    why       text;
    worst     record;
    calls     bigint;
    hidden    interval := now() - rec.valid_at;
    drop_id   bigint;
    idx       text := COALESCE((SELECT k.oid::regclass::text FROM pg_class k WHERE k.oid = rec.index_oid),
                               quote_ident(rec.schema_name) || '.' || quote_ident(rec.index_name));
BEGIN
    SELECT * INTO cfg FROM @extschema@.idx_autopilot_settings();
    IF NOT EXISTS (SELECT 1 FROM @extschema@.idx_hidden_indexes l WHERE l.history_id = rec.history_id) THEN
        PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, 'expired',
            CASE WHEN NOT EXISTS (SELECT 1 FROM pg_class k WHERE k.oid = rec.index_oid)
                 THEN format('%s was dropped outside the autopilot while hidden', idx)
                 ELSE format('%s was shown again outside the autopilot (idx_unhide or idx_rollback of history row %s)',
                             idx, rec.history_id) END,
            'expired');
        RETURN;
    END IF;
    -- as the role that acts now (the policy's owner may have changed)
    why := @extschema@.idx_autopilot_drop_refusal(rec.index_oid, policy.owner, policy.schemas);
    IF why IS NOT NULL THEN
        PERFORM @extschema@.idx_autopilot_unhide(rec, cycle, 'expired',
            format('%s is shown again and kept: %s', idx, why));
        RETURN;
    END IF;
    IF rec.after_from IS NULL OR rec.after_from >= cycle THEN
        -- hidden outside a cycle: the window after starts at this snapshot
        UPDATE @extschema@.idx_recommendations r SET after_from = cycle
         WHERE r.id = rec.id AND r.after_from IS NULL;
        RETURN;
    END IF;

    UPDATE @extschema@.idx_recommendations r
       SET evidence = @extschema@.idx_autopilot_drop_evidence(rec.id, cycle, policy.max_regression)
     WHERE r.id = rec.id;
    SELECT COALESCE(sum(c.calls_after), 0) INTO calls
      FROM @extschema@.idx_autopilot_drop_compare(rec.table_oid, rec.before_from, rec.before_to,
                                                  rec.after_from, cycle, policy.max_regression) c;
    -- a statement significantly slower, on autopilot_min_calls calls (or
    -- on what it has once hide_for is over): the index is needed
    SELECT c.* INTO worst
      FROM @extschema@.idx_autopilot_drop_compare(rec.table_oid, rec.before_from, rec.before_to,
                                                  rec.after_from, cycle, policy.max_regression) c
     WHERE c.slower AND (c.calls_after >= cfg.min_calls OR hidden >= policy.hide_for)
     ORDER BY c.mean_after / NULLIF(c.mean_before, 0) DESC NULLS LAST, c.calls_after DESC
     LIMIT 1;
    IF FOUND THEN
        PERFORM @extschema@.idx_autopilot_unhide(rec, cycle, 'reverted',
            format('needed: %s while %s was hidden (%s); shown again',
                   @extschema@.idx_autopilot_went(worst.query, worst.mean_before, worst.mean_after,
                                                  worst.calls_after),
                   idx, @extschema@.idx_autopilot_p(worst.p)));
        RETURN;
    END IF;
    -- after hide_for, on autopilot_min_calls calls of the table's
    -- statements, or none at all (nothing ran that could miss it), or
    -- whatever ran by autopilot_max_wait after hide_for
    IF hidden < policy.hide_for
       OR (calls > 0 AND calls < cfg.min_calls AND hidden < policy.hide_for + cfg.max_wait) THEN
        RETURN;
    END IF;
    SELECT s INTO drop_id
      FROM @extschema@.idx_apply_script(format('DROP INDEX CONCURRENTLY %s', rec.index_oid::regclass),
                                        'autopilot') s
     LIMIT 1;
    UPDATE @extschema@.idx_recommendations r SET history_id = drop_id WHERE r.id = rec.id;
    PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, 'dropped',
        format('hidden for %s, no statement of %s got more than %s%% slower (%s calls since the hide): DROP INDEX CONCURRENTLY %s queued (history row %s)',
               date_trunc('second', hidden), rec.table_oid::regclass,
               round((100 * policy.max_regression)::numeric, 1), calls, idx, drop_id),
        'dropped');
END
$idx_autopilot_drop_judge$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_drop_judge(@extschema@.idx_recommendations, bigint, @extschema@.idx_autopilot_policy) IS
    'internal (autopilot drops): a hidden index at a cycle: shown again on a significant regression of its table''s statements, dropped after hide_for, or left to wait';

-- ---------------------------------------------------------------------
-- The stage
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.idx_autopilot_drops(cycle bigint, policy @extschema@.idx_autopilot_policy)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_drops$
DECLARE
    rec     @extschema@.idx_recommendations;
    cand    record;
    why     text;
    win     bigint;
    rec_id  bigint;
    cand_oids      oid[] := '{}';
    cand_redundant boolean[];
    cand_why       text[];
    failure        text;
    hide_id        bigint;
    withheld       text;
BEGIN
    -- drops => false: nothing proposed or hidden stays so
    IF NOT policy.drops THEN
        FOR rec IN SELECT * FROM @extschema@.idx_recommendations r
                    WHERE r.kind = 'drop' AND r.status IN (@extschema@.idx_autopilot_status('proposed'), @extschema@.idx_autopilot_status('hidden')) ORDER BY r.id LOOP
            IF rec.status = @extschema@.idx_autopilot_status('hidden') THEN
                PERFORM @extschema@.idx_autopilot_unhide(rec, cycle, 'expired',
                    format('the policy no longer allows drops (drops => false): %s is shown again', rec.index_oid::regclass));
            ELSE
                PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, 'expired',
                    'the policy no longer allows drops (drops => false)', 'expired');
            END IF;
        END LOOP;
        RETURN;
    END IF;

    -- a queued drop that failed or was cancelled: the index is still
    -- there, hidden; the recommendation is hidden again (history_id: the
    -- hide row) and its drop tried again after the next judgement
    FOR rec IN
        SELECT r.*
          FROM @extschema@.idx_recommendations r
          JOIN @extschema@.idx_history h ON h.id = r.history_id
         WHERE r.kind = 'drop' AND r.status = @extschema@.idx_autopilot_status('dropped') AND h.operation = 'drop'
           AND h.status IN (@extschema@.idx_status('failed'), @extschema@.idx_status('cancelled'))
         ORDER BY r.id LOOP
        SELECT format('%s: %s', h.status, COALESCE(h.error_message, 'no error recorded'))
          INTO failure FROM @extschema@.idx_history h WHERE h.id = rec.history_id;
        hide_id := (SELECT l.history_id FROM @extschema@.idx_hidden_indexes l
                     WHERE l.index_oid = rec.index_oid);
        IF hide_id IS NOT NULL THEN
            UPDATE @extschema@.idx_recommendations r SET history_id = hide_id WHERE r.id = rec.id;
            PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, 'note',
                format('the drop of %s (history row %s) %s; it stays hidden and the drop is tried again',
                       rec.index_oid::regclass, rec.history_id, failure), 'hidden');
        ELSE
            PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, 'expired',
                format('the drop of %s (history row %s) %s; it is no longer hidden',
                       COALESCE(rec.index_oid::regclass::text, rec.index_name), rec.history_id, failure),
                'expired');
        END IF;
    END LOOP;

    -- hidden ones: unhide, drop or wait
    FOR rec IN SELECT * FROM @extschema@.idx_recommendations r
                WHERE r.kind = 'drop' AND r.status = @extschema@.idx_autopilot_status('hidden') ORDER BY r.id LOOP
        BEGIN
            PERFORM @extschema@.idx_autopilot_drop_judge(rec, cycle, policy);
        EXCEPTION WHEN OTHERS THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, 'skipped',
                format('%s stays hidden: %s (%s); tried again at the next cycle',
                       rec.index_oid::regclass, SQLERRM, SQLSTATE));
        END;
    END LOOP;

    -- the window of proposals: from the oldest snapshot within the
    -- autopilot window before this cycle; none at the first cycle
    win := @extschema@.idx_autopilot_window_from(cycle);

    -- the candidates of this cycle (idx_report plans: asked once)
    IF win IS NOT NULL OR EXISTS (SELECT 1 FROM @extschema@.idx_recommendations r
                                   WHERE r.kind = 'drop' AND r.status = @extschema@.idx_autopilot_status('proposed')) THEN
        BEGIN
            SELECT COALESCE(array_agg(d.index_oid ORDER BY d.index_oid) FILTER (WHERE d.withheld IS NULL), '{}'),
                   COALESCE(array_agg(d.redundant ORDER BY d.index_oid) FILTER (WHERE d.withheld IS NULL), '{}'),
                   COALESCE(array_agg(d.why ORDER BY d.index_oid) FILTER (WHERE d.withheld IS NULL), '{}'),
                   format('%s (%s) not taken for unused: %s', count(*) FILTER (WHERE d.withheld IS NOT NULL),
                          string_agg(d.index_oid::regclass::text, ', ' ORDER BY d.index_oid)
                              FILTER (WHERE d.withheld IS NOT NULL),
                          min(d.withheld))
              INTO cand_oids, cand_redundant, cand_why, withheld
              FROM (SELECT DISTINCT ON (c.index_oid) c.*
                      FROM @extschema@.idx_autopilot_drop_candidates() c
                     WHERE c.index_oid IS NOT NULL
                       AND @extschema@.idx_autopilot_drop_refusal(c.index_oid, policy.owner, policy.schemas) IS NULL
                       -- refused by a person, or found needed: not again
                       -- (delete that recommendation to have it considered)
                       AND NOT EXISTS (SELECT 1 FROM @extschema@.idx_recommendations r
                                        WHERE r.kind = 'drop' AND r.index_oid = c.index_oid
                                          AND r.status IN (@extschema@.idx_autopilot_status('rejected'), @extschema@.idx_autopilot_status('reverted')))
                     ORDER BY c.index_oid, c.redundant DESC, c.withheld NULLS FIRST) d;
            IF withheld NOT LIKE '0 %' AND win IS NOT NULL THEN
                PERFORM @extschema@.idx_autopilot_event(cycle, NULL, 'note', 'drops: ' || withheld);
            END IF;
        EXCEPTION WHEN OTHERS THEN
            -- no candidates this cycle; proposals standing are left as they are
            PERFORM @extschema@.idx_autopilot_event(cycle, NULL, 'note',
                format('drops: the candidates could not be listed: %s (%s); nothing is proposed, hidden or expired for that this cycle',
                       SQLERRM, SQLSTATE));
            RETURN;
        END;
    END IF;
    -- proposals still standing: each cycle asks again
    FOR rec IN SELECT * FROM @extschema@.idx_recommendations r
                WHERE r.kind = 'drop' AND r.status = @extschema@.idx_autopilot_status('proposed') ORDER BY r.id LOOP
        why := COALESCE(@extschema@.idx_autopilot_drop_refusal(rec.index_oid, policy.owner, policy.schemas),
                        CASE WHEN NOT rec.index_oid = ANY (cand_oids) THEN 'it is no longer unused nor redundant' END);
        IF why IS NOT NULL THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, 'expired',
                format('no longer proposed: %s', why), 'expired');
        ELSIF policy.mode = 'apply' AND @extschema@.idx_autopilot_drop_busy(rec.index_oid, rec.id) IS NULL THEN
            BEGIN
                PERFORM @extschema@.idx_autopilot_hide(rec.id, cycle);
            EXCEPTION WHEN OTHERS THEN
                PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, 'skipped',
                    format('could not hide %s: %s (%s)', rec.index_oid::regclass, SQLERRM, SQLSTATE));
            END;
        END IF;
    END LOOP;
    IF win IS NULL THEN
        RETURN;
    END IF;

    -- new proposals: redundant ones first, then the largest
    FOR cand IN SELECT c.*, n.nspname, k.relname AS index_name, t.oid AS table_oid,
                       t.relname AS table_name, pg_relation_size(k.oid) AS size
                  FROM unnest(cand_oids, cand_redundant, cand_why) c(index_oid, redundant, why)
                  JOIN pg_class k ON k.oid = c.index_oid
                  JOIN pg_namespace n ON n.oid = k.relnamespace
                  JOIN pg_index x ON x.indexrelid = k.oid
                  JOIN pg_class t ON t.oid = x.indrelid
                 WHERE @extschema@.idx_autopilot_drop_refusal(c.index_oid, policy.owner, policy.schemas) IS NULL
                   -- proposed or hidden already
                   AND NOT EXISTS (SELECT 1 FROM @extschema@.idx_recommendations r
                                    WHERE r.kind = 'drop' AND r.index_oid = c.index_oid
                                      AND r.status IN (@extschema@.idx_autopilot_status('proposed'), @extschema@.idx_autopilot_status('hidden')))
                 ORDER BY c.redundant DESC, pg_relation_size(k.oid) DESC, c.index_oid LOOP
        -- one at a time per table (asked again after each proposal)
        CONTINUE WHEN @extschema@.idx_autopilot_drop_busy(cand.index_oid, NULL) IS NOT NULL;
        INSERT INTO @extschema@.idx_recommendations AS r
               (kind, definition, schema_name, index_name, table_name, table_oid, index_oid,
                statements, est_gain, est_size, status, reason, role_oid, before_from, before_to)
        VALUES ('drop', format('DROP INDEX CONCURRENTLY %I.%I', cand.nspname, cand.index_name),
                cand.nspname, cand.index_name, cand.table_name, cand.table_oid, cand.index_oid,
                @extschema@.idx_autopilot_drop_statements(cand.table_oid, win, cycle),
                NULL, cand.size, 'proposed', cand.why, policy.owner, win, cycle)
        RETURNING r.id INTO rec_id;
        PERFORM @extschema@.idx_autopilot_event(cycle, rec_id, 'proposed',
            format('drop %s: %s; frees %s%s', cand.index_oid::regclass, cand.why,
                   pg_size_pretty(cand.size),
                   CASE WHEN policy.mode = 'apply' THEN ''
                        ELSE format('; approve with idx_recommendation_apply(%s)', rec_id) END));
        IF policy.mode = 'apply' THEN
            BEGIN
                PERFORM @extschema@.idx_autopilot_hide(rec_id, cycle);
            EXCEPTION WHEN OTHERS THEN
                PERFORM @extschema@.idx_autopilot_event(cycle, rec_id, 'skipped',
                    format('could not hide %s: %s (%s)', cand.index_oid::regclass, SQLERRM, SQLSTATE));
            END;
        END IF;
    END LOOP;
END
$idx_autopilot_drops$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_drops(bigint, @extschema@.idx_autopilot_policy) IS
    'internal (idx_autopilot_run, stage 3): with drops => true, propose dropping unused and redundant indexes, hide them (apply mode), drop them after hide_for or show them again on a regression; with drops => false, show hidden ones again';

-- internal functions, not for PUBLIC: the cycle runs as the policy's owner,
-- a member of index_advisor_admin
DO $admin_only$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY[
        'idx_autopilot_drop_refusal(pg_catalog.oid, pg_catalog.regrole, text[])',
        'idx_autopilot_drop_busy(pg_catalog.oid, bigint)',
        'idx_autopilot_drop_candidates()',
        'idx_autopilot_drop_statements(pg_catalog.regclass, bigint, bigint)',
        'idx_autopilot_drop_compare(pg_catalog.regclass, bigint, bigint, bigint, bigint, double precision)',
        'idx_autopilot_drop_evidence(bigint, bigint, double precision)',
        'idx_autopilot_hide(bigint, bigint)',
        'idx_autopilot_unhide(@extschema@.idx_recommendations, bigint, text, text)',
        'idx_autopilot_drop_judge(@extschema@.idx_recommendations, bigint, @extschema@.idx_autopilot_policy)',
        'idx_autopilot_drops(bigint, @extschema@.idx_autopilot_policy)'] LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION @extschema@.%s TO index_advisor_admin', f);
    END LOOP;
END
$admin_only$;
