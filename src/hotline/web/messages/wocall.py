"""Messages of the 回访-by-phone button on a work order's page (web/wocall)."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "wocall.call": ("电话回访", "Call the taxpayer back"),
    "wocall.dialling": (
        "您的话机正在振铃，接听后系统将呼叫纳税人（通话 {call_id}）。结果将记入工单历史。",
        "Your phone is ringing: answer it and the taxpayer is called next (call {call_id}). "
        "The outcome goes into the order's history.",
    ),
    "wocall.wrong_state": (
        "工单办结后、回访登记前才能电话回访",
        "Follow-up calls are made once the order is resolved and before the follow-up is recorded",
    ),
    "wocall.no_phone": (
        "您没有签入的话机：请先在坐席台签入话机或软电话，再试一次",
        "You have no phone signed in: sign in to the desk with your phone or the softphone, "
        "then try again",
    ),
    "wocall.phone_busy": (
        "您的话机正在通话中，请结束后再试",
        "Your phone is on another call: finish it, then try again",
    ),
    "wocall.no_number": (
        "工单中没有纳税人电话，无法回访",
        "The order has no taxpayer phone number to call",
    ),
    "wocall.forbidden": (
        "您的角色不能进行电话回访，请联系班长",
        "Your role may not make follow-up calls; ask a supervisor",
    ),
    "wocall.unavailable": (
        "电话系统暂不可用，请稍后再试",
        "Telephony is not running just now: try again in a moment",
    ),
    "wocall.not_found": ("没有这张工单", "No such work order"),
    "wocall.failed": ("无法发起回访呼叫，请稍后再试", "The call could not be placed: try again"),
}
