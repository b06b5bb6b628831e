"""Spring Festival and lunar dates for the 两节送温暖 (New Year's Day and Spring Festival) campaign.

Pure Python on top of the ``lunardate`` package (no Django import). ``lunardate`` covers lunar years
1900–2099, i.e. Gregorian dates from 1900-01-31 (正月初一 of lunar 1900) to 2100-02-08 (除夕 of lunar
2099); anything outside raises ``ValueError`` with a Chinese message instead of the package's silent
garbage (it happily maps 1900-01-30 to "正月初零").

Season labelling
----------------
A campaign season is labelled by the Gregorian year in which its winter *starts*, which is also the
lunar year whose 腊月 the visits fall in: season 2025 is the winter of 2025/26, 元旦 2026-01-01 to
春节 2026-02-17 (正月初一 of lunar 2026), with 腊月 of lunar year 2025 (乙巳) in Jan/Feb 2026.
"""

from __future__ import annotations

from datetime import date

from lunardate import LunarDate

__all__ = [
    "FIRST_LUNAR_YEAR",
    "FIRST_SOLAR_DATE",
    "LAST_LUNAR_YEAR",
    "LAST_SOLAR_DATE",
    "campaign_window",
    "lunar_day_name",
    "lunar_to_solar",
    "lunar_window",
    "solar_to_lunar",
    "spring_festival",
]

FIRST_LUNAR_YEAR = 1900
LAST_LUNAR_YEAR = 2099
FIRST_SOLAR_DATE = date(1900, 1, 31)


def _month_length(lunar_year: int, month: int, leap: bool) -> int | None:
    """Days in the given lunar month, or None when that (leap) month does not exist in that year."""
    for length in (30, 29):
        try:
            LunarDate(lunar_year, month, length, leap).to_solar_date()
        except ValueError:
            continue
        return length
    return None


#: 除夕 of lunar year 2099, the last day lunardate can convert (2100-02-08).
LAST_SOLAR_DATE = LunarDate(
    LAST_LUNAR_YEAR, 12, _month_length(LAST_LUNAR_YEAR, 12, False) or 29
).to_solar_date()

_MONTH_NAMES = tuple(c + "月" for c in "正二三四五六七八九十冬腊")  # 十一月 = 冬月, 十二月 = 腊月
_DIGIT_NAMES = "一二三四五六七八九十"


def _check_lunar_year(lunar_year: int, what: str = "农历年份") -> None:
    if isinstance(lunar_year, bool) or not isinstance(lunar_year, int):
        raise TypeError(f"{what}必须是整数")
    if not FIRST_LUNAR_YEAR <= lunar_year <= LAST_LUNAR_YEAR:
        raise ValueError(
            f"{what} {lunar_year} 超出农历换算支持的范围（{FIRST_LUNAR_YEAR}–{LAST_LUNAR_YEAR} 年）"
        )


def _check_season_year(season_year: int) -> None:
    if isinstance(season_year, bool) or not isinstance(season_year, int):
        raise TypeError("送温暖年度必须是整数")
    if not FIRST_LUNAR_YEAR - 1 <= season_year <= LAST_LUNAR_YEAR - 1:
        raise ValueError(
            f"送温暖年度 {season_year} 超出农历换算支持的范围"
            f"（{FIRST_LUNAR_YEAR - 1}–{LAST_LUNAR_YEAR - 1} 年度）"
        )


def lunar_day_name(month: int, day: int, *, leap: bool = False) -> str:
    """The usual display name of a lunar date: (12, 7) -> "腊月初七", (1, 15) -> "正月十五",
    (12, 23) -> "腊月廿三", (11, 1) -> "冬月初一", (4, 8, leap=True) -> "闰四月初八"."""
    if not 1 <= month <= 12:
        raise ValueError(f"农历月份必须在 1–12 之间，收到 {month}")
    if not 1 <= day <= 30:
        raise ValueError(f"农历日期必须在 1–30 之间，收到 {day}")
    month_name = ("闰" if leap else "") + _MONTH_NAMES[month - 1]
    if day <= 10:
        day_name = "初" + _DIGIT_NAMES[day - 1]
    elif day < 20:
        day_name = "十" + _DIGIT_NAMES[day - 11]
    elif day == 20:
        day_name = "二十"
    elif day < 30:
        day_name = "廿" + _DIGIT_NAMES[day - 21]
    else:
        day_name = "三十"
    return month_name + day_name


