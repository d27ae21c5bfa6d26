/* index_advisor 0.1 -> 0.2, part "write cost": the table's write counters
 * when a build starts and when its index becomes valid, and what every
 * write pays for the index since (idx_report's write_cost, idx_check's
 * finding).  See doc/nodes.md. */

-- ---------------------------------------------------------------------
-- Write cost: what every write to the table pays for the index
-- ---------------------------------------------------------------------

ALTER TABLE @extschema@.idx_history ADD COLUMN table_writes jsonb;
COMMENT ON COLUMN @extschema@.idx_history.table_writes IS
    'for a create: the table''s write counters (pg_stat_user_tables: ins, upd, hot, del, at) when the build started ("before") and when the index became valid ("valid")';

-- A span of time as a person says it: "40 s", "12 min", "3 h", "2 days".
-- Every figure measured over a window names it with this (write cost here,
-- the autopilot's evidence in 88_autopilot_validate.sql).
CREATE FUNCTION @extschema@.idx_span_text(seconds double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN $1 < 120 THEN round($1::numeric) || ' s'
                WHEN $1 < 3570 THEN round($1::numeric / 60) || ' min'
                WHEN $1 < 172800 THEN trim_scale(round($1::numeric / 3600, 1)) || ' h'
                ELSE trim_scale(round($1::numeric / 86400, 1)) || ' days' END
$$;
COMMENT ON FUNCTION @extschema@.idx_span_text(double precision) IS
    'internal: a number of seconds as "40 s", "12 min", "3 h" or "2 days", the length of the window a figure was measured over';

-- The table's write counters now, in the shape of idx_history.table_writes
-- (src/queue/claim.c, IA_TABLE_WRITES, writes them at a build's start and
-- when the index is valid): {at, ins, upd, hot, del}, as the transaction
-- first read them (stats_fetch_consistency).
CREATE FUNCTION @extschema@.idx_table_writes(table_oid pg_catalog.oid)
RETURNS jsonb
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('at', now(),
                              'ins', pg_stat_get_tuples_inserted($1),
                              'upd', pg_stat_get_tuples_updated($1),
                              'hot', pg_stat_get_tuples_hot_updated($1),
                              'del', pg_stat_get_tuples_deleted($1))
$$;
COMMENT ON FUNCTION @extschema@.idx_table_writes(pg_catalog.oid) IS
    'internal: the table''s write counters now (at, ins, upd, hot, del), in the shape of idx_history.table_writes';

-- The HOT share (percent) of the updates between two sets of a table's
-- counters (jsonb as above; "from" NULL: since the counters' last reset),
-- and how many updates it rests on.  NULL share with no update between
-- them; NULL both when the counters went down (a reset, a crash).  The
-- one rule for write_cost and the autopilot's evidence.
CREATE FUNCTION @extschema@.idx_hot_share(from_counters jsonb, to_counters jsonb,
                                         OUT share numeric, OUT updates numeric)
RETURNS record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN d.upd > 0 AND d.hot >= 0 THEN round(100 * d.hot / d.upd) END,
           CASE WHEN d.upd >= 0 AND d.hot >= 0 THEN d.upd END
      FROM (SELECT ($2->>'upd')::numeric - COALESCE(($1->>'upd')::numeric, 0) AS upd,
                   ($2->>'hot')::numeric - COALESCE(($1->>'hot')::numeric, 0) AS hot) d
$$;
COMMENT ON FUNCTION @extschema@.idx_hot_share(jsonb, jsonb) IS
    'internal: the HOT share (percent) of the updates between two sets of table write counters, and how many updates it rests on';

-- The write cost of an index, each figure with the window it was measured
-- over (issue 22, "evidence with its window"):
--  * hot_before: the HOT share of the table's updates up to the build (its
--    counters since their last reset, recorded when the build started),
--    over updates_before updates;
--  * hot_after: the HOT share since the index became valid, over
--    updates_after updates;
--  * measured_for: since the index became valid (idx_history.table_writes
--    'valid'), with writes rows written and bytes of growth of the index
--    (its size now against idx_history.index_size) in it;
--  * writes_per_day, bytes_per_day: the same per day, only when
--    measured_for is at least index_advisor.autopilot_min_window: a few
--    seconds are never extrapolated to a day (NULL; summary gives the
--    measured figures and says why).
-- NULL figures where the counters do not allow one (no update, counters
-- reset, a partitioned table).
CREATE FUNCTION @extschema@.idx_report_write_cost(id bigint)
RETURNS TABLE(hot_before numeric, hot_after numeric, writes_per_day numeric,
              bytes_per_day numeric, summary text, measured_for interval,
              writes numeric, bytes numeric, updates_before numeric,
              updates_after numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    WITH h AS (
        SELECT h.table_oid::oid AS t, h.index_oid::oid AS i, h.index_size,
               COALESCE((h.table_writes->'valid'->>'at')::timestamptz, h.finished_at) AS valid_at,
               h.table_writes->'before' AS b, h.table_writes->'valid' AS v
          FROM @extschema@.idx_history h
         WHERE h.id = $1 AND h.status = @extschema@.idx_status('done') AND h.table_writes ? 'valid'
    ), c AS (
        SELECT h.*, @extschema@.idx_table_writes(h.t) AS w,
               greatest(now() - h.valid_at, interval '0') AS span,
               pg_relation_size(h.i) AS size_now,
               (SELECT s.min_window FROM @extschema@.idx_autopilot_settings() s) AS min_window
          FROM h
         WHERE EXISTS (SELECT 1 FROM pg_class x WHERE x.oid = h.i)
    ), m AS (
        SELECT c.span, c.min_window,
               extract(epoch FROM c.span) / 86400 AS days,
               c.span >= c.min_window AS long_enough,
               hb.share AS hot_before, hb.updates AS upd_before,
               ha.share AS hot_after, ha.updates AS upd_after,
               NULLIF(greatest(d.writes, -1), -1) AS writes,   -- NULL across a reset
               (c.size_now - COALESCE(c.index_size, c.size_now))::numeric AS bytes
          FROM c
         CROSS JOIN LATERAL @extschema@.idx_hot_share(NULL, c.b) hb
         CROSS JOIN LATERAL @extschema@.idx_hot_share(c.v, c.w) ha
         CROSS JOIN LATERAL (
               SELECT (c.w->>'ins')::numeric + (c.w->>'upd')::numeric + (c.w->>'del')::numeric
                      - (c.v->>'ins')::numeric - (c.v->>'upd')::numeric - (c.v->>'del')::numeric AS writes) d
    ), f AS (
        SELECT m.*,
               CASE WHEN m.long_enough THEN round(m.writes / m.days) END AS writes_per_day,
               CASE WHEN m.long_enough THEN round(m.bytes / m.days) END AS bytes_per_day
          FROM m
    )
    SELECT f.hot_before, f.hot_after, f.writes_per_day, f.bytes_per_day,
           concat_ws(', ',
               CASE WHEN f.hot_before IS NOT NULL OR f.hot_after IS NOT NULL THEN
                   format('HOT %s → %s (%s / %s updates)',
                          COALESCE(f.hot_before || '%', '?'), COALESCE(f.hot_after || '%', '?'),
                          COALESCE(to_char(f.upd_before, 'FM999,999,999,999,999'), '0'),
                          COALESCE(to_char(f.upd_after, 'FM999,999,999,999,999'), '?')) END,
               CASE WHEN f.bytes >= 0 THEN '+' ELSE '' END
               || CASE WHEN f.long_enough
                       THEN format('%s/day over %s', pg_size_pretty(f.bytes_per_day),
                                   @extschema@.idx_span_text(extract(epoch FROM f.span)::float8))
                       ELSE format('%s over %s', pg_size_pretty(f.bytes),
                                   @extschema@.idx_span_text(extract(epoch FROM f.span)::float8)) END,
               format('%s writes', COALESCE(to_char(f.writes, 'FM999,999,999,999,999'), '?'))
               || CASE WHEN f.long_enough THEN ''
                       ELSE format(' (under %s: no daily rate)',
                                   @extschema@.idx_span_text(extract(epoch FROM f.min_window)::float8)) END),
           f.span, f.writes, f.bytes, f.upd_before, f.upd_after
      FROM f;
$body$;
COMMENT ON FUNCTION @extschema@.idx_report_write_cost(bigint) IS
    'the write cost of an index created through idx_apply, each figure with its window: HOT share of the table''s updates before the build and since it became valid (over how many updates), rows written and index growth since (measured_for), per day only when measured_for is at least index_advisor.autopilot_min_window; summary as in idx_report';

-- Step 2b of idx_check(): an index that costs writes and gains little: the
-- table's HOT share fell by 20 points or more since the index, and it was
-- scanned (on every node) less than once per 100 rows written since.  Both
-- counts are over the same window (since the index became valid): nothing
-- is extrapolated, and the finding says how long that window is.
CREATE FUNCTION @extschema@.idx_check_write_cost()
RETURNS SETOF @extschema@.idx_finding
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
    SELECT 'write_cost'::text, c.schema_name, c.table_name, c.index_name, c.id,
           format('%s: the table''s updates were %s%% HOT before the index and %s%% since; %s rows written in %s for %s scans since it became valid',
                  c.summary, c.hot_before, c.hot_after, c.writes,
                  @extschema@.idx_span_text(extract(epoch FROM c.measured_for)::float8), sc.scans)
      FROM (SELECT h.id, h.schema_name, h.table_name, h.index_name,
                   h.index_oid, h.finished_at, w.*
              FROM @extschema@.idx_history h
             CROSS JOIN LATERAL @extschema@.idx_report_write_cost(h.id) w
             WHERE h.operation = 'create' AND h.status = @extschema@.idx_status('done') AND h.parent_id IS NULL
               AND h.table_writes ? 'valid'
               AND w.hot_before - w.hot_after >= 20
            OFFSET 0) c   -- the scans only of the few whose HOT share fell
     CROSS JOIN LATERAL (
           SELECT COALESCE((SELECT s.scans FROM @extschema@.idx_snapshots s
                             WHERE s.index_oid = c.index_oid::oid AND s.node = 'primary'
                               AND s.history_id = c.id
                             ORDER BY s.taken_at DESC LIMIT 1), 0)
                  + @extschema@.idx_node_scans(c.id) AS scans) sc
     WHERE sc.scans * 100 < c.writes;
$body$;
COMMENT ON FUNCTION @extschema@.idx_check_write_cost() IS
    'internal (idx_check, step 2b): write_cost findings: the HOT share fell by 20 points or more since the index, which was scanned less than once per 100 rows written since it became valid (both counted over the same window, which the finding names)';
REVOKE ALL ON FUNCTION @extschema@.idx_check_write_cost() FROM PUBLIC;

REVOKE ALL ON FUNCTION @extschema@.idx_report_write_cost(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_span_text(double precision) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_table_writes(pg_catalog.oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_hot_share(jsonb, jsonb) FROM PUBLIC;
-- reads idx_history as the caller (row-level security) and public counters
GRANT EXECUTE ON FUNCTION @extschema@.idx_report_write_cost(bigint) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_span_text(double precision) TO PUBLIC;  -- formats only
-- idx_report_write_cost runs as its caller: public counters, arithmetic
GRANT EXECUTE ON FUNCTION @extschema@.idx_table_writes(pg_catalog.oid) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_hot_share(jsonb, jsonb) TO PUBLIC;
