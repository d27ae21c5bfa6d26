/* index_advisor 0.1 -> 0.2, part "rules": each rule written once.
 *
 *  * The duplicate rule: idx_index_covers() exposes the C rule that
 *    idx_apply() refuses a duplicate with (src/definition/duplicates.c ia_index_covers),
 *    and idx_check()'s 'duplicate' finding calls it, so the two agree.
 *  * Who may act on a history row: idx_may_act(role), defined with the
 *    row-level security policies that use it in 40_history.sql, and used
 *    here by idx_wait().
 *  * idx_check() and idx_report() in named steps: idx_check_crashed,
 *    idx_check_usage, idx_check_catalog, idx_check_record; idx_report_trend,
 *    idx_report_verdict, idx_report_detail.  The 0.2 definitions of
 *    idx_check, idx_report and idx_wait are here, and only here.
 *
 * See doc/rules.md. */

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
       AND h.wait_reason IS NULL    -- not a row waiting to start
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
    findings := findings || ARRAY(SELECT f FROM @extschema@.idx_check_hidden() f);  -- 80_hidden.sql
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


-- ---------------------------------------------------------------------
-- Who may act on a history row
-- ---------------------------------------------------------------------

-- Internal: idx_wait's nap, cut short when a worker takes or lets go of one
-- of the rows (their locks; no query): the start and the end of a build are
-- seen at once, and the progress views are read only once per nap.
CREATE PROCEDURE @extschema@.idx_wait_nap(ms integer, ids bigint[])
LANGUAGE C
AS 'MODULE_PATHNAME', 'idx_wait_nap_rows';
COMMENT ON PROCEDURE @extschema@.idx_wait_nap(integer, bigint[]) IS
    'internal: commit, then sleep up to ms milliseconds without a snapshot, until a worker takes or lets go of one of the rows ids';

-- idx_wait: as in 10_progress.sql, but without an id it waits for the
-- unfinished rows the current role may act on (idx_may_act), not only the
-- rows it requested itself but reports the partitions through their partitioned
-- row; a line is printed when a row's phase changes, and at most every
-- 10 seconds while the phase stays the same (percentages, counts); the
-- blocking query is shown on one line.
DROP PROCEDURE @extschema@.idx_wait(bigint, interval);  -- replayed is new
CREATE PROCEDURE @extschema@.idx_wait(id bigint DEFAULT NULL,
                                      timeout interval DEFAULT '1 hour',
                                      replayed boolean DEFAULT false)
LANGUAGE plpgsql
AS $idx_wait$
DECLARE
    deadline   pg_catalog.timestamptz := pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+) timeout;
    ids        bigint[];
    last_key   pg_catalog.text[] := '{}';
    last_line  pg_catalog.text[] := '{}';
    last_at    pg_catalog.timestamptz[] := '{}';
    k          integer;
    phase_key  pg_catalog.text;
    line       pg_catalog.text;
    r          pg_catalog.record;
    pending    integer;
    kicked     boolean;
    failures     pg_catalog.text;
    first_code   pg_catalog.text;
    first_detail pg_catalog.text;
