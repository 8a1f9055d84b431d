"""The engine's indexes: idle agents by (skill, level) and waiting contacts by skill.

Both keep plain sorted lists of tuples and use `bisect`: the front is the best entry, inserting
or removing is a C-speed memmove, and re-inserting an entry at its old place (an agent whose offer
was cancelled keeps its idle rank; a contact whose offer failed keeps its place in line) is as
cheap as appending.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import Any

from routing.model import AgentProfile, Skill

IdleKey = tuple[float, str]
"""(idle since, agent id): the longest idle agent sorts first; ties go to the smaller id."""

WaitKey = tuple[float, int, str]
"""(arrived at, arrival sequence, contact id): first come, first served within a bucket."""

LineKey = tuple[int, float, int, str]
"""(-priority, arrived at, sequence, contact id): the order in which a queue is served."""


def remove_sorted(entries: list[Any], key: Any) -> None:
    index = bisect_left(entries, key)
    if index < len(entries) and entries[index] == key:
        del entries[index]


class IdlePools:
    """Idle agents, one longest-idle-first list per (skill, level) and per overflow language."""

    __slots__ = ("by_level", "overflow")

    def __init__(self) -> None:
        self.by_level: dict[tuple[Skill, int], list[IdleKey]] = {}
        self.overflow: dict[str, list[IdleKey]] = {}

    def add(self, profile: AgentProfile, key: IdleKey) -> None:
        for skill, level in profile.levels.items():
            insort(self.by_level.setdefault((skill, level), []), key)
        if profile.overflow:
            for language in profile.languages:
                insort(self.overflow.setdefault(language, []), key)

    def remove(self, profile: AgentProfile, key: IdleKey) -> None:
        for skill, level in profile.levels.items():
            remove_sorted(self.by_level[(skill, level)], key)
        if profile.overflow:
            for language in profile.languages:
                remove_sorted(self.overflow[language], key)

    def pools_for(self, profile: AgentProfile) -> tuple[list[IdleKey], ...]:
        """Every list an idle agent with `profile` is kept in, created empty where missing.

        The lists are never replaced, so an agent record may hold on to them: an agent going idle
        or busy then skips building and hashing a (skill, level) key per pool.
        """
        pools = [self.by_level.setdefault(item, []) for item in profile.levels.items()]
        if profile.overflow:
            pools.extend(self.overflow.setdefault(language, []) for language in profile.languages)
        return tuple(pools)


class SkillQueue:
    """Waiting contacts needing one skill.

    `buckets` splits them by (policy id, priority): within a bucket all contacts share the stage
    thresholds, so the oldest is also the first to become eligible for any agent level, and the
    head alone answers "does this bucket hold a contact this agent may take now?".
    `line` keeps the service order of the whole queue for positions and snapshots.
    """

    __slots__ = ("buckets", "line", "skill")

    def __init__(self, skill: Skill) -> None:
        self.skill = skill
        self.buckets: dict[tuple[int, int], list[WaitKey]] = {}
        self.line: list[LineKey] = []

    def __len__(self) -> int:
        return len(self.line)

    def add(self, policy_id: int, priority: int, key: WaitKey) -> None:
        insort(self.buckets.setdefault((policy_id, priority), []), key)
        insort(self.line, (-priority, *key))

    def remove(self, policy_id: int, priority: int, key: WaitKey) -> None:
        bucket = self.buckets[(policy_id, priority)]
        remove_sorted(bucket, key)
        if not bucket:
            del self.buckets[(policy_id, priority)]
        remove_sorted(self.line, (-priority, *key))

    def position(self, priority: int, key: WaitKey) -> int:
        """1-based place in the service order."""
        return bisect_left(self.line, (-priority, *key)) + 1
