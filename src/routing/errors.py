"""Errors raised by the routing engine.

Hierarchy::

    RoutingError                 base of everything this package raises on purpose
    ├── PolicyError              a policy (or a piece of one) is invalid; names the field path
    ├── UnknownContactError      a read accessor was asked about a contact the state does not hold
    └── UnknownAgentError        a read accessor was asked about an agent who is not logged in

`apply` itself never raises these for late or duplicated telephony events: those are normal and
yield no decisions. Only the read accessors (`contact_snapshot`, `agent_view`) raise, because
asking them about an id you never gave the engine is a programming mistake.
"""

from __future__ import annotations


class RoutingError(Exception):
    """Base class of the routing package's errors."""


class PolicyError(RoutingError, ValueError):
    """An invalid policy value; `path` locates it, e.g. ``lines.national_tax.stages[1].after_s``."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)

    def under(self, prefix: str) -> PolicyError:
        """The same problem, located below `prefix` (used while descending a nested document)."""
        if not prefix:
            return self
        joined = f"{prefix}{self.path}" if self.path.startswith("[") else f"{prefix}.{self.path}"
        return PolicyError(joined if self.path else prefix, self.problem)


class UnknownContactError(RoutingError, KeyError):
    """The state holds no contact with this id (never arrived, or already finished)."""

    def __init__(self, contact_id: str) -> None:
        self.contact_id = contact_id
        super().__init__(contact_id)

    def __str__(self) -> str:
        return f"unknown contact {self.contact_id!r}"


class UnknownAgentError(RoutingError, KeyError):
    """The state holds no logged-in agent with this id."""

    def __init__(self, agent_id: str) -> None:
        self.agent_id = agent_id
        super().__init__(agent_id)

    def __str__(self) -> str:
        return f"unknown agent {self.agent_id!r}"
