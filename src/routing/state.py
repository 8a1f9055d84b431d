"""The engine's mutable state: agent and contact records plus the indexes over them.

`apply` mutates a `RoutingState` in place and returns it (copying thousands of records per
event would defeat the simulator). Everything in here is plain data: `copy.deepcopy` of a state
gives an independent state that reacts to the same events with the same decisions.
"""

from __future__ import annotations

import math
from heapq import heappush

from routing._indexes import IdleKey, IdlePools, LineKey, SkillQueue, WaitKey
from routing.model import AgentProfile, AgentStatus, Contact, ContactStatus, Skill
from routing.policy import LinePolicy, Policy

Timer = tuple[float, int, int, str, int]
"""(at, sequence, kind, contact or agent id, epoch): stale once the record's epoch moved on."""

TIMER_STAGE = 0
TIMER_ANNOUNCE = 1
TIMER_CALLBACK_OFFER = 2
TIMER_MAX_WAIT = 3
TIMER_WRAP_UP = 4

INFINITY = math.inf
_BUSY = (AgentStatus.RESERVED, AgentStatus.ON_CALL, AgentStatus.WRAP_UP)


class PolicyInfo:
    """A resolved `LinePolicy` with its stage thresholds precomputed per agent level."""

    __slots__ = ("id", "level_after", "line", "overflow_after", "single_stage", "stage_after")

    def __init__(self, policy_id: int, line: LinePolicy) -> None:
        self.id = policy_id
        self.line = line
        self.stage_after = tuple(stage.after_s for stage in line.stages)
        self.single_stage = len(self.stage_after) == 1  # a plain queue: no stage arithmetic
        widest = line.stages[-1].max_level
        self.level_after = tuple(
            INFINITY if level == 0 else next(s.after_s for s in line.stages if s.max_level >= level)
            for level in range(widest + 1)
        )
        self.overflow_after = next((s.after_s for s in line.stages if s.overflow), INFINITY)

    def level_threshold(self, level: int) -> float:
        """Seconds of waiting after which agents of `level` may serve (inf: never)."""
        return self.level_after[level] if level < len(self.level_after) else INFINITY

    def stage_index(self, arrived_at: float, now: float) -> int:
        # Same float expression as the stage timers (arrived_at + after_s), so a timer firing at
        # its time always finds the new stage in force.
        index = 0
        for i, after_s in enumerate(self.stage_after):
            if arrived_at + after_s <= now:
                index = i
        return index


class AgentRecord:
    __slots__ = (
        "busy_s",
        "contact_id",
        "epoch",
        "id",
        "idle_key",
        "idle_pools",
        "logged_in_at",
        "misses",
        "pending_reason",
        "profile",
        "reason",
        "return_idle_since",
        "since",
        "status",
        "targeted",
        "wrap_until",
    )

    def __init__(self, profile: AgentProfile, now: float) -> None:
        self.id = profile.id
        self.profile = profile
        self.status = AgentStatus.LOGGED_OUT
        self.reason: str | None = None
        self.since = now
        self.logged_in_at = now
        self.idle_key: IdleKey | None = None
        # The idle lists this agent joins when idle (see `IdlePools.pools_for`); the engine sets it
        # whenever the profile is set.
        self.idle_pools: tuple[list[IdleKey], ...] = ()
        self.return_idle_since = now  # idle rank to restore if a reservation is cancelled
        self.contact_id: str | None = None
        self.misses = 0
        self.wrap_until: float | None = None
        self.pending_reason: str | None = None  # not ready requested during a call
        self.epoch = 0
        self.busy_s = 0.0
        self.targeted: list[LineKey] = []  # contacts transferred to this agent by name

    def occupancy(self, now: float) -> float:
        """Share of logged-in time spent reserved, talking or wrapping up."""
        busy = self.busy_s + (now - self.since if self.status in _BUSY else 0.0)
        elapsed = now - self.logged_in_at
        return busy / elapsed if elapsed > 0 else 0.0


class ContactRecord:
    __slots__ = (
        "agent_id",
        "answered_at",
        "callback_offered",
        "contact",
        "epoch",
        "excluded_agent",
        "in_queue",
        "info",
        "queued_since",
        "seq",
        "skill",
        "status",
        "target_agent",
    )

    # Set by `new_contact_record`: the class has no `__init__`, because calling a class runs its
    # `__init__` in a fresh interpreter frame, about a thousand machine instructions more than a
    # plain function call, and every arrival builds a record.
    contact: Contact
    skill: Skill  # kept in step with `contact` (a transfer changes both)
    info: PolicyInfo
    seq: int
    status: ContactStatus
    in_queue: bool
    agent_id: str | None
    epoch: int
    excluded_agent: str | None  # failed the last offer; others go first
    callback_offered: bool
    target_agent: str | None
    answered_at: float
    # Max wait and the callback offer count from here: the arrival, or the moment of a transfer
    # (a transferred call keeps arrived_at for its place in line only).
    queued_since: float

    @property
    def wait_key(self) -> WaitKey:
        return (self.contact.arrived_at, self.seq, self.contact.id)

    @property
    def line_key(self) -> LineKey:
        return (-self.contact.priority, self.contact.arrived_at, self.seq, self.contact.id)


