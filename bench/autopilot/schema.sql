-- bench/autopilot/schema.sql -- the shop the autopilot bench runs on, with
-- primary keys only (bench/autopilot.sh loads it once into a template
-- database and clones it for each side).
--
-- psql variables: customers, orders, lines, carts (row counts; the
-- defaults of autopilot.sh: 100,000 / 300,000 / 500,000 / 100,000).
--
--   customers    looked up by account_no (a join to their orders)
--   orders       read by customer (FK), by day (a range on a date),
--                updated by id, inserted with their lines
--   order_lines  read by order (FK join), by product (a covering count
--                and a page of the newest), deleted by order
--   carts        the hottest write: every UPDATE changes touched_at; one
--                rare report reads the carts touched in the last seconds
--
-- Data is deterministic (no random()): both sides of the bench, and every
-- run, start from the same rows.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE TABLE customers (
    id          bigint PRIMARY KEY,
    account_no  bigint NOT NULL,
    name        text NOT NULL,
    region      int NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE TABLE orders (
    id           bigserial PRIMARY KEY,
    customer_id  bigint NOT NULL,
    status       text NOT NULL,
    created_at   timestamptz NOT NULL,
    total        numeric(10,2) NOT NULL
);
CREATE TABLE order_lines (
    id          bigserial PRIMARY KEY,
    order_id    bigint NOT NULL,
    product_id  int NOT NULL,
    qty         int NOT NULL,
    price       numeric(10,2) NOT NULL
);
-- room for HOT updates: without an index on touched_at, the UPDATE of a
-- cart stays on its page and touches no index
CREATE TABLE carts (
    id           bigint PRIMARY KEY,
    customer_id  bigint NOT NULL,
    items        int NOT NULL,
    touched_at   timestamptz NOT NULL
) WITH (fillfactor = 80);

INSERT INTO customers
SELECT g, 100000 + 13 * g, 'customer ' || g, g % 50,
       timestamptz '2025-01-01' + (g % 700) * interval '1 day'
  FROM generate_series(1::bigint, :customers) g;
-- a year of orders, spread over every customer and day
INSERT INTO orders (id, customer_id, status, created_at, total)
SELECT g, 1 + (g * 7919) % :customers,
       (ARRAY['new', 'paid', 'shipped', 'shipped', 'delivered'])[1 + g % 5],
       current_date - 365 + (g % 365)::int + (g % 1440) * interval '1 minute',
       (g % 50000) / 100.0
  FROM generate_series(1::bigint, :orders) g;
SELECT setval('orders_id_seq', :orders);
-- about 1.7 lines per order, 5,000 products (100 lines each)
INSERT INTO order_lines (id, order_id, product_id, qty, price)
SELECT g, 1 + (g * 7) % :orders, 1 + (g * 104729) % 5000, 1 + g % 7,
       (g % 10000) / 100.0
  FROM generate_series(1::bigint, :lines) g;
SELECT setval('order_lines_id_seq', :lines);
INSERT INTO carts
SELECT g, 1 + g % :customers, g % 9,
       now() - interval '30 days' + (g % 43200) * interval '1 minute'
  FROM generate_series(1::bigint, :carts) g;

VACUUM (FREEZE, ANALYZE);
