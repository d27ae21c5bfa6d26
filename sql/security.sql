-- Security: index_advisor gives nobody a privilege.  Several roles; a role
-- cannot index, cancel or roll back what it does not own; the worker builds
-- as the caller (also after SET ROLE to a NOLOGIN role); each role reads its
-- own history rows unless it is a member of index_advisor_admin; no function
-- can be hijacked through search_path; EXECUTE is granted on purpose.
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
\set SHOW_CONTEXT never
TRUNCATE idx_history, idx_snapshots, idx_findings RESTART IDENTITY;
\set VERBOSITY default
SELECT current_user AS superuser \gset

-- roles: alice and bob log in; team is a NOLOGIN role bob is a member of;
-- carol is another owner; auditor is a member of index_advisor_admin; dave
-- is a member of alice; evil plants look-alike functions
CREATE ROLE regress_ia_alice LOGIN;
CREATE ROLE regress_ia_bob LOGIN;
CREATE ROLE regress_ia_team NOLOGIN;
GRANT regress_ia_team TO regress_ia_bob;
CREATE ROLE regress_ia_carol NOLOGIN;
CREATE ROLE regress_ia_auditor LOGIN IN ROLE index_advisor_admin;
CREATE ROLE regress_ia_dave LOGIN IN ROLE regress_ia_alice;
CREATE ROLE regress_ia_evil LOGIN;
CREATE SCHEMA regress_ia_alice AUTHORIZATION regress_ia_alice;
CREATE SCHEMA regress_ia_bob AUTHORIZATION regress_ia_bob;
CREATE SCHEMA regress_ia_team AUTHORIZATION regress_ia_team;
CREATE SCHEMA regress_ia_evil AUTHORIZATION regress_ia_evil;
GRANT USAGE ON SCHEMA regress_ia_evil TO PUBLIC;

-- what the extension grants, on purpose
SELECT rolname, rolcanlogin, rolsuper, rolinherit, rolbypassrls
  FROM pg_roles WHERE rolname = 'index_advisor_admin';
SELECT p.oid::regprocedure AS function,
       pg_catalog.array_agg(CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
                            || ':' || a.privilege_type ORDER BY a.grantee) AS granted
  FROM pg_proc p
  LEFT JOIN LATERAL aclexplode(p.proacl) a ON a.grantee <> p.proowner
 WHERE p.pronamespace = 'public'::regnamespace
   AND p.proname IN ('idx_apply', 'idx_cancel', 'idx_rollback', 'idx_kick', 'idx_wait')
 GROUP BY p.oid ORDER BY p.oid::regprocedure::text;
SELECT c.relname,
       pg_catalog.array_agg(CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
                            || ':' || a.privilege_type ORDER BY a.privilege_type)
         FILTER (WHERE a.grantee IS NOT NULL) AS granted,
       c.relrowsecurity
  FROM pg_class c
  LEFT JOIN LATERAL aclexplode(c.relacl) a ON a.grantee <> c.relowner
 WHERE c.relnamespace = 'public'::regnamespace
   AND c.relname IN ('idx_history', 'idx_history_id_seq', 'idx_progress')
 GROUP BY c.oid ORDER BY 1;
SELECT polname, polcmd, polroles::regrole[], pg_get_expr(polqual, polrelid) AS using
  FROM pg_policy WHERE polrelid = 'idx_history'::regclass ORDER BY 1;

-- alice builds an index on her table, in migration m_shared
\c - regress_ia_alice
CREATE TABLE a_t (a integer, b text);
INSERT INTO a_t SELECT g, 'b' || g FROM generate_series(1, 1000) g;
SELECT idx_apply('CREATE INDEX a_t_a_idx ON a_t (a)', migration => 'm_shared');
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT id, requested_by, index_name, status FROM idx_history ORDER BY id;

