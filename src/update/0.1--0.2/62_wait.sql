/* index_advisor 0.1 -> 0.2, part "wait": idx_wait() waits for the rows
 * the caller may act on (idx_may_act, 40_history.sql), napping on the
 * workers' row locks (idx_wait_nap, src/build/api.c); with replayed, also
 * for the standbys (idx_wait_replay, 80_replay.sql).  The 0.2 definition of
 * idx_wait is here, and only here. */

-- ---------------------------------------------------------------------
-- idx_wait: the rows the caller may act on
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
        -- and until every standby has replayed the builds (80_replay.sql)
        CALL @extschema@.idx_wait_replay(ids, deadline);
    END IF;
END
$idx_wait$;
COMMENT ON PROCEDURE @extschema@.idx_wait(bigint, interval, boolean) IS
    'wait (committing between polls) until the given row, or every unfinished row the current role may act on (idx_may_act), has ended, printing one line per phase (a partitioned build as one line with counts); errors if any failed or was cancelled; with replayed, also until every standby has replayed the builds';
REVOKE ALL ON PROCEDURE @extschema@.idx_wait(bigint, interval, boolean) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE @extschema@.idx_wait(bigint, interval, boolean) TO PUBLIC;
