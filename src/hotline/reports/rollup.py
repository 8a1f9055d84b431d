"""Folding raw rows into 15-minute rollup buckets, and what the interval report reads back.

Pure: the fold takes the calls of a range (with their site, line and language), the wrap-up
seconds per call and the agents' state spans, and returns the rows of ``report_call_rollup`` and
``report_state_rollup`` (and its sum over the agents, ``report_state_total_rollup``) for the
buckets inside the range. The rules are the interval report's own
(``hotline.reports.interval``): a call counts in the bucket it arrived in, a span's seconds are
cut at the bucket edges. A test folds and reads back the same data both ways and compares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hotline.db.models.report import SHORT_LIMITS, WITHIN_THRESHOLDS
from hotline.reports.interval import (
    ABANDON_OUTCOMES,
    US,
    CallRow,
    handle_us,
    to_epoch_us,
    to_us,
)
from hotline.reports.staffing import Span

BUCKET_S = 900  # 15 minutes: the finest interval; 30, 60 minutes and days are sums of buckets

CALL_SUMS = (
    "arrived",
    "callback_calls",
    "abandoned_ivr",
    "offered",
    "answered",
    "abandoned_queue",
    "abandoned_ringing",
    "callbacks",
    "wait_answered_us",
    "handle_us",
    *(f"within_{t}" for t in WITHIN_THRESHOLDS),
    *(f"short_{s}" for s in SHORT_LIMITS),
)


def floor_bucket(epoch: float) -> int:
    return int(epoch // BUCKET_S) * BUCKET_S


def ceil_bucket(epoch: float) -> int:
    floored = floor_bucket(epoch)
    return floored if floored == epoch else floored + BUCKET_S


@dataclass(frozen=True, slots=True)
class PlacedCall:
    """A call with the dimensions the rollup keeps (the report's filters)."""

    call: CallRow
    site_id: int
    business_line: str | None
    language: str | None


def fold_calls(
    calls: Iterable[PlacedCall], wraps: Mapping[int, float], low: float, high: float
) -> list[dict[str, Any]]:
    """One row per (bucket, site, line, language) with calls arriving in [low, high)."""
    rows: dict[tuple[int, int, str | None, str | None], dict[str, Any]] = {}
    for placed in calls:
        call = placed.call
        arrived = call.arrived_at.timestamp()
        if not low <= arrived < high:
            continue
        key = (floor_bucket(arrived), placed.site_id, placed.business_line, placed.language)
        row = rows.get(key)
        if row is None:
            row = rows[key] = {
                "bucket": key[0],
                "site_id": key[1],
                "business_line": key[2],
                "language": key[3],
                **dict.fromkeys(CALL_SUMS, 0),
            }
        _count(row, call, wraps.get(call.id, 0.0))
    return list(rows.values())


def _count(row: dict[str, Any], call: CallRow, wrap_s: float) -> None:
    """The interval report's rules (``_Acc.add_call``), for every threshold the rollup keeps."""
    if call.kind != "inbound":
        row["callback_calls"] += 1
        return
    row["arrived"] += 1
    if call.queued_at is None:
        if call.outcome == "abandoned_ivr":
            row["abandoned_ivr"] += 1
        return
    row["offered"] += 1
    wait = call.wait_s or 0.0
    if call.answered_at is not None:
        row["answered"] += 1
        row["wait_answered_us"] += to_us(wait)
        row["handle_us"] += handle_us(call, wrap_s)
        for threshold in WITHIN_THRESHOLDS:
            if wait <= threshold:
                row[f"within_{threshold}"] += 1
    elif call.outcome in ABANDON_OUTCOMES:
        row["abandoned_queue" if call.outcome == "abandoned_queue" else "abandoned_ringing"] += 1
        for limit in SHORT_LIMITS:
            if wait < limit:
                row[f"short_{limit}"] += 1
    elif call.outcome == "callback_requested":
        row["callbacks"] += 1


def fold_spans(
    all_spans: Iterable[Span], low: float, high: float, site_id: int | None
) -> list[dict[str, Any]]:
    """Agent-microseconds per (bucket, agent, state, not-ready reason) inside [low, high)."""
    sums: dict[tuple[int, int, str, str | None], int] = {}
    low_us, high_us, width = int(low) * US, int(high) * US, BUCKET_S * US
    for span in all_spans:
        begin = max(to_epoch_us(span.start), low_us)
        finish = min(to_epoch_us(span.end), high_us)
        reason = span.reason if span.status == "not_ready" else None
        bucket = begin // width * width
        while bucket < finish:
            us = min(bucket + width, finish) - max(bucket, begin)
            if us > 0:
                key = (bucket // US, span.agent_id, span.status, reason)
                sums[key] = sums.get(key, 0) + us
            bucket += width
    return [
        {
            "bucket": bucket,
            "site_id": site_id,
            "agent_id": agent,
            "status": status,
            "reason": reason,
            "us": us,
        }
        for (bucket, agent, status, reason), us in sums.items()
    ]


def total_spans(state_rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``fold_spans`` rows summed over the agents: per (bucket, site, state, reason)."""
    sums: dict[tuple[int, int | None, str, str | None], int] = {}
    for row in state_rows:
        key = (row["bucket"], row["site_id"], row["status"], row["reason"])
        sums[key] = sums.get(key, 0) + row["us"]
    return [
        {"bucket": bucket, "site_id": site_id, "status": status, "reason": reason, "us": us}
        for (bucket, site_id, status, reason), us in sums.items()
    ]


def presence(state_rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``fold_spans`` rows reduced to who was there: one per (bucket, site, agent)."""
    seen = {(row["bucket"], row["site_id"], row["agent_id"]) for row in state_rows}
    return [
        {"bucket": bucket, "site_id": site_id, "agent_id": agent}
        for bucket, site_id, agent in sorted(seen, key=lambda k: (k[0], k[1] or 0, k[2]))
    ]


@dataclass(frozen=True, slots=True)
class Rolled:
    """What the rollups hold for the whole buckets in [start, end) of a report's period.

    ``calls``: per bucket, the call counters named as the interval report's (with answered
    within the report's T and the short abandons under its limit already chosen);
    ``us``: (bucket, state, reason, agent-microseconds); ``agent_counts``: (start of a report
    interval in epoch seconds, distinct agents in its buckets); ``edge_agents``: the agents in
    the rolled buckets of the interval holding ``end`` (the rest of it is read raw, so its agents
    are a union); ``agents``: every agent seen."""

    start: float
    end: float
    calls: Sequence[tuple[int, Mapping[str, int]]]
    us: Sequence[tuple[int, str, str | None, int]]
    agent_counts: Sequence[tuple[int, int]]
    edge_agents: frozenset[int]
    agents: frozenset[int]