-- bob cannot index alice's table: no USAGE on her schema, then not the owner
\c - regress_ia_bob
SELECT idx_apply('CREATE INDEX ON regress_ia_alice.a_t (b)');
\echo :LAST_ERROR_SQLSTATE
\c - regress_ia_alice
GRANT USAGE ON SCHEMA regress_ia_alice TO regress_ia_bob;
GRANT ALL ON a_t TO regress_ia_bob;
\c - regress_ia_bob
SELECT idx_apply('CREATE INDEX ON regress_ia_alice.a_t (b)');
\echo :LAST_ERROR_SQLSTATE
-- ... nor put an index of his own table in a schema he cannot create in
CREATE TABLE b_t (a integer, b text);
INSERT INTO b_t SELECT g, 'b' || g FROM generate_series(1, 1000) g;
REVOKE CREATE ON SCHEMA regress_ia_bob FROM regress_ia_bob;
SELECT idx_apply('CREATE INDEX ON b_t (b)');
\echo :LAST_ERROR_SQLSTATE
GRANT CREATE ON SCHEMA regress_ia_bob TO regress_ia_bob;
-- bob cannot see, wait for, cancel or roll back alice's row (it "does not exist")
SELECT count(*) AS rows_bob_sees FROM idx_history;
SELECT count(*) AS progress_bob_sees FROM idx_progress;
CALL idx_wait(1);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_cancel(1);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_rollback(1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM idx_rollback('m_shared');
\echo :LAST_ERROR_SQLSTATE
-- nor write the history or its sequence, nor drop her index by hand
INSERT INTO idx_history (schema_name, table_name, index_name, definition, role_oid, login_role_oid)
VALUES ('regress_ia_alice', 'a_t', 'x', 'CREATE INDEX x ON a_t (b)', 'regress_ia_bob'::regrole, 'regress_ia_bob'::regrole);
\echo :LAST_ERROR_SQLSTATE
UPDATE idx_history SET status = 'queued' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM idx_history;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE idx_history;
\echo :LAST_ERROR_SQLSTATE
SELECT nextval('idx_history_id_seq');
\echo :LAST_ERROR_SQLSTATE
DROP INDEX regress_ia_alice.a_t_a_idx;
\echo :LAST_ERROR_SQLSTATE
-- bob's own index in the same migration label: rolling back m_shared as bob
-- touches only bob's rows
SELECT idx_apply('CREATE INDEX b_t_a_idx ON b_t (a)', migration => 'm_shared');
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT count(*) AS rolled_back_rows FROM idx_rollback('m_shared');
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT id, requested_by, operation, index_name, status, reverts FROM idx_history ORDER BY id;

-- nor flood the server with workers: idx_kick (which anyone may call, and
-- idx_wait calls) registers at most index_advisor.max_workers of them per
-- transaction, even with a queued row and many calls
BEGIN;
SELECT idx_apply('CREATE INDEX b_t_b_idx ON b_t (b)') IS NOT NULL AS queued;
SELECT sum(idx_kick()) <= current_setting('index_advisor.max_workers')::integer AS at_most_max_workers
  FROM generate_series(1, 50);
ROLLBACK;

-- the worker acts as the caller, also after SET ROLE to a NOLOGIN role: bob
-- logs in, becomes team, and team's table gets its index
SET ROLE regress_ia_team;
CREATE TABLE regress_ia_team.tm_t (a integer);
INSERT INTO regress_ia_team.tm_t SELECT generate_series(1, 1000);
SELECT idx_apply('CREATE INDEX tm_t_a_idx ON regress_ia_team.tm_t (a)') AS team_id \gset
SET client_min_messages = warning;
CALL idx_wait(:team_id);
RESET client_min_messages;
SELECT requested_by, status, indexdef FROM idx_history WHERE id = :team_id;
RESET ROLE;
-- ... and its privileges are checked as the caller's when it builds: bob
-- queues a build, then (in the same transaction, as superuser) the table
-- is given to carol.  Run as anyone but bob, the build would succeed.
\c - :superuser
BEGIN;
SET LOCAL ROLE regress_ia_bob;
SELECT idx_apply('CREATE INDEX b_t_b_idx ON regress_ia_bob.b_t (b)') AS swap_id \gset
RESET ROLE;
ALTER TABLE regress_ia_bob.b_t OWNER TO regress_ia_carol;
COMMIT;
SET client_min_messages = warning;
CALL idx_wait(:swap_id);
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT requested_by, status, error_code, error_message FROM idx_history WHERE id = :swap_id;
SELECT count(*) AS b_t_b_idx_left FROM pg_class WHERE relname = 'b_t_b_idx';
ALTER TABLE regress_ia_bob.b_t OWNER TO regress_ia_bob;

-- who sees which rows: alice hers, dave (a member of alice) hers too and may
-- act on them, the auditor (a member of index_advisor_admin) every row
\c - regress_ia_alice
SELECT id, requested_by, index_name FROM idx_history ORDER BY id;
\c - regress_ia_dave
SELECT id, requested_by, index_name FROM idx_history ORDER BY id;
SELECT idx_cancel(1);
\c - regress_ia_auditor
SELECT id, requested_by, index_name FROM idx_history ORDER BY id;
-- ... but reading is all the admin role gives
SELECT idx_cancel(1);
\echo :LAST_ERROR_SQLSTATE
-- a role dropped and created again under the same name is a new role: it
-- does not inherit the old one's rows
\c - :superuser
CREATE ROLE regress_ia_ghost LOGIN;
CREATE SCHEMA regress_ia_ghost AUTHORIZATION regress_ia_ghost;
\c - regress_ia_ghost
CREATE TABLE g_t (a integer);
SELECT idx_apply('CREATE INDEX ON g_t (a)') AS ghost_id \gset
\c - :superuser
SET client_min_messages = warning;
CALL idx_wait(:ghost_id);
DROP SCHEMA regress_ia_ghost CASCADE;
DROP ROLE regress_ia_ghost;
CREATE ROLE regress_ia_ghost LOGIN;
RESET client_min_messages;
\c - regress_ia_ghost
SELECT count(*) AS rows_new_ghost_sees FROM idx_history;
\c - :superuser
DROP ROLE regress_ia_ghost;

-- search_path: evil plants look-alikes of what index_advisor uses, each of
-- which would shout if called, in a schema that alice puts first on her
-- path, even ahead of pg_catalog
\c - regress_ia_evil
CREATE FUNCTION regress_ia_evil.trap_eq(text, text) RETURNS boolean
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: text = text'; END$$;
CREATE OPERATOR regress_ia_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_ia_evil.trap_eq);
CREATE FUNCTION regress_ia_evil.trap_eq(bigint, bigint) RETURNS boolean
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: bigint = bigint'; END$$;
CREATE OPERATOR regress_ia_evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = regress_ia_evil.trap_eq);
CREATE FUNCTION regress_ia_evil.trap_eq(name, name) RETURNS boolean
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: name = name'; END$$;
CREATE OPERATOR regress_ia_evil.= (LEFTARG = name, RIGHTARG = name, FUNCTION = regress_ia_evil.trap_eq);
CREATE FUNCTION regress_ia_evil.trap_cat(text, text) RETURNS text
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: text || text'; END$$;
CREATE OPERATOR regress_ia_evil.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_ia_evil.trap_cat);
CREATE FUNCTION regress_ia_evil.clock_timestamp() RETURNS timestamptz
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: clock_timestamp()'; END$$;
CREATE FUNCTION regress_ia_evil.pg_sleep(double precision) RETURNS void
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: pg_sleep()'; END$$;
CREATE FUNCTION regress_ia_evil.format(text, VARIADIC text[]) RETURNS text
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: format()'; END$$;
CREATE FUNCTION regress_ia_evil.pg_has_role(name, oid, text) RETURNS boolean
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: pg_has_role()'; END$$;
CREATE FUNCTION regress_ia_evil.count(text) RETURNS bigint
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: count()'; END$$;
CREATE FUNCTION regress_ia_evil.idx_kick() RETURNS integer
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: idx_kick()'; END$$;
CREATE FUNCTION regress_ia_evil.trap_domain(text) RETURNS boolean
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: type %', $1; END$$;
CREATE DOMAIN regress_ia_evil.text AS pg_catalog.text CHECK (regress_ia_evil.trap_domain(VALUE));
CREATE DOMAIN regress_ia_evil.timestamptz AS pg_catalog.timestamptz CHECK (regress_ia_evil.trap_domain('timestamptz'));
CREATE TYPE regress_ia_evil.record AS (hijacked text);
CREATE TABLE regress_ia_evil.idx_history (id bigint, status text);
CREATE VIEW regress_ia_evil.idx_progress AS SELECT 1 AS id;
-- alice, in a new session, with the evil schema first (and ahead of
-- pg_catalog): apply, wait, progress, cancel, roll back all still behave
\c - regress_ia_alice
SET search_path = regress_ia_evil, pg_catalog, regress_ia_alice, public;
SELECT 'a' = 'b';
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT public.idx_apply('CREATE INDEX a_t_b_idx ON regress_ia_alice.a_t (b)', migration => 'm_path') AS path_id \gset
SELECT p.index_name, p.status FROM public.idx_progress p WHERE p.id OPERATOR(pg_catalog.=) :path_id;
COMMIT;
SET client_min_messages = warning;
CALL public.idx_wait(:path_id);
CALL public.idx_wait();
RESET client_min_messages;
SELECT public.idx_cancel(:path_id);
SELECT public.idx_rollback(:path_id) AS drop_id \gset
SET client_min_messages = warning;
CALL public.idx_wait(:drop_id);
RESET client_min_messages;
SELECT h.id, h.operation, h.index_name, h.status
  FROM public.idx_history h
 WHERE h.migration OPERATOR(pg_catalog.=) 'm_path' ORDER BY h.id;
