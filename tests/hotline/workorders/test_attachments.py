"""Attachments on work orders: kept in the configured directory, sniffed, limited, served as
downloads only, audited, and visible to exactly who may see the order (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.config import Settings
from hotline.db.models import AuditLog, WorkOrderAttachment
from hotline.db.session import transaction
from hotline.workorders.settings import AttachmentSettings
from tests.hotline.workorders.conftest import Centre

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
LIMIT = 2048


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        attachments=AttachmentSettings(directory=tmp_path / "files", max_bytes=LIMIT),
    )


def _files(settings: Settings) -> list[Path]:
    root = settings.attachments.directory
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


async def _upload(
    centre: Centre, order_id: str, who: str, name: str, data: bytes, declared: str
) -> tuple[int, dict[str, object]]:
    response = await centre.client.post(
        f"/api/v1/workorders/{order_id}/attachments",
        files={"file": (name, data, declared)},
        headers=centre.headers(who),
    )
    body: dict[str, object] = response.json() if response.content else {}
    return response.status_code, body


@pytest.mark.asyncio
async def test_upload_list_download_delete(centre: Centre, settings: Settings) -> None:
    order = await centre.dispatched()  # department A
    status, created = await _upload(
        centre, order["id"], "specialist_a", "../../发票 scan.png", PNG, "text/html"
    )
    assert status == 201, created
    # The declared type is ignored, the path part of the name dropped.
    assert (created["content_type"], created["filename"]) == ("image/png", "发票 scan.png")
    assert created["size"] == len(PNG)
    assert created["uploaded_by"] == "Specialist-A"
    assert len(_files(settings)) == 1

    listed = await centre.client.get(
        f"/api/v1/workorders/{order['reference']}/attachments", headers=centre.headers("liaison_a")
    )
    assert [item["id"] for item in listed.json()] == [created["id"]]

    url = f"/api/v1/workorders/{order['id']}/attachments/{created['id']}"
    download = await centre.client.get(url, headers=centre.headers("liaison_a"))
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%8F%91%E7%A5%A8" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in download.headers["content-security-policy"]
    assert "sandbox" in download.headers["content-security-policy"]
    async with transaction(centre.sessionmaker) as session:
        audited = list(
            await session.scalars(
                select(AuditLog).where(AuditLog.action == "attachment_downloaded")
            )
        )
    assert [(entry.actor_username, entry.subject_id) for entry in audited] == [
        ("liaison-a", order["id"])
    ]
    assert audited[0].detail["attachment_id"] == created["id"]

    # Not the uploader, nor a supervisor: refused; the supervisor may.
    refused = await centre.client.delete(url, headers=centre.headers("liaison_a"))
    assert refused.status_code == 403
    assert "uploader" in refused.json()["detail"]
    removed = await centre.client.delete(url, headers=centre.headers("supervisor"))
    assert removed.status_code == 204
    assert _files(settings) == []
    gone = await centre.client.get(url, headers=centre.headers("supervisor"))
    assert gone.status_code == 404


@pytest.mark.asyncio
async def test_oversized_and_refused_types_name_the_limit_and_store_nothing(
    centre: Centre, settings: Settings
) -> None:
    order = await centre.dispatched()
    status, body = await _upload(
        centre, order["id"], "specialist_a", "big.pdf", PDF + bytes(LIMIT), "application/pdf"
    )
    assert status == 413
    assert body["error"] == "payload_too_large"
    assert str(LIMIT) in str(body["detail"])

    # HTML named and declared as a picture: sniffed, refused, the allowed types listed.
    page = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
    status, body = await _upload(centre, order["id"], "specialist_a", "a.png", page, "image/png")
    assert status == 415
    assert body["error"] == "unsupported_media_type"
    assert "application/pdf" in str(body["detail"])
    assert "image/png" in str(body["detail"])

    windows_program = b"MZ\x90\x00" + bytes(200)
    status, body = await _upload(
        centre, order["id"], "specialist_a", "x.pdf", windows_program, "application/pdf"
    )
    assert status == 415

    empty = await centre.client.post(
        f"/api/v1/workorders/{order['id']}/attachments",
        data={"note": "no file"},
        headers=centre.headers("specialist_a"),
    )
    assert empty.status_code == 422
    assert "file" in str(empty.json()["detail"])

    async with transaction(centre.sessionmaker) as session:
        assert list(await session.scalars(select(WorkOrderAttachment.id))) == []
    assert _files(settings) == []


@pytest.mark.asyncio
async def test_who_sees_the_files_is_who_sees_the_order(centre: Centre) -> None:
    order = await centre.dispatched()  # department A, created by "agent"
    status, created = await _upload(centre, order["id"], "agent", "r.pdf", PDF, "application/pdf")
    assert status == 201
    base = f"/api/v1/workorders/{order['id']}/attachments"
    for outsider in ("specialist_b", "agent2"):
        listing = await centre.client.get(base, headers=centre.headers(outsider))
        assert listing.status_code == 403, outsider
        download = await centre.client.get(
            f"{base}/{created['id']}", headers=centre.headers(outsider)
        )
        assert download.status_code == 403, outsider
        status, _ = await _upload(centre, order["id"], outsider, "r.pdf", PDF, "application/pdf")
        assert status == 403, outsider
    for insider in ("agent", "specialist_a", "director", "supervisor"):
        listing = await centre.client.get(base, headers=centre.headers(insider))
        assert [item["id"] for item in listing.json()] == [created["id"]], insider
    # An attachment id of another order is not found through this one.
    other = await centre.create()
    wrong = await centre.client.get(
        f"/api/v1/workorders/{other['id']}/attachments/{created['id']}",
        headers=centre.headers("supervisor"),
    )
    assert wrong.status_code == 404
