"""A real baresip as the taxpayer's phone, driven over its ctrl_tcp JSON interface."""

from __future__ import annotations

import json
import queue
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.hotline.softphone.kamailio import free_port, free_udp_and_tcp_port

MODULE_DIRS = (Path("/usr/lib/baresip/modules"), Path("/usr/local/lib/baresip/modules"))
# What a WebRTC peer needs from the far end: ICE, DTLS-SRTP and RTP/RTCP on one port; audio
# from a sine generator (no sound card on a CI machine) and played into a bridge nobody reads.
MODULES = ("opus", "ausine", "aubridge", "ice", "dtls_srtp", "srtp", "ctrl_tcp")
APP_MODULES = ("account", "menu")


def module_dir() -> Path | None:
    return next((d for d in MODULE_DIRS if (d / "dtls_srtp.so").is_file()), None)


def missing() -> str | None:
    if shutil.which("baresip") is None:
        return "baresip is not installed (Debian package baresip)"
    if module_dir() is None:
        return "baresip's dtls_srtp module is not installed (Debian package baresip)"
    return None


class Baresip:
    """One baresip process; `command` sends a ctrl_tcp command, `wait_event` reads its events."""

    def __init__(self, process: subprocess.Popen[bytes], control: socket.socket, log: Path):
        self.process = process
        self.log = log
        self._control = control
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self._control.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            # netstrings: <length>:<json>,
            while b":" in buffer:
                head, _, rest = buffer.partition(b":")
                length = int(head)
                if len(rest) < length + 1:
                    break
                self._events.put(json.loads(rest[:length]))
                buffer = rest[length + 1 :]

    def command(self, command: str, params: str = "") -> None:
        body = json.dumps({"command": command, "params": params, "token": command}).encode()
        self._control.sendall(str(len(body)).encode() + b":" + body + b",")

    def wait_event(
        self, kind: str, param: str | None = None, timeout: float = 20.0
    ) -> dict[str, Any]:
        """The first unread event of type `kind` (e.g. CALL_ESTABLISHED), with `param` if given;
        the others read meanwhile are kept in `seen`."""

        def wanted(event: dict[str, Any]) -> bool:
            return event.get("type") == kind and (param is None or event.get("param") == param)

        for event in self.seen:
            if wanted(event):
                self.seen.remove(event)
                return event
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"baresip: no {kind} event; seen {self.seen}\n{self.log.read_text()[-4000:]}"
                )
            try:
                event = self._events.get(timeout=remaining)
            except queue.Empty:
                continue
            if event.get("event") and wanted(event):
                return event
            self.seen.append(event)


def free_sip_port() -> int:
    """A port free for SIP on UDP and TCP whose successor is free on TCP too: baresip also
    opens its SIP/TLS listener, always, on the port after `sip_listen`'s."""
    while True:
        port = free_udp_and_tcp_port()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


# Another process may take a probed port before baresip binds it; only that is worth a retry.
_PORT_TAKEN = "Address already in use"
_START_ATTEMPTS = 4


@contextmanager
def run_baresip(workdir: Path) -> Iterator[Baresip]:
    for attempt in range(1, _START_ATTEMPTS + 1):
        try:
            process, control, log = _start_baresip(workdir / f"attempt-{attempt}")
        except _PortTaken:
            if attempt == _START_ATTEMPTS:
                raise
            continue
        break
    try:
        yield Baresip(process, control, log)
    finally:
        control.close()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _PortTaken(RuntimeError):
    pass


def _start_baresip(workdir: Path) -> tuple[subprocess.Popen[bytes], socket.socket, Path]:
    modules = module_dir()
    assert modules is not None
    workdir.mkdir(parents=True)
    home = workdir / "baresip"
    home.mkdir()
    sip_port, control_port = free_sip_port(), free_port()
    lines = [
        f"sip_listen\t\t127.0.0.1:{sip_port}",
        f"module_path\t\t{modules}",
        *(f"module\t\t\t{name}.so" for name in MODULES),
        *(f"module_app\t\t{name}.so" for name in APP_MODULES),
        "audio_source\t\tausine,440",
        "audio_player\t\taubridge,nobody",
        "audio_alert\t\taubridge,nobody",
        "rtcp_mux\t\tyes",
        f"ctrl_tcp_listen\t\t127.0.0.1:{control_port}",
    ]
    (home / "config").write_text("\n".join(lines) + "\n")
    (home / "accounts").write_text(
        "<sip:taxpayer@127.0.0.1>;regint=0;medianat=ice;mediaenc=dtls_srtp;answermode=manual\n"
    )
    log = workdir / "baresip.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["baresip", "-f", str(home), "-4", "-s"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + 15
    while True:
        if process.poll() is not None:
            text = log.read_text()
            error = _PortTaken if _PORT_TAKEN in text else RuntimeError
            raise error(f"baresip exited at start-up:\n{text}")
        try:
            control = socket.create_connection(("127.0.0.1", control_port), timeout=0.2)
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise RuntimeError(f"baresip did not start:\n{log.read_text()}") from None
            time.sleep(0.05)
            continue
        control.settimeout(None)
        return process, control, log
