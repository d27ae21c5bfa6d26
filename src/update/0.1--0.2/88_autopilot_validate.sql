/* index_advisor 0.2 part: the autopilot's stages 1 and 2 -- follow each
 * build, then measure the index and keep it or revert it (issue 22).
 *
 *  * idx_autopilot_progress(cycle, policy), stage 1: a 'building'
 *    recommendation follows its idx_history row.  Done and the index is
 *    there: 'validating' (index_oid, valid_at = the row's finished_at,
 *    after_from = this cycle; the table's write counters of this cycle go
 *    into evidence.writes_after_from, so that the HOT share after is
 *    counted over the same window as the statements).  Failed or
 *    cancelled: 'rejected' with the build's error.  Row, index or table
 *    gone, or the index rolled back by someone: 'expired'.  A row left
 *    running by a worker that is gone (kill -9, a crash) is picked up by
 *    idx_kick, which the stage calls while any build is unfinished: a new
 *    worker drops the leftover and marks the row failed, and the next
 *    cycle rejects the recommendation.
 *  * idx_autopilot_validate(cycle, policy), stage 2: a 'validating'
 *    recommendation waits until its statements have
 *    index_advisor.autopilot_min_calls calls in the after window
 *    (after_from .. this cycle), or autopilot_max_wait has passed since
 *    valid_at; then idx_autopilot_compare sets each statement of the table
 *    (its targets, and every statement that reads the table,
 *    idx_autopilot_reads_table: reads and writes) in the before window
 *    against the after window, and:
 *      KEEP   when the targets' calls-weighted gain (their time at the
 *             after window's calls, with the before means against the
 *             after means) is at least policy.min_gain, and the main
 *             target (the most time before, at the after calls) is
 *             faster by min_gain with significance (idx_autopilot_faster's
 *             test), and no statement of the table is max_regression
 *             slower with significance (idx_autopilot_slower's test, at
 *             its share of alpha: weighted Bonferroni, so that many
 *             statements do not make a "regression" by chance, and
 *             statements others add cannot hide one: see
 *             idx_autopilot_compare);
 *      REVERT otherwise, with idx_rollback(history_id) and one sentence
 *             naming the statement that decided ("UPDATE t SET … went
 *             0.21 → 0.34 ms over 5,200 calls: fewer HOT updates (92 % →
 *             3 %)").
 *    The evidence jsonb has doc/autopilot.md's shape ("Evidence and its
 *    window"), which idx_autopilot_report (91) reads; doc/autopilot.md,
 *    "Validation".
 *
 * Both stages run inside the cycle's transaction: a crash or a kill
 * mid-cycle loses the whole cycle and nothing else (the next one starts
 * from the record as it was).  Statuses only from idx_autopilot_statuses(),
 * written through idx_autopilot_event(). */

-- ---------------------------------------------------------------------
-- Helpers: how the evidence is written in a sentence
-- ---------------------------------------------------------------------

