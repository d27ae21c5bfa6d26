"""manage.py idx_advise [--check] [--min-gain F] [--migration APP.NAME]
                        [--file FILE] [--database DB] [QUERY ...]

Without --check: prints what idx_advise() advises for the queries.
With --check: the CI gate, idx_advise_check(); exit status 1, with the
SQLSTATE (IA001: an index would cut a query's cost by more than
--min-gain, default 0.5), the message naming the advised indexes and its
detail, when it fails; 0 and "index_advisor: check passed" otherwise.

The queries: those given as arguments, those of --file (statements ending
with a semicolon at the end of a line), and with --migration those of the
migration: the queries= of its ApplyIndex and ApplyIndexDefinition
operations and its Migration.index_advisor_queries list, if any.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from index_advisor._check import CheckFailed, advise_rows, queries_from_file, run_check


def migration_queries(connection, spec):
    """The queries of migration "app_label.name" (a prefix of the name will do)."""
    try:
        app_label, name = spec.split(".", 1)
    except ValueError:
        raise CommandError("--migration must be APP_LABEL.MIGRATION_NAME, not %r" % spec)
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    try:
        migration = loader.get_migration_by_prefix(app_label, name)
    except (KeyError, Exception) as exc:
        raise CommandError("no migration %s: %s" % (spec, exc))
    queries = []
    for operation in migration.operations:
        queries.extend(getattr(operation, "queries", None) or [])
    queries.extend(getattr(migration, "index_advisor_queries", None) or [])
    return queries


class Command(BaseCommand):
    help = "Advise indexes for queries; with --check, exit 1 when one is missing."

    def add_arguments(self, parser):
        parser.add_argument("queries", nargs="*", help="queries (SQL)")
        parser.add_argument("--check", action="store_true",
                            help="fail (exit 1) when an index would cut a query's cost by more than --min-gain")
        parser.add_argument("--min-gain", type=float, default=0.5,
                            help="fraction of a query's cost (default 0.5)")
        parser.add_argument("--migration", help="APP_LABEL.MIGRATION_NAME: its queries")
        parser.add_argument("--file", help="a file of queries, each ending with ';' at the end of a line")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        queries = list(options["queries"])
        if options["file"]:
            queries.extend(queries_from_file(options["file"]))
        if options["migration"]:
            queries.extend(migration_queries(connection, options["migration"]))
        connection.ensure_connection()
        dbapi = connection.connection
        if options["check"]:
            try:
                run_check(dbapi, queries, options["min_gain"])
            except CheckFailed as exc:
                self.stderr.write("index_advisor: check failed: %s" % exc)
                raise CommandError("index_advisor: %s" % exc.sqlstate, returncode=1)
            self.stdout.write("index_advisor: check passed (%d queries)" % len(queries))
            return
        for rank, definition, note in advise_rows(dbapi, queries):
            self.stdout.write("%s\t%s\t%s" % (rank or "", definition or "", note or ""))
