"""The campaign demo: 成都's season with groups passing and failing the rule, visits moving coverage, a repeat
and a late visit flagged, cash from 武侯's pot in the ledger, weekly reports with 锦江 missing the third week."""

import pytest
from django.db.models import Sum

from warmth.campaigns import queries as season_queries
from warmth.campaigns import services
from warmth.campaigns.models import Activity, Campaign, DutyShift
from warmth.demo.archives import seed_archives
from warmth.demo.campaigns import seed_campaigns
from warmth.demo.funds import seed_funds
from warmth.demo.orgs import seed_orgs
from warmth.demo.payments import seed_payments
from warmth.demo.pipeline import DemoContext
from warmth.funds.models import FundPot
from warmth.orgs.models import Org
from warmth.payments.models import Payment
from warmth.visits import queries
from warmth.visits.models import Visit

pytestmark = pytest.mark.django_db


def test_the_demo_season_of_chengdu():
    lines = []
    ctx = DemoContext(scale="small", seed=7, year=2025, out=lines.append)
    for fn in (seed_orgs, seed_archives, seed_funds, seed_campaigns, seed_payments):
        fn(ctx)
    assert any(line.startswith("活动：") for line in lines)
    c = Campaign.objects.get()
    assert [services.group_rule_ok(g) for g in c.groups.order_by("id")] == [True, True, False]
    cov = queries.coverage(c.org, c.year)
    assert 0 < cov.visited < cov.filed and cov.visited_twice == 1
    # every visit lies inside the campaign window (a visit outside it is refused)
    assert not Visit.objects.filter(campaign=c).exclude(visited_on__range=(c.starts_on, c.ends_on)).exists()
    assert Visit.objects.filter(campaign=c, archive=None, recipient_kind="retiree").count() == 1
    cash = Visit.objects.filter(campaign=c).exclude(entry=None)
    assert cash.count() == 2
    pot = cash.first().cash_pot
    assert pot.entries.aggregate(s=Sum("amount"))["s"] == FundPot.objects.get(pk=pot.pk).balance
    weeks = services.fridays(c.arrears_from, c.arrears_to)
    assert [m.code for m in season_queries.arrears_week(c, c.org, weeks[2])["missing"]] == ["510104"]
    assert season_queries.arrears_week(c, c.org, weeks[0])["missing"] == []
    assert Activity.objects.filter(campaign=c).count() == 33 and DutyShift.objects.count() == 4
    # the payments of the demo belong to the campaign, and the campaign page's money adds them up
    assert Payment.objects.filter(campaign=c).count() == Payment.objects.count() > 0
    money = queries.money_so_far(c, c.org)
    assert money["payments"] > 0 and money["cash"] == 1000
    # coverage rows of the children add up to the city's
    rows = queries.coverage_by_child(c.org, c.year)
    assert sum(r.filed for _, r in rows) == cov.filed and {o.code for o, _ in rows if o} == set(
        Org.objects.filter(parent=c.org).values_list("code", flat=True))
