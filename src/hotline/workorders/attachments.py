"""Attachment files: what the bytes are (sniffed, never the uploader's word) and where they live.

The content type comes from the file's magic numbers (``puremagic``, a maintained pure-Python
table, so no libmagic on the host); plain text has no magic, so text is accepted only as UTF-8
or GB18030 without NUL bytes and without anything a browser would take for markup. Zip-based
Office files are told apart from plain zips by their parts (``word/``, ``xl/``).

Files are stored under a random key the server chooses (two-level fan-out), so nothing the
uploader names reaches the file system. File I/O runs in a thread: the event loop also serves
the telephony engine.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

import puremagic

OCTET_STREAM = "application/octet-stream"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a browser could sniff as markup or script if it ever ignored the headers.
_MARKUP_PREFIXES = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<head", b"<body")
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def _looks_like_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        head = data[:1024].lstrip().lower()
        return not head.startswith(_MARKUP_PREFIXES)
    return False


def _office_flavour(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if any(name.startswith("word/") for name in names):
        return _DOCX
    if any(name.startswith("xl/") for name in names):
        return _XLSX
    return None


def sniff(data: bytes) -> str:
    """The content type the bytes show, or ``application/octet-stream`` when none is known."""
    if not data:
        return OCTET_STREAM
    try:
        matches = puremagic.magic_string(data[:_SNIFF_BYTES])
    except puremagic.PureError:
        matches = []
    ranked = sorted(matches, key=lambda match: -float(match.confidence))
    types = [str(match.mime_type) for match in ranked if match.mime_type]
    is_zip = bool(types) and types[0] in ("application/zip", "application/x-zip-compressed")
    if is_zip or data[:4] == b"PK\x03\x04":
        return _office_flavour(data) or "application/zip"
    if types:
        head = types[0]
        if head.startswith("text/") or "html" in head or "xml" in head:
            # A magic match on markup: never accepted as such, judged as text instead.
            return "text/plain" if _looks_like_text(data) else OCTET_STREAM
        return head
    return "text/plain" if _looks_like_text(data) else OCTET_STREAM


class FileStore:
    """Files kept in one directory, named by random keys."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def path(self, key: str) -> Path:
        if not key.isalnum():  # keys are ours (hex); refuse anything else outright
            raise ValueError(f"not a storage key: {key!r}")
        return self._directory / key[:2] / key

    async def save(self, data: bytes) -> tuple[str, str]:
        """Store ``data``; answer its key and SHA-256."""
        key = secrets.token_hex(16)
        digest = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(self._write, self.path(key), data)
        return key, digest

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)  # readers never see half a file

    async def read(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, True)
