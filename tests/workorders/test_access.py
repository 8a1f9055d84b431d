"""Who reads which order, masking, and the package's public surface."""

from __future__ import annotations

import pytest

import workorders
from tests.workorders.builders import TAXPAYER, actor, make_order
from workorders.access import as_seen_by, can_read
from workorders.errors import ForbiddenActionError
from workorders.lifecycle import RULES, table_markdown
from workorders.model import Role, Status

ORDER = make_order(Status.IN_PROGRESS)  # department D1, created by agent-1


@pytest.mark.parametrize(
    ("role", "department", "user", "readable", "masked"),
    [
        (Role.SUPERVISOR, None, "s", True, False),
        (Role.DIRECTOR, None, "d", True, True),
        (Role.ADMIN, None, "a", True, False),
        (Role.SPECIALIST, "D1", "sp", True, False),
        (Role.LIAISON, "D2", "li", False, None),
        (Role.AGENT, None, "agent-1", True, False),
        (Role.AGENT, None, "agent-2", False, None),
        (Role.OPS, None, "o", False, None),
    ],
)
def test_read_access_and_masking(
    role: Role, department: str | None, user: str, readable: bool, masked: bool | None
) -> None:
    reader = actor(role, department, user)
    assert can_read(ORDER, reader) is readable
    if not readable:
        with pytest.raises(ForbiddenActionError):
            as_seen_by(ORDER, reader)
        return
    seen = as_seen_by(ORDER, reader)
    assert (seen.taxpayer != TAXPAYER) is masked
    assert seen.subject == ORDER.subject


def test_table_markdown_lists_every_action() -> None:
    text = table_markdown()
    for action in RULES:
        assert f"| {action.value} |" in text
    assert (
        "| acknowledge | dispatched | acknowledged | specialist, liaison (own department) |" in text
    )


def test_exported_names_exist() -> None:
    assert sorted(workorders.__all__) == workorders.__all__
    for name in workorders.__all__:
        assert hasattr(workorders, name)
