
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
    history_id      bigint PRIMARY KEY
);
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
        UPDATE @extschema@.idx_history h SET status = 'rolled_back'
         WHERE h.id OPERATOR(pg_catalog.=) l.history_id
           AND h.status OPERATOR(pg_catalog.=) 'done';
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
            pg_catalog.pg_get_indexdef(index), 'done',
            (SELECT h.id FROM @extschema@.idx_history h
              WHERE h.id OPERATOR(pg_catalog.=) l.history_id),
            (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) caller),
            pg_catalog.clock_timestamp(), pg_catalog.clock_timestamp(),
            caller, login, i.indrelid, index, i.indrelid)
    RETURNING idx_history.id INTO id;

    IF op OPERATOR(pg_catalog.=) 'hide' THEN
        INSERT INTO @extschema@.idx_hidden_indexes
               (index_oid, table_oid, index_table_oid, schema_name, index_name, hidden_by, history_id)
        VALUES (index, i.indrelid, i.indrelid, i.nspname, i.relname, caller, id)
        ON CONFLICT (index_oid) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'index "%" is already hidden', index::pg_catalog.regclass
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'idx_hidden shows since when, and by which history row.';
        END IF;
    ELSIF op OPERATOR(pg_catalog.=) 'built' THEN
        UPDATE @extschema@.idx_hidden_indexes h
           SET index_oid = index, index_table_oid = i.indrelid, history_id = id,
               hidden_at = pg_catalog.clock_timestamp()
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
        UPDATE @extschema@.idx_history h SET status = 'rolled_back'
          FROM gone
         WHERE h.id OPERATOR(pg_catalog.=) gone.history_id
           AND h.operation OPERATOR(pg_catalog.=) 'hide'
           AND h.status OPERATOR(pg_catalog.=) 'done';
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
    IF NEW.status OPERATOR(pg_catalog.=) 'done' AND NEW.index_oid IS NOT NULL THEN
        PERFORM @extschema@.idx_hidden_record('built', NEW.index_oid, NEW.id,
                                              NEW.role_oid, NEW.login_role_oid);
    ELSIF NEW.status OPERATOR(pg_catalog.<>) 'done' THEN
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

-- idx_apply gets visible (default true): false builds the index hidden from
-- every planner from the start (needs the library preloaded).
DROP FUNCTION @extschema@.idx_apply(text, text[], text, text, timestamptz);
CREATE FUNCTION @extschema@.idx_apply(definition text,
                                      queries text[] DEFAULT NULL,
                                      migration text DEFAULT NULL,
                                      priority text DEFAULT NULL,
                                      not_before timestamptz DEFAULT NULL,
                                      visible boolean DEFAULT true)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'idx_apply';
COMMENT ON FUNCTION @extschema@.idx_apply(text, text[], text, text, timestamptz, boolean) IS
    'validate one CREATE INDEX statement as the calling role and queue it for a concurrent build by a background worker, at a priority (normal, low, idle), not before a time, and hidden from every planner when visible is false; returns the history id';
REVOKE ALL ON FUNCTION @extschema@.idx_apply(text, text[], text, text, timestamptz, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_apply(text, text[], text, text, timestamptz, boolean) TO PUBLIC;
