"""回访核实: the same seed draws the same recipients; answers give a discrepancy rate per org."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.archives.factories import archive_input, new_id
from tests.payments.test_services import create, through
from warmth.payments.services import payment_mark_paid
from warmth.payments.verification import discrepancy_report, verification_record, verification_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(pay, make_active):
    out = []
    for i in range(6):
        a = make_active(data=archive_input(id_number=new_id(born=date(1971, 4, 1 + i)), member_count=0))
        out.append(payment_mark_paid(actor=pay.handler, payment=through(pay, create(pay, a, amount="200"))))
    return out


def test_the_sample_is_reproducible_and_the_rate_counts_discrepancies(pay, paid, tree):
    first = verification_sample(actor=pay.first, org=tree.k1, year=2025, size=4, seed="2026年1月回访")
    again = verification_sample(actor=pay.second, org=tree.k1, year=2025, size=4, seed="2026年1月回访")
    assert [v.payment_id for v in first] == [v.payment_id for v in again] and len(first) == 4
    assert len({v.pk for v in first} | {v.pk for v in again}) == 4  # no second row for the same person
    other = verification_sample(actor=pay.first, org=tree.k1, year=2025, size=4, seed="另一批")
    assert [v.payment_id for v in other] != [v.payment_id for v in first]  # another seed, another draw
    verification_record(actor=pay.first, verification=first[0], answer="received")
    verification_record(actor=pay.first, verification=first[1], answer="not_received", note="本人称未到账")
    verification_record(actor=pay.first, verification=first[2], answer="different", amount_reported="150")
    [row] = discrepancy_report(tree.k1, "2026年1月回访")
    assert (row.sampled, row.answered, row.discrepancies, row.rate) == (4, 3, 2, Decimal("66.7"))


def test_bad_answers_and_roles(pay, paid, tree, fin):
    [v] = verification_sample(actor=pay.first, org=tree.k1, year=2025, size=1, seed="s")
    with pytest.raises(ValidationError, match="对象所述金额"):
        verification_record(actor=pay.first, verification=v, answer="different", amount_reported="1.001")
    with pytest.raises(ValidationError, match="核实结果"):
        verification_record(actor=pay.first, verification=v, answer="maybe")
    with pytest.raises(PermissionDenied):
        verification_record(actor=pay.handler, verification=v, answer="received")
    with pytest.raises(PermissionDenied):
        verification_sample(actor=fin.outsider, org=tree.k1, year=2025, size=1, seed="s")
    with pytest.raises(ValidationError, match="没有已发放"):
        verification_sample(actor=pay.first, org=tree.k1, year=2024, size=1, seed="s")
