-- idx_advise: which indexes to build, chosen by the planner over
-- hypothetical indexes, ready for idx_apply.  Tables of at most 30,000 rows,
-- so that ANALYZE reads every row and the output is stable.
SET client_min_messages = warning;
CREATE TABLE shop_customers (id int PRIMARY KEY, email text NOT NULL,
                             region text NOT NULL, name text NOT NULL);
INSERT INTO shop_customers
SELECT g, 'user' || g || '@example.com', (ARRAY['north', 'south', 'east'])[1 + g % 3],
       'name ' || g
  FROM generate_series(1, 30000) g;
CREATE TABLE shop_orders (id int PRIMARY KEY, customer_id int NOT NULL,
                          status text NOT NULL, created_at timestamptz NOT NULL,
                          total numeric NOT NULL, note text);
INSERT INTO shop_orders
SELECT g, 1 + g % 300,
       CASE WHEN g % 100 = 0 THEN 'pending' WHEN g % 4 = 0 THEN 'cancelled' ELSE 'active' END,
       '2024-01-01'::timestamptz + g * interval '1 minute', g % 500, 'note ' || g
  FROM generate_series(1, 30000) g;
CREATE TABLE shop_lines (id int PRIMARY KEY, order_id int NOT NULL,
                         product_id int NOT NULL, qty int NOT NULL);
INSERT INTO shop_lines
SELECT g, 1 + (g * 7) % 30000, 1 + g % 1000, 1 + g % 5
  FROM generate_series(1, 30000) g;
CREATE INDEX shop_orders_customer_id_idx ON shop_orders (customer_id);
CREATE INDEX shop_customers_email_idx ON shop_customers (email);
VACUUM ANALYZE shop_customers, shop_orders, shop_lines;
RESET client_min_messages;

-- ORDER BY ... DESC LIMIT: equality column first, then the sort column with
-- its direction; the existing index on customer_id is a prefix of it
SELECT rank, definition, table_name, replaces, note,
       est_size > 0 AS sized, cost_after < cost_before AS cheaper
  FROM idx_advise('SELECT id, total FROM shop_orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 10');

-- a constant predicate on a column of few values: a partial index
SELECT rank, definition, note
  FROM idx_advise('SELECT id, created_at FROM shop_orders WHERE status = ''pending'' ORDER BY created_at');

-- a column that matches most rows: nothing to advise, and why
SELECT rank, definition, note
  FROM idx_advise('SELECT * FROM shop_orders WHERE status = ''active''');

-- an existing index already serves the query
SELECT rank, definition, note
  FROM idx_advise('SELECT * FROM shop_customers WHERE email = $1');

-- a join: the inner side of the nested loop needs its join key
SELECT rank, definition, queries
  FROM idx_advise('SELECT l.product_id, l.qty FROM shop_orders o JOIN shop_lines l ON l.order_id = o.id WHERE o.customer_id = 7');

-- an expression in WHERE: an expression index
SELECT rank, definition
  FROM idx_advise('SELECT id FROM shop_customers WHERE lower(email) = lower($1)');

-- $n parameters: planned generically and with values from pg_stats
SELECT rank, definition, note
  FROM idx_advise('SELECT id FROM shop_lines WHERE product_id = $1 AND qty = $2');

-- two queries sharing a prefix: one index serves both
SELECT rank, definition, queries
  FROM idx_advise(ARRAY['SELECT id FROM shop_lines WHERE product_id = 5',
                        'SELECT id, qty FROM shop_lines WHERE product_id = 5 AND qty = 2']);

-- a budget too small for everything: the best subset that fits
SELECT rank, definition, est_size
  FROM idx_advise(ARRAY['SELECT id FROM shop_lines WHERE order_id = 9',
                        'SELECT id FROM shop_customers WHERE name = ''name 5''',
                        'SELECT id FROM shop_orders WHERE created_at > now()']);
-- within 1.4 MB: (created_at) and (order_id) INCLUDE (id), which takes no
-- more bytes than the bare (order_id) and makes the lookup index-only
-- (8.3 -> 4.3): the exchange pass's trade for a clearly lower geometric
-- mean of cost
SELECT rank, definition, est_size <= 1400000 AS fits
  FROM idx_advise(ARRAY['SELECT id FROM shop_lines WHERE order_id = 9',
                        'SELECT id FROM shop_customers WHERE name = ''name 5''',
                        'SELECT id FROM shop_orders WHERE created_at > now()'],
                  budget => 1400000);
SELECT count(*) AS max_one
  FROM idx_advise(ARRAY['SELECT id FROM shop_lines WHERE order_id = 9',
                        'SELECT id FROM shop_customers WHERE name = ''name 5'''],
                  max_indexes => 1);

-- DML is planned, never executed
SELECT rank, definition
  FROM idx_advise('UPDATE shop_orders SET total = 0 WHERE created_at = now()');
SELECT count(*) AS untouched FROM shop_orders WHERE total = 0;

-- the hypothetical indexes never leak into a normal plan
EXPLAIN (COSTS OFF) SELECT id FROM shop_lines WHERE product_id = 5;

-- bad input: clear errors, never a crash; a bad statement gets a row of
-- its own with its SQLSTATE and message (issue 20)
SELECT * FROM idx_advise(NULL::text[]);
SELECT * FROM idx_advise('{}'::text[]);
SELECT * FROM idx_advise(ARRAY[NULL]::text[]);
SELECT * FROM idx_advise('not a query');
-- an untyped array literal resolves to the one-query form: said so
SELECT * FROM idx_advise('{"SELECT 1", "SELECT 2"}');
SELECT * FROM idx_advise('CREATE TABLE nope (a int)');
SELECT * FROM idx_advise('SELECT * FROM no_such_table');
SELECT * FROM idx_advise('SELECT 1; SELECT 2');
SELECT * FROM idx_advise(array_fill('SELECT 1'::text, ARRAY[10000]));
SELECT * FROM idx_advise(ARRAY['SELECT 1'], budget => -1);
SELECT * FROM idx_advise(ARRAY['SELECT 1'], max_indexes => 0);
SELECT rank, definition, note FROM idx_advise('SELECT 1');

-- one statement from advice to build; then every advised index is used as
-- predicted, the covering one by an Index Only Scan
SELECT count(idx_apply(definition, queries, migration => 'advise_test')) AS applied
  FROM idx_advise(ARRAY[
         'SELECT id, total FROM shop_orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 10',
         'SELECT id, created_at FROM shop_orders WHERE status = ''pending'' ORDER BY created_at',
         'SELECT l.product_id, l.qty FROM shop_orders o JOIN shop_lines l ON l.order_id = o.id WHERE o.customer_id = 7',
         'SELECT id FROM shop_customers WHERE lower(email) = lower($1)',
         'SELECT id FROM shop_lines WHERE product_id = $1 AND qty = $2'])
 WHERE rank IS NOT NULL;  -- the CREATE INDEX rows (drop rows have no rank)
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
VACUUM ANALYZE shop_customers, shop_orders, shop_lines;
SELECT h.index_name, e.uses_index, e.scan, e.query
  FROM idx_history h, idx_explain(h.id) e
 WHERE h.migration = 'advise_test'
 ORDER BY h.index_name, e.query;
-- nothing left to advise for the same queries
SELECT rank, definition, note
  FROM idx_advise(ARRAY[
         'SELECT id, total FROM shop_orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 10',
         'SELECT id FROM shop_lines WHERE product_id = $1 AND qty = $2']);
