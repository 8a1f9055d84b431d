"""Delivering the notice outbox: e-mail over SMTP and an outgoing webhook (an SMS gateway's).

The outbox rows were committed with the order's change (``SqlWorkOrderStore.add_notifications``),
so an order action never waits for a mail relay or a gateway, and a crash loses nothing: what
was not sent stays ``pending``. The worker claims due rows by moving their ``next_attempt_at`` a
lease into the future (one statement, ``SKIP LOCKED`` on PostgreSQL) so two replicas never send
the same row at once, sends them outside any transaction, and then records the outcome:

* sent: ``status = sent``, ``sent_at``;
* a failure: ``attempts + 1``, ``last_error``, and the next attempt after an exponential backoff
  (``backoff_s`` x 2^(attempts-1), at most ``max_backoff_s``); after ``max_attempts`` the row
  is ``failed`` and waits for an administrator's "retry now";
* nowhere to send (no e-mail address on file): ``skipped``, with the reason.

Under the call engine's leader lease (``hotline.cluster``) the worker is one of the leader's
components and its claims are fenced by the leader's term (``hotline.db.fence``): a worker
whose term has ended claims nothing more, so it starts no send the next leader might start
too. The outcome of a send already made is recorded unfenced: it is a fact about the past, and
refusing it would leave the row pending, to be sent a second time once its claim runs out.
What stays possible is the gap no database can close: a process that dies after the far side
took a notice and before the outcome was written sends it again after ``LEASE``; the webhook
body carries the notice's ``id`` so that a gateway can drop the repeat.

The webhook body is JSON; its HMAC-SHA256 under the configured secret is sent as
``X-Hotline-Signature: sha256=<hex>`` so the gateway can tell the body came from the centre.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import httpx
import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.clock import Clock
from hotline.db.fence import FencedOut, term_sessionmaker
from hotline.db.models import NoticeContact, NoticeOutboxRow, User, WorkOrderRow
from hotline.db.session import transaction
from hotline.deps import AppState
from hotline.workorders.settings import NoticeSettings

log = structlog.get_logger(__name__)

CHANNELS = ("email", "webhook")
STATUSES = ("pending", "sent", "failed", "skipped")
LEASE = timedelta(minutes=5)  # a claimed row's sending time before another worker may retry it
SIGNATURE_HEADER = "X-Hotline-Signature"
WAKE_KEY = "notice_delivery_wake"
_MAX_ERROR = 500


class NothingToSendTo(Exception):
    """The recipient has no address on this channel: nothing to retry."""


@dataclass
class Notice:
    """An outbox row with what sending it needs (the recipient's contact, the reference)."""

    id: int
    channel: str
    kind: str
    order_id: str | None
    reference: str | None
    message: str
    created_at: datetime
    attempts: int
    user_id: int
    username: str
    email: str | None
    phone: str | None


@dataclass
class DeliveryRun:
    sent: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    skipped: int = 0


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(notice: Notice) -> bytes:
    payload = {
        "id": notice.id,
        "kind": notice.kind,
        "order_id": notice.order_id,
        "reference": notice.reference,
        "message": notice.message,
        "created_at": notice.created_at.isoformat(),
        "recipient": {
            "user_id": notice.user_id,
            "username": notice.username,
            "phone": notice.phone,
        },
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def backoff(settings: NoticeSettings, attempts: int) -> timedelta:
    seconds = settings.backoff_s * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, settings.max_backoff_s))


