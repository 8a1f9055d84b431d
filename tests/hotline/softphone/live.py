"""The service and the ARI emulator on real loopback sockets, in a thread of their own.

The browser tests drive Chromium synchronously (playwright's sync API) while the service and the
emulator run on this thread's event loop; `run` executes a coroutine there and returns its result.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
import websockets

from cti.emulator import RunningEmulator, run_emulator
from hotline.config import Settings
from hotline.main import create_app
from hotline.roles import Role
from tests.fixtures.app import TEST_PASSWORD, create_user

T = TypeVar("T")
ARI_AUTH = ("hotline", "secret")


@dataclass
class LiveDesk:
    base_url: str
    agent_token: str
    emulator: RunningEmulator
    loop: asyncio.AbstractEventLoop

    def run(self, make: Callable[[], Awaitable[T]], timeout: float = 15.0) -> T:
        async def wrapped() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(timeout)


async def _seed(
    base_url: str, emulator: RunningEmulator, app: Any, account: tuple[str, str] | None
) -> str:
    maker = app.state.hotline.sessionmaker
    await create_user(maker, "admin", Role.ADMIN)
    await create_user(maker, "wang", Role.AGENT)
    async with httpx.AsyncClient(base_url=base_url) as client:
        tokens = {}
        for name in ("admin", "wang"):
            response = await client.post(
                "/api/v1/auth/token", data={"username": name, "password": TEST_PASSWORD}
            )
            response.raise_for_status()
            tokens[name] = response.json()["access_token"]
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        site = {
            "code": "hz",
            "name": "Hangzhou",
            "ari_url": emulator.ari_url,
            "ari_username": ARI_AUTH[0],
            "ari_password": ARI_AUTH[1],
        }
        (await client.post("/api/v1/sites", json=site, headers=admin)).raise_for_status()
        agent = {
            "code": "A1001",
            "name": "Agent Wang",
            "languages": ["zh"],
            "username": "wang",
            "endpoints": [{"site": "hz", "dial_string": "PJSIP/1001"}],
        }
        created = await client.post("/api/v1/agents", json=agent, headers=admin)
        created.raise_for_status()
        if account is not None:
            sip_user, password = account
            (
                await client.put(
                    f"/api/v1/agents/{created.json()['id']}/softphone/hz",
                    json={"sip_user": sip_user, "password": password},
                    headers=admin,
                )
            ).raise_for_status()
    token: str = tokens["wang"]
    return token


@contextmanager
def live_desk(
    tmp_path: Path,
    *,
    softphone: dict[str, Any] | None = None,
    account: tuple[str, str] | None = None,
) -> Iterator[LiveDesk]:
    """The service with `softphone` settings (default: emulator mode) and agent wang on
    PJSIP/1001, with the softphone `account` (sip user, password) when given."""
    ready: list[LiveDesk] = []
    failure: list[BaseException] = []
    started = threading.Event()
    stop: list[asyncio.Event] = []

    async def main() -> None:
        async with run_emulator(port=0, speed=1.0) as emulator:
            settings = Settings(
                database_url=f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}",
                softphone=softphone or {"mode": "emulator"},
            )
            app = create_app(settings)
            server = uvicorn.Server(
                uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
            )
            serving = asyncio.create_task(server.serve())
            while not server.started:
                if serving.done():
                    serving.result()
                await asyncio.sleep(0.01)
            port = server.servers[0].sockets[0].getsockname()[1]
            base_url = f"http://127.0.0.1:{port}"
            # The Stasis app the agent legs are originated into (the CTI would hold it).
            app_socket = await websockets.connect(
                f"{emulator.ws_url}?app=hotline&api_key={ARI_AUTH[0]}:{ARI_AUTH[1]}"
            )
            try:
                token = await _seed(base_url, emulator, app, account)
                stop.append(asyncio.Event())
                ready.append(LiveDesk(base_url, token, emulator, asyncio.get_running_loop()))
                started.set()
                await stop[0].wait()
            finally:
                await app_socket.close()
                server.should_exit = True
                await serving

    def thread_main() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:
            failure.append(error)
            started.set()

    thread = threading.Thread(target=thread_main, daemon=True)
    thread.start()
    started.wait(60)
    if failure:
        raise failure[0]
    desk = ready[0]
    try:
        yield desk
    finally:
        desk.loop.call_soon_threadsafe(stop[0].set)
        thread.join(30)
