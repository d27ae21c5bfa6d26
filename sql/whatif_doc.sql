-- The examples of doc/whatif.md ("## Hypothetical indexes: idx_whatif"),
-- every ```sql block in order, in a schema of their own.
CREATE SCHEMA whatif_doc;
SET search_path = whatif_doc, public;

CREATE TABLE orders (id int, customer_id int, status text, created date,
                     total numeric(10,2), enabled bool);
INSERT INTO orders
SELECT i, i % 5000, (ARRAY['new','paid','shipped','done'])[1 + i % 4],
       date '2024-01-01' + i % 365, i % 1000, i % 10 = 0
  FROM generate_series(1, 100000) i;
VACUUM ANALYZE orders;

SELECT cost_after < cost_before AS cheaper, uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON orders (customer_id, created DESC) INCLUDE (total)'],
                  ARRAY['SELECT created, total FROM orders WHERE customer_id = 42 ORDER BY created DESC LIMIT 10']);

SELECT query, uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON orders (customer_id)',
                        'CREATE INDEX ON orders (enabled)'],
                  ARRAY['SELECT * FROM orders WHERE customer_id = 7',
                        'SELECT * FROM orders WHERE NOT enabled']);

SELECT uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON orders (created) WHERE status = ''new'''],
                  ARRAY['SELECT * FROM orders WHERE status = $1 AND created = $2::date']);
SELECT uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON orders (created) WHERE status = ''new'''],
                  ARRAY['SELECT * FROM orders WHERE status = $1 AND created = $2::date'],
                  ARRAY['new', '2024-03-01']);

SELECT idx_hypo_size('CREATE INDEX ON orders (id) WHERE enabled')
       < idx_hypo_size('CREATE INDEX ON orders (id)') / 5 AS partial_is_smaller;

SELECT cost_before, uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON orders (customer_id)'],
                  ARRAY['SELECT * FROM orders WHERE customer_id = 42'],
                  plan_before => false);

DROP SCHEMA whatif_doc CASCADE;
