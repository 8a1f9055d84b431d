"""The seats' softphones in the emulator: ring for the scenario's ``ring_s``, answer, talk for a
time drawn afresh for every call, hang up.

The phone cannot know which line the call it rings for came from, so a group's talk times are
drawn from the handle-time distributions of the traffic the group can serve, mixed in proportion
to that traffic's calls over the day. With one handle-time distribution (the common case) that
is exactly the scenario's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from cti.emulator import AgentScript
from cti.emulator.dialplan import Line, Program, ProgramFactory
from hotline.livesim.centre import Seat
from simulations.distributions import Sampler, sampler
from simulations.scenario import Scenario


def _no_talk() -> float:
    return 0.0


@dataclass(frozen=True)
class SeatPhone(AgentScript):
    """An answering softphone whose talk time is drawn when each call is answered."""

    draw_talk_s: Callable[[], float] = field(default=_no_talk, compare=False)

    def program(self) -> ProgramFactory:
        def run(line: Line) -> Program:
            one_call = AgentScript(answer_after_s=self.answer_after_s, talk_s=self.draw_talk_s())
            return one_call.program()(line)

        return run


def talk_time_sampler(scenario: Scenario, seat: Seat, rng: random.Random) -> Sampler:
    """Handle times of the traffic the seat's group serves, weighted by its calls in the day."""
    group = scenario.agents[seat.group]
    served = [
        (t, sum(t.calls_per_interval))
        for t in scenario.traffic
        if group.can_serve(t.line, t.language)
    ]
    if not any(weight > 0 for _, weight in served):
        served = [(t, sum(t.calls_per_interval) or 1.0) for t in scenario.traffic]
    samplers = [sampler(t.handle_time, rng) for t, _ in served]
    weights = [weight for _, weight in served]
    if len(samplers) == 1:
        return samplers[0]

    def draw() -> float:
        return rng.choices(samplers, weights=weights)[0]()

    return draw


def seat_phone(scenario: Scenario, seat: Seat, seed: int) -> SeatPhone:
    rng = random.Random(f"{seed}:live:talk:{seat.code}")
    return SeatPhone(
        answer_after_s=scenario.ring_s, draw_talk_s=talk_time_sampler(scenario, seat, rng)
    )
