"""One service instance in a process of its own, publishing a numbered tick on the wallboard
topic every ``interval`` seconds (the other instance is in the test process):

    python -m tests.hotline.cluster.instance_process DATABASE_URL FD JWT_SECRET COUNT INTERVAL

FD is a listening socket inherited from the test (``tests.ports.listening_socket``): no port to
lose to another process between its choice and this one's start.

The ticks start once a wallboard is open on any instance, and go through the bridged bus as
the call engine's messages do on the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable

from pydantic import SecretStr

from hotline.config import AuthSettings, Settings
from hotline.deps import AppState
from hotline.main import create_app
from tests.ports import serve_inherited


def ticker(
    count: int, interval_s: float
) -> Callable[[AppState], Awaitable[Callable[[], Awaitable[None]]]]:
    async def start(state: AppState) -> Callable[[], Awaitable[None]]:
        async def tick() -> None:
            # From the moment a wallboard is open anywhere (the test's client on the other
            # instance): start-up times then do not matter.
            while not state.bus.watched("wallboard"):
                await asyncio.sleep(0.05)
            for n in range(1, count + 1):
                state.bus.publish("wallboard", {"type": "tick", "n": n})
                await asyncio.sleep(interval_s)

        task = asyncio.create_task(tick())

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        return stop

    return start


def main() -> None:
    url, fd, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    count, interval_s = int(sys.argv[4]), float(sys.argv[5])
    settings = Settings(database_url=url, auth=AuthSettings(jwt_secret=SecretStr(secret)))
    app = create_app(settings, components=[ticker(count, interval_s)])
    serve_inherited(app, fd)


if __name__ == "__main__":
    main()
