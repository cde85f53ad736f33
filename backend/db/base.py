"""The declarative base every domain's models share, with constraint names Alembic can follow."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, in UTC, aware."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with constraint names Alembic can follow."""

    metadata = MetaData(naming_convention=NAMING)
