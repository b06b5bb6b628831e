"""Every funds rule both ways (holds / is broken), its setting block → warn → off, and the audit of a change."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.funds.factories import DAY, decided, raised
from warmth.archives.choices import ArchiveStatus
from warmth.audit.models import AuditEvent
from warmth.funds import rules, services
from warmth.funds.choices import DecisionKind, FundSource, PayMethod, Purpose
from warmth.funds.models import FundPot, LedgerEntry
from warmth.funds.rules import Proposal, evaluate

PAY_DAY = date(2026, 1, 10)


@pytest.fixture
def pot(fin, tree):
    """Central money allocated to 武侯区, with its usage decision: every rule holds for a bank payment to an
    active archive of 1,000 yuan."""
    top = raised(fin.finance, tree.c1, "20000", source=FundSource.CENTRAL)
    alloc = services.allocation_create(actor=fin.finance, pot=top, to_org=tree.k1, amount="10000", doc_no="X",
                                       allocated_on=DAY, spend_by=date(2026, 1, 31))
    decided(fin.k1_leader, alloc.to_pot)
    return FundPot.objects.get(pk=alloc.to_pot.pk)


def good(pot, **kw) -> Proposal:
    base = {"pot": pot, "amount": Decimal("1000.00"), "method": PayMethod.BANK, "archive_status": ArchiveStatus.ACTIVE,
            "person_bidx": "p-1", "paid_on": PAY_DAY}
    return Proposal(**{**base, **kw})


def verdict(evaluation, code):
    return next(v for v in evaluation.verdicts if v.code == code)


def test_a_proper_payment_passes_every_rule(pot):
    e = evaluate(good(pot))
    assert [v.outcome for v in e.verdicts] == ["pass"] * len(rules.RULES)
    assert not e.blocked


BROKEN = {
    "central_archive_only": {"archive_status": None},
    "no_goods_from_finance": {"method": PayMethod.GOODS},
    "cash_only_on_visit": {"method": PayMethod.CASH},
    "spend_by": {"paid_on": date(2026, 2, 1)},
    "purpose_match": {"purpose": Purpose.DAILY},
    "per_payment_limit": {"amount": Decimal("3000.01")},
    "no_overdraft": {"amount": Decimal("10000.01")},
}


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_each_rule_blocks_when_broken_and_names_itself(pot, code):
    e = evaluate(good(pot, **BROKEN[code]))
    v = verdict(e, code)
    assert v.outcome == "block" and v.message and any("\u4e00" <= ch <= "\u9fff" for ch in v.message)
    assert e.blocked and any(rules.RULES_BY_CODE[code].name in m for m in e.messages())


def test_cash_passes_on_a_visit_and_an_exited_archive_does_not_take_central_money(pot):
    assert verdict(evaluate(good(pot, method=PayMethod.CASH, on_visit=True)), "cash_only_on_visit").outcome == "pass"
    assert verdict(evaluate(good(pot, archive_status=ArchiveStatus.EXITED)), "central_archive_only").outcome == "block"


def test_other_money_may_pay_recipients_without_an_archive_and_union_money_may_buy_goods(fin, tree):
    own = raised(fin.finance, tree.c1, "5000", source=FundSource.OWN_UNION)
    decided(fin.leader, own)
    e = evaluate(good(own, archive_status=None, method=PayMethod.GOODS))
    assert verdict(e, "central_archive_only").outcome == "pass"
    assert verdict(e, "no_goods_from_finance").outcome == "pass"
    prov = raised(fin.finance, tree.c1, "5000", source=FundSource.PROVINCIAL)
    decided(fin.leader, prov)
    assert verdict(evaluate(good(prov, method=PayMethod.GOODS)), "no_goods_from_finance").outcome == "block"


def test_a_pot_without_a_usage_decision_cannot_pay(fin, tree):
    bare = raised(fin.finance, tree.c1, "5000", source=FundSource.OWN_UNION)
    assert verdict(evaluate(good(bare)), "decision_first").outcome == "block"
    decided(fin.leader, bare, DecisionKind.LEFTOVER)  # a leftover decision is not the usage plan
    assert verdict(evaluate(good(bare)), "decision_first").outcome == "block"
    decided(fin.leader, bare)
    assert verdict(evaluate(good(bare)), "decision_first").outcome == "pass"


def test_the_yearly_limit_counts_what_the_person_was_already_paid_net_of_reversals(fin, pot):
    for _ in range(2):
        services.pot_spend(actor=fin.county, proposal=good(pot, amount=Decimal("2500")))
    e = evaluate(good(pot, amount=Decimal("1000.01")))
    v = verdict(e, "per_person_year_limit")
    assert v.outcome == "block" and "5000.00" in v.message
    assert verdict(evaluate(good(pot, amount=Decimal("1000"))), "per_person_year_limit").outcome == "pass"
    assert verdict(evaluate(good(pot, amount=Decimal("1000.01"), person_bidx="p-2")),
                   "per_person_year_limit").outcome == "pass"
    paid = LedgerEntry.objects.filter(pot=pot, kind="paid").first()
    services.entry_reverse(actor=fin.county, entry=paid, reason="重复发放")
    assert verdict(evaluate(good(pot, amount=Decimal("3000"))), "per_person_year_limit").outcome == "pass"


def test_money_past_its_deadline_is_not_paid_but_money_still_in_time_is(fin, tree, pot):
    own = raised(fin.finance, tree.k1, "500", source=FundSource.CENTRAL, spend_by=date(2026, 3, 31))
    assert own.pk == pot.pk  # the same pot: 10,000 due 01-31 and 500 due 03-31
    late = date(2026, 2, 10)
    assert rules.available_on(FundPot.objects.get(pk=pot.pk), late) == Decimal("500.00")
    assert verdict(evaluate(good(FundPot.objects.get(pk=pot.pk), amount=Decimal("500"), paid_on=late)),
                   "spend_by").outcome == "pass"
    v = verdict(evaluate(good(FundPot.objects.get(pk=pot.pk), amount=Decimal("500.01"), paid_on=late)), "spend_by")
    assert v.outcome == "block" and "2026年01月31日" in v.message


def test_spending_before_the_deadline_uses_up_the_money_that_expires_first(fin, tree, pot):
    services.pot_spend(actor=fin.county, proposal=good(pot, amount=Decimal("3000"), person_bidx="a"))
    services.pot_spend(actor=fin.county, proposal=good(pot, amount=Decimal("3000"), person_bidx="b"))
    fresh = FundPot.objects.get(pk=pot.pk)
    assert rules.available_on(fresh, date(2026, 2, 1)) == Decimal("0.00")
    assert rules.available_on(fresh, date(2026, 1, 31)) == Decimal("4000.00")


# --- settings -----------------------------------------------------------------------------------------

def test_a_leader_turns_a_rule_to_warn_then_off_and_each_change_is_audited(fin, tree, pot):
    broken = good(pot, amount=Decimal("3500"))
    services.rule_setting_set(actor=fin.p1_leader, org=tree.c1, code="per_payment_limit", mode="warn",
                              reason="春节集中慰问")
    e = evaluate(broken)
    assert verdict(e, "per_payment_limit").outcome == "warn" and not e.blocked
    assert [v.code for v in e.warnings] == ["per_payment_limit"]
    services.rule_setting_set(actor=fin.p1_leader, org=tree.c1, code="per_payment_limit", mode="off", reason="试行")
    assert verdict(evaluate(broken), "per_payment_limit").outcome == "off"
    events = list(AuditEvent.objects.filter(action="funds.rule_set").order_by("id"))
    assert [(ev.before["mode"], ev.after["mode"]) for ev in events] == [("block", "warn"), ("warn", "off")]
    assert all(ev.org_id == tree.c1.pk and ev.after["reason"] for ev in events)


def test_a_lower_org_setting_wins_over_its_ancestors_and_parameters_are_adjustable(fin, tree, pot):
    services.rule_setting_set(actor=fin.admin, org=tree.p1, code="per_payment_limit", mode="off", reason="省定")
    services.rule_setting_set(actor=fin.k1_leader, org=tree.k1, code="per_payment_limit", mode="block",
                              params={"max": "800"}, reason="区定")
    v = verdict(evaluate(good(pot)), "per_payment_limit")
    assert v.outcome == "block" and "800.00" in v.message
    assert rules.effective_settings(tree.k2)["per_payment_limit"].mode == "off"


def test_settings_need_the_rules_permission_and_the_overdraft_rule_cannot_be_changed(fin, tree):
    with pytest.raises(PermissionDenied):
        services.rule_setting_set(actor=fin.finance, org=tree.c1, code="spend_by", mode="off", reason="x")
    with pytest.raises(PermissionDenied):
        services.rule_setting_set(actor=fin.outsider, org=tree.c1, code="spend_by", mode="off", reason="x")
    with pytest.raises(ValidationError) as exc:
        services.rule_setting_set(actor=fin.leader, org=tree.c1, code="no_overdraft", mode="off", reason="x")
    assert "不可关闭" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.rule_setting_set(actor=fin.leader, org=tree.c1, code="spend_by", mode="maybe", reason="x")
    with pytest.raises(ValidationError):
        services.rule_setting_set(actor=fin.leader, org=tree.c1, code="per_payment_limit", mode="block",
                                  params={"max": "-1"}, reason="x")
    assert not AuditEvent.objects.filter(action="funds.rule_set").exists()


# --- pot_spend --------------------------------------------------------------------------------------

def test_pot_spend_refuses_a_blocked_payment_with_the_rules_message_and_writes_nothing(fin, pot):
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.pot_spend(actor=fin.county, proposal=good(pot, method=PayMethod.CASH))
    assert "银行卡转账" in exc.value.messages[0]
    assert LedgerEntry.objects.count() == before
    assert FundPot.objects.get(pk=pot.pk).balance == Decimal("10000.00")


def test_pot_spend_pays_through_a_warning_and_records_it(fin, tree, pot):
    services.rule_setting_set(actor=fin.k1_leader, org=tree.k1, code="per_payment_limit", mode="warn", reason="x")
    spent = services.pot_spend(actor=fin.county, proposal=good(pot, amount=Decimal("3500")), ref_type="payment",
                               ref_id="7")
    assert [v.code for v in spent.evaluation.warnings] == ["per_payment_limit"]
    assert FundPot.objects.get(pk=pot.pk).balance == Decimal("6500.00")
    ev = AuditEvent.objects.get(action="funds.spend")
    assert ev.after["warnings"] == ["per_payment_limit"] and ev.after["ref"] == "payment:7"


def test_an_outsider_cannot_spend_from_a_pot(fin, pot):
    with pytest.raises(PermissionDenied):
        services.pot_spend(actor=fin.outsider, proposal=good(pot))
