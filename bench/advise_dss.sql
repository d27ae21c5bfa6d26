-- bench/advise_dss.sql -- the second workload of bench/advise.sh: a
-- retailer's decision-support queries (reports over sales, returns and
-- supply; joins of up to 8 tables, composite keys, date ranges, GROUP BY /
-- HAVING, sub-queries) and the index set an expert wrote by hand for them.
-- Written before the advisor was run on it, and not changed after.
-- :scale sales (3 lines each; customers :scale/10; returns about 5 % of
-- the lines); the small tables do not grow with :scale.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT setseed(0.17);

CREATE TABLE regions (r_id int PRIMARY KEY, name text NOT NULL);
INSERT INTO regions SELECT g, 'region ' || g FROM generate_series(1, 5) g;

CREATE TABLE stores (s_id int PRIMARY KEY, region_id int NOT NULL REFERENCES regions,
                     city text NOT NULL, opened_on date NOT NULL);
INSERT INTO stores
SELECT g, 1 + g % 5, 'city ' || (g % 60), '2015-01-01'::date + g * 11
  FROM generate_series(1, 200) g;

CREATE TABLE brands (b_id int PRIMARY KEY, name text NOT NULL, country text NOT NULL);
INSERT INTO brands
SELECT g, 'brand ' || g, (ARRAY['US','DE','FR','JP','CN','IT'])[1 + g % 6]
  FROM generate_series(1, 300) g;

CREATE TABLE products (p_id int PRIMARY KEY, brand_id int NOT NULL REFERENCES brands,
                       category text NOT NULL, list_price numeric NOT NULL,
                       launched_on date NOT NULL);
INSERT INTO products
SELECT g, 1 + (g * 37) % 300, 'cat' || (g % 25), 5 + (g * 13) % 995,
       '2019-01-01'::date + (g * 7) % 2100
  FROM generate_series(1, 10000) g;

CREATE TABLE suppliers (sup_id int PRIMARY KEY, region_id int NOT NULL REFERENCES regions,
                        name text NOT NULL);
INSERT INTO suppliers SELECT g, 1 + g % 5, 'supplier ' || g FROM generate_series(1, 500) g;

-- composite primary key, referenced by sale_lines (product_id, supplier_id)
CREATE TABLE supply (product_id int NOT NULL REFERENCES products,
                     supplier_id int NOT NULL REFERENCES suppliers,
                     unit_cost numeric NOT NULL, lead_days int NOT NULL,
                     PRIMARY KEY (product_id, supplier_id));
INSERT INTO supply
SELECT p, 1 + (p * 7 + k * 131) % 500, 2 + (p * k * 17) % 700, 1 + (p + k * 13) % 30
  FROM generate_series(1, 10000) p, generate_series(0, 3) k;

CREATE TABLE customers (c_id int PRIMARY KEY, region_id int NOT NULL REFERENCES regions,
                        segment text NOT NULL, joined_on date NOT NULL);
INSERT INTO customers
SELECT g, 1 + (g * 3) % 5,
       (ARRAY['consumer','consumer','consumer','smb','smb','enterprise','public'])[1 + g % 7],
       '2018-01-01'::date + (g * 97) % 2500
  FROM generate_series(1, :scale / 10) g;

CREATE TABLE sales (sale_id int PRIMARY KEY, store_id int NOT NULL REFERENCES stores,
                    customer_id int NOT NULL REFERENCES customers,
                    sold_on date NOT NULL, channel text NOT NULL);
INSERT INTO sales
SELECT g, 1 + (random() * 199)::int, 1 + (random() * (:scale / 10 - 1))::int,
       '2024-01-01'::date + (random() * 365)::int,
       (ARRAY['store','store','store','web','web','app'])[1 + (random() * 5)::int]
  FROM generate_series(1, :scale) g;

-- composite primary key; composite foreign key to supply
CREATE TABLE sale_lines (sale_id int NOT NULL REFERENCES sales, line_no int NOT NULL,
                         product_id int NOT NULL, supplier_id int NOT NULL,
                         qty int NOT NULL, amount numeric NOT NULL,
                         PRIMARY KEY (sale_id, line_no),
                         FOREIGN KEY (product_id, supplier_id) REFERENCES supply);
