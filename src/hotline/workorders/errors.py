"""Domain refusals as HTTP errors in the service's one error shape.

| domain error | status | slug |
|---|---|---|
| ForbiddenActionError (role, department) | 403 | forbidden |
| WrongStateError (status, pending request ...) | 409 | wrong_state |
| InvalidPayloadError, CalendarError, SlaPolicyError | 422 | validation_error |
| CalendarNotLoadedError (a year is missing) | 409 | calendar_not_loaded |
| StaleOrderError (the client's copy is out of date) | 409 | stale_order, ETag: the current |
| ConcurrentUpdateError | 409 | conflict |
| OrderNotFoundError | 404 | not_found |
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hotline.errors import (
    AppError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from workorders.errors import (
    CalendarError,
    CalendarNotLoadedError,
    ConcurrentUpdateError,
    ForbiddenActionError,
    InvalidPayloadError,
    OrderNotFoundError,
    SlaPolicyError,
    StaleOrderError,
    WorkOrderError,
    WrongStateError,
)


class WrongStateAppError(ConflictError):
    slug = "wrong_state"


class CalendarNotLoadedAppError(ConflictError):
    slug = "calendar_not_loaded"


class StaleOrderAppError(ConflictError):
    """Someone changed the order after the client read it: reload, never overwrite."""

    slug = "stale_order"


def etag(revision: int) -> str:
    """An order's entity tag: its revision, bumped on every change."""
    return f'"{revision}"'


def as_app_error(exc: WorkOrderError) -> AppError:
    message = str(exc)
    if isinstance(exc, ForbiddenActionError):
        return ForbiddenError(message)
    if isinstance(exc, WrongStateError):
        return WrongStateAppError(message)
    if isinstance(exc, CalendarNotLoadedError):
        return CalendarNotLoadedAppError(message)
    if isinstance(exc, InvalidPayloadError | CalendarError | SlaPolicyError):
        return InvalidInputError(message)
    if isinstance(exc, OrderNotFoundError):
        return NotFoundError(message)
    if isinstance(exc, StaleOrderError):
        return StaleOrderAppError(message, headers={"ETag": etag(exc.current)})
    if isinstance(exc, ConcurrentUpdateError):
        return ConflictError(message)
    return ConflictError(message)


@contextmanager
def domain_errors() -> Iterator[None]:
    """Translate a refusal from the domain into the matching HTTP error."""
    try:
        yield
    except WorkOrderError as exc:
        raise as_app_error(exc) from exc