_new_record = object.__new__
_WAITING = ContactStatus.WAITING


def new_contact_record(
    contact: Contact, info: PolicyInfo, seq: int, skill: Skill | None = None
) -> ContactRecord:
    """A waiting contact's record; callers that already hold its skill pass it in."""
    record = _new_record(ContactRecord)
    record.contact = contact
    record.skill = contact.skill if skill is None else skill
    record.info = info
    record.seq = seq
    record.status = _WAITING
    record.in_queue = False
    record.agent_id = None
    record.epoch = 0
    record.excluded_agent = None
    record.callback_offered = False
    record.target_agent = None
    record.answered_at = contact.arrived_at
    record.queued_since = contact.arrived_at
    return record


class RoutingState:
    """Everything the engine knows. Create one per centre; feed it events with `apply`."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.now = -INFINITY  # the latest `now` seen; time never runs backwards inside
        self.agents: dict[str, AgentRecord] = {}
        self.contacts: dict[str, ContactRecord] = {}
        self.queues: dict[Skill, SkillQueue] = {}
        self.queues_by_language: dict[str, dict[Skill, SkillQueue]] = {}
        self.idle = IdlePools()
        self.queued = 0  # contacts in the skill queues (not those waiting for a named agent)
        self.timers: list[Timer] = []
        self.timer_seq = 0
        self.contact_seq = 0
        # Epochs come from one counter so that a reused id (a callback under the id of the call
        # it replaces, an agent logging in again) can never revive a stale timer.
        self.epoch_seq = 0
        self.wake_promised: float | None = None
        self.policy_infos: list[PolicyInfo] = []
        self._info_by_key: dict[tuple[str, str, str | None], tuple[PolicyInfo, Skill]] = {}
        self._info_by_line: dict[LinePolicy, PolicyInfo] = {}
        self.handle_time_s: dict[Skill, float] = {}
        # Logged-in agents (staffed) and those not in NOT_READY (active), per (skill, level) and
        # per overflow language: enough to answer "could anyone serve this?" without a scan.
        self.staffed: dict[tuple[Skill, int], int] = {}
        self.staffed_overflow: dict[str, int] = {}
        self.active: dict[tuple[Skill, int], int] = {}
        self.active_overflow: dict[str, int] = {}
        self.round_robin_last: dict[Skill, str] = {}

    def replace_policy(self, policy: Policy) -> None:
        """Route with `policy` from now on; resolved lines are looked up again.

        `policy_infos` only grows: queue buckets name their policy by index.
        """
        self.policy = policy
        self._info_by_key.clear()

    def policy_info(self, contact: Contact) -> PolicyInfo:
        return self.routing_of(contact)[0]

    def routing_of(self, contact: Contact) -> tuple[PolicyInfo, Skill]:
        """The contact's resolved policy and its skill, both cached per (line, language, region)."""
        key = (contact.line, contact.language, contact.region)
        found = self._info_by_key.get(key)
        if found is None:
            line = self.policy.resolve(*key)
            info = self._info_by_line.get(line)
            if info is None:
                info = PolicyInfo(len(self.policy_infos), line)
                self.policy_infos.append(info)
                self._info_by_line[line] = info
            found = self._info_by_key[key] = (info, contact.skill)
        return found

    def queue(self, skill: Skill) -> SkillQueue:
        found = self.queues.get(skill)
        if found is None:
            found = self.queues[skill] = SkillQueue(skill)
            self.queues_by_language.setdefault(skill.language, {})[skill] = found
        return found

    def new_epoch(self) -> int:
        self.epoch_seq += 1
        return self.epoch_seq

    def schedule(self, at: float, kind: int, key: str, epoch: int) -> None:
        heappush(self.timers, (at, self.timer_seq, kind, key, epoch))
        self.timer_seq += 1

    def count(self, profile: AgentProfile, status: AgentStatus, delta: int) -> None:
        """Add `delta` to the staffing counters for an agent in `status`."""
        if status is AgentStatus.LOGGED_OUT:
            return
        tables = [(self.staffed, self.staffed_overflow)]
        if status is not AgentStatus.NOT_READY:
            tables.append((self.active, self.active_overflow))
        for by_level, by_language in tables:
            for skill, level in profile.levels.items():
                by_level[(skill, level)] = by_level.get((skill, level), 0) + delta
            if profile.overflow:
                for language in profile.languages:
                    by_language[language] = by_language.get(language, 0) + delta

    def could_serve(
        self, skill: Skill, max_level: int, overflow: bool, table: dict[tuple[Skill, int], int]
    ) -> int:
        """How many agents counted in `table` a stage admitting up to `max_level` reaches.

        Overflow agents who also hold the skill are counted twice; good enough for estimates.
        """
        total = 0
        get = table.get
        for level in range(1, max_level + 1):
            total += get((skill, level), 0)
        if overflow:
            by_language = self.staffed_overflow if table is self.staffed else self.active_overflow
            total += by_language.get(skill.language, 0)
        return total
