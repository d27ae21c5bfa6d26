/* index_advisor 0.1 -> 0.2, part "advise": idx_advise() and
 * idx_advise_workload() choose indexes for queries (src/advise/advise.c,
 * doc/advisor.md).  Nothing here is executed: queries are planned over
 * hypothetical indexes in a subtransaction that is rolled back.  No
 * function here pins search_path: like idx_apply, they analyse the
 * caller's queries with the caller's search_path; their own bodies are
 * schema-qualified. */

-- ---------------------------------------------------------------------
-- idx_advise: indexes for the given queries
-- ---------------------------------------------------------------------
CREATE FUNCTION @extschema@.idx_advise(queries text[],
                                       budget bigint DEFAULT NULL,
                                       max_indexes integer DEFAULT NULL)
RETURNS TABLE (rank integer, definition text, table_name text,
               est_size bigint, queries text[], cost_before double precision,
               cost_after double precision, replaces text[], note text)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_advise';
COMMENT ON FUNCTION @extschema@.idx_advise(text[], bigint, integer) IS
    'index_advisor: the indexes (at most max_indexes, at most budget bytes in all) that lower the planned cost of the queries most, as CREATE INDEX statements idx_apply accepts; queries are checked as idx_apply checks them, planned (never executed) as the caller over hypothetical indexes; one row with definition NULL and the reason in note when none helps, and one row per query that cannot be advised (its SQLSTATE and error in note) instead of an error';

-- One query.  An untyped array literal ('{...}') resolves to this text
-- form, not to text[]: no statement starts with "{", so that is an error
-- that says what to write, not a row saying "syntax error at or near {".
-- No SET search_path: the query is the caller's, resolved as idx_advise
-- resolves it.
CREATE FUNCTION @extschema@.idx_advise(query text)
RETURNS TABLE (rank integer, definition text, table_name text,
               est_size bigint, queries text[], cost_before double precision,
               cost_after double precision, replaces text[], note text)
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    IF pg_catalog.ltrim(query, E' \t\r\n') OPERATOR(pg_catalog.~~) '{%' THEN
        RAISE EXCEPTION 'idx_advise(text) takes one query, not an array literal'
            USING ERRCODE = '22023',
                  HINT = 'For several queries write ARRAY[''SELECT ...'', ''SELECT ...''] or cast the literal: ''{...}''::text[].';
    END IF;
    RETURN QUERY SELECT * FROM @extschema@.idx_advise(ARRAY[query]::text[], NULL::bigint, NULL::integer);
END;
$$;
COMMENT ON FUNCTION @extschema@.idx_advise(text) IS
    'index_advisor: idx_advise for one query';

