"""Batch payment: a rule check per household, the skipped ones with reasons, a re-run pays no one twice."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.archives.factories import archive_input, new_id
from tests.payments.test_services import create, through
from warmth.payments.batch import batch_pay
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment, PaymentStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(pay, make_active):
    """Three households paid once before (so their accounts are known), one never paid."""
    from datetime import date

    made = []
    for i in range(4):
        a = make_active(data=archive_input(id_number=new_id(born=date(1970, 3, 1 + i)), member_count=0))
        if i < 3:
            through(pay, create(pay, a, amount="100", aid_type="医疗救助"))
        made.append(a)
    return made


def test_a_batch_pays_each_household_once_and_lists_the_skipped(pay, households):
    r = batch_pay(actor=pay.handler, pot=pay.pot, amount="500", aid_type="送温暖慰问", batch="2026春节慰问")
    assert (r["households"], r["made"], r["already"], r["skipped"]) == (4, 3, 0, 1)
    assert r["skipped_list"][0][0] == households[3].archive_no and "没有银行账号" in r["skipped_list"][0][2]
    batch = Payment.objects.filter(batch="2026春节慰问")
    assert batch.count() == 3 and {p.status for p in batch} == {PaymentStatus.SUBMITTED}
    assert all(p.bank_account and p.name and p.archive_no and p.chain for p in batch)
    assert PaymentStep.objects.filter(payment__in=batch).count() == 6
    again = batch_pay(actor=pay.handler, pot=pay.pot, amount="500", aid_type="送温暖慰问", batch="2026春节慰问")
    assert (again["made"], again["already"]) == (0, 3)
    assert Payment.objects.filter(batch="2026春节慰问").count() == 3


def test_the_batch_never_promises_more_than_the_pot_holds(pay, households, fin, tree):
    from tests.funds.factories import decided, raised

    small = raised(fin.k1_finance, tree.k1, "1100", source="donation")
    decided(fin.k1_leader, small)
    r = batch_pay(actor=pay.handler, pot=small, amount="500", aid_type="送温暖慰问", batch="小额")
    assert r["made"] == 2
    assert any("余额不足" in reason for _, _, reason in r["skipped_list"])


def test_rules_and_bad_input(pay, households, fin, tree):
    with pytest.raises(ValidationError, match="大于零"):
        batch_pay(actor=pay.handler, pot=pay.pot, amount="0", aid_type="送温暖慰问", batch="x")
    with pytest.raises(ValidationError, match="批次名称"):
        batch_pay(actor=pay.handler, pot=pay.pot, amount="1", aid_type="送温暖慰问", batch=" ")
    with pytest.raises(ValidationError, match="现金"):
        batch_pay(actor=pay.handler, pot=pay.pot, amount="1", aid_type="送温暖慰问", batch="x", method="cash")
    r = batch_pay(actor=pay.handler, pot=pay.pot, amount="3500", aid_type="送温暖慰问", batch="超额")
    assert r["made"] == 0 and all("单笔限额" in reason for _, _, reason in r["skipped_list"][:3])
    assert not Payment.objects.filter(batch="超额").exists()


def test_the_per_person_year_limit_counts_what_was_already_paid(pay, households, fin, tree):
    from warmth.funds.services import rule_setting_set

    rule_setting_set(actor=fin.k1_leader, org=tree.k1, code="per_person_year_limit", mode="block",
                     params={"max": "550"}, reason="测试")
    r = batch_pay(actor=pay.handler, pot=pay.pot, amount="500", aid_type="送温暖慰问", batch="限额")
    # each of the three was paid 100 this year: 100 + 500 > 550
    assert r["made"] == 0 and sum("每人每年" in reason for _, _, reason in r["skipped_list"]) == 3


def test_categories_narrow_the_batch(pay, households):
    cat = households[0].category
    r = batch_pay(actor=pay.handler, pot=pay.pot, amount="10", aid_type="送温暖慰问", batch="类别",
                  categories=[cat])
    assert r["households"] == sum(1 for a in households if a.category == cat)
    assert Decimal(r["amount"]) == Decimal("10") * r["made"]
