"""Work-order notices: how fast an inbox row reaches an open browser stream, and how fast the
delivery worker empties the outbox into a webhook.

Part 1, the live inbox (``GET /api/v1/inbox/events``): the service runs in this process on a
temporary SQLite file, served by uvicorn on loopback; ``--streams`` users each hold one stream
open (real HTTP). Rounds of notifications are then committed straight into the inbox table (as
an order action or the sweeper would), one per user per round, and each client notes when its
event arrives. Latency = arrival - commit: it is bounded by the watcher's interval (1 s by
default; ``--watch-s``) for rows another process writes (found by polling), and by the
commit-to-wake path for rows this process writes; both are measured.

Part 2, the outbox: ``--outbox`` webhook notices are queued, and ``deliver_due`` runs batch after
batch against a local HTTP server answering 204, as the worker would; notices per second.

    python benchmarks/notices.py --json                       # 50 streams, 5 rounds, 500 notices
    python benchmarks/notices.py --streams 200 --rounds 10 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))  # tests.hotline.live.servers: uvicorn on loopback

import httpx  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from hotline.auth.tokens import issue_token  # noqa: E402
from hotline.clock import SystemClock  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.db.models import NoticeOutboxRow, NotificationRow, User, UserRole  # noqa: E402
from hotline.db.session import create_engine, create_sessionmaker, transaction  # noqa: E402
from hotline.main import create_app  # noqa: E402
from hotline.workorders.delivery import Sender, deliver_due  # noqa: E402
from hotline.workorders.settings import NoticeSettings, WebhookSettings  # noqa: E402


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def _users(app: Any, count: int) -> list[int]:
    """Users straight into the table (password hashing is not what is measured)."""
    maker = app.state.hotline.sessionmaker
    async with transaction(maker) as session:
        rows = [
            User(username=f"bench-{n}", full_name=f"Bench {n}", password_hash="!")
            for n in range(count)
        ]
        session.add_all(rows)
        await session.flush()
        session.add_all(UserRole(user_id=row.id, role="agent") for row in rows)
        return [row.id for row in rows]


async def _live_inbox(args: argparse.Namespace, database: Path, foreign: bool) -> dict[str, Any]:
    """``foreign``: the rows are written through an engine of their own, as another process
    (the sweeper on another replica) would, so only the watcher's poll finds them."""
    from tests.hotline.live.servers import serve_on_loopback

    url = f"sqlite+aiosqlite:///{database}"
    settings = Settings(database_url=url)
    app = create_app(settings)
    other = create_engine(url) if foreign else None
    async with app.router.lifespan_context(app):
        state = app.state.hotline
        writer = create_sessionmaker(other) if other is not None else state.sessionmaker
        state.extras["inbox_watch_s"] = args.watch_s
        users = await _users(app, args.streams)
        tokens = {user: await _login_token(app, user) for user in users}
        arrivals: dict[int, float] = {}
        ready = 0
        latencies: list[float] = []

        async def listen(http: httpx.AsyncClient, user: int) -> None:
            nonlocal ready
            headers = {"Accept": "text/event-stream", "Authorization": f"Bearer {tokens[user]}"}
            async with http.stream("GET", "/api/v1/inbox/events", headers=headers) as response:
                async for line in response.aiter_lines():
                    if line.startswith(": connected"):
                        ready += 1
                    elif line.startswith("id: "):
                        arrivals[int(line[4:])] = time.perf_counter()

        async with serve_on_loopback(app) as base:
            limits = httpx.Limits(max_connections=args.streams + 10)
            async with httpx.AsyncClient(base_url=base, timeout=None, limits=limits) as http:
                tasks = [asyncio.create_task(listen(http, user)) for user in users]
                while ready < len(users):
                    await asyncio.sleep(0.05)
                for _ in range(args.rounds):
                    async with transaction(writer) as session:
                        result = await session.execute(
                            insert(NotificationRow).returning(NotificationRow.id),
                            [
                                {
                                    "recipient_user_id": user,
                                    "kind": "dispatch",
                                    "order_id": None,
                                    "message": "benchmark notice",
                                    "created_at": datetime.now(UTC),
                                }
                                for user in users
                            ],
                        )
                        ids = list(result.scalars())
                    committed = time.perf_counter()
                    deadline = committed + 10 * args.watch_s + 10
                    while not all(i in arrivals for i in ids) and time.perf_counter() < deadline:
                        await asyncio.sleep(0.005)
                    latencies += [(arrivals[i] - committed) * 1000 for i in ids if i in arrivals]
                    await asyncio.sleep(args.watch_s * 0.37)  # commits land anywhere in a tick
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
    if other is not None:
        await other.dispose()
    expected = args.streams * args.rounds
    return {
        "writer": "another engine (polled)" if foreign else "this process (woken at commit)",
        "streams": args.streams,
        "rounds": args.rounds,
        "watch_interval_s": args.watch_s,
        "events_expected": expected,
        "events_received": len(latencies),
        "latency_ms_p50": round(_percentile(latencies, 0.50), 1),
        "latency_ms_p99": round(_percentile(latencies, 0.99), 1),
        "latency_ms_max": round(max(latencies, default=0.0), 1),
    }


