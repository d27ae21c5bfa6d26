-- Issue 19: what the advisor promises about other roles' code and about
-- its own cost (doc/safety-planning.md, "The advisor").
--
-- 1. Nothing idx_advise does runs another role's code with more rights
--    than that role's.  regress_sa_mallory owns a table, an IMMUTABLE
--    function g() that calls a VOLATILE evil(), and a view whose WHERE
--    calls g().  evil() advances a sequence of the superuser when, and only
--    when, it runs as a role that may (the superuser, or regress_sa_alice,
--    who also has mallory's privileges): setval() survives the
--    subtransactions the advisor rolls back, so the sequence says whether
--    evil() ever ran with more rights than mallory's.
CREATE ROLE regress_sa_mallory LOGIN;
CREATE ROLE regress_sa_alice LOGIN;
CREATE SCHEMA sa AUTHORIZATION regress_sa_mallory;
CREATE SEQUENCE public.sa_pwned;    -- the superuser's; mallory has no right on it
GRANT UPDATE ON public.sa_pwned TO regress_sa_alice;
GRANT regress_sa_mallory TO regress_sa_alice;
SET ROLE regress_sa_mallory;
CREATE FUNCTION sa.evil() RETURNS void VOLATILE LANGUAGE plpgsql AS $$
BEGIN
    IF pg_catalog.has_sequence_privilege('public.sa_pwned', 'UPDATE') THEN
        PERFORM pg_catalog.setval('public.sa_pwned', 666);
    END IF;
END $$;
CREATE FUNCTION sa.g() RETURNS int IMMUTABLE LANGUAGE plpgsql AS
  $$ BEGIN PERFORM sa.evil(); RETURN 1; END $$;
CREATE TABLE sa.t (a int, b int);
INSERT INTO sa.t SELECT g, g % 1000 FROM generate_series(1, 20000) g;
ANALYZE sa.t;
CREATE VIEW sa.v AS SELECT * FROM sa.t WHERE a + sa.g() = 5;
-- an index of mallory's own whose expression calls g()
CREATE TABLE sa.t2 (a int, b int);
CREATE INDEX t2_g_idx ON sa.t2 ((a + sa.g()));
CREATE INDEX t2_g_idx2 ON sa.t2 ((a + sa.g()));
RESET ROLE;
SELECT last_value, is_called FROM public.sa_pwned;

-- The superuser asks for advice on mallory's view, in a new session.  The
-- candidate (a + g()) is folded only as mallory (the statement's planning
-- role): the advice is given, with g() folded, and evil() never runs as
-- the superuser.
\c
SELECT rank, definition, table_name FROM idx_advise('SELECT * FROM sa.v');
SELECT last_value, is_called FROM public.sa_pwned;

-- the same asked by regress_sa_alice, who has mallory's privileges and more
SELECT pg_catalog.setval('public.sa_pwned', 1, false) \g /dev/null
\c
SET ROLE regress_sa_alice;
SELECT rank, definition, table_name FROM idx_advise('SELECT * FROM sa.v');
RESET ROLE;
SELECT last_value, is_called FROM public.sa_pwned;

-- the same with the view's text written out, beside a query of its own
-- (each part starts from a fresh sequence)
SELECT pg_catalog.setval('public.sa_pwned', 1, false) \g /dev/null
\c
SELECT rank, definition FROM idx_advise(ARRAY['SELECT count(*) FROM sa.t WHERE a + sa.g() = 5',
                                              'SELECT * FROM sa.t WHERE b = 7']);
SELECT last_value, is_called FROM public.sa_pwned;
-- two keys that fold alike are one
SELECT rank, definition FROM idx_advise('SELECT * FROM sa.t WHERE a + sa.g() = 5 AND a + 1 = 5');
SELECT last_value, is_called FROM public.sa_pwned;

-- Existing indexes' expressions are folded as their table's owner, never
-- as whoever asks first in a session: idx_index_covers, the duplicate rule
-- of idx_apply and idx_check, in a new session.
SELECT pg_catalog.setval('public.sa_pwned', 1, false) \g /dev/null
\c
SELECT idx_index_covers('sa.t2_g_idx', 'sa.t2_g_idx2') AS covers;
SELECT last_value, is_called FROM public.sa_pwned;
-- and the advisor's "replaces" and duplicate check on that table
SELECT pg_catalog.setval('public.sa_pwned', 1, false) \g /dev/null
\c
SELECT rank, definition, replaces FROM idx_advise('SELECT * FROM sa.t2 WHERE a = 3');
SELECT last_value, is_called FROM public.sa_pwned;

-- A definition the superuser writes itself on mallory's table, naming g():
-- checked and folded as CREATE INDEX runs it, as the table's owner under
-- SECURITY_RESTRICTED_OPERATION (idx_hypo_size, idx_whatif, idx_apply).
\c
SELECT idx_hypo_size('CREATE INDEX ON sa.t ((a + sa.g()))') > 0 AS sized;
SELECT uses FROM idx_whatif(ARRAY['CREATE INDEX ON sa.t ((a + sa.g()))'],
                            ARRAY['SELECT * FROM sa.t WHERE b = 7']);
SELECT last_value, is_called FROM public.sa_pwned;

-- 2. idx_advise_statements (idx_advise_workload's, executable by PUBLIC)
-- is bounded as idx_advise is: more than index_advisor.max_queries_per_index
-- statements are refused (54000), a statement longer than
-- index_advisor.max_query_bytes is skipped unread and counted.
SET index_advisor.max_queries_per_index = 3;
SET index_advisor.max_query_bytes = 100;
SET ROLE regress_sa_alice;
SELECT count(*) FROM idx_advise_statements(
    array_fill('SELECT 1'::text, ARRAY[4]),
    array_fill('regress_sa_alice'::regrole::oid, ARRAY[4]),
    array_fill(1::float8, ARRAY[4]), NULL, 10, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT rank, definition, note FROM idx_advise_statements(
    ARRAY['SELECT 1 WHERE ' || repeat('1 = 1 AND ', 20) || 'true', 'SELECT 2'],
    array_fill('regress_sa_alice'::regrole::oid, ARRAY[2]),
    array_fill(1::float8, ARRAY[2]), NULL, 10, 0);
-- as idx_advise itself
SELECT count(*) FROM idx_advise(array_fill('SELECT 1'::text, ARRAY[4]));
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
RESET index_advisor.max_queries_per_index;
RESET index_advisor.max_query_bytes;

-- 3. A negative budget is refused with the budget given, 22023.
SELECT count(*) FROM idx_advise(ARRAY['SELECT * FROM sa.t WHERE b = 7'], budget => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM idx_advise_statements(ARRAY['SELECT 1'],
    ARRAY['regress_sa_alice'::regrole::oid], ARRAY[1::float8], -5, 10, 0);
\echo :LAST_ERROR_SQLSTATE
-- An infinite weight is refused, 22023 (NaN weighs 1, as NULL does).
SELECT count(*) FROM idx_advise_statements(ARRAY['SELECT 1'],
    ARRAY['regress_sa_alice'::regrole::oid], ARRAY['infinity'::float8], NULL, 10, 0);
\echo :LAST_ERROR_SQLSTATE

DROP SCHEMA sa CASCADE;
DROP SEQUENCE public.sa_pwned;
DROP ROLE regress_sa_mallory;
DROP ROLE regress_sa_alice;
