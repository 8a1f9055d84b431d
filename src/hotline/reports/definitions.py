"""Every figure of the reports with its label and its definition, in Chinese and English.

One table serves the API (``definitions`` in every JSON report, the header row of CSV and XLSX),
the pages (hover text and footnotes, through the pages' catalog) and docs/reports.md, so the
definition a director reads beside a number is the one the code computes (DOMAIN.md's KPIs).
"""

from __future__ import annotations

from typing import Final, NamedTuple


class Figure(NamedTuple):
    label_zh: str
    label_en: str
    definition_zh: str
    definition_en: str


INTERVAL: Final[dict[str, Figure]] = {
    "interval_start": Figure(
        "时段开始",
        "Interval start",
        "时段开始时间（北京时间）",
        "start of the interval, Asia/Shanghai time",
    ),
    "arrived": Figure(
        "来电",
        "Arrived",
        "该时段到达的呼入电话（含 IVR 内挂机）",
        "inbound calls that arrived in the interval, IVR hang-ups included",
    ),
    "callback_calls": Figure(
        "回拨外呼",
        "Callback calls",
        "中心回拨来电者的外呼（不计入受理量）",
        "calls the centre placed to call a caller back; not offered",
    ),
    "abandoned_ivr": Figure(
        "IVR 放弃",
        "Abandoned in IVR",
        "在语音菜单中挂机，不计入受理量",
        "hung up in the IVR menus; not offered",
    ),
    "offered": Figure(
        "受理量",
        "Offered",
        "进入队列的呼入电话（按到达时间归入时段）",
        "inbound calls that reached a queue, counted in the interval they arrived",
    ),
    "answered": Figure(
        "接通", "Answered", "由坐席接听的受理电话", "offered calls an agent answered"
    ),
    "answered_within": Figure(
        "阈值内接通",
        "Answered within T",
        "排队等待（含振铃）不超过阈值 T 秒即接通",
        "answered with a queue wait (ringing included) of at most T seconds",
    ),
    "abandoned_queue": Figure(
        "排队放弃", "Abandoned in queue", "排队中挂机", "hung up while waiting in the queue"
    ),
    "abandoned_ringing": Figure(
        "振铃放弃", "Abandoned ringing", "坐席振铃时挂机", "hung up while an agent's phone rang"
    ),
    "short_abandons": Figure(
        "短时放弃",
        "Short abandons",
        "等待少于短放弃阈值（默认 5 秒）即放弃",
        "abandons after a wait shorter than the short-abandon limit (5 s)",
    ),
    "callbacks": Figure(
        "预约回拨",
        "Callbacks requested",
        "选择遇忙回复离开队列，不计为放弃",
        "left the queue choosing a busy callback; not an abandon",
    ),
    "service_level": Figure(
        "服务水平",
        "Service level",
        "阈值内接通 / 受理量（放弃计为未达标）",
        "answered within T / offered (abandons count as misses)",
    ),
    "service_level_answered": Figure(
        "服务水平（按接通）", "SL of answered", "阈值内接通 / 接通", "answered within T / answered"
    ),
    "service_level_no_short": Figure(
        "服务水平（剔除短放弃）",
        "SL without short abandons",
        "阈值内接通 / (受理量 − 短时放弃)",
        "answered within T / (offered − short abandons)",
    ),
    "abandon_rate": Figure(
        "放弃率",
        "Abandonment",
        "(排队放弃 + 振铃放弃) / 受理量",
        "(abandoned in queue + ringing) / offered",
    ),
    "asa_s": Figure(
        "平均应答速度（秒）",
        "ASA (s)",
        "接通电话的平均排队等待（含振铃）",
        "mean queue wait (ringing included) of answered calls",
    ),
    "aht_s": Figure(
        "平均处理时长（秒）",
        "AHT (s)",
        "(通话 + 保持 + 话后处理) / 接通",
        "(talk + hold + wrap-up) / answered, wrap-up from the agent state log",
    ),
    "agents_logged_in": Figure(
        "签入人数",
        "Agents logged in",
        "该时段内曾签入的不同坐席数",
        "distinct agents logged in at some time in the interval",
    ),
    "staffed": Figure(
        "平均在席",
        "Staffed (avg)",
        "签入坐席的平均人数（在席秒数 / 时段秒数）",
        "mean number of logged-in agents (agent-seconds / interval seconds)",
    ),
    "ready": Figure(
        "平均空闲",
        "Ready (avg)",
        "空闲等待来电的平均人数",
        "mean number of agents idle, waiting for a call",
    ),
    "ringing": Figure(
        "平均振铃",
        "Ringing (avg)",
        "来电振铃中的平均人数",
        "mean number of agents whose phone rang with an offer",
    ),
    "on_call": Figure(
        "平均通话",
        "On call (avg)",
        "通话中（含保持）的平均人数",
        "mean number of agents on a call, hold included",
    ),
    "wrap_up": Figure(
        "平均话后处理",
        "Wrap-up (avg)",
        "话后处理（文书）中的平均人数",
        "mean number of agents in wrap-up (after-call work)",
    ),
    "not_ready": Figure(
        "平均示忙",
        "Not ready (avg)",
        "示忙的平均人数，按原因见明细",
        "mean number of agents not ready; by reason in not_ready_by_reason",
    ),
    "occupancy": Figure(
        "占用率",
        "Occupancy",
        "(振铃 + 通话 + 话后处理) / (振铃 + 通话 + 话后处理 + 空闲)，不含示忙",
        "(ringing + on call + wrap-up) / (those + ready); not-ready excluded",
    ),
}

