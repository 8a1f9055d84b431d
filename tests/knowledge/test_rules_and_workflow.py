"""Region and date rules, version checks and the workflow, as tables."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.errors import (
    InvalidArticleError,
    NotAnEditorError,
    OverlappingVersionsError,
    TransitionError,
)
from knowledge.model import ArticleHead, Status, VersionContent
from knowledge.rules import applies_to, check_content, check_head, check_no_overlap, in_force
from knowledge.workflow import next_status

D = date.fromisoformat


def content(**changes: object) -> VersionContent:
    base: dict[str, object] = {
        "title": "t",
        "question": "q",
        "answer": "a",
        "effective_from": D("2024-01-01"),
        "regions": ("zhejiang",),
    }
    return VersionContent(**(base | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end", "day", "expected"),
    [
        ("2024-01-01", None, "2023-12-31", False),
        ("2024-01-01", None, "2024-01-01", True),
        ("2024-01-01", "2024-06-30", "2024-06-30", True),
        ("2024-01-01", "2024-06-30", "2024-07-01", False),
    ],
)
def test_in_force_is_inclusive(start: str, end: str | None, day: str, expected: bool) -> None:
    assert in_force(D(start), D(end) if end else None, D(day)) is expected


@pytest.mark.parametrize(
    ("regions", "caller", "expected"),
    [
        (["zhejiang"], "wenzhou", True),
        (["hangzhou"], "hangzhou", True),
        (["hangzhou"], "wenzhou", False),
        (["wenzhou"], None, True),
    ],
)
def test_province_applies_everywhere_a_city_only_there(
    regions: list[str], caller: str | None, expected: bool
) -> None:
    assert applies_to(regions, caller) is expected


def test_overlapping_versions_for_one_region_are_refused_naming_the_other() -> None:
    old = content(effective_to=None)
    with pytest.raises(OverlappingVersionsError, match="v1") as caught:
        check_no_overlap(
            content(effective_from=D("2025-01-01"), regions=("hangzhou",)), [("v1", old)]
        )
    assert caught.value.field == "effective_from"
    # A city version beside another city's, or after the old one ends, is fine.
    check_no_overlap(content(regions=("wenzhou",)), [("v1", content(regions=("hangzhou",)))])
    ended = content(effective_to=D("2024-12-31"))
    check_no_overlap(content(effective_from=D("2025-01-01")), [("v1", ended)])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"regions": ()}, "regions"),
        ({"regions": ("Hang Zhou",)}, "regions"),
        ({"effective_to": D("2023-01-01")}, "effective_to"),
        ({"topic_codes": ("IIT.NOPE",)}, "topics"),
    ],
)
def test_bad_content_names_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidArticleError) as caught:
        check_content(content(**changes), known_topics={"IIT.DEDUCT"})
    assert caught.value.field == field


def test_an_article_without_owner_is_refused() -> None:
    with pytest.raises(InvalidArticleError) as caught:
        check_head(ArticleHead(id="kb-x-001", department="iit", owner=""))
    assert caught.value.field == "owner"


HEAD = ArticleHead(id="kb-x-001", department="national_tax_iit", owner="科", editors=("li",))


def test_workflow_path_and_who_may_publish() -> None:
    assert next_status(HEAD, Status.DRAFT, "submit", "agent7") is Status.REVIEW
    with pytest.raises(NotAnEditorError, match="agent7"):
        next_status(HEAD, Status.REVIEW, "publish", "agent7")
    assert next_status(HEAD, Status.REVIEW, "publish", "li") is Status.PUBLISHED
    assert next_status(HEAD, Status.PUBLISHED, "retire", "li") is Status.RETIRED
    with pytest.raises(TransitionError):
        next_status(HEAD, Status.DRAFT, "publish", "li")
