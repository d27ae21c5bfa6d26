/* index_advisor 0.1 -> 0.2, part "report": idx_report() in named steps
 * (idx_report_trend, idx_report_verdict, idx_report_detail).  What it says
 * of standbys is in 78_nodes.sql, of write cost in 82_write_cost.sql, of a
 * hidden index in 84_hidden.sql.  The 0.2 definition of idx_report is here,
 * and only here. */

-- ---------------------------------------------------------------------
-- idx_report in named steps
-- ---------------------------------------------------------------------

-- idx_report() is one statement whose steps are CTEs (cfg: the settings;
-- tracked, r: the indexes reported; plans: the EXPLAIN verdict of their
-- stored queries; facts, u, v: their usage from the counters and the last
-- snapshot) and three functions for what it says of each index: the trend
-- of its scans, the verdict, and the detail.  They run as the caller of
-- idx_report() (row-level security applies), and only compute from their
-- arguments and the rows the caller may read.

-- The scans of an index per interval between its last snapshots and now,
-- oldest first, as a sparkline (idx_sparkline).
CREATE FUNCTION @extschema@.idx_report_trend(index_oid oid, tracked boolean,
                                             history_id bigint, schema_name name,
                                             index_name name, since timestamptz,
                                             live bigint)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
           SELECT @extschema@.idx_sparkline(pg_catalog.array_agg(d.delta ORDER BY d.o DESC))
             FROM (SELECT w.o,
                          CASE WHEN w.val >= w.prev THEN w.val - w.prev
                               ELSE w.val END AS delta
                     FROM (SELECT pts.o, pts.val,
                                  lag(pts.val) OVER (ORDER BY pts.o DESC) AS prev
                             FROM (SELECT 0 AS o, idx_report_trend.live AS val
                                   UNION ALL
                                   SELECT row_number() OVER (ORDER BY s.taken_at DESC), s.idx_scan
                                     FROM (SELECT s2.taken_at, s2.idx_scan
                                             FROM @extschema@.idx_snapshots s2
                                            WHERE s2.index_oid = idx_report_trend.index_oid
                                              AND s2.node = 'primary'
                                              AND CASE WHEN idx_report_trend.tracked
                                                       THEN s2.history_id = idx_report_trend.history_id
                                                       ELSE s2.schema_name = idx_report_trend.schema_name
                                                            AND s2.index_name = idx_report_trend.index_name END
                                              AND s2.taken_at >= COALESCE(idx_report_trend.since, '-infinity')
                                            ORDER BY s2.taken_at DESC LIMIT 8) s
                                   UNION ALL
                                   SELECT 9, 0 WHERE idx_report_trend.tracked) pts) w
                    WHERE w.prev IS NOT NULL
                    ORDER BY w.o LIMIT 8) d;
$body$;
COMMENT ON FUNCTION @extschema@.idx_report_trend(oid, boolean, bigint, name, name, timestamptz, bigint) IS
    'internal (idx_report): the trend of an index''s scans over its last snapshots, as a sparkline';

