"""The money pages: 成都 finance raises and allocates, the 成都 leader records decisions and confirms plans,
the 四川 auditor reads but cannot write, the 海南 outsider reaches nothing of 成都."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests.funds.factories import DAY, decided, raised
from warmth.audit.models import AuditEvent
from warmth.funds.choices import DecisionKind, EntryKind, FundSource, PlanStatus, Purpose
from warmth.funds.models import Allocation, AllocationPlan, Decision, FundRaise, LedgerEntry, RuleSetting

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def msgs(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def pot(fin, tree):
    return raised(fin.finance, tree.c1, "10000.00")


def raise_data(**kw):
    return {"org": "510100", "year": "2025", "source": FundSource.OWN_UNION, "purpose": Purpose.WARMTH,
            "amount": "2500.50", "received_on": "2025-12-01", "doc_no": "成工财[2025]8号", **kw}


# --- the statement -------------------------------------------------------------------------------------

def test_statement_shows_own_and_subtree_figures(client, fin, tree, users, pot):
    from warmth.funds.services import allocation_create

    allocation_create(actor=fin.finance, pot=pot, to_org=tree.k1, amount="4000", doc_no="成工[2025]1号",
                      allocated_on=DAY)
    client.force_login(users.finance)
    page = text(client.get(reverse("funds_home") + "?year=2025"))
    assert "成都市总工会 2025年" in page
    assert "10,000.00" in page and "4,000.00" in page and "6,000.00" in page  # raised, allocated, own balance
    assert "武侯区总工会" in page  # the children table
    r = client.get(reverse("funds_home") + "?org=510107&year=2025")
    assert "武侯区总工会 2025年" in text(r) and "4,000.00" in text(r)
    # without a year the page opens on the latest season with money (the demo's 2025, seen in 2026)
    assert "成都市总工会 2025年" in text(client.get(reverse("funds_home")))


def test_outsider_and_anonymous_see_nothing_of_chengdu(client, fin, tree, pot):
    assert client.get(reverse("funds_home")).status_code == 302
    client.force_login(fin.users.hn_finance)
    assert client.get(reverse("funds_home") + "?org=510100&year=2025").status_code == 404
    assert client.get(reverse("funds_pot", args=[pot.pk])).status_code == 404
    page = text(client.get(reverse("funds_pots") + "?year=2025"))
    assert "成都" not in page
    r = client.post(reverse("funds_export"), {"org": "510100", "year": "2025"})
    assert r.status_code == 404
    assert not AuditEvent.objects.filter(action="funds.export").exists()


def test_statement_export_is_an_xlsx_with_the_figures_and_is_audited(client, fin, tree, users, pot):
    client.force_login(users.auditor)  # the read-only 经审 of 四川 may export 成都's statement
    r = client.post(reverse("funds_export"), {"org": "510100", "year": "2025"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    rows = book.get_sheet_by_name("资金收支").to_python()
    own = next(row for row in rows if row and row[0] == "本级工会经费")
    assert own[1] == "送温暖" and Decimal(str(own[2])) == Decimal("10000") and Decimal(str(own[7])) == Decimal("10000")
    ev = AuditEvent.objects.get(action="funds.export")
    assert ev.org_id == tree.c1.pk and ev.after["year"] == 2025


# --- raising ---------------------------------------------------------------------------------------------

def test_finance_raises_money_through_the_form(client, users, tree, fin):
    client.force_login(users.finance)
    r = client.post(reverse("funds_raises"), raise_data(), follow=True)
    assert "已登记成都市总工会筹集资金 2500.50 元" in msgs(r)
    rec = FundRaise.objects.get()
    assert rec.amount == Decimal("2500.50") and rec.pot.balance == Decimal("2500.50")
    assert "成工财[2025]8号" in text(r)


@pytest.mark.parametrize("amount, message", [("0", "大于零"), ("-5", "不能为负数"), ("1.234", "两位小数"),
                                             ("abc", "格式不正确")])
def test_bad_amounts_are_refused_and_nothing_is_written(client, users, amount, message):
    client.force_login(users.finance)
    r = client.post(reverse("funds_raises"), raise_data(amount=amount))
    assert r.status_code == 422
    assert message in text(r)
    assert not FundRaise.objects.exists() and not LedgerEntry.objects.exists()


def test_a_donation_needs_its_donor(client, users):
    client.force_login(users.finance)
    r = client.post(reverse("funds_raises"), raise_data(source=FundSource.DONATION))
    assert r.status_code == 422 and "请填写捐助单位或个人" in text(r)
    assert not FundRaise.objects.exists()


def test_the_raise_form_shows_its_own_and_the_services_problems_in_one_response(client, users):
    """A bad date is the form's refusal; a bad amount and a donation without its donor the service's: one submit
    lists all three, each with its field's label, and nothing is written."""
    client.force_login(users.finance)
    r = client.post(reverse("funds_raises"), raise_data(received_on="2025-13-45", amount="abc",
                                                        source=FundSource.DONATION))
    assert r.status_code == 422
    errors = r.context["form"].errors
    assert errors["received_on"] == ["到账日期格式不对，请按 2025-01-31 的样式填写"]
    assert "金额格式不正确" in errors["amount"][0]
    assert "请填写捐助单位或个人" in " ".join(errors.get("donor", []) + errors.get("__all__", []))
    assert not FundRaise.objects.exists() and not LedgerEntry.objects.exists()


