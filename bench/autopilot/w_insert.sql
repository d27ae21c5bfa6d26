-- a new order with three lines
\set cid random(1, :customers)
\set pid random(1, 4997)
WITH o AS (INSERT INTO orders (customer_id, status, created_at, total)
           VALUES (:cid, 'new', now(), 42.50) RETURNING id)
INSERT INTO order_lines (order_id, product_id, qty, price)
SELECT o.id, :pid + g, 1 + g, 9.99 FROM o, generate_series(0, 2) g;
