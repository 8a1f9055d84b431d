"""Agent desktop benchmark: screen-pop latency and the desktop's first load, in headless Chromium.

Runs the browser tests' live centre (ARI emulator over loopback, the service with live telephony
on SQLite, Debian's Chromium driven by playwright). One agent at the desktop, ready; each offer is
a new taxpayer who picks Mandarin / national tax and hangs up once the caller panel shows their
number, so the agent is free for the next one.

Measured:
* pop_p50_ms / pop_p99_ms: from the offer (routing's decision, ``call.first_offered_at``, taken
  as the IVR's last ARI event is handled) to the caller panel painted with the caller's number in
  Chromium (a MutationObserver's timestamp, then the next animation frame), same machine clock;
* first_load: bytes of HTML, JS and CSS for ``/desk`` (cold cache) and the time from navigation
  to the desk being interactive (Alpine has rendered the state bar).

    python benchmarks/desk.py --offers 200 --speed 10 --json
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
from sqlalchemy import select

# The repository root instead of benchmarks/ (whose cti.py would shadow the cti package).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from hotline.db.models.call import Call  # noqa: E402
from tests.browser import (  # noqa: E402
    ARI_PASSWORD,
    HUMAN,
    PASSWORD,
    VIEWPORT,
    chromium,
    desk_centre,
    taxpayer,
)

OBSERVER = """
() => {
  window.__pops = {};
  const target = document.getElementById("caller");
  new MutationObserver(() => {
    const el = document.getElementById("caller-number");
    if (!el || !el.textContent || window.__pops[el.textContent]) return;
    const number = el.textContent;
    requestAnimationFrame(() => {
      window.__pops[number] = performance.timeOrigin + performance.now();
    });
  }).observe(target, { subtree: true, childList: true, characterData: true });
}
"""


RESOURCE_BYTES = """
() => {
  const sizes = {document: performance.getEntriesByType("navigation")[0].decodedBodySize};
  for (const e of performance.getEntriesByType("resource")) {
    const kind = e.name.endsWith(".css") ? "stylesheet" : e.name.endsWith(".js") ? "script" : null;
    if (kind) sizes[kind] = (sizes[kind] || 0) + e.decodedBodySize;
  }
  return sizes;
}
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(offers: int, speed: float) -> dict[str, Any]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        async with (
            desk_centre(Path(folder) / "bench.db", speed=speed) as centre,
            chromium() as browser,
        ):
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            await page.goto(centre.base_url + "/login?next=/desk")
            await page.fill("#username", HUMAN)
            await page.fill("#password", PASSWORD)
            await page.press("#password", "Enter")
            await page.wait_for_url(centre.base_url + "/desk")
            # First load, cold: a fresh context (no cache), counting every response's bytes.
            context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
            await context.add_cookies(await page.context.cookies())
            cold = await context.new_page()
            await cold.goto(centre.base_url + "/desk")
            await cold.wait_for_function("document.getElementById('state').textContent.trim()")
            interactive_ms = await cold.evaluate("performance.now()")
            await asyncio.sleep(0.5)  # let the last resources' timing entries land
            sizes = await cold.evaluate(RESOURCE_BYTES)
            await context.close()

            await page.click("#phone-login")
            await page.click("#ready")
            await page.wait_for_function(
                "document.getElementById('state').className.includes('idle')"
            )
            await page.evaluate(OBSERVER)
            latencies = []
            auth = ("hotline", ARI_PASSWORD)
            async with httpx.AsyncClient(base_url=centre.emulator.base_url, auth=auth) as control:
                for n in range(offers):
                    number = f"1390571{n:04d}"
                    placed = centre.emulator.place_call(taxpayer(number))
                    await page.wait_for_function(f"window.__pops['{number}']", timeout=60_000)
                    await control.delete(f"/_emulator/calls/{placed['phone_channel_id']}")
                    await page.wait_for_function(
                        "document.getElementById('state').className.includes('idle')",
                        timeout=60_000,
                    )
                painted = await page.evaluate("window.__pops")
            async with centre.app.state.hotline.sessionmaker() as session:
                rows = await session.execute(select(Call.caller_number, Call.first_offered_at))
                offered = {number: at for number, at in rows if at is not None}
            for number, paint_ms in painted.items():
                if number in offered:
                    latencies.append(paint_ms - offered[number].timestamp() * 1000)
    return {
        "offers": len(latencies),
        "speed": speed,
        "pop_p50_ms": round(statistics.median(latencies), 1),
        "pop_p99_ms": round(_percentile(latencies, 0.99), 1),
        "pop_max_ms": round(max(latencies), 1),
        "first_load": {
            "html_bytes": sizes.get("document", 0),
            "js_bytes": sizes.get("script", 0),
            "css_bytes": sizes.get("stylesheet", 0),
            "interactive_ms": round(interactive_ms, 1),
        },
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=200)
    parser.add_argument("--speed", type=float, default=10.0, help="emulated seconds per second")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.offers < 1:
        parser.error("--offers must be at least 1")
    result = asyncio.run(run(args.offers, args.speed))
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
