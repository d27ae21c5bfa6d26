-- idx_hypo_size of a btree on the columns of a composite foreign key (the
-- advisor's sizes too): the pairs (product_id, supplier_id) of the lines
-- are the 4,000 rows of supply, not the product of the columns'
-- n_distinct (1,000 x 400, more than the 200,000 lines), so the index
-- deduplicates (50 lines a pair).  Before the rule (src/plan/hypoplan.c,
-- fk_groups_factor) the estimate was that of an index without duplicates,
-- more than 20 % above the built one (both rows below false); now within
-- 20 % of it.
SET client_min_messages = warning;
CREATE SCHEMA fk_size;
SET search_path = fk_size, public;
CREATE TABLE supply (product_id int, supplier_id int,
                     PRIMARY KEY (product_id, supplier_id));
INSERT INTO supply SELECT p, (p * 7 + k * 101) % 400
  FROM generate_series(1, 1000) p, generate_series(0, 3) k;
CREATE TABLE lines (id int PRIMARY KEY, product_id int, supplier_id int,
                    FOREIGN KEY (product_id, supplier_id) REFERENCES supply);
INSERT INTO lines SELECT g, s.product_id, s.supplier_id
  FROM generate_series(1, 200000) g
  JOIN supply s ON s.product_id = 1 + g % 1000
               AND s.supplier_id = ((1 + g % 1000) * 7 + (g / 1000) % 4 * 101) % 400;
VACUUM ANALYZE supply, lines;
SELECT count(*) AS lines, count(DISTINCT (product_id, supplier_id)) AS pairs FROM lines;
CREATE TABLE est (def text, est bigint);
INSERT INTO est
SELECT d, idx_hypo_size(d) FROM unnest(ARRAY[
  'CREATE INDEX l_ps ON fk_size.lines (product_id, supplier_id)',
  'CREATE INDEX l_sp ON fk_size.lines (supplier_id, product_id)']) d;
CREATE INDEX l_ps ON lines (product_id, supplier_id);
CREATE INDEX l_sp ON lines (supplier_id, product_id);
RESET client_min_messages;
SELECT substring(def FROM 'ON .*') AS definition,
       est::float8 / pg_relation_size(('fk_size.' || substring(def FROM 'INDEX (\S+)'))::regclass)
         BETWEEN 0.8 AND 1.2 AS within_20_percent
  FROM est ORDER BY def;
SET client_min_messages = warning;
DROP SCHEMA fk_size CASCADE;
