"""`hotline emulator`: a real process serving ARI on loopback, the password from the env."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from hotline.cli import app

URL = re.compile(r"ARI emulator on (http://127\.0\.0\.1:\d+/ari)")


def test_the_emulator_serves_ari_with_the_password_from_the_environment() -> None:
    env = {**os.environ, "HOTLINE_EMULATOR_PASSWORD": "s3cret-for-test"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from hotline.cli import app; app()", "emulator", "--port", "0"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        match = URL.search(banner)
        assert match, banner
        ari = match.group(1)
        info = httpx.get(f"{ari}/asterisk/info", auth=("hotline", "s3cret-for-test"))
        assert info.status_code == 200
        assert info.json()["system"]["version"].startswith("22.")
        assert httpx.get(f"{ari}/asterisk/info", auth=("hotline", "wrong")).status_code == 401
    finally:
        process.terminate()
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
        process.wait()


def test_without_a_password_and_no_terminal_the_emulator_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HOTLINE_EMULATOR_PASSWORD", raising=False)
    result = CliRunner().invoke(app, ["emulator", "--port", "0"])
    assert result.exit_code == 2
    assert "HOTLINE_EMULATOR_PASSWORD" in result.output
