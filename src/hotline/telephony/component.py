"""The telephony service as an app component (``create_app(settings, components=[...])``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cti.calls.ports import CallControl
from hotline.centre.live import DEFAULT_POLL_S, FOLLOWER_KEY, ConfigFollower
from hotline.deps import AppState
from hotline.errors import ServiceUnavailableError
from hotline.telephony.database import start_cti_database, stop_cti_database
from hotline.telephony.service import TelephonyService
from routing import Policy

TELEPHONY_KEY = "telephony"

Stop = Callable[[], Awaitable[None]]
ControlSource = CallControl | Callable[[AppState], CallControl]


def telephony_component(
    control: ControlSource,
    *,
    policy: Policy | None = None,
    follow_config: bool = True,
    config_poll_s: float = DEFAULT_POLL_S,
    always_open: bool = False,
) -> Callable[[AppState], Awaitable[Stop]]:
    """Start a `TelephonyService` with `control` (or `control(state)` when it needs the state)
    and publish it as ``state.extras["telephony"]``.

    ``follow_config``: the service runs the configuration version in force (hotline.centre),
    from start-up and whenever another takes force; ``policy`` serves until one is published.
    ``always_open`` ignores the versions' service hours (the demo)."""

    async def start(state: AppState) -> Stop:
        chosen = control(state) if callable(control) else control
        database = await start_cti_database(state)
        service = TelephonyService(
            sessionmaker=database.sessionmaker,
            clock=state.clock,
            bus=state.bus,
            control=chosen,
            policy=policy,
            writes=database.writes,
            api_sessionmaker=state.sessionmaker,
        )
        await service.start()
        unfollow = (
            await follow_configuration(
                state, service, poll_s=config_poll_s, always_open=always_open
            )
            if follow_config
            else None
        )
        state.extras[TELEPHONY_KEY] = service

        async def stop() -> None:
            state.extras.pop(TELEPHONY_KEY, None)
            if unfollow is not None:
                await unfollow()
            await service.stop()
            await stop_cti_database(state, database)

        return stop

    return start


async def follow_configuration(
    state: AppState,
    service: TelephonyService,
    *,
    poll_s: float = DEFAULT_POLL_S,
    always_open: bool = False,
) -> Stop:
    """Make ``service`` run the configuration version in force, now and whenever another
    takes force; published as ``state.extras["config_follower"]`` for the API to wake."""
    follower = ConfigFollower(
        state.sessionmaker,
        state.clock,
        service.apply_config,
        poll_s=poll_s,
        always_open=always_open,
    )
    await follower.check()  # the version in force before the first call
    follower.start()
    state.extras[FOLLOWER_KEY] = follower

    async def stop() -> None:
        state.extras.pop(FOLLOWER_KEY, None)
        await follower.stop()

    return stop


def get_telephony(state: AppState) -> TelephonyService:
    service = state.extras.get(TELEPHONY_KEY)
    if not isinstance(service, TelephonyService):
        raise ServiceUnavailableError("telephony is not running in this process")
    return service
