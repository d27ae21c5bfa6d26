-- the orders of one day: a range on a date
\set d random(1, 364)
SELECT count(*), sum(total) FROM orders
 WHERE created_at >= current_date - :d AND created_at < current_date - :d + 1;
