"""What the callback claim costs the call path (``Recorder.claim_callback``).

Before dialling a callback the engine now waits for one conditional UPDATE to pass its write
queue (so that a supervisor's cancel or reschedule cannot race the attempt). This measures that
wait on both databases: with the queue idle, and with ``--ahead`` ordinary writes (callback
updates, as the engine makes) queued in front of each claim, as under load.

    ./dev python benchmarks/callbacks.py --json --claims 200 --ahead 200
"""

# ruff: noqa: E402  (the imports follow the sys.path fix below on purpose)
from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on sys.path and benchmarks/cti.py would shadow `cti`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from hotline.db.models import Call, Callback
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.db.write_queue import WriteQueue
from hotline.telephony.recorder import Recorder


def _load_sibling(name: str) -> Any:
    # By path, as benchmarks/cti.py does: this folder on sys.path would shadow `routing`.
    spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench_database = _load_sibling("cti_db").bench_database


async def _one(kind: str, claims: int, ahead: int) -> dict[str, Any]:
    async with bench_database(kind, ["a1"]) as database:
        engine = create_engine(database.url)
        maker = create_sessionmaker(engine)
        now = datetime.now(UTC)
        async with transaction(maker) as session:
            for index in range(1, claims + 1):
                session.add(
                    Call(
                        id=index, site_id=database.site_id, channel_id=f"o{index}",
                        caller_number="13905710003", arrived_at=now,
                    )
                )  # fmt: skip
            await session.flush()
            for index in range(1, claims + 1):
                session.add(
                    Callback(
                        id=index, origin_call_id=index, site_id=database.site_id,
                        number="13905710003", business_line="national_tax", language="zh",
                        arrived_at=now, requested_at=now, status="pending",
                        next_attempt_at=now - timedelta(seconds=1),
                    )
                )  # fmt: skip
        writes = WriteQueue(maker)
        writes.start()
        recorder = Recorder(maker, writes)
        agent = database.agent_ids["a1"]
        results: dict[str, Any] = {"database": kind, "claims": claims}
        try:
            for label, queued in (("idle", 0), (f"{ahead}_ahead", ahead)):
                waits = []
                for index in range(1, claims + 1):
                    if label != "idle":
                        await recorder.update_callback(index, {"status": "pending"})
                    for _ in range(queued):
                        await recorder.update_callback(index, {"last_outcome": "no_answer"})
                    started = time.perf_counter()
                    granted = await recorder.claim_callback(index, agent, datetime.now(UTC))
                    waits.append((time.perf_counter() - started) * 1000)
                    assert granted, index
                waits.sort()
                results[label] = {
                    "p50_ms": round(statistics.median(waits), 2),
                    "p99_ms": round(waits[int(len(waits) * 0.99) - 1], 2),
                    "max_ms": round(waits[-1], 2),
                }
        finally:
            await writes.stop()
            await engine.dispose()
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--ahead", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = [asyncio.run(_one(kind, args.claims, args.ahead)) for kind in args.databases.split(",")]
    print(json.dumps(out, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
