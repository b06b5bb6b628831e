"""The payments demo: 武侯's payments in every state, a batch, a 回访 sample; the ledger matches."""

import pytest
from django.db.models import Sum

from warmth.demo.archives import seed_archives
from warmth.demo.funds import seed_funds
from warmth.demo.orgs import seed_orgs
from warmth.demo.payments import seed_payments
from warmth.demo.pipeline import DemoContext
from warmth.funds.models import FundPot
from warmth.payments.choices import PaymentStatus
from warmth.payments.models import Payment, Verification

pytestmark = pytest.mark.django_db


def test_the_demo_has_payments_in_every_state_and_balances_hold():
    lines = []
    ctx = DemoContext(scale="small", seed=7, year=2025, out=lines.append)
    for fn in (seed_orgs, seed_archives, seed_funds, seed_payments):
        fn(ctx)
    assert any(line.startswith("发放：") for line in lines)
    assert set(Payment.objects.values_list("status", flat=True)) == set(PaymentStatus.values)
    assert Payment.objects.exclude(batch="").exists()
    assert Verification.objects.exclude(answer="").count() == 4
    for pot in FundPot.objects.filter(payments__isnull=False).distinct():
        assert pot.entries.aggregate(s=Sum("amount"))["s"] == pot.balance >= 0
    # 冲正待审批: the money is still out until a second person approves the reversal
    out = ["approved", "paid", "confirmed", "reversing"]
    money_out = Payment.objects.filter(status__in=out).aggregate(s=Sum("amount"))["s"]
    paid = -sum(e.amount for p in Payment.objects.exclude(entry=None) for e in [p.entry])
    # 已冲正 and 发放失败 (the bank returned it): the money went back to the pot
    reversed_back = sum(p.amount for p in Payment.objects.filter(status__in=["reversed", "failed"]))
    assert Payment.objects.filter(status="failed").count() == 1
    assert paid - reversed_back == money_out