SELECT count(*) AS a_t_b_idx_left FROM pg_catalog.pg_class WHERE relname OPERATOR(pg_catalog.=) 'a_t_b_idx';
RESET search_path;

-- Who plans a stored query (doc/safety-planning.md).  Planning runs code:
-- IMMUTABLE functions with constant arguments are folded, in the query and
-- in the index expressions of every table, view and partition it reads.  A
-- query is planned as the least privileged of the role that asked and the
-- owners of what it reads, one whose privileges all of them have; mallory's
-- functions say as whom they run, and must never say the superuser.
\c - :superuser
CREATE ROLE regress_ia_mallory LOGIN;
CREATE SCHEMA regress_ia_app;
GRANT USAGE ON SCHEMA regress_ia_app TO PUBLIC;
GRANT CREATE ON SCHEMA regress_ia_app TO regress_ia_mallory;
CREATE TABLE regress_ia_app.orders (id integer, cust integer);
INSERT INTO regress_ia_app.orders SELECT g, g % 100 FROM generate_series(1, 1000) g;
CREATE TABLE regress_ia_app.parts (k integer, v text) PARTITION BY RANGE (k);
CREATE TABLE regress_ia_app.parts_1 PARTITION OF regress_ia_app.parts
    FOR VALUES FROM (0) TO (1000);
