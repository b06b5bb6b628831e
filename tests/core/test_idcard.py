"""居民身份证号码 parsing (GB 11643-1999), with published vectors and property tests.

Every valid vector below was checked with ``check_digit`` (and most against python-stdnum's own
validator) before being written down; the check characters are literal so a broken ``check_digit``
cannot hide behind itself.
"""

from __future__ import annotations

import datetime as dt
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warmth.core import idcard, regions
from warmth.core.idcard import IdCard, IdCardError, check_digit, is_valid, parse, random_valid, upgrade15

TODAY = dt.date(2025, 6, 15)


def make(region: str, birth: str, sequence: str) -> str:
    first17 = region + birth + sequence
    return first17 + check_digit(first17)


def error_of(text: str, today: dt.date = TODAY) -> IdCardError:
    with pytest.raises(IdCardError) as info:
        parse(text, today=today)
    return info.value


# --- published valid vectors --------------------------------------------------------------------------

PUBLISHED_VALID = [
    # (number, birth date, sex, current full name of the region)
    ("11010519491231002X", dt.date(1949, 12, 31), "女", "北京市朝阳区"),  # GB 11643-1999 example
    ("440524188001010014", dt.date(1880, 1, 1), "男", "广东省汕头市潮阳县"),  # GB 11643-1999 example
    ("360426199101010071", dt.date(1991, 1, 1), "男", "江西省九江市德安县"),  # python-stdnum doctest
    ("44011320141005001X", dt.date(2014, 10, 5), "男", "广东省广州市番禺区"),  # python-stdnum tests
    ("412723199010050012", dt.date(1990, 10, 5), "男", "河南省周口地区商水县"),  # python-stdnum tests
    ("110102199101010078", dt.date(1991, 1, 1), "男", "北京市西城区"),  # python-stdnum tests
    ("120110198012010073", dt.date(1980, 12, 1), "男", "天津市东丽区"),  # python-stdnum tests
    ("120110199212010072", dt.date(1992, 12, 1), "男", "天津市东丽区"),  # python-stdnum tests
]


@pytest.mark.parametrize(("number", "born", "sex", "place"), PUBLISHED_VALID)
def test_it_accepts_published_valid_numbers(number, born, sex, place):
    card = parse(number, today=TODAY)
    assert card.number == number
    assert card.birth_date == born
    assert card.sex == sex
    assert card.region_code == number[:6]
    assert card.region.full_name == place
    assert not card.was_upgraded
    assert is_valid(number)


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),
        ("36042619910101007", "1"),
        ("44011320141005001", "X"),
        ("41272319901005001", "2"),
        ("11010219910101007", "8"),
        ("12011019801201007", "3"),
        ("13050319670401001", "6"),
        ("15010219880730303", "5"),
    ],
)
def test_check_digit_matches_published_values(first17, check):
    assert check_digit(first17) == check


def test_check_digit_needs_exactly_17_digits():
    with pytest.raises(ValueError):
        check_digit("1101051949123100")
    with pytest.raises(ValueError):
        check_digit("1101051949123100X")


def test_the_gb_standard_example_born_in_1880_is_above_the_1850_floor():
    assert parse("440524188001010014", today=TODAY).birth_date.year == 1880
    assert dt.date(1850, 1, 1) == idcard.EARLIEST_BIRTH_DATE


def test_the_region_at_birth_is_the_name_in_use_that_year():
    card = parse("120110198012010073", today=TODAY)
    assert card.region.name == "东丽区"
    assert card.region_at_birth.name == "东郊区"


# --- 15-digit numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number15", "number18"),
    [
        ("110105491231002", "11010519491231002X"),  # the GB example in its old form
        ("130503670401001", "130503196704010016"),
        ("150102880730303", "150102198807303035"),
        ("320311770706001", "320311197707060018"),
    ],
)
def test_it_upgrades_15_digit_numbers(number15, number18):
    assert upgrade15(number15) == number18
    card = parse(number15, today=TODAY)
    assert card.number == number18
    assert card.was_upgraded
    assert card.birth_date == parse(number18, today=TODAY).birth_date
    assert not parse(number18, today=TODAY).was_upgraded


def test_upgrade15_rejects_anything_but_15_digits():
    with pytest.raises(IdCardError) as info:
        upgrade15("11010549123100")
    assert info.value.code == "length"
    with pytest.raises(IdCardError) as info:
        upgrade15("11010549123100X")
    assert info.value.code == "format"


def test_it_rejects_an_x_in_a_15_digit_number():
    err = error_of("11010549123100X")
    assert err.code == "format"
    assert str(err) == "身份证号只能包含数字，18位号码的最后一位可以是X"


