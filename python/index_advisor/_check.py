"""The CI gate shared by `manage.py idx_advise --check` and
`python -m index_advisor.alembic check`: idx_advise_check() over a DB-API
(psycopg2) connection.

idx_advise_check(queries, min_gain) raises SQLSTATE IA001 naming the advised
indexes when one would cut some query's planned cost by more than min_gain,
and a query that cannot be advised raises its own error; both make the
commands exit 1 with the SQLSTATE, the message and its detail.  Queries are
planned, never executed (doc/advisor.md, "A gate for CI pipelines").
"""

import re

from ._schema import qualified

__all__ = ["CheckFailed", "run_check", "advise_rows", "queries_from_file"]


class CheckFailed(Exception):
    """idx_advise_check failed: sqlstate, and the text to print."""

    def __init__(self, message, sqlstate):
        super().__init__(message)
        self.sqlstate = sqlstate


def _failure(exc):
    diag = getattr(exc, "diag", None)
    sqlstate = getattr(exc, "pgcode", None) or "?????"
    lines = ["%s: %s" % (sqlstate, (diag.message_primary if diag else None) or str(exc).strip())]
    if diag is not None and diag.message_detail:
        lines.append("DETAIL:  " + diag.message_detail)
    if diag is not None and diag.message_hint:
        lines.append("HINT:  " + diag.message_hint)
    return CheckFailed("\n".join(lines), sqlstate)


def run_check(dbapi_conn, queries, min_gain=0.5):
    """Run the gate in a transaction of its own (rolled back: it writes
    nothing); raise CheckFailed when it fails."""
    queries = [q for q in queries if q and q.strip()]
    if not queries:
        raise CheckFailed("22023: no queries to check\nHINT:  Give queries as arguments, "
                          "with --file, or from the migration.", "22023")
    cur = dbapi_conn.cursor()
    try:
        cur.execute("SELECT %s(%%s::text[], %%s::float8)" % qualified(dbapi_conn, "idx_advise_check"),
                    (list(queries), min_gain))
    except Exception as exc:  # psycopg2.Error: the server's error
        dbapi_conn.rollback()
        if getattr(exc, "pgcode", None) is None:
            raise
        raise _failure(exc) from None
    finally:
        cur.close()
    dbapi_conn.rollback()


def advise_rows(dbapi_conn, queries):
    """idx_advise's rows (rank, definition, note), for the commands without --check."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute("SELECT rank, definition, note FROM %s(%%s::text[])" % qualified(dbapi_conn, "idx_advise"),
                    (list(queries),))
        return cur.fetchall()
    finally:
        cur.close()
        dbapi_conn.rollback()


def queries_from_file(path):
    """Statements of a file, separated by a semicolon at the end of a line."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return [q.strip() for q in re.split(r";[ \t]*(?:\n|$)", text) if q.strip()]