-- The verdict of idx_report(), from the row's status and the index's usage.
CREATE FUNCTION @extschema@.idx_report_verdict(status text, tracked boolean,
                                               index_oid oid, indisvalid boolean,
                                               idle boolean, idle_days bigint,
                                               scans bigint, queries_using integer,
                                               queries_total integer,
                                               queries_not_checked integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
SELECT
       CASE
           WHEN idx_report_verdict.status = @extschema@.idx_status('rolled_back') THEN 'rolled back'
           WHEN idx_report_verdict.tracked AND idx_report_verdict.status <> @extschema@.idx_status('done') THEN 'invalid'
           WHEN idx_report_verdict.index_oid IS NULL OR NOT idx_report_verdict.indisvalid THEN 'invalid'
           WHEN idx_report_verdict.idle THEN format('unused for %s days', idx_report_verdict.idle_days)
           WHEN idx_report_verdict.scans > 0 THEN 'used'
           WHEN idx_report_verdict.queries_using > 0 THEN 'planned, not used yet'
           -- no verdict on queries the check had no time for
           WHEN idx_report_verdict.queries_not_checked > 0 THEN 'not checked'
           WHEN idx_report_verdict.queries_total > 0 THEN 'not planned'
           ELSE 'not used yet'
       END;
$body$;
COMMENT ON FUNCTION @extschema@.idx_report_verdict(text, boolean, oid, boolean, boolean, bigint, bigint, integer, integer, integer) IS
    'internal (idx_report): the verdict on an index (used, planned, not checked, not planned, unused for N days, invalid, rolled back)';

-- The detail of idx_report(): what was built or not and why, how the
-- planner uses the index for its stored queries, and its scans.
CREATE FUNCTION @extschema@.idx_report_detail(id bigint, status text, tracked boolean,
                                              error_message text, index_oid oid,
                                              indisvalid boolean, queries_using integer,
                                              queries_total integer, query_errors integer,
                                              scan text, winner text, error text,
                                              scans bigint, live bigint,
                                              reset_seen boolean,
                                              queries_not_checked integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
SELECT
       CASE
           WHEN idx_report_detail.status = @extschema@.idx_status('rolled_back') THEN
               format('dropped by operation %s',
                      (SELECT max(d.id) FROM @extschema@.idx_history d
                        WHERE d.reverts = idx_report_detail.id))
           WHEN idx_report_detail.tracked AND idx_report_detail.status IN (@extschema@.idx_status('failed'), @extschema@.idx_status('cancelled')) THEN
               format('%s: %s', idx_report_detail.status, COALESCE(idx_report_detail.error_message, 'no error recorded'))
           WHEN idx_report_detail.tracked AND idx_report_detail.status <> @extschema@.idx_status('done') THEN
               format('not built yet (%s)', idx_report_detail.status)
           WHEN idx_report_detail.index_oid IS NULL THEN
               'the index no longer exists: it was dropped outside index_advisor'
           WHEN NOT idx_report_detail.indisvalid THEN
               'the index is INVALID: the planner ignores it but writes still maintain it; drop it and apply it again'
           ELSE concat_ws('; ',
               CASE WHEN idx_report_detail.queries_using > 0 THEN
                   format('%s for %s/%s queries', idx_report_detail.scan, idx_report_detail.queries_using, idx_report_detail.queries_total) END,
               CASE WHEN idx_report_detail.queries_total > idx_report_detail.queries_using + idx_report_detail.query_errors + idx_report_detail.queries_not_checked THEN
                   format('%s wins for %s/%s queries',
                          COALESCE(idx_report_detail.winner, 'a plan without the index'),
                          idx_report_detail.queries_total - idx_report_detail.queries_using - idx_report_detail.query_errors - idx_report_detail.queries_not_checked,
                          idx_report_detail.queries_total) END,
               idx_report_detail.error,
               CASE WHEN idx_report_detail.queries_not_checked > 0 THEN
                   format('%s/%s queries not checked: the check''s time ran out (index_advisor.check_total_timeout)',
                          idx_report_detail.queries_not_checked, idx_report_detail.queries_total) END,
               CASE WHEN idx_report_detail.tracked THEN format('%s scans since valid', idx_report_detail.scans)
                    ELSE format('%s scans since statistics reset', idx_report_detail.live) END,
               CASE WHEN idx_report_detail.reset_seen THEN 'statistics were reset since the last check' END)
       END;
$body$;
COMMENT ON FUNCTION @extschema@.idx_report_detail(bigint, text, boolean, text, oid, boolean, integer, integer, integer, text, text, text, bigint, bigint, boolean, integer) IS
    'internal (idx_report): the detail of the report on an index: its history, the plans of its stored queries, its scans';

REVOKE ALL ON FUNCTION @extschema@.idx_report_trend(oid, boolean, bigint, name, name, timestamptz, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_report_verdict(text, boolean, oid, boolean, boolean, bigint, bigint, integer, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_report_detail(bigint, text, boolean, text, oid, boolean, integer, integer, integer, text, text, text, bigint, bigint, boolean, integer) FROM PUBLIC;
-- idx_report() runs as its caller, who calls these three
GRANT EXECUTE ON FUNCTION @extschema@.idx_report_trend(oid, boolean, bigint, name, name, timestamptz, bigint) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_report_verdict(text, boolean, oid, boolean, boolean, bigint, bigint, integer, integer, integer) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_report_detail(bigint, text, boolean, text, oid, boolean, integer, integer, integer, text, text, text, bigint, bigint, boolean, integer) TO PUBLIC;

DROP FUNCTION @extschema@.idx_report(text, boolean);  -- write_cost is new
CREATE FUNCTION @extschema@.idx_report(migration text DEFAULT NULL,
                                       all_indexes boolean DEFAULT false)
RETURNS TABLE(id bigint, index_name name, table_name name, status text,
              valid boolean, size text, idx_scan bigint,
              last_used timestamptz, queries_using integer,
              queries_total integer, trend text, verdict text, detail text,
              write_cost text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $idx_report$
WITH cfg AS (
    SELECT * FROM @extschema@.idx_usage_settings()
), tracked AS (
    SELECT h.id, h.schema_name, h.table_name, h.index_name, h.status,
           h.error_message,
           COALESCE(h.finished_at, h.requested_at) AS valid_at,
           -- the index recorded at build time, if it is still there
           CASE WHEN h.status = @extschema@.idx_status('done') THEN x.indexrelid END AS index_oid
      FROM @extschema@.idx_history h
      LEFT JOIN pg_index x ON x.indexrelid = h.index_oid::oid
                          AND x.indrelid = h.table_oid::oid
     WHERE h.operation = 'create' AND h.parent_id IS NULL
       AND ($1 IS NULL OR h.migration = $1)
), r AS (
    SELECT t.id, t.schema_name, t.table_name, t.index_name, t.status,
           t.error_message, t.valid_at, t.index_oid, true AS tracked
      FROM tracked t
    UNION ALL
    SELECT NULL, s.schemaname, s.relname, s.indexrelname, NULL, NULL, NULL,
           s.indexrelid, false
      FROM pg_stat_user_indexes s
     WHERE $2
       AND NOT EXISTS (SELECT 1 FROM tracked t
                        WHERE t.index_oid = s.indexrelid)
), plans AS (
    SELECT p.*
      FROM @extschema@.idx_plan_summary(ARRAY(
               SELECT r.id FROM r JOIN pg_index x ON x.indexrelid = r.index_oid
                WHERE r.tracked AND x.indisvalid ORDER BY r.id)) p
), facts AS (
    SELECT r.*, x.indisvalid,
           -- a partitioned index is scanned through its partitions' indexes
           CASE WHEN ic.relkind = 'I'
                THEN (SELECT COALESCE(sum(pg_stat_get_numscans(pt.relid)), 0)::bigint
                        FROM pg_partition_tree(r.index_oid) pt WHERE pt.isleaf)
                ELSE pg_stat_get_numscans(r.index_oid) END AS live,
           sn.idx_scan AS snap_scan, sn.scans AS snap_scans,
           sn.last_used AS snap_last_used,
           COALESCE(sn.since, CASE WHEN r.tracked THEN r.valid_at END) AS since,
           p.queries_total, p.queries_using, p.scan, p.winner,
           p.query_errors, p.error, p.queries_not_checked
      FROM r
      LEFT JOIN pg_index x ON x.indexrelid = r.index_oid
      LEFT JOIN pg_class ic ON ic.oid = r.index_oid
      LEFT JOIN LATERAL (
            SELECT s.* FROM @extschema@.idx_snapshots s
             WHERE s.index_oid = r.index_oid AND s.node = 'primary'
               AND CASE WHEN r.tracked
                        THEN s.history_id = r.id AND s.taken_at >= r.valid_at
                        ELSE s.schema_name = r.schema_name
                             AND s.index_name = r.index_name END
             ORDER BY s.taken_at DESC LIMIT 1) sn ON true
      LEFT JOIN plans p ON p.id = r.id
), u AS (
    SELECT f.*,
           CASE WHEN NOT f.tracked AND f.snap_scan IS NULL THEN f.live
                WHEN f.snap_scan IS NULL THEN f.live
                WHEN f.live >= f.snap_scan
                     THEN f.snap_scans + f.live - f.snap_scan
                ELSE f.snap_scans + f.live END AS scans,
           CASE WHEN f.live > f.snap_scan
                  OR (f.live < f.snap_scan AND f.live > 0)
                  OR (f.snap_scan IS NULL AND f.tracked AND f.live > 0)
                THEN now() ELSE f.snap_last_used END AS used_at,
           f.live < f.snap_scan AS reset_seen
      FROM facts f
), v AS (
    SELECT u.*,
           floor(extract(epoch FROM now() - COALESCE(u.used_at, u.since))
                 / 86400)::bigint AS idle_days,
           COALESCE(u.used_at, u.since) < now() - (SELECT unused_after FROM cfg)
               AS idle
      FROM u
)
SELECT v.id, v.index_name, v.table_name, v.status,
       COALESCE(v.indisvalid, false),
       pg_size_pretty(pg_relation_size(v.index_oid)),
       -- scans summed over nodes (78_nodes.sql; idx_report_nodes() per node)
       CASE WHEN v.indisvalid THEN v.scans + @extschema@.idx_node_scans(v.id) END,
       CASE WHEN v.indisvalid THEN greatest(v.used_at,
           (SELECT max(n.last_used) FROM @extschema@.idx_node_rows(v.id) n)) END,
       v.queries_using, v.queries_total,
       CASE WHEN v.indisvalid THEN @extschema@.idx_report_trend(
           v.index_oid, v.tracked, v.id, v.schema_name, v.index_name, v.since, v.live) END,
       -- a hidden index: "hidden since ..." (84_hidden.sql)
       @extschema@.idx_hidden_verdict(v.index_oid,
       @extschema@.idx_report_node_verdict(v.id,
       @extschema@.idx_report_verdict(v.status, v.tracked, v.index_oid, v.indisvalid,
           v.idle, v.idle_days, v.scans, v.queries_using, v.queries_total,
           COALESCE(v.queries_not_checked, 0)))),
       @extschema@.idx_hidden_detail(v.index_oid,
       @extschema@.idx_report_detail(v.id, v.status, v.tracked, v.error_message,
           v.index_oid, v.indisvalid, v.queries_using, v.queries_total, v.query_errors,
           -- scans since valid, summed over nodes as idx_scan is
           v.scan, v.winner, v.error,
           v.scans + @extschema@.idx_node_scans(v.id), v.live, v.reset_seen,
           COALESCE(v.queries_not_checked, 0))),
       -- e.g. "HOT 93% → 41%, +12 MB/day" (82_write_cost.sql)
       (SELECT w.summary FROM @extschema@.idx_report_write_cost(v.id) w)
  FROM v
 ORDER BY v.tracked DESC, v.id, v.schema_name, v.table_name, v.index_name
$idx_report$;
COMMENT ON FUNCTION @extschema@.idx_report(text, boolean) IS
    'one row per index created through idx_apply (all indexes with all_indexes => true): size, scans since valid (summed over nodes), last use, plan verdict for its queries, trend, verdict and write cost';
REVOKE ALL ON FUNCTION @extschema@.idx_report(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_report(text, boolean) TO PUBLIC;
