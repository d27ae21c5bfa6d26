-- Welch's test of the autopilot (src/autopilot/welch.c, doc/autopilot.md
-- "Statistics" and "Validation") against values known in closed form, and
-- the two rules the stages decide with; then the numbers of its sentences.

-- df = 1 (a window of two calls against one with no spread): P(T > 1) = 1/4
SELECT round(t::numeric, 12) AS t, df, round(p_slower::numeric, 12) AS p
  FROM idx_autopilot_welch(0, 1, 2, sqrt(0.5), 0, 2);
-- and P(T > t) = 1/2 - atan(t) / pi
SELECT x AS t, abs(w.p_slower - (0.5 - atan(x) / pi())) < 1e-12 AS exact
  FROM unnest(ARRAY[-10, -1, 0, 0.3, 2, 30]::float8[]) x,
       idx_autopilot_welch(0, 1, 2, x * sqrt(0.5), 0, 2) w;

-- df = 2: P(T > t) = 1/2 - t / (2 sqrt(t^2 + 2))
SELECT x AS t, w.df, abs(w.p_slower - (0.5 - x / (2 * sqrt(x * x + 2)))) < 1e-12 AS exact
  FROM unnest(ARRAY[-3, -1, 0, 0.5, 1, 2, 5, 20]::float8[]) x,
       idx_autopilot_welch(0, 1, 3, x * sqrt(1.0 / 3), 0, 3) w;

-- Welch-Satterthwaite df: equal windows give 2 (n - 1); unequal, between
-- the smaller n - 1 and n1 + n2 - 2
SELECT df FROM idx_autopilot_welch(1, 1, 10, 1, 1, 10);
SELECT round(df::numeric, 6) AS df FROM idx_autopilot_welch(1, 1, 10, 1, 3, 40);

-- large df: the normal tail (P(Z > 1.644853627) = 0.05, P(Z > 1.959963985)
-- = 0.025, P(Z > 3) = 0.001349898), also with millions of calls
SELECT z, n, abs(w.p_slower / p - 1) < 5e-5 AS normal
  FROM (VALUES (1.644853627::float8, 0.05::float8), (1.959963985, 0.025), (3, 0.001349898)) v(z, p),
       unnest(ARRAY[1e6, 1e9]::float8[]) n,
       idx_autopilot_welch(0, 1, n, z * sqrt(2 / n), 1, n) w;

-- against mpmath (40 digits): P(T > 3) at 1e3 and 1e7 calls a window,
-- P(T > 1.6448536269514722) at 1e9 and 2e9 (0.0500000000785775,
-- 0.0500000000392888): the many calls of a busy day keep the precision (it
-- was 3.5e-6 off at 1e9 calls: two lgamma() of 1e10 subtracted)
SELECT n, abs(w.p_slower / p - 1) < 1e-6 AS exact
  FROM (VALUES (1e3::float8, 3::float8, 0.00136658862607224::float8),
               (1e7, 3, 0.00134989969357396),
               (1e9, 1.6448536269514722, 0.0500000000785775),
               (2e9, 1.6448536269514722, 0.0500000000392888)) v(n, z, p),
       idx_autopilot_welch(0, 1, n, z * sqrt(2 / n), 1, n) w;

-- the shift: "slower than (1 + shift) x before" is tested on k = 1 + shift,
-- the before mean and deviation scaled by k
SELECT round(t::numeric, 12) AS t, p_slower FROM idx_autopilot_welch(1, 0.5, 100, 1.1, 0.5, 100, 0.1);
SELECT abs(t - (1.5 - 1.2 * 1) / sqrt(1.2 ^ 2 * 0.4 ^ 2 / 50 + 0.6 ^ 2 / 80)) < 1e-12 AS t_formula
  FROM idx_autopilot_welch(1, 0.4, 50, 1.5, 0.6, 80, 0.2);

-- NULL when not known: fewer than two calls, or no spread on either side
SELECT * FROM idx_autopilot_welch(1, 1, 1, 2, 1, 100);
SELECT * FROM idx_autopilot_welch(1, 1, 100, 2, 1, 1);
SELECT * FROM idx_autopilot_welch(1, 0, 100, 2, 0, 100);
SELECT * FROM idx_autopilot_welch(1, 'NaN', 100, 2, 1, 100);

-- the rules: slower than (1 + by) x before, faster than (1 - by) x before,
-- each at idx_autopilot_alpha() (5 %, one-sided)
SELECT idx_autopilot_alpha();
SELECT by,
       idx_autopilot_slower(1, 0.1, 1000, 1.5, 0.1, 1000, by) AS slower,
       idx_autopilot_faster(1, 0.1, 1000, 1.5, 0.1, 1000, by) AS faster
  FROM unnest(ARRAY[0, 0.1, 0.49, 0.6]::float8[]) by;
SELECT by,
       idx_autopilot_faster(2, 0.5, 500, 0.5, 0.2, 500, by) AS faster,
       idx_autopilot_slower(2, 0.5, 500, 0.5, 0.2, 500, by) AS slower
  FROM unnest(ARRAY[0, 0.2, 0.74, 0.8]::float8[]) by;
-- the same means are neither, and noise over few calls proves nothing
SELECT idx_autopilot_slower(1, 0.2, 1000, 1, 0.2, 1000, 0) AS slower,
       idx_autopilot_faster(1, 0.2, 1000, 1, 0.2, 1000, 0) AS faster;
