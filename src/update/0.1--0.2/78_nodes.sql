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
 *  * idx_node_users() names the standbys that used an index, for
 *    idx_rollback(id, force) (81_rollback.sql); waiting for the standbys to
 *    replay a build is in 80_replay.sql.
 *  * Writing functions refuse to run on a hot standby (25006).
 *
 * The in-place changes to idx_check and idx_check_usage are in
 * 60_check.sql, to idx_report and idx_report_trend in 64_report.sql, to
 * idx_wait in 62_wait.sql.  See doc/nodes.md. */

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
    started_at        timestamptz,
    reported          bigint[],
    reported_oids     oid[],
    reported_scans    bigint[],
    reported_key      text,
    reported_since    timestamptz
);
COMMENT ON TABLE @extschema@.idx_nodes IS
    'index_advisor: the nodes (streaming standbys) whose index usage idx_check() collects; readable by its owner only (admins read idx_node_list)';
COMMENT ON COLUMN @extschema@.idx_nodes.name IS 'the node''s name in idx_snapshots and idx_report_nodes(); best its application_name as pg_stat_replication shows it';
COMMENT ON COLUMN @extschema@.idx_nodes.conninfo IS 'libpq connection string (may hold a password: never shown to other roles)';
COMMENT ON COLUMN @extschema@.idx_nodes.added_by IS 'the role that registered the node; unless it is a superuser, the connection must use the password it gave';
COMMENT ON COLUMN @extschema@.idx_nodes.reported IS 'the history ids whose index the node reported at last_contact (idx_check_node_snapshot: those it stops reporting get their last snapshot closed, idx_node_close)';
COMMENT ON COLUMN @extschema@.idx_nodes.reported_oids IS 'the index OIDs the node reported at last_contact, in order, with their counters in reported_scans: a check whose answer is the same (and reported_key, reported_since still hold) writes nothing but last_contact (idx_check_node_snapshot)';
COMMENT ON COLUMN @extschema@.idx_nodes.reported_scans IS 'the counters the node reported at last_contact, one per reported_oids';
COMMENT ON COLUMN @extschema@.idx_nodes.reported_key IS 'md5 of the tracked indexes (idx_node_tracked: history id, OID, names) at last_contact';
COMMENT ON COLUMN @extschema@.idx_nodes.reported_since IS 'the oldest taken_at of the node''s last snapshot rows, all still_reported and none a reset, after last_contact; NULL when that is not so (the next check then looks at every row)';
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
    -- its snapshots stay until pruned, as of its last contact
    PERFORM @extschema@.idx_node_close(n.name, n.last_contact, n.reported)
       FROM @extschema@.idx_nodes n WHERE n.name = idx_node_remove.name;
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
CREATE FUNCTION @extschema@.idx_node_fetch_all(names text[], conninfos text[],
                                               owners pg_catalog.regrole[],
                                               index_oids oid[])
RETURNS TABLE(node text, error_code text, error text, error_detail text,
              index_oids oid[], idx_scans bigint[], started_at timestamptz,
              stats_reset timestamptz, in_recovery boolean)
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'idx_node_fetch_all';
COMMENT ON FUNCTION @extschema@.idx_node_fetch_all(text[], text[], pg_catalog.regrole[], oid[]) IS
    'internal (idx_check): every node asked at once for the scans of the given indexes, one row per node: the OIDs it has and their counters, its start time, statistics reset and recovery, or why it failed';

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
    ADD COLUMN still_reported boolean NOT NULL DEFAULT false,
    DROP CONSTRAINT idx_snapshots_pkey,
    ADD PRIMARY KEY (index_oid, node, taken_at);
COMMENT ON COLUMN @extschema@.idx_snapshots.node IS
    'where the scans were counted: ''primary'' (this server) or the name of a registered node (idx_nodes)';
COMMENT ON COLUMN @extschema@.idx_snapshots.node_started IS
    'for another node: its postmaster start time; a change means it restarted (its counters started again)';
COMMENT ON COLUMN @extschema@.idx_snapshots.still_reported IS
    'for another node: true while the node has reported the same counters at every idx_check() since taken_at, so that this row stands for each of those checks up to idx_nodes.last_contact (no row is written for a check that changed nothing); false on the primary''s rows, once a newer row of the index on the node replaces it (its counters changed: the newer row''s taken_at ends it), and once the node stops reporting the index (taken_at is then the last check that did); so at most the newest row of an index on a node is true';