def test_it_rejects_an_invalid_date_in_a_15_digit_number():
    err = error_of("110105490230002")
    assert err.code == "date"
    assert str(err) == "身份证号中的出生日期19490230不是有效日期"


def test_it_rejects_an_unknown_region_in_a_15_digit_number():
    assert error_of("110199491231002").code == "region"


# --- errors, in the documented order --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\u3000", " - ", None])
def test_it_rejects_empty_input(text):
    err = error_of(text)
    assert err.code == "empty"
    assert str(err) == "身份证号不能为空"


def test_it_rejects_a_wrong_check_digit():
    err = error_of("110105194912310023")
    assert err.code == "checksum"
    assert str(err) == "身份证号校验位错误：应为X，实际为3"


def test_it_rejects_a_wrong_check_x():
    err = error_of("36042619910102009X")
    assert err.code == "checksum"
    assert str(err) == "身份证号校验位错误：应为3，实际为X"


@pytest.mark.parametrize(("text", "length"), [("11010519491231002", 17), ("1101051949123100211", 19)])
def test_it_rejects_wrong_lengths(text, length):
    err = error_of(text)
    assert err.code == "length"
    assert str(err) == f"身份证号应为18位或15位，实际为{length}位"


@pytest.mark.parametrize("text", ["1101051949123100X", "1101051949123100211", "1234", "1101054912310021"])
def test_it_reports_the_actual_length(text):
    err = error_of(text)
    assert err.code == "length"
    assert f"实际为{len(text)}位" in str(err)


@pytest.mark.parametrize(
    "text",
    [
        "T60426199101010078",  # python-stdnum: a letter in front
        "1101051949A231002X",  # a letter in the middle
        "11010519491231X02X",  # X that is not the last character
        "X10105194912310021",
        "11010519491231002Y",
        "110105.19491231002X",
        "１１０１０５１９４９１２３１００２Ａ",  # full-width letter
    ],
)
def test_it_rejects_characters_other_than_digits_and_a_final_x(text):
    err = error_of(text)
    assert err.code == "format"
    assert str(err) == "身份证号只能包含数字，18位号码的最后一位可以是X"


def test_the_character_check_comes_before_the_length_check():
    assert error_of("ABC").code == "format"


def test_the_checksum_check_comes_before_the_date_check():
    # 2月30日 with a wrong check character: the check character is reported first
    number = make("110105", "19900230", "001")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert error_of(wrong).code == "checksum"
    assert error_of(number).code == "date"


@pytest.mark.parametrize(
    ("birth", "label"),
    [
        ("19900230", "February 30"),
        ("19901301", "month 13"),
        ("19910001", "month 00"),
        ("19900100", "day 00"),
        ("19900431", "April 31"),
        ("19900132", "day 32"),
        ("00000000", "all zeros"),
    ],
)
def test_it_rejects_impossible_dates(birth, label):
    err = error_of(make("110105", birth, "001"))
    assert err.code == "date", label
    assert str(err) == f"身份证号中的出生日期{birth}不是有效日期"


def test_it_rejects_month_13_from_python_stdnum_tests():
    assert error_of("360426199113010079").code == "date"


def test_february_29_is_valid_in_a_leap_year():
    assert parse(make("110105", "20000229", "001"), today=TODAY).birth_date == dt.date(2000, 2, 29)
    assert parse(make("110105", "19880229", "002"), today=TODAY).birth_date == dt.date(1988, 2, 29)


@pytest.mark.parametrize("birth", ["19900229", "19000229", "20010229"])  # 1900 is not a leap year
def test_february_29_is_invalid_in_a_common_year(birth):
    assert error_of(make("110105", birth, "001")).code == "date"


def test_it_rejects_a_birth_date_in_the_future():
    err = error_of(make("110105", "20250616", "001"), today=dt.date(2025, 6, 15))
    assert err.code == "future"
    assert str(err) == "身份证号中的出生日期晚于今天"


def test_a_birth_date_of_today_is_accepted():
    assert parse(make("110105", "20250615", "001"), today=dt.date(2025, 6, 15)).birth_date == TODAY


def test_the_future_check_comes_before_the_region_check():
    assert error_of(make("110199", "20300101", "001")).code == "future"


def test_today_defaults_to_the_date_in_china():
    china = idcard.today_in_china()
    utc = dt.datetime.now(dt.UTC).date()
    assert utc <= china <= utc + dt.timedelta(days=1)
    tomorrow = china + dt.timedelta(days=1)
    assert parse(make("110105", f"{china:%Y%m%d}", "001")).birth_date == china
    assert error_of(make("110105", f"{tomorrow:%Y%m%d}", "001"), today=None).code == "future"


