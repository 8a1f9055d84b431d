"""Failover with real processes on one PostgreSQL database and the ARI emulator (issue 18).

Two instances run under the leader lease; calls flow from scripted taxpayers to two scripted
agents. The leader is SIGKILLed several times while calls are in the IVR, waiting, ringing, in
talk and in wrap-up; a fresh standby is started after each kill. Every call must end with a
final outcome, each taxpayer recorded once, no call answered by two agents, no agent's phone
offered two calls at once. Agents are made ready through the standby: forwarded to the leader.

Some callers choose a line nobody serves: they are diverted, leave a voicemail, and become work
orders whose resolution limit is one working minute (every minute of the day is working time
here), so the leader's escalation sweeper applies three steps to each within the test and the
notice worker sends each step's notice to the supervisor's webhook. The leader is killed once
more while those steps fall due. No work-order step may be done twice: one order per diverted
call naming its voicemail, one ``created`` per order, each escalation step once, each notice
written and sent once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from cti.emulator import AgentScript, LabConfig, TaxpayerScript, run_emulator
from hotline.config import Settings
from hotline.db.models import (
    CalendarDay,
    DivertedQuestionRow,
    EscalationRow,
    NoticeOutboxRow,
    NotificationRow,
    WorkOrderEventRow,
    WorkOrderRow,
)
from hotline.db.models.call import Call
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.demo.runner import import_centre
from hotline.workorders.rules import add_policy, parse_periods, policy_to_data, set_periods
from tests.hotline.cluster.cluster_process import WORKERS_ENV
from tests.hotline.cluster.instances import (
    AGENTS,
    SPEED,
    Instance,
    agents_ready,
    centre,
    instance,
    ledger,
    taxpayer,
    wait_for_leader,
)
from tests.hotline.live.test_demo_flow import ARI_PASSWORD, GREETING
from tests.waiting import WAIT_S
from workorders.calendar import SHANGHAI, DayKind
from workorders.sla import default_sla_policy

pytestmark = pytest.mark.postgres

KILLS = 3
CALLS_PER_ROUND = 5
DIVERTS_PER_ROUND = 2
# The resolution clock's steps of the default ladder that fall within a one-minute limit (50%,
# 80%, 100%); the next one (督办) waits a working day more.
STEPS = ("remind_handler", "warn_liaison", "overdue")
SLA_MINUTE = "1 minutes"
# A minute of each day (23:59-24:00) is not working time: a run across it waits that long more.
STEPS_DONE_S = 60.0 + 60.0 + WAIT_S


@dataclass
class Gateway:
    """The SMS gateway's webhook: every notice body it was sent."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state.bodies.append(json.loads(body))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    # In this process, on a port the kernel chose and this server holds from the start.
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    yield state
    server.shutdown()
    server.server_close()


def diverted_taxpayer(number: str) -> TaxpayerScript:
    """Chooses local tax (digit 2 at the line menu), which nobody serves: a voicemail."""
    return TaxpayerScript(
        caller_number=number,
        press_on_prompt={GREETING: "1", "sound:hotline/line-national_tax": "2"},
        patience_s=3000.0,
        hangup_after_answer_s=3000.0,  # as the others: the voicemail's maximum ends the call
        survey_digit=None,
    )