def test_raising_for_an_org_outside_the_subtree_is_refused(client, users):
    client.force_login(users.finance)
    r = client.post(reverse("funds_raises"), raise_data(org="460000"))
    assert r.status_code == 422 and "不在您的管辖范围内" in text(r)
    assert not FundRaise.objects.exists()


def test_the_auditor_reads_the_raises_but_cannot_raise(client, users, pot):
    client.force_login(users.auditor)
    page = text(client.get(reverse("funds_raises")))
    assert "10,000.00" in page and 'id="raise-submit"' not in page
    assert client.post(reverse("funds_raises"), raise_data()).status_code == 403
    assert FundRaise.objects.count() == 1


# --- allocation and plans ---------------------------------------------------------------------------------

def test_finance_allocates_to_a_child_from_the_pot_page(client, users, tree, pot):
    client.force_login(users.finance)
    page = text(client.get(reverse("funds_pot", args=[pot.pk])))
    assert 'id="allocate-submit"' in page and "武侯区总工会" in page
    r = client.post(reverse("funds_pot_allocate", args=[pot.pk]),
                    {"to_org": "510107", "amount": "3000", "doc_no": "成工[2025]104号", "allocated_on": "2025-12-02"},
                    follow=True)
    assert "已向武侯区总工会下拨 3000 元" in msgs(r)
    a = Allocation.objects.get()
    assert a.to_org == tree.k1 and a.to_pot.balance == Decimal("3000.00")
    pot.refresh_from_db()
    assert pot.balance == Decimal("7000.00")


def test_allocating_more_than_the_balance_is_refused_with_the_figures(client, users, pot):
    client.force_login(users.finance)
    r = client.post(reverse("funds_pot_allocate", args=[pot.pk]),
                    {"to_org": "510107", "amount": "10000.01", "doc_no": "x号", "allocated_on": "2025-12-02"},
                    follow=True)
    assert "资金余额不足" in msgs(r) and "10000.00" in msgs(r)
    assert not Allocation.objects.exists()


def test_a_grandchild_is_not_offered_and_refused(client, users, pot):
    client.force_login(users.finance)
    r = client.post(reverse("funds_pot_allocate", args=[pot.pk]),
                    {"to_org": "510107-0001", "amount": "10", "doc_no": "x号", "allocated_on": "2025-12-02"},
                    follow=True)
    assert "下拨未完成" in msgs(r)
    assert not Allocation.objects.exists()


