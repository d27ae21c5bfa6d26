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
comment.

Rows are labelled with migration=; a revision passes its own id,
migration=revision.  Alembic does not tell an operation which revision is
running it: MigrationContext.run_migrations() keeps the step to itself,
and get_current_revision() reads the version table, which during an
upgrade still holds the revision before (and in --sql mode only the
starting revision).  Without migration= the rows have no label.

Each operation has reverse() (apply_index and rollback_index invert each
other as create_index and drop_index do; apply_index_definition needs
index_name= for it), so an autogenerate hook that emits them gets the
downgrade too.  apply_index and rollback_index also exist in
batch_alter_table (batch_op.apply_index(index_name, columns, ...)); like
batch_op.execute() they run when called, not when the block ends: put one
that indexes a column the block adds after the block.

The SQL names the extension's functions with its schema
(index_advisor._schema); the queries= list is a query parameter.

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

import contextlib
import sys
import weakref

from alembic.operations import BatchOperations, MigrateOperation, Operations
from alembic.util import CommandError
from sqlalchemy import Column, Text, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.schema import CreateIndex
from sqlalchemy.types import NullType, String, TypeDecorator

from ._schema import ExtensionMissing, qualified
from ._wait import IndexBuildFailed, wait_for

__all__ = ["ApplyIndexOp", "ApplyIndexDefinitionOp", "RollbackIndexOp", "WaitForIndexesOp", "make_include_object"]


@Operations.register_operation("apply_index")
@BatchOperations.register_operation("apply_index", "batch_apply_index")
class ApplyIndexOp(MigrateOperation):
    """op.apply_index(index_name, table_name, columns, schema=None,
    unique=False, queries=None, migration=None, **dialect_kw);
    batch_op.apply_index(index_name, columns, ...) in batch_alter_table"""

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

    def reverse(self):
        return RollbackIndexOp(self.index_name, schema=self.schema,
                               migration=self.migration, _reverse=self)

    @classmethod
    def apply_index(cls, operations, index_name, table_name, columns, **kw):
        """Queue CREATE INDEX through idx_apply() (built concurrently)."""
        return operations.invoke(cls(index_name, table_name, columns, **kw))

    @classmethod
    def batch_apply_index(cls, operations, index_name, columns, **kw):
        """apply_index on the table of batch_alter_table."""
        return operations.invoke(cls(index_name, operations.impl.table_name, columns,
                                     schema=operations.impl.schema, **kw))


@Operations.register_operation("apply_index_definition")
class ApplyIndexDefinitionOp(MigrateOperation):
    """op.apply_index_definition(definition, queries=None, migration=None,
    index_name=None, schema=None); index_name (and schema) make it
    reversible"""

    def __init__(self, definition, queries=None, migration=None, index_name=None, schema=None):
        self.definition = definition
        self.queries = queries
        self.migration = migration
        self.index_name = index_name
        self.schema = schema

    def reverse(self):
        if self.index_name is None:
            raise ValueError("operation is not reversible; give apply_index_definition the index_name")
        return RollbackIndexOp(self.index_name, schema=self.schema,
                               migration=self.migration, _reverse=self)

    @classmethod
    def apply_index_definition(cls, operations, definition, queries=None, migration=None,
                               index_name=None, schema=None):
        """Queue a CREATE INDEX statement as it is through idx_apply()."""
        return operations.invoke(cls(definition, queries, migration, index_name, schema))


@Operations.register_operation("rollback_index")
@BatchOperations.register_operation("rollback_index", "batch_rollback_index")
class RollbackIndexOp(MigrateOperation):
    """op.rollback_index(index_name, schema=None, migration=None);
    batch_op.rollback_index(index_name, migration=None) in batch_alter_table"""

    def __init__(self, index_name, schema=None, migration=None, _reverse=None):
        self.index_name = index_name
        self.schema = schema
        self.migration = migration
        self._reverse = _reverse

    def reverse(self):
        # as Alembic's DropIndexOp: only the operation it was made from
        if self._reverse is None:
            raise ValueError("operation is not reversible; original index is not present")
        return self._reverse

    @classmethod
    def rollback_index(cls, operations, index_name, schema=None, migration=None):
        """Queue DROP INDEX CONCURRENTLY (a rollback if index_advisor built it)."""
        return operations.invoke(cls(index_name, schema, migration))

    @classmethod
    def batch_rollback_index(cls, operations, index_name, migration=None):
        """rollback_index of an index in the schema of batch_alter_table."""
        return operations.invoke(cls(index_name, operations.impl.schema, migration))


