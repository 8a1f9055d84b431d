"""Messages of the supervisors' callbacks page (web/callbacks)."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.callbacks": ("回呼", "Callbacks"),
    "callbacks.title": ("遇忙回呼", "Busy callbacks"),
    "callbacks.forbidden": (
        "此页面仅供班长、管理员和主任使用",
        "This page is for supervisors, administrators and directors",
    ),
    "callbacks.filters": ("筛选", "Filters"),
    "callbacks.state": ("状态", "State"),
    "callbacks.state.pending": ("待回呼", "pending"),
    "callbacks.state.due": ("已到期", "due"),
    "callbacks.state.in_progress": ("拨打中", "in progress"),
    "callbacks.state.failed": ("失败", "failed"),
    "callbacks.state.done": ("已完成", "done"),
    "callbacks.state.cancelled": ("已取消", "cancelled"),
    "callbacks.line": ("业务线", "Line"),
    "callbacks.any": ("全部", "Any"),
    "callbacks.day": ("回呼日期", "Due on"),
    "callbacks.apply": ("筛选", "Apply"),
    "callbacks.bad_date": ("日期格式应为 YYYY-MM-DD", "The date must be YYYY-MM-DD"),
    "callbacks.count": ("共", "Shown:"),
    "callbacks.none": ("没有符合条件的回呼", "No callback matches these filters"),
    "callbacks.number": ("号码", "Number"),
    "callbacks.attempts": ("尝试次数", "Attempts"),
    "callbacks.due": ("下次回呼", "Next attempt"),
    "callbacks.last": ("上次结果", "Last outcome"),
    "callbacks.actions": ("操作", "Actions"),
    "callbacks.live": ("进行中", "in progress"),
    "callbacks.no_attempts": ("尚未拨打", "Not dialled yet"),
    "callbacks.new_time": ("新时间", "New time"),
    "callbacks.reschedule": ("改期", "Reschedule"),
    "callbacks.reason": ("原因", "Reason"),
    "callbacks.cancel": ("取消回呼", "Cancel callback"),
    # Outcomes and causes of attempts (codes without a message are shown as they are).
    "callbacks.outcome.answered": ("已接通", "answered"),
    "callbacks.outcome.no_answer": ("无人接听", "no answer"),
    "callbacks.outcome.busy": ("占线", "busy"),
    "callbacks.outcome.failed": ("未接通", "not reached"),
    "callbacks.outcome.abandoned": ("已放弃", "abandoned"),
    "callbacks.outcome.cancelled": ("已取消", "cancelled"),
    "callbacks.outcome.unreachable": ("无法接通", "unreachable"),
    "callbacks.outcome.agent": ("坐席挂断", "agent hung up"),
    "callbacks.outcome.caller": ("纳税人挂断", "taxpayer hung up"),
    "callbacks.err.conflict": (
        "该回呼正在拨打或已结束，无法修改；请刷新页面查看最新状态",
        "This callback is being dialled or is finished and cannot change: reload the page",
    ),
    "callbacks.err.time": (
        "请选择现在之后、14 天以内的时间",
        "Choose a time after now and at most 14 days ahead",
    ),
    "callbacks.err.reason": (
        "请填写取消原因（最多 200 字）",
        "Give a reason for the cancellation (at most 200 characters)",
    ),
    "callbacks.err.other": (
        "操作未成功，请稍后重试或联系管理员",
        "That did not work: try again, or ask an administrator",
    ),
}
