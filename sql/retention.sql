-- Retention (doc/limits.md): idx_prune() deletes ended history rows older
-- than index_advisor.history_retention (or its argument), in whole groups,
-- and keeps what idx_rollback still needs and every row not yet ended.
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
TRUNCATE idx_history RESTART IDENTITY;
\set SHOW_CONTEXT never
CREATE SCHEMA ret;
SET search_path = ret, public;
CREATE TABLE ret_t (id integer PRIMARY KEY, grp integer, code integer);
INSERT INTO ret_t SELECT g, g % 10, g % 50 FROM generate_series(1, 200) g;
CREATE TABLE ret_p (id integer, part integer) PARTITION BY LIST (part);
CREATE TABLE ret_p_1 PARTITION OF ret_p FOR VALUES IN (1);
CREATE TABLE ret_p_2 PARTITION OF ret_p FOR VALUES IN (2);
CREATE FUNCTION ret_slow(integer) RETURNS integer IMMUTABLE LANGUAGE plpgsql
    AS $$ BEGIN PERFORM pg_catalog.pg_sleep(0.1); RETURN $1; END $$;
-- wait, committing between polls, until a row is building
CREATE PROCEDURE ret_wait_building(row_id bigint) LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..600 LOOP
        IF EXISTS (SELECT FROM idx_history h
                    WHERE h.id = row_id AND h.status = 'building') THEN
            RETURN;
        END IF;
        COMMIT;
        CALL idx_wait_nap(100);
    END LOOP;
    RAISE EXCEPTION 'history row % never started building', row_id;
END $$;

-- one row (or group) of each kind
SELECT idx_apply('CREATE INDEX ret_kept_idx ON ret_t (grp)', migration => 'kept') AS kept \gset
SELECT idx_apply('CREATE INDEX ret_gone_idx ON ret_t (grp, id)') AS gone \gset
SELECT idx_apply('CREATE UNIQUE INDEX ret_failed_idx ON ret_t (code)') AS failed \gset
BEGIN;
SELECT idx_apply('CREATE INDEX ret_cancelled_idx ON ret_t (code, grp)') AS cancelled \gset
SELECT idx_cancel(:cancelled);
COMMIT;
SELECT idx_apply('CREATE INDEX ret_rolled_idx ON ret_t (code)') AS rolled \gset
-- in one transaction, so that no worker inserts the first one's partition
-- rows between the two ids (the ids below are stable)
BEGIN;
SELECT idx_apply('CREATE INDEX ret_p_kept_idx ON ret_p (id)') AS p_kept \gset
SELECT idx_apply('CREATE INDEX ret_p_rolled_idx ON ret_p (part, id)') AS p_rolled \gset
COMMIT;
SET client_min_messages = warning;
\set VERBOSITY sqlstate
CALL idx_wait(:failed);
\set VERBOSITY default
CALL idx_wait();
RESET client_min_messages;
SELECT idx_rollback(:rolled) AS rolled_drop \gset
SELECT idx_rollback(:p_rolled) AS p_rolled_drop \gset
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
-- an index dropped outside index_advisor: nothing left to roll back
DROP INDEX ret_gone_idx;
-- a build still running
SELECT idx_apply('CREATE INDEX ret_building_idx ON ret_t (ret_slow(id))') AS building \gset
CALL ret_wait_building(:building);

SELECT id, operation, parent_id IS NOT NULL AS part, reverts IS NOT NULL AS reverts, status, index_name
  FROM idx_history ORDER BY id;

-- only index_advisor_admin (and superusers) may prune; the age is not negative
CREATE ROLE regress_ret_user LOGIN;
CREATE ROLE regress_ret_admin LOGIN IN ROLE index_advisor_admin;
SET ROLE regress_ret_user;
SELECT idx_prune('1 day');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ret_admin;
SELECT idx_prune('1 day') AS pruned_by_admin;
RESET ROLE;
SELECT idx_prune('-1 day');
\echo :LAST_ERROR_SQLSTATE

-- nothing has ended long enough ago for the default retention (90 days)
SHOW index_advisor.history_retention;
SELECT idx_prune() AS pruned_default;

-- a row queued in an open transaction is never pruned
BEGIN;
SELECT idx_apply('CREATE INDEX ret_queued_idx ON ret_t (code, id)') AS queued \gset
SELECT idx_prune('0') > 0 AS pruned_some;
SELECT status FROM idx_history WHERE id = :queued;
ROLLBACK;

-- older than the retention: the failed and cancelled creates are pruned,
-- the rest are too recent
UPDATE idx_history SET finished_at = finished_at - interval '100 days'
 WHERE id IN (:failed, :cancelled, :kept);
SELECT idx_prune() AS pruned_by_retention;
-- index_advisor.history_retention = 0 keeps everything for ever
SET index_advisor.history_retention = 0;
SELECT idx_prune() AS pruned_never;
RESET index_advisor.history_retention;

-- everything that has ended, whatever its age: what stays is the done
-- create whose index exists, the partitioned one with its parts, and the
-- build still running
SELECT idx_prune('0') AS pruned_all;
SELECT id, operation, parent_id IS NOT NULL AS part, status, index_name
  FROM idx_history ORDER BY id;
-- and what stays can still be rolled back
SELECT idx_rollback('kept') IS NOT NULL AS rollback_queued;

SELECT idx_cancel(:building);
SET client_min_messages = warning;
\set VERBOSITY sqlstate
CALL idx_wait(:building);
\set VERBOSITY default
CALL idx_wait();
RESET client_min_messages;
SELECT count(*) AS leftovers FROM pg_class WHERE relname IN ('ret_building_idx', 'ret_kept_idx');

-- idx_prune() is meant to be scheduled, e.g. daily with pg_cron, by a
-- superuser or a member of index_advisor_admin
CREATE EXTENSION pg_cron;
SELECT cron.schedule('index_advisor_prune', '30 3 * * *', 'SELECT idx_prune()') > 0 AS scheduled;
SELECT jobname, schedule, command FROM cron.job;
SELECT cron.unschedule('index_advisor_prune');
DROP EXTENSION pg_cron;

DROP SCHEMA ret CASCADE;
DROP ROLE regress_ret_user;
DROP ROLE regress_ret_admin;
TRUNCATE idx_history RESTART IDENTITY;
