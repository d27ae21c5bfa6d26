-- bench/autopilot/expert.sql -- the index set an expert writes by hand for
-- the workload of bench/autopilot/*.sql (side B of bench/autopilot.sh),
-- built before the workload starts.  Five indexes:
--
--   orders (customer_id)        r_customer_orders (read by FK) and the
--                               join of r_account_orders
--   orders (created_at)         r_day (a range on a date)
--   order_lines (order_id)      r_order_lines (join by FK) and w_delete
--                               (DELETE ... WHERE order_id)
--   order_lines (product_id, id) INCLUDE (qty)
--                               r_product_page (ORDER BY id DESC LIMIT 20
--                               within a product: no sort) and
--                               r_product_qty (count and sum(qty) of a
--                               product from the index alone)
--   customers (account_no)      r_account_orders (the join's driving side)
--
-- Deliberately NOT indexed: carts (touched_at).  Every w_cart UPDATE (the
-- most frequent transaction, about 38 % of them) sets touched_at; an index
-- on it turns each of those HOT updates into one that writes every index
-- of carts, to speed up r_recent_carts, a report that is 0.2 % of the
-- transactions and scans 100,000 narrow rows in a few milliseconds.
\set ON_ERROR_STOP on
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_created_at_idx ON orders (created_at);
CREATE INDEX order_lines_order_id_idx ON order_lines (order_id);
CREATE INDEX order_lines_product_id_id_idx ON order_lines (product_id, id) INCLUDE (qty);
CREATE INDEX customers_account_no_idx ON customers (account_no);
ANALYZE;
