/* index_advisor 0.1 -> 0.2, part "check": idx_check() in named steps
 * (idx_check_crashed, idx_check_usage, idx_check_catalog,
 * idx_check_record), and the duplicate rule: idx_index_covers() exposes the
 * C rule that idx_apply() refuses a duplicate with
 * (src/definition/duplicates.c ia_index_covers), and idx_check()'s
 * 'duplicate' finding calls it, so the two agree.  The 0.2 definition of
 * idx_check is here, and only here; idx_wait's is in 62_wait.sql,
 * idx_report's in 64_report.sql.  See doc/rules.md. */

-- ---------------------------------------------------------------------
-- The duplicate rule
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.idx_index_covers(existing pg_catalog.regclass,
                                             candidate pg_catalog.regclass)
RETURNS boolean
LANGUAGE C STRICT STABLE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'idx_index_covers';
COMMENT ON FUNCTION @extschema@.idx_index_covers(pg_catalog.regclass, pg_catalog.regclass) IS
    'internal (idx_check): true when idx_apply() would refuse the definition of index candidate because index existing, valid and on the same table, already covers it (the rule of src/definition/duplicates.c); NULL when either is gone';
REVOKE ALL ON FUNCTION @extschema@.idx_index_covers(pg_catalog.regclass, pg_catalog.regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_index_covers(pg_catalog.regclass, pg_catalog.regclass) TO index_advisor_admin;

-- ---------------------------------------------------------------------
-- idx_check in named steps; its duplicate finding follows idx_index_covers
-- ---------------------------------------------------------------------

-- idx_check() in named steps, each an internal function that only
-- idx_check() (SECURITY DEFINER: it reads every history row and writes the
-- snapshot and findings tables) calls; none is executable by PUBLIC.

-- Step 1: rows left running by a worker that is gone: the row's lock is
-- free (idx_row_has_worker, the queue's own test; no pid or clock is
-- trusted).  idx_check() then calls idx_kick(): a new worker drops the
-- leftover index and marks the row failed.
CREATE FUNCTION @extschema@.idx_row_has_worker(id bigint)
RETURNS boolean
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'idx_row_has_worker';
COMMENT ON FUNCTION @extschema@.idx_row_has_worker(bigint) IS
    'internal (idx_check): whether a worker runs history row id, asked of the lock the worker holds on it';
REVOKE ALL ON FUNCTION @extschema@.idx_row_has_worker(bigint) FROM PUBLIC;

CREATE FUNCTION @extschema@.idx_check_crashed()
RETURNS SETOF @extschema@.idx_finding
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
    SELECT 'crashed'::text, h.schema_name, h.table_name, h.index_name, h.id,
           format('%s of %I was left %s by a worker that is gone (server crash or killed worker); a new worker drops the leftover and marks the row failed',
                  h.operation, h.index_name, h.status)
      FROM @extschema@.idx_history h
     WHERE h.status IN (@extschema@.idx_status('waiting'), @extschema@.idx_status('building'))
       AND NOT @extschema@.idx_waits_to_start(h.status, h.wait_reason)
       AND NOT @extschema@.idx_row_has_worker(h.id);
$body$;
COMMENT ON FUNCTION @extschema@.idx_check_crashed() IS
    'internal (idx_check, step 1): rows left waiting or building by a worker that is gone (the row''s lock is free: the same test as the queue''s)';
REVOKE ALL ON FUNCTION @extschema@.idx_check_crashed() FROM PUBLIC;

-- What a check had no time for (index_advisor.check_total_timeout): the
-- queries of this snapshot's row that were not planned.  The next check
-- plans first the rows whose last snapshot left most queries unchecked.
ALTER TABLE @extschema@.idx_snapshots ADD COLUMN queries_not_checked integer;
COMMENT ON COLUMN @extschema@.idx_snapshots.queries_not_checked IS
    'stored queries of the row that this check had no time to plan (index_advisor.check_total_timeout); NULL for indexes not created through idx_apply';

-- Step 2: snapshot the counters, re-plan the stored queries, and what
-- that says: regressions, unplannable queries, queries not checked for
-- lack of time, unused indexes, resets.
CREATE FUNCTION @extschema@.idx_check_usage()
RETURNS SETOF @extschema@.idx_finding
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
    WITH cfg AS (
        SELECT * FROM @extschema@.idx_usage_settings()
    ), tracked AS (
        -- the index each done create row recorded (the latest row wins)
        SELECT DISTINCT ON (h.index_oid::oid)
               h.id, h.index_oid::oid AS index_oid,
               h.table_oid::oid AS table_oid,
               COALESCE(h.finished_at, h.requested_at) AS valid_at
          FROM @extschema@.idx_history h
         WHERE h.operation = 'create' AND h.status = @extschema@.idx_status('done')
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
         WHERE (SELECT cfg.snapshot_all FROM cfg)
           AND NOT EXISTS (SELECT 1 FROM tracked tr
                            WHERE tr.index_oid = s.indexrelid)
    ), plans AS (
        -- fairness across checks: first the rows the last check left most
        -- queries unchecked of (never checked: first of all), then by id
        SELECT p.* FROM @extschema@.idx_plan_summary(
                   ARRAY(SELECT c.hid FROM cur c
                           LEFT JOIN LATERAL (
                                 SELECT s.queries_not_checked
                                   FROM @extschema@.idx_snapshots s
                                  WHERE s.index_oid = c.indexrelid
                                    AND s.node = 'primary'
                                    AND s.history_id = c.hid
                                  ORDER BY s.taken_at DESC LIMIT 1) l ON true
                          WHERE c.hid IS NOT NULL
                          ORDER BY COALESCE(l.queries_not_checked, 2147483647) DESC,
                                   c.hid)) p
    ), ins AS (
        INSERT INTO @extschema@.idx_snapshots AS n
               (taken_at, index_oid, schema_name, table_name, index_name,
                history_id, idx_scan, since, scans, last_used, stats_reset,
                queries_total, queries_using, queries_using_max,
                queries_not_checked)
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
               greatest(p.queries_using_max, pl.queries_using),
               pl.queries_not_checked
          FROM cur c
          LEFT JOIN plans pl ON pl.id = c.hid
          LEFT JOIN LATERAL (
                SELECT s.idx_scan, s.since, s.scans, s.last_used,
                       s.queries_using_max
                  FROM @extschema@.idx_snapshots s
                 WHERE s.index_oid = c.indexrelid AND s.node = 'primary'
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
         -- a query that could not be planned is a query_error, and one
         -- not planned for lack of time is not_checked: not a regression
         WHERE i.queries_using + pl.query_errors + pl.queries_not_checked
               < i.queries_using_max
        UNION ALL
        SELECT 'query_error', i.schema_name, i.table_name, i.index_name,
               i.history_id,
               format('%s of %s stored queries cannot be planned: %s',
                      pl.query_errors, pl.queries_total, pl.error)
          FROM ins i JOIN plans pl ON pl.id = i.history_id
         WHERE pl.query_errors > 0
        UNION ALL
        SELECT 'not_checked', i.schema_name, i.table_name, i.index_name,
               i.history_id,
               format('not checked: the check''s time ran out (index_advisor.check_total_timeout, a share per role); %s of %s stored queries were not planned',
                      pl.queries_not_checked, pl.queries_total)
          FROM ins i JOIN plans pl ON pl.id = i.history_id
         WHERE pl.queries_not_checked > 0
        UNION ALL
        SELECT 'unused', i.schema_name, i.table_name, i.index_name, i.history_id,
               format('no scan for %s days%s',
                      floor(extract(epoch FROM now() - COALESCE(i.last_used, i.since)) / 86400),
                      CASE WHEN i.last_used IS NULL THEN
                          CASE WHEN i.history_id IS NULL THEN ' (since the first snapshot)'
                               ELSE ' (never used since valid)' END
                      END)
          FROM ins i JOIN pg_index x ON x.indexrelid = i.index_oid
         WHERE COALESCE(i.last_used, i.since) < now() - (SELECT cfg.unused_after FROM cfg)
           AND NOT (x.indisunique OR x.indisprimary OR x.indisexclusion)
           -- and unused on every registered standby too (78_nodes.sql)
           AND @extschema@.idx_node_idle(i.history_id, (SELECT cfg.unused_after FROM cfg))
        UNION ALL
        SELECT 'stats_reset', i.schema_name, i.table_name, i.index_name, i.history_id,
               format('idx_scan went down (statistics were reset); %s scans counted since %s',
                      i.scans, CASE WHEN i.history_id IS NULL THEN 'the first snapshot'
                                    ELSE 'the index became valid' END)
          FROM ins i
         WHERE i.stats_reset
    )
    SELECT f.kind, f.schema_name, f.table_name, f.index_name, f.history_id, f.detail
      FROM f;
$body$;
COMMENT ON FUNCTION @extschema@.idx_check_usage() IS
    'internal (idx_check, step 2): snapshot the scan counters of tracked indexes (all with index_advisor.snapshot_all), re-plan their stored queries within index_advisor.check_total_timeout, and return the regression, query_error, not_checked, unused and stats_reset findings';
REVOKE ALL ON FUNCTION @extschema@.idx_check_usage() FROM PUBLIC;

-- Step 3: the catalog: INVALID indexes anywhere (except builds in
-- progress), duplicate (the rule of idx_apply, idx_index_covers) and
-- prefix-redundant indexes.
CREATE FUNCTION @extschema@.idx_check_catalog()
RETURNS SETOF @extschema@.idx_finding
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
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
                            WHERE @extschema@.idx_status_live(h.status)
                              AND h.schema_name = i.schema_name
                              AND h.index_name = i.index_name)
           AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p
                            WHERE p.index_relid = i.indexrelid)
        UNION ALL
        -- an index that another valid index of its table covers, by the
        -- rule idx_apply() refuses duplicates with (idx_index_covers, in C);
        -- of two that cover each other, keep the one that enforces most
        -- (primary key, constraint, unique), else the oldest.  The join
        -- only pairs indexes that can cover each other (same table, method
        -- and columns), so that it stays linear.
        SELECT 'duplicate', d.schema_name, d.table_name, d.index_name, NULL,
               format('same definition as %I', d.kept)
          FROM (SELECT DISTINCT ON (b.indexrelid)
                       b.schema_name, b.table_name, b.index_name,
                       a.index_name AS kept
                  FROM usr b
                  JOIN usr a ON a.indrelid = b.indrelid AND a.relam = b.relam
                            AND a.indkey::text = b.indkey::text
                            AND a.indexrelid <> b.indexrelid
                 WHERE @extschema@.idx_index_covers(a.indexrelid, b.indexrelid)
                   AND ((a.indisprimary, a.constraint_backed, a.indisunique, b.indexrelid)
                          > (b.indisprimary, b.constraint_backed, b.indisunique, a.indexrelid)
                        OR NOT @extschema@.idx_index_covers(b.indexrelid, a.indexrelid))
                 ORDER BY b.indexrelid, a.indisprimary DESC, a.constraint_backed DESC,
                          a.indisunique DESC, a.indexrelid) d
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
    SELECT f.kind, f.schema_name, f.table_name, f.index_name, f.history_id, f.detail
      FROM f;
