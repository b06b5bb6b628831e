"""居民身份证号码 (GB 11643-1999): parsing, validation and fictitious test numbers.

An 18-character number is 6 digits of region code (行政区划代码), 8 digits of birth date (YYYYMMDD),
3 digits of sequence (顺序码, odd for men, even for women) and a check character computed with
ISO 7064 MOD 11-2 (0-9 or X). The legacy 15-digit number (issued until 1999) is 6 region digits,
YYMMDD (always 19YY) and 3 sequence digits; it is upgraded by inserting "19" and adding the check
character.

Birth dates before 1850-01-01 are rejected: that floor is far below any living person yet keeps the
standard's own example 440524188001010014 (born 1880) valid. Region codes are checked against the
historical snapshot in ``warmth.core.regions``: a code abolished in year Y is accepted for people born
up to Y (see ``regions.valid_for_birth_year``).

Pure Python, no Django.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass
from typing import Literal

from warmth.core import regions

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "IdCard",
    "IdCardError",
    "check_digit",
    "is_valid",
    "normalize",
    "parse",
    "random_valid",
    "today_in_china",
    "upgrade15",
]

#: The earliest birth date accepted (see the module docstring).
EARLIEST_BIRTH_DATE = dt.date(1850, 1, 1)

#: GB 11643-1999 weights: 2**(17 - i) mod 11 for positions i = 0..16.
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARS = "10X98765432"  # indexed by (sum of weighted digits) mod 11
_DIGITS = frozenset("0123456789")

_FULLWIDTH = {ord("０") + i: str(i) for i in range(10)} | {ord("Ｘ"): "X", ord("ｘ"): "X"}
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d")

ErrorCode = Literal["empty", "format", "length", "checksum", "date", "future", "region"]


class IdCardError(ValueError):
    """A malformed ID number; the message says in Chinese what is wrong, ``code`` says it to programs."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def today_in_china() -> dt.date:
    """Today's date in Beijing time (Asia/Shanghai; fixed UTC+8 if the tz database is missing)."""
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        tz: dt.tzinfo = ZoneInfo("Asia/Shanghai")
    except (ImportError, ZoneInfoNotFoundError):  # pragma: no cover - depends on the platform
        tz = dt.timezone(dt.timedelta(hours=8))
    return dt.datetime.now(tz).date()


def normalize(text: str) -> str:
    """Full-width digits/X to ASCII, whitespace (incl. U+3000) and hyphens removed, x uppercased."""
    text = text.translate(_FULLWIDTH)
    return "".join(ch for ch in text if not ch.isspace() and ch not in _DASHES).upper()


def check_digit(first17: str) -> str:
    """The GB 11643-1999 (ISO 7064 MOD 11-2) check character for the first 17 digits."""
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError(f"check_digit needs exactly 17 ASCII digits, got {first17!r}")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def upgrade15(number15: str) -> str:
    """The 18-character form of a legacy 15-digit number: insert "19" before YYMMDD, add the check."""
    if len(number15) != 15:
        raise IdCardError("length", f"15位身份证号应为15位，实际为{len(number15)}位")
    if not set(number15) <= _DIGITS:
        raise IdCardError("format", "15位身份证号只能包含数字")
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_digit(first17)


@dataclass(frozen=True, repr=False)
class IdCard:
    """A parsed, valid ID number (always the 18-character form, uppercase X)."""

    number: str
    was_upgraded: bool = False

    @property
    def region_code(self) -> str:
        return self.number[:6]

    @property
    def birth_date(self) -> dt.date:
        return dt.date(int(self.number[6:10]), int(self.number[10:12]), int(self.number[12:14]))

    @property
    def sequence(self) -> str:
        return self.number[14:17]

    @property
    def sex(self) -> Literal["男", "女"]:
        return "男" if int(self.number[16]) % 2 else "女"

    @property
    def region(self) -> regions.Region | None:
        """The region's current entry, else its last historical one; None if unknown."""
        return regions.latest(self.region_code)

    @property
    def region_at_birth(self) -> regions.Region | None:
        """The name the region code had in the birth year if any (120110 in 1980: 东郊区), else ``region``."""
        year = self.birth_date.year
        for entry in regions.lookup(self.region_code):
            if entry.in_use_in(year):
                return entry
        return self.region

    @property
    def masked(self) -> str:
        """For display and logs: first 6 and last 4 kept, e.g. 110105********002X."""
        return self.number[:6] + "*" * 8 + self.number[-4:]

    def age_on(self, on: dt.date) -> int:
        """Completed years on ``on`` (someone born on 29 Feb turns a year older on 1 Mar in common years)."""
        born = self.birth_date
        if on < born:
            raise ValueError(f"{on.isoformat()} is before the birth date")
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def __str__(self) -> str:
        return self.number

    def __repr__(self) -> str:  # never put a full ID number into logs or tracebacks
        return f"IdCard({self.masked!r}, was_upgraded={self.was_upgraded})"


