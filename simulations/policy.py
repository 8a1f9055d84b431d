"""The routing policy a simulation runs: the scenario's (or production's), adapted to the model.

The adaptations are the parts of the policy the scenario itself describes, so the file stays the
single source of truth: wrap-up comes from ``wrap_up_s``, the callback offer from ``callbacks``
(none when the scenario has no callbacks, since simulated callers would always decline), and service
hours are dropped because a scenario simulates open hours only. Everything else (stages, maximum
wait, agent selection, overrides by language) is the policy as written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import routing
from simulations.scenario import Scenario, ScenarioError, ScenarioProblem

_SCENARIO_OWNED = ("wrap_up_s", "callback_offer_after_s")


def simulation_policy(scenario: Scenario) -> routing.Policy:
    policy = load_policy(scenario.routing, scenario.source)
    offer_after = scenario.callbacks.offer_after_s if scenario.callbacks else None

    def adapt(line: routing.LinePolicy) -> routing.LinePolicy:
        return dataclasses.replace(
            line, wrap_up_s=scenario.wrap_up_s, callback_offer_after_s=offer_after
        )

    def strip(patch: routing.PolicyPatch) -> routing.PolicyPatch:
        kept = tuple((name, value) for name, value in patch.values if name not in _SCENARIO_OWNED)
        return routing.PolicyPatch(kept)

    return routing.Policy(
        default=adapt(policy.default),
        lines={name: adapt(line) for name, line in policy.lines.items()},
        languages={name: strip(patch) for name, patch in policy.languages.items()},
        regions={name: strip(patch) for name, patch in policy.regions.items()},
        service_hours=None,
        agent_selection=policy.agent_selection,
    )


def load_policy(data: Mapping[str, Any] | None, source: str = "scenario") -> routing.Policy:
    """The scenario's ``routing`` as a Policy; empty or absent means the production default."""
    if not data:
        return routing.default_policy()
    try:
        return routing.Policy.from_dict(data)
    except routing.PolicyError as exc:
        raise ScenarioError(source, [ScenarioProblem.of_policy(exc)]) from exc