def test_the_plan_tool_from_draft_to_confirmed(client, fin, users, tree, pot):
    client.force_login(users.finance)
    r = client.post(reverse("funds_pot_plan", args=[pot.pk]),
                    {"total": "9000", "doc_no": "成工[2025]9号", "allocated_on": "2025-12-02"}, follow=True)
    plan = AllocationPlan.objects.get()
    assert r.redirect_chain[-1][0] == reverse("funds_plan", args=[plan.pk])
    lines = {ln.to_org.code: ln.amount for ln in plan.lines.select_related("to_org")}
    assert sum(lines.values()) == Decimal("9000.00")
    # the finance officer edits a line; the total follows
    client.post(reverse("funds_plan", args=[plan.pk]), {f"line-{tree.k1.pk}": "5000", f"line-{tree.k2.pk}": "1000"})
    plan.refresh_from_db()
    assert plan.total == Decimal("6000.00")
    # finance cannot confirm (a leader's step); nothing is allocated
    assert client.post(reverse("funds_plan_confirm", args=[plan.pk])).status_code == 403
    assert not Allocation.objects.exists()
    client.force_login(fin.users.c1_leader)
    page = text(client.get(reverse("funds_plan", args=[plan.pk])))
    assert 'id="plan-confirm"' in page and 'id="plan-save"' not in page
    r = client.post(reverse("funds_plan_confirm", args=[plan.pk]), follow=True)
    assert "方案已确认" in msgs(r)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONFIRMED
    assert {a.to_org.code: a.amount for a in Allocation.objects.select_related("to_org")} == {
        "510107": Decimal("5000.00"), "510104": Decimal("1000.00")}
    # a confirmed plan can no longer change
    client.force_login(users.finance)
    client.post(reverse("funds_plan", args=[plan.pk]), {f"line-{tree.k1.pk}": "1"})
    assert AllocationPlan.objects.get().total == Decimal("6000.00")


def test_a_plan_is_cancelled_with_a_reason_and_kept(client, users, pot):
    client.force_login(users.finance)
    client.post(reverse("funds_pot_plan", args=[pot.pk]),
                {"total": "100", "doc_no": "x号", "allocated_on": "2025-12-02"})
    plan = AllocationPlan.objects.get()
    r = client.post(reverse("funds_plan_cancel", args=[plan.pk]), {"reason": "金额有误"}, follow=True)
    assert "方案已作废" in msgs(r)
    assert AllocationPlan.objects.get().status == PlanStatus.CANCELLED


def test_outsiders_reach_no_plan_and_the_auditor_cannot_edit_one(client, fin, users, tree, pot):
    from warmth.funds.services import allocation_plan_create

    plan = allocation_plan_create(actor=fin.finance, pot=pot, total="100", doc_no="x号", allocated_on=DAY)
    client.force_login(fin.users.hn_finance)
    assert client.get(reverse("funds_plan", args=[plan.pk])).status_code == 404
    assert client.post(reverse("funds_plan_confirm", args=[plan.pk])).status_code == 404
    client.force_login(users.auditor)
    assert client.get(reverse("funds_plan", args=[plan.pk])).status_code == 200
    assert client.post(reverse("funds_plan", args=[plan.pk]), {f"line-{tree.k1.pk}": "1"}).status_code == 403


# --- decisions -------------------------------------------------------------------------------------------

