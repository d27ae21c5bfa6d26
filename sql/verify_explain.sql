-- idx_explain: each stored query is planned (never executed) and the whole
-- plan is walked for a scan of the index: in the main plan, a bitmap tree,
-- an init plan, a correlated sub-plan or a CTE.  Plans are shown without
-- costs; costs are compared, not printed.
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
TRUNCATE idx_history, idx_snapshots, idx_findings RESTART IDENTITY;
\set VERBOSITY terse
SELECT current_user AS superuser \gset

-- 100,000 orders of 5,000 customers; status is 'open' for 99% of them.
-- The whole table is sampled by ANALYZE, so the estimates never vary.
CREATE TABLE v_orders (id integer PRIMARY KEY, customer_id integer NOT NULL,
                       status text NOT NULL, amount numeric NOT NULL,
                       note text) WITH (autovacuum_enabled = false);
INSERT INTO v_orders
SELECT g, g % 5000, CASE WHEN g % 100 = 0 THEN 'closed' ELSE 'open' END,
       (g * 7919) % 10000, repeat('x', 40)
  FROM generate_series(1, 100000) g;
CREATE TABLE v_customers (id integer PRIMARY KEY, credit numeric NOT NULL)
  WITH (autovacuum_enabled = false);
INSERT INTO v_customers SELECT g, 1000 FROM generate_series(1, 50) g;
SET default_statistics_target = 1000;
VACUUM ANALYZE v_orders, v_customers;
RESET default_statistics_target;

SELECT idx_apply('CREATE INDEX v_orders_customer_idx ON v_orders (customer_id)',
                 ARRAY[
    -- 1. equality: the index in the main plan
    'SELECT * FROM v_orders WHERE customer_id = 42',
    -- 2. a $n parameter: its type is inferred, the plan is generic
    'SELECT id, amount FROM v_orders WHERE customer_id = $1',
    -- 3. two values: a BitmapOr of two bitmap index scans
    'SELECT count(*) FROM v_orders WHERE customer_id = 7 OR customer_id = 8',
    -- 4. only the indexed column, the table all-visible: an index-only scan
    'SELECT customer_id FROM v_orders WHERE customer_id BETWEEN 10 AND 12',
    -- 5. an ordered range with a limit: an index scan
    'SELECT * FROM v_orders WHERE customer_id > 4990 ORDER BY customer_id LIMIT 5',
    -- 6. only in an init plan: the main plan is a seq scan
    'SELECT count(*) FROM v_orders WHERE amount > (SELECT max(amount) FROM v_orders WHERE customer_id = 7)',
    -- 7. only in a correlated sub-plan
    'SELECT c.id FROM v_customers c WHERE c.credit < (SELECT sum(o.amount) FROM v_orders o WHERE o.customer_id = c.id)',
    -- 8. only in a materialized CTE
    'WITH c AS MATERIALIZED (SELECT * FROM v_orders WHERE customer_id = 9) SELECT count(*) FROM c'],
                 'v_explain') AS customer_idx \gset
SELECT idx_apply('CREATE INDEX v_orders_status_idx ON v_orders (status)',
                 ARRAY['SELECT * FROM v_orders WHERE status = ''open'''],
                 'v_explain') AS status_idx \gset
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT index_name, status FROM idx_history WHERE migration = 'v_explain' ORDER BY id;

-- every query uses the customer index, wherever it sits in the plan
SELECT row_number() OVER () AS q, uses_index, scan,
       regexp_replace(split_part(plan, E'\n', 1), '  \(cost=.*$', '') AS top_node,
       cost_without_index > total_cost AS index_pays
  FROM idx_explain(:customer_idx);

-- the walk really goes into sub-plans: in queries 6, 7 and 8 the main plan
-- does not scan the index, an init plan, a sub-plan or a CTE does
SELECT row_number() OVER () AS q,
       split_part(plan, E'\n', 1) LIKE '%v_orders_customer_idx%' AS in_top_node,
       plan LIKE '%InitPlan%' AS has_init_plan,
       plan LIKE '%SubPlan%' AS has_sub_plan,
       plan LIKE '%CTE c%' AS has_cte
  FROM idx_explain(:customer_idx);

