-- Gentle builds (doc/gentle.md): the build priority (per request, as a
-- session default, and a superuser's ceiling), not_before, and the
-- settings of the start conditions, with the errors bad values get.
-- (The priority really applied, the window, lag and backend conditions
-- with a worker: test/t/110_gentle.pl.)
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
TRUNCATE idx_history RESTART IDENTITY;
\set SHOW_CONTEXT never
CREATE ROLE regress_gentle_user LOGIN;
CREATE SCHEMA gentle AUTHORIZATION regress_gentle_user;
SET search_path = gentle, public;
SET ROLE regress_gentle_user;
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer, note text);
INSERT INTO orders SELECT g, g % 10, 'n' || g FROM generate_series(1, 100) g;

-- 1. the defaults
SHOW index_advisor.build_priority;
SHOW index_advisor.max_build_priority;
SHOW index_advisor.build_window;
SHOW index_advisor.max_replica_lag;
SHOW index_advisor.max_active_backends;

-- 2. priority: per request, stored with the row's build settings
BEGIN;
SELECT idx_apply('CREATE INDEX orders_customer_idx ON orders (customer_id)',
                 priority => 'low') AS low_id \gset
SELECT status, build_settings FROM idx_history WHERE id = :low_id;
ROLLBACK;
-- as this session's default for the requests it makes
SET index_advisor.build_priority = 'idle';
BEGIN;
SELECT idx_apply('CREATE INDEX orders_note_idx ON orders (note)') AS idle_id \gset
SELECT build_settings FROM idx_history WHERE id = :idle_id;
ROLLBACK;
RESET index_advisor.build_priority;
-- a priority that does not exist
SELECT idx_apply('CREATE INDEX ON orders (customer_id)', priority => 'fast');
\echo :LAST_ERROR_SQLSTATE
SET index_advisor.build_priority = 'fast';
\echo :LAST_ERROR_SQLSTATE
-- the ceiling is a superuser's: an ordinary role cannot change it
SET index_advisor.max_build_priority = 'normal';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET index_advisor.max_build_priority = 'low';
SET ROLE regress_gentle_user;
BEGIN;
-- normal asked, the ceiling given; idle asked (lower than the ceiling), idle given
SELECT idx_apply('CREATE INDEX orders_a_idx ON orders (customer_id)') AS cap_a \gset
SELECT idx_apply('CREATE INDEX orders_b_idx ON orders (note)', priority => 'idle') AS cap_b \gset
SELECT id, build_settings FROM idx_history WHERE id IN (:cap_a, :cap_b) ORDER BY id;
ROLLBACK;
RESET ROLE;
RESET index_advisor.max_build_priority;
SET ROLE regress_gentle_user;

-- 3. not_before: the row waits, and says why; idx_cancel ends it at once
SELECT idx_apply('CREATE INDEX orders_later_idx ON orders (customer_id)',
                 not_before => now() + interval '1 hour') AS later_id \gset
DO $$
BEGIN
    FOR i IN 1 .. 300 LOOP
        EXIT WHEN (SELECT wait_reason IS NOT NULL FROM idx_history
                    WHERE index_name = 'orders_later_idx');
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT status, wait_reason LIKE 'not before %' AS reason_shown, worker_pid IS NULL AS no_worker
  FROM idx_history WHERE id = :later_id;
SELECT status, wait_reason LIKE 'not before %' AS reason_shown
  FROM idx_progress WHERE id = :later_id;
SELECT idx_cancel(:later_id);
SELECT status, error_code FROM idx_history WHERE id = :later_id;
-- not_before must be a time
SELECT idx_apply('CREATE INDEX ON orders (customer_id)', not_before => 'infinity');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- 4. the start conditions are server settings (postgresql.conf, or
-- ALTER SYSTEM and a reload); bad values are refused with the rule
SET index_advisor.build_window = '01:00-05:00';
\echo :LAST_ERROR_SQLSTATE
LOAD 'index_advisor';
ALTER SYSTEM SET index_advisor.build_window = '25:00-05:00';
ALTER SYSTEM SET index_advisor.build_window = 'nightly';
ALTER SYSTEM SET index_advisor.build_window = '01:00-01:00';
ALTER SYSTEM SET index_advisor.build_window = '1:00-5';
ALTER SYSTEM SET index_advisor.max_replica_lag = -1;
ALTER SYSTEM SET index_advisor.max_replica_lag = '16 parsecs';
ALTER SYSTEM SET index_advisor.max_active_backends = -5;
ALTER SYSTEM SET index_advisor.build_priority = 'slow';
-- good values (wrapping around midnight too), then back to the defaults
ALTER SYSTEM SET index_advisor.build_window = '22:30-05:00';
ALTER SYSTEM SET index_advisor.max_replica_lag = '64MB';
ALTER SYSTEM SET index_advisor.max_active_backends = 20;
ALTER SYSTEM RESET index_advisor.build_window;
ALTER SYSTEM RESET index_advisor.max_replica_lag;
ALTER SYSTEM RESET index_advisor.max_active_backends;

DROP SCHEMA gentle CASCADE;
DROP ROLE regress_gentle_user;
