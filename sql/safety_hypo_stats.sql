-- The size model reads a column's statistics (average width, NULL
-- fraction, n_distinct) only when pg_stats shows them to the role that
-- sizes: the planning role the model runs as (src/plan/hyposize.c,
-- stats_readable; values.c, ia_stats_visible; doc/safety.md).  Otherwise it
-- takes what the column's type alone says: the type's average width, no
-- NULLs, n_distinct unknown.  Before, it read pg_statistic for anyone: a
-- role that pg_stats shows nothing learnt a column's width and number of
-- distinct values from the estimated size of an index on it.
--
-- Each pair of tables below is alike in everything a role may see without
-- statistics (rows, pages, the rows regress_hst_bob reads); they differ
-- only in the statistics of one column, over rows bob may not read.
SET client_min_messages = warning;
CREATE ROLE regress_hst_bob;
CREATE SCHEMA hst;
GRANT USAGE ON SCHEMA hst TO regress_hst_bob;
-- 1. Row-level security: bob reads his own rows (one in ten) only.  In
--    hst.w the other tenants' "note" is 400 bytes and "pad" 4; in hst.n
--    the other way round: the same heap, the same rows for bob.
CREATE TABLE hst.w (id int, tenant name, note text, pad text);
CREATE TABLE hst.n (id int, tenant name, note text, pad text);
INSERT INTO hst.w
SELECT g, CASE WHEN g % 10 = 0 THEN 'regress_hst_bob' ELSE 'other' END,
       CASE WHEN g % 10 = 0 THEN 'b' || g ELSE repeat('s', 400) || g END,
       CASE WHEN g % 10 = 0 THEN 'b' || g ELSE 'p' || g END
  FROM generate_series(1, 20000) g;
INSERT INTO hst.n SELECT id, tenant, pad, note FROM hst.w;
ANALYZE hst.w, hst.n;
ALTER TABLE hst.w ENABLE ROW LEVEL SECURITY;
ALTER TABLE hst.n ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON hst.w USING (tenant = current_user);
CREATE POLICY own ON hst.n USING (tenant = current_user);
GRANT SELECT ON hst.w, hst.n TO regress_hst_bob;
-- 2. Column privileges: bob may read "id" and "tenant" of hst.d and hst.u,
--    not "code"; a view shows him the ids of the rows of one code.  The
--    other rows' codes are one value repeated in hst.d, all distinct in
--    hst.u (the same width): a deduplicated btree on (code) of hst.d is a
--    fraction of hst.u's.
CREATE TABLE hst.d (id int, tenant name, code text);
CREATE TABLE hst.u (id int, tenant name, code text);
INSERT INTO hst.d
SELECT g, CASE WHEN g % 10 = 0 THEN 'regress_hst_bob' ELSE 'other' END,
       CASE WHEN g % 10 = 0 THEN lpad(g::text, 8, 'b') ELSE 'cccccccc' END
  FROM generate_series(1, 20000) g;
INSERT INTO hst.u
SELECT id, tenant, CASE WHEN id % 10 = 0 THEN code ELSE lpad(id::text, 8, 'c') END
  FROM hst.d;
