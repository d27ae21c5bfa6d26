-- Representative values for $n (src/plan/values.c): taken from the column
-- the $n is really compared with, at its own query level (issue 19 item 3:
-- a sub-query's column was looked up in the outer query's range table,
-- which crashed the server or named another table's column), and only from
-- statistics that pg_stats shows the role (item 5: RLS and column
-- privileges).  Used by idx_advise's note and idx_explain(analyze).
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
TRUNCATE idx_history, idx_snapshots, idx_findings RESTART IDENTITY;
\set VERBOSITY terse

-- bob owns tables in schema sv; owner owns an RLS table bob may read (and
-- has bob's privileges, so that index_advisor may plan bob's queries as
-- bob: doc/safety-planning.md); docs and salaries belong to the superuser
SET client_min_messages = warning;
CREATE ROLE regress_sv_bob LOGIN;
CREATE ROLE regress_sv_owner LOGIN IN ROLE regress_sv_bob;
CREATE SCHEMA sv;
GRANT ALL ON SCHEMA sv TO regress_sv_bob, regress_sv_owner;
RESET client_min_messages;
SET search_path = sv, public;

-- values tell the columns apart: t.y 0..9, u.x 1000..1049, u2.x 5000..5039
SET ROLE regress_sv_bob;
CREATE TABLE t (id int PRIMARY KEY, y int);
CREATE TABLE u (tid int, x int, id int);
CREATE TABLE u2 (id int PRIMARY KEY, x int);
INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 20000) g;
INSERT INTO u SELECT g, 1000 + g % 50, g FROM generate_series(1, 20000) g;
INSERT INTO u2 SELECT g, 5000 + g % 40 FROM generate_series(1, 20000) g;
ANALYZE t, u, u2;

-- the advisor takes each value from the column at its own query level
SELECT definition, note
  FROM idx_advise(ARRAY['SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u JOIN u2 ON u2.id = u.id WHERE u2.x = $1 AND u.tid = t.id)',
                        'SELECT * FROM t WHERE t.id IN (SELECT u.tid FROM u WHERE u.x = $1)'])
 ORDER BY rank;

-- item 3: a column of a sub-query's join (u2.x, the second table of the
-- sub-query's own range table) crashed the server; now its value is u2.x's
SELECT idx_apply('CREATE INDEX u2_x_idx ON u2 (x)', ARRAY[
    'SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u JOIN u2 ON u2.id = u.id WHERE u2.x = $1 AND u.tid = t.id)'])
  AS exists_id \gset
-- and a column of an IN sub-query (u.x) was reported as t.y
SELECT idx_apply('CREATE INDEX u_x_idx ON u (x)', ARRAY[
    'SELECT * FROM t WHERE t.id IN (SELECT u.tid FROM u WHERE u.x = $1)'])
  AS in_id \gset
SET client_min_messages = warning;
CALL idx_wait(:exists_id);
CALL idx_wait(:in_id);
RESET client_min_messages;
SELECT regexp_replace(measured, 'as role [^;]+', 'as role R') AS measured
  FROM idx_explain(:exists_id, "analyze" => true, runs => 1);
SELECT regexp_replace(measured, 'as role [^;]+', 'as role R') AS measured
  FROM idx_explain(:in_id, "analyze" => true, runs => 1);

-- statistics of tables with children, as the planner reads them: a
-- partitioned table has only inherited ones; an inheritance parent read
-- with its children has its inherited ones (its own rows are none here),
-- and read ONLY, its own (none: no value)
CREATE TABLE p (k int, v int) PARTITION BY RANGE (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10001);
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10001) TO (20001);
INSERT INTO p SELECT g, 7000 + g % 30 FROM generate_series(1, 20000) g;
CREATE TABLE h (k int, v int);
CREATE TABLE h1 () INHERITS (h);
INSERT INTO h1 SELECT g, 8000 + g % 30 FROM generate_series(1, 20000) g;
ANALYZE p, h, h1;
SELECT idx_apply('CREATE INDEX t_y_idx ON t (y)', ARRAY[
    'SELECT count(*) FROM p WHERE v = $1',
    'SELECT count(*) FROM h WHERE v = $1',
    'SELECT count(*) FROM ONLY h WHERE v = $1'])
  AS inh_id \gset
SET client_min_messages = warning;
CALL idx_wait(:inh_id);
RESET client_min_messages;
SELECT query, regexp_replace(measured, 'as role [^;]+', 'as role R') AS measured
  FROM idx_explain(:inh_id, "analyze" => true, runs => 1);
