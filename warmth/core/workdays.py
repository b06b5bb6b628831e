"""Working days for 公示 periods. Weekends are not working days; statutory holidays (and the weekend days
that are worked in exchange) are not modelled yet, so a 公示 that spans a holiday should start earlier."""

from datetime import date, timedelta


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def nth_working_day(start: date, n: int) -> date:
    """The n-th working day counting ``start`` as the first if it is one (n ≥ 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day, count = start, 0
    while True:
        if is_working_day(day):
            count += 1
            if count == n:
                return day
        day += timedelta(days=1)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError("unreachable")
