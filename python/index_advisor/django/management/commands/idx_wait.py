"""manage.py idx_wait [--migration LABEL] [--timeout SECONDS] [--database DB]

Wait for index_advisor builds (CALL idx_wait(), outside any transaction),
printing progress; exit status 1, with the SQLSTATE, if one failed.
Without --migration: every unfinished row the role may act on.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

from index_advisor.django import wait_command


class Command(BaseCommand):
    help = "Wait for index_advisor builds; exit 1 if one failed."

    def add_arguments(self, parser):
        parser.add_argument("--migration", help="only the rows of this migration label")
        parser.add_argument("--timeout", type=int, default=3600, help="seconds (default 3600)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        ids = wait_command(connection, migration=options["migration"],
                           timeout=options["timeout"], out=self.stdout)
        if ids is not None and not ids:
            self.stdout.write("index_advisor: nothing to wait for")
        else:
            self.stdout.write("index_advisor: all done")
