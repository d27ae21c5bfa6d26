-- bench/advise_pss.sql -- run by bench/advise.sh after advise_measure.sql
-- in the multi-tenant workload's database (advise_tenant.sql): the same
-- statements as pg_stat_statements records them.  Each statement runs
-- :calls times (each in a savepoint rolled back, the whole in a
-- transaction rolled back), as the application would have sent it, then
-- idx_advise_workload() advises from what pg_stat_statements stored
-- (normalised texts: every constant a $n) -- once with pg_qualstats'
-- recorded constants (it is loaded, at sample_rate 1), once without them
-- (pg_qualstats_reset(): the statistics alone) -- and both sets are built
-- for real and measured as advise_measure.sql measures the others, on the
-- 25 statements as the application sent them, on the same statistics
-- (bench_measure checks the fingerprint).  Prints markdown.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- only the workload's statements: utility statements (the savepoints) not
-- tracked; what else this feed records (its own \gexec query) runs once
-- and is removed below
SET pg_stat_statements.track_utility = off;
SELECT pg_stat_statements_reset() \g /dev/null
SELECT pg_qualstats_reset() \g /dev/null
CREATE SEQUENCE bench_pss_fed;
\set ON_ERROR_STOP off
\set VERBOSITY terse
\o /dev/null
BEGIN;
SET LOCAL statement_timeout = '30s';
SELECT 'SAVEPOINT bench_feed', query, 'SELECT nextval(''bench_pss_fed'')',
       'ROLLBACK TO SAVEPOINT bench_feed'
  FROM bench_queries, generate_series(1, :calls) ORDER BY qno \gexec
ROLLBACK;
\o
\set VERBOSITY default
\set ON_ERROR_STOP on
SET pg_stat_statements.track = 'none';
-- what ran another number of times than the workload's statements is the
-- feed's own (its \\gexec query once, its nextval() once per statement)
SELECT pg_stat_statements_reset(userid, dbid, queryid)
  FROM pg_stat_statements WHERE calls <> :calls \g /dev/null
CREATE TABLE bench_pss_recorded AS
SELECT query, calls FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database());
VACUUM (INDEX_CLEANUP ON);
CALL bench_analyze();

-- each set: idx_advise_workload(top => 100, max_indexes => 20), timed in a
-- new session as idx_advise is; its rows without a rank (a reason, a
-- statement it could not advise on) kept for the report
CREATE TABLE bench_pss_rows (set_name text, rank int, definition text, note text, queries text[]);
CREATE PROCEDURE bench_pss_advise(s text, what text) LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    INSERT INTO bench_pss_rows
    SELECT s, rank, definition, note, queries
      FROM idx_advise_workload(top => 100, max_indexes => 20);
    INSERT INTO bench_speed VALUES (what, extract(epoch FROM clock_timestamp() - t0) * 1000);
END $$;
\connect
SET client_min_messages = warning;
SET pg_stat_statements.track = 'none';
CALL bench_pss_advise('workload_qualstats', 'idx_advise_workload, with pg_qualstats');
SELECT pg_qualstats_reset() \g /dev/null
CALL bench_pss_advise('workload', 'idx_advise_workload, statistics only');
INSERT INTO bench_sets
SELECT set_name, definition, NULL FROM bench_pss_rows WHERE rank IS NOT NULL;
CALL bench_measure('workload');
CALL bench_measure('workload_qualstats');

\echo
SELECT format('The same %s statements run %s times each (%s ran to the end), then `idx_advise_workload(top => 100, max_indexes => 20)` on what pg_stat_statements recorded (%s entries): with pg_qualstats'' recorded constants, and without them (`pg_qualstats_reset()` first: the statistics alone); each set built and measured on the statements as sent.',
              (SELECT count(*) FROM bench_queries), :calls,
              (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM bench_pss_fed),
              (SELECT count(*) FROM bench_pss_recorded)) \g (tuples_only=on format=unaligned)
