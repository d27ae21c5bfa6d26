-- The schema the sqlsmith fuzz test (test/t/175_fuzz_sqlsmith.pl) and
-- bench/fuzz.sh generate their statements against and feed them on.
-- Run as a superuser in an empty database, before CREATE EXTENSION (so
-- that sqlsmith's view of the functions does not change with the
-- extension's API; see doc/testing.md, "Fuzzing").
--
-- What it is made to reach (issue 19):
--   * partitioned tables: range with a sub-partitioned (list) leaf and a
--     default, hash, and a list table of another owner;
--   * jsonb, arrays, ranges, tsvector, uuid, inet, intervals;
--   * views: a join, an aggregate, a security_barrier view, a view calling
--     another role's functions, a materialized view;
--   * functions owned by another role (fuzz_funcs): IMMUTABLE and STABLE,
--     plpgsql and SQL, that themselves run queries (the planner folds
--     them: fact 16 of DESIGN.md), used in an index expression, a CHECK
--     constraint, a default and a view;
--   * row-level security on a table of fuzz_funcs;
--   * data and ANALYZE, so that the planner has statistics (and the
--     advisor representative values for $n).
-- Nothing in it has a side effect outside the database: the fuzz executes
-- some statements (idx_explain analyze), as fuzz_owner and as a superuser.

CREATE ROLE fuzz_owner LOGIN;     -- owns fz.*: the fuzz runs mostly as it
CREATE ROLE fuzz_funcs;           -- owns fzf.*: the functions of another role
-- fuzz_owner has fuzz_funcs' privileges (an application role and its
-- library's role): a statement that reads both schemas is planned as
-- fuzz_funcs, the least privileged owner (doc/safety-planning.md)
GRANT fuzz_funcs TO fuzz_owner;

CREATE SCHEMA fz AUTHORIZATION fuzz_owner;
CREATE SCHEMA fzf AUTHORIZATION fuzz_funcs;
GRANT USAGE ON SCHEMA fzf TO PUBLIC;
GRANT USAGE ON SCHEMA fz TO fuzz_funcs;

-- ---------------------------------------------------------------------
-- fuzz_funcs: a lookup table, a partitioned table with RLS, functions
-- ---------------------------------------------------------------------
SET ROLE fuzz_funcs;

CREATE TABLE fzf.rates (code text PRIMARY KEY, rate numeric NOT NULL,
                        valid_in tstzrange);
INSERT INTO fzf.rates
SELECT 'c' || g, 1 + g / 10.0,
       tstzrange('2024-01-01'::timestamptz + g * interval '1 day', NULL)
  FROM generate_series(0, 49) g;

CREATE TABLE fzf.audit (id int NOT NULL, region text NOT NULL, who name,
                        secret text, at timestamptz)
  PARTITION BY LIST (region);
CREATE TABLE fzf.audit_eu PARTITION OF fzf.audit FOR VALUES IN ('eu', 'uk');
CREATE TABLE fzf.audit_us PARTITION OF fzf.audit FOR VALUES IN ('us');
CREATE TABLE fzf.audit_other PARTITION OF fzf.audit DEFAULT;
INSERT INTO fzf.audit
SELECT g, (ARRAY['eu', 'uk', 'us', 'jp'])[1 + g % 4],
       (ARRAY['fuzz_owner', 'fuzz_funcs'])[1 + g % 2]::name,
       'secret-' || g, '2024-01-01'::timestamptz + g * interval '1 hour'
  FROM generate_series(1, 3000) g;
ALTER TABLE fzf.audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_own ON fzf.audit USING (who = current_user);
GRANT SELECT ON fzf.rates, fzf.audit TO PUBLIC;

-- The functions.  Those that read fz.* need SELECT there (granted below).
CREATE FUNCTION fzf.clamp(x integer) RETURNS integer
  IMMUTABLE LANGUAGE sql AS 'SELECT greatest(0, least(x, 1000))';
CREATE FUNCTION fzf.rate_of(c text) RETURNS numeric
  STABLE LANGUAGE sql AS $$ SELECT rate FROM fzf.rates WHERE code = c $$;
CREATE FUNCTION fzf.rate_imm(c text) RETURNS numeric
  IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT rate FROM fzf.rates WHERE code = c);
