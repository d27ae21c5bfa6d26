-- bench/advise_workload.sql -- the workload of bench/advise.sh: an OLTP
-- shop and its support desk, as an application would query them, and the
-- index set an expert wrote by hand for it.  Written before the advisor was
-- run on it, and not changed after.  :scale rows of orders (customers
-- :scale/10, order_items 2 x :scale, tickets :scale/2, events :scale).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT setseed(0.42);

CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL,
                        country text NOT NULL, created_at timestamptz NOT NULL,
                        deleted_at timestamptz);
INSERT INTO customers
SELECT g, 'user' || g || '@example.com', 'customer ' || g,
       (ARRAY['US','US','US','DE','DE','FR','GB','JP','BR','IN'])[1 + g % 10],
       '2023-01-01'::timestamptz + g * interval '7 minutes',
       CASE WHEN g % 50 = 0 THEN '2024-06-01'::timestamptz END
  FROM generate_series(1, :scale / 10) g;

CREATE TABLE products (id int PRIMARY KEY, sku text NOT NULL UNIQUE,
                       category_id int NOT NULL, price numeric NOT NULL,
                       active boolean NOT NULL);
INSERT INTO products
SELECT g, 'SKU-' || g, 1 + g % 50, (g % 997) + 0.99, g % 10 <> 0
  FROM generate_series(1, 5000) g;

CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL,
                     created_at timestamptz NOT NULL, total numeric NOT NULL,
                     channel text NOT NULL);
INSERT INTO orders
SELECT g, 1 + (g * 7919) % (:scale / 10),
       CASE WHEN g % 50 = 0 THEN 'pending' WHEN g % 33 = 0 THEN 'cancelled'
            WHEN g % 3 = 0 THEN 'shipped' ELSE 'paid' END,
       '2024-01-01'::timestamptz + g * interval '1 minute', (g % 1000) + 0.5,
       (ARRAY['web','ios','android','store','phone'])[1 + g % 5]
  FROM generate_series(1, :scale) g;

CREATE TABLE order_items (id int PRIMARY KEY, order_id int NOT NULL, product_id int NOT NULL,
                          qty int NOT NULL, price numeric NOT NULL);
INSERT INTO order_items
SELECT g, 1 + g / 2, 1 + (g * 31) % 5000, 1 + g % 4, (g % 997) + 0.99
  FROM generate_series(1, 2 * :scale) g;

CREATE TABLE tickets (id int PRIMARY KEY, customer_id int NOT NULL,
                      assigned_department_id int NOT NULL, status text NOT NULL,
                      task_type text NOT NULL, priority int NOT NULL,
                      created_at timestamptz NOT NULL);
INSERT INTO tickets
SELECT g, 1 + (g * 13) % (:scale / 10), 1 + g % 20,
       CASE WHEN g % 10 = 0 THEN 'open' ELSE 'closed' END,
       (ARRAY['refund','bug','question','billing','shipping','account','return','other'])[1 + g % 8],
       1 + g % 5, '2023-06-01'::timestamptz + g * interval '3 minutes'
  FROM generate_series(1, :scale / 2) g;

CREATE TABLE events (id int PRIMARY KEY, customer_id int NOT NULL, kind text NOT NULL,
                     payload jsonb NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO events
SELECT g, 1 + (g * 17) % (:scale / 10),
       (ARRAY['click','view','login','logout','search'])[1 + g % 5],
       jsonb_build_object('type', 't' || (g % 40), 'n', g),
       '2023-01-01'::timestamptz + g * interval '30 seconds'
  FROM generate_series(1, :scale) g;

VACUUM ANALYZE;

-- The workload: 22 statements.
CREATE TABLE bench_queries (qno int PRIMARY KEY, query text NOT NULL);
INSERT INTO bench_queries VALUES
 (1,  $q$SELECT * FROM customers WHERE email = 'user123@example.com'$q$),
 (2,  $q$SELECT id, total, created_at FROM orders WHERE customer_id = 424 ORDER BY created_at DESC LIMIT 20$q$),
 (3,  $q$SELECT id, created_at FROM orders WHERE status = 'pending' ORDER BY created_at LIMIT 50$q$),
 (4,  $q$SELECT count(*) FROM orders WHERE status = 'paid'$q$),
 (5,  $q$SELECT product_id, qty FROM order_items WHERE order_id = 777$q$),
 (6,  $q$SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email = 'user99@example.com'$q$),
 (7,  $q$SELECT id, price FROM products WHERE category_id = 7 AND active ORDER BY price LIMIT 20$q$),
 (8,  $q$SELECT id FROM tickets WHERE assigned_department_id = 3 AND status = 'open' AND task_type = 'refund'$q$),
 (9,  $q$SELECT id, priority FROM tickets WHERE assigned_department_id = 5 AND status = 'open' ORDER BY priority DESC, created_at LIMIT 10$q$),
 (10, $q$SELECT * FROM customers WHERE lower(email) = 'user5@example.com'$q$),
 (11, $q$SELECT id FROM customers WHERE deleted_at IS NULL AND country = 'FR' ORDER BY created_at DESC LIMIT 20$q$),
 (12, $q$SELECT sum(total) FROM orders WHERE created_at >= '2024-03-01' AND created_at < '2024-03-02'$q$),
 (13, $q$SELECT id FROM events WHERE payload @> '{"type": "t7"}'$q$),
 (14, $q$SELECT id FROM events WHERE customer_id = 321 AND kind = 'click' ORDER BY created_at DESC LIMIT 10$q$),
 (15, $q$UPDATE orders SET status = 'shipped' WHERE id = 5$q$),
 (16, $q$SELECT c.country, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.country$q$),
 (17, $q$SELECT order_id FROM order_items WHERE product_id = 42$q$),
 (18, $q$SELECT id, total FROM orders WHERE customer_id = 77 AND status = 'shipped'$q$),
 (19, $q$SELECT id FROM tickets WHERE customer_id = 1234 ORDER BY created_at DESC LIMIT 5$q$),
 (20, $q$DELETE FROM events WHERE created_at < '2023-01-01 02:00'$q$),
 (21, $q$SELECT p.sku, oi.qty FROM order_items oi JOIN products p ON p.id = oi.product_id WHERE oi.order_id = 1000$q$),
 (22, $q$SELECT count(*) FROM customers WHERE country = 'US'$q$);

-- The expert's set, by hand, for the same statements.
CREATE TABLE bench_expert (definition text NOT NULL);
INSERT INTO bench_expert VALUES
 ('CREATE INDEX ON customers (email)'),
 ('CREATE INDEX ON orders (customer_id, created_at DESC)'),
 ('CREATE INDEX ON orders (created_at) WHERE status = ''pending'''),
 ('CREATE INDEX ON order_items (order_id)'),
 ('CREATE INDEX ON products (category_id, price) WHERE active'),
 ('CREATE INDEX ON tickets (assigned_department_id, status, task_type)'),
 ('CREATE INDEX ON tickets (assigned_department_id, status, priority DESC, created_at)'),
 ('CREATE INDEX ON customers (lower(email))'),
 ('CREATE INDEX ON customers (country, created_at DESC) WHERE deleted_at IS NULL'),
 ('CREATE INDEX ON orders (created_at)'),
 ('CREATE INDEX ON events USING gin (payload jsonb_path_ops)'),
 ('CREATE INDEX ON events (customer_id, kind, created_at DESC)'),
 ('CREATE INDEX ON order_items (product_id)'),
 ('CREATE INDEX ON tickets (customer_id, created_at DESC)'),
 ('CREATE INDEX ON events (created_at)');
