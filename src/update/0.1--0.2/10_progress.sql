
/* index_advisor 0.2 -- progress that scales to big partition trees:
 * idx_progress counts the partitions of a partitioned build and names the
 * one being built; idx_wait prints one line per phase (at most one more
 * every 10 seconds while a phase lasts), a partitioned build as one line
 * with counts, never a line per partition.
 * Tested by test/t/090_progress.pl; documented in doc/upgrading.md. */

-- The columns of 0.1 keep their names, order and meaning for plain rows;
-- new ones follow.  For the rows of the partitions of a partitioned build
-- (parent_id set, all 'building' while it runs), phase and blocks are shown
-- only on the partition being built.  Tables and indexes are found by the
-- names in the row (schema_name, table_name, index_name), so the view
-- depends on no internal column of idx_history.
CREATE OR REPLACE VIEW @extschema@.idx_progress WITH (security_invoker = true) AS
SELECT h.id,
       h.operation,
       h.status,
       h.schema_name,
       h.table_name,
       h.index_name,
       h.worker_pid AS pid,
       p.phase,
       p.blocks_done,
       p.blocks_total,
       p.tuples_done,
       p.tuples_total,
       p.lockers_done,
       p.lockers_total,
       b.pid AS blocked_by_pid,
       b.state AS blocked_by_state,
       b.query AS blocked_by_query,
       pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) b.xact_start AS blocked_by_xact_age,
       pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) h.started_at AS running_for,
       h.parent_id,
       parts.total::integer AS partitions_total,
       parts.built::integer AS partitions_built,
       parts.building AS partition_index_building
  FROM @extschema@.idx_history h
  LEFT JOIN LATERAL (
        SELECT t.oid
          FROM pg_catalog.pg_class t
          JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.relnamespace
         WHERE n.nspname OPERATOR(pg_catalog.=) h.schema_name
           AND t.relname OPERATOR(pg_catalog.=) h.table_name
        ) tbl ON h.parent_id IS NOT NULL
  LEFT JOIN pg_catalog.pg_stat_progress_create_index p
         ON p.pid OPERATOR(pg_catalog.=) h.worker_pid
        AND h.status OPERATOR(pg_catalog.=) 'building'
        AND (h.parent_id IS NULL OR p.relid OPERATOR(pg_catalog.=) tbl.oid)
  LEFT JOIN LATERAL (
        -- leaf partitions (plain tables) of a partitioned row: how many,
        -- how many have their index built, and which one is being built
        SELECT pg_catalog.count(*) AS total,
               pg_catalog.count(*) FILTER (WHERE c.status OPERATOR(pg_catalog.=) 'done'
                                              OR x.indisvalid) AS built,
               pg_catalog.max(c.index_name) FILTER (WHERE t.oid OPERATOR(pg_catalog.=) p.relid
                                                      AND NOT COALESCE(x.indisvalid, false)) AS building
          FROM @extschema@.idx_history c
          JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) c.schema_name
          JOIN pg_catalog.pg_class t ON t.relnamespace OPERATOR(pg_catalog.=) n.oid
                                    AND t.relname OPERATOR(pg_catalog.=) c.table_name
                                    AND t.relkind OPERATOR(pg_catalog.=) 'r'
          LEFT JOIN pg_catalog.pg_class i ON i.relnamespace OPERATOR(pg_catalog.=) n.oid
                                         AND i.relname OPERATOR(pg_catalog.=) c.index_name
          LEFT JOIN pg_catalog.pg_index x ON x.indexrelid OPERATOR(pg_catalog.=) i.oid
         WHERE c.parent_id OPERATOR(pg_catalog.=) h.id
        HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0
        ) parts ON h.parent_id IS NULL AND h.operation OPERATOR(pg_catalog.=) 'create'
  LEFT JOIN LATERAL (
        SELECT a.pid, a.state, a.query, a.xact_start
          FROM pg_catalog.pg_stat_activity a
         WHERE h.status OPERATOR(pg_catalog.=) 'building'
           AND (h.parent_id IS NULL OR p.pid IS NOT NULL)
           AND a.pid OPERATOR(pg_catalog.=) COALESCE(
                 NULLIF(p.current_locker_pid, 0),
                 (pg_catalog.pg_blocking_pids(h.worker_pid))[1],
                 -- a worker waits for its table's lock without a snapshot
                 -- (it polls, so pg_blocking_pids() cannot see it): the
                 -- session holding a lock that the build's lock conflicts with
                 (SELECT l.pid
                    FROM pg_catalog.pg_locks l
                    JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) l.relation
                    JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.relnamespace
                   WHERE p.pid IS NULL
                     AND l.locktype OPERATOR(pg_catalog.=) 'relation'
                     AND l.granted
                     AND l.pid OPERATOR(pg_catalog.<>) h.worker_pid
                     AND n.nspname OPERATOR(pg_catalog.=) h.schema_name
                     AND t.relname OPERATOR(pg_catalog.=) h.table_name
                     AND l.mode OPERATOR(pg_catalog.=) ANY ('{ShareUpdateExclusiveLock,ShareLock,ShareRowExclusiveLock,ExclusiveLock,AccessExclusiveLock}'::pg_catalog.text[])
                   ORDER BY l.pid
                   LIMIT 1))
        ) b ON true
 WHERE h.status OPERATOR(pg_catalog.=) ANY ('{queued,waiting,building}');
