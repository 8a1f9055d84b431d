"""The topics and surveys computations on hand-made rows (no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hotline.reports.surveys import SurveyedCall, survey_report
from hotline.reports.topics import TopicName, topics_report

CST = timezone(timedelta(hours=8))
D1, D2 = date(2026, 3, 2), date(2026, 3, 3)


def test_topics_count_areas_fill_empty_days_and_keep_unknown_codes() -> None:
    taxonomy = [
        TopicName("A", None, "甲", "A"),
        TopicName("A.1", "A", "甲一", "A one"),
        TopicName("A.2", "A", "甲二", "A two"),
    ]
    report = topics_report(
        [D1, D2],
        [(D1, "A.1", 2), (D1, "A.2", 1), (D1, "GONE", 1)],
        taxonomy,
        [("q", 2, D2), ("r", 1, D1)],
    )
    assert report["total"] == 4
    assert [(t["code"], t["calls"]) for t in report["topics"]] == [
        ("A.1", 2),
        ("A.2", 1),
        ("GONE", 1),
    ]
    assert report["topics"][2]["name_en"] == "GONE"  # not in the taxonomy: its code stands
    assert [(a["code"], a["calls"]) for a in report["areas"]] == [("A", 3), ("GONE", 1)]
    assert report["trend"][1] == {"day": "2026-03-03", "calls": 0, "topics": {}}
    assert report["unanswered_searches"][0] == {
        "query": "q",
        "searches": 2,
        "last_day": "2026-03-03",
    }


def test_surveys_ignore_unanswered_surveys_in_the_mean_and_list_low_scores() -> None:
    def call(i: int, day: date, agent: str, score: int | None) -> SurveyedCall:
        return SurveyedCall(
            i, datetime(day.year, day.month, day.day, 9, i, tzinfo=CST), "L", agent, "1", score
        )

    report = survey_report(
        [call(1, D1, "a", 5), call(2, D1, "a", None), call(3, D1, "b", 1), call(4, D1, "b", 3)],
        [D1, D2],
    )
    total = report["total"]
    assert (total["answered"], total["responses"], total["average"]) == (4, 3, 3.0)
    assert total["response_rate"] == 0.75
    assert total["distribution"] == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 1}
    assert [(r["agent"], r["average"]) for r in report["by_agent"]] == [("a", 5.0), ("b", 2.0)]
    assert report["by_day"][1]["answered"] == 0
    assert report["by_day"][1]["average"] is None
    assert [r["call_id"] for r in report["low_scores"]] == [3]
