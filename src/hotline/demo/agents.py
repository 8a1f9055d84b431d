"""Simulated agents: who logs in, and how each one's softphone behaves when it rings.

Most answer after a few seconds and talk for a random time; a few are slow to pick up (the ring
times out: no answer) or busy, so the demo also shows re-offers and agents set not ready.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from cti.emulator import AgentScript


@dataclass(frozen=True)
class DemoAgent:
    username: str
    code: str
    endpoint: str  # the dial string on the demo site, e.g. PJSIP/1001
    behaviour: str  # answer | busy | no_answer | person (answered on /desk)


def agents_of_site(example: dict[str, Any], site: str) -> list[tuple[str, str, str]]:
    """(username, code, dial string) of the example agents reachable on `site`, interleaved by
    language set so that even a small demo staffs the English and Korean lines too."""
    groups: dict[tuple[str, ...], list[tuple[str, str, str]]] = {}
    for entry in example.get("agents") or []:
        endpoints = entry.get("endpoints") or {}
        if site in endpoints and entry.get("username"):
            languages = tuple(sorted(entry.get("languages") or ()))
            agent = (str(entry["username"]), str(entry["code"]), str(endpoints[site]))
            groups.setdefault(languages, []).append(agent)
    interleaved = []
    queues = list(groups.values())
    while any(queues):
        for queue in queues:
            if queue:
                interleaved.append(queue.pop(0))
    return interleaved


def choose_agents(
    rng: random.Random, candidates: list[tuple[str, str, str]], count: int
) -> list[DemoAgent]:
    """The first `count` agents; about one in eight misbehaves (busy or never answers)."""
    chosen = []
    for username, code, endpoint in candidates[:count]:
        roll = rng.random()
        behaviour = "busy" if roll < 0.06 else "no_answer" if roll < 0.12 else "answer"
        chosen.append(DemoAgent(username, code, endpoint, behaviour))
    return chosen


def softphone(rng: random.Random, agent: DemoAgent) -> AgentScript:
    """How the agent's phone reacts when it rings (the same for each of their calls)."""
    if agent.behaviour == "busy":
        return AgentScript(behaviour="busy", answer_after_s=1.0)
    if agent.behaviour == "no_answer":
        return AgentScript(behaviour="no_answer")
    # Talk time: log-normal around 2.5 minutes would make a slow demo; keep it 20-90 s.
    return AgentScript(answer_after_s=rng.uniform(2.0, 5.0), talk_s=rng.uniform(20.0, 90.0))


def people_agents(
    candidates: list[tuple[str, str, str]], simulated: int, count: int
) -> list[DemoAgent]:
    """The `count` agents after the simulated ones: their logins are for people at /desk."""
    return [
        DemoAgent(username, code, endpoint, "person")
        for username, code, endpoint in candidates[simulated : simulated + count]
    ]
