"""Time per event of the routing engine with a loaded centre.

Each size logs in N agents (60 skill combinations: 20 business lines x 3 languages; one primary
skill, two secondary skills in the same language, one in ten in the overflow pool), fills the
queues until every agent is busy and 1,000 contacts wait, then replays a steady cycle a shell
would send: a call ends, wrap-up ends (the agent takes the best waiting contact), the offer is
answered, a new caller arrives; now and then a caller abandons, an offer rings out, or a timer
fires (`Tick` at each `WakeAt`). Only `apply` is timed.

    ./dev python benchmarks/routing.py --json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow the
# `routing` package it measures; drop the folder before importing the package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from routing import (  # noqa: E402
    AgentLoggedIn,
    AgentProfile,
    Contact,
    ContactAbandoned,
    ContactArrived,
    ContactEnded,
    Decision,
    Divert,
    Event,
    Offer,
    OfferAnswered,
    OfferFailed,
    OfferFailure,
    RoutingState,
    Skill,
    Tick,
    WakeAt,
    WrapUpEnded,
    apply,
    default_policy,
    new_state,
)

LINES = [f"line{i:02d}" for i in range(20)]
LANGUAGES = ["zh", "en", "ko"]
SKILLS = [Skill(line, language) for line in LINES for language in LANGUAGES]


class Shell:
    """Plays the CTI side: answers offers, ends calls, ticks at WakeAt, records timings."""

    def __init__(self, state: RoutingState, rng: random.Random) -> None:
        self.state = state
        self.rng = rng
        self.now = 0.0
        self.wake: float | None = None
        self.offers: list[tuple[str, str]] = []
        self.calls: list[tuple[str, str]] = []  # (contact, agent) connected
        self.waiting: dict[str, None] = {}
        self.next_contact = 0
        self.timings_ns: list[int] = []
        self.cpu_timings_ns: list[int] = []

    def send(self, event: Event, *, timed: bool) -> None:
        # Wall time is what the contract asks for; thread CPU time is also kept because on a
        # shared machine preemption lands in the wall-clock tail, not in the engine.
        cpu_started = time.thread_time_ns()
        started = time.perf_counter_ns()
        _, decisions = apply(self.state, event, self.now)
        elapsed = time.perf_counter_ns() - started
        cpu_elapsed = time.thread_time_ns() - cpu_started
        if timed:
            self.timings_ns.append(elapsed)
            self.cpu_timings_ns.append(cpu_elapsed)
        self.absorb(decisions)

    def absorb(self, decisions: list[Decision]) -> None:
        for decision in decisions:
            if isinstance(decision, Offer):
                self.offers.append((decision.contact_id, decision.agent_id))
                self.waiting.pop(decision.contact_id, None)
            elif isinstance(decision, WakeAt):
                self.wake = decision.at
            elif isinstance(decision, Divert):
                self.waiting.pop(decision.contact_id, None)

    def arrive(self, *, timed: bool) -> None:
        skill = self.rng.choice(SKILLS)
        contact_id = f"c{self.next_contact}"
        self.next_contact += 1
        self.waiting[contact_id] = None
        contact = Contact(contact_id, skill.line, skill.language, self.now, self.rng.randrange(3))
        self.send(ContactArrived(contact), timed=timed)

    def answer_offers(self, *, timed: bool, fail_share: float = 0.0) -> None:
        while self.offers:
            contact_id, agent_id = self.offers.pop()
            if self.rng.random() < fail_share:
                self.send(OfferFailed(contact_id, agent_id, OfferFailure.NO_ANSWER), timed=timed)
            else:
                self.calls.append((contact_id, agent_id))
                self.send(OfferAnswered(contact_id, agent_id), timed=timed)

    def tick_if_due(self, *, timed: bool) -> None:
        if self.wake is not None and self.now >= self.wake:
            self.wake = None
            self.send(Tick(), timed=timed)


def build_agents(count: int, rng: random.Random) -> list[AgentProfile]:
    agents = []
    for i in range(count):
        primary = SKILLS[i % len(SKILLS)]
        same_language = [s for s in SKILLS if s.language == primary.language and s != primary]
        levels = {primary: 1}
        for skill in rng.sample(same_language, 2):
            levels[skill] = rng.choice((2, 3))
        languages = frozenset({primary.language, "zh"})
        agents.append(AgentProfile(f"a{i}", levels, languages, overflow=i % 10 == 0))
    return agents


def run(agent_count: int, waiting: int, events: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    policy = dataclasses.replace(default_policy(), service_hours=None)
    shell = Shell(new_state(policy), rng)
    for profile in build_agents(agent_count, rng):
        shell.send(AgentLoggedIn(profile, ready=True), timed=False)
    # Fill: keep callers coming (and answering) until every agent is busy and `waiting` wait.
    while len(shell.waiting) < waiting or len(shell.calls) < agent_count * 0.95:
        shell.now += 0.01
        shell.arrive(timed=False)
        shell.answer_offers(timed=False)
        shell.tick_if_due(timed=False)
    # Steady state, timed.
    while len(shell.timings_ns) < events:
        shell.now += 0.01
        shell.tick_if_due(timed=True)
        if shell.calls:
            contact_id, agent_id = shell.calls.pop(rng.randrange(len(shell.calls)))
            shell.send(ContactEnded(contact_id), timed=True)
            shell.send(WrapUpEnded(agent_id), timed=True)
            shell.answer_offers(timed=True, fail_share=0.02)
        while len(shell.waiting) < waiting:
            shell.arrive(timed=True)
            shell.answer_offers(timed=True)
        if rng.random() < 0.1 and shell.waiting:
            victim = rng.choice(list(shell.waiting)[:50])
            del shell.waiting[victim]
            shell.send(ContactAbandoned(victim), timed=True)
    timings_us = [ns / 1000 for ns in shell.timings_ns]
    quantiles = statistics.quantiles(timings_us, n=100, method="inclusive")
    cpu_us = [ns / 1000 for ns in shell.cpu_timings_ns]
    cpu_quantiles = statistics.quantiles(cpu_us, n=100, method="inclusive")
    return {
        "agents": agent_count,
        "skills": len(SKILLS),
        "waiting": waiting,
        "events": len(timings_us),
        "p50_us": round(quantiles[49], 2),
        "p99_us": round(quantiles[98], 2),
        "mean_us": round(statistics.fmean(timings_us), 2),
        "max_us": round(max(timings_us), 2),
        "cpu_p50_us": round(cpu_quantiles[49], 2),
        "cpu_p99_us": round(cpu_quantiles[98], 2),
        "cpu_mean_us": round(statistics.fmean(cpu_us), 2),
    }


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--agents", type=int, nargs="+", default=[200, 2_000, 10_000])
    parser.add_argument("--waiting", type=int, default=1_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=12366)
    args = parser.parse_args()
    results = [run(n, args.waiting, args.events, args.seed) for n in args.agents]
    report = {"benchmark": "routing", "machine": machine(), "results": results}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"routing engine, {report['machine']}")
    columns = ("agents", "waiting", "events", "p50_us", "p99_us", "mean_us", "cpu_p99_us")
    print(" ".join(f"{name:>10}" for name in columns))
    for result in results:
        print(" ".join(f"{result[name]:>10}" for name in columns))


if __name__ == "__main__":
    main()
