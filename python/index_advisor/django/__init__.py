"""Django migration operations that go through index_advisor.

    from index_advisor.django import ApplyIndex, RollbackIndex, WaitForIndexes

    operations = [
        ApplyIndex("order", models.Index(fields=["customer", "-created"],
                                         name="order_cust_created_idx")),
        WaitForIndexes(),
    ]

ApplyIndexDefinition(definition, index_name, ...) applies a CREATE INDEX
statement as it is (idx_export writes these); the models do not change.
ApplyIndex is AddIndex for the model state (makemigrations sees the index
it expects) and SELECT idx_apply(...) for the database, in the migration's
own transaction: a migration that fails queues nothing.  Backwards, it
queues the drop (idx_apply_script('DROP INDEX ...'), which rolls back what
index_advisor built).  RollbackIndex is RemoveIndex the same way.
WaitForIndexes waits, once the migration has committed, for the builds this
run queued, printing idx_wait's progress; a failed build ends `migrate` with
an error naming its SQLSTATE (exit status 1).  sqlmigrate prints the
idx_apply() calls, which idx_apply_script() accepts as they are.

squashmigrations never folds these operations into others (reduce()):
Django 4.1 and later would turn ApplyIndex followed by a RenameIndex into a
plain AddIndex, which builds without index_advisor.

Every operation asks the database routers, as AddIndex and RunSQL do: on
a database they do not let the app migrate, nothing is queued.  The SQL
names the extension's functions with its schema (index_advisor._schema).

Add "index_advisor.django" to INSTALLED_APPS for `manage.py idx_wait`.
Rows are labelled "<app_label>.<migration name>" (the migration whose
operations list the operation) unless migration= is given.
"""

import sys
import weakref

from django.core.management.base import CommandError
from django.db import router, transaction
from django.db.migrations.operations import AddIndex, RemoveIndex
from django.db.migrations.operations.base import Operation

from .._schema import ExtensionMissing, qualified
from .._wait import IndexBuildFailed, wait_for

__all__ = ["ApplyIndex", "ApplyIndexDefinition", "RollbackIndex", "WaitForIndexes",
           "wait_command"]


# (operation, "app_label.name") by id(operation), for every migration on disk
_labels = {}


def _migration_label(operation, app_label):
    """The label of the migration that lists "operation": "app.0002_name".

    Django hands database_forwards() the app label but not the migration.
    A migration's operations are the objects of its module's
    Migration.operations (MigrationLoader instantiates Migration(name,
    app_label), which copies that list), so the migration is the one of
    the loader's disk_migrations that holds this very object; sqlmigrate
    and migrate find the same one.  An operation in no migration module
    (built in code) is labelled with the app label.
    """
    if operation.migration:
        return operation.migration
    found = _labels.get(id(operation))
    if found is None or found[0] is not operation:
        from django.db.migrations.loader import MigrationLoader

        loader = MigrationLoader(None, load=False)
        loader.load_disk()
        _labels.clear()
        for (label, name), migration in loader.disk_migrations.items():
            for op in migration.operations:
                _labels[id(op)] = (op, "%s.%s" % (label, name))
        found = _labels.get(id(operation))
    if found is None or found[0] is not operation:
        return app_label
    return found[1]


# History ids queued through a connection (a DatabaseWrapper, one per
# thread and alias) since its last wait; kept beside the connection, not
# on it.
_queued_ids = weakref.WeakKeyDictionary()


def _queued(connection):
    """History ids queued through this connection since the last wait."""
    return _queued_ids.setdefault(connection, [])


def _function(schema_editor, name):
    """The extension's function "name" as the SQL names it: qualified
    with the extension's schema; bare for sqlmigrate, whose output
    idx_apply_script reads (see index_advisor._schema)."""
    if schema_editor.collect_sql:
        return name
    schema_editor.connection.ensure_connection()
    try:
        return qualified(schema_editor.connection.connection, name)
    except ExtensionMissing as e:
        raise CommandError("index_advisor: %s" % e, returncode=1) from None


def _queries_param(schema_editor, queries):
    """The queries as a query parameter: the list itself (psycopg2 sends
    it as ARRAY[...]).  For sqlmigrate Django quotes parameters without
    the connection (quote_value), and psycopg2 would then encode the
    list's strings as Latin-1: the list's adapter is given the connection
    first, so that it writes UTF-8 as the server reads it."""
    if queries is None:
        return None
    queries = list(queries)
    if schema_editor.collect_sql:
        import psycopg2.extensions

        schema_editor.connection.ensure_connection()
        adapted = psycopg2.extensions.adapt(queries)
        adapted.prepare(schema_editor.connection.connection)
        return adapted
    return queries


def _apply(schema_editor, model, index, queries, label):
    _run_apply(schema_editor, str(index.create_sql(model, schema_editor)), queries, label)


def _run_apply(schema_editor, definition, queries, label):
    sql = "SELECT %s(%%s, %%s, %%s)" % _function(schema_editor, "idx_apply")
    params = (definition, _queries_param(schema_editor, queries), label)
    if schema_editor.collect_sql:
        schema_editor.execute(sql, params)
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row and row[0] is not None:
        _queued(schema_editor.connection).append(row[0])


