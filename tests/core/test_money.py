"""Tests for warmth.core.money: parsing, 大写 amounts, voucher boxes and formatting (pure Python)."""

from __future__ import annotations

import itertools
import os
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warmth.core.money import (
    AmountError,
    amount_in_words,
    format_yuan,
    parse_amount,
    to_wanyuan,
    voucher_boxes,
)

# --------------------------------------------------------------------------------------------------
# A small, strict reader of 大写 amounts, independent of the writer: it proves the words are unambiguous.

_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_NONZERO = "壹贰叁肆伍陆柒捌玖"
_FRACTION = re.compile(f"零?(?:(?P<jiao>[{_NONZERO}])角)?(?:(?P<fen>[{_NONZERO}])分)?")
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _read_section(text: str) -> int:
    """Read a section below 万 (e.g. 壹仟零伍); units must strictly decrease and follow a digit."""
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for char in text:
        if char == "零":
            assert digit is None, f"零 after a digit without unit in {text!r}"
        elif char in _DIGIT:
            assert digit is None, f"two digits in a row in {text!r}"
            digit = _DIGIT[char]
        elif char in _UNIT:
            assert digit is not None, f"unit without digit in {text!r}"
            assert _UNIT[char] < last_unit, f"units out of order in {text!r}"
            last_unit = _UNIT[char]
            total += digit * last_unit
            digit = None
        else:
            raise AssertionError(f"unexpected {char!r} in {text!r}")
    return total + (digit or 0)


def _read_integer(text: str) -> int:
    yi_text, has_yi, rest = text.rpartition("亿") if "亿" in text else ("", "", text)
    wan_text, has_wan, low = rest.rpartition("万") if "万" in rest else ("", "", rest)
    yi = _read_section(yi_text) if has_yi else 0
    wan = _read_section(wan_text) if has_wan else 0
    low_value = _read_section(low)
    assert not has_yi or yi > 0
    assert not has_wan or wan > 0
    assert all(v < 10_000 for v in (yi, wan, low_value))
    return yi * 10**8 + wan * 10**4 + low_value


def words_to_amount(words: str) -> Decimal:
    """Convert a 大写 amount produced by amount_in_words back into a Decimal."""
    body = words.removesuffix("整")
    integer_text, has_yuan, fraction = body.partition("元") if "元" in body else ("", "", body)
    yuan = _read_integer(integer_text) if has_yuan else 0
    match = _FRACTION.fullmatch(fraction)
    assert match is not None, f"bad fraction {fraction!r} in {words!r}"
    jiao = _DIGIT[match["jiao"]] if match["jiao"] else 0
    fen = _DIGIT[match["fen"]] if match["fen"] else 0
    return Decimal(yuan * 100 + jiao * 10 + fen).scaleb(-2)


