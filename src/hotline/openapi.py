"""The OpenAPI document says how each operation authenticates and how it can fail.

FastAPI documents only 200 and 422 and knows nothing of our guard, so a client (or a schema-driven
test, or the Authorize button of ``/docs``) would not learn that a request needs a token, which
roles pass, or that a write can conflict. What is added here is read from the routes themselves,
so a new endpoint is documented by what it depends on:

* a role guard (or the principal) among its dependencies: the OAuth2 password-flow security
  requirement, 401, and 403 unless every role passes;
* a database session among its dependencies: 503 (with ``Retry-After``);
* a path parameter: 404; a write method on a database: 409; any parameter or body: 422.

Every one of these responses carries the single error shape (``#/components/schemas/Error``,
problem details served as ``application/problem+json``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, iter_route_contexts

from hotline.auth.principal import RoleGuard
from hotline.deps import get_session
from hotline.errors import ERROR_SCHEMA_NAME, PROBLEM_MEDIA_TYPE, RETRY_AFTER_S
from hotline.roles import Role

SECURITY_SCHEME = "OAuth2PasswordBearer"
TOKEN_URL = "/api/v1/auth/token"
_TOKEN_PATH = "/auth/token"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_DESCRIPTIONS = {
    "401": "no token, or one that is expired, forged or of a disabled user; at the token URL: "
    "a wrong username or password",
    "403": "authenticated, but none of the roles this operation needs",
    "404": "the row named in the path does not exist",
    "409": "the change conflicts with the current state (a duplicate, a row in use, a race lost)",
    "422": "a parameter or a body field is missing, null where required, or malformed",
    "503": "the database cannot be reached just now; retry after the Retry-After seconds",
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _error(status: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _DESCRIPTIONS[status],
        "content": {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}
        },
    }
    if status == "503":
        response["headers"] = {
            "Retry-After": {
                "description": f"seconds to wait before retrying ({RETRY_AFTER_S})",
                "schema": {"type": "integer"},
            }
        }
    return response


def _statuses(route: APIRoute, method: str) -> tuple[bool, list[str]]:
    """Whether the operation needs a token, and the error statuses it can answer."""
    calls = list(_calls(route.dependant))
    guards = [call for call in calls if isinstance(call, RoleGuard)]
    authenticated = bool(guards)
    statuses = []
    if authenticated:
        statuses.append("401")
        if any(guard.roles != frozenset(Role) for guard in guards):
            statuses.append("403")
    if "{" in route.path_format:
        statuses.append("404")
    # A guard reads the user from the database when its cache has no entry for the token.
    uses_database = get_session in calls or authenticated
    if route.path_format.endswith(_TOKEN_PATH):
        statuses.append("401")  # wrong password; nothing to conflict with
    elif uses_database and method in _WRITES:
        statuses.append("409")
    if get_flat_params(route.dependant) or route.body_field is not None:
        statuses.append("422")
    if uses_database:
        statuses.append("503")
    return authenticated, statuses


def _api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """Each operation's full path and its route (included routers keep their routes unprefixed
    and expose the full path through the route context)."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema and context.path_format:
            yield context.path_format, route


def _amend(schema: dict[str, Any], routes: list[tuple[str, APIRoute]]) -> None:
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "oauth2",
        "description": "POST username and password to the token URL; send the access_token "
        "back as 'Authorization: Bearer <token>'",
        "flows": {"password": {"tokenUrl": TOKEN_URL, "scopes": {}}},
    }
    paths = schema.get("paths", {})
    for path, route in routes:
        for method in route.methods or ():
            operation = paths.get(path, {}).get(method.lower())
            if operation is None:
                continue
            authenticated, statuses = _statuses(route, method)
            if authenticated:
                operation["security"] = [{SECURITY_SCHEME: []}]
            responses = operation.setdefault("responses", {})
            for status in statuses:
                documented = responses.setdefault(status, _error(status))
                # A route's own description of the status (e.g. why it conflicts) is kept; the
                # body is always the error shape.
                documented.setdefault("description", _DESCRIPTIONS[status])
                documented["content"] = _error(status)["content"]
                if status == "503":
                    documented["headers"] = _error(status)["headers"]


def install(app: FastAPI) -> None:
    """Wrap ``app.openapi`` (after the error handlers wrapped it for the error shape)."""
    generate = app.openapi
    amended: list[bool] = []

    def openapi() -> dict[str, Any]:
        schema = generate()
        if not amended:
            _amend(schema, list(_api_routes(app)))
            amended.append(True)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