def test_it_rejects_a_birth_date_before_1850():
    err = error_of(make("110105", "18491231", "001"))
    assert err.code == "date"
    assert "18491231" in str(err)
    assert parse(make("110105", "18500101", "001"), today=TODAY).birth_date == dt.date(1850, 1, 1)


def test_it_rejects_an_unknown_region():
    err = error_of(make("110199", "19900101", "001"))
    assert err.code == "region"
    assert str(err) == "身份证号前6位地区码110199不是已知的行政区划代码"


def test_it_rejects_the_unknown_region_from_python_stdnum_tests():
    assert error_of("990426199112010074").code == "region"


@pytest.mark.parametrize(
    "number",
    # checksum-valid numbers from python-stdnum's old unit tests whose region codes do not exist
    ["486268198802140611", "354133198209290022", "338720197801060214", "38064219921117061X"],
)
def test_it_rejects_checksum_valid_numbers_with_invented_regions(number):
    assert check_digit(number[:17]) == number[17]
    assert error_of(number).code == "region"


def test_an_abolished_region_is_valid_for_someone_born_before_it_was_abolished():
    card = parse(make("110103", "19800101", "001"), today=TODAY)
    assert card.region.name == "崇文区"
    assert card.region.end_year == 2010
    assert is_valid(make("110103", "20101231", "001"), today=TODAY)


def test_an_abolished_region_is_invalid_for_someone_born_after_it_was_abolished():
    err = error_of(make("110103", "20150101", "001"))
    assert err.code == "region"
    assert "110103" in str(err) and "崇文区" in str(err) and "2010" in str(err) and "2015" in str(err)


def test_a_region_created_after_the_birth_year_is_accepted():
    # 110111 房山区 exists since 1986; python-stdnum rejects this number, the registration rule accepts it
    assert parse("110111198012010078", today=TODAY).region.name == "房山区"


def test_a_region_abolished_before_the_birth_year_is_rejected():
    # 110201 昌平县 was last used in 1982 (python-stdnum's test vector)
    assert error_of("110201199312010077").code == "region"


# --- normalisation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
        "１１０１０５１９４９１２３１００２ｘ",  # full-width lowercase x
        "11010519491231002x",  # lowercase x
        " 11010519491231002X ",
        "110105 19491231 002X",
        "110105\u300019491231\u3000002X",  # ideographic spaces
        "110105-19491231-002X",
        "110105\t19491231\n002x",
        "110105－19491231－002X",  # full-width hyphen
    ],
)
def test_it_normalises_width_spaces_hyphens_and_case(text):
    card = parse(text, today=TODAY)
    assert card.number == "11010519491231002X"


def test_normalisation_of_a_15_digit_number():
    assert parse("１１０１０５ ４９１２３１ ００２", today=TODAY).number == "11010519491231002X"


# --- the parsed card ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sequence", "sex"), [("001", "男"), ("002", "女"), ("119", "男"), ("990", "女")])
def test_sex_comes_from_the_parity_of_the_17th_digit(sequence, sex):
    assert parse(make("110105", "19900101", sequence), today=TODAY).sex == sex


def test_age_on_counts_completed_years_around_the_birthday():
    card = parse("11010519491231002X", today=TODAY)
    assert card.age_on(dt.date(2024, 12, 30)) == 74
    assert card.age_on(dt.date(2024, 12, 31)) == 75
    assert card.age_on(dt.date(2025, 1, 1)) == 75
    assert card.age_on(dt.date(1949, 12, 31)) == 0


def test_age_on_for_someone_born_on_february_29():
    card = parse(make("110105", "20000229", "001"), today=TODAY)
    assert card.age_on(dt.date(2001, 2, 28)) == 0
    assert card.age_on(dt.date(2001, 3, 1)) == 1
    assert card.age_on(dt.date(2004, 2, 28)) == 3
    assert card.age_on(dt.date(2004, 2, 29)) == 4


def test_age_on_a_date_before_birth_is_an_error():
    card = parse("11010519491231002X", today=TODAY)
    with pytest.raises(ValueError):
        card.age_on(dt.date(1949, 12, 30))


def test_the_repr_masks_the_number():
    card = parse("11010519491231002X", today=TODAY)
    assert "19491231" not in repr(card)
    assert card.masked == "110105********002X"
    assert str(card) == "11010519491231002X"


def test_id_card_errors_are_value_errors():
    assert issubclass(IdCardError, ValueError)
    assert error_of("abc").code == "format"
    assert error_of("x").code == "length"  # a lone final X is a character the format allows


def test_is_valid_never_raises_for_bad_input():
    assert not is_valid("")
    assert not is_valid("not a number")
    assert not is_valid("110105194912310023")
    assert is_valid("11010519491231002x")


