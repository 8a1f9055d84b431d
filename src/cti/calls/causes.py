"""Why an agent (or callback) leg failed, from what Asterisk told us about it.

The rule from the lab recordings (../shared/ari/README.md, gotcha 6): the last ``Dial`` event's
``dialstatus`` wins when there is one, otherwise the Q.850 cause of ``ChannelDestroyed``. Cause 0
("Unknown") is common and means the leg could not be set up at all. One refinement: a rejected
call (``Hangup(21)``) reports ``NOANSWER`` as its last dialstatus, so cause 21 is checked first.
"""

from __future__ import annotations

from cti.calls.ports import LegFailure

CAUSE_NORMAL_CLEARING = 16
CAUSE_USER_BUSY = 17
CAUSE_NO_ANSWER = 19
CAUSE_CALL_REJECTED = 21

_BY_DIALSTATUS: dict[str, LegFailure] = {
    "BUSY": LegFailure.BUSY,
    "NOANSWER": LegFailure.NO_ANSWER,
    "CONGESTION": LegFailure.UNREACHABLE,
    "CHANUNAVAIL": LegFailure.UNREACHABLE,
    "CANCEL": LegFailure.NO_ANSWER,
}

_BY_CAUSE: dict[int, LegFailure] = {
    CAUSE_USER_BUSY: LegFailure.BUSY,
    CAUSE_NO_ANSWER: LegFailure.NO_ANSWER,
    CAUSE_CALL_REJECTED: LegFailure.REJECTED,
}


def leg_failure(dialstatus: str | None, cause: int | None) -> LegFailure:
    """Classify a leg that ended without ever being answered."""
    if cause == CAUSE_CALL_REJECTED:
        return LegFailure.REJECTED
    if dialstatus:
        found = _BY_DIALSTATUS.get(dialstatus.upper())
        if found is not None:
            return found
    if cause is not None:
        return _BY_CAUSE.get(cause, LegFailure.UNREACHABLE)
    # No dialstatus and no cause: the leg vanished while we were not looking (e.g. a resync
    # found it gone). Nothing says the agent refused, so do not blame them.
    return LegFailure.LOST


__all__ = [
    "CAUSE_CALL_REJECTED",
    "CAUSE_NORMAL_CLEARING",
    "CAUSE_NO_ANSWER",
    "CAUSE_USER_BUSY",
    "leg_failure",
]
