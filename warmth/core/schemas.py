"""API types shared by the apps' django-ninja schemas.

An exact number (an amount in yuan, a statistics cell) travels as a string or an integer, never as a JSON
number with a decimal point: a float would lose precision before the service could refuse it. The service
turns the string into an exact ``Decimal`` (``core.money.parse_amount``, ``reports.services.parse_value``)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, StrictInt, StrictStr
from pydantic_core import PydanticCustomError


def exact_number(noun: str, example: str) -> Any:
    """The exact-number type; ``noun`` and ``example`` only word its refusal (金额, "850.00")."""

    def check(value: Any) -> Any:
        if value is None or (isinstance(value, str | int) and not isinstance(value, bool)):
            return value
        raise PydanticCustomError(
            "exact_number", f"{noun}须写成字符串（如 \"{example}\"）或整数，不接受带小数点的数字（会丢失精度）")

    return Annotated[StrictStr | StrictInt | None, BeforeValidator(check)]


# A yuan amount as the client typed it.
Money = exact_number("金额", "850.00")
# A statistics cell as the client typed it (万元 with 4 places, counts).
Figure = exact_number("数值", "12.3456")
