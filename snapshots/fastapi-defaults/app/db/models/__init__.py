"""SQLAlchemy models, one module per table (the Pydantic API models live in app/models).

Importing this package registers every table on Base.metadata, which alembic/env.py compares
with the database."""

from app.db.models.item import Item

__all__ = ["Item"]
