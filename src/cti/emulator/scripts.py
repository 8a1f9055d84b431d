"""Scriptable taxpayers and agent endpoints, beyond the lab's fixed extensions.

`AgentScript` turns into a dialplan program run by the far end of an agent leg (a Local `;2` or a
PJSIP device channel).  `TaxpayerScript` drives the phone half of an inbound call: it reacts to the
events the emulator emits about its line (prompts, bridging) exactly as a caller would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from cti.emulator.dialplan import FOREVER, Line, Program, ProgramFactory
from cti.emulator.model import Json

if TYPE_CHECKING:
    from cti.emulator.core import Asterisk
    from cti.emulator.model import Channel

AgentBehaviour = Literal[
    "answer", "busy", "congestion", "no_answer", "reject", "hang_up", "unreachable"
]
"""``congestion``: Congestion() like the lab's 2003; ``hang_up``: the phone rings, then hangs up
with cause 16 before answering (a taxpayer who gives up on a call back). A phone a *person*
answers is not a behaviour: see ``cti.emulator.phones`` (``/_emulator/phones``)."""


@dataclass(frozen=True)
class AgentScript:
    """How an agent's softphone reacts when the CTI rings it.

    answer_after_s: ringing time before the behaviour happens (answer, busy or reject).
    talk_s: after answering, the agent hangs up after this long (None: the CTI ends the call).
    hangup_after_s: for "busy", "congestion", "reject" and "hang_up", ringing time before refusing
      (default: answer_after_s).
    dtmf_after_answer: optional (delay_s, digits) the agent keys after answering (e.g. "*2").
    """

    answer_after_s: float = 2.0
    talk_s: float | None = None
    behaviour: AgentBehaviour = "answer"
    hangup_after_s: float | None = None
    dtmf_after_answer: tuple[float, str] | None = None

    @property
    def reachable(self) -> bool:
        return self.behaviour != "unreachable"

    def program(self) -> ProgramFactory:
        script = self

        def run(line: Line) -> Program:
            line.app("NoOp", f"scripted agent {line.exten}: {script.behaviour}")
            if script.behaviour != "reject":
                line.ringing()
            if script.behaviour == "no_answer":
                yield FOREVER
                return
            refuse_after = (
                script.hangup_after_s
                if script.hangup_after_s is not None
                else script.answer_after_s
            )
            if script.behaviour == "busy":
                yield refuse_after
                line.busy()
                return
            if script.behaviour == "congestion":
                yield refuse_after
                line.congestion()
                return
            if script.behaviour in ("reject", "hang_up"):
                yield refuse_after
                line.hangup(21 if script.behaviour == "reject" else 16)
                return
            yield script.answer_after_s
            line.answer()
            talked = 0.0
            if script.dtmf_after_answer is not None:
                delay, digits = script.dtmf_after_answer
                yield delay
                sending = line.send_dtmf(digits)
                yield sending
                talked = delay + sending
            if script.talk_s is None:
                yield FOREVER
                return
            yield max(0.0, script.talk_s - talked)
            line.hangup(16)

        return run

    @classmethod
    def from_json(cls, body: Json) -> AgentScript:
        dtmf = body.get("dtmf_after_answer")
        return cls(
            answer_after_s=float(body.get("answer_after_s", 2.0)),
            talk_s=None if body.get("talk_s") is None else float(body["talk_s"]),
            behaviour=body.get("behaviour", "answer"),
            hangup_after_s=(
                None if body.get("hangup_after_s") is None else float(body["hangup_after_s"])
            ),
            dtmf_after_answer=None if dtmf is None else (float(dtmf[0]), str(dtmf[1])),
        )


@dataclass(frozen=True)
class TaxpayerScript:
    """A caller on the trunk.  Delays are emulated seconds.

    dtmf: (delay_s, digits) pairs keyed in order after the call is answered, each delay counted
      from the end of the previous step.
    patience_s: hang up if not talking to someone in a mixing bridge this long after answer.
    hangup_after_answer_s: hang up this long after answer whatever happens.
    press_on_prompt: media URI (or sound name) -> digits keyed 1 s after that prompt starts.
    survey_digit: keyed 1 s after the first prompt that starts once the agent has left.
    """

    caller_number: str = "13800138000"
    caller_name: str = "Taxpayer"
    dialled: str = "12366"
    dtmf: Sequence[tuple[float, str]] = ()
    patience_s: float | None = None
    hangup_after_answer_s: float = 180.0
    press_on_prompt: dict[str, str] = field(default_factory=dict)
    survey_digit: str | None = None
    ring_timeout_s: float = 120.0
    press_delay_s: float = 1.0

    @classmethod
    def from_json(cls, body: Json) -> TaxpayerScript:
        return cls(
            caller_number=str(body.get("caller_number", "13800138000")),
            caller_name=str(body.get("caller_name", "Taxpayer")),
            dialled=str(body.get("dialled", "12366")),
            dtmf=tuple((float(d), str(k)) for d, k in body.get("dtmf", [])),
            patience_s=None if body.get("patience_s") is None else float(body["patience_s"]),
            hangup_after_answer_s=float(body.get("hangup_after_answer_s", 180.0)),
            press_on_prompt={str(k): str(v) for k, v in body.get("press_on_prompt", {}).items()},
            survey_digit=None if body.get("survey_digit") is None else str(body["survey_digit"]),
            ring_timeout_s=float(body.get("ring_timeout_s", 120.0)),
        )


class TaxpayerPhone:
    """The phone half (`;1`) of one scripted inbound call."""

    def __init__(self, core: Asterisk, script: TaxpayerScript, phone: Channel) -> None:
        self.core = core
        self.script = script
        self.phone = phone
        assert phone.peer is not None
        self.line = phone.peer  # the `;2` half the application controls
        self.talked = False
        self.surveyed = False
        self.pressed: list[str] = []

    # --------------------------------------------------------------- the phone's "dialplan"
    def program(self, line: Line) -> Program:
        script = self.script
        line.app("NoOp", f"scripted taxpayer {script.caller_number}")
        self.core.later(self.phone, script.hangup_after_answer_s, self._give_up)
        if script.patience_s is not None:
            self.core.later(self.phone, script.patience_s, self._out_of_patience)
        for delay, digits in script.dtmf:
            yield delay
            yield self.press(digits)
        yield FOREVER

    def press(self, digits: str) -> float:
        if self.phone.destroyed:
            return 0.0
        self.pressed.append(digits)
        return self.core.send_dtmf_from(self.phone, digits)

    def _give_up(self) -> None:
        self.core.device_hangup(self.phone, 16)

    def _out_of_patience(self) -> None:
        if not self._talking():
            self.core.device_hangup(self.phone, 16)

    def _talking(self) -> bool:
        bridge = self.core.bridges.get(self.line.bridge_id or "")
        return bridge is not None and bridge.bridge_type == "mixing" and len(bridge.channel_ids) > 1

    # --------------------------------------------------------------- reacting to the app
    def observe(self, event_type: str, fields: Json) -> None:
        if self.phone.destroyed:
            self.core.observers.pop(self.line.id, None)
            return
        if event_type == "ChannelEnteredBridge" and self._talking():
            self.talked = True
        if event_type != "PlaybackStarted":
            return
        playback = fields["playback"]
        target = playback["target_uri"]
        if target != f"channel:{self.line.id}" and target != f"bridge:{self.line.bridge_id}":
            return
        media = str(playback["media_uri"])
        digits = self.script.press_on_prompt.get(media) or self.script.press_on_prompt.get(
            media.partition(":")[2]
        )
        if digits is None and self.talked and not self._talking() and not self.surveyed:
            digits = self.script.survey_digit
            self.surveyed = digits is not None
        if digits:
            chosen = digits

            def press_later() -> None:
                self.press(chosen)

            self.core.later(self.phone, self.script.press_delay_s, press_later)
