"""Virus scanning of attachments before they are accepted: a command (clamscan) or clamd.

The scanner is pluggable by settings (``HOTLINE_ATTACHMENTS__SCAN_COMMAND`` or
``HOTLINE_ATTACHMENTS__SCAN_CLAMD``); with neither set, files are not scanned (the download
headers alone keep them from running in a browser). Both ways run off the event loop:

* the command is a child process (``asyncio.create_subprocess_exec``, no shell) given a
  temporary copy of the file as its last argument. Its exit status follows clamscan's
  convention: 0 clean, 1 infected (the signature is read from ``<path>: <name> FOUND``), any
  other status is a failure of the scanner;
* clamd is spoken to over its socket (a Unix path, or ``host:port``) with ``INSTREAM``, so the
  daemon needs no access to our files.

A scanner that fails or does not answer in time refuses the file (fail closed): an unscanned
file is never stored while scanning is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import struct
import tempfile
from dataclasses import dataclass
from typing import Protocol

_CLAMD_CHUNK = 64 * 1024
_FOUND = " FOUND"


@dataclass(frozen=True)
class ScanVerdict:
    """``signature`` is the name of what was found, None when the file is clean."""

    signature: str | None = None

    @property
    def infected(self) -> bool:
        return self.signature is not None


class ScannerFailed(Exception):
    """The scanner could not give a verdict (missing, crashed, timed out, refused)."""


class Scanner(Protocol):
    async def scan(self, data: bytes) -> ScanVerdict: ...


@dataclass(frozen=True)
class CommandScanner:
    """A clamscan-like command; the file's path is appended to ``argv``."""

    argv: tuple[str, ...]
    timeout_s: float

    @classmethod
    def parse(cls, command: str, timeout_s: float) -> CommandScanner:
        return cls(tuple(shlex.split(command)), timeout_s)

    async def scan(self, data: bytes) -> ScanVerdict:
        path = await asyncio.to_thread(_temporary_copy, data)
        try:
            status, output = await self._run(path)
        finally:
            await asyncio.to_thread(_remove, path)
        if status == 0:
            return ScanVerdict()
        if status == 1:
            return ScanVerdict(_signature_in(output, path) or "unnamed threat")
        raise ScannerFailed(f"{self.argv[0]} exited with status {status}: {output[-300:].strip()}")

    async def _run(self, path: str) -> tuple[int, str]:
        try:
            process = await asyncio.create_subprocess_exec(
                *self.argv,
                path,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
        except OSError as error:
            raise ScannerFailed(f"{self.argv[0]} could not be started: {error}") from error
        try:
            output, _ = await asyncio.wait_for(process.communicate(), self.timeout_s)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise ScannerFailed(
                f"{self.argv[0]} gave no verdict within {self.timeout_s:g} s"
            ) from None
        return int(process.returncode or 0), output.decode("utf-8", "replace")


@dataclass(frozen=True)
class ClamdScanner:
    """clamd's ``INSTREAM`` over a Unix socket path or ``host:port``."""

    address: str
    timeout_s: float

    async def scan(self, data: bytes) -> ScanVerdict:
        try:
            answer = await asyncio.wait_for(self._exchange(data), self.timeout_s)
        except TimeoutError:
            raise ScannerFailed(f"clamd at {self.address} gave no verdict in time") from None
        except OSError as error:
            raise ScannerFailed(f"clamd at {self.address} is unreachable: {error}") from error
        # "stream: OK" or "stream: Eicar-Signature FOUND" (or "... ERROR").
        verdict = answer.split(":", 1)[-1].strip()
        if verdict == "OK":
            return ScanVerdict()
        if verdict.endswith(_FOUND):
            return ScanVerdict(verdict.removesuffix(_FOUND).strip() or "unnamed threat")
        raise ScannerFailed(f"clamd at {self.address} answered: {answer}")

    async def _exchange(self, data: bytes) -> str:
        if ":" in self.address and not self.address.startswith("/"):
            host, port = self.address.rsplit(":", 1)
            reader, writer = await asyncio.open_connection(host, int(port))
        else:
            reader, writer = await asyncio.open_unix_connection(self.address)
        try:
            writer.write(b"zINSTREAM\0")
            for start in range(0, len(data), _CLAMD_CHUNK):
                chunk = data[start : start + _CLAMD_CHUNK]
                writer.write(struct.pack("!L", len(chunk)) + chunk)
                await writer.drain()
            writer.write(struct.pack("!L", 0))
            await writer.drain()
            answer = await reader.readuntil(b"\0")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        return answer.rstrip(b"\0").decode("utf-8", "replace").strip()


def scanner_for(command: str | None, clamd: str | None, timeout_s: float) -> Scanner | None:
    """The configured scanner (clamd first when both are set), None when none is."""
    if clamd:
        return ClamdScanner(clamd, timeout_s)
    if command:
        return CommandScanner.parse(command, timeout_s)
    return None


def _signature_in(output: str, path: str) -> str | None:
    for line in output.splitlines():
        if line.startswith(f"{path}: ") and line.endswith(_FOUND):
            return line[len(path) + 2 : -len(_FOUND)].strip()
    return None


def _temporary_copy(data: bytes) -> str:
    # Private to this user (mkstemp gives 0600); the scanner runs as the same user.
    handle, path = tempfile.mkstemp(prefix="hotline-scan-")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    return path


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


__all__ = [
    "ClamdScanner",
    "CommandScanner",
    "ScanVerdict",
    "Scanner",
    "ScannerFailed",
    "scanner_for",
]
