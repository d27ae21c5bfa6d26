/* index_advisor 0.1 -> 0.2, part "replay": idx_wait(..., replayed => true)
 * waits until every standby has replayed a build (idx_history.commit_lsn;
 * the standbys are those of 78_nodes.sql).  See doc/nodes.md. */

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

REVOKE ALL ON FUNCTION @extschema@.idx_replay_pending(pg_lsn) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.idx_wait_replay(bigint[], timestamptz) FROM PUBLIC;
-- idx_wait runs as its caller: says which standby lags, no conninfo
GRANT EXECUTE ON FUNCTION @extschema@.idx_replay_pending(pg_lsn) TO PUBLIC;
GRANT EXECUTE ON PROCEDURE @extschema@.idx_wait_replay(bigint[], timestamptz) TO PUBLIC;
