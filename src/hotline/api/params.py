"""Path parameters shared by the routers.

A row id in the path is bounded to what the id column can hold (a 32-bit INTEGER on PostgreSQL):
a larger number is a client error (422 naming the parameter), not a driver overflow in the
handler. The bound is in the OpenAPI document, so clients see it too.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ROW_ID = 2_147_483_647

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="row id")]