INSERT INTO sale_lines
SELECT s, l, p, 1 + (p * 7 + k * 131) % 500, q, q * (5 + (p * 13) % 995)
  FROM (SELECT s, l, 1 + (random() * 9999)::int AS p, (random() * 3)::int AS k,
               1 + (random() * 9)::int AS q
          FROM generate_series(1, :scale) s, generate_series(1, 3) l) x;

-- composite foreign key to sale_lines
CREATE TABLE returns (sale_id int NOT NULL, line_no int NOT NULL,
                      returned_on date NOT NULL, reason text NOT NULL,
                      PRIMARY KEY (sale_id, line_no),
                      FOREIGN KEY (sale_id, line_no) REFERENCES sale_lines);
INSERT INTO returns
SELECT sl.sale_id, sl.line_no, s.sold_on + 1 + (sl.sale_id % 30),
       (ARRAY['damaged','wrong size','late','changed mind','other'])[1 + (sl.sale_id + sl.line_no) % 5]
  FROM sale_lines sl JOIN sales s USING (sale_id)
 WHERE (sl.sale_id * 3 + sl.line_no) % 20 = 0;

VACUUM ANALYZE;

-- The workload: 22 reports.
CREATE TABLE bench_queries (qno int PRIMARY KEY, query text NOT NULL);
INSERT INTO bench_queries VALUES
 (1,  $q$SELECT r.name, sum(sl.amount) FROM sale_lines sl JOIN sales s ON s.sale_id = sl.sale_id JOIN stores st ON st.s_id = s.store_id JOIN regions r ON r.r_id = st.region_id WHERE s.sold_on >= '2024-03-01' AND s.sold_on < '2024-03-08' GROUP BY r.name$q$),
 (2,  $q$SELECT b.name, sum(sl.amount) AS revenue FROM sale_lines sl JOIN products p ON p.p_id = sl.product_id JOIN brands b ON b.b_id = p.brand_id JOIN sales s ON s.sale_id = sl.sale_id WHERE p.category = 'cat7' AND s.sold_on BETWEEN '2024-04-01' AND '2024-04-30' GROUP BY b.name HAVING sum(sl.amount) > 1000 ORDER BY revenue DESC LIMIT 10$q$),
 (3,  $q$SELECT sp.name, sum(sl.amount - sl.qty * su.unit_cost) FROM sale_lines sl JOIN supply su ON su.product_id = sl.product_id AND su.supplier_id = sl.supplier_id JOIN suppliers sp ON sp.sup_id = su.supplier_id WHERE sl.product_id BETWEEN 100 AND 120 GROUP BY sp.name$q$),
 (4,  $q$SELECT line_no, product_id, qty, amount FROM sale_lines WHERE sale_id = 4242$q$),
 (5,  $q$SELECT s.sale_id, s.sold_on, sum(sl.amount) FROM sales s JOIN sale_lines sl ON sl.sale_id = s.sale_id WHERE s.customer_id = 777 GROUP BY s.sale_id, s.sold_on ORDER BY s.sold_on DESC LIMIT 20$q$),
 (6,  $q$SELECT p.category, rt.reason, count(*) FROM returns rt JOIN sale_lines sl ON sl.sale_id = rt.sale_id AND sl.line_no = rt.line_no JOIN products p ON p.p_id = sl.product_id WHERE rt.returned_on >= '2024-05-01' AND rt.returned_on < '2024-05-15' GROUP BY p.category, rt.reason$q$),
 (7,  $q$SELECT c.c_id FROM customers c WHERE c.segment = 'enterprise' AND c.region_id = 3 AND EXISTS (SELECT 1 FROM sales s WHERE s.customer_id = c.c_id AND s.sold_on >= '2024-12-01')$q$),
 (8,  $q$SELECT p.p_id FROM products p WHERE p.brand_id = 17 AND NOT EXISTS (SELECT 1 FROM sale_lines sl WHERE sl.product_id = p.p_id)$q$),
 (9,  $q$SELECT r.name, b.name, sum(sl.amount - sl.qty * su.unit_cost) AS margin FROM sales s JOIN stores st ON st.s_id = s.store_id JOIN regions r ON r.r_id = st.region_id JOIN customers c ON c.c_id = s.customer_id JOIN sale_lines sl ON sl.sale_id = s.sale_id JOIN products p ON p.p_id = sl.product_id JOIN brands b ON b.b_id = p.brand_id JOIN supply su ON su.product_id = sl.product_id AND su.supplier_id = sl.supplier_id WHERE c.segment = 'smb' AND s.sold_on >= '2024-07-01' AND s.sold_on < '2024-07-04' GROUP BY r.name, b.name$q$),
 (10, $q$SELECT sold_on, count(*) FROM sales WHERE store_id = 42 AND sold_on >= '2024-01-01' AND sold_on < '2024-02-01' GROUP BY sold_on$q$),
 (11, $q$SELECT sp.name, count(*) FROM supply su JOIN suppliers sp ON sp.sup_id = su.supplier_id WHERE su.lead_days > 28 GROUP BY sp.name HAVING count(*) > 3$q$),
 (12, $q$SELECT p.p_id, p.list_price, b.name FROM products p JOIN brands b ON b.b_id = p.brand_id WHERE p.launched_on >= '2024-10-01' AND b.country = 'DE'$q$),
 (13, $q$SELECT r.name, count(*) FROM sales s JOIN customers c ON c.c_id = s.customer_id JOIN regions r ON r.r_id = c.region_id WHERE s.channel = 'app' AND s.sold_on BETWEEN '2024-08-01' AND '2024-08-07' GROUP BY r.name$q$),
 (14, $q$SELECT count(*), sum(amount) FROM sale_lines WHERE product_id IN (SELECT p_id FROM products WHERE category = 'cat3' AND list_price > 900)$q$),
 (15, $q$SELECT rt.sale_id, rt.line_no, rt.reason FROM returns rt JOIN sales s ON s.sale_id = rt.sale_id WHERE s.customer_id = 1234$q$),
 (16, $q$SELECT st.city, (SELECT max(s.sold_on) FROM sales s WHERE s.store_id = st.s_id) FROM stores st WHERE st.region_id = 2$q$),
 (17, $q$SELECT supplier_id, unit_cost FROM supply WHERE product_id = 555 ORDER BY unit_cost LIMIT 1$q$),
 (18, $q$SELECT sp.name, p.category, sum(sl.qty) FROM sale_lines sl JOIN sales s ON s.sale_id = sl.sale_id JOIN stores st ON st.s_id = s.store_id JOIN regions r ON r.r_id = st.region_id JOIN supply su ON su.product_id = sl.product_id AND su.supplier_id = sl.supplier_id JOIN suppliers sp ON sp.sup_id = su.supplier_id AND sp.region_id = r.r_id JOIN products p ON p.p_id = sl.product_id WHERE s.sold_on >= '2024-09-01' AND s.sold_on < '2024-09-03' AND p.category = 'cat1' GROUP BY sp.name, p.category$q$),
 (19, $q$SELECT c.c_id, count(*) FROM customers c JOIN sales s ON s.customer_id = c.c_id WHERE c.joined_on >= '2024-02-01' AND c.joined_on < '2024-02-15' GROUP BY c.c_id HAVING count(*) > 1$q$),
 (20, $q$SELECT reason, count(*) FROM returns WHERE returned_on >= '2024-12-20' GROUP BY reason$q$),
 (21, $q$SELECT sl.product_id, sum(sl.qty) FROM sale_lines sl WHERE sl.supplier_id = 77 GROUP BY sl.product_id HAVING sum(sl.qty) > 5$q$),
 (22, $q$SELECT st.region_id, count(*) FROM sales s JOIN stores st ON st.s_id = s.store_id JOIN customers c ON c.c_id = s.customer_id WHERE st.region_id <> c.region_id AND s.sold_on = '2024-11-11' GROUP BY st.region_id$q$);

-- The expert's set, by hand, for the same reports.
CREATE TABLE bench_expert (definition text NOT NULL);
INSERT INTO bench_expert VALUES
 ('CREATE INDEX ON sales (sold_on)'),
 ('CREATE INDEX ON sales (customer_id, sold_on DESC)'),
 ('CREATE INDEX ON sales (store_id, sold_on)'),
 ('CREATE INDEX ON sales (channel, sold_on)'),
 ('CREATE INDEX ON sale_lines (product_id, supplier_id)'),
 ('CREATE INDEX ON sale_lines (supplier_id)'),
 ('CREATE INDEX ON returns (returned_on)'),
 ('CREATE INDEX ON products (category)'),
 ('CREATE INDEX ON products (brand_id)'),
 ('CREATE INDEX ON products (launched_on)'),
 ('CREATE INDEX ON customers (joined_on)'),
 ('CREATE INDEX ON supply (supplier_id)');
