"""The built-in dialplan of the recordings' lab, as small generator programs.

A program runs on one channel and yields how many emulated seconds to wait before its next step
(`FOREVER` parks it, e.g. inside Stasis).  It acts through a `Line`, the channel-side operations a
dialplan application can perform; the core implements `Line` and emits the matching ARI events.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Protocol

from cti.ari.fallback import FALLBACK_CALLS

FOREVER = math.inf
Program = Generator[float, None, None]
ProgramFactory = Callable[["Line"], Program]

DTMF_SPACING_S = 0.35  # SendDTMF on the lab phones: one digit every ~350 ms
DTMF_FIRST_S = 0.2
FALLBACK_ANNOUNCEMENT_S = 4.0  # "the service is busy, please hold" before the dialplan queue
ANSWER_SETTLE_S = 0.5  # the Local pair settles ~0.5 s after answer (Wait + ChannelCallerId noise)


class Line(Protocol):
    """What a dialplan application may do to the channel it runs on."""

    @property
    def exten(self) -> str: ...

    @property
    def context(self) -> str: ...

    @property
    def caller_name(self) -> str: ...

    @property
    def caller_number(self) -> str: ...

    def app(self, name: str, data: str = "", priority: int | None = None) -> None: ...

    def var(self, name: str, default: str = "") -> str: ...

    def global_var(self, name: str) -> str:
        """``${GLOBAL(name)}``: "" when unset."""
        ...

    def set_global(self, name: str, value: str) -> None:
        """``Set(GLOBAL(name)=value)``."""
        ...

    def ringing(self) -> None: ...

    def answer(self) -> None: ...

    def busy(self) -> None: ...

    def congestion(self) -> None: ...

    def hangup(self, cause: int = 16) -> None: ...

    def send_dtmf(self, digits: str) -> float:
        """Send digits to the other side; returns how long sending takes."""
        ...

    def stasis(self, app: str, args: list[str]) -> bool:
        """Enter Stasis; False when the app has no connected websocket (STASISSTATUS=FAILED)."""
        ...

    def settle_noise(self) -> None:
        """The ChannelCallerId that follows a Local answer once the pair settles."""
        ...


def _as_seconds(text: str, default: float) -> float:
    try:
        return float(text)
    except ValueError:
        return default


# ---------------------------------------------------------------------------- [inbound]
def inbound(line: Line) -> Program:
    """`12366 -> Stasis(hotline,inbound,${EXTEN})`; a failed Stasis falls through to hang-up."""
    line.app("NoOp", f'12366 hotline inbound call from "{line.caller_name}" <{line.caller_number}>')
    line.app("Stasis", f"hotline,inbound,{line.exten}")
    if line.stasis("hotline", ["inbound", line.exten]):
        yield FOREVER
    line.hangup(16)


def inbound_with_fallback(line: Line) -> Program:
    """The production dialplan of docs/cti.md (the lab's ``inbound`` has no fallback; register
    this one for ``inbound``/``12366`` to run it): when Stasis fails because no service is
    connected, the call is counted in ``HOTLINE_FALLBACK_CALLS`` and hears the announcement;
    the emulator has no Queue() members, so it then hangs up."""
    line.app("NoOp", f'12366 hotline inbound call from "{line.caller_name}" <{line.caller_number}>')
    line.app("Stasis", f"hotline,inbound,{line.exten}")
    if line.stasis("hotline", ["inbound", line.exten]):
        yield FOREVER
    line.app("GotoIf", '$["${STASISSTATUS}" = "FAILED"]?fallback')
    counted = int("0" + line.global_var(FALLBACK_CALLS)) + 1
    line.app("Set", f"GLOBAL({FALLBACK_CALLS})=$[0${{GLOBAL({FALLBACK_CALLS})}} + 1]")
    line.set_global(FALLBACK_CALLS, str(counted))
    line.app("Playback", "hotline-fallback")
    yield FALLBACK_ANNOUNCEMENT_S
    line.hangup(16)


# ---------------------------------------------------------------------------- [sim]
def sim_caller(line: Line) -> Program:
    """The taxpayer's phone: optional DTMF twice, then hang up after SIM_HANGUP_AFTER seconds."""
    dtmf = line.var("SIM_DTMF")
    delay = _as_seconds(line.var("SIM_DTMF_DELAY", "3"), 3.0)
    dtmf2 = line.var("SIM_DTMF2")
    delay2 = _as_seconds(line.var("SIM_DTMF2_DELAY", "3"), 3.0)
    hangup_after = _as_seconds(line.var("SIM_HANGUP_AFTER", "120"), 120.0)
    shown_delay = line.var("SIM_DTMF_DELAY")
    line.app(
        "NoOp",
        f"sim caller dtmf={dtmf} delay={shown_delay} hangup_after={line.var('SIM_HANGUP_AFTER')}",
        priority=1,
    )
    line.app("GotoIf", f"{int(not dtmf)}?wait", priority=2)
    if dtmf:
        line.app("Wait", f"{delay:g}", priority=3)
        yield delay
        line.app("SendDTMF", dtmf, priority=4)
        yield line.send_dtmf(dtmf)
        if dtmf2:
            line.app("Wait", f"{delay2:g}", priority=6)
            yield delay2
            line.app("SendDTMF", dtmf2, priority=7)
            yield line.send_dtmf(dtmf2)
    line.app("Wait", f"{hangup_after:g}", priority=8)
    yield hangup_after
    line.hangup(16)


