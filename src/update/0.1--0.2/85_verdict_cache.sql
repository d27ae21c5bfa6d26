/*
 * 85_verdict_cache.sql -- the check's kept verdicts (src/check/verdicts.c).
 *
 * idx_plan_summary() (idx_check, idx_report) plans every stored query of
 * every tracked index; with 1,000 tracked indexes that is most of a
 * check's time.  A verdict only changes when what the planner reads
 * changes, so each complete verdict (every query planned, none failed) is
 * kept here with a fingerprint of what it was planned from; the next check
 * reuses it while the fingerprint is the same, and plans the row again
 * otherwise.  The fingerprint has three parts:
 *  - the row's own inputs: its stored queries, search_path, role, index
 *    and table (row_key, computed in C);
 *  - the state of each relation the plans read (deps: PlannedStmt's
 *    relationOids, and the index's table): idx_verdict_states();
 *  - what any plan may depend on: user functions, operators, types, casts,
 *    operator classes, collations, constraints, policies, rules, schemas,
 *    roles and their memberships, extended statistics, foreign tables,
 *    extensions, the hidden indexes, and the planner's and the extension's
 *    settings: idx_verdict_global().
 * A verdict whose history row is gone is dropped by the next check.
 * Catalog rows are compared by xmin (an UPDATE gives a new one) and, for
 * what ANALYZE, VACUUM and index builds change in place, by value.
 */

CREATE TABLE @extschema@.idx_verdicts (
    history_id  bigint PRIMARY KEY,     -- no foreign key: idx_history may be
                                        -- truncated; row_key tells a reused id
    row_key     bigint NOT NULL,
    deps        oid[] NOT NULL,
    fingerprint bigint NOT NULL,
    uses_index  boolean[] NOT NULL,
    scans       text[] NOT NULL,
    winners     text[] NOT NULL,
    planned_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.idx_verdicts IS
    'index_advisor: internal, the last complete EXPLAIN verdict of each tracked create row, with the fingerprint of what it was planned from; idx_check() and idx_report() reuse a verdict while its fingerprint is unchanged (src/check/verdicts.c)';
REVOKE ALL ON @extschema@.idx_verdicts FROM PUBLIC;

-- The state of relations, as far as planning reads it: each relation's
-- catalog row and size (and how many relations share its name: one that
-- shadows it on a search_path), its columns, its indexes (validity, size,
-- rebuilds), its statistics and its partitions or children.  For many
-- verdicts at once: pair i is (keys[i], rels[i]); one row per key.
CREATE FUNCTION @extschema@.idx_verdict_states(keys bigint[], rels oid[])
RETURNS TABLE(key bigint, state text)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
SET enable_nestloop = off   -- hash joins: 10,000 indexes in ~2x less time
AS $body$
    WITH d AS (
        SELECT DISTINCT u.k, u.r FROM unnest($1, $2) u(k, r)
    ), c AS (
        SELECT d.k, string_agg(concat_ws(',', c.oid, c.xmin, c.relfilenode,
                                         c.relpages, c.reltuples, c.relallvisible,
                                         (SELECT count(*) FROM pg_class s
                                           WHERE s.relname = c.relname)),
                               ';' ORDER BY c.oid) AS s
          FROM d JOIN pg_class c ON c.oid = d.r GROUP BY d.k
    ), i AS (
        SELECT d.k, string_agg(concat_ws(',', x.indexrelid, x.xmin, x.indisvalid,
                                         x.indisready, x.indislive, i.xmin,
                                         i.relfilenode, i.relpages, i.reltuples),
                               ';' ORDER BY x.indexrelid) AS s
          FROM d JOIN pg_index x ON x.indrelid = d.r
          JOIN pg_class i ON i.oid = x.indexrelid GROUP BY d.k
    ), a AS (
        SELECT d.k, count(*) || ',' || sum(a.xmin::text::bigint) AS s
          FROM d JOIN pg_attribute a ON a.attrelid = d.r GROUP BY d.k
    ), st AS (
        SELECT d.k, count(*) || ',' || sum(s.xmin::text::bigint) AS s
          FROM d JOIN pg_statistic s ON s.starelid = d.r GROUP BY d.k
    ), h AS (
        SELECT d.k, count(*) || ',' || sum(h.xmin::text::bigint) AS s
          FROM d JOIN pg_inherits h ON h.inhparent = d.r GROUP BY d.k
    )
    SELECT k.k, concat_ws('|', c.s, i.s, a.s, st.s, h.s)
      FROM (SELECT DISTINCT d.k FROM d) k
      LEFT JOIN c ON c.k = k.k LEFT JOIN i ON i.k = k.k
      LEFT JOIN a ON a.k = k.k LEFT JOIN st ON st.k = k.k
      LEFT JOIN h ON h.k = k.k
$body$;
COMMENT ON FUNCTION @extschema@.idx_verdict_states(bigint[], oid[]) IS
    'internal (idx_plan_summary): the planning state of the relations of each kept verdict (pairs of key and relation), for their fingerprints';
REVOKE ALL ON FUNCTION @extschema@.idx_verdict_states(bigint[], oid[]) FROM PUBLIC;

-- What every plan may depend on, read once per check.  The settings are
-- those that shape a plan; jit's only decide how it is run (idx_check sets
-- jit = off, a session calling idx_report may not).
CREATE FUNCTION @extschema@.idx_verdict_global()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT concat_ws('|',
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_proc WHERE oid >= 16384),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_operator WHERE oid >= 16384),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_type
          WHERE oid >= 16384 AND typrelid = 0 AND typcategory <> 'A'),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_constraint WHERE contype <> 'p' AND contype <> 'u'),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_policy),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_rewrite WHERE oid >= 16384),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_namespace),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_auth_members),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_authid),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_cast WHERE oid >= 16384),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_opclass WHERE oid >= 16384),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_amop WHERE oid >= 16384),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_collation WHERE oid >= 16384),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_foreign_table),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_statistic_ext),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_statistic_ext_data),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM pg_extension),
        (SELECT count(*) || ',' || sum(xmin::text::bigint) FROM @extschema@.idx_hidden_indexes),
        (SELECT string_agg(name || '=' || setting, ',' ORDER BY name)
           FROM pg_settings
          WHERE (category LIKE 'Query Tuning%' AND name NOT LIKE 'jit%')
             OR name LIKE 'index_advisor.%'
             OR name IN ('max_parallel_workers', 'work_mem',
                         'default_statistics_target', 'constraint_exclusion')))
$body$;
COMMENT ON FUNCTION @extschema@.idx_verdict_global() IS
    'internal (idx_plan_summary): what any kept verdict depends on besides its relations (user functions, operators, types, casts, operator classes, collations, constraints, policies, rules, schemas, roles and memberships, extended statistics, foreign tables, extensions, hidden indexes, planner and index_advisor settings)';
REVOKE ALL ON FUNCTION @extschema@.idx_verdict_global() FROM PUBLIC;