@Operations.register_operation("wait_for_indexes")
class WaitForIndexesOp(MigrateOperation):
    """op.wait_for_indexes(timeout=3600)"""

    def __init__(self, timeout=3600):
        self.timeout = timeout

    def reverse(self):
        return WaitForIndexesOp(self.timeout)

    @classmethod
    def wait_for_indexes(cls, operations, timeout=3600):
        """Commit, then wait for the builds queued so far (CALL idx_wait)."""
        return operations.invoke(cls(timeout))


class _QueryList(TypeDecorator):
    """text[] for queries=: online the list is the parameter (psycopg2
    sends ARRAY[...]); in --sql mode, where SQLAlchemy 1.4 has no literal
    form for ARRAY, an ARRAY[...] of the strings, each quoted by the
    dialect as it quotes every other string.  Either way the dialect adds
    the cast, ::TEXT[] (which idx_apply_script accepts)."""

    impl = ARRAY(Text)
    cache_ok = True

    def process_literal_param(self, value, dialect):
        quote = String().literal_processor(dialect)
        return "ARRAY[%s]" % ", ".join(quote(v) for v in value)


# History ids queued in a migration context (one per run) since its last
# wait; kept beside the context, not on it.
_queued_ids = weakref.WeakKeyDictionary()


def _queued(ctx):
    return _queued_ids.setdefault(ctx, [])


def _dbapi(connection):
    """The DB-API connection under a SQLAlchemy connection."""
    fairy = connection.connection
    return getattr(fairy, "dbapi_connection", None) or fairy.connection


def _run(operations, function, args, *binds):
    """SELECT function(args): run (online, the function qualified with the
    extension's schema) or printed (--sql, bare for idx_apply_script; see
    index_advisor._schema); returns its ids online."""
    ctx = operations.migration_context
    try:
        name = function if ctx.as_sql else qualified(_dbapi(ctx.connection), function)
    except ExtensionMissing as e:
        raise CommandError("index_advisor: %s" % e) from None
    stmt = text("SELECT %s(%s)" % (name, args)).bindparams(*binds)
    if ctx.as_sql:
        operations.execute(stmt)
        return []
    ids = [r[0] for r in operations.get_bind().execute(stmt) if r[0] is not None]
    _queued(ctx).extend(ids)
    return ids


def _idx_apply(operations, definition, queries, migration):
    # SQLAlchemy writes the cast of an ARRAY parameter itself (:queries::TEXT[])
    _run(operations, "idx_apply", ":definition, :queries, :migration",
         bindparam("definition", definition),
         bindparam("queries", None if queries is None else list(queries), type_=_QueryList),
         bindparam("migration", migration, type_=Text))


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
    _idx_apply(operations, definition, op.queries, op.migration)


@Operations.implementation_for(ApplyIndexDefinitionOp)
def _apply_index_definition(operations, op):
    _idx_apply(operations, op.definition, op.queries, op.migration)


@Operations.implementation_for(RollbackIndexOp)
def _rollback_index(operations, op):
    dialect = operations.migration_context.dialect
    name = dialect.identifier_preparer.quote(op.index_name)
    if op.schema:
        name = "%s.%s" % (dialect.identifier_preparer.quote_schema(op.schema), name)
    _run(operations, "idx_apply_script", ":script, :migration",
         bindparam("script", "DROP INDEX %s" % name),
         bindparam("migration", op.migration, type_=Text))


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
        try:
            wait_for(_dbapi(ctx.connection), ids=ids, timeout=op.timeout, out=sys.stdout)
        except (IndexBuildFailed, ExtensionMissing) as e:
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
        "SELECT c.relname, t.relname FROM %s h" % qualified(_dbapi(connection), "idx_history") +
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
    queries= of every operation and does nothing else.  It is its own
    batch_op in batch_alter_table, and op.invoke(ApplyIndexOp(...)) is
    recorded as op.apply_index(...) is."""

    def __init__(self):
        self.queries = []

    def invoke(self, operation):
        self.queries.extend(getattr(operation, "queries", None) or [])

    @contextlib.contextmanager
    def batch_alter_table(self, *args, **kwargs):
        yield self

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
