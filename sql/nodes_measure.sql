-- idx_explain(id, "analyze" => true, runs => n): each stored plain SELECT
-- is executed (read-only, rolled back) with the index and with it hidden,
-- and the median times compared; a DML query is never executed, nor one
-- that calls a volatile function; the time limit is honoured; bad
-- arguments get clear errors.  Times are compared, never printed.
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
TRUNCATE idx_history, idx_snapshots, idx_findings RESTART IDENTITY;
\set VERBOSITY terse

CREATE TABLE m_events (id integer PRIMARY KEY, account integer NOT NULL,
                       kind text NOT NULL, note text)
  WITH (autovacuum_enabled = false);
INSERT INTO m_events SELECT g, g % 20000, 'k' || (g % 7), repeat('x', 60)
  FROM generate_series(1, 200000) g;
-- the whole table is sampled: the statistics (and so the values chosen for
-- $n) never vary
SET default_statistics_target = 1000;
VACUUM ANALYZE m_events;
RESET default_statistics_target;
-- a write to m_events would leave a trace here
CREATE TABLE m_trace (at timestamptz, op text);
CREATE FUNCTION m_trace() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN INSERT INTO m_trace VALUES (now(), TG_OP); RETURN NULL; END$$;
CREATE TRIGGER m_trace AFTER INSERT OR UPDATE OR DELETE ON m_events
  FOR EACH STATEMENT EXECUTE FUNCTION m_trace();

SELECT idx_apply('CREATE INDEX m_events_account_idx ON m_events (account)',
                 ARRAY[
    'SELECT count(*) FROM m_events WHERE account = $1',
    'SELECT id, note FROM m_events WHERE account = 4242',
    'UPDATE m_events SET note = note WHERE account = $1',
    'DELETE FROM m_events WHERE account = 17',
    'WITH d AS (DELETE FROM m_events WHERE account = 18 RETURNING 1) SELECT count(*) FROM d',
    'SELECT id FROM m_events WHERE account = 5 FOR UPDATE',
    'SELECT count(*) FROM m_events WHERE account = $1 AND random() < 2'
                 ]) AS id \gset
SET client_min_messages = warning;
CALL idx_wait(:id);
RESET client_min_messages;

-- the SELECTs are measured: the index makes them faster (a scan of 10 rows
-- against a scan of 200,000: the factor checked is loose)
SELECT query, uses_index,
       time_ms > 0 AND time_without_index_ms > 0 AS timed,
       time_without_index_ms > 3 * time_ms AS faster_with_index,
       regexp_replace(measured, 'as role [^;]+', 'as role R') AS measured
  FROM idx_explain(:id, "analyze" => true, runs => 5);

-- nothing was written: no trigger fired, no row changed
SELECT count(*) AS writes FROM m_trace;
SELECT count(*) AS rows FROM m_events;
SELECT count(*) AS locked FROM pg_locks WHERE locktype = 'tuple';

-- positional, and without analyze: no times
SELECT count(*) FILTER (WHERE time_ms IS NULL) AS no_time, count(*) AS queries,
       count(measured) AS said
  FROM idx_explain(:id, false);

-- the time limit: planning and runs of one query within
-- index_advisor.check_timeout
SELECT idx_apply('CREATE INDEX m_events_kind_idx ON m_events (kind)',
                 ARRAY['SELECT count(*) FROM m_events a, m_events b WHERE a.account = $1 AND b.id < 150000']) AS slow \gset
SET client_min_messages = warning;
CALL idx_wait(:slow);
RESET client_min_messages;
SET index_advisor.check_timeout = '100ms';
SELECT measured FROM idx_explain(:slow, "analyze" => true, runs => 20);
RESET index_advisor.check_timeout;

-- bad arguments
SELECT * FROM idx_explain(:id, true, runs => 0);
SELECT * FROM idx_explain(:id, true, runs => 101);
SELECT * FROM idx_explain(NULL, true);
SELECT * FROM idx_explain(424242, true);
SELECT * FROM idx_explain(:id, analyze => true);

DROP TABLE m_events, m_trace;
DROP FUNCTION m_trace();