END $$;
CREATE FUNCTION fzf.tags_of(j jsonb) RETURNS text[]
  IMMUTABLE LANGUAGE sql
  AS $$ SELECT array(SELECT jsonb_array_elements_text(j -> 'tags')) $$;
CREATE FUNCTION fzf.first_tag(t text[]) RETURNS text
  IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN RETURN t[1]; END $$;
CREATE FUNCTION fzf.default_status() RETURNS text
  STABLE LANGUAGE sql AS $$ SELECT 'new' $$;

SET ROLE fuzz_owner;
-- ---------------------------------------------------------------------
-- fuzz_owner: the tables the fuzz plans and indexes
-- ---------------------------------------------------------------------
CREATE TABLE fz.customers (
  id integer PRIMARY KEY,
  name text NOT NULL,
  country char(2),
  email text,
  tags text[],
  profile jsonb,
  born date,
  ip inet,
  ref uuid,
  score real CHECK (score >= 0),
  tsv tsvector
);
INSERT INTO fz.customers
SELECT g, 'cust ' || g, (ARRAY['fr', 'de', 'us', 'jp', NULL])[1 + g % 5],
       'c' || g || '@example.com',
       CASE WHEN g % 7 = 0 THEN NULL ELSE ARRAY['t' || g % 5, 't' || g % 11] END,
       jsonb_build_object('tier', g % 4, 'tags', jsonb_build_array('a' || g % 3, 'b'),
                          'addr', jsonb_build_object('zip', lpad((g % 1000)::text, 5, '0'))),
       '1950-01-01'::date + g * 7,
       ('10.0.' || g % 256 || '.' || g % 200)::inet,
       md5(g::text)::uuid,
       (g % 100) / 3.0,
       to_tsvector('simple', 'cust ' || g || ' word' || g % 13)
  FROM generate_series(1, 2000) g;

-- orders: range on placed, one leaf itself list-partitioned on status, a
-- default; a CHECK and a default that call fuzz_funcs' functions
CREATE TABLE fz.orders (
  id bigint NOT NULL,
  customer_id integer NOT NULL,
  placed timestamptz NOT NULL,
  amount numeric(12, 2) CHECK (fzf.clamp(amount::integer) >= 0),
  status text NOT NULL DEFAULT fzf.default_status(),
  currency text,
  items jsonb,
  flags boolean[],
  note text
) PARTITION BY RANGE (placed);
CREATE TABLE fz.orders_2023 PARTITION OF fz.orders
  FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE fz.orders_2024 PARTITION OF fz.orders
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (status);
CREATE TABLE fz.orders_2024_open PARTITION OF fz.orders_2024
  FOR VALUES IN ('new', 'paid');
CREATE TABLE fz.orders_2024_rest PARTITION OF fz.orders_2024 DEFAULT;
CREATE TABLE fz.orders_later PARTITION OF fz.orders DEFAULT;
INSERT INTO fz.orders
SELECT g, 1 + g % 2000,
       '2023-01-01'::timestamptz + g * interval '47 minutes',
       (g % 997) * 1.5,
       (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4],
       'c' || g % 50,
       jsonb_build_array(jsonb_build_object('sku', g % 300, 'qty', 1 + g % 3)),
       ARRAY[g % 2 = 0, g % 3 = 0],
       CASE WHEN g % 10 = 0 THEN 'note ' || g END
  FROM generate_series(1, 20000) g;
CREATE INDEX orders_customer_idx ON fz.orders (customer_id);

