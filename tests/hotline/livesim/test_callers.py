"""Planned taxpayers: seeded Poisson arrivals, unique numbers, digits from the IVR menus."""

from __future__ import annotations

from hotline.livesim.callers import plan_calls, taxpayer_script
from hotline.telephony.menus import IVR_MENUS, build_plan
from tests.hotline.livesim.scenarios import TINY, tiny


def test_the_plan_is_a_function_of_the_seed() -> None:
    scenario = tiny()
    assert plan_calls(scenario, 1) == plan_calls(scenario, 1)
    assert plan_calls(scenario, 1) != plan_calls(scenario, 2)


def test_calls_fall_in_their_interval_and_numbers_are_unique() -> None:
    scenario = tiny(traffic=[{**TINY["traffic"][0], "calls_per_interval": [300, 600]}])
    planned = plan_calls(scenario, 4)
    assert len({call.number for call in planned}) == len(planned)
    assert [call.at_s for call in planned] == sorted(call.at_s for call in planned)
    for call in planned:
        if call.interval < 0:
            assert call.at_s < scenario.warmup_s
        else:
            start = scenario.warmup_s + call.interval * scenario.interval_s
            assert start <= call.at_s < start + scenario.interval_s
    counted = [sum(1 for c in planned if c.interval == i) for i in range(2)]
    # Poisson means 300 and 600: far outside these bounds only with a broken generator.
    assert 200 < counted[0] < 400
    assert 480 < counted[1] < 720
    assert all(call.patience_s is not None and call.patience_s > 0 for call in planned)


def test_the_script_keys_the_language_and_line_of_the_call() -> None:
    traffic = {**TINY["traffic"][0], "skill": "finance", "language": "en"}
    agents = [{**TINY["agents"][0], "skills": {"finance": 1}, "languages": ["en"]}]
    scenario = tiny(traffic=[traffic], agents=agents)
    call = plan_calls(scenario, 3)[0]
    script = taxpayer_script(call, scenario)
    greeting = build_plan(open_now=True).greeting
    assert script.press_on_prompt[greeting] == "2"  # English in the language menu
    assert script.press_on_prompt[IVR_MENUS.lines[0].prompt] == "3"  # finance
    assert script.caller_number == call.number
    assert script.patience_s is None  # patience runs from queue entry (the keeper)
