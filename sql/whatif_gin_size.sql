-- idx_hypo_size for gin indexes (the advisor's sizes too): within 40 % of
-- the size of the index once built, for jsonb (jsonb_path_ops, jsonb_ops).
SET client_min_messages = warning;
CREATE SCHEMA gin_size;
SET search_path = gin_size, public;
CREATE TABLE ev (id int, payload jsonb NOT NULL, doc jsonb NOT NULL);
INSERT INTO ev
SELECT g, jsonb_build_object('type', 't' || (g % 40), 'n', g),
       jsonb_build_object('a', g % 10, 'b', 'x' || (g % 7), 'c', g % 3, 'd', 'y')
  FROM generate_series(1, 50000) g;
VACUUM ANALYZE ev;
CREATE TABLE est (def text, est bigint);
INSERT INTO est
SELECT d, idx_hypo_size(d) FROM unnest(ARRAY[
  'CREATE INDEX ev_g1 ON gin_size.ev USING gin (payload jsonb_path_ops)',
  'CREATE INDEX ev_g2 ON gin_size.ev USING gin (payload)',
  'CREATE INDEX ev_g3 ON gin_size.ev USING gin (doc jsonb_path_ops)']) d;
CREATE INDEX ev_g1 ON ev USING gin (payload jsonb_path_ops);
CREATE INDEX ev_g2 ON ev USING gin (payload);
CREATE INDEX ev_g3 ON ev USING gin (doc jsonb_path_ops);
RESET client_min_messages;
SELECT substring(def FROM 'ON .*') AS definition,
       est::float8 / pg_relation_size(('gin_size.' || substring(def FROM 'INDEX (\S+)'))::regclass)
         BETWEEN 0.6 AND 1.4 AS within_40_percent
  FROM est ORDER BY def;
SET client_min_messages = warning;
DROP SCHEMA gin_size CASCADE;
