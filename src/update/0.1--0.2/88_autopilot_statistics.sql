/* index_advisor 0.2 part: the autopilot's statistics -- Welch's test
 * (src/autopilot/welch.c) and the rules the validation and the drops
 * (stages 2 and 3: 88_autopilot_validate.sql, 89_autopilot_drops.sql)
 * decide with: the significance level, "slower" and "faster" by a
 * fraction with significance, and "more work per call".  Pure functions,
 * PUBLIC's.
 * Reference: doc/autopilot.md, "Statistics". */

CREATE FUNCTION @extschema@.idx_autopilot_welch(mean1 double precision, stddev1 double precision,
                                               calls1 double precision,
                                               mean2 double precision, stddev2 double precision,
                                               calls2 double precision,
                                               shift double precision DEFAULT 0,
                                               OUT t double precision, OUT df double precision,
                                               OUT p_slower double precision)
RETURNS record
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'idx_autopilot_welch';
COMMENT ON FUNCTION @extschema@.idx_autopilot_welch(double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS
    'Welch''s one-sided t-test: p_slower is the p-value of "the mean of window 2 is more than (1 + shift) times that of window 1" (t, Welch-Satterthwaite df); NULLs when a window has fewer than two calls';

-- The significance level of every decision: 5 %, one-sided.
CREATE FUNCTION @extschema@.idx_autopilot_alpha()
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$SELECT 0.05::double precision$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_alpha() IS
    'the significance level of the autopilot''s decisions (one-sided Welch test)';

-- After (m2, s2, n2) is slower than (1 + by) times before (m1, s1, n1),
-- significantly.  NULL when a window has fewer than two calls.
CREATE FUNCTION @extschema@.idx_autopilot_slower(m1 double precision, s1 double precision, n1 double precision,
                                                m2 double precision, s2 double precision, n2 double precision,
                                                by double precision)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT w.p_slower < @extschema@.idx_autopilot_alpha()
      FROM @extschema@.idx_autopilot_welch($1, COALESCE($2, 'NaN'), $3, $4, COALESCE($5, 'NaN'), $6, $7) w
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_slower(double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS
    'true when the after window (m2, s2, n2) is slower than (1 + by) times the before window (m1, s1, n1) at idx_autopilot_alpha(); NULL when not known';

-- After is faster than (1 - by) times before, significantly.
CREATE FUNCTION @extschema@.idx_autopilot_faster(m1 double precision, s1 double precision, n1 double precision,
                                                m2 double precision, s2 double precision, n2 double precision,
                                                by double precision)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 1 - w.p_slower < @extschema@.idx_autopilot_alpha()
      FROM @extschema@.idx_autopilot_welch($1, COALESCE($2, 'NaN'), $3, $4, COALESCE($5, 'NaN'), $6, -$7) w
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_faster(double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS
    'true when the after window (m2, s2, n2) is faster than (1 - by) times the before window (m1, s1, n1) at idx_autopilot_alpha(); NULL when not known';

-- "It does more work per call after": shared blocks (hit + read) or WAL
-- records per call grew by more than the fraction "by".  Both are counts
-- of what a call did, which the machine's load does not move (time does:
-- on a shared machine a statement can be "significantly slower" with the
-- same plan and the same work).  A regression the autopilot acts on must
-- show in both: its time (idx_autopilot_slower) and its work (this).  A
-- non-HOT update touches each index's pages and writes a WAL record per
-- index; a read without its index reads more blocks.  NULL when a window
-- has no calls.
CREATE FUNCTION @extschema@.idx_autopilot_more_work(calls_before bigint, blocks_before bigint,
                                                   wal_before bigint,
                                                   calls_after bigint, blocks_after bigint,
                                                   wal_after bigint,
                                                   by double precision)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN $1 > 0 AND $4 > 0 THEN
                $5::float8 / $4 > (1 + $7) * $2::float8 / $1
             OR $6::float8 / $4 > (1 + $7) * $3::float8 / $1
           END
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_more_work(bigint, bigint, bigint, bigint, bigint, bigint, double precision) IS
    'true when a statement did more work per call in the after window than before: shared blocks (hit + read) or WAL records per call grew by more than the fraction by; the corroboration a regression needs besides its time';
