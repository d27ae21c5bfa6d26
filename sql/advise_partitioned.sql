-- idx_advise on a partitioned table: the definition is on the parent
-- (idx_apply builds it leaf by leaf), the plan uses it on every leaf; an
-- existing partitioned index it makes redundant gets a plain DROP INDEX row
-- (PostgreSQL 15 cannot drop a partitioned index concurrently).
\set SHOW_CONTEXT never
CREATE SCHEMA advise_part;
SET search_path = advise_part, public;
CREATE TABLE ev (id int, tenant int NOT NULL, at date NOT NULL, kind text)
    PARTITION BY RANGE (at);
CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO ev SELECT g, g % 2000, date '2024-01-01' + g % 700, 'k' || g % 5
  FROM generate_series(1, 200000) g;
CREATE INDEX ev_tenant_idx ON ev (tenant);
VACUUM ANALYZE ev;

SELECT rank, definition, table_name, replaces, note
  FROM idx_advise(ARRAY['SELECT id, at FROM ev WHERE tenant = 42 ORDER BY at DESC LIMIT 20']);

-- idx_apply accepts the parent definition and builds it on every leaf
SELECT idx_apply(definition, queries, migration => 'advise_part') > 0 AS queued
  FROM idx_advise(ARRAY['SELECT id, at FROM ev WHERE tenant = 42 ORDER BY at DESC LIMIT 20'])
 WHERE rank IS NOT NULL;
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT status FROM idx_history WHERE migration = 'advise_part' AND parent_id IS NULL;
SELECT c.relname AS leaf, i.indexrelid::regclass AS index, i.indisvalid
  FROM pg_inherits h
  JOIN pg_index i ON i.indexrelid = h.inhrelid
  JOIN pg_class c ON c.oid = i.indrelid
 WHERE h.inhparent = 'ev_tenant_at_id_idx'::regclass
 ORDER BY 1;
EXPLAIN (COSTS OFF) SELECT id, at FROM ev WHERE tenant = 42 ORDER BY at DESC LIMIT 20;
-- asked again: served
SELECT rank, definition, note
  FROM idx_advise(ARRAY['SELECT id, at FROM ev WHERE tenant = 42 ORDER BY at DESC LIMIT 20']);

DROP SCHEMA advise_part CASCADE;
