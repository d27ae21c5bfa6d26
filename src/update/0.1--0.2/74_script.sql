/* index_advisor 0.2 part: the ORM bridge (issue 11).
 *
 * idx_apply_script: the SQL that migration tools print (Django's
 * sqlmigrate, alembic upgrade --sql, pg_dump --section=post-data) queued all
 * or nothing: each CREATE INDEX and DROP INDEX through idx_apply's
 * validation and queue (src/script/script.c).
 * idx_export: the migration (a script, a Django migration, an Alembic
 * revision) that reproduces a history migration's indexes, for the
 * Python operations of python/index_advisor.  See doc/orm.md. */

-- No SET search_path: like idx_apply, names in the script resolve with the
-- caller's search_path, and with the search_path the script itself sets.
CREATE FUNCTION @extschema@.idx_apply_script(script text,
                                             migration text DEFAULT NULL)
RETURNS SETOF bigint
LANGUAGE C VOLATILE ROWS 10
AS 'MODULE_PATHNAME', 'idx_apply_script';
COMMENT ON FUNCTION @extschema@.idx_apply_script(text, text) IS
    'queue every CREATE INDEX and DROP INDEX of a migration script (sqlmigrate, alembic --sql, pg_dump post-data), all or nothing, as idx_apply and idx_rollback would; returns the history ids in script order';
