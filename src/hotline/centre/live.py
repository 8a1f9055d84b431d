"""The running service follows the version in force, without a restart.

:class:`ConfigFollower` reads the database: at start, every few seconds, at the moment a version
published for later takes force (the time is a row, so it survives a restart), and at once when
this process publishes (:meth:`ConfigFollower.wake`). A new version reaches the service as a
routing policy (waiting callers are re-evaluated under the new stages) and an IVR for new calls
(a call in the IVR keeps the menu it was given). With no version published the service keeps
what it was built with.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import MenuOption, PlanPrompts, by_language
from hotline.centre import store
from hotline.centre.document import CentreConfig, Sound
from hotline.centre.files import read_file
from hotline.clock import Clock
from hotline.telephony.menus import IvrMenus
from hotline.telephony.workdays import with_calendar
from routing import DivertTarget, Policy

log = structlog.get_logger(__name__)

FOLLOWER_KEY = "config_follower"  # AppState.extras: the follower of this process, if any
SOUND_PREFIX = "sound:hotline/"
DEFAULT_POLL_S = 5.0


def sound(name: str) -> str:
    return SOUND_PREFIX + name


def media_of(prompt: Sound, default_language: str) -> str:
    """The media item of a document's prompt: ``sound:hotline/<name>``, or for a prompt named
    per language the controller's ``bylang:`` item (the default language's entry first, the
    one a caller of another language hears)."""
    if isinstance(prompt, str):
        return sound(prompt)
    ordered = sorted(prompt.items(), key=lambda item: item[0] != default_language)
    return by_language({language: sound(name) for language, name in ordered})


def menus_of(config: CentreConfig) -> IvrMenus:
    ivr = config.document.ivr

    def media(prompt: Sound) -> str:
        return media_of(prompt, ivr.default_language)

    return IvrMenus(
        languages=tuple(MenuOption(o.digit, o.language, media(o.prompt)) for o in ivr.languages),
        lines=tuple(MenuOption(o.digit, o.line, media(o.prompt)) for o in ivr.lines),
        default_language=ivr.default_language,
        default_line=ivr.default_line,
        greeting=media(ivr.greeting),
        closed_message=media(ivr.closed_message),
        digit_timeout_s=ivr.digit_timeout_s,
        retries=ivr.retries,
        music_on_hold=ivr.music_on_hold,
        survey=config.document.survey.enabled,
        announce_position=config.document.announcements.position,
        announce_expected_wait=config.document.announcements.expected_wait,
        prompts=prompts_of(config),
        closed_asks_language=ivr.closed_asks_language,
        number_languages=tuple(sorted(ivr.number_languages.items())),
        **_diverts(config),
    )


def prompts_of(config: CentreConfig) -> PlanPrompts:
    """The sounds the call controller plays outside the menus, named by the document; each
    plays in the caller's language (``sounds/<language>/hotline/<name>`` on the site)."""
    prompts, survey = config.document.prompts, config.document.survey

    def media(prompt: Sound) -> str:
        return media_of(prompt, config.document.ivr.default_language)

    return PlanPrompts(
        invalid_choice=(media(prompts.invalid_choice),),
        # The numbers keep the shipped set's ``number-<n>`` (see ``ANNOUNCED_NUMBERS``).
        position=(media(prompts.position), media("number-{position}")),
        expected_wait=(
            media(prompts.expected_wait),
            media("number-{minutes}"),
            media(prompts.minutes),
        ),
        callback_offer=(media(prompts.callback_offer),),
        callback_request=(media(prompts.callback_request),),
        callback_confirmed=(media(prompts.callback_confirmed),),
        survey_prompt=(media(survey.prompt),),
        survey_thanks=(media(survey.thanks),),
        goodbye=(media(prompts.goodbye),),
    )


def _diverts(config: CentreConfig) -> dict[str, Any]:
    diverts = config.document.diverts
    voicemail = diverts.get("voicemail")

    def media(prompt: Sound) -> str:
        return media_of(prompt, config.document.ivr.default_language)

    fields: dict[str, Any] = {
        "divert_becomes": tuple((name, d.becomes) for name, d in sorted(diverts.items())),
        "divert_prompts": tuple((name, media(d.prompt)) for name, d in sorted(diverts.items())),
        "closed_voicemail": config.policy.default.on_closed is DivertTarget.VOICEMAIL,
    }
    if voicemail is not None:
        fields["voicemail_beep"] = voicemail.beep
        if voicemail.max_length_s is not None:
            fields["voicemail_max_length_s"] = max(1, round(voicemail.max_length_s))
    return fields


def live_policy(config: CentreConfig, *, always_open: bool = False) -> Policy:
    """The routing policy with its calendar attached; ``always_open`` drops the hours (the
    demo shows calls at any hour)."""
    policy = config.policy
    if always_open:
        return dataclasses.replace(policy, service_hours=None, line_hours={})
    if config.calendar == "chinese":
        return with_calendar(policy)
    return policy  # "weekdays": Monday to Friday and the document's special days only


Apply = Callable[[Policy, IvrMenus, int], Awaitable[None]]


class ConfigFollower:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        apply: Apply,
        *,
        poll_s: float = DEFAULT_POLL_S,
        always_open: bool = False,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._apply = apply
        self._poll_s = poll_s
        self._always_open = always_open
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.version: int | None = None  # the version applied
        self._next_at: datetime | None = None

    async def check(self) -> bool:
        """Apply the version in force if it is not the one applied; True when one was."""
        now = self._clock.now()
        async with self._sessionmaker() as session:
            row = await store.in_force(session, now)
            self._next_at = await store.next_change(session, now)
            if row is None or row.id == self.version:
                return False
            config = store.config_of(row)
            version = row.id
        await self._apply(
            live_policy(config, always_open=self._always_open), menus_of(config), version
        )
        log.info("config_applied", version=version, previous=self.version)
        self.version = version
        return True

    def wake(self) -> None:
        """Look again now (this process just published)."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:
                log.exception("config_check_failed")  # the old version stays; try again later
            delay = self._poll_s
            if self._next_at is not None:
                until = (self._next_at - self._clock.now()).total_seconds()
                delay = max(0.0, min(delay, until))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)


def wake_follower(extras: dict[str, Any]) -> None:
    """After a publish has committed: this process's live service looks at once."""
    follower = extras.get(FOLLOWER_KEY)
    if isinstance(follower, ConfigFollower):
        follower.wake()


async def publish_file_if_none(
    sessionmaker: async_sessionmaker[AsyncSession], path: Path, *, by: str, now: datetime
) -> int | None:
    """Publish ``path`` when no version exists yet (the demo's first start); its version."""
    async with sessionmaker() as session:
        if await store.count(session):
            return None
        config, text = read_file(path)
        row = await store.publish(
            session,
            store.Publication(
                config=config,
                source=text,
                reason=f"first start: {path.name}",
                by=by,
                base_version=None,
            ),
            now=now,
        )
        await session.commit()
        return row.id
