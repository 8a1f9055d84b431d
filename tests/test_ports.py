"""The port helpers the suite's servers and children rely on (tests/ports.py)."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys

import pytest

from tests.ports import (
    AddressInUse,
    holding,
    listening_socket,
    port_of,
    refusing_port,
    start_retrying,
)


def test_a_refusing_port_refuses_and_cannot_be_taken_meanwhile() -> None:
    with refusing_port() as port:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5)
        with socket.socket() as intruder, pytest.raises(OSError) as taken:
            intruder.bind(("127.0.0.1", port))
        assert taken.value.errno == errno.EADDRINUSE


def test_a_held_socket_can_start_listening_on_its_own_port() -> None:
    with holding() as sock:
        port = port_of(sock)
        sock.listen()
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            accepted, _ = sock.accept()
            accepted.close()


def test_a_child_serves_on_the_listening_socket_it_inherits() -> None:
    child_code = (
        "import socket, sys\n"
        "server = socket.socket(fileno=int(sys.argv[1]))\n"
        "peer, _ = server.accept()\n"
        "peer.sendall(b'served by the child')\n"
        "peer.close()\n"
    )
    with listening_socket() as listener:
        port = port_of(listener)
        child = subprocess.Popen(
            [sys.executable, "-c", child_code, str(listener.fileno())],
            pass_fds=[listener.fileno()],
        )
    # The parent's copy is closed: only the child can answer on the port.
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.settimeout(30)
            assert client.recv(100) == b"served by the child"
    finally:
        assert child.wait(timeout=30) == 0


def test_start_retrying_starts_again_on_address_in_use_only() -> None:
    tries: list[int] = []

    def flaky() -> str:
        tries.append(len(tries))
        if len(tries) < 3:
            raise AddressInUse("taken")
        return "started"

    assert start_retrying(flaky) == "started"
    assert len(tries) == 3

    def always_taken() -> str:
        raise AddressInUse("taken again")

    with pytest.raises(AddressInUse):
        start_retrying(always_taken, attempts=2)

    def broken() -> str:
        raise RuntimeError("not a port problem")

    with pytest.raises(RuntimeError, match="not a port problem"):
        start_retrying(broken)
