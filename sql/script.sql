-- idx_apply_script: the SQL that migration tools print, queued all or
-- nothing through idx_apply's validation; refusals name the statement and
-- its line; IF NOT EXISTS agrees with idx_apply.
TRUNCATE idx_history RESTART IDENTITY CASCADE;
CREATE SCHEMA s_app;
CREATE TABLE s_app.tasks (id integer, dept integer, status text, task_type text,
                          customer_id integer, decided date, outcome text, enabled boolean);
CREATE TABLE s_app.other (a integer);
CREATE INDEX s_tasks_status_idx ON s_app.tasks (status);
\set VERBOSITY default

-- a script as the tools print it: transaction, comments, settings, a
-- search_path that the names after it follow, the tools' bookkeeping
SELECT idx_apply_script($script$
BEGIN;
-- Running upgrade  -> 1a2b
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', 's_app', false);
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);
/* a composite index, equality columns first
   (CREATE INDEX hidden ON other (a) -- in a comment: not run) */
CREATE INDEX tasks_dept_status_type_idx ON tasks (dept, status, task_type);
CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_cust_decided_idx
    ON tasks (customer_id, decided DESC) INCLUDE (outcome);
SELECT idx_apply('CREATE INDEX tasks_enabled_idx ON s_app.tasks (customer_id) WHERE enabled',
                 ARRAY['SELECT * FROM s_app.tasks WHERE customer_id = $1 AND enabled'],
                 'shop.0002_partial');
INSERT INTO alembic_version (version_num) VALUES ('1a2b') RETURNING alembic_version.version_num;
UPDATE alembic_version SET version_num='3c4d' WHERE alembic_version.version_num = '1a2b';
INSERT INTO django_migrations (app, name, applied) VALUES ('shop', '0002', now());
COMMIT;
$script$, 'rev_1a2b');

SELECT id, migration, operation, schema_name, table_name, index_name, definition
  FROM idx_history ORDER BY id;
-- the script's search_path ended with the call
SHOW search_path;

