-- Partitioned tables: the index of every partition is built concurrently,
-- then the partitioned index is created ON ONLY and the parts attached.
TRUNCATE idx_history RESTART IDENTITY;
\set SHOW_CONTEXT never
CREATE TABLE p_ev (id bigint NOT NULL, at date NOT NULL, kind text NOT NULL, v integer)
    PARTITION BY RANGE (at);
CREATE TABLE p_ev_2025 PARTITION OF p_ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE p_ev_2026 PARTITION OF p_ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
    PARTITION BY LIST (kind);
CREATE TABLE p_ev_2026_a PARTITION OF p_ev_2026 FOR VALUES IN ('a');
CREATE TABLE p_ev_2026_b PARTITION OF p_ev_2026 FOR VALUES IN ('b');
INSERT INTO p_ev SELECT g, date '2025-01-01' + (g % 700), (ARRAY['a', 'b'])[g % 2 + 1], g
  FROM generate_series(1, 30000) g;

SELECT idx_apply('CREATE INDEX ON p_ev (kind, v)', migration => 'p1') AS pid \gset
SET client_min_messages = warning;
CALL idx_wait(:pid);
RESET client_min_messages;

-- the history shows the row of the partitioned table and its parts
SELECT id, parent_id, status, table_name, index_name, index_size > 0 AS has_size
  FROM idx_history ORDER BY id;
SELECT indexdef FROM idx_history WHERE id = :pid;
-- one index tree, every part attached and valid
SELECT c.relname, c.relkind, i.indisvalid, pg_get_indexdef(i.indexrelid) LIKE '%(kind, v)' AS same_keys
  FROM pg_partition_tree('p_ev_kind_v_idx') t
  JOIN pg_class c ON c.oid = t.relid JOIN pg_index i ON i.indexrelid = t.relid
 ORDER BY t.level, c.relname;
-- a partition created later gets its index from PostgreSQL itself
CREATE TABLE p_ev_2027 PARTITION OF p_ev FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
SELECT count(*) FROM pg_partition_tree('p_ev_kind_v_idx');
-- the same definition again is a duplicate
SELECT idx_apply('CREATE INDEX again ON p_ev (kind, v)');
\echo :LAST_ERROR_SQLSTATE

-- a part goes with its partitioned table's row
SELECT idx_cancel(:pid + 1);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_rollback(:pid + 1);
\echo :LAST_ERROR_SQLSTATE

-- rollback drops the whole tree; the parts are rolled back with it
SELECT idx_rollback('p1') AS drop_id \gset
SET client_min_messages = warning;
CALL idx_wait(:drop_id);
RESET client_min_messages;
SELECT id, operation, parent_id, status, index_name FROM idx_history ORDER BY id;
SELECT count(*) AS left_over FROM pg_class WHERE relname LIKE 'p_ev%kind_v_idx';

-- a failure part-way (duplicates in one partition) leaves nothing behind:
-- the parts built before the failure are dropped
INSERT INTO p_ev VALUES (7, '2026-03-01', 'b', 1), (7, '2026-03-01', 'b', 2);
SELECT idx_apply('CREATE UNIQUE INDEX p_ev_uq ON p_ev (id, at, kind)') AS uid \gset
SET client_min_messages = warning;
CALL idx_wait(:uid);
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT id, parent_id, status, table_name, error_code, error_message, error_detail
  FROM idx_history WHERE id = :uid OR parent_id = :uid ORDER BY id;
SELECT count(*) AS left_over FROM pg_class WHERE relname LIKE 'p_ev%id_at_kind_idx' OR relname = 'p_ev_uq';
SELECT count(*) AS invalid_indexes FROM pg_index WHERE NOT indisvalid;

-- refused: ON ONLY, and a partition that is not a plain table
SELECT idx_apply('CREATE INDEX ON ONLY p_ev (v)');
\echo :LAST_ERROR_SQLSTATE
CREATE FOREIGN DATA WRAPPER p_fdw;
CREATE SERVER p_srv FOREIGN DATA WRAPPER p_fdw;
CREATE FOREIGN TABLE p_ev_2028 PARTITION OF p_ev FOR VALUES FROM ('2028-01-01') TO ('2029-01-01')
    SERVER p_srv;
SELECT idx_apply('CREATE INDEX ON p_ev (v)');
\echo :LAST_ERROR_SQLSTATE
DROP FOREIGN TABLE p_ev_2028;
DROP SERVER p_srv;
DROP FOREIGN DATA WRAPPER p_fdw;
DROP TABLE p_ev;
