"""Alembic operations that go through index_advisor.

    import index_advisor.alembic  # registers the operations, in env.py or the revision

    def upgrade():
        op.apply_index("order_cust_created_idx", "order",
                       ["customer_id", sa.text("created DESC")],
                       postgresql_include=["outcome"])
        op.wait_for_indexes()

    def downgrade():
        op.rollback_index("order_cust_created_idx")
        op.wait_for_indexes()

op.apply_index_definition("CREATE INDEX ...", queries=None) queues a
statement as it is (idx_export writes these).
op.apply_index takes op.create_index's arguments (schema, unique,
postgresql_where, postgresql_include, postgresql_using, ...) plus
queries=[...] and migration=...; it runs SELECT idx_apply(...) in the
migration's transaction, so a revision that fails queues nothing.
op.rollback_index queues the drop (idx_apply_script('DROP INDEX ...')):
an index that index_advisor built is rolled back.  op.wait_for_indexes
commits the migration's transaction so far (Alembic's autocommit_block),
then waits with CALL idx_wait(), printing progress; a failed build ends
the command with "FAILED: ..." and its SQLSTATE.  In --sql mode the first
two print the calls (which idx_apply_script() accepts) and the wait a
comment.  Rows are labelled with the revision id unless migration= is given.

make_include_object(connection) is the include_object hook for env.py:
autogenerate then leaves alone the indexes that idx_history says
index_advisor built.

The CI gate, from the command line (exit status 1 with the SQLSTATE when an
index would cut a query's cost by more than --min-gain, default 0.5):

    python -m index_advisor.alembic check [-c alembic.ini] [--revision REV]
        [--dsn DSN | --url SQLALCHEMY_URL] [--min-gain F] [--file FILE] [QUERY ...]

The queries: those given, those of --file, and those of the revision
(--revision, "head" by default when -c is given): the queries= of the
op.apply_index / op.apply_index_definition calls its upgrade() makes
(recorded, not run: nothing is queued) and its module-level
index_advisor_queries list.  The connection: --url, else --dsn (libpq's
PG* variables fill what it leaves out).
"""

import inspect
import sys

from alembic.operations import MigrateOperation, Operations
from alembic.util import CommandError
from sqlalchemy import Column, text
from sqlalchemy.schema import CreateIndex
from sqlalchemy.types import NullType

from ._wait import IndexBuildFailed, array_literal, wait_for

__all__ = ["ApplyIndexOp", "ApplyIndexDefinitionOp", "RollbackIndexOp", "WaitForIndexesOp", "make_include_object"]


def _revision_label(explicit=None):
    """The revision being run: the module-level "revision" of the revision
    file whose upgrade()/downgrade() called the operation."""
    if explicit:
        return explicit
    frame = inspect.currentframe()
    while frame is not None:
        g = frame.f_globals
        if "revision" in g and "down_revision" in g and isinstance(g["revision"], str):
            return g["revision"]
        frame = frame.f_back
    return None


@Operations.register_operation("apply_index")
class ApplyIndexOp(MigrateOperation):
    """op.apply_index(index_name, table_name, columns, schema=None,
    unique=False, queries=None, migration=None, **dialect_kw)"""

    def __init__(self, index_name, table_name, columns, schema=None,
                 unique=False, queries=None, migration=None, **kw):
        self.index_name = index_name
        self.table_name = table_name
        self.columns = columns
        self.schema = schema
        self.unique = unique
        self.queries = queries
        self.migration = migration
        self.kw = kw

    @classmethod
    def apply_index(cls, operations, index_name, table_name, columns, **kw):
        """Queue CREATE INDEX through idx_apply() (built concurrently)."""
        kw.setdefault("migration", _revision_label())
        return operations.invoke(cls(index_name, table_name, columns, **kw))


@Operations.register_operation("apply_index_definition")
class ApplyIndexDefinitionOp(MigrateOperation):
    """op.apply_index_definition(definition, queries=None, migration=None)"""

    def __init__(self, definition, queries=None, migration=None):
        self.definition = definition
        self.queries = queries
        self.migration = migration

    @classmethod
    def apply_index_definition(cls, operations, definition, queries=None, migration=None):
        """Queue a CREATE INDEX statement as it is through idx_apply()."""
        return operations.invoke(cls(definition, queries, migration or _revision_label()))


