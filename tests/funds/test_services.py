from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from tests.archives.factories import archive_input
from tests.funds.factories import DAY, decided, raised
from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive
from warmth.archives.services import archive_file
from warmth.audit.models import AuditEvent
from warmth.funds import services
from warmth.funds.choices import DecisionKind, EntryKind, FundSource, PlanStatus, Purpose
from warmth.funds.models import Allocation, AllocationPlan, FundPot, FundRaise, LedgerEntry


def counts():
    return (FundRaise.objects.count(), Allocation.objects.count(), LedgerEntry.objects.count(),
            sorted(FundPot.objects.values_list("pk", "balance")))


# --- raising ------------------------------------------------------------------------------------------

def test_raising_credits_the_pot_of_org_year_source_and_purpose(fin, tree):
    pot = raised(fin.finance, tree.c1, "12500.50", source=FundSource.LOCAL, purpose=Purpose.WARMTH)
    assert (pot.org, pot.year, pot.source, pot.purpose) == (tree.c1, 2025, "local", "warmth")
    assert FundPot.objects.get(pk=pot.pk).balance == Decimal("12500.50")
    entry = LedgerEntry.objects.get(pot=pot)
    assert entry.kind == EntryKind.RAISED and entry.amount == Decimal("12500.50")
    assert AuditEvent.objects.filter(action="funds.raise", org=tree.c1).count() == 1


@pytest.mark.parametrize("amount, message", [
    ("0", "金额必须大于零"), ("-5", "金额不能为负数"), ("10.005", "最多保留两位小数"),
    (10.5, "浮点数"), ("abc", ""),
])
def test_bad_amounts_are_refused_and_nothing_is_written(fin, tree, amount, message):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        raised(fin.finance, tree.c1, amount)
    assert message in " ".join(exc.value.messages) or not message
    assert counts() == before


def test_a_float_is_refused_with_a_chinese_message(fin, tree):
    with pytest.raises(ValidationError) as exc:
        raised(fin.finance, tree.c1, 100.0)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.messages[0])


def test_a_donation_names_its_donor_and_goods_are_described(fin, tree):
    with pytest.raises(ValidationError) as exc:
        raised(fin.finance, tree.c1, "500", source=FundSource.DONATION, donor="")
    assert "捐助单位或个人" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        raised(fin.finance, tree.c1, "500", is_goods=True)
    pot = raised(fin.finance, tree.c1, "800", source=FundSource.DONATION, donor="某某商会", is_goods=True,
                 goods_description="大米 100 袋")
    r = FundRaise.objects.get(pot=pot)
    assert r.is_goods and r.donor == "某某商会"
    assert "物资折款" in LedgerEntry.objects.get(pot=pot).memo


def test_roles_without_funds_write_and_outsiders_cannot_raise(fin, tree):
    with pytest.raises(PermissionDenied):
        raised(fin.handler, tree.c1)
    with pytest.raises(PermissionDenied):
        raised(fin.auditor, tree.c1)
    with pytest.raises(PermissionDenied):
        raised(fin.outsider, tree.c1)
    assert FundRaise.objects.count() == 0


# --- allocation ---------------------------------------------------------------------------------------

def test_allocation_keeps_source_and_purpose_and_moves_the_money(fin, tree):
    pot = raised(fin.finance, tree.c1, "10000", source=FundSource.CENTRAL, purpose=Purpose.WARMTH)
    alloc = services.allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="4000",
                                       doc_no="厦工[2011]104号", allocated_on=DAY)
    assert (alloc.to_pot.org, alloc.to_pot.source, alloc.to_pot.purpose) == (tree.k1, "central", "warmth")
    assert FundPot.objects.get(pk=pot.pk).balance == Decimal("6000.00")
    assert FundPot.objects.get(pk=alloc.to_pot.pk).balance == Decimal("4000.00")
    # central money is spent by the end of its season's window (元旦→春节: season 2025 ends 2026-02-17), not 12-31
    assert alloc.spend_by == date(2026, 2, 17)
    received = LedgerEntry.objects.get(pot=alloc.to_pot)
    assert received.kind == EntryKind.RECEIVED and received.spend_by == date(2026, 2, 17)


def test_allocation_spend_by_follows_the_document_when_given(fin, tree):
    pot = raised(fin.finance, tree.c1, "1000", source=FundSource.CENTRAL)
    alloc = services.allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="1000", doc_no="X[1]",
                                       allocated_on=DAY, spend_by=date(2026, 1, 20))
    assert alloc.spend_by == date(2026, 1, 20)


