
/* index_advisor 0.2 part: hidden ("invisible") indexes (issue 21).
 *
 * idx_hide(index) removes an index from every planning in the database,
 * in every session and on the standbys, while writes keep it current;
 * idx_unhide(index), or idx_rollback of the hide, brings it back at once.
 * The list of hidden indexes is the table idx_hidden_indexes (so pg_dump
 * keeps it and standbys receive it); the planner filter is
 * src/plan/hidden.c, which needs the library preloaded; who may and what
 * may be hidden is src/plan/hide.c.  Each hide and unhide is an
 * idx_history row (operation hide / unhide, status done: it took effect
 * when its transaction committed; a hide no longer in effect, reverted by
 * an unhide or its index dropped, becomes rolled_back), never claimed by a
 * worker (workers claim queued rows only).
 * Reference: doc/hidden.md. */

ALTER TABLE @extschema@.idx_history
    DROP CONSTRAINT idx_history_operation_check,
    ADD CONSTRAINT idx_history_operation_check
        CHECK (operation IN ('create', 'drop', 'hide', 'unhide'));
COMMENT ON TABLE @extschema@.idx_history IS
    'index_advisor: one row per requested index operation (create, drop, hide or unhide); also the work queue of the background workers (creates and drops)';

-- The list.  Written only by idx_hidden_record() (through idx_hide,
-- idx_unhide, idx_rollback) and by the event trigger below; read by the
-- planner filter of every backend, directly (no privilege is checked).
-- Columns as in idx_history: index_oid is this cluster's while
-- index_table_oid equals table_oid (a restore re-resolves table_oid by
-- name, not index_oid); idx_hidden_resolve() then finds the index by name.
-- A row whose index_oid is NULL is pending: idx_apply(..., visible =>
-- false) hides the index it queued, by name on its table, from the moment
-- CREATE INDEX CONCURRENTLY creates it; history_id is then the create
-- row's, and becomes the hide row's when the build is done (trigger
-- idx_hidden_built below); a failed or cancelled build removes it.
-- src/plan/hidden.c reads the columns by position: keep their order.
CREATE TABLE @extschema@.idx_hidden_indexes (
    index_oid       pg_catalog.oid UNIQUE,
    table_oid       pg_catalog.regclass NOT NULL,
    index_table_oid pg_catalog.oid NOT NULL,
    schema_name     pg_catalog.name NOT NULL,
    index_name      pg_catalog.name NOT NULL,
    hidden_by       pg_catalog.regrole NOT NULL,
    hidden_at       timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    history_id      bigint PRIMARY KEY,
    statements_at_hide jsonb
);
COMMENT ON COLUMN @extschema@.idx_hidden_indexes.statements_at_hide IS
    'pg_stat_statements at the hide, summed over the statements that read the table (idx_hidden_statements); NULL without pg_stat_statements';
COMMENT ON TABLE @extschema@.idx_hidden_indexes IS
    'index_advisor: the indexes hidden from every planner of the database (idx_hide); read it through the view idx_hidden';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_hidden_indexes', '');
REVOKE ALL ON @extschema@.idx_hidden_indexes FROM PUBLIC;
GRANT SELECT ON @extschema@.idx_hidden_indexes TO PUBLIC;

CREATE FUNCTION @extschema@.idx_hidden_resolve(index_oid pg_catalog.oid,
                                               table_oid pg_catalog.regclass,
                                               index_table_oid pg_catalog.oid,
                                               schema_name pg_catalog.name,
                                               index_name pg_catalog.name)
RETURNS pg_catalog.regclass
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'idx_hidden_resolve';
COMMENT ON FUNCTION @extschema@.idx_hidden_resolve(pg_catalog.oid, pg_catalog.regclass, pg_catalog.oid, pg_catalog.name, pg_catalog.name) IS
    'internal: the index of table_oid that a row of idx_hidden_indexes names in this cluster (by OID, or by name after a restore), NULL if none; the planner filter uses the same rule';