@Operations.register_operation("rollback_index")
class RollbackIndexOp(MigrateOperation):
    """op.rollback_index(index_name, schema=None, migration=None)"""

    def __init__(self, index_name, schema=None, migration=None):
        self.index_name = index_name
        self.schema = schema
        self.migration = migration

    @classmethod
    def rollback_index(cls, operations, index_name, schema=None, migration=None):
        """Queue DROP INDEX CONCURRENTLY (a rollback if index_advisor built it)."""
        return operations.invoke(cls(index_name, schema, migration or _revision_label()))


@Operations.register_operation("wait_for_indexes")
class WaitForIndexesOp(MigrateOperation):
    """op.wait_for_indexes(timeout=3600)"""

    def __init__(self, timeout=3600):
        self.timeout = timeout

    @classmethod
    def wait_for_indexes(cls, operations, timeout=3600):
        """Commit, then wait for the builds queued so far (CALL idx_wait)."""
        return operations.invoke(cls(timeout))


def _queued(ctx):
    if not hasattr(ctx, "_index_advisor_ids"):
        ctx._index_advisor_ids = []
    return ctx._index_advisor_ids


def _run(operations, sql, **params):
    """Run (online) or print (--sql) one call; returns its ids online."""
    ctx = operations.migration_context
    stmt = text(sql).bindparams(**params)
    if ctx.as_sql:
        operations.execute(stmt)
        return []
    ids = [r[0] for r in operations.get_bind().execute(stmt) if r[0] is not None]
    _queued(ctx).extend(ids)
    return ids


@Operations.implementation_for(ApplyIndexOp)
def _apply_index(operations, op):
    index = operations.schema_obj.index(op.index_name, op.table_name, op.columns,
                                        schema=op.schema, unique=op.unique, **op.kw)
    # as Alembic's own create_index does: INCLUDE columns exist on the table
    for col in op.kw.get("postgresql_include") or ():
        if col not in index.table.c:
            index.table.append_column(Column(col, NullType))
    definition = str(CreateIndex(index).compile(
        dialect=operations.migration_context.dialect)).strip()
    _run(operations,
         "SELECT idx_apply(:definition, CAST(:queries AS text[]), :migration)",
         definition=definition, queries=array_literal(op.queries),
         migration=op.migration)


@Operations.implementation_for(ApplyIndexDefinitionOp)
def _apply_index_definition(operations, op):
    _run(operations,
         "SELECT idx_apply(:definition, CAST(:queries AS text[]), :migration)",
         definition=op.definition, queries=array_literal(op.queries),
         migration=op.migration)


@Operations.implementation_for(RollbackIndexOp)
def _rollback_index(operations, op):
    dialect = operations.migration_context.dialect
    name = dialect.identifier_preparer.quote(op.index_name)
    if op.schema:
        name = "%s.%s" % (dialect.identifier_preparer.quote_schema(op.schema), name)
    _run(operations, "SELECT idx_apply_script(:script, :migration)",
         script="DROP INDEX %s" % name, migration=op.migration)


@Operations.implementation_for(WaitForIndexesOp)
def _wait_for_indexes(operations, op):
    ctx = operations.migration_context
    if ctx.as_sql:
        ctx.impl.static_output("-- index_advisor: after COMMIT, CALL idx_wait() to wait for the builds")
        return
    ids = list(_queued(ctx))
    del _queued(ctx)[:]
    if not ids:
        return
    with ctx.autocommit_block():
        fairy = ctx.connection.connection
        raw = getattr(fairy, "dbapi_connection", None) or fairy.connection
        try:
            wait_for(raw, ids=ids, timeout=op.timeout, out=sys.stdout)
        except IndexBuildFailed as e:
            raise CommandError("index_advisor: %s" % e) from None


