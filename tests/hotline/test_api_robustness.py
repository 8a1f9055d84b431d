"""Bad input never gets a 500: every /api/v1 operation fuzzed through the ASGI app.

Schemathesis generates valid and invalid path and query parameters and bodies from the app's own
OpenAPI document; the app runs on a SQLite copy seeded with the Hangzhou example centre (plus two
calls and a work order) so that ids exist and handlers go past their 404. Every response must be
below 500; every 4xx must carry the error shape ``{"error": slug, "detail": ...}``; a documented
status must match its documented schema. The runs are derandomized so CI sees the same requests
every time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from hotline.config import Settings
from hotline.main import create_app
from hotline.roles import Role
from tests.fixtures.app import TEST_PASSWORD, FixedClock, Users
from tests.hotline.robustness.captured_logs import production_logging
from tests.hotline.robustness.databases import (
    postgres_admin_url,
    postgres_scratch,
    require_postgres,
    sqlite_copy,
)
from tests.hotline.robustness.live_app import BASE_URL, LiveApp, running_app
from tests.hotline.robustness.operations import (
    DOCUMENT_CHECKS_SKIPPED,
    INVALID_INPUT_ACCEPTED,
    KNOWN_DEFECTS,
    NOT_FUZZED,
    GeneratedCase,
    Operation,
    api_operations,
    assert_error_shape,
    cases,
    describe,
    key,
    label,
    load_schema,
)

SCHEMA = load_schema()
OPERATIONS = api_operations(SCHEMA)
FUZZED = [op for op in OPERATIONS if key(op) not in NOT_FUZZED and key(op) not in KNOWN_DEFECTS]
BOTH_MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]

# Bounded and reproducible: the same examples on every run, no example database, no shrinking
# (the failure message shows the request as sent, which is what a fix needs).
FUZZ_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
ROLE_PASS_SETTINGS = settings(FUZZ_SETTINGS, max_examples=120)


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.slow])],
)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApp]:
    """The seeded app for the whole module: on SQLite always, on PostgreSQL as a slow variant."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            template: Path = request.getfixturevalue("sqlite_template")
            url = sqlite_copy(template, tmp_path_factory.mktemp("robustness"))
        else:
            require_postgres(request)
            url = stack.enter_context(postgres_scratch(postgres_admin_url()))
        env = stack.enter_context(pytest.MonkeyPatch.context())
        env.setenv("HOTLINE_DEMO_PASSWORD", "robustness-demo-login")
        env.setenv("HOTLINE_DEMO_ARI_PASSWORD", "robustness-demo-ari-secret")
        yield stack.enter_context(running_app(url))


def _send_and_check(live: LiveApp, case: GeneratedCase, role: Role) -> httpx.Response:
    request = case.as_transport_kwargs(base_url=BASE_URL, headers=live.headers(role))
    response = live.send(request)
    context = describe(case, response)
    assert response.status_code < 500, context
    if 400 <= response.status_code < 500:
        assert_error_shape(response, context)
    checks = []
    if key(case.operation) not in DOCUMENT_CHECKS_SKIPPED:
        checks += [
            schemathesis.checks.content_type_conformance,
            schemathesis.checks.response_schema_conformance,
        ]
    if key(case.operation) not in INVALID_INPUT_ACCEPTED:
        # Input the document calls invalid must get a 4xx, not be stored or acted on.
        checks.append(schemathesis.checks.negative_data_rejection)
    case.validate_response(response, checks=checks)
    return response


def test_every_api_operation_is_fuzzed_or_excluded_with_a_reason() -> None:
    assert len(OPERATIONS) >= 50
    exclusions = [NOT_FUZZED, KNOWN_DEFECTS, DOCUMENT_CHECKS_SKIPPED, INVALID_INPUT_ACCEPTED]
    served = {key(op) for op in OPERATIONS}
    for exclusion in exclusions:
        assert set(exclusion) <= served, "an exclusion names no served operation"
        assert all(reason.strip() for reason in exclusion.values())


@pytest.mark.parametrize("operation", FUZZED, ids=label)
def test_admin_requests_never_get_a_server_error(live: LiveApp, operation: Operation) -> None:
    strategy = cases(operation, live.known.by_parameter, BOTH_MODES)

    @FUZZ_SETTINGS
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        _send_and_check(live, data.draw(strategy, label="case"), Role.ADMIN)

    fuzz()


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN], ids=str)
def test_other_roles_never_get_a_server_error(live: LiveApp, role: Role) -> None:
    strategies = [cases(op, live.known.by_parameter, BOTH_MODES) for op in FUZZED]

    @ROLE_PASS_SETTINGS
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        _send_and_check(live, data.draw(st.one_of(strategies), label="case"), role)

    fuzz()


# ------------------------------------------------------------------ secrets never reach the logs
LOGIN_SECRET = "wrong-password-Q7x2"
ARI_SECRET = "ari-secret-K9m4"
ARI_SECRET_REJECTED = "ari-secret-in-a-bad-request-P3v8"
ARI_SECRET_CHANGED = "ari-secret-changed-W5n1"
LOCAL_SECRET = "secret-held-in-a-local-Z8c6"
SCRAPE = "scrape-token-for-tests"  # the metrics token of the shared settings fixture


async def _crash() -> None:
    # A handler failing with a secret in a local variable: the traceback logged for the 500
    # must not print it.
    password = LOCAL_SECRET
    raise RuntimeError(f"simulated failure (password length {len(password)})")


