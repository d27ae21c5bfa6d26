"""The application's tables, as its models declare them: the indexes that
index_advisor built are not declared here."""
from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table

metadata = MetaData()

orders = Table(
    "orders", metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, nullable=False),
    Column("decided_date", Date),
    Column("outcome", String(20)),
    Column("routing_priority", Integer),
    Column("enabled", Boolean),
)
