-- idx_advise under a budget is a knapsack (issue 20: within the expert's
-- bytes, the advice cost more than the expert's set, its per-byte greedy
-- having spent the bytes on cheap small-table indexes and left out the
-- large date-range scans).  Two statements: a lookup in a small table of
-- wide rows (5,000 rows of about 1 kB: its index of about 130 kB saves
-- about 680 cost units, 5 per kB, the lookup left at 1/83 of its cost)
-- and a count over a range of a narrow table of 300,000 rows (its index
-- of about 2.7 MB saves about 4,500, less than 2 per kB, the count left
-- at 1/118).  Both leave their statement about as cheap relative to its
-- cost (within a factor 2), so per byte the small index comes first.  The
-- budget lets in the big index alone, or the small one and half the big
-- one: after the small one the big one no longer fits, and the count
-- stays a sequential scan at 118 times the cost it could reach (before
-- the exchange pass: only kn_wide's index was advised).  The exchange
-- pass (src/advise/advise_select.c) takes the small pick out, puts in
-- the big one the freed bytes let in, and keeps the exchange: the
-- workload costs less in total and its geometric mean of cost is lower.
SET client_min_messages = warning;
CREATE TABLE kn_wide (id int PRIMARY KEY, k int, filler text);
INSERT INTO kn_wide SELECT i, 5000 - i, repeat(md5(i::text), 30)
  FROM generate_series(1, 5000) i;
CREATE TABLE kn_narrow (id int PRIMARY KEY, k int);
INSERT INTO kn_narrow SELECT i, i % 30000 FROM generate_series(1, 300000) i;
-- statistics target 1000: ANALYZE reads every row, no cost moves with the
-- sample
ALTER TABLE kn_narrow ALTER k SET STATISTICS 1000;
VACUUM ANALYZE kn_wide, kn_narrow;
CREATE TEMP TABLE kn_queries (q text);
INSERT INTO kn_queries VALUES ('SELECT * FROM kn_wide WHERE k = 42'),
                              ('SELECT count(*) FROM kn_narrow WHERE k < 150');
-- each alone: its index, its bytes, what it saves per kB, and the factor
-- by which it cuts its statement's cost
CREATE TEMP TABLE kn_alone AS
SELECT a.definition, a.est_size, a.cost_before, a.cost_after
  FROM kn_queries, idx_advise(ARRAY[q]) a
 WHERE a.rank = 1;
SELECT definition, est_size < 200 * 1024 AS small,
       round(((cost_before - cost_after) / (est_size / 1024.0))::numeric, 0) AS saved_per_kb,
       round((cost_before / cost_after)::numeric, -1) AS cut
  FROM kn_alone ORDER BY definition;
-- the budget: the big index and half the small one
SELECT rank, definition,
       round(cost_before::numeric) AS cost_before, round(cost_after::numeric) AS cost_after
  FROM idx_advise((SELECT array_agg(q ORDER BY q) FROM kn_queries),
                  budget => (SELECT max(est_size) + min(est_size) / 2 FROM kn_alone)::bigint)
 ORDER BY rank;
-- without a budget both are advised
SELECT rank, definition
  FROM idx_advise((SELECT array_agg(q ORDER BY q) FROM kn_queries))
 ORDER BY rank;
DROP TABLE kn_wide, kn_narrow;
