"""Regions from caller numbers, and the IVR plan by service hours."""

from __future__ import annotations

import pytest

from hotline.telephony import IVR_MENUS, build_plan
from hotline.telephony.region import region_of


@pytest.mark.parametrize(
    ("number", "region"),
    [
        ("057188888888", "浙江省杭州市"),
        ("+8657188888888", "浙江省杭州市"),
        ("13800138000", "北京市"),
        ("+14155550100", "international"),
        ("", "unknown"),
        ("not a number", "unknown"),
    ],
)
def test_region_of_a_caller_number(number: str, region: str) -> None:
    assert region_of(number) == region


def test_the_open_plan_carries_the_menus_and_the_closed_plan_none() -> None:
    open_plan = build_plan(open_now=True)
    assert [o.value for o in open_plan.languages] == ["zh", "en", "ko"]
    assert [o.value for o in open_plan.lines] == ["national_tax", "local_tax", "finance"]
    assert open_plan.lines == IVR_MENUS.lines
    closed = build_plan(open_now=False)
    assert (closed.open, closed.languages, closed.lines) == (False, (), ())
