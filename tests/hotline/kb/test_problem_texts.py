"""What the knowledge base refuses has a code the editor's pages word in zh-CN and in English,
the English the package's own."""

from __future__ import annotations

import re
import string

import pytest

from hotline.knowledge.wording import message
from hotline.web import i18n
from knowledge.errors import KnowledgeError
from knowledge.model import ArticleHead, Status
from knowledge.workflow import next_status

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(k for k in i18n.CATALOG if k.startswith("kb.problem.")))
def test_every_text_is_chinese_and_english_with_the_same_values(key: str) -> None:
    zh, en = i18n.CATALOG[key]
    assert CHINESE.search(zh), key
    assert _placeholders(zh) == _placeholders(en), key


def test_a_refused_step_names_the_steps_and_statuses_in_the_pages_words() -> None:
    head = ArticleHead(id="kb-a-001", department="vat", owner="增值税科", editors=("wang",))
    with pytest.raises(KnowledgeError) as wrong:
        next_status(head, Status.DRAFT, "publish", "wang")
    assert message(wrong.value, "zh-CN") == (
        "状态为“草稿”的版本不能执行“审核通过并发布”（只能从：待审核）"
    )
    assert message(wrong.value, "en") == wrong.value.message
    with pytest.raises(KnowledgeError) as stranger:
        next_status(head, Status.REVIEW, "publish", "li")
    assert message(stranger.value, "zh-CN") == (
        "只有 vat 的编辑（wang）才能对知识 kb-a-001 执行“审核通过并发布”；'li' 不是其中之一"
    )
    assert message(stranger.value, "en") == stranger.value.message


def test_an_error_without_a_worded_code_keeps_its_english() -> None:
    bare = KnowledgeError("something new went wrong")
    assert message(bare, "zh-CN") == "something new went wrong"
