"""A year of a large 12366 centre inside PostgreSQL: calls, summaries and the agent state log,
generated set-based (INSERT ... SELECT over the grid days × agents × slots), indexes built after.

A benchmark fixture, not product code. The Python generator of the tests
(``tests/hotline/reports/synthetic.py``) runs a queue model call by call; at 10,000,000 calls it
would take hours, so this fill draws the same shape in SQL instead:

* the working days of 2026 by the Chinese calendar (``chinese_calendar``: holidays off, the
  adjusted Saturdays worked), busier in the filing season (March to June);
* every agent works 08:30-17:30 (a ``login`` not-ready from 08:25), an hour's ``lunch`` in three
  staggered groups, and logs out at 17:30;
* the day is cut into slots whose length follows the intraday curve of the test generator
  (short slots at the 10:00 and 15:00 peaks, long ones at lunch and at the ends of the day);
  in each slot an agent answers one call (reserved, on call, wrap-up, idle), sees a caller hang
  up while ringing, makes a busy callback, lets an offer ring out (``rona``), takes a not-ready
  break with a reason, or stays idle. A call's durations fit inside its slot, so the calls and
  the state log agree by construction;
* beside each slot, more callers may give up unanswered (in the IVR, in the queue, or leaving a
  callback request), more of them at the peaks; their waits are longer at the peaks as well;
* lines, languages, caller numbers (mobiles, Hangzhou and other cities' landlines, IP-call
  prefixes, abroad, and a few hundred heavy callers), survey scores and one call summary per
  answered call with a topic of the test taxonomy.

``fill(dsn, ...)`` creates nothing but rows: the database must be migrated, with one site.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
HOURLY = (40, 120, 135, 105, 60, 45, 95, 100, 75, 45)  # tests' curve: calls per hour from 08:00
PEAK = max(HOURLY)
OPEN_S, CLOSE_S = 8 * 3600 + 1800, 17 * 3600 + 1800  # 08:30 to 17:30, seconds after midnight
LUNCHES = (11 * 3600 + 1800, 12 * 3600, 12 * 3600 + 1800)  # three staggered groups
# Month factors (January first): the annual reconciliation makes March to June the busy season.
SEASON = (0.85, 0.8, 1.2, 1.2, 1.15, 1.1, 0.95, 0.9, 0.9, 0.85, 0.95, 1.0)
SLOT_MIN_S, SLOT_MAX_S = 300, 900
TABLES = ("call", "agent_state_log", "call_summary")


@dataclass(frozen=True)
class Shape:
    """The knobs: agents, the share of slots with an answered call, the extra unanswered callers
    per slot at the peak. The defaults give about 10,000,000 calls and 40,000,000 state rows."""

    agents: int = 730
    answered: float = 0.78  # of an agent's slots, times the month's factor (at most 0.93)
    extra: float = 0.11  # unanswered callers per agent-slot at the peak (× (load/peak)²)


def slots() -> list[tuple[int, int, int, float]]:
    """(number, start, length, load) of the day's slots, seconds after midnight."""
    out: list[tuple[int, int, int, float]] = []
    at = OPEN_S
    while at < CLOSE_S:
        load = HOURLY[at // 3600 - 8] / PEAK
        length = min(SLOT_MAX_S, max(SLOT_MIN_S, round(SLOT_MIN_S / load)))
        if CLOSE_S - at < length + SLOT_MIN_S // 2:
            length = CLOSE_S - at  # no stub at the end of the day
        out.append((len(out), at, length, load))
        at += length
    return out


def lunches(day_slots: Sequence[tuple[int, int, int, float]]) -> list[tuple[int, int, int]]:
    """(group, first slot, first slot after) of each lunch group: lunch covers whole slots."""
    out = []
    for group, nominal in enumerate(LUNCHES):
        first = next(n for n, start, _, _ in day_slots if start >= nominal)
        after = next(n for n, start, _, _ in day_slots if start >= day_slots[first][1] + 3600)
        out.append((group, first, after))
    return out


def working_days(year: int = 2026) -> list[date]:
    import chinese_calendar  # the official holiday data the work-order calendar uses

    day, out = date(year, 1, 1), []
    while day.year == year:
        if chinese_calendar.is_workday(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def expected(shape: Shape, days: Sequence[date]) -> dict[str, int]:
    """What the fill will write, on average: to choose the knobs without filling."""
    day_slots, lunch = slots(), lunches(slots())
    calls = states = 0.0
    for day in days:
        f = SEASON[day.month - 1]
        p = min(0.93, shape.answered * f)
        for _group, first, after in lunch:
            agents = shape.agents / 3
            for number, _, _, load in day_slots:
                if first <= number < after:
                    continue
                extra = min(0.9, shape.extra * load * load * f)
                calls += agents * (p + 0.02 + 0.02 + extra)
                states += agents * (4 * p + 2 * 0.02 + 4 * 0.02 + 3 * 0.01 + 2 * 0.08)
            states += agents * 5
    return {"calls": round(calls), "state_rows": round(states)}


def _grid_sql(site_id: int) -> str:
    """One chunk of days: the slot draws, then the calls, summaries and state rows from them.
    ``$1`` days (date[]), ``$2`` their factors (float8[]), ``$3`` their numbers (int[]),
    ``$4`` the agent ids (bigint[]); ``fill_slot`` and ``fill_lunch`` hold the day's shape."""
    n_slots = 96  # an upper bound on slots a day: call ids are dense per (day, agent, slot)
    return f"""
WITH d AS (
  SELECT day, f, day_no,
         extract(epoch FROM (day::timestamp AT TIME ZONE 'Asia/Shanghai'))::float8 AS midnight
  FROM unnest($1::date[], $2::float8[], $3::int[]) AS x(day, f, day_no)
),
a AS (SELECT agent_id, agent_no FROM unnest($4::bigint[]) WITH ORDINALITY AS y(agent_id, agent_no)),
g AS MATERIALIZED (
  SELECT d.day_no, d.midnight, d.f, a.agent_id, a.agent_no, s.slot, s.start_s, s.len_s, s.load,
         ((d.day_no::bigint * {{len_agents_placeholder}} + a.agent_no) * {n_slots} + s.slot) * 2
           AS base_id,
         random() AS u_kind, 1 + random() * 20 AS gap, 2 + random() * 6 AS ring,
         CASE WHEN random() < 0.2 THEN 10 + random() * 50 ELSE 0 END AS hold,
         12 + random() * 40 AS wrap,
         exp(4.9 + 0.45 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) AS talk_raw,
         -ln(1 - random()) * (3 + 40 * s.load ^ 3) AS wait_q,
         8 + random() * 22 AS ivr,
         random() AS u_extra, random() AS u_extra_kind, random() AS u_extra_at,
         -ln(1 - random()) AS u_patience,
         random() AS u_line, random() AS u_lang, random() AS u_num, random() AS u_num2,
         random() AS u_score, random() AS u_topic, random() AS u_break
  FROM d CROSS JOIN a CROSS JOIN fill_slot s
  JOIN fill_lunch l ON l.grp = a.agent_no % 3
  WHERE NOT (s.slot >= l.first_slot AND s.slot < l.after_slot)
),
c AS MATERIALIZED (
  SELECT g.*,
    CASE WHEN u_kind < least(0.93, {{answered}} * f) THEN 'answered'
         WHEN u_kind < least(0.93, {{answered}} * f) + 0.02 THEN 'ring_abandon'
         WHEN u_kind < least(0.93, {{answered}} * f) + 0.04 THEN 'callback_out'
         WHEN u_kind < least(0.93, {{answered}} * f) + 0.05 THEN 'rona'
         WHEN u_kind < least(0.93, {{answered}} * f) + 0.13 THEN 'break'
         ELSE 'idle' END AS kind,
    midnight + start_s + gap AS offered,
    greatest(5.0, least(talk_raw, len_s - gap - ring - hold - wrap - 1)) AS talk,
    u_extra < least(0.9, {{extra}} * load * load * f) AS has_extra,
    CASE WHEN u_line < 0.6 THEN 'national_tax' WHEN u_line < 0.8 THEN 'local_tax'
         ELSE 'finance' END AS line,
    CASE WHEN u_lang < 0.95 THEN 'zh' ELSE 'en' END AS lang,
    CASE
      WHEN u_num < 0.015 THEN '1390571' || lpad(floor(u_num2 * 300)::text, 4, '0')
      WHEN u_num < 0.115 THEN '0571' || (80000000 + floor(u_num2 * 9999999))::text
      WHEN u_num < 0.165 THEN (ARRAY['010', '021', '020', '025', '027', '028'])[
             1 + floor(u_num2 * 6)::int]
             || (60000000 + floor(u_num2 * 1e7 * 3.7)::int % 30000000)::text
      WHEN u_num < 0.185
        THEN '1795113' || lpad((floor(u_num2 * 2000000) * 487)::bigint::text, 9, '0')
      WHEN u_num < 0.19 THEN '00852' || (50000000 + floor(u_num2 * 40000000))::text
      ELSE '13' || lpad((floor(u_num2 * 2000000) * 487 + 1000000)::bigint::text, 9, '0')
    END AS caller
  FROM g
),
served AS MATERIALIZED (
  SELECT c.*, offered + ring AS answered_at, offered + ring + talk + hold AS ended,
         offered + ring + talk + hold + wrap AS idle_at,
         offered - wait_q AS queued, offered - wait_q - ivr AS arrived
  FROM c WHERE kind IN ('answered', 'ring_abandon', 'callback_out')
),
ins_served AS (
  INSERT INTO call (id, site_id, channel_id, kind, caller_number, caller_name, dialled, region,
    language, business_line, priority, ivr_choices, arrived_at, ivr_done_at, queued_at,
    first_offered_at, answered_at, ended_at, ivr_s, wait_s, ring_s, talk_s, hold_s, outcome,
    ended_by, agent_id, survey_score, abandon_snapshot)
  SELECT base_id + 1, {site_id}, 'syn-' || (base_id + 1),
    CASE WHEN kind = 'callback_out' THEN 'callback' ELSE 'inbound' END,
    caller, '', '12366', 'hangzhou', lang, line, 0, '{{}}'::json,
    to_timestamp(CASE WHEN kind = 'callback_out' THEN offered - 1 ELSE arrived END),
    CASE WHEN kind = 'callback_out' THEN NULL ELSE to_timestamp(queued) END,
    CASE WHEN kind = 'callback_out' THEN NULL ELSE to_timestamp(queued) END,
    to_timestamp(offered),
    CASE WHEN kind = 'ring_abandon' THEN NULL ELSE to_timestamp(answered_at) END,
    to_timestamp(CASE WHEN kind = 'ring_abandon' THEN answered_at ELSE ended END),
    CASE WHEN kind = 'callback_out' THEN NULL ELSE round(ivr::numeric, 1)::float8 END,
    CASE WHEN kind = 'callback_out' THEN NULL ELSE round((wait_q + ring)::numeric, 1)::float8 END,
    round(ring::numeric, 1)::float8,
    CASE WHEN kind = 'ring_abandon' THEN NULL ELSE round(talk::numeric, 1)::float8 END,
    CASE WHEN kind = 'ring_abandon' THEN NULL ELSE round(hold::numeric, 1)::float8 END,
    CASE WHEN kind = 'ring_abandon' THEN 'abandoned_ringing' ELSE 'answered' END,
    CASE WHEN kind = 'ring_abandon' THEN 'caller' ELSE 'agent' END,
    CASE WHEN kind = 'ring_abandon' THEN NULL ELSE agent_id END,
    CASE WHEN kind = 'answered'
         THEN (ARRAY[NULL, NULL, 5, 5, 5, 4, 4, 3, 2, 1])[1 + floor(u_score * 10)::int] END,
    CASE WHEN kind = 'ring_abandon' THEN json_build_object('position', 1,
         'eligible', json_build_array(json_build_object('agent_id', agent_id::text, 'level', 1,
         'status', 'reserved', 'reason', NULL))) END
  FROM served
),
ins_summary AS (
  INSERT INTO call_summary (call_id, agent_id, topic_code, question, answer, kb_articles,
    result, taxpayer, created_at, updated_at)
  SELECT base_id + 1, agent_id,
    CASE WHEN u_topic < 0.36 THEN 'S_IIT.DEDUCT' WHEN u_topic < 0.59 THEN 'S_IIT.ANNUAL'
         WHEN u_topic < 0.77 THEN 'S_VAT.INVOICE' WHEN u_topic < 0.91 THEN 'S_VAT.REFUND'
         ELSE 'S_SOC.PAY' END,
    '…', '', '[]'::json, 'answered', '{{}}'::json, to_timestamp(idle_at), to_timestamp(idle_at)
  FROM served WHERE kind = 'answered'
),
extra AS MATERIALIZED (
  SELECT c.*, midnight + start_s + u_extra_at * len_s AS arrived,
    CASE WHEN u_extra_kind < 0.3 THEN 'abandoned_ivr'
         WHEN u_extra_kind < 0.45 THEN 'callback_requested' ELSE 'abandoned_queue' END AS outcome,
    CASE WHEN u_extra_kind < 0.45 AND u_extra_kind >= 0.3 THEN 90 + u_patience * 60
         ELSE u_patience * (30 + 90 * load) END AS waited
  FROM c WHERE has_extra
),
ins_extra AS (
  INSERT INTO call (id, site_id, channel_id, kind, caller_number, caller_name, dialled, region,
    language, business_line, priority, ivr_choices, arrived_at, ivr_done_at, queued_at,
    first_offered_at, answered_at, ended_at, ivr_s, wait_s, ring_s, talk_s, hold_s, outcome,
    ended_by, agent_id, survey_score, abandon_snapshot)
  SELECT base_id + 2, {site_id}, 'syn-' || (base_id + 2), 'inbound', caller, '', '12366',
    'hangzhou', lang, line, 0, '{{}}'::json, to_timestamp(arrived),
    CASE WHEN outcome = 'abandoned_ivr' THEN NULL ELSE to_timestamp(arrived + ivr) END,
    CASE WHEN outcome = 'abandoned_ivr' THEN NULL ELSE to_timestamp(arrived + ivr) END,
    NULL, NULL,
    to_timestamp(CASE WHEN outcome = 'abandoned_ivr' THEN arrived + ivr / 2
                      ELSE arrived + ivr + waited END),
    round((CASE WHEN outcome = 'abandoned_ivr' THEN ivr / 2 ELSE ivr END)::numeric, 1)::float8,
    CASE WHEN outcome = 'abandoned_ivr' THEN NULL ELSE round(waited::numeric, 1)::float8 END,
    NULL, NULL, NULL, outcome, 'caller', NULL, NULL,
    CASE WHEN outcome = 'abandoned_queue' THEN json_build_object(
      'position', 1 + floor(u_score * 12 * load)::int,
      'eligible', (SELECT json_agg(json_build_object('agent_id', (agent_id + k)::text,
                   'level', 1, 'status', 'on_call', 'reason', NULL)) FROM generate_series(0, 5) k))
    END
  FROM extra
),
changes AS (
  SELECT agent_id, v.at, v.status, v.reason, v.call_id FROM c
  CROSS JOIN LATERAL (VALUES
    (offered, 'reserved', NULL, CASE WHEN kind = 'rona' THEN NULL ELSE base_id + 1 END),
    (CASE WHEN kind IN ('answered', 'callback_out') THEN offered + ring END, 'on_call', NULL,
     base_id + 1),
    (CASE WHEN kind IN ('answered', 'callback_out') THEN offered + ring + talk + hold END,
     'wrap_up', NULL, base_id + 1),
    (CASE WHEN kind = 'rona' THEN offered + 15 END, 'not_ready', 'rona', NULL),
    (CASE kind WHEN 'answered' THEN offered + ring + talk + hold + wrap
               WHEN 'callback_out' THEN offered + ring + talk + hold + wrap
               WHEN 'ring_abandon' THEN offered + ring
               WHEN 'rona' THEN offered + 45 END, 'idle', NULL, NULL)
  ) AS v(at, status, reason, call_id)
  WHERE kind IN ('answered', 'callback_out', 'ring_abandon', 'rona') AND v.at IS NOT NULL
  UNION ALL
  SELECT agent_id, v.at, v.status, v.reason, NULL FROM c
  CROSS JOIN LATERAL (VALUES
    (offered, 'not_ready', (ARRAY['break', 'toilet', 'training', 'meeting', 'admin'])[
       1 + floor(u_break * 5)::int]),
    (offered + least(len_s - gap - 1, 60 + u_break * 600), 'idle', NULL)
  ) AS v(at, status, reason)
  WHERE kind = 'break'
  UNION ALL
  SELECT a.agent_id, v.at, v.status, v.reason, NULL FROM d CROSS JOIN a
  JOIN fill_lunch l ON l.grp = a.agent_no % 3
  CROSS JOIN LATERAL (VALUES
    (d.midnight + {OPEN_S - 300}, 'not_ready', 'login'),
    (d.midnight + {OPEN_S}, 'idle', NULL),
    (d.midnight + l.first_s, 'not_ready', 'lunch'),
    (d.midnight + l.after_s, 'idle', NULL),
    (d.midnight + {CLOSE_S}, 'logged_out', NULL)
  ) AS v(at, status, reason)
)
INSERT INTO agent_state_log (agent_id, at, status, reason, site_id, call_id)
SELECT agent_id, to_timestamp(at), status, reason, {site_id}, call_id FROM changes
"""


async def _ddl_to_rebuild(connection: Any) -> list[str]:
    """The secondary indexes and the foreign keys and unique constraints of the filled tables:
    dropped for the load, built again after it (one sort each instead of 50 M insertions)."""
    constraints = await connection.fetch(
        """SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def
           FROM pg_constraint WHERE conrelid = ANY($1::regclass[]) AND contype IN ('f', 'u')""",
        list(TABLES),
    )
    indexes = await connection.fetch(
        """SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
           FROM pg_index i WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        list(TABLES),
    )
    drops = [f'ALTER TABLE "{r["t"]}" DROP CONSTRAINT "{r["conname"]}"' for r in constraints]
    drops += [f"DROP INDEX {r['name']}" for r in indexes]
    for statement in drops:
        await connection.execute(statement)
    builds = [r["def"] for r in indexes]
    builds += [
        f'ALTER TABLE "{r["t"]}" ADD CONSTRAINT "{r["conname"]}" {r["def"]}' for r in constraints
    ]
    return builds


async def fill(
    dsn: str,
    site_id: int,
    agent_ids: Sequence[int],
    shape: Shape,
    days: Sequence[date],
    log: Callable[[str], None],
    chunk_days: int = 5,
) -> dict[str, Any]:
    """Fill the calls, summaries and state rows of ``days``; the seconds each phase took."""
    import asyncpg  # the benchmark's own driver use: raw SQL, no ORM

    day_slots = slots()
    connection = await asyncpg.connect(dsn)
    timings: dict[str, float] = {}
    try:
        await connection.execute(
            "SET synchronous_commit = off; SET work_mem = '256MB';"
            " SET maintenance_work_mem = '512MB'"
        )
        await connection.execute(
            "CREATE TEMP TABLE fill_slot (slot int, start_s int, len_s int, load float8);"
            "CREATE TEMP TABLE fill_lunch (grp int, first_slot int, after_slot int,"
            " first_s int, after_s int)"
        )
        await connection.executemany("INSERT INTO fill_slot VALUES ($1, $2, $3, $4)", day_slots)
        await connection.executemany(
            "INSERT INTO fill_lunch VALUES ($1, $2, $3, $4, $5)",
            [
                (g, first, after, day_slots[first][1], day_slots[after][1])
                for g, first, after in lunches(day_slots)
            ],
        )
        await connection.execute(
            "INSERT INTO topic (code, parent_code, name_zh, name_en, position, active, updated_at)"
            " SELECT * FROM (VALUES"
            " ('S_IIT', NULL, '个人所得税', 'Individual income tax', 0, true, now()),"
            " ('S_IIT.DEDUCT', 'S_IIT', '专项附加扣除', 'Special deductions', 0, true, now()),"
            " ('S_IIT.ANNUAL', 'S_IIT', '年度汇算', 'Annual reconciliation', 0, true, now()),"
            " ('S_VAT', NULL, '增值税', 'VAT', 0, true, now()),"
            " ('S_VAT.INVOICE', 'S_VAT', '数电发票', 'Digital invoices', 0, true, now()),"
            " ('S_VAT.REFUND', 'S_VAT', '留抵退税', 'Input VAT refunds', 0, true, now()),"
            " ('S_SOC', NULL, '社保费', 'Social insurance', 0, true, now()),"
            " ('S_SOC.PAY', 'S_SOC', '缴费', 'Paying contributions', 0, true, now())) v"
            " ON CONFLICT DO NOTHING"
        )
        began = time.perf_counter()
        for table in TABLES:
            await connection.execute(f'ALTER TABLE "{table}" SET (autovacuum_enabled = off)')
        builds = await _ddl_to_rebuild(connection)
        sql = (
            _grid_sql(site_id)
            .replace("{len_agents_placeholder}", str(len(agent_ids) + 1))
            .replace("{answered}", repr(shape.answered))
            .replace("{extra}", repr(shape.extra))
        )
        statement = await connection.prepare(sql)
        numbered = [(d.timetuple().tm_yday, d) for d in days]  # ids unique across fills
        for at in range(0, len(numbered), chunk_days):
            chunk = numbered[at : at + chunk_days]
            await statement.fetch(
                [d for _, d in chunk],
                [SEASON[d.month - 1] for _, d in chunk],
                [n for n, _ in chunk],
                list(agent_ids),
            )
            log(f"filled {chunk[-1][1]} ({time.perf_counter() - began:.0f} s)")
        timings["insert_s"] = time.perf_counter() - began
        began = time.perf_counter()
        for build in builds:
            await connection.execute(build)
            log(f"built: {build[:90]}")
        timings["indexes_s"] = time.perf_counter() - began
        began = time.perf_counter()
        for table in TABLES:
            await connection.execute(f'ALTER TABLE "{table}" RESET (autovacuum_enabled)')
            await connection.execute(f'VACUUM (ANALYZE) "{table}"')
        await connection.execute(
            "SELECT setval(pg_get_serial_sequence('call', 'id'), (SELECT max(id) FROM call))"
        )
        timings["vacuum_s"] = time.perf_counter() - began
        counts = {
            table: int(await connection.fetchval(f'SELECT count(*) FROM "{table}"'))
            for table in TABLES
        }
    finally:
        await connection.close()
    return {**counts, **{k: round(v, 1) for k, v in timings.items()}}