BEGIN
    PERFORM @extschema@.idx_wait_preflight();
    IF id IS NULL THEN
        SELECT pg_catalog.array_agg(h.id ORDER BY h.id) INTO ids
          FROM @extschema@.idx_history h
         WHERE @extschema@.idx_may_act(h.role_oid)
           AND h.parent_id IS NULL
           AND @extschema@.idx_status_live(h.status);
        IF ids IS NULL THEN
            IF replayed THEN
                CALL @extschema@.idx_wait_replay('{}', deadline);
            END IF;
            RETURN;
        END IF;
    ELSE
        PERFORM FROM @extschema@.idx_history h WHERE h.id OPERATOR(pg_catalog.=) idx_wait.id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'index_advisor history row % does not exist', idx_wait.id
                USING ERRCODE = 'undefined_object';
        END IF;
        ids := ARRAY[idx_wait.id];
    END IF;

    LOOP
        -- not before the first nap: the idx_apply() just before has started
        -- a worker, which may not have taken its slot yet
        IF kicked IS NOT NULL THEN
            PERFORM @extschema@.idx_kick();
        END IF;
        kicked := true;
        FOR r IN
            SELECT p.id, p.index_name, p.status, p.phase, p.blocks_done,
                   p.blocks_total, p.blocked_by_pid, p.blocked_by_state,
                   p.blocked_by_query, p.blocked_by_xact_age,
                   p.partitions_total, p.partitions_built, p.partition_index_building,
                   p.wait_reason
              FROM @extschema@.idx_progress p
             WHERE p.id OPERATOR(pg_catalog.=) ANY (ids)
             ORDER BY p.id
        LOOP
            -- the phase: what changes a few times per build, never per partition
            phase_key := COALESCE(r.phase, r.status);
            line := r.id::pg_catalog.text OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) r.index_name
                    OPERATOR(pg_catalog.||) ': ';
            IF r.partitions_total IS NOT NULL AND r.status OPERATOR(pg_catalog.=) @extschema@.idx_status('building') THEN
                phase_key := CASE WHEN r.partitions_built OPERATOR(pg_catalog.<) r.partitions_total
                            THEN 'building partitions' ELSE 'attaching partitions' END;
                line := line OPERATOR(pg_catalog.||) pg_catalog.format('%s of %s partitions built',
                        r.partitions_built, r.partitions_total);
                IF r.partition_index_building IS NOT NULL THEN
                    line := line OPERATOR(pg_catalog.||) pg_catalog.format(', building %s: %s',
                            r.partition_index_building, COALESCE(r.phase, 'starting'));
                ELSIF r.partitions_built OPERATOR(pg_catalog.=) r.partitions_total THEN
                    line := line OPERATOR(pg_catalog.||) ', attaching them';
                END IF;
            ELSE
                line := line OPERATOR(pg_catalog.||) COALESCE(r.phase, r.status);
            END IF;
            IF r.wait_reason IS NOT NULL THEN    -- waiting to start, and why
                phase_key := phase_key OPERATOR(pg_catalog.||) r.wait_reason;
                line := line OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) r.wait_reason;
            END IF;
            IF r.blocks_total OPERATOR(pg_catalog.>) 0
               AND (r.phase OPERATOR(pg_catalog.~~) 'building index%'
                    OR r.phase OPERATOR(pg_catalog.~~) 'index validation: scanning%') THEN
                line := line OPERATOR(pg_catalog.||) pg_catalog.format(', %s%% of blocks',
                        (100 OPERATOR(pg_catalog.*) r.blocks_done OPERATOR(pg_catalog./) r.blocks_total)::integer);
            END IF;
            IF r.blocked_by_pid IS NOT NULL
               AND r.blocked_by_pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid() THEN
                line := line OPERATOR(pg_catalog.||) pg_catalog.format(
                        ', blocked by pid %s (%s for %s: "%s")', r.blocked_by_pid,
                        COALESCE(r.blocked_by_state, '?'),
                        COALESCE(pg_catalog.date_trunc('second', r.blocked_by_xact_age)::pg_catalog.text, '?'),
                        pg_catalog.left(pg_catalog.regexp_replace(COALESCE(r.blocked_by_query, '?'),
                                                                  '\s+', ' ', 'g'), 60));
            END IF;
            k := pg_catalog.array_position(ids, r.id);
            -- (no IS DISTINCT FROM or LIKE: they find "=" and "~~" on the
            -- caller's search_path)
            IF last_key[k] IS NULL OR last_key[k] OPERATOR(pg_catalog.<>) phase_key
               OR (last_line[k] OPERATOR(pg_catalog.<>) line
                   AND pg_catalog.clock_timestamp() OPERATOR(pg_catalog.>=)
                       (last_at[k] OPERATOR(pg_catalog.+) '10 seconds'::pg_catalog.interval)) THEN
                RAISE NOTICE '%', line;
                last_key[k] := phase_key;
                last_line[k] := line;
                last_at[k] := pg_catalog.clock_timestamp();
            END IF;
        END LOOP;

        SELECT pg_catalog.count(*) INTO pending
          FROM @extschema@.idx_history h
         WHERE h.id OPERATOR(pg_catalog.=) ANY (ids)
           AND @extschema@.idx_status_live(h.status);
        EXIT WHEN pending OPERATOR(pg_catalog.=) 0;

        IF pg_catalog.clock_timestamp() OPERATOR(pg_catalog.>) deadline THEN
            RAISE EXCEPTION 'timed out waiting for index_advisor operations'
                USING ERRCODE = 'query_canceled',
                      DETAIL = pg_catalog.format('%s of them are still unfinished after %s.', pending, timeout),
                      HINT = 'They go on in the background: CALL idx_wait() again, or idx_cancel() them.';
        END IF;
        COMMIT;
        CALL @extschema@.idx_wait_nap(500, ids);
    END LOOP;

    FOR r IN
        SELECT h.id, h.index_name, h.status, h.operation,
               pg_catalog.date_trunc('milliseconds', h.finished_at OPERATOR(pg_catalog.-) h.started_at) AS took,
               h.index_size,
               (SELECT pg_catalog.count(*) FROM @extschema@.idx_history c
                 WHERE c.parent_id OPERATOR(pg_catalog.=) h.id) AS parts
          FROM @extschema@.idx_history h
         WHERE h.id OPERATOR(pg_catalog.=) ANY (ids)
           AND h.status OPERATOR(pg_catalog.=) @extschema@.idx_status('done')
         ORDER BY h.id
    LOOP
        RAISE NOTICE '%', pg_catalog.format('%s %s: %s done in %s%s%s', r.id, r.index_name, r.operation,
            COALESCE(r.took::pg_catalog.text, '?'),
            CASE WHEN r.index_size IS NULL THEN ''
                 ELSE ', ' OPERATOR(pg_catalog.||) pg_catalog.pg_size_pretty(r.index_size) END,
            CASE WHEN r.parts OPERATOR(pg_catalog.=) 0 THEN ''
                 ELSE pg_catalog.format(' (%s partition indexes)', r.parts) END);
    END LOOP;

    SELECT pg_catalog.string_agg(pg_catalog.format('%s %s: %s (%s) %s', h.id, h.index_name,
                                 h.status, h.error_code, h.error_message), '; ' ORDER BY h.id),
           (pg_catalog.array_agg(h.error_code ORDER BY h.id))[1],
           (pg_catalog.array_agg(h.error_detail ORDER BY h.id))[1]
      INTO failures, first_code, first_detail
      FROM @extschema@.idx_history h
     WHERE h.id OPERATOR(pg_catalog.=) ANY (ids)
       AND h.status OPERATOR(pg_catalog.=) ANY ('{failed,cancelled}');
    IF failures IS NOT NULL AND first_detail IS NOT NULL THEN
        RAISE EXCEPTION 'index_advisor operations did not complete: %', failures
            USING ERRCODE = COALESCE(first_code, 'XX000'),
                  DETAIL = first_detail,
                  HINT = 'See error_message and error_detail in idx_history.';
    ELSIF failures IS NOT NULL THEN
        RAISE EXCEPTION 'index_advisor operations did not complete: %', failures
            USING ERRCODE = COALESCE(first_code, 'XX000'),
                  HINT = 'See error_message and error_detail in idx_history.';
    END IF;
    IF replayed THEN
        -- and until every standby has replayed the builds (78_nodes.sql)
        CALL @extschema@.idx_wait_replay(ids, deadline);
    END IF;
END
$idx_wait$;
COMMENT ON PROCEDURE @extschema@.idx_wait(bigint, interval, boolean) IS
    'wait (committing between polls) until the given row, or every unfinished row the current role may act on (idx_may_act), has ended, printing one line per phase (a partitioned build as one line with counts); errors if any failed or was cancelled; with replayed, also until every standby has replayed the builds';
REVOKE ALL ON PROCEDURE @extschema@.idx_wait(bigint, interval, boolean) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE @extschema@.idx_wait(bigint, interval, boolean) TO PUBLIC;

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
       -- a hidden index: "hidden since ..." (80_hidden.sql)
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
       -- e.g. "HOT 93% → 41%, +12 MB/day" (78_nodes.sql)
       (SELECT w.summary FROM @extschema@.idx_report_write_cost(v.id) w)
  FROM v
 ORDER BY v.tracked DESC, v.id, v.schema_name, v.table_name, v.index_name
$idx_report$;
COMMENT ON FUNCTION @extschema@.idx_report(text, boolean) IS
    'one row per index created through idx_apply (all indexes with all_indexes => true): size, scans since valid (summed over nodes), last use, plan verdict for its queries, trend, verdict and write cost';
REVOKE ALL ON FUNCTION @extschema@.idx_report(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_report(text, boolean) TO PUBLIC;