-- Who may: what idx_apply and idx_rollback allow (the caller must own each
-- table); the function adds no privilege of its own.
REVOKE ALL ON FUNCTION @extschema@.idx_apply_script(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_apply_script(text, text) TO PUBLIC;

-- Text written into another language (src/script/escape.c: one rule for
-- what must never be written as it is).  idx_export writes every label,
-- query and definition through these two; so must anything else that
-- writes history text into SQL or Python.
CREATE FUNCTION @extschema@.idx_export_sqlstr(s text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT
AS 'MODULE_PATHNAME', 'idx_export_sqlstr';
COMMENT ON FUNCTION @extschema@.idx_export_sqlstr(text) IS
    'internal (idx_export): an SQL string constant of s, one line, without slash-star or star-slash, so inert inside any SQL comment';
REVOKE ALL ON FUNCTION @extschema@.idx_export_sqlstr(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_export_sqlstr(text) TO PUBLIC;

CREATE FUNCTION @extschema@.idx_export_pystr(s text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT
AS 'MODULE_PATHNAME', 'idx_export_pystr';
COMMENT ON FUNCTION @extschema@.idx_export_pystr(text) IS
    'internal (idx_export): a Python string literal of s, one line, control and invisible formatting characters escaped';
REVOKE ALL ON FUNCTION @extschema@.idx_export_pystr(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_export_pystr(text) TO PUBLIC;

-- idx_export: the migration that reproduces a history migration's indexes,
-- for the team's repository.  Reads idx_history as the caller (row-level
-- security: the rows the caller may act on).  Each index as it is now
-- (pg_get_indexdef of the recorded OID; a partitioned one without ONLY).
-- The label may be anything a role stored (0.1 did not check labels): it
-- is written only as idx_export_sqlstr's or idx_export_pystr's literal, in
-- Python never in a comment or docstring.
CREATE FUNCTION @extschema@.idx_export(migration text, format text DEFAULT 'sql')
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $idx_export$
DECLARE
    r       record;
    defs    text := '';
    ups     text := '';
    downs   text := '';
    n       integer := 0;
    pyq     text;
BEGIN
    IF format IS NULL OR format NOT IN ('sql', 'django', 'alembic') THEN
        RAISE EXCEPTION 'unknown export format "%"', format
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use ''sql'', ''django'' or ''alembic''.';
    END IF;
    FOR r IN
        SELECT h.id, h.queries, n.nspname AS schema_name, c.relname AS index_name,
               regexp_replace(pg_get_indexdef(c.oid), ' ON ONLY ', ' ON ') AS def, EXISTS (SELECT FROM @extschema@.idx_hidden x WHERE x.index_name OPERATOR(pg_catalog.=) c.oid::pg_catalog.regclass) AS hidden
          FROM @extschema@.idx_history h
          JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) h.index_oid
          JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
         WHERE h.migration OPERATOR(pg_catalog.=) idx_export.migration
           AND h.operation OPERATOR(pg_catalog.=) 'create'
           AND h.status OPERATOR(pg_catalog.=) @extschema@.idx_status('done')
           AND h.parent_id IS NULL
         ORDER BY h.id
    LOOP
        n := n OPERATOR(pg_catalog.+) 1;
        pyq := CASE WHEN r.queries IS NULL THEN ''
               ELSE ', queries=[' OPERATOR(pg_catalog.||)
                    (SELECT string_agg(@extschema@.idx_export_pystr(q), ', ') FROM unnest(r.queries) q)
                    OPERATOR(pg_catalog.||) ']' END;
        defs := defs OPERATOR(pg_catalog.||) CASE WHEN r.hidden THEN pg_catalog.format('SELECT idx_apply(%L, visible => false)', r.def)  -- hidden now (84_hidden.sql)
                ELSE regexp_replace(r.def, '^CREATE (UNIQUE )?INDEX ', 'CREATE \1INDEX CONCURRENTLY IF NOT EXISTS ') END
                OPERATOR(pg_catalog.||) E';\n';
        IF format OPERATOR(pg_catalog.=) 'django' THEN
            ups := ups OPERATOR(pg_catalog.||) pg_catalog.format(E'        ApplyIndexDefinition(\n            %s,\n            index_name=%s, schema=%s%s),\n',
                   @extschema@.idx_export_pystr(r.def), @extschema@.idx_export_pystr(r.index_name),
                   @extschema@.idx_export_pystr(r.schema_name), pyq);
        ELSE
            -- migration=revision: Alembic does not tell an operation which
            -- revision runs it (python/index_advisor/alembic.py)
            ups := ups OPERATOR(pg_catalog.||) pg_catalog.format(E'    op.apply_index_definition(\n        %s%s,\n        index_name=%s, schema=%s, migration=revision)\n',
                   @extschema@.idx_export_pystr(r.def), pyq,
                   @extschema@.idx_export_pystr(r.index_name),
                   @extschema@.idx_export_pystr(r.schema_name));
            downs := pg_catalog.format(E'    op.rollback_index(%s, schema=%s, migration=revision)\n',
                   @extschema@.idx_export_pystr(r.index_name),
                   @extschema@.idx_export_pystr(r.schema_name)) OPERATOR(pg_catalog.||) downs;
        END IF;
    END LOOP;
    IF n OPERATOR(pg_catalog.=) 0 THEN
        RAISE EXCEPTION 'migration "%" has no index to export', migration
            USING ERRCODE = 'undefined_object',
                  DETAIL = 'No create of this migration visible to you has status "done" and an index that still exists.';
    END IF;

    IF format OPERATOR(pg_catalog.=) 'sql' THEN
        RETURN pg_catalog.format(E'-- index_advisor: the indexes of migration %s, exported by idx_export().\n'
                      '-- Feed to idx_apply_script(), or run with psql outside a transaction block.\n%s',
                      @extschema@.idx_export_sqlstr(migration), defs);
    ELSIF format OPERATOR(pg_catalog.=) 'django' THEN
        RETURN pg_catalog.format(E'# index_advisor: the indexes of migration EXPORTED_FROM, exported by idx_export().\n'
                      '# Put it in an app''s migrations, set its dependencies (the latest\n'
                      '# migration of the app), then: python manage.py migrate\n'
                      'from django.db import migrations\n\n'
                      'from index_advisor.django import ApplyIndexDefinition, WaitForIndexes\n\n'
                      'EXPORTED_FROM = %s\n\n\n'
                      'class Migration(migrations.Migration):\n'
                      '    dependencies = []\n'
                      '    operations = [\n%s        WaitForIndexes(),\n    ]\n',
                      @extschema@.idx_export_pystr(migration), ups);
    END IF;
    RETURN pg_catalog.format(E'"""index_advisor: the indexes of migration exported_from, exported by idx_export()\n\n'
                  'Set down_revision to your current head, then: alembic upgrade head\n"""\n'
                  'from alembic import op\n\n'
                  'import index_advisor.alembic  # noqa: F401\n\n'
                  'exported_from = %s\n'
                  'revision = %s\n'
                  'down_revision = None\n'
                  'branch_labels = None\n'
                  'depends_on = None\n\n\n'
                  'def upgrade():\n%s    op.wait_for_indexes()\n\n\n'
                  'def downgrade():\n%s    op.wait_for_indexes()\n',
                  @extschema@.idx_export_pystr(migration),
                  @extschema@.idx_export_pystr('ia_' OPERATOR(pg_catalog.||) left(md5(migration), 12)),
                  ups, downs);
END
$idx_export$;
COMMENT ON FUNCTION @extschema@.idx_export(text, text) IS
    'the migration that reproduces the built indexes of a history migration: ''sql'' (a script for idx_apply_script or psql), ''django'' (a migration module) or ''alembic'' (a revision); each index as pg_get_indexdef shows it now';
REVOKE ALL ON FUNCTION @extschema@.idx_export(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_export(text, text) TO PUBLIC;