def expected_integer_zeros(n: int) -> int:
    """How many 零 the integer part of n should contain, stated independently of the writer.

    A 零 is written between two consecutive non-zero digits when a zero lies between them, unless every
    such zero is a trailing zero of the higher digit's 万/亿 group (absorbed by the 万/亿 unit).
    """
    text = str(n)
    powers = [len(text) - 1 - i for i, c in enumerate(text) if c != "0"]
    count = 0
    for high, low in itertools.pairwise(powers):
        between = range(low + 1, high)
        if between and (high // 4 == low // 4 or any(z // 4 != high // 4 for z in between)):
            count += 1
    return count


# --------------------------------------------------------------------------------------------------
# amount_in_words: published and required vectors

REQUIRED_VECTORS = [
    ("1005", "壹仟零伍元整"),
    ("105000", "壹拾万伍仟元整"),
    ("100.03", "壹佰元零叁分"),
    ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
    ("10000", "壹万元整"),
    ("100010", "壹拾万零壹拾元整"),
    ("1000000", "壹佰万元整"),
    ("100000000", "壹亿元整"),
    ("1010101.01", "壹佰零壹万零壹佰零壹元零壹分"),
    ("0.5", "伍角整"),
    ("0.05", "伍分"),
    ("0", "零元整"),
    ("10", "壹拾元整"),
    ("16.1", "壹拾陆元壹角整"),
    ("2000.01", "贰仟元零壹分"),
]

# 《支付结算办法》附一, 第五条的例子 (the first printed form where two are allowed).
BANK_RULE_VECTORS = [
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "壹拾万柒仟元零伍角叁分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
]

OTHER_VECTORS = [
    ("1409.50", "壹仟肆佰零玖元伍角整"),
    ("101.50", "壹佰零壹元伍角整"),
    ("532", "伍佰叁拾贰元整"),
    ("425.03", "肆佰贰拾伍元零叁分"),
    ("1004.56", "壹仟零肆元伍角陆分"),
    ("289546.52", "贰拾捌万玖仟伍佰肆拾陆元伍角贰分"),
    ("7560.31", "柒仟伍佰陆拾元零叁角壹分"),
    ("1", "壹元整"),
    ("0.01", "壹分"),
    ("0.1", "壹角整"),
    ("0.55", "伍角伍分"),
    ("11", "壹拾壹元整"),
    ("110", "壹佰壹拾元整"),
    ("101", "壹佰零壹元整"),
    ("1001", "壹仟零壹元整"),
    ("10001", "壹万零壹元整"),
    ("10100", "壹万零壹佰元整"),
    ("11000", "壹万壹仟元整"),
    ("100000", "壹拾万元整"),
    ("10000000", "壹仟万元整"),
    ("10005000", "壹仟万伍仟元整"),
    ("100005000", "壹亿零伍仟元整"),
    ("105000000", "壹亿零伍佰万元整"),
    ("150000000", "壹亿伍仟万元整"),
    ("1000000001", "壹拾亿零壹元整"),
    ("1000000.50", "壹佰万元零伍角整"),
    ("1600.02", "壹仟陆佰元零贰分"),
    ("800", "捌佰元整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "words"), REQUIRED_VECTORS)
def test_the_required_vectors_are_written_exactly(amount, words):
    assert amount_in_words(Decimal(amount)) == words


@pytest.mark.parametrize(("amount", "words"), BANK_RULE_VECTORS)
def test_the_examples_printed_in_the_payment_settlement_rules_are_reproduced(amount, words):
    assert "人民币" + amount_in_words(Decimal(amount)) == "人民币" + words


def test_the_bank_example_without_the_optional_zheng_after_jiao_differs_only_by_that_zheng():
    # The bank rules print 人民币壹仟肆佰零玖元伍角 and allow 整 after 角; the accounting rules require it.
    words = amount_in_words(Decimal("1409.50"))
    assert words == "壹仟肆佰零玖元伍角整"
    assert words.removesuffix("整") == "壹仟肆佰零玖元伍角"


@pytest.mark.parametrize(("amount", "words"), OTHER_VECTORS)
def test_other_amounts_follow_the_same_rules(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_an_int_and_an_amount_string_are_accepted_like_a_decimal():
    assert amount_in_words(1005) == "壹仟零伍元整"
    assert amount_in_words("￥1,234.56") == "壹仟贰佰叁拾肆元伍角陆分"


def test_extra_trailing_zeros_of_a_decimal_do_not_change_the_words():
    assert amount_in_words(Decimal("1005.000")) == "壹仟零伍元整"


@pytest.mark.parametrize(
    "bad",
    [
        100.0,
        0.5,
        True,
        Decimal("-1"),
        Decimal("-0.01"),
        Decimal("1.005"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        10**12,
        None,
    ],
)
def test_amount_in_words_refuses_what_is_not_a_valid_amount(bad):
    with pytest.raises(AmountError):
        amount_in_words(bad)


def test_amount_in_words_refuses_a_float_even_when_it_is_exact():
    with pytest.raises(AmountError, match="金额不能使用浮点数"):
        amount_in_words(1005.0)


cent_counts = st.one_of(
    st.integers(min_value=0, max_value=10**14 - 1),
    # digit strings rich in zeros, where the 零 rules matter
    st.lists(st.sampled_from("00000000123456789"), min_size=1, max_size=14).map(lambda d: int("".join(d))),
)
amounts = cent_counts.map(lambda cents: Decimal(cents).scaleb(-2))


@settings(max_examples=max(600, int(os.environ.get("WARMTH_FUZZ_EXAMPLES", "0"))))
@given(amounts)
def test_reading_the_words_back_gives_the_amount_so_the_words_are_unambiguous(x):
    assert words_to_amount(amount_in_words(x)) == x


@settings(max_examples=max(600, int(os.environ.get("WARMTH_FUZZ_EXAMPLES", "0"))))
@given(amounts)
def test_the_words_are_well_formed_for_any_amount(x):
    words = amount_in_words(x)
    cents = int(x.scaleb(2))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if not cents:
        assert words == "零元整"
        return
    assert "零零" not in words
    assert not re.search("零[万亿元角分整]", words)
    assert not words.startswith("零")
    assert words.endswith("整") == (fen == 0)
    assert not words.endswith("分整")
    if yuan:
        integer_part, _, fraction = words.partition("元")
        assert integer_part.count("零") == expected_integer_zeros(yuan)
        zero_after_yuan = (jiao == 0 and fen != 0) or (yuan % 10 == 0 and jiao != 0)
        assert fraction.startswith("零") == zero_after_yuan
    else:
        assert "元" not in words


# --------------------------------------------------------------------------------------------------
# parse_amount


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.50", "1234.50"),
        ("１２３．４", "123.40"),
        (" 100 ", "100.00"),
        ("￥100", "100.00"),
        ("¥100", "100.00"),
        ("￥ 1,000", "1000.00"),
        ("１，２３４．５", "1234.50"),
        ("0.01", "0.01"),
        (".5", "0.50"),
        ("7.", "7.00"),
        ("1.230", "1.23"),
        ("999999999999.99", "999999999999.99"),
        (Decimal("12.3"), "12.30"),
        (Decimal("1E+3"), "1000.00"),
        (42, "42.00"),
    ],
)
def test_parse_amount_accepts_the_usual_ways_of_writing_an_amount(raw, expected):
    result = parse_amount(raw)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (1.5, "金额不能使用浮点数，请以字符串或整数提交"),
        (100.0, "金额不能使用浮点数，请以字符串或整数提交"),
        (True, "金额不能是布尔值"),
        (Decimal("NaN"), "NaN"),
        (Decimal("-Infinity"), "无穷大"),
        ("-1", "金额不能为负数"),
        ("-￥5", "金额不能为负数"),
        (Decimal("-0.01"), "金额不能为负数"),
        ("0", "金额必须大于零"),
        ("0.00", "金额必须大于零"),
        (0, "金额必须大于零"),
        ("1.234", "金额最多保留两位小数（分）"),
        (Decimal("0.001"), "金额最多保留两位小数（分）"),
        ("1000000000000", "金额过大"),
        (10**12, "金额过大"),
        (Decimal("1E+20"), "金额过大"),
        ("1,23", "金额格式不正确"),
        ("1,2345", "金额格式不正确"),
        ("1e3", "金额格式不正确"),
        ("NaN", "金额格式不正确"),
        ("abc", "金额格式不正确"),
        ("", "金额格式不正确"),
        ("+-5", "金额格式不正确"),
        ("١٢٣", "金额格式不正确"),
        (None, "金额必须是字符串、整数或 Decimal"),
    ],
)
def test_parse_amount_refuses_with_a_chinese_message(raw, message):
    with pytest.raises(AmountError, match=re.escape(message)):
        parse_amount(raw)


def test_zero_is_accepted_only_when_allowed_and_negative_zero_becomes_plain_zero():
    assert str(parse_amount("0", allow_zero=True)) == "0.00"
    assert str(parse_amount(Decimal("-0.00"), allow_zero=True)) == "0.00"


def test_amount_error_is_a_value_error():
    assert issubclass(AmountError, ValueError)


@given(amounts)
def test_formatted_and_plain_strings_parse_back_to_the_same_amount(x):
    expected = x if x else Decimal("0.00")
    assert parse_amount(str(x), allow_zero=True) == expected
    assert parse_amount(format_yuan(x), allow_zero=True) == expected
    assert parse_amount("￥" + format_yuan(x), allow_zero=True) == expected


# --------------------------------------------------------------------------------------------------
# voucher_boxes


def test_voucher_boxes_put_the_yuan_sign_just_left_of_the_highest_digit():
    assert voucher_boxes(Decimal("1234.50")) == [
        ("拾万", ""),
        ("万", "￥"),
        ("仟", "壹"),
        ("佰", "贰"),
        ("拾", "叁"),
        ("元", "肆"),
        ("角", "伍"),
        ("分", "零"),
    ]


def test_voucher_boxes_write_inner_zeros_as_ling():
    assert voucher_boxes(Decimal("100010")) == [
        ("拾万", "壹"),
        ("万", "零"),
        ("仟", "零"),
        ("佰", "零"),
        ("拾", "壹"),
        ("元", "零"),
        ("角", "零"),
        ("分", "零"),
    ]


def test_voucher_boxes_below_one_yuan_leave_the_yuan_box_for_the_sign():
    assert voucher_boxes(Decimal("0.50"))[-4:] == [("拾", ""), ("元", "￥"), ("角", "伍"), ("分", "零")]
    assert voucher_boxes(Decimal("0.05"))[-3:] == [("元", ""), ("角", "￥"), ("分", "伍")]


def test_voucher_boxes_have_no_room_for_the_sign_when_the_amount_fills_the_grid():
    boxes = voucher_boxes(Decimal("999999.99"))
    assert [content for _, content in boxes] == ["玖"] * 8


def test_voucher_boxes_refuse_an_amount_that_does_not_fit():
    with pytest.raises(AmountError, match="拾万"):
        voucher_boxes(Decimal("1000000"))
    with pytest.raises(AmountError, match="元"):
        voucher_boxes(Decimal("12.30"), places=("佰", "拾", "元"))
    with pytest.raises(AmountError):
        voucher_boxes(Decimal("0"))
    with pytest.raises(AmountError):
        voucher_boxes(1.5)


def test_voucher_boxes_accept_other_grids():
    three = voucher_boxes(Decimal("12"), places=("佰", "拾", "元"))
    assert three == [("佰", "￥"), ("拾", "壹"), ("元", "贰")]
    assert voucher_boxes(Decimal("305"), places=("千", "百", "十", "元", "角", "分")) == [
        ("千", "￥"),
        ("百", "叁"),
        ("十", "零"),
        ("元", "伍"),
        ("角", "零"),
        ("分", "零"),
    ]
    big = voucher_boxes(
        Decimal("123456789.12"),
        places=("拾亿", "亿", "仟万", "佰万", "拾万", "万", "仟", "佰", "拾", "元", "角", "分"),
    )
    assert "".join(content for _, content in big) == "￥壹贰叁肆伍陆柒捌玖壹贰"


@pytest.mark.parametrize(
    "places",
    [(), "元角分", ("万", "佰", "拾", "元"), ("角", "元"), ("拾", "元", "厘"), ("佰", "拾")],
)
def test_voucher_boxes_refuse_a_malformed_grid(places):
    with pytest.raises(ValueError, match="凭证格位") as info:
        voucher_boxes(Decimal("1"), places=places)
    assert not isinstance(info.value, AmountError)


@given(cent_counts.filter(lambda c: 0 < c < 10**8))
def test_voucher_boxes_read_left_to_right_give_back_the_amount(cents):
    x = Decimal(cents).scaleb(-2)
    contents = [content for _, content in voucher_boxes(x)]
    digits = "".join(str(_DIGIT[c]) for c in contents if c in _DIGIT)
    assert Decimal(digits).scaleb(-2) == x
    assert contents.count("￥") == (1 if cents < 10**7 else 0)
    if "￥" in contents:
        assert all(c == "" for c in contents[: contents.index("￥")])
        assert _DIGIT[contents[contents.index("￥") + 1]] != 0


# --------------------------------------------------------------------------------------------------
# format_yuan and to_wanyuan


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("0"), "0.00"),
        (Decimal("-0"), "0.00"),
        (7, "7.00"),
        (Decimal("1000000"), "1,000,000.00"),
        (Decimal("999.99"), "999.99"),
        (Decimal("-1234.5"), "-1,234.50"),
        ("1234.5", "1,234.50"),
    ],
)
def test_format_yuan_uses_thousands_separators_and_two_places(amount, text):
    assert format_yuan(amount) == text


