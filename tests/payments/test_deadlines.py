"""Money deadlines (issue 19 item 8): central money's default spend-by date is the end of its season's campaign
window (set on the allocation by the allocating union); where money is chosen, each pot says what may be spent
and until when, and money past its date is not offered."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.campaigns.conftest import camp  # noqa: F401 (re-exported fixture)
from tests.funds.factories import decided, raised
from warmth.campaigns import services as season
from warmth.funds import rules, services
from warmth.funds.choices import FundSource
from warmth.funds.models import FundPot
from warmth.payments.models import Payment

pytestmark = pytest.mark.django_db


def text(r) -> str:
    return r.content.decode()


def test_central_money_is_spent_by_the_end_of_the_campaign_covering_the_allocating_union(fin, tree, users):
    from tests.conftest import actor_of

    pot = raised(fin.finance, tree.c1, "1000", source=FundSource.CENTRAL)
    # no campaign: the default window of season 2025 (元旦 2026 to 春节 2026-02-17), not 2025-12-31
    first = services.allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="100", doc_no="X[1]",
                                       allocated_on=date(2025, 12, 2))
    assert first.spend_by == date(2026, 2, 17)
    # 成都's campaign ends on 2026-02-28: money 成都 allocates (and 武侯 passes on) is spent by that day
    season.campaign_create(actor=actor_of(users.owner), org=tree.c1, year=2025, theme="两节送温暖",
                           starts_on=date(2026, 1, 5), ends_on=date(2026, 2, 28))
    second = services.allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="100", doc_no="X[2]",
                                        allocated_on=date(2025, 12, 2))
    assert second.spend_by == date(2026, 2, 28)
    below = services.allocation_create(actor=fin.k1_finance, pot=second.to_pot, to_org=tree.g1, amount="50",
                                       doc_no="W[1]", allocated_on=date(2025, 12, 3))
    assert below.spend_by == date(2026, 2, 28)
    # the allocating union may set its own date; other money has none by default
    third = services.allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="100", doc_no="X[3]",
                                       allocated_on=date(2025, 12, 2), spend_by=date(2026, 1, 20))
    assert third.spend_by == date(2026, 1, 20)
    own = raised(fin.finance, tree.c1, "100")
    assert services.allocation_create(actor=fin.finance, pot=own, to_org=tree.k1, amount="10", doc_no="Y",
                                      allocated_on=date(2025, 12, 2)).spend_by is None


def test_the_pot_page_fills_in_the_default_for_the_allocating_union(client, fin, tree, users):
    pot = raised(fin.finance, tree.c1, "1000", source=FundSource.CENTRAL)
    client.force_login(users.finance)
    page = text(client.get(reverse("funds_pot", args=[pot.pk])))
    assert page.count('value="2026-02-17"') == 2  # the allocation form and the plan form


def test_offered_pots_say_what_may_be_spent_and_until_when_and_expired_money_is_left_out(fin, tree):
    today = date(2026, 1, 20)
    live = raised(fin.k1_finance, tree.k1, "800", source=FundSource.CENTRAL, spend_by=date(2026, 2, 17))
    gone = raised(fin.k1_finance, tree.k1, "500", source=FundSource.LOCAL, spend_by=date(2026, 1, 10))
    mixed = raised(fin.k1_finance, tree.k1, "300", source=FundSource.OWN_UNION, spend_by=date(2026, 1, 10))
    raised(fin.k1_finance, tree.k1, "200", source=FundSource.OWN_UNION)  # same pot, no deadline
    pots = FundPot.objects.filter(pk__in=[live.pk, gone.pk, mixed.pk]).select_related("org").order_by("pk")
    offered = rules.offered(pots, today)
    assert [p.pk for p in offered] == [live.pk, mixed.pk]
    assert offered[0].offer == rules.Spendable(Decimal("800.00"), Decimal("0.00"), date(2026, 2, 17))
    assert offered[0].choice_label.endswith("（可用 800.00 元，使用期限至 2026-02-17）")
    assert offered[1].offer.available == Decimal("200.00") and offered[1].offer.expired == Decimal("300.00")
    assert "可用 200.00 元，另有 300.00 元已过使用期限" in offered[1].choice_label
    # the same figures as the single-pot arithmetic the funds rules use
    for p in (live, gone, mixed):
        p.refresh_from_db()
        assert rules.spendable([p], today)[p.pk].available == rules.available_on(p, today)
    # on the deadline itself the money is still spendable; the day after it is not
    assert [p.pk for p in rules.offered(pots, date(2026, 1, 10))] == [live.pk, gone.pk, mixed.pk]


def test_the_payment_form_offers_only_money_still_spendable(client, fin, tree, users, make_active):
    today = timezone.localdate()
    live = raised(fin.k1_finance, tree.k1, "800", source=FundSource.CENTRAL, spend_by=today + timedelta(days=30),
                  received_on=today - timedelta(days=5))
    gone = raised(fin.k1_finance, tree.k1, "500", source=FundSource.LOCAL, spend_by=today - timedelta(days=1),
                  received_on=today - timedelta(days=40))
    decided(fin.k1_leader, live)
    decided(fin.k1_leader, gone)
    a = make_active()
    client.force_login(users.county)
    page = text(client.get(reverse("payment_create")))
    assert f'value="{live.pk}"' in page and f"使用期限至 {today + timedelta(days=30):%Y-%m-%d}" in page
    assert f'value="{gone.pk}"' not in page
    r = client.post(reverse("payment_create"), {"pot": str(gone.pk), "archive_no": a.archive_no,
                                                "aid_type": "送温暖慰问", "amount": "100", "method": "bank",
                                                "bank_account": "6222020200112233445", "bank_name": "工商银行"})
    assert "已过使用期限的资金不再列出" in text(r) and not Payment.objects.exists()
    r = client.post(reverse("payment_create"), {"pot": str(live.pk), "archive_no": a.archive_no,
                                                "aid_type": "送温暖慰问", "amount": "100", "method": "bank",
                                                "bank_account": "6222020200112233445", "bank_name": "工商银行"})
    assert r.status_code == 302 and Payment.objects.get().pot_id == live.pk
    # the batch page and the visit form offer the same
    batch = text(client.get(reverse("payment_batch")))
    assert f'value="{live.pk}"' in batch and f'value="{gone.pk}"' not in batch
    # an outsider is offered none of 武侯's money and cannot use it
    client.force_login(users.outsider)
    assert f'value="{live.pk}"' not in text(client.get(reverse("payment_create")))
    r = client.post(reverse("payment_create"), {"pot": str(live.pk), "recipient_kind": "retiree", "name": "王某",
                                                "aid_type": "送温暖慰问", "amount": "100", "method": "bank"})
    assert Payment.objects.count() == 1


def test_the_visit_form_offers_only_money_still_spendable(client, fin, tree, users, camp):  # noqa: F811
    today = timezone.localdate()
    live = raised(fin.k1_finance, tree.k1, "800", spend_by=today + timedelta(days=3), received_on=today)
    gone = raised(fin.k1_finance, tree.k1, "500", source=FundSource.LOCAL, spend_by=today - timedelta(days=1),
                  received_on=today - timedelta(days=40))
    client.force_login(users.county)
    page = text(client.get(reverse("campaign_visit_create", args=[camp.campaign.pk])))
    assert f'value="{live.pk}"' in page and f'value="{gone.pk}"' not in page


def test_the_api_pot_detail_says_what_may_be_spent_and_until_when(client, fin, tree, users):
    from warmth.orgs.services import token_create

    today = timezone.localdate()
    pot = raised(fin.k1_finance, tree.k1, "300", spend_by=today - timedelta(days=1),
                 received_on=today - timedelta(days=40))
    raised(fin.k1_finance, tree.k1, "200", spend_by=today + timedelta(days=9), received_on=today)
    token = token_create(actor=fin.k1_finance, name="t")[1]
    d = client.get(f"/api/funds/pots/{pot.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (d["balance"], d["available"], d["expired"]) == ("500.00", "200.00", "300.00")
    assert d["spend_by"] == (today + timedelta(days=9)).isoformat()
    outsider = token_create(actor=fin.outsider, name="t")[1]
    assert client.get(f"/api/funds/pots/{pot.pk}", HTTP_AUTHORIZATION=f"Bearer {outsider}").status_code == 404