@pytest_asyncio.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The shared ``app`` fixture plus one route that crashes (routes are fixed at start-up)."""
    application = create_app(settings, clock=clock)
    application.add_api_route("/robustness-crash", _crash, include_in_schema=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.mark.asyncio
@pytest.mark.parametrize("json_output", [False, True], ids=["console", "json"])
async def test_secrets_never_reach_the_logs(
    app: FastAPI,
    client: httpx.AsyncClient,
    users: Users,
    capsys: pytest.CaptureFixture[str],
    json_output: bool,
) -> None:
    admin = users.headers(Role.ADMIN)
    token = users.tokens[Role.ADMIN]
    site = {
        "code": "hz",
        "name": "Hangzhou",
        "ari_url": "http://pbx.test:8088",
        "ari_username": "hotline",
        "ari_password": ARI_SECRET,
    }
    capsys.readouterr()
    with production_logging(json_output=json_output):
        login = "/api/v1/auth/token"
        refused = await client.post(
            login, data={"username": "admin-user", "password": LOGIN_SECRET}
        )
        assert refused.status_code == 401
        unknown = await client.post(login, data={"username": "nobody", "password": LOGIN_SECRET})
        assert unknown.status_code == 401
        assert (
            await client.post(login, data={"username": "ops-user", "password": TEST_PASSWORD})
        ).status_code == 200
        created = await client.post("/api/v1/sites", json=site, headers=admin)
        assert created.status_code == 201, created.text
        bad = {**site, "code": "second", "ari_url": "ftp://x", "ari_password": ARI_SECRET_REJECTED}
        assert (await client.post("/api/v1/sites", json=bad, headers=admin)).status_code == 422
        site_url = f"/api/v1/sites/{created.json()['id']}"
        changed = {"ari_password": ARI_SECRET_CHANGED}
        assert (await client.patch(site_url, json=changed, headers=admin)).status_code == 200
        assert (
            await client.get(f"/api/v1/sites?access_token={token}", headers=admin)
        ).status_code == 200
        tampered = {"Authorization": f"Bearer {token}x"}
        assert (await client.get("/api/v1/auth/me", headers=tampered)).status_code == 401
        assert (
            await client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE}"})
        ).status_code == 200
        # The shared client re-raises app errors; a real client gets the 500 answer.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=str(client.base_url)) as raw:
            assert (await raw.get("/robustness-crash", headers=admin)).status_code == 500
    captured = capsys.readouterr()
    logged = captured.out + captured.err
    # The requests were logged (so the check below has something to look at) ...
    assert logged.count("http_request") >= 10
    assert "unhandled_error" in logged
    # ... and no secret was.
    for secret in (LOGIN_SECRET, TEST_PASSWORD, ARI_SECRET, ARI_SECRET_REJECTED,
                   ARI_SECRET_CHANGED, token, SCRAPE, LOCAL_SECRET):  # fmt: skip
        assert secret not in logged, f"a secret reached the log: {secret[:6]}...\n" + "\n".join(
            line[:300] for line in logged.splitlines() if secret in line
        )


# ------------------------------------------------------------------ hand-picked hostile input
NUL = "a\x00b"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("method", "url", "body", "named"),
    [
        ("POST", "/api/v1/sites", {"code": "x1", "name": NUL, "ari_url": "http://pbx:8088",
          "ari_username": "u", "ari_password": "p"}, ["body", "name"]),
        ("POST", "/api/v1/sites", {"code": "x2", "name": "n", "ari_url": "http://pbx:8088",
          "ari_username": "u", "ari_password": NUL}, ["body", "ari_password"]),
        ("POST", "/api/v1/departments", {"code": "d1", "name": NUL, "kind": "back_office"},
         ["body", "name"]),
        ("POST", "/api/v1/users", {"username": "u1", "full_name": NUL,
          "password": "long enough password", "roles": ["ops"]}, ["body", "full_name"]),
        ("POST", "/api/v1/skills", {"business_line": "finance", "language": "zh", "name": NUL},
         ["body", "name"]),
        ("GET", "/api/v1/audit?actor=a%00b", None, ["query", "actor"]),
        ("GET", "/api/v1/sites/2147483648", None, ["path", "site_id"]),
        ("PATCH", "/api/v1/users/99999999999999999999", {"full_name": "x"}, ["path", "user_id"]),
    ],
    ids=["site-name", "ari-password", "department", "user", "skill", "audit-filter",
         "id-over-int32", "id-over-int64"],
)  # fmt: skip
async def test_text_and_ids_the_database_cannot_hold_are_refused_with_422(
    client: httpx.AsyncClient,
    users: Users,
    method: str,
    url: str,
    body: dict[str, object] | None,
    named: list[str] | None,
) -> None:
    """PostgreSQL refuses U+0000 in text and ids beyond its integer columns (SQLite takes the
    first and overflows on the second): both are the client's error, and nothing is stored."""
    admin = users.headers(Role.ADMIN)
    before = (await client.get("/api/v1/audit?limit=500", headers=admin)).json()["total"]
    response = await client.request(method, url, json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert_error_shape(response, response.text)
    if named is not None:
        assert [problem["loc"] for problem in response.json()["detail"]] == [named]
    for listing in ("/api/v1/sites", "/api/v1/departments", "/api/v1/skills"):
        assert (await client.get(listing, headers=admin)).json() == []
    assert len((await client.get("/api/v1/users", headers=admin)).json()) == len(Role)
    after = (await client.get("/api/v1/audit?limit=500", headers=admin)).json()["total"]
    assert after == before