REVOKE ALL ON FUNCTION @extschema@.idx_advise(text[], bigint, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_advise(text) FROM PUBLIC;
-- whoever may call idx_apply may ask what to apply
GRANT EXECUTE ON FUNCTION @extschema@.idx_advise(text[], bigint, integer) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_advise(text) TO PUBLIC;

-- ---------------------------------------------------------------------
-- idx_advise_workload: indexes for the top statements of
-- pg_stat_statements
-- ---------------------------------------------------------------------

-- Internal: statement i was run by roles[i], weights[i] times.  Plans a
-- statement only when the caller has the privileges of its role, as that
-- role or a less privileged one (src/advise/advise.c), so it is safe for
-- PUBLIC; bounded as idx_advise is (src/definition/queries.c): at most
-- index_advisor.max_queries_per_index statements (else 54000), and a
-- statement longer than index_advisor.max_query_bytes is skipped unread
-- and counted.  qual_*: statement qual_stmts[k] (1-based) was seen sending
-- qual_values[k] (pg_qualstats' constvalue) to compare with column
-- qual_atts[k] of qual_rels[k] by operator qual_ops[k]; used as
-- src/plan/values.c says (pg_stats' rule).
CREATE FUNCTION @extschema@.idx_advise_statements(queries text[], roles oid[],
                                                  weights double precision[],
                                                  budget bigint,
                                                  max_indexes integer,
                                                  other_databases bigint,
                                                  qual_stmts integer[] DEFAULT NULL,
                                                  qual_rels oid[] DEFAULT NULL,
                                                  qual_atts smallint[] DEFAULT NULL,
                                                  qual_ops oid[] DEFAULT NULL,
                                                  qual_values text[] DEFAULT NULL)
RETURNS TABLE (rank integer, definition text, table_name text,
               est_size bigint, queries text[], cost_before double precision,
               cost_after double precision, replaces text[], note text)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_advise_statements';
COMMENT ON FUNCTION @extschema@.idx_advise_statements(text[], oid[], double precision[], bigint, integer, bigint, integer[], oid[], smallint[], oid[], text[]) IS
    'index_advisor internal (idx_advise_workload): advise on statements run by the given roles with the given weights; statements of roles whose privileges the caller does not have are skipped and counted';
REVOKE ALL ON FUNCTION @extschema@.idx_advise_statements(text[], oid[], double precision[], bigint, integer, bigint, integer[], oid[], smallint[], oid[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_advise_statements(text[], oid[], double precision[], bigint, integer, bigint, integer[], oid[], smallint[], oid[], text[]) TO PUBLIC;

CREATE FUNCTION @extschema@.idx_advise_workload(top integer DEFAULT 50,
                                                budget bigint DEFAULT NULL,
                                                max_indexes integer DEFAULT NULL)
RETURNS TABLE (rank integer, definition text, table_name text,
               est_size bigint, queries text[], cost_before double precision,
               cost_after double precision, replaces text[], note text)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    pss_schema name;
    pqs_schema name;
    q text[];
    ids bigint[];
    qs_stmt integer[];
    qs_rel oid[];
    qs_att smallint[];
    qs_op oid[];
    qs_val text[];
    r oid[];
    w double precision[];
    others bigint;
BEGIN
    IF top IS NULL OR top OPERATOR(pg_catalog.<) 1 OR top OPERATOR(pg_catalog.>) 1000 THEN
        RAISE EXCEPTION 'top must be between 1 and 1000, not %', top
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT n.nspname INTO pss_schema
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
     WHERE e.extname OPERATOR(pg_catalog.=) 'pg_stat_statements';
    IF pss_schema IS NULL THEN
        RAISE EXCEPTION 'extension "pg_stat_statements" is not installed in this database'
            USING ERRCODE = 'undefined_object',
                  DETAIL = 'idx_advise_workload() reads the statements to advise on from pg_stat_statements.',
                  HINT = 'Run CREATE EXTENSION pg_stat_statements; it also needs shared_preload_libraries = ''pg_stat_statements''.';
    END IF;
    BEGIN
        EXECUTE pg_catalog.format('SELECT 1 FROM %I.pg_stat_statements LIMIT 1',
                                  pss_schema);
    EXCEPTION WHEN object_not_in_prerequisite_state THEN
        RAISE EXCEPTION 'pg_stat_statements is not loaded'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'pg_stat_statements only collects statements when it is in shared_preload_libraries.',
                  HINT = 'Add pg_stat_statements to shared_preload_libraries and restart the server.';
    END;
    -- the top statements by time; advised on in an order of their own
    -- (calls, then text and role): the advice, which among near-equal
    -- candidates keeps the first drawn (advise_select.c), must not change
    -- with the timings that order pg_stat_statements
    EXECUTE pg_catalog.format(
        'SELECT pg_catalog.array_agg(query ORDER BY calls DESC, query, userid),
                pg_catalog.array_agg(userid ORDER BY calls DESC, query, userid),
                pg_catalog.array_agg(calls::double precision ORDER BY calls DESC, query, userid),
                pg_catalog.array_agg(queryid ORDER BY calls DESC, query, userid)
           FROM (SELECT s.query, s.userid, s.calls, s.queryid,
                        s.total_exec_time AS t
                   FROM %I.pg_stat_statements s
                  WHERE s.dbid OPERATOR(pg_catalog.=)
                        (SELECT d.oid FROM pg_catalog.pg_database d
                          WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
                  ORDER BY s.total_exec_time DESC
                  LIMIT $1) x', pss_schema)
      INTO q, r, w, ids USING top;
    -- the constants the application sends, when pg_qualstats records them:
    -- for each statement (its queryid and role), column and operator, the
    -- one seen most often
    SELECT n.nspname INTO pqs_schema
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
     WHERE e.extname OPERATOR(pg_catalog.=) 'pg_qualstats';
    IF pqs_schema IS NOT NULL AND ids IS NOT NULL THEN
        BEGIN
            EXECUTE pg_catalog.format(
                'SELECT pg_catalog.array_agg(i), pg_catalog.array_agg(lrelid),
                        pg_catalog.array_agg(lattnum), pg_catalog.array_agg(opno),
                        pg_catalog.array_agg(v)
                   FROM (SELECT x.i::integer AS i, p.lrelid, p.lattnum, p.opno,
                                (pg_catalog.array_agg(p.constvalue::text
                                   ORDER BY p.occurences DESC))[1] AS v
                           FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2))
                                WITH ORDINALITY x(id, role, i)
                           JOIN %I.pg_qualstats p
                             ON p.queryid OPERATOR(pg_catalog.=) x.id
                            AND p.userid OPERATOR(pg_catalog.=) x.role
                          WHERE p.constvalue IS NOT NULL AND p.lrelid IS NOT NULL
                            AND p.rrelid IS NULL
                          GROUP BY x.i, p.lrelid, p.lattnum, p.opno
                          -- one constant of the statement per column and
                          -- operator: which $n two would be is not known
                         HAVING pg_catalog.count(DISTINCT p.constant_position)
                                OPERATOR(pg_catalog.=) 1) y',
                pqs_schema)
              INTO qs_stmt, qs_rel, qs_att, qs_op, qs_val USING ids, r;
        EXCEPTION WHEN object_not_in_prerequisite_state THEN
            NULL;  -- pg_qualstats installed but not loaded: statistics only
        END;
    END IF;
    EXECUTE pg_catalog.format(
        'SELECT pg_catalog.count(*) FROM %I.pg_stat_statements s
          WHERE s.dbid OPERATOR(pg_catalog.<>)
                (SELECT d.oid FROM pg_catalog.pg_database d
                  WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())',
        pss_schema) INTO others;
    RETURN QUERY SELECT * FROM @extschema@.idx_advise_statements(
        COALESCE(q, '{}'), COALESCE(r, '{}'),
        COALESCE(w, '{}'), budget, max_indexes, others,
        qs_stmt, qs_rel, qs_att, qs_op, qs_val);
END;
$$;
COMMENT ON FUNCTION @extschema@.idx_advise_workload(integer, bigint, integer) IS
    'index_advisor: idx_advise for the top statements of this database in pg_stat_statements by total time, weighted by calls; only statements of roles whose privileges the caller has are planned, each as its author; a NOTICE counts what was skipped and why';
REVOKE ALL ON FUNCTION @extschema@.idx_advise_workload(integer, bigint, integer) FROM PUBLIC;
-- every role may ask: it only ever sees advice drawn from the statements of
-- roles whose privileges it has (pg_stat_statements itself hides other
-- roles' texts unless the caller has pg_read_all_stats)
GRANT EXECUTE ON FUNCTION @extschema@.idx_advise_workload(integer, bigint, integer) TO PUBLIC;

-- ---------------------------------------------------------------------
-- idx_advise_check: a gate for CI pipelines.  Raises IA001 naming the
-- advised indexes when one would cut some query's cost by more than
-- min_gain (a fraction); returns quietly otherwise.  Each query is
-- advised on alone (idx_advise: planned, never executed, as the caller),
-- so the gain is that query's own.  No SET search_path, as for
-- idx_advise: the queries are resolved with the caller's search_path; the
-- body is schema-qualified.
-- ---------------------------------------------------------------------
CREATE FUNCTION @extschema@.idx_advise_check(queries text[],
                                             min_gain double precision DEFAULT 0.5)
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    q text;
    n integer := 0;
    r record;
    before double precision;
    after double precision;
    defs text[];
    names text[] := '{}';
    details text[] := '{}';
    failing integer := 0;
BEGIN
    IF min_gain IS NULL THEN
        RAISE EXCEPTION 'min_gain must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass a fraction between 0 and 1, for example 0.5 for "cuts the cost by half".';
    END IF;
    IF NOT (min_gain OPERATOR(pg_catalog.>=) 0 AND min_gain OPERATOR(pg_catalog.<) 1) THEN
        RAISE EXCEPTION 'min_gain must be at least 0 and less than 1, not %', min_gain
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'It is the fraction of a query''s cost an index must cut to fail the check: 0.5 is half.';
    END IF;
    IF queries IS NULL THEN
        RAISE EXCEPTION 'queries must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the queries the indexes are for, for example ARRAY[''SELECT ...''].';
    END IF;
    FOREACH q IN ARRAY queries LOOP
        n := n OPERATOR(pg_catalog.+) 1;
        before := NULL;
        after := NULL;
        defs := '{}';
        FOR r IN SELECT a.rank, a.definition, a.cost_before, a.cost_after, a.note
                   FROM @extschema@.idx_advise(ARRAY[q]) a LOOP
            IF r.rank IS NULL AND r.definition IS NULL
               AND r.note OPERATOR(pg_catalog.~) '^query [0-9]+ could not be advised: [0-9A-Z]{5}: ' THEN
                -- the gate fails on a query it cannot judge, with its error
                RAISE EXCEPTION 'query % could not be checked: %', n,
                      pg_catalog.substr(r.note, pg_catalog.strpos(r.note, ': ') OPERATOR(pg_catalog.+) 9)
                    USING ERRCODE = pg_catalog.substr(r.note, pg_catalog.strpos(r.note, ': ') OPERATOR(pg_catalog.+) 2, 5),
                          DETAIL = pg_catalog.format('The query: %s', q);
            END IF;
            IF r.rank IS NOT NULL THEN
                before := r.cost_before;
                after := r.cost_after;   -- rows come best first: the last is all
                defs := defs OPERATOR(pg_catalog.||) r.definition;
            END IF;
        END LOOP;
        -- (OPERATOR() forms share one precedence, left to right: parenthesised)
        IF before OPERATOR(pg_catalog.>) 0
           AND (1 OPERATOR(pg_catalog.-) (after OPERATOR(pg_catalog./) before)) OPERATOR(pg_catalog.>) min_gain THEN
            failing := failing OPERATOR(pg_catalog.+) 1;
            names := names OPERATOR(pg_catalog.||)
                     ARRAY(SELECT pg_catalog.split_part(d, ' ', 3) FROM pg_catalog.unnest(defs) d);
            details := details OPERATOR(pg_catalog.||) pg_catalog.format(
                'Query %s (%s): cost %s -> %s (-%s%%) with %s.', n, q,
                pg_catalog.round(before::numeric, 2), pg_catalog.round(after::numeric, 2),
                pg_catalog.round((100 OPERATOR(pg_catalog.*) (1 OPERATOR(pg_catalog.-) (after OPERATOR(pg_catalog./) before)))::numeric, 1),
                pg_catalog.array_to_string(defs, '; '));
        END IF;
    END LOOP;
    IF failing OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'missing index: % would cut the cost of % of % queries by more than %',
              pg_catalog.array_to_string(ARRAY(SELECT DISTINCT x FROM pg_catalog.unnest(names) x ORDER BY 1), ', '),
              failing, n,
              pg_catalog.round((min_gain OPERATOR(pg_catalog.*) 100)::numeric)::text OPERATOR(pg_catalog.||) '%'
            USING ERRCODE = 'IA001',
                  DETAIL = pg_catalog.array_to_string(details, E'\n'),
                  HINT = 'Build the indexes with idx_apply() (idx_advise() gives the rows), or pass a higher min_gain.';
    END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.idx_advise_check(text[], double precision) IS
    'index_advisor: a CI gate; raises SQLSTATE IA001 naming the advised indexes when one would cut some query''s planned cost by more than min_gain (a fraction), returns quietly otherwise; a query that cannot be advised raises its own error; queries are advised on one by one as idx_advise does (planned, never executed)';
REVOKE ALL ON FUNCTION @extschema@.idx_advise_check(text[], double precision) FROM PUBLIC;
-- whoever may ask idx_advise may ask the gate: it only plans
GRANT EXECUTE ON FUNCTION @extschema@.idx_advise_check(text[], double precision) TO PUBLIC;

-- Which indexes the advisor's drop rows and the autopilot's drops may never
-- name, and why (src/advise/advise_drops.c ia_index_drop_refusal): written
-- once, in C, for both.
CREATE FUNCTION @extschema@.idx_index_drop_refusal(index_oid pg_catalog.oid)
RETURNS text
LANGUAGE C STRICT STABLE
AS 'MODULE_PATHNAME', 'idx_index_drop_refusal';
COMMENT ON FUNCTION @extschema@.idx_index_drop_refusal(pg_catalog.oid) IS
    'internal (advisor drops, autopilot drops): NULL when the index may be dropped at all; else why never (gone, not valid, unique or exclusion, replica identity, a partition''s, a system index, an extension''s table, a constraint''s)';
REVOKE ALL ON FUNCTION @extschema@.idx_index_drop_refusal(pg_catalog.oid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_index_drop_refusal(pg_catalog.oid) TO index_advisor_admin;
