"""Folding the surveys' and the agents' figures into 15-minute buckets (pure).

Beside ``rollup`` (calls and agent-time for the interval report), by the same rules: a call
counts in the bucket it arrived in, a span is cut at the bucket edges, whole buckets are
recomputed from the raw rows. Two tables:

* ``report_survey_rollup``: the answered calls per bucket x site x line x language x agent x
  inbound, with their hold time and how many scored 1, 2 ... 5;
* ``report_agent_rollup``: per bucket x agent (per site view, as the state rollup), the calls the
  agent was on, those they were on already when the bucket began, the offers they let ring out
  and (all-sites view only) the calls they passed on.

A call over a bucket edge is counted in each bucket it touches and marked *continued* in all but
its first, so a period's calls are the buckets' calls less the continued ones, plus those the
agent was on when the period began (its first bucket's continued calls).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.reports.agents import RONA, SCORES
from hotline.reports.interval import US, to_epoch_us, to_us
from hotline.reports.rollup import BUCKET_S, floor_bucket
from hotline.reports.staffing import Span

_WIDTH_US = BUCKET_S * US


@dataclass(frozen=True, slots=True)
class AnsweredCall:
    """An answered call with the dimensions the survey rollup keeps."""

    arrived_at: datetime
    site_id: int
    business_line: str | None
    language: str | None
    agent_id: int | None
    inbound: bool
    hold_s: float | None
    survey_score: int | None


def fold_answered(calls: Iterable[AnsweredCall], low: float, high: float) -> list[dict[str, Any]]:
    """One row per (bucket, site, line, language, agent, inbound) with answered calls arriving
    in [low, high)."""
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for call in calls:
        arrived = call.arrived_at.timestamp()
        if not low <= arrived < high:
            continue
        key = (
            floor_bucket(arrived),
            call.site_id,
            call.business_line,
            call.language,
            call.agent_id,
            call.inbound,
        )
        row = rows.get(key)
        if row is None:
            row = rows[key] = {
                "bucket": key[0],
                "site_id": key[1],
                "business_line": key[2],
                "language": key[3],
                "agent_id": key[4],
                "inbound": key[5],
                "answered": 0,
                "hold_us": 0,
                "score_sum": 0,
                **{f"score_{s}": 0 for s in SCORES},
            }
        row["answered"] += 1
        row["hold_us"] += to_us(call.hold_s)
        score = call.survey_score
        if score is not None and score in SCORES:
            row[f"score_{score}"] += 1
            row["score_sum"] += score
    return list(rows.values())


def fold_agent_spans(
    all_spans: Iterable[Span], low: float, high: float, site_id: int | None
) -> dict[tuple[int, int], dict[str, Any]]:
    """Per (bucket, agent) in [low, high): calls, calls continued and RONA, from the spans
    (read from before ``low``, so that a call running into it is known as continued)."""
    low_us, high_us = int(low) * US, int(high) * US
    on: dict[tuple[int, int], set[int]] = {}
    edge: dict[tuple[int, int], set[int]] = {}  # on the call right up to the bucket's start
    rona: dict[tuple[int, int], int] = {}
    for span in all_spans:
        begin, finish = to_epoch_us(span.start), to_epoch_us(span.end)
        if span.status == "not_ready" and span.reason == RONA and low_us <= begin < high_us:
            key = (begin // _WIDTH_US * BUCKET_S, span.agent_id)
            rona[key] = rona.get(key, 0) + 1
        if span.status != "on_call" or span.call_id is None:
            continue
        bucket = max(begin, low_us) // _WIDTH_US * _WIDTH_US
        while bucket < min(finish, high_us):  # every bucket the span overlaps
            on.setdefault((bucket // US, span.agent_id), set()).add(span.call_id)
            bucket += _WIDTH_US
        # Each bucket start in (begin, finish]: the span reaches it (an edge it carries over).
        bucket = (begin // _WIDTH_US + 1) * _WIDTH_US
        while bucket <= finish and bucket < high_us:
            if bucket >= low_us:
                edge.setdefault((bucket // US, span.agent_id), set()).add(span.call_id)
            bucket += _WIDTH_US
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for key in {*on, *rona}:
        calls = on.get(key, set())
        rows[key] = {
            "bucket": key[0],
            "site_id": site_id,
            "agent_id": key[1],
            "calls": len(calls),
            "calls_continued": len(calls & edge.get(key, set())),
            "rona": rona.get(key, 0),
            "transfers": 0,
        }
    return rows


def add_transfers(
    rows: dict[tuple[int, int], dict[str, Any]], transfers: Iterable[tuple[datetime, int]]
) -> None:
    """Count each (moment, agent) transfer in the all-sites rows (made where missing)."""
    for at, agent_id in transfers:
        key = (floor_bucket(at.timestamp()), agent_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = {
                "bucket": key[0],
                "site_id": None,
                "agent_id": agent_id,
                "calls": 0,
                "calls_continued": 0,
                "rona": 0,
                "transfers": 0,
            }
        row["transfers"] += 1


def agent_rows(views: Mapping[int | None, dict[tuple[int, int], dict[str, Any]]]) -> list[Any]:
    """Every view's rows, in a stable order (the all-sites view first)."""
    out: list[dict[str, Any]] = []
    for site_id in sorted(views, key=lambda s: -1 if s is None else s):
        out.extend(views[site_id][key] for key in sorted(views[site_id]))
    return out
