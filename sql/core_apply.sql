-- idx_apply: every accepted form of definition is built concurrently by a
-- background worker, and its history row records what was built.
TRUNCATE idx_history RESTART IDENTITY;
CREATE SCHEMA app;
CREATE TABLE app.orders (
    id          bigserial PRIMARY KEY,
    customer_id integer NOT NULL,
    created_at  timestamptz NOT NULL,
    status      text NOT NULL,
    enabled     boolean NOT NULL,
    tags        text[] NOT NULL,
    note        text
);
INSERT INTO app.orders (customer_id, created_at, status, enabled, tags, note)
SELECT g % 500, '2026-01-01'::timestamptz + g * interval '1 minute',
       (ARRAY['new', 'paid', 'shipped'])[g % 3 + 1], g % 10 = 0,
       ARRAY['t' || g % 7], 'note ' || g
  FROM generate_series(1, 20000) g;
ANALYZE app.orders;

-- the table is resolved with the caller's search_path
SET search_path = app, public;

-- composite, equality columns first
SELECT idx_apply('CREATE INDEX orders_cust_status_idx ON orders (customer_id, status)',
                 migration => '0001_initial') AS id \gset
-- covering, for index-only scans
SELECT idx_apply('CREATE INDEX ON orders (customer_id, created_at DESC) INCLUDE (status)',
                 ARRAY['SELECT status FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20'],
                 '0001_initial');
-- partial
SELECT idx_apply('CREATE INDEX orders_enabled_idx ON app.orders (customer_id, created_at DESC) WHERE enabled',
                 migration => '0001_initial');
-- unique, with CONCURRENTLY and a name already in the text
SELECT idx_apply('create unique index concurrently orders_note_key on orders (note)');
-- expression, NULLS FIRST, operator class
SELECT idx_apply('CREATE INDEX ON orders (lower(status) text_pattern_ops, customer_id NULLS FIRST)');
-- other access methods, storage parameters
SELECT idx_apply('CREATE INDEX ON orders USING gin (tags)');
SELECT idx_apply('CREATE INDEX ON orders USING brin (created_at) WITH (pages_per_range = 16)');
SELECT idx_apply('CREATE INDEX ON orders USING hash (status)');
-- ONLY on a plain table, and a quoted name
SELECT idx_apply('CREATE INDEX "Orders By Created" ON ONLY orders (created_at)');

-- the workers build them all once the caller has committed
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;

SELECT id, migration, operation, schema_name, table_name, index_name, status,
       requested_by = current_user AS by_me, started_at >= requested_at AS started,
       finished_at >= started_at AS finished, worker_pid > 0 AS had_worker,
       index_size > 0 AS has_size, error_code
  FROM idx_history ORDER BY id;

-- the canonical definitions, as pg_get_indexdef() gives them
SELECT id, indexdef FROM idx_history ORDER BY id;

-- every index exists, is valid, and matches its history row
SELECT h.id, c.relname, i.indisvalid, i.indisunique,
       pg_get_indexdef(i.indexrelid) = h.indexdef AS same_def
  FROM idx_history h
  JOIN pg_class c ON c.relname = h.index_name
  JOIN pg_index i ON i.indexrelid = c.oid
 ORDER BY h.id;

-- the text as given is kept
SELECT definition FROM idx_history WHERE id = 4;

-- IF NOT EXISTS with a valid index of that name and definition: nothing to do
SELECT idx_apply('CREATE INDEX IF NOT EXISTS orders_enabled_idx ON orders (customer_id, created_at DESC) WHERE enabled');
SELECT count(*) FROM idx_history;

-- a name left out is chosen like PostgreSQL does, and avoids names taken by
-- indexes and by queued requests
BEGIN;
SELECT idx_apply('CREATE INDEX ON orders (status, customer_id)');
SELECT idx_apply('CREATE INDEX ON orders (status, customer_id) WHERE enabled');
SELECT index_name FROM idx_history WHERE status = 'queued' ORDER BY id;
ROLLBACK;

-- the search_path of the call is used for the table, and kept for the build
CREATE SCHEMA other;
CREATE TABLE other.orders (id int, customer_id int);
SET search_path = other, app, public;
SELECT idx_apply('CREATE INDEX ON orders (customer_id)') AS other_id \gset
SET client_min_messages = warning;
CALL idx_wait(:other_id);
RESET client_min_messages;
SELECT schema_name, table_name, index_name, status, search_path
  FROM idx_history WHERE id = :other_id;
RESET search_path;
DROP SCHEMA other CASCADE;
