/* index_advisor 0.1 -> 0.2, part "plan": who plans a stored query as whom
 * (src/verify.c, doc/safety-planning.md), the visibility of idx_findings
 * and idx_snapshots, pg_cron found through pg_extension, and idx_report /
 * idx_check that follow the recorded index and table OIDs (the columns may
 * be oid or regclass: compared as h.index_oid::oid). */

-- ---------------------------------------------------------------------
-- idx_findings and idx_snapshots: the same visibility as idx_history
-- ---------------------------------------------------------------------

-- A role reads the findings and snapshots of the history rows it may read
-- (its own requests and those of roles it is a member of); members of
-- index_advisor_admin read every row; superusers bypass row-level
-- security.  Rows about indexes not created through idx_apply (history_id
-- NULL) are for the admin role only.  idx_check(), SECURITY DEFINER, writes
-- as the tables' owner.
ALTER TABLE @extschema@.idx_findings ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.idx_snapshots ENABLE ROW LEVEL SECURITY;
CREATE POLICY idx_findings_own_rows ON @extschema@.idx_findings FOR SELECT
    USING (history_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM @extschema@.idx_history h
                        WHERE h.id OPERATOR(pg_catalog.=) history_id));
CREATE POLICY idx_findings_admin_rows ON @extschema@.idx_findings
    FOR SELECT TO index_advisor_admin USING (true);
CREATE POLICY idx_snapshots_own_rows ON @extschema@.idx_snapshots FOR SELECT
    USING (history_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM @extschema@.idx_history h
                        WHERE h.id OPERATOR(pg_catalog.=) history_id));
CREATE POLICY idx_snapshots_admin_rows ON @extschema@.idx_snapshots
    FOR SELECT TO index_advisor_admin USING (true);
COMMENT ON POLICY idx_findings_own_rows ON @extschema@.idx_findings IS
    'index_advisor: a role reads the findings about the idx_history rows it may read';
COMMENT ON POLICY idx_findings_admin_rows ON @extschema@.idx_findings IS
    'index_advisor: members of index_advisor_admin read every finding';
COMMENT ON POLICY idx_snapshots_own_rows ON @extschema@.idx_snapshots IS
    'index_advisor: a role reads the snapshots of the idx_history rows it may read';
COMMENT ON POLICY idx_snapshots_admin_rows ON @extschema@.idx_snapshots IS
    'index_advisor: members of index_advisor_admin read every snapshot';

-- ---------------------------------------------------------------------
-- C helpers: now planned under the rule of who plans as whom
-- ---------------------------------------------------------------------

COMMENT ON FUNCTION @extschema@.idx_explain(bigint) IS
    'plan each query stored with an index (never executed, generic plan for $n) as a role no more privileged than the one that asked for it and the owners of what the query reads (see doc/safety-planning.md); say whether the plan uses the index, show the plan and its cost with and without the index; only for a caller with the privileges of the role that asked';
COMMENT ON FUNCTION @extschema@.idx_plan_summary(bigint[]) IS
    'internal (idx_report, idx_check): the EXPLAIN verdict of each create row, without plan text; rows whose asking role''s privileges the caller lacks are not planned';

-- ---------------------------------------------------------------------
-- idx_report
-- ---------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.idx_report(migration text DEFAULT NULL,
                                       all_indexes boolean DEFAULT false)