def make_include_object(connection, include_object=None):
    """The include_object hook for env.py's context.configure(): False for
    an index of the database that index_advisor built (a create row of
    idx_history with status done, found by the index's OID, under the name
    it has now), so that autogenerate does not propose to drop it; and
    False for the extension's own tables (idx_history, ...) and their
    indexes.
    "include_object", if given, decides everything else."""
    rows = connection.execute(text(
        "SELECT c.relname, t.relname FROM idx_history h"
        "  JOIN pg_catalog.pg_class c ON c.oid = h.index_oid"
        "  JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid"
        "  JOIN pg_catalog.pg_class t ON t.oid = i.indrelid"
        " WHERE h.operation = 'create' AND h.status = 'done' AND h.parent_id IS NULL"))
    built = {(index_name, table_name) for index_name, table_name in rows}
    # the extension's own tables (idx_history, ...) are not the application's
    own = {r[0] for r in connection.execute(text(
        "SELECT c.relname FROM pg_catalog.pg_depend d"
        "  JOIN pg_catalog.pg_class c ON c.oid = d.objid"
        "  JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid"
        " WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
        "   AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass"
        "   AND d.deptype = 'e' AND e.extname = 'index_advisor'"))}

    def hook(obj, name, type_, reflected, compare_to):
        if reflected and compare_to is None:
            if type_ == "table" and name in own:
                return False
            if type_ == "index" and (obj.table.name in own or (name, obj.table.name) in built):
                return False
        if include_object is not None:
            return include_object(obj, name, type_, reflected, compare_to)
        return True

    return hook


# ---------------------------------------------------------------------
# python -m index_advisor.alembic check ...
# ---------------------------------------------------------------------

class _RecordingOp:
    """Stands for alembic.op while a revision's upgrade() runs: records the
    queries= of every operation and does nothing else."""

    def __init__(self):
        self.queries = []

    def __getattr__(self, name):
        def record(*args, **kwargs):
            queries = kwargs.get("queries")
            if queries is None and name == "apply_index_definition" and len(args) > 1:
                queries = args[1]
            self.queries.extend(queries or [])
        return record


def revision_queries(config_file, revision):
    """The queries of a revision's upgrade() and its index_advisor_queries."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(Config(config_file))
    rev = script.get_revision(revision)
    if rev is None:
        raise CommandError("no revision %r" % revision)
    module = rev.module
    recorder = _RecordingOp()
    saved = module.__dict__.get("op")
    module.op = recorder
    try:
        module.upgrade()
    finally:
        module.op = saved
    return recorder.queries + list(getattr(module, "index_advisor_queries", None) or [])


def main(argv=None):
    import argparse

    from ._check import CheckFailed, queries_from_file, run_check

    parser = argparse.ArgumentParser(prog="python -m index_advisor.alembic")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="fail (exit 1) when an index would cut a query's cost by more than --min-gain")
    check.add_argument("queries", nargs="*")
    check.add_argument("-c", "--config", help="alembic.ini: take the queries of --revision")
    check.add_argument("--revision", default="head")
    check.add_argument("--dsn", default="", help="libpq connection string (PG* variables apply)")
    check.add_argument("--url", help="SQLAlchemy URL instead of --dsn")
    check.add_argument("--min-gain", type=float, default=0.5)
    check.add_argument("--file", help="queries, each ending with ';' at the end of a line")
    args = parser.parse_args(argv)

    queries = list(args.queries)
    if args.file:
        queries.extend(queries_from_file(args.file))
    try:
        if args.config:
            queries.extend(revision_queries(args.config, args.revision))
        if args.url:
            from sqlalchemy import create_engine
            conn = create_engine(args.url).raw_connection()
        else:
            import psycopg2
            conn = psycopg2.connect(args.dsn)
    except CommandError as exc:
        print("index_advisor: %s" % exc, file=sys.stderr)
        return 2
    try:
        run_check(conn, queries, args.min_gain)
    except CheckFailed as exc:
        print("index_advisor: check failed: %s" % exc, file=sys.stderr)
        return 1
    finally:
        conn.close()
    print("index_advisor: check passed (%d queries)" % len(queries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
