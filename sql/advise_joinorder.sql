-- A composite join key's column order (issue 20, found on TPC-H's
-- queries, bench/advise_tpch.sql): all the equality join clauses between
-- two tables make one candidate, and its columns came in the order the
-- query wrote its clauses in.  TPC-H's query 9 writes "ps_suppkey =
-- l_suppkey AND ps_partkey = l_partkey", so the advice was lineitem
-- (l_suppkey, l_partkey), and then a second index on (l_partkey) for the
-- queries that join on l_partkey alone, where the foreign key's own order,
-- (l_partkey, l_suppkey), serves both.  Now the order is a declared
-- foreign key's when one has exactly those columns, else the most
-- distinct column first (src/advise/advise_candidates.c: order_join_set):
-- the same advice whichever way the clauses are written.
-- jb (ca, cb) references ja's primary key; jc has the same rows and no
-- foreign key; ca has 500 distinct values, cb 40.
SET client_min_messages = warning;
CREATE TABLE ja (pa int NOT NULL, pb int NOT NULL, grade text NOT NULL, PRIMARY KEY (pa, pb));
INSERT INTO ja SELECT a, b, CASE WHEN (a * 40 + b) % 997 = 0 THEN 'gold' ELSE 'plain' END
  FROM generate_series(1, 500) a, generate_series(1, 40) b;
CREATE TABLE jb (id int PRIMARY KEY, ca int NOT NULL, cb int NOT NULL, qty int NOT NULL,
                 FOREIGN KEY (ca, cb) REFERENCES ja);
INSERT INTO jb SELECT g, 1 + g % 500, 1 + (g / 500) % 40, g % 7 FROM generate_series(1, 200000) g;
CREATE TABLE jc (id int PRIMARY KEY, ca int NOT NULL, cb int NOT NULL, qty int NOT NULL);
INSERT INTO jc SELECT * FROM jb;
VACUUM ANALYZE ja, jb, jc;

-- the clauses in the foreign key's order, then the other way round: the
-- same (ca, cb)
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT sum(jb.qty) FROM ja JOIN jb ON jb.ca = ja.pa AND jb.cb = ja.pb WHERE ja.grade = 'gold'$$])
 WHERE definition LIKE '% ON public.jb %';
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT sum(jb.qty) FROM ja JOIN jb ON jb.cb = ja.pb AND jb.ca = ja.pa WHERE ja.grade = 'gold'$$])
 WHERE definition LIKE '% ON public.jb %';
-- no foreign key: the most distinct first, (ca, cb) again
SELECT rank, definition FROM idx_advise(ARRAY[
  $$SELECT sum(jc.qty) FROM ja JOIN jc ON jc.cb = ja.pb AND jc.ca = ja.pa WHERE ja.grade = 'gold'$$])
 WHERE definition LIKE '% ON public.jc %';

DROP TABLE jb, jc, ja;
