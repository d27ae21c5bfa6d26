-- Conditions every arm of an OR repeats (TPC-H's Q19: "p_partkey =
-- l_partkey", "l_shipmode IN (...)" and "l_shipinstruct = '...'" in each
-- of its three arms).  The planner factors them out of the OR before it
-- plans (canonicalize_qual: (A AND B) OR (A AND C) is A AND (B OR C)),
-- so it joins on the repeated join clause and filters on the repeated
-- constants; the advisor now reads the conditions the same way
-- (advise_pullup.c, ia_advise_quals_as_planned), and draws the join key
-- with the repeated constants as a partial index's predicate.
-- Before: the advisor saw one OR of two tables, drew no join key nor
-- partial predicate from it, and advised nothing on co_line.
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
