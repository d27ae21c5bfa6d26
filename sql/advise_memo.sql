-- Issue 19, item 12: the advisor memoises each query's cost per set of
-- candidates on the tables it reads; the key is the whole set.  A key cut
-- at 240 characters gave a query with 60 and more such candidates the cost
-- (and the indexes used) of another set.
--
-- 62 tables, one candidate each (ids from 100 on: 100 candidates of mm.x
-- come first, all left out because existing indexes cover them), a query
-- on each table, and q_all reading all 62 (UNION ALL).  Each of the 62
-- advised indexes serves q_all, so each row must list q_all among its
-- queries.
SET client_min_messages = warning;
CREATE SCHEMA mm;
DO $$
BEGIN
    EXECUTE (SELECT format('CREATE TABLE mm.x (%s)', string_agg(format('c%s int', k), ', '))
               FROM generate_series(1, 100) k);
    FOR k IN 1 .. 100 LOOP
        EXECUTE format('CREATE INDEX ON mm.x (c%s)', k);
    END LOOP;
    FOR i IN 1 .. 62 LOOP
        EXECUTE format('CREATE TABLE mm.t%s AS SELECT g AS a FROM generate_series(1, 3000) g', i);
        EXECUTE format('ANALYZE mm.t%s', i);
    END LOOP;
END $$;
ANALYZE mm.x;
SELECT string_agg(format('SELECT a FROM mm.t%s WHERE a = 7', i), ' UNION ALL ' ORDER BY i) AS q_all
  FROM generate_series(1, 62) i \gset
SET index_advisor.max_queries_per_index = 200;
WITH qs AS (
    SELECT array_agg(q ORDER BY n) AS a FROM (
        SELECT k AS n, format('SELECT * FROM mm.x WHERE c%s = 1', k) AS q
          FROM generate_series(1, 100) k
        UNION ALL
        SELECT 100 + i, format('SELECT * FROM mm.t%s WHERE a = 7', i)
          FROM generate_series(1, 62) i
        UNION ALL
        SELECT 200, :'q_all') s)
SELECT count(*) AS picks,
       count(*) FILTER (WHERE :'q_all' = ANY (a.queries)) AS picks_serving_q_all
  FROM qs, idx_advise(qs.a, max_indexes => 100) a;
RESET index_advisor.max_queries_per_index;
DROP SCHEMA mm CASCADE;
RESET client_min_messages;