-- events: hash partitions; an index expression that calls fuzz_funcs'
-- function (folded by every planning of the table)
CREATE TABLE fz.events (
  id bigint NOT NULL,
  kind smallint NOT NULL,
  customer_id integer,
  at timestamp NOT NULL,
  dur interval,
  payload jsonb,
  ids integer[],
  span int4range
) PARTITION BY HASH (id);
CREATE TABLE fz.events_0 PARTITION OF fz.events FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE fz.events_1 PARTITION OF fz.events FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE fz.events_2 PARTITION OF fz.events FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO fz.events
SELECT g, g % 20, 1 + g % 2000,
       '2024-01-01'::timestamp + g * interval '13 minutes',
       g * interval '1 second',
       jsonb_build_object('k', g % 20, 'v', g, 'tags', jsonb_build_array('x' || g % 4)),
       ARRAY[g % 10, g % 100],
       int4range(g % 500, g % 500 + 10)
  FROM generate_series(1, 10000) g;
CREATE INDEX events_clamp_idx ON fz.events (fzf.clamp(kind));

-- a plain table with a self reference and a partial index
CREATE TABLE fz.notes (
  id serial PRIMARY KEY,
  parent integer REFERENCES fz.notes,
  customer_id integer REFERENCES fz.customers,
  body text,
  words text[],
  created timestamptz DEFAULT now(),
  pinned boolean
);
INSERT INTO fz.notes (parent, customer_id, body, words, created, pinned)
SELECT CASE WHEN g > 10 THEN g / 10 END, 1 + g % 2000, 'body ' || g,
       string_to_array('w' || g % 9 || ' w' || g % 17, ' '),
       '2024-01-01'::timestamptz + g * interval '1 hour', g % 50 = 0
  FROM generate_series(1, 3000) g;
CREATE INDEX notes_pinned_idx ON fz.notes (created) WHERE pinned;


-- views
CREATE VIEW fz.big_orders AS
  SELECT o.id, o.customer_id, c.name, c.country, o.amount, o.placed, o.status
    FROM fz.orders o JOIN fz.customers c ON c.id = o.customer_id
   WHERE o.amount > 500;
CREATE VIEW fz.customer_totals AS
  SELECT customer_id, count(*) AS n, sum(amount) AS total, max(placed) AS last
    FROM fz.orders GROUP BY customer_id;
CREATE VIEW fz.rated_orders AS
  SELECT o.id, o.amount, o.currency, o.amount * fzf.rate_of(o.currency) AS converted,
         fzf.rate_imm('c7') AS c7
    FROM fz.orders o;
CREATE VIEW fz.tagged_customers WITH (security_barrier) AS
  SELECT id, name, tags, fzf.first_tag(tags) AS first_tag, profile -> 'addr' AS addr
    FROM fz.customers WHERE tags IS NOT NULL;
CREATE VIEW fz.visible_audit AS
  SELECT id, region, at FROM fzf.audit;
CREATE MATERIALIZED VIEW fz.kind_stats AS
  SELECT kind, count(*) AS n, min(at) AS first, max(at) AS last
    FROM fz.events GROUP BY kind;

GRANT SELECT ON ALL TABLES IN SCHEMA fz TO fuzz_funcs;

RESET ROLE;
-- ---------------------------------------------------------------------
-- functions that run queries, of fuzz_funcs, on fuzz_owner's tables
-- ---------------------------------------------------------------------
SET ROLE fuzz_funcs;
CREATE FUNCTION fzf.orders_of(k integer) RETURNS bigint
  STABLE LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT count(*) FROM fz.orders WHERE customer_id = k);
END $$;
CREATE FUNCTION fzf.events_of_kind(k integer) RETURNS bigint
  IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT count(*) FROM fz.events WHERE kind = k);
END $$;
CREATE FUNCTION fzf.customer_name(k integer) RETURNS text
  STABLE LANGUAGE sql AS $$ SELECT name FROM fz.customers WHERE id = k $$;
CREATE FUNCTION fzf.has_notes(k integer) RETURNS boolean
  IMMUTABLE LANGUAGE sql
  AS $$ SELECT EXISTS (SELECT 1 FROM fz.notes n JOIN fz.customers c ON c.id = n.customer_id
                        WHERE c.id = k) $$;
RESET ROLE;

ANALYZE;