async def _work_order_rules(database_url: str) -> None:
    """Every day of this year and the next a working day from 00:00 to 23:59 (China), and an
    enquiry's resolution limit one working minute: the steps fall due while the test runs."""
    today = datetime.now(SHANGHAI).date()
    years = sorted({today.year, (today + timedelta(days=1)).year})
    now = datetime.now(UTC)
    engine = create_engine(database_url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            await session.execute(delete(CalendarDay))
            rows = [
                {
                    "day": day,
                    "kind": DayKind.WORKING.value,
                    "source": "test",
                    "note": "",
                    "updated_at": now,
                }
                for year in years
                for day in _days(year)
            ]
            await session.execute(insert(CalendarDay), rows)
            await set_periods(session, parse_periods([["00:00", "23:59"]]), now)
            targets = policy_to_data(default_sla_policy())
            targets["enquiry/normal"]["resolve"] = SLA_MINUTE
            await add_policy(session, targets, "failover test: one working minute", "test")
    finally:
        await engine.dispose()


def _days(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@dataclass
class WorkOrderRecord:
    """What the database holds of the diverted questions once the calls are over."""

    orders: list[Any]  # work_order rows filed by the IVR's account
    events: list[Any]  # their history
    escalations: list[Any]
    notifications: list[Any]
    outbox: list[Any]
    questions: list[Any]  # diverted_question rows


async def _inbound_calls(database_url: str) -> list[Call]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(Call).where(Call.kind == "inbound"))
            return list(rows.all())  # type: ignore[arg-type]
    finally:
        await engine.dispose()


async def _work_orders(database_url: str) -> WorkOrderRecord:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:

            async def rows(statement: Any) -> list[Any]:
                return list((await connection.execute(statement)).all())

            return WorkOrderRecord(
                orders=await rows(select(WorkOrderRow)),
                events=await rows(select(WorkOrderEventRow)),
                escalations=await rows(select(EscalationRow)),
                notifications=await rows(select(NotificationRow)),
                outbox=await rows(select(NoticeOutboxRow)),
                questions=await rows(select(DivertedQuestionRow)),
            )
    finally:
        await engine.dispose()


async def _escalated_steps(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        count = await connection.scalar(
            select(func.count())
            .select_from(WorkOrderEventRow)
            .where(WorkOrderEventRow.action == "escalated")
        )
        return int(count or 0)


def steps_done_twice(
    record: WorkOrderRecord, diverted_calls: list[int], sent: list[dict[str, Any]]
) -> dict[str, Any]:
    """Every work-order step found more (or less) often than once: empty when none."""
    found: dict[str, Any] = {}

    def twice(name: str, keys: list[Any]) -> None:
        again = {key: n for key, n in Counter(keys).items() if n > 1}
        if again:
            found[name] = again

    per_call = Counter(order.call_id for order in record.orders)
    wrong = {call: per_call.get(call, 0) for call in diverted_calls if per_call.get(call) != 1}
    wrong.update({call: n for call, n in per_call.items() if call not in diverted_calls})
    if wrong:
        found["orders_per_call"] = wrong
    twice("created", [e.order_id for e in record.events if e.action == "create"])
    twice(
        "escalated",
        [(e.order_id, e.data.get("step")) for e in record.events if e.action == "escalated"],
    )
    twice("escalation_rows", [(e.order_id, e.clock, e.step) for e in record.escalations])
    twice(
        "notifications",
        [(n.recipient_user_id, n.kind, n.order_id) for n in record.notifications],
    )
    twice(
        "outbox",
        [(o.channel, o.recipient_user_id, o.kind, o.order_id) for o in record.outbox],
    )
    twice("sent", [body["id"] for body in sent])
    twice(
        "sent_per_step",
        [(body["kind"], body["order_id"], body["recipient"]["user_id"]) for body in sent],
    )
    # Each voicemail is named by one order (its call's) and kept in one question.
    names = [name for o in record.orders for name in re.findall(r"voicemail-\d+", o.description)]
    twice("voicemail_in_orders", names)
    twice("voicemail_in_questions", [q.recording for q in record.questions if q.recording])
    twice("questions_per_call", [q.call_id for q in record.questions])
    return found


@pytest.mark.asyncio
async def test_every_call_ends_once_when_the_leader_is_killed_again_and_again(
    database_url: str,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a cluster needs PostgreSQL: on SQLite the one instance always leads")
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)}, event_log_size=1_000_000)
    numbers: list[str] = []
    async with contextlib.AsyncExitStack() as stack:
        emulator = await stack.enter_async_context(run_emulator(port=0, speed=SPEED, config=lab))
        await import_centre(Settings(database_url=database_url), centre(emulator.base_url))
        for endpoint in AGENTS.values():
            # 4 emulated seconds of ringing, 40 of talk: 0.2 s and 2 s of real time.
            emulator.add_endpoint(endpoint, AgentScript(answer_after_s=4.0, talk_s=40.0))
        first = await stack.enter_async_context(instance(database_url, "node-0"))
        leader = await wait_for_leader([first])
        standby: Instance = await stack.enter_async_context(instance(database_url, "node-1"))
        assert await standby.role() == "standby"
        await agents_ready(standby.base_url)  # forwarded to the leader

        phases_at_kills: list[set[str]] = []
        for round_no in range(KILLS + 1):
            for n in range(CALLS_PER_ROUND):
                number = f"13905{round_no:02d}{n:04d}"
                numbers.append(number)
                emulator.place_call(taxpayer(number))
                await asyncio.sleep(0.15)
            if round_no == KILLS:
                break
            await asyncio.sleep(0.3 * (round_no + 1))  # a different moment in the calls' life
            phases_at_kills.append(_phases(emulator.core.channels))
            leader.kill()
            leader = await wait_for_leader([standby])
            standby = await stack.enter_async_context(
                instance(database_url, f"node-{round_no + 2}")
            )
            await agents_ready(standby.base_url)

        calls: list[Call] = []
        for _ in range(600):
            calls = await _inbound_calls(database_url)
            if len(calls) == len(numbers) and all(call.ended_at for call in calls):
                break
            await asyncio.sleep(0.1)
        events = list(emulator.core.emitted)

    assert any(phases for phases in phases_at_kills), "no kill found a call in progress"
    assert sorted(call.caller_number for call in calls) == sorted(numbers)  # none lost or doubled
    unfinished = [(c.caller_number, c.outcome) for c in calls if not (c.outcome and c.ended_at)]
    assert unfinished == [], unfinished
    seen = ledger(events)
    assert all(count <= 1 for count in seen.max_legs_per_agent.values()), seen.max_legs_per_agent
    assert max(seen.max_legs_per_agent.values()) == 1  # the agents did take calls
    # A caller the old leader had just bridged, before its write queue recorded the answer,
    # is adopted from Asterisk's bridge, not offered again from the record's "ringing".
    answered_twice = {leg: a for leg, a in seen.agents_per_taxpayer.items() if len(a) > 1}
    assert answered_twice == {}, answered_twice


