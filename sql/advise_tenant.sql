-- The workload path (idx_advise_statements, what idx_advise_workload
-- calls) on two shapes of bench/advise_tenant.sql's statements as
-- pg_stat_statements records them: "name LIKE $1", sent a prefix pattern,
-- and "payload @> $1", sent a constant document (pg_qualstats' recorded
-- constants, passed as qual_* here as idx_advise_workload passes them).
SET client_min_messages = warning;
CREATE TABLE ten_users (id int PRIMARY KEY, name text COLLATE "en-x-icu" NOT NULL,
                        body text NOT NULL);
INSERT INTO ten_users
SELECT g, (ARRAY['Alice','Bruno','Chloe','Dmitri','Emma'])[1 + g % 5] || ' ' || g,
       repeat('x', 60)
  FROM generate_series(1, 30000) g;
CREATE TABLE ten_events (id int PRIMARY KEY, payload jsonb NOT NULL);
INSERT INTO ten_events
SELECT g, jsonb_build_object('source', CASE WHEN g % 50 = 0 THEN 'import' ELSE 'web' END,
                             'request_id', md5(g::text))
  FROM generate_series(1, 30000) g;
VACUUM ANALYZE ten_users, ten_events;
RESET client_min_messages;

-- "name LIKE $1" sent 'Emma 12%': the pattern is bound as it ran, so its
-- prefix is read, and a text_pattern_ops btree serves it (the column's
-- collation is not C); without the recorded constant the pattern is not
-- known (a gin_trgm_ops note)
SELECT rank, definition, queries, note
  FROM idx_advise_statements(ARRAY['SELECT id FROM ten_users WHERE name LIKE $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0,
                             ARRAY[1], ARRAY['ten_users'::regclass::oid], ARRAY[2::smallint],
                             ARRAY['~~(text,text)'::regoperator::oid],
                             ARRAY['''Emma 12%''::text']);
SELECT rank, definition, note
  FROM idx_advise_statements(ARRAY['SELECT id FROM ten_users WHERE name LIKE $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0);
-- a leading wildcard sent: bound too, and no btree serves it
SELECT rank, definition, queries, note
  FROM idx_advise_statements(ARRAY['SELECT id FROM ten_users WHERE name LIKE $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0,
                             ARRAY[1], ARRAY['ten_users'::regclass::oid], ARRAY[2::smallint],
                             ARRAY['~~(text,text)'::regoperator::oid],
                             ARRAY['''%12''::text']);


-- "payload @> $1" sent '{"source": "import"}' (2 % of the rows): the
-- containment is bound as it ran, and a partial index on it serves the
-- count (without the recorded constant, a document of the statistics
-- stands for $1 and the advice is a gin index)
SELECT rank, definition, queries, note
  FROM idx_advise_statements(ARRAY['SELECT count(*) FROM ten_events WHERE payload @> $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0,
                             ARRAY[1], ARRAY['ten_events'::regclass::oid], ARRAY[2::smallint],
                             ARRAY['@>(jsonb,jsonb)'::regoperator::oid],
                             ARRAY['''{"source": "import"}''::jsonb']);
SELECT rank, definition
  FROM idx_advise_statements(ARRAY['SELECT count(*) FROM ten_events WHERE payload @> $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[20::float8],
                             NULL, 10, 0);
DROP TABLE ten_users, ten_events;
