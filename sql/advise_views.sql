-- idx_advise through views, sub-queries in FROM and CTEs (issue 20): the
-- conditions as the planner sees them after pulling the view up, mapped to
-- the base table's columns (src/advise/advise_pullup.c).  Each case got no
-- advice before: extraction stopped at each query level.
SET client_min_messages = warning;
CREATE SCHEMA advise_views;
SET search_path = advise_views, public;
CREATE TABLE accounts (id int PRIMARY KEY, region int NOT NULL,
                       tier text NOT NULL, email text NOT NULL,
                       balance numeric NOT NULL);
INSERT INTO accounts
SELECT g, g % 5000, 't' || (g % 97), 'user' || g || '@example.org', g % 1000
  FROM generate_series(1, 30000) g;  -- the whole table is ANALYZE's sample
CREATE TABLE visits (id int PRIMARY KEY, region int NOT NULL, kind int NOT NULL);
INSERT INTO visits SELECT g, g % 5000, g % 50 FROM generate_series(1, 20000) g;
VACUUM ANALYZE accounts;
VACUUM ANALYZE visits;
-- the API layer's views: plain, with an expression, security_barrier,
-- grouped
CREATE VIEW api_accounts AS
  SELECT id, region, tier, lower(email) AS login, balance FROM accounts;
CREATE VIEW api_safe WITH (security_barrier) AS
  SELECT id, region, tier FROM accounts WHERE balance >= 0;
CREATE VIEW api_per_region AS
  SELECT region, count(*) AS n, sum(balance) AS total FROM accounts GROUP BY region;
RESET client_min_messages;

-- 1. a view with an outer WHERE: the index on the base table, and the plan
-- with it uses it
SELECT rank, definition
  FROM idx_advise('SELECT id, tier FROM api_accounts WHERE region = 7');
SELECT uses <> '{}' AS used, cost_after < cost_before / 10 AS much_cheaper
  FROM idx_whatif((SELECT array_agg(definition)
                     FROM idx_advise('SELECT id, tier FROM api_accounts WHERE region = 7')),
                  ARRAY['SELECT id, tier FROM api_accounts WHERE region = 7']);
-- a view column computed by an expression: an expression index
SELECT rank, definition
  FROM idx_advise('SELECT id FROM api_accounts WHERE login = ''user7@example.org''');
