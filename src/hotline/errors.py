"""Application errors and the single error shape: RFC 9457 problem details that keep our slug.

Every error body is ``application/problem+json``::

    {"type": "urn:hotline:error:not_found", "title": "Not Found", "status": 404,
     "detail": "call 7 does not exist", "instance": "/api/v1/calls/7", "error": "not_found"}

``error`` (the slug) and ``detail`` are what clients and tests have always read: the old
``{"error": slug, "detail": ...}`` shape is a subset, so nothing that read it breaks. ``type`` is a
URN (RFC 9457 allows a type URI that does not resolve; a URN cannot be mistaken for a page to
fetch) naming the same slug; ``title`` is the status's reason phrase; ``instance`` the request path.

Every error a client can see goes through the handlers installed by ``install_error_handlers``:
validation (422 ``validation_error``), authentication (401 ``not_authenticated``), authorisation
(403 ``forbidden``), not found (404 ``not_found``), conflicts (409 ``conflict``), the database out
of reach (503 ``database_unavailable`` with ``Retry-After``) and anything unexpected (500
``internal_error``, logged with the request id, never a stack trace to the client).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger(__name__)


class AppError(Exception):
    status_code = 400
    slug = "bad_request"
    # A subclass whose __init__ does not call this one's still answers without extension members.
    extra: Mapping[str, Any] | None = None

    def __init__(
        self,
        detail: Any = None,
        *,
        headers: dict[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        # Members beside the standard ones (RFC 9457 extension members), e.g. a ``code`` and a
        # ``message`` in the request's language; they never replace a standard member.
        self.extra = extra


class NotFoundError(AppError):
    status_code = 404
    slug = "not_found"


class ConflictError(AppError):
    status_code = 409
    slug = "conflict"


class AuthenticationError(AppError):
    status_code = 401
    slug = "not_authenticated"

    def __init__(self, detail: Any = "authentication required") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class ForbiddenError(AppError):
    status_code = 403
    slug = "forbidden"


class InvalidInputError(AppError):
    status_code = 422
    slug = "validation_error"


class ServiceUnavailableError(AppError):
    status_code = 503
    slug = "unavailable"


_SLUG_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    503: "unavailable",
}


PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:hotline:error:"


def error_body(slug: str, detail: Any) -> dict[str, Any]:
    return {"error": slug, "detail": jsonable_encoder(detail)}


def _instance(request: Request) -> str:
    """The request's path as the client sent it (percent-encoded: a URI reference, as RFC 9457
    wants), without the query string (which may carry personal data)."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("latin-1").split("?", 1)[0]
    return request.url.path