@pytest.mark.parametrize("bad", [1.5, Decimal("NaN"), Decimal("1.005"), True])
def test_format_yuan_refuses_floats_nan_and_sub_cent_amounts(bad):
    with pytest.raises(AmountError):
        format_yuan(bad)


@pytest.mark.parametrize(
    ("amount", "places", "expected"),
    [
        (Decimal("12345.67"), 4, "1.2346"),
        (Decimal("5000"), 4, "0.5000"),
        (Decimal("12345"), 2, "1.23"),
        (Decimal("12500"), 2, "1.25"),
        (Decimal("15000"), 0, "2"),
        (Decimal("25000"), 0, "3"),  # half up, not banker's rounding
        (Decimal("-25000"), 0, "-3"),
        (Decimal("0.01"), 4, "0.0000"),
        (Decimal("-0.01"), 4, "0.0000"),
        (123456789, 4, "12345.6789"),
        (Decimal("999999999999.99"), 2, "100000000.00"),
    ],
)
def test_to_wanyuan_rounds_half_up(amount, places, expected):
    result = to_wanyuan(amount, places)
    assert str(result) == expected


def test_to_wanyuan_refuses_floats_and_bad_places():
    with pytest.raises(AmountError):
        to_wanyuan(1.5)
    with pytest.raises(ValueError):
        to_wanyuan(Decimal("1"), -1)


FUZZ = max(300, int(os.environ.get("WARMTH_FUZZ_EXAMPLES", "0")))


@settings(max_examples=FUZZ, deadline=None)
@given(st.one_of(st.text(max_size=40), st.text(alphabet="0123456789.,-+ ¥元万角分eE_１２３", max_size=30),
                 st.integers(), st.floats(), st.none(), st.decimals(allow_nan=True, allow_infinity=True)))
def test_parse_and_format_refuse_anything_with_an_amount_error_never_a_crash(raw):
    from warmth.core.money import AmountError, format_yuan, parse_amount

    try:
        amount = parse_amount(raw, allow_zero=True)
    except AmountError:
        return
    assert amount == amount.quantize(Decimal("0.01")) and amount >= 0
    assert parse_amount(format_yuan(amount), allow_zero=True) == amount
