"""The people who use the hotline, as roles a user can hold (one user may hold several)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"  # hotline agent: desktop + softphone
    SPECIALIST = "specialist"  # back-office specialist: work-order console
    LIAISON = "liaison"  # a branch bureau's liaison (联络员): work-order console
    SUPERVISOR = "supervisor"  # wallboard, dispatch, agent management (read)
    DIRECTOR = "director"  # reports, reads everything
    OPS = "ops"  # simulations, staffing plans
    ADMIN = "admin"  # configuration and users
    WALLBOARD = "wallboard"  # a hall TV's login: the floor's hall mode, nothing else


ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.AGENT: "Hotline agent: answers calls, files call summaries and work orders",
    Role.SPECIALIST: "Back-office specialist: handles work orders of their department",
    Role.LIAISON: "Branch bureau liaison: receives and answers work orders for the bureau",
    Role.SUPERVISOR: "Supervisor: watches queues, dispatches work orders, reads configuration",
    Role.DIRECTOR: "Director: reads every report and on-time statistics",
    Role.OPS: "Operations: runs traffic simulations and staffing plans",
    Role.ADMIN: "Administrator: manages sites, skills, agents, departments and users",
    Role.WALLBOARD: "Wallboard: a hall screen showing the floor's queues and agents, read-only",
}

ALL_ROLES: frozenset[Role] = frozenset(Role)