class Sender:
    """Sends one notice on its channel; raises on failure (the message says why)."""

    def __init__(self, settings: NoticeSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http

    async def send(self, notice: Notice) -> None:
        if notice.channel == "email":
            await self._email(notice)
        elif notice.channel == "webhook":
            await self._webhook(notice)
        else:
            raise NothingToSendTo(f"unknown channel {notice.channel!r}")

    async def _email(self, notice: Notice) -> None:
        smtp = self._settings.smtp
        if not smtp.host:
            raise RuntimeError("e-mail is not configured (notices.smtp.host is unset)")
        if not notice.email:
            raise NothingToSendTo(f"user {notice.username} has no e-mail address on file")
        message = EmailMessage()
        message["From"] = smtp.sender
        message["To"] = notice.email
        subject = f"[12366] {notice.reference or ''} {notice.kind}".strip()
        message["Subject"] = subject
        message.set_content(notice.message)
        await aiosmtplib.send(
            message,
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password.get_secret_value() if smtp.password else None,
            start_tls=smtp.starttls,
            use_tls=smtp.use_tls,
            timeout=smtp.timeout_s,
        )

    async def _webhook(self, notice: Notice) -> None:
        hook = self._settings.webhook
        if not hook.url:
            raise RuntimeError("the webhook is not configured (notices.webhook.url is unset)")
        body = webhook_body(notice)
        headers = {"Content-Type": "application/json"}
        if hook.secret is not None:
            headers[SIGNATURE_HEADER] = sign(hook.secret.get_secret_value(), body)
        response = await self._http.post(
            hook.url, content=body, headers=headers, timeout=hook.timeout_s
        )
        if response.status_code >= 300:
            raise RuntimeError(f"the webhook answered HTTP {response.status_code}")


async def _claim(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime, limit: int
) -> list[Notice]:
    async with transaction(sessionmaker) as session:
        due = (
            select(NoticeOutboxRow.id)
            .where(NoticeOutboxRow.status == "pending", NoticeOutboxRow.next_attempt_at <= now)
            .order_by(NoticeOutboxRow.next_attempt_at, NoticeOutboxRow.id)
            .limit(limit)
        )
        if sessionmaker.kw["bind"].dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(await session.scalars(due))
        if not ids:
            return []
        await session.execute(
            update(NoticeOutboxRow)
            .where(NoticeOutboxRow.id.in_(ids))
            .values(next_attempt_at=now + LEASE)
        )
        rows = await session.execute(
            select(
                NoticeOutboxRow,
                User.username,
                NoticeContact.email,
                NoticeContact.phone,
                WorkOrderRow.reference,
            )
            .join(User, User.id == NoticeOutboxRow.recipient_user_id)
            .outerjoin(NoticeContact, NoticeContact.user_id == NoticeOutboxRow.recipient_user_id)
            .outerjoin(WorkOrderRow, WorkOrderRow.id == NoticeOutboxRow.order_id)
            .where(NoticeOutboxRow.id.in_(ids))
            .order_by(NoticeOutboxRow.id)
        )
        return [
            Notice(
                id=row.id,
                channel=row.channel,
                kind=row.kind,
                order_id=row.order_id,
                reference=reference,
                message=row.message,
                created_at=row.created_at,
                attempts=row.attempts,
                user_id=row.recipient_user_id,
                username=username,
                email=email,
                phone=phone,
            )
            for row, username, email, phone, reference in rows
        ]


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: NoticeSettings,
    clock: Clock,
    sender: Sender,
    *,
    claims: async_sessionmaker[AsyncSession] | None = None,
) -> DeliveryRun:
    """Send every notice due now (one batch); record each outcome. ``claims``: where the claim
    commits (the leader's fenced sessions), when not ``sessionmaker``."""
    run = DeliveryRun()
    now = clock.now()
    for notice in await _claim(claims or sessionmaker, now, settings.batch_size):
        values: dict[str, Any]
        try:
            await sender.send(notice)
        except NothingToSendTo as exc:
            values = {"status": "skipped", "last_error": str(exc)[:_MAX_ERROR]}
            run.skipped += 1
            log.info("notice_skipped", notice_id=notice.id, channel=notice.channel, reason=str(exc))
        except Exception as exc:  # any failure of the far side is retried
            attempts = notice.attempts + 1
            reason = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
            final = attempts >= settings.max_attempts
            values = {
                "status": "failed" if final else "pending",
                "attempts": attempts,
                "last_error": reason,
                "next_attempt_at": clock.now() + backoff(settings, attempts),
            }
            run.failed[notice.id] = reason
            log.warning(
                "notice_delivery_failed",
                notice_id=notice.id,
                channel=notice.channel,
                attempts=attempts,
                final=final,
                error=reason,
            )
        else:
            values = {"status": "sent", "attempts": notice.attempts + 1, "sent_at": clock.now()}
            run.sent += 1
            log.info("notice_sent", notice_id=notice.id, channel=notice.channel)
        async with transaction(sessionmaker) as session:
            await session.execute(
                update(NoticeOutboxRow).where(NoticeOutboxRow.id == notice.id).values(**values)
            )
    return run


async def purge_delivered(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, keep_days: int
) -> int:
    """Delete sent and skipped notices older than ``keep_days`` (the table would only grow);
    failed ones stay until an administrator retries them. How many went."""
    before = clock.now() - timedelta(days=keep_days)
    async with transaction(sessionmaker) as session:
        result = await session.execute(
            delete(NoticeOutboxRow).where(
                NoticeOutboxRow.status.in_(("sent", "skipped")),
                NoticeOutboxRow.created_at < before,
            )
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


PURGE_EVERY = timedelta(hours=1)


def wake(state: AppState) -> None:
    """Make the running worker look at the outbox now (after "retry now")."""
    event = state.extras.get(WAKE_KEY)
    if isinstance(event, asyncio.Event):
        event.set()


def delivery_component() -> Callable[[AppState], Awaitable[Callable[[], Awaitable[None]]]]:
    """A ``hotline.main.Component``: the delivery loop, running until the app stops."""

    async def start(state: AppState) -> Callable[[], Awaitable[None]]:
        settings = state.settings.notices
        claims = term_sessionmaker(state.extras, state.engine, state.sessionmaker)
        stopping = asyncio.Event()
        woken = state.extras[WAKE_KEY] = asyncio.Event()
        http = httpx.AsyncClient()
        sender = Sender(settings, http)

        async def loop() -> None:
            purged_at: datetime | None = None
            while not stopping.is_set():
                try:
                    now = state.clock.now()
                    if purged_at is None or now - purged_at >= PURGE_EVERY:
                        purged_at = now
                        gone = await purge_delivered(claims, state.clock, settings.keep_sent_days)
                        if gone:
                            log.info("notices_purged", count=gone)
                    run = await deliver_due(
                        state.sessionmaker, settings, state.clock, sender, claims=claims
                    )
                    busy = run.sent + len(run.failed) + run.skipped >= settings.batch_size
                except FencedOut:  # the term ended: the leader stops this component
                    log.warning("notice_claims_fenced")
                    busy = False
                except Exception:
                    log.exception("notice_delivery_crashed")
                    busy = False
                if busy:
                    continue  # a full batch: there may be more due right now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), timeout=settings.poll_interval_s)
                woken.clear()

        task = asyncio.create_task(loop(), name="notice-delivery")

        async def stop() -> None:
            stopping.set()
            woken.set()
            try:
                await asyncio.wait_for(task, timeout=10)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await http.aclose()
            state.extras.pop(WAKE_KEY, None)

        return stop

    return start
