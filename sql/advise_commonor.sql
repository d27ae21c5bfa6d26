-- Conditions every arm of an OR repeats (TPC-H's Q19: "p_partkey =
-- l_partkey", "l_shipmode IN (...)" and "l_shipinstruct = '...'" in each
-- of its three arms).  The planner factors them out of the OR before it
-- plans (canonicalize_qual: (A AND B) OR (A AND C) is A AND (B OR C)),
-- so it joins on the repeated join clause and filters on the repeated
-- constants; the advisor now reads the conditions the same way
-- (advise_pullup.c, ia_advise_quals_as_planned), and draws the join key
-- with the repeated constants as a partial index's predicate.
-- What is left of an OR of two tables also says something of each table
-- alone (the planner's extract_restriction_or_clauses; advise_pullup.c,
-- ia_advise_or_of_rel), and each OR of one table gets its arm indexes
-- after the equality columns outside it and partial on its constants.
-- Before (8539db8): the Q19-shaped join got no advice at all (one OR of
-- two tables, no join key nor predicate drawn from it), the one-table OR
-- got two composite indexes where two partial ones serve it, and the OR
-- of two tables only a covering join key, at a higher cost.
SET client_min_messages = warning;
CREATE TABLE co_part (p_partkey int PRIMARY KEY, p_brand text NOT NULL,
                      p_size int NOT NULL, p_name text NOT NULL);
INSERT INTO co_part
SELECT g, 'Brand#' || (g % 25), 1 + (g / 25) % 50, 'part ' || g
  FROM generate_series(1, 20000) g;
CREATE TABLE co_line (l_id int PRIMARY KEY, l_partkey int NOT NULL,
                      l_qty int NOT NULL, l_price numeric NOT NULL,
                      l_disc numeric NOT NULL, l_mode text NOT NULL,
                      l_instr text NOT NULL, l_comment text NOT NULL);
INSERT INTO co_line
SELECT g, 1 + (g * 79) % 20000, 1 + g % 50, (g % 1000) + 0.5, (g % 10) / 100.0,
       (ARRAY['AIR', 'REG AIR', 'MAIL', 'SHIP', 'TRUCK', 'RAIL', 'FOB'])[1 + (g / 3) % 7],
       (ARRAY['IN PERSON', 'COLLECT COD', 'NONE', 'RETURN'])[1 + (g / 11) % 4],
       repeat('x', 40)
  FROM generate_series(1, 300000) g;
-- ANALYZE reads every row (300 x the largest target), so that the
-- advice does not move with a sample
ALTER TABLE co_line ALTER l_partkey SET STATISTICS 1000;
VACUUM ANALYZE co_part, co_line;
RESET client_min_messages;

\set q 'SELECT sum(l_price * (1 - l_disc)) AS revenue FROM co_line, co_part WHERE (p_partkey = l_partkey AND p_brand = ''Brand#12'' AND p_size BETWEEN 1 AND 5 AND l_qty BETWEEN 1 AND 11 AND l_mode IN (''AIR'', ''REG AIR'') AND l_instr = ''IN PERSON'') OR (p_partkey = l_partkey AND p_brand = ''Brand#23'' AND p_size BETWEEN 1 AND 10 AND l_qty BETWEEN 10 AND 20 AND l_mode IN (''AIR'', ''REG AIR'') AND l_instr = ''IN PERSON'')'

-- the join key, covering what the query reads of co_line, partial on the
-- constants every arm repeats
SELECT rank, definition FROM idx_advise(ARRAY[:'q']) ORDER BY rank;

-- the plan probes it for each part the OR leaves (a nested loop), and
-- costs less than without it
SELECT cost_after < cost_before AS cheaper, uses, scan,
       plan ~ 'Nested Loop' AS nested_loop
  FROM idx_whatif((SELECT array_agg(definition) FROM idx_advise(ARRAY[:'q'])
                    WHERE definition LIKE '% ON public.co_line %'),
                  ARRAY[:'q']);

-- one table, a constant of few values repeated in each arm: factored out,
-- it is the predicate of one partial index per arm (a BitmapOr; the
-- planner proves each arm's predicate from the condition outside the OR)
\set q2 'SELECT l_id, l_price FROM co_line WHERE (l_instr = ''NONE'' AND l_qty = 3) OR (l_instr = ''NONE'' AND l_partkey = 17)'
SELECT rank, definition FROM idx_advise(ARRAY[:'q2']) ORDER BY rank;
SELECT cost_after < cost_before AS cheaper, cardinality(uses) AS indexes_used,
       plan ~ 'BitmapOr' AS bitmap_or
  FROM idx_whatif((SELECT array_agg(definition) FROM idx_advise(ARRAY[:'q2'])),
                  ARRAY[:'q2']);

-- an OR of two tables says something of each alone (the planner's
-- extract_restriction_or_clauses): of co_line, "(l_qty = 3 AND l_mode =
-- 'FOB') OR l_partkey = 17", served by one index per arm and a BitmapOr
-- below the join (before: only the join key, a covering (l_partkey), at a
-- higher cost)
\set q3 'SELECT p_name, l_price FROM co_line JOIN co_part ON p_partkey = l_partkey WHERE (l_qty = 3 AND l_mode = ''FOB'' AND p_size = 1) OR (l_partkey = 17 AND p_size = 2)'
SELECT definition FROM idx_advise(ARRAY[:'q3'])
 WHERE definition LIKE '% ON public.co_line %' ORDER BY definition;
SELECT cost_after < cost_before AS cheaper, plan ~ 'BitmapOr' AS bitmap_or
  FROM idx_whatif((SELECT array_agg(definition) FROM idx_advise(ARRAY[:'q3'])),
                  ARRAY[:'q3']);

-- an OR whose arms share nothing keeps its per-arm reading: one index per
-- arm (a BitmapOr), no join key
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT l_id FROM co_line WHERE l_partkey = 17 OR l_qty = 3 AND l_mode = 'FOB'$$])
 ORDER BY rank;

-- a repeated condition that stays within the OR's arms when one arm lacks
-- it: no partial predicate on l_instr (the planner cannot factor it out)
SELECT count(*) AS partial_on_instr FROM idx_advise(ARRAY[
  $$SELECT sum(l_price) FROM co_line, co_part WHERE (p_partkey = l_partkey AND p_brand = 'Brand#12' AND l_instr = 'IN PERSON') OR (p_partkey = l_partkey AND p_brand = 'Brand#23')$$])
 WHERE definition LIKE '%WHERE%l_instr%';

DROP TABLE co_line, co_part;
