"""indexes through index_advisor

Revision ID: b2000
Revises: a1000
"""
import sqlalchemy as sa
from alembic import op

import index_advisor.alembic  # noqa: F401

revision = "b2000"
down_revision = "a1000"
branch_labels = None
depends_on = None


def upgrade():
    # covering, for index-only scans
    op.apply_index("orders_cust_decided_idx", "orders",
                   ["customer_id", sa.text("decided_date DESC")],
                   postgresql_include=["outcome"],
                   queries=["SELECT outcome FROM orders WHERE customer_id = 7 ORDER BY decided_date DESC"],
                   migration=revision)
    # partial
    op.apply_index("orders_enabled_idx", "orders",
                   ["customer_id", sa.text("routing_priority DESC")],
                   postgresql_where=sa.text("enabled"), migration=revision)
    op.wait_for_indexes()


def downgrade():
    op.rollback_index("orders_enabled_idx", migration=revision)
    op.rollback_index("orders_cust_decided_idx", migration=revision)
    op.wait_for_indexes()