ALTER TABLE regress_ia_app.parts_1 OWNER TO regress_ia_mallory;
\c - regress_ia_mallory
CREATE TABLE regress_ia_app.cust (id integer, name text);
GRANT SELECT ON regress_ia_app.cust TO PUBLIC;
CREATE FUNCTION regress_ia_app.f(integer) RETURNS integer IMMUTABLE
    LANGUAGE plpgsql AS $$BEGIN RAISE WARNING 'f() runs as %', current_user; RETURN $1; END$$;
CREATE FUNCTION regress_ia_app.g(integer) RETURNS integer IMMUTABLE
    LANGUAGE plpgsql AS $$BEGIN RAISE WARNING 'g() runs as %', current_user; RETURN $1; END$$;
CREATE VIEW regress_ia_app.cust_view AS
    SELECT c.id, regress_ia_app.g(2) AS two FROM regress_ia_app.cust c;
GRANT SELECT ON regress_ia_app.cust_view TO PUBLIC;
-- 1. the attack of issue 8: the superuser stores a query that joins
-- mallory's table; later mallory gives it an expression index whose
-- function calls out
\c - :superuser
SELECT idx_apply('CREATE INDEX orders_cust_idx ON regress_ia_app.orders (cust)',
                 ARRAY['SELECT * FROM regress_ia_app.orders o JOIN regress_ia_app.cust c ON c.id = o.cust WHERE o.cust = $1'],
                 'm_plan') AS join_id \gset