ANALYZE hst.d, hst.u;
GRANT SELECT (id, tenant) ON hst.d, hst.u TO regress_hst_bob;
CREATE VIEW hst.dv AS SELECT id FROM hst.d WHERE code = 'bbbbbb10';
CREATE VIEW hst.uv AS SELECT id FROM hst.u WHERE code = 'bbbbbb10';
GRANT SELECT ON hst.dv, hst.uv TO regress_hst_bob;
-- 3. A partitioned table bob may read (SELECT on it, none on its leaves, as
--    GRANT leaves them; the second leaf's columns in another order).
CREATE TABLE hst.p (k int, note text) PARTITION BY LIST (k);
CREATE TABLE hst.p1 PARTITION OF hst.p FOR VALUES IN (1);
CREATE TABLE hst.p2 (note text, k int);
ALTER TABLE hst.p ATTACH PARTITION hst.p2 FOR VALUES IN (2);
INSERT INTO hst.p SELECT 1 + g % 2, repeat('s', 200) || g
  FROM generate_series(1, 20000) g;
ANALYZE hst.p;
GRANT SELECT ON hst.p TO regress_hst_bob;
RESET client_min_messages;

-- What pg_stats shows bob: nothing of note (RLS) or code (no privilege);
-- p's columns, not its leaves'.
SET ROLE regress_hst_bob;
SELECT tablename, attname FROM pg_stats WHERE schemaname = 'hst' ORDER BY 1, 2;
RESET ROLE;

-- 1. bob's advice on note: the same size on both tables (was: the index on
--    hst.w estimated ~20 times hst.n's, from the hidden width of note); the
--    superuser, who sees the statistics, gets the sizes it always got.
SET ROLE regress_hst_bob;
SELECT table_name, definition, est_size
  FROM idx_advise('SELECT id FROM hst.w WHERE note = $1')
UNION ALL
SELECT table_name, definition, est_size
  FROM idx_advise('SELECT id FROM hst.n WHERE note = $1');
SELECT (SELECT est_size FROM idx_advise('SELECT id FROM hst.w WHERE note = $1')) =
       (SELECT est_size FROM idx_advise('SELECT id FROM hst.n WHERE note = $1'))
       AS bob_learns_nothing_of_note;
RESET ROLE;
SELECT (SELECT est_size FROM idx_advise('SELECT id FROM hst.w WHERE note = $1')) >
       5 * (SELECT est_size FROM idx_advise('SELECT id FROM hst.n WHERE note = $1'))
       AS superuser_sizes_by_width;
SELECT idx_hypo_size('CREATE INDEX ON hst.w (note)') >
       5 * idx_hypo_size('CREATE INDEX ON hst.n (note)') AS hypo_size_by_width;

-- 2. bob's advice on his views: the candidate is on code, which he may not
--    read; the same size on both tables (was: hst.d's index a third of
--    hst.u's, from the hidden n_distinct of code).  The superuser's sizes
--    still follow n_distinct.
SET ROLE regress_hst_bob;
SELECT table_name, definition, est_size FROM idx_advise('SELECT id FROM hst.dv')
UNION ALL
SELECT table_name, definition, est_size FROM idx_advise('SELECT id FROM hst.uv');
SELECT (SELECT est_size FROM idx_advise('SELECT id FROM hst.dv')) =
       (SELECT est_size FROM idx_advise('SELECT id FROM hst.uv'))
       AS bob_learns_nothing_of_code;
RESET ROLE;
SELECT (SELECT est_size FROM idx_advise('SELECT id FROM hst.dv')) * 2 <
       (SELECT est_size FROM idx_advise('SELECT id FROM hst.uv'))
       AS superuser_sizes_by_n_distinct;
SELECT idx_hypo_size('CREATE INDEX ON hst.d (code)') * 2 <
       idx_hypo_size('CREATE INDEX ON hst.u (code)') AS hypo_size_by_n_distinct;

-- 3. Each leaf's statistics are judged by the column of the partitioned
--    table it is, which pg_stats shows bob: he gets the size the superuser
--    gets (the leaves' 200-byte notes; the type alone would say 32).
SELECT est_size AS superuser_size
  FROM idx_advise('SELECT k FROM hst.p WHERE note = $1') \gset
SET ROLE regress_hst_bob;
SELECT definition, est_size = :superuser_size AS as_the_superuser
  FROM idx_advise('SELECT k FROM hst.p WHERE note = $1');
RESET ROLE;
SELECT :superuser_size > 20000 * 200 AS sized_by_width;

-- 4. idx_hypo_size, as the owner of tables whose row security binds it
--    too (FORCE ROW LEVEL SECURITY: pg_stats shows it nothing of them).
--    The "doc" of hst.gw is ~30 keys wide, hst.gn's one key: the gin and
--    btree models take what the type says for both, until row security
--    no longer binds the owner; so does the width of an expression of doc
--    (hyposize.c's expr_stats reads its column's statistics by the same
--    rule).
CREATE ROLE regress_hst_owner;
GRANT USAGE, CREATE ON SCHEMA hst TO regress_hst_owner;
SET ROLE regress_hst_owner;
CREATE TABLE hst.gw (id int, doc jsonb);
CREATE TABLE hst.gn (id int, doc jsonb);
INSERT INTO hst.gw
SELECT g, (SELECT jsonb_object_agg('k' || i, g + i) FROM generate_series(1, 30) i)
  FROM generate_series(1, 20000) g;
INSERT INTO hst.gn SELECT g, jsonb_build_object('k', g) FROM generate_series(1, 20000) g;
ANALYZE hst.gw, hst.gn;
ALTER TABLE hst.gw ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE hst.gn ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
SELECT count(*) AS stats_the_owner_sees FROM pg_stats WHERE schemaname = 'hst' AND tablename IN ('gw', 'gn');
SELECT idx_hypo_size('CREATE INDEX ON hst.gw USING gin (doc)') =
       idx_hypo_size('CREATE INDEX ON hst.gn USING gin (doc)') AS gin_alike,
       idx_hypo_size('CREATE INDEX ON hst.gw (doc)') =
       idx_hypo_size('CREATE INDEX ON hst.gn (doc)') AS btree_alike,
       idx_hypo_size('CREATE INDEX ON hst.gw ((doc::text))') =
       idx_hypo_size('CREATE INDEX ON hst.gn ((doc::text))') AS expression_alike;
ALTER TABLE hst.gw NO FORCE ROW LEVEL SECURITY;
ALTER TABLE hst.gn NO FORCE ROW LEVEL SECURITY;
SELECT idx_hypo_size('CREATE INDEX ON hst.gw USING gin (doc)') >
       idx_hypo_size('CREATE INDEX ON hst.gn USING gin (doc)') AS gin_by_width,
       idx_hypo_size('CREATE INDEX ON hst.gw (doc)') >
       3 * idx_hypo_size('CREATE INDEX ON hst.gn (doc)') AS btree_by_width,
       idx_hypo_size('CREATE INDEX ON hst.gw ((doc::text))') >
       3 * idx_hypo_size('CREATE INDEX ON hst.gn ((doc::text))') AS expression_by_width;
RESET ROLE;

-- 5. The advisor's "does this column hold few values?" (a partial index for
--    a constant) reads n_distinct only when pg_stats shows the caller the
--    column: bob reads every row of hst.st through a policy, but row
--    security hides the statistics from him, so he is advised as if the
--    statistics were unknown, not with the partial index that tells that
--    status has three values.
CREATE TABLE hst.st (id int PRIMARY KEY, status text, body text);
INSERT INTO hst.st
SELECT g, CASE WHEN g % 1000 = 0 THEN 'blocked' WHEN g % 2 = 0 THEN 'open' ELSE 'done' END,
       repeat('x', 50)
  FROM generate_series(1, 200000) g;
ANALYZE hst.st;
ALTER TABLE hst.st ENABLE ROW LEVEL SECURITY;
CREATE POLICY st_all ON hst.st FOR SELECT USING (true);
GRANT SELECT ON hst.st TO regress_hst_bob;
SELECT definition AS for_the_owner
  FROM idx_advise(ARRAY['SELECT id, body FROM hst.st WHERE status = ''blocked''']);
SET ROLE regress_hst_bob;
SELECT count(*) AS stats_bob_sees FROM pg_stats WHERE schemaname = 'hst' AND tablename = 'st';
SELECT definition AS for_bob
  FROM idx_advise(ARRAY['SELECT id, body FROM hst.st WHERE status = ''blocked''']);
RESET ROLE;

SET client_min_messages = warning;
DROP SCHEMA hst CASCADE;
DROP ROLE regress_hst_owner;
DROP ROLE regress_hst_bob;
