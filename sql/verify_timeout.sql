-- idx_check() is bounded and can be stopped: the planning of each stored
-- query is limited by index_advisor.check_timeout (superuser-set), which
-- makes a slow query a finding, and the whole check by
-- index_advisor.check_total_timeout, which leaves what had no time "not
-- checked"; a statement_timeout or query cancel during idx_check() or
-- idx_report() is never swallowed (test/t/176_safety_check_cancel.pl makes
-- one land together with check_timeout).
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
TRUNCATE idx_history, idx_snapshots, idx_findings RESTART IDENTITY;
\set VERBOSITY terse

-- an IMMUTABLE function the planner folds, slow when the session asks
CREATE TABLE v_slow (a integer);
INSERT INTO v_slow SELECT generate_series(1, 1000);
CREATE FUNCTION v_slow_fn(integer) RETURNS integer IMMUTABLE LANGUAGE plpgsql
AS $$BEGIN
    IF current_setting('regress_ia.slow', true) = 'on' THEN
        PERFORM pg_sleep(2);
    END IF;
    RETURN $1;
END$$;
SELECT idx_apply('CREATE INDEX v_slow_a_idx ON v_slow (a)',
                 ARRAY['SELECT * FROM v_slow WHERE a = v_slow_fn(1)'], 'v_timeout') AS slow_id \gset
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;

SHOW index_advisor.check_timeout;
SELECT kind, index_name FROM idx_check() WHERE table_name = 'v_slow';

-- the per-query limit: the slow query is a finding, the check goes on
SET regress_ia.slow = on;
SET index_advisor.check_timeout = '100ms';
SELECT kind, index_name, detail FROM idx_check() WHERE table_name = 'v_slow';
SELECT verdict, detail FROM idx_report('v_timeout');
SELECT * FROM idx_explain(:slow_id);
\echo :LAST_ERROR_SQLSTATE
RESET index_advisor.check_timeout;

-- the total limit: a query the check had no time for is "not checked", no
-- verdict; the row's open query_error finding stays as it was
SET index_advisor.check_total_timeout = '100ms';
SELECT kind, index_name, detail FROM idx_check() WHERE table_name = 'v_slow';
SELECT kind, resolved_at IS NULL AS open FROM idx_findings WHERE index_name = 'v_slow_a_idx' ORDER BY kind;
SELECT verdict, detail FROM idx_report('v_timeout');
RESET index_advisor.check_total_timeout;

-- statement_timeout stops idx_check() and idx_report(): 57014, not a finding
SET statement_timeout = '200ms';
SELECT kind, index_name, detail FROM idx_check() WHERE table_name = 'v_slow';
\echo :LAST_ERROR_SQLSTATE
SELECT verdict FROM idx_report('v_timeout');
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
RESET regress_ia.slow;
-- the failed check recorded nothing: the findings of the last complete
-- checks are still the ones open
SELECT kind, index_name, resolved_at IS NULL AS open FROM idx_findings WHERE index_name = 'v_slow_a_idx' ORDER BY kind;

-- only a superuser sets the limit
CREATE ROLE regress_ia_timeout;
SET ROLE regress_ia_timeout;
SET index_advisor.check_timeout = 0;
\echo :LAST_ERROR_SQLSTATE
SET index_advisor.check_total_timeout = 0;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_ia_timeout;

SET client_min_messages = warning;
CALL idx_wait();
DROP TABLE v_slow;
DROP FUNCTION v_slow_fn(integer);
RESET client_min_messages;