def test_the_leader_records_a_decision_with_minutes_and_anyone_inside_downloads_them(client, fin, users, pot):
    client.force_login(fin.users.c1_leader)
    upload = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    r = client.post(reverse("funds_decisions") + "?org=510100&year=2025", {
        "kind": DecisionKind.USAGE_PLAN, "meeting": "第12次主席办公会议", "held_on": "2025-11-20",
        "summary": "同意分配方案", "pots": [str(pot.pk)], "minutes": upload}, follow=True)
    assert "集体研究决定已登记" in msgs(r)
    d = Decision.objects.get()
    assert list(d.pots.all()) == [pot]
    client.force_login(users.auditor)
    r = client.get(reverse("funds_decision_minutes", args=[d.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 minutes"
    client.force_login(fin.users.hn_finance)
    assert client.get(reverse("funds_decision_minutes", args=[d.pk])).status_code == 404


def test_a_decision_without_minutes_or_with_a_bad_file_is_refused(client, fin, pot):
    client.force_login(fin.users.c1_leader)
    data = {"kind": DecisionKind.USAGE_PLAN, "meeting": "会议", "held_on": "2025-11-20", "summary": "x",
            "pots": [str(pot.pk)]}
    r = client.post(reverse("funds_decisions") + "?org=510100&year=2025", data)
    assert r.status_code == 422
    bad = SimpleUploadedFile("纪要.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    r = client.post(reverse("funds_decisions") + "?org=510100&year=2025", {**data, "minutes": bad})
    assert r.status_code == 422 and "PDF" in text(r)
    assert not Decision.objects.exists()


def test_finance_cannot_record_a_decision(client, users, pot):
    client.force_login(users.finance)
    upload = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 m", content_type="application/pdf")
    r = client.post(reverse("funds_decisions") + "?org=510100&year=2025", {
        "kind": DecisionKind.USAGE_PLAN, "meeting": "会议", "held_on": "2025-11-20", "summary": "x",
        "pots": [str(pot.pk)], "minutes": upload})
    assert r.status_code == 403 and not Decision.objects.exists()


# --- leftovers, reversals -----------------------------------------------------------------------------

def test_leftovers_become_daily_money_only_by_a_leftover_decision(client, fin, users, pot):
    client.force_login(users.finance)
    page = text(client.get(reverse("funds_pot", args=[pot.pk])))
    assert 'id="convert"' not in page and "结余资金转日常帮扶”决定" in page
    d = decided(fin.leader, pot, kind=DecisionKind.LEFTOVER)
    page = text(client.get(reverse("funds_pot", args=[pot.pk])))
    assert 'id="convert"' in page
    r = client.post(reverse("funds_pot_convert", args=[pot.pk]),
                    {"amount": "1500", "decision": str(d.pk), "on_date": "2025-12-20"}, follow=True)
    assert "已将 1500 元结余转为日常帮扶资金" in msgs(r)
    daily = LedgerEntry.objects.get(kind=EntryKind.CONVERTED_IN).pot
    assert daily.purpose == Purpose.DAILY and daily.balance == Decimal("1500.00")


def test_a_raise_is_reversed_with_a_reason_and_both_rows_stay(client, users, pot):
    entry = pot.entries.get()
    client.force_login(users.finance)
    r = client.post(reverse("funds_entry_reverse", args=[entry.pk]), {"reason": "重复录入"}, follow=True)
    assert "已冲正" in msgs(r)
    pot.refresh_from_db()
    assert pot.balance == Decimal("0.00")
    assert list(pot.entries.values_list("kind", "amount")) == [
        (EntryKind.RAISED, Decimal("10000.00")), (EntryKind.REVERSAL, Decimal("-10000.00"))]
    r = client.post(reverse("funds_entry_reverse", args=[entry.pk]), {"reason": "再来一次"}, follow=True)
    assert "已冲正" in msgs(r) and "未完成" in msgs(r)
    assert pot.entries.count() == 2


def test_a_reversal_needs_a_reason_and_the_auditor_cannot_reverse(client, users, pot):
    entry = pot.entries.get()
    client.force_login(users.finance)
    r = client.post(reverse("funds_entry_reverse", args=[entry.pk]), {"reason": ""}, follow=True)
    assert "冲正未完成" in msgs(r)
    client.force_login(users.auditor)
    assert client.post(reverse("funds_entry_reverse", args=[entry.pk]), {"reason": "x"}).status_code == 403
    assert pot.entries.count() == 1


# --- the rule check before a payment ----------------------------------------------------------------------

def test_the_rule_check_shows_every_verdict_without_writing(client, fin, users, pot):
    client.force_login(users.owner)  # the handler who will pay
    data = {"amount": "3500", "method": "cash", "purpose": Purpose.WARMTH, "archive_status": "",
            "paid_on": "2025-12-10"}
    r = client.post(reverse("funds_pot_check", args=[pot.pk]), data, HTTP_HX_REQUEST="true")
    page = text(r)
    assert "不能发放" in page
    assert "单笔发放 3500.00 元，超过每笔 3000.00 元的限额" in page
    assert "不得发放现金" in page and "尚未登记集体研究决定" in page
    assert "<html" not in page  # the HTMX fragment only
    decided(fin.leader, pot)
    data.update(amount="800", method="bank")
    page = text(client.post(reverse("funds_pot_check", args=[pot.pk]), data))
    assert "符合全部资金规则" in page and "<html" in page
    assert pot.entries.count() == 1


def test_the_rule_check_refuses_a_bad_amount(client, users, pot):
    client.force_login(users.owner)
    page = text(client.post(reverse("funds_pot_check", args=[pot.pk]),
                            {"amount": "0.001", "method": "bank", "purpose": Purpose.WARMTH, "paid_on": "2025-12-10"}))
    assert "两位小数" in page and "符合全部资金规则" not in page


# --- rule settings ------------------------------------------------------------------------------------------

def test_the_leader_turns_a_rule_to_warn_with_a_reason_and_it_is_audited(client, fin, tree):
    client.force_login(fin.users.c1_leader)
    r = client.post(reverse("funds_rules") + "?org=510100", {
        "code": "per_payment_limit", "mode": "warn", "max": "2000", "reason": "市总工会资金管理办法"}, follow=True)
    assert "“单笔限额”已设为提醒" in msgs(r)
    s = RuleSetting.objects.get()
    assert (s.org, s.mode, s.params) == (tree.c1, "warn", {"max": "2000.00"})
    ev = AuditEvent.objects.get(action="funds.rule_set")
    assert ev.before["mode"] == "block" and ev.after["mode"] == "warn"
    page = text(client.get(reverse("funds_rules") + "?org=510107"))
    assert "由成都市总工会设置" in page and "限额 2000.00 元" in page


def test_the_overdraft_rule_cannot_be_changed_and_the_auditor_cannot_change_any(client, fin, users):
    client.force_login(fin.users.c1_leader)
    r = client.post(reverse("funds_rules") + "?org=510100",
                    {"code": "no_overdraft", "mode": "off", "reason": "试试"}, follow=True)
    assert "不可关闭" in msgs(r)
    client.force_login(users.auditor)
    page = text(client.get(reverse("funds_rules")))
    assert "余额不足不得支出" in page and "调整理由" not in page
    assert client.post(reverse("funds_rules"), {"code": "spend_by", "mode": "off", "reason": "x"}).status_code == 403
    assert not RuleSetting.objects.exists()


def test_the_rules_page_shows_each_rule_by_its_name_not_its_code(client, fin, users):
    from warmth.funds.rules import RULES

    client.force_login(users.auditor)
    html = client.get(reverse("funds_rules")).content.decode()
    shown = re.sub(r"<[^>]+>", " ", html)  # the text a person reads (codes stay in ids and form values only)
    for rule in RULES:
        assert rule.name in shown
        assert rule.code not in shown, rule.code


def test_an_outsider_cannot_set_rules_for_chengdu(client, fin):
    client.force_login(fin.users.hn_finance)
    assert client.get(reverse("funds_rules") + "?org=510100").status_code == 404
    assert client.post(reverse("funds_rules") + "?org=510100",
                       {"code": "spend_by", "mode": "off", "reason": "x"}).status_code == 404
    assert not RuleSetting.objects.exists()


def test_the_nav_links_to_the_funds_pages(client, users):
    client.force_login(users.finance)
    page = text(client.get(reverse("home")))
    assert f'href="{reverse("funds_home")}"' in page
    for name in ("funds_pots", "funds_raises", "funds_allocations", "funds_decisions", "funds_rules"):
        assert client.get(reverse(name)).status_code == 200, name


def test_date_fields_are_prefilled_in_iso_form_for_the_browser_date_picker(client, users):
    from django.utils import timezone

    client.force_login(users.finance)
    page = text(client.get(reverse("funds_raises")))
    assert f'type="date" name="received_on" value="{timezone.localdate().isoformat()}"' in page
