-- The advisor sizes a candidate on the terms of the statement it was drawn
-- from: planned as that statement's author and planning role, never as the
-- caller (src/plan/hypo.c, ia_hypo_size; plan_prepared.c, ia_prepare_for;
-- doc/safety-planning.md, "The advisor").  Before, it planned
-- "SELECT FROM <table>" as the caller: a caller with the author's
-- privileges but not the table owner's got 42501 for the whole call, an
-- author reading a table through another role's view got "permission
-- denied" for its own idx_advise, and an error of the table's code where
-- the statement's plans never reached ended the whole call.
--
-- regress_hs_bob owns the tables and has regress_hs_alice's privileges
-- (so alice's statements are planned as alice); regress_hs_admin has
-- alice's privileges, not bob's.
SET client_min_messages = warning;
CREATE ROLE regress_hs_alice;
CREATE ROLE regress_hs_bob;
CREATE ROLE regress_hs_admin;
GRANT regress_hs_alice TO regress_hs_bob;
GRANT regress_hs_alice TO regress_hs_admin;
CREATE SCHEMA hs AUTHORIZATION regress_hs_bob;
GRANT USAGE ON SCHEMA hs TO regress_hs_alice;
SET ROLE regress_hs_bob;
CREATE TABLE hs.t (id int, a int, b text);
INSERT INTO hs.t SELECT g, g % 1000, 'x' || g FROM generate_series(1, 50000) g;
ANALYZE hs.t;
GRANT SELECT ON hs.t TO regress_hs_alice;
-- a table alice reads only through bob's view
CREATE TABLE hs.t2 (id int, a int, b text);
INSERT INTO hs.t2 SELECT g, g % 1000, 'x' || g FROM generate_series(1, 50000) g;
ANALYZE hs.t2;
CREATE VIEW hs.v2 AS SELECT id, b FROM hs.t2 WHERE a = 7;
GRANT SELECT ON hs.v2 TO regress_hs_alice;
-- a partitioned table; the second leaf has an index whose expression calls
-- f(), which fails or says who runs it as regress_hs.mode says
CREATE FUNCTION hs.f(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('regress_hs.mode', true) = 'fail' THEN
        RAISE EXCEPTION 'f() fails';
    ELSIF current_setting('regress_hs.mode', true) = 'who' THEN
        RAISE NOTICE 'f() runs as %', current_user;
    END IF;
    RETURN $1;
END $$;
CREATE TABLE hs.p (k int, a int, id int) PARTITION BY LIST (k);
CREATE TABLE hs.p1 PARTITION OF hs.p FOR VALUES IN (1);
CREATE TABLE hs.p2 PARTITION OF hs.p FOR VALUES IN (2);
INSERT INTO hs.p SELECT 1 + g % 2, g % 1000, g FROM generate_series(1, 50000) g;
CREATE INDEX p2_f_idx ON hs.p2 ((a + hs.f(1)));
ANALYZE hs.p;
GRANT SELECT ON hs.p TO regress_hs_alice;
RESET ROLE;
RESET client_min_messages;

-- 1. An admin with alice's privileges, not bob's, advises on alice's
--    statement (was: 42501, "cannot plan as role regress_hs_admin", for the
--    whole call).
SET ROLE regress_hs_admin;
SELECT rank, definition, est_size > 0 AS sized
  FROM idx_advise_statements(ARRAY['SELECT id FROM hs.t WHERE a = 7'],
                             ARRAY['regress_hs_alice'::regrole::oid],
                             ARRAY[1.0::float8], NULL, 10, 0);
RESET ROLE;

-- 2. Alice advises on her statement over bob's view: the candidate is on
--    bob's table, which she may not read herself (was: "permission denied
--    for table t2").
SET ROLE regress_hs_alice;
SELECT rank, definition, est_size > 0 AS sized
  FROM idx_advise('SELECT id FROM hs.v2');
SELECT count(*) FROM hs.t2;                                   -- 42501
RESET ROLE;

-- 3. The superuser advises on alice's statement, which reads the first
--    leaf only: sizing plans the whole table, the second leaf's index
--    included, as alice's planning role (alice), not as bob (was: bob, the
--    role the superuser's own "SELECT FROM hs.p" is planned as).
\c
SET regress_hs.mode = 'who';
SELECT rank, definition, est_size > 0 AS sized
  FROM idx_advise_statements(ARRAY['SELECT id FROM hs.p WHERE k = 1 AND a = 7'],
                             ARRAY['regress_hs_alice'::regrole::oid],
                             ARRAY[1.0::float8], NULL, 10, 0);

-- 4. When sizing fails (f() fails in the second leaf, which alice's plans
--    never reach), the candidates on hs.p are left out and the statement's
--    note says why; the other statement is still advised on (was: the
--    whole call failed with f()'s error).
\c
SET regress_hs.mode = 'fail';
SET ROLE regress_hs_alice;
SELECT rank, definition, note
  FROM idx_advise(ARRAY['SELECT id FROM hs.p WHERE k = 1 AND a = 7']);
SELECT rank, definition
  FROM idx_advise(ARRAY['SELECT id FROM hs.p WHERE k = 1 AND a = 7',
                        'SELECT id FROM hs.t WHERE a = 7']);
RESET ROLE;
RESET regress_hs.mode;

SET client_min_messages = warning;
DROP SCHEMA hs CASCADE;
DROP ROLE regress_hs_admin;
DROP ROLE regress_hs_bob;
DROP ROLE regress_hs_alice;
