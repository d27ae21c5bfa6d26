-- idx_autopilot_report() (doc/autopilot.md, "Report") renders the record as
-- the validation and drop stages write it (the evidence shape of doc/autopilot.md):
-- totals first ("N indexes kept: ... min/day saved, size; ..."), then per
-- recommendation what, why, measured before -> after, time saved per day
-- only from an after window of at least autopilot_min_window, bytes (0
-- once reverted, negative when a drop freed them).  The rows are written
-- here by hand, as the stages would write them.
BEGIN;   -- the rows are rolled back at the end
SET index_advisor.autopilot_min_window = '1h';

-- nothing yet: the totals only
SELECT recommendation_id, what FROM idx_autopilot_report();

INSERT INTO idx_recommendations
       (kind, definition, schema_name, index_name, table_name, table_oid,
        statements, est_gain, est_size, status, reason, role_oid, evidence)
VALUES
  -- kept, measured over 2 hours: saved 1,800,000 ms/day = 30 min/day
  ('create', 'CREATE INDEX orders_customer_idx ON public.orders (customer)',
   'public', 'orders_customer_idx', 'orders', 0,
   '[{"userid": 10, "queryid": 1, "query": "SELECT * FROM orders WHERE customer = $1", "calls": 400, "mean_ms": 12.5, "stddev_ms": 1, "total_ms": 5000}]',
   0.9, 1490944, 'kept', 'kept: SELECT * FROM orders WHERE customer = $1 went 12.5 -> 0.05 ms over 900 calls',
   current_user::regrole,
   '{"before": {"seconds": 3600}, "after": {"seconds": 7200},
     "statements": [{"queryid": 1, "userid": 10, "query": "SELECT * FROM orders WHERE customer = $1", "target": true,
                     "calls_before": 400, "mean_before": 12.5, "sd_before": 1, "calls_after": 900, "mean_after": 0.05, "sd_after": 0.01, "p": 0},
                    {"queryid": 2, "userid": 10, "query": "UPDATE orders SET note = $1 WHERE id = $2", "target": false,
                     "calls_before": 100, "mean_before": 0.02, "sd_before": 0.01, "calls_after": 200, "mean_after": 0.021, "sd_after": 0.01, "p": 0.4}],
     "gain": 0.996, "saved_ms_per_day": 1800000}'),
  -- kept, but measured over 10 minutes: not extrapolated
  ('create', 'CREATE INDEX items_sku_idx ON public.items (sku)',
   'public', 'items_sku_idx', 'items', 0, '[]', 0.5, 8192 * 100, 'kept', 'kept',
   current_user::regrole,
   '{"before": {"seconds": 3600}, "after": {"seconds": 600},
     "statements": [{"query": "SELECT sum(qty) FROM items WHERE sku = $1", "target": true,
                     "calls_before": 300, "mean_before": 2, "calls_after": 250, "mean_after": 0.5}],
     "gain": 0.75, "saved_ms_per_day": null}'),
  -- reverted: its bytes are 0
  ('create', 'CREATE INDEX accounts_balance_idx ON public.accounts (balance)',
   'public', 'accounts_balance_idx', 'accounts', 0, '[]', 0.3, 5000000, 'reverted',
   'UPDATE accounts SET balance = ... went 0.21 -> 0.34 ms over 5,200 calls: fewer HOT updates',
   current_user::regrole, NULL),
  -- proposed: measured before only
  ('create', 'CREATE INDEX t_x_idx ON public.t (x)', 'public', 't_x_idx', 't', 0,
   '[{"query": "SELECT pad FROM t WHERE x = $1", "calls": 80, "mean_ms": 0.3215, "total_ms": 25.72}]',
   0.95, 2000000, 'proposed', 'For 1 statement ...', current_user::regrole, NULL),
  -- a drop, hidden, then one dropped
  ('drop', 'DROP INDEX CONCURRENTLY public.old_idx', 'public', 'old_idx', 't', 0, '[]',
   NULL, 3000000, 'hidden', 'unused', current_user::regrole, NULL),
  ('drop', 'DROP INDEX CONCURRENTLY public.dup_idx', 'public', 'dup_idx', 't', 0, '[]',
   NULL, 4000000, 'dropped', 'redundant', current_user::regrole, NULL);

\x on
SELECT * FROM idx_autopilot_report();
\x off
ROLLBACK;
