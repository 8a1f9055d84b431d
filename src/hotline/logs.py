"""Structured logging (structlog) with the request id bound for every line of a request."""

from __future__ import annotations

import logging
import sys

import structlog

_SECRET_KEYS = {"password", "jwt_secret", "ari_password", "authorization", "token", "secret"}

# Libraries whose log lines carry what must not be logged, and the lowest level they may log at:
# aiosqlite prints every statement with its bind parameters at DEBUG (an ARI password, a password
# hash); httpx and httpcore print full request URLs at INFO/DEBUG (query strings may carry an ARI
# ``api_key=user:password`` or a token); websockets prints connection URIs and frames at DEBUG.
_LIBRARY_FLOORS = {
    "aiosqlite": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "websockets": logging.INFO,
}


def _drop_secrets(
    _logger: object, _method: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    for key in list(event_dict):
        if key.lower() in _SECRET_KEYS:
            event_dict[key] = "***"
    return event_dict


def configure_logging(level: str = "INFO", *, json_output: bool = False) -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_secrets,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json_output
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=_traceback_without_locals()
        )
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if json_output else _identity,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log repeats what our request middleware already logs with the request id.
    logging.getLogger("uvicorn.access").disabled = True
    for name, floor in _LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, root.level))


def _traceback_without_locals() -> structlog.typing.ExceptionRenderer:
    """Plain tracebacks, as the standard library draws them, without the frames' local variables
    (a handler's locals hold request bodies, passwords and settings).

    Not rich's pretty tracebacks: logging runs on the event loop that also drives the calls, and
    rich with pygments took about 2 s to draw one traceback; the standard library takes well
    under a millisecond."""
    return structlog.dev.plain_traceback


def _identity(
    _logger: object, _method: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    return event_dict
