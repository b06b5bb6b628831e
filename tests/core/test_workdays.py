"""Working days of 公示 periods across the statutory holidays and 调休 workdays (the State Council's notices for
2025 and 2026, written out here by hand so that a wrong library or a wrong rule fails)."""

from datetime import date, timedelta

import pytest

from warmth.core.models import CalendarDay, DayKind
from warmth.core.workdays import Calendar, library_days, library_knows, nth_working_day

LIB = Calendar()  # the library alone, no hand-entered days

# 2025 春节: 1月28日（除夕）至2月4日放假，共8天；1月26日（周日）、2月8日（周六）上班。
SPRING_2025_OFF = [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]
SPRING_2025_WORK = [date(2025, 1, 26), date(2025, 2, 8)]
# 2026 春节: 2月15日（农历腊月二十八）至23日放假，共9天；2月14日（周六）、2月28日（周六）上班。
SPRING_2026_OFF = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]
SPRING_2026_WORK = [date(2026, 2, 14), date(2026, 2, 28)]
# 2025 国庆节、中秋节: 10月1日至8日放假，共8天；9月28日（周日）、10月11日（周六）上班。
NATIONAL_2025_OFF = [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]
NATIONAL_2025_WORK = [date(2025, 9, 28), date(2025, 10, 11)]


@pytest.mark.parametrize("day", SPRING_2025_OFF + SPRING_2026_OFF + NATIONAL_2025_OFF)
def test_statutory_holidays_are_not_working_days(day):
    assert not LIB.is_working_day(day)


@pytest.mark.parametrize("day", SPRING_2025_WORK + SPRING_2026_WORK + NATIONAL_2025_WORK)
def test_weekend_days_worked_in_exchange_are_working_days(day):
    assert day.weekday() >= 5
    assert LIB.is_working_day(day)


@pytest.mark.parametrize(("start", "fifth"), [
    (date(2025, 1, 20), date(2025, 1, 24)),  # an ordinary week
    (date(2025, 1, 24), date(2025, 2, 6)),   # Fri, Sun 26 (调休), Mon 27, then 8 days off, Wed 5, Thu 6
    (date(2025, 1, 27), date(2025, 2, 8)),   # Mon 27, then Wed 5, Thu 6, Fri 7, Sat 8 (调休)
    (date(2025, 1, 28), date(2025, 2, 10)),  # starts on 除夕 (a holiday): Feb 5, 6, 7, 8 (调休), Mon 10
    (date(2026, 2, 12), date(2026, 2, 25)),  # Thu, Fri, Sat 14 (调休), then 9 days off, Tue 24, Wed 25
    (date(2026, 2, 16), date(2026, 2, 28)),  # inside the holiday: Tue 24, Wed 25, Thu 26, Fri 27, Sat 28 (调休)
    (date(2025, 9, 26), date(2025, 10, 9)),  # Fri 26, Sun 28 (调休), Mon 29, Tue 30, then 8 days off, Thu 9
])
def test_fifth_working_day_across_the_holidays(start, fifth):
    assert LIB.nth_working_day(start, 5) == fifth


def test_a_weekend_without_exchange_is_not_a_working_day():
    assert not LIB.is_working_day(date(2025, 2, 1))  # Saturday inside the holiday
    assert not LIB.is_working_day(date(2025, 3, 1))  # an ordinary Saturday
    assert LIB.is_working_day(date(2025, 3, 3))


def test_a_year_the_library_does_not_know_counts_weekends_only_and_says_so():
    assert library_knows(2026) and not library_knows(2099)
    assert not LIB.known(2099)
    assert LIB.nth_working_day(date(2099, 1, 1), 5) == date(2099, 1, 7)  # Thu 1 … Wed 7: 元旦 not known
    assert library_days(2099) == []


def test_library_days_name_the_festival_in_chinese():
    days = {d: (working, name) for d, working, name in library_days(2026)}
    assert days[date(2026, 2, 15)] == (False, "春节")
    assert days[date(2026, 2, 14)] == (True, "春节")
    assert date(2026, 3, 2) not in days  # an ordinary Monday is not listed


def test_hand_entered_days_complete_an_unknown_year_and_correct_the_library():
    cal = Calendar({date(2099, 1, 1): False, date(2099, 1, 3): True, date(2026, 2, 24): False})
    assert cal.known(2099)
    # Thu 1 off, Fri 2, Sat 3 worked, Mon 5, Tue 6, Wed 7
    assert cal.nth_working_day(date(2099, 1, 1), 5) == date(2099, 1, 7)
    assert cal.nth_working_day(date(2099, 1, 1), 2) == date(2099, 1, 3)
    assert cal.nth_working_day(date(2026, 2, 12), 5) == date(2026, 2, 26)  # 24th made a holiday too


@pytest.mark.django_db
def test_the_default_calendar_reads_the_live_hand_entered_days(users):
    CalendarDay.objects.create(day=date(2099, 1, 2), kind=DayKind.HOLIDAY, basis="通知", set_by=users.admin)
    withdrawn = CalendarDay.objects.create(day=date(2099, 1, 5), kind=DayKind.HOLIDAY, basis="通知",
                                           set_by=users.admin)
    withdrawn.withdrawn_at, withdrawn.withdrawn_by = withdrawn.set_at, users.admin
    withdrawn.save()
    # Thu 1, (Fri 2 off), Mon 5 (withdrawn: it counts), Tue 6, Wed 7, Thu 8
    assert nth_working_day(date(2099, 1, 1), 5) == date(2099, 1, 8)


def test_n_must_be_positive():
    with pytest.raises(ValueError):
        LIB.nth_working_day(date(2025, 1, 1), 0)
