"""Messages of the softphone panel (web/desk/static/softphone.js).

``{name}`` placeholders are filled by the script.
"""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # the softphone panel (web/desk/static/softphone.js); {name} placeholders are filled there
    "softphone.title": ("软电话", "Softphone"),
    "softphone.connecting": ("软电话正在连接…", "Softphone connecting…"),
    "softphone.registered": ("软电话已就绪", "Softphone ready"),
    "softphone.ringing": ("来电振铃", "Incoming call"),
    "softphone.talking": ("通话中", "On a call"),
    "softphone.held": ("通话保持中", "Call on hold"),
    "softphone.idle": ("空闲", "Idle"),
    "softphone.off": (
        "本坐席使用话机，软电话已关闭",
        "This seat uses a desk phone; the softphone is off",
    ),
    "softphone.answer": ("接听", "Answer"),
    "softphone.hangup": ("挂断", "Hang up"),
    "softphone.mute": ("静音", "Mute"),
    "softphone.unmute": ("取消静音", "Unmute"),
    "softphone.hold": ("保持", "Hold"),
    "softphone.unhold": ("恢复通话", "Resume"),
    "softphone.keypad": ("拨号键盘", "Keypad"),
    "softphone.wrong_password": (
        "软电话注册被拒绝：用户名或密码错误（401）。请联系管理员核对坐席的 SIP 账号。",
        "The softphone was refused: wrong user name or password (401). "
        "Ask an administrator to check this seat's SIP account.",
    ),
    "softphone.registration_failed": (
        "软电话注册失败：{reason}",
        "The softphone could not register: {reason}",
    ),
    "softphone.no_connection": (
        "无法连接 SIP 服务器（{url}）。请检查网络或联系管理员。",
        "Cannot reach the SIP server ({url}). Check the network or ask an administrator.",
    ),
    "softphone.mic_denied": (
        "浏览器未获准使用麦克风。请在地址栏的站点设置中允许麦克风后重试。",
        "The browser is not allowed to use the microphone. "
        "Allow it in the site settings next to the address bar, then try again.",
    ),
    "softphone.no_microphone": (
        "未找到麦克风。请连接耳麦后重试。",
        "No microphone was found. Plug in a headset and try again.",
    ),
    "softphone.mic_busy": (
        "麦克风被其他程序占用或无法打开。请关闭占用它的程序后重试。",
        "The microphone is in use by another program or cannot be opened. "
        "Close that program and try again.",
    ),
    "softphone.call_failed": ("呼叫失败：{reason}", "The call failed: {reason}"),
}
