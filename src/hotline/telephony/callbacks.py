"""Busy callbacks (遇忙回复): owed to a caller, kept in the database, dialled when routing says.

A callback keeps its origin call's routing contact id and place in line (``arrived_at``). While
it waits it is a CALLBACK contact in routing; when routing offers it to an agent, the controller
dials the agent first and then the taxpayer (``CallControl.place_callback``) on a new call whose
notifications come back to the director, as the callback contract of
``CallControl.place_callback`` (``cti.calls.ports``) says:

* ``offer_failed`` — the agent leg failed: routing puts the callback back in line;
* ``caller_left(RINGING)``, or ``call_finished`` with no ``offer_answered`` — the taxpayer was
  not reached: routing is told the offer ended (the agent is free), one attempt is spent and, if
  the retry policy allows, the callback is due again ``interval_s`` later under a new call key;
* ``offer_answered`` — agent and taxpayer are connected: the callback counts as answered;
* ``talk_ended`` — they talked: the callback is done.

Pending callbacks carry ``next_attempt_at`` and are fed to routing when due and the centre is
open, so a restart or closed hours lose nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from cti.calls.ports import CallKey, InboundCall
from hotline.db.models import Callback
from hotline.telephony.acd import AcdLoop
from hotline.telephony.context import WALLBOARD, Context
from hotline.telephony.live import LiveCall
from hotline.telephony.menus import taxpayer_plan
from routing import (
    CallbackRequested,
    Contact,
    ContactArrived,
    ContactEnded,
    ContactKind,
    Offer,
    OfferAnswered,
    OfferFailed,
    OfferFailure,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard the centre tries to reach a taxpayer it owes a call."""

    attempts: int = 3
    interval_s: float = 600.0


DEFAULT_RETRY = RetryPolicy()


@dataclass
class OwedCallback:
    callback_id: int
    contact_id: str
    site: str
    site_id: int
    number: str
    line: str
    language: str
    priority: int
    region: str
    arrived_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    in_routing: bool = False
    dialling: set[CallKey] = field(default_factory=set)

    def contact(self) -> Contact:
        return Contact(
            id=self.contact_id,
            line=self.line,
            language=self.language,
            arrived_at=self.arrived_at.timestamp(),
            priority=self.priority,
            region=self.region,
            kind=ContactKind.CALLBACK,
        )


