"""The inbox's filters and search box, read from the query string into the list's query.

Unknown values are dropped rather than refused (a page, not an API): ``notes`` names each one
so the page can say what it ignored. The search box's "auto" guesses the field from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hotline.workorders import queries
from workorders.model import OPEN_STATUSES, Category, Priority, Status

SEARCH_FIELDS = ("auto", "reference", "phone", "taxpayer_number", "name", "text")
_PHONE = re.compile(r"^\+?\d{7,15}$")
_TAXPAYER_NUMBER = re.compile(r"^[0-9A-Za-z]{15,20}$")


@dataclass
class Filters:
    """The inbox's filters as read from the query string; unknown values are dropped, and
    ``notes`` names each one so the page can say what was ignored."""

    state: str = "open"
    category: str = ""
    priority: str = ""
    department: str = ""
    overdue: bool = False
    mine: bool = False
    q: str = ""
    by: str = "auto"  # the search field chosen (the query's ``field``)
    notes: list[str] = field(default_factory=list)

    def statuses(self) -> tuple[Status, ...]:
        if self.state == "open":
            return tuple(sorted(OPEN_STATUSES))
        if self.state == "all":
            return ()
        return (Status(self.state),)

    def search(self) -> dict[str, str]:
        """The search box as one of the list's search fields (auto: guessed from the text)."""
        text = self.q.strip()
        if not text:
            return {}
        chosen = self.by
        if chosen == "auto":
            if queries.looks_like_reference(text):
                chosen = "reference"
            elif _PHONE.match(text):
                chosen = "phone"
            elif _TAXPAYER_NUMBER.match(text):
                chosen = "taxpayer_number"
            else:
                chosen = "text"
        return {"taxpayer_name" if chosen == "name" else chosen: text}


def read_filters(params: dict[str, str]) -> Filters:
    wanted = Filters()
    states = {"open", "all", *(status.value for status in Status)}
    state = params.get("state", "open")
    if state in states:
        wanted.state = state
    else:
        wanted.notes.append("state")
    for name, allowed in (
        ("category", {c.value for c in Category}),
        ("priority", {p.value for p in Priority}),
    ):
        value = params.get(name, "")
        if value in allowed or value == "":
            setattr(wanted, name, value)
        else:
            wanted.notes.append(name)
    department = params.get("department", "")
    if department.isdigit() and len(department) < 10:
        wanted.department = department
    elif department:
        wanted.notes.append("department")
    wanted.overdue = params.get("overdue") in ("1", "on", "true")
    wanted.mine = params.get("mine") in ("1", "on", "true")
    wanted.q = params.get("q", "")[:100]
    chosen = params.get("field", "auto")
    wanted.by = chosen if chosen in SEARCH_FIELDS else "auto"
    return wanted


def order_filter(wanted: Filters) -> queries.OrderFilter:
    search = wanted.search()
    text = search.get("text")
    return queries.OrderFilter(
        statuses=wanted.statuses(),
        department_id=int(wanted.department) if wanted.department else None,
        overdue=True if wanted.overdue else None,
        categories=(Category(wanted.category),) if wanted.category else (),
        priorities=(Priority(wanted.priority),) if wanted.priority else (),
        mine=wanted.mine,
        reference=search.get("reference"),
        phone=search.get("phone"),
        taxpayer_number=search.get("taxpayer_number"),
        taxpayer_name=search.get("taxpayer_name"),
        text=text if text and len(text) >= 2 else None,
    )