ABANDONS: Final[dict[str, Figure]] = {
    "call_id": Figure("来电编号", "Call", "来电记录编号", "the call's id"),
    "arrived_at": Figure(
        "到达时间",
        "Arrived",
        "来电到达时间（北京时间）",
        "when the call arrived, Asia/Shanghai time",
    ),
    "abandoned_at": Figure("放弃时间", "Abandoned at", "来电者挂机时间", "when the caller hung up"),
    "caller_number": Figure(
        "来电号码",
        "Caller",
        "按角色脱敏；完整号码的读取留审计",
        "masked by role; reads in full are audited",
    ),
    "site": Figure("站点", "Site", "接入站点", "the site the call came in on"),
    "line": Figure("业务线", "Line", "业务线", "business line"),
    "language": Figure("语种", "Language", "语种", "language"),
    "where": Figure("放弃环节", "Where", "排队中或振铃中", "in the queue or while ringing"),
    "wait_s": Figure(
        "等待（秒）",
        "Wait (s)",
        "进入队列到挂机的秒数",
        "seconds from entering the queue to hanging up",
    ),
    "position": Figure(
        "排队位置",
        "Position",
        "放弃时在队列中的位置（1 为队首）",
        "place in the queue when it was given up (1: first)",
    ),
    "eligible": Figure(
        "可接坐席",
        "Eligible agents",
        "具备该技能的签入坐席数",
        "logged-in agents holding the call's skill",
    ),
    "eligible_idle": Figure(
        "可接空闲", "Eligible idle", "可接坐席中处于空闲的人数", "eligible agents who were idle"
    ),
    "eligible_away": Figure(
        "可接示忙", "Eligible away", "可接坐席中示忙的人数", "eligible agents who were not ready"
    ),
    "floor_logged_in": Figure(
        "在席总数",
        "Floor logged in",
        "当时所有签入坐席（不限技能）",
        "every logged-in agent at that moment, any skill",
    ),
}

