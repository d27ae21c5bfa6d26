-- Without a budget, picks that one index can serve are merged (advise_merge.c):
-- three reports over a date range of one table, each reading other columns,
-- got three covering indexes on the same key (TPC-H: three 47 MB
-- `lineitem (l_shipdate) INCLUDE (...)`); one index with the union of their
-- INCLUDE lists serves the three in about half the bytes.  A merge is kept
-- when, over the table's statements, cost times the bytes of the picks on
-- the table falls and no statement costs twice as much.
SET client_min_messages = warning;
CREATE TABLE sale (id int PRIMARY KEY, sold_on date NOT NULL,
                   qty int NOT NULL, price numeric NOT NULL,
                   discount numeric NOT NULL, store int NOT NULL,
                   kind text NOT NULL, pad text);
INSERT INTO sale
SELECT g, date '2020-01-01' + g % 1500, g % 50, (g % 1000) / 10.0,
       (g % 11) / 100.0, g % 300,
       CASE g % 100 WHEN 0 THEN 'refund' WHEN 1 THEN 'gift' ELSE 'sale' END,
       md5(g::text)
  FROM generate_series(1, 200000) g;
-- statistics from every row: the advice must not move with the sample
ALTER TABLE sale ALTER sold_on SET STATISTICS 1000, ALTER qty SET STATISTICS 1000,
  ALTER price SET STATISTICS 1000, ALTER discount SET STATISTICS 1000,
  ALTER store SET STATISTICS 1000, ALTER kind SET STATISTICS 1000;
VACUUM ANALYZE sale;

-- each report alone gets its own covering index
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT sum(qty) FROM sale WHERE sold_on >= date ''2021-01-01'' AND sold_on < date ''2021-03-01''']);
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT sum(price * discount) FROM sale WHERE sold_on >= date ''2022-01-01'' AND sold_on < date ''2022-02-01''']);

-- together: one index on the date that includes what each reads
CREATE TABLE adv AS
SELECT rank, definition, est_size, queries, cost_before, cost_after
  FROM idx_advise(ARRAY[
  'SELECT sum(qty) FROM sale WHERE sold_on >= date ''2021-01-01'' AND sold_on < date ''2021-03-01''',
  'SELECT sum(price * discount) FROM sale WHERE sold_on >= date ''2022-01-01'' AND sold_on < date ''2022-02-01''',
  'SELECT store, count(*) FROM sale WHERE sold_on >= date ''2023-06-01'' AND sold_on < date ''2023-06-15'' GROUP BY store']);
SELECT rank, definition, queries FROM adv ORDER BY rank;

-- what it weighs: the three separate covering indexes against the merge,
-- both as idx_whatif plans them (each statement less than twice as dear,
-- in fewer bytes)
CREATE TABLE sep AS
SELECT * FROM idx_whatif(ARRAY[
  'CREATE INDEX ON sale (sold_on) INCLUDE (qty)',
  'CREATE INDEX ON sale (sold_on) INCLUDE (price, discount)',
  'CREATE INDEX ON sale (sold_on) INCLUDE (store)'], ARRAY[
  'SELECT sum(qty) FROM sale WHERE sold_on >= date ''2021-01-01'' AND sold_on < date ''2021-03-01''',
  'SELECT sum(price * discount) FROM sale WHERE sold_on >= date ''2022-01-01'' AND sold_on < date ''2022-02-01''',
  'SELECT store, count(*) FROM sale WHERE sold_on >= date ''2023-06-01'' AND sold_on < date ''2023-06-15'' GROUP BY store']);
CREATE TABLE mrg AS
SELECT * FROM idx_whatif((SELECT array_agg(definition) FROM adv), ARRAY[
  'SELECT sum(qty) FROM sale WHERE sold_on >= date ''2021-01-01'' AND sold_on < date ''2021-03-01''',
  'SELECT sum(price * discount) FROM sale WHERE sold_on >= date ''2022-01-01'' AND sold_on < date ''2022-02-01''',
  'SELECT store, count(*) FROM sale WHERE sold_on >= date ''2023-06-01'' AND sold_on < date ''2023-06-15'' GROUP BY store']);
SELECT left(s.query, 30) AS query,
       m.cost_after < s.cost_after * 2 AS less_than_twice_as_dear,
       m.cost_after < s.cost_before / 2 AS still_served
  FROM sep s JOIN mrg m USING (query) ORDER BY 1;
SELECT (SELECT sum(est_size) FROM adv) <
       (SELECT sum(idx_hypo_size(d)) FROM unnest(ARRAY[
          'CREATE INDEX ON sale (sold_on) INCLUDE (qty)',
          'CREATE INDEX ON sale (sold_on) INCLUDE (price, discount)',
          'CREATE INDEX ON sale (sold_on) INCLUDE (store)']) d) * 0.75
       AS fewer_bytes;

-- under a budget there is no merge (the exchange pass spends the bytes)
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT sum(qty) FROM sale WHERE sold_on >= date ''2021-01-01'' AND sold_on < date ''2021-03-01''',
  'SELECT sum(price * discount) FROM sale WHERE sold_on >= date ''2022-01-01'' AND sold_on < date ''2022-02-01'''],
  budget => 100000000);

-- two lookups on one key that read other columns: one index
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT sum(qty) FROM sale WHERE store = 7 AND sold_on >= date ''2021-01-01'' AND sold_on < date ''2021-03-01''',
  'SELECT sum(price) FROM sale WHERE store = 9 AND sold_on >= date ''2022-01-01'' AND sold_on < date ''2022-02-01''']);
-- partial indexes of two predicates serve other rows: no merge
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT sum(qty) FROM sale WHERE kind = ''refund'' AND sold_on >= date ''2021-01-01'' AND sold_on < date ''2021-03-01''',
  'SELECT sum(price) FROM sale WHERE kind = ''gift'' AND sold_on >= date ''2022-01-01'' AND sold_on < date ''2022-02-01''']);
-- a merged pick is judged as every pick is: a caller who may read the
-- table but not build on it is told idx_apply would refuse it
CREATE ROLE merge_reader;
GRANT SELECT ON sale TO merge_reader;
SET ROLE merge_reader;
SELECT rank, definition, note ~ 'idx_apply would refuse it to you' AS refused_note
  FROM idx_advise(ARRAY[
  'SELECT sum(qty) FROM sale WHERE sold_on >= date ''2021-01-01'' AND sold_on < date ''2021-03-01''',
  'SELECT sum(price * discount) FROM sale WHERE sold_on >= date ''2022-01-01'' AND sold_on < date ''2022-02-01''',
  'SELECT store, count(*) FROM sale WHERE sold_on >= date ''2023-06-01'' AND sold_on < date ''2023-06-15'' GROUP BY store']);
RESET ROLE;
DROP OWNED BY merge_reader;
DROP ROLE merge_reader;
DROP TABLE sale, adv, sep, mrg;