SELECT idx_autopilot_slower(1, 1, 5, 1.3, 1, 5, 0.1) AS slower;
-- not known: NULL (a stddev of NULL is one call's)
SELECT idx_autopilot_slower(1, NULL, 1, 2, 0.1, 100, 0.1) AS slower,
       idx_autopilot_faster(1, 0.1, 100, 0.5, NULL, 1, 0.1) AS faster;

-- the numbers of the autopilot's sentences
SELECT x, idx_autopilot_ms(x)
  FROM unnest(ARRAY[0.2134, 0.34, 2.134, 0.0123, 0.00049, 34.4, 1234.5, 0]::float8[]) x;
SELECT idx_autopilot_p(p) FROM unnest(ARRAY[0.0004, 0.012345, 0.5]::float8[]) p;
SELECT idx_span_text(s) FROM unnest(ARRAY[0.4, 40, 119, 120, 3599, 3600, 5400, 172799, 172800, 864000]::float8[]) s;
SELECT idx_autopilot_abbrev('UPDATE accounts   SET abalance = abalance + $1
                             WHERE aid = $2');
SELECT idx_autopilot_abbrev('SELECT * FROM t WHERE a = $1');
-- the HOT share between two sets of a table's counters; NULL across a reset
SELECT * FROM idx_hot_share('{"upd": 100, "hot": 92}', '{"upd": 5300, "hot": 248}');
SELECT * FROM idx_hot_share(NULL, '{"upd": 200, "hot": 184}');
SELECT * FROM idx_hot_share('{"upd": 100, "hot": 92}', '{"upd": 100, "hot": 92}');
SELECT * FROM idx_hot_share('{"upd": 900, "hot": 92}', '{"upd": 10, "hot": 2}');

-- The decision on a recommendation's evidence (idx_autopilot_verdict), on
-- evidence written by hand: min_gain 20 %, max_regression 10 %,
-- autopilot_min_calls 200 and autopilot_max_wait 7 days (the defaults)
CREATE FUNCTION pg_temp.ev(target jsonb, other jsonb DEFAULT NULL, gain float8 DEFAULT 0.9,
                           hot_before int DEFAULT 92, hot_after int DEFAULT 90)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('statements', jsonb_build_array($1) || CASE WHEN $2 IS NULL THEN '[]' ELSE jsonb_build_array($2) END,
                              'gain', $3, 'saved_ms', 123456.0, 'saved_ms_per_day', NULL,
                              'after', jsonb_build_object('seconds', 40),
                              'hot_before', $4, 'hot_after', $5)
$$;
CREATE FUNCTION pg_temp.policy() RETURNS idx_autopilot_policy LANGUAGE sql AS $$
    SELECT ROW('apply', NULL, 2, 0.2, 0.1, false, '7 days', NULL, current_user::regrole, now())::idx_autopilot_policy
$$;
-- the target: 2.1 ms before, 0.05 after, over 5,000 calls, shown faster
\set sel '{"query": "SELECT * FROM accounts WHERE branch = $1", "target": true, "calls_before": 4800, "mean_before": 2.1, "calls_after": 5000, "mean_after": 0.05, "p": 0.0001, "faster": true, "slower": false}'
\set upd '{"query": "UPDATE accounts SET abalance = abalance + $1 WHERE aid = $2", "target": false, "calls_before": 5100, "mean_before": 0.21, "calls_after": 5200, "mean_after": 0.34, "p": 0.00002, "slower": true}'
\set upd_ok '{"query": "UPDATE accounts SET abalance = abalance + $1 WHERE aid = $2", "target": false, "calls_before": 5100, "mean_before": 0.21, "calls_after": 5200, "mean_after": 0.22, "p": 0.8, "slower": false}'
-- kept
SELECT * FROM idx_autopilot_verdict(pg_temp.ev(:'sel', :'upd_ok'), '1 hour', 'accounts', pg_temp.policy());
-- reverted: the UPDATE got slower, and the HOT share fell
SELECT * FROM idx_autopilot_verdict(pg_temp.ev(:'sel', :'upd', hot_after => 3), '1 hour', 'accounts', pg_temp.policy());
-- reverted: the UPDATE got slower, the HOT share did not move
SELECT * FROM idx_autopilot_verdict(pg_temp.ev(:'sel', :'upd'), '1 hour', 'accounts', pg_temp.policy());
-- reverted: the gain fell short; or it was not shown with significance
SELECT * FROM idx_autopilot_verdict(pg_temp.ev(:'sel', gain => 0.09), '1 hour', 'accounts', pg_temp.policy());
SELECT * FROM idx_autopilot_verdict(pg_temp.ev(jsonb_set(jsonb_set(:'sel', '{faster}', 'false'), '{p}', '0.21')),
                                    '1 hour', 'accounts', pg_temp.policy());
-- not yet: fewer than autopilot_min_calls calls of the targets after ...
SELECT * FROM idx_autopilot_verdict(pg_temp.ev(jsonb_set(:'sel', '{calls_after}', '150')), '1 hour', 'accounts', pg_temp.policy());
-- ... unless autopilot_max_wait has passed: decided on what there is
SELECT verdict FROM idx_autopilot_verdict(pg_temp.ev(jsonb_set(:'sel', '{calls_after}', '150')), '8 days', 'accounts', pg_temp.policy());
-- and with no call at all by then: reverted, no gain shown
SELECT * FROM idx_autopilot_verdict(pg_temp.ev(jsonb_set(jsonb_set(jsonb_set(:'sel', '{calls_after}', '0'), '{faster}', 'null'), '{p}', 'null')),
                                    '8 days', 'accounts', pg_temp.policy());
-- a daily rate only from a window of autopilot_min_window or more
SELECT sentence FROM idx_autopilot_verdict(jsonb_set(jsonb_set(pg_temp.ev(:'sel'), '{saved_ms_per_day}', '8640000'),
                                                     '{after,seconds}', '86400'),
                                           '1 day', 'accounts', pg_temp.policy());