def test_allocation_to_an_org_that_is_not_a_child_is_refused(fin, tree):
    pot = raised(fin.finance, tree.c1, "1000")
    before = counts()
    for target in (tree.g1, tree.p1, tree.k3, tree.c1):  # a grandchild, the parent, a stranger, itself
        with pytest.raises(ValidationError) as exc:
            services.allocation_create(actor=fin.finance, pot=pot, to_org=target, amount="10", doc_no="X",
                                       allocated_on=DAY)
        assert "直接下级" in exc.value.messages[0]
    assert counts() == before


def test_allocating_more_than_the_balance_is_refused_and_nothing_is_written(fin, tree):
    pot = raised(fin.finance, tree.c1, "1000")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="1000.01", doc_no="X",
                                   allocated_on=DAY)
    assert "余额不足" in exc.value.messages[0]
    assert counts() == before


def test_allocation_needs_a_document_number(fin, tree):
    pot = raised(fin.finance, tree.c1, "1000")
    with pytest.raises(ValidationError) as exc:
        services.allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="10", doc_no=" ",
                                   allocated_on=DAY)
    assert "文号" in exc.value.messages[0]


# --- the plan tool -------------------------------------------------------------------------------------

def _active(actor, org, n):
    for _ in range(n):
        a = archive_file(actor=actor, org=org, data=archive_input(member_count=0))
        Archive.objects.filter(pk=a.pk).update(status=ArchiveStatus.ACTIVE)


def test_pro_rata_adds_up_to_the_yuan():
    parts = services.pro_rata(Decimal("1000.50"), {1: 1, 2: 1, 3: 1})
    assert sum(parts.values()) == Decimal("1000.50")
    assert sorted(parts.values()) == [Decimal("333"), Decimal("333"), Decimal("334.50")]
    assert services.pro_rata(Decimal("100"), {1: 0, 2: 0}) == {1: Decimal("50.00"), 2: Decimal("50.00")}


def test_the_plan_divides_by_filed_households_and_is_editable_until_confirmed(fin, tree, users):
    _active(fin.county, tree.k1, 3)
    _active(fin.county, tree.g1, 1)   # below 武侯: counts for 武侯
    _active(fin.handler, tree.k2, 2)
    Archive.objects.create  # noqa: B018 (a draft archive does not count:)
    archive_file(actor=fin.handler, org=tree.k2, data=archive_input(member_count=0))
    pot = raised(fin.finance, tree.c1, "10000")
    plan = services.allocation_plan_create(actor=fin.finance, pot=pot, total="6000", doc_no="成工[2025]8号",
                                           allocated_on=DAY)
    lines = {ln.to_org.code: (ln.households, ln.amount) for ln in plan.lines.select_related("to_org")}
    assert lines == {"510107": (4, Decimal("4000.00")), "510104": (2, Decimal("2000.00"))}
    services.allocation_plan_set_line(actor=fin.finance, plan=plan, to_org=tree.k2, amount="2500")
    plan.refresh_from_db()
    assert plan.total == Decimal("6500.00")
    with pytest.raises(PermissionDenied):  # confirming is a leader's step
        services.allocation_plan_confirm(actor=fin.finance, plan=plan)
    made = services.allocation_plan_confirm(actor=fin.leader, plan=plan)
    assert sorted(a.amount for a in made) == [Decimal("2500.00"), Decimal("4000.00")]
    assert FundPot.objects.get(pk=pot.pk).balance == Decimal("3500.00")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONFIRMED
    with pytest.raises(ValidationError):
        services.allocation_plan_set_line(actor=fin.finance, plan=plan, to_org=tree.k2, amount="1")
    with pytest.raises(ValidationError):
        services.allocation_plan_confirm(actor=fin.leader, plan=plan)


def test_a_plan_over_the_balance_confirms_nothing(fin, tree):
    pot = raised(fin.finance, tree.c1, "1000")
    plan = services.allocation_plan_create(actor=fin.finance, pot=pot, total="1000", doc_no="X", allocated_on=DAY)
    services.allocation_plan_set_line(actor=fin.finance, plan=plan, to_org=tree.k1, amount="900")
    services.allocation_plan_set_line(actor=fin.finance, plan=plan, to_org=tree.k2, amount="900")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.allocation_plan_confirm(actor=fin.leader, plan=plan)
    assert "余额不足" in exc.value.messages[0]
    assert counts() == before
    assert AllocationPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


# --- decisions, leftovers, visits -----------------------------------------------------------------------

def test_leftovers_become_daily_assistance_only_by_a_leftover_decision(fin, tree):
    pot = raised(fin.finance, tree.c1, "1000")
    decided(fin.leader, pot)  # a usage-plan decision is not a leftover decision
    with pytest.raises(ValidationError) as exc:
        services.leftover_convert(actor=fin.finance, pot=pot, amount="300", decision=pot.decisions.get(),
                                  on_date=DAY)
    assert "集体研究决定" in exc.value.messages[0]
    d = decided(fin.leader, pot, DecisionKind.LEFTOVER)
    services.leftover_convert(actor=fin.finance, pot=pot, amount="300", decision=d, on_date=DAY)
    daily = FundPot.objects.get(org=tree.c1, year=2025, source=pot.source, purpose=Purpose.DAILY)
    assert daily.balance == Decimal("300.00")
    assert FundPot.objects.get(pk=pot.pk).balance == Decimal("700.00")


