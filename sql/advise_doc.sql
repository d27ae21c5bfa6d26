-- The examples of doc/advisor.md ("Choosing an index"), every ```sql block
-- in order, in a schema of their own.
CREATE SCHEMA advise_doc;
SET search_path = advise_doc, public;
CREATE TABLE sales (id int PRIMARY KEY, customer_id int NOT NULL,
                    status text NOT NULL, created_at timestamptz NOT NULL,
                    total numeric NOT NULL);
INSERT INTO sales
SELECT g, 1 + g % 300,
       CASE WHEN g % 100 = 0 THEN 'pending' WHEN g % 4 = 0 THEN 'cancelled' ELSE 'paid' END,
       '2024-01-01'::timestamptz + g * interval '1 minute', g % 500
  FROM generate_series(1, 30000) g;
CREATE INDEX sales_customer_id_idx ON sales (customer_id);
VACUUM ANALYZE sales;
SELECT rank, definition, replaces, note
  FROM idx_advise(ARRAY[
         'SELECT id, total FROM sales WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10',
         'SELECT id, created_at FROM sales WHERE status = ''pending'' ORDER BY created_at',
         'SELECT * FROM sales WHERE status = ''paid''']);
SELECT query, uses, scan
  FROM idx_whatif((SELECT array_agg(definition) FROM idx_advise(ARRAY[
                     'SELECT id, total FROM sales WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10'])),
                  ARRAY['SELECT id, total FROM sales WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10']);
SELECT table_name, idx_apply(definition, queries, migration => 'advised_0001') > 0 AS queued
  FROM idx_advise(ARRAY[
         'SELECT id, total FROM sales WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10',
         'SELECT id, created_at FROM sales WHERE status = ''pending'' ORDER BY created_at'])
 WHERE rank IS NOT NULL;
SET client_min_messages = warning;  -- idx_wait prints each phase
CALL idx_wait();
RESET client_min_messages;
SELECT index_name, status, queries_using, queries_total
  FROM idx_report('advised_0001') ORDER BY index_name;
SELECT rank, definition, note
  FROM idx_advise('SELECT id, total FROM sales WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10');
SELECT rank, definition, est_size
  FROM idx_advise(ARRAY['SELECT id FROM sales WHERE total = 7',
                        'SELECT id FROM sales WHERE created_at > now()'],
                  budget => 1000000, max_indexes => 5);
SELECT rank, definition
  FROM idx_advise(ARRAY[
         'SELECT id, total FROM sales WHERE customer_id = 7 OR created_at < ''2024-01-02''',
         'SELECT id, total FROM sales WHERE status <> ''paid'' ORDER BY created_at DESC LIMIT 20']);