SET client_min_messages = warning;
CALL idx_wait(:join_id);
RESET client_min_messages;
\c - regress_ia_mallory
CREATE INDEX cust_f_idx ON regress_ia_app.cust ((id + regress_ia_app.f(0)));
-- ... every check by the superuser runs f() as mallory, never as itself
-- (index expressions are folded once per session: a new session each time)
\c - :superuser
SELECT index_name, queries_total, verdict FROM idx_report('m_plan');
\c - :superuser
SELECT uses_index FROM idx_explain(:join_id);
\c - :superuser
-- (a check reuses the verdicts of rows where nothing changed: forget them,
-- so that this check plans every stored query again)
DELETE FROM idx_verdicts;
SELECT count(*) >= 0 AS checked FROM idx_check();
-- 2. a view owned by mallory, whose query calls her function
\c - :superuser
SELECT idx_apply('CREATE INDEX orders_id_idx ON regress_ia_app.orders (id)',
                 ARRAY['SELECT * FROM regress_ia_app.orders o JOIN regress_ia_app.cust_view v ON v.id = o.id WHERE o.id = $1'],
                 'm_plan') IS NOT NULL AS view_queued;
-- 3. a partition owned by mallory, with an expression index of hers
\c - regress_ia_mallory
CREATE INDEX parts_1_f_idx ON regress_ia_app.parts_1 ((k + regress_ia_app.f(1)));
\c - :superuser
SELECT idx_apply('CREATE INDEX orders_id_cust_idx ON regress_ia_app.orders (id, cust)',
                 ARRAY['SELECT * FROM regress_ia_app.orders o WHERE o.id IN (SELECT k FROM regress_ia_app.parts)'],
                 'm_plan') IS NOT NULL AS partition_queued;
-- 4. a function of mallory's in the stored query itself
SELECT idx_apply('CREATE INDEX orders_cust_id_idx ON regress_ia_app.orders (cust, id)',
                 ARRAY['SELECT * FROM regress_ia_app.orders WHERE cust = regress_ia_app.g(1)'],
                 'm_plan') IS NOT NULL AS function_queued;
-- ... also through an SQL function of the superuser's that the planner
-- inlines, and that reads mallory's table
CREATE FUNCTION regress_ia_app.cust_ids() RETURNS SETOF integer STABLE
    LANGUAGE sql AS 'SELECT c.id FROM regress_ia_app.cust c';
\c - :superuser
SELECT idx_apply('CREATE INDEX orders_id_cust_id_idx ON regress_ia_app.orders (id, cust, id)',
                 ARRAY['SELECT * FROM regress_ia_app.orders o JOIN regress_ia_app.cust_ids() i ON i = o.id'],
                 'm_plan') IS NOT NULL AS inlined_queued;
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
-- 5. a query that reads tables of two owners, neither of whom has the
-- other's privileges: no role may plan it.  alice (not mallory) is refused
-- at idx_apply, with the table and its owner named ...
\c - regress_ia_alice
SELECT idx_apply('CREATE INDEX ON a_t (b)',
                 ARRAY['SELECT * FROM a_t JOIN regress_ia_app.cust c ON c.id = a_t.a']);
