-- Hypothetical indexes take no OID from the cluster (issue 19, item 10;
-- doc/safety-planning.md): their fake OIDs come from those PostgreSQL
-- leaves free below FirstNormalObjectId (16384), above every relation
-- initdb made, as HypoPG 1.4 does.  0.2 took one from the OID counter for
-- each hypothetical index: ~20,000 OIDs in 0.2 s from one backend.
\set SHOW_CONTEXT never
CREATE SCHEMA wo;
SET search_path = wo, public;
CREATE TABLE oa (x int, y int, z int);
INSERT INTO oa SELECT g % 1000, g % 97, g FROM generate_series(1, 20000) g;
VACUUM ANALYZE oa;

-- 3,000 hypothetical indexes (more than the ~2,800 free OIDs: the counter
-- of fake OIDs wraps) between two new tables: their OIDs are consecutive
CREATE TABLE oid_before ();
SELECT count(*) AS rows
  FROM generate_series(1, 300) i,
       idx_whatif(ARRAY['CREATE INDEX ON oa (x)', 'CREATE INDEX ON oa (y)',
                        'CREATE INDEX ON oa (z)', 'CREATE INDEX ON oa (x, y)',
                        'CREATE INDEX ON oa (y, x)', 'CREATE INDEX ON oa (x, z)',
                        'CREATE INDEX ON oa (z, x)', 'CREATE INDEX ON oa (y, z)',
                        'CREATE INDEX ON oa (z, y)', 'CREATE INDEX ON oa (x, y, z)'],
                  ARRAY['SELECT * FROM oa WHERE x = ' || i]);
CREATE TABLE oid_after ();
SELECT 'oid_after'::regclass::oid::int8 - 'oid_before'::regclass::oid::int8
       < 10 AS oid_counter_kept;

-- a fake OID is never a real relation's: a plan with a hypothetical index
-- and real catalog indexes names each rightly, and only the hypothetical
-- one is reported as used
SET enable_seqscan = off;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT uses,
       ARRAY(SELECT m[1] FROM regexp_matches(plan,
               '(?:Index Scan using|Index Only Scan using|Bitmap Index Scan on) (\S+)',
               'g') m ORDER BY 1) AS indexes
  FROM idx_whatif(ARRAY['CREATE INDEX oa_x_hypo ON oa (x)'],
                  ARRAY['SELECT c.relname, t.typname FROM oa
                           JOIN pg_class c ON c.oid = oa.z
                           JOIN pg_type t ON t.oid = c.reltype
                          WHERE oa.x = 5']);
RESET enable_seqscan;
RESET enable_hashjoin;
RESET enable_mergejoin;

-- one call may make as many hypothetical indexes as there are fake OIDs
SET index_advisor.max_queries_per_index = 10000;
\set VERBOSITY sqlstate
SELECT count(*)
  FROM idx_whatif(array_fill('CREATE INDEX ON wo.oa (x)'::text, ARRAY[3000]),
                  ARRAY['SELECT * FROM wo.oa WHERE x = 1']);
\set VERBOSITY default
RESET index_advisor.max_queries_per_index;

DROP SCHEMA wo CASCADE;
