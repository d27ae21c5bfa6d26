-- idx_advise_check: the CI gate.  It raises IA001 naming the advised
-- indexes when one would cut a query's cost by more than min_gain, and
-- returns quietly otherwise.
\set SHOW_CONTEXT never
CREATE SCHEMA advise_check;
SET search_path = advise_check, public;
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL,
                     total numeric NOT NULL);
INSERT INTO orders SELECT g, g % 3000, (ARRAY['new','paid'])[1 + g % 2], g % 100
  FROM generate_series(1, 60000) g;
-- a sample of every row, so that the costs shown do not move with it
ALTER TABLE orders ALTER customer_id SET STATISTICS 1000, ALTER status SET STATISTICS 1000;
VACUUM ANALYZE orders;

-- a new query without its index: the gate fails, naming the index
SELECT idx_advise_check(ARRAY['SELECT id FROM orders WHERE id = 5',
                              'SELECT total FROM orders WHERE customer_id = $1']);
-- its SQLSTATE, as a pipeline (or a PL/pgSQL caller) sees it
DO $$
BEGIN
    PERFORM idx_advise_check(ARRAY['SELECT total FROM orders WHERE customer_id = 42']);
EXCEPTION WHEN SQLSTATE 'IA001' THEN
    RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM;
END $$;

-- passes: queries their indexes already serve
SELECT idx_advise_check(ARRAY['SELECT id FROM orders WHERE id = 5']);
CREATE INDEX orders_customer_id_total_idx ON orders (customer_id) INCLUDE (total);
SELECT idx_advise_check(ARRAY['SELECT total FROM orders WHERE customer_id = $1']);
-- passes: a gain below min_gain (the plan's cost falls by less than 99.99 %)
DROP INDEX orders_customer_id_total_idx;
SELECT idx_advise_check(ARRAY['SELECT total FROM orders WHERE customer_id = 42'], min_gain => 0.9999);
-- and fails with the default of 0.5
SELECT idx_advise_check(ARRAY['SELECT total FROM orders WHERE customer_id = 42']);

-- a query that cannot be advised fails the gate with its own error
SELECT idx_advise_check(ARRAY['SELECT id FROM orders WHERE id = 5', 'SELECT * FROM orderz']);
\set VERBOSITY sqlstate
SELECT idx_advise_check(ARRAY['SELECT id FROM orders WHERE id = 5', 'SELECT * FROM orderz']);
SELECT idx_advise_check(ARRAY['SELECT total FROM orders WHERE customer_id = 42']);
\set VERBOSITY default
-- bad arguments
SELECT idx_advise_check(ARRAY['SELECT 1'], min_gain => 1);
SELECT idx_advise_check(ARRAY['SELECT 1'], min_gain => NULL);
SELECT idx_advise_check(NULL);

DROP SCHEMA advise_check CASCADE;
