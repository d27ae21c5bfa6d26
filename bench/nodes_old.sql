-- bench/nodes_same.sh: the node step of main 0c3a09c (78_nodes.sql: idx_check_nodes,
-- idx_check_node_snapshot, renamed old_*; @extschema@ is public), its
-- idx_node_fetch (one row per index) written over idx_node_fetch_all.

CREATE OR REPLACE FUNCTION public.old_node_fetch(name text, conninfo text, owner regrole, index_oids oid[])
RETURNS TABLE(index_oid oid, idx_scan bigint, started_at timestamptz, stats_reset timestamptz, in_recovery boolean)
LANGUAGE plpgsql AS $w$
DECLARE a record;
BEGIN
  SELECT * INTO a FROM public.idx_node_fetch_all(ARRAY[name], ARRAY[conninfo], ARRAY[owner], index_oids);
  IF a.error IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = a.error_code, MESSAGE = a.error, DETAIL = COALESCE(a.error_detail, '');
  END IF;
  RETURN QUERY SELECT u.o, u.s, a.started_at, a.stats_reset, a.in_recovery FROM unnest(a.index_oids, a.idx_scans) u(o, s);
END $w$;
CREATE OR REPLACE FUNCTION public.old_check_nodes()
RETURNS SETOF public.idx_finding
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
DECLARE
    n     public.idx_nodes;
    oids  oid[];
BEGIN
    oids := ARRAY(SELECT DISTINCT h.index_oid::oid
                    FROM public.idx_history h
                    JOIN pg_index x ON x.indexrelid = h.index_oid::oid
                                   AND x.indrelid = h.table_oid::oid AND x.indisvalid
                   WHERE h.operation = 'create' AND h.status = public.idx_status('done')
                     AND h.parent_id IS NULL);
    FOR n IN SELECT * FROM public.idx_nodes ORDER BY name LOOP
        BEGIN
            PERFORM public.old_check_node_snapshot(n, oids);
        EXCEPTION WHEN OTHERS THEN
            IF n.unreachable_since IS NULL THEN
                -- its last snapshots stand for the checks up to its last contact
                PERFORM public.idx_node_close(n.name, n.last_contact, n.reported);
            END IF;
            UPDATE public.idx_nodes x
               SET unreachable_since = COALESCE(x.unreachable_since, now()),
                   last_error = SQLERRM
             WHERE x.name = n.name
            RETURNING * INTO n;
            RETURN NEXT ROW('node_unreachable', '', '', n.name, NULL,
                            format('node %s unreachable since %s: %s; its index usage is unknown, so no index is called unused',
                                   n.name, to_char(n.unreachable_since, 'YYYY-MM-DD HH24:MI:SS TZ'),
                                   n.last_error))::public.idx_finding;
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
           AND NOT EXISTS (SELECT 1 FROM public.idx_nodes x
                            WHERE x.name = r.application_name);
END
$body$;

CREATE OR REPLACE FUNCTION public.old_check_node_snapshot(n public.idx_nodes, oids oid[])
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $body$
DECLARE
    leaving bigint[];
BEGIN
    WITH f AS (
        SELECT * FROM public.old_node_fetch(n.name, n.conninfo, n.added_by, oids)
    ), tracked AS (
        SELECT DISTINCT ON (h.index_oid::oid)
               h.id, h.index_oid::oid AS index_oid, h.schema_name, h.table_name,
               h.index_name, COALESCE(h.finished_at, h.requested_at) AS valid_at
          FROM public.idx_history h
         WHERE h.operation = 'create' AND h.status = public.idx_status('done')
           AND h.parent_id IS NULL
           AND h.index_oid::oid IN (SELECT f.index_oid FROM f)  -- hashed, not = ANY
         ORDER BY h.index_oid::oid, h.id DESC
    ), cur AS (
        SELECT t.id, t.index_oid, t.schema_name, t.table_name, t.index_name,
               f.started_at, f.idx_scan,
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
                                            FROM public.idx_usage_settings() c) / 2
                 OR (p.schema_name, p.table_name, p.index_name)
                    IS DISTINCT FROM (t.schema_name, t.table_name, t.index_name) AS changed
          FROM f
          JOIN tracked t ON t.index_oid = f.index_oid
          LEFT JOIN LATERAL (
                SELECT s2.idx_scan, s2.since, s2.scans, s2.last_used, s2.node_started,
                       s2.taken_at, s2.stats_reset, s2.still_reported,
                       s2.schema_name, s2.table_name, s2.index_name
                  FROM public.idx_snapshots s2
                 WHERE s2.index_oid = t.index_oid AND s2.node = n.name
                   AND s2.history_id = t.id
                 ORDER BY s2.taken_at DESC LIMIT 1) p ON true
          CROSS JOIN LATERAL (
                -- restarted, statistics reset since, or a counter went down
                SELECT p.node_started IS DISTINCT FROM f.started_at
                       OR f.stats_reset > p.taken_at
                       OR f.idx_scan < p.idx_scan AS restarted) r
    ), ins AS (
        INSERT INTO public.idx_snapshots AS s
               (taken_at, node, node_started, index_oid, schema_name, table_name,
                index_name, history_id, idx_scan, since, scans, last_used, stats_reset,
                still_reported)
        SELECT now(), n.name, c.started_at, c.index_oid, c.schema_name, c.table_name,
               c.index_name, c.id, c.idx_scan, c.since, c.scans, c.last_used,
               c.stats_reset, true
          FROM cur c
         WHERE c.changed
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    UPDATE public.idx_nodes x
       SET last_contact = now(), unreachable_since = NULL, last_error = NULL,
           in_recovery = COALESCE((SELECT bool_and(f.in_recovery) FROM f), x.in_recovery),
           started_at = COALESCE((SELECT max(f.started_at) FROM f), x.started_at),
           reported = (SELECT CASE WHEN z.ids = x.reported THEN x.reported ELSE z.ids END
                         FROM (SELECT ARRAY(SELECT c.id FROM cur c ORDER BY c.id) AS ids) z)
     WHERE x.name = n.name
       AND (SELECT count(*) FROM ins) >= 0;

    -- the indexes it reported at its previous contact and not now
    leaving := ARRAY(SELECT unnest(n.reported)
                     EXCEPT
                     SELECT unnest(x.reported) FROM public.idx_nodes x
                      WHERE x.name = n.name);
    IF cardinality(leaving) > 0 THEN
        PERFORM public.idx_node_close(n.name, n.last_contact, leaving);
    END IF;
END
$body$;