def lunar_to_solar(lunar_year: int, month: int, day: int, *, leap: bool = False) -> date:
    """The Gregorian date of lunar ``lunar_year``-``month``-``day`` (``leap`` for the 闰 month).

    Raises ``ValueError`` (Chinese message) for a year outside 1900–2099, a month that year does not
    have (e.g. a leap month in a year without one) or a day past the end of the month (三十 of a
    29-day month).
    """
    _check_lunar_year(lunar_year)
    if not 1 <= month <= 12:
        raise ValueError(f"农历月份必须在 1–12 之间，收到 {month}")
    length = _month_length(lunar_year, month, leap)
    month_label = f"农历{lunar_year}年{'闰' if leap else ''}{_MONTH_NAMES[month - 1]}"
    if length is None:
        raise ValueError(f"{month_label}不存在（该年没有这个闰月）")
    if not 1 <= day <= length:
        raise ValueError(f"{month_label}只有 {length} 天，没有第 {day} 天")
    return LunarDate(lunar_year, month, day, leap).to_solar_date()


def solar_to_lunar(d: date) -> tuple[int, int, int, bool]:
    """``(lunar_year, month, day, is_leap_month)`` of the Gregorian date ``d``.

    Raises ``ValueError`` (Chinese message) outside 1900-01-31 … 2100-02-08.
    """
    if not FIRST_SOLAR_DATE <= d <= LAST_SOLAR_DATE:
        raise ValueError(
            f"日期 {d.isoformat()} 超出农历换算支持的范围"
            f"（{FIRST_SOLAR_DATE.isoformat()} 至 {LAST_SOLAR_DATE.isoformat()}）"
        )
    lunar = LunarDate.from_solar_date(d.year, d.month, d.day)
    return lunar.year, lunar.month, lunar.day, lunar.is_leap_month


def spring_festival(year: int) -> date:
    """春节: 正月初一 of the lunar year that begins in Gregorian ``year`` (2026 -> 2026-02-17).

    Supported for 1900–2099; otherwise ``ValueError``.
    """
    _check_lunar_year(year, "年份")
    return LunarDate(year, 1, 1).to_solar_date()


def campaign_window(season_year: int) -> tuple[date, date]:
    """Default 两节送温暖 window of the season labelled ``season_year``: 元旦 to 春节 (both inclusive).

    The season is labelled by the year its winter starts, so it ends with the Spring Festival of the
    *next* Gregorian year: ``(date(season_year + 1, 1, 1), spring_festival(season_year + 1))``; season
    2025 -> (2026-01-01, 2026-02-17). Its 腊月 is the 腊月 of lunar year ``season_year``, which is what
    :func:`lunar_window` uses, so both functions take the same label. Supported for seasons 1899–2098.
    """
    _check_season_year(season_year)
    return date(season_year + 1, 1, 1), spring_festival(season_year + 1)


def lunar_window(
    season_year: int,
    start: tuple[int, int] = (12, 7),
    end: tuple[int, int] = (12, 17),
) -> tuple[date, date]:
    """A concentrated visiting window given in lunar dates of lunar year ``season_year``.

    ``start`` and ``end`` are ``(month, day)`` pairs (default 腊月初七 to 腊月十七, both inclusive). 腊月
    of lunar year 2025 falls in Jan/Feb 2026: ``lunar_window(2025)`` is (2026-01-25, 2026-02-04).
    Raises ``ValueError`` (Chinese message) for an unsupported year, a day that month does not have
    (腊月三十 in a year whose 腊月 has 29 days) or an end before the start.
    """
    start_date = lunar_to_solar(season_year, *start)
    end_date = lunar_to_solar(season_year, *end)
    if end_date < start_date:
        raise ValueError(
            f"集中走访的结束日期（{lunar_day_name(*end)}）不能早于开始日期（{lunar_day_name(*start)}）"
        )
    return start_date, end_date
