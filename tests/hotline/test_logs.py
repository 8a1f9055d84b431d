"""Logging stays cheap on the event loop: tracebacks are drawn plainly, without rich."""

from __future__ import annotations

import pytest
import structlog

from tests.hotline.robustness.captured_logs import production_logging


def test_a_logged_traceback_is_plain_text_without_locals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with production_logging(json_output=False):
        log = structlog.get_logger("hotline.test")
        password = "a-secret-in-a-local"
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            log.exception("handler_failed")
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err
    assert "RuntimeError: boom" in err
    assert "╭" not in err  # rich draws boxes; the standard library does not
    assert "│" not in err
    assert password not in err  # no frame locals
