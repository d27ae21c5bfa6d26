-- Partial indexes on comparisons of two columns of one table (issue 20,
-- found on TPC-H's queries 4, 12 and 21: "l_commitdate < l_receiptdate",
-- "l_receiptdate > l_commitdate"): such a condition has no constant, but it
-- is immutable, and the planner proves a partial index's predicate from the
-- same clause in the query, so an index on the rows it keeps serves the
-- query.  Partial predicates came only from conditions with a constant; now
-- a comparison of two columns is one too, alone and with the constant ones
-- (src/advise/advise_extract.c: column_comparison; advise_candidates.c:
-- pred_variants), keyed on what the query still needs: the column it
-- groups by, a range column.  "b > a" and "a < b" are one predicate (the
-- lower column first).  Such an index is sized as if the comparison kept
-- every row (no statistic tells its share; src/plan/hypoplan.c:
-- sizing_clauses), so that it is never bigger once built than estimated.
-- Before: nothing for the first query, (received) INCLUDE (committed) and
-- (order_id) WHERE status = 'open' for the others; the sizes differed.
-- Lines received after their committed date: 1 in 10.
SET client_min_messages = warning;
CREATE TABLE cl (id int PRIMARY KEY, order_id int NOT NULL, status text NOT NULL,
                 shipped date NOT NULL, committed date NOT NULL, received date NOT NULL,
                 qty int NOT NULL, note text NOT NULL);
INSERT INTO cl SELECT g, g / 4, CASE WHEN g % 5 = 0 THEN 'open' ELSE 'closed' END,
       date '2024-01-01' + g % 365, date '2024-01-01' + g % 365 + 20,
       date '2024-01-01' + g % 365 + CASE WHEN g % 10 = 0 THEN 30 ELSE 5 END,
       g % 50, repeat('x', 60)
  FROM generate_series(1, 200000) g;
VACUUM ANALYZE cl;

-- the comparison alone, keyed on the column the query groups by
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT order_id, sum(qty) FROM cl WHERE received > committed GROUP BY order_id$$]);
-- with a range: keyed on the range column
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT count(*) FROM cl WHERE committed < received AND received >= date '2024-03-01' AND received < date '2024-03-15'$$]);
-- with a constant predicate: both in the predicate
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT order_id FROM cl WHERE status = 'open' AND committed < received$$]);
-- the plan uses it, for the comparison written either way round
SELECT cost_after < cost_before AS cheaper, uses
  FROM idx_whatif(ARRAY['CREATE INDEX ON cl (order_id) WHERE status = ''open'' AND committed < received'],
                  ARRAY[$$SELECT order_id FROM cl WHERE status = 'open' AND received > committed$$]);
-- sized as if the comparison kept every row: the same as without it
SELECT idx_hypo_size('CREATE INDEX ON cl (order_id) WHERE committed < received') =
       idx_hypo_size('CREATE INDEX ON cl (order_id)') AS comparison_keeps_every_row,
       idx_hypo_size('CREATE INDEX ON cl (order_id) WHERE status = ''open'' AND committed < received') =
       idx_hypo_size('CREATE INDEX ON cl (order_id) WHERE status = ''open''') AS with_a_constant;

DROP TABLE cl;
