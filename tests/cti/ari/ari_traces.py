"""Access to the real Asterisk recordings in tests/cti/traces and to the compact ARI spec.

A test helper, not a test module. Both live in the repository, so a clone needs nothing beside it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cti.ari import apispec

SPEC = apispec.COMPACT_SPEC
TRACE_DIR = Path(__file__).resolve().parents[1] / "traces"
# What the harness added to each recorded line; the rest is exactly what Asterisk sent.
_TRACE_FIELDS = {"dir", "t", "conn"}


def trace_names() -> list[str]:
    return sorted(path.stem for path in TRACE_DIR.glob("*.jsonl"))


@cache
def load_trace(name: str) -> tuple[dict[str, Any], ...]:
    lines = (TRACE_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def trace_events(name: str) -> list[dict[str, Any]]:
    """The websocket events of a trace, as Asterisk sent them."""
    return [
        {key: value for key, value in line.items() if key not in _TRACE_FIELDS}
        for line in load_trace(name)
        if line["dir"] == "event"
    ]


def rest_responses(name: str) -> list[dict[str, Any]]:
    """HTTP responses (not websocket upgrades, not REST-over-websocket)."""
    return [
        line
        for line in load_trace(name)
        if line["dir"] == "response" and "status" in line and not line.get("websocket")
    ]


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    response_class: str


@cache
def operations() -> tuple[Operation, ...]:
    found = []
    for _, document in apispec.documents(apispec.load(SPEC)):
        for api in document.get("apis", []):
            regex = "^/ari" + re.sub(r"\{[^}]+\}", "[^/]+", api["path"]) + "$"
            for operation in api.get("operations", []):
                found.append(
                    Operation(
                        operation["httpMethod"],
                        api["path"],
                        re.compile(regex),
                        operation["responseClass"],
                    )
                )
    return tuple(found)


def operation_for(method: str, path: str) -> Operation | None:
    """The spec operation serving ``method path``; literal segments win over ``{params}``."""
    candidates = [op for op in operations() if op.method == method and op.pattern.match(path)]
    candidates.sort(key=lambda op: op.template.count("{"))
    return candidates[0] if candidates else None