class Callbacks:
    def __init__(self, ctx: Context, acd: AcdLoop, retry: RetryPolicy = DEFAULT_RETRY) -> None:
        self._ctx = ctx
        self._acd = acd
        self.retry = retry
        self._owed: dict[str, OwedCallback] = {}  # by contact id
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False

    def owed(self, contact_id: str) -> OwedCallback | None:
        return self._owed.get(contact_id)

    # -------------------------------------------------------------- requests

    async def request_for(self, call: LiveCall) -> None:
        """The caller asked to be called back (or routing diverted the call to a callback)."""
        ctx = self._ctx
        now = ctx.now()
        was_waiting = call.in_routing or call.outcome == "diverted"
        row = await ctx.recorder.open_callback(
            {
                "origin_call_id": call.call_id,
                "site_id": call.site_id,
                "number": call.caller_number,
                "business_line": call.line or self._acd.menus.default_line,
                "language": call.language or self._acd.menus.default_language,
                "priority": 0,
                "region": call.region,
                "arrived_at": call.queued_at or call.arrived_at,
                "requested_at": now,
                "status": "pending",
                "attempts": 0,
                # After hours: due when the line next opens (the working-day calendar).
                "next_attempt_at": self._acd.opens_at(call.line),
            }
        )
        owed = self._register(row)
        # The contact id now names a callback, not the call on the line.
        if ctx.calls.by_contact.get(call.contact_id) is call:
            del ctx.calls.by_contact[call.contact_id]
        ctx.publish(WALLBOARD, {"type": "callback", "callback_id": row.id, "status": "pending"})
        if was_waiting and call.outcome != "diverted":
            owed.in_routing = True
            await self._acd.feed(CallbackRequested(call.contact_id))
        else:
            await self.run_due()

    def _register(self, row: Callback) -> OwedCallback:
        contact_id = str(row.origin_call_id)
        owed = OwedCallback(
            callback_id=row.id,
            contact_id=contact_id,
            site=self._ctx.site_code(row.site_id),
            site_id=row.site_id,
            number=row.number,
            line=row.business_line,
            language=row.language,
            priority=row.priority,
            region=row.region,
            arrived_at=row.arrived_at,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
        )
        self._owed[contact_id] = owed
        self._ctx.calls.callbacks[contact_id] = row.id
        return owed

    async def restore(self) -> int:
        """Callbacks still owed in the database (a dial cut short by a stop counts as pending)."""
        rows = await self._ctx.recorder.open_callbacks()
        for row in rows:
            if row.status == "dialling":
                await self._ctx.recorder.update_callback(row.id, {"status": "pending"})
            self._register(row)
        await self.run_due()
        return len(rows)

    # ----------------------------------------------------------------- timing

    async def run_due(self) -> None:
        """Feed routing the callbacks whose time has come, while the centre is open."""
        now = self._ctx.now()
        if self._acd.is_open():
            for owed in sorted(self._owed.values(), key=lambda o: o.arrived_at):
                due = owed.next_attempt_at is None or owed.next_attempt_at <= now
                if not owed.in_routing and not owed.dialling and due:
                    owed.in_routing = True
                    await self._acd.feed(ContactArrived(owed.contact()))
        self._arm()

    def _arm(self) -> None:
        if self._stopped:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = self._ctx.now()
        waiting = [
            o.next_attempt_at
            for o in self._owed.values()
            if not o.in_routing and o.next_attempt_at is not None and o.next_attempt_at > now
        ]
        # Closed hours: look again in a while (the opening time is the policy's business).
        delay = min(waiting, default=now + timedelta(minutes=5)) - now
        self._timer = asyncio.get_running_loop().call_later(
            max(1.0, delay.total_seconds()), self._fire
        )

    def _fire(self) -> None:
        self._timer = None
        if self._stopped:
            return
        task = asyncio.get_running_loop().create_task(self._run_due_safely())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_due_safely(self) -> None:
        try:
            await self.run_due()
        except Exception:
            log.exception("callbacks_run_due_failed")

    async def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # ------------------------------------------------------------ routing side

    async def place(self, offer: Offer) -> None:
        """Routing offers the callback to an agent: dial the agent, then the taxpayer."""
        ctx = self._ctx
        owed = self._owed.get(offer.contact_id)
        if owed is None:
            return
        endpoint = ctx.endpoint_for(offer.agent_id, owed.site)
        if endpoint is None:
            await self._acd.feed(
                OfferFailed(offer.contact_id, offer.agent_id, OfferFailure.UNREACHABLE)
            )
            return
        now = ctx.now()
        owed.in_routing = True
        # A supervisor may have rescheduled or cancelled it since it was fed to routing: only
        # a claim that the database grants (pending and due) may start the attempt.
        if not owed.dialling and not await ctx.recorder.claim_callback(
            owed.callback_id, int(offer.agent_id), now
        ):
            await self._withdraw(owed)
            return
        attempt = owed.attempts + 1
        key = CallKey(owed.site, f"callback-{owed.callback_id}-{attempt}-{len(owed.dialling)}")
        call_id = await ctx.recorder.open_call(
            InboundCall(key, owed.number, "", owed.number, "", now),
            site_id=owed.site_id,
            region=owed.region,
            kind="callback",
            callback_id=owed.callback_id,
            language=owed.language,
            business_line=owed.line,
            queued_at=owed.arrived_at,
            first_offered_at=now,
            routing_stage=offer.stage_index,
            routing_level=offer.level,
        )
        call = LiveCall(
            call_id=call_id,
            key=key,
            site_id=owed.site_id,
            kind="callback",
            caller_number=owed.number,
            region=owed.region,
            arrived_at=now,
            contact_id=owed.contact_id,
            callback_id=owed.callback_id,
            phase="ringing",
            language=owed.language,
            line=owed.line,
            first_offered_at=now,
            offered_agent=offer.agent_id,
        )
        ctx.calls.add(call)
        owed.dialling.add(key)
        await ctx.recorder.update_callback(owed.callback_id, {"agent_id": int(offer.agent_id)})
        await ctx.recorder.journal(call_id, now, "place_callback", {"agent_id": offer.agent_id})
        await ctx.control.place_callback(
            key,
            agent_id=offer.agent_id,
            agent_endpoint=endpoint,
            taxpayer_number=owed.number,
            ring_timeout_s=offer.ring_timeout_s,
            # The survey and sounds of the configuration in force, in the taxpayer's language.
            plan=taxpayer_plan(self._acd.menus, owed.language),
        )

    async def cancel(self, contact_id: str, agent_id: str) -> None:
        owed = self._owed.get(contact_id)
        if owed is None:
            return
        for key in list(owed.dialling):
            call = self._ctx.calls.by_key.get(key)
            if call is not None and call.offered_agent == agent_id and call.answered_at is None:
                await self._ctx.control.cancel_offer(key, agent_id=agent_id)

    async def postpone(self, contact_id: str) -> None:
        """Routing could not serve the callback now (nobody logged in could): try later."""
        owed = self._owed.get(contact_id)
        if owed is None:
            return
        owed.in_routing = False
        owed.next_attempt_at = self._ctx.now() + timedelta(seconds=self.retry.interval_s)
        await self._ctx.recorder.update_callback(
            owed.callback_id,
            {"status": "pending", "next_attempt_at": owed.next_attempt_at},
        )
        self._arm()

    # ------------------------------------------------------- supervisors' changes

    async def changed(self, callback_id: int) -> None:
        """A supervisor rescheduled or cancelled this callback in the database: follow it.

        Called by the API in the process that runs the engine. A callback waiting in routing
        leaves the line (a cancelled one for good, a rescheduled one until its new time); one
        being dialled is left alone (the API refuses to change it). An engine in another
        process learns it at the latest when routing offers the callback: the claim in
        :meth:`place` fails and the callback is withdrawn the same way."""
        owed = next((o for o in self._owed.values() if o.callback_id == callback_id), None)
        if owed is None or owed.dialling:
            return
        await self._withdraw(owed)
        await self.run_due()

    async def _withdraw(self, owed: OwedCallback) -> None:
        """Take the callback out of routing and adopt what the database says about it."""
        row = await self._ctx.recorder.get_callback(owed.callback_id)
        if owed.in_routing:
            owed.in_routing = False
            await self._acd.feed(ContactEnded(owed.contact_id))
        if row is None or row.status != "pending":
            self._owed.pop(owed.contact_id, None)
            self._ctx.calls.callbacks.pop(owed.contact_id, None)
            status = row.status if row is not None else "cancelled"
            self._ctx.publish(
                WALLBOARD, {"type": "callback", "callback_id": owed.callback_id, "status": status}
            )
        else:
            owed.next_attempt_at = row.next_attempt_at
        self._arm()

    # ---------------------------------------------------- the callback's call

    async def agent_failed(self, call: LiveCall, agent_id: str, failure: OfferFailure) -> None:
        owed = self._owed.get(call.contact_id)
        call.offered_agent = None
        call.outcome = call.outcome or "failed"
        if owed is not None:
            owed.dialling.discard(call.key)
            await self._ctx.recorder.update_callback(
                owed.callback_id, {"status": "pending", "last_outcome": f"agent_{failure.value}"}
            )
        await self._acd.feed(OfferFailed(call.contact_id, agent_id, failure))

    async def agent_answered(self, call: LiveCall, agent_id: str) -> None:
        await self._acd.feed(OfferAnswered(call.contact_id, agent_id))

    async def talked(self, call: LiveCall) -> None:
        owed = self._owed.pop(call.contact_id, None)
        if owed is not None:
            self._ctx.calls.callbacks.pop(call.contact_id, None)
            await self._ctx.recorder.update_callback(
                owed.callback_id,
                {
                    "status": "done",
                    "attempts": owed.attempts + 1,
                    "last_outcome": "answered",
                    "next_attempt_at": None,
                },
            )
            self._ctx.publish(
                WALLBOARD, {"type": "callback", "callback_id": owed.callback_id, "status": "done"}
            )
        await self._acd.feed(ContactEnded(call.contact_id))

    async def not_reached(self, call: LiveCall) -> bool:
        """The agent answered but the taxpayer was not reached: end the routing offer (the
        agent is free again; the callback does not go back in line), spend one attempt and
        make the callback due again ``interval_s`` later, dialled under a new key.

        Returns False, doing nothing, when this call's attempt was already settled (the
        director may hear ``caller_left`` and then ``call_finished``).
        """
        owed = self._owed.get(call.contact_id)
        if owed is None or call.key not in owed.dialling:
            return False
        await self._acd.feed(ContactEnded(call.contact_id))
        owed.dialling.discard(call.key)
        owed.in_routing = False
        owed.attempts += 1
        values: dict[str, object] = {"attempts": owed.attempts, "last_outcome": "no_answer"}
        if owed.attempts >= self.retry.attempts:
            del self._owed[call.contact_id]
            self._ctx.calls.callbacks.pop(call.contact_id, None)
            values |= {"status": "failed", "next_attempt_at": None}
        else:
            owed.next_attempt_at = self._ctx.now() + timedelta(seconds=self.retry.interval_s)
            values |= {"status": "pending", "next_attempt_at": owed.next_attempt_at}
        await self._ctx.recorder.update_callback(owed.callback_id, values)
        self._ctx.publish(
            WALLBOARD,
            {"type": "callback", "callback_id": owed.callback_id, "status": values["status"]},
        )
        self._arm()
        return True