$body$;
COMMENT ON FUNCTION @extschema@.idx_check_catalog() IS
    'internal (idx_check, step 3): INVALID indexes (except builds in progress), duplicate indexes (idx_index_covers) and prefix-redundant btree indexes';
REVOKE ALL ON FUNCTION @extschema@.idx_check_catalog() FROM PUBLIC;

-- Step 4: record what was seen (open or refresh a finding), resolve what
-- was not, prune what is older than index_advisor.snapshot_retention.
CREATE FUNCTION @extschema@.idx_check_record(findings @extschema@.idx_finding[])
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
    INSERT INTO @extschema@.idx_findings AS o
           (kind, schema_name, table_name, index_name, history_id, detail,
            first_seen, last_seen)
    SELECT DISTINCT ON (f.kind, f.schema_name, f.index_name, COALESCE(f.history_id, 0))
           f.kind, f.schema_name, f.table_name, f.index_name, f.history_id,
           f.detail, now(), now()
      FROM unnest($1) f
    ON CONFLICT (kind, schema_name, index_name, (COALESCE(history_id, 0)))
       WHERE resolved_at IS NULL
    DO UPDATE SET last_seen = EXCLUDED.last_seen, detail = EXCLUDED.detail,
                  table_name = EXCLUDED.table_name;

    -- a plan verdict that this check had no time to look at again stays
    -- as it was
    UPDATE @extschema@.idx_findings o SET resolved_at = now()
     WHERE o.resolved_at IS NULL AND o.last_seen < now()
       AND NOT (o.kind IN ('regression', 'query_error')
                AND o.history_id IN (SELECT f.history_id FROM unnest($1) f
                                      WHERE f.kind = 'not_checked'));
    DELETE FROM @extschema@.idx_snapshots s
     WHERE s.taken_at < now() - (SELECT c.snapshot_retention FROM @extschema@.idx_usage_settings() c);
    DELETE FROM @extschema@.idx_findings o
     WHERE o.resolved_at < now() - (SELECT c.snapshot_retention FROM @extschema@.idx_usage_settings() c);
