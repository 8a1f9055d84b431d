"""The warm-up a standby runs before any takeover (``cti.ari.client.warm_up``)."""

from __future__ import annotations

import subprocess
import sys

# In a fresh interpreter: the test process has long imported whatever an earlier test used.
_SCRIPT = """
import asyncio, sys
from cti.ari import client
assert "httpcore" not in sys.modules, "imported before the warm-up: nothing left to check"
asyncio.run(client.warm_up())
print("httpcore" in sys.modules, "h11" in sys.modules, client._list_adapter.cache_info().currsize)
"""


def test_the_warm_up_loads_what_the_first_requests_of_a_takeover_would() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    # httpx's transport and parser are imported, and the validators of the two lists a resync
    # reads first (channels, bridges) are built.
    assert done.stdout.split() == ["True", "True", "2"]