AGENTS: Final[dict[str, Figure]] = {
    "agent": Figure("坐席", "Agent", "坐席工号", "the agent's code"),
    "calls": Figure(
        "接听量",
        "Calls",
        "期间内处于通话状态的不同来电数（含转入）；合计为各坐席之和（两名坐席接过的来电各计一次）",
        "distinct calls the agent was on in the period, transfers in included; the total is the "
        "sum over the agents (a call two agents were on counts for each)",
    ),
    "logged_in_s": Figure(
        "签入时长（秒）",
        "Logged in (s)",
        "期间内签入的总秒数",
        "seconds logged in during the period",
    ),
    "talk_s": Figure(
        "通话时长（秒）",
        "Talk (s)",
        "通话状态秒数（含保持）",
        "seconds in the on-call state, hold included",
    ),
    "hold_s": Figure(
        "保持时长（秒）",
        "Hold (s)",
        "由该坐席结束的来电的保持秒数",
        "hold seconds of the calls the agent finished",
    ),
    "wrap_up_s": Figure("话后处理（秒）", "Wrap-up (s)", "话后处理状态秒数", "seconds in wrap-up"),
    "ready_s": Figure("空闲时长（秒）", "Ready (s)", "空闲等待来电的秒数", "seconds idle"),
    "not_ready_s": Figure(
        "示忙时长（秒）",
        "Not ready (s)",
        "示忙秒数，按原因见明细",
        "seconds not ready; by reason in not_ready_by_reason",
    ),
    "average_talk_s": Figure("平均通话（秒）", "Avg talk (s)", "通话时长 / 接听量", "talk / calls"),
    "average_wrap_up_s": Figure(
        "平均话后（秒）", "Avg wrap-up (s)", "话后处理 / 接听量", "wrap-up / calls"
    ),
    "aht_s": Figure(
        "平均处理时长（秒）",
        "AHT (s)",
        "(通话 + 话后处理) / 接听量",
        "(talk, hold included, + wrap-up) / calls",
    ),
    "transfers": Figure(
        "转出",
        "Transfers",
        "由该坐席转给他人或转回队列的来电数",
        "calls the agent passed to another agent or back to a queue",
    ),
    "rona": Figure(
        "未接次数",
        "RONA",
        "振铃未接导致示忙（rona）的次数",
        "offers the agent let ring out (set not ready: rona)",
    ),
    "occupancy": Figure(
        "占用率",
        "Occupancy",
        "(振铃 + 通话 + 话后) / (其和 + 空闲)",
        "(ringing + on call + wrap-up) / (those + ready)",
    ),
    "surveys": Figure(
        "评价数",
        "Surveys",
        "由该坐席结束且有 1–5 满意度评分的来电数",
        "calls the agent finished that have a 1-5 survey score",
    ),
    "survey_average": Figure(
        "满意度均分", "Survey average", "满意度评分（1–5）的平均值", "mean survey score (1-5)"
    ),
    "work_orders_raised": Figure(
        "派发工单",
        "Work orders raised",
        "该坐席期间内创建的工单数",
        "work orders the agent created in the period",
    ),
    "work_orders_closed": Figure(
        "已办结工单", "Work orders resolved", "上述工单中已办结的数量", "of those, resolved"
    ),
    "work_orders_on_time_rate": Figure(
        "按期办结率",
        "On-time rate",
        "按期办结 / 已办结（办结时间不晚于办结时限）",
        "resolved by the deadline / resolved",
    ),
}

AGENT_STATUSES: Final[tuple[str, ...]] = ("idle", "reserved", "on_call", "wrap_up", "not_ready")


ORIGIN: Final[dict[str, Figure]] = {
    "scope": Figure(
        "范围",
        "Scope",
        "home 本省（按城市）、province 外省（按省）、abroad 境外（按国家或地区）、unknown 无法定位",
        "home (the centre's province, by city), province (other provinces), abroad (by country),"
        " unknown (numbers the geocoder cannot place)",
    ),
    "name": Figure("地区", "Place", "城市、省份或国家/地区", "the city, province or country"),
    "calls": Figure(
        "来电数",
        "Calls",
        "期间内来自该地区的呼入电话（IP 长途前缀去除后定位）",
        "inbound calls of the period from that place (IP-call prefixes stripped first)",
    ),
    "share": Figure("占比", "Share", "来电数 / 期间内全部呼入", "calls / all inbound calls"),
}


HEAVY_CALLERS: Final[dict[str, Figure]] = {
    "number": Figure(
        "来电号码", "Number", "来电号码（按角色脱敏）", "the caller's number (masked per role)"
    ),
    "taxpayer_number": Figure(
        "纳税人识别号",
        "Taxpayer id",
        "以该号码为联系电话的最近一张工单上的纳税人识别号",
        "the taxpayer id on the latest work order with this number as the taxpayer's phone",
    ),
    "calls": Figure(
        "来电次数",
        "Calls",
        "期间内该号码的呼入电话（含 IVR 挂机）",
        "inbound calls from the number in the period (IVR hang-ups included)",
    ),
    "answered": Figure("接通", "Answered", "其中由坐席接通的", "of those, answered by an agent"),
    "first_call": Figure("首次来电", "First call", "期间内第一次来电", "the period's first call"),
    "last_call": Figure("末次来电", "Last call", "期间内最后一次来电", "the period's last call"),
    "work_orders": Figure(
        "工单数",
        "Work orders",
        "以该号码为联系电话的全部工单",
        "work orders ever raised with this number as the taxpayer's phone",
    ),
    "topics": Figure(
        "咨询主题",
        "Topics",
        "这些来电的小结主题及其来电数（主题:次数）",
        "call-summary topics of those calls with their counts (topic:calls)",
    ),
}


