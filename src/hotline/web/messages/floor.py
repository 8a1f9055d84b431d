"""Messages of the supervisors' floor: the wallboard, roster, alerts, actions and hall mode."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.floor": ("现场监控", "Floor"),
    "nav.hall": ("大屏", "Hall display"),
    "role.wallboard": ("大屏", "Wallboard"),
    "floor.title": ("现场监控", "Floor"),
    "floor.hall.title": ("热线大屏", "Hotline hall display"),
    "floor.hall.open": ("大屏模式", "Hall mode"),
    "floor.tiles": ("队列", "Queues"),
    "floor.tiles.none": (
        "暂无队列：没有来电排队，也没有坐席签入",
        "No queue yet: no caller waits and no agent is logged in",
    ),
    "floor.tile.waiting": ("排队", "Waiting"),
    "floor.tile.longest": ("最长等待", "Longest wait"),
    "floor.tile.sl": ("今日服务水平", "Service level today"),
    "floor.tile.target": ("目标", "target"),
    "floor.tile.abandoned": ("放弃", "Abandoned"),
    "floor.tile.offered": ("进线", "Offered"),
    "floor.tile.ready": ("空闲坐席", "Agents ready"),
    "floor.tile.busy": ("通话坐席", "Agents on calls"),
    "floor.roster": ("坐席", "Agents"),
    "floor.roster.capped": (
        "仅显示前 {n} 名坐席：请用筛选或排序查看其他坐席",
        "Showing the first {n} agents: filter or sort to see the others",
    ),
    "floor.roster.none": ("暂无签入的坐席", "No agent is logged in"),
    "floor.roster.count": ("{shown} / {total} 名坐席", "{shown} of {total} agents"),
    "floor.col.agent": ("坐席", "Agent"),
    "floor.col.state": ("状态", "State"),
    "floor.col.time": ("本状态时长", "Time in state"),
    "floor.col.call": ("通话", "Call"),
    "floor.col.skills": ("技能", "Skills"),
    "floor.col.site": ("站点", "Site"),
    "floor.col.actions": ("操作", "Actions"),
    "floor.sort": ("按此列排序", "Sort by this column"),
    "floor.filter": ("筛选", "Filter"),
    "floor.filter.placeholder": ("工号、姓名或技能", "Code, name or skill"),
    "floor.filter.state": ("状态筛选", "State filter"),
    "floor.filter.all": ("全部状态", "All states"),
    "floor.alerts": ("告警", "Alerts"),
    "floor.alerts.more": ("另有 {n} 条告警", "and {n} more alerts"),
    "floor.alerts.none": ("无告警", "No alerts"),
    "floor.alert.waiting": (
        "{queue}：{n} 人排队（阈值 {limit}）",
        "{queue}: {n} waiting (threshold {limit})",
    ),
    "floor.alert.longest": (
        "{queue}：最长等待 {time}（阈值 {limit}）",
        "{queue}: longest wait {time} (threshold {limit})",
    ),
    "floor.alert.sl": (
        "{queue}：服务水平 {sl}，低于目标 {target}",
        "{queue}: service level {sl}, below the {target} target",
    ),
    "floor.alert.abandoned": (
        "{queue}：今日放弃 {n} 通（阈值 {limit}）",
        "{queue}: {n} calls abandoned today (threshold {limit})",
    ),
    "floor.alert.agent": (
        "{agent}：{state}已 {time}（阈值 {limit}）",
        "{agent}: {state} for {time} (threshold {limit})",
    ),
    "floor.updated": ("更新于", "Updated"),
    "floor.stream.live": ("实时", "Live"),
    "floor.stream.lost": ("连接中断，正在重连……", "Connection lost: reconnecting…"),
    "floor.telephony_off": (
        "话务服务未在本进程运行，看板暂无实时数据。",
        "Telephony is not running in this process: the floor has no live data.",
    ),
    "floor.no_leader": (
        "当前没有实例在运行话务引擎（主备切换需要几秒钟），看板将自动刷新。",
        "No instance runs the call engine just now (a takeover takes a few seconds): the floor "
        "refreshes by itself.",
    ),
    "floor.act.reason": ("示忙原因", "Not-ready reason"),
    "floor.act.ready": ("置闲", "Make ready"),
    "floor.act.not_ready": ("置忙", "Set not ready"),
    "floor.act.listen": ("监听", "Listen"),
    "floor.act.whisper": ("耳语", "Whisper"),
    "floor.act.barge": ("强插", "Barge"),
    "floor.act.stop": ("结束", "Stop"),
    "floor.act.no_call": ("该坐席当前没有通话", "This agent has no call in hand"),
    "floor.act.open_call": ("查看通话 #{call}", "Open call #{call}"),
    "floor.confirm.title": ("请确认", "Please confirm"),
    "floor.confirm.ok": ("确认", "Confirm"),
    "floor.confirm.cancel": ("取消", "Cancel"),
    "floor.confirm.ready": ("将坐席 {agent} 置为空闲？", "Make {agent} ready?"),
    "floor.confirm.not_ready": (
        "将坐席 {agent} 置为示忙（{reason}）？",
        "Set {agent} not ready ({reason})?",
    ),
    "floor.confirm.listen": (
        "监听坐席 {agent} 的通话 #{call}？双方都听不到您。",
        "Listen to {agent}'s call #{call}? Neither side will hear you.",
    ),
    "floor.confirm.whisper": (
        "对坐席 {agent} 耳语（通话 #{call}）？只有坐席能听到您。",
        "Whisper to {agent} on call #{call}? Only the agent will hear you.",
    ),
    "floor.confirm.barge": (
        "强插坐席 {agent} 的通话 #{call}？通话双方都会听到您。",
        "Barge into {agent}'s call #{call}? Both sides will hear you.",
    ),
    "floor.done.state": ("已设置坐席 {agent} 的状态", "{agent}'s state is set"),
    "floor.done.later": (
        "坐席 {agent} 正在通话：示忙将在通话和话后整理结束后生效",
        "{agent} is on a call: not ready applies once the call and its wrap-up end",
    ),
    "floor.monitor.ended": (
        "通话 #{call} 已结束，监听随之结束",
        "Call #{call} ended, and the monitoring with it",
    ),
    "floor.phone": ("我的监听电话", "My monitoring phone"),
    "floor.phone.hint": (
        "监听、耳语、强插时呼叫的话机，例如 PJSIP/8001（按用户保存）",
        "The phone rung to listen, whisper or barge, e.g. PJSIP/8001 (kept for you)",
    ),
    "floor.phone.save": ("保存", "Save"),
    "floor.phone.saved": (
        "已保存：监听将呼叫 {phone}",
        "Saved: monitoring will ring {phone}",
    ),
    "floor.monitors": ("正在进行的监听", "Monitoring now"),
    "floor.monitors.item": (
        "{who} {mode}通话 #{call}，自 {since} 起（{phone}）",
        "{who}: {mode} on call #{call} since {since} ({phone})",
    ),
    "floor.pending": ("随后示忙：{reason}", "then not ready: {reason}"),
    "floor.monitoring": ("{mode}中：通话 #{call}", "{mode}: call #{call}"),
    "floor.monitor.stopped": ("已结束对通话 #{call} 的{mode}", "Stopped: {mode} on call #{call}"),
    "floor.error": ("操作未完成：", "Not done: "),
    "floor.error.conflict": ("操作未完成，情况已有变化：", "Not done, things have changed: "),
    "floor.error.missing": (
        "本服务尚不提供该功能（接口答复：{detail}）",
        "This service does not offer that yet (the API said: {detail})",
    ),
    "floor.error.network": (
        "无法连接服务，请检查网络后重试",
        "The service cannot be reached: check the network and try again",
    ),
}