def problem(
    request: Request,
    status: int,
    slug: str,
    detail: Any,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """The error response: problem details (RFC 9457) carrying our ``error`` slug."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {
        **jsonable_encoder(dict(extra or {})),
        "type": PROBLEM_TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "instance": _instance(request),
        **error_body(slug, detail),
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Only where and what: never echo the submitted value (it may be a password).
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem(request, exc.status_code, exc.slug, exc.detail, exc.headers, exc.extra)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug = _SLUG_BY_STATUS.get(exc.status_code, "error")
    return problem(request, exc.status_code, slug, exc.detail, getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem(request, 422, "validation_error", _validation_detail(exc))


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    log.info("integrity_error", error=str(getattr(exc, "orig", exc)).splitlines()[0])
    return problem(
        request, 409, "conflict", "the change conflicts with existing data (duplicate or in use)"
    )


def _is_bad_value(exc: DBAPIError) -> bool:
    """The database refused a value, not the operation: SQLSTATE class 22 "data exception"
    (a NUL character in text, a string too long, a number out of range, an impossible date).
    asyncpg's errors reach SQLAlchemy as plain DBAPIError, so the code is read from the driver."""
    if isinstance(exc, DataError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return isinstance(sqlstate, str) and sqlstate.startswith("22")


# SQLSTATE classes and codes that mean "the server is not there for us right now":
# 08 connection exception, 53 insufficient resources (too many connections), 57P01-57P03
# administrator shutdown, crash shutdown, cannot connect now (starting up or in recovery).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P01", "57P02", "57P03")
# SQLite's equivalents: the file cannot be opened, or another writer holds it past the timeout.
_UNAVAILABLE_SQLITE = ("unable to open database file", "database is locked")
RETRY_AFTER_S = 5
"""What a 503 tells a client to wait: long enough for a PostgreSQL restart or fail-over to
finish, short enough that an agent's desk recovers by itself."""


def _is_unavailable(exc: DBAPIError) -> bool:
    """The database could not be reached or would not serve us, as opposed to refusing the
    statement: a dropped connection, a server shutting down or starting, a full server."""
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
        return True
    if isinstance(orig, OSError | ConnectionError):
        return True
    message = str(orig).lower()
    return any(phrase in message for phrase in _UNAVAILABLE_SQLITE)


def _unavailable_response(request: Request) -> JSONResponse:
    return problem(
        request,
        503,
        "database_unavailable",
        f"the database cannot be reached just now; retry in {RETRY_AFTER_S} seconds",
        {"Retry-After": str(RETRY_AFTER_S)},
    )


async def _connection_error(request: Request, exc: Exception) -> JSONResponse:
    """A driver's connect that failed before any statement (asyncpg raises the socket's own
    ConnectionRefusedError or a timeout), or a pool whose connections are all out past its
    timeout: nothing the client did wrong, and it may work again shortly."""
    log.warning("database_unavailable", error=type(exc).__name__)
    return _unavailable_response(request)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if _is_unavailable(exc):
        return await _connection_error(request, exc)
    if not _is_bad_value(exc):
        return await _unexpected_error(request, exc)
    # A value the request schema let through but the column cannot hold (PostgreSQL checks,
    # SQLite mostly does not): bad input, not a server fault. The value itself is not echoed.
    log.info("bad_value_refused_by_database", error=str(getattr(exc, "orig", exc)).splitlines()[0])
    return problem(
        request,
        422,
        "validation_error",
        "the database cannot take a value: text with a NUL character, too long or out of range",
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    log.exception("unhandled_error", exc_info=exc)
    return problem(
        request, 500, "internal_error", {"message": "internal error", "request_id": request_id}
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    # Checked after IntegrityError (a DBAPIError too): handlers go by the most specific class.
    app.add_exception_handler(DBAPIError, _database_error)
    # ConnectionError, not OSError: a file or socket error elsewhere is still a fault (500).
    app.add_exception_handler(ConnectionError, _connection_error)
    app.add_exception_handler(PoolTimeoutError, _connection_error)
    app.add_exception_handler(Exception, _unexpected_error)
    _document_error_shape(app)


# ------------------------------------------------------------------ the error shape in OpenAPI
ERROR_SCHEMA_NAME = "Error"
_ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "description": "RFC 9457 problem details, served as application/problem+json, with the "
    "slug in `error`",
    "required": ["type", "title", "status", "instance", "error", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "description": f"{PROBLEM_TYPE_PREFIX}<error>",
        },
        "title": {"type": "string", "description": "the HTTP status's reason phrase"},
        "status": {"type": "integer", "description": "the HTTP status code"},
        "instance": {"type": "string", "description": "the path of the request that failed"},
        "error": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": "slug"},
        "detail": {
            "description": "what is wrong: a message, or for validation_error from the request "
            "schema a list of {loc, msg, type}"
        },
    },
}


def _document_error_shape(app: FastAPI) -> None:
    """Document what the handlers above really send: FastAPI documents every 422 as its own
    ``{"detail": [...]}``, which neither our ``{"error", "detail"}`` body nor the 422s raised by
    services (``InvalidInputError``, detail a message) match; clients and schema-driven tests
    read the document, so it must say the truth."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = (
                _ERROR_SCHEMA
            )
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    documented = operation.get("responses", {}).get("422")
                    if documented is not None:
                        documented["content"] = {
                            PROBLEM_MEDIA_TYPE: {
                                "schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
                            }
                        }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
