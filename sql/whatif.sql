-- idx_whatif: what the planner would do if these indexes existed.
-- Hypothetical indexes, checked as idx_apply checks a definition, visible
-- only to idx_whatif's own planning.  No raw costs in this output: costs are
-- compared as booleans.
\set SHOW_CONTEXT never
\set VERBOSITY default
CREATE SCHEMA whatif;
SET search_path = whatif, public;

CREATE TABLE w (id int, cust int, created date, status text,
                amount numeric(10,2), note text, active bool);
INSERT INTO w
SELECT i, (i * 7919) % 5000, date '2020-01-01' + (i % 1000),
       CASE WHEN i % 1000 = 0 THEN 'rare'
            ELSE (ARRAY['new','paid','shipped','done'])[1 + i % 4] END,
       (i % 1000) / 10.0, md5(i::text), i % 10 = 0
  FROM generate_series(1, 100000) i;
VACUUM ANALYZE w;

-- the plan text without costs, for stable output
CREATE FUNCTION shape(plan text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT regexp_replace(plan, '  \(cost=[^)]*\)', '', 'g') $$;

-- Index Scan
SELECT cost_after < cost_before AS cheaper, uses, scan, shape(plan)
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'],
                  ARRAY['SELECT * FROM w WHERE id = 42']);

-- Index Only Scan with INCLUDE (the table is vacuumed: all visible)
SELECT cost_after < cost_before AS cheaper, uses, scan, shape(plan)
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (cust) INCLUDE (amount)'],
                  ARRAY['SELECT amount FROM w WHERE cust = 42']);

-- DESC with ORDER BY ... LIMIT: no Sort
SELECT cost_after < cost_before AS cheaper, uses, scan, shape(plan)
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (cust, created DESC)'],
                  ARRAY['SELECT * FROM w WHERE cust = 42 ORDER BY created DESC LIMIT 5']);

-- several definitions and queries: uses names the definitions (as given)
-- that each plan uses, scan is the first hypothetical index's
SELECT query, uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)',
                        'CREATE INDEX w_note ON w (note)',
                        'CREATE INDEX ON w USING brin (created)'],
                  ARRAY['SELECT * FROM w WHERE id = 42',
                        'SELECT * FROM w WHERE note = ''x''',
                        'SELECT * FROM w WHERE status = ''done''']);

-- partial: used where the query implies the predicate, not elsewhere
SELECT query, cost_after < cost_before AS cheaper, uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (cust) WHERE active'],
                  ARRAY['SELECT * FROM w WHERE cust = 42 AND active',
                        'SELECT * FROM w WHERE cust = 42']);

-- expression
SELECT uses, scan, shape(plan)
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (lower(note))'],
                  ARRAY['SELECT * FROM w WHERE lower(note) = ''abc''']);

-- $n: a generic plan cannot prove a partial index's predicate; a value can
SELECT uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (created) WHERE status = ''rare'''],
                  ARRAY['SELECT * FROM w WHERE status = $1 AND created > $2::date']);
SELECT uses, scan, shape(plan)
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (created) WHERE status = ''rare'''],
                  ARRAY['SELECT * FROM w WHERE status = $1 AND created > $2::date'],
                  ARRAY['rare', '2020-06-01']);
-- values for $n: as many as the query has, of its types
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'],
                         ARRAY['SELECT * FROM w WHERE id = $1 AND cust = $2'],
                         ARRAY['1']);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'],
                         ARRAY['SELECT * FROM w WHERE id = $1'],
                         ARRAY['one']);
SELECT uses FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'],
                            ARRAY['SELECT * FROM w WHERE id = $1'],
                            ARRAY[NULL]);

-- a partitioned table: the index applies to every leaf partition, whatever
-- its column order
CREATE TABLE wp (id int, k int, v text) PARTITION BY RANGE (id);
CREATE TABLE wp1 PARTITION OF wp FOR VALUES FROM (0) TO (50000);
CREATE TABLE wp2 (v text, k int, id int);
ALTER TABLE wp ATTACH PARTITION wp2 FOR VALUES FROM (50000) TO (100000);
INSERT INTO wp SELECT i, i % 500, md5(i::text) FROM generate_series(0, 99999) i;
VACUUM ANALYZE wp;
SELECT uses, scan, shape(plan)
  FROM idx_whatif(ARRAY['CREATE INDEX ON wp (k)'],
                  ARRAY['SELECT * FROM wp WHERE k = 7']);