def _parse_date(digits8: str) -> dt.date:
    try:
        born = dt.date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        raise IdCardError("date", f"身份证号中的出生日期{digits8}不是有效日期") from None
    if born < EARLIEST_BIRTH_DATE:
        raise IdCardError(
            "date", f"身份证号中的出生日期{digits8}早于{EARLIEST_BIRTH_DATE.year}年，不是有效的出生日期"
        )
    return born


def parse(text: str, *, today: dt.date | None = None) -> IdCard:
    """Parse and fully validate an ID number; raise ``IdCardError`` saying what is wrong.

    Checks, in this order: empty, characters, length, check character (18 digits only), birth date
    (a real calendar date, not before 1850), not in the future, region code known and in use for the
    birth year.
    """
    if text is None:
        raise IdCardError("empty", "身份证号不能为空")
    number = normalize(text)
    if not number:
        raise IdCardError("empty", "身份证号不能为空")
    body, last = number[:-1], number[-1]
    format_error = IdCardError("format", "身份证号只能包含数字，18位号码的最后一位可以是X")
    if not set(body) <= _DIGITS or not (last in _DIGITS or last == "X"):
        raise format_error
    if len(number) not in (15, 18):
        raise IdCardError("length", f"身份证号应为18位或15位，实际为{len(number)}位")
    if last == "X" and len(number) == 15:
        raise format_error
    upgraded = len(number) == 15
    if upgraded:
        number = upgrade15(number)
    else:
        expected = check_digit(number[:17])
        if number[17] != expected:
            raise IdCardError("checksum", f"身份证号校验位错误：应为{expected}，实际为{number[17]}")
    born = _parse_date(number[6:14])
    if born > (today or today_in_china()):
        raise IdCardError("future", "身份证号中的出生日期晚于今天")
    code = number[:6]
    if not regions.is_known(code):
        raise IdCardError("region", f"身份证号前6位地区码{code}不是已知的行政区划代码")
    if not regions.valid_for_birth_year(code, born.year):
        last_region = regions.latest(code)
        name = f"（{last_region.name}）" if last_region else ""
        end = last_region.end_year if last_region else None
        raise IdCardError(
            "region",
            f"身份证号前6位地区码{code}{name}{end}年后已停用，不可能出现在{born.year}年出生的人的身份证号中",
        )
    return IdCard(number=number, was_upgraded=upgraded)


def is_valid(text: str, *, today: dt.date | None = None) -> bool:
    try:
        parse(text, today=today)
    except IdCardError:
        return False
    return True


@functools.cache
def _county_codes() -> tuple[str, ...]:
    return tuple(
        code
        for code in regions.all_codes()
        if (region := regions.current(code)) is not None and region.level == "county"
    )


def random_valid(
    rng: random.Random,
    *,
    birth_from: dt.date,
    birth_to: dt.date,
    sex: Literal["男", "女"] | None = None,
    region_code: str | None = None,
) -> str:
    """A fictitious but valid 18-character number, for tests and demo data.

    The birth date is uniform in [birth_from, birth_to]; the region is a county-level code in use today
    chosen by ``rng`` unless given; the sequence digits are random with the 17th digit odd for 男 and
    even for 女. Deterministic for a given ``rng`` state. Raises ValueError for an unknown region, a
    region abolished before the drawn birth year, or dates before 1850; a ``birth_to`` after today gives
    numbers that ``parse`` rejects as "future" (the clock is deliberately not consulted here).
    """
    if sex not in (None, "男", "女"):
        raise ValueError(f"sex must be '男', '女' or None, got {sex!r}")
    if birth_from > birth_to:
        raise ValueError("birth_from is after birth_to")
    if birth_from < EARLIEST_BIRTH_DATE:
        raise ValueError(f"birth_from is before {EARLIEST_BIRTH_DATE.isoformat()}")
    if region_code is not None and not regions.is_known(region_code):
        raise ValueError(f"unknown region code {region_code!r}")
    born = dt.date.fromordinal(rng.randint(birth_from.toordinal(), birth_to.toordinal()))
    code = region_code if region_code is not None else rng.choice(_county_codes())
    if not regions.valid_for_birth_year(code, born.year):
        raise ValueError(f"region code {code} was no longer in use in {born.year}")
    parities = {"男": "13579", "女": "02468", None: "0123456789"}[sex]
    sequence = "000"
    while sequence == "000":  # sequence numbers start at 001
        sequence = f"{rng.randint(0, 99):02d}{rng.choice(parities)}"
    first17 = f"{code}{born:%Y%m%d}{sequence}"
    return first17 + check_digit(first17)
