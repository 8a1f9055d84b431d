"""A recording `CallControl`: what the service asked the controller to do, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cti.calls.ports import CallKey, IvrPlan, VoicemailSpec


@dataclass
class RecordingControl:
    actions: list[tuple[str, CallKey, dict[str, Any]]] = field(default_factory=list)
    callback_plans: list[IvrPlan | None] = field(default_factory=list)  # each place_callback's

    def named(self, name: str) -> list[tuple[CallKey, dict[str, Any]]]:
        return [(key, args) for action, key, args in self.actions if action == name]

    def last(self, name: str) -> tuple[CallKey, dict[str, Any]]:
        found = self.named(name)
        assert found, f"no {name!r} in {self.actions}"
        return found[-1]

    def _record(self, name: str, key: CallKey, **args: Any) -> None:
        self.actions.append((name, key, args))

    async def offer(
        self, key: CallKey, *, agent_id: str, endpoint: str, ring_timeout_s: float
    ) -> None:
        self._record(
            "offer", key, agent_id=agent_id, endpoint=endpoint, ring_timeout_s=ring_timeout_s
        )

    async def cancel_offer(self, key: CallKey, *, agent_id: str) -> None:
        self._record("cancel_offer", key, agent_id=agent_id)

    async def announce(
        self, key: CallKey, *, position: int | None, expected_wait_s: float | None
    ) -> None:
        self._record("announce", key, position=position, expected_wait_s=expected_wait_s)

    async def offer_callback(self, key: CallKey) -> None:
        self._record("offer_callback", key)

    async def divert(
        self,
        key: CallKey,
        *,
        target: str,
        voicemail: VoicemailSpec | None = None,
        prompt: tuple[str, ...] = (),
    ) -> None:
        self._record("divert", key, target=target, voicemail=voicemail, prompt=prompt)

    async def hold(self, key: CallKey) -> None:
        self._record("hold", key)

    async def unhold(self, key: CallKey) -> None:
        self._record("unhold", key)

    async def transfer(
        self, key: CallKey, *, agent_id: str, endpoint: str, ring_timeout_s: float
    ) -> None:
        self._record("transfer", key, agent_id=agent_id, endpoint=endpoint)

    async def requeue(self, key: CallKey, *, line: str, language: str) -> None:
        self._record("requeue", key, line=line, language=language)

    async def hangup(self, key: CallKey) -> None:
        self._record("hangup", key)

    async def place_callback(
        self,
        key: CallKey,
        *,
        agent_id: str,
        agent_endpoint: str,
        taxpayer_number: str,
        ring_timeout_s: float,
        plan: IvrPlan | None = None,
    ) -> None:
        self.callback_plans.append(plan)
        self._record(
            "place_callback",
            key,
            agent_id=agent_id,
            agent_endpoint=agent_endpoint,
            taxpayer_number=taxpayer_number,
        )