-- all or nothing: a DROP TABLE between two CREATE INDEX is refused with its
-- line, and neither index is queued
SELECT idx_apply_script($script$
CREATE INDEX ON s_app.tasks (id);

DROP TABLE s_app.tasks;
CREATE INDEX ON s_app.tasks (dept);
$script$);
\echo :LAST_ERROR_SQLSTATE
-- a bad definition late in the script undoes the good ones before it
SELECT idx_apply_script($script$
CREATE INDEX ON s_app.tasks (id);
CREATE INDEX ON s_app.tasks (no_such_column);
$script$);
\echo :LAST_ERROR_SQLSTATE
-- a syntax error: its line, and the position in it
SELECT idx_apply_script($script$CREATE INDEX ON s_app.tasks (id);
CREATE INDEX ON s_app.tasks (dept;
$script$);
\echo :LAST_ERROR_SQLSTATE
-- statements in dollar quotes and strings are data, not statements
SELECT idx_apply_script($script$
DO $do$ BEGIN EXECUTE 'DROP TABLE s_app.tasks'; END $do$;
$script$);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script($script$SELECT 'CREATE INDEX ON s_app.tasks (id)';$script$);
\echo :LAST_ERROR_SQLSTATE
-- a SELECT that is not a plain call of set_config or idx_apply
SELECT idx_apply_script($script$SELECT idx_apply(d) FROM (VALUES ('CREATE INDEX ON s_app.tasks (id)')) v(d);$script$);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script($script$SELECT idx_apply('CREATE INDEX ON s_app.tasks (id)' || '');$script$);
\echo :LAST_ERROR_SQLSTATE
-- roles, rollback, string syntax, CASCADE
SELECT idx_apply_script($script$SET ROLE postgres; CREATE INDEX ON s_app.tasks (id);$script$);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script($script$BEGIN; CREATE INDEX ON s_app.tasks (id); ROLLBACK;$script$);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script($script$SET standard_conforming_strings = off;$script$);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script($script$DROP INDEX s_app.s_tasks_status_idx CASCADE;$script$);
\echo :LAST_ERROR_SQLSTATE
-- the search_path of the script decides: tasks is not on this one
SELECT idx_apply_script($script$SET search_path = public; CREATE INDEX ON tasks (id);$script$);
\echo :LAST_ERROR_SQLSTATE
-- 10,000 statements and a refusal at the end: its number and line
SELECT idx_apply_script(string_agg('SET statement_timeout = 0;', E'\n') || E'\nTRUNCATE s_app.tasks;')
  FROM generate_series(1, 10000);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script(NULL);
\echo :LAST_ERROR_SQLSTATE
-- pg_dump's \restrict and \unrestrict lines are skipped; other psql
-- commands are not SQL
SELECT count(*) FROM idx_apply_script(E'\\restrict K3y\nSET lock_timeout = 0;\n\\unrestrict K3y\n');
SELECT idx_apply_script(E'SET lock_timeout = 0;\n\\connect other\n');
\echo :LAST_ERROR_SQLSTATE
-- NUL bytes and invalid encodings never reach it: text refuses them
SELECT idx_apply_script(E'CREATE INDEX ON s_app.tasks (id);\000');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script(E'CREATE INDEX ON s_app.tasks (id); -- \xc3');
\echo :LAST_ERROR_SQLSTATE
-- nothing was queued by any of them
SELECT count(*) FROM idx_history;
-- an empty script (only comments) queues nothing and is no error
SELECT count(*) FROM idx_apply_script('-- nothing here' || E'\n' || '/* nor here */');

-- IF NOT EXISTS: the same index is a no-op (a NOTICE, no row, as for
-- idx_apply); a different one of that name is an error
SELECT idx_apply_script('CREATE INDEX IF NOT EXISTS s_tasks_status_idx ON s_app.tasks (status)');
SELECT idx_apply('CREATE INDEX IF NOT EXISTS s_tasks_status_idx ON s_app.tasks (status)');
SELECT idx_apply_script('CREATE INDEX IF NOT EXISTS s_tasks_status_idx ON s_app.tasks (dept)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE UNIQUE INDEX IF NOT EXISTS s_tasks_status_idx ON s_app.tasks (status)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script('CREATE INDEX IF NOT EXISTS s_tasks_status_idx ON s_app.other (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM idx_history;

-- DROP INDEX: an index index_advisor built is rolled back (its row becomes
-- rolled_back); any other gets a drop row of its own; IF EXISTS skips
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT idx_apply_script($script$
DROP INDEX CONCURRENTLY s_app.tasks_dept_status_type_idx;
DROP INDEX IF EXISTS s_app.no_such_idx;
DROP INDEX s_app.s_tasks_status_idx;
$script$, 'rev_down');
SELECT idx_apply_script('DROP INDEX s_app.no_such_idx');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script('DROP INDEX s_app.tasks');
\echo :LAST_ERROR_SQLSTATE
-- what DROP INDEX itself would refuse is refused now: an index that a
-- constraint needs, the index of a partition
CREATE TABLE s_app.keyed (id integer PRIMARY KEY);
CREATE TABLE s_app.parted (a integer) PARTITION BY RANGE (a);
CREATE TABLE s_app.parted1 PARTITION OF s_app.parted FOR VALUES FROM (0) TO (10);
CREATE INDEX s_parted_a_idx ON s_app.parted (a);
SELECT idx_apply_script('DROP INDEX s_app.keyed_pkey');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script('DROP INDEX s_app.parted1_a_idx');
\echo :LAST_ERROR_SQLSTATE
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT id, migration, operation, index_name, status, reverts
  FROM idx_history ORDER BY id;
SELECT relname FROM pg_class WHERE relnamespace = 's_app'::regnamespace AND relkind = 'i' ORDER BY 1;

-- the caller must own the table, as for idx_apply and idx_rollback
CREATE ROLE s_stranger;
GRANT USAGE ON SCHEMA s_app TO s_stranger;
SET ROLE s_stranger;
SELECT idx_apply_script('CREATE INDEX ON s_app.tasks (id)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script('DROP INDEX s_app.tasks_enabled_idx');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) FROM idx_history WHERE status = 'queued';
REVOKE USAGE ON SCHEMA s_app FROM s_stranger;
DROP ROLE s_stranger;
SET client_min_messages = warning;
DROP SCHEMA s_app CASCADE;
RESET client_min_messages;
