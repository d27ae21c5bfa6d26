/* index_advisor 0.1 -> 0.2, part "nodes": usage from standbys (issue 10).
 *
 *  * idx_nodes, the registry of the nodes whose index usage counts, written
 *    by idx_node_add (C, src/nodes/nodes.c) and idx_node_remove, read by nobody
 *    but its owner: admins see idx_node_list, with the password masked.
 *  * idx_check() collects each node's scans of the tracked indexes into
 *    idx_snapshots (column node; 'primary' is this server) through
 *    idx_check_nodes(), and reports standbys that stream from this server
 *    but are not registered, and nodes it could not reach.
 *  * idx_report() sums scans over nodes and says "unknown: ..." rather than
 *    "unused" when a node could not be reached (idx_report_node_verdict);
 *    idx_report_nodes() shows the scans per node.
 *  * idx_rollback(id, force) refuses an index a standby used in the window
 *    (idx_node_users); idx_wait(..., replayed => true) waits until every
 *    standby has replayed the build (idx_history.commit_lsn).
 *  * Writing functions refuse to run on a hot standby (25006).
 *
 * The in-place changes to idx_check, idx_check_usage, idx_report,
 * idx_report_trend and idx_wait are in 60_rules.sql.  See doc/nodes.md. */

-- ---------------------------------------------------------------------
-- Writing functions on a hot standby
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.idx_refuse_in_recovery(what text)
RETURNS void
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'idx_refuse_in_recovery';
COMMENT ON FUNCTION @extschema@.idx_refuse_in_recovery(text) IS
    'internal: raises 25006 ("cannot run ... during recovery", run it on the primary) on a hot standby';
