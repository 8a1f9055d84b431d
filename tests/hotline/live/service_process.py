"""The service with its call controller in a process of its own, for tests that kill it.

    python -m tests.hotline.live.service_process DATABASE_URL FD SPEED

FD is a listening socket inherited from the test (``tests.ports.listening_socket``), so that the
port cannot be taken by someone else between its choice and this process's start.

Open around the clock (the test must not depend on the hour) and with ring timers sped up as the
emulator's clock is; the centre is imported by the test before it starts this.
"""

from __future__ import annotations

import dataclasses
import sys

from cti.calls.controller import ControllerOptions
from hotline.config import Settings
from hotline.logs import configure_logging
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.ports import serve_inherited


def main() -> None:
    database_url, fd, speed = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    # As `hotline serve` does: plain tracebacks. Left unconfigured, structlog draws a logged
    # traceback with rich and pygments on the event loop, seconds each on a busy machine, and a
    # test that makes errors on purpose (the database stopped) saw the service stall for that.
    configure_logging("WARNING")
    policy = dataclasses.replace(default_policy(), service_hours=None)
    telephony = live_telephony(
        policy=policy, controller_options=ControllerOptions(timer_scale=speed)
    )
    app = create_app(Settings(database_url=database_url), components=[telephony])
    serve_inherited(app, fd)


if __name__ == "__main__":
    main()
