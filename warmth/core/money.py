"""Money: strict parsing of yuan amounts, the 大写 (capital-numeral) form for vouchers, and formatting.

Every amount in the system is a ``Decimal`` of yuan with at most two decimal places (分). Floats are
refused everywhere, even when their value happens to be exact: a float that reached this module means
some layer already lost the exact decimal the user typed.

This module is pure Python (no Django import) so it can be used from models, the API, reports and
scripts alike.

The 大写 rules
--------------
``amount_in_words`` follows 中国人民银行《支付结算办法》附一《正确填写票据和结算凭证的基本规定》 and
财政部《会计基础工作规范》第五十二条. Where those texts allow two forms, the first printed form is used,
so that every required example is reproduced exactly; see the function's docstring for the full rule set.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

__all__ = [
    "AmountError",
    "amount_in_words",
    "format_yuan",
    "parse_amount",
    "to_wanyuan",
    "voucher_boxes",
]

CENT = Decimal("0.01")
#: Amounts must be strictly below this many yuan (一万亿元): the 大写 units stop at 仟亿.
MAX_YUAN = Decimal(10) ** 12

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_GROUP_UNITS = ("", "拾", "佰", "仟")  # units inside a group of four digits
_GROUP_UNITS = {4: "万", 8: "亿"}  # the power of ten at which a group ends

# A label of a voucher box -> the power of ten of that box. Simplified 十/百/千 are accepted too.
_PLACE_POWERS: dict[str, int] = {"分": -2, "角": -1, "元": 0}
for _prefix, _base in (("", 0), ("万", 4), ("亿", 8)):
    for _power, _names in enumerate(("", "拾十", "佰百", "仟千")):
        if _power == 0:
            if _prefix:
                _PLACE_POWERS[_prefix] = _base
            continue
        for _name in _names:
            _PLACE_POWERS[_name + _prefix] = _base + _power
del _prefix, _base, _power, _names, _name

DEFAULT_PLACES = ("拾万", "万", "仟", "佰", "拾", "元", "角", "分")

# After NFKC normalisation: an optional sign, an optional ¥ (U+FFE5 ￥ becomes U+00A5 ¥), an optional
# sign again, then either a plain digit run or a correctly grouped one ("1,234,567"), then an optional
# fraction. Only ASCII digits are accepted once full-width ones have been normalised.
_AMOUNT_RE = re.compile(
    r"""
    (?P<sign1>[-+]?)\s*¥?\s*(?P<sign2>[-+]?)
    (?P<number>
        (?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?
      | \.[0-9]+
    )
    """,
    re.VERBOSE | re.ASCII,
)


class AmountError(ValueError):
    """An amount that cannot be accepted; the message is Chinese and can be shown to the user."""


def _to_decimal(value: object) -> Decimal:
    """Turn ``value`` into a finite ``Decimal`` (any sign, any number of places) or raise AmountError."""
    if isinstance(value, bool):
        raise AmountError("金额不能是布尔值")
    if isinstance(value, float):
        raise AmountError("金额不能使用浮点数，请以字符串或整数提交")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        match = _AMOUNT_RE.fullmatch(text)
        if match is None or (match["sign1"] and match["sign2"]):
            raise AmountError("金额格式不正确，请填写数字，如 850 或 850.00")
        number = Decimal(match["number"].replace(",", ""))
        if "-" in (match["sign1"], match["sign2"]):
            number = -number
    else:
        raise AmountError("金额必须是字符串、整数或 Decimal（如 \"850.00\"）")
    if not number.is_finite():
        raise AmountError("金额不能是非数字（NaN）或无穷大")
    return number


def _has_sub_cent(number: Decimal) -> bool:
    """True when the finite ``number`` has a non-zero digit below 分 (independent of the context)."""
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    below_cent = -2 - exponent  # how many of the trailing digits lie below 分
    return below_cent > 0 and any(digits[-below_cent:])


def parse_amount(value: object, *, allow_zero: bool = False) -> Decimal:
    """Parse a yuan amount and return it quantized to 0.01.

    Accepted: ``Decimal``, ``int`` and ``str``. Strings are NFKC-normalised (full-width digits such as
    "１２３．４" are fine), stripped, may start with "￥"/"¥" and may use correctly grouped thousands
    separators ("1,234.50"; "1,23" is refused so a European decimal comma cannot silently become 123).

    Refused with :class:`AmountError`: ``float`` (even an exact one) and ``bool``; NaN and infinities;
    negative amounts; zero unless ``allow_zero``; more than two decimal places (a trailing zero such as
    "1.230" is fine, "1.235" is not); amounts of 10**12 yuan or more.
    """
    number = _to_decimal(value)
    if number < 0:
        raise AmountError("金额不能为负数")
    if number >= MAX_YUAN:
        raise AmountError("金额过大（须小于一万亿元）")
    if number == 0:
        if not allow_zero:
            raise AmountError("金额必须大于零")
        return Decimal("0.00")  # also turns "-0" into a plain zero
    if _has_sub_cent(number):
        raise AmountError("金额最多保留两位小数（分）")
    return number.quantize(CENT)


def _integer_words(n: int) -> str:
    """大写 of an integer 1 <= n < 10**12, without the 元 unit.

    One 零 stands for a run of zeros between two written digits, except that the trailing zeros of a
    non-zero 万/亿 group are absorbed by the 万/亿 unit (105000 -> 壹拾万伍仟, not 壹拾万零伍仟). The
    leading zeros of a group, or a whole zero group, are still written as one 零
    (100010 -> 壹拾万零壹拾, 100005000 -> 壹亿零伍仟).
    """
    digits = str(n)
    out: list[str] = []
    zero_pending = False
    group_has_digit = False
    for index, char in enumerate(digits):
        power = len(digits) - 1 - index
        digit = int(char)
        if digit:
            if zero_pending:
                out.append("零")
                zero_pending = False
            out.append(DIGITS[digit] + _IN_GROUP_UNITS[power % 4])
            group_has_digit = True
        elif out:
            zero_pending = True
        if power in _GROUP_UNITS:
            if group_has_digit:
                out.append(_GROUP_UNITS[power])
                zero_pending = False
            group_has_digit = False
    return "".join(out)


def amount_in_words(amount: Decimal) -> str:
    """The 大写 form of ``amount`` yuan, as written on Chinese vouchers (without the "人民币" prefix).

    The amount is validated by :func:`parse_amount` with ``allow_zero=True``: a ``float`` (even an exact
    one), a negative amount, NaN, more than two decimal places or 10**12 yuan and more raise
    :class:`AmountError`.

    Rules (《支付结算办法》附一, 《会计基础工作规范》第五十二条):

    * Digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟, 万, 亿, 元角分; the leading 壹 of 壹拾 is always written
      (10 -> 壹拾元整).
    * 整: written after 元 when there is no 角 and no 分 (1005 -> 壹仟零伍元整) **and after 角 when there
      is no 分** (0.5 -> 伍角整, 16.1 -> 壹拾陆元壹角整); never after 分. The bank rules make 整 after 角
      optional ("在角之后可以不写整字", their example 壹仟肆佰零玖元伍角), while 《会计基础工作规范》
      requires it ("到元或者角为止的，在元或者角字之后应当写整字"). Writing it is therefore the only form
      valid under both texts, and it also stops a 分 digit from being appended afterwards.
    * Zeros inside the integer part: one 零 for a run of zeros (6007.14 -> 陆仟零柒元壹角肆分,
      1010101.01 -> 壹佰零壹万零壹佰零壹元零壹分). Zeros at the end of a 万/亿 group are absorbed by the
      unit and not written (10000 -> 壹万元整, 105000 -> 壹拾万伍仟元整, 107000.53 -> 壹拾万柒仟元…):
      the bank rule allows either form when the 万 place is 0 and the 仟 place is not, and this is the
      first printed form. When the group below is entirely zero or starts with zeros, one 零 is written
      (100010 -> 壹拾万零壹拾元整, 100005000 -> 壹亿零伍仟元整), as in ordinary Chinese reading.
    * Between 元 and 角: when the 元 place is 0 and 角 is not, one 零 is written after 元
      (1680.32 -> 壹仟陆佰捌拾元零叁角贰分, 107000.53 -> 壹拾万柒仟元零伍角叁分); the bank rule allows
      omitting it and this is again the first printed form.
    * Between 元 and 分: when 角 is 0 and 分 is not, 零 is always written after 元 (rule 4, mandatory):
      100.03 -> 壹佰元零叁分, 16409.02 -> 壹万陆仟肆佰零玖元零贰分. Only one 零 is written even when the
      元 place is 0 as well (2000.01 -> 贰仟元零壹分).
    * Below one yuan nothing is written for the zero integer part: 0.05 -> 伍分, 0.5 -> 伍角整,
      0.55 -> 伍角伍分. Zero is 零元整.

    Callers printing on a voucher must prefix "人民币" with no gap when the form does not pre-print it.
    """
    value = parse_amount(amount, allow_zero=True)
    cents = int(value.scaleb(2))
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if cents == 0:
        return "零元整"
    parts: list[str] = []
    if yuan:
        parts.append(_integer_words(yuan) + "元")
        if not rest:
            return parts[0] + "整"
        if jiao == 0 or yuan % 10 == 0:
            parts.append("零")
    if jiao:
        parts.append(DIGITS[jiao] + "角")
    parts.append(DIGITS[fen] + "分" if fen else "整")
    return "".join(parts)


def _place_powers(places: Sequence[str]) -> list[int]:
    if isinstance(places, str) or not places:
        raise ValueError("凭证格位必须是非空的格位名称序列，如 ('万', '仟', '佰', '拾', '元', '角', '分')")
    powers: list[int] = []
    for place in places:
        if place not in _PLACE_POWERS:
            raise ValueError(f"无法识别的凭证格位：{place!r}")
        powers.append(_PLACE_POWERS[place])
    expected = list(range(powers[0], powers[0] - len(powers), -1))
    if powers != expected:
        raise ValueError("凭证格位必须从高到低连续排列，如 ('万', '仟', '佰', '拾', '元', '角', '分')")
    if 0 not in powers:
        raise ValueError("凭证格位必须包含“元”位")
    return powers


def voucher_boxes(amount: Decimal, *, places: Sequence[str] = DEFAULT_PLACES) -> list[tuple[str, str]]:
    """Fill a voucher's per-place boxes (拾万 万 仟 佰 拾 元 角 分 by default) with 大写 digits.

    Returns one ``(place, content)`` pair per box, left to right. Boxes from the highest non-zero digit
    down to the lowest box hold a digit (零 for a zero); the box immediately left of the highest digit
    holds "￥" (the 封头 that prevents digits being added in front) and the boxes further left are "".
    When the highest digit sits in the leftmost box there is no room for "￥" in the grid and none is
    returned (it is then written before the grid).

    Following the convention for pre-ruled forms, amounts below one yuan do not fill the 元 box:
    0.50 -> 元 "￥", 角 "伍", 分 "零"; 0.05 -> 角 "￥", 分 "伍".

    ``places`` must name consecutive places from high to low and include 元 (拾/佰/仟 may be written
    十/百/千; 万, 拾万 … 仟亿 and 亿 … are recognised); otherwise ``ValueError``. The amount is validated by
    :func:`parse_amount` (zero is refused: a voucher records a payment), and :class:`AmountError` is
    raised when it has a digit above the leftmost box or below the rightmost one.

    Note: 《支付结算办法》附一 forbids pre-printing 仟佰拾… unit boxes in the 大写 field of *bank* 票据
    and 结算凭证; these boxes are for the system's own forms (领款单, 慰问金发放表 and similar).
    """
    value = parse_amount(amount)
    powers = _place_powers(places)
    cents = int(value.scaleb(2))
    digits = str(cents)  # the last digit is 分 (power -2)
    highest = len(digits) - 1 - 2
    if highest > powers[0]:
        raise AmountError(f"金额超出凭证格位：最高只能填到“{places[0]}”位")
    lowest = powers[-1]
    if lowest > -2 and cents % (10 ** (lowest + 2)):
        raise AmountError(f"金额超出凭证格位：最低只能填到“{places[-1]}”位")
    boxes: list[tuple[str, str]] = []
    for place, power in zip(places, powers, strict=True):
        if power > highest:
            content = "￥" if power == highest + 1 else ""
        else:
            content = DIGITS[int(digits[len(digits) - 1 - (power + 2)])]
        boxes.append((place, content))
    return boxes


def format_yuan(amount: Decimal | int | str) -> str:
    """Format an amount of yuan with thousands separators and two places: 1234.5 -> "1,234.50".

    Negative amounts are allowed (balances, differences) and keep their sign: "-1,234.50". Floats,
    NaN/infinity and amounts with more than two decimal places raise :class:`AmountError`: every amount
    in the system is a whole number of 分, so a finer one is a bug to surface, not to round away.
    """
    number = _to_decimal(amount)
    if number == 0:
        return "0.00"
    if _has_sub_cent(number):
        raise AmountError("金额最多保留两位小数（分）")
    return f"{number:,.2f}"


def to_wanyuan(amount: Decimal | int | str, places: int = 4) -> Decimal:
    """Convert yuan to 万元, rounded half up (四舍五入) to ``places`` decimal places.

    12345.67 -> Decimal("1.2346"); with ``places=2`` -> Decimal("1.23"). Any finite Decimal, int or
    amount string is accepted (sums and negative balances included); floats and NaN raise
    :class:`AmountError`.
    """
    if isinstance(places, bool) or not isinstance(places, int) or places < 0:
        raise ValueError("万元保留的小数位数必须是非负整数")
    number = _to_decimal(amount).scaleb(-4)  # exact: only the exponent changes
    with localcontext() as ctx:
        ctx.prec = max(28, number.adjusted() + places + 2)
        try:
            result = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:  # pragma: no cover - prec is always sufficient
            raise AmountError("金额过大") from exc
    if result == 0:
        result = result.copy_abs()  # no "-0.0000"
    return result
