"""Messages of the topics and surveys report pages (web/reports); the figures' labels and
definitions come from ``hotline.reports.definitions`` like the other reports'."""

from __future__ import annotations

from typing import Final

from hotline.reports.definitions import SURVEYS, TOPICS, Figure


def _figures(prefix: str, figures: dict[str, Figure]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for key, f in figures.items():
        out[f"{prefix}.{key}"] = (f.label_zh, f.label_en)
        out[f"{prefix}.{key}.def"] = (f.definition_zh, f.definition_en)
    return out


# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "reports.topics": ("咨询主题", "Topics"),
    "reports.topics.about": (
        "来电小结的主题（按业务大类和每天的趋势），以及知识库中没有搜到结果的查询词。",
        "Call-summary topics (by business area and per day) and the knowledge-base searches "
        "that found nothing.",
    ),
    "reports.surveys": ("满意度评价", "Surveys"),
    "reports.surveys.about": (
        "1–5 分评价的分布和平均分，按线路、坐席和日期；低分来电逐条列出。",
        "The 1-5 score distribution and average by line, agent and day; low-scored calls "
        "listed one by one.",
    ),
    "reports.tp.areas": ("按业务大类", "By business area"),
    "reports.tp.topics": ("按主题", "By topic"),
    "reports.tp.none": ("期间内没有来电小结。", "No call summaries in the period."),
    "reports.tp.no_misses": (
        "期间内没有无结果的知识库搜索。",
        "No knowledge-base search found nothing in the period.",
    ),
    "reports.tp.query": ("查询词", "Query"),
    "reports.tp.searches": ("次数", "Searches"),
    "reports.tp.last_day": ("最近一次", "Last on"),
    "reports.tp.misses_note": (
        "知识库搜索不与来电关联，线路和语种筛选对其不适用。",
        "Knowledge-base searches are not tied to a call: the line and language filters do "
        "not apply to them.",
    ),
    "reports.chart.topic_trend": ("每日小结主题（按业务大类）", "Summary topics per day (by area)"),
    "reports.chart.topic_rank": ("主题排名", "Topics ranked"),
    "reports.sv.line": ("线路", "Line"),
    "reports.sv.agent": ("坐席", "Agent"),
    "reports.sv.day": ("日期", "Day"),
    "reports.sv.by_line": ("按线路", "By line"),
    "reports.sv.by_agent": ("按坐席", "By agent"),
    "reports.sv.by_day": ("按日期", "By day"),
    "reports.sv.no_agent": ("（未记录）", "(not recorded)"),
    "reports.sv.when": ("来电时间", "Arrived"),
    "reports.sv.caller": ("来电号码", "Caller"),
    "reports.sv.score": ("评分", "Score"),
    "reports.sv.no_low": ("期间内没有 1 分或 2 分的评价。", "No call was scored 1 or 2."),
    "reports.sv.no_comments": (
        "满意度评价只记录按键分数，没有文字或语音意见。",
        "The survey records the key pressed only: there are no written or spoken comments.",
    ),
    "reports.chart.survey_distribution": ("评分分布", "Score distribution"),
    "reports.chart.survey_average": ("平均分", "Average score"),
    "reports.chart.day": ("日期", "day"),
    "reports.chart.responses": ("评价数", "responses"),
    **_figures("reports.tp", TOPICS),
    **_figures("reports.sv", SURVEYS),
}
