"""The test factory of ID numbers fails clearly when a region and birth date are used up (it used to loop forever,
which hung the long fuzz run)."""

from datetime import date

import pytest

from tests.archives import factories
from warmth.core import idcard


def test_new_id_fails_instead_of_hanging_when_its_numbers_run_out():
    issued = set()
    with pytest.raises(RuntimeError, match="are all issued"):
        for _ in range(1000):
            issued.add(factories.new_id(born=date(1980, 2, 29), sex="女"))
    assert 490 <= len(issued) <= 500  # the day's even sequence numbers, each once
    assert all(idcard.parse(n).birth_date == date(1980, 2, 29) for n in issued)
    assert idcard.parse(factories.new_id(born=date(1980, 3, 1), sex="女")).birth_date == date(1980, 3, 1)
