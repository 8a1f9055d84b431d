"""The floor page in Chromium with a roster of many agents: how long the browser takes to draw it,
to tick its clocks and to show one agent's change.

Runs the live test centre (``tests/browser.py``: emulator, service, SQLite), signs the supervisor
in on ``/floor``, then hands the page a snapshot of ``--agents`` generated agents (the page's own
``apply``, as after a reload) and times, in the page (``performance.now``): the first draw, five
clock ticks (alerts worked out, time cells rewritten, the browser's layout), and one ``state``
event reaching its row. Prints JSON. The figures are the browser's and depend on the machine.

    ./dev python benchmarks/floor_page.py --agents 2000 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

PROBE = """async (count) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const f = Alpine.$data(document.querySelector('.floor'));
  const states = ['idle', 'reserved', 'on_call', 'wrap_up', 'not_ready'];
  const agents = [];
  for (let i = 1; i <= count; i++) agents.push({agent_id: i, code: 'B' + i, name: '坐席' + i,
    site: 'hz', status: states[i % 5], reason: i % 5 === 4 ? 'break' : null,
    since: new Date(Date.now() - i * 1000).toISOString(), call_id: i % 5 === 2 ? i : null,
    wrap_up_until: null, pending_reason: null,
    skills: [{line: 'national_tax', language: 'zh', level: 1}], languages: ['zh']});
  let t0 = performance.now();
  f.apply({running: true, tiles: [], agents, position: f.position});
  await frame();
  const first = performance.now() - t0;
  const ticks = [];
  for (let k = 1; k <= 5; k++) {
    t0 = performance.now();
    f.now = Date.now() + k * 1000; f.tick();
    await frame();
    ticks.push(performance.now() - t0);
  }
  // Agent 1 (B1) is on the first rows of the table; agent 5 (B5) is beyond the 200 drawn.
  t0 = performance.now();
  f.onMessage('state', {agent_id: 1, status: 'not_ready', reason: 'break',
                        since: new Date().toISOString()}, '');
  await frame();
  const change = performance.now() - t0;
  t0 = performance.now();
  f.onMessage('state', {agent_id: 5, status: 'idle', since: new Date().toISOString()}, '');
  await frame();
  const change_off_table = performance.now() - t0;
  return {rows_drawn: document.querySelectorAll('#roster-body tr').length, first, ticks, change,
          change_off_table, alerts_listed: f.alerts.length, alerts_more: f.moreAlerts};
}"""


async def run(agents: int) -> dict[str, Any]:
    from tests.browser import PASSWORD, VIEWPORT, chromium, desk_centre

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        async with desk_centre(Path(folder) / "page.db") as centre, chromium() as browser:
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            await page.goto(centre.base_url + "/login")
            await page.fill("#username", "supervisor")
            await page.fill("#password", PASSWORD)
            await page.press("#password", "Enter")
            await page.wait_for_url(centre.base_url + "/floor")
            measured: dict[str, Any] = await page.evaluate(PROBE, agents)
    ticks = measured.pop("ticks")
    return {
        "agents": agents,
        **{k: round(v, 1) if isinstance(v, float) else v for k, v in measured.items()},
        "tick_ms": [round(t, 1) for t in ticks],
        "tick_ms_max": round(max(ticks), 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=2000, help="agents on the roster")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = asyncio.run(run(args.agents))
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
