-- an order's lines are removed: a delete by foreign key
\set oid random(1, :orders)
DELETE FROM order_lines WHERE order_id = :oid;
