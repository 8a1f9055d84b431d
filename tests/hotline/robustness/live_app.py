"""The app running on a seeded SQLite file, driven synchronously from Hypothesis tests.

Hypothesis tests are synchronous, the app is asynchronous: the app, its lifespan and one
``httpx.AsyncClient`` live on an event loop in a background thread (an anyio blocking portal) for
the whole module, and each generated request is sent through that portal. One app per module keeps
the fuzzing cheap: seeding the example centre once costs more than hundreds of requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey, CallPhase, InboundCall
from hotline.api.calls import CALL_ACTIONS_KEY, TelephonyCallActions
from hotline.config import Settings
from hotline.db.models import Agent, Call, Department, Site, Skill, User, WorkOrderRow
from hotline.deps import AppState
from hotline.importer import import_file
from hotline.main import create_app
from hotline.roles import Role
from hotline.telephony import TELEPHONY_KEY, TelephonyService, telephony_component
from tests.fixtures.app import FixedClock, create_user, login
from tests.hotline.telephony.fakes import RecordingControl

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "hangzhou.yaml"
BASE_URL = "http://hotline.test"
DEMO_PASSWORD = "robustness-demo-login"
DEMO_ARI_PASSWORD = "robustness-demo-ari-secret"
SCRAPE_TOKEN = "robustness-scrape-token"


@dataclass
class KnownIds:
    """Ids that exist after seeding, by path parameter name, so that generated requests reach
    the handlers' real work and not only their 404."""

    by_parameter: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class LiveApp:
    app: FastAPI
    portal: BlockingPortal
    client: httpx.AsyncClient
    tokens: dict[Role, str]
    known: KnownIds

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def send(self, request: dict[str, Any]) -> httpx.Response:
        """Send requests-style keyword arguments (what Schemathesis serialises) with httpx."""
        response: httpx.Response = self.portal.call(self._send, request)
        return response

    async def _send(self, request: dict[str, Any]) -> httpx.Response:
        kwargs = dict(request)
        method = kwargs.pop("method")
        url = kwargs.pop("url")
        cookies = kwargs.pop("cookies", None) or None
        data = kwargs.pop("data", None)
        if isinstance(data, dict):
            kwargs["content"] = form_encode(data)
        elif data is not None:
            kwargs["content"] = data if isinstance(data, bytes) else str(data).encode()
        files = kwargs.pop("files", None)
        if files:
            kwargs["files"] = multipart_files(files)
        if cookies:
            # httpx deprecates per-request cookies; a header carries the same thing.
            kwargs["headers"] = {
                **kwargs.get("headers", {}),
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            }
        return await self.client.request(method, url, **kwargs)

    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        state: AppState = self.app.state.hotline
        return state.sessionmaker


def multipart_files(files: Any) -> list[tuple[str, tuple[str, bytes, str]]]:
    """Generated multipart file fields as httpx can send them, whatever the generated values
    are (a number where a file belongs must reach the server as a part, not break the client)."""
    pairs = files.items() if isinstance(files, dict) else files
    out: list[tuple[str, tuple[str, bytes, str]]] = []
    for name, value in pairs:
        parts = value if isinstance(value, tuple) else ("generated", value)
        filename = str(parts[0]) if parts[0] is not None else "generated"
        content = parts[1] if len(parts) > 1 else b""
        if not isinstance(content, bytes):
            content = str(content).encode() if not hasattr(content, "read") else content.read()
        out.append((str(name), (filename, bytes(content), "application/octet-stream")))
    return out


