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


ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.AGENT: "Hotline agent: answers calls, files call summaries and work orders",
    Role.SPECIALIST: "Back-office specialist: handles work orders of their department",
    Role.LIAISON: "Branch bureau liaison: receives and answers work orders for the bureau",
    Role.SUPERVISOR: "Supervisor: watches queues, dispatches work orders, reads configuration",
    Role.DIRECTOR: "Director: reads every report and on-time statistics",
    Role.OPS: "Operations: runs traffic simulations and staffing plans",
    Role.ADMIN: "Administrator: manages sites, skills, agents, departments and users",
}

ALL_ROLES: frozenset[Role] = frozenset(Role)
