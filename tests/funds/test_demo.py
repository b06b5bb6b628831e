"""The funds demo: 四川's money raised from every source and passed down to grassroots unions, every figure
a sum of the ledger, every pot non-negative, and the decisions in place for the payments to come."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from warmth.demo.archives import seed_archives
from warmth.demo.funds import seed_funds
from warmth.demo.orgs import seed_orgs
from warmth.demo.pipeline import DemoContext
from warmth.funds.choices import DecisionKind, EntryKind, FundSource, PlanStatus
from warmth.funds.models import Allocation, AllocationPlan, Decision, FundPot, LedgerEntry
from warmth.funds.queries import statement
from warmth.orgs.models import Org, OrgLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def season():
    lines = []
    ctx = DemoContext(scale="small", seed=7, year=2025, out=lines.append)
    seed_orgs(ctx)
    seed_archives(ctx)
    seed_funds(ctx)
    return ctx, lines


def test_money_reaches_grassroots_unions_and_every_balance_is_the_ledger(season):
    _, lines = season
    assert any(line.startswith("资金：筹集") for line in lines)
    grassroots = FundPot.objects.filter(org__level=OrgLevel.GRASSROOTS, org__path__startswith=Org.objects.get(
        code="510000").path, balance__gt=0)
    assert grassroots.count() >= 5
    for pot in FundPot.objects.all():
        assert pot.balance >= 0
        assert pot.entries.aggregate(s=Sum("amount"))["s"] == pot.balance
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1


def test_the_province_statement_adds_up(season):
    province = Org.objects.get(code="510000")
    st = statement(province, 2025)
    total = st.total(st.subtree)
    raised = LedgerEntry.objects.filter(pot__org__path__startswith=province.path, kind__in=[
        EntryKind.RAISED]).aggregate(s=Sum("amount"))["s"]
    assert total.raised == raised - Decimal("20000.00")  # the reversed duplicate
    # inside the province, what was allocated down was received below: the subtree balance is what was raised
    assert total.allocated == total.received
    assert total.balance == total.raised
    assert any(ln.source == FundSource.DONATION for ln in st.own)


def test_plans_are_confirmed_with_decisions_behind_them(season):
    assert AllocationPlan.objects.filter(status=PlanStatus.CONFIRMED).count() >= 3
    assert not AllocationPlan.objects.exclude(status=PlanStatus.CONFIRMED).exists()
    assert Allocation.objects.count() >= 10
    # every pot that received money under 四川 has a usage decision (payments may start)
    for alloc in Allocation.objects.select_related("to_pot", "to_org").filter(to_org__level=OrgLevel.COUNTY):
        assert alloc.to_pot.decisions.filter(kind=DecisionKind.USAGE_PLAN).exists(), alloc
    assert Decision.objects.filter(kind=DecisionKind.LEFTOVER).count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.CONVERTED_IN).count() == 1
