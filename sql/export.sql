-- idx_export: the migration that reproduces a history migration's indexes,
-- as a script for idx_apply_script, a Django migration or an Alembic
-- revision; the 'sql' export round trip.  (Django and Alembic round trips
-- through the frameworks: test/t/130_orm.pl.)
TRUNCATE idx_history RESTART IDENTITY CASCADE;
CREATE TABLE e_t (a integer, b text, c boolean);
CREATE TABLE e_p (a integer) PARTITION BY RANGE (a);
CREATE TABLE e_p1 PARTITION OF e_p FOR VALUES FROM (0) TO (10);
SELECT idx_apply('CREATE INDEX e_t_ab ON e_t (a, b DESC) INCLUDE (c) WHERE c',
                 ARRAY['SELECT * FROM e_t WHERE a = 1 AND c',
                       $q$SELECT * FROM e_t WHERE b = 'it''s "q" \ x'$q$], 'm1');
SELECT idx_apply('CREATE UNIQUE INDEX ON e_p (a)', NULL, 'm1');
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;

SELECT idx_export('m1');
SELECT idx_export('m1', 'django');
SELECT idx_export('m1', 'alembic');

-- errors
SELECT idx_export('no such migration');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_export('m1', 'rails');
\echo :LAST_ERROR_SQLSTATE

-- round trip: drop them, then feed the 'sql' export to idx_apply_script
CREATE TEMP TABLE e_before AS
  SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
    FROM pg_index WHERE indrelid IN ('e_t'::regclass, 'e_p'::regclass);
CREATE TEMP TABLE e_script AS SELECT idx_export('m1') AS script;
SELECT count(*) FROM idx_rollback('m1');
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT count(*) FROM pg_index WHERE indrelid IN ('e_t'::regclass, 'e_p'::regclass);
SELECT count(*) FROM e_script, idx_apply_script(script, 'm1_again');
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT name, def, def = (SELECT pg_get_indexdef(name::regclass)) AS same
  FROM e_before ORDER BY name;
-- run again: IF NOT EXISTS and the same definitions, nothing to do
SELECT count(*) FROM e_script, idx_apply_script(script, 'm1_again');
DROP TABLE e_t, e_p;