-- A time in ms with two significant digits: 0.21, 2.1, 34, 1234.
CREATE FUNCTION @extschema@.idx_autopilot_ms(ms double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN $1 <= 0 OR $1 = 'NaN' THEN round($1::numeric)::text
                ELSE trim_scale(round($1::numeric, greatest(1 - floor(log($1::numeric))::integer, 0)))::text
           END
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_ms(double precision) IS
    'internal (autopilot): a time in ms with two significant digits, as the autopilot''s sentences give it';

-- A p-value as a sentence gives it: "p = 0.012", "p < 0.001".
CREATE FUNCTION @extschema@.idx_autopilot_p(p double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN $1 < 0.001 THEN 'p < 0.001' ELSE 'p = ' || round($1::numeric, 3) END
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_p(double precision) IS
    'internal (autopilot): a p-value for a sentence';

-- A statement as a sentence names it: its first words, "…" when cut.
CREATE FUNCTION @extschema@.idx_autopilot_abbrev(query text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN length(q) <= 40 THEN q
                ELSE regexp_replace(left(q, 40), E'\\s+\\S*$', '') || ' …' END
      FROM (SELECT btrim(regexp_replace($1, E'\\s+', ' ', 'g')) AS q) x
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_abbrev(text) IS
    'internal (autopilot): a statement''s text cut to its first words for a sentence';

-- What a statement's time did, as the sentences of the verdicts (below)
-- and of the drops (89: a hidden index that was needed) say it:
-- "SELECT … went 2.1 → 1.6 ms over 5,200 calls" (idx_autopilot_abbrev,
-- idx_autopilot_ms).  The one place it is written.
CREATE FUNCTION @extschema@.idx_autopilot_went(query text, mean_before double precision,
                                              mean_after double precision, calls bigint)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('%s went %s → %s ms over %s calls', @extschema@.idx_autopilot_abbrev($1),
                  @extschema@.idx_autopilot_ms($2), @extschema@.idx_autopilot_ms($3),
                  to_char($4, 'FM999,999,999,999'))
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_went(text, double precision, double precision, bigint) IS
    'internal (autopilot verdicts and drops): "<statement> went <before> → <after> ms over <calls> calls", for a sentence';

-- A window as the evidence gives it: {"from", "to", "seconds"}.
CREATE FUNCTION @extschema@.idx_autopilot_window_span(from_snapshot bigint, to_snapshot bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('from', f.taken_at, 'to', t.taken_at,
                              'seconds', round(extract(epoch FROM t.taken_at - f.taken_at), 3))
      FROM @extschema@.idx_autopilot_snapshots f, @extschema@.idx_autopilot_snapshots t
     WHERE f.id = $1 AND t.id = $2
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_window_span(bigint, bigint) IS
    'internal (autopilot evidence): the window between two snapshots as {"from", "to", "seconds"}';

-- ---------------------------------------------------------------------
-- Stage 1: builds under way
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.idx_autopilot_progress(cycle bigint, policy @extschema@.idx_autopilot_policy)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_progress$
DECLARE
    r        record;
    pending  boolean := false;
BEGIN
    FOR r IN
        SELECT rec.id, rec.status AS rec_status, rec.history_id, rec.index_oid AS rec_index,
               h.id AS h_id, h.status AS h_status, h.index_oid AS h_index, h.index_name AS h_index_name,
               h.finished_at, h.error_code, h.error_message,
               EXISTS (SELECT 1 FROM pg_class t WHERE t.oid = rec.table_oid) AS table_there,
               EXISTS (SELECT 1 FROM pg_index i
                        WHERE i.indexrelid = COALESCE(rec.index_oid, h.index_oid)
                          AND i.indisvalid) AS index_there
          FROM @extschema@.idx_recommendations rec
          LEFT JOIN @extschema@.idx_history h ON h.id = rec.history_id
         WHERE rec.kind = 'create' AND rec.status IN (@extschema@.idx_autopilot_status('building'), @extschema@.idx_autopilot_status('validating'))
         ORDER BY rec.id
           FOR UPDATE OF rec
    LOOP
        IF NOT r.table_there THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, r.id, 'expired',
                'its table was dropped', 'expired');
        ELSIF r.h_id IS NULL THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, r.id, 'expired',
                format('its build''s idx_history row %s is gone: nothing to follow',
                       COALESCE(r.history_id::text, '(none)')),
                'expired');
        ELSIF r.h_status = 'rolled_back' OR (r.h_status = 'done' AND NOT r.index_there) THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, r.id, 'expired',
                format('the index %I was dropped outside the autopilot (idx_history row %s is %s): nothing to measure',
                       r.h_index_name, r.h_id, r.h_status),
                'expired');
        ELSIF r.rec_status = 'validating' THEN
            NULL;       -- stage 2's
        ELSIF r.h_status = 'done' THEN
            UPDATE @extschema@.idx_recommendations rec
               SET index_oid = r.h_index, index_name = r.h_index_name,
                   valid_at = r.finished_at, after_from = cycle,
                   evidence = jsonb_build_object('writes_after_from',
                                  @extschema@.idx_table_writes(rec.table_oid))
             WHERE rec.id = r.id;
            PERFORM @extschema@.idx_autopilot_event(cycle, r.id, 'validating',
                format('%I is valid since %s: its statements are measured from this cycle on, until they have %s calls or for at most %s',
                       r.h_index_name, date_trunc('second', r.finished_at),
                       (SELECT s.min_calls FROM @extschema@.idx_autopilot_settings() s),
                       @extschema@.idx_span_text(extract(epoch FROM
                           (SELECT s.max_wait FROM @extschema@.idx_autopilot_settings() s))::float8)),
                'validating');
        ELSIF r.h_status IN ('failed', 'cancelled') THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, r.id, 'rejected',
                CASE WHEN r.h_status = 'cancelled'
                     THEN format('the build (idx_history row %s) was cancelled', r.h_id)
                     ELSE format('the build (idx_history row %s) failed: %s (SQLSTATE %s)', r.h_id,
                                 COALESCE(r.error_message, 'no message'), COALESCE(r.error_code, '?')) END,
                'rejected');
        ELSE
            pending := true;    -- queued, waiting or building
        END IF;
    END LOOP;
    -- A build whose worker is gone (killed, crashed) stays 'building'
    -- until a worker takes it over: idx_kick starts one when the queue
    -- has such rows (and does nothing otherwise).
    IF pending THEN
        PERFORM @extschema@.idx_kick();
    END IF;
