"""Notices leaving the process: a failing mail relay or webhook is retried with backoff and
reported on the admin's status, while the order action itself succeeds at once.

The far sides are real local servers: ``aiosmtpd`` for SMTP and a stdlib HTTP server for the
SMS gateway's webhook (fakes of third-party edges, per CONTRIBUTING). Runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from aiosmtpd.smtp import SMTP
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select, update

from hotline.config import Settings
from hotline.db.models import NoticeOutboxRow, NotificationRow
from hotline.db.session import transaction
from hotline.deps import AppState
from hotline.workorders.delivery import (
    SIGNATURE_HEADER,
    DeliveryRun,
    Sender,
    deliver_due,
    delivery_component,
    purge_delivered,
)
from hotline.workorders.rules import RulesCache
from hotline.workorders.settings import NoticeSettings, SmtpSettings, WebhookSettings
from hotline.workorders.sweeper import sweep_once
from tests.fixtures.app import FixedClock
from tests.hotline.workorders.conftest import Centre
from tests.ports import holding, port_of
from tests.waiting import WAIT_S

SECRET = "gateway-shared-secret"
EMAIL = "liaison.a@bureau-a.example.cn"


@dataclass
class Gateway:
    """The SMS gateway's webhook: answers ``failing`` with 503 while it is set."""

    failing: bool = True
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(503 if state.failing else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    yield state
    server.shutdown()
    server.server_close()


class Mailbox:
    """An ``aiosmtpd`` handler keeping what it was sent."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_socket() -> Iterator[socket.socket]:
    """The relay's port, held bound and not listening: connects are refused until a test
    serves on this very socket (a probed-then-released port could be anyone's by then)."""
    with holding() as sock:
        yield sock


@pytest.fixture
def smtp_port(smtp_socket: socket.socket) -> int:
    return port_of(smtp_socket)


@pytest.fixture
def settings(database_url: str, gateway: Gateway, smtp_port: int) -> Settings:
    return Settings(
        database_url=database_url,
        notices=NoticeSettings(
            smtp=SmtpSettings(host="127.0.0.1", port=smtp_port, starttls=False, timeout_s=5),
            webhook=WebhookSettings(url=gateway.url, secret=SecretStr(SECRET), timeout_s=5),
            max_attempts=3,
            backoff_s=30,
            # The worker polls once an hour: within a test it sends only when started or woken,
            # so a test of waking cannot pass on a poll that happened to come at the right time.
            poll_interval_s=3600,
        ),
    )


async def _deliver(centre: Centre, settings: Settings, clock: FixedClock) -> DeliveryRun:
    async with httpx.AsyncClient() as http:
        return await deliver_due(
            centre.sessionmaker, settings.notices, clock, Sender(settings.notices, http)
        )


async def _status(centre: Centre) -> dict[str, dict[str, Any]]:
    response = await centre.client.get(
        "/api/v1/admin/notifications", headers=centre.headers("admin")
    )
    assert response.status_code == 200, response.text
    return {entry["channel"]: entry for entry in response.json()["channels"]}


async def _outbox(centre: Centre) -> list[NoticeOutboxRow]:
    async with transaction(centre.sessionmaker) as session:
        return list(await session.scalars(select(NoticeOutboxRow).order_by(NoticeOutboxRow.id)))


async def _set_email(centre: Centre) -> None:
    response = await centre.client.put(
        "/api/v1/me/notice-contact",
        json={"email": EMAIL, "phone": "13800000001"},
        headers=centre.headers("liaison_a"),
    )
    assert response.status_code == 200, response.text


@pytest.mark.asyncio
async def test_failing_relay_and_gateway_are_retried_and_reported_the_action_succeeds(
    centre: Centre,
    settings: Settings,
    clock: FixedClock,
    gateway: Gateway,
    smtp_socket: socket.socket,
) -> None:
    await _set_email(centre)
    # Nothing listens on the SMTP port and the gateway answers 503: the dispatch still succeeds.
    order = await centre.dispatched()
    assert order["status"] == "dispatched"
    queued = await _outbox(centre)
    assert sorted((row.channel, row.kind, row.status) for row in queued) == [
        ("email", "dispatch", "pending"),
        ("webhook", "dispatch", "pending"),
    ]

    first = await _deliver(centre, settings, clock)
    assert (first.sent, len(first.failed)) == (0, 2)
    status = await _status(centre)
    assert (status["email"]["pending"], status["email"]["sent"]) == (1, 0)
    assert "Connect" in status["email"]["last_error"] or "refused" in status["email"]["last_error"]
    assert status["webhook"]["last_error"] == "RuntimeError: the webhook answered HTTP 503"
    assert [row.attempts for row in await _outbox(centre)] == [1, 1]

    mailbox = Mailbox()
    # The relay comes up on the port that refused the first attempt, in this event loop (the
    # sender is asynchronous too); a fixed name spares a DNS lookup of this host's.
    smtp_socket.listen()
    loop = asyncio.get_running_loop()
    relay = await loop.create_server(
        lambda: SMTP(mailbox, hostname="relay.test", loop=loop), sock=smtp_socket
    )
    try:
        gateway.failing = False
        # Within the backoff nothing is tried again; after it, both go out.
        assert (await _deliver(centre, settings, clock)).sent == 0
        clock.advance(seconds=31)
        second = await _deliver(centre, settings, clock)
    finally:
        relay.close()
        await relay.wait_closed()
    assert (second.sent, second.failed) == (2, {})

    [(recipients, raw)] = mailbox.messages
    assert recipients == [EMAIL]
    mail = message_from_bytes(raw)
    assert order["reference"] in str(mail["Subject"])
    assert "dispatched to your department" in mail.get_payload()

    headers, body = gateway.received[-1]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER.lower()] == expected
    sent = json.loads(body)
    assert (sent["kind"], sent["reference"], sent["order_id"]) == (
        "dispatch",
        order["reference"],
        order["id"],
    )
    assert sent["recipient"]["phone"] == "13800000001"
    assert len(gateway.received) == 2  # one refused attempt, one accepted

    status = await _status(centre)
    assert [(status[c]["sent"], status[c]["pending"]) for c in ("email", "webhook")] == [
        (1, 0),
        (1, 0),
    ]
    assert status["email"]["last_sent_at"] is not None


@pytest.mark.asyncio
async def test_after_the_last_attempt_a_notice_fails_until_retry_now(
    centre: Centre, settings: Settings, clock: FixedClock, gateway: Gateway
) -> None:
    await centre.dispatched()  # liaison_a has no e-mail address: that channel is skipped
    for _ in range(settings.notices.max_attempts):
        await _deliver(centre, settings, clock)
        clock.advance(hours=2)
    await centre.relogin()
    status = await _status(centre)
    assert (status["webhook"]["failed"], status["webhook"]["pending"]) == (1, 0)
    assert status["email"]["skipped"] == 1
    assert "no e-mail address" in status["email"]["last_error"]
    assert len(gateway.received) == settings.notices.max_attempts
    # Failed for good: the worker leaves it alone.
    clock.advance(hours=24)
    assert (await _deliver(centre, settings, clock)).failed == {}

    gateway.failing = False
    await centre.relogin()  # a day later: fresh tokens
    retried = await centre.client.post(
        "/api/v1/admin/notifications/retry?channel=webhook", headers=centre.headers("admin")
    )
    assert retried.status_code == 200, retried.text
    assert retried.json()["retried"] == 1
    assert (await _deliver(centre, settings, clock)).sent == 1
    status = await _status(centre)
    assert (status["webhook"]["sent"], status["webhook"]["failed"]) == (1, 0)


@pytest.mark.asyncio
async def test_contact_details_are_checked(centre: Centre) -> None:
    bad = await centre.client.put(
        "/api/v1/me/notice-contact",
        json={"email": "not an address", "phone": "call me"},
        headers=centre.headers("liaison_a"),
    )
    assert bad.status_code == 422
    fields = {tuple(error["loc"]) for error in bad.json()["detail"]}
    assert fields == {("body", "email"), ("body", "phone")}
    refused = await centre.client.post(
        "/api/v1/admin/notifications/retry?channel=fax", headers=centre.headers("admin")
    )
    assert refused.status_code == 422


@pytest.mark.asyncio
async def test_the_worker_sends_in_the_background_and_wakes_for_retry_now(
    app: FastAPI, centre: Centre, gateway: Gateway
) -> None:
    state: AppState = app.state.hotline
    gateway.failing = False
    order = await centre.dispatched()
    stop = await delivery_component()(state)  # its first round sends what is due
    try:

        async def delivered() -> None:
            while not gateway.received:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(delivered(), timeout=WAIT_S)
        sent = json.loads(gateway.received[0][1])
        assert sent["order_id"] == order["id"]

        async def recorded() -> None:
            # The worker records "sent" after the gateway answered: wait for that row, or the
            # worker's late "sent" would overwrite the "failed" this test sets below.
            while any(
                row.channel == "webhook" and row.status == "pending"
                for row in await _outbox(centre)
            ):
                await asyncio.sleep(0.02)

        await asyncio.wait_for(recorded(), timeout=WAIT_S)
        # Made due by hand while the worker sleeps (its next poll is an hour away): only
        # "retry now" waking it sends the notice again.
        async with transaction(centre.sessionmaker) as session:
            await session.execute(update(NoticeOutboxRow).values(status="failed", sent_at=None))
        retried = await centre.client.post(
            "/api/v1/admin/notifications/retry", headers=centre.headers("admin")
        )
        assert retried.json()["retried"] >= 1

        async def twice() -> None:
            while len(gateway.received) < 2:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(twice(), timeout=WAIT_S)
    finally:
        await stop()


@pytest.mark.asyncio
async def test_escalation_notices_of_the_sweeper_go_to_the_outbox_too(
    centre: Centre, settings: Settings, clock: FixedClock
) -> None:
    await centre.dispatched()  # Monday 09:00
    before = {(row.kind, row.channel) for row in await _outbox(centre)}
    clock.current = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # Tuesday 14:00: steps are due
    run = await sweep_once(
        centre.sessionmaker,
        clock,
        RulesCache(centre.sessionmaker),
        channels=settings.notices.channels(),
    )
    assert run.applied > 0
    after = await _outbox(centre)
    new = {(row.kind, row.channel) for row in after} - before
    assert new, "the sweeper's notices wrote no outbox rows"
    assert {channel for _, channel in new} == {"email", "webhook"}
    async with transaction(centre.sessionmaker) as session:
        inbox = set(await session.scalars(select(NotificationRow.kind)))
    assert {kind for kind, _ in new} <= inbox


@pytest.mark.asyncio
async def test_delivered_notices_are_purged_after_the_retention_failed_ones_stay(
    centre: Centre, clock: FixedClock
) -> None:
    await centre.dispatched()
    async with transaction(centre.sessionmaker) as session:
        await session.execute(
            update(NoticeOutboxRow)
            .where(NoticeOutboxRow.channel == "webhook")
            .values(status="sent")
        )
        await session.execute(
            update(NoticeOutboxRow)
            .where(NoticeOutboxRow.channel == "email")
            .values(status="failed")
        )
    assert await purge_delivered(centre.sessionmaker, clock, keep_days=30) == 0
    clock.advance(days=31)
    assert await purge_delivered(centre.sessionmaker, clock, keep_days=30) == 1
    assert [row.status for row in await _outbox(centre)] == ["failed"]
