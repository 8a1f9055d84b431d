"""The working-day calendar routing's service hours read, from the `chinesecalendar` package."""

from __future__ import annotations

import dataclasses
import datetime as dt

import chinese_calendar

from routing import Policy, ServiceHours


class ChineseWorkingDays:
    """Public holidays and adjusted working weekends (调休) as published by the State Council.

    Years the package does not cover yet fall back to Monday to Friday.
    """

    def is_working_day(self, date: dt.date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(date))
        except NotImplementedError:
            return date.weekday() < 5


def with_calendar(policy: Policy, calendar: ChineseWorkingDays | None = None) -> Policy:
    """The same policy, with service hours that know China's holidays."""
    hours = policy.service_hours
    if hours is None:
        return policy
    hours = dataclasses.replace(hours, calendar=calendar or ChineseWorkingDays())
    return dataclasses.replace(policy, service_hours=hours)


__all__ = ["ChineseWorkingDays", "ServiceHours", "with_calendar"]
