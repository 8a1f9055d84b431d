"""Errors raised by the work-order domain.

None of them knows about HTTP: the composition root (``hotline``) maps them to status codes. The
messages are written for the person who caused them (an agent, a supervisor, an admin editing the
calendar), so they say what was wrong and, where it helps, what to do instead.

Hierarchy::

    WorkOrderError                      base of everything below
    ├── CalendarError                   bad duration text, bad working periods, naive datetimes
    │   └── CalendarNotLoadedError      a date falls in a year whose calendar is not loaded (.year)
    ├── SlaPolicyError                  a policy lacks a target, or an unknown policy version
    ├── TransitionError                 a lifecycle action was refused; nothing changed
    │   ├── WrongStateError             the order's status (or a flag) does not allow the action
    │   ├── ForbiddenActionError        the actor's role or department may not do it
    │   └── InvalidPayloadError         a required field is missing or out of range
    ├── OrderNotFoundError              no order with that id (.order_id)
    └── ConcurrentUpdateError           the order changed since it was read; reload and retry
"""

from __future__ import annotations


class WorkOrderError(Exception):
    """Base class of every error the work-order domain raises on purpose."""


class CalendarError(WorkOrderError):
    """The working-day calendar cannot answer: bad input or bad configuration."""


class CalendarNotLoadedError(CalendarError):
    """A computation needed a day of a year whose calendar table is not loaded."""

    def __init__(self, year: int, detail: str = "") -> None:
        self.year = year
        message = (
            f"the working-day calendar for {year} is not loaded; an admin must load {year} "
            "(seed it from chinesecalendar or enter it by hand) before deadlines can reach it"
        )
        super().__init__(f"{message} ({detail})" if detail else message)


class SlaPolicyError(WorkOrderError):
    """An SLA policy is incomplete, or a requested policy version does not exist."""


class TransitionError(WorkOrderError):
    """A lifecycle action was refused. The order is unchanged; the message says why."""


class WrongStateError(TransitionError):
    """The action is not possible from the order's current status or flags."""


class ForbiddenActionError(TransitionError):
    """The actor's roles or department do not allow the action on this order."""


class InvalidPayloadError(TransitionError):
    """The action lacks a required field (answer, reason, satisfaction ...) or has a bad one."""


class OrderNotFoundError(WorkOrderError):
    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        super().__init__(f"no work order with id {order_id!r}")


class ConcurrentUpdateError(WorkOrderError):
    """Someone saved the order after we read it; our copy is stale and was not written."""


class StaleOrderError(ConcurrentUpdateError):
    """The person acted on a copy of the order that someone else has changed since.

    Carries both revisions so the answer can say which copy the client had (a 409 with the
    version it sent) and the page can ask for a reload instead of overwriting silently.
    """

    def __init__(self, reference: str, expected: int, current: int) -> None:
        super().__init__(
            f"work order {reference} was changed by someone else since you loaded it "
            f"(your copy: version {expected}, now: version {current}); reload it and try again"
        )
        self.expected = expected
        self.current = current
