"""What the telephony modules share: the clock, the controller, the store, the bus, live calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cti.calls.ports import CallControl, CallKey
from hotline.bus import EventBus
from hotline.clock import Clock
from hotline.telephony.live import LiveCall
from hotline.telephony.recorder import Recorder
from hotline.telephony.stats import TodayCounters

WALLBOARD = "wallboard"


def agent_topic(agent_id: str | int) -> str:
    return f"agent:{agent_id}"


@dataclass(frozen=True, slots=True)
class AgentLogin:
    """Where a logged-in agent's phone is."""

    agent_id: int
    site_code: str
    site_id: int
    endpoint: str
    endpoints: dict[str, str]  # the agent's configured dial string per site code


@dataclass
class LiveCalls:
    """Live calls by controller key and by routing contact; callbacks owed by contact."""

    by_key: dict[CallKey, LiveCall] = field(default_factory=dict)
    by_contact: dict[str, LiveCall] = field(default_factory=dict)
    callbacks: dict[str, int] = field(default_factory=dict)  # contact id -> callback id

    def add(self, call: LiveCall) -> None:
        self.by_key[call.key] = call
        if call.kind == "inbound":
            self.by_contact[call.contact_id] = call

    def remove(self, call: LiveCall) -> None:
        self.by_key.pop(call.key, None)
        if self.by_contact.get(call.contact_id) is call:
            del self.by_contact[call.contact_id]


@dataclass
class Context:
    clock: Clock
    control: CallControl
    recorder: Recorder
    bus: EventBus
    site_ids: dict[str, int]
    calls: LiveCalls = field(default_factory=LiveCalls)
    logins: dict[str, AgentLogin] = field(default_factory=dict)  # routing agent id -> login
    today: TodayCounters = field(default_factory=TodayCounters)  # the wallboard's counters

    def now(self) -> datetime:
        return self.clock.now()

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        self.bus.publish(topic, message)

    def endpoint_for(self, agent_id: str, site_code: str) -> str | None:
        """The dial string that rings `agent_id` from `site_code`; None when there is none."""
        login = self.logins.get(agent_id)
        if login is None:
            return None
        if login.site_code == site_code:
            return login.endpoint
        return login.endpoints.get(site_code)

    async def site_id(self, code: str) -> int | None:
        """The site's row id; a site added since start-up is found by reading the table again."""
        if code not in self.site_ids:
            self.site_ids.update(await self.recorder.site_ids())
        return self.site_ids.get(code)

    def site_code(self, site_id: int) -> str:
        for code, found in self.site_ids.items():
            if found == site_id:
                return code
        raise KeyError(site_id)
