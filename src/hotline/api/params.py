"""Path parameters shared by the routers.

A row id in the path is bounded to what the id column can hold (a 32-bit INTEGER on PostgreSQL):
a larger number is a client error (422 naming the parameter), not a driver overflow in the
handler. The bound is in the OpenAPI document, so clients see it too.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ROW_ID = 2_147_483_647
MAX_BIG_ROW_ID = 9_223_372_036_854_775_807

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="row id")]
# For tables with 64-bit ids (calls, notifications, audit entries).
BigRowId = Annotated[int, Path(ge=1, le=MAX_BIG_ROW_ID, description="row id")]
