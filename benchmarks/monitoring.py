"""Listen / whisper / barge and recording playback: API latencies against the live service.

Runs the browser tests' live centre (ARI emulator over loopback, the service with live telephony
on SQLite, real HTTP). ``agent002`` (a phone that answers by itself) takes one call; the
supervisor then starts, switches and stops a monitor on it ``--rounds`` times (their phone, a
scripted endpoint, answers at once), and plays a stored recording of ``--minutes`` minutes.

Measured, per request, from the request sent to the response read (loopback, same process):
* monitor_start / monitor_switch / monitor_stop: POST, PATCH and DELETE
  ``/api/v1/calls/{id}/monitor``: each is a few ARI requests (bridge, snoop, originate) plus
  the audit entry;
* play_full / play_range: ``GET /api/v1/calls/{id}/recording`` whole, and one 64 KiB range
  (what a player's seek asks): each fetches the file from Asterisk (``/recordings/stored/{name}
  /file``) into memory first.

    python benchmarks/monitoring.py --rounds 50 --minutes 10 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

# The repository root instead of benchmarks/ (whose cti.py would shadow the cti package).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from cti.emulator import AgentScript  # noqa: E402
from hotline.db.models.call import Call  # noqa: E402
from tests.browser import PARTNER, PASSWORD, desk_centre  # noqa: E402

SUPERVISOR_PHONE = "PJSIP/8001"


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def _timed(samples: list[float], request: Any) -> httpx.Response:
    started = time.perf_counter()
    response: httpx.Response = await request
    samples.append(time.perf_counter() - started)
    response.raise_for_status()
    return response


async def run(rounds: int, minutes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        async with desk_centre(Path(folder) / "bench.db", speed=10.0) as centre:
            centre.emulator.add_endpoint(SUPERVISOR_PHONE, AgentScript(answer_after_s=0.1))
            async with httpx.AsyncClient(base_url=centre.base_url, timeout=60) as http:

                async def token(name: str) -> dict[str, str]:
                    answer = await http.post(
                        "/api/v1/auth/token", data={"username": name, "password": PASSWORD}
                    )
                    answer.raise_for_status()
                    return {"Authorization": f"Bearer {answer.json()['access_token']}"}

                agent, boss = await token(PARTNER), await token("supervisor")
                ready = {"state": "ready"}
                await http.put("/api/v1/agent/session/state", json=ready, headers=agent)
                centre.place_call("13905710009")
                call_id = None
                for _ in range(600):
                    items = (await http.get("/api/v1/calls", headers=boss)).json()["items"]
                    if items and items[0]["answered_at"]:
                        call_id = items[0]["id"]
                        break
                    await asyncio.sleep(0.1)
                assert call_id is not None, "the call was not answered"
                url = f"/api/v1/calls/{call_id}/monitor"
                start: list[float] = []
                switch: list[float] = []
                stop: list[float] = []
                for _ in range(rounds):
                    body = {"mode": "listen", "endpoint": SUPERVISOR_PHONE}
                    started = await _timed(start, http.post(url, json=body, headers=boss))
                    monitor = started.json()["monitor_id"]
                    patch = http.patch(f"{url}/{monitor}", json={"mode": "whisper"}, headers=boss)
                    await _timed(switch, patch)
                    await _timed(stop, http.delete(f"{url}/{monitor}", headers=boss))

                name = f"hotline-call-{call_id}"
                centre.emulator.core.stored_recordings[name] = "wav"
                centre.emulator.core.stored_durations[name] = minutes * 60
                async with centre.app.state.hotline.sessionmaker() as session, session.begin():
                    call = await session.get(Call, call_id)
                    assert call is not None
                    call.recording_name = name
                    call.recording_started_at = call.answered_at
                recording = f"/api/v1/calls/{call_id}/recording"
                full: list[float] = []
                ranged: list[float] = []
                size = 0
                for _ in range(rounds):
                    size = len((await _timed(full, http.get(recording, headers=boss))).content)
                    middle = {**boss, "Range": f"bytes={size // 2}-{size // 2 + 65535}"}
                    await _timed(ranged, http.get(recording, headers=middle))
    return {
        "rounds": rounds,
        "recording_minutes": minutes,
        "recording_bytes": size,
        "monitor_start": _summary(start),
        "monitor_switch": _summary(switch),
        "monitor_stop": _summary(stop),
        "play_full": _summary(full),
        "play_range": _summary(ranged),
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.rounds, args.minutes))
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