TOPICS: Final[dict[str, Figure]] = {
    "code": Figure(
        "主题编码", "Topic code", "小结主题（二级分类）编码", "the summary topic's code"
    ),
    "name": Figure("主题", "Topic", "小结主题名称", "the summary topic's name"),
    "area": Figure("业务大类", "Area", "主题所属的一级业务分类", "the business area of the topic"),
    "calls": Figure(
        "来电数",
        "Calls",
        "期间内到达、按筛选条件的来电中以该主题小结的份数（转接来电每位坐席各一份）",
        "summaries filed under the topic for the period's calls (one per agent who talked)",
    ),
    "share": Figure("占比", "Share", "该主题小结数 / 全部小结数", "the topic's summaries / all"),
    "trend": Figure(
        "每日趋势", "Daily trend", "每天（北京时间）各主题的小结数", "summaries per topic per day"
    ),
    "unanswered_searches": Figure(
        "无结果搜索",
        "Searches that found nothing",
        "期间内知识库搜索没有结果的查询词及次数（与线路、语种无关）",
        "knowledge-base queries of the period that found nothing, with how often"
        " (not filtered by line or language)",
    ),
}


ADHERENCE: Final[dict[str, Figure]] = {
    "scheduled_s": Figure(
        "排班时长", "Scheduled", "期间内该坐席排班（agent_shift）的秒数", "seconds of the agent's"
        " scheduled shifts (agent_shift) inside the period",
    ),
    "logged_in_scheduled_s": Figure(
        "排班内签入", "Logged in (in shift)", "排班时间内签入（任何状态）的秒数",
        "seconds logged in (any state) during the scheduled shifts",
    ),
    "working_scheduled_s": Figure(
        "排班内可服务", "Working (in shift)",
        "排班时间内处于空闲、振铃、通话或话后整理（即签入且未示忙）的秒数",
        "seconds ready, ringing, on a call or in wrap-up (logged in, not in not-ready) during"
        " the scheduled shifts",
    ),
    "adherence": Figure(
        "排班遵从率", "Adherence", "排班内可服务时长 / 排班时长（示忙、迟到、早退都会降低）",
        "working in shift / scheduled (not-ready time, late log-in and early log-out lower it)",
    ),
}  # fmt: skip


SURVEYS: Final[dict[str, Figure]] = {
    "answered": Figure(
        "接通来电",
        "Answered",
        "期间内到达并由坐席接通的呼入电话（可以邀请评价的来电）",
        "inbound calls of the period answered by an agent (the calls a survey can follow)",
    ),
    "responses": Figure(
        "评价数",
        "Responses",
        "其中来电人按键评价（1–5）的来电",
        "of those, calls where the caller pressed a score (1-5)",
    ),
    "response_rate": Figure("参评率", "Response rate", "评价数 / 接通来电", "responses / answered"),
    "average": Figure("平均分", "Average", "评分（1–5）的平均值", "mean of the 1-5 scores"),
    "score_1": Figure("1 分", "Score 1", "评 1 分（非常不满意）的来电数", "calls scored 1 (worst)"),
    "score_2": Figure("2 分", "Score 2", "评 2 分的来电数", "calls scored 2"),
    "score_3": Figure("3 分", "Score 3", "评 3 分的来电数", "calls scored 3"),
    "score_4": Figure("4 分", "Score 4", "评 4 分的来电数", "calls scored 4"),
    "score_5": Figure("5 分", "Score 5", "评 5 分（非常满意）的来电数", "calls scored 5 (best)"),
    "low_scores": Figure(
        "低分来电",
        "Low scores",
        "评 1 或 2 分的来电，逐条列出（号码按角色脱敏），便于听取录音回访",
        "calls scored 1 or 2, one by one (numbers masked per role), to listen back and follow up",
    ),
    "comments": Figure(
        "评价意见",
        "Comments",
        "满意度评价只记录按键分数，不记录文字或语音意见",
        "the survey records the key pressed only: there are no written or spoken comments",
    ),
}
