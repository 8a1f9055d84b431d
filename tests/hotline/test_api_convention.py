"""The API convention (docs/api.md): keyset pages with a ``next`` link through the long lists,
an allow-listed ``sort``, a bounded ``limit``, a capped total, and every error as RFC 9457
problem details that keep the ``error`` slug. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.api import paging
from hotline.db.models import AuditLog, Site
from hotline.db.models.call import Call
from hotline.db.session import transaction
from hotline.roles import Role
from tests.fixtures.app import Users

pytestmark = pytest.mark.asyncio

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
# Arrival minutes: several calls share a moment, so the id must break ties across pages.
MINUTES = [0, 5, 5, 5, 7, 9, 9, 12]
RANGE = "/api/v1/calls?limit=2&from=2026-03-02T01:05:00Z&to=2026-03-02T01:09:00Z"


async def _calls(maker: async_sessionmaker[AsyncSession]) -> list[int]:
    """The calls, newest first (arrival descending, then id descending), as the list shows."""
    async with transaction(maker) as session:
        site = Site(code="hz", name="Hangzhou", ari_url="http://127.0.0.1:1/ari")
        site.ari_username, site.ari_password = "u", "p"
        session.add(site)
        await session.flush()
        rows = []
        for n, minute in enumerate(MINUTES):
            call = Call(
                site_id=site.id,
                channel_id=f"chan-{n}",
                caller_number="13905710001",
                dialled="12366",
                region="浙江省杭州市",
                arrived_at=T0 + timedelta(minutes=minute),
            )
            session.add(call)
            await session.flush()
            rows.append((call.arrived_at, call.id))
    return [call_id for _, call_id in sorted(rows, reverse=True)]


def _cursor(sort: str, values: list[Any]) -> str:
    raw = json.dumps({"s": sort, "v": values}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def _walk(
    client: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Follow ``next`` from ``url`` to the end: the item ids and every page."""
    ids: list[Any] = []
    pages: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url is not None:
        response = await client.get(next_url, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        ids += [item["id"] for item in page["items"]]
        if page["next"] is not None:
            assert response.headers["Link"] == f'<{page["next"]}>; rel="next"'
        next_url = page["next"]
        assert len(pages) <= 20, "the next links do not end"
    return ids, pages


async def test_calls_are_walked_page_by_page_through_next_links(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    newest_first = await _calls(app_sessionmaker)
    supervisor = users.headers(Role.SUPERVISOR)
    ids, pages = await _walk(client, "/api/v1/calls?limit=3", supervisor)
    assert ids == newest_first  # every call once, in order, ties broken by id
    assert [len(page["items"]) for page in pages] == [3, 3, 2]
    assert {(page["total"], page["total_capped"], page["limit"]) for page in pages} == {
        (len(MINUTES), False, 3)
    }
    oldest_first, _ = await _walk(client, "/api/v1/calls?limit=3&sort=arrived_at", supervisor)
    assert oldest_first == sorted(
        newest_first, key=lambda i: (MINUTES[newest_first[::-1].index(i)], i)
    )
    # The filters travel in the next link: a time range keeps its bounds on every page.
    ranged, _ = await _walk(
        client,
        "/api/v1/calls?limit=2&from=2026-03-02T01:05:00Z&to=2026-03-02T01:09:00Z",
        supervisor,
    )
    assert len(ranged) == 4  # the three at :05 and the one at :07


async def test_sort_limit_and_cursor_errors_name_the_parameter(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _calls(app_sessionmaker)
    admin = users.headers(Role.ADMIN)
    first = (await client.get("/api/v1/calls?limit=2", headers=admin)).json()
    cursor = first["next"].split("cursor=")[1]
    cases = {
        "/api/v1/calls?sort=caller_number": ("sort", "-arrived_at, arrived_at"),
        "/api/v1/workorders?sort=subject": ("sort", "resolve_due_at, -created_at, created_at"),
        "/api/v1/audit?sort=at": ("sort", "-id, id"),
        "/api/v1/calls?limit=501": ("limit", "500"),
        "/api/v1/calls?limit=0": ("limit", "1"),
        "/api/v1/workorders?limit=501": ("limit", "500"),
        "/api/v1/audit?limit=501": ("limit", "500"),
        "/api/v1/calls?cursor=not-a-cursor": ("cursor", "next"),
        # Tampered: a text id, a moment without its offset.
        f"/api/v1/audit?cursor={_cursor('-id', ['x'])}": ("cursor", "next"),
        f"/api/v1/calls?cursor={_cursor('-arrived_at', ['2026-03-02T01:00:00', 1])}": (
            "cursor",
            "next",
        ),
        "/api/v1/calls?offset=50": ("offset", "Extra inputs"),
        "/api/v1/workorders?page=2&page_size=2": ("page", "follow the `next` link"),
        f"/api/v1/calls?sort=arrived_at&cursor={cursor}": ("cursor", "sort='-arrived_at'"),
        f"/api/v1/audit?cursor={cursor}": ("cursor", "not sort='-id'"),
    }
    for url, (parameter, words) in cases.items():
        response = await client.get(url, headers=admin)
        assert response.status_code == 422, (url, response.text)
        body = response.json()
        assert body["error"] == "validation_error"
        assert body["detail"][0]["loc"] == ["query", parameter], url
        assert words in body["detail"][0]["msg"], (url, body)


async def test_the_audit_trail_is_paged_and_bounded(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with transaction(app_sessionmaker) as session:
        session.add_all(
            AuditLog(action="test_event", detail={"n": n}, at=T0 + timedelta(seconds=n))
            for n in range(7)
        )
    director = users.headers(Role.DIRECTOR)
    ids, pages = await _walk(client, "/api/v1/audit?action=test_event&limit=3", director)
    assert len(ids) == 7
    assert ids == sorted(ids, reverse=True)
    assert [len(page["items"]) for page in pages] == [3, 3, 1]
    # No limit asked: a default page, never the whole trail.
    default = (await client.get("/api/v1/audit", headers=director)).json()
    assert default["limit"] == paging.DEFAULT_LIMIT
    within = (
        await client.get(
            "/api/v1/audit?action=test_event&from=2026-03-02T01:00:02Z&to=2026-03-02T01:00:05Z",
            headers=director,
        )
    ).json()
    assert [item["detail"]["n"] for item in within["items"]] == [4, 3, 2]


async def test_the_total_is_capped(
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _calls(app_sessionmaker)
    monkeypatch.setattr(paging, "TOTAL_CAP", 5)  # the real cap is 10,000 rows
    page = (await client.get("/api/v1/calls?limit=2", headers=users.headers(Role.ADMIN))).json()
    assert (page["total"], page["total_capped"]) == (5, True)
    monkeypatch.setattr(paging, "TOTAL_CAP", len(MINUTES))
    page = (await client.get("/api/v1/calls?limit=2", headers=users.headers(Role.ADMIN))).json()
    assert (page["total"], page["total_capped"]) == (len(MINUTES), False)


async def test_errors_are_problem_details_that_keep_the_slug(
    client: httpx.AsyncClient, users: Users
) -> None:
    cases = [
        ("/api/v1/calls/999", users.headers(Role.ADMIN), 404, "not_found", "Not Found"),
        ("/api/v1/calls?limit=x", users.headers(Role.ADMIN), 422, "validation_error", None),
        ("/api/v1/calls", {}, 401, "not_authenticated", "Unauthorized"),
        ("/api/v1/audit", users.headers(Role.AGENT), 403, "forbidden", "Forbidden"),
    ]
    for url, headers, status, slug, title in cases:
        response = await client.get(url, headers=headers)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["type"] == f"urn:hotline:error:{slug}"
        assert body["status"] == status
        assert body["error"] == slug
        assert body["instance"] == url.split("?")[0]
        assert body["detail"]
        if title is not None:
            assert body["title"] == title
    document = (await client.get("/openapi.json")).json()
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"type", "title", "status", "instance", "error", "detail"}
    listed = document["paths"]["/api/v1/calls"]["get"]["responses"]["422"]["content"]
    assert list(listed) == ["application/problem+json"]


async def test_a_page_and_its_total_are_one_statement(
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The total rides on the page's rows (one statement: on SQLite each is four hops to the
    driver's thread), and stays the filtered total on every page."""
    await _calls(app_sessionmaker)
    supervisor = users.headers(Role.SUPERVISOR)
    assert (await client.get("/api/v1/auth/me", headers=supervisor)).status_code == 200
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = app_sessionmaker.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = (await client.get(RANGE, headers=supervisor)).json()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 1, statements
    assert (len(page["items"]), page["total"], page["total_capped"]) == (2, 4, False)
    second = (await client.get(page["next"], headers=supervisor)).json()
    assert (len(second["items"]), second["total"]) == (2, 4)


async def test_a_page_past_the_end_still_tells_the_total(
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    newest_first = await _calls(app_sessionmaker)
    supervisor = users.headers(Role.SUPERVISOR)
    first = (await client.get(f"/api/v1/calls?limit={len(MINUTES) - 1}", headers=supervisor)).json()
    async with transaction(app_sessionmaker) as session:  # the last page's one call goes away
        await session.delete(await session.get(Call, newest_first[-1]))
    past = (await client.get(first["next"], headers=supervisor)).json()
    assert (past["items"], past["total"], past["total_capped"]) == ([], len(MINUTES) - 1, False)
