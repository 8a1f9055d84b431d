"""The private PostgreSQL server of the restart test takes another port when the one picked for
it was taken before its first start (nobody knows its address yet)."""

from __future__ import annotations

import pytest

from tests.hotline.live.private_postgres import PrivatePostgres, unavailable_reason
from tests.ports import listening_socket, port_of


def test_the_first_start_moves_to_another_port_when_its_own_was_taken() -> None:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"no private PostgreSQL server: {reason}")
    server = PrivatePostgres()
    try:
        with listening_socket() as squatter:  # someone else took the port meanwhile
            taken = port_of(squatter)
            server.port = taken
            server.start()
            assert server.port != taken
            assert f":{server.port}/" in server.url
    finally:
        server.remove()