END
$idx_autopilot_progress$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_progress(bigint, @extschema@.idx_autopilot_policy) IS
    'internal (idx_autopilot_run, stage 1): building -> validating when the index is valid, rejected when the build failed or was cancelled, expired when its row, index or table is gone';

-- ---------------------------------------------------------------------
-- Stage 2: validation
-- ---------------------------------------------------------------------

-- Each statement of the recommendation's table, before against after:
-- the targets (rec.statements) and every statement that reads the table
-- (idx_autopilot_reads_table, 86: analysed as its author, views
-- expanded), in either window.  p is the one-sided p-value of the test
-- that concerns it (Welch, idx_autopilot_welch): for a target, "after is
-- faster than (1 - min_gain) x before"; for the others, "after is slower
-- than (1 + max_regression) x before".  faster: that test at
-- idx_autopilot_alpha().  slower: the slower test, for every statement,
-- at its share of alpha ("level"): "some statement of the table got
-- slower" is one claim over all of them, so its levels add up to alpha
-- (Bonferroni: with 20 statements on a table, a test at 5 % each would
-- find a "regression" by chance far more often than one time in 20).
-- Weighted Bonferroni: a statement's level is alpha x (half its share of
-- the before window's time of the statements tested + half of 1/m, m
-- the number tested).  Any weights that add up to 1 keep the chance of a
-- false "regression" under alpha; these give a statement that carries
-- the table's time at least half of what its share entitles it to,
-- however many statements others add: a role that adds a hundred cheap
-- statements on the table dilutes only the even half (it must spend the
-- table's time to take more), where plain Bonferroni (alpha / m) let it
-- divide every other statement's level by a hundred and so hide a
-- regression.  NULL where a window has fewer than two calls.
CREATE FUNCTION @extschema@.idx_autopilot_compare(rec_id bigint, to_snapshot bigint,
                                                 min_gain double precision,
                                                 max_regression double precision)
RETURNS TABLE(queryid bigint, userid pg_catalog.oid, query text, target boolean,
              calls_before bigint, mean_before double precision, sd_before double precision,
              calls_after bigint, mean_after double precision, sd_after double precision,
              p double precision, faster boolean, slower boolean,
              blocks_per_call_before double precision, blocks_per_call_after double precision,
              wal_per_call_before double precision, wal_per_call_after double precision,
              level double precision)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_compare$
    WITH rec AS (
        SELECT r.*, @extschema@.idx_autopilot_trusted_path() AS path
          FROM @extschema@.idx_recommendations r WHERE r.id = $1
    ), t AS (
        SELECT s.userid, s.queryid
          FROM rec, jsonb_to_recordset(rec.statements) AS s(userid pg_catalog.oid, queryid bigint)
    ), b AS (
        SELECT w.* FROM rec, @extschema@.idx_autopilot_window(rec.before_from, rec.before_to) w
    ), a AS (
        SELECT w.* FROM rec, @extschema@.idx_autopilot_window(rec.after_from, $2) w
    ), s AS (
        SELECT COALESCE(a.queryid, b.queryid) AS queryid, COALESCE(a.userid, b.userid) AS userid,
               COALESCE(a.query, b.query) AS query,
               EXISTS (SELECT 1 FROM t WHERE t.userid = COALESCE(a.userid, b.userid)
                                         AND t.queryid = COALESCE(a.queryid, b.queryid)) AS target,
               b.calls AS calls_before, b.mean_ms AS mean_before, b.stddev_ms AS sd_before,
               a.calls AS calls_after, a.mean_ms AS mean_after, a.stddev_ms AS sd_after,
               b.blocks AS blocks_before, b.wal_records AS wal_before,
               a.blocks AS blocks_after, a.wal_records AS wal_after
          FROM b FULL JOIN a ON a.userid = b.userid AND a.queryid = b.queryid
    ), w AS (
        SELECT s.*,
               CASE WHEN s.target
                    THEN 1 - (@extschema@.idx_autopilot_welch(s.mean_before, COALESCE(s.sd_before, 'NaN'), s.calls_before,
                                                              s.mean_after, COALESCE(s.sd_after, 'NaN'), s.calls_after,
                                                              -$3)).p_slower END AS p_faster,
               (@extschema@.idx_autopilot_welch(s.mean_before, COALESCE(s.sd_before, 'NaN'), s.calls_before,
                                                s.mean_after, COALESCE(s.sd_after, 'NaN'), s.calls_after,
                                                $4)).p_slower AS p_slower
          FROM s, rec
         WHERE s.target
            OR @extschema@.idx_autopilot_reads_table(s.userid, s.queryid, s.query,
                                                     rec.table_oid::regclass, rec.path)
    ), v AS (
        -- the weighted Bonferroni levels (see above), over the statements
        -- with a test
        SELECT w.*,
               @extschema@.idx_autopilot_alpha()
               * (0.5 * COALESCE(w.calls_before * w.mean_before
                                 / nullif(sum(w.calls_before * w.mean_before)
                                              FILTER (WHERE w.p_slower IS NOT NULL) OVER (), 0),
                                 1.0 / greatest(count(w.p_slower) OVER (), 1))
                  + 0.5 / greatest(count(w.p_slower) OVER (), 1)) AS level
          FROM w
    )
    SELECT w.queryid, w.userid, w.query, w.target,
           w.calls_before, w.mean_before, w.sd_before, w.calls_after, w.mean_after, w.sd_after,
           CASE WHEN w.target THEN w.p_faster ELSE w.p_slower END,
           w.p_faster < @extschema@.idx_autopilot_alpha(),
           -- at its level (weighted Bonferroni, above); and it did more
           -- work per call (idx_autopilot_more_work): a slowdown of the
           -- same work is the machine's, not the index's
           w.p_slower < w.level
           AND @extschema@.idx_autopilot_more_work(w.calls_before, w.blocks_before, w.wal_before,
                                                   w.calls_after, w.blocks_after, w.wal_after, $4),
           w.blocks_before::float8 / nullif(w.calls_before, 0), w.blocks_after::float8 / nullif(w.calls_after, 0),
           w.wal_before::float8 / nullif(w.calls_before, 0), w.wal_after::float8 / nullif(w.calls_after, 0),
           CASE WHEN w.p_slower IS NOT NULL THEN w.level END
      FROM v w
$idx_autopilot_compare$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_compare(bigint, bigint, double precision, double precision) IS
    'internal (idx_autopilot_validate): each statement of a recommendation''s table in its before window against its after window (up to to_snapshot), with the p-value of the test that concerns it';

-- What a validation rests on, as the evidence jsonb keeps it (doc/
-- autopilot.md, "Evidence and its window"): both windows, every statement
-- of the table (idx_autopilot_compare, with its faster / slower flags),
-- the targets' gain and the time saved over the after window (per day
-- only from a window of autopilot_min_window or more), the table's HOT
-- share before the build and over the after window.
CREATE FUNCTION @extschema@.idx_autopilot_evidence(rec_id bigint, cycle bigint,
                                                  policy @extschema@.idx_autopilot_policy)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_evidence$
    WITH rec AS (
        SELECT r.* FROM @extschema@.idx_recommendations r WHERE r.id = $1
    ), c AS (
        SELECT jsonb_agg(to_jsonb(c) || jsonb_build_object('userid', c.userid::bigint)
                         ORDER BY c.target DESC, c.calls_after DESC NULLS LAST, c.queryid) AS statements,
               sum(c.calls_after * c.mean_before) FILTER (WHERE c.target AND c.calls_before > 0) AS t_before,
               sum(c.calls_after * c.mean_after) FILTER (WHERE c.target AND c.calls_before > 0) AS t_after
          FROM @extschema@.idx_autopilot_compare($1, $2, ($3).min_gain, ($3).max_regression) c
    ), w AS (
        SELECT @extschema@.idx_autopilot_window_span(rec.before_from, rec.before_to) AS before,
               @extschema@.idx_autopilot_window_span(rec.after_from, $2) AS after,
               (SELECT s.min_window FROM @extschema@.idx_autopilot_settings() s) AS min_window
          FROM rec
    ), hb AS (
        SELECT h.* FROM rec, @extschema@.idx_hot_share(NULL,
               (SELECT x.table_writes->'before' FROM @extschema@.idx_history x WHERE x.id = rec.history_id)) h
    ), ha AS (
        SELECT h.* FROM rec, @extschema@.idx_hot_share(rec.evidence->'writes_after_from',
               @extschema@.idx_table_writes(rec.table_oid)) h
    )
    SELECT jsonb_build_object(
               'before', w.before, 'after', w.after,
               'statements', COALESCE(c.statements, '[]'),
               'gain', CASE WHEN c.t_before > 0 THEN 1 - c.t_after / c.t_before END,
               'saved_ms', c.t_before - c.t_after,
               'saved_ms_per_day',
                   CASE WHEN (w.after->>'seconds')::float8 >= extract(epoch FROM w.min_window)
                        THEN (c.t_before - c.t_after) / (w.after->>'seconds')::float8 * 86400 END,
               'hot_before', hb.share, 'updates_before', hb.updates,
               'hot_after', ha.share, 'updates_after', ha.updates,
               'writes_after_from', rec.evidence->'writes_after_from')
      FROM rec, c, w, hb, ha