SELECT idx_hypo_size('CREATE INDEX ON wp (k)') BETWEEN 500000 AND 1000000 AS plausible;

-- a view: queries through it see the base table's hypothetical index; an
-- index on the view itself is refused, as idx_apply refuses it
CREATE VIEW wv AS SELECT id, cust, amount FROM w WHERE active;
SELECT uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (cust)'],
                  ARRAY['SELECT * FROM wv WHERE cust = 42']);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON wv (cust)'],
                         ARRAY['SELECT * FROM wv WHERE cust = 42']);

-- DML is planned, never executed
SELECT count(*) AS rows_before FROM w WHERE cust = 42;
SELECT uses, scan
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (cust)'],
                  ARRAY['DELETE FROM w WHERE cust = 42',
                        'UPDATE w SET note = $2 WHERE cust = $1']);
SELECT count(*) AS rows_after FROM w WHERE cust = 42;

-- no index helps: uses is empty, scan NULL, cost unchanged
SELECT uses, scan, cost_after = cost_before AS same
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (status)'],
                  ARRAY['SELECT * FROM w WHERE status <> ''rare''']);

-- plan_before => false: each query planned once, with the indexes only:
-- cost_before is NULL, the rest as with the default
SELECT o.query, o.cost_before IS NULL AS no_cost_before,
       o.cost_after = d.cost_after AS same_cost, o.uses = d.uses AS same_uses,
       o.scan IS NOT DISTINCT FROM d.scan AS same_scan, o.plan = d.plan AS same_plan
  FROM idx_whatif(ARRAY['CREATE INDEX ON w (cust)'],
                  ARRAY['SELECT * FROM w WHERE cust = 42', 'SELECT * FROM w WHERE status <> ''rare'''],
                  plan_before => false) o
  JOIN idx_whatif(ARRAY['CREATE INDEX ON w (cust)'],
                  ARRAY['SELECT * FROM w WHERE cust = 42', 'SELECT * FROM w WHERE status <> ''rare''']) d
       USING (query);

-- the sizes the planner is told (doc/whatif.md: the size model)
SELECT idx_hypo_size('CREATE INDEX ON w (id)') BETWEEN 2000000 AND 2600000 AS plain,
       idx_hypo_size('CREATE INDEX ON w (status)') < idx_hypo_size('CREATE INDEX ON w (id)') AS dedup_smaller,
       idx_hypo_size('CREATE INDEX ON w (id) WHERE active') < idx_hypo_size('CREATE INDEX ON w (id)') / 5 AS partial_smaller;

-- bad input: clear errors
SELECT * FROM idx_whatif(NULL, ARRAY['SELECT 1']);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'], NULL);
SELECT * FROM idx_whatif('{}', ARRAY['SELECT 1']);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'], '{}');
SELECT * FROM idx_whatif(ARRAY[NULL], ARRAY['SELECT 1']);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'], ARRAY[NULL]);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'], ARRAY['SELECT 1'], plan_before => NULL);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'], ARRAY['VACUUM w']);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'], ARRAY['SELECT 1; SELECT 2']);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'], ARRAY['SELECT * FROM w WHERE nosuch = 1']);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'], ARRAY['SELECT * FROM w WHERE id = $1 + $2']);
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w USING spgist (note)'], ARRAY['SELECT 1']);
SELECT idx_hypo_size(NULL);
-- bounded work: index_advisor.max_queries_per_index (queries and definitions)
SET index_advisor.max_queries_per_index = 3;
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'],
                         array_fill('SELECT 1'::text, ARRAY[4]));
SELECT * FROM idx_whatif(array_fill('CREATE INDEX ON w (id)'::text, ARRAY[4]),
                         ARRAY['SELECT 1']);
RESET index_advisor.max_queries_per_index;
SET index_advisor.max_query_bytes = 64;
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'],
                         ARRAY['SELECT * FROM w WHERE id = 1 AND cust = 2 AND note = ''a rather long constant''']);
RESET index_advisor.max_query_bytes;