-- ORDER BY a view column, through two levels of views and sub-queries
SELECT rank, definition
  FROM idx_advise('SELECT * FROM (SELECT id, region FROM api_accounts) s
                    WHERE s.region = 7 ORDER BY s.id LIMIT 5');

-- 2. a sub-query in FROM
SELECT rank, definition
  FROM idx_advise('SELECT s.id FROM (SELECT id, region FROM accounts) s WHERE s.region = 7');

-- a UNION ALL in FROM: the condition reaches each arm's table, as the
-- planner's append relation filters each arm
SELECT rank, definition
  FROM idx_advise('SELECT * FROM (SELECT id, region FROM accounts
                                  UNION ALL SELECT id, region FROM visits) x
                    WHERE x.region = 7')
 ORDER BY definition;

-- 3. a CTE the planner inlines gets the index; a MATERIALIZED one is
-- scanned whole by the planner, so nothing
SELECT rank, definition, note
  FROM idx_advise('WITH c AS (SELECT id, region FROM accounts) SELECT id FROM c WHERE region = 7');
SELECT rank, definition, note
  FROM idx_advise('WITH c AS MATERIALIZED (SELECT id, region FROM accounts) SELECT id FROM c WHERE region = 7');
EXPLAIN (COSTS OFF)
  WITH c AS MATERIALIZED (SELECT id, region FROM accounts) SELECT id FROM c WHERE region = 7;

-- PostgREST's shape: the view read through a CTE, filtered and made json
-- outside it
SELECT rank, definition
  FROM idx_advise($q$WITH pgrst_source AS (SELECT api_accounts.* FROM api_accounts)
                     SELECT coalesce(json_agg(_postgrest_t), '[]') AS body
                       FROM (SELECT * FROM pgrst_source WHERE region = 7) _postgrest_t$q$);

-- 4. a view joined to a table on a key: the view's table gets the join key
-- (the inner side of a nested loop)
SELECT rank, definition
  FROM idx_advise('SELECT a.id, v.kind FROM api_accounts a JOIN visits v ON v.region = a.region
                    WHERE v.id = 7');
SELECT uses <> '{}' AS used, cost_after < cost_before / 10 AS much_cheaper
  FROM idx_whatif((SELECT array_agg(definition)
                     FROM idx_advise('SELECT a.id, v.kind FROM api_accounts a JOIN visits v ON v.region = a.region
                                       WHERE v.id = 7')),
                  ARRAY['SELECT a.id, v.kind FROM api_accounts a JOIN visits v ON v.region = a.region
                          WHERE v.id = 7']);

-- 5. a security_barrier view is not pulled up; the planner pushes an outer
-- condition into it only when every function in it is leakproof.
-- region = 7 (int4eq, leakproof) goes in: the planner filters the table by
-- it, and so the index on region is advised.
EXPLAIN (COSTS OFF) SELECT id FROM api_safe WHERE region = 7;
SELECT rank, definition
  FROM idx_advise('SELECT id FROM api_safe WHERE region = 7');
-- lower(tier) = 't7' (lower is not leakproof) stays above the view: the
-- planner reads the view whole, and no index is advised through it
EXPLAIN (COSTS OFF) SELECT id FROM api_safe WHERE lower(tier) = 't7';
SELECT rank, definition, note
  FROM idx_advise('SELECT id FROM api_safe WHERE lower(tier) = ''t7''');
-- the same condition through the plain view reaches the table
SELECT rank, definition
  FROM idx_advise('SELECT id FROM api_accounts WHERE lower(tier) = ''t7''');

-- a grouped view stays a sub-query; a condition on its grouping column is
-- pushed into its WHERE, one on an aggregate is not
SELECT rank, definition
  FROM idx_advise('SELECT n, total FROM api_per_region WHERE region = 7');
SELECT rank, definition, note
  FROM idx_advise('SELECT region FROM api_per_region WHERE n > 100');
-- a condition the planner derives (v.region = g.region AND v.region = 7
-- gives g.region = 7) is pushed into the grouped view too
CREATE FUNCTION plan_lines(q text, pattern text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE l text; n int := 0;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    IF l LIKE pattern THEN n := n + 1; END IF;
  END LOOP;
  RETURN n;
END $$;
-- both tables are filtered by region = 7, whatever the join method
SELECT plan_lines('SELECT g.n FROM api_per_region g JOIN visits v ON v.region = g.region
                    WHERE v.region = 7', '%Filter: (region = 7)%') AS filtered_scans;
SELECT definition
  FROM idx_advise('SELECT g.n FROM api_per_region g JOIN visits v ON v.region = g.region
                    WHERE v.region = 7')
 ORDER BY definition;

-- 6. privileges: the view reads its table with the view owner's rights.
-- A role that may read only the view gets the index on the table, with the
-- note of any table it does not own (doc/advisor.md, "Tables you do not
-- own"); idx_apply would refuse it that index.
SET client_min_messages = warning;
CREATE ROLE regress_views_reader;
GRANT USAGE ON SCHEMA advise_views TO regress_views_reader;
GRANT SELECT ON api_accounts TO regress_views_reader;
RESET client_min_messages;
SET ROLE regress_views_reader;
SELECT count(*) FROM accounts;  -- no right on the table itself
SELECT rank, definition, note
  FROM idx_advise('SELECT id, tier FROM api_accounts WHERE region = 7');
RESET ROLE;
-- a view owned by another role the caller does not have the privileges of
-- is not planned as the caller: the row says so, as for its table
SET client_min_messages = warning;
CREATE ROLE regress_views_owner;
GRANT USAGE, CREATE ON SCHEMA advise_views TO regress_views_owner;
GRANT SELECT ON accounts TO regress_views_owner;
SET ROLE regress_views_owner;
CREATE VIEW owned_accounts AS SELECT id, region FROM accounts;
GRANT SELECT ON owned_accounts TO regress_views_reader;
RESET ROLE;
RESET client_min_messages;
SET ROLE regress_views_reader;
SELECT rank, definition, note
  FROM idx_advise('SELECT id FROM owned_accounts WHERE region = 7');
RESET ROLE;

SET client_min_messages = warning;
DROP SCHEMA advise_views CASCADE;
DROP OWNED BY regress_views_owner;
DROP ROLE regress_views_owner;
DROP ROLE regress_views_reader;
