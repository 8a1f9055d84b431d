"""Messages of one call's page (web/calls)."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "calls.title": ("通话", "Call"),
    "calls.refused": (
        "您无权查看此通话：仅班长、主任、管理员及处理其工单的专员可查看。",
        "You may not open this call: supervisors, directors, admins and the specialist "
        "handling one of its work orders may.",
    ),
    "calls.missing": ("没有这个通话，请检查编号。", "There is no such call: check its number."),
    "calls.caller": ("来电号码", "Caller"),
    "calls.site": ("站点", "Site"),
    "calls.line": ("业务线 · 语种", "Line · language"),
    "calls.agent": ("坐席", "Agent"),
    "calls.arrived": ("来电时间", "Arrived"),
    "calls.answered": ("接听时间", "Answered"),
    "calls.ended": ("结束时间", "Ended"),
    "calls.live": ("通话中", "in progress"),
    "calls.outcome": ("结果", "Outcome"),
    "calls.talk": ("通话时长", "Talk time"),
    "calls.seconds": ("秒", "s"),
    "calls.recording": ("录音", "Recording"),
    "calls.recording.segments": ("录音分段", "Recording segments"),
    "calls.recording.segment": ("分段", "Segment"),
    "calls.no_leader": (
        "当前没有实例在运行话务引擎（主备切换需要几秒钟）：通话的实时状态和监听暂不可用，请稍后刷新。",
        "No instance runs the call engine just now (a takeover takes a few seconds): the call's "
        "live state and monitoring are unavailable; reload the page in a moment.",
    ),
    "calls.recording.download": ("下载录音", "Download the recording"),
    "calls.recording.parts": (
        "录音中的坐席（含转接后的通话），按开始时间",
        "The agents heard in the recording (the talk after a transfer too), by when they start",
    ),
    "calls.recording.audited": (
        "每次播放均记入审计日志。",
        "Every playback is written to the audit log.",
    ),
    "calls.recording.none": ("此通话没有录音。", "This call was not recorded."),
    "calls.recording.not_allowed": (
        "此通话有录音，但您的角色无权播放。",
        "This call was recorded, but your role may not play it.",
    ),
    "calls.recording.purged": (
        "录音已按保存期限删除，删除时间：",
        "The recording was deleted at the end of its retention period on",
    ),
    "calls.monitor": ("监听 / 耳语 / 强插", "Listen / whisper / barge"),
    "calls.monitor.endpoint": ("您的话机", "Your phone"),
    "calls.monitor.endpoint.help": (
        "留空则呼叫您名下的坐席话机",
        "Leave empty to ring the phone of your own agent record",
    ),
    "calls.monitor.listen": ("监听", "Listen"),
    "calls.monitor.whisper": ("耳语（仅坐席可听）", "Whisper (agent only)"),
    "calls.monitor.barge": ("强插（三方通话）", "Barge (both hear you)"),
    "calls.monitor.stop": ("结束", "Stop"),
    "calls.monitor.off": ("未在监听。", "Not monitoring."),
    "calls.monitor.on.listen": (
        "正在监听：您的话机正在振铃或已接通。",
        "Listening: your phone rings or is connected.",
    ),
    "calls.monitor.on.whisper": (
        "耳语中：只有坐席能听到您。",
        "Whispering: only the agent hears you.",
    ),
    "calls.monitor.on.barge": (
        "强插中：坐席和纳税人都能听到您。",
        "Barging in: the agent and the taxpayer hear you.",
    ),
    "calls.monitor.failed": ("操作未成功：", "That did not work:"),
    "calls.summary": ("通话小结", "Call summary"),
    "calls.summary.question": ("问题：", "Question:"),
    "calls.summary.answer": ("答复：", "Answer:"),
    "calls.summary.none": ("坐席尚未填写小结。", "The agent has not filed a summary."),
    "calls.journal": ("通话过程", "What happened"),
    "calls.journal.at": ("时间", "At"),
    "calls.journal.kind": ("事件", "Event"),
    "calls.journal.data": ("详情", "Details"),
}
