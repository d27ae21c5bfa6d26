-- a customer's orders: a read by foreign key
\set cid random(1, :customers)
SELECT id, status, created_at, total FROM orders WHERE customer_id = :cid;
