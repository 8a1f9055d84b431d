"""Messages of a caller's history page (web/callers)."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "callers.title": ("来电人历史", "Caller history"),
    "callers.back": ("频繁来电报表", "Heavy callers report"),
    "callers.show_full": ("显示完整号码和咨询内容", "Show the full number and the questions"),
    "callers.audited": ("（查看将记入审计日志）", "(the read is recorded in the audit log)"),
    "callers.calls": ("来电", "Calls"),
    "callers.summaries": ("来电小结", "Call summaries"),
    "callers.orders": ("工单", "Work orders"),
    "callers.at": ("时间", "Time"),
    "callers.kind": ("类型", "Kind"),
    "callers.line": ("业务线", "Line"),
    "callers.language": ("语种", "Language"),
    "callers.outcome": ("结果", "Outcome"),
    "callers.wait": ("等待（秒）", "Wait (s)"),
    "callers.talk": ("通话（秒）", "Talk (s)"),
    "callers.topic": ("主题", "Topic"),
    "callers.result": ("处理结果", "Result"),
    "callers.question": ("咨询内容", "Question"),
    "callers.reference": ("工单号", "Reference"),
    "callers.category": ("类别", "Category"),
    "callers.status": ("状态", "Status"),
    "callers.subject": ("标题", "Subject"),
    "callers.none": ("没有记录。", "None."),
    "callers.missing": (
        "找不到这通来电：请从频繁来电报表进入来电人历史。",
        "No such call: open a caller's history from the heavy-callers report.",
    ),
}
