-- An OR's arm served by another statement's index: "a = 542 OR b = 542"
-- needs an index on each column (a BitmapOr); the other statement's
-- (a, d) INCLUDE (id) serves the a-arm as well as (a) would, and then
-- (b) alone completes the BitmapOr.  The memo must not drop (a, d)
-- INCLUDE (id) from the OR's plans because it was of no use to them alone
-- (advise_plan.c, without_unused): it did, (b) then looked useless, and
-- the OR kept its sequential scan (bench/advise_tenant.sql, statements
-- 6 and 14, at a tenth of the scale).
SET client_min_messages = warning;
CREATE TABLE orarm (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL,
                    d date NOT NULL, title text NOT NULL);
INSERT INTO orarm
SELECT g, g % 1000, (g * 7 + 3) % 1000, '2024-01-01'::date + g % 120,
       'task ' || g || ': ' || md5(g::text)
  FROM generate_series(1, 20000) g;
VACUUM ANALYZE orarm;
RESET client_min_messages;

SELECT rank, definition
  FROM idx_advise(ARRAY['SELECT id, d FROM orarm WHERE a = 542 AND d < ''2024-03-01'' ORDER BY d',
                        'SELECT id, title FROM orarm WHERE a = 542 OR b = 542'])
 ORDER BY rank;
-- and with them the OR is a BitmapOr
SELECT plan LIKE '%BitmapOr%' AS bitmap_or, cost_after < cost_before / 3 AS cheaper
  FROM idx_whatif((SELECT array_agg(definition)
                     FROM idx_advise(ARRAY['SELECT id, d FROM orarm WHERE a = 542 AND d < ''2024-03-01'' ORDER BY d',
                                           'SELECT id, title FROM orarm WHERE a = 542 OR b = 542'])),
                  ARRAY['SELECT id, title FROM orarm WHERE a = 542 OR b = 542']);
DROP TABLE orarm;
