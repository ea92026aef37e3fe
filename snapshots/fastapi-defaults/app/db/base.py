"""Declarative base with the columns every table has (guidelines 2.1), all filled by
PostgreSQL: a UUID id, creation and update times to the millisecond, and a version."""

import uuid
from datetime import datetime

from sqlalchemy import Integer, Uuid, func, text
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class BaseColumns:
    """id, created_at, updated_at and version: 1 when created, one more on every update."""

    id: Mapped[uuid.UUID] = mapped_column(
        Uuid, primary_key=True, server_default=text("gen_random_uuid()")
    )
    created_at: Mapped[datetime] = mapped_column(
        TIMESTAMP(timezone=True, precision=3), server_default=func.now(), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(
        TIMESTAMP(timezone=True, precision=3), server_default=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
