-- an order moves on (by primary key)
\set oid random(1, :orders)
UPDATE orders SET status = CASE status WHEN 'new' THEN 'paid' ELSE 'shipped' END,
                  total = total + 1
 WHERE id = :oid;
