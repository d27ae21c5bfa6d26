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
                                       max_indexes integer DEFAULT 10)
RETURNS TABLE (rank integer, definition text, table_name text,
               est_size bigint, queries text[], cost_before double precision,
               cost_after double precision, replaces text[], note text)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_advise';
COMMENT ON FUNCTION @extschema@.idx_advise(text[], bigint, integer) IS
    'index_advisor: the indexes (at most max_indexes, at most budget bytes in all) that lower the planned cost of the queries most, as CREATE INDEX statements idx_apply accepts; queries are checked as idx_apply checks them, planned (never executed) as the caller over hypothetical indexes; one row with definition NULL and the reason in note when none helps, and one row per query that cannot be advised (its SQLSTATE and error in note) instead of an error';

CREATE FUNCTION @extschema@.idx_advise(query text)
RETURNS TABLE (rank integer, definition text, table_name text,
               est_size bigint, queries text[], cost_before double precision,
               cost_after double precision, replaces text[], note text)
LANGUAGE sql VOLATILE
BEGIN ATOMIC
    SELECT * FROM @extschema@.idx_advise(ARRAY[query]::text[], NULL::bigint, 10);
END;
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
-- PUBLIC; bounded as idx_advise is (src/definition/definition.c): at most
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
                                                max_indexes integer DEFAULT 10)
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
    EXECUTE pg_catalog.format(
        'SELECT pg_catalog.array_agg(query ORDER BY t DESC),
                pg_catalog.array_agg(userid ORDER BY t DESC),
                pg_catalog.array_agg(calls::double precision ORDER BY t DESC),
                pg_catalog.array_agg(queryid ORDER BY t DESC)
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