@pytest.mark.asyncio
async def test_no_work_order_step_is_done_twice_when_the_leader_is_killed_again_and_again(
    database_url: str, gateway: Gateway
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a cluster needs PostgreSQL: on SQLite the one instance always leads")
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)}, event_log_size=1_000_000)
    numbers: list[str] = []
    diverted_numbers: list[str] = []
    # The leader also sweeps and sends the notices, to the gateway, polling every 0.2 s.
    env = {
        WORKERS_ENV: "1",
        "HOTLINE_NOTICES__WEBHOOK__URL": gateway.url,
        "HOTLINE_NOTICES__POLL_INTERVAL_S": "0.2",
    }
    async with contextlib.AsyncExitStack() as stack:
        emulator = await stack.enter_async_context(run_emulator(port=0, speed=SPEED, config=lab))
        polling = create_engine(database_url)  # the test's own reads while the calls flow
        stack.push_async_callback(polling.dispose)
        await import_centre(Settings(database_url=database_url), centre(emulator.base_url))
        await _work_order_rules(database_url)
        for endpoint in AGENTS.values():
            # 4 emulated seconds of ringing, 40 of talk: 0.2 s and 2 s of real time.
            emulator.add_endpoint(endpoint, AgentScript(answer_after_s=4.0, talk_s=40.0))
        first = await stack.enter_async_context(instance(database_url, "node-0", env))
        leader = await wait_for_leader([first])
        standby: Instance = await stack.enter_async_context(instance(database_url, "node-1", env))
        assert await standby.role() == "standby"
        await agents_ready(standby.base_url)  # forwarded to the leader

        async def kill_the_leader(name: str) -> None:
            nonlocal leader, standby
            leader.kill()
            leader = await wait_for_leader([standby])
            standby = await stack.enter_async_context(instance(database_url, name, env))
            await agents_ready(standby.base_url)

        phases_at_kills: list[set[str]] = []
        for round_no in range(KILLS + 1):
            for n in range(CALLS_PER_ROUND):
                number = f"13905{round_no:02d}{n:04d}"
                numbers.append(number)
                # They wait out a slow takeover, as the diverted callers do: with the default
                # hang-up a caller whose arrival the killed leader had not yet written could
                # leave before the next one connects, and be in no record.
                emulator.place_call(replace(taxpayer(number), hangup_after_answer_s=3000.0))
                await asyncio.sleep(0.15)
            for n in range(DIVERTS_PER_ROUND):
                number = f"13906{round_no:02d}{n:04d}"
                diverted_numbers.append(number)
                emulator.place_call(diverted_taxpayer(number))
                await asyncio.sleep(0.15)
            if round_no == KILLS:
                break
            await asyncio.sleep(0.3 * (round_no + 1))  # a different moment in the calls' life
            phases_at_kills.append(_phases(emulator.core.channels))
            await kill_the_leader(f"node-{round_no + 2}")

        # Once more while the sweeper applies the steps falling due (the first orders' first
        # step is half a minute after they were filed; the others follow within seconds).
        deadline = time.monotonic() + STEPS_DONE_S
        while not await _escalated_steps(polling):
            assert time.monotonic() < deadline, "no escalation step was applied"
            await asyncio.sleep(0.05)
        await kill_the_leader(f"node-{KILLS + 2}")

        everyone = numbers + diverted_numbers
        calls: list[Call] = []
        deadline = time.monotonic() + STEPS_DONE_S
        while time.monotonic() < deadline:
            calls = await _inbound_calls(database_url)
            ended = len(calls) == len(everyone) and all(call.ended_at for call in calls)
            done = await _escalated_steps(polling) >= len(diverted_numbers) * len(STEPS)
            if ended and done:
                break
            await asyncio.sleep(0.2)
        # The last steps' notices: sent within a few polls of the worker, except those a
        # killed leader had claimed (they wait out the claim, minutes, and are not sent here).
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if not _unsettled((await _work_orders(database_url)).outbox):
                break
            await asyncio.sleep(0.1)
        events = list(emulator.core.emitted)
        voicemails = sorted(n for n in emulator.core.stored_durations if n.startswith("voicemail-"))
    record = await _work_orders(database_url)  # every instance is gone: the final rows
    sent = list(gateway.bodies)

    assert any(phases for phases in phases_at_kills), "no kill found a call in progress"
    assert sorted(call.caller_number for call in calls) == sorted(everyone)  # none lost/doubled
    unfinished = [(c.caller_number, c.outcome) for c in calls if not (c.outcome and c.ended_at)]
    assert unfinished == [], unfinished
    seen = ledger(events)
    assert all(count <= 1 for count in seen.max_legs_per_agent.values()), seen.max_legs_per_agent
    assert max(seen.max_legs_per_agent.values()) == 1  # the agents did take calls
    # A caller the old leader had just bridged, before its write queue recorded the answer,
    # is adopted from Asterisk's bridge, not offered again from the record's "ringing".
    answered_twice = {leg: a for leg, a in seen.agents_per_taxpayer.items() if len(a) > 1}
    assert answered_twice == {}, answered_twice

    # The diverted questions: every one became one order, and no step of any order was done
    # twice, across five leaders.
    diverted = [c for c in calls if c.caller_number in diverted_numbers]
    assert {c.outcome for c in diverted} == {"diverted"}
    assert steps_done_twice(record, [c.id for c in diverted], sent) == {}
    steps = Counter(e.data.get("step") for e in record.events if e.action == "escalated")
    assert steps == {step: len(diverted) for step in STEPS}  # every step, once per order
    # Every notice was sent, or is held by the claim of a leader killed while sending it.
    assert _unsettled(record.outbox) == []
    claimed = [o.id for o in record.outbox if o.status != "sent"]
    assert sorted({body["id"] for body in sent}) == sorted(
        o.id for o in record.outbox if o.status == "sent"
    )
    # Each order names its call's voicemail, and each voicemail Asterisk recorded is named by
    # its call's order (and by no other: steps_done_twice).
    named = {f"voicemail-{o.call_id}": o for o in record.orders}
    for name, order in named.items():
        assert f"录音 recording: {name}" in order.description, order.description
    recorded = sorted(
        {
            str(fields["recording"]["name"])
            for kind, fields in events
            if kind == "RecordingFinished"
            and str(fields["recording"]["name"]).startswith("voicemail-")
        }
    )
    assert recorded, "no voicemail was recorded"
    assert set(recorded) <= set(named), (recorded, voicemails, sorted(named))
    print(  # the figures of this run (pytest -rP shows them)
        "FAILOVER_FIGURES",
        json.dumps(
            {
                "calls": len(calls),
                "diverted": len(diverted),
                "work_orders": len(record.orders),
                "escalation_steps": sum(steps.values()),
                "notices": len(record.outbox),
                "notices_sent": len(sent),
                "notices_held_by_a_dead_leaders_claim": len(claimed),
                "voicemails_recorded": len(recorded),
                "voicemails_stored": len(voicemails),
                "kills": KILLS + 1,
            }
        ),
    )


def _unsettled(outbox: list[Any]) -> list[int]:
    """Notices neither sent nor claimed (a claim moves the next attempt minutes ahead)."""
    soon = datetime.now(UTC) + timedelta(minutes=1)

    def claimed(row: Any) -> bool:
        at: datetime = row.next_attempt_at
        return (at if at.tzinfo else at.replace(tzinfo=UTC)) > soon

    return [row.id for row in outbox if row.status != "sent" and not claimed(row)]


def _phases(channels: dict[str, object]) -> set[str]:
    """The states of the channels up when the leader dies (a call in the IVR or the queue is
    Up, one offered has a Ringing agent leg)."""
    return {str(getattr(channel, "state", "")) for channel in channels.values()}
