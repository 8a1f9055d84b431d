"""The centre a scenario describes, as an import document: one site, the skills its traffic and
agents need, and one agent (with a user to log in as) per seat of each group.

A group's seat count is the most it ever has logged in; which seats are in during an interval is
decided by :mod:`hotline.livesim.seats`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulations.scenario import AgentGroup, Scenario

SITE = "sim"
ARI_USER = "hotline"
FIRST_EXTENSION = 7001


@dataclass(frozen=True, slots=True)
class Seat:
    group: int  # index into scenario.agents
    index: int  # 0-based within the group: seat i is in when the group's count exceeds i
    code: str
    username: str
    endpoint: str  # the softphone's dial string on the emulated site


def seats_of(scenario: Scenario) -> list[Seat]:
    seats = []
    serial = 0
    for group_index, group in enumerate(scenario.agents):
        for index in range(max(group.count, default=0)):
            serial += 1
            seats.append(
                Seat(
                    group=group_index,
                    index=index,
                    code=f"S{serial:04d}",
                    username=f"seat{serial:04d}",
                    endpoint=f"PJSIP/{FIRST_EXTENSION + serial - 1}",
                )
            )
    return seats


def centre_document(
    scenario: Scenario, seats: list[Seat], *, ari_url: str, ari_password: str, password: str
) -> dict[str, Any]:
    """The import file (version 1) of the scenario's centre, its site pointing at ``ari_url``."""
    return {
        "version": 1,
        "sites": [
            {
                "code": SITE,
                "name": f"live simulation of {scenario.name}",
                "ari_url": ari_url,
                "ari_username": ARI_USER,
                "ari_password": ari_password,
                "app_name": "hotline",
            }
        ],
        "skills": [
            {"business_line": line, "language": language, "name": f"{line} ({language})"}
            for line, language in sorted(_skills(scenario))
        ],
        "users": [
            {
                "username": seat.username,
                "full_name": f"{scenario.agents[seat.group].name} #{seat.index + 1}"[:120],
                "roles": ["agent"],
                "password": password,
            }
            for seat in seats
        ],
        "agents": [_agent_entry(scenario.agents[seat.group], seat) for seat in seats],
    }


def _skills(scenario: Scenario) -> set[tuple[str, str]]:
    """Every (business line, language) that traffic asks for or an agent is skilled in."""
    wanted = {(t.line, t.language) for t in scenario.traffic}
    for group in scenario.agents:
        wanted |= {(line, lang) for line in group.levels for lang in group.languages}
    return wanted


def _agent_entry(group: AgentGroup, seat: Seat) -> dict[str, Any]:
    return {
        "code": seat.code,
        "name": f"{group.name} #{seat.index + 1}"[:120],
        "languages": sorted(group.languages),
        "overflow": group.overflow,
        "skills": dict(group.levels),
        "endpoints": {SITE: seat.endpoint},
        "username": seat.username,
    }
