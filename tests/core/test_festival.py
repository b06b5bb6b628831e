"""Tests for warmth.core.festival: Spring Festival, lunar dates and the campaign windows (pure Python)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warmth.core.festival import (
    FIRST_SOLAR_DATE,
    LAST_SOLAR_DATE,
    campaign_window,
    lunar_day_name,
    lunar_to_solar,
    lunar_window,
    solar_to_lunar,
    spring_festival,
)

PUBLISHED_SPRING_FESTIVALS = {
    2012: date(2012, 1, 23),
    2013: date(2013, 2, 10),
    2014: date(2014, 1, 31),
    2015: date(2015, 2, 19),
    2016: date(2016, 2, 8),
    2017: date(2017, 1, 28),
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}


@pytest.mark.parametrize(("year", "expected"), sorted(PUBLISHED_SPRING_FESTIVALS.items()))
def test_spring_festival_matches_the_published_dates(year, expected):
    assert spring_festival(year) == expected
    assert solar_to_lunar(expected) == (year, 1, 1, False)


def test_spring_festival_always_falls_between_january_21_and_february_20():
    for year in range(1900, 2100):
        day = spring_festival(year)
        assert date(year, 1, 21) <= day <= date(year, 2, 20), year


def test_the_seed_notice_window_of_the_2014_season_is_january_7_to_17_2014():
    # 腊月初七–腊月十七 of lunar 2013 (the winter of the 2014 Spring Festival).
    assert lunar_to_solar(2013, 12, 7) == date(2014, 1, 7)
    assert lunar_to_solar(2013, 12, 17) == date(2014, 1, 17)
    assert lunar_window(2013) == (date(2014, 1, 7), date(2014, 1, 17))


@pytest.mark.parametrize(
    ("lunar_year", "solar"),
    [
        (2022, date(2022, 12, 30)),
        (2023, date(2024, 1, 18)),
        (2024, date(2025, 1, 7)),
        (2025, date(2026, 1, 26)),
    ],
)
def test_laba_festival_dates_are_right(lunar_year, solar):
    assert lunar_to_solar(lunar_year, 12, 8) == solar
    assert solar_to_lunar(solar) == (lunar_year, 12, 8, False)


@pytest.mark.parametrize(
    ("lunar", "solar"),
    [
        ((2025, 1, 15), date(2025, 2, 12)),  # 元宵节
        ((2026, 1, 15), date(2026, 3, 3)),
        ((2024, 5, 5), date(2024, 6, 10)),  # 端午节
        ((2025, 5, 5), date(2025, 5, 31)),
        ((2023, 8, 15), date(2023, 9, 29)),  # 中秋节
        ((2024, 8, 15), date(2024, 9, 17)),
        ((2025, 8, 15), date(2025, 10, 6)),
        ((2025, 12, 23), date(2026, 2, 10)),  # 北方小年
    ],
)
def test_other_well_known_festivals_convert_both_ways(lunar, solar):
    assert lunar_to_solar(*lunar) == solar
    assert solar_to_lunar(solar) == (*lunar, False)


@pytest.mark.parametrize(
    ("lunar_year", "month", "solar"),
    [(2020, 4, date(2020, 5, 23)), (2023, 2, date(2023, 3, 22)), (2025, 6, date(2025, 7, 25))],
)
def test_leap_months_are_distinguished_from_the_ordinary_month(lunar_year, month, solar):
    assert lunar_to_solar(lunar_year, month, 1, leap=True) == solar
    assert solar_to_lunar(solar) == (lunar_year, month, 1, True)
    assert lunar_to_solar(lunar_year, month, 1) < solar


def test_a_leap_month_that_the_year_does_not_have_is_refused():
    with pytest.raises(ValueError, match="闰"):
        lunar_to_solar(2024, 6, 1, leap=True)


def test_there_is_no_lunar_new_years_eve_on_the_thirtieth_from_2025_to_2029():
    # 腊月 of lunar 2024–2028 has 29 days: 除夕 is 腊月廿九 before the 2025–2029 Spring Festivals.
    for lunar_year in range(2024, 2029):
        with pytest.raises(ValueError, match="29 天"):
            lunar_to_solar(lunar_year, 12, 30)
        assert lunar_to_solar(lunar_year, 12, 29) + timedelta(days=1) == spring_festival(lunar_year + 1)
    assert lunar_to_solar(2029, 12, 30) + timedelta(days=1) == spring_festival(2030)


def test_the_campaign_window_of_season_2025_runs_from_new_year_to_the_2026_spring_festival():
    assert campaign_window(2025) == (date(2026, 1, 1), date(2026, 2, 17))
    assert campaign_window(2013) == (date(2014, 1, 1), date(2014, 1, 31))


def test_the_lunar_window_of_season_2025_is_in_january_and_february_2026():
    assert lunar_window(2025) == (date(2026, 1, 25), date(2026, 2, 4))
    assert lunar_window(2025, start=(12, 23), end=(12, 29)) == (date(2026, 2, 10), date(2026, 2, 16))


def test_the_lunar_window_always_ends_before_the_seasons_spring_festival():
    for season in range(1900, 2099):
        start, end = lunar_window(season)
        _window_start, festival = campaign_window(season)
        assert start <= end < festival, season
        assert (end - start).days == 10


def test_the_lunar_window_can_start_before_new_years_day():
    # When the Spring Festival is early, 腊月初七 is still in December: lunar 2022 -> 2022-12-29.
    assert lunar_window(2022) == (date(2022, 12, 29), date(2023, 1, 8))
    assert lunar_window(2022)[0] < campaign_window(2022)[0]


def test_a_lunar_window_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="不能早于"):
        lunar_window(2025, start=(12, 17), end=(12, 7))


def test_a_lunar_window_on_a_day_the_month_lacks_is_refused():
    with pytest.raises(ValueError, match="没有第 30 天"):
        lunar_window(2025, start=(12, 23), end=(12, 30))


@pytest.mark.parametrize(
    ("args", "kwargs", "name"),
    [
        ((12, 7), {}, "腊月初七"),
        ((12, 8), {}, "腊月初八"),
        ((12, 17), {}, "腊月十七"),
        ((12, 23), {}, "腊月廿三"),
        ((12, 30), {}, "腊月三十"),
        ((1, 1), {}, "正月初一"),
        ((1, 10), {}, "正月初十"),
        ((1, 15), {}, "正月十五"),
        ((8, 15), {}, "八月十五"),
        ((11, 20), {}, "冬月二十"),
        ((5, 5), {}, "五月初五"),
        ((10, 11), {}, "十月十一"),
        ((6, 1), {"leap": True}, "闰六月初一"),
    ],
)
def test_lunar_day_names_read_as_on_a_calendar(args, kwargs, name):
    assert lunar_day_name(*args, **kwargs) == name


@pytest.mark.parametrize(("month", "day"), [(0, 1), (13, 1), (12, 0), (12, 31)])
def test_lunar_day_name_refuses_impossible_dates(month, day):
    with pytest.raises(ValueError, match="农历"):
        lunar_day_name(month, day)


def test_every_supported_day_round_trips_through_the_lunar_calendar():
    day = FIRST_SOLAR_DATE
    previous = None
    while day <= LAST_SOLAR_DATE:
        lunar = solar_to_lunar(day)
        year, month, lunar_day, leap = lunar
        assert lunar_to_solar(year, month, lunar_day, leap=leap) == day
        if previous is not None:
            # consecutive days: the next day of the month, or the first day of the next month
            assert lunar_day == previous[2] + 1 or lunar_day == 1
        previous = lunar
        day += timedelta(days=1)
    assert solar_to_lunar(FIRST_SOLAR_DATE) == (1900, 1, 1, False)
    assert solar_to_lunar(LAST_SOLAR_DATE) == (2099, 12, 30, False)


@given(st.dates(min_value=FIRST_SOLAR_DATE, max_value=LAST_SOLAR_DATE))
def test_solar_to_lunar_and_back_is_the_identity(day):
    year, month, lunar_day, leap = solar_to_lunar(day)
    assert lunar_to_solar(year, month, lunar_day, leap=leap) == day


@pytest.mark.parametrize(
    "call",
    [
        lambda: spring_festival(1899),
        lambda: spring_festival(2100),
        lambda: campaign_window(2099),
        lambda: lunar_window(1899),
        lambda: lunar_window(2100),
        lambda: lunar_to_solar(2100, 1, 1),
        lambda: solar_to_lunar(FIRST_SOLAR_DATE - timedelta(days=1)),
        lambda: solar_to_lunar(LAST_SOLAR_DATE + timedelta(days=1)),
    ],
)
def test_years_outside_the_supported_range_are_refused_in_chinese(call):
    with pytest.raises(ValueError, match="超出农历换算支持的范围"):
        call()


def test_the_earliest_and_latest_supported_seasons_work():
    assert campaign_window(1899) == (date(1900, 1, 1), date(1900, 1, 31))
    assert campaign_window(2098) == (date(2099, 1, 1), spring_festival(2099))
