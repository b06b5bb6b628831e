"""Working days for 公示 periods (at least 5 working days), from the official holiday calendar.

A day is a working day unless it is a statutory holiday; a weekend day is not, unless it is worked in exchange
(调休上班). The source of the calendar, in order:
1. the days entered by hand (``CalendarDay``, the page 节假日安排 of the top org's system admin): for a year the
   library does not know yet, or to correct it; a withdrawn entry no longer counts;
2. the ``chinese_calendar`` library (the State Council's notices, 2004 to the last year it ships);
3. for a year neither knows: weekends only, and ``Calendar.known(year)`` is False so pages can say so.

``Calendar.load()`` reads the hand-entered days once (one query); pass the calendar to ``nth_working_day`` when
counting many periods (the demo loader does), else each call loads it.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from chinese_calendar.constants import Holiday

from warmth.core.models import CalendarDay, DayKind

FESTIVALS = {h.value: h.chinese for h in Holiday}  # the library's English names → 春节, 国庆节, …


def library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def library_days(year: int) -> list[tuple[date, bool, str]]:
    """The library's holidays and worked weekend days of a year: (day, is working day, festival)."""
    if not library_knows(year):
        return []
    out = []
    day = date(year, 1, 1)
    while day.year == year:
        holiday, name = chinese_calendar.get_holiday_detail(day)
        working = chinese_calendar.is_workday(day)
        if name and (holiday or (working and day.weekday() >= 5)):
            out.append((day, working, FESTIVALS.get(name, name)))
        day += timedelta(days=1)
    return out


class Calendar:
    def __init__(self, entered: dict[date, bool] | None = None):
        self.entered = entered or {}  # day → is a working day
        self._entered_years = {d.year for d in self.entered}

    @classmethod
    def load(cls) -> Calendar:
        rows = CalendarDay.objects.filter(withdrawn_at__isnull=True).values_list("day", "kind")
        return cls({day: kind == DayKind.WORKDAY for day, kind in rows})

    def known(self, year: int) -> bool:
        """True when the year's holidays are known (the library ships it, or days of it were entered)."""
        return year in self._entered_years or library_knows(year)

    def is_working_day(self, day: date) -> bool:
        if day in self.entered:
            return self.entered[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def nth_working_day(self, start: date, n: int) -> date:
        """The n-th working day counting ``start`` as the first if it is one (n ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, count = start, 0
        while True:
            if self.is_working_day(day):
                count += 1
                if count == n:
                    return day
            day += timedelta(days=1)


def is_working_day(day: date, calendar: Calendar | None = None) -> bool:
    return (calendar or Calendar.load()).is_working_day(day)


def nth_working_day(start: date, n: int, calendar: Calendar | None = None) -> date:
    return (calendar or Calendar.load()).nth_working_day(start, n)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError("unreachable")
