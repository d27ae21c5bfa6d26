-- how many of a product were sold: a covering read (index-only with the
-- right index)
\set pid random(1, 5000)
SELECT count(*), sum(qty) FROM order_lines WHERE product_id = :pid;
