-- The workload path (idx_advise_statements, what idx_advise_workload
-- calls) without pg_qualstats: "status = $1" on a column of few values is
-- planned with a middle most-common value, and also, as a twin of the
-- statement, with the column's rare most-common value (at most 5 % of the
-- rows and a tenth of the median frequency), so that a rare status gets
-- its partial index; test/t/160_advise_workload.pl does the same from
-- pg_stat_statements.
SET client_min_messages = warning;
CREATE TABLE rare_q (id int PRIMARY KEY, status text NOT NULL, kind int NOT NULL,
                     body text NOT NULL);
INSERT INTO rare_q
SELECT g, CASE WHEN g % 200 = 0 THEN 'blocked' WHEN g % 3 = 0 THEN 'open'
               WHEN g % 3 = 1 THEN 'done' ELSE 'new' END,
       g % 8, repeat('x', 40)
  FROM generate_series(1, 30000) g;
VACUUM ANALYZE rare_q;
-- a small table that no index helps
CREATE TABLE rare_small (id int PRIMARY KEY, status text NOT NULL);
INSERT INTO rare_small
SELECT g, CASE WHEN g <= 2 THEN 'blocked' WHEN g % 3 = 0 THEN 'open'
               WHEN g % 3 = 1 THEN 'done' ELSE 'new' END
  FROM generate_series(1, 100) g;
ANALYZE rare_small;
RESET client_min_messages;

-- 'blocked' (0.5 %) gets its partial index, shown with the statement bound
-- with it; the statement as recorded keeps its common value's advice
SELECT rank, definition, queries, note
  FROM idx_advise_statements(ARRAY['SELECT * FROM rare_q WHERE status = $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0)
 ORDER BY rank;
-- the twin shares the statement's weight (20 calls) instead of adding its
-- own: 'blocked' is one of the 4 values of status, so it stands for 1 in
-- 4 of the calls and the statement as recorded for the other 3; the
-- workload's cost before any index is 20 sequential scans, not 40 (every
-- value's plan is a sequential scan of the same cost)
SELECT DISTINCT round((a.cost_before / (20 * s.cost_before))::numeric, 2) AS calls_counted
  FROM idx_advise_statements(ARRAY['SELECT * FROM rare_q WHERE status = $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0) a,
       idx_whatif(ARRAY['CREATE INDEX ON rare_q (kind)'],
                  ARRAY['SELECT * FROM rare_q WHERE status = ''open''']) s
 WHERE a.rank IS NOT NULL;
-- kind: 8 values of 12.5 % each, none rare: no twin, one statement
SELECT rank, definition, queries
  FROM idx_advise_statements(ARRAY['SELECT id FROM rare_q WHERE kind = $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0)
 ORDER BY rank;
-- nothing helps: the note speaks of the one statement, once (its twin
-- says nothing of its own)
SELECT rank, note
  FROM idx_advise_statements(ARRAY['SELECT * FROM rare_small WHERE status = $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0);
-- idx_advise (not a workload) plans $1 as it is: no twin
SELECT rank, definition
  FROM idx_advise('SELECT * FROM rare_q WHERE status = $1');
DROP TABLE rare_q, rare_small;
