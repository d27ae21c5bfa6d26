-- idx_apply refuses, with an SQLSTATE and a PostgreSQL-style message, what
-- it cannot build, and leaves nothing behind: no row, no index, no worker.
TRUNCATE idx_history RESTART IDENTITY;
CREATE TABLE r_t (a integer, b text, c jsonb, d timestamptz, e point);
INSERT INTO r_t SELECT g, 'b' || g % 10, '{}', now(), point(g, g) FROM generate_series(1, 1000) g;
CREATE INDEX r_t_a_idx ON r_t (a);
CREATE INDEX r_t_b_part_idx ON r_t (b DESC) INCLUDE (a) WHERE a > 10;
CREATE VIEW r_v AS SELECT * FROM r_t;
CREATE TABLE r_p (a integer) PARTITION BY RANGE (a);
CREATE TEMP TABLE r_tmp (a integer);
\set VERBOSITY default

-- not exactly one CREATE INDEX statement
SELECT idx_apply('CREATE INDEX ON r_t (b); DROP TABLE r_t');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('DROP TABLE r_t');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply(NULL);
\echo :LAST_ERROR_SQLSTATE

-- the table: missing, not a plain table, ON ONLY a partitioned table, temporary, a catalog
SELECT idx_apply('CREATE INDEX ON r_missing (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_v (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON ONLY r_p (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_tmp (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON pg_catalog.pg_class (relname, relkind)');
\echo :LAST_ERROR_SQLSTATE

-- columns, expressions, predicates
SELECT idx_apply('CREATE INDEX ON r_t (missing)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t ((missing + 1))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (ctid)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t ((d > now()))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (a) WHERE d > now()');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (a) WHERE missing');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (a) INCLUDE (missing)');
\echo :LAST_ERROR_SQLSTATE

-- access methods, operator classes, collations, options, tablespaces
SELECT idx_apply('CREATE INDEX ON r_t USING missing (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t USING heap (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE UNIQUE INDEX ON r_t USING hash (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t USING hash (a, b)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t USING gin (c) INCLUDE (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t USING gin (c DESC)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (e)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b int4_ops)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b missing_ops)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (a COLLATE "C")');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b) WITH (fillfactor = 5)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b) WITH (no_such_option = 1)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b) TABLESPACE missing');
\echo :LAST_ERROR_SQLSTATE

-- names: taken by a table, by an index, by an INVALID index
SELECT idx_apply('CREATE INDEX r_v ON r_t (b)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX r_t_a_idx ON r_t (b)');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE r_dup (a integer);
INSERT INTO r_dup VALUES (1), (1);
CREATE UNIQUE INDEX CONCURRENTLY r_dup_a_idx ON r_dup (a);
SELECT indisvalid FROM pg_index WHERE indexrelid = 'r_dup_a_idx'::regclass;
SELECT idx_apply('CREATE INDEX IF NOT EXISTS r_dup_a_idx ON r_dup (a)');
\echo :LAST_ERROR_SQLSTATE
DROP INDEX r_dup_a_idx;

-- equivalent to an existing valid index: refused, naming it
SELECT idx_apply('CREATE INDEX ON r_t (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX other_name ON public.r_t USING btree (a ASC NULLS LAST)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b DESC) INCLUDE (a) WHERE a > 10');
\echo :LAST_ERROR_SQLSTATE
-- the same definition as a create already queued is refused too
BEGIN;
SELECT idx_apply('CREATE INDEX r_t_q1 ON r_t (b, a) WHERE a > 5') IS NOT NULL AS queued;
SELECT idx_apply('create index concurrently if not exists r_t_q2 on public.r_t (B, A) where A > 5');
ROLLBACK;
\echo :LAST_ERROR_SQLSTATE
-- ... but a different order, predicate, method or uniqueness is not a duplicate
BEGIN;
SELECT idx_apply('CREATE INDEX ON r_t (a DESC)') IS NOT NULL AS accepted;
SELECT idx_apply('CREATE INDEX ON r_t (b DESC) INCLUDE (a) WHERE a > 11') IS NOT NULL AS accepted;
SELECT idx_apply('CREATE INDEX ON r_t USING hash (a)') IS NOT NULL AS accepted;
SELECT idx_apply('CREATE UNIQUE INDEX ON r_t (a)') IS NOT NULL AS accepted;
ROLLBACK;

-- the queries the index is for must be one plannable SELECT/INSERT/UPDATE/DELETE
SELECT idx_apply('CREATE INDEX ON r_t (b)', ARRAY['DROP TABLE r_t']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b)', ARRAY['SELECT 1; SELECT 2']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b)', ARRAY['SELECT * FROM r_missing']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b)', ARRAY['SELECT * FROM r_t WHERE b = $1', NULL]);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b)', ARRAY['SELECT * FROM r_t WHERE a = $1 + $2']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b)', ARRAY['SELECT * INTO r_new FROM r_t']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON r_t (b)', ARRAY['SELECT * FROM r_t WHERE b = $1 AND a = $2::int']) IS NOT NULL AS accepted_with_params;
SELECT idx_apply('CREATE INDEX ON r_t (d)', ARRAY['UPDATE r_t SET d = now() WHERE b = $1']) IS NOT NULL AS accepted_dml;

-- nothing was left behind by the refusals: only the two accepted rows exist
SELECT id, index_name, status IN ('queued', 'waiting', 'building', 'done') AS accepted
  FROM idx_history ORDER BY id;
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT id, index_name, status FROM idx_history ORDER BY id;
SELECT count(*) AS invalid_indexes FROM pg_index WHERE NOT indisvalid;
