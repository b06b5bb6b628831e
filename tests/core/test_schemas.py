"""The exact-number API type: a string or an integer, never a JSON float."""

import pytest
from ninja import Schema
from pydantic import ValidationError

from warmth.core.schemas import Figure, Money


class Amounts(Schema):
    amount: Money = None
    value: Figure = None


@pytest.mark.parametrize("given", ["850.00", 850, None])
def test_strings_and_integers_pass_as_typed(given):
    assert Amounts(amount=given, value=given).amount == given


@pytest.mark.parametrize(("field", "noun"), [("amount", "金额须写成字符串"), ("value", "数值须写成字符串")])
@pytest.mark.parametrize("given", [850.5, True, [1]])
def test_a_float_a_boolean_or_a_list_is_refused_in_words(field, noun, given):
    with pytest.raises(ValidationError) as refused:
        Amounts(**{field: given})
    assert noun in str(refused.value)
