"""A small season for the dashboard, built through the services: money raised at three levels and passed down,
payments in every state from 武侯's and 锦江's money, cash handed over on a visit, visits of two campaigns,
archives filed and exited at known dates, and some money in 海南 (the outsider's subtree).

Season 2025 (the 两节 of 2026): window 2026-01-01 to 2026-02-17. Season 2024: 2025-01-01 to 2025-01-29."""

from datetime import date, datetime, time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.campaigns.conftest import camp, quick_active  # noqa: F401 (re-exported fixture)
from tests.conftest import actor_of, make_user
from tests.funds.conftest import fin  # noqa: F401 (re-exported fixture)
from tests.funds.factories import decided, raised
from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.campaigns import services as campaigns
from warmth.campaigns.choices import VisitKind
from warmth.funds.choices import EntryKind, FundSource
from warmth.funds.models import LedgerEntry
from warmth.funds.services import allocation_create, entry_reverse
from warmth.orgs.models import Role
from warmth.payments import services as pay
from warmth.visits import services as visits
from warmth.visits.models import Visit

ACCOUNT = "6222020200112233445"


def at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=timezone.get_current_timezone())


def _payment(w, pot, archive, amount, aid_type, state, paid_on=None):
    p = pay.payment_create(actor=w.handlers[pot.org_id], pot=pot, aid_type=aid_type, amount=amount,
                           method="bank", archive=archive, bank_account=ACCOUNT, bank_name="中国农业银行")
    if state == "draft":
        return p
    pay.payment_submit(actor=w.handlers[pot.org_id], payment=p)
    if state == "submitted":
        return p
    pay.payment_approve(actor=w.first, payment=p, note="同意")
    p = pay.payment_approve(actor=w.second, payment=p, note="同意")
    if state == "reversed":
        return pay.payment_reverse(actor=w.handlers[pot.org_id], payment=p, reason="账号有误")
    if state in ("paid", "confirmed"):
        p = pay.payment_mark_paid(actor=w.handlers[pot.org_id], payment=p, paid_on=paid_on)
    if state == "confirmed":
        p = pay.payment_confirm(actor=w.first, payment=p)
    return p


