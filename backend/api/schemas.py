"""Shared pieces: strict inputs, pages, and text that the database can store."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

T = TypeVar("T")


def _storable(value: str) -> str:
    """Refuse NUL and lone surrogates, which PostgreSQL cannot store."""
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode") from exc
    return value


CleanText = Annotated[str, AfterValidator(_storable)]
ProgramCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=40)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Input(BaseModel):
    """Base of request bodies: unknown fields are refused, so nothing is mass-assigned."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """Base of response bodies, read from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list, and how many items the whole list has."""

    items: list[T]
    total: int
