"""Work orders (工单): lifecycle, SLA deadlines on the working-day calendar, escalation, reports.

A pure domain package: it imports neither ``hotline`` nor ``cti``, nor SQLAlchemy or FastAPI.
Modules, by role:

* ``calendar``   working-day table and deadline arithmetic (``WorkCalendar``, ``WorkingDuration``)
* ``model``      the order, its history entries and their vocabulary
* ``lifecycle``  the transition table (``RULES``) and ``transition`` / ``create``
* ``sla``        versioned policies and the deadlines they give
* ``escalation`` the ladder as data and when its steps fall due
* ``access``     who reads which order, and masking of the taxpayer's data
* ``reports``    the on-time table (按期承办统计)
* ``ports``      the store, notifier and clock the use cases need; ``fakes`` implements them
* ``service``    the async use cases
* ``errors``     the error hierarchy (see its docstring)
"""

from workorders.calendar import DayKind, WorkCalendar, WorkingDuration
from workorders.errors import (
    CalendarError,
    CalendarNotLoadedError,
    ConcurrentUpdateError,
    ForbiddenActionError,
    InvalidPayloadError,
    OrderNotFoundError,
    SlaPolicyError,
    TransitionError,
    WorkOrderError,
    WrongStateError,
)
from workorders.model import (
    Action,
    Actor,
    Category,
    Priority,
    Role,
    Status,
    Taxpayer,
    WorkOrder,
    WorkOrderEvent,
)

__all__ = [
    "Action",
    "Actor",
    "CalendarError",
    "CalendarNotLoadedError",
    "Category",
    "ConcurrentUpdateError",
    "DayKind",
    "ForbiddenActionError",
    "InvalidPayloadError",
    "OrderNotFoundError",
    "Priority",
    "Role",
    "SlaPolicyError",
    "Status",
    "Taxpayer",
    "TransitionError",
    "WorkCalendar",
    "WorkOrder",
    "WorkOrderError",
    "WorkOrderEvent",
    "WorkingDuration",
    "WrongStateError",
]