REVOKE ALL ON FUNCTION @extschema@.idx_hidden_resolve(pg_catalog.oid, pg_catalog.regclass, pg_catalog.oid, pg_catalog.name, pg_catalog.name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_hidden_resolve(pg_catalog.oid, pg_catalog.regclass, pg_catalog.oid, pg_catalog.name, pg_catalog.name) TO PUBLIC;

-- What pg_stat_statements says of the statements of this database that
-- read the table (the autopilot's rule, idx_autopilot_reads_table:
-- analysed as their authors, views expanded; not a word of their text),
-- queries and DML only (not DDL, not index_advisor's own calls): {"calls", "total_ms", "statements"}, cumulative since its
-- last reset; NULL when pg_stat_statements is not installed here or not
-- loaded.  SECURITY DEFINER so that the sums count every role's statements
-- (only sums leave it, never a statement's text).
CREATE FUNCTION @extschema@.idx_hidden_statements(table_oid pg_catalog.regclass)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $idx_hidden_statements$
DECLARE
    nsp  name;
    rel  name;
    r    jsonb;
BEGIN
    SELECT n.nspname INTO nsp
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
     WHERE e.extname OPERATOR(pg_catalog.=) 'pg_stat_statements';
    SELECT c.relname INTO rel FROM pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) table_oid;
    IF nsp IS NULL OR rel IS NULL THEN
        RETURN NULL;
    END IF;
    -- a table's statements by the autopilot's rule (86_autopilot.sql;
    -- resolved when this runs): those that read it, analysed as their
    -- authors, under the search_path this session started with (a
    -- summary for a person, as idx_advise_workload analyses with the
    -- caller's path; the autopilot, which no one watches, analyses under
    -- idx_autopilot_trusted_path); queries and DML only, not
    -- index_advisor's own calls.  The
    -- kind and idx_*( patterns are E'' strings passed as parameters, never
    -- text of the statement: a plain literal loses its backslashes with
    -- standard_conforming_strings = off (no statement was counted)
    EXECUTE pg_catalog.format(
        'SELECT pg_catalog.jsonb_build_object(''calls'', COALESCE(pg_catalog.sum(s.calls), 0),'
        '       ''total_ms'', COALESCE(pg_catalog.sum(s.total_exec_time), 0), ''statements'', pg_catalog.count(*))'
        '  FROM %I.pg_stat_statements s'
        ' WHERE s.dbid OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d'
        '                                       WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())'
        '   AND @extschema@.idx_autopilot_reads_table(s.userid, s.queryid, s.query, $1, $4)'
        '   AND s.query OPERATOR(pg_catalog.~*) $2'
        '   AND s.query OPERATOR(pg_catalog.!~*) $3', nsp)
        INTO r
        USING table_oid, E'^\\s*(SELECT|WITH|UPDATE|DELETE|INSERT|TABLE)\\M',
              E'\\midx_\\w+\\s*\\(',
              (SELECT st.reset_val FROM pg_catalog.pg_settings st
                WHERE st.name OPERATOR(pg_catalog.=) 'search_path');
    RETURN r;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;      -- installed but not loaded: nothing to say
END
$idx_hidden_statements$;
COMMENT ON FUNCTION @extschema@.idx_hidden_statements(pg_catalog.regclass) IS
    'internal (hides, idx_report, idx_check): calls and total time from pg_stat_statements of the statements that read the table (idx_autopilot_reads_table), summed; NULL without pg_stat_statements';
REVOKE ALL ON FUNCTION @extschema@.idx_hidden_statements(pg_catalog.regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_hidden_statements(pg_catalog.regclass) TO PUBLIC;

-- Every change of the list invalidates every backend's cache of it and the
-- cached plans of the index's table (src/plan/hidden.c).
CREATE FUNCTION @extschema@.idx_hidden_changed()
RETURNS trigger
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'idx_hidden_changed';
COMMENT ON FUNCTION @extschema@.idx_hidden_changed() IS
    'internal (triggers on idx_hidden_indexes): invalidate every backend''s list of hidden indexes and the cached plans of the index''s table';
REVOKE ALL ON FUNCTION @extschema@.idx_hidden_changed() FROM PUBLIC;
CREATE TRIGGER idx_hidden_changed
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.idx_hidden_indexes
    FOR EACH ROW EXECUTE FUNCTION @extschema@.idx_hidden_changed();
CREATE TRIGGER idx_hidden_truncated
    AFTER TRUNCATE ON @extschema@.idx_hidden_indexes
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.idx_hidden_changed();
COMMENT ON TRIGGER idx_hidden_changed ON @extschema@.idx_hidden_indexes IS
    'index_advisor: the planners of every session see the change at their next planning';
COMMENT ON TRIGGER idx_hidden_truncated ON @extschema@.idx_hidden_indexes IS
    'index_advisor: the planners of every session see the change at their next planning';

-- What a hide or an unhide writes, once.  Run by src/plan/hide.c as the
-- owner of the extension's tables, after its checks as the caller (who is
-- passed as caller / login), and by the trigger idx_hidden_built: never
-- executable by PUBLIC.  Returns the new history row's id.  op:
--   hide     index is hidden: a hide row and a list row;
--   unhide   index (row_id NULL), or the index of hide row row_id, is shown:
--            an unhide row reverting the hide row, which becomes rolled_back;
--   pending  create row row_id (idx_apply, visible => false) will build a
--            hidden index: a pending list row, no history row yet;
--   built    create row row_id built index: its hide row, the list row no
--            longer pending.
CREATE FUNCTION @extschema@.idx_hidden_record(op text, index pg_catalog.oid,
                                              row_id bigint,
                                              caller pg_catalog.oid,
                                              login pg_catalog.oid)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $idx_hidden_record$
DECLARE
    l   @extschema@.idx_hidden_indexes;
    c   @extschema@.idx_history;
    i   record;
    id  bigint;
BEGIN
    IF op OPERATOR(pg_catalog.=) ANY ('{pending,built}') THEN
        SELECT * INTO STRICT c FROM @extschema@.idx_history h
         WHERE h.id OPERATOR(pg_catalog.=) row_id;
    END IF;
    IF op OPERATOR(pg_catalog.=) 'pending' THEN
        IF (SELECT k.relkind FROM pg_catalog.pg_class k
             WHERE k.oid OPERATOR(pg_catalog.=) c.table_oid) OPERATOR(pg_catalog.=) 'p' THEN
            RAISE EXCEPTION 'visible => false is not supported for partitioned tables'
                USING ERRCODE = 'feature_not_supported',
                      HINT = 'Build it visible, or hide the index of each partition once built.';
        END IF;
        INSERT INTO @extschema@.idx_hidden_indexes
               (index_oid, table_oid, index_table_oid, schema_name, index_name, hidden_by, history_id)
        VALUES (NULL, c.table_oid, c.table_oid, c.schema_name, c.index_name, caller, row_id);
        RETURN row_id;
    END IF;
    IF op OPERATOR(pg_catalog.=) 'unhide' THEN
        SELECT * INTO l FROM @extschema@.idx_hidden_indexes h
         WHERE h.index_oid IS NOT NULL
           AND CASE WHEN row_id IS NULL
                    THEN @extschema@.idx_hidden_resolve(h.index_oid, h.table_oid, h.index_table_oid,
                                                        h.schema_name, h.index_name)::pg_catalog.oid
                         OPERATOR(pg_catalog.=) index
                    ELSE h.history_id OPERATOR(pg_catalog.=) row_id END
           FOR UPDATE;
        IF NOT FOUND AND row_id IS NULL THEN
            RAISE EXCEPTION 'index "%" is not hidden', index::pg_catalog.regclass
                USING ERRCODE = 'object_not_in_prerequisite_state';
        ELSIF NOT FOUND THEN
            RAISE EXCEPTION 'history row % hides no index any more', row_id
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'Its index was unhidden or dropped since.';
        END IF;
        index := @extschema@.idx_hidden_resolve(l.index_oid, l.table_oid, l.index_table_oid,
                                                l.schema_name, l.index_name);
        DELETE FROM @extschema@.idx_hidden_indexes h
         WHERE h.history_id OPERATOR(pg_catalog.=) l.history_id;
        UPDATE @extschema@.idx_history h SET status = @extschema@.idx_status('rolled_back')
         WHERE h.id OPERATOR(pg_catalog.=) l.history_id
           AND h.status OPERATOR(pg_catalog.=) @extschema@.idx_status('done');
    END IF;

    SELECT n.nspname, k.relname, t.relname AS table_name, x.indrelid
      INTO i
      FROM pg_catalog.pg_class k
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) k.relnamespace
      JOIN pg_catalog.pg_index x ON x.indexrelid OPERATOR(pg_catalog.=) k.oid
      JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) x.indrelid
     WHERE k.oid OPERATOR(pg_catalog.=) index;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'index with OID % does not exist', index
            USING ERRCODE = 'undefined_object';
    END IF;

    INSERT INTO @extschema@.idx_history
           (migration, operation, schema_name, table_name, index_name, definition, indexdef,
            status, reverts, requested_by, started_at, finished_at,
            role_oid, login_role_oid, table_oid, index_oid, index_table_oid)
    VALUES (c.migration, CASE op WHEN 'unhide' THEN 'unhide' ELSE 'hide' END,
            i.nspname, i.table_name, i.relname,
            pg_catalog.format('SELECT idx_%s(%L)', CASE op WHEN 'unhide' THEN 'unhide' ELSE 'hide' END,
                              pg_catalog.format('%I.%I', i.nspname, i.relname)),
            pg_catalog.pg_get_indexdef(index), @extschema@.idx_status('done'),
            (SELECT h.id FROM @extschema@.idx_history h
              WHERE h.id OPERATOR(pg_catalog.=) l.history_id),
            (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) caller),
            pg_catalog.clock_timestamp(), pg_catalog.clock_timestamp(),
            caller, login, i.indrelid, index, i.indrelid)
    RETURNING idx_history.id INTO id;

    IF op OPERATOR(pg_catalog.=) 'hide' THEN
        INSERT INTO @extschema@.idx_hidden_indexes
               (index_oid, table_oid, index_table_oid, schema_name, index_name, hidden_by,
                history_id, statements_at_hide)
        VALUES (index, i.indrelid, i.indrelid, i.nspname, i.relname, caller, id,
                @extschema@.idx_hidden_statements(i.indrelid))
        ON CONFLICT (index_oid) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'index "%" is already hidden', index::pg_catalog.regclass
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'idx_hidden shows since when, and by which history row.';
        END IF;
    ELSIF op OPERATOR(pg_catalog.=) 'built' THEN
        UPDATE @extschema@.idx_hidden_indexes h
           SET index_oid = index, index_table_oid = i.indrelid, history_id = id,
               hidden_at = pg_catalog.clock_timestamp(),
               statements_at_hide = @extschema@.idx_hidden_statements(i.indrelid)
         WHERE h.history_id OPERATOR(pg_catalog.=) row_id AND h.index_oid IS NULL;
    END IF;
    RETURN id;
