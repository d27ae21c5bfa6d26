-- The workload path (idx_advise_statements, what idx_advise_workload
-- calls) without pg_qualstats: "status <> $1" on a column of few values is
-- planned with a middle most-common value, and also, as a twin of the
-- statement, with the column's most common value when it holds at least
-- half of the rows (the bulk an application skips: 'done'), so that the
-- rest gets its partial index "WHERE status <> 'done'"; "status = $1"
-- keeps its rare twin (sql/advise_rare.sql).
SET client_min_messages = warning;
-- old tasks done, the recent ones not: 'done' 96 %
CREATE TABLE bulk_q (id int PRIMARY KEY, status text NOT NULL, kind int NOT NULL,
                     body text NOT NULL);
INSERT INTO bulk_q
SELECT g, CASE WHEN g <= 38400 THEN 'done' WHEN g % 8 = 0 THEN 'blocked'
               WHEN g % 2 = 0 THEN 'open' ELSE 'new' END,
       g % 8, repeat('x', 40)
  FROM generate_series(1, 40000) g;
ALTER TABLE bulk_q ALTER status SET STATISTICS 1000, ALTER kind SET STATISTICS 1000;
VACUUM ANALYZE bulk_q;
RESET client_min_messages;

-- 'done' (96 %) is bound into the twin, whose rows get their partial
-- index; the statement as recorded keeps its middle value's advice
SELECT rank, definition, queries, note
  FROM idx_advise_statements(ARRAY['SELECT * FROM bulk_q WHERE status <> $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0)
 ORDER BY rank;
-- "$1 <> status" is the same comparison
SELECT rank, definition, queries
  FROM idx_advise_statements(ARRAY['SELECT * FROM bulk_q WHERE $1 <> status'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0)
 ORDER BY rank;
-- kind: 8 values of 12.5 % each, no bulk: no twin, no partial index
SELECT rank, definition, queries, note
  FROM idx_advise_statements(ARRAY['SELECT id FROM bulk_q WHERE kind <> $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0)
 ORDER BY rank;
-- idx_advise (not a workload) plans $1 as it is: no twin
SELECT rank, definition, note
  FROM idx_advise('SELECT * FROM bulk_q WHERE status <> $1');
DROP TABLE bulk_q;