$body$;
COMMENT ON FUNCTION @extschema@.idx_check_record(@extschema@.idx_finding[]) IS
    'internal (idx_check, step 4): open or refresh the findings seen, resolve those not seen (but not the plan verdicts of a row that was not checked), prune snapshots and resolved findings older than index_advisor.snapshot_retention';
REVOKE ALL ON FUNCTION @extschema@.idx_check_record(@extschema@.idx_finding[]) FROM PUBLIC;

-- SECURITY DEFINER: the check reads every history row and writes the
-- snapshot and findings tables.  Stored queries are still planned as a role
-- no more privileged than the one that asked for each index and the owners
-- of what they read (src/plan/planning_role.c), never as the owner of
-- this function.
CREATE OR REPLACE FUNCTION @extschema@.idx_check()
RETURNS TABLE(kind text, schema_name name, table_name name, index_name name,
              history_id bigint, detail text, first_seen timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $idx_check$
#variable_conflict use_column
DECLARE
    findings @extschema@.idx_finding[];
BEGIN
    PERFORM @extschema@.idx_refuse_in_recovery('idx_check()');
    findings := ARRAY(SELECT f FROM @extschema@.idx_check_crashed() f);
    PERFORM @extschema@.idx_kick();
    findings := findings || ARRAY(SELECT f FROM @extschema@.idx_check_nodes() f);
    findings := findings || ARRAY(SELECT f FROM @extschema@.idx_check_usage() f);
    findings := findings || ARRAY(SELECT f FROM @extschema@.idx_check_write_cost() f);
    findings := findings || ARRAY(SELECT f FROM @extschema@.idx_check_catalog() f);
    findings := findings || ARRAY(SELECT f FROM @extschema@.idx_check_hidden() f);  -- 84_hidden.sql
    PERFORM @extschema@.idx_check_record(findings);

    RETURN QUERY
        SELECT o.kind, o.schema_name, o.table_name, o.index_name, o.history_id,
               o.detail, o.first_seen
          FROM @extschema@.idx_findings o
         WHERE o.resolved_at IS NULL AND o.last_seen = now()
         ORDER BY o.kind, o.schema_name, o.index_name, o.history_id;
END
$idx_check$;
COMMENT ON FUNCTION @extschema@.idx_check() IS
    'for pg_cron: snapshot index usage, re-plan stored queries (within index_advisor.check_total_timeout), record and return findings (regressions, queries not planned or not checked, unused, INVALID, duplicate and redundant indexes, crashed builds, statistics resets)';
