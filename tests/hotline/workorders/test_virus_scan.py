"""Attachments are scanned before they are accepted: Debian's clamscan (and clamd when present)
with a signature database made here (an MD5 signature of a test file: the official databases
cannot be downloaded on this machine), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from hotline.config import Settings
from hotline.db.models import WorkOrderAttachment
from hotline.db.session import transaction
from hotline.workorders.settings import AttachmentSettings
from hotline.workorders.virus_scan import (
    ClamdScanner,
    CommandScanner,
    ScannerFailed,
    ScanVerdict,
)
from tests.fixtures.app import TEST_PASSWORD
from tests.hotline.workorders.conftest import Centre

CLAMSCAN = shutil.which("clamscan")
CLAMD = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)
needs_clamscan = pytest.mark.skipif(
    CLAMSCAN is None, reason="clamscan is not installed (Debian: apt-get install -y clamav)"
)
needs_clamd = pytest.mark.skipif(
    CLAMD is None, reason="clamd is not installed (Debian: apt-get install -y clamav-daemon)"
)

# A text file the signature below names; plain text passes the type check, so only the scanner
# can refuse it.
INFECTED = "纳税人上传的文件 hotline-test-virus-payload 0451\n".encode()
CLEAN = "增值税发票扫描件说明\n".encode()
SIGNATURE = "Hotline.Test.Payload"


def signature_database(directory: Path) -> Path:
    """An hdb file (``md5:size:name``) that names :data:`INFECTED`."""
    database = directory / "hotline-test.hdb"
    digest = hashlib.md5(INFECTED, usedforsecurity=False).hexdigest()
    database.write_text(f"{digest}:{len(INFECTED)}:{SIGNATURE}\n")
    return database


def clamscan_command(directory: Path) -> str:
    return f"{CLAMSCAN} --no-summary -d {signature_database(directory)}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    command = clamscan_command(tmp_path) if CLAMSCAN else None
    return Settings(
        database_url=database_url,
        attachments=AttachmentSettings(directory=tmp_path / "files", scan_command=command),
    )


async def _upload(centre: Centre, order_id: str, name: str, data: bytes) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = await centre.client.post(
        f"/api/v1/workorders/{order_id}/attachments",
        files={"file": (name, data, "text/plain")},
        headers=centre.headers("specialist_a"),
    )
    return response.status_code, response.json()


@needs_clamscan
@pytest.mark.asyncio
async def test_infected_file_is_refused_naming_it_and_nothing_is_stored(
    centre: Centre, settings: Settings
) -> None:
    order = await centre.dispatched()
    status, body = await _upload(centre, order["id"], "申报表.txt", INFECTED)
    assert status == 422, body
    assert body["error"] == "infected_file"
    assert "申报表.txt" in body["detail"]
    assert SIGNATURE in body["detail"]
    assert not any(p.is_file() for p in settings.attachments.directory.rglob("*"))
    async with transaction(centre.sessionmaker) as session:
        assert list(await session.scalars(select(WorkOrderAttachment))) == []

    status, body = await _upload(centre, order["id"], "说明.txt", CLEAN)
    assert status == 201, body
    assert body["filename"] == "说明.txt"


@pytest.mark.asyncio
async def test_a_scanner_that_cannot_run_refuses_the_file(
    centre: Centre, settings: Settings, tmp_path: Path
) -> None:
    settings.attachments.scan_command = f"{tmp_path}/no-such-scanner --no-summary"
    order = await centre.dispatched()
    status, body = await _upload(centre, order["id"], "说明.txt", CLEAN)
    assert status == 503, body
    assert body["error"] == "scanner_unavailable"
    assert "说明.txt" in body["detail"]


@needs_clamscan
@pytest.mark.asyncio
async def test_clamscan_scanner_verdicts(tmp_path: Path) -> None:
    scanner = CommandScanner.parse(clamscan_command(tmp_path), timeout_s=60)
    assert await scanner.scan(INFECTED) == ScanVerdict(f"{SIGNATURE}.UNOFFICIAL")
    assert await scanner.scan(CLEAN) == ScanVerdict()
    broken = CommandScanner.parse(f"{CLAMSCAN} --no-summary -d {tmp_path}/missing.hdb", 60)
    with pytest.raises(ScannerFailed, match="status 2"):
        await broken.scan(CLEAN)
    # No temporary copy is left behind.
    assert not list(Path("/tmp").glob("hotline-scan-*"))


@pytest_asyncio.fixture
async def clamd_socket(tmp_path: Path) -> AsyncIterator[Path]:
    """A clamd of our own, in the foreground, with only the test signature loaded."""
    databases = tmp_path / "db"
    databases.mkdir()
    signature_database(databases)
    socket = tmp_path / "clamd.sock"
    config = tmp_path / "clamd.conf"
    config.write_text(
        f"LocalSocket {socket}\nDatabaseDirectory {databases}\nForeground yes\n"
        f"LogFile {tmp_path / 'clamd.log'}\nPidFile {tmp_path / 'clamd.pid'}\n"
        "User root\n"
    )
    process = await asyncio.create_subprocess_exec(
        str(CLAMD), "-c", str(config), stdout=asyncio.subprocess.DEVNULL
    )
    try:
        for _ in range(300):  # loading one signature takes well under a second
            if socket.exists() or process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        if not socket.exists():
            log = (tmp_path / "clamd.log").read_text() if (tmp_path / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not open its socket: {log[-500:]}")
        yield socket
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await process.wait()


@needs_clamd
@pytest.mark.asyncio
async def test_clamd_scanner_verdicts(clamd_socket: Path, tmp_path: Path) -> None:
    scanner = ClamdScanner(str(clamd_socket), timeout_s=30)
    assert (await scanner.scan(INFECTED)).signature == f"{SIGNATURE}.UNOFFICIAL"
    assert await scanner.scan(CLEAN) == ScanVerdict()
    with pytest.raises(ScannerFailed, match="unreachable"):
        await ClamdScanner(str(tmp_path / "nothing.sock"), timeout_s=5).scan(CLEAN)


@needs_clamscan
@pytest.mark.asyncio
async def test_the_panel_says_in_chinese_which_file_was_refused_and_what_to_do(
    centre: Centre, settings: Settings
) -> None:
    order = await centre.dispatched()
    client = centre.client
    client.cookies.clear()
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed = await client.post(
        "/login",
        data={"username": "specialist-a", "password": TEST_PASSWORD, "csrf_token": token[1]},
    )
    assert signed.status_code == 303
    panel = await client.post(
        f"/workorders/{order['id']}/attachments/panel",
        files={"file": ("申报表.txt", INFECTED, "text/plain")},
        headers={"X-CSRF-Token": client.cookies.get("hotline_csrf") or "", "HX-Request": "true"},
    )
    assert panel.status_code == 200
    assert f"“申报表.txt”未被接收：病毒扫描发现 {SIGNATURE}.UNOFFICIAL" in panel.text
    assert "请对方重新提供干净的文件" in panel.text
    assert not any(p.is_file() for p in settings.attachments.directory.rglob("*"))