-- the advisor takes the same values for the same statements (issue 23: it
-- read the parent's own statistics, inh = false, and a middle most common
-- value, where idx_explain read the inherited ones and the first): one rule
SELECT definition, note
  FROM idx_advise(ARRAY['SELECT count(*) FROM p WHERE v = $1',
                        'SELECT count(*) FROM h WHERE v = $1',
                        'SELECT count(*) FROM ONLY h WHERE v = $1'])
 ORDER BY definition;
-- ... and on a plain table, "col = $1": both take the middle most common
-- value (on 62ed51a the advisor said 1025 and idx_explain 1000, the first)
CREATE TABLE eq (x int);
INSERT INTO eq SELECT 1000 + g % 50 FROM generate_series(1, 20000) g;
ANALYZE eq;
SELECT definition, note FROM idx_advise('SELECT * FROM eq WHERE x = $1');
SELECT idx_apply('CREATE INDEX eq_x_idx ON eq (x)', ARRAY['SELECT * FROM eq WHERE x = $1'])
  AS eq_id \gset
SET client_min_messages = warning;
CALL idx_wait(:eq_id);
RESET client_min_messages;
SELECT regexp_replace(measured, 'as role [^;]+', 'as role R') AS measured
  FROM idx_explain(:eq_id, "analyze" => true, runs => 1);
RESET ROLE;

-- item 5, column privileges: bob may read salaries.id only.  The IN
-- sub-query's u.x has salary's column number: it was reported as
-- "$1 = 187500 (most common value of salaries.salary)"
CREATE TABLE salaries (id int PRIMARY KEY, salary int);
INSERT INTO salaries SELECT g, CASE WHEN g % 3 = 0 THEN 187500 ELSE 40000 + g END
  FROM generate_series(1, 20000) g;
ANALYZE salaries;
GRANT SELECT (id) ON salaries TO regress_sv_bob;
SET ROLE regress_sv_bob;
SELECT count(*) AS salary_stats_bob_sees FROM pg_stats
 WHERE schemaname = 'sv' AND tablename = 'salaries' AND attname = 'salary';
SELECT idx_apply('CREATE INDEX u_x_tid_idx ON u (x, tid)', ARRAY[
    'SELECT s.id FROM salaries s WHERE s.id IN (SELECT u.tid FROM u WHERE u.x = $1)'])
  AS sal_id \gset
SET client_min_messages = warning;
CALL idx_wait(:sal_id);
RESET client_min_messages;
SELECT regexp_replace(measured, 'as role [^;]+', 'as role R') AS measured
  FROM idx_explain(:sal_id, "analyze" => true, runs => 1);
RESET ROLE;

-- item 5, idx_explain(analyze) on docs.ssn: bob reads docs through a view,
-- but pg_stats does not show him docs.ssn; his own join column is fine
CREATE TABLE docs (id int PRIMARY KEY, ssn text);
INSERT INTO docs SELECT g, 'SSN-' || (g % 2000) FROM generate_series(1, 20000) g;
ANALYZE docs;
CREATE VIEW docs_v AS SELECT id, ssn FROM docs;
GRANT SELECT (id) ON docs TO regress_sv_bob;
GRANT SELECT ON docs_v TO regress_sv_bob;
SET ROLE regress_sv_bob;
CREATE TABLE dl (doc_id int, n int);
INSERT INTO dl SELECT g, g FROM generate_series(1, 20000) g;
ANALYZE dl;
SELECT count(*) AS ssn_stats_bob_sees FROM pg_stats
 WHERE schemaname = 'sv' AND tablename = 'docs' AND attname = 'ssn';
SELECT idx_apply('CREATE INDEX dl_doc_id_idx ON dl (doc_id)', ARRAY[
    'SELECT dl.n FROM dl JOIN docs_v d ON d.id = dl.doc_id WHERE d.ssn = $1',
    'SELECT dl.n FROM dl JOIN docs_v d ON d.id = dl.doc_id WHERE d.id = $1'])
  AS docs_id \gset
SET client_min_messages = warning;
CALL idx_wait(:docs_id);
RESET client_min_messages;
SELECT query, regexp_replace(measured, 'as role [^;]+', 'as role R') AS measured
  FROM idx_explain(:docs_id, "analyze" => true, runs => 1);
