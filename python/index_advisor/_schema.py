"""Where the index_advisor extension lives in the database of a connection.

Every statement this package sends names the extension's functions and
tables with the extension's own schema (pg_extension.extnamespace), never
through the search_path of the role that migrates.  The schema is read
once per DB-API (psycopg2) connection and kept in a weak mapping beside it,
not on it: the extension is not relocatable (ALTER EXTENSION ... SET SCHEMA
refuses it), and a new connection reads it again.

Output written for idx_apply_script (Django's sqlmigrate, Alembic's --sql)
keeps the bare names: idx_apply_script reads "idx_apply" as its own
function whatever the search_path, and the database that will run the
script is not the one connected to.
"""

import weakref

__all__ = ["ExtensionMissing", "qualified"]

_SCHEMA_SQL = ("SELECT n.nspname FROM pg_catalog.pg_extension e"
               "  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
               " WHERE e.extname = 'index_advisor'")

_schemas = weakref.WeakKeyDictionary()


class ExtensionMissing(Exception):
    """The database has no index_advisor extension (SQLSTATE 42704, as
    PostgreSQL reports a missing extension)."""

    pgcode = "42704"
    diag = None


def qualified(dbapi_conn, name):
    """name (a function or table of the extension) qualified with the
    extension's schema, quoted as an identifier: 'public.idx_apply'."""
    import psycopg2.extensions

    schema = _schemas.get(dbapi_conn)
    if schema is None:
        with dbapi_conn.cursor() as cur:
            cur.execute(_SCHEMA_SQL)
            row = cur.fetchone()
        if row is None:
            raise ExtensionMissing('extension "index_advisor" does not exist in this database')
        schema = _schemas[dbapi_conn] = row[0]
    return "%s.%s" % (psycopg2.extensions.quote_ident(schema, dbapi_conn), name)
