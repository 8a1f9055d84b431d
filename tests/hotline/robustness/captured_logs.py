"""The production logging set-up (``hotline.logs.configure_logging``) for one test, then undone.

The test reads what the handler wrote (stderr, captured by pytest) and the process's logging and
structlog configuration are restored afterwards, so other tests see the defaults they expect.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import structlog

from hotline.logs import configure_logging

# Loggers whose level configure_logging sets (restored afterwards with the rest).
LIBRARY_LOGGERS = ("aiosqlite", "httpx", "httpcore", "websockets")


@contextmanager
def production_logging(*, json_output: bool) -> Iterator[None]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    access = logging.getLogger("uvicorn.access")
    saved_access_disabled = access.disabled
    saved_structlog = structlog.get_config()
    libraries = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    configure_logging("DEBUG", json_output=json_output)
    # Same processors and renderer as production; only the logger cache is off, so that loggers
    # first used here do not keep this configuration after the test.
    structlog.configure(cache_logger_on_first_use=False)
    try:
        yield
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        access.disabled = saved_access_disabled
        structlog.configure(**saved_structlog)
        for name, level in libraries.items():
            logging.getLogger(name).setLevel(level)
