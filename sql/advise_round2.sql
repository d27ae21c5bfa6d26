-- idx_advise, round two (issue 20): one index per arm of an OR (a
-- BitmapOr), partial indexes on any constant condition the planner proves
-- (<>, IS NOT NULL, jsonb @>) keyed on what the query still needs, prefix
-- LIKE under a collation other than C (text_pattern_ops), and every
-- equality join clause between two tables as one candidate.
SET client_min_messages = warning;
CREATE TABLE r2_tickets (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL,
  status text NOT NULL, closed_at timestamptz, payload jsonb NOT NULL,
  code text COLLATE "en-x-icu" NOT NULL, vcode varchar(20) COLLATE "en-x-icu",
  ccode text COLLATE "C" NOT NULL);
INSERT INTO r2_tickets
SELECT g, g % 20000, (g * 7) % 25000,
       CASE WHEN g % 50 = 0 THEN 'open' WHEN g % 7 = 0 THEN 'pending' ELSE 'done' END,
       CASE WHEN g % 40 = 0 THEN '2024-01-01'::timestamptz + g * interval '1 min' END,
       jsonb_build_object('source', CASE WHEN g % 100 = 0 THEN 'import' ELSE 'web' END, 'n', g % 10),
       md5(g::text), substr(md5((g * 3)::text), 1, 12), md5((g * 5)::text)
  FROM generate_series(1, 30000) g;
CREATE TABLE r2_partsupp (ps_partkey int, ps_suppkey int, ps_availqty int NOT NULL,
  ps_supplycost numeric NOT NULL, PRIMARY KEY (ps_partkey, ps_suppkey));
INSERT INTO r2_partsupp
SELECT p, s, (p * s) % 1000, (p + s) % 100
  FROM generate_series(1, 5000) p, generate_series(1, 4) s;
CREATE TABLE r2_lineitem (l_orderkey int, l_linenumber int, l_partkey int NOT NULL,
  l_suppkey int NOT NULL, l_quantity int NOT NULL, PRIMARY KEY (l_orderkey, l_linenumber));
INSERT INTO r2_lineitem
SELECT g / 4, g % 4, 1 + g % 5000, 1 + (g / 5000) % 4, g % 50
  FROM generate_series(1, 30000) g;
CREATE TABLE r2_events (id int PRIMARY KEY, customer_id int NOT NULL,
  created_at timestamptz NOT NULL, severity int NOT NULL, body text NOT NULL);
INSERT INTO r2_events
SELECT g, g % 20, '2024-01-01'::timestamptz + g * interval '1 min', g % 5, repeat('y', 20)
  FROM generate_series(1, 30000) g;
VACUUM ANALYZE r2_tickets, r2_partsupp, r2_lineitem, r2_events;
RESET client_min_messages;

-- 1. OR: one index per arm, and the plan with them is a BitmapOr
SELECT rank, definition
  FROM idx_advise('SELECT id FROM r2_tickets WHERE a = 17 OR b = 42')
 ORDER BY definition;
SELECT rank, definition, note LIKE 'planned generically and with $1 = %, $2 = %' AS values_shown
  FROM idx_advise('SELECT id FROM r2_tickets WHERE a = $1 OR b = $2')
 ORDER BY definition;
SELECT plan LIKE '%BitmapOr%' AS bitmap_or
  FROM idx_whatif((SELECT array_agg(definition)
                     FROM idx_advise('SELECT id FROM r2_tickets WHERE a = 17 OR b = 42')),
                  ARRAY['SELECT id FROM r2_tickets WHERE a = 17 OR b = 42']);
-- an arm may be an IN list or several conditions; the composite it needs
SELECT rank, definition
  FROM idx_advise('SELECT id FROM r2_tickets WHERE a IN (1, 2, 3) OR (b = 5 AND status = ''open'')')
 ORDER BY definition;
-- an arm only a gin serves (jsonb @>) gets the gin
SELECT rank, definition
  FROM idx_advise('SELECT id FROM r2_tickets WHERE payload @> ''{"source": "import"}'' OR a = 5')
 ORDER BY definition;
-- = ANY and IN lists alone: a btree on the column
SELECT rank, definition
  FROM idx_advise('SELECT id FROM r2_tickets WHERE a = ANY($1::int[])');

-- 2. partial predicates: <>, IS NOT NULL, jsonb @> with a constant; the key
-- is what the query still needs ordered or filtered, never a column the
-- predicate fixes to one value
SELECT rank, definition
  FROM idx_advise('SELECT id, a FROM r2_tickets WHERE status <> ''done'' ORDER BY a LIMIT 20');
SELECT rank, definition
  FROM idx_advise('SELECT a FROM r2_tickets WHERE closed_at IS NOT NULL AND b > 24900');
SELECT rank, definition, note
  FROM idx_advise('SELECT id FROM r2_tickets WHERE payload @> ''{"source": "import"}''');
SELECT rank, definition
  FROM idx_advise('SELECT id FROM r2_tickets WHERE status = ''open''');
