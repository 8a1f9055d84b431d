"""The page of every long list in the API (see ``hotline.api.paging`` and docs/api.md)."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

TOTAL_CAP = 10_000
"""Totals are counted up to this many rows: beyond it a list says "10000+" (``total_capped``)."""

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """One page of a list: follow ``next`` until it is null."""

    items: list[Item]
    limit: int = Field(description="rows per page asked for")
    next: str | None = Field(description="the URL of the next page (same filters and sort)")
    total: int = Field(description=f"matching rows, counted up to {TOTAL_CAP}")
    total_capped: bool = Field(
        description=f"true when more than {TOTAL_CAP} rows match (show as '{TOTAL_CAP}+')"
    )