-- the status index is not used: 'open' is 99% of the table.  The plan shows
-- what won instead, and hiding the index changes nothing.
SELECT uses_index, scan, total_cost = cost_without_index AS same_cost,
       regexp_replace(plan, '  \(cost=[^)]*\)', '', 'g') AS plan
  FROM idx_explain(:status_idx);

-- a parameter whose type cannot be inferred: a clear error, with SQLSTATE.
-- (idx_apply refuses such queries; a row written before a column changed
-- type, say, can still hold one.)
INSERT INTO idx_history (migration, schema_name, table_name, index_name,
                         definition, queries, status, role_oid,
                         login_role_oid, search_path, finished_at,
                         table_oid, index_oid)
VALUES ('v_explain_bad', 'public', 'v_orders', 'v_orders_customer_idx',
        'CREATE INDEX v_orders_customer_idx ON v_orders (customer_id)',
        ARRAY['SELECT * FROM v_orders WHERE customer_id = $1 + $2'], 'done',
        :'superuser'::regrole, :'superuser'::regrole, 'public', now(),
        'v_orders'::regclass, 'v_orders_customer_idx'::regclass)
RETURNING id AS bad_id \gset
SELECT * FROM idx_explain(:bad_id);
\echo :LAST_ERROR_SQLSTATE
UPDATE idx_history SET queries = ARRAY['SELECT * FROM v_orders WHERE $1 IS NULL'] WHERE id = :bad_id;
SELECT * FROM idx_explain(:bad_id);
\echo :LAST_ERROR_SQLSTATE
-- with the context that names the query
\set VERBOSITY default
SELECT * FROM idx_explain(:bad_id);
\set VERBOSITY terse
-- a statement that is not a query
UPDATE idx_history SET queries = ARRAY['VACUUM v_orders'] WHERE id = :bad_id;
SELECT * FROM idx_explain(:bad_id);
\echo :LAST_ERROR_SQLSTATE
-- a query on a table that is gone
UPDATE idx_history SET queries = ARRAY['SELECT * FROM v_no_such_table'] WHERE id = :bad_id;
SELECT * FROM idx_explain(:bad_id);
\echo :LAST_ERROR_SQLSTATE
-- an id that does not exist; a drop row
SELECT * FROM idx_explain(-1);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM idx_history WHERE id = :bad_id;

-- queries are planned as the role that asked, with its search_path, also
-- when someone else (here a superuser) asks for the plan: an immutable
-- function of hers, folded at plan time, says who planned
CREATE ROLE regress_v_alice LOGIN;
CREATE ROLE regress_v_mallory LOGIN;
CREATE SCHEMA regress_v_alice AUTHORIZATION regress_v_alice;
\c - regress_v_alice
SET search_path = regress_v_alice, public;
CREATE TABLE v_mine (a integer, b text) WITH (autovacuum_enabled = false);
INSERT INTO v_mine SELECT g, 'b' || g FROM generate_series(1, 10000) g;
ANALYZE v_mine;
CREATE FUNCTION v_who(integer) RETURNS integer IMMUTABLE LANGUAGE plpgsql
    AS $$ BEGIN RAISE NOTICE 'planned as %', current_user; RETURN $1; END $$;
SELECT idx_apply('CREATE INDEX v_mine_a_idx ON v_mine (a)',
                 ARRAY['SELECT * FROM v_mine WHERE a = v_who(5)'], 'v_explain_alice')
    AS alice_idx \gset
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT uses_index, scan FROM idx_explain(:alice_idx);
\c - :superuser
SET search_path = public;
SELECT uses_index, scan FROM idx_explain(:alice_idx);
-- a role that cannot see her row is told it does not exist
\c - regress_v_mallory
SELECT uses_index FROM idx_explain(:alice_idx);
\echo :LAST_ERROR_SQLSTATE
\c - :superuser
-- and the role that asked must still be allowed to read the table
REVOKE SELECT ON regress_v_alice.v_mine FROM regress_v_alice;
SELECT uses_index FROM idx_explain(:alice_idx);
\echo :LAST_ERROR_SQLSTATE
GRANT SELECT ON regress_v_alice.v_mine TO regress_v_alice;

-- clean up the roles (the tables stay for the other verify_* files)
DROP SCHEMA regress_v_alice CASCADE;
DROP ROLE regress_v_alice;
DROP ROLE regress_v_mallory;