@pytest.fixture
def world(camp, fin, users, tree):  # noqa: F811
    p1_finance = actor_of(make_user("p1_finance", tree.p1, Role.FINANCE))
    k2_finance = actor_of(make_user("k2_finance", tree.k2, Role.FINANCE))
    hn_leader = make_user("hn_leader", tree.p2, Role.LEADER)
    w = SimpleNamespace(camp=camp, fin=fin, hn_leader=hn_leader, first=actor_of(users.colleague), second=fin.leader,
                        handlers={tree.k1.pk: camp.k1, tree.k2.pk: camp.k2})
    pay.chain_set(actor=fin.leader, org=tree.c1, steps=["单位(工会)意见", "区(产业)工会意见"], threshold="5000",
                  extra_step="单位领导")

    # --- money, season 2025
    prov = raised(p1_finance, tree.p1, "50000.00", source=FundSource.PROVINCIAL)
    allocation_create(actor=p1_finance, pot=prov, to_org=tree.c1, amount="30000.00", doc_no="川工发〔2025〕1号",
                      allocated_on=date(2025, 12, 5))
    own = raised(fin.finance, tree.c1, "100000.00")
    raised(fin.finance, tree.c1, "20000.00", source=FundSource.DONATION)
    wrong = raised(fin.finance, tree.c1, "1000.00", source=FundSource.DONATION, donor="重复登记")
    entry_reverse(actor=fin.finance, entry=LedgerEntry.objects.filter(pot=wrong, kind=EntryKind.RAISED).last(),
                  reason="重复登记")
    allocation_create(actor=fin.finance, pot=own, to_org=tree.k1, amount="40000.00", doc_no="成工发〔2025〕9号",
                      allocated_on=date(2025, 12, 8))
    k1_pot = raised(fin.k1_finance, tree.k1, "10000.00")
    decided(fin.k1_leader, k1_pot)
    k2_pot = raised(k2_finance, tree.k2, "5000.00", source=FundSource.DONATION)
    decided(fin.leader, k2_pot)
    # --- money, season 2024
    raised(fin.finance, tree.c1, "80000.00", year=2024, received_on=date(2024, 12, 1))
    k1_old = raised(fin.k1_finance, tree.k1, "6000.00", year=2024, received_on=date(2024, 12, 1))
    decided(fin.k1_leader, k1_old)
    # --- 海南: money the outsider's dashboard shows, and 成都's must not
    raised(fin.outsider, tree.p2, "7777.00")

    # --- archives: camp's five (武侯 ×3, 武侯's grassroots union, 锦江) and more 武侯 households for payments
    a = camp.arch
    extra = [quick_active(camp.planner, tree.k1) for _ in range(8)]
    k1 = [a.model, a.migrant, a.worker1, *extra]
    w.k1_pot, w.k2_pot, w.k1_old = k1_pot, k2_pot, k1_old
    w.payments = [
        _payment(w, k1_pot, k1[0], "800", "送温暖慰问", "approved"),
        _payment(w, k1_pot, k1[1], "1000", "送温暖慰问", "paid", date(2026, 1, 10)),
        _payment(w, k1_pot, k1[2], "1200", "生活救助", "confirmed", date(2026, 1, 15)),
        _payment(w, k1_pot, k1[3], "450", "生活救助", "paid", date(2026, 1, 15)),
        _payment(w, k1_pot, k1[4], "500", "医疗救助", "paid", date(2025, 12, 20)),      # before the window
        _payment(w, k1_pot, k1[5], "300", "过冬取暖补贴", "paid", date(2026, 3, 1)),    # after it
        _payment(w, k1_pot, k1[6], "700", "送温暖慰问", "reversed"),
        _payment(w, k1_pot, k1[7], "999", "送温暖慰问", "draft"),
        _payment(w, k1_pot, k1[8], "888", "助学", "submitted"),
        _payment(w, k2_pot, a.k2_worker, "600", "送温暖慰问", "paid", date(2026, 2, 1)),
        _payment(w, k1_old, k1[9], "400", "送温暖慰问", "paid", date(2025, 1, 20)),     # season 2024
    ]

    # --- visits of season 2025: cash on a group visit, a repeat, a voided one, 锦江's household
    g = campaigns.group_create(actor=camp.planner, campaign=camp.campaign, name="第一组", leaders="李丰海",
                               liaison="邱军", units=[tree.k1, tree.k2], departments=["保障部"])
    day = date(2026, 1, 20)
    visits.visit_record(actor=camp.k1, campaign=camp.campaign, kind=VisitKind.HOUSEHOLD, visited_on=day,
                           visitors="张三、李四", archive=a.worker1, group=g, cash_amount="500", cash_pot=k1_pot)
    for arch in (a.model, a.model, a.k2_worker):
        visits.visit_record(actor=camp.planner, campaign=camp.campaign, kind=VisitKind.HOUSEHOLD, visited_on=day,
                               visitors="张三", archive=arch)
    voided = visits.visit_record(actor=camp.planner, campaign=camp.campaign, kind=VisitKind.HOUSEHOLD,
                                    visited_on=day, visitors="张三", archive=a.migrant).visit
    visits.visit_void(actor=camp.planner, visit=voided, reason="记错户")
    visits.visit_record(actor=camp.planner, campaign=camp.campaign, kind=VisitKind.ENTERPRISE, visited_on=day,
                           visitors="张三", org=tree.k1, enterprise="某机械厂")

    # --- filing history: when each archive was approved and left
    Archive.objects.filter(pk__in=[x.pk for x in [a.model, a.migrant, a.worker1, a.worker2, a.k2_worker]]).update(
        activated_at=at(date(2024, 3, 1)))
    Archive.objects.filter(pk__in=[x.pk for x in extra]).update(activated_at=at(date(2025, 6, 1)))
    gone = quick_active(camp.planner, tree.k2)  # filed for season 2024, exited before season 2025
    Archive.objects.filter(pk=gone.pk).update(status=ArchiveStatus.EXITED, activated_at=at(date(2024, 5, 1)),
                                              exited_at=at(date(2025, 9, 1)))
    leaving = quick_active(camp.planner, tree.g1)  # exit requested, not final: still on file
    Archive.objects.filter(pk=leaving.pk).update(status=ArchiveStatus.EXIT_REVIEW, activated_at=at(date(2024, 1, 1)))
    quick_active(camp.planner, tree.c1)  # 成都's own household, no approval date (older data)
    Archive.objects.filter(pk=quick_active(camp.planner, tree.k1).pk).update(status=ArchiveStatus.DRAFT)
    late = quick_active(camp.planner, tree.k1)  # approved after season 2025 ended
    Archive.objects.filter(pk=late.pk).update(activated_at=at(date(2026, 3, 1)))
    w.gone, w.leaving, w.late = gone, leaving, late

    # --- season 2024: 成都's campaign and its visits (one to the household that has left since)
    w.old_campaign = campaigns.campaign_create(actor=camp.planner, org=tree.c1, year=2024, theme="两节送温暖活动")
    for arch in (a.model, gone, gone):
        Visit.objects.create(campaign=w.old_campaign, org=arch.org, archive=arch, kind=VisitKind.HOUSEHOLD,
                             visited_on=date(2025, 1, 15), visitors="x", name=arch.name,
                             created_by=camp.planner.user)
    return w


def money(text) -> Decimal:
    return Decimal(text).quantize(Decimal("0.01"))
