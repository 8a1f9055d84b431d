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
    """The same policy, with service hours (the centre's and each line's) that know China's
    holidays."""
    days = calendar or ChineseWorkingDays()

    def attach(hours: ServiceHours) -> ServiceHours:
        return dataclasses.replace(hours, calendar=days)

    hours = policy.service_hours
    return dataclasses.replace(
        policy,
        service_hours=None if hours is None else attach(hours),
        line_hours={line: attach(own) for line, own in policy.line_hours.items()},
    )


__all__ = ["ChineseWorkingDays", "ServiceHours", "with_calendar"]
