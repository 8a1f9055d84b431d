"""The demo's simulated people and the centre it imports, without running anything."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from statistics import mean

import pytest
import yaml

from hotline.demo.agents import agents_of_site, choose_agents
from hotline.demo.runner import centre_pointing_at
from hotline.demo.taxpayers import arrival_gaps, make_caller
from hotline.telephony.menus import IVR_MENUS

EXAMPLE = yaml.safe_load(
    (Path(__file__).resolve().parents[3] / "examples" / "hangzhou.yaml").read_text("utf-8")
)


def test_a_caller_presses_the_digits_of_the_menus_for_their_choice() -> None:
    rng = random.Random(7)
    for _ in range(50):
        caller = make_caller(rng)
        digits = list(caller.script.press_on_prompt.values())
        language = {o.digit: o.value for o in IVR_MENUS.languages}[digits[0]]
        line = {o.digit: o.value for o in IVR_MENUS.lines}[digits[1]]
        assert (language, line) == (caller.language, caller.line)
        assert caller.script.patience_s is not None
        assert caller.script.patience_s >= 10
        assert caller.number.isdigit()
        assert 11 <= len(caller.number) <= 12


def test_arrivals_are_poisson_at_the_asked_rate() -> None:
    gaps = arrival_gaps(random.Random(3), calls_per_minute=30)
    sample = [next(gaps) for _ in range(4000)]
    assert mean(sample) == pytest.approx(2.0, rel=0.06)


def test_a_small_demo_staffs_every_language_of_the_site() -> None:
    candidates = agents_of_site(EXAMPLE, "hz")
    chosen = choose_agents(random.Random(1), candidates, 6)
    languages = {
        tuple(sorted(entry["languages"]))
        for entry in EXAMPLE["agents"]
        if entry.get("username") in {a.username for a in chosen}
    }
    assert len(languages) >= 3
    assert all(a.endpoint.startswith("PJSIP/") for a in chosen)
    behaviours = Counter(a.behaviour for a in choose_agents(random.Random(2), candidates, 30))
    assert behaviours["answer"] > 20


def test_the_demo_points_one_site_at_the_emulator_and_disables_the_others() -> None:
    centre = centre_pointing_at(EXAMPLE, "hz", "http://127.0.0.1:5555")
    sites = {s["code"]: s for s in centre["sites"]}
    assert (sites["hz"]["ari_url"], sites["hz"]["enabled"]) == ("http://127.0.0.1:5555", True)
    assert sites["wz"]["enabled"] is False
    assert EXAMPLE["sites"][0]["ari_url"] != "http://127.0.0.1:5555"  # the example is untouched
    with pytest.raises(ValueError, match="no site 'xx'"):
        centre_pointing_at(EXAMPLE, "xx", "http://127.0.0.1:5555")


def test_people_get_the_agents_after_the_simulated_ones_and_the_banner_names_them() -> None:
    from hotline.demo.agents import people_agents
    from hotline.demo.banner import banner
    from hotline.demo.options import DemoOptions

    candidates = agents_of_site(EXAMPLE, "hz")
    simulated = choose_agents(random.Random(1), candidates, 4)
    people = people_agents(candidates, 4, 2)
    assert [p.username for p in people] == [c[0] for c in candidates[4:6]]
    assert not {p.username for p in people} & {a.username for a in simulated}
    assert {p.behaviour for p in people} == {"person"}
    text = banner("http://127.0.0.1:8000", "http://x/ari", simulated, DemoOptions(), "pw",
                  people=people)  # fmt: skip
    assert f"log in as {people[0].username}, {people[1].username}" in text
