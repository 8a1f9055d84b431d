"""What an uploaded file is, from its bytes alone; and the names and headers it is served with."""

from __future__ import annotations

import io
import zipfile

import pytest

from hotline.api.attachments import clean_filename, download_headers
from hotline.workorders.attachments import sniff


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20), "image/jpeg"),
        (b"GIF89a" + bytes(20), "image/gif"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (
            _zip("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            _zip("[Content_Types].xml", "xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (_zip("notes.txt"), "application/zip"),
        ("纳税人来电记录\n".encode(), "text/plain"),
        ("纳税人来电记录\n".encode("gb18030"), "text/plain"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "application/octet-stream"),
        (
            b'  <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "application/octet-stream",
        ),
        (b'<?xml version="1.0"?><svg/>', "application/octet-stream"),
        (b"text\x00with a NUL byte", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_the_type_comes_from_the_bytes(data: bytes, expected: str) -> None:
    assert sniff(data) == expected


def test_a_windows_program_is_not_taken_for_anything_allowed() -> None:
    assert sniff(b"MZ\x90\x00" + bytes(200)) not in {"application/pdf", "text/plain"}


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\li\\发票.pdf", "发票.pdf"),
        ('a"b<c>.pdf', "abc.pdf"),
        ("line\nbreak.txt", "linebreak.txt"),
        ("...", "attachment"),
        (None, "attachment"),
    ],
)
def test_the_name_shown_has_no_path_and_nothing_a_header_could_break_on(
    given: str | None, shown: str
) -> None:
    assert clean_filename(given) == shown


def test_a_download_is_always_an_attachment_that_never_runs() -> None:
    headers = download_headers("发票.pdf")
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"].startswith("default-src 'none'; sandbox")
