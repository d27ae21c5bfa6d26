-- an order with its lines: a join by foreign key
\set oid random(1, :orders)
SELECT o.id, o.status, l.product_id, l.qty, l.price
  FROM orders o JOIN order_lines l ON l.order_id = o.id
 WHERE o.id = :oid;