\echo
\echo '| # | statement | no index | idx_advise (statements given) | idx_advise_workload | idx_advise_workload with pg_qualstats | expert | workload / expert |'
\echo '|---|---|---:|---:|---:|---:|---:|---:|'
SELECT format('| %s | `%s` | %s | %s | %s | %s | %s | %s%s |', q.qno,
              left(q.query, 70) || CASE WHEN length(q.query) > 70 THEN '…' ELSE '' END,
              round(n.cost::numeric, 1), round(a.cost::numeric, 1),
              round(w.cost::numeric, 1), round(wq.cost::numeric, 1),
              round(e.cost::numeric, 1), round((w.cost / e.cost)::numeric, 2),
              bench_flag(w.cost, e.cost, n.cost))
  FROM bench_queries q
  JOIN bench_costs n ON n.qno = q.qno AND n.set_name = 'none'
  JOIN bench_costs a ON a.qno = q.qno AND a.set_name = 'advised'
  JOIN bench_costs w ON w.qno = q.qno AND w.set_name = 'workload'
  JOIN bench_costs wq ON wq.qno = q.qno AND wq.set_name = 'workload_qualstats'
  JOIN bench_costs e ON e.qno = q.qno AND e.set_name = 'expert'
 ORDER BY q.qno \g (tuples_only=on format=unaligned)
SELECT format('| | **total** | %s | %s | %s | %s | %s | %s |',
              round(sum(cost) FILTER (WHERE set_name = 'none')::numeric, 1),
              round(sum(cost) FILTER (WHERE set_name = 'advised')::numeric, 1),
              round(sum(cost) FILTER (WHERE set_name = 'workload')::numeric, 1),
              round(sum(cost) FILTER (WHERE set_name = 'workload_qualstats')::numeric, 1),
              round(sum(cost) FILTER (WHERE set_name = 'expert')::numeric, 1),
              round((sum(cost) FILTER (WHERE set_name = 'workload') /
                     sum(cost) FILTER (WHERE set_name = 'expert'))::numeric, 2))
  FROM bench_costs \g (tuples_only=on format=unaligned)
\echo
\echo '| index set | indexes | real size (kB) | geometric mean of cost / no index | statements over 1.1× the expert where an index helps | time (ms) |'
\echo '|---|---:|---:|---:|---:|---:|'
SELECT format('| %s | %s | %s | %s | %s | %s |', s.set_name, count(b.definition),
              coalesce(sum(b.real_size) / 1024, 0)::bigint,
              bench_geomean(s.set_name), bench_over(s.set_name),
              coalesce((SELECT round(ms::numeric, 0)::text FROM bench_speed WHERE what = s.timed), ''))
  FROM (VALUES ('advised', 'idx_advise, all statements at once'),
               ('workload', 'idx_advise_workload, statistics only'),
               ('workload_qualstats', 'idx_advise_workload, with pg_qualstats'),
               ('expert', NULL)) s(set_name, timed)
  LEFT JOIN bench_built b ON b.set_name = s.set_name
 GROUP BY s.set_name, s.timed ORDER BY s.set_name \g (tuples_only=on format=unaligned)
\echo
\echo 'Indexes advised from pg_stat_statements (statistics only / with pg_qualstats) and their real size; rows without a rank as idx_advise_workload gave them:'
\echo
\echo '| set | rank | definition or note | real kB |'
\echo '|---|---:|---|---:|'
SELECT format('| %s | %s | `%s` | %s |', r.set_name, coalesce(r.rank::text, ''),
              coalesce(r.definition, r.note),
              coalesce((SELECT (real_size / 1024)::text FROM bench_built b
                         WHERE b.set_name = r.set_name AND b.definition = r.definition LIMIT 1), ''))
  FROM bench_pss_rows r
 WHERE r.rank IS NOT NULL OR r.definition IS NULL
 ORDER BY r.set_name, r.rank NULLS LAST, r.note \g (tuples_only=on format=unaligned)
