-- an order by its primary key (served by the primary key: needs nothing)
\set oid random(1, :orders)
SELECT id, customer_id, status, created_at, total FROM orders WHERE id = :oid;
