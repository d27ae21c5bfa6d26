-- The workload path (idx_advise_statements, what idx_advise_workload
-- calls) on a shape of bench/advise_tenant.sql's statements as
-- pg_stat_statements records them: "name LIKE $1", sent a prefix pattern
-- (pg_qualstats' recorded constant, passed as qual_* here as
-- idx_advise_workload passes it).
SET client_min_messages = warning;
CREATE TABLE ten_users (id int PRIMARY KEY, name text COLLATE "en-x-icu" NOT NULL,
                        body text NOT NULL);
INSERT INTO ten_users
SELECT g, (ARRAY['Alice','Bruno','Chloe','Dmitri','Emma'])[1 + g % 5] || ' ' || g,
       repeat('x', 60)
  FROM generate_series(1, 30000) g;
VACUUM ANALYZE ten_users;
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

DROP TABLE ten_users;
