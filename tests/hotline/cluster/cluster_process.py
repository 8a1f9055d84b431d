"""One instance of a cluster in a process of its own, for tests that kill it or cut it off.

    python -m tests.hotline.cluster.cluster_process DATABASE_URL FD SPEED INSTANCE_ID

FD is a listening socket inherited from the test (``tests.ports.listening_socket``): the port is
the test's before this process starts, so no one can take it in between.

The call engine runs under the leader lease (``leader_only``), with a short TTL so that the
tests stay short, ring timers sped up as the emulator's clock is, and open around the clock.
Nobody can ever serve the ``local_tax`` line (no agent has the skill and it has no overflow
stage): its callers are diverted at once and leave a voicemail that becomes a work order.
With ``LEADER_WORKERS=1`` in the environment the leader also runs the escalation sweeper and
the notice delivery worker, each polling every ``WORKER_POLL_S`` (the failover test's work
orders; the other tests leave them out).
"""

from __future__ import annotations

import dataclasses
import os
import sys

from pydantic import SecretStr

from cti.calls.controller import ControllerOptions
from hotline.cluster.leadership import leader_only
from hotline.config import AuthSettings, ClusterSettings, Settings
from hotline.main import Component, create_app, live_telephony
from hotline.workorders.delivery import delivery_component
from hotline.workorders.sweeper import sweeper_component
from routing import Policy, default_policy
from tests.ports import inherited_port, serve_inherited

SCRAPE_TOKEN = "cluster-test-scrape"
JWT_SECRET = "cluster-test-jwt-secret-shared-by-every-instance"
TTL_S = 3.0  # the default: shorter flaps on a loaded 2-core CI machine
WORKERS_ENV = "LEADER_WORKERS"
WORKER_POLL_S = 0.2


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


def policy() -> Policy:
    """Open around the clock; ``local_tax`` without its overflow stage, so that no agent of the
    tests' centre (national tax only) could ever serve it: ``on_no_agents`` (voicemail)."""
    policy = dataclasses.replace(default_policy(), service_hours=None)
    local = policy.lines["local_tax"]
    unserved = dataclasses.replace(local, stages=tuple(s for s in local.stages if not s.overflow))
    return dataclasses.replace(policy, lines={**policy.lines, "local_tax": unserved})


def main() -> None:
    database_url, fd, speed, instance_id = sys.argv[1:5]
    port = inherited_port(int(fd))  # the address to advertise
    telephony = live_telephony(
        policy=policy(),
        controller_options=ControllerOptions(timer_scale=float(speed)),
        connect_timeout_s=5.0,
    )
    components: list[Component] = [telephony]
    if os.environ.get(WORKERS_ENV) == "1":
        components.append(sweeper_component(interval_seconds=WORKER_POLL_S, workers=1))
        components.append(delivery_component())
    app = create_app(
        settings(database_url, port, instance_id), components=[leader_only(components)]
    )
    serve_inherited(app, int(fd))


if __name__ == "__main__":
    main()