# ---------------------------------------------------------------------------- [agents]
def ring_then_answer(ring_s: float) -> ProgramFactory:
    def program(line: Line) -> Program:
        line.app("NoOp", f"agent softphone {line.exten}: ring {ring_s:g}s then answer")
        line.app("Ringing")
        line.app("Wait", f"{ring_s:g}")
        line.ringing()
        yield ring_s
        line.app("Answer")
        line.answer()
        yield ANSWER_SETTLE_S
        line.app("Wait", "600")
        line.settle_noise()
        yield 600.0 - ANSWER_SETTLE_S
        line.hangup(16)

    return program


def never_answers(line: Line) -> Program:
    line.app("NoOp", f"agent {line.exten} never answers")
    line.app("Ringing")
    line.app("Wait", "600")
    line.ringing()
    yield 600.0
    line.hangup(16)


def busy(line: Line) -> Program:
    line.app("NoOp", f"agent {line.exten} busy")
    line.app("Ringing")
    line.app("Wait", "1")
    line.ringing()
    yield 1.0
    line.app("Busy", "5")
    line.busy()


def congestion(line: Line) -> Program:
    line.app("NoOp", f"agent {line.exten} congestion")
    line.app("Wait", "1")
    yield 1.0
    line.app("Congestion", "5")
    line.congestion()


def rejects(line: Line) -> Program:
    line.app("NoOp", f"agent {line.exten} rejects")
    line.app("Wait", "1")
    yield 1.0
    line.app("Hangup", "21")
    line.hangup(21)


def answers_then_hangs_up(line: Line) -> Program:
    line.app("NoOp", f"agent {line.exten} answers then hangs up after 5s")
    line.app("Ringing")
    line.app("Wait", "2")
    line.ringing()
    yield 2.0
    line.app("Answer")
    line.answer()
    line.app("Wait", "5")
    yield 5.0
    line.app("Hangup")
    line.hangup(16)


def answers_then_sends_dtmf(line: Line) -> Program:
    line.app("NoOp", f"agent {line.exten} answers then sends DTMF *2")
    line.app("Ringing")
    line.app("Wait", "2")
    line.ringing()
    yield 2.0
    line.app("Answer")
    line.answer()
    line.app("Wait", "1")
    yield 1.0
    line.app("SendDTMF", "*2")
    yield line.send_dtmf("*2")
    line.app("Wait", "600")
    yield 600.0
    line.hangup(16)


# ---------------------------------------------------------------------------- [after-stasis]
def after_stasis(line: Line) -> Program:
    line.app("Playback", "vm-goodbye")
    yield 1.0
    line.app("Hangup")
    line.hangup(16)


_FIXED_AGENTS: dict[str, ProgramFactory] = {
    "2001": never_answers,
    "2002": busy,
    "2003": congestion,
    "2004": rejects,
    "2005": answers_then_hangs_up,
    "2006": answers_then_sends_dtmf,
}


class Dialplan:
    """Extension lookup: the lab's contexts plus programs registered at runtime."""

    def __init__(self) -> None:
        self._extra: dict[tuple[str, str], ProgramFactory] = {}

    def register(self, context: str, exten: str, program: ProgramFactory) -> None:
        self._extra[(context, exten)] = program

    def unregister(self, context: str, exten: str) -> None:
        self._extra.pop((context, exten), None)

    def lookup(self, context: str, exten: str) -> ProgramFactory | None:
        extra = self._extra.get((context, exten))
        if extra is not None:
            return extra
        if context == "inbound" and exten == "12366":
            return inbound
        if context == "sim" and exten == "caller":
            return sim_caller
        if context == "after-stasis" and exten == "s":
            return after_stasis
        if context == "agents":
            if exten in _FIXED_AGENTS:
                return _FIXED_AGENTS[exten]
            if len(exten) == 4 and exten.isdigit() and exten.startswith("10"):
                return ring_then_answer(2.0)
            if len(exten) == 4 and exten.isdigit() and exten.startswith("11"):
                return ring_then_answer(8.0)
        return None
