"""kamailio takes its ports as numbers: when one was taken between its choice and kamailio's
start, kamailio is started again on others rather than failing the test that needed it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests import ports
from tests.hotline.softphone import kamailio


def test_kamailio_starts_again_when_its_websocket_port_was_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reason = kamailio.missing()
    if reason is not None:
        pytest.skip(reason)
    with ports.listening_socket() as squatter:  # someone else listens there meanwhile
        taken = ports.port_of(squatter)
        handed: list[int] = []

        def picked(kind: int = socket.SOCK_STREAM) -> int:
            # The first websocket port handed out is the taken one; then the usual choice.
            port = taken if kind == socket.SOCK_STREAM and not handed else ports.picked_port(kind)
            if kind == socket.SOCK_STREAM:
                handed.append(port)
            return port

        monkeypatch.setattr(kamailio, "picked_port", picked)
        with kamailio.run_kamailio(tmp_path, user="2001", password="pw") as running:
            assert handed[0] == taken
            assert running.ws_port == handed[-1] != taken
            socket.create_connection(("127.0.0.1", running.ws_port), timeout=30).close()
