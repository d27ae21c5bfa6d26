-- The statuses of idx_history rows are defined once in C (src/queue/ia_status.h,
-- shown by idx_statuses()) and once in SQL (the CHECK constraint of
-- idx_history; idx_status_live() for the live ones).  This test fails when
-- the two lists disagree.
SELECT status, live FROM idx_statuses();
-- the C list is exactly the statuses the CHECK constraint of idx_history allows
WITH sql_list AS (
    SELECT m[1] AS status
      FROM pg_constraint c,
           regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
     WHERE c.conrelid = 'idx_history'::regclass AND c.contype = 'c'
       AND pg_get_constraintdef(c.oid) LIKE '%status%')
SELECT coalesce(c.status, s.status) AS status,
       c.status IS NOT NULL AS in_c, s.status IS NOT NULL AS in_check
  FROM idx_statuses() c FULL JOIN sql_list s ON s.status = c.status
 WHERE c.status IS NULL OR s.status IS NULL;
-- C and SQL agree on which statuses are live
SELECT status, live AS live_in_c, idx_status_live(status) AS live_in_sql
  FROM idx_statuses()
 WHERE live IS DISTINCT FROM idx_status_live(status);
-- ... and with the partial index of live rows (0.1), which still serves
-- idx_status_live(): the function is inlined
WITH pred AS (
    SELECT m[1] AS status
      FROM regexp_matches(pg_get_expr((SELECT indpred FROM pg_index
                                        WHERE indexrelid = 'idx_history_status_idx'::regclass),
                                       'idx_history'::regclass),
                          '''([a-z_]+)''', 'g') m)
SELECT (SELECT array_agg(status ORDER BY status) FROM pred)
     = (SELECT array_agg(status ORDER BY status) FROM idx_statuses() WHERE live)
       AS partial_index_agrees;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM idx_history WHERE idx_status_live(status);
RESET enable_seqscan;