def test_an_id_card_can_be_rebuilt_from_its_number():
    card = parse("110105491231002", today=TODAY)
    assert card == IdCard("11010519491231002X", was_upgraded=True)


# --- random_valid ---------------------------------------------------------------------------------------


def test_random_valid_is_deterministic_for_a_seed():
    kwargs = {"birth_from": dt.date(1950, 1, 1), "birth_to": dt.date(2000, 12, 31)}
    first = [random_valid(random.Random(42), **kwargs) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    rng_a, rng_b = random.Random(7), random.Random(7)
    batch_a = [random_valid(rng_a, **kwargs) for _ in range(20)]
    assert batch_a == [random_valid(rng_b, **kwargs) for _ in range(20)]
    assert len(set(batch_a)) == 20


def test_random_valid_uses_the_given_region_and_sex():
    rng = random.Random(1)
    for _ in range(50):
        number = random_valid(
            rng, birth_from=dt.date(1960, 1, 1), birth_to=dt.date(1960, 1, 1), sex="女", region_code="510107"
        )
        card = parse(number, today=TODAY)
        assert card.region_code == "510107"
        assert card.sex == "女"
        assert card.birth_date == dt.date(1960, 1, 1)
        assert card.sequence != "000"


def test_random_valid_picks_current_county_level_regions():
    rng = random.Random(3)
    for _ in range(200):
        code = random_valid(rng, birth_from=dt.date(1990, 1, 1), birth_to=dt.date(1990, 12, 31))[:6]
        region = regions.current(code)
        assert region is not None and region.level == "county"


def test_random_valid_rejects_impossible_requests():
    rng = random.Random(0)
    with pytest.raises(ValueError):
        random_valid(rng, birth_from=dt.date(2000, 1, 2), birth_to=dt.date(2000, 1, 1))
    with pytest.raises(ValueError):
        random_valid(rng, birth_from=dt.date(1800, 1, 1), birth_to=dt.date(1900, 1, 1))
    with pytest.raises(ValueError):
        random_valid(rng, birth_from=dt.date(1990, 1, 1), birth_to=dt.date(1990, 1, 1), region_code="110199")
    with pytest.raises(ValueError):
        random_valid(rng, birth_from=dt.date(2015, 1, 1), birth_to=dt.date(2015, 1, 1), region_code="110103")
    with pytest.raises(ValueError):
        random_valid(rng, birth_from=dt.date(1990, 1, 1), birth_to=dt.date(1990, 1, 1), sex="M")


# --- properties -----------------------------------------------------------------------------------------

_dates = st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2025, 6, 15))
_sexes = st.sampled_from([None, "男", "女"])


@st.composite
def valid_numbers(draw, dates=_dates):
    birth_from, birth_to = sorted((draw(dates), draw(dates)))
    sex = draw(_sexes)
    seed = draw(st.integers(min_value=0, max_value=2**32))
    number = random_valid(random.Random(seed), birth_from=birth_from, birth_to=birth_to, sex=sex)
    return number, birth_from, birth_to, sex


@settings(deadline=None)
@given(valid_numbers())
def test_random_valid_always_parses(generated):
    number, birth_from, birth_to, sex = generated
    card = parse(number, today=TODAY)
    assert card.number == number
    assert birth_from <= card.birth_date <= birth_to
    assert sex is None or card.sex == sex


@settings(deadline=None)
@given(valid_numbers(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_changing_any_single_character_breaks_the_check(generated, position, replacement):
    number = generated[0]
    if position < 17 and replacement == "X":
        replacement = "0"
    if number[position] == replacement:
        replacement = "1" if replacement != "1" else "2"
    changed = number[:position] + replacement + number[position + 1 :]
    err = error_of(changed)
    assert err.code == "checksum"


@settings(deadline=None)
@given(valid_numbers(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31))))
def test_upgrading_a_15_digit_number_round_trips_birth_date_and_sex(generated):
    number = generated[0]
    number15 = number[:6] + number[8:17]
    assert upgrade15(number15) == number
    old, new = parse(number15, today=TODAY), parse(number, today=TODAY)
    assert old.was_upgraded and not new.was_upgraded
    assert (old.birth_date, old.sex, old.number) == (new.birth_date, new.sex, new.number)


@settings(max_examples=max(300, int(os.environ.get("WARMTH_FUZZ_EXAMPLES", "0"))), deadline=None)
@given(st.one_of(st.text(max_size=25), st.text(alphabet="0123456789Xx -－　１２", min_size=14, max_size=20)))
def test_parse_of_any_text_gives_an_id_card_or_an_id_card_error(text):
    try:
        card = parse(text)
    except IdCardError:
        return
    assert is_valid(card.number) and len(card.number) == 18 and parse(card.number) == card