REVOKE ALL ON FUNCTION @extschema@.idx_refuse_in_recovery(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_refuse_in_recovery(text) TO PUBLIC;  -- checks only

-- ---------------------------------------------------------------------
-- The registry
-- ---------------------------------------------------------------------

-- No CHECK or NOT NULL constraint on a column next to conninfo: their
-- errors show the whole row.  idx_node_add (C) checks the values first.
CREATE TABLE @extschema@.idx_nodes (
    name              text PRIMARY KEY,
    conninfo          text,
    added_by          pg_catalog.regrole,
    added_at          timestamptz DEFAULT pg_catalog.now(),
    last_contact      timestamptz,
    unreachable_since timestamptz,
    last_error        text,
    in_recovery       boolean,
    started_at        timestamptz
);
COMMENT ON TABLE @extschema@.idx_nodes IS
    'index_advisor: the nodes (streaming standbys) whose index usage idx_check() collects; readable by its owner only (admins read idx_node_list)';
COMMENT ON COLUMN @extschema@.idx_nodes.name IS 'the node''s name in idx_snapshots and idx_report_nodes(); best its application_name as pg_stat_replication shows it';
COMMENT ON COLUMN @extschema@.idx_nodes.conninfo IS 'libpq connection string (may hold a password: never shown to other roles)';
COMMENT ON COLUMN @extschema@.idx_nodes.added_by IS 'the role that registered the node; unless it is a superuser, the connection must use the password it gave';
COMMENT ON COLUMN @extschema@.idx_nodes.unreachable_since IS 'first idx_check() of the current run of failures to reach the node; NULL when the last one reached it';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_nodes', '');
REVOKE ALL ON @extschema@.idx_nodes FROM PUBLIC;

CREATE FUNCTION @extschema@.idx_conninfo_mask(conninfo text)
RETURNS text
LANGUAGE C STRICT IMMUTABLE
AS 'MODULE_PATHNAME', 'idx_conninfo_mask';
COMMENT ON FUNCTION @extschema@.idx_conninfo_mask(text) IS
    'a connection string as keyword=value pairs, every option libpq marks as secret (password, sslpassword, ...) shown as ********';

CREATE FUNCTION @extschema@.idx_node_add(name text, conninfo text)
RETURNS void
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_node_add';
COMMENT ON FUNCTION @extschema@.idx_node_add(text, text) IS
    'register a node (a streaming standby) whose index usage counts; a role that is not a superuser must give a password in conninfo';

CREATE FUNCTION @extschema@.idx_node_remove(name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $body$
BEGIN
    PERFORM @extschema@.idx_refuse_in_recovery('idx_node_remove()');
    DELETE FROM @extschema@.idx_nodes n WHERE n.name = idx_node_remove.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'node "%" is not registered', idx_node_remove.name
            USING ERRCODE = 'undefined_object',
                  HINT = 'idx_node_list shows the registered nodes.';
    END IF;
    RETURN true;
END
$body$;
COMMENT ON FUNCTION @extschema@.idx_node_remove(text) IS
    'forget a node: its snapshots stay until pruned, idx_check() no longer asks it';

CREATE VIEW @extschema@.idx_node_list AS
SELECT n.name, @extschema@.idx_conninfo_mask(n.conninfo) AS conninfo,
       n.added_by, n.added_at, n.last_contact, n.unreachable_since,
       n.last_error, n.in_recovery, n.started_at
  FROM @extschema@.idx_nodes n;
COMMENT ON VIEW @extschema@.idx_node_list IS
    'index_advisor: the registered nodes, passwords and other secret options masked, with what the last idx_check() saw of each';
REVOKE ALL ON @extschema@.idx_node_list FROM PUBLIC;

-- What anyone may know of the nodes: names and reachability, no conninfo.
CREATE FUNCTION @extschema@.idx_node_states()
RETURNS TABLE(name text, unreachable_since timestamptz, last_contact timestamptz,
              in_recovery boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT n.name, n.unreachable_since, n.last_contact, n.in_recovery
      FROM @extschema@.idx_nodes n ORDER BY n.name;
$body$;
COMMENT ON FUNCTION @extschema@.idx_node_states() IS
    'internal (idx_report, idx_rollback): the registered nodes'' names and whether the last idx_check() reached them';

-- libpq calls (C): as the extension's owner they connect as the server's
-- operating system user, so only SECURITY DEFINER functions of the
-- extension call them, with the node's added_by for the password rule.
CREATE FUNCTION @extschema@.idx_node_fetch(name text, conninfo text,
                                           owner pg_catalog.regrole,
                                           index_oids oid[])
RETURNS TABLE(index_oid oid, idx_scan bigint, started_at timestamptz,
              stats_reset timestamptz, in_recovery boolean)
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'idx_node_fetch';
COMMENT ON FUNCTION @extschema@.idx_node_fetch(text, text, pg_catalog.regrole, oid[]) IS
    'internal (idx_check): the scans of the given indexes on a node, with its start time and statistics reset';

CREATE FUNCTION @extschema@.idx_node_probe(name text, conninfo text,
                                           owner pg_catalog.regrole)
RETURNS TABLE(in_recovery boolean, database name, server_version text,
              replay_lsn pg_lsn, started_at timestamptz)
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'idx_node_probe';
COMMENT ON FUNCTION @extschema@.idx_node_probe(text, text, pg_catalog.regrole) IS
    'internal (idx_node_test, idx_wait): what a node is and how far it has replayed';

CREATE FUNCTION @extschema@.idx_node_test(name text)
RETURNS TABLE(node text, reachable boolean, in_recovery boolean, database name,
              server_version text, replay_lsn pg_lsn, detail text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    n @extschema@.idx_nodes;
BEGIN
    SELECT * INTO n FROM @extschema@.idx_nodes x WHERE x.name = idx_node_test.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'node "%" is not registered', idx_node_test.name
            USING ERRCODE = 'undefined_object',
                  HINT = 'idx_node_list shows the registered nodes.';
    END IF;
    BEGIN
        RETURN QUERY
            SELECT n.name, true, p.in_recovery, p.database, p.server_version,
                   p.replay_lsn,
                   CASE WHEN p.database <> current_database()
                        THEN format('connected to database %I, not %I: its counters are another database''s',
                                    p.database, current_database())
                        WHEN NOT p.in_recovery
                        THEN 'the node is not in recovery (a primary, or a promoted standby)'
                        ELSE 'ok' END
              FROM @extschema@.idx_node_probe(n.name, n.conninfo, n.added_by) p;
    EXCEPTION WHEN OTHERS THEN
        RETURN QUERY SELECT n.name, false, NULL::boolean, NULL::name, NULL::text,
                            NULL::pg_lsn, SQLERRM;
    END;
END
$body$;
COMMENT ON FUNCTION @extschema@.idx_node_test(text) IS
    'connect to a registered node now and say what it is (standby, database, replay position) or why it cannot be reached';

-- ---------------------------------------------------------------------
-- Snapshots per node; what idx_check() collects and finds
-- ---------------------------------------------------------------------

ALTER TABLE @extschema@.idx_snapshots
    ADD COLUMN node text NOT NULL DEFAULT 'primary',
    ADD COLUMN node_started timestamptz,
    DROP CONSTRAINT idx_snapshots_pkey,
    ADD PRIMARY KEY (index_oid, node, taken_at);
COMMENT ON COLUMN @extschema@.idx_snapshots.node IS
    'where the scans were counted: ''primary'' (this server) or the name of a registered node (idx_nodes)';
COMMENT ON COLUMN @extschema@.idx_snapshots.node_started IS
    'for another node: its postmaster start time; a change means it restarted (its counters started again)';

-- Every kind of finding 0.2 knows, in this one place: write_cost and the
-- node kinds (here), not_checked (a check that ran out of time, 60_rules.sql)
-- and hidden (a hidden index, 80_hidden.sql).
ALTER TABLE @extschema@.idx_findings
    DROP CONSTRAINT idx_findings_kind_check,
    ADD CONSTRAINT idx_findings_kind_check
        CHECK (kind IN ('regression', 'unused', 'invalid', 'duplicate',
                        'redundant', 'crashed', 'stats_reset', 'query_error',
                        'node_unreachable', 'unregistered_standby', 'write_cost',
                        'not_checked', 'hidden'));
COMMENT ON COLUMN @extschema@.idx_findings.kind IS
    'regression, unused, invalid, duplicate, redundant, crashed, stats_reset, query_error, not_checked, write_cost, hidden, node_unreachable or unregistered_standby (for the last two, index_name is the node''s name)';

-- Step 1b of idx_check(): ask each registered node for the scans of the
-- tracked indexes (same OIDs on a physical standby) and snapshot them with
-- the node's name; a restart (new start time) or a counter that went down
-- counts again from zero, as a reset does on the primary.  Also: nodes
-- that could not be reached, and standbys streaming from here that are not
-- registered.
CREATE FUNCTION @extschema@.idx_check_nodes()
RETURNS SETOF @extschema@.idx_finding
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
DECLARE
    n     @extschema@.idx_nodes;
    oids  oid[];
BEGIN
    oids := ARRAY(SELECT DISTINCT h.index_oid::oid
                    FROM @extschema@.idx_history h
                    JOIN pg_index x ON x.indexrelid = h.index_oid::oid
                                   AND x.indrelid = h.table_oid::oid AND x.indisvalid
                   WHERE h.operation = 'create' AND h.status = @extschema@.idx_status('done')
                     AND h.parent_id IS NULL);
    FOR n IN SELECT * FROM @extschema@.idx_nodes ORDER BY name LOOP
        BEGIN
            PERFORM @extschema@.idx_check_node_snapshot(n, oids);
        EXCEPTION WHEN OTHERS THEN
            UPDATE @extschema@.idx_nodes x
               SET unreachable_since = COALESCE(x.unreachable_since, now()),
                   last_error = SQLERRM
             WHERE x.name = n.name
            RETURNING * INTO n;
            RETURN NEXT ROW('node_unreachable', '', '', n.name, NULL,
                            format('node %s unreachable since %s: %s; its index usage is unknown, so no index is called unused',
                                   n.name, to_char(n.unreachable_since, 'YYYY-MM-DD HH24:MI:SS TZ'),
                                   n.last_error))::@extschema@.idx_finding;
        END;
    END LOOP;

    RETURN QUERY
        SELECT 'unregistered_standby'::text, ''::name, ''::name,
               r.application_name::name, NULL::bigint,
               format('standby %s (%s) streams from this server and may serve reads, but is not registered: its index usage is not counted; register it with idx_node_add(%L, conninfo)',
                      r.application_name,
                      COALESCE(host(r.client_addr), 'local socket'), r.application_name)
          FROM pg_stat_replication r
         WHERE r.state IN ('startup', 'catchup', 'streaming')
           AND NOT EXISTS (SELECT 1 FROM pg_replication_slots s
                            WHERE s.active_pid = r.pid AND s.slot_type = 'logical')
           AND NOT EXISTS (SELECT 1 FROM @extschema@.idx_nodes x
                            WHERE x.name = r.application_name);
END
$body$;
COMMENT ON FUNCTION @extschema@.idx_check_nodes() IS
    'internal (idx_check, step 1b): snapshot the scans of tracked indexes on every registered node; node_unreachable and unregistered_standby findings';
REVOKE ALL ON FUNCTION @extschema@.idx_check_nodes() FROM PUBLIC;

CREATE FUNCTION @extschema@.idx_check_node_snapshot(n @extschema@.idx_nodes, oids oid[])
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
    WITH f AS (
        SELECT * FROM @extschema@.idx_node_fetch(n.name, n.conninfo, n.added_by, oids)
    ), tracked AS (
        SELECT DISTINCT ON (h.index_oid::oid)
               h.id, h.index_oid::oid AS index_oid, h.schema_name, h.table_name,
               h.index_name, COALESCE(h.finished_at, h.requested_at) AS valid_at
          FROM @extschema@.idx_history h
         WHERE h.operation = 'create' AND h.status = @extschema@.idx_status('done')
           AND h.parent_id IS NULL AND h.index_oid::oid = ANY (oids)
         ORDER BY h.index_oid::oid, h.id DESC
    ), ins AS (
        INSERT INTO @extschema@.idx_snapshots AS s
               (taken_at, node, node_started, index_oid, schema_name, table_name,
                index_name, history_id, idx_scan, since, scans, last_used, stats_reset)
        SELECT now(), n.name, f.started_at, t.index_oid, t.schema_name, t.table_name,
               t.index_name, t.id, f.idx_scan,
               -- the node's counter covers the time since the index was
               -- valid, its start and its last reset, whichever is latest
               COALESCE(p.since, greatest(t.valid_at, f.started_at, f.stats_reset)),
               CASE WHEN p.idx_scan IS NULL THEN f.idx_scan
                    WHEN r.restarted THEN p.scans + f.idx_scan
                    ELSE p.scans + f.idx_scan - p.idx_scan END,
               CASE WHEN (p.idx_scan IS NULL OR r.restarted) AND f.idx_scan > 0 THEN now()
                    WHEN NOT r.restarted AND f.idx_scan > p.idx_scan THEN now()
                    ELSE p.last_used END,
               p.idx_scan IS NOT NULL AND COALESCE(r.restarted, false)
          FROM f
          JOIN tracked t ON t.index_oid = f.index_oid
          LEFT JOIN LATERAL (
                SELECT s2.idx_scan, s2.since, s2.scans, s2.last_used, s2.node_started,
                       s2.taken_at
                  FROM @extschema@.idx_snapshots s2
                 WHERE s2.index_oid = t.index_oid AND s2.node = n.name
                   AND s2.history_id = t.id
                 ORDER BY s2.taken_at DESC LIMIT 1) p ON true
          CROSS JOIN LATERAL (
                -- restarted, statistics reset since, or a counter went down
                SELECT p.node_started IS DISTINCT FROM f.started_at
                       OR f.stats_reset > p.taken_at
                       OR f.idx_scan < p.idx_scan AS restarted) r
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    UPDATE @extschema@.idx_nodes x
       SET last_contact = now(), unreachable_since = NULL, last_error = NULL,
           in_recovery = COALESCE((SELECT bool_and(f.in_recovery) FROM f), x.in_recovery),
           started_at = COALESCE((SELECT max(f.started_at) FROM f), x.started_at)
     WHERE x.name = n.name
       AND (SELECT count(*) FROM ins) >= 0;
$body$;
COMMENT ON FUNCTION @extschema@.idx_check_node_snapshot(@extschema@.idx_nodes, oid[]) IS
    'internal (idx_check_nodes): one node''s snapshot of the tracked indexes';
REVOKE ALL ON FUNCTION @extschema@.idx_check_node_snapshot(@extschema@.idx_nodes, oid[]) FROM PUBLIC;

-- ---------------------------------------------------------------------
-- Usage over nodes: the report, the unused finding, the rollback guard
-- ---------------------------------------------------------------------

-- The latest snapshot of history row history_id on this server and on each
-- registered node (NULL columns for a node that never reported it), as the
-- caller (row-level security of idx_history and idx_snapshots applies).
-- Found through the primary key of idx_snapshots (index_oid, node, ...).
CREATE FUNCTION @extschema@.idx_node_rows(history_id bigint)
RETURNS TABLE(node text, scans bigint, last_used timestamptz,
              counted_since timestamptz, restarted boolean, reachable boolean,
              unreachable_since timestamptz, checked_at timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT nd.name, sn.scans, sn.last_used, sn.since,
           EXISTS (SELECT 1 FROM @extschema@.idx_snapshots r
                    WHERE r.index_oid = h.index_oid::oid AND r.node = nd.name
                      AND r.history_id = h.id AND r.stats_reset),
           nd.o = 0 OR (nd.unreachable_since IS NULL AND sn.taken_at IS NOT NULL),
           nd.unreachable_since, sn.taken_at
      FROM @extschema@.idx_history h
     CROSS JOIN (SELECT 'primary'::text AS name, NULL::timestamptz AS unreachable_since, 0 AS o
                 UNION ALL
                 SELECT s.name, s.unreachable_since, 1 FROM @extschema@.idx_node_states() s) nd
      LEFT JOIN LATERAL (
            SELECT s.* FROM @extschema@.idx_snapshots s
             WHERE s.index_oid = h.index_oid::oid AND s.node = nd.name
               AND s.history_id = h.id
             ORDER BY s.taken_at DESC LIMIT 1) sn ON true
     WHERE h.id = $1
     ORDER BY nd.o, nd.name;
$body$;
COMMENT ON FUNCTION @extschema@.idx_node_rows(bigint) IS
    'internal (idx_report_nodes and the helpers of idx_report, idx_check, idx_rollback): the latest snapshot of one history row per node';

CREATE FUNCTION @extschema@.idx_report_nodes(migration text DEFAULT NULL)
RETURNS TABLE(id bigint, index_name name, node text, scans bigint,
              last_used timestamptz, counted_since timestamptz,
              restarted boolean, reachable boolean,
              unreachable_since timestamptz, checked_at timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT h.id, h.index_name, r.*
      FROM @extschema@.idx_history h
     CROSS JOIN LATERAL @extschema@.idx_node_rows(h.id) r
     WHERE h.operation = 'create' AND h.status = @extschema@.idx_status('done') AND h.parent_id IS NULL
       AND ($1 IS NULL OR h.migration = $1)
     ORDER BY h.id;
$body$;
COMMENT ON FUNCTION @extschema@.idx_report_nodes(text) IS
    'the scans of each index created through idx_apply, per node (''primary'' and each registered standby), as of the last idx_check(): scans counted since counted_since, last use, whether the node restarted or was reset, whether it was reachable';

-- Scans of history row history_id on the other nodes, as of the last check.
CREATE FUNCTION @extschema@.idx_node_scans(history_id bigint)
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT COALESCE(sum(r.scans), 0)::bigint
      FROM @extschema@.idx_node_rows($1) r
     WHERE r.node <> 'primary';
$body$;
COMMENT ON FUNCTION @extschema@.idx_node_scans(bigint) IS
    'internal (idx_report): scans of an index on the registered nodes, as of the last idx_check()';

-- The verdict of idx_report() over every node: "used" when a node scanned
-- it within index_advisor.unused_after; never "unused"/"not used yet" while
-- a node was unreachable or has counted for less than the window.
CREATE FUNCTION @extschema@.idx_report_node_verdict(history_id bigint, verdict text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    WITH nodes AS (
        SELECT r.* FROM @extschema@.idx_node_rows($1) r
         WHERE r.node <> 'primary'
    ), cfg AS (
        SELECT c.unused_after FROM @extschema@.idx_usage_settings() c
    )
    SELECT CASE
        WHEN $1 IS NULL OR NOT EXISTS (SELECT 1 FROM nodes)
             OR NOT ($2 LIKE 'unused for %' OR $2 IN ('planned, not used yet', 'not planned', 'not used yet'))
            THEN $2
        WHEN EXISTS (SELECT 1 FROM nodes, cfg
                      WHERE nodes.scans > 0
                        AND ($2 NOT LIKE 'unused for %'
                             OR nodes.last_used >= now() - cfg.unused_after))
            THEN 'used'
        WHEN EXISTS (SELECT 1 FROM nodes WHERE NOT nodes.reachable) THEN
            (SELECT format('unknown: standby %s unreachable since %s', nodes.node,
                           COALESCE(to_char(nodes.unreachable_since, 'YYYY-MM-DD HH24:MI:SS TZ'),
                                    'it was registered (never reached)'))
               FROM nodes WHERE NOT nodes.reachable ORDER BY nodes.node LIMIT 1)
        WHEN $2 LIKE 'unused for %' AND EXISTS (
                 SELECT 1 FROM nodes, cfg WHERE nodes.counted_since > now() - cfg.unused_after) THEN
            (SELECT format('unknown: standby %s counts scans only since %s', nodes.node,
                           to_char(nodes.counted_since, 'YYYY-MM-DD HH24:MI:SS TZ'))
               FROM nodes, cfg WHERE nodes.counted_since > now() - cfg.unused_after
              ORDER BY nodes.node LIMIT 1)
        ELSE $2
    END;
$body$;
COMMENT ON FUNCTION @extschema@.idx_report_node_verdict(bigint, text) IS
    'internal (idx_report): the verdict of the primary corrected by the other nodes: used there, or unknown (unreachable, or counting for less than index_advisor.unused_after)';

-- For idx_check's unused finding: every registered node reported the
-- index at this check, and none used it in the window.
CREATE FUNCTION @extschema@.idx_node_idle(history_id bigint, unused_after interval)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT $1 IS NULL OR NOT EXISTS (
        SELECT 1 FROM @extschema@.idx_node_rows($1) r
         WHERE r.node <> 'primary'
           AND (NOT r.reachable OR r.checked_at < now()
                OR COALESCE(r.last_used, r.counted_since) >= now() - $2));
$body$;
COMMENT ON FUNCTION @extschema@.idx_node_idle(bigint, interval) IS
    'internal (idx_check): true when no registered node used the index within unused_after and every one reported it at this check';

-- For idx_rollback: the nodes that used the index within the window, or
-- whose use is unknown; NULL when none.  Only for a row the caller may act
-- on.
CREATE FUNCTION @extschema@.idx_node_users(history_id bigint)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT string_agg(CASE WHEN NOT r.reachable THEN
                          format('standby %s was unreachable at the last idx_check(), so its use of the index is unknown', r.node)
                      ELSE format('standby %s scanned it %s times, last seen at %s', r.node,
                                  r.scans, to_char(r.last_used, 'YYYY-MM-DD HH24:MI:SS TZ')) END,
                      '; ' ORDER BY r.node)
      FROM @extschema@.idx_node_rows($1) r
      JOIN @extschema@.idx_history h ON h.id = $1
     WHERE r.node <> 'primary'
       AND @extschema@.idx_may_act(h.role_oid)
       AND (NOT r.reachable
            OR (r.scans > 0 AND r.last_used >= now() - (SELECT c.unused_after FROM @extschema@.idx_usage_settings() c)));
$body$;
COMMENT ON FUNCTION @extschema@.idx_node_users(bigint) IS
    'internal (idx_rollback): the standbys that used the index within index_advisor.unused_after, or could not be reached, as a sentence; NULL when none';

-- ---------------------------------------------------------------------
-- Replay: idx_wait(..., replayed => true)
-- ---------------------------------------------------------------------

ALTER TABLE @extschema@.idx_history ADD COLUMN commit_lsn pg_lsn;
COMMENT ON COLUMN @extschema@.idx_history.commit_lsn IS
    'for a done create: a WAL position past the build''s last commit; a standby that has replayed it has the index valid';

-- The standbys that have not replayed up to target yet, as a sentence
-- (NULL when none): every registered node (asked through libpq), and every
-- physical standby streaming from here that is not registered.
CREATE FUNCTION @extschema@.idx_replay_pending(target pg_lsn)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    n      @extschema@.idx_nodes;
    lsn    pg_lsn;
    rec    boolean;
    behind text[] := '{}';
BEGIN
    FOR n IN SELECT * FROM @extschema@.idx_nodes ORDER BY name LOOP
        BEGIN
            SELECT p.replay_lsn, p.in_recovery INTO lsn, rec
              FROM @extschema@.idx_node_probe(n.name, n.conninfo, n.added_by) p;
            IF rec AND (lsn IS NULL OR lsn < target) THEN
                behind := behind || format('%s has replayed up to %s', n.name, COALESCE(lsn::text, 'nothing'));
            END IF;
        EXCEPTION WHEN OTHERS THEN
            behind := behind || format('%s cannot be reached (%s)', n.name, SQLERRM);
        END;
    END LOOP;
    behind := behind || ARRAY(
        SELECT format('%s has replayed up to %s', r.application_name,
                      COALESCE(r.replay_lsn::text, 'nothing'))
          FROM pg_stat_replication r
         WHERE r.state IN ('startup', 'catchup', 'streaming')
           AND (r.replay_lsn IS NULL OR r.replay_lsn < target)
           AND NOT EXISTS (SELECT 1 FROM pg_replication_slots s
                            WHERE s.active_pid = r.pid AND s.slot_type = 'logical')
           AND NOT EXISTS (SELECT 1 FROM @extschema@.idx_nodes x
                            WHERE x.name = r.application_name)
         ORDER BY r.application_name);
    RETURN NULLIF(array_to_string(behind, '; '), '');
END
$body$;
COMMENT ON FUNCTION @extschema@.idx_replay_pending(pg_lsn) IS
    'internal (idx_wait): the standbys (registered, or streaming from here) that have not replayed up to target, as a sentence; NULL when none';

-- Called by idx_wait(..., replayed => true) once its rows are done: wait,
-- committing between polls, until every standby has replayed them.  Every
-- name is qualified (a procedure that commits cannot have SET).
CREATE PROCEDURE @extschema@.idx_wait_replay(ids bigint[], deadline timestamptz)
LANGUAGE plpgsql
AS $idx_wait_replay$
DECLARE
    target  pg_catalog.pg_lsn;
    pending pg_catalog.text;
    said    pg_catalog.text;
BEGIN
    SELECT pg_catalog.max(h.commit_lsn) INTO target
      FROM @extschema@.idx_history h
     WHERE h.id OPERATOR(pg_catalog.=) ANY (ids);
    IF target IS NULL THEN
        -- rows recorded by 0.1, or drops: everything written so far
        target := pg_catalog.pg_current_wal_lsn();
    END IF;
    LOOP
        pending := @extschema@.idx_replay_pending(target);
        EXIT WHEN pending IS NULL;
        IF said IS NULL OR said OPERATOR(pg_catalog.<>) pending THEN
            RAISE NOTICE 'waiting for replay of %: %', target, pending;
            said := pending;
        END IF;
        IF pg_catalog.clock_timestamp() OPERATOR(pg_catalog.>) deadline THEN
            RAISE EXCEPTION 'timed out waiting for standbys to replay the builds'
                USING ERRCODE = 'query_canceled',
                      DETAIL = pending OPERATOR(pg_catalog.||) '.',
                      HINT = 'The builds are done on the primary; check the standbys with idx_node_test().';
        END IF;
        COMMIT;
        CALL @extschema@.idx_wait_nap(200);
    END LOOP;
    RAISE NOTICE 'replayed by every standby up to %', target;
END
$idx_wait_replay$;
COMMENT ON PROCEDURE @extschema@.idx_wait_replay(bigint[], timestamptz) IS
    'internal (idx_wait): wait, committing between polls, until every standby has replayed the given rows'' builds';

-- ---------------------------------------------------------------------
-- idx_rollback(..., force): refuses what a standby uses (C: src/build/api.c)
-- ---------------------------------------------------------------------

DROP FUNCTION @extschema@.idx_rollback(bigint);
CREATE FUNCTION @extschema@.idx_rollback(id bigint, force boolean DEFAULT false)
RETURNS bigint
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'idx_rollback_id';
COMMENT ON FUNCTION @extschema@.idx_rollback(bigint, boolean) IS
    'queue DROP INDEX CONCURRENTLY of an index built through idx_apply; refused while a registered standby uses it (or could not be reached) unless force; returns the new history id';

DROP FUNCTION @extschema@.idx_rollback(text);
CREATE FUNCTION @extschema@.idx_rollback(migration text, force boolean DEFAULT false)
RETURNS SETOF bigint
LANGUAGE C STRICT VOLATILE ROWS 10
AS 'MODULE_PATHNAME', 'idx_rollback_migration';
COMMENT ON FUNCTION @extschema@.idx_rollback(text, boolean) IS
    'queue DROP INDEX CONCURRENTLY of every index of a migration, newest first; refused while a registered standby uses one unless force; returns the new history ids';

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

-- ---------------------------------------------------------------------
-- Measured speed-up: idx_explain(id, "analyze" => true, runs => 5)
-- (C: src/check/usage.c idx_explain_analyze, src/check/measure.c)
-- ---------------------------------------------------------------------

-- ANALYZE is a reserved word: by name the argument is written "analyze".
CREATE FUNCTION @extschema@.idx_explain(id bigint, "analyze" boolean, runs integer DEFAULT 5)
RETURNS TABLE(query text, uses_index boolean, scan text, plan text,
              total_cost double precision,
              cost_without_index double precision,
              time_ms double precision,
              time_without_index_ms double precision,
              measured text)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_explain_analyze';
COMMENT ON FUNCTION @extschema@.idx_explain(bigint, boolean, integer) IS
    'idx_explain(id); with analyze, also run each stored plain SELECT (read-only, rolled back, as the planning role, $n from pg_stats) runs times with the index and with it hidden, and report the median times; anything else is "not measured: ..."';

-- ---------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------

REVOKE ALL ON FUNCTION @extschema@.idx_conninfo_mask(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_add(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_remove(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_states() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_fetch(text, text, pg_catalog.regrole, oid[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_probe(text, text, pg_catalog.regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_test(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_report_nodes(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_rows(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_scans(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_report_node_verdict(bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_idle(bigint, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_users(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_replay_pending(pg_lsn) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.idx_wait_replay(bigint[], timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_rollback(bigint, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_rollback(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_explain(bigint, boolean, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_report_write_cost(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_span_text(double precision) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_table_writes(pg_catalog.oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_hot_share(jsonb, jsonb) FROM PUBLIC;

-- the registry: administrators (idx_node_add checks the password rule as
-- the caller; the others run as the owner of the table)
GRANT EXECUTE ON FUNCTION @extschema@.idx_conninfo_mask(text) TO index_advisor_admin;
GRANT EXECUTE ON FUNCTION @extschema@.idx_node_add(text, text) TO index_advisor_admin;
GRANT EXECUTE ON FUNCTION @extschema@.idx_node_remove(text) TO index_advisor_admin;
GRANT EXECUTE ON FUNCTION @extschema@.idx_node_test(text) TO index_advisor_admin;
GRANT SELECT ON @extschema@.idx_node_list TO index_advisor_admin;
-- names and reachability only; the report helpers run as their caller
GRANT EXECUTE ON FUNCTION @extschema@.idx_node_states() TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_report_nodes(text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_node_rows(bigint) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_node_scans(bigint) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_report_node_verdict(bigint, text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_node_users(bigint) TO PUBLIC;
-- idx_wait runs as its caller: says which standby lags, no conninfo
GRANT EXECUTE ON FUNCTION @extschema@.idx_replay_pending(pg_lsn) TO PUBLIC;
GRANT EXECUTE ON PROCEDURE @extschema@.idx_wait_replay(bigint[], timestamptz) TO PUBLIC;
-- as in 0.1: each checks, as the caller, that the caller may act on the row
GRANT EXECUTE ON FUNCTION @extschema@.idx_rollback(bigint, boolean) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_rollback(text, boolean) TO PUBLIC;
-- as idx_explain(id): for roles with the privileges of the requester
GRANT EXECUTE ON FUNCTION @extschema@.idx_explain(bigint, boolean, integer) TO PUBLIC;
-- reads idx_history as the caller (row-level security) and public counters
GRANT EXECUTE ON FUNCTION @extschema@.idx_report_write_cost(bigint) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_span_text(double precision) TO PUBLIC;  -- formats only
-- idx_report_write_cost runs as its caller: public counters, arithmetic
GRANT EXECUTE ON FUNCTION @extschema@.idx_table_writes(pg_catalog.oid) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_hot_share(jsonb, jsonb) TO PUBLIC;
-- idx_node_fetch, idx_node_probe, idx_check_nodes, idx_check_node_snapshot,
-- idx_node_idle: no one but the owner (idx_check, SECURITY DEFINER, and
-- idx_replay_pending call them)