-- Every kind of finding 0.2 knows, in this one place: write_cost and the
-- node kinds (here), not_checked (a check that ran out of time, 60_check.sql)
-- and hidden (a hidden index, 84_hidden.sql).
ALTER TABLE @extschema@.idx_findings
    DROP CONSTRAINT idx_findings_kind_check,
    ADD CONSTRAINT idx_findings_kind_check
        CHECK (kind IN ('regression', 'unused', 'invalid', 'duplicate',
                        'redundant', 'crashed', 'stats_reset', 'query_error',
                        'node_unreachable', 'unregistered_standby', 'write_cost',
                        'not_checked', 'hidden'));
COMMENT ON COLUMN @extschema@.idx_findings.kind IS
    'regression, unused, invalid, duplicate, redundant, crashed, stats_reset, query_error, not_checked, write_cost, hidden, node_unreachable or unregistered_standby (for the last two, index_name is the node''s name)';

-- The tracked indexes a node's counters are stored for: the latest
-- history row of each index created through idx_apply.  Its md5 is kept
-- with each node's last answer (idx_nodes.reported_key): the same answer
-- over the same tracked indexes needs no look at the snapshot rows.
CREATE FUNCTION @extschema@.idx_node_tracked()
RETURNS TABLE(id bigint, index_oid oid, schema_name name, table_name name,
              index_name name, valid_at timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT DISTINCT ON (h.index_oid::oid)
           h.id, h.index_oid::oid, h.schema_name, h.table_name, h.index_name,
           COALESCE(h.finished_at, h.requested_at)
      FROM @extschema@.idx_history h
     WHERE h.operation = 'create' AND h.status = @extschema@.idx_status('done')
       AND h.parent_id IS NULL
     ORDER BY h.index_oid::oid, h.id DESC;
$body$;
COMMENT ON FUNCTION @extschema@.idx_node_tracked() IS
    'internal (idx_check_nodes, idx_check_node_snapshot): the latest history row of each index created through idx_apply, whose scans the nodes report';
REVOKE ALL ON FUNCTION @extschema@.idx_node_tracked() FROM PUBLIC;

-- Step 1b of idx_check(): ask every registered node at once
-- (idx_node_fetch_all: concurrently, each bounded by its own timeouts) for
-- the scans of the tracked indexes (same OIDs on a physical standby) and
-- snapshot them with the node's name; a restart (new start time) or a
-- counter that went down counts again from zero, as a reset does on the
-- primary.  Also: nodes that could not be reached, and standbys streaming
-- from here that are not registered.
CREATE FUNCTION @extschema@.idx_check_nodes()
RETURNS SETOF @extschema@.idx_finding
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
DECLARE
    n     @extschema@.idx_nodes;
    a     record;
    oids  oid[];
    tkey  text;
    err   text;
BEGIN
    IF EXISTS (SELECT FROM @extschema@.idx_nodes) THEN
        oids := ARRAY(SELECT DISTINCT h.index_oid::oid
                        FROM @extschema@.idx_history h
                        JOIN pg_index x ON x.indexrelid = h.index_oid::oid
                                       AND x.indrelid = h.table_oid::oid AND x.indisvalid
                       WHERE h.operation = 'create' AND h.status = @extschema@.idx_status('done')
                         AND h.parent_id IS NULL);
        -- what the rule reads of them for an index it has a row of
        -- (valid_at only matters for a first row, which is written anyway)
        tkey := (SELECT md5(string_agg((t.id, t.index_oid, t.schema_name, t.table_name,
                                        t.index_name)::text, ',' ORDER BY t.id))
                   FROM @extschema@.idx_node_tracked() t);
    END IF;
    FOR a IN
        SELECT x AS n, f.*
          FROM @extschema@.idx_nodes x
          LEFT JOIN @extschema@.idx_node_fetch_all(
                  ARRAY(SELECT y.name FROM @extschema@.idx_nodes y ORDER BY y.name),
                  ARRAY(SELECT y.conninfo FROM @extschema@.idx_nodes y ORDER BY y.name),
                  ARRAY(SELECT y.added_by FROM @extschema@.idx_nodes y ORDER BY y.name),
                  oids) f ON f.node = x.name
         ORDER BY x.name
    LOOP
        n := a.n;
        err := a.error;
        IF err IS NULL THEN
            BEGIN
                PERFORM @extschema@.idx_check_node_snapshot(n, a.index_oids, a.idx_scans,
                                                            a.started_at, a.stats_reset,
                                                            a.in_recovery, tkey);
            EXCEPTION WHEN OTHERS THEN
                err := SQLERRM;
            END;
        END IF;
        IF err IS NOT NULL THEN
            IF n.unreachable_since IS NULL THEN
                -- its last snapshots stand for the checks up to its last contact
                PERFORM @extschema@.idx_node_close(n.name, n.last_contact, n.reported);
            END IF;
            UPDATE @extschema@.idx_nodes x
               SET unreachable_since = COALESCE(x.unreachable_since, now()),
                   last_error = err
             WHERE x.name = n.name
            RETURNING * INTO n;
            RETURN NEXT ROW('node_unreachable', '', '', n.name, NULL,
                            format('node %s unreachable since %s: %s; its index usage is unknown, so no index is called unused',
                                   n.name, to_char(n.unreachable_since, 'YYYY-MM-DD HH24:MI:SS TZ'),
                                   n.last_error))::@extschema@.idx_finding;
        END IF;
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

-- Close the last snapshot of each history row in ids on node: it no longer
-- stands for the checks after "at" (the node's last contact, when it last
-- reported them), so its taken_at becomes "at", as a row per check would
-- have left it.  For an index the node stops reporting, a node that
-- becomes unreachable, and a node removed.
CREATE FUNCTION @extschema@.idx_node_close(node text, at timestamptz, ids bigint[])
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
    UPDATE @extschema@.idx_snapshots s
       SET still_reported = false,
           taken_at = CASE WHEN EXISTS (SELECT 1 FROM @extschema@.idx_snapshots o
                                         WHERE o.index_oid = s.index_oid AND o.node = s.node
                                           AND o.taken_at = $2)
                           THEN s.taken_at ELSE $2 END
      FROM @extschema@.idx_history h
     CROSS JOIN LATERAL (
           SELECT s2.taken_at FROM @extschema@.idx_snapshots s2
            WHERE s2.index_oid = h.index_oid::oid AND s2.node = $1
              AND s2.history_id = h.id
            ORDER BY s2.taken_at DESC LIMIT 1) l
     WHERE $2 IS NOT NULL AND h.id = ANY ($3)
       AND s.index_oid = h.index_oid::oid AND s.node = $1 AND s.taken_at = l.taken_at
       AND s.history_id = h.id AND s.still_reported;
$body$;
COMMENT ON FUNCTION @extschema@.idx_node_close(text, timestamptz, bigint[]) IS
    'internal (idx_check_node_snapshot, idx_check_nodes, idx_node_remove): the last snapshots of these history rows on a node no longer stand for later checks';
REVOKE ALL ON FUNCTION @extschema@.idx_node_close(text, timestamptz, bigint[]) FROM PUBLIC;

-- One node's snapshot, from its answer (idx_node_fetch_all: the index
-- OIDs it has, their counters, its start time, statistics reset and
-- recovery).  A row is written only for an index whose snapshot changes:
-- its counter moved, the node restarted or was reset (and at the check
-- after such a reset, which writes a row with stats_reset false), its
-- names changed, its last row was closed, or that row is older than half
-- of index_advisor.snapshot_retention (so that pruning never takes the
-- last row of an index the node still reports).  Otherwise the last row,
-- still_reported, stands for this check too: idx_node_rows reads its
-- checked_at from idx_nodes.last_contact.  A row written replaces the
-- last one, which is no longer still_reported: one more write per changed
-- index (of a column no index holds: a HOT update when its page has room),
-- so that the column says on every row what its comment says, not only on
-- the newest that the readers take.  What the readers see is what a
-- row per index per check gave, for a fraction of the writes (bench/nodes.sh:
-- 1,000 rows per node per check before).  An index the node stops
-- reporting has its last row closed at the node's previous contact
-- (idx_node_close), as are all of a node's rows when it becomes unreachable
-- or is removed.
--
-- Most checks change nothing.  idx_nodes keeps the node's last answer
-- (reported_oids, reported_scans), the md5 of the tracked indexes then
-- (reported_key), and the oldest taken_at of its rows when all of them are
-- still_reported and none a reset (reported_since).  When the answer and
-- the key are the same, the node neither restarted nor was reset since
-- reported_since, nor was unreachable, and reported_since is within half
-- the retention, the rule above writes no row and reports the same ids:
-- this is decided from the one row of idx_nodes, without reading a
-- snapshot row (bench/nodes.sh).
CREATE FUNCTION @extschema@.idx_check_node_snapshot(n @extschema@.idx_nodes,
                                                    answer_oids oid[],
                                                    answer_scans bigint[],
                                                    answer_started timestamptz,
                                                    answer_reset timestamptz,
                                                    answer_recovery boolean,
                                                    tracked_key text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
DECLARE
    leaving bigint[];
BEGIN
    IF n.unreachable_since IS NULL AND n.reported_key = tracked_key
       AND n.reported_oids = answer_oids AND n.reported_scans = answer_scans
       AND n.started_at = answer_started
       AND (answer_reset IS NULL OR answer_reset <= n.reported_since)
       AND n.reported_since >= now() - (SELECT c.snapshot_retention
                                          FROM @extschema@.idx_usage_settings() c) / 2
    THEN
        UPDATE @extschema@.idx_nodes x
           SET last_contact = now(), last_error = NULL,
               in_recovery = CASE WHEN cardinality(answer_oids) > 0
                                  THEN answer_recovery ELSE x.in_recovery END
         WHERE x.name = n.name;
        RETURN;
    END IF;

    WITH f AS (
        SELECT u.index_oid, u.idx_scan, answer_started AS started_at,
               answer_reset AS stats_reset, answer_recovery AS in_recovery
          FROM unnest(answer_oids, answer_scans) u(index_oid, idx_scan)
    ), tracked AS (
        SELECT t.* FROM @extschema@.idx_node_tracked() t
         WHERE t.index_oid IN (SELECT f.index_oid FROM f)  -- hashed, not = ANY
    ), cur AS (
        SELECT t.id, t.index_oid, t.schema_name, t.table_name, t.index_name,
               f.started_at, f.idx_scan, p.taken_at,
               -- the node's counter covers the time since the index was
               -- valid, its start and its last reset, whichever is latest
               COALESCE(p.since, greatest(t.valid_at, f.started_at, f.stats_reset)) AS since,
               CASE WHEN p.idx_scan IS NULL THEN f.idx_scan
                    WHEN r.restarted THEN p.scans + f.idx_scan
                    ELSE p.scans + f.idx_scan - p.idx_scan END AS scans,
               CASE WHEN (p.idx_scan IS NULL OR r.restarted) AND f.idx_scan > 0 THEN now()
                    WHEN NOT r.restarted AND f.idx_scan > p.idx_scan THEN now()
                    ELSE p.last_used END AS last_used,
               p.idx_scan IS NOT NULL AND COALESCE(r.restarted, false) AS stats_reset,
               p.idx_scan IS NULL OR r.restarted OR f.idx_scan <> p.idx_scan
                 OR p.stats_reset OR NOT p.still_reported
                 OR p.taken_at < now() - (SELECT c.snapshot_retention
                                            FROM @extschema@.idx_usage_settings() c) / 2
                 OR (p.schema_name, p.table_name, p.index_name)
                    IS DISTINCT FROM (t.schema_name, t.table_name, t.index_name) AS changed
          FROM f
          JOIN tracked t ON t.index_oid = f.index_oid
          LEFT JOIN LATERAL (
                SELECT s2.idx_scan, s2.since, s2.scans, s2.last_used, s2.node_started,
                       s2.taken_at, s2.stats_reset, s2.still_reported,
                       s2.schema_name, s2.table_name, s2.index_name
                  FROM @extschema@.idx_snapshots s2
                 WHERE s2.index_oid = t.index_oid AND s2.node = n.name
                   AND s2.history_id = t.id
                 ORDER BY s2.taken_at DESC LIMIT 1) p ON true
          CROSS JOIN LATERAL (
                -- restarted, statistics reset since, or a counter went down
                SELECT p.node_started IS DISTINCT FROM f.started_at
                       OR f.stats_reset > p.taken_at
                       OR f.idx_scan < p.idx_scan AS restarted) r
    ), ins AS (
        INSERT INTO @extschema@.idx_snapshots AS s
               (taken_at, node, node_started, index_oid, schema_name, table_name,
                index_name, history_id, idx_scan, since, scans, last_used, stats_reset,
                still_reported)
        SELECT now(), n.name, c.started_at, c.index_oid, c.schema_name, c.table_name,
               c.index_name, c.id, c.idx_scan, c.since, c.scans, c.last_used,
               c.stats_reset, true
          FROM cur c
         WHERE c.changed
        ON CONFLICT DO NOTHING
        RETURNING s.index_oid, s.history_id
    ), replaced AS (
        -- the row each new one replaces no longer stands for later checks
        UPDATE @extschema@.idx_snapshots o
           SET still_reported = false
          FROM ins i
          JOIN cur c ON c.index_oid = i.index_oid AND c.id = i.history_id
         WHERE o.index_oid = c.index_oid AND o.node = n.name
           AND o.taken_at = c.taken_at AND o.history_id = c.id
           AND o.still_reported
    )
    UPDATE @extschema@.idx_nodes x
       SET last_contact = now(), unreachable_since = NULL, last_error = NULL,
           in_recovery = COALESCE((SELECT bool_and(f.in_recovery) FROM f), x.in_recovery),
           started_at = COALESCE((SELECT max(f.started_at) FROM f), x.started_at),
           reported = (SELECT CASE WHEN z.ids = x.reported THEN x.reported ELSE z.ids END
                         FROM (SELECT ARRAY(SELECT c.id FROM cur c ORDER BY c.id) AS ids) z),
           reported_oids = answer_oids, reported_scans = answer_scans,
           reported_key = tracked_key,
           -- every row now still_reported and none a reset (no insert lost
           -- to a conflict): the next check may decide from this row alone
           reported_since = (SELECT CASE WHEN bool_or(c.changed AND c.stats_reset)
                                           OR count(*) FILTER (WHERE c.changed)
                                              <> (SELECT count(*) FROM ins)
                                         THEN NULL
                                         ELSE COALESCE(min(CASE WHEN c.changed THEN now()
                                                                ELSE c.taken_at END), now()) END
                               FROM cur c)
     WHERE x.name = n.name
       AND (SELECT count(*) FROM ins) >= 0;

    -- the indexes it reported at its previous contact and not now
    leaving := ARRAY(SELECT unnest(n.reported)
                     EXCEPT
                     SELECT unnest(x.reported) FROM @extschema@.idx_nodes x
                      WHERE x.name = n.name);
    IF cardinality(leaving) > 0 THEN
        PERFORM @extschema@.idx_node_close(n.name, n.last_contact, leaving);
    END IF;
END
$body$;
COMMENT ON FUNCTION @extschema@.idx_check_node_snapshot(@extschema@.idx_nodes, oid[], bigint[], timestamptz, timestamptz, boolean, text) IS
    'internal (idx_check_nodes): one node''s snapshot of the tracked indexes from its answer; a row only for an index whose snapshot changed, and none read when its answer is its last one';
REVOKE ALL ON FUNCTION @extschema@.idx_check_node_snapshot(@extschema@.idx_nodes, oid[], bigint[], timestamptz, timestamptz, boolean, text) FROM PUBLIC;

-- ---------------------------------------------------------------------
-- Usage over nodes: the report, the unused finding, the rollback guard
-- ---------------------------------------------------------------------

-- The latest snapshot of history row history_id on this server and on each
-- registered node (NULL columns for a node that never reported it), as the
-- caller (row-level security of idx_history and idx_snapshots applies).
-- Found through the primary key of idx_snapshots (index_oid, node, ...).
-- A row still_reported stands for every check of the node since it was
-- taken: checked at the node's last contact.
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
           nd.unreachable_since,
           CASE WHEN sn.still_reported THEN nd.last_contact ELSE sn.taken_at END
      FROM @extschema@.idx_history h
     CROSS JOIN (SELECT 'primary'::text AS name, NULL::timestamptz AS unreachable_since,
                        NULL::timestamptz AS last_contact, 0 AS o
                 UNION ALL
                 SELECT s.name, s.unreachable_since, s.last_contact, 1
                   FROM @extschema@.idx_node_states() s) nd
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

REVOKE ALL ON FUNCTION @extschema@.idx_conninfo_mask(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_add(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_remove(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_states() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_fetch_all(text[], text[], pg_catalog.regrole[], oid[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_probe(text, text, pg_catalog.regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_test(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_report_nodes(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_rows(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_scans(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_report_node_verdict(bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_idle(bigint, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_node_users(bigint) FROM PUBLIC;
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
-- idx_node_fetch_all, idx_node_probe, idx_check_nodes, idx_check_node_snapshot,
-- idx_node_idle: no one but the owner (idx_check, SECURITY DEFINER, and
-- idx_replay_pending call them)
