-- the newest 20 lines of a product: pagination by ORDER BY ... LIMIT
\set pid random(1, 5000)
SELECT id, order_id, qty, price FROM order_lines
 WHERE product_id = :pid ORDER BY id DESC LIMIT 20;
