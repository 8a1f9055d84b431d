"""Ports for the servers and children the tests start, without the "pick a free port" race.

Asking the kernel for a free port, closing the probe and handing the number to someone else
leaves a window in which anything on the machine can take the port: another test, another suite
run by someone else on the same CI host, or merely an outgoing connection's ephemeral port (they
come from the same range). On a loaded machine the window is seconds wide, and the child then
dies with "Address already in use". So, by preference:

- a child that can serve on an inherited socket gets one already bound and listening
  (:func:`listening_socket`, passed with ``pass_fds``; :func:`serve_inherited` on its side);
- a port that must refuse connections is kept bound without listening (:func:`refusing_port`):
  connects are refused, and nobody else can bind it meanwhile;
- a program that can only be given a number (kamailio, nginx, PostgreSQL) is started again on
  new ports when it says the address is in use (:func:`start_retrying`).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

# What the kernel's EADDRINUSE reads as in every program the tests start.
ADDRESS_IN_USE = "Address already in use"
ATTEMPTS = 8


class AddressInUse(RuntimeError):
    """A child could not bind the port it was given: someone took it; start again elsewhere."""


def listening_socket(backlog: int = 128) -> socket.socket:
    """A TCP socket on 127.0.0.1, on a port the kernel chose, already listening.

    Connects made before the child accepts wait in the backlog rather than being refused; the
    socket is inheritable so that ``subprocess.Popen(..., pass_fds=[sock.fileno()])`` hands it
    over. The parent closes its copy once the child runs, so that the port closes with the
    child (a test that kills the child then sees connections refused, as with a real server).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        sock.listen(backlog)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


def port_of(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def inherited_port(fd: int) -> int:
    """In a child process: the port of the socket inherited as ``fd``, which stays open."""
    sock = socket.socket(fileno=fd)
    try:
        return port_of(sock)
    finally:
        sock.detach()  # the descriptor is still to be served on


def serve_inherited(app: Any, fd: int) -> None:
    """In a child process: uvicorn serving ``app`` on the listening socket inherited as ``fd``
    (what ``uvicorn.run(app, host, port)`` does, minus binding the port)."""
    import uvicorn  # only children that serve the app need it

    sock = socket.socket(fileno=fd)  # family and type read from the descriptor itself
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


@contextmanager
def refusing_port(kind: int = socket.SOCK_STREAM) -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections for as long as the block runs.

    Bound but never listening: a TCP connect gets ECONNREFUSED at once, and the port cannot be
    taken by anything else meanwhile (a closed probe's port could be listening again by the
    time the test connects). The socket is yielded through :func:`holding` when the test wants
    to start listening on that very port later.
    """
    with holding(kind) as sock:
        yield port_of(sock)


@contextmanager
def holding(kind: int = socket.SOCK_STREAM) -> Iterator[socket.socket]:
    """A socket bound to a port of 127.0.0.1 the kernel chose, not listening, closed at the end."""
    sock = socket.socket(socket.AF_INET, kind)
    try:
        sock.bind(("127.0.0.1", 0))
        yield sock
    finally:
        sock.close()


def picked_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port free at this instant, for a program that only takes a number: start it with
    :func:`start_retrying`, since the port may be gone by the time the program binds it."""
    with holding(kind) as sock:
        return port_of(sock)


def start_retrying(start: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """``start()`` again (it picks new ports each time) while it raises :class:`AddressInUse`;
    the last refusal is raised when every attempt lost its port."""
    for attempt in range(1, attempts + 1):
        try:
            return start()
        except AddressInUse:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable: attempts must be at least 1")
