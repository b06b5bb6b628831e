import pytest

from warmth.core import pii


@pytest.mark.parametrize("value, masked", [
    ("110101199003071234", "110101********1234"),
    ("11010119900307123x", "110101********123X"),
    ("130503670401001", "130503*****1001"),
    ("１１０１０１１９９００３０７１２３４", "110101********1234"),
    ("", ""),
])
def test_it_masks_id_numbers(value, masked):
    assert pii.mask_id_number(value) == masked


@pytest.mark.parametrize("value, masked", [
    ("13812345678", "138****5678"), ("138 1234 5678", "138****5678"), ("+8613812345678", "138****5678"),
    ("02887654321", "028****4321"), ("87654321", "****4321"), ("", ""),
])
def test_it_masks_phone_numbers(value, masked):
    assert pii.mask_phone(value) == masked


def test_it_masks_bank_accounts_to_the_last_four_digits():
    assert pii.mask_account("6222 0212 3456 7890 123") == "****0123"
    assert pii.mask_account("") == ""


@pytest.mark.parametrize("value, masked", [
    ("张小明", "张*明"), ("张三", "张*"), ("欧阳小明", "欧**明"), ("李", "李"), ("", ""),
])
def test_it_masks_names_keeping_the_first_and_last_character(value, masked):
    assert pii.mask_name(value) == masked
