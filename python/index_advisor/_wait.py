"""Waiting for index_advisor builds, after the migration's transaction.

CALL idx_wait() commits between polls, so it cannot run inside a
transaction block: it is called here on a DB-API (psycopg2) connection in
autocommit mode, once the transaction that queued the builds has committed.
idx_wait's progress lines (NOTICEs) are printed as they arrive; a failed or
cancelled build raises IndexBuildFailed with its SQLSTATE.
"""

import sys

from ._schema import qualified


class IndexBuildFailed(Exception):
    """A build (or drop) queued by index_advisor failed or was cancelled."""

    def __init__(self, message, sqlstate):
        super().__init__(message)
        self.sqlstate = sqlstate


class _LiveNotices(list):
    """psycopg2 appends each notice here: print it at once."""

    def __init__(self, out):
        super().__init__()
        self.out = out

    def append(self, notice):
        text = notice.strip()
        for prefix in ("NOTICE:  ", "INFO:  "):
            if text.startswith(prefix):
                text = text[len(prefix):]
        self.out.write("  index_advisor: %s\n" % text)
        self.out.flush()


def wait_for(dbapi_conn, ids=None, migration=None, timeout=3600, out=None):
    """Wait until the history rows "ids" (or the latest row of each index
    of "migration", or every unfinished row this role may act on) have ended.

    dbapi_conn must be a psycopg2 connection outside any transaction; it is
    switched to autocommit for the wait and back.  Raises IndexBuildFailed
    if any of them failed or was cancelled.  Returns the ids waited for.
    """
    import psycopg2
    import psycopg2.extensions
    import psycopg2.extras

    out = out or sys.stdout
    saved_autocommit = dbapi_conn.autocommit
    saved_notices = dbapi_conn.notices
    saved_callback = psycopg2.extensions.get_wait_callback()
    dbapi_conn.autocommit = True
    dbapi_conn.notices = _LiveNotices(out)
    # green mode: notices are handed over while the CALL runs, not after it
    psycopg2.extensions.set_wait_callback(psycopg2.extras.wait_select)
    try:
        with dbapi_conn.cursor() as cur:
            if ids is None and migration is not None:
                # the latest row of each index of the migration, ended or not
                cur.execute("SELECT pg_catalog.array_agg(id ORDER BY id) FROM ("
                            " SELECT DISTINCT ON (schema_name, index_name) id"
                            "   FROM %s WHERE migration = %%s AND parent_id IS NULL"
                            "  ORDER BY schema_name, index_name, id DESC) latest"
                            % qualified(dbapi_conn, "idx_history"), (migration,))
                ids = cur.fetchone()[0] or []
            targets = [None] if ids is None else list(ids)
            call = "CALL %s(%%s, %%s * interval '1 second')" % qualified(dbapi_conn, "idx_wait")
            for i in targets:
                try:
                    cur.execute(call, (i, timeout))
                except psycopg2.Error as e:
                    raise IndexBuildFailed(
                        "%s (SQLSTATE %s)" % (e.diag.message_primary or str(e).strip(),
                                              e.pgcode), e.pgcode) from None
        return ids
    finally:
        psycopg2.extensions.set_wait_callback(saved_callback)
        dbapi_conn.notices = saved_notices
        dbapi_conn.autocommit = saved_autocommit
