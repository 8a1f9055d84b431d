"""What the demo prints once everything runs: where to look, and how to log in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hotline.demo.agents import DemoAgent
from hotline.demo.options import PASSWORD_ENV, DemoOptions


def banner(
    base_url: str,
    ari_url: str,
    agents: list[DemoAgent],
    options: DemoOptions,
    password: str | None,
    *,
    people: Sequence[DemoAgent] = (),
) -> str:
    first = agents[0].username if agents else "agent001"
    odd = [f"{a.username} ({a.behaviour})" for a in agents if a.behaviour != "answer"]
    token = (
        f"TOKEN=$(curl -s -X POST {base_url}/api/v1/auth/token "
        f'-d "username=supervisor&password=${{{PASSWORD_ENV}:-{password or "..."}}}" '
        "| python3 -c "
        "'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"
    )
    lines = [
        "",
        "hotline demo is running",
        f"  service        {base_url}   (SQLite {options.database})",
        f"  OpenAPI docs   {base_url}/docs",
        f"  ARI emulator   {ari_url}",
        f"  traffic        {options.calls_per_minute:g} calls/minute (Poisson), "
        f"{len(agents)} simulated agents logged in",
    ]
    if odd:
        lines.append(f"  misbehaving    {', '.join(odd)}")
    lines += [
        "",
        f"Logins (password: {password!r})"
        if password
        else f"Logins (password: the value of {PASSWORD_ENV}):",
        "  admin, supervisor, director, ops; agents "
        + ", ".join(a.username for a in agents[:6])
        + (" ..." if len(agents) > 6 else ""),
        "",
        "Take calls yourself: open "
        + base_url
        + "/ and log in as "
        + (", ".join(p.username for p in people) or "(none: --people 0)")
        + "; their phones ring in the page and are answered from it.",
        "",
        "Look at it:",
        f"  {token}",
        f'  curl -s -H "Authorization: Bearer $TOKEN" {base_url}/api/v1/queues',
        f"  curl -s -H \"Authorization: Bearer $TOKEN\" '{base_url}/api/v1/calls?limit=5'",
        "  curl -N -H 'Accept: text/event-stream' -H \"Authorization: Bearer $TOKEN\" "
        f"{base_url}/api/v1/wallboard/events",
        f"  an agent's screen pops: log in as {first} and stream {base_url}/api/v1/agent/events",
        "",
        "Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def status_line(placed: int, queues: list[dict[str, Any]]) -> str:
    """One line of today's totals, from the service's own queue statistics."""

    def total(field: str) -> int:
        return sum(int(queue.get(field) or 0) for queue in queues)

    return (
        f"demo: {placed} calls placed | waiting {total('waiting')} | "
        f"offered {total('offered')} | answered {total('answered')} | "
        f"abandoned {total('abandoned')} | callbacks {total('callbacks_requested')}"
    )
