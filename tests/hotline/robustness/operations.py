"""The OpenAPI operations to fuzz, the few left out on purpose, and the response rules."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

import httpx
import schemathesis
from hypothesis import strategies as st
from schemathesis import APIOperation, GenerationMode
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case

from hotline.config import Settings
from hotline.main import create_app

# Schemathesis' generic classes, with the type parameters this module never needs to name.
Operation = APIOperation[Any, Any, Any, Any]
GeneratedCase = Case[Any]

API_PREFIX = "/api/v1"
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")

# Left out on purpose (not defects): each entry says why.
NOT_FUZZED: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/agent/events"): (
        "server-sent event stream that never ends on its own; the in-process ASGI transport "
        "buffers whole responses (tests/hotline/live/test_streams.py covers it)"
    ),
    ("GET", "/api/v1/wallboard/events"): (
        "server-sent event stream that never ends on its own; the in-process ASGI transport "
        "buffers whole responses (tests/hotline/live/test_streams.py covers it)"
    ),
    ("GET", "/api/v1/inbox/events"): (
        "server-sent event stream that never ends on its own; the in-process ASGI transport "
        "buffers whole responses (tests/hotline/workorders/test_inbox_events.py covers it)"
    ),
}

# Fuzzed for status and error shape, but their responses are not checked against the document.
_TUPLE_SCHEMA = (
    "not a defect: Schemathesis 4.32 turns the OpenAPI 3.1 tuple schema prefixItems (working "
    "periods, list[tuple[str, str]]) into a Draft-4 items array, then rejects it as invalid"
)
DOCUMENT_CHECKS_SKIPPED: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/calendar"): _TUPLE_SCHEMA,
    ("GET", "/api/v1/calendar/periods"): _TUPLE_SCHEMA,
    ("PUT", "/api/v1/calendar/periods"): _TUPLE_SCHEMA,
}

# Fuzzed with every check except "schema-invalid input is refused", because the operation accepts
# some invalid input; each entry is a defect in code still being worked on by its owners.
INVALID_INPUT_ACCEPTED: dict[tuple[str, str], str] = {}

# Defects found by the fuzzing in code whose owners are still at work on it: the exact failing
# request and traceback are in the robustness report. The lead removes an entry once it is fixed;
# the test then fuzzes the operation like every other.
KNOWN_DEFECTS: dict[tuple[str, str], str] = {}


def load_schema() -> schemathesis.BaseSchema:
    # Building the app connects to nothing: the lifespan is not entered here.
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    return schemathesis.openapi.from_dict(app.openapi())


def api_operations(schema: schemathesis.BaseSchema) -> list[Operation]:
    """Every operation under /api/v1, deletions last so the others see the seeded rows."""
    found: list[Operation] = []
    for result in schema.get_all_operations():
        # An operation Schemathesis cannot read is an error in the document: raise it here.
        assert isinstance(result, Ok), result
        found.append(result.ok())
    chosen = [op for op in found if op.path.startswith(API_PREFIX)]
    return sorted(chosen, key=lambda op: op.method.upper() == "DELETE")


def key(operation: Operation) -> tuple[str, str]:
    return (operation.method.upper(), operation.path)


def label(operation: Operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


Strategy = st.SearchStrategy[GeneratedCase]


def cases(
    operation: Operation, known_ids: dict[str, list[Any]], modes: list[GenerationMode]
) -> Strategy:
    """Generated cases, half of them (when the path has ids) aimed at rows that exist."""
    generated: list[Strategy] = [operation.as_strategy(mode) for mode in modes]
    names = [parameter.name for parameter in operation.path_parameters]
    if names and all(known_ids.get(name) for name in names):
        existing = st.fixed_dictionaries({n: st.sampled_from(known_ids[n]) for n in names})
        for mode in modes:

            def aimed(values: dict[str, Any], mode: GenerationMode = mode) -> Strategy:
                return operation.as_strategy(mode, path_parameters=values)

            generated.append(existing.flatmap(aimed))
    return st.one_of(generated)


def describe(case: GeneratedCase, response: httpx.Response) -> str:
    """What a failing assertion shows: the request that was sent and what came back."""
    request = response.request
    try:
        raw = request.content
    except httpx.RequestNotRead:  # a multipart upload is sent as a stream: read it back
        raw = request.read()
    body = raw[:2000].decode("utf-8", "replace")
    return (
        f"\n{request.method} {request.url}\nbody: {body}\n"
        f"-> {response.status_code} {response.text[:2000]}"
    )


def assert_error_shape(response: httpx.Response, context: str) -> None:
    """Every 4xx is RFC 9457 problem details (``application/problem+json``) that carries our
    ``{"error": slug, "detail": ...}`` and nothing else."""
    try:
        body = response.json()
    except json.JSONDecodeError:
        raise AssertionError(f"4xx without a JSON body{context}") from None
    assert isinstance(body, dict), f"4xx body is not an object{context}"
    assert set(body) == {"type", "title", "status", "instance", "error", "detail"}, (
        f"4xx body keys {sorted(body)}{context}"
    )
    assert response.headers["content-type"] == "application/problem+json", context
    assert body["status"] == response.status_code, context
    assert body["type"] == f"urn:hotline:error:{body['error']}", context
    assert unquote(body["instance"]) == response.request.url.path, context
    assert isinstance(body["error"], str), context
    assert _SLUG.match(body["error"]), f"error is not a slug{context}"
