"""The telephony service as an app component (``create_app(settings, components=[...])``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cti.calls.ports import CallControl
from hotline.deps import AppState
from hotline.errors import ServiceUnavailableError
from hotline.telephony.database import start_cti_database, stop_cti_database
from hotline.telephony.service import TelephonyService
from routing import Policy

TELEPHONY_KEY = "telephony"

Stop = Callable[[], Awaitable[None]]
ControlSource = CallControl | Callable[[AppState], CallControl]


def telephony_component(
    control: ControlSource, *, policy: Policy | None = None
) -> Callable[[AppState], Awaitable[Stop]]:
    """Start a `TelephonyService` with `control` (or `control(state)` when it needs the state)
    and publish it as ``state.extras["telephony"]``."""

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
        state.extras[TELEPHONY_KEY] = service

        async def stop() -> None:
            state.extras.pop(TELEPHONY_KEY, None)
            await service.stop()
            await stop_cti_database(state, database)

        return stop

    return start


def get_telephony(state: AppState) -> TelephonyService:
    service = state.extras.get(TELEPHONY_KEY)
    if not isinstance(service, TelephonyService):
        raise ServiceUnavailableError("telephony is not running in this process")
    return service
