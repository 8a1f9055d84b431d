"""The diff between two versions: changed fields only, the answer by line and inside a line."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from knowledge.diff import answer_diff, changed_fields
from knowledge.model import VersionContent

BASE = VersionContent(
    title="子女教育专项附加扣除标准",
    question="每月能扣多少？",
    answer="第一行不变。\n每个子女每月扣除1000元。\n将删除的一行。",
    effective_from=date(2022, 1, 1),
    regions=("zhejiang",),
    tags=("个税",),
)


def test_only_changed_fields_are_listed_and_lists_read_one_item_per_line() -> None:
    new = replace(BASE, effective_from=date(2023, 1, 1), tags=("个税", "子女教育"))
    changes = {c.field: (c.old, c.new) for c in changed_fields(BASE, new)}
    assert changes == {
        "effective_from": ("2022-01-01", "2023-01-01"),
        "tags": ("个税", "个税\n子女教育"),
    }
    assert changed_fields(BASE, BASE) == []


def test_the_answer_is_diffed_by_line_and_a_changed_line_by_character() -> None:
    new = "第一行不变。\n每个子女每月扣除2000元。\n新增的一行。\n再新增一行。"
    lines = answer_diff(BASE.answer, new)
    assert [line.kind for line in lines] == ["same", "changed", "changed", "added"]
    changed = lines[1]
    assert [(p.op, p.text) for p in changed.old if p.op != "equal"] == [("delete", "1")]
    assert [(p.op, p.text) for p in changed.new if p.op != "equal"] == [("insert", "2")]
    assert "".join(p.text for p in changed.new) == "每个子女每月扣除2000元。"
    assert lines[3].new[0].text == "再新增一行。"
    assert lines[3].old == ()


def test_removed_lines_and_identical_answers() -> None:
    lines = answer_diff("a\nb\nc", "a\nc")
    assert [line.kind for line in lines] == ["same", "removed", "same"]
    assert all(line.kind == "same" for line in answer_diff(BASE.answer, BASE.answer))