COMMENT ON VIEW @extschema@.idx_progress IS
    'index_advisor: unfinished operations with their build phase, progress and what they wait on; for a partitioned build, how many partition indexes are built and which one is being built';

-- idx_wait: as in 0.1 (a procedure that commits between polls, see there),
-- with output that scales: without an id it waits for the current role's
-- unfinished rows but reports the partitions through their partitioned
-- row; a line is printed when a row's phase changes, and at most every
-- 10 seconds while the phase stays the same (percentages, counts); the
-- blocking query is shown on one line.
CREATE OR REPLACE PROCEDURE @extschema@.idx_wait(id bigint DEFAULT NULL,
                                                 timeout interval DEFAULT '1 hour')
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
    failures     pg_catalog.text;
    first_code   pg_catalog.text;
    first_detail pg_catalog.text;
BEGIN
    PERFORM @extschema@.idx_wait_preflight();
    IF id IS NULL THEN
        SELECT pg_catalog.array_agg(h.id ORDER BY h.id) INTO ids
          FROM @extschema@.idx_history h
         WHERE h.role_oid OPERATOR(pg_catalog.=) (SELECT a.oid FROM pg_catalog.pg_roles a
                                                     WHERE a.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
           AND h.parent_id IS NULL
           AND h.status OPERATOR(pg_catalog.=) ANY ('{queued,waiting,building}');
        IF ids IS NULL THEN
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
        PERFORM @extschema@.idx_kick();
        FOR r IN
            SELECT p.id, p.index_name, p.status, p.phase, p.blocks_done,
                   p.blocks_total, p.blocked_by_pid, p.blocked_by_state,
                   p.blocked_by_query, p.blocked_by_xact_age,
                   p.partitions_total, p.partitions_built, p.partition_index_building
              FROM @extschema@.idx_progress p
             WHERE p.id OPERATOR(pg_catalog.=) ANY (ids)
             ORDER BY p.id
        LOOP
            -- the phase: what changes a few times per build, never per partition
            phase_key := COALESCE(r.phase, r.status);
            line := r.id::pg_catalog.text OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) r.index_name
                    OPERATOR(pg_catalog.||) ': ';
            IF r.partitions_total IS NOT NULL AND r.status OPERATOR(pg_catalog.=) 'building' THEN
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
           AND h.status OPERATOR(pg_catalog.=) ANY ('{queued,waiting,building}');
        EXIT WHEN pending OPERATOR(pg_catalog.=) 0;

        IF pg_catalog.clock_timestamp() OPERATOR(pg_catalog.>) deadline THEN
            RAISE EXCEPTION 'timed out waiting for index_advisor operations'
                USING ERRCODE = 'query_canceled',
                      DETAIL = pg_catalog.format('%s of them are still unfinished after %s.', pending, timeout),
                      HINT = 'They go on in the background: CALL idx_wait() again, or idx_cancel() them.';
        END IF;
        COMMIT;
        CALL @extschema@.idx_wait_nap(100);
    END LOOP;

    FOR r IN
        SELECT h.id, h.index_name, h.status, h.operation,
               pg_catalog.date_trunc('milliseconds', h.finished_at OPERATOR(pg_catalog.-) h.started_at) AS took,
               h.index_size,
               (SELECT pg_catalog.count(*) FROM @extschema@.idx_history c
                 WHERE c.parent_id OPERATOR(pg_catalog.=) h.id) AS parts
          FROM @extschema@.idx_history h
         WHERE h.id OPERATOR(pg_catalog.=) ANY (ids)
           AND h.status OPERATOR(pg_catalog.=) 'done'
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
END
$idx_wait$;
COMMENT ON PROCEDURE @extschema@.idx_wait(bigint, interval) IS
    'wait (committing between polls) until the given row, or every unfinished row of the current role, has ended, printing one line per phase (a partitioned build as one line with counts); errors if any failed or was cancelled';
