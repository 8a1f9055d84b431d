"""Messages of the report pages (web/reports); the figures' labels and definitions come from
``hotline.reports.definitions`` so that the page, the exports and the API say the same thing."""

from __future__ import annotations

from typing import Final

from hotline.reports.definitions import ABANDONS, ADHERENCE, AGENTS, INTERVAL, Figure


def _figures(prefix: str, figures: dict[str, Figure]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for key, f in figures.items():
        out[f"{prefix}.{key}"] = (f.label_zh, f.label_en)
        out[f"{prefix}.{key}.def"] = (f.definition_zh, f.definition_en)
    return out


# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.reports": ("统计报表", "Reports"),
    "reports.title": ("统计报表", "Reports"),
    "reports.intro": (
        "所有数字直接取自数据库；每个指标旁悬停可见其定义，页脚列出全部定义。",
        "Every figure is read from the database; hover a heading for its definition, "
        "all definitions are listed at the foot of the page.",
    ),
    "reports.interval": ("分时段话务与排班", "Interval report"),
    "reports.interval.about": (
        "每 15/30/60 分钟或每天：受理、接通、放弃、服务水平、平均应答速度、平均处理时长，"
        "以及签入、空闲、通话、话后处理、示忙的坐席人数与占用率。",
        "Per 15 / 30 / 60 minutes or day: offered, answered, abandoned, service level, ASA, "
        "AHT, and agents logged in, ready, on call, in wrap-up, not ready; occupancy.",
    ),
    "reports.abandons": ("放弃来电与当时坐席状态", "Abandoned calls and the floor"),
    "reports.abandons.about": (
        "每一通放弃来电的等待、排队位置、业务线，以及放弃那一刻每位签入坐席在做什么。",
        "Every abandoned call with its wait, position and line, and what every logged-in "
        "agent was doing at that moment.",
    ),
    "reports.agents": ("坐席绩效", "Agent performance"),
    "reports.agents.about": (
        "每位坐席的接听量、通话/保持/话后时长、转出、未接、示忙原因、占用率、"
        "满意度与派发工单的按期办结率。",
        "Each agent's calls, talk / hold / wrap-up time, transfers, missed offers, not-ready "
        "reasons, occupancy, survey average and the on-time rate of the work orders they raised.",
    ),
    "reports.agent": ("坐席工号", "Agent code"),
    "reports.chart.agent_time": ("坐席时间构成", "Where each agent's time went"),
    "reports.chart.hours": ("小时", "hours"),
    "reports.standards": ("服务标准达标情况", "Service standards"),
    "reports.standards.about": (
        "各项服务标准（如 75% 来电 120 秒内接通、放弃率低于 5%、"
        "工单按期办结率高于 95%）逐日及全期是否达标。",
        "Each service standard (75% of calls answered within 120 s, abandonment below 5%, "
        "work orders on time above 95% …) per day and over the period: met or missed.",
    ),
    "reports.standards.day": ("日期", "Day"),
    "reports.standards.overall": ("全期", "Period"),
    "reports.standards.days_met": ("达标天数", "Days met"),
    "reports.standards.met": ("达标", "met"),
    "reports.standards.missed": ("未达标", "missed"),
    "reports.standards.none": ("无数据", "no data"),
    "reports.standards.note": (
        "绿色为达标，红色为未达标，灰色为当日无可计量数据。服务水平按各标准自身的阈值计算；"
        "工单按期率按办结时限落在当日的工单计算。",
        "Green: met; red: missed; grey: nothing to measure that day. Each service level is "
        "measured with its standard's own threshold; the on-time rate over the work orders "
        "whose resolution deadline fell on the day.",
    ),
    "reports.scorecard": ("平衡计分卡", "Balanced scorecard"),
    "reports.scorecard.about": (
        "满意度、投诉率、办结率、及时率（参照天津 12329 平衡计分卡），默认近 30 天。",
        "Satisfaction, complaint rate, completion and timeliness (after Tianjin's 12329 "
        "balanced scorecard), the last 30 days by default.",
    ),
    "reports.sc.satisfaction": ("来电满意度", "Call satisfaction"),
    "reports.sc.follow_up_satisfaction": ("回访满意度", "Follow-up satisfaction"),
    "reports.sc.complaint_rate": ("投诉率", "Complaint rate"),
    "reports.sc.completion_rate": ("办结率", "Completion"),
    "reports.sc.timeliness": ("及时率", "Timeliness"),
    "reports.sc.service_level": ("服务水平（20 秒）", "Service level (20 s)"),
    "reports.sc.out_of_5": ("/ 5 分", "out of 5"),
    "reports.origin": ("来电地区", "Caller origin"),
    "reports.origin.about": (
        "本省按城市、外省按省份、境外按国家或地区统计来电；"
        "先去掉 IP 长途前缀（17951 等）再查归属地。",
        "Calls from the province by city, other provinces, abroad by country; IP-call prefixes "
        "(17951 …) are stripped before the number is placed.",
    ),
    "reports.origin.home": ("本省（按城市）", "In the province (by city)"),
    "reports.origin.province": ("外省（按省份）", "Other provinces"),
    "reports.origin.abroad": ("境外（按国家或地区）", "Abroad (by country or region)"),
    "reports.origin.unknown": ("无法识别", "Unknown"),
    "reports.origin.place": ("地区", "Place"),
    "reports.origin.share": ("占比", "Share"),
    "reports.origin.note": (
        "归属地来自 libphonenumber 离线号段数据；隐藏号码、过短号码和未知号段计为无法识别。",
        "Places come from libphonenumber's offline number ranges; withheld, too short and "
        "unknown numbers are counted as unknown.",
    ),
    "reports.chart.origin": ("来电地区排名", "Where callers called from"),
    "reports.heavy": ("频繁来电", "Heavy callers"),
    "reports.heavy.about": (
        "期间内来电次数达到阈值的号码，及其咨询主题和工单（默认近 90 天、10 次）。",
        "Numbers that called at least the threshold in the period, with their topics and work "
        "orders (the last 90 days and 10 calls by default).",
    ),
    "reports.heavy.threshold": ("来电次数阈值", "Calls at least"),
    "reports.heavy.number": ("来电号码", "Number"),
    "reports.heavy.calls": ("来电次数", "Calls"),
    "reports.heavy.answered": ("接通", "Answered"),
    "reports.heavy.first": ("首次来电", "First call"),
    "reports.heavy.last": ("最近来电", "Last call"),
    "reports.heavy.topics": ("咨询主题（次数）", "Topics (calls)"),
    "reports.heavy.orders": ("工单", "Work orders"),
    "reports.heavy.taxpayer": ("纳税人识别号", "Taxpayer id"),
    "reports.heavy.none": ("没有达到阈值的号码。", "No number reached the threshold."),
    "reports.err.threshold": (
        "来电次数阈值应为 2–10000 的整数",
        "the threshold must be a whole number from 2 to 10000",
    ),
    "reports.on_time": ("工单按期办结", "Work orders on time"),
    "reports.on_time.about": (
        "按部门统计工单按期办结情况（接口 /api/v1/reports/on-time）。",
        "The on-time table per department (API /api/v1/reports/on-time).",
    ),
    "reports.from": ("开始日期", "From"),
    "reports.to": ("结束日期（含）", "To (inclusive)"),
    "reports.granularity": ("时段", "Interval"),
    "reports.granularity.15m": ("15 分钟", "15 minutes"),
    "reports.granularity.30m": ("30 分钟", "30 minutes"),
    "reports.granularity.60m": ("1 小时", "1 hour"),
    "reports.granularity.day": ("按天", "Day"),
    "reports.site": ("站点", "Site"),
    "reports.line": ("业务线", "Line"),
    "reports.language": ("语种", "Language"),
    "reports.group": ("坐席组", "Agent group"),
    "reports.group.specialists": ("专席", "Specialists"),
    "reports.group.overflow": ("溢出组", "Overflow pool"),
    "reports.any": ("全部", "All"),
    "reports.threshold": ("服务水平阈值（秒）", "SL threshold (s)"),
    "reports.show": ("查询", "Show"),
    "reports.download": ("下载", "Download"),
    "reports.download.full": ("下载完整号码（将记入审计）", "Download with full numbers (audited)"),
    "reports.empty_hidden": (
        "表中略去无来电且无人签入的时段；图表与下载文件包含全部时段。",
        "Intervals with no call and nobody logged in are left out of the table; the charts "
        "and the downloads have every interval.",
    ),
    "reports.by_reason": ("示忙原因（平均人数）", "Not ready by reason (avg)"),
    "reports.by_reason_s": ("示忙原因（秒）", "Not ready by reason (s)"),
    "reports.by_reason.def": (
        "各示忙原因的平均人数（该原因秒数 / 时段秒数）",
        "mean number of agents not ready for each reason (seconds / interval seconds)",
    ),
    "reports.total": ("合计", "Total"),
    "reports.definitions": ("指标定义", "Definitions"),
    "reports.bad_date": (
        "日期格式应为 YYYY-MM-DD，请重新选择",
        "Dates must be YYYY-MM-DD: pick them again",
    ),
    "reports.fix": ("请修改查询条件：", "Change the query: "),
    "reports.err.to": (
        "结束日期不能早于开始日期；期间最长：15/30 分钟 31 天，1 小时 92 天，按天 366 天",
        "the last day cannot be before the first; at most 31 days for 15 / 30 minutes, "
        "92 days for 1 hour, 366 days by day",
    ),
    "reports.err.from": ("开始日期无效，请重新选择", "the first day is not valid: pick it again"),
    "reports.err.site": ("没有该站点，请从列表中选择", "no such site: pick one from the list"),
    "reports.err.line": ("没有该业务线，请从列表中选择", "no such line: pick one from the list"),
    "reports.err.language": (
        "没有该语种，请从列表中选择",
        "no such language: pick one from the list",
    ),
    "reports.err.agent": (
        "没有该工号的坐席，请检查工号（如 agent001）",
        "no agent has that code: check it (e.g. agent001)",
    ),
    "reports.err.choice": (
        "时段、坐席组须从列表中选择，阈值为 1–3600 秒",
        "pick the interval and group from the lists; the threshold is 1–3600 s",
    ),
    "reports.chart.calls": ("话务量与服务水平", "Calls and service level"),
    "reports.chart.staffing": ("坐席状态（平均人数）", "Agents by state (mean number)"),
    "reports.chart.abandons": ("放弃来电的等待时长", "Wait of each abandoned call"),
    "reports.chart.abandoned": ("放弃", "Abandoned"),
    "reports.chart.count": ("来电数", "calls"),
    "reports.chart.agents": ("人", "agents"),
    "reports.chart.percent": ("%", "%"),
    "reports.chart.wait": ("等待（秒）", "wait (s)"),
    "reports.chart.time": ("时间", "time"),
    "reports.chart.slack": ("有可接坐席空闲或示忙", "eligible agents idle or away"),
    "reports.chart.busy": ("可接坐席均忙", "every eligible agent busy"),
    "reports.summary": (
        "共 {n} 通放弃来电；其中 {slack} 通放弃时有可接坐席空闲或示忙"
        "（空闲 {idle} 通，示忙 {away} 通），{busy} 通放弃时可接坐席均忙。",
        "{n} abandons; {slack} of them while eligible agents were idle or away "
        "({idle} with one idle, {away} with one away); {busy} while every eligible agent was busy.",
    ),
    "reports.floor": ("当时坐席", "The floor"),
    "reports.floor_one_day": (
        "超过一天时不逐通列出当时坐席：选择一天即可查看",
        "Over more than a day the floor is not listed call by call: choose one day to see it",
    ),
    "reports.none": ("该期间没有放弃来电。", "No abandoned call in this period."),
    "reports.numbers_masked": ("号码已脱敏。", "Numbers are masked."),
    "reports.status.idle": ("空闲", "idle"),
    "reports.status.reserved": ("振铃", "ringing"),
    "reports.status.on_call": ("通话", "on call"),
    "reports.status.wrap_up": ("话后处理", "wrap-up"),
    "reports.status.not_ready": ("示忙", "not ready"),
    "reports.eligible_mark": ("可接", "eligible"),
    "reports.where.queue": ("排队中", "in queue"),
    "reports.where.ringing": ("振铃中", "ringing"),
    **_figures("reports.iv", INTERVAL),
    **_figures("reports.ab", ABANDONS),
    **_figures("reports.ag", AGENTS),
    **_figures("reports.adh", ADHERENCE),
    "reports.adh.title": ("排班遵从", "Adherence to the schedule"),
    "reports.adh.none": (
        "本期间没有排班：没有遵从率（通过 POST /api/v1/reports/shifts 录入排班）。",
        "No shifts in this period: no adherence (enter shifts with POST /api/v1/reports/shifts).",
    ),
}
