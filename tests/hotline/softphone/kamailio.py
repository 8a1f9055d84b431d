"""A real kamailio on loopback: the SIP-over-WebSocket registrar/proxy of the softphone tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.ports import ADDRESS_IN_USE, AddressInUse, picked_port, start_retrying

TEMPLATE = Path(__file__).with_name("kamailio.cfg")
MODULE_DIRS = (
    Path("/usr/lib/x86_64-linux-gnu/kamailio/modules"),
    Path("/usr/lib/aarch64-linux-gnu/kamailio/modules"),
    Path("/usr/lib/kamailio/modules"),
)
START_S = 30.0


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_udp_and_tcp_port() -> int:
    """A port free for both protocols (baresip listens for SIP on UDP and TCP at once)."""
    while True:
        port = free_port(socket.SOCK_DGRAM)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def module_dir() -> Path | None:
    """Where the websocket module lives; None when kamailio-websocket-modules is absent."""
    return next((d for d in MODULE_DIRS if (d / "websocket.so").is_file()), None)


def missing() -> str | None:
    """Why kamailio cannot run here, or None."""
    if shutil.which("kamailio") is None and not Path("/usr/sbin/kamailio").exists():
        return "kamailio is not installed (Debian package kamailio)"
    if module_dir() is None:
        return "kamailio's websocket module is not installed (kamailio-websocket-modules)"
    return None


@dataclass
class Kamailio:
    sip_port: int
    ws_port: int
    user: str
    password: str
    log: Path

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    @property
    def agent_uri(self) -> str:
        return f"sip:{self.user}@127.0.0.1"

    def dial_uri(self) -> str:
        """What the caller dials: the agent's address of record, through this proxy."""
        return f"sip:{self.user}@127.0.0.1:{self.sip_port}"


@contextmanager
def run_kamailio(workdir: Path, *, user: str, password: str) -> Iterator[Kamailio]:
    # kamailio takes its ports as numbers in its configuration: picked beforehand, they may be
    # taken by someone else before it binds them, and it is then started again on new ones.
    process, running = start_retrying(lambda: _start(workdir, user=user, password=password))
    try:
        yield running
    finally:
        _stop(process)


def _start(workdir: Path, *, user: str, password: str) -> tuple[subprocess.Popen[bytes], Kamailio]:
    modules = module_dir()
    assert modules is not None
    sip_port, ws_port = picked_port(socket.SOCK_DGRAM), picked_port()
    config = (
        TEMPLATE.read_text()
        .replace("@SIP_PORT@", str(sip_port))
        .replace("@WS_PORT@", str(ws_port))
        .replace("@AGENT_USER@", user)
        .replace("@AGENT_PASSWORD@", password)
        .replace("@MODULES@", f"{modules}/")
    )
    cfg = workdir / "kamailio.cfg"
    cfg.write_text(config)
    log = workdir / "kamailio.log"
    binary = shutil.which("kamailio") or "/usr/sbin/kamailio"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "-f", str(cfg), "-DD", "-E", "-m", "32", "-M", "8", "-Y", str(workdir)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_listening(ws_port, process, log)
    except BaseException:
        _stop(process)
        raise
    return process, Kamailio(sip_port, ws_port, user, password, log)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    # Generous: kamailio loads its modules and forks its workers, slow on a loaded machine.
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace")
            if ADDRESS_IN_USE in said:
                raise AddressInUse(f"kamailio lost a port it was given:\n{said}")
            raise RuntimeError(f"kamailio exited at start-up:\n{said}")
        # Someone answering on the port is not enough: it may be whoever took it. kamailio
        # binds every listener before it forks its workers, so a worker means its own bind.
        if _has_children(process.pid):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                pass
        time.sleep(0.05)
    raise RuntimeError(f"kamailio did not listen on {port}:\n{log.read_text(errors='replace')}")


def _has_children(pid: int) -> bool:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        return bool(children.read_text().split())
    for stat in Path("/proc").glob("[0-9]*/stat"):  # kernels without the children file
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):
            return True
    return False