-- an IN list of constants on a column of few values, too
SELECT rank, definition
  FROM idx_advise('SELECT id, a FROM r2_tickets WHERE status IN (''open'', ''pending'') ORDER BY a LIMIT 10');
-- with a parameter in place of the jsonb constant, a gin index
SELECT rank, definition
  FROM idx_advise('SELECT id FROM r2_tickets WHERE payload @> $1::jsonb');

-- 3. prefix LIKE under a collation other than C: a pattern-ops btree; a
-- leading wildcard keeps its note
SELECT rank, definition
  FROM idx_advise('SELECT code FROM r2_tickets WHERE code LIKE ''abc%''');
SELECT rank, definition
  FROM idx_advise('SELECT vcode FROM r2_tickets WHERE vcode LIKE ''abc%''');
SELECT rank, definition
  FROM idx_advise('SELECT code FROM r2_tickets WHERE code LIKE $1 || ''%''');
-- under the C collation the default operator class serves a prefix
SELECT rank, definition
  FROM idx_advise('SELECT ccode FROM r2_tickets WHERE ccode LIKE ''abc%''');
SELECT rank, definition, note
  FROM idx_advise('SELECT id FROM r2_tickets WHERE code LIKE ''%abc%''');
-- a case-insensitive prefix: ILIKE 'ab%' is no btree range (ILIKE '12%',
-- with no letter before its wildcard, is); the note says how the query
-- gets one (lower(code) LIKE 'ab%'), and that query gets it, with a
-- constant, with lower($1) || '%', or as Django's istartswith writes it
SELECT rank, definition, note
  FROM idx_advise('SELECT id FROM r2_tickets WHERE code ILIKE ''ab%''');
SELECT rank, definition
  FROM idx_advise('SELECT id FROM r2_tickets WHERE lower(code) LIKE ''ab%''');
SELECT rank, definition
  FROM idx_advise('SELECT id FROM r2_tickets WHERE lower(code) LIKE lower($1) || ''%''');
SELECT rank, definition
  FROM idx_advise('SELECT id FROM r2_tickets WHERE upper(code::text) LIKE upper(''ab%'')');
SELECT rank, definition
  FROM idx_advise('SELECT code FROM r2_tickets WHERE code ILIKE ''12%''');
-- a pattern the query does not show: neither a prefix nor a wildcard
SELECT rank, definition, note
  FROM idx_advise('SELECT id FROM r2_tickets WHERE code ILIKE $1');

-- 4. a composite foreign key: every equality join clause between the two
-- tables in one candidate
SELECT rank, definition
  FROM idx_advise('SELECT sum(ps_supplycost * l_quantity)
                     FROM r2_lineitem JOIN r2_partsupp
                       ON ps_partkey = l_partkey AND ps_suppkey = l_suppkey
                    WHERE ps_availqty < 10')
 ORDER BY definition;

-- 5. choosing: candidates whose total benefits are nearly equal are
-- compared by the cost each leaves the query: the ordered covering index
-- leaves this page about a tenth of what (customer_id, created_at DESC)
-- leaves (ten heap fetches), and wins although it is bigger
SELECT rank, definition
  FROM idx_advise('SELECT customer_id, created_at, severity FROM r2_events
                    WHERE customer_id = 17 ORDER BY created_at DESC LIMIT 10');
-- each pick lowers the workload's cost (cost_after falls with rank)
SELECT rank, definition,
       cost_after < lag(cost_after, 1, cost_before) OVER (ORDER BY rank) AS lowers
  FROM idx_advise(ARRAY[
         'SELECT customer_id, created_at, severity FROM r2_events WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10',
         'SELECT id FROM r2_tickets WHERE a = $1',
         'SELECT id, a FROM r2_tickets WHERE status <> ''done'' ORDER BY a LIMIT 20'])
 ORDER BY rank;

-- 6. a statement that cannot be advised gets a row of its own (its
-- SQLSTATE and message in the note); the others are advised
SELECT rank, definition, queries, note
  FROM idx_advise(ARRAY['SELECT id FROM r2_tickets WHERE a = 5',
                        'SELECT * FROM r2_no_such_table',
                        'SELEC 1',
                        'VACUUM r2_tickets']);
SELECT rank, definition, queries, note
  FROM idx_advise(ARRAY['SELECT * FROM r2_no_such_table']);
-- a NULL element is no statement: still an error
SELECT rank FROM idx_advise(ARRAY['SELECT 1', NULL]);

-- an expression that reads a column of an outer query is no index key
-- (it gave XX000 "bogus varlevelsup" when the advisor printed it as one)
CREATE TABLE r2_outer_a (x text);
CREATE TABLE r2_outer_b (y text);
SELECT count(*) AS rows_without_error
  FROM idx_advise('SELECT 1 FROM r2_outer_a WHERE EXISTS (SELECT 1 FROM r2_outer_b WHERE ''x'' < coalesce(r2_outer_b.y, r2_outer_a.x))');
DROP TABLE r2_outer_a, r2_outer_b;
