-- An index whose keys an existing index already holds first (issue 20,
-- found on TPC-H's queries, bench/advise_tpch.sql): within the expert's
-- bytes the advice spent 14 MB on lineitem (l_orderkey) beside the
-- primary key (l_orderkey, l_linenumber), which serves every query it
-- would; the planner costs the copy lower only for being smaller (4 lines
-- an order: deduplicated, a third of the primary key's size).  By the
-- advisor's own `replaces` rule read the other way round, it is
-- redundant, and it is no longer a candidate
-- (src/advise/advise_drops.c: ia_advise_served_by_existing).  idx_whatif,
-- asked, still costs it: a count over a range of order ids, 4,536 ->
-- 3,360 with (order_id).
SET client_min_messages = warning;
CREATE TABLE pp_lines (order_id int NOT NULL, line_no int NOT NULL, qty int NOT NULL,
                       PRIMARY KEY (order_id, line_no));
INSERT INTO pp_lines SELECT o, l, 1 + (o * l) % 50
  FROM generate_series(1, 60000) o, generate_series(1, 4) l;
VACUUM ANALYZE pp_lines;

SELECT cost_after < 0.8 * cost_before AS whatif_cheaper, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON pp_lines (order_id)'],
                  ARRAY['SELECT count(*) FROM pp_lines WHERE order_id BETWEEN 1000 AND 30000']);
-- nothing to advise: the primary key serves it
SELECT rank, definition, note FROM idx_advise('SELECT count(*) FROM pp_lines WHERE order_id BETWEEN 1000 AND 30000');
-- a key the primary key does not hold first is still advised, and with
-- INCLUDE columns the primary key does not have
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT count(*) FROM pp_lines WHERE order_id BETWEEN 1000 AND 30000',
  'SELECT order_id FROM pp_lines WHERE qty = 7 AND line_no = 2',
  'SELECT sum(qty) FROM pp_lines WHERE order_id BETWEEN 1000 AND 30000']) ORDER BY rank;

DROP TABLE pp_lines;
