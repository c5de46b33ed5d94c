"""Durations for the dashboard: medians and 90th percentiles, and seconds counted within
business hours (``HELPDESK_BUSINESS_HOURS`` in ``HELPDESK_TIMEZONE``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from helpdesk.tickets.hours import Rule

DAY = 86400
WEEK = 7 * DAY
# A Monday, 00:00 on the wall clock: business time is counted from here.
_ANCHOR = datetime(1970, 1, 5)


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) of ``values``, linear between the closest ranks (the
    "inclusive" method: the median of 1, 2, 3, 4 is 2.5, their p90 3.7); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class BusinessClock:
    """Seconds between two moments that fall within the business hours.

    ``elapsed(t)`` is the business seconds since a fixed Monday on the local wall clock, so
    a duration is two look-ups and a subtraction. Wall-clock time: a daylight-saving change
    inside business hours (they happen at night) would shift a duration by its hour.
    """

    def __init__(self, rules: Sequence[Rule], zone: str) -> None:
        self.zone = ZoneInfo(zone)
        days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for rule in rules:
            for day in rule.days:
                days[day].append((rule.start * 60, rule.end * 60))
        self.days = [_merge(spans) for spans in days]
        self.before = [0]  # business seconds in the week before each weekday starts
        for spans in self.days:
            self.before.append(self.before[-1] + sum(end - start for start, end in spans))
        self.per_week = self.before[7]

    def elapsed(self, epoch: float) -> float:
        local = datetime.fromtimestamp(epoch, timezone.utc).astimezone(self.zone)
        since = (local.replace(tzinfo=None) - _ANCHOR).total_seconds()
        weeks, rest = divmod(since, WEEK)
        day, second = int(rest // DAY), rest % DAY
        today = sum(max(0.0, min(second, end) - start) for start, end in self.days[day])
        return weeks * self.per_week + self.before[day] + today

    def between(self, start: float, end: float) -> float:
        return max(0.0, self.elapsed(end) - self.elapsed(start))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return merged
