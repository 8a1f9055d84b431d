"""One instance of a cluster in a process of its own, for tests that kill it or cut it off.

    python -m tests.hotline.cluster.cluster_process DATABASE_URL FD SPEED INSTANCE_ID

FD is a listening socket inherited from the test (``tests.ports.listening_socket``): the port is
the test's before this process starts, so no one can take it in between.

The call engine runs under the leader lease (``leader_only``), with a short TTL so that the
tests stay short, ring timers sped up as the emulator's clock is, and open around the clock.
"""

from __future__ import annotations

import dataclasses
import sys

from pydantic import SecretStr

from cti.calls.controller import ControllerOptions
from hotline.cluster.leadership import leader_only
from hotline.config import AuthSettings, ClusterSettings, Settings
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.ports import inherited_port, serve_inherited

SCRAPE_TOKEN = "cluster-test-scrape"
JWT_SECRET = "cluster-test-jwt-secret-shared-by-every-instance"
TTL_S = 3.0  # the default: shorter flaps on a loaded 2-core CI machine


def settings(database_url: str, port: int, instance_id: str) -> Settings:
    return Settings(
        database_url=database_url,
        metrics_token=SecretStr(SCRAPE_TOKEN),
        auth=AuthSettings(jwt_secret=SecretStr(JWT_SECRET)),
        cluster=ClusterSettings(
            instance_id=instance_id,
            advertise_url=f"http://127.0.0.1:{port}",
            lease_ttl_s=TTL_S,
            renew_interval_s=TTL_S / 4,
            poll_interval_s=0.2,
        ),
    )


def main() -> None:
    database_url, fd, speed, instance_id = sys.argv[1:5]
    port = inherited_port(int(fd))  # the address to advertise
    policy = dataclasses.replace(default_policy(), service_hours=None)
    telephony = live_telephony(
        policy=policy,
        controller_options=ControllerOptions(timer_scale=float(speed)),
        connect_timeout_s=5.0,
    )
    app = create_app(
        settings(database_url, port, instance_id), components=[leader_only([telephony])]
    )
    serve_inherited(app, int(fd))


if __name__ == "__main__":
    main()