RETURNS TABLE(id bigint, index_name name, table_name name, status text,
              valid boolean, size text, idx_scan bigint,
              last_used timestamptz, queries_using integer,
              queries_total integer, trend text, verdict text, detail text)
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
           CASE WHEN h.status = 'done' THEN x.indexrelid END AS index_oid
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
                WHERE r.tracked AND x.indisvalid)) p
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
           p.query_errors, p.error
      FROM r
      LEFT JOIN pg_index x ON x.indexrelid = r.index_oid
      LEFT JOIN pg_class ic ON ic.oid = r.index_oid
      LEFT JOIN LATERAL (
            SELECT s.* FROM @extschema@.idx_snapshots s
             WHERE s.index_oid = r.index_oid
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
       CASE WHEN v.indisvalid THEN v.scans END,
       CASE WHEN v.indisvalid THEN v.used_at END,
       v.queries_using, v.queries_total,
       CASE WHEN v.indisvalid THEN (
           SELECT @extschema@.idx_sparkline(pg_catalog.array_agg(d.delta ORDER BY d.o DESC))
             FROM (SELECT w.o,
                          CASE WHEN w.val >= w.prev THEN w.val - w.prev
                               ELSE w.val END AS delta
                     FROM (SELECT pts.o, pts.val,
                                  lag(pts.val) OVER (ORDER BY pts.o DESC) AS prev
                             FROM (SELECT 0 AS o, v.live AS val
                                   UNION ALL
                                   SELECT row_number() OVER (ORDER BY s.taken_at DESC), s.idx_scan
                                     FROM (SELECT s2.taken_at, s2.idx_scan
                                             FROM @extschema@.idx_snapshots s2
                                            WHERE s2.index_oid = v.index_oid
                                              AND CASE WHEN v.tracked
                                                       THEN s2.history_id = v.id
                                                       ELSE s2.schema_name = v.schema_name
                                                            AND s2.index_name = v.index_name END
                                              AND s2.taken_at >= COALESCE(v.since, '-infinity')
                                            ORDER BY s2.taken_at DESC LIMIT 8) s
                                   UNION ALL
                                   SELECT 9, 0 WHERE v.tracked) pts) w
                    WHERE w.prev IS NOT NULL
                    ORDER BY w.o LIMIT 8) d)
       END,
       CASE
           WHEN v.status = 'rolled_back' THEN 'rolled back'
           WHEN v.tracked AND v.status <> 'done' THEN 'invalid'
           WHEN v.index_oid IS NULL OR NOT v.indisvalid THEN 'invalid'
           WHEN v.idle THEN format('unused for %s days', v.idle_days)
           WHEN v.scans > 0 THEN 'used'
           WHEN v.queries_using > 0 THEN 'planned, not used yet'
           WHEN v.queries_total > 0 THEN 'not planned'
           ELSE 'not used yet'
       END,
       CASE
           WHEN v.status = 'rolled_back' THEN
               format('dropped by operation %s',
                      (SELECT max(d.id) FROM @extschema@.idx_history d
                        WHERE d.reverts = v.id))
           WHEN v.tracked AND v.status IN ('failed', 'cancelled') THEN
               format('%s: %s', v.status, COALESCE(v.error_message, 'no error recorded'))
           WHEN v.tracked AND v.status <> 'done' THEN
               format('not built yet (%s)', v.status)
           WHEN v.index_oid IS NULL THEN
               'the index no longer exists: it was dropped outside index_advisor'
           WHEN NOT v.indisvalid THEN
               'the index is INVALID: the planner ignores it but writes still maintain it; drop it and apply it again'
           ELSE concat_ws('; ',
               CASE WHEN v.queries_using > 0 THEN
                   format('%s for %s/%s queries', v.scan, v.queries_using, v.queries_total) END,
               CASE WHEN v.queries_total > v.queries_using + v.query_errors THEN
                   format('%s wins for %s/%s queries',
                          COALESCE(v.winner, 'a plan without the index'),
                          v.queries_total - v.queries_using - v.query_errors,
                          v.queries_total) END,
               v.error,
               CASE WHEN v.tracked THEN format('%s scans since valid', v.scans)
                    ELSE format('%s scans since statistics reset', v.live) END,
               CASE WHEN v.reset_seen THEN 'statistics were reset since the last check' END)
       END
  FROM v
 ORDER BY v.tracked DESC, v.id, v.schema_name, v.table_name, v.index_name
$idx_report$;
COMMENT ON FUNCTION @extschema@.idx_report(text, boolean) IS
    'one row per index created through idx_apply (all indexes with all_indexes => true): size, scans since valid, last use, plan verdict for its queries, trend and verdict';

-- ---------------------------------------------------------------------
-- idx_check
-- ---------------------------------------------------------------------

-- SECURITY DEFINER: the check reads every history row and writes the
-- snapshot and findings tables.  Stored queries are still planned as a role
-- no more privileged than the one that asked for each index and the owners
-- of what they read (verify.c), never as the owner of this function.
CREATE OR REPLACE FUNCTION @extschema@.idx_check()
RETURNS TABLE(kind text, schema_name name, table_name name, index_name name,
              history_id bigint, detail text, first_seen timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $idx_check$
#variable_conflict use_column
DECLARE
    cfg     record;
    found   @extschema@.idx_finding[];
    more    @extschema@.idx_finding[];
BEGIN
    SELECT * INTO cfg FROM @extschema@.idx_usage_settings();

    -- 1. rows left running by a worker that is gone (same test as the
    --    queue's): report them, then idx_kick() starts a worker that drops
    --    the leftover index and marks the row failed.
    SELECT array_agg(ROW('crashed', h.schema_name, h.table_name, h.index_name, h.id,
                         format('%s of %I was left %s by a worker that is gone (server crash or killed worker); a new worker drops the leftover and marks the row failed',
                                h.operation, h.index_name, h.status))::@extschema@.idx_finding)
      INTO found
      FROM @extschema@.idx_history h
     WHERE h.status IN ('waiting', 'building')
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                        WHERE a.pid = h.worker_pid
                          AND a.backend_type = 'index_advisor worker'
                          AND a.backend_start <= h.started_at);
    PERFORM @extschema@.idx_kick();

    -- 2. snapshot the counters, re-plan the stored queries, and what that
    --    says: regressions, unplannable queries, unused indexes, resets.
    WITH tracked AS (
        -- the index each done create row recorded (the latest row wins)
        SELECT DISTINCT ON (h.index_oid::oid)
               h.id, h.index_oid::oid AS index_oid,
               h.table_oid::oid AS table_oid,
               COALESCE(h.finished_at, h.requested_at) AS valid_at
          FROM @extschema@.idx_history h
         WHERE h.operation = 'create' AND h.status = 'done'
           AND h.parent_id IS NULL AND h.index_oid IS NOT NULL
         ORDER BY h.index_oid::oid, h.id DESC
    ), cur AS (
        -- tracked indexes (a partitioned one counts its partitions' scans)
        SELECT c.oid AS indexrelid, n.nspname AS schemaname,
               t.relname, c.relname AS indexrelname,
               CASE WHEN c.relkind = 'I'
                    THEN (SELECT COALESCE(sum(pg_stat_get_numscans(pt.relid)), 0)::bigint
                            FROM pg_partition_tree(c.oid) pt WHERE pt.isleaf)
                    ELSE pg_stat_get_numscans(c.oid) END AS idx_scan,
               tr.id AS hid, tr.valid_at
          FROM tracked tr
          JOIN pg_index x ON x.indexrelid = tr.index_oid
                         AND x.indrelid = tr.table_oid AND x.indisvalid
          JOIN pg_class c ON c.oid = x.indexrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_class t ON t.oid = x.indrelid
        UNION ALL
        -- with index_advisor.snapshot_all, every other index too
        SELECT s.indexrelid, s.schemaname, s.relname, s.indexrelname,
               s.idx_scan, NULL, NULL
          FROM pg_stat_user_indexes s
          JOIN pg_index x ON x.indexrelid = s.indexrelid AND x.indisvalid
         WHERE cfg.snapshot_all
           AND NOT EXISTS (SELECT 1 FROM tracked tr
                            WHERE tr.index_oid = s.indexrelid)
    ), plans AS (
        SELECT p.* FROM @extschema@.idx_plan_summary(
                   ARRAY(SELECT c.hid FROM cur c WHERE c.hid IS NOT NULL)) p
    ), ins AS (
        INSERT INTO @extschema@.idx_snapshots AS n
               (taken_at, index_oid, schema_name, table_name, index_name,
                history_id, idx_scan, since, scans, last_used, stats_reset,
                queries_total, queries_using, queries_using_max)
        SELECT now(), c.indexrelid, c.schemaname, c.relname, c.indexrelname,
               c.hid, c.idx_scan,
               COALESCE(p.since, c.valid_at, now()),
               CASE WHEN p.idx_scan IS NULL
                        THEN CASE WHEN c.hid IS NOT NULL THEN c.idx_scan ELSE 0 END
                    WHEN c.idx_scan >= p.idx_scan THEN p.scans + c.idx_scan - p.idx_scan
                    ELSE p.scans + c.idx_scan END,
               CASE WHEN (p.idx_scan IS NULL AND c.hid IS NOT NULL AND c.idx_scan > 0)
                      OR c.idx_scan > p.idx_scan
                      OR (c.idx_scan < p.idx_scan AND c.idx_scan > 0)
                    THEN now() ELSE p.last_used END,
               COALESCE(c.idx_scan < p.idx_scan, false),
               pl.queries_total, pl.queries_using,
               greatest(p.queries_using_max, pl.queries_using)
          FROM cur c
          LEFT JOIN plans pl ON pl.id = c.hid
          LEFT JOIN LATERAL (
                SELECT s.idx_scan, s.since, s.scans, s.last_used,
                       s.queries_using_max
                  FROM @extschema@.idx_snapshots s
                 WHERE s.index_oid = c.indexrelid
                   AND CASE WHEN c.hid IS NOT NULL THEN s.history_id = c.hid
                            ELSE s.schema_name = c.schemaname
                                 AND s.index_name = c.indexrelname END
                   AND s.taken_at >= COALESCE(c.valid_at, '-infinity')
                 ORDER BY s.taken_at DESC LIMIT 1) p ON true
        ON CONFLICT DO NOTHING
        RETURNING n.*
    ), f AS (
        SELECT 'regression' AS kind, i.schema_name, i.table_name, i.index_name,
               i.history_id,
               format('planned for %s/%s stored queries, %s before%s',
                      i.queries_using, i.queries_total, i.queries_using_max,
                      '; now ' || pl.winner || ' wins') AS detail
          FROM ins i JOIN plans pl ON pl.id = i.history_id
         -- a query that could not be planned is a query_error, not a
         -- regression
         WHERE i.queries_using + pl.query_errors < i.queries_using_max
        UNION ALL
        SELECT 'query_error', i.schema_name, i.table_name, i.index_name,
               i.history_id,
               format('%s of %s stored queries cannot be planned: %s',
                      pl.query_errors, pl.queries_total, pl.error)
          FROM ins i JOIN plans pl ON pl.id = i.history_id
         WHERE pl.query_errors > 0
        UNION ALL
        SELECT 'unused', i.schema_name, i.table_name, i.index_name, i.history_id,
               format('no scan for %s days%s',
                      floor(extract(epoch FROM now() - COALESCE(i.last_used, i.since)) / 86400),
                      CASE WHEN i.last_used IS NULL THEN
                          CASE WHEN i.history_id IS NULL THEN ' (since the first snapshot)'
                               ELSE ' (never used since valid)' END
                      END)
          FROM ins i JOIN pg_index x ON x.indexrelid = i.index_oid
         WHERE COALESCE(i.last_used, i.since) < now() - cfg.unused_after
           AND NOT (x.indisunique OR x.indisprimary OR x.indisexclusion)
        UNION ALL
        SELECT 'stats_reset', i.schema_name, i.table_name, i.index_name, i.history_id,
               format('idx_scan went down (statistics were reset); %s scans counted since %s',
                      i.scans, CASE WHEN i.history_id IS NULL THEN 'the first snapshot'
                                    ELSE 'the index became valid' END)
          FROM ins i
         WHERE i.stats_reset
    )
    SELECT array_agg(ROW(f.kind, f.schema_name, f.table_name, f.index_name,
                         f.history_id, f.detail)::@extschema@.idx_finding)
      INTO more FROM f;
    found := COALESCE(found, '{}') || COALESCE(more, '{}');

    -- 3. the catalog: INVALID indexes anywhere (except builds in progress),
    --    duplicate and prefix-redundant indexes.
    WITH ix AS (
        SELECT x.indexrelid, x.indrelid, x.indisvalid, x.indisunique,
               x.indisprimary, x.indnatts, x.indnkeyatts, x.indkey,
               x.indclass, x.indcollation, x.indoption,
               x.indexprs IS NULL AS plain, x.indpred IS NULL AS whole,
               COALESCE(pg_get_expr(x.indexprs, x.indrelid), '') AS exprs,
               COALESCE(pg_get_expr(x.indpred, x.indrelid), '') AS pred,
               -- key columns: attnums, opclasses, collations, options
               string_to_array(x.indkey::text, ' ') AS keys,
               string_to_array(x.indclass::text, ' ') AS classes,
               string_to_array(x.indcollation::text, ' ') AS colls,
               string_to_array(x.indoption::text, ' ') AS opts,
               c.relam, c.relname AS index_name, n.nspname AS schema_name,
               t.relname AS table_name,
               EXISTS (SELECT 1 FROM pg_constraint co
                        WHERE co.conindid = x.indexrelid
                          AND co.contype IN ('p', 'u', 'x')) AS constraint_backed
          FROM pg_index x
          JOIN pg_class c ON c.oid = x.indexrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_class t ON t.oid = x.indrelid
         WHERE n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema'
    ), usr AS (
        SELECT * FROM ix
         WHERE ix.indisvalid AND ix.schema_name !~ '^pg_toast'
    ), f AS (
        SELECT 'invalid' AS kind, i.schema_name, i.table_name, i.index_name,
               NULL::bigint AS history_id,
               'INVALID index (a failed or interrupted CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY): the planner ignores it but every write maintains it; drop it, or REINDEX INDEX CONCURRENTLY it'
                   AS detail
          FROM ix i
         WHERE NOT i.indisvalid
           AND NOT EXISTS (SELECT 1 FROM @extschema@.idx_history h
                            WHERE h.status IN ('queued', 'waiting', 'building')
                              AND h.schema_name = i.schema_name
                              AND h.index_name = i.index_name)
           AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p
                            WHERE p.index_relid = i.indexrelid)
        UNION ALL
        -- same table, access method, columns, operator classes,
        -- collations, options, expressions and predicate: keep the one that
        -- enforces most (primary key, constraint, unique), else the oldest
        SELECT 'duplicate', g.schema_name, g.table_name, d.index_name, NULL,
               format('same definition as %I', g.names[1])
          FROM (SELECT max(u.schema_name) AS schema_name,
                       max(u.table_name) AS table_name,
                       array_agg(u.index_name
                                 ORDER BY u.indisprimary DESC, u.constraint_backed DESC,
                                          u.indisunique DESC, u.indexrelid) AS names
                  FROM usr u
                 GROUP BY u.indrelid, u.relam, u.indnkeyatts, u.indkey::text,
                          u.indclass::text, u.indcollation::text,
                          u.indoption::text, u.exprs, u.pred
                HAVING count(*) > 1) g
          CROSS JOIN LATERAL unnest(g.names[2:]) d(index_name)
        UNION ALL
        -- a btree index whose key columns are a leading prefix of another
        -- btree index's: group whole keys with every proper prefix of every
        -- key, per table (no self-join: it stays linear at 10,000 indexes)
        SELECT 'redundant', g.schema_name, g.table_name, c.index_name, NULL,
               format('its columns are a leading prefix of %I, which serves the same scans',
                      g.covering)
          FROM (SELECT k.indrelid,
                       max(k.schema_name) AS schema_name,
                       max(k.table_name) AS table_name,
                       array_agg(k.index_name) FILTER (WHERE k.candidate) AS names,
                       min(k.index_name) FILTER (WHERE NOT k.whole_key) AS covering
                  FROM (SELECT u.indrelid,
                               array_to_string(u.keys[1:u.indnkeyatts], ' ') || '/' ||
                               array_to_string(u.classes, ' ') || '/' ||
                               array_to_string(u.colls, ' ') || '/' ||
                               array_to_string(u.opts, ' ') AS key,
                               u.index_name,
                               u.schema_name, u.table_name, true AS whole_key,
                               (NOT u.indisunique AND NOT u.constraint_backed
                                AND u.indnatts = u.indnkeyatts
                                AND u.plain AND u.whole) AS candidate
                          FROM usr u WHERE u.relam = 403
                        UNION ALL
                        SELECT u.indrelid,
                               array_to_string(u.keys[1:n], ' ') || '/' ||
                               array_to_string(u.classes[1:n], ' ') || '/' ||
                               array_to_string(u.colls[1:n], ' ') || '/' ||
                               array_to_string(u.opts[1:n], ' '),
                               u.index_name,
                               NULL, NULL, false, false
                          FROM usr u, generate_series(1, u.indnkeyatts - 1) n
                         WHERE u.relam = 403 AND u.plain AND u.whole) k
                 GROUP BY k.indrelid, k.key
                HAVING bool_or(k.candidate) AND bool_or(NOT k.whole_key)) g
          CROSS JOIN LATERAL unnest(g.names) c(index_name)
    )
    SELECT array_agg(ROW(f.kind, f.schema_name, f.table_name, f.index_name,
                         f.history_id, f.detail)::@extschema@.idx_finding)
      INTO more FROM f;
    found := found || COALESCE(more, '{}');

    -- 4. record: open or refresh what was seen, resolve what was not, prune.
    INSERT INTO @extschema@.idx_findings AS o
           (kind, schema_name, table_name, index_name, history_id, detail,
            first_seen, last_seen)
    SELECT DISTINCT ON (f.kind, f.schema_name, f.index_name, COALESCE(f.history_id, 0))
           f.kind, f.schema_name, f.table_name, f.index_name, f.history_id,
           f.detail, now(), now()
      FROM unnest(found) f
    ON CONFLICT (kind, schema_name, index_name, (COALESCE(history_id, 0)))
       WHERE resolved_at IS NULL
    DO UPDATE SET last_seen = EXCLUDED.last_seen, detail = EXCLUDED.detail,
                  table_name = EXCLUDED.table_name;

    UPDATE @extschema@.idx_findings o SET resolved_at = now()
     WHERE o.resolved_at IS NULL AND o.last_seen < now();
    DELETE FROM @extschema@.idx_snapshots s
     WHERE s.taken_at < now() - cfg.snapshot_retention;
    DELETE FROM @extschema@.idx_findings o
     WHERE o.resolved_at < now() - cfg.snapshot_retention;

    RETURN QUERY
        SELECT o.kind, o.schema_name, o.table_name, o.index_name, o.history_id,
               o.detail, o.first_seen
          FROM @extschema@.idx_findings o
         WHERE o.resolved_at IS NULL AND o.last_seen = now()
         ORDER BY o.kind, o.schema_name, o.index_name, o.history_id;
END
$idx_check$;
COMMENT ON FUNCTION @extschema@.idx_check() IS
    'for pg_cron: snapshot index usage, re-plan stored queries, record and return findings (regressions, unused, INVALID, duplicate and redundant indexes, crashed builds, statistics resets)';

-- ---------------------------------------------------------------------
-- pg_cron
-- ---------------------------------------------------------------------

-- Internal: the schema of pg_cron's functions in this database (remote
-- false) or in pg_cron's database through dblink (remote true); NULL when
-- pg_cron is not installed there.  pg_cron is found through pg_extension and
-- the schema that belongs to it (pg_depend), never by the schema name
-- "cron", which anyone with CREATE on a database may create there.
CREATE FUNCTION @extschema@.idx_cron_schema(remote boolean)
RETURNS name
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_cron_schema$
DECLARE
    lookup constant text :=
        'SELECT n.nspname::pg_catalog.text'
        ' FROM pg_catalog.pg_extension e'
        ' JOIN pg_catalog.pg_depend d'
        '   ON d.refclassid OPERATOR(pg_catalog.=) ''pg_catalog.pg_extension''::pg_catalog.regclass'
        '  AND d.refobjid OPERATOR(pg_catalog.=) e.oid'
        '  AND d.deptype OPERATOR(pg_catalog.=) ''e'''
        '  AND d.classid OPERATOR(pg_catalog.=) ''pg_catalog.pg_namespace''::pg_catalog.regclass'
        ' JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) d.objid'
        ' WHERE e.extname OPERATOR(pg_catalog.=) ''pg_cron'''
        ' ORDER BY n.oid LIMIT 1';
    nsp text;
BEGIN
    IF remote THEN
        RETURN @extschema@.idx_cron_remote(lookup)::name;
    END IF;
    EXECUTE lookup INTO nsp;
    RETURN nsp::name;
END
$idx_cron_schema$;
COMMENT ON FUNCTION @extschema@.idx_cron_schema(boolean) IS
    'internal (idx_schedule, idx_unschedule): the schema of pg_cron''s functions here or in pg_cron''s database, found through pg_extension; NULL without pg_cron';
REVOKE ALL ON FUNCTION @extschema@.idx_cron_schema(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_cron_schema(boolean) TO index_advisor_admin;

CREATE OR REPLACE FUNCTION @extschema@.idx_schedule(schedule text DEFAULT '*/15 * * * *')
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_schedule$
DECLARE
    cron_db text := current_setting('cron.database_name', true);
    command text := format('SELECT pg_catalog.count(*) FROM %s',
                           '@extschema@.idx_check()'::regprocedure);
    job     text := 'index_advisor_check@' || current_database();
    cron    name := @extschema@.idx_cron_schema(false);
    jobid   bigint;
BEGIN
    IF cron IS NOT NULL THEN
        EXECUTE format('SELECT %I.schedule($1, $2, $3)', cron)
           INTO jobid USING 'index_advisor_check'::text, schedule, command;
        RETURN jobid;
    END IF;
    IF cron_db IS NULL OR cron_db = current_database() THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'idx_schedule() registers idx_check() as a pg_cron job.',
                  HINT = 'Add pg_cron to shared_preload_libraries, set cron.database_name, restart, and run CREATE EXTENSION pg_cron in that database; or call "SELECT count(*) FROM idx_check()" from another scheduler.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = 'dblink') THEN
        -- idx_cron_remote's error, whose hint is the statement to run there
        PERFORM @extschema@.idx_cron_remote(
            format('SELECT cron.schedule_in_database(%L, %L, %L, %L)',
                   job, schedule, command, current_database()));
    END IF;
    cron := @extschema@.idx_cron_schema(true);
    IF cron IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not installed in database "%"', cron_db
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'cron.database_name names it, but it has no pg_cron extension.',
                  HINT = format('Run CREATE EXTENSION pg_cron in database "%s".', cron_db);
    END IF;
    RETURN @extschema@.idx_cron_remote(
        format('SELECT %I.schedule_in_database(%L, %L, %L, %L)::pg_catalog.text',
               cron, job, schedule, command, current_database()))::bigint;
END
$idx_schedule$;
COMMENT ON FUNCTION @extschema@.idx_schedule(text) IS
    'register idx_check() as the pg_cron job "index_advisor_check" (or "index_advisor_check@<database>" when pg_cron lives in another database); returns the job id; pg_cron is found through pg_extension, never by a schema name';

CREATE OR REPLACE FUNCTION @extschema@.idx_unschedule()
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_unschedule$
DECLARE
    cron_db text := current_setting('cron.database_name', true);
    job     text := 'index_advisor_check@' || current_database();
    cron    name := @extschema@.idx_cron_schema(false);
    jobid   bigint;
    done    boolean;
BEGIN
    IF cron IS NOT NULL THEN
        EXECUTE format('SELECT j.jobid FROM %I.job j'
                       ' WHERE j.jobname OPERATOR(pg_catalog.=) $1'
                       '   AND j.username OPERATOR(pg_catalog.=) current_user', cron)
           INTO jobid USING 'index_advisor_check'::text;
        IF jobid IS NULL THEN
            RETURN false;
        END IF;
        EXECUTE format('SELECT %I.unschedule($1)', cron) INTO done USING jobid;
        RETURN done;
    END IF;
    IF cron_db IS NULL OR cron_db = current_database() THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Without pg_cron there is no job to remove.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = 'dblink') THEN
        -- idx_cron_remote's error, whose hint is the statement to run there
        PERFORM @extschema@.idx_cron_remote(
            format('SELECT cron.unschedule(j.jobid) FROM cron.job j WHERE j.jobname = %L AND j.username = current_user',
                   job));
    END IF;
    cron := @extschema@.idx_cron_schema(true);
    IF cron IS NULL THEN
        RETURN false;
    END IF;
    RETURN COALESCE(@extschema@.idx_cron_remote(
        format('SELECT pg_catalog.bool_or(%I.unschedule(j.jobid))::pg_catalog.text FROM %I.job j WHERE j.jobname OPERATOR(pg_catalog.=) %L AND j.username OPERATOR(pg_catalog.=) current_user',
               cron, cron, job))::boolean, false);
END
$idx_unschedule$;
COMMENT ON FUNCTION @extschema@.idx_unschedule() IS
    'remove the pg_cron job of idx_schedule(); false if there was none';
