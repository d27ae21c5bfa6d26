"""index_advisor for the tools people write migrations with.

index_advisor.django   migration operations ApplyIndex, RollbackIndex,
                       WaitForIndexes and the ``idx_wait`` management command
index_advisor.alembic  op.apply_index, op.rollback_index,
                       op.wait_for_indexes and make_include_object()

Each needs only its framework and a PostgreSQL driver (psycopg2).  The
database side is the index_advisor extension: idx_apply() queues a build in
the migration's own transaction, a background worker runs CREATE INDEX
CONCURRENTLY once it commits, CALL idx_wait() waits for it.  See doc/orm.md.
"""

from ._wait import IndexBuildFailed, wait_for  # noqa: F401
