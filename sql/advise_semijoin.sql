-- Join keys of IN and EXISTS sub-selects (issue 20, adv5's note; TPC-H's
-- queries 4, 20, 21 and 22 have them): the planner turns "x IN (SELECT y
-- ...)" and "[NOT] EXISTS (SELECT ... WHERE inner.a = outer.b)" into semi-
-- and anti-joins, whose keys an index on either side serves, as a JOIN's.
-- They gave no candidate: the sub-select's condition reads a column of the
-- outer query (not a key of its own level), and the outer level saw only a
-- sub-link.  Now both sides are join keys (src/advise/advise_sublink.c; the
-- inner side of a correlated condition: advise_extract.c), and an IN
-- sub-select's output counts as a column an index can serve
-- (advise_reach.c).
-- Before: no index on sj_orders for any of these queries.
SET client_min_messages = warning;
CREATE TABLE sj_customers (id int PRIMARY KEY, region int NOT NULL, name text NOT NULL);
INSERT INTO sj_customers SELECT g, g % 20, 'customer ' || g FROM generate_series(1, 50000) g;
CREATE TABLE sj_orders (id int PRIMARY KEY, customer_id int NOT NULL, placed date NOT NULL,
                        total numeric NOT NULL, note text NOT NULL);
INSERT INTO sj_orders SELECT g, 1 + (g * 7) % 40000, date '2024-01-01' + g % 365, g % 1000,
       repeat('x', 80) FROM generate_series(1, 300000) g;
CREATE TABLE sj_vip (customer_id int NOT NULL);
INSERT INTO sj_vip SELECT g * 97 FROM generate_series(1, 30) g;
VACUUM ANALYZE sj_customers, sj_orders, sj_vip;

-- NOT EXISTS (an anti-join): the inner table's key
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT c.id, c.name FROM sj_customers c WHERE c.region = 3 AND NOT EXISTS (SELECT 1 FROM sj_orders o WHERE o.customer_id = c.id)$$])
 WHERE definition LIKE '% ON public.sj_orders %';
-- IN (a semi-join): the inner table's key, the sub-select's output
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT c.id, c.name FROM sj_customers c WHERE c.id < 500 AND c.id IN (SELECT customer_id FROM sj_orders)$$]);
-- IN: the outer table's key, probed for each row of the small sub-select
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT id, placed, total FROM sj_orders WHERE customer_id IN (SELECT customer_id FROM sj_vip)$$]);
-- EXISTS: the outer table's key too
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT id, placed, total FROM sj_orders o WHERE EXISTS (SELECT 1 FROM sj_vip v WHERE v.customer_id = o.customer_id)$$]);
-- a correlated sub-select that stays a SubPlan: its condition's key
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT c.id, c.name FROM sj_customers c WHERE c.region = 3 AND (SELECT sum(total) FROM sj_orders o WHERE o.customer_id = c.id) > 5000$$])
 WHERE definition LIKE '% ON public.sj_orders %';
-- NOT IN is no join to the planner (NULLs): no key of the outer table
SELECT count(*) AS advised FROM idx_advise(ARRAY[
  $$SELECT id, placed, total FROM sj_orders WHERE customer_id NOT IN (SELECT customer_id FROM sj_vip)$$])
 WHERE definition LIKE '% ON public.sj_orders (customer_id)%';
-- the plan uses the advised index for the anti-join
SELECT cost_after < cost_before AS cheaper, uses
  FROM idx_whatif(ARRAY['CREATE INDEX ON sj_orders (customer_id)'],
                  ARRAY[$$SELECT c.id, c.name FROM sj_customers c WHERE c.region = 3 AND NOT EXISTS (SELECT 1 FROM sj_orders o WHERE o.customer_id = c.id)$$]);

DROP TABLE sj_orders, sj_customers, sj_vip;