-- the advisor: no value for $1, and it says so; $2 is bob's own column
SELECT definition, note
  FROM idx_advise('SELECT dl.n FROM dl JOIN docs_v d ON d.id = dl.doc_id WHERE d.ssn = $1 AND dl.n = $2');
RESET ROLE;
-- the superuser's query reads bob's dl, so it is planned as bob (the least
-- privileged owner: doc/safety-planning.md) and gets no value for $1
-- either; the note names the planning role
SELECT definition, note
  FROM idx_advise('SELECT dl.n FROM dl JOIN docs_v d ON d.id = dl.doc_id WHERE d.ssn = $1 AND dl.n = $2');
-- a query of the superuser's own table is planned as the superuser, who
-- may read docs.ssn: its value is used and shown
SELECT definition, note
  FROM idx_advise('SELECT id FROM docs WHERE ssn = $1');

-- item 5, row-level security: most rows of sec are another tenant's, their
-- codes secret; bob sees his own rows only, and pg_stats shows him nothing
SET ROLE regress_sv_owner;
CREATE TABLE sec (id int PRIMARY KEY, tenant name NOT NULL, code text NOT NULL,
                  amount int NOT NULL);
INSERT INTO sec SELECT g, CASE WHEN g % 10 = 0 THEN 'regress_sv_bob' ELSE 'other' END,
       CASE WHEN g % 10 = 0 THEN 'pub-' || g ELSE 'SECRET-' || (g % 20) END, g
  FROM generate_series(1, 40000) g;
ANALYZE sec;
ALTER TABLE sec ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON sec USING (tenant = current_user);
GRANT SELECT ON sec TO regress_sv_bob;
SELECT count(*) > 0 AS owner_sees_stats FROM pg_stats
 WHERE schemaname = 'sv' AND tablename = 'sec' AND attname = 'code';
-- the owner: the values are shown (a most common value for =, the 90th
-- percentile of the histogram for >)
SELECT definition,
       regexp_replace(regexp_replace(note, 'SECRET-\d+', 'SECRET-N'), '\d\d+', 'N', 'g') AS note
  FROM idx_advise(ARRAY['SELECT id FROM sec WHERE code = $1',
                        'SELECT id FROM sec WHERE amount > $1'])
 ORDER BY rank;
SET ROLE regress_sv_bob;
SELECT count(*) AS bob_sees_stats FROM pg_stats
 WHERE schemaname = 'sv' AND tablename = 'sec';
-- bob: no value (no most common value, no histogram bound), and it says so
SELECT definition, note
  FROM idx_advise(ARRAY['SELECT id FROM sec WHERE code = $1',
                        'SELECT id FROM sec WHERE amount > $1'])
 ORDER BY rank;
RESET ROLE;

-- a value the planning role may use but the caller may not see: the
-- statement's author (auditor) bypasses row security, the caller (viewer)
-- has the author's privileges but not its BYPASSRLS, so pg_stats hides
-- the column from it: the value is used, not printed
SET client_min_messages = warning;
CREATE ROLE regress_sv_auditor BYPASSRLS;
CREATE ROLE regress_sv_viewer IN ROLE regress_sv_auditor;
RESET client_min_messages;
CREATE TABLE vault (id int PRIMARY KEY, code text NOT NULL);
INSERT INTO vault SELECT g, 'SECRET-' || (g % 2000) FROM generate_series(1, 20000) g;
ANALYZE vault;
ALTER TABLE vault ENABLE ROW LEVEL SECURITY;
GRANT USAGE ON SCHEMA sv TO regress_sv_auditor;
GRANT SELECT ON vault TO regress_sv_auditor;
SET ROLE regress_sv_viewer;
SELECT count(*) AS viewer_sees_stats FROM pg_stats
 WHERE schemaname = 'sv' AND tablename = 'vault';
SELECT definition, note
  FROM idx_advise_statements(ARRAY['SELECT id FROM sv.vault WHERE code = $1'],
                             ARRAY['regress_sv_auditor'::regrole::oid],
                             ARRAY[1.0::float8], NULL, 10, 0);
RESET ROLE;

SET client_min_messages = warning;
DROP SCHEMA sv CASCADE;
DROP OWNED BY regress_sv_bob, regress_sv_owner;
DROP ROLE regress_sv_owner;
DROP ROLE regress_sv_bob;
DROP ROLE regress_sv_viewer;
DROP ROLE regress_sv_auditor;
RESET client_min_messages;