$idx_autopilot_evidence$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_evidence(bigint, bigint, @extschema@.idx_autopilot_policy) IS
    'internal (idx_autopilot_validate): the evidence of a validating recommendation up to a cycle: windows, statements before and after, gain, time saved, HOT share';

-- The decision on the evidence, in one sentence: NULL while the targets
-- have fewer than autopilot_min_calls calls after (or the main target
-- too few to test) and autopilot_max_wait has not passed; otherwise
-- 'kept' or 'reverted' (doc/autopilot.md, "Validation").
CREATE FUNCTION @extschema@.idx_autopilot_verdict(ev jsonb, waited_for interval,
                                                 table_name name,
                                                 policy @extschema@.idx_autopilot_policy,
                                                 OUT verdict text, OUT sentence text)
RETURNS record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_verdict$
DECLARE
    st      record := (SELECT s FROM @extschema@.idx_autopilot_settings() s);
    waited  boolean := waited_for >= st.max_wait;
    calls   bigint;
    main    record;     -- the target with the most time, at the after calls
    worst   record;     -- the statement of the table that got slower the most
    gain    float8 := (ev->>'gain')::float8;
    after_s float8 := (ev->'after'->>'seconds')::float8;
BEGIN
    SELECT COALESCE(sum(c.calls_after) FILTER (WHERE c.target), 0) INTO calls
      FROM jsonb_to_recordset(ev->'statements') AS c(target boolean, calls_after bigint);
    SELECT c.* INTO main
      FROM jsonb_to_recordset(ev->'statements') AS c(query text, target boolean, calls_before bigint,
           mean_before float8, calls_after bigint, mean_after float8, p float8, faster boolean)
     WHERE c.target AND c.calls_before > 0 AND c.calls_after > 0
     ORDER BY c.calls_after * c.mean_before DESC LIMIT 1;
    IF NOT waited AND (calls < st.min_calls OR main.faster IS NULL) THEN
        RETURN;     -- not yet
    END IF;
    -- a statement that got slower (in time and in work) counts against the
    -- index when the time it added over the after window is more than
    -- max_regression of what the index saved there -- every index costs
    -- its table's INSERTs something, and an index that saves minutes is
    -- not reverted for milliseconds of upkeep -- or when it is an UPDATE
    -- and the table lost its HOT updates (10 points or more), whose cost
    -- (bloat, vacuum, WAL) the statement's time does not show
    -- (doc/autopilot.md, "Validation")
    SELECT c.* INTO worst
      FROM jsonb_to_recordset(ev->'statements') AS c(query text, calls_after bigint,
           mean_before float8, mean_after float8, p float8, slower boolean)
     WHERE c.slower
       AND (c.calls_after * (c.mean_after - c.mean_before)
            > policy.max_regression * greatest(COALESCE((ev->>'saved_ms')::float8, 0), 0)
            OR (c.query ~* E'^\\s*UPDATE\\M'
                AND (ev->>'hot_before')::numeric - (ev->>'hot_after')::numeric >= 10))
     ORDER BY c.calls_after * (c.mean_after - c.mean_before) DESC LIMIT 1;

    verdict := 'reverted';
    IF worst.query IS NOT NULL THEN
        sentence := format('%s (%s; %s ms added against %s ms saved)%s',
            @extschema@.idx_autopilot_went(worst.query, worst.mean_before, worst.mean_after,
                                           worst.calls_after),
            @extschema@.idx_autopilot_p(worst.p),
            @extschema@.idx_autopilot_ms(worst.calls_after * (worst.mean_after - worst.mean_before)),
            @extschema@.idx_autopilot_ms(greatest(COALESCE((ev->>'saved_ms')::float8, 0), 0)),
            CASE WHEN worst.query ~* E'^\\s*UPDATE\\M'
                      AND (ev->>'hot_before')::numeric - (ev->>'hot_after')::numeric >= 10
                 THEN format(': fewer HOT updates (%s %% → %s %%)', ev->>'hot_before', ev->>'hot_after')
                 ELSE format(', more than %s %% slower', round(100 * policy.max_regression::numeric)) END);
    ELSIF main.faster IS NULL THEN
        sentence := format('its statements ran %s times in the %s since it became valid (autopilot_max_wait): too few to show a gain',
                           calls, @extschema@.idx_span_text(extract(epoch FROM waited_for)::float8));
    ELSIF NOT main.faster OR gain < policy.min_gain THEN
        sentence := format('%s: %s',
            @extschema@.idx_autopilot_went(main.query, main.mean_before, main.mean_after,
                                           main.calls_after),
            CASE WHEN gain < policy.min_gain
                 THEN format('its statements got %s %% faster, less than min_gain %s %%',
                             round(100 * gain::numeric), round(100 * policy.min_gain::numeric))
                 ELSE format('not shown to be min_gain %s %% faster (%s)',
                             round(100 * policy.min_gain::numeric), @extschema@.idx_autopilot_p(main.p)) END);
    ELSE
        verdict := 'kept';
        sentence := format('%s (%s %% faster, %s); no statement of %I lost what it saved (%s %% slower, for %s %% of the time saved); %s',
            @extschema@.idx_autopilot_went(main.query, main.mean_before, main.mean_after,
                                           main.calls_after),
            round(100 * gain::numeric), @extschema@.idx_autopilot_p(main.p), table_name,
            round(100 * policy.max_regression::numeric), round(100 * policy.max_regression::numeric),
            CASE WHEN ev->'saved_ms_per_day' <> 'null'
                 THEN format('saves %s a day (measured over %s)',
                             @extschema@.idx_span_text((ev->>'saved_ms_per_day')::float8 / 1000),
                             @extschema@.idx_span_text(after_s))
                 ELSE format('saved %s ms over %s (under %s: no daily rate)',
                             @extschema@.idx_autopilot_ms((ev->>'saved_ms')::float8),
                             @extschema@.idx_span_text(after_s),
                             @extschema@.idx_span_text(extract(epoch FROM st.min_window)::float8)) END);
    END IF;
