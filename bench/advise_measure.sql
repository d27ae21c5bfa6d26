-- bench/advise_measure.sql -- run by bench/advise.sh after a workload
-- (advise_workload.sql, advise_dss.sql: bench_queries and bench_expert):
-- builds each index set for real (no hypothetical index in the
-- comparison), measures the planned cost of every statement with it, and
-- times idx_advise.  Prints markdown.
--
-- Every set is measured on the same statistics, and the advisor and the
-- baseline are run on them too, so that a difference between two sets is
-- the sets' and not ANALYZE's: ANALYZE reads a random sample of 300 ×
-- statistics target rows (30,000 at the default 100), and a new sample
-- moves the estimates (statement 3 of the decision-support workload cost
-- 1,070 to 1,313 over six ANALYZEs with the same index).  So:
--   * statistics from every row, at the default statistics targets:
--     the sample is 300 × the largest target among the columns ANALYZE
--     reads, so on each table with more rows than the default sample,
--     bench_analyze_table() reads it twice, each time with one column's
--     target raised to ceil(rows / 300) and keeping from that pass only
--     the other columns' statistics (made at the default target, from all
--     the rows), then puts the targets back.  Every list and histogram has
--     the size a default ANALYZE gives (bench2's first version kept one
--     column per table at the raised target: MCV lists of thousands of
--     entries made join planning, and so the advisor, 5 times slower on
--     TPC-H); ANALYZE is then the same every time on the same data;
--   * taken once, before anything runs, and fingerprinted (bench_stats():
--     the tables' pg_statistic rows and pg_class figures);
--   * pg_qualstats' feed runs each statement once, rolled back; VACUUM and
--     ANALYZE after it put the tables back as they were, and the
--     fingerprint must come out the same;
--   * after building a set, only what the set adds is refreshed: the same
--     ANALYZE of the tables where it built an index on an expression (the
--     planner needs the expression's statistics, from every row at the
--     default target; the table's columns come out the same).  Before
--     measuring, the fingerprint must be the one the advisor saw, else
--     the run stops.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE FUNCTION bench_cost(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    j json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO j;
    RETURN (j -> 0 -> 'Plan' ->> 'Total Cost')::float8;
END $$;

CREATE TABLE bench_sets (set_name text, definition text, est_size bigint);
CREATE TABLE bench_costs (set_name text, qno int, cost float8);
CREATE TABLE bench_built (set_name text, definition text, est_size bigint, real_size bigint);

-- of a set s, measured: its geometric mean of cost / no index's; how many
-- statements it leaves over 1.1x the expert's where an index helps (the
-- expert's at least 5 % below no index); and a statement's flag
CREATE FUNCTION bench_geomean(s text) RETURNS numeric LANGUAGE sql AS $$
    SELECT round(exp(avg(ln(x.cost / n.cost)))::numeric, 3)
      FROM bench_costs x
      JOIN bench_costs n ON n.qno = x.qno AND n.set_name = 'none'
     WHERE x.set_name = s
$$;
CREATE FUNCTION bench_over(s text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM bench_costs x
      JOIN bench_costs e ON e.qno = x.qno AND e.set_name = 'expert'
      JOIN bench_costs n ON n.qno = x.qno AND n.set_name = 'none'
     WHERE x.set_name = s AND e.cost < 0.95 * n.cost AND x.cost > 1.1 * e.cost
$$;
CREATE FUNCTION bench_flag(cost float8, expert float8, bare float8) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE WHEN expert < 0.95 * bare AND cost > 1.1 * expert THEN ' **over 1.1×**'
                WHEN expert >= 0.95 * bare THEN ' (no index helps)' ELSE '' END
$$;

-- the workload's tables: public, not ours (bench_*), not an extension's
CREATE FUNCTION bench_tables() RETURNS SETOF regclass LANGUAGE sql AS $$
    SELECT c.oid::regclass FROM pg_class c
     WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
       AND c.relname NOT LIKE 'bench%'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype = 'e')
     ORDER BY c.relname
$$;

-- what the planner reads of those tables: their statistics and their
-- pg_class figures (pages, rows, all-visible pages)
CREATE FUNCTION bench_stats() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(x, '|' ORDER BY x))
      FROM (SELECT format('%s %s %s %s', c.relname, c.relpages, c.reltuples, c.relallvisible)
              FROM pg_class c WHERE c.oid IN (SELECT bench_tables())
            UNION ALL
            SELECT format('%s %s', s.starelid::regclass, s::text)
              FROM pg_statistic s WHERE s.starelid IN (SELECT bench_tables())) f(x)
$$;

-- ANALYZE of one table from every row, at the default statistics targets
-- (see the header).  ANALYZE samples 300 x the largest target among the
-- columns it analyzes, so: pass 1 raises the target of the table's second
-- column to ceil(rows / 300) and analyzes the table (every column from
-- every row, all but the second at the default target; index expressions
-- too); pass 2 raises the first column's instead and analyzes the first
-- two columns (the second now at the default target); the first column's
-- row of pass 1 then goes back in, since pass 2 wrote it at the raised
-- target.  Meanwhile pass 1's row waits under attribute number -1000,
-- which no column has and ANALYZE does not write (a row of pg_statistic,
-- with its anyarray columns, cannot be copied to a table of ours).  Both
-- targets then go back to the default: every pg_statistic row of the
-- table has the size a default ANALYZE gives.
CREATE PROCEDURE bench_analyze_table(t regclass) LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    c1 name;
    c2 name;
    k int;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s', t) INTO n;
    k := ceil(n / 300.0);
    IF k <= current_setting('default_statistics_target')::int THEN
        EXECUTE format('ANALYZE %s', t);   -- the default sample reads every row
        RETURN;
    END IF;
    IF k > 10000 THEN
        RAISE EXCEPTION 'table % has % rows: a statistics target (at most 10000) cannot read them all', t, n;
    END IF;
    SELECT attname INTO c1 FROM pg_attribute
     WHERE attrelid = t AND attnum > 0 AND NOT attisdropped ORDER BY attnum LIMIT 1;
    SELECT attname INTO c2 FROM pg_attribute
     WHERE attrelid = t AND attnum > 0 AND NOT attisdropped AND attname <> c1 ORDER BY attnum LIMIT 1;
    IF c2 IS NULL THEN
        RAISE EXCEPTION 'table % has one column: two are needed to read every row at the default statistics targets', t;
    END IF;
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS %s', t, c2, k);
    EXECUTE format('ANALYZE %s', t);
    UPDATE pg_statistic SET staattnum = -1000
     WHERE starelid = t AND staattnum = (SELECT attnum FROM pg_attribute WHERE attrelid = t AND attname = c1);
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS -1', t, c2);
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS %s', t, c1, k);
    EXECUTE format('ANALYZE %s (%I, %I)', t, c1, c2);
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS -1', t, c1);
    DELETE FROM pg_statistic
     WHERE starelid = t AND staattnum = (SELECT attnum FROM pg_attribute WHERE attrelid = t AND attname = c1);
    UPDATE pg_statistic SET staattnum = (SELECT attnum FROM pg_attribute WHERE attrelid = t AND attname = c1)
     WHERE starelid = t AND staattnum = -1000;
END $$;

CREATE PROCEDURE bench_analyze() LANGUAGE plpgsql AS $$
DECLARE
    t regclass;
BEGIN
    FOR t IN SELECT bench_tables() LOOP
        CALL bench_analyze_table(t);
    END LOOP;
END $$;

CALL bench_analyze();
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid IN (SELECT bench_tables())
                AND attnum > 0 AND attstattarget <> -1) THEN
        RAISE EXCEPTION 'a column of the workload kept a statistics target of its own';
    END IF;
END $$;
CREATE TABLE bench_stats_seen (what text, fingerprint text);
INSERT INTO bench_stats_seen VALUES ('first ANALYZE', bench_stats());

-- none: the tables as they are (primary keys, products.sku unique)
INSERT INTO bench_sets VALUES ('none', NULL, NULL);
INSERT INTO bench_sets SELECT 'expert', definition, NULL FROM bench_expert;

-- advised: idx_advise over the statements, up to 20 indexes, timed in
-- a new session, as it was before the statistics step above (whose
-- count(*) and ANALYZE load the tables into this session's caches)
CREATE TABLE bench_speed (what text, ms float8);
\connect
SET client_min_messages = warning;
DO $$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    INSERT INTO bench_sets
    SELECT 'advised', definition, est_size
      FROM idx_advise((SELECT array_agg(query ORDER BY qno) FROM bench_queries),
                      max_indexes => 20)
     WHERE rank IS NOT NULL;   -- creates only: drop rows have no rank
    INSERT INTO bench_speed VALUES
        ('idx_advise, all statements at once',
         extract(epoch FROM clock_timestamp() - t0) * 1000);
END $$;

-- baseline: what supabase's index_advisor does, with HypoPG: for each
-- statement, a hypothetical single-column index on every column of every
-- table it names; keep the ones the plan uses
DO $$
DECLARE
    r record;
    t text;
    c text;
    j text;
    m text[];
BEGIN
    FOR r IN SELECT * FROM bench_queries ORDER BY qno LOOP
        PERFORM hypopg_reset();
        FOR t IN SELECT relname FROM pg_class
                  WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
                    AND relname NOT LIKE 'bench%'
                    AND r.query ~ ('\m' || relname || '\M') LOOP
            FOR c IN SELECT attname FROM pg_attribute
                      WHERE attrelid = t::regclass AND attnum > 0 AND NOT attisdropped
                        AND atttypid <> 'jsonb'::regtype LOOP
                PERFORM hypopg_create_index(format('CREATE INDEX ON %I (%I)', t, c));
            END LOOP;
        END LOOP;
        EXECUTE 'EXPLAIN (FORMAT JSON) ' || r.query INTO j;
        FOR m IN SELECT regexp_matches(j, '"Index Name": "<(\d+)>', 'g') LOOP
            INSERT INTO bench_sets
            SELECT 'baseline', hypopg_get_indexdef(m[1]::oid), NULL
             WHERE NOT EXISTS (SELECT 1 FROM bench_sets
                                WHERE set_name = 'baseline'
                                  AND definition = hypopg_get_indexdef(m[1]::oid));
        END LOOP;
    END LOOP;
    PERFORM hypopg_reset();
END $$;

-- pg_qualstats: Debian's pg_qualstats 2.0.4 (preloaded, sample_rate 1)
-- records the quals of each statement run, with their real constants; run
-- every statement once (an UPDATE or DELETE rolled back: each in a
-- savepoint, the whole in a transaction that is rolled back), each as a
-- statement of its own bounded by statement_timeout (30 s: TPC-H's query
-- 20 runs for minutes without an index; a statement cancelled records
-- nothing), then take pg_qualstats_index_advisor()'s indexes at its
-- defaults. bench_fed counts the statements that ran to the end (a
-- sequence: not rolled back).
CREATE SEQUENCE bench_fed;
SELECT pg_qualstats_reset() \g /dev/null
\set ON_ERROR_STOP off
\set VERBOSITY terse
\o /dev/null
BEGIN;
SET LOCAL statement_timeout = '30s';
SELECT 'SAVEPOINT bench_feed', query, 'SELECT nextval(''bench_fed'')',
       'ROLLBACK TO SAVEPOINT bench_feed'
  FROM bench_queries ORDER BY qno \gexec
ROLLBACK;
\o
\set VERBOSITY default
\set ON_ERROR_STOP on
INSERT INTO bench_sets
SELECT DISTINCT 'qualstats', d, NULL::bigint
  FROM json_array_elements_text(pg_qualstats_index_advisor() -> 'indexes') d;

-- what the feed's rolled-back writes left (dead rows, pages no longer
-- all-visible) is undone by VACUUM, and ANALYZE must then give the
-- statistics the advisor saw.  INDEX_CLEANUP ON: with as few dead rows as
-- these VACUUM skips the indexes and keeps the dead line pointers, and the
-- page does not become all-visible again (orders' relallvisible 169 -> 168
-- after the rolled-back UPDATE of statement 15 of the OLTP workload).
VACUUM (INDEX_CLEANUP ON);
CALL bench_analyze();
INSERT INTO bench_stats_seen VALUES ('after the feed, VACUUM and ANALYZE again', bench_stats());
DO $$
BEGIN
    IF (SELECT count(DISTINCT fingerprint) FROM bench_stats_seen) > 1 THEN
        RAISE EXCEPTION 'ANALYZE gave other statistics the second time: the sample did not read every row, or the feed left something VACUUM did not undo';
    END IF;
END $$;

-- build one set for real, measure every statement, drop it again
CREATE PROCEDURE bench_measure(s text) LANGUAGE plpgsql AS $$
DECLARE
    d record;
    before oid[];
    idx oid;
BEGIN
    SELECT array_agg(indexrelid) INTO before FROM pg_index;
    FOR d IN SELECT * FROM bench_sets WHERE set_name = s AND definition IS NOT NULL LOOP
        EXECUTE d.definition;
        SELECT max(i.indexrelid) INTO idx FROM pg_index i
         WHERE i.indexrelid <> ALL (before);
        INSERT INTO bench_built VALUES (s, d.definition, d.est_size, pg_relation_size(idx));
        before := before || idx;
    END LOOP;
    -- what the set adds: statistics of its expressions
    FOR d IN SELECT DISTINCT i.indrelid::regclass AS tbl FROM pg_index i
              WHERE i.indrelid IN (SELECT bench_tables()) AND i.indexprs IS NOT NULL LOOP
        CALL bench_analyze_table(d.tbl);
    END LOOP;
    IF bench_stats() IS DISTINCT FROM (SELECT fingerprint FROM bench_stats_seen LIMIT 1) THEN
        RAISE EXCEPTION 'the statistics of the tables changed before set % was measured', s;
    END IF;
    INSERT INTO bench_costs SELECT s, qno, bench_cost(query) FROM bench_queries;
    FOR d IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
              WHERE c.relnamespace = 'public'::regnamespace
                AND NOT i.indisprimary AND NOT i.indisunique LOOP
        EXECUTE format('DROP INDEX %s', d.name);
    END LOOP;
END $$;
CALL bench_measure('none');
CALL bench_measure('advised');
CALL bench_measure('expert');
CALL bench_measure('baseline');
CALL bench_measure('qualstats');

-- advised within the expert's bytes: idx_advise with budget => the real
-- size of the expert's set, built above
DO $$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    INSERT INTO bench_sets
    SELECT 'advised_budget', definition, est_size
      FROM idx_advise((SELECT array_agg(query ORDER BY qno) FROM bench_queries),
                      budget => (SELECT sum(real_size) FROM bench_built WHERE set_name = 'expert')::bigint,
                      max_indexes => 20)
     WHERE rank IS NOT NULL;   -- creates only (rows without a rank are no index to build)
    INSERT INTO bench_speed VALUES
        ('idx_advise within the expert''s bytes',
         extract(epoch FROM clock_timestamp() - t0) * 1000);
END $$;
CALL bench_measure('advised_budget');

-- speed: idx_advise on each statement alone, median of :runs runs each
SET bench.runs = :runs;
DO $$
DECLARE
    r record;
    t0 timestamptz;
    runs float8[];
BEGIN
    FOR r IN SELECT * FROM bench_queries ORDER BY qno LOOP
        runs := '{}';
        FOR i IN 1 .. current_setting('bench.runs')::int LOOP
            t0 := clock_timestamp();
            PERFORM count(*) FROM idx_advise(r.query);
            runs := runs || extract(epoch FROM clock_timestamp() - t0) * 1000;
        END LOOP;
        INSERT INTO bench_speed
        SELECT 'idx_advise, one statement: ' || r.qno,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(runs) x;
    END LOOP;
END $$;

\echo
SELECT format('Statistics from every row at the default statistics target %s (lists and histograms of the usual size; every target is the default when the advisor runs), the same for every set and for the advisor (fingerprint %s, checked before each set is measured); tables read in two passes: %s.',
              current_setting('default_statistics_target'),
              left((SELECT fingerprint FROM bench_stats_seen LIMIT 1), 8),
              coalesce((SELECT string_agg(format('`%s` (%s rows)', t, to_char(c.reltuples, 'FM999,999,999')), ', ' ORDER BY t::text)
                          FROM bench_tables() t JOIN pg_class c ON c.oid = t
                         WHERE c.reltuples > 300 * current_setting('default_statistics_target')::int),
                       'none (no table has more rows than the default sample)')) \g (tuples_only=on format=unaligned)
\echo
\echo '| # | statement | no index | idx_advise | idx_advise within the expert''s bytes | expert | single-column baseline | pg_qualstats | advised / expert |'
\echo '|---|---|---:|---:|---:|---:|---:|---:|---:|'
SELECT format('| %s | `%s` | %s | %s | %s | %s | %s | %s | %s%s |', q.qno,
              left(q.query, 70) || CASE WHEN length(q.query) > 70 THEN '…' ELSE '' END,
              round(n.cost::numeric, 1), round(a.cost::numeric, 1),
              round(ab.cost::numeric, 1),
              round(e.cost::numeric, 1), round(b.cost::numeric, 1),
              round(p.cost::numeric, 1),
              round((a.cost / e.cost)::numeric, 2), bench_flag(a.cost, e.cost, n.cost))
  FROM bench_queries q
  JOIN bench_costs n ON n.qno = q.qno AND n.set_name = 'none'
  JOIN bench_costs a ON a.qno = q.qno AND a.set_name = 'advised'
  JOIN bench_costs e ON e.qno = q.qno AND e.set_name = 'expert'
  JOIN bench_costs b ON b.qno = q.qno AND b.set_name = 'baseline'
  JOIN bench_costs p ON p.qno = q.qno AND p.set_name = 'qualstats'
  JOIN bench_costs ab ON ab.qno = q.qno AND ab.set_name = 'advised_budget'
 ORDER BY q.qno \g (tuples_only=on format=unaligned)
SELECT format('| | **total** | %s | %s | %s | %s | %s | %s | %s |',
              round(sum(cost) FILTER (WHERE set_name = 'none')::numeric, 1),
              round(sum(cost) FILTER (WHERE set_name = 'advised')::numeric, 1),
              round(sum(cost) FILTER (WHERE set_name = 'advised_budget')::numeric, 1),
              round(sum(cost) FILTER (WHERE set_name = 'expert')::numeric, 1),
              round(sum(cost) FILTER (WHERE set_name = 'baseline')::numeric, 1),
              round(sum(cost) FILTER (WHERE set_name = 'qualstats')::numeric, 1),
              round((sum(cost) FILTER (WHERE set_name = 'advised') /
                     sum(cost) FILTER (WHERE set_name = 'expert'))::numeric, 2))
  FROM bench_costs \g (tuples_only=on format=unaligned)
\echo
\echo '| index set | indexes | real size (kB) | geometric mean of cost / no index | statements over 1.1× the expert where an index helps |'
\echo '|---|---:|---:|---:|---:|'
SELECT format('| %s | %s | %s | %s | %s |', s.set_name, count(b.definition),
              coalesce(sum(b.real_size) / 1024, 0)::bigint,
              bench_geomean(s.set_name), bench_over(s.set_name))
  FROM (VALUES ('advised'), ('advised_budget'), ('expert'), ('baseline'), ('qualstats')) s(set_name)
  LEFT JOIN bench_built b ON b.set_name = s.set_name
 GROUP BY s.set_name ORDER BY s.set_name \g (tuples_only=on format=unaligned)
\echo
\echo 'Advised indexes (estimated size by the advisor vs real size once built):'
\echo
\echo '| definition | estimated kB | real kB | est / real |'
\echo '|---|---:|---:|---:|'
SELECT format('| `%s` | %s | %s | %s |', definition, est_size / 1024, real_size / 1024,
              round(est_size::numeric / nullif(real_size, 0), 2))
  FROM bench_built WHERE set_name = 'advised' ORDER BY definition \g (tuples_only=on format=unaligned)
\echo
SELECT format('Median idx_advise time per statement (each alone, median of %s runs): **%s ms** (max %s ms); all %s at once (the time for the workload): **%s ms**.',
              :runs,
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2),
              round(max(ms)::numeric, 1),
              (SELECT count(*) FROM bench_queries),
              (SELECT round(ms::numeric, 0) FROM bench_speed WHERE what LIKE 'idx_advise, all%'))
              || format(' Within the expert''s bytes: %s ms.',
                        (SELECT round(ms::numeric, 0) FROM bench_speed WHERE what LIKE '%expert''s bytes'))
              || (SELECT format(' pg_qualstats was fed %s of the %s statements%s.', f.n, q.n,
                                CASE WHEN f.n < q.n THEN ' (the others ran over 30 s)' ELSE '' END)
                    FROM (SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM bench_fed) f,
                         (SELECT count(*) AS n FROM bench_queries) q)
  FROM bench_speed WHERE what LIKE 'idx_advise, one statement%' \g (tuples_only=on format=unaligned)