END
$idx_hidden_record$;
COMMENT ON FUNCTION @extschema@.idx_hidden_record(text, pg_catalog.oid, bigint, pg_catalog.oid, pg_catalog.oid) IS
    'internal (idx_hide, idx_unhide, idx_rollback of a hide, idx_apply with visible => false): write the history row and the list row of a hide or unhide; run as the tables'' owner after the caller''s checks';
REVOKE ALL ON FUNCTION @extschema@.idx_hidden_record(text, pg_catalog.oid, bigint, pg_catalog.oid, pg_catalog.oid) FROM PUBLIC;

-- The checks (as the caller) are in C; no SET search_path is needed for a
-- regclass argument, but every function here pins it anyway.
CREATE FUNCTION @extschema@.idx_hide(index pg_catalog.regclass)
RETURNS void
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'idx_hide';
COMMENT ON FUNCTION @extschema@.idx_hide(pg_catalog.regclass) IS
    'hide an index from every planner of the database (it is still maintained and still enforces its constraint); needs index_advisor preloaded; records a history row that idx_rollback reverts';
REVOKE ALL ON FUNCTION @extschema@.idx_hide(pg_catalog.regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_hide(pg_catalog.regclass) TO PUBLIC;

CREATE FUNCTION @extschema@.idx_unhide(index pg_catalog.regclass)
RETURNS void
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'idx_unhide';
COMMENT ON FUNCTION @extschema@.idx_unhide(pg_catalog.regclass) IS
    'show a hidden index to every planner again, at once; records a history row';
REVOKE ALL ON FUNCTION @extschema@.idx_unhide(pg_catalog.regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_unhide(pg_catalog.regclass) TO PUBLIC;

CREATE VIEW @extschema@.idx_hidden WITH (security_invoker = true) AS
SELECT r.index_name, h.table_oid AS table_name, h.hidden_by, h.hidden_at, h.history_id
  FROM @extschema@.idx_hidden_indexes h,
       LATERAL (SELECT @extschema@.idx_hidden_resolve(h.index_oid, h.table_oid, h.index_table_oid,
                                                      h.schema_name, h.index_name) AS index_name) r
 WHERE r.index_name IS NOT NULL;
COMMENT ON VIEW @extschema@.idx_hidden IS
    'index_advisor: the indexes hidden from every planner of the database, by whom, since when, and the history row of the hide';
REVOKE ALL ON @extschema@.idx_hidden FROM PUBLIC;
GRANT SELECT ON @extschema@.idx_hidden TO PUBLIC;

-- DROP INDEX (or of its table, schema, column, constraint) of a hidden
-- index removes its entry, so that a later index that happens to get the
-- same OID is not hidden, and a dump does not carry it; its hide row
-- becomes rolled_back (the hide is no longer in effect).  Not on DROP
-- EXTENSION: the list goes with the extension.
CREATE FUNCTION @extschema@.idx_hidden_forget()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $idx_hidden_forget$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() d
                WHERE d.object_type OPERATOR(pg_catalog.=) ANY ('{index,table,schema}'))
       AND EXISTS (SELECT FROM @extschema@.idx_hidden_indexes) THEN
        WITH gone AS (
            DELETE FROM @extschema@.idx_hidden_indexes h
             WHERE h.index_oid IS NOT NULL
               AND @extschema@.idx_hidden_resolve(h.index_oid, h.table_oid, h.index_table_oid,
                                                  h.schema_name, h.index_name) IS NULL
            RETURNING h.history_id)
        UPDATE @extschema@.idx_history h SET status = @extschema@.idx_status('rolled_back')
          FROM gone
         WHERE h.id OPERATOR(pg_catalog.=) gone.history_id
           AND h.operation OPERATOR(pg_catalog.=) 'hide'
           AND h.status OPERATOR(pg_catalog.=) @extschema@.idx_status('done');
    END IF;
END
$idx_hidden_forget$;
COMMENT ON FUNCTION @extschema@.idx_hidden_forget() IS
    'internal (event trigger index_advisor_hidden_forget): forget the hidden indexes that a DROP removed';
REVOKE ALL ON FUNCTION @extschema@.idx_hidden_forget() FROM PUBLIC;

CREATE EVENT TRIGGER index_advisor_hidden_forget ON sql_drop
    WHEN TAG IN ('DROP INDEX', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED', 'ALTER TABLE')
    EXECUTE FUNCTION @extschema@.idx_hidden_forget();
COMMENT ON EVENT TRIGGER index_advisor_hidden_forget IS
    'index_advisor: a dropped hidden index leaves no entry in idx_hidden';

-- idx_apply(..., visible => false): the build of a create row with a
-- pending list row ended.  Done: record its hide (the list row becomes the
-- hide's); failed or cancelled: forget it.
CREATE FUNCTION @extschema@.idx_hidden_built()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $idx_hidden_built$
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.idx_hidden_indexes h
                    WHERE h.history_id OPERATOR(pg_catalog.=) NEW.id AND h.index_oid IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NEW.status OPERATOR(pg_catalog.=) @extschema@.idx_status('done') AND NEW.index_oid IS NOT NULL THEN
        PERFORM @extschema@.idx_hidden_record('built', NEW.index_oid, NEW.id,
                                              NEW.role_oid, NEW.login_role_oid);
    ELSIF NEW.status OPERATOR(pg_catalog.<>) @extschema@.idx_status('done') THEN
        DELETE FROM @extschema@.idx_hidden_indexes h
         WHERE h.history_id OPERATOR(pg_catalog.=) NEW.id AND h.index_oid IS NULL;
    END IF;
    RETURN NULL;
END
$idx_hidden_built$;
COMMENT ON FUNCTION @extschema@.idx_hidden_built() IS
    'internal (trigger idx_hidden_built on idx_history): the build of an index queued with visible => false ended: record its hide, or forget it';
REVOKE ALL ON FUNCTION @extschema@.idx_hidden_built() FROM PUBLIC;
CREATE TRIGGER idx_hidden_built
    AFTER UPDATE OF status ON @extschema@.idx_history
    FOR EACH ROW
    WHEN (NEW.operation OPERATOR(pg_catalog.=) 'create'
          AND NEW.status OPERATOR(pg_catalog.=) ANY ('{done,failed,cancelled}')
          AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION @extschema@.idx_hidden_built();
COMMENT ON TRIGGER idx_hidden_built ON @extschema@.idx_history IS
    'index_advisor: an index built with visible => false is recorded as hidden once its build is done';

-- idx_apply's visible argument (false: built hidden from every planner from
-- the start) is declared with its other 0.2 arguments in 76_apply.sql.

-- ---------------------------------------------------------------------
-- idx_report and idx_check: a hidden index is "hidden since ...", with what
-- pg_stat_statements says of its table's statements before and since.
-- ---------------------------------------------------------------------

-- "statements on t: before the hide N calls, mean X ms; since: M calls,
-- mean Y ms", from the sums at the hide and now; NULL without them.
CREATE FUNCTION @extschema@.idx_hidden_statements_note(table_oid pg_catalog.regclass,
                                                       at_hide jsonb)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT CASE
           WHEN n IS NULL OR at_hide IS NULL THEN NULL
           WHEN (n->>'calls')::numeric < (at_hide->>'calls')::numeric THEN
               'pg_stat_statements was reset since the hide: no comparison'
           ELSE format('statements reading %s: before the hide %s calls, mean %s ms; since, %s calls, mean %s ms',
                       table_oid, at_hide->>'calls',
                       COALESCE(round((at_hide->>'total_ms')::numeric
                                      / NULLIF((at_hide->>'calls')::numeric, 0), 3)::text, '-'),
                       (n->>'calls')::numeric - (at_hide->>'calls')::numeric,
                       COALESCE(round(((n->>'total_ms')::numeric - (at_hide->>'total_ms')::numeric)
                                      / NULLIF((n->>'calls')::numeric - (at_hide->>'calls')::numeric, 0), 3)::text, '-'))
           END
      FROM (SELECT @extschema@.idx_hidden_statements(table_oid) AS n) x
$body$;
COMMENT ON FUNCTION @extschema@.idx_hidden_statements_note(pg_catalog.regclass, jsonb) IS
    'internal (idx_report, idx_check): calls and mean time of the statements reading a table before a hide and since, from pg_stat_statements';
REVOKE ALL ON FUNCTION @extschema@.idx_hidden_statements_note(pg_catalog.regclass, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_hidden_statements_note(pg_catalog.regclass, jsonb) TO PUBLIC;

-- idx_report's verdict and detail of an index, turned into those of a
-- hidden index when it is hidden (called by idx_report, 64_report.sql).
CREATE FUNCTION @extschema@.idx_hidden_verdict(index pg_catalog.oid, verdict text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT COALESCE((SELECT format('hidden since %s', to_char(x.hidden_at, 'YYYY-MM-DD HH24:MI'))
                       FROM @extschema@.idx_hidden x
                      WHERE x.index_name::oid OPERATOR(pg_catalog.=) index), verdict)
$body$;
COMMENT ON FUNCTION @extschema@.idx_hidden_verdict(pg_catalog.oid, text) IS
    'internal (idx_report): "hidden since ..." for a hidden index, else the verdict given';
CREATE FUNCTION @extschema@.idx_hidden_detail(index pg_catalog.oid, detail text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT COALESCE((SELECT concat_ws('; ',
                            format('hidden by %s (history row %s)', x.hidden_by, x.history_id),
                            @extschema@.idx_hidden_statements_note(x.table_name, l.statements_at_hide),
                            detail)
                       FROM @extschema@.idx_hidden x
                       JOIN @extschema@.idx_hidden_indexes l ON l.history_id OPERATOR(pg_catalog.=) x.history_id
                      WHERE x.index_name::oid OPERATOR(pg_catalog.=) index), detail)
$body$;
COMMENT ON FUNCTION @extschema@.idx_hidden_detail(pg_catalog.oid, text) IS
    'internal (idx_report): for a hidden index, who hid it, the history row, the statements of its table before and since, then the detail given';
REVOKE ALL ON FUNCTION @extschema@.idx_hidden_verdict(pg_catalog.oid, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.idx_hidden_detail(pg_catalog.oid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_hidden_verdict(pg_catalog.oid, text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_hidden_detail(pg_catalog.oid, text) TO PUBLIC;

-- idx_check: one finding per hidden index (kind hidden, allowed by the one
-- constraint of 78_nodes.sql), so that a hide is not forgotten; called by
-- idx_check (60_check.sql).
CREATE FUNCTION @extschema@.idx_check_hidden()
RETURNS SETOF @extschema@.idx_finding
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT 'hidden', n.nspname, t.relname, c.relname, x.history_id,
           concat_ws('; ', format('hidden since %s by %s', to_char(x.hidden_at, 'YYYY-MM-DD HH24:MI'), x.hidden_by),
                     @extschema@.idx_hidden_statements_note(x.table_name, l.statements_at_hide),
                     'idx_unhide() shows it again; DROP INDEX when it is not missed')
      FROM @extschema@.idx_hidden x
      JOIN @extschema@.idx_hidden_indexes l ON l.history_id OPERATOR(pg_catalog.=) x.history_id
      JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.index_name
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
      JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) x.table_name
$body$;
COMMENT ON FUNCTION @extschema@.idx_check_hidden() IS
    'internal (idx_check): a finding per hidden index, with its table''s statements before and since the hide';
REVOKE ALL ON FUNCTION @extschema@.idx_check_hidden() FROM PUBLIC;
