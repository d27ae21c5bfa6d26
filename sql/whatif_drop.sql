-- idx_whatif with DROP INDEX definitions: the queries are planned as if the
-- named existing indexes were gone (hidden from the extension's own planner
-- call only), which must give the plan and cost that a real DROP INDEX
-- gives in a transaction rolled back.
\set SHOW_CONTEXT never
\set VERBOSITY default
CREATE SCHEMA whatif_drop;
SET search_path = whatif_drop, public;

CREATE TABLE o (id int PRIMARY KEY, customer_id int NOT NULL, status text,
                created date, total numeric(10,2));
INSERT INTO o
SELECT i, i % 2000, (ARRAY['new','paid','shipped','done'])[1 + i % 4],
       date '2024-01-01' + i % 365, i % 1000
  FROM generate_series(1, 60000) i;
CREATE INDEX o_customer_id_idx ON o (customer_id);
CREATE INDEX o_customer_id_created_idx ON o (customer_id, created);
VACUUM ANALYZE o;

-- the plan text without costs; the total cost of a real EXPLAIN
CREATE FUNCTION shape(plan text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT regexp_replace(plan, '  \(cost=[^)]*\)', '', 'g') $$;
CREATE FUNCTION real_plan(q text, OUT cost float8, OUT plan text)
LANGUAGE plpgsql AS $$
DECLARE j json; line text;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO j;
    cost := (j -> 0 -> 'Plan' ->> 'Total Cost')::float8;
    plan := '';
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        plan := plan || CASE WHEN plan = '' THEN '' ELSE E'\n' END || line;
    END LOOP;
END $$;

-- with every index, the query reads the composite index in order
SELECT plan FROM real_plan('SELECT * FROM o WHERE customer_id = 42 ORDER BY created LIMIT 3');

-- hidden: the plan moves to the other index and sorts, exactly as after
-- DROP INDEX (EXPLAIN's JSON shows costs to two decimals)
CREATE TEMP TABLE hidden AS
SELECT cost_before, cost_after, uses, scan, shape(plan) AS plan
  FROM idx_whatif(ARRAY['DROP INDEX o_customer_id_created_idx'],
                  ARRAY['SELECT * FROM o WHERE customer_id = 42 ORDER BY created LIMIT 3']);
SELECT round(cost_before::numeric, 2) =
       (SELECT cost FROM real_plan('SELECT * FROM o WHERE customer_id = 42 ORDER BY created LIMIT 3'))::numeric
       AS before_is_today, cost_after > cost_before AS dearer, uses, scan, plan
  FROM hidden;
BEGIN;
DROP INDEX o_customer_id_created_idx;
SELECT d.cost::numeric = round(h.cost_after::numeric, 2) AS same_cost,
       d.plan = h.plan AS same_plan
  FROM real_plan('SELECT * FROM o WHERE customer_id = 42 ORDER BY created LIMIT 3') d, hidden h;
ROLLBACK;

-- both gone: a sequential scan, again exactly as DROP INDEX gives
SELECT shape(plan) AS plan
  FROM idx_whatif(ARRAY['DROP INDEX o_customer_id_idx, whatif_drop.o_customer_id_created_idx'],
                  ARRAY['SELECT * FROM o WHERE customer_id = 42']);
CREATE TEMP TABLE hidden2 AS
SELECT cost_after, shape(plan) AS plan
  FROM idx_whatif(ARRAY['DROP INDEX o_customer_id_idx', 'drop index o_customer_id_created_idx'],
                  ARRAY['SELECT * FROM o WHERE customer_id = 42']);
BEGIN;
DROP INDEX o_customer_id_idx, o_customer_id_created_idx;
SELECT d.cost::numeric = round(h.cost_after::numeric, 2) AS same_cost, d.plan = h.plan AS same_plan
  FROM real_plan('SELECT * FROM o WHERE customer_id = 42') d, hidden2 h;
ROLLBACK;

-- drop one, add one in the same call: the plan uses the hypothetical one
SELECT uses, scan, shape(plan) AS plan
  FROM idx_whatif(ARRAY['DROP INDEX o_customer_id_idx', 'DROP INDEX o_customer_id_created_idx',
                        'CREATE INDEX ON o (customer_id) INCLUDE (total)'],
                  ARRAY['SELECT total FROM o WHERE customer_id = 42']);

-- nothing was dropped, for this session or any other: a plain EXPLAIN
-- still uses the index
SELECT plan FROM real_plan('SELECT * FROM o WHERE customer_id = 42 ORDER BY created LIMIT 3');
SELECT count(*) FROM pg_index WHERE indrelid = 'o'::regclass;

-- a partitioned index: hidden on every partition, as DROP INDEX drops it
CREATE TABLE p (id int, k int) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (50000);
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (50000) TO (100000);
INSERT INTO p SELECT i, i % 3000 FROM generate_series(0, 99999) i;
CREATE INDEX p_k_idx ON p (k);
VACUUM ANALYZE p;
CREATE TEMP TABLE hidden3 AS
SELECT cost_after < cost_before AS cheaper, cost_after, shape(plan) AS plan
  FROM idx_whatif(ARRAY['DROP INDEX p_k_idx'], ARRAY['SELECT * FROM p WHERE k = 7']);
SELECT cheaper, plan FROM hidden3;
BEGIN;
DROP INDEX p_k_idx;
SELECT d.cost::numeric = round(h.cost_after::numeric, 2) AS same_cost, d.plan = h.plan AS same_plan
  FROM real_plan('SELECT * FROM p WHERE k = 7') d, hidden3 h;
ROLLBACK;

-- a primary key's index can be planned without (DROP INDEX itself would
-- refuse: the constraint needs it)
SELECT scan IS NULL AS no_hypo, shape(plan) AS plan
  FROM idx_whatif(ARRAY['DROP INDEX o_pkey'], ARRAY['SELECT * FROM o WHERE id = 42']);

-- errors, with DROP INDEX's SQLSTATEs
\set VERBOSITY sqlstate
SELECT * FROM idx_whatif(ARRAY['DROP INDEX no_such_idx'], ARRAY['SELECT 1 FROM o']);
SELECT count(*) FROM idx_whatif(ARRAY['DROP INDEX IF EXISTS no_such_idx'], ARRAY['SELECT 1 FROM o']);
SELECT * FROM idx_whatif(ARRAY['DROP INDEX o'], ARRAY['SELECT 1 FROM o']);
SELECT * FROM idx_whatif(ARRAY['DROP TABLE o'], ARRAY['SELECT 1 FROM o']);
SELECT * FROM idx_whatif(ARRAY['DROP INDEX o_customer_id_idx; DROP INDEX o_pkey'], ARRAY['SELECT 1 FROM o']);
\set VERBOSITY default
SELECT * FROM idx_whatif(ARRAY['DROP INDEX no_such_idx'], ARRAY['SELECT 1 FROM o']);
CREATE ROLE whatif_drop_other;
GRANT USAGE ON SCHEMA whatif_drop TO whatif_drop_other;
GRANT SELECT ON o TO whatif_drop_other;
SET ROLE whatif_drop_other;
SELECT * FROM idx_whatif(ARRAY['DROP INDEX o_customer_id_idx'], ARRAY['SELECT 1 FROM o']);
RESET ROLE;

DROP SCHEMA whatif_drop CASCADE;
DROP ROLE whatif_drop_other;
