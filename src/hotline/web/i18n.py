"""One translation layer for every user-visible string of the pages (Python, templates, JS).

Why a typed catalog in Python rather than gettext ``.po`` files compiled with Babel: the pages
have two languages and a few hundred strings; a dict keyed by message id needs no compile step in
``./dev`` or CI, mypy and a test check that every id used in a template or script exists in both
languages (gettext would silently fall back to the id), and a reviewer sees a string and its
translation side by side in one diff. When a third language or translators' tools are needed,
the same ``_()`` calls can move to Babel catalogs without touching the templates.
"""

from __future__ import annotations

from typing import Final, Literal

Lang = Literal["zh-CN", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh-CN", "en")
DEFAULT_LANG: Final[Lang] = "zh-CN"
LANG_COOKIE: Final = "hotline_lang"

# message id -> (zh-CN, en)
CATALOG: Final[dict[str, tuple[str, str]]] = {
    "app.name": ("12366 纳税服务热线", "12366 Tax Hotline"),
    "lang.switch": ("English", "中文"),
    "nav.docs": ("接口文档", "API docs"),
    "nav.logout": ("退出登录", "Log out"),
    "login.title": ("登录", "Sign in"),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.failed": ("用户名或密码不正确", "Incorrect username or password"),
    "login.expired": ("登录已过期，请重新登录", "Your session has expired: please sign in again"),
    "login.throttled": (
        "登录失败次数过多，请稍后再试（或联系管理员解锁）",
        "Too many failed logins: wait a few minutes and try again, or ask an administrator",
    ),
    "login.csrf": ("页面已过期，请重试", "The page expired: please try again"),
    "home.title": ("首页", "Home"),
    "home.placeholder": (
        "您的工作页面尚在建设中。可使用接口文档访问各项功能。",
        "Your work pages are being built. The API docs give access to every function.",
    ),
    "home.roles": ("角色", "Roles"),
    "demo.banner": ("演示环境：", "Demo: "),
    "demo.people": ("供真人登录接听的坐席账号：", "Agent logins for people to take calls: "),
    "role.agent": ("坐席", "Agent"),
    "role.specialist": ("业务专家", "Specialist"),
    "role.liaison": ("联络员", "Liaison"),
    "role.supervisor": ("班长", "Supervisor"),
    "role.director": ("主任", "Director"),
    "role.ops": ("运营", "Operations"),
    "role.admin": ("管理员", "Administrator"),
    # the desk
    "desk.title": ("坐席工作台", "Agent desktop"),
    "desk.site": ("站点", "Site"),
    "desk.endpoint": ("话机", "Phone"),
    "desk.login": ("签入", "Log in"),
    "desk.logout": ("签出", "Log out phone"),
    "desk.ready": ("示闲", "Ready"),
    "desk.not_ready": ("示忙", "Not ready"),
    "desk.reason": ("原因", "Reason"),
    "desk.in_state": ("本状态", "In state"),
    "desk.today": ("今日", "Today"),
    "desk.today.calls": ("接听", "calls"),
    "desk.today.talk": ("平均通话", "avg talk"),
    "desk.today.survey": ("满意度", "survey"),
    "desk.wrap_left": ("话后整理剩余", "Wrap-up left"),
    "desk.end_wrap": ("结束整理", "End wrap-up"),
    "desk.extend_wrap": ("延长整理", "Extend wrap-up"),
    "desk.stream.lost": ("连接中断，正在重连…", "Connection lost, reconnecting…"),
    "desk.error.conflict": (
        "通话状态已变化，按钮已刷新。",
        "The call moved on; the buttons are refreshed.",
    ),
    "state.logged_out": ("未签入", "Logged out"),
    "state.idle": ("空闲", "Ready"),
    "state.not_ready": ("示忙", "Not ready"),
    "state.reserved": ("振铃", "Ringing"),
    "state.on_call": ("通话中", "On a call"),
    "state.wrap_up": ("话后整理", "Wrap-up"),
    "reason.login": ("刚签入", "Just logged in"),
    "reason.break": ("小休", "Short break"),
    "reason.lunch": ("用餐", "Lunch"),
    "reason.training": ("培训", "Training"),
    "reason.meeting": ("会议", "Meeting"),
    "reason.after_call_work": ("话后处理", "After-call work"),
    "reason.coaching": ("辅导", "Coaching"),
    "reason.technical": ("技术故障", "Technical problem"),
    "reason.forced": ("班长设置", "Set by a supervisor"),
    "reason.summary_pending": ("待填小结", "Summary to file"),
    "reason.rona": ("未接来电", "Missed an offered call"),
    "reason.unreachable": ("话机不可达", "Phone unreachable"),
    "reason.transfer_ringing": ("转接振铃", "Transfer ringing"),
    "line.national_tax": ("国税", "National tax"),
    "line.local_tax": ("地税", "Local tax"),
    "line.finance": ("财政", "Finance"),
    "language.zh": ("普通话", "Mandarin"),
    "language.en": ("英语", "English"),
    "language.ko": ("韩语", "Korean"),
    "caller.title": ("来电人", "Caller"),
    "caller.none": ("暂无来电", "No call"),
    "caller.number": ("号码", "Number"),
    "caller.region": ("归属地", "Region"),
    "caller.language": ("语种", "Language"),
    "caller.line": ("业务线", "Line"),
    "caller.taxpayer": ("纳税人", "Taxpayer"),
    "caller.previous": ("历史来电", "Previous calls"),
    "caller.previous.none": ("首次来电", "First call"),
    "caller.orders": ("未办结工单", "Open work orders"),
    "caller.orders.none": ("无", "None"),
    "call.controls": ("通话控制", "Call controls"),
    "call.answer": ("接听", "Answer"),
    "call.hold": ("保持", "Hold"),
    "call.unhold": ("恢复", "Resume"),
    "call.transfer": ("转接", "Transfer"),
    "call.transfer.agent": ("目标坐席编号", "Agent id"),
    "call.transfer.queue": ("转到队列", "Transfer to a queue"),
    "call.hangup": ("挂断", "Hang up"),
    "call.phase": ("通话阶段", "Phase"),
    "call.ringing": ("来电振铃", "Incoming call"),
    "call.talk": ("通话中", "Talking"),
    "call.on_hold": ("保持中", "On hold"),
    "call.ended": ("通话已结束", "Call ended"),
    "summary.title": ("电话小结", "Call summary"),
    "summary.area": ("业务大类", "Area"),
    "summary.topic": ("问题分类", "Topic"),
    "summary.choose": ("请选择", "Choose"),
    "summary.question": ("咨询问题", "Question"),
    "summary.answer": ("答复内容", "Answer given"),
    "summary.articles": ("引用知识", "Articles used"),
    "summary.result": ("处理结果", "Result"),
    "summary.result.answered": ("当场答复", "Answered on the call"),
    "summary.result.work_order": ("已转工单", "Work order raised"),
    "summary.result.transferred": ("已转接", "Transferred"),
    "summary.result.callback_promised": ("承诺回电", "Callback promised"),
    "summary.taxpayer_name": ("纳税人姓名", "Taxpayer name"),
    "summary.taxpayer_id": ("纳税人识别号", "Taxpayer id"),
    "summary.save": ("保存小结", "Save summary"),
    "summary.saved": ("小结已保存", "Summary saved"),
    "summary.required": ("结束整理前请先保存小结", "Save the summary before leaving wrap-up"),
    "wo.raise": ("生成工单", "Raise work order"),
    "wo.raised": ("工单已生成：", "Work order raised: "),
    "wo.category": ("工单类型", "Category"),
    "wo.category.enquiry": ("咨询", "Enquiry"),
    "wo.category.help": ("求助", "Request for help"),
    "wo.category.complaint": ("投诉", "Complaint"),
    "wo.category.suggestion": ("建议", "Suggestion"),
    "wo.category.report": ("举报", "Report"),
    "kb.title": ("知识库", "Knowledge base"),
    "kb.search": ("搜索知识库", "Search the knowledge base"),
    "kb.demo": ("演示数据：知识库尚未上线", "Demo items: the knowledge base is not live yet"),
    "kb.none": ("无结果", "Nothing found"),
    "kb.use": ("采用此答复", "Use this answer"),
    "kb.region": ("来电地区", "Caller's city"),
    "kb.region.any": ("不限", "Any"),
    "kb.region.hangzhou": ("杭州", "Hangzhou"),
    "kb.region.wenzhou": ("温州", "Wenzhou"),
    "kb.date": ("适用日期", "In force on"),
    "kb.go": ("搜索", "Search"),
    "kb.bad_date": ("日期格式应为 YYYY-MM-DD", "The date must be YYYY-MM-DD"),
    "kb.back": ("返回知识库搜索", "Back to the knowledge base"),
    "kb.missing": (
        "没有这篇知识或该日期无有效版本",
        "No such article, or no version in force that day",
    ),
    "kb.version": ("版本", "version"),
    "kb.open_end": ("长期有效", "until further notice"),
    "kb.legal_basis": ("政策依据", "Legal basis"),
    "kb.owner": ("负责部门", "Owner"),
    "kb.versions": ("历史版本", "Versions"),
    "kb.status.draft": ("草稿", "draft"),
    "kb.status.review": ("待审核", "in review"),
    "kb.status.published": ("已发布", "published"),
    "kb.status.retired": ("已停用", "retired"),
    "error.generic": ("操作失败：", "Failed: "),
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
    "desk.phone_down": (
        "软电话无法注册，已为您示忙（技术故障），不会再分配来电。恢复后请点“示闲”。",
        "The softphone cannot register: you are set not ready (technical problem) and get no "
        "calls. Press Ready once it works again.",
    ),
    "desk.answer_on_phone": ("请在话机上接听", "Answer on your desk phone"),
    "keys.help": (
        "快捷键：Alt+A 接听 · Alt+H 保持 · Alt+X 挂断 · Alt+R 示闲 · Alt+S 保存小结",
        "Keys: Alt+A answer · Alt+H hold · Alt+X hang up · Alt+R ready · Alt+S save summary",
    ),
}


def pick_lang(cookie: str | None) -> Lang:
    """The language the switch chose, else zh-CN: the hotline works in Chinese whatever the
    browser's own language (agents' PCs are often set up in English)."""
    for lang in LANGS:
        if cookie == lang:
            return lang
    return DEFAULT_LANG


def translate(lang: Lang, key: str) -> str:
    """The message in ``lang``; an unknown id shows itself (and fails the catalog test)."""
    entry = CATALOG.get(key)
    if entry is None:
        return key
    return entry[0] if lang == "zh-CN" else entry[1]


def bundle(lang: Lang, prefixes: tuple[str, ...]) -> dict[str, str]:
    """The messages a page's script needs, embedded in the page as JSON."""
    return {k: translate(lang, k) for k in CATALOG if k.startswith(prefixes)}