-- each definition error has idx_apply's SQLSTATE (and idx_apply queues
-- nothing)
SELECT coalesce(max(id), 0) AS last_id FROM idx_history \gset
CREATE FUNCTION sqlstate_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;
CREATE INDEX w_created ON w (created);
CREATE TEMP TABLE wtemp (a int);
CREATE FUNCTION notimmutable(int) RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN $1; END';
CREATE ROLE regress_hypo_other;
CREATE TABLE whatif.notmine (a int);
ALTER TABLE whatif.notmine OWNER TO regress_hypo_other;
CREATE ROLE regress_hypo_plain;
GRANT USAGE ON SCHEMA whatif TO regress_hypo_plain;
SELECT d AS definition,
       sqlstate_of(format('SELECT idx_apply(%L)', d)) AS idx_apply,
       sqlstate_of(format('SELECT idx_whatif(ARRAY[%L], ARRAY[''SELECT 1''])', d)) AS idx_whatif
  FROM unnest(ARRAY[
    'DROP TABLE w',
    'CREATE INDEX ON w (id); CREATE INDEX ON w (cust)',
    'CREATE INDEX ON nosuch (id)',
    'CREATE INDEX ON wv (cust)',
    'CREATE INDEX ON w (nosuch)',
    'CREATE INDEX ON wtemp (a)',
    'CREATE INDEX ON w ((notimmutable(id)))',
    'CREATE INDEX ON w (id) WHERE notimmutable(id) > 0',
    'CREATE INDEX w_created ON w (cust)',
    'CREATE INDEX ON w (created)',
    'CREATE INDEX ON w USING nosuch (id)',
    'CREATE UNIQUE INDEX ON w USING gin (note)',
    'CREATE INDEX ON w USING hash (id, cust)',
    'CREATE INDEX ON w (id DESC) INCLUDE (lower(note))',
    'CREATE INDEX ON w (id) WITH (fillfactor = 5)',
    'CREATE INDEX ON w (id) TABLESPACE nosuch',
    'CREATE INDEX ON pg_class (relname)'
  ]) AS d;
-- a role that does not own the table
SET ROLE regress_hypo_plain;
SELECT sqlstate_of('SELECT idx_apply(''CREATE INDEX ON whatif.notmine (a)'')') AS idx_apply,
       sqlstate_of('SELECT idx_whatif(ARRAY[''CREATE INDEX ON whatif.notmine (a)''], ARRAY[''SELECT 1''])') AS idx_whatif;
RESET ROLE;
SELECT count(*) AS queued FROM idx_history WHERE id > :last_id;

-- planned as whom: a superuser's query on another role's table is planned
-- as that role (doc/safety-planning.md); here its index expression's
-- IMMUTABLE function says who runs it
CREATE FUNCTION whatif.who(int) RETURNS int LANGUAGE plpgsql IMMUTABLE
    AS $$BEGIN RAISE NOTICE 'planned as %', current_user; RETURN $1; END$$;
ALTER FUNCTION whatif.who(int) OWNER TO regress_hypo_other;
CREATE INDEX notmine_who ON whatif.notmine ((whatif.who(1) + a));
SELECT uses FROM idx_whatif(ARRAY['CREATE INDEX ON whatif.notmine (a)'],
                            ARRAY['SELECT * FROM whatif.notmine WHERE a = 1']);
DROP INDEX whatif.notmine_who;

-- no leak: after idx_whatif, a normal EXPLAIN does not see the index ...
EXPLAIN (COSTS OFF) SELECT * FROM w WHERE id = 42;
-- ... nor after an error while planning with it (1/0 is folded by the
-- planner), in the same transaction, caught by PL/pgSQL
BEGIN;
SELECT sqlstate_of($$SELECT idx_whatif(ARRAY['CREATE INDEX ON w (id)'],
                                       ARRAY['SELECT * FROM w WHERE id = 42 AND cust = 1/0'])$$);
EXPLAIN (COSTS OFF) SELECT * FROM w WHERE id = 42;
COMMIT;
SELECT * FROM idx_whatif(ARRAY['CREATE INDEX ON w (id)'],
                         ARRAY['SELECT * FROM w WHERE id = 42 AND cust = 1/0']);
EXPLAIN (COSTS OFF) SELECT * FROM w WHERE id = 42;

-- clean up
DROP SCHEMA whatif CASCADE;
DROP ROLE regress_hypo_other;
DROP ROLE regress_hypo_plain;
