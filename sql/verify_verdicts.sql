-- idx_check reuses a row's verdict while nothing it was planned from has
-- changed (src/check/verdicts.c), and plans it again when something did:
-- statistics (ANALYZE), the table's indexes, a function the query calls,
-- the extension's settings.  The stored query calls an IMMUTABLE function
-- that the planner folds; its NOTICE shows each time the query is planned.
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
\set VERBOSITY terse

CREATE TABLE v_kept (a integer NOT NULL, b integer NOT NULL)
    WITH (autovacuum_enabled = false);
INSERT INTO v_kept SELECT g, g % 7 FROM generate_series(1, 20000) g;
ANALYZE v_kept;
CREATE FUNCTION v_kept_folded(i integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RAISE NOTICE 'planning: folded v_kept_folded(%)', i;
    RETURN i;
END
$$;

SET client_min_messages = warning;
SELECT idx_apply('CREATE INDEX v_kept_a_idx ON v_kept (a)',
                 ARRAY['SELECT * FROM v_kept WHERE a = v_kept_folded(42)'],
                 'v_kept') > 0 AS queued;
CALL idx_wait();
RESET client_min_messages;

-- the first check plans the query (one NOTICE), the second plans nothing
SELECT kind, index_name FROM idx_check() WHERE table_name = 'v_kept';
SELECT kind, index_name FROM idx_check() WHERE table_name = 'v_kept';

-- new statistics: planned again, once
ANALYZE v_kept;
SELECT kind, index_name FROM idx_check() WHERE table_name = 'v_kept';
SELECT kind, index_name FROM idx_check() WHERE table_name = 'v_kept';

-- a new index on the table: planned again, and the planner now prefers it,
-- which the check reports as before (a regression)
CREATE INDEX v_kept_a_b_idx ON v_kept (a, b);
SELECT kind, index_name, detail FROM idx_check() WHERE table_name = 'v_kept';
SELECT kind, index_name, detail FROM idx_check() WHERE table_name = 'v_kept';
DROP INDEX v_kept_a_b_idx;
SELECT kind, index_name FROM idx_check() WHERE table_name = 'v_kept';

-- the folded function replaced: planned again
CREATE OR REPLACE FUNCTION v_kept_folded(i integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RAISE NOTICE 'planning: folded the new v_kept_folded(%)', i;
    RETURN i;
END
$$;
SELECT kind, index_name FROM idx_check() WHERE table_name = 'v_kept';
SELECT kind, index_name FROM idx_check() WHERE table_name = 'v_kept';

-- another bound for the check: planned again under it
SET index_advisor.check_total_timeout = '59s';
SELECT kind, index_name FROM idx_check() WHERE table_name = 'v_kept';
RESET index_advisor.check_total_timeout;

-- every check recorded the same verdict, reused or not
SELECT queries_total, queries_using, queries_not_checked, count(*) AS checks
  FROM idx_snapshots WHERE table_name = 'v_kept'
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

-- idx_report shows it too, whether planned or reused
SELECT index_name, queries_total, queries_using
  FROM idx_report() WHERE table_name = 'v_kept';

DROP TABLE v_kept;
DROP FUNCTION v_kept_folded(integer);
