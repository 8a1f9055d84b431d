"""A PostgreSQL server of the test's own, to stop and start at will (the machine's shared one
serves other work and must not be restarted).

``initdb`` and ``pg_ctl`` from ``HOTLINE_TEST_PG_BIN`` (default: Debian's PostgreSQL 15 folder);
as root, the server runs as the ``postgres`` user (PostgreSQL refuses to run as root). The data
folder lives under ``/tmp`` rather than pytest's ``tmp_path``, which other users cannot enter.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.ports import ADDRESS_IN_USE, ATTEMPTS, picked_port

DEFAULT_BIN = "/usr/lib/postgresql/15/bin"
# How long a restart waits for its port to be free again (see PrivatePostgres.start).
REBIND_S = 30.0


def unavailable_reason() -> str | None:
    """Why a private server cannot be started here (None: it can)."""
    bin_dir = Path(os.environ.get("HOTLINE_TEST_PG_BIN", DEFAULT_BIN))
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (bin_dir / tool).exists():
            return f"no {tool} in {bin_dir} (set HOTLINE_TEST_PG_BIN to PostgreSQL's bin folder)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser: PostgreSQL cannot be started as root"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run PostgreSQL as"
    return None


class PrivatePostgres:
    """One initialised cluster on a free port; :meth:`start` and :meth:`stop` as often as wanted."""

    def __init__(self) -> None:
        self.bin_dir = Path(os.environ.get("HOTLINE_TEST_PG_BIN", DEFAULT_BIN))
        self.root = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        self.data = self.root / "data"
        self.port = picked_port()
        self._started_once = False
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """Start the server, on a port that may have been taken since it was picked.

        The first start takes another port then (nobody knows the URL yet). A restart must keep
        its port, which the service under test connects to: it tries again until the port is
        free, which it soon is when what took it was an outgoing connection's ephemeral port.
        """
        deadline = time.monotonic() + REBIND_S
        attempts = 1
        while not self._try_start():
            lost = f"PostgreSQL could not bind 127.0.0.1:{self.port}: {ADDRESS_IN_USE}"
            if not self._started_once:
                if attempts == ATTEMPTS:
                    raise RuntimeError(f"{lost} ({attempts} ports tried)")
                self.port = picked_port()
            else:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{lost} (for {REBIND_S:.0f} s)")
                time.sleep(0.5)
            attempts += 1
        self._started_once = True

    def _try_start(self) -> bool:
        """True once started; False when its port was in use; other failures raise."""
        # fsync off: the test restarts the server cleanly; durability across a power cut is not
        # what it probes, and syncing would only slow a shared machine.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        log = self.root / "server.log"
        logged = log.stat().st_size if log.exists() else 0
        data = str(self.data)
        try:
            self._run(
                "pg_ctl", "-D", data, "-l", str(log), "-w", "-t", "60", "-o", options, "start"
            )
        except subprocess.CalledProcessError:
            with log.open("rb") as said:  # what this attempt logged, not the earlier ones
                said.seek(logged)
                if ADDRESS_IN_USE in said.read().decode(errors="replace"):
                    return False
            raise
        return True

    def stop(self) -> None:
        """A fast shutdown: open sessions are cut (57P01) and new connections refused."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def remove(self) -> None:
        """Stop the server if it runs, and delete its folder."""
        status = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "status"]
        if self._as_postgres:
            status = ["runuser", "-u", "postgres", "--", *status]
        if subprocess.run(status, capture_output=True, timeout=30).returncode == 0:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
