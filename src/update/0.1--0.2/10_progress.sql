
/* index_advisor 0.2 -- progress that scales to big partition trees:
 * idx_progress counts the partitions of a partitioned build and names the
 * one being built; idx_wait prints one line per phase (at most one more
 * every 10 seconds while a phase lasts), a partitioned build as one line
 * with counts, never a line per partition.
 * Tested by test/t/092_progress.pl; documented in doc/upgrading.md.
 * wait_reason (08_gentle_columns.sql): why a row waits to start. */

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
       parts.building AS partition_index_building,
       h.wait_reason
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
        AND h.status OPERATOR(pg_catalog.=) @extschema@.idx_status('building')
        AND (h.parent_id IS NULL OR p.relid OPERATOR(pg_catalog.=) tbl.oid)
  LEFT JOIN LATERAL (
        -- leaf partitions (plain tables) of a partitioned row: how many,
        -- how many have their index built, and which one is being built
        SELECT pg_catalog.count(*) AS total,
               pg_catalog.count(*) FILTER (WHERE c.status OPERATOR(pg_catalog.=) @extschema@.idx_status('done')
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
         WHERE h.status OPERATOR(pg_catalog.=) @extschema@.idx_status('building')
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
 WHERE @extschema@.idx_status_live(h.status);
COMMENT ON VIEW @extschema@.idx_progress IS
    'index_advisor: unfinished operations with their build phase, progress and what they wait on; for a partitioned build, how many partition indexes are built and which one is being built';

-- idx_wait, whose output scales (one line per phase, a partitioned build
-- as one line with counts), is defined once, in 62_wait.sql.