async def _login_token(app: Any, user_id: int) -> str:
    """A token as the login would issue (no password hashing: not what is measured)."""
    state = app.state.hotline
    async with state.sessionmaker() as session:
        user = await session.get(User, user_id)
        assert user is not None
        token, _ = issue_token(
            state.settings.auth,
            user_id=user.id,
            username=user.username,
            roles=["agent"],
            stamp=user.token_stamp,
            now=datetime.now(UTC),
        )
        return token


async def _outbox(args: argparse.Namespace, database: Path) -> dict[str, Any]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    notices = NoticeSettings(
        webhook=WebhookSettings(
            url=f"http://127.0.0.1:{server.server_address[1]}/sms", secret=SecretStr("k" * 32)
        ),
        batch_size=args.batch,
    )
    settings = Settings(database_url=f"sqlite+aiosqlite:///{database}", notices=notices)
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            maker = app.state.hotline.sessionmaker
            user = await _one_user(app)
            now = datetime.now(UTC)
            async with transaction(maker) as session:
                await session.execute(
                    insert(NoticeOutboxRow),
                    [
                        {
                            "channel": "webhook",
                            "recipient_user_id": user,
                            "kind": "dispatch",
                            "order_id": None,
                            "message": "benchmark notice",
                            "status": "pending",
                            "attempts": 0,
                            "next_attempt_at": now,
                            "created_at": now,
                        }
                        for _ in range(args.outbox)
                    ],
                )
            clock = SystemClock()
            started = time.perf_counter()
            sent = 0
            async with httpx.AsyncClient() as client:
                sender = Sender(notices, client)
                while sent < args.outbox:
                    run = await deliver_due(maker, notices, clock, sender)
                    if not run.sent:
                        break
                    sent += run.sent
            elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    return {
        "outbox_notices": args.outbox,
        "sent": sent,
        "seconds": round(elapsed, 2),
        "notices_per_s": round(sent / elapsed, 1) if elapsed else None,
    }


async def _one_user(app: Any) -> int:
    maker = app.state.hotline.sessionmaker
    async with transaction(maker) as session:
        user = User(username="bench-outbox", full_name="Bench", password_hash="!")
        session.add(user)
        await session.flush()
        return user.id


async def main(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as folder:
        report["live_inbox"] = await _live_inbox(args, Path(folder) / "inbox.db", False)
        report["live_inbox_other_writer"] = await _live_inbox(args, Path(folder) / "i2.db", True)
        report["outbox"] = await _outbox(args, Path(folder) / "outbox.db")
    report["load_after"] = os.getloadavg()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--watch-s", type=float, default=1.0)
    parser.add_argument("--outbox", type=int, default=500)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    result = asyncio.run(main(arguments))
    print(json.dumps(result, indent=None if arguments.json else 2))
