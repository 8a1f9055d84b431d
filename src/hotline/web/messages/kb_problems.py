"""What the knowledge base refuses (``knowledge.errors``: ``code`` and ``params``), as the editor's
pages say it. The English is the knowledge package's own; in Chinese a step (``publish``) and a
status (``review``) are the pages' own words for them (hotline.knowledge.wording)."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "kb.problem.overlapping": (
        "版本 {label} 已在 {start} 至 {end} 对 {regions} 生效",
        "version {label} is already in force from {start} to {end} for {regions}",
    ),
    "kb.problem.overlapping_open": (
        "版本 {label} 已自 {start} 起长期对 {regions} 生效",
        "version {label} is already in force from {start} to open end for {regions}",
    ),
    "kb.problem.not_an_id": (
        "'{id}' 不是有效的知识编号（小写字母、数字和 -）",
        "'{id}' is not an article id (lowercase letters, digits, '-')",
    ),
    "kb.problem.no_department": ("知识必须有负责部门", "an article needs an owning department"),
    "kb.problem.no_owner": ("知识必须有负责人", "an article needs an owner"),
    "kb.problem.empty": ("{name} 不能为空", "{name} must not be empty"),
    "kb.problem.no_region": ("请至少填写一个适用地区", "name at least one region"),
    "kb.problem.bad_region": ("'{region}' 不是地区代码", "'{region}' is not a region code"),
    "kb.problem.ends_before_start": (
        "失效日期 {end} 早于生效日期 {start}",
        "effective_to {end} is before effective_from {start}",
    ),
    "kb.problem.unknown_topic": (
        "未知的话务小结分类代码 '{topic}'",
        "unknown topic code '{topic}'",
    ),
    "kb.problem.unknown_action": (
        "未知的操作 '{action}'（可用：{actions}）",
        "unknown action '{action}' (one of {actions})",
    ),
    "kb.problem.not_an_editor": (
        "只有 {department} 的编辑（{editors}）才能对知识 {article} 执行“{action}”；"
        "'{user}' 不是其中之一",
        "only editors of {department} ({editors}) may {action} article {article}; "
        "'{user}' is not one of them",
    ),
    "kb.problem.wrong_status": (
        "状态为“{status}”的版本不能执行“{action}”（只能从：{sources}）",
        "cannot {action} a version that is {status} (only from {sources})",
    ),
}