def test_a_decision_needs_minutes_and_a_leader(fin, tree):
    pot = raised(fin.finance, tree.c1, "1000")
    with pytest.raises(PermissionDenied):
        decided(fin.finance, pot)
    with pytest.raises(ValidationError) as exc:
        services.decision_record(actor=fin.leader, org=tree.c1, year=2025, kind=DecisionKind.USAGE_PLAN,
                                 meeting="主席办公会议", held_on=DAY, summary="x", pots=[pot], minutes=None)
    assert "文件" in exc.value.messages[0]


def test_money_handed_out_by_a_visiting_group_is_deducted_from_the_visited_units_allocation(fin, tree):
    pot = raised(fin.finance, tree.c1, "5000")
    alloc = services.allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="3000", doc_no="X",
                                       allocated_on=DAY)
    decided(fin.k1_leader, alloc.to_pot)
    spent = services.visit_deduct(actor=fin.finance, pot=alloc.to_pot, amount="500", group_name="市总第一慰问团",
                                  visited_on=date(2026, 1, 10), archive_status=ArchiveStatus.ACTIVE)
    assert spent.entry.kind == EntryKind.VISIT_PAID and spent.entry.method == "cash"
    assert FundPot.objects.get(pk=alloc.to_pot.pk).balance == Decimal("2500.00")
    assert FundPot.objects.get(pk=pot.pk).balance == Decimal("2000.00")


# --- reversals and the append-only ledger -----------------------------------------------------------------

def test_a_raise_is_reversed_by_a_new_entry_never_an_edit(fin, tree):
    pot = raised(fin.finance, tree.c1, "1000")
    entry = LedgerEntry.objects.get(pot=pot)
    services.entry_reverse(actor=fin.finance, entry=entry, reason="录入错误")
    assert FundPot.objects.get(pk=pot.pk).balance == Decimal("0.00")
    assert list(LedgerEntry.objects.filter(pot=pot).values_list("kind", "amount")) == [
        ("raised", Decimal("1000.00")), ("reversal", Decimal("-1000.00"))]
    with pytest.raises(ValidationError):
        services.entry_reverse(actor=fin.finance, entry=entry, reason="再来一次")
    assert AuditEvent.objects.filter(action="funds.reverse").count() == 1


def test_an_allocation_is_reversed_on_both_sides_only_while_the_child_still_holds_it(fin, tree):
    pot = raised(fin.finance, tree.c1, "1000")
    alloc = services.allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="600", doc_no="X",
                                       allocated_on=DAY)
    onward = services.allocation_create(actor=fin.k1_finance, pot=alloc.to_pot, to_org=tree.g1, amount="100",
                                        doc_no="Y", allocated_on=DAY)
    out = LedgerEntry.objects.get(allocation=alloc, kind=EntryKind.ALLOCATED)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.entry_reverse(actor=fin.finance, entry=out, reason="错拨")
    assert "不足以冲回" in exc.value.messages[0]
    assert counts() == before
    services.entry_reverse(actor=fin.k1_finance, entry=LedgerEntry.objects.get(allocation=onward,
                                                                                kind=EntryKind.ALLOCATED),
                           reason="错拨")
    services.entry_reverse(actor=fin.finance, entry=out, reason="错拨")
    assert FundPot.objects.get(pk=pot.pk).balance == Decimal("1000.00")
    assert FundPot.objects.get(pk=alloc.to_pot.pk).balance == Decimal("0.00")
    with pytest.raises(PermissionDenied):  # the receiver cannot undo what its parent sent
        services.entry_reverse(actor=fin.k1_finance, entry=LedgerEntry.objects.get(
            allocation=alloc, kind=EntryKind.RECEIVED), reason="x")


def test_ledger_entries_cannot_be_changed_or_deleted_even_with_sql(fin, tree):
    pot = raised(fin.finance, tree.c1, "1000")
    entry = LedgerEntry.objects.get(pot=pot)
    with pytest.raises(ValidationError):
        entry.memo = "改"
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    for sql in ("UPDATE funds_ledgerentry SET amount = 1", "DELETE FROM funds_ledgerentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("1000.00")


def test_the_database_refuses_a_negative_balance(fin, tree):
    pot = raised(fin.finance, tree.c1, "10")
    with pytest.raises(DatabaseError), transaction.atomic():
        FundPot.objects.filter(pk=pot.pk).update(balance=Decimal("-0.01"))
