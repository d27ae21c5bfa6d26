-- idx_advise for operators btree cannot serve: jsonb @> and array && get a
-- gin index (jsonb_path_ops when @> is all the query asks); LIKE '%x%'
-- needs pg_trgm, and the note says so when it is not installed.
SET client_min_messages = warning;
CREATE TABLE gin_events (id int PRIMARY KEY, payload jsonb NOT NULL,
                         tags text[] NOT NULL, title text NOT NULL);
INSERT INTO gin_events
SELECT g, jsonb_build_object('type', 't' || (g % 40), 'n', g),
       ARRAY['tag' || (g % 50), 'tag' || (g % 7 + 100)], 'title number ' || g
  FROM generate_series(1, 30000) g;
VACUUM ANALYZE gin_events;
RESET client_min_messages;

SELECT rank, definition
  FROM idx_advise('SELECT id FROM gin_events WHERE payload @> ''{"type": "t7"}''');
SELECT rank, definition
  FROM idx_advise('SELECT id FROM gin_events WHERE tags && ARRAY[''tag3'']');
SELECT rank, definition, note
  FROM idx_advise('SELECT id FROM gin_events WHERE title LIKE ''%number 123%''');
-- with pg_trgm installed: gin_trgm_ops
CREATE EXTENSION pg_trgm;
SELECT rank, definition
  FROM idx_advise('SELECT id FROM gin_events WHERE title LIKE ''%number 123%''');
-- and for a case-insensitive prefix, which no btree on title serves
SELECT rank, definition
  FROM idx_advise('SELECT id FROM gin_events WHERE title ILIKE ''Title Number 123%''');
DROP EXTENSION pg_trgm;