END
$idx_autopilot_verdict$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_verdict(jsonb, interval, name, @extschema@.idx_autopilot_policy) IS
    'internal (idx_autopilot_validate): kept or reverted, with one sentence, on a recommendation''s evidence; NULL while it waits for autopilot_min_calls (up to autopilot_max_wait)';

CREATE FUNCTION @extschema@.idx_autopilot_validate(cycle bigint, policy @extschema@.idx_autopilot_policy)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_validate$
DECLARE
    cycle_at    timestamptz := (SELECT s.taken_at FROM @extschema@.idx_autopilot_snapshots s WHERE s.id = cycle);
    rec         @extschema@.idx_recommendations;
    ev          jsonb;
    v           record;
    rollback_id bigint;
BEGIN
    FOR rec IN
        SELECT r.* FROM @extschema@.idx_recommendations r
         WHERE r.kind = 'create' AND r.status = @extschema@.idx_autopilot_status('validating') AND r.after_from < cycle
         ORDER BY r.id
           FOR UPDATE
    LOOP
        -- the cycle acts only on tables its owner may act for
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_class c
                                   WHERE c.oid = rec.table_oid
                                     AND pg_has_role(policy.owner, c.relowner, 'USAGE'));
        ev := @extschema@.idx_autopilot_evidence(rec.id, cycle, policy);
        v := @extschema@.idx_autopilot_verdict(ev, cycle_at - rec.valid_at, rec.table_name, policy);
        CONTINUE WHEN v.verdict IS NULL;
        UPDATE @extschema@.idx_recommendations r SET evidence = ev WHERE r.id = rec.id;
        IF v.verdict = 'reverted' THEN
            BEGIN
                rollback_id := @extschema@.idx_rollback(rec.history_id);
            EXCEPTION WHEN OTHERS THEN
                -- e.g. a standby uses it: stays validating, tried again next cycle
                PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, 'note',
                    format('%s; the rollback was refused: %s', v.sentence, SQLERRM));
                CONTINUE;
            END;
            UPDATE @extschema@.idx_recommendations r
               SET evidence = r.evidence || jsonb_build_object('rollback_id', rollback_id)
             WHERE r.id = rec.id;
            v.sentence := format('%s; %I rolled back (idx_history row %s)', v.sentence, rec.index_name, rollback_id);
        END IF;
        PERFORM @extschema@.idx_autopilot_event(cycle, rec.id, v.verdict, v.sentence, v.verdict);
    END LOOP;
END
$idx_autopilot_validate$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_validate(bigint, @extschema@.idx_autopilot_policy) IS
    'internal (idx_autopilot_run, stage 2): validating -> kept (its statements got min_gain faster, none of its table''s max_regression slower, both with significance) or reverted (idx_rollback, with the statement that decided), once its statements have autopilot_min_calls calls or autopilot_max_wait has passed';

-- internal functions, not for PUBLIC: the cycle runs as the policy's owner,
-- a member of index_advisor_admin
DO $admin_only$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY[
        'idx_autopilot_progress(bigint, @extschema@.idx_autopilot_policy)',
        'idx_autopilot_validate(bigint, @extschema@.idx_autopilot_policy)',
        'idx_autopilot_evidence(bigint, bigint, @extschema@.idx_autopilot_policy)',
        'idx_autopilot_compare(bigint, bigint, double precision, double precision)',
        'idx_autopilot_window_span(bigint, bigint)',
        'idx_autopilot_verdict(jsonb, interval, name, @extschema@.idx_autopilot_policy)',
        'idx_autopilot_went(text, double precision, double precision, bigint)'] LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION @extschema@.%s TO index_advisor_admin', f);
    END LOOP;
END
$admin_only$;