def form_encode(data: dict[str, Any]) -> bytes:
    """URL-encode a generated form the way a browser would, whatever the generated values are."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        pairs.extend((str(key), _form_value(v)) for v in values)
    return urlencode(pairs).encode()


def _form_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _recording_control(state: AppState) -> RecordingControl:
    return RecordingControl()


async def _publish_call_actions(state: AppState) -> Any:
    # The composition root does this for live ARI sites; here the service drives a recorder.
    service = state.extras[TELEPHONY_KEY]
    assert isinstance(service, TelephonyService)
    state.extras[CALL_ACTIONS_KEY] = TelephonyCallActions(service)

    async def stop() -> None:
        state.extras.pop(CALL_ACTIONS_KEY, None)

    return stop


async def _seed_calls(service: TelephonyService, clock: FixedClock) -> None:
    """A call waiting in the queue and one the caller abandoned, so call ids exist."""
    for channel, leave in (("robust-1", False), ("robust-2", True)):
        key = CallKey("hz", channel)
        await service.director.call_arrived(
            InboundCall(
                key=key,
                caller_number="057188888888",
                caller_name="",
                dialled="12366",
                channel_name=f"PJSIP/trunk-{channel}",
                arrived_at=clock.now(),
            )
        )
        await service.director.ivr_completed(key, language="zh", line="national_tax")
        if leave:
            await service.director.caller_left(key, phase=CallPhase.QUEUE)


async def _seed_work_orders(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    """The working-day calendar of the clock's year and one order filed by hand (no call)."""
    admin = {"Authorization": f"Bearer {tokens[Role.ADMIN]}"}
    seeded = await client.post(f"/api/v1/calendar/seed/{FixedClock().now().year}", headers=admin)
    assert seeded.status_code == 200, seeded.text
    order = {
        "category": "enquiry",
        "priority": "normal",
        "subject": "How is the small-business VAT exemption applied?",
        "taxpayer": {"name": "张三丰", "phone": "13912345678"},
        "call_id": None,
    }
    supervisor = {"Authorization": f"Bearer {tokens[Role.SUPERVISOR]}"}
    created = await client.post("/api/v1/workorders", json=order, headers=supervisor)
    assert created.status_code == 201, created.text


async def _seed(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> tuple[dict[Role, str], KnownIds]:
    state: AppState = app.state.hotline
    maker = state.sessionmaker
    await import_file(maker, EXAMPLE)
    tokens: dict[Role, str] = {}
    for role in Role:
        await create_user(maker, f"fuzz-{role.value}", role)
        tokens[role] = await login(client, f"fuzz-{role.value}")
    service = state.extras[TELEPHONY_KEY]
    assert isinstance(service, TelephonyService)
    await _seed_calls(service, clock)
    await _seed_work_orders(client, tokens)
    known = KnownIds()
    async with maker() as session:
        for name, column in (
            ("site_id", Site.id),
            ("skill_id", Skill.id),
            ("agent_id", Agent.id),
            ("department_id", Department.id),
            ("call_id", Call.id),
        ):
            known.by_parameter[name] = list((await session.scalars(select(column))).all())
        # The fuzzing users themselves stay: deleting them would end the role passes early.
        demo_users = select(User.id).where(User.username.not_like("fuzz-%"))
        known.by_parameter["user_id"] = list((await session.scalars(demo_users)).all())
        known.by_parameter["order_id"] = list(
            (await session.scalars(select(WorkOrderRow.id))).all()
        )
    return tokens, known


@contextmanager
def running_app(database_url: str) -> Iterator[LiveApp]:
    """The app on ``database_url`` (migrated at start-up), seeded with the Hangzhou example
    centre, two calls and a work order."""
    settings = Settings(database_url=database_url, metrics_token=SecretStr(SCRAPE_TOKEN))
    clock = FixedClock()
    app = create_app(
        settings,
        clock=clock,
        components=[telephony_component(_recording_control), _publish_call_actions],
    )
    with ExitStack() as stack:
        portal = stack.enter_context(start_blocking_portal())
        stack.enter_context(portal.wrap_async_context_manager(app.router.lifespan_context(app)))
        client = stack.enter_context(
            portal.wrap_async_context_manager(
                httpx.AsyncClient(transport=_transport(app), base_url=BASE_URL)
            )
        )
        tokens, known = portal.call(_seed, app, client, clock)
        yield LiveApp(app=app, portal=portal, client=client, tokens=tokens, known=known)


def _transport(app: FastAPI) -> httpx.ASGITransport:
    # A crash must come back as the 500 a client would see, so the test can show the request.
    return httpx.ASGITransport(app=app, raise_app_exceptions=False)