def _drop(schema_editor, model, index, label, schema=None):
    name = index if isinstance(index, str) else index.name
    quoted = schema_editor.quote_name(name)
    if schema:
        quoted = "%s.%s" % (schema_editor.quote_name(schema), quoted)
    sql = "SELECT %s(%%s, %%s)" % _function(schema_editor, "idx_apply_script")
    params = ("DROP INDEX %s" % quoted, label)
    if schema_editor.collect_sql:
        schema_editor.execute(sql, params)
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql, params)
        _queued(schema_editor.connection).extend(r[0] for r in cursor.fetchall())


class _NeverFolded:
    """reduce() for index_advisor's operations: the optimizer of
    squashmigrations may drop an elidable operation next to one of them,
    but never folds one into another operation (AddIndex.reduce of Django
    4.1 and later returns a plain AddIndex for AddIndex + RenameIndex, and
    nothing for AddIndex + RemoveIndex) and never moves an operation across
    one: what runs, and in which order, is what the migrations say."""

    def reduce(self, operation, app_label):
        if operation.elidable:
            return [self]
        return False


class ApplyIndex(_NeverFolded, AddIndex):
    """AddIndex, built by index_advisor (idx_apply) without blocking writes."""

    def __init__(self, model_name, index, queries=None, migration=None):
        super().__init__(model_name, index)
        self.queries = list(queries) if queries else None
        self.migration = migration

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        if self.queries:
            kwargs["queries"] = self.queries
        if self.migration:
            kwargs["migration"] = self.migration
        return self.__class__.__name__, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _apply(schema_editor, model, self.index, self.queries,
                   _migration_label(self, app_label))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _drop(schema_editor, model, self.index,
                  _migration_label(self, app_label))

    def describe(self):
        return "Apply index %s on field(s) %s of model %s through index_advisor" % (
            self.index.name, ", ".join(self.index.fields), self.model_name)


class ApplyIndexDefinition(_NeverFolded, Operation):
    """A CREATE INDEX statement as it is (what idx_export('...', 'django')
    writes): idx_apply() forwards, its drop backwards.  The model state does
    not change: the models do not declare the index.

    It names no model, so the database routers are asked as for RunSQL:
    allow_migrate(db, app_label, **hints); give hints={"model_name": ...}
    (or whatever the routers read) when they route by model."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, definition, index_name, schema=None, queries=None, migration=None,
                 hints=None):
        self.definition = definition
        self.index_name = index_name
        self.schema = schema
        self.queries = list(queries) if queries else None
        self.migration = migration
        self.hints = hints or {}

    def deconstruct(self):
        kwargs = {"definition": self.definition, "index_name": self.index_name}
        for key in ("schema", "queries", "migration", "hints"):
            if getattr(self, key):
                kwargs[key] = getattr(self, key)
        return self.__class__.__name__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if self.allowed(app_label, schema_editor):
            _run_apply(schema_editor, self.definition, self.queries,
                       _migration_label(self, app_label))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self.allowed(app_label, schema_editor):
            _drop(schema_editor, None, self.index_name,
                  _migration_label(self, app_label), self.schema)

    def allowed(self, app_label, schema_editor):
        """PostgreSQL, and the routers let this app migrate on this database."""
        connection = schema_editor.connection
        return (connection.vendor == "postgresql" and
                router.allow_migrate(connection.alias, app_label, **self.hints))

    def describe(self):
        return "Apply index %s through index_advisor" % self.index_name


class RollbackIndex(_NeverFolded, RemoveIndex):
    """RemoveIndex, dropped by index_advisor (DROP INDEX CONCURRENTLY)."""

    def __init__(self, model_name, name, migration=None):
        super().__init__(model_name, name)
        self.migration = migration

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        if self.migration:
            kwargs["migration"] = self.migration
        return self.__class__.__name__, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            _drop(schema_editor, model, index, _migration_label(self, app_label))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            _apply(schema_editor, model, index, None,
                   _migration_label(self, app_label))

    def describe(self):
        return "Roll back index %s from %s through index_advisor" % (self.name, self.model_name)


def wait_command(connection, ids=None, migration=None, timeout=3600, out=None):
    """Wait (outside any transaction) and turn a failure into a CommandError,
    which manage.py prints and exits with status 1."""
    connection.ensure_connection()
    try:
        return wait_for(connection.connection, ids=ids, migration=migration,
                        timeout=timeout, out=out or sys.stdout)
    except (IndexBuildFailed, ExtensionMissing) as e:
        raise CommandError("index_advisor: %s" % e, returncode=1) from None


class WaitForIndexes(_NeverFolded, Operation):
    """Wait for the builds queued by this `migrate` run, after commit.

    sqlmigrate cannot print it (it runs after COMMIT): it shows a comment.
    In an atomic migration the wait runs once the migration's transaction
    has committed (the migration is then recorded as applied, whatever the
    builds do); in a non-atomic one, at once.
    """

    reduces_to_sql = False
    reversible = True

    def __init__(self, timeout=3600):
        self.timeout = timeout

    def deconstruct(self):
        kwargs = {} if self.timeout == 3600 else {"timeout": self.timeout}
        return self.__class__.__name__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        connection = schema_editor.connection
        ids = _queued(connection)

        def wait():
            pending = list(ids)
            del ids[:]
            if pending:
                sys.stdout.write("\n")
                wait_command(connection, ids=pending, timeout=self.timeout)

        transaction.on_commit(wait, using=connection.alias)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self.database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return "Wait for index_advisor builds (CALL idx_wait() after COMMIT)"
