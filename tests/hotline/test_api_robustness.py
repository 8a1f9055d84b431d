"""Bad input never gets a 500: every /api/v1 operation fuzzed through the ASGI app.

Schemathesis generates valid and invalid path and query parameters and bodies from the app's own
OpenAPI document; the app runs on a SQLite copy seeded with the Hangzhou example centre (plus two
calls and a work order) so that ids exist and handlers go past their 404. Every response must be
below 500; every 4xx must carry the error shape ``{"error": slug, "detail": ...}``; a documented
status must match its documented schema. The runs are derandomized so CI sees the same requests
every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from hotline.roles import Role
from tests.hotline.robustness.live_app import BASE_URL, LiveApp, running_app
from tests.hotline.robustness.operations import (
    DOCUMENT_CHECKS_SKIPPED,
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


@pytest.fixture(scope="module")
def live(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOTLINE_DEMO_PASSWORD", "robustness-demo-login")
        env.setenv("HOTLINE_DEMO_ARI_PASSWORD", "robustness-demo-ari-secret")
        with running_app(sqlite_template, tmp_path_factory.mktemp("robustness")) as app:
            yield app


def _send_and_check(live: LiveApp, case: GeneratedCase, role: Role) -> httpx.Response:
    request = case.as_transport_kwargs(base_url=BASE_URL, headers=live.headers(role))
    response = live.send(request)
    context = describe(case, response)
    assert response.status_code < 500, context
    if 400 <= response.status_code < 500:
        assert_error_shape(response, context)
    if key(case.operation) not in DOCUMENT_CHECKS_SKIPPED:
        case.validate_response(
            response,
            checks=[
                schemathesis.checks.content_type_conformance,
                schemathesis.checks.response_schema_conformance,
            ],
        )
    return response


def test_every_api_operation_is_fuzzed_or_excluded_with_a_reason() -> None:
    assert len(OPERATIONS) >= 50
    exclusions = [NOT_FUZZED, KNOWN_DEFECTS, DOCUMENT_CHECKS_SKIPPED]
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
