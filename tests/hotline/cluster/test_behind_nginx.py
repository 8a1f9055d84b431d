"""The documented deployment: two instances behind a real nginx using the example site file
(examples/deploy/nginx/hotline.conf, only its ports changed). Skipped where nginx is not
installed (Debian: ``apt-get install nginx-light``)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import time
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from hotline.bus_bridge import BridgedBus
from tests.hotline.cluster.test_bus_bridge import (
    SSE,
    _frames,
    _wallboard_token,
    eventually,
    instance,
)
from tests.ports import ADDRESS_IN_USE, ATTEMPTS, picked_port

pytestmark = [pytest.mark.postgres]

SITE = Path(__file__).parents[3] / "examples" / "deploy" / "nginx" / "hotline.conf"
START_S = 30.0  # nginx answering through to an instance, on a loaded 2-core machine
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
)


def site_for(port_a: int, port_b: int, listen: int) -> str:
    site = SITE.read_text()
    for old, new in (
        ("127.0.0.1:8001", f"127.0.0.1:{port_a}"),
        ("127.0.0.1:8002", f"127.0.0.1:{port_b}"),
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
        ("listen [::]:80;", ""),
    ):
        assert old in site, f"the example site file no longer has {old!r}"
        site = site.replace(old, new)
    return site


@pytest.fixture
def nginx_prefix(tmp_path: Path) -> Path:
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return tmp_path


def write_nginx_conf(prefix: Path, site: str) -> Path:
    (prefix / "hotline.conf").write_text(site)
    conf = prefix / "nginx.conf"
    temp = "\n".join(
        f"  {name}_temp_path {prefix / name};" for name in ("client_body", "proxy", "fastcgi")
    )
    conf.write_text(
        f"pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
        "daemon off;\nworker_processes 1;\nevents {}\n"
        f"http {{\n  access_log off;\n{temp}\n  uwsgi_temp_path {prefix / 'uwsgi'};\n"
        f"  scgi_temp_path {prefix / 'scgi'};\n  include {prefix / 'hotline.conf'};\n}}\n"
    )
    return conf


def test_the_example_site_file_passes_nginx_t(nginx_prefix: Path) -> None:
    assert NGINX is not None
    conf = write_nginx_conf(nginx_prefix, site_for(8001, 8002, picked_port()))
    result = subprocess.run(
        [NGINX, "-t", "-p", str(nginx_prefix), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


async def _nginx_in_front(
    prefix: Path, port_a: int, port_b: int
) -> tuple[subprocess.Popen[bytes], str]:
    """nginx before the two instances, once it answers /healthz through to them.

    nginx takes its port as a number in its configuration, so the port is picked beforehand and
    may be taken by someone else before nginx binds it: nginx then gives up with "Address
    already in use", and is started again on another port.
    """
    assert NGINX is not None
    for _ in range(ATTEMPTS):
        listen = picked_port()
        conf = write_nginx_conf(prefix, site_for(port_a, port_b, listen))
        said, logged = prefix / "nginx.stderr", prefix / "error.log"
        logged.unlink(missing_ok=True)  # what an earlier attempt logged is not this one's
        with said.open("wb") as stderr:
            nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)], stderr=stderr)
        front = f"http://127.0.0.1:{listen}"
        deadline = time.monotonic() + START_S
        async with httpx.AsyncClient(base_url=front, timeout=5) as http:
            while nginx.poll() is None and time.monotonic() < deadline:
                with contextlib.suppress(httpx.TransportError):
                    answer = await http.get("/healthz")
                    # Through nginx (it names itself), not whatever else took the port.
                    if answer.status_code == 200 and answer.headers.get("server", "").startswith(
                        "nginx"
                    ):
                        return nginx, front
                await asyncio.sleep(0.05)
        if nginx.poll() is None:
            nginx.terminate()
            nginx.wait(10)
            raise AssertionError(f"nginx did not answer /healthz in {START_S:.0f} s")
        log = said.read_text(errors="replace")
        if logged.exists():
            log += logged.read_text(errors="replace")
        if ADDRESS_IN_USE not in log:
            raise AssertionError(f"nginx stopped at start-up:\n{log}")
    raise AssertionError(f"nginx lost its port {ATTEMPTS} times in a row")


@pytest.mark.asyncio
async def test_a_wallboard_through_nginx_carries_on_when_its_instance_stops(
    pg_url: str,
    nginx_prefix: Path,
) -> None:
    assert NGINX is not None
    async with AsyncExitStack() as first, AsyncExitStack() as second:
        app_a, base_a = await first.enter_async_context(instance(pg_url))
        app_b, base_b = await second.enter_async_context(instance(pg_url))
        bus_a, bus_b = app_a.state.hotline.bus, app_b.state.hotline.bus
        assert isinstance(bus_a, BridgedBus)
        assert isinstance(bus_b, BridgedBus)
        port_a, port_b = (int(base.rsplit(":", 1)[1]) for base in (base_a, base_b))
        nginx, front = await _nginx_in_front(nginx_prefix, port_a, port_b)
        try:
            async with httpx.AsyncClient(base_url=front, timeout=10) as http:
                token = await _wallboard_token(front, app_a)
                headers = {**SSE, "Authorization": f"Bearer {token}"}
                async with http.stream(
                    "GET", "/api/v1/wallboard/events", headers=headers
                ) as stream:
                    frames = _frames(stream)
                    await eventually(lambda: bus_a.watched("wallboard"))
                    served_by_a = bus_a.subscriber_count("wallboard") == 1
                    publisher = bus_b if served_by_a else bus_a
                    publisher.publish("wallboard", {"type": "state", "n": 1})
                    # Unbuffered: the frame arrives while the stream is still open.
                    first_frame = await asyncio.wait_for(anext(frames), 10)
                # The instance that served the stream stops; its events go on elsewhere.
                await (first if served_by_a else second).aclose()
                publisher.publish("wallboard", {"type": "state", "n": 2})
                publisher.publish("wallboard", {"type": "state", "n": 3})
                resume = {**headers, "Last-Event-ID": first_frame["id"]}
                async with http.stream("GET", "/api/v1/wallboard/events", headers=resume) as stream:
                    assert stream.status_code == 200
                    frames = _frames(stream)
                    got = [await asyncio.wait_for(anext(frames), 10) for _ in range(2)]
        finally:
            nginx.terminate()
            nginx.wait(10)
    assert '"n":1' in first_frame["data"]
    assert ['"n":2' in got[0]["data"], '"n":3' in got[1]["data"]] == [True, True]
