-- a customer found by account number, with their orders: a join
\set cid random(1, :customers)
\set acct 100000 + 13 * :cid
SELECT c.name, o.id, o.status, o.total
  FROM customers c JOIN orders o ON o.customer_id = c.id
 WHERE c.account_no = :acct;
