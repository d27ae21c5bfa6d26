"""env.py of the test project: online and --sql modes; with IA_HELPER=1 the
include_object hook of index_advisor keeps autogenerate from proposing to
drop the indexes that index_advisor built."""
import os

from alembic import context
from sqlalchemy import create_engine

import index_advisor.alembic  # noqa: F401  (registers op.apply_index & co.)
from index_advisor.alembic import make_include_object
from models import metadata

url = "postgresql+psycopg2://%s@/%s?host=%s&port=%s" % (
    os.environ.get("PGUSER", "postgres"), os.environ.get("IA_DB", "postgres"),
    os.environ.get("PGHOST", "/tmp"), os.environ.get("PGPORT", "5432"))


def run_migrations_offline():
    context.configure(url=url, target_metadata=metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = create_engine(url)
    with engine.connect() as connection:
        options = {}
        if os.environ.get("IA_HELPER") == "1":
            options["include_object"] = make_include_object(connection)
        context.configure(connection=connection, target_metadata=metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
