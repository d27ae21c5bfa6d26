-- Hypothetical indexes exist only for index_advisor's own top-level planner
-- call (issue 19, items 4 and 8; doc/safety-planning.md).  A function the
-- planner folds plans its own queries (nested planning): they never see a
-- hypothetical index, nor an index index_advisor hides, so no plan that
-- plpgsql, an SQL function, PREPARE, a generic plan or a cursor keeps ever
-- holds one.  0.2 put them there: "could not open relation with OID" or a
-- LEFT JOIN removed by a hypothetical UNIQUE index (wrong counts, no error)
-- for the rest of the session.
\set SHOW_CONTEXT never
\set VERBOSITY terse
CREATE SCHEMA sp;
SET search_path = sp, public;
SET client_min_messages = warning;
CREATE TABLE h2 (x int, y int);
INSERT INTO h2 SELECT g % 1000, g % 100 FROM generate_series(1, 60000) g;
-- three rows of h3 for each k: a LEFT JOIN to it triples h2's rows
CREATE TABLE h3 (k int, v int);
INSERT INTO h3 SELECT g % 100, g FROM generate_series(0, 299) g;
VACUUM ANALYZE h2, h3;
RESET client_min_messages;

-- rows of h2 with x = k (60), and the same joined to h3 (180)
CREATE FUNCTION cnt(n int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS
$$ BEGIN RETURN (SELECT count(*) FROM h2 WHERE x = n); END $$;
CREATE FUNCTION cntj(n int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS
$$ BEGIN RETURN (SELECT count(*) FROM h2 LEFT JOIN h3 ON h3.k = h2.y
                  WHERE h2.x = n); END $$;
CREATE FUNCTION cntj_sql(n int) RETURNS int IMMUTABLE LANGUAGE sql AS
$$ SELECT count(*)::int FROM h2 LEFT JOIN h3 ON h3.k = h2.y WHERE h2.x = n $$;
CREATE FUNCTION cntj_atomic(n int) RETURNS int IMMUTABLE LANGUAGE sql
BEGIN ATOMIC
  SELECT count(*)::int FROM h2 LEFT JOIN h3 ON h3.k = h2.y WHERE h2.x = n;
END;
SELECT cnt(7) AS cnt, cntj(7) AS cntj, cntj_sql(7) AS cntj_sql,
       cntj_atomic(7) AS cntj_atomic;

-- the plan shown without costs
CREATE FUNCTION shape(plan text) RETURNS text LANGUAGE sql AS
$$ SELECT regexp_replace(plan, '\s+\(cost=[^)]*\)', '', 'g') $$;

-- 1. plpgsql's plan cache (a generic plan after five calls): after
--    idx_whatif calls whose plannings fold cnt(7), cnt(7) still runs (the
--    query text differs in each row, so that idx_whatif runs once a row)
SELECT uses, shape(plan) AS plan
  FROM idx_whatif(ARRAY['CREATE INDEX ON h2 (x)'],
                  ARRAY['SELECT * FROM h2 WHERE y = cnt(7)']);
SELECT count(*) AS calls
  FROM generate_series(1, 8) i,
       idx_whatif(ARRAY['CREATE INDEX ON h2 (x)'],
                  ARRAY['SELECT * FROM h2 WHERE y = cnt(7) AND ' || i || ' > 0']);
SELECT cnt(n) AS cnt FROM (VALUES (7), (8), (9)) v(n);

-- ... and cntj(7) still counts the LEFT JOIN's rows (a hypothetical UNIQUE
-- index on h3 (k) would let the planner remove the join)
\c -
SET search_path = sp, public;
\set SHOW_CONTEXT never
\set VERBOSITY terse
SELECT count(*) AS calls
  FROM generate_series(1, 8) i,
       idx_whatif(ARRAY['CREATE UNIQUE INDEX ON h3 (k)'],
                  ARRAY['SELECT * FROM h2 WHERE y = cntj(7) AND ' || i || ' > 0']);
SELECT cntj(n) AS cntj FROM (VALUES (7), (8), (9)) v(n);

-- 2. SQL functions (plain and BEGIN ATOMIC) folded while planning with a
--    hypothetical UNIQUE index on h3 (k): their LEFT JOIN is not removed,
--    the constant folded is the true count (180)
SELECT shape(plan) AS plan
  FROM idx_whatif(ARRAY['CREATE UNIQUE INDEX ON h3 (k)'],
                  ARRAY['SELECT * FROM h2 WHERE x = cntj_sql(7)']);
SELECT shape(plan) AS plan
  FROM idx_whatif(ARRAY['CREATE UNIQUE INDEX ON h3 (k)'],
                  ARRAY['SELECT * FROM h2 WHERE x = cntj_atomic(7)']);
SELECT cntj_sql(7) AS cntj_sql, cntj_atomic(7) AS cntj_atomic;

-- 3. PREPARE / EXECUTE: an IMMUTABLE wrapper folded while idx_whatif plans
--    EXECUTEs the session's prepared statements, in the planning with the
--    hypothetical indexes (idx_whatif plans each query without them first:
--    the wrapper skips that one, counting its calls in a setting that the
--    rolled-back planning resets); EXECUTE needs a volatile function
CREATE FUNCTION run_prepared_v(name text, n int) RETURNS int VOLATILE
LANGUAGE plpgsql AS
$$ DECLARE r int;
   BEGIN EXECUTE format('EXECUTE %I(%s)', name, n) INTO r; RETURN r; END $$;
CREATE FUNCTION run_prepared(name text, n int) RETURNS int IMMUTABLE
LANGUAGE plpgsql AS
$$ DECLARE c int := coalesce(nullif(current_setting('sp.calls', true), ''),
                             '0')::int + 1;
   BEGIN
     PERFORM set_config('sp.calls', c::text, false);
     IF c % 2 = 1 THEN RETURN 0; END IF;
     RETURN run_prepared_v(name, n);
   END $$;
-- the generic plan forced: made at the first EXECUTE, inside the planning
\c -
SET search_path = sp, public;
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET plan_cache_mode = force_generic_plan;
PREPARE pc(int) AS SELECT count(*)::int FROM h2 WHERE x = $1;
PREPARE pj(int) AS SELECT count(*)::int FROM h2 LEFT JOIN h3 ON h3.k = h2.y
                   WHERE h2.x = $1;
SELECT count(*) AS calls
  FROM idx_whatif(ARRAY['CREATE INDEX ON h2 (x)', 'CREATE UNIQUE INDEX ON h3 (k)'],
                  ARRAY['SELECT * FROM h2 WHERE y = run_prepared(''pc'', 7)',
                        'SELECT * FROM h2 WHERE y = run_prepared(''pj'', 7)']);
EXECUTE pc(7);
EXECUTE pj(7);
SELECT name, generic_plans > 0 AS generic FROM pg_prepared_statements
 ORDER BY name;
-- and plpgsql's plans, generic from their first call
SELECT count(*) AS calls
  FROM idx_whatif(ARRAY['CREATE INDEX ON h2 (x)', 'CREATE UNIQUE INDEX ON h3 (k)'],
                  ARRAY['SELECT * FROM h2 WHERE y = cnt(7)',
                        'SELECT * FROM h2 WHERE y = cntj(7)']);
SELECT cnt(7) AS cnt, cntj(7) AS cntj;
DEALLOCATE pc;
DEALLOCATE pj;
RESET plan_cache_mode;
-- the default mode: five custom plans, then the generic plan is made at
-- the sixth EXECUTE, inside the planning
PREPARE pj(int) AS SELECT count(*)::int FROM h2 LEFT JOIN h3 ON h3.k = h2.y
                   WHERE h2.x = $1;
SELECT run_prepared_v('pj', 7) FROM generate_series(1, 5);
SELECT count(*) AS calls
  FROM idx_whatif(ARRAY['CREATE UNIQUE INDEX ON h3 (k)'],
                  ARRAY['SELECT * FROM h2 WHERE y = run_prepared(''pj'', 7)']);
EXECUTE pj(7);
EXECUTE pj(7);
DEALLOCATE pj;

-- 4. cursors: a plpgsql cursor (its plan is cached as any other), opened
--    by a function folded while idx_whatif plans, and a cursor WITH HOLD
--    (materialized at COMMIT) over the functions afterwards
CREATE FUNCTION cur_cntj(n int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS
$$ DECLARE
     c CURSOR (nn int) FOR SELECT count(*)::int FROM h2 LEFT JOIN h3
                             ON h3.k = h2.y WHERE h2.x = nn;
     r int;
   BEGIN
     OPEN c(n); FETCH c INTO r; CLOSE c;
     RETURN r;
   END $$;
SELECT count(*) AS calls
  FROM generate_series(1, 8) i,
       idx_whatif(ARRAY['CREATE UNIQUE INDEX ON h3 (k)'],
                  ARRAY['SELECT * FROM h2 WHERE y = cur_cntj(7) AND ' || i || ' > 0']);
SELECT cur_cntj(7) AS cur_cntj;
BEGIN;
DECLARE hc CURSOR WITH HOLD FOR
  SELECT cntj(7) AS cntj, cnt(7) AS cnt, cur_cntj(7) AS cur_cntj;
COMMIT;
FETCH ALL FROM hc;
CLOSE hc;

-- 5. idx_advise: its candidates (h2 (x) among them) never reach cnt's plan
\c -
SET search_path = sp, public;
\set SHOW_CONTEXT never
\set VERBOSITY terse
SELECT count(*) > 0 AS advised
  FROM idx_advise(ARRAY['SELECT * FROM h2 WHERE x = 5 AND y = cnt(7)',
                        'SELECT * FROM h2 WHERE x = 6 AND y = cntj(7)',
                        'SELECT * FROM h2 WHERE x = $1 AND y = cnt(8)',
                        'SELECT * FROM h3 WHERE k = $1 AND v > cntj(9)'],
                  NULL, 10);
SELECT count(*) > 0 AS advised
  FROM generate_series(1, 3) i,
       idx_advise(ARRAY['SELECT * FROM h2 WHERE x = 5 AND y = cnt(7) AND ' || i || ' > 0',
                        'SELECT * FROM h2 WHERE x = 6 AND y = cntj(7)']);
SELECT cnt(7) AS cnt, cntj(7) AS cntj, cnt(8) AS cnt8, cntj(9) AS cntj9;

-- 6. a nested idx_whatif (called by a function folded while the outer one
--    plans) neither resets the outer call's indexes nor sees them: the outer
--    answer still uses its index on h2 (x); the inner one, asked about the
--    same query with an index on h3, plans with its own only (no index on
--    h2 (x) for it)
CREATE FUNCTION nested_whatif() RETURNS int IMMUTABLE LANGUAGE plpgsql AS
$$ DECLARE r record;
   BEGIN
     SELECT uses, split_part(sp.shape(plan), E'\n', 1) AS top INTO r
       FROM idx_whatif(ARRAY['CREATE INDEX ON sp.h3 (v)'],
                       ARRAY['SELECT * FROM sp.h2 WHERE x = 3']);
     RAISE NOTICE 'inner idx_whatif: uses %, plan %', r.uses, r.top;
     RETURN 3;
   END $$;
SELECT uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON h2 (x)'],
                  ARRAY['SELECT * FROM h2 WHERE x = nested_whatif()']);

DROP SCHEMA sp CASCADE;
