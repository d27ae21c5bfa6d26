-- Limits (doc/limits.md): how many queries a request may store and how long
-- each may be; superuser ceilings on the build settings a request captures;
-- retention of ended history rows (idx_prune); settings the workers read
-- themselves cannot be SET in a session.
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
TRUNCATE idx_history RESTART IDENTITY;
\set SHOW_CONTEXT never
CREATE ROLE regress_lim_user LOGIN;
CREATE SCHEMA lim AUTHORIZATION regress_lim_user;
SET search_path = lim, public;
SET ROLE regress_lim_user;
CREATE TABLE lim_t (id integer PRIMARY KEY, grp integer, note text);
INSERT INTO lim_t SELECT g, g % 10, 'n' || g FROM generate_series(1, 100) g;
-- an IMMUTABLE function that takes its time: a build over 100 rows takes
-- at least 5 s
CREATE FUNCTION lim_slow(integer) RETURNS integer IMMUTABLE LANGUAGE plpgsql
    AS $$ BEGIN PERFORM pg_catalog.pg_sleep(0.05); RETURN $1; END $$;
RESET ROLE;

-- 1. limits on requests: the defaults, set by a superuser only
SHOW index_advisor.max_queries_per_index;
SHOW index_advisor.max_query_bytes;
SET ROLE regress_lim_user;
SET index_advisor.max_queries_per_index = 1000;
\echo :LAST_ERROR_SQLSTATE
SET index_advisor.max_query_bytes = '1MB';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- too many queries: 54000, naming the limit and the setting; nothing stored
SET index_advisor.max_queries_per_index = 2;
SET ROLE regress_lim_user;
SELECT idx_apply('CREATE INDEX ON lim_t (grp)',
                 ARRAY['SELECT * FROM lim_t WHERE grp = 1',
                       'SELECT * FROM lim_t WHERE grp = 2',
                       'SELECT * FROM lim_t WHERE grp = 3']);
\echo :LAST_ERROR_SQLSTATE
-- at the limit it is accepted (in a transaction rolled back: nothing built)
BEGIN;
SELECT idx_apply('CREATE INDEX ON lim_t (grp)',
                 ARRAY['SELECT * FROM lim_t WHERE grp = 1',
                       'SELECT * FROM lim_t WHERE grp = 2']) IS NOT NULL AS accepted;
ROLLBACK;
RESET ROLE;
RESET index_advisor.max_queries_per_index;

-- a query longer than index_advisor.max_query_bytes: 54000, nothing stored
SET index_advisor.max_query_bytes = 64;
SET ROLE regress_lim_user;
SELECT idx_apply('CREATE INDEX ON lim_t (grp)',
                 ARRAY['SELECT * FROM lim_t WHERE grp = 1',
                       'SELECT id, grp, note FROM lim_t WHERE grp = 1 AND note = ''a long constant''']);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
RESET index_advisor.max_query_bytes;
SELECT count(*) AS rows_stored FROM idx_history;

-- 2. ceilings on the build settings: a superuser sets them (here in the
-- session, then SET ROLE; usually in postgresql.conf or ALTER ROLE ... SET)
SHOW index_advisor.max_build_statement_timeout;
SET ROLE regress_lim_user;
SET index_advisor.max_build_statement_timeout = 0;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET index_advisor.max_build_statement_timeout = '2s';
SET index_advisor.max_build_lock_timeout = '1min';
SET index_advisor.max_build_maintenance_work_mem = '32MB';
SET index_advisor.max_build_parallel_maintenance_workers = 1;
SET index_advisor.max_build_maintenance_work_mem = '100kB';
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_lim_user;
BEGIN;
-- unset: each capped setting gets its ceiling (or the server's value if lower)
SELECT idx_apply('CREATE INDEX ON lim_t (grp)') AS cap_a \gset
SELECT build_settings FROM idx_history WHERE id = :cap_a;
-- asked for more: the ceiling
SET LOCAL index_advisor.statement_timeout = '1h';
SET LOCAL index_advisor.lock_timeout = 0;
SET LOCAL index_advisor.maintenance_work_mem = '1GB';
SET LOCAL index_advisor.max_parallel_maintenance_workers = 8;
SELECT idx_apply('CREATE INDEX ON lim_t (grp, id)') AS cap_b \gset
SELECT build_settings FROM idx_history WHERE id = :cap_b;
-- asked for less: what was asked
SET LOCAL index_advisor.statement_timeout = '1s';
SET LOCAL index_advisor.lock_timeout = '5s';
SET LOCAL index_advisor.maintenance_work_mem = '16MB';
SET LOCAL index_advisor.max_parallel_maintenance_workers = 0;
SELECT idx_apply('CREATE INDEX ON lim_t (grp, note)') AS cap_c \gset
SELECT build_settings FROM idx_history WHERE id = :cap_c;
ROLLBACK;

-- a slow build is stopped by the ceiling: 57014, no INVALID index left
SELECT idx_apply('CREATE INDEX lim_t_slow_idx ON lim_t (lim_slow(id))') AS slow_id \gset
SET client_min_messages = warning;
\set VERBOSITY sqlstate
CALL idx_wait(:slow_id);
\set VERBOSITY default
RESET client_min_messages;
SELECT status, error_code, error_message, build_settings
  FROM idx_history WHERE id = :slow_id;
SELECT count(*) AS leftovers FROM pg_class WHERE relname = 'lim_t_slow_idx';
RESET ROLE;
RESET index_advisor.max_build_statement_timeout;
RESET index_advisor.max_build_lock_timeout;
RESET index_advisor.max_build_maintenance_work_mem;
RESET index_advisor.max_build_parallel_maintenance_workers;

-- 5. max_workers and max_retries are read by the workers themselves: they
-- are set in postgresql.conf (or ALTER SYSTEM and a reload), never per
-- session
SET index_advisor.max_workers = 3;
\echo :LAST_ERROR_SQLSTATE
SET index_advisor.max_retries = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT name, setting, context FROM pg_settings
 WHERE name IN ('index_advisor.max_workers', 'index_advisor.max_retries',
                'index_advisor.max_queries_per_index', 'index_advisor.max_query_bytes',
                'index_advisor.max_build_statement_timeout',
                'index_advisor.max_build_lock_timeout',
                'index_advisor.max_build_maintenance_work_mem',
                'index_advisor.max_build_parallel_maintenance_workers',
                'index_advisor.history_retention')
 ORDER BY name;

-- a ceiling set per role holds even against a SET made in a new session
-- before the library is loaded (the SET is refused when it loads)
SELECT current_user AS su \gset
ALTER ROLE regress_lim_user SET index_advisor.max_build_statement_timeout = '3s';
\c - regress_lim_user
SET index_advisor.max_build_statement_timeout = 0;
SET index_advisor.max_workers = 8;
SET search_path = lim, public;
SELECT idx_apply('CREATE INDEX lim_t_late_idx ON lim_t (note)') AS late_id \gset
SHOW index_advisor.max_build_statement_timeout;
SHOW index_advisor.max_workers;
SELECT build_settings FROM idx_history WHERE id = :late_id;
SET client_min_messages = warning;
CALL idx_wait(:late_id);
RESET client_min_messages;
\c - :su
ALTER ROLE regress_lim_user RESET ALL;

DROP SCHEMA lim CASCADE;
TRUNCATE idx_history RESTART IDENTITY;
DROP ROLE regress_lim_user;