\echo :LAST_ERROR_SQLSTATE
-- ... and a query that becomes one later (the table changed hands) is a
-- finding at check time, not a plan
SELECT idx_apply('CREATE INDEX a_t_b_idx ON a_t (b)',
                 ARRAY['SELECT * FROM a_t WHERE b = $1'], 'm_owner') AS owner_id \gset
SET client_min_messages = warning;
CALL idx_wait(:owner_id);
RESET client_min_messages;
\c - :superuser
ALTER TABLE regress_ia_alice.a_t OWNER TO regress_ia_mallory;
SELECT kind, index_name, detail FROM idx_check() WHERE history_id = :owner_id;
\c - regress_ia_alice
SELECT verdict, detail FROM idx_report('m_owner');
\c - :superuser
ALTER TABLE regress_ia_alice.a_t OWNER TO regress_ia_alice;
-- idx_explain, and the admin role, plan another role's stored queries only
-- with that role's privileges: the auditor reads the row, gets no plan
\c - regress_ia_auditor
SELECT * FROM idx_explain(:owner_id);
\echo :LAST_ERROR_SQLSTATE
SELECT verdict, detail FROM idx_report('m_owner');
-- dave, a member of alice, may
\c - regress_ia_dave
SELECT uses_index FROM idx_explain(:owner_id);

-- idx_findings and idx_snapshots follow idx_history's visibility: alice sees
-- the findings and snapshots of her rows, bob none of them, the auditor all
\c - :superuser
ALTER TABLE regress_ia_alice.a_t OWNER TO regress_ia_mallory;
DELETE FROM idx_verdicts;  -- plan every stored query again, as above
SELECT count(*) >= 0 AS checked FROM idx_check();
ALTER TABLE regress_ia_alice.a_t OWNER TO regress_ia_alice;
SELECT count(*) > 0 AS findings_in_all, count(*) FILTER (WHERE kind = 'query_error') > 0 AS query_errors
  FROM idx_findings;
\c - regress_ia_alice
SELECT kind, index_name, detail FROM idx_findings WHERE kind = 'query_error' ORDER BY id;
SELECT bool_and(h.requested_by = current_user) AS only_mine, count(*) > 0 AS some
  FROM idx_snapshots s JOIN idx_history h ON h.id = s.history_id;
\c - regress_ia_bob
SELECT count(*) AS findings_bob_sees FROM idx_findings WHERE history_id = :owner_id;
SELECT count(*) AS query_errors_bob_sees FROM idx_findings WHERE kind = 'query_error';
SELECT count(*) AS snapshots_bob_sees FROM idx_snapshots WHERE history_id = :owner_id;
\c - regress_ia_auditor
SELECT count(*) FILTER (WHERE history_id = :owner_id) > 0 AS auditor_sees_alice,
       count(*) FILTER (WHERE history_id = :join_id) > 0 AS auditor_sees_superuser
  FROM idx_snapshots;
SELECT c.relname, c.relrowsecurity, pg_catalog.array_agg(p.polname::text ORDER BY p.polname) AS policies
  FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid
 WHERE c.relname IN ('idx_findings', 'idx_snapshots') GROUP BY c.relname, c.relrowsecurity ORDER BY 1;

-- clean up
\c - :superuser
SET client_min_messages = warning;
CALL idx_wait();
DROP SCHEMA regress_ia_alice, regress_ia_bob, regress_ia_team, regress_ia_evil,
            regress_ia_app CASCADE;
DROP ROLE regress_ia_alice, regress_ia_bob, regress_ia_team, regress_ia_carol,
          regress_ia_auditor, regress_ia_dave, regress_ia_evil, regress_ia_mallory;
RESET client_min_messages;
SELECT count(*) AS invalid_indexes FROM pg_index WHERE NOT indisvalid;
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname LIKE 'regress_ia_%';
