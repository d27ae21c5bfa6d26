-- The life of a history row: queued -> waiting -> building -> done, or
-- failed / cancelled; rolled_back once idx_rollback's drop is done.
TRUNCATE idx_history RESTART IDENTITY;
\set SHOW_CONTEXT never
CREATE TABLE l_t (id integer, grp integer, code text);
INSERT INTO l_t SELECT g, g % 100, 'c' || g FROM generate_series(1, 20000) g;
INSERT INTO l_t VALUES (0, 0, 'c1');   -- one duplicated code

-- a row is queued in the caller's transaction; nothing is built before commit
BEGIN;
SELECT idx_apply('CREATE INDEX l_t_grp_idx ON l_t (grp)', migration => 'm1') AS id1 \gset
SELECT status, migration, operation FROM idx_history WHERE id = :id1;
SELECT id, status, index_name FROM idx_progress;
SELECT count(*) AS built_before_commit FROM pg_class WHERE relname = 'l_t_grp_idx';
COMMIT;

-- a caller that rolls back leaves neither a row nor an index
BEGIN;
SELECT idx_apply('CREATE INDEX l_t_never_idx ON l_t (code, grp)') IS NOT NULL AS queued;
ROLLBACK;

SELECT idx_apply('CREATE INDEX l_t_id_idx ON l_t (id)', migration => 'm1') AS id2 \gset
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT id, index_name, status, migration FROM idx_history ORDER BY id;
SELECT count(*) AS never_built FROM pg_class WHERE relname = 'l_t_never_idx';
SELECT count(*) AS progress_rows FROM idx_progress;

-- waiting for an unknown row, or for nothing, is clear
CALL idx_wait(999999);
\echo :LAST_ERROR_SQLSTATE
CALL idx_wait();
-- ... and it refuses to run inside a transaction block, where it would
-- hold up the build it waits for
BEGIN;
CALL idx_wait();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- a unique index on duplicated data fails: SQLSTATE, message and detail are
-- recorded, no INVALID index is left, and idx_wait raises the error
SELECT idx_apply('CREATE UNIQUE INDEX l_t_code_key ON l_t (code)') AS id3 \gset
SET client_min_messages = warning;
CALL idx_wait(:id3);
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT status, error_code, error_message, error_detail, finished_at IS NOT NULL AS finished
  FROM idx_history WHERE id = :id3;
SELECT count(*) AS leftovers FROM pg_class WHERE relname = 'l_t_code_key';
-- once the data is fixed, the same definition applies again
DELETE FROM l_t WHERE id = 0;
SELECT idx_apply('CREATE UNIQUE INDEX l_t_code_key ON l_t (code)') AS id4 \gset
SET client_min_messages = warning;
CALL idx_wait(:id4);
RESET client_min_messages;
SELECT status, error_code FROM idx_history WHERE id = :id4;

-- a queued row is cancelled at once and never built
BEGIN;
SELECT idx_apply('CREATE INDEX l_t_cancelled_idx ON l_t (grp, id)') AS id5 \gset
SELECT idx_cancel(:id5);
COMMIT;
SELECT status, error_code FROM idx_history WHERE id = :id5;
SET client_min_messages = warning;
CALL idx_wait(:id5);
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT count(*) AS cancelled_built FROM pg_class WHERE relname = 'l_t_cancelled_idx';
-- cancelling a row that has ended says so
SELECT idx_cancel(:id4);
SELECT idx_cancel(999999);
\echo :LAST_ERROR_SQLSTATE

-- the build settings in force at the call are kept for the build
SET index_advisor.maintenance_work_mem = '32MB';
SET index_advisor.lock_timeout = '5s';
SET index_advisor.max_parallel_maintenance_workers = 0;
SELECT idx_apply('CREATE INDEX l_t_code_grp_idx ON l_t (code, grp)') AS id6 \gset
RESET index_advisor.maintenance_work_mem;
RESET index_advisor.lock_timeout;
RESET index_advisor.max_parallel_maintenance_workers;
SELECT build_settings FROM idx_history WHERE id = :id6;
SET client_min_messages = warning;
CALL idx_wait(:id6);
RESET client_min_messages;

-- rollback of one index: DROP INDEX CONCURRENTLY through the workers
-- (queued, as seen before the transaction commits: a waiting worker takes
-- it at once after)
BEGIN;
SELECT idx_rollback(:id6) AS drop1 \gset
SELECT operation, status, reverts = :id6 AS reverts_it, definition FROM idx_history WHERE id = :drop1;
SAVEPOINT second;
SELECT idx_rollback(:id6);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT second;
COMMIT;
SET client_min_messages = warning;
CALL idx_wait(:drop1);
RESET client_min_messages;
SELECT id, operation, status FROM idx_history WHERE id IN (:id6, :drop1) ORDER BY id;
SELECT count(*) AS still_there FROM pg_class WHERE relname = 'l_t_code_grp_idx';
-- only a done create can be rolled back
SELECT idx_rollback(:id6);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_rollback(:id3);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_rollback(:drop1);
\echo :LAST_ERROR_SQLSTATE

-- rollback of a migration: every done index of it, newest first
SELECT idx_rollback('m1') AS drop_id;
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
SELECT id, operation, index_name, status, reverts FROM idx_history
 WHERE migration = 'm1' ORDER BY id;
SELECT count(*) AS m1_indexes FROM pg_class WHERE relname IN ('l_t_grp_idx', 'l_t_id_idx');
SELECT idx_rollback('m1');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_rollback('no_such_migration');
\echo :LAST_ERROR_SQLSTATE

-- an index dropped by hand can no longer be rolled back through us
DROP INDEX l_t_code_key;
SELECT idx_rollback(:id4);
\echo :LAST_ERROR_SQLSTATE

-- the wait gives up after its timeout, with the build still to come (it
-- may not start for 2 s: a build that ended within the first nap made this
-- flaky on a fast machine)
CREATE TABLE l_big AS SELECT g AS a, md5(g::text) AS b FROM generate_series(1, 300000) g;
SELECT idx_apply('CREATE INDEX l_big_b_idx ON l_big (b, a)',
                 not_before => now() + interval '2 seconds') AS id7 \gset
SET client_min_messages = warning;
CALL idx_wait(:id7, '10 milliseconds');
\echo :LAST_ERROR_SQLSTATE
CALL idx_wait(:id7);
RESET client_min_messages;
SELECT status FROM idx_history WHERE id = :id7;
SELECT count(*) AS invalid_indexes FROM pg_index WHERE NOT indisvalid;
