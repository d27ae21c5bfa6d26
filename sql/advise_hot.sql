-- idx_advise does not INCLUDE a column that the given statements update
-- (note2.md: the autopilot's bench got acc (grp) INCLUDE (bal) while every
-- UPDATE changed bal; the index ended the HOT updates and the autopilot
-- then reverted it).  The columns an UPDATE or an INSERT ... ON CONFLICT
-- DO UPDATE sets, read from their analysed trees, are never INCLUDEd nor
-- made a partial index's key only to be returned; a key the query needs
-- may be one, and the note says that those updates can no longer be HOT.
SET client_min_messages = warning;
CREATE TABLE acc (id int PRIMARY KEY, grp int NOT NULL, bal int NOT NULL,
                  status text NOT NULL, pad text);
INSERT INTO acc
SELECT g, g % 2000, g % 1000,
       CASE WHEN g % 100 = 0 THEN 'blocked' ELSE 'open' END, md5(g::text)
  FROM generate_series(1, 100000) g;
ALTER TABLE acc ALTER grp SET STATISTICS 1000, ALTER bal SET STATISTICS 1000,
  ALTER status SET STATISTICS 1000;
VACUUM ANALYZE acc;
CREATE TABLE other (id int PRIMARY KEY, bal int NOT NULL);

-- alone, the lookup gets its covering index
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT bal FROM acc WHERE grp = $1']);
-- with an UPDATE that sets bal: the same key, no INCLUDE (bal)
SELECT rank, definition, note ~ 'can no longer be HOT' AS hot_note
  FROM idx_advise(ARRAY[
  'SELECT bal FROM acc WHERE grp = $1',
  'UPDATE acc SET bal = bal + $1 WHERE id = $2']);
-- an upsert that sets bal on conflict: the same
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT bal FROM acc WHERE grp = $1',
  'INSERT INTO acc VALUES ($1, $2, $3, ''open'') ON CONFLICT (id) DO UPDATE SET bal = acc.bal + excluded.bal']);
-- an UPDATE of another table's bal changes nothing here
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT bal FROM acc WHERE grp = $1',
  'UPDATE other SET bal = bal + $1 WHERE id = $2']);
-- a partial index keys on a column the query returns, not on bal when
-- bal is updated (the predicate's column instead)
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT bal FROM acc WHERE status = ''blocked''']);
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT bal FROM acc WHERE status = ''blocked''',
  'UPDATE acc SET bal = bal + $1 WHERE id = $2']);
-- a key the query filters on may be updated: the index is still advised,
-- and its note says what it costs
SELECT rank, definition,
       substring(note from 'the given statements update [^;]*') AS hot_note
  FROM idx_advise(ARRAY[
  'SELECT id FROM acc WHERE bal = $1',
  'UPDATE acc SET bal = bal + $1, grp = grp WHERE id = $2']);
-- a stored generated column computed from a column the UPDATE sets
-- changes with it: not INCLUDEd either
CREATE TABLE gen (id int PRIMARY KEY, grp int NOT NULL, bal int NOT NULL,
                  dbl int GENERATED ALWAYS AS (bal * 2) STORED, pad text);
INSERT INTO gen (id, grp, bal, pad)
SELECT g, g % 2000, g % 1000, md5(g::text) FROM generate_series(1, 100000) g;
ALTER TABLE gen ALTER grp SET STATISTICS 1000;
VACUUM ANALYZE gen;
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT dbl FROM gen WHERE grp = $1']);
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT dbl FROM gen WHERE grp = $1',
  'UPDATE gen SET bal = bal + 1 WHERE id = $1']);
-- the workload's path (idx_advise_statements, as idx_advise_workload and
-- the autopilot call it, with pg_stat_statements' texts): the same rule
SELECT rank, definition
  FROM idx_advise_statements(
         ARRAY['SELECT bal FROM acc WHERE grp = $1',
               'UPDATE acc SET bal = bal + $1 WHERE id = $2'],
         ARRAY[current_user::regrole::oid, current_user::regrole::oid],
         ARRAY[100.0, 5000.0], NULL, 10, 0)
 WHERE definition IS NOT NULL;
-- MERGE ... WHEN MATCHED THEN UPDATE SET bal: counted as an UPDATE of bal
-- (MERGE itself is not advised on: its own row says so).  Before, only
-- UPDATE and ON CONFLICT DO UPDATE were read: (grp) INCLUDE (bal).
SELECT rank, definition, note ~ 'It is MERGE' AS merge_row
  FROM idx_advise(ARRAY[
  'SELECT bal FROM acc WHERE grp = $1',
  'MERGE INTO acc a USING (SELECT $1::int AS id, $2::int AS d) s ON a.id = s.id WHEN MATCHED THEN UPDATE SET bal = a.bal + s.d WHEN NOT MATCHED THEN INSERT VALUES (s.id, 0, s.d, ''open'')']);
-- a MERGE that only inserts updates nothing: INCLUDE (bal) stays
SELECT rank, definition FROM idx_advise(ARRAY[
  'SELECT bal FROM acc WHERE grp = $1',
  'MERGE INTO acc a USING (SELECT $1::int AS id) s ON a.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, 0, 0, ''open'')'])
 WHERE rank IS NOT NULL;
-- a key the query filters on, which a MERGE updates: the note
SELECT rank, definition,
       substring(note from 'the given statements update [^;]*') AS hot_note
  FROM idx_advise(ARRAY[
  'SELECT id FROM acc WHERE bal = $1',
  'MERGE INTO acc a USING (SELECT $1::int AS id) s ON a.id = s.id WHEN MATCHED THEN UPDATE SET bal = 0'])
 WHERE rank IS NOT NULL;
-- the workload's path: the same
SELECT rank, definition
  FROM idx_advise_statements(
         ARRAY['SELECT bal FROM acc WHERE grp = $1',
               'MERGE INTO acc a USING (SELECT $1::int AS id, $2::int AS d) s ON a.id = s.id WHEN MATCHED THEN UPDATE SET bal = a.bal + s.d'],
         ARRAY[current_user::regrole::oid, current_user::regrole::oid],
         ARRAY[100.0, 5000.0], NULL, 10, 0)
 WHERE definition IS NOT NULL;
