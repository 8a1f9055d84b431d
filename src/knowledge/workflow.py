"""The version workflow: draft -> review -> published -> retired, and who may take each step.

Anyone with a writing role may write a draft; only the owning department's editors (the names on
the article) send it back, publish or retire it.
"""

from __future__ import annotations

from knowledge.errors import NotAnEditorError, TransitionError
from knowledge.model import ArticleHead, Status

# action -> (statuses it starts from, status it leads to, editors only)
STEPS: dict[str, tuple[frozenset[Status], Status, bool]] = {
    "submit": (frozenset({Status.DRAFT}), Status.REVIEW, False),
    "reject": (frozenset({Status.REVIEW}), Status.DRAFT, True),
    "publish": (frozenset({Status.REVIEW}), Status.PUBLISHED, True),
    "retire": (frozenset({Status.PUBLISHED}), Status.RETIRED, True),
}


def is_editor(head: ArticleHead, username: str) -> bool:
    return username in head.editors


def check_allowed(head: ArticleHead, action: str, username: str) -> None:
    """Refuse an unknown action, or an editors-only one by someone else, with the reason."""
    if action not in STEPS:
        raise TransitionError(
            f"unknown action '{action}' (one of {', '.join(STEPS)})",
            code="unknown_action",
            params={"action": action, "actions": ", ".join(STEPS)},
        )
    if STEPS[action][2] and not is_editor(head, username):
        raise NotAnEditorError(
            f"only editors of {head.department} ({', '.join(head.editors) or 'none named'}) "
            f"may {action} article {head.id}; '{username}' is not one of them",
            code="not_an_editor",
            params={
                "department": head.department,
                "editors": ", ".join(head.editors) or "-",
                "action": action,
                "article": head.id,
                "user": username,
            },
        )


def already_done(current: Status, action: str) -> bool:
    """True when ``current`` is where ``action`` leads: a retried request changes nothing."""
    return action in STEPS and current is STEPS[action][1]


def next_status(head: ArticleHead, current: Status, action: str, username: str) -> Status:
    """The status after ``action``, or the reason it is refused."""
    check_allowed(head, action, username)
    sources, target, _ = STEPS[action]
    if current not in sources:
        raise TransitionError(
            f"cannot {action} a version that is {current.value} "
            f"(only from {', '.join(sorted(s.value for s in sources))})",
            field="status",
            code="wrong_status",
            params={
                "action": action,
                "status": current.value,
                "sources": ", ".join(sorted(s.value for s in sources)),
            },
        )
    return target
