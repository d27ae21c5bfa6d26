"""the orders table

Revision ID: a1000
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "a1000"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, nullable=False),
        sa.Column("decided_date", sa.Date),
        sa.Column("outcome", sa.String(20)),
        sa.Column("routing_priority", sa.Integer),
        sa.Column("enabled", sa.Boolean),
    )


def downgrade():
    op.drop_table("orders")
