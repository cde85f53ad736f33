"""One page of a query and the total it came from: what every staff list returns."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")


async def total_of(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> int:
    """How many rows ``query`` finds, before paging."""
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def page_of(
    session: AsyncSession,
    query: Select[T],
    *,
    order_by: tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...],
    limit: int,
    offset: int,
) -> tuple[list[T], int]:
    """The objects on one page, in ``order_by`` order, and the total."""
    total = await total_of(session, query)
    rows = await session.scalars(query.order_by(*order_by).limit(limit).offset(offset))
    return list(rows), total
