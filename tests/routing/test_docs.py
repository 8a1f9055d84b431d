"""The policy examples in docs/routing.md are real: they parse, and the first is the default."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from routing import Policy, default_policy

DOC = Path(__file__).resolve().parents[2] / "docs" / "routing.md"


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_worked_example_is_the_12366_default_policy() -> None:
    worked = yaml.safe_load(_yaml_blocks()[0])
    assert Policy.from_dict(worked) == default_policy()


def test_the_patch_example_applies_over_the_worked_example() -> None:
    first, patches = (yaml.safe_load(block) for block in _yaml_blocks()[:2])
    policy = Policy.from_dict({**first, **patches})
    english = policy.resolve("national_tax", "en")
    assert english.ring_timeout_s == 20
    assert english.stages[0].max_level == 2
    assert policy.resolve("finance", "zh", "wenzhou").max_wait_s == 900
